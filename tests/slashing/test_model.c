/* Randomised model test: long random sequences of blocks and attestations for several
 * validators, each decision compared with a plain reference model of the rules
 * (docs/slashing-protection.md), with restarts in between; and, independently of any
 * model, a check that no two allowed messages of the whole run are slashable against
 * each other (EIP-3076 / consensus-specs is_slashable_attestation_data). */
#include <stdlib.h>
#include <string.h>

#include "slash_test_util.h"
#include "test.h"

#define N_VALIDATORS 4
#define STEPS 6000
#define MAX_MSGS (STEPS + 16)

typedef struct {
	bool is_block;
	uint64_t slot, source, target, root;
} msg;

typedef struct {
	msg m[MAX_MSGS]; /* the model's history of one validator (allowed, distinct) */
	size_t n;
} model_validator;

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
	uint8_t gvr[32] = { 7 };
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	memset(model, 0, sizeof model);
	memset(n_allowed, 0, sizeof n_allowed);
	size_t disagreements = 0, n_allow = 0;
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
		if (step % 1500 == 1499) { /* restart: decisions must not depend on memory */
			slash_close(db);
			db = tdb_open(dir);
		}
	}
	CHECK_EQ_U64(disagreements, 0);
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
