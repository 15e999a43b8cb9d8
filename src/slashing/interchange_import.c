/* EIP-3076 interchange format v5: import.
 *
 * Two phases. First the whole document is parsed and validated into memory, with no
 * store access, so a syntax or range error anywhere is reported before anything is
 * touched. Then, in one transaction, each entry is merged into the stored history and
 * checked as it goes: anything slashable (within the file, or against what is already
 * stored) aborts the import, the transaction is rolled back, and the error names the
 * entry ("data[2].signed_attestations[0]: ..."). Nothing is ever lowered: merging only
 * adds records, replaces a known signing root by "unknown" (EIP-3076: a missing root
 * conflicts with everything, the stronger protection), and lowers the oldest-history
 * marks only to records it adds. Refusing slashable data rather than minifying it is a
 * choice the EIP's test runner allows (vectors README §1, rule 3). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "slashing/slashing_internal.h"
#include "util/dec.h"
#include "util/hex.h"

typedef struct {
	uint8_t pubkey[SLASH_PUBKEY_BYTES];
	bool selected;
	size_t n_blocks, n_atts;
	slash_block_rec *blocks;
	slash_att_rec *atts;
} import_entry;

typedef struct {
	uint8_t gvr[SLASH_ROOT_BYTES];
	size_t n;
	import_entry *entries;
} import_doc;

static void doc_free(import_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->entries[i].blocks);
		free(d->entries[i].atts);
	}
	free(d->entries);
}

/* A required string member; SS_ERR_INVALID naming it when absent or not a string. */
static ss_err get_string(json_t *obj, const char *key, const char *where, const char **s, size_t *len,
			 slash_reason *why)
{
	json_t *v = json_object_get(obj, key);
	if (v == NULL) {
		slash_reasonf(why, "%s: missing \"%s\"", where, key);
		return SS_ERR_INVALID;
	}
	if (!json_is_string(v)) {
		slash_reasonf(why, "%s.%s: must be a string", where, key);
		return SS_ERR_INVALID;
	}
	*s = json_string_value(v);
	*len = json_string_length(v);
	return SS_OK;
}

/* EIP-3076 carries uint64 values as decimal strings. */
static ss_err get_u64(json_t *obj, const char *key, const char *where, uint64_t *out, slash_reason *why)
{
	const char *s;
	size_t len;
	ss_err err = get_string(obj, key, where, &s, &len, why);
	if (err != SS_OK)
		return err;
	err = dec_parse_u64(s, len, out);
	if (err == SS_ERR_RANGE)
		slash_reasonf(why, "%s.%s: %.40s exceeds 2^64-1", where, key, s);
	else if (err != SS_OK)
		slash_reasonf(why, "%s.%s: \"%.40s\" is not a decimal integer", where, key, s);
	return err;
}

