/* Randomised model test: long random sequences of blocks and attestations for several
 * validators, each decision compared with a plain reference model of the rules
 * (docs/slashing-protection.md), with interchange imports and restarts in between (the
 * model merges imports as EIP-3076 and our docs say); and, independently of any
 * model, a check that no two allowed messages of the whole run are slashable against
 * each other (EIP-3076 / consensus-specs is_slashable_attestation_data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slash_test_util.h"
#include "test.h"
#include "util/hex.h"

#define N_VALIDATORS 4
#define STEPS 6000
#define MAX_MSGS (2 * STEPS + 16)
#define NO_ROOT UINT64_MAX /* a record imported without signing root */

typedef struct {
	bool is_block;
	uint64_t slot, source, target, root;
} msg;

typedef struct {
	msg m[MAX_MSGS]; /* the model's history of one validator (allowed, distinct) */
	size_t n;
} model_validator;

static msg *model_find(model_validator *v, bool is_block, uint64_t key)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->m[i].is_block == is_block && (is_block ? v->m[i].slot : v->m[i].target) == key)
			return &v->m[i];
	return NULL;
}

static const uint8_t model_gvr[32] = { 7 };

/* Import, all or nothing: refuse anything slashable against the history (or anywhere
 * in the same import); merge identical records; a missing root wins over a known one.
 * Two known, different roots at one slot or target conflict even when a record without
 * root lies between them in the file (docs/slashing-protection.md: the answer does not
 * depend on the order of the records). */
static model_validator scratch;

static bool model_import(model_validator *v, const msg *recs, size_t n)
{
	scratch = *v;
	for (size_t i = 0; i < n; i++) {
		const msg *r = &recs[i];
		if (r->root == NO_ROOT)
			continue;
		const msg *stored = model_find(v, r->is_block, r->is_block ? r->slot : r->target);
		if (stored != NULL && stored->root != NO_ROOT && stored->root != r->root &&
		    (r->is_block || stored->source == r->source))
			return false;
		for (size_t j = 0; j < i; j++)
			if (recs[j].is_block == r->is_block && recs[j].root != NO_ROOT && recs[j].root != r->root &&
			    (r->is_block ? recs[j].slot == r->slot
					 : recs[j].target == r->target && recs[j].source == r->source))
				return false;
	}
	for (size_t i = 0; i < n; i++) {
		const msg *r = &recs[i];
		msg *old = model_find(&scratch, r->is_block, r->is_block ? r->slot : r->target);
		if (!r->is_block && r->source > r->target)
			return false;
		if (old != NULL) {
			if (!r->is_block && old->source != r->source)
				return false;
			if (old->root != NO_ROOT && r->root != NO_ROOT && old->root != r->root)
				return false;
			if (r->root == NO_ROOT)
				old->root = NO_ROOT;
			continue;
		}
		if (!r->is_block)
			for (size_t j = 0; j < scratch.n; j++) {
				const msg *o = &scratch.m[j];
				if (!o->is_block && ((o->source < r->source && o->target > r->target) ||
						     (o->source > r->source && o->target < r->target)))
					return false;
			}
		scratch.m[scratch.n++] = *r;
	}
	*v = scratch;
	return true;
}

