/* The interchange import (src/slashing/import_check.c, an O(n log n) sort and sweep)
 * against a quadratic reference: every pair of records, stored or imported, compared
 * with the definition of slashable (consensus-specs is_slashable_attestation_data;
 * EIP-3076 conditions 1 and 3). Random imports, dense enough that most hold double
 * votes, surrounds and records without root, for two validators named by one or by
 * several entries of a file: the store must accept exactly the imports the reference
 * accepts, and hold exactly the reference's merged history afterwards (read back by
 * export). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slash_test_util.h"
#include "test.h"
#include "util/hex.h"

#define N_KEYS 2
#define ROUNDS 240
#define MAX_FILE 48
#define MAX_HIST 8192
#define NO_ROOT 9u /* a record without signing root */

typedef struct {
	bool is_block;
	uint64_t slot, source, target;
	unsigned root; /* 0..2, or NO_ROOT */
} rec;

typedef struct {
	rec r[MAX_HIST];
	size_t n;
} history;

static history hist[N_KEYS];
static const uint8_t gvr[32] = { 0x5a };

/* Whether two records may not both be in a validator's history. A record without root
 * stands for "some message": it conflicts with a different known root at the same
 * slot or target only through the other records, as merging keeps "unknown". */
static bool conflict(const rec *a, const rec *b)
{
	if (a->is_block != b->is_block)
		return false;
	if (a->is_block)
		return a->slot == b->slot && a->root != NO_ROOT && b->root != NO_ROOT && a->root != b->root;
	if (a->target == b->target)
		return a->source != b->source || (a->root != NO_ROOT && b->root != NO_ROOT && a->root != b->root);
	return (a->source < b->source && b->target < a->target) || (b->source < a->source && a->target < b->target);
}

static rec *find_key(history *h, const rec *r)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->r[i].is_block == r->is_block &&
		    (r->is_block ? h->r[i].slot == r->slot : h->r[i].target == r->target))
			return &h->r[i];
	return NULL;
}

/* The reference: all pairs; on success, merges into h (one record per slot or target,
 * "unknown" when any of them has no root). */
static bool ref_import(history *h, const rec *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!f[i].is_block && f[i].source > f[i].target)
			return false;
		for (size_t j = 0; j < i; j++)
			if (conflict(&f[i], &f[j]))
				return false;
		for (size_t j = 0; j < h->n; j++)
			if (conflict(&f[i], &h->r[j]))
				return false;
	}
	for (size_t i = 0; i < n; i++) {
		rec *old = find_key(h, &f[i]);
		if (old == NULL)
			h->r[h->n++] = f[i];
		else if (f[i].root == NO_ROOT)
			old->root = NO_ROOT;
	}
	return true;
}

static size_t put_rec(char *out, size_t cap, const rec *r, bool first)
{
	char rh[67] = "";
	if (r->root != NO_ROOT) {
		uint8_t root[32];
		tdb_root(root, r->root);
		hex_encode(rh, root, 32, true);
	}
	const char *sep = first ? "" : ",", *k = rh[0] ? ",\"signing_root\":\"" : "", *q = rh[0] ? "\"" : "";
	if (r->is_block)
		return (size_t)snprintf(out, cap, "%s{\"slot\":\"%llu\"%s%s%s}", sep, (unsigned long long)r->slot, k,
					rh, q);
	return (size_t)snprintf(out, cap, "%s{\"source_epoch\":\"%llu\",\"target_epoch\":\"%llu\"%s%s%s}", sep,
				(unsigned long long)r->source, (unsigned long long)r->target, k, rh, q);
}

