/* EIP-3076 interchange format v5: import.
 *
 * Three phases. First the whole document is parsed and validated into memory, with no
 * store access, so a syntax or range error anywhere is reported before anything is
 * touched. Then each validator's records are checked against its stored history
 * (import_check.c, O(n log n)) in a read-only pass: anything slashable (within the file,
 * or against what is already stored) refuses the import, and the error names the entry
 * ("data[2].signed_attestations[0]: ..."). Last, each validator is checked again and
 * merged in its own short transaction (apply_doc). Nothing is ever lowered: merging only
 * adds records, replaces a known signing root by "unknown" (EIP-3076: a missing root
 * conflicts with everything, the stronger protection), and lowers the oldest-history
 * marks only to records it adds. Refusing slashable data rather than minifying it is a
 * choice the EIP's test runner allows (vectors README §1, rule 3). */
#include <jansson.h>
#include <stdio.h>
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

/* One validator's records, stored and from the file, for import_check.c. */
typedef struct {
	slash_imp_block *b;
	slash_imp_att *a;
	size_t nb, na, cap_b, cap_a;
	bool nomem;
} recs;

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t cap2 = *cap ? *cap : 64;
	while (cap2 < need)
		cap2 *= 2;
	void *q = realloc(*p, cap2 * size);
	if (q == NULL)
		return false;
	*p = q;
	*cap = cap2;
	return true;
}

static bool push_block(recs *r, const slash_block_rec *b, bool stored, size_t entry, size_t item)
{
	if (!grow((void **)&r->b, &r->cap_b, r->nb + 1, sizeof *r->b)) {
		r->nomem = true;
		return false;
	}
	r->b[r->nb++] = (slash_imp_block){ .rec = *b, .stored = stored, .entry = (uint32_t)entry,
					   .item = (uint32_t)item };
	return true;
}

static bool push_att(recs *r, const slash_att_rec *a, bool stored, size_t entry, size_t item)
{
	if (!grow((void **)&r->a, &r->cap_a, r->na + 1, sizeof *r->a)) {
		r->nomem = true;
		return false;
	}
	r->a[r->na++] = (slash_imp_att){ .rec = *a, .stored = stored, .entry = (uint32_t)entry,
					 .item = (uint32_t)item };
	return true;
}

static bool stored_block(void *ctx, const slash_block_rec *b)
{
	return push_block(ctx, b, true, 0, 0);
}

static bool stored_att(void *ctx, const slash_att_rec *a)
{
	return push_att(ctx, a, true, 0, 0);
}

/* Writes the plan of one validator: the merged records, and the oldest-history marks
 * lowered to the oldest record it adds (only records it adds move them; a record that
 * was already stored keeps them where they are). */
static slash_store_result write_plan(slash_db *db, slash_validator *v, const recs *rc)
{
	slash_store_result r = SLASH_STORE_OK;
	for (size_t k = 0; r == SLASH_STORE_OK && k < rc->nb; k++) {
		const slash_imp_block *b = &rc->b[k];
		if (!b->write)
			continue;
		r = db->ops->put_block(db->store, v->id, &b->rec);
		if (!b->stored && (!v->has_min_slot || b->rec.slot < v->min_slot)) {
			v->has_min_slot = true;
			v->min_slot = b->rec.slot;
		}
	}
	for (size_t k = 0; r == SLASH_STORE_OK && k < rc->na; k++) {
		const slash_imp_att *a = &rc->a[k];
		if (!a->write)
			continue;
		r = db->ops->put_attestation(db->store, v->id, &a->rec);
		if (a->stored)
			continue;
		if (!v->has_min_epochs) {
			v->has_min_epochs = true;
			v->min_source = a->rec.source;
			v->min_target = a->rec.target;
		}
		if (a->rec.source < v->min_source)
			v->min_source = a->rec.source;
		if (a->rec.target < v->min_target)
			v->min_target = a->rec.target;
	}
	if (r == SLASH_STORE_OK)
		r = db->ops->put_validator(db->store, v);
	return r;
}