/* The same import as an EIP-3076 document; true when our store accepted it. */
static bool db_import(slash_db *db, unsigned v, const msg *recs, size_t n)
{
	static char doc[16384];
	uint8_t pk[48], root[32];
	char hex[99], gvr_hex[67];
	tdb_key(pk, v);
	hex_encode(hex, pk, 48, true);
	hex_encode(gvr_hex, model_gvr, 32, true);
	size_t len = (size_t)snprintf(doc, sizeof doc,
				      "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":"
				      "\"%s\"},\"data\":[{\"pubkey\":\"%s\",\"signed_blocks\":[",
				      gvr_hex, hex);
	for (int pass = 0; pass < 2; pass++) {
		bool first = true;
		for (size_t i = 0; i < n; i++) {
			const msg *r = &recs[i];
			if (r->is_block != (pass == 0))
				continue;
			char rh[67] = "";
			if (r->root != NO_ROOT) {
				tdb_root(root, r->root);
				hex_encode(rh, root, 32, true);
			}
			if (r->is_block)
				len += (size_t)snprintf(doc + len, sizeof doc - len, "%s{\"slot\":\"%llu\"%s%s%s}",
							first ? "" : ",", (unsigned long long)r->slot,
							rh[0] ? ",\"signing_root\":\"" : "", rh, rh[0] ? "\"" : "");
			else
				len += (size_t)snprintf(doc + len, sizeof doc - len,
							"%s{\"source_epoch\":\"%llu\",\"target_epoch\":\"%llu\"%s%s%s}",
							first ? "" : ",", (unsigned long long)r->source,
							(unsigned long long)r->target, rh[0] ? ",\"signing_root\":\"" : "", rh,
							rh[0] ? "\"" : "");
			first = false;
		}
		len += (size_t)snprintf(doc + len, sizeof doc - len, pass == 0 ? "],\"signed_attestations\":[" : "]}]}");
	}
	slash_reason why;
	return slash_import_interchange(db, doc, len, NULL, 0, &why) == SS_OK;
}

static bool model_block(model_validator *v, uint64_t slot, uint64_t root)
{
	bool any = false;
	uint64_t min = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (!v->m[i].is_block)
			continue;
		if (v->m[i].slot == slot)
			return v->m[i].root == root; /* identical re-sign, or double proposal */
		if (!any || v->m[i].slot < min)
			min = v->m[i].slot;
		any = true;
	}
	if (any && slot < min)
		return false;
	v->m[v->n++] = (msg){ .is_block = true, .slot = slot, .root = root };
	return true;
}

static bool model_att(model_validator *v, uint64_t s, uint64_t t, uint64_t root)
{
	if (s > t)
		return false;
	bool any = false;
	uint64_t min_s = 0, min_t = 0;
	for (size_t i = 0; i < v->n; i++) {
		const msg *o = &v->m[i];
		if (o->is_block)
			continue;
		if (o->target == t)
			return o->source == s && o->root == root;
		if (!any || o->source < min_s)
			min_s = o->source;
		if (!any || o->target < min_t)
			min_t = o->target;
		any = true;
	}
	if (any && (s < min_s || t < min_t))
		return false;
	for (size_t i = 0; i < v->n; i++) {
		const msg *o = &v->m[i];
		if (!o->is_block && ((o->source < s && o->target > t) || (o->source > s && o->target < t)))
			return false;
	}
	v->m[v->n++] = (msg){ .source = s, .target = t, .root = root };
	return true;
}

/* consensus-specs: double vote or surround vote; blocks: same slot, other root. */
static bool slashable(const msg *a, const msg *b)
{
	if (a->is_block != b->is_block)
		return false;
	if (a->is_block)
		return a->slot == b->slot && a->root != b->root;
	bool same = a->source == b->source && a->target == b->target && a->root == b->root;
	if (same)
		return false;
	return a->target == b->target || (a->source < b->source && b->target < a->target) ||
	       (b->source < a->source && a->target < b->target);
}

static model_validator model[N_VALIDATORS];
static msg allowed[N_VALIDATORS][MAX_MSGS];
static size_t n_allowed[N_VALIDATORS];