/* An interchange file: the records of key v split over `parts` entries of the file. */
static size_t build_doc(char *doc, size_t cap, const unsigned *key_of, const rec *f, size_t n, unsigned parts)
{
	char g[67];
	hex_encode(g, gvr, 32, true);
	size_t len = (size_t)snprintf(doc, cap,
				      "{\"metadata\":{\"interchange_format_version\":\"5\","
				      "\"genesis_validators_root\":\"%s\"},\"data\":[",
				      g);
	for (unsigned p = 0; p < parts; p++)
		for (unsigned v = 0; v < N_KEYS; v++) {
			uint8_t pk[48];
			char pkh[99];
			tdb_key(pk, v);
			hex_encode(pkh, pk, 48, true);
			len += (size_t)snprintf(doc + len, cap - len, "%s{\"pubkey\":\"%s\",\"signed_blocks\":[",
						p + v == 0 ? "" : ",", pkh);
			for (int pass = 0; pass < 2; pass++) {
				bool first = true;
				for (size_t i = 0; i < n; i++)
					if (key_of[i] == v && i % parts == p && f[i].is_block == (pass == 0)) {
						len += put_rec(doc + len, cap - len, &f[i], first);
						first = false;
					}
				len += (size_t)snprintf(doc + len, cap - len, "%s",
							pass == 0 ? "],\"signed_attestations\":[" : "]}");
			}
		}
	len += (size_t)snprintf(doc + len, cap - len, "]}");
	return len;
}

static int cmp_rec(const void *pa, const void *pb)
{
	const rec *a = pa, *b = pb;
	if (a->is_block != b->is_block)
		return a->is_block ? -1 : 1;
	uint64_t ka = a->is_block ? a->slot : a->target, kb = b->is_block ? b->slot : b->target;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	return (a->root > b->root) - (a->root < b->root);
}

static uint64_t u64_of(json_t *o, const char *k)
{
	return strtoull(json_string_value(json_object_get(o, k)), NULL, 10);
}

static unsigned root_of(json_t *o)
{
	const char *s = json_string_value(json_object_get(o, "signing_root"));
	if (s == NULL)
		return NO_ROOT;
	for (unsigned r = 0; r < 3; r++) {
		uint8_t root[32];
		char h[67];
		tdb_root(root, r);
		hex_encode(h, root, 32, true);
		if (strcmp(h, s) == 0)
			return r;
	}
	return 100; /* a root the test never wrote */
}

/* Whether the store's export of key v holds exactly the reference history. */
static bool store_matches(slash_db *db, unsigned v, size_t *n_out)
{
	static rec got[MAX_HIST], want[MAX_HIST];
	uint8_t pk[1][48];
	tdb_key(pk[0], v);
	char *out = NULL;
	if (slash_export_interchange(db, (const uint8_t(*)[48])pk, 1, &out) != SS_OK)
		return hist[v].n == 0;
	json_t *j = json_loads(out, 0, NULL);
	free(out);
	json_t *e = json_array_get(json_object_get(j, "data"), 0);
	size_t n = 0, i;
	json_t *x;
	json_array_foreach(json_object_get(e, "signed_blocks"), i, x)
		if (n < MAX_HIST)
			got[n++] = (rec){ .is_block = true, .slot = u64_of(x, "slot"), .root = root_of(x) };
	json_array_foreach(json_object_get(e, "signed_attestations"), i, x)
		if (n < MAX_HIST)
			got[n++] = (rec){ .source = u64_of(x, "source_epoch"), .target = u64_of(x, "target_epoch"),
					  .root = root_of(x) };
	json_decref(j);
	memcpy(want, hist[v].r, hist[v].n * sizeof *want);
	qsort(got, n, sizeof *got, cmp_rec);
	qsort(want, hist[v].n, sizeof *want, cmp_rec);
	*n_out = n;
	if (n != hist[v].n)
		return false;
	/* field by field: rec has padding, which memcmp would compare (its bytes are
	 * unspecified, and differed in the clang sanitizer build) */
	for (size_t k = 0; k < n; k++)
		if (cmp_rec(&got[k], &want[k]) != 0)
			return false;
	return true;
}

/* A random record near base: a clean, advancing attestation (source and target grow
 * together, so no surround) most of the time, else anything in a small window. */