/* Checks, and with apply merges, the entries idx[0..n) of the file, which all name one
 * validator, inside the caller's transaction. *verdict: SS_OK, SS_ERR_REFUSED (why says
 * which record is slashable) or SS_ERR_NOMEM; the result is the store's. */
static slash_store_result import_validator(slash_db *db, const import_doc *doc, const size_t *idx, size_t n,
					   bool apply, ss_err *verdict, slash_reason *why)
{
	recs rc = { .nb = 0 };
	slash_validator v;
	bool found;
	/* a dry run creates nothing: an unknown validator has no history */
	slash_store_result r = db->ops->get_validator(db->store, doc->entries[idx[0]].pubkey, apply, &v, &found);
	if (r == SLASH_STORE_OK && found)
		r = db->ops->each_block(db->store, v.id, stored_block, &rc);
	if (r == SLASH_STORE_OK && found && !rc.nomem)
		r = db->ops->each_attestation(db->store, v.id, stored_att, &rc);
	for (size_t k = 0; r == SLASH_STORE_OK && !rc.nomem && k < n; k++) {
		const import_entry *e = &doc->entries[idx[k]];
		for (size_t j = 0; j < e->n_blocks && push_block(&rc, &e->blocks[j], false, idx[k], j); j++)
			;
		for (size_t j = 0; j < e->n_atts && push_att(&rc, &e->atts[j], false, idx[k], j); j++)
			;
	}
	if (r == SLASH_STORE_OK) {
		if (rc.nomem)
			*verdict = SS_ERR_NOMEM;
		if (*verdict == SS_OK)
			*verdict = slash_import_plan_blocks(rc.b, rc.nb, why);
		if (*verdict == SS_OK)
			*verdict = slash_import_plan_atts(rc.a, rc.na, why);
		if (*verdict == SS_OK && apply)
			r = write_plan(db, &v, &rc);
	}
	free(rc.b);
	free(rc.a);
	return r;
}

/* The genesis validators root of the file against the database's: pinned by the import
 * into an empty database (Web3Signer §3.3), refused when it differs (another network). */
static slash_store_result check_gvr(slash_db *db, const import_doc *doc, bool apply, ss_err *verdict,
				    slash_reason *why)
{
	if (!db->meta.has_gvr) {
		if (!apply)
			return SLASH_STORE_OK;
		slash_meta m = db->meta;
		m.has_gvr = true;
		memcpy(m.gvr, doc->gvr, SLASH_ROOT_BYTES);
		slash_store_result r = db->ops->put_meta(db->store, &m);
		if (r == SLASH_STORE_OK)
			db->meta = m;
		return r;
	}
	if (memcmp(db->meta.gvr, doc->gvr, SLASH_ROOT_BYTES) != 0) {
		char have[2 * SLASH_ROOT_BYTES + 3];
		hex_encode(have, db->meta.gvr, SLASH_ROOT_BYTES, true);
		slash_reasonf(why, "metadata.genesis_validators_root: differs from this database's %s "
				   "(another network)", have);
		*verdict = SS_ERR_REFUSED;
	}
	return SLASH_STORE_OK;
}

/* One short transaction: the root check, then one validator (when n > 0). A dry run
 * only reads and rolls back; an applied one commits, and the writer reloads that one
 * validator's cached maxima on its next check. */
static ss_err run_one(slash_db *db, const import_doc *doc, const size_t *idx, size_t n, bool apply,
		      slash_reason *why)
{
	ss_err verdict = SS_OK;
	pthread_mutex_lock(&db->conn_lock);
	slash_store_result r = slash_tx_begin(db); /* on failure it has rolled back */
	const bool began = r == SLASH_STORE_OK;
	if (r == SLASH_STORE_OK)
		r = check_gvr(db, doc, apply, &verdict, why);
	if (r == SLASH_STORE_OK && verdict == SS_OK && n > 0)
		r = import_validator(db, doc, idx, n, apply, &verdict, why);
	if (r == SLASH_STORE_OK && verdict == SS_OK && apply) {
		r = slash_tx_commit(db);
		if (r != SLASH_STORE_OK)
			slash_tx_rollback(db);
		else if (n > 0)
			slash_vcache_forget(db, doc->entries[idx[0]].pubkey);
	} else if (began && !apply) {
		db->ops->rollback(db->store); /* read only: no cached state to restore */
	} else if (began) {
		slash_tx_rollback(db); /* refused, or failed part way */
	}
	pthread_mutex_unlock(&db->conn_lock);
	slash_group_commit_yield(db);
	if (verdict != SS_OK)
		return verdict;
	if (r != SLASH_STORE_OK)
		slash_reasonf(why, "slashing database: the import could not be written");
	return slash_store_err(r);
}

