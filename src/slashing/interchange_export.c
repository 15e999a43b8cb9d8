/* EIP-3076 interchange format v5: export of the complete stored history, for every
 * validator or a chosen few. Read inside one transaction so the file is a consistent
 * snapshot even while the signer keeps signing. Validators with no record are left out
 * (there is nothing to protect yet). A record imported without a signing root is
 * exported without one, as EIP-3076 allows. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "slashing/slashing_internal.h"
#include "util/dec.h"
#include "util/hex.h"

typedef struct {
	slash_db *db;
	const uint8_t (*only)[SLASH_PUBKEY_BYTES];
	size_t n_only;
	json_t *data;
	json_t *cur; /* the array being filled by the record callbacks */
	bool failed;
	slash_store_result r;
} export_ctx;

static json_t *u64_string(uint64_t v)
{
	char buf[DEC_U64_MAX_CHARS];
	dec_format_u64(buf, v);
	return json_string(buf);
}

static bool add_root(json_t *obj, bool has, const uint8_t root[SLASH_ROOT_BYTES])
{
	if (!has)
		return true;
	char hex[2 * SLASH_ROOT_BYTES + 3];
	hex_encode(hex, root, SLASH_ROOT_BYTES, true);
	return json_object_set_new(obj, "signing_root", json_string(hex)) == 0;
}

static bool on_block(void *p, const slash_block_rec *b)
{
	export_ctx *c = p;
	json_t *o = json_object();
	if (o == NULL || json_object_set_new(o, "slot", u64_string(b->slot)) != 0 ||
	    !add_root(o, b->has_root, b->root) || json_array_append_new(c->cur, o) != 0) {
		json_decref(o);
		c->failed = true;
		return false;
	}
	return true;
}

static bool on_att(void *p, const slash_att_rec *a)
{
	export_ctx *c = p;
	json_t *o = json_object();
	if (o == NULL || json_object_set_new(o, "source_epoch", u64_string(a->source)) != 0 ||
	    json_object_set_new(o, "target_epoch", u64_string(a->target)) != 0 ||
	    !add_root(o, a->has_root, a->root) || json_array_append_new(c->cur, o) != 0) {
		json_decref(o);
		c->failed = true;
		return false;
	}
	return true;
}

static bool on_validator(void *p, const uint8_t pubkey[SLASH_PUBKEY_BYTES], const slash_validator *v)
{
	export_ctx *c = p;
	bool wanted = c->n_only == 0;
	for (size_t i = 0; i < c->n_only && !wanted; i++)
		wanted = memcmp(c->only[i], pubkey, SLASH_PUBKEY_BYTES) == 0;
	if (!wanted)
		return true;
	json_t *blocks = json_array(), *atts = json_array(), *entry = json_object();
	char hex[2 * SLASH_PUBKEY_BYTES + 3];
	hex_encode(hex, pubkey, SLASH_PUBKEY_BYTES, true);
	if (blocks == NULL || atts == NULL || entry == NULL) {
		json_decref(blocks);
		json_decref(atts);
		json_decref(entry);
		c->failed = true;
		return false;
	}
	c->cur = blocks;
	c->r = c->db->ops->each_block(c->db->store, v->id, on_block, c);
	c->cur = atts;
	if (c->r == SLASH_STORE_OK && !c->failed)
		c->r = c->db->ops->each_attestation(c->db->store, v->id, on_att, c);
	size_t n = json_array_size(blocks) + json_array_size(atts);
	if (c->r == SLASH_STORE_OK && !c->failed && n > 0 &&
	    (json_object_set_new(entry, "pubkey", json_string(hex)) != 0 ||
	     json_object_set(entry, "signed_blocks", blocks) != 0 ||
	     json_object_set(entry, "signed_attestations", atts) != 0 ||
	     json_array_append(c->data, entry) != 0))
		c->failed = true;
	json_decref(blocks);
	json_decref(atts);
	json_decref(entry);
	return c->r == SLASH_STORE_OK && !c->failed;
}

ss_err slash_export_interchange(slash_db *db, const uint8_t (*pubkeys)[SLASH_PUBKEY_BYTES], size_t n,
				char **json_out)
{
	*json_out = NULL;
	export_ctx c = { .db = db, .only = pubkeys, .n_only = n, .data = json_array() };
	json_t *root = json_object(), *meta = json_object();
	if (c.data == NULL || root == NULL || meta == NULL) {
		json_decref(c.data);
		json_decref(root);
		json_decref(meta);
		return SS_ERR_NOMEM;
	}
	ss_err err = SS_OK;
	pthread_mutex_lock(&db->conn_lock);
	c.r = slash_tx_begin(db); /* a read-only snapshot, rolled back at the end */
	if (c.r != SLASH_STORE_OK) {
		err = slash_store_err(c.r);
	} else if (!db->meta.has_gvr) {
		err = SS_ERR_NOT_FOUND; /* no root pinned: nothing was ever signed or imported */
		db->ops->rollback(db->store);
	} else {
		char gvr[2 * SLASH_ROOT_BYTES + 3];
		hex_encode(gvr, db->meta.gvr, SLASH_ROOT_BYTES, true);
		json_object_set_new(meta, "interchange_format_version", json_string("5"));
		json_object_set_new(meta, "genesis_validators_root", json_string(gvr));
		slash_store_result r = db->ops->each_validator(db->store, on_validator, &c);
		if (c.r == SLASH_STORE_OK)
			c.r = r;
		db->ops->rollback(db->store);
		err = c.failed ? SS_ERR_NOMEM : slash_store_err(c.r);
	}
	pthread_mutex_unlock(&db->conn_lock);
	if (err == SS_OK) {
		json_object_set_new(root, "metadata", meta);
		json_object_set_new(root, "data", c.data);
		*json_out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (*json_out == NULL)
			err = SS_ERR_NOMEM;
		json_decref(root);
		return err;
	}
	json_decref(c.data);
	json_decref(meta);
	json_decref(root);
	return err;
}

ss_err slash_export_interchange_file(slash_db *db, const uint8_t (*pubkeys)[SLASH_PUBKEY_BYTES],
				     size_t n, char **text_out, size_t *len_out)
{
	*text_out = NULL;
	*len_out = 0;
	char *json = NULL;
	ss_err err = slash_export_interchange(db, pubkeys, n, &json);
	if (err != SS_OK)
		return err;
	size_t len = strlen(json);
	char *text = realloc(json, len + 2);
	if (text == NULL) {
		free(json);
		return SS_ERR_NOMEM;
	}
	text[len] = '\n';
	text[len + 1] = '\0';
	*text_out = text;
	*len_out = len + 1;
	return SS_OK;
}