static rec random_rec(uint64_t *seed, uint64_t base, uint64_t *next)
{
	uint64_t x = tdb_rand(seed) % 16;
	unsigned root = tdb_rand(seed) % 8 == 0 ? NO_ROOT : (unsigned)(tdb_rand(seed) % 3);
	if (x < 3)
		return (rec){ .is_block = true, .slot = base + tdb_rand(seed) % 40, .root = x == 0 ? 0 : root };
	if (x < 9) {
		*next += 1 + tdb_rand(seed) % 2;
		return (rec){ .source = *next - 1, .target = *next, .root = x < 7 ? 0 : root };
	}
	uint64_t s = base + tdb_rand(seed) % 30;
	return (rec){ .source = s, .target = s + tdb_rand(seed) % 12 - (tdb_rand(seed) % 40 == 0), .root = root };
}

TEST(import_matches_quadratic_reference)
{
	char dir[256];
	if (!tdb_mkdir(dir))
		return;
	slash_db *db = tdb_open(dir);
	static char doc[1 << 16];
	uint64_t seed = 0xfeedfacecafef00dULL;
	size_t accepted = 0, disagreements = 0, records = 0;
	memset(hist, 0, sizeof hist);
	for (int round = 0; db != NULL && round < ROUNDS; round++) {
		rec f[MAX_FILE];
		unsigned key_of[MAX_FILE];
		/* small files are mostly accepted, large ones mostly refused */
		size_t n = 1 + tdb_rand(&seed) % (tdb_rand(&seed) % 2 ? 4 : MAX_FILE);
		uint64_t base = (uint64_t)round * 6, next[N_KEYS] = { base + 1, base + 3 };
		for (size_t i = 0; i < n; i++) {
			key_of[i] = (unsigned)(tdb_rand(&seed) % N_KEYS);
			f[i] = random_rec(&seed, base, &next[key_of[i]]);
			if (i > 0 && tdb_rand(&seed) % 6 == 0) { /* a repeat, maybe without its root */
				f[i] = f[tdb_rand(&seed) % i];
				key_of[i] = key_of[i - 1];
				if (tdb_rand(&seed) % 2)
					f[i].root = NO_ROOT;
			}
		}
		/* the reference decides per validator, the store per file: all or nothing
		 * only per validator, so each file names validators that agree (rounds where
		 * they would not are split into one file per key) */
		bool split = tdb_rand(&seed) % 2;
		for (unsigned only = 0; only < (split ? N_KEYS : 1); only++) {
			rec g[MAX_FILE];
			unsigned gk[MAX_FILE];
			size_t m = 0;
			for (size_t i = 0; i < n; i++)
				if (!split || key_of[i] == only) {
					g[m] = f[i];
					gk[m++] = key_of[i];
				}
			history before[N_KEYS];
			bool want = true;
			memcpy(before, hist, sizeof before);
			for (unsigned v = 0; v < N_KEYS; v++) {
				rec mine[MAX_FILE];
				size_t k = 0;
				for (size_t i = 0; i < m; i++)
					if (gk[i] == v)
						mine[k++] = g[i];
				want = ref_import(&hist[v], mine, k) && want;
			}
			if (!want)
				memcpy(hist, before, sizeof hist);
			size_t len = build_doc(doc, sizeof doc, gk, g, m, 1 + (unsigned)(tdb_rand(&seed) % 3));
			slash_reason why = { "" };
			bool got = slash_import_interchange(db, doc, len, NULL, 0, &why) == SS_OK;
			accepted += got;
			records += m;
			if (got != want && disagreements++ < 5)
				CHECK_MSG(false, "round %d: reference %s, store %s (%s)", round,
					  want ? "accepts" : "refuses", got ? "accepts" : "refuses", why.message);
			for (unsigned v = 0; v < N_KEYS; v++) {
				size_t have = 0;
				if (!store_matches(db, v, &have) && disagreements++ < 5)
					CHECK_MSG(false, "round %d: key %u holds %zu records, the reference %zu",
						  round, v, have, hist[v].n);
			}
		}
	}
	printf("import model: %zu of the imports accepted, %zu records, history %zu + %zu\n", accepted,
	       records, hist[0].n, hist[1].n);
	CHECK_EQ_U64(disagreements, 0);
	/* both outcomes must be common, or the comparison proves little */
	CHECK_MSG(accepted > ROUNDS / 5 && accepted < ROUNDS * 5 / 4, "%zu imports accepted", accepted);
	slash_close(db);
	tdb_rmdir(dir);
}