/* The selected entries in pubkey order (then file order), so one validator's entries,
 * wherever they are in the file, form one run. */
typedef struct {
	const uint8_t *pubkey;
	size_t entry;
} key_ref;

static int cmp_key_ref(const void *pa, const void *pb)
{
	const key_ref *a = pa, *b = pb;
	int c = memcmp(a->pubkey, b->pubkey, SLASH_PUBKEY_BYTES);
	return c != 0 ? c : (a->entry > b->entry) - (a->entry < b->entry);
}

/* One validator's run of idx[], ordered by its first entry in the file: validators are
 * registered (and exported) in the order the file names them. */
typedef struct {
	size_t first_entry, start, n;
} key_run;

static int cmp_run(const void *pa, const void *pb)
{
	const key_run *a = pa, *b = pb;
	return (a->first_entry > b->first_entry) - (a->first_entry < b->first_entry);
}

/* Applies the parsed document per validator, in short transactions, so that an import
 * of any size never holds the store for longer than one validator's records take
 * (signing of other keys goes on in between, slash_group_commit_yield), and each validator's
 * import takes effect as a whole or not at all.
 *
 * A dry run over every validator comes first: a file that is slashable anywhere, or of
 * another network, is refused before anything is written. The applying pass checks
 * each validator again inside its transaction, against everything committed by then,
 * so a signature made while the import runs is never contradicted; if that (or the
 * database) fails a validator, the validators applied before it stay applied and the
 * error says so. */
static ss_err apply_doc(slash_db *db, const import_doc *doc, slash_reason *why)
{
	const size_t cap = doc->n ? doc->n : 1;
	key_ref *refs = calloc(cap, sizeof *refs);
	size_t *idx = calloc(cap, sizeof *idx);
	key_run *runs = calloc(cap, sizeof *runs);
	size_t n = 0, n_runs = 0, done = 0;
	ss_err err = refs != NULL && idx != NULL && runs != NULL ? SS_OK : SS_ERR_NOMEM;
	for (size_t i = 0; err == SS_OK && i < doc->n; i++)
		if (doc->entries[i].selected)
			refs[n++] = (key_ref){ doc->entries[i].pubkey, i };
	if (err == SS_OK) {
		qsort(refs, n, sizeof *refs, cmp_key_ref);
		for (size_t i = 0; i < n; i++) {
			idx[i] = refs[i].entry;
			if (i == 0 || memcmp(refs[i].pubkey, refs[i - 1].pubkey, SLASH_PUBKEY_BYTES) != 0)
				runs[n_runs++] = (key_run){ .first_entry = refs[i].entry, .start = i };
			runs[n_runs - 1].n++;
		}
		qsort(runs, n_runs, sizeof *runs, cmp_run);
	}
	for (int apply = 0; err == SS_OK && apply < 2; apply++) {
		if (n_runs == 0)
			err = run_one(db, doc, idx, 0, apply, why);
		for (size_t k = 0; err == SS_OK && k < n_runs; k++) {
			err = run_one(db, doc, idx + runs[k].start, runs[k].n, apply, why);
			done += err == SS_OK && apply;
		}
	}
	if (err != SS_OK && done > 0) {
		size_t len = strlen(why->message);
		snprintf(why->message + len, sizeof why->message - len,
			 " (the import stopped there: %zu of %zu validators were imported before it)", done,
			 n_runs);
	} else if (err != SS_OK && err != SS_ERR_NOMEM && err != SS_ERR_REFUSED && err != SS_ERR_INVALID) {
		size_t len = strlen(why->message);
		snprintf(why->message + len, sizeof why->message - len, "; nothing changed");
	}
	free(refs);
	free(idx);
	free(runs);
	return err;
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