static ss_err get_hex(json_t *obj, const char *key, const char *where, uint8_t *out, size_t n,
		      slash_reason *why)
{
	const char *s;
	size_t len;
	ss_err err = get_string(obj, key, where, &s, &len, why);
	if (err != SS_OK)
		return err;
	if (hex_decode(out, n, s, len, HEX_PREFIX_REQUIRED) != SS_OK) {
		slash_reasonf(why, "%s.%s: must be 0x followed by %zu hex digits", where, key, 2 * n);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

/* An optional signing_root: absent means unknown (EIP-3076); an explicit JSON null,
 * which some exporters write for the same thing, is read the same way. */
static ss_err get_root(json_t *obj, const char *where, bool *has, uint8_t root[SLASH_ROOT_BYTES],
		       slash_reason *why)
{
	json_t *v = json_object_get(obj, "signing_root");
	*has = v != NULL && !json_is_null(v);
	if (!*has) {
		memset(root, 0, SLASH_ROOT_BYTES);
		return SS_OK;
	}
	return get_hex(obj, "signing_root", where, root, SLASH_ROOT_BYTES, why);
}

static ss_err get_array(json_t *obj, const char *key, const char *where, json_t **arr, slash_reason *why)
{
	*arr = json_object_get(obj, key);
	if (*arr == NULL) {
		slash_reasonf(why, "%s: missing \"%s\"", where, key);
		return SS_ERR_INVALID;
	}
	if (!json_is_array(*arr)) {
		slash_reasonf(why, "%s.%s: must be an array", where, key);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

static ss_err parse_entry(json_t *e, size_t i, import_entry *out, slash_reason *why)
{
	char where[32], item[96];
	snprintf(where, sizeof where, "data[%zu]", i);
	if (!json_is_object(e)) {
		slash_reasonf(why, "%s: must be an object", where);
		return SS_ERR_INVALID;
	}
	ss_err err = get_hex(e, "pubkey", where, out->pubkey, SLASH_PUBKEY_BYTES, why);
	json_t *blocks, *atts;
	if (err == SS_OK)
		err = get_array(e, "signed_blocks", where, &blocks, why);
	if (err == SS_OK)
		err = get_array(e, "signed_attestations", where, &atts, why);
	if (err != SS_OK)
		return err;
	out->n_blocks = json_array_size(blocks);
	out->n_atts = json_array_size(atts);
	out->blocks = calloc(out->n_blocks ? out->n_blocks : 1, sizeof *out->blocks);
	out->atts = calloc(out->n_atts ? out->n_atts : 1, sizeof *out->atts);
	if (out->blocks == NULL || out->atts == NULL)
		return SS_ERR_NOMEM;
	for (size_t j = 0; j < out->n_blocks; j++) {
		json_t *b = json_array_get(blocks, j);
		slash_block_rec *r = &out->blocks[j];
		snprintf(item, sizeof item, "%s.signed_blocks[%zu]", where, j);
		if (!json_is_object(b)) {
			slash_reasonf(why, "%s: must be an object", item);
			return SS_ERR_INVALID;
		}
		if ((err = get_u64(b, "slot", item, &r->slot, why)) != SS_OK ||
		    (err = get_root(b, item, &r->has_root, r->root, why)) != SS_OK)
			return err;
	}
	for (size_t j = 0; j < out->n_atts; j++) {
		json_t *a = json_array_get(atts, j);
		slash_att_rec *r = &out->atts[j];
		snprintf(item, sizeof item, "%s.signed_attestations[%zu]", where, j);
		if (!json_is_object(a)) {
			slash_reasonf(why, "%s: must be an object", item);
			return SS_ERR_INVALID;
		}
		if ((err = get_u64(a, "source_epoch", item, &r->source, why)) != SS_OK ||
		    (err = get_u64(a, "target_epoch", item, &r->target, why)) != SS_OK ||
		    (err = get_root(a, item, &r->has_root, r->root, why)) != SS_OK)
			return err;
	}
	return SS_OK;
}

static ss_err parse_doc(const char *text, size_t len, import_doc *doc, slash_reason *why)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		slash_reasonf(why, "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column,
			      jerr.text);
		return SS_ERR_INVALID;
	}
	ss_err err = SS_OK;
	json_t *meta = json_object_get(root, "metadata"), *data = NULL;
	const char *ver;
	size_t ver_len;
	if (!json_is_object(root)) {
		slash_reasonf(why, "interchange: must be a JSON object");
		err = SS_ERR_INVALID;
	} else if (!json_is_object(meta)) {
		slash_reasonf(why, "metadata: missing or not an object");
		err = SS_ERR_INVALID;
	} else if ((err = get_string(meta, "interchange_format_version", "metadata", &ver, &ver_len,
				     why)) != SS_OK) {
	} else if (ver_len != 1 || ver[0] != '5') {
		/* EIP-3076: version 5 is the only one in use; earlier drafts differ in shape */
		slash_reasonf(why, "metadata.interchange_format_version: \"%.16s\" is not supported (only \"5\")",
			      ver);
		err = SS_ERR_UNSUPPORTED;
	} else if ((err = get_hex(meta, "genesis_validators_root", "metadata", doc->gvr,
				  SLASH_ROOT_BYTES, why)) != SS_OK) {
	} else if ((err = get_array(root, "data", "interchange", &data, why)) != SS_OK) {
	} else {
		doc->n = json_array_size(data);
		doc->entries = calloc(doc->n ? doc->n : 1, sizeof *doc->entries);
		if (doc->entries == NULL) {
			doc->n = 0;
			err = SS_ERR_NOMEM;
		}
		for (size_t i = 0; err == SS_OK && i < doc->n; i++)
			err = parse_entry(json_array_get(data, i), i, &doc->entries[i], why);
	}
	json_decref(root);
	return err;
}

/* Merges one block record (EIP-3076 condition 1 at import time). */
static slash_store_result merge_block(slash_db *db, slash_validator *v, const slash_block_rec *b,
				      const char *item, ss_err *refused, slash_reason *why)
{
	slash_block_rec old;
	bool found;
	slash_store_result r = db->ops->block_at(db->store, v->id, b->slot, &old, &found);
	if (r != SLASH_STORE_OK)
		return r;
	if (found) {
		if (old.has_root && b->has_root && memcmp(old.root, b->root, SLASH_ROOT_BYTES) != 0) {
			slash_reasonf(why, "%s: slashable: a different block at slot %llu is already "
					   "recorded (in the database or earlier in this file)",
				      item, (unsigned long long)b->slot);
			*refused = SS_ERR_REFUSED;
			return SLASH_STORE_OK;
		}
		if (old.has_root == b->has_root)
			return SLASH_STORE_OK; /* identical: nothing to add */
		/* one side has no root: keep "unknown", which refuses every block there */
		old.has_root = false;
		return db->ops->put_block(db->store, v->id, &old);
	}
	r = db->ops->put_block(db->store, v->id, b);
	if (r == SLASH_STORE_OK && (!v->has_min_slot || b->slot < v->min_slot)) {
		v->has_min_slot = true;
		v->min_slot = b->slot;
	}
	return r;
}

/* Merges one attestation record (EIP-3076 condition 3 at import time). */
static slash_store_result merge_att(slash_db *db, slash_validator *v, const slash_att_rec *a,
				    const char *item, ss_err *refused, slash_reason *why)
{
	const unsigned long long s = a->source, t = a->target;
	if (a->source > a->target) {
		slash_reasonf(why, "%s: slashable: source epoch %llu is greater than target epoch %llu",
			      item, s, t);
		*refused = SS_ERR_REFUSED;
		return SLASH_STORE_OK;
	}
	slash_att_rec old;
	bool found;
	slash_store_result r = db->ops->att_at_target(db->store, v->id, a->target, &old, &found);
	if (r != SLASH_STORE_OK)
		return r;
	if (found) {
		if (old.source != a->source ||
		    (old.has_root && a->has_root && memcmp(old.root, a->root, SLASH_ROOT_BYTES) != 0)) {
			slash_reasonf(why, "%s: slashable: double vote: another attestation (%llu, %llu) "
					   "is already recorded for target epoch %llu",
				      item, (unsigned long long)old.source, t, t);
			*refused = SS_ERR_REFUSED;
			return SLASH_STORE_OK;
		}
		if (old.has_root == a->has_root)
			return SLASH_STORE_OK;
		old.has_root = false;
		return db->ops->put_attestation(db->store, v->id, &old);
	}
	r = db->ops->find_surrounding(db->store, v->id, a->source, a->target, &old, &found);
	if (r == SLASH_STORE_OK && !found)
		r = db->ops->find_surrounded(db->store, v->id, a->source, a->target, &old, &found);
	if (r != SLASH_STORE_OK)
		return r;
	if (found) {
		slash_reasonf(why, "%s: slashable: (%llu, %llu) and the recorded (%llu, %llu) surround "
				   "one another",
			      item, s, t, (unsigned long long)old.source, (unsigned long long)old.target);
		*refused = SS_ERR_REFUSED;
		return SLASH_STORE_OK;
	}
	r = db->ops->put_attestation(db->store, v->id, a);
	if (r == SLASH_STORE_OK) {
		if (!v->has_min_epochs) {
			v->has_min_epochs = true;
			v->min_source = a->source;
			v->min_target = a->target;
		}
		if (a->source < v->min_source)
			v->min_source = a->source;
		if (a->target < v->min_target)
			v->min_target = a->target;
	}
	return r;
}

static slash_store_result merge_entry(slash_db *db, const import_entry *e, size_t i, ss_err *refused,
				      slash_reason *why)
{
	slash_validator v;
	bool found;
	char item[96];
	slash_store_result r = db->ops->get_validator(db->store, e->pubkey, true, &v, &found);
	for (size_t j = 0; r == SLASH_STORE_OK && *refused == SS_OK && j < e->n_blocks; j++) {
		snprintf(item, sizeof item, "data[%zu].signed_blocks[%zu]", i, j);
		r = merge_block(db, &v, &e->blocks[j], item, refused, why);
	}
	for (size_t j = 0; r == SLASH_STORE_OK && *refused == SS_OK && j < e->n_atts; j++) {
		snprintf(item, sizeof item, "data[%zu].signed_attestations[%zu]", i, j);
		r = merge_att(db, &v, &e->atts[j], item, refused, why);
	}
	if (r == SLASH_STORE_OK && *refused == SS_OK)
		r = db->ops->put_validator(db->store, &v);
	return r;
}

static ss_err apply_doc(slash_db *db, const import_doc *doc, slash_reason *why)
{
	ss_err refused = SS_OK;
	pthread_mutex_lock(&db->conn_lock);
	slash_vcache_clear(db);
	slash_store_result r = slash_tx_begin(db);
	if (r == SLASH_STORE_OK) {
		if (!db->meta.has_gvr) {
			/* Web3Signer §3.3: an import into an empty database pins its root */
			slash_meta m = db->meta;
			m.has_gvr = true;
			memcpy(m.gvr, doc->gvr, SLASH_ROOT_BYTES);
			r = db->ops->put_meta(db->store, &m);
			if (r == SLASH_STORE_OK)
				db->meta = m;
		} else if (memcmp(db->meta.gvr, doc->gvr, SLASH_ROOT_BYTES) != 0) {
			char have[2 * SLASH_ROOT_BYTES + 3];
			hex_encode(have, db->meta.gvr, SLASH_ROOT_BYTES, true);
			slash_reasonf(why, "metadata.genesis_validators_root: differs from this database's %s "
					   "(another network)", have);
			refused = SS_ERR_REFUSED;
		}
	}
	for (size_t i = 0; r == SLASH_STORE_OK && refused == SS_OK && i < doc->n; i++)
		if (doc->entries[i].selected)
			r = merge_entry(db, &doc->entries[i], i, &refused, why);
	if (r == SLASH_STORE_OK && refused == SS_OK)
		r = slash_tx_commit(db);
	if (r != SLASH_STORE_OK || refused != SS_OK)
		slash_tx_rollback(db);
	pthread_mutex_unlock(&db->conn_lock);
	if (refused != SS_OK)
		return refused;
	if (r != SLASH_STORE_OK)
		slash_reasonf(why, "slashing database: the import could not be written; nothing changed");
	return slash_store_err(r);
}

ss_err slash_import_interchange(slash_db *db, const char *json, size_t len,
				const uint8_t (*only_pubkeys)[SLASH_PUBKEY_BYTES], size_t n_only,
				slash_reason *why)
{
	slash_reason local;
	if (why == NULL)
		why = &local;
	why->message[0] = '\0';
	import_doc doc = { .n = 0 };
	ss_err err = parse_doc(json, len, &doc, why);
	if (err == SS_OK) {
		for (size_t i = 0; i < doc.n; i++) {
			doc.entries[i].selected = n_only == 0;
			for (size_t k = 0; k < n_only && !doc.entries[i].selected; k++)
				doc.entries[i].selected =
					memcmp(only_pubkeys[k], doc.entries[i].pubkey, SLASH_PUBKEY_BYTES) == 0;
		}
		err = apply_doc(db, &doc, why);
	}
	if (err == SS_ERR_NOMEM && why->message[0] == '\0')
		slash_reasonf(why, "out of memory");
	doc_free(&doc);
	return err;
}