TEST(model_random_sequences)
{
	char dir[256];
	if (!tdb_mkdir(dir))
		return;
	slash_db *db = tdb_open(dir);
	const uint8_t *gvr = model_gvr;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	memset(model, 0, sizeof model);
	memset(n_allowed, 0, sizeof n_allowed);
	size_t disagreements = 0, n_allow = 0, n_imports_ok = 0;
	for (int step = 0; db != NULL && step < STEPS; step++) {
		unsigned v = (unsigned)(tdb_rand(&seed) % N_VALIDATORS);
		uint8_t pk[48], root[32];
		tdb_key(pk, v);
		/* a drifting window, so history grows and conflicts stay frequent */
		uint64_t base = (uint64_t)step / 60, r = tdb_rand(&seed) % 3;
		tdb_root(root, r);
		msg m = { .root = r };
		bool want, got;
		if (tdb_rand(&seed) % 3 == 0) {
			m.is_block = true;
			m.slot = base + tdb_rand(&seed) % 12;
			want = model_block(&model[v], m.slot, r);
			got = slash_check_block(db, pk, gvr, m.slot, root, NULL) == SLASH_ALLOWED;
		} else {
			m.source = base + tdb_rand(&seed) % 8;
			m.target = m.source + tdb_rand(&seed) % 6 - (tdb_rand(&seed) % 16 == 0 ? 2 : 0);
			if (m.target > m.source + 10) /* wrapped below zero: keep source > target */
				m.target = 0;
			want = model_att(&model[v], m.source, m.target, r);
			got = slash_check_attestation(db, pk, gvr, m.source, m.target, root, NULL) == SLASH_ALLOWED;
		}
		if (want != got && disagreements++ < 10)
			CHECK_MSG(false, "step %d validator %u %s (%llu, %llu, %llu) root %llu: model %d, db %d", step, v,
				  m.is_block ? "block" : "attestation", (unsigned long long)m.slot,
				  (unsigned long long)m.source, (unsigned long long)m.target,
				  (unsigned long long)r, want, got);
		if (got) {
			allowed[v][n_allowed[v]++] = m;
			n_allow++;
		}
		if (step % 40 == 39) {
			/* an import of a few records near the current window, some without root */
			msg recs[4];
			size_t n = 1 + tdb_rand(&seed) % 3;
			unsigned iv = (unsigned)(tdb_rand(&seed) % N_VALIDATORS);
			uint64_t ahead = tdb_rand(&seed) % 2 ? 10 : 0; /* half ahead of the window */
			for (size_t i = 0; i < n; i++) {
				uint64_t rr = tdb_rand(&seed) % 4;
				recs[i] = (msg){ .is_block = tdb_rand(&seed) % 2 == 0, .root = rr == 3 ? NO_ROOT : rr };
				recs[i].slot = base + ahead + tdb_rand(&seed) % 14;
				recs[i].source = base + ahead + tdb_rand(&seed) % 8;
				recs[i].target = recs[i].source + tdb_rand(&seed) % 5;
			}
			bool mw = model_import(&model[iv], recs, n), mg = db_import(db, iv, recs, n);
			n_imports_ok += mg;
			if (mw != mg && disagreements++ < 10)
				CHECK_MSG(false, "step %d: import of %zu records for validator %u: model %d, db %d", step, n,
					  iv, mw, mg);
		}
		if (step % 1500 == 1499) { /* restart: decisions must not depend on memory */
			slash_close(db);
			db = tdb_open(dir);
		}
	}
	printf("model: %zu of %d messages allowed, %zu of %d imports accepted\n", n_allow, STEPS, n_imports_ok,
	       STEPS / 40);
	CHECK_EQ_U64(disagreements, 0);
	/* imports must both succeed and fail often enough to matter */
	CHECK_MSG(n_imports_ok > STEPS / 40 / 5 && n_imports_ok < STEPS / 40 * 9 / 10, "%zu of %d imports succeeded",
		  n_imports_ok, STEPS / 40);
	/* the sequence must exercise both outcomes heavily, or it proves little */
	CHECK_MSG(n_allow > STEPS / 10 && n_allow < STEPS * 9 / 10, "allowed %zu of %d", n_allow, STEPS);
	for (unsigned v = 0; v < N_VALIDATORS; v++)
		for (size_t i = 0; i < n_allowed[v]; i++)
			for (size_t j = i + 1; j < n_allowed[v]; j++)
				CHECK_MSG(!slashable(&allowed[v][i], &allowed[v][j]),
					  "validator %u: allowed messages %zu and %zu are slashable", v, i, j);
	slash_close(db);
	tdb_rmdir(dir);
}
