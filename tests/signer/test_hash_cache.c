/* The hashed-message cache of the signing path (signer/hash_cache.h) and
 * keys_sign_many: a signature made through the cache is byte for byte bls_sign's, for
 * many keys on one root, for roots that fall into one set and evict each other, and for
 * threads racing on a cache small enough to churn; the LRU eviction order; the hit and
 * miss counters /metrics exports. The fixed-base tables kept with the entries: built at
 * the build_after-th signer only, signatures through them still bls_sign's, freed with
 * their entry once no signer uses them, never more than max_tables alive, and the same
 * under threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/bls.h"
#include "eth2/eth2.h"
#include "keys/keys.h"
#include "signer/hash_cache.h"
#include "signer/signer.h"
#include "slashing/slashing.h"
#include "test.h"
#include "util/hex.h"

#define NKEYS 24

static const char FORK[] = "\"fork_info\":{\"fork\":{\"previous_version\":\"0x04000000\","
			   "\"current_version\":\"0x05000000\",\"epoch\":\"364032\"},"
			   "\"genesis_validators_root\":\"0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673\"}";

typedef struct {
	char dir[64];
	keys_store *ks;
	slash_db *db;
	signer *s;
	bls_secret_key sk[NKEYS];
	uint8_t pk[NKEYS][48];
} fixture;

static bool setup(fixture *f, unsigned sets, unsigned ways)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/ss-hcache-XXXXXX");
	if (!mkdtemp(f->dir))
		return false;
	bls_init();
	char path[160], keydir[120], data[100];
	snprintf(keydir, sizeof keydir, "%s/keys", f->dir);
	snprintf(data, sizeof data, "%s/data", f->dir);
	if (mkdir(keydir, 0700) != 0 || mkdir(data, 0700) != 0)
		return false;
	for (int k = 0; k < NKEYS; k++) {
		uint8_t b[32];
		for (int i = 0; i < 32; i++)
			b[i] = (uint8_t)(0x13 + 5 * i);
		b[0] = 0x2b;
		b[31] = (uint8_t)k; /* distinct keys, all below r */
		if (bls_secret_key_from_bytes(&f->sk[k], b) != SS_OK)
			return false;
		bls_sk_to_pk(f->pk[k], &f->sk[k]);
		char skh[67];
		hex_encode(skh, b, 32, true);
		snprintf(path, sizeof path, "%s/k%d.yaml", keydir, k);
		FILE *y = fopen(path, "w");
		if (!y)
			return false;
		fprintf(y, "type: \"file-raw\"\nprivateKey: \"%s\"\n", skh);
		fclose(y);
	}
	keys_kek_provider kek;
	memset(&kek, 0, sizeof kek);
	keys_error err;
	memset(&err, 0, sizeof err);
	if (keys_kek_file(&kek, NULL) != SS_OK || keys_store_open(&f->ks, data, &kek, NULL, &err) != SS_OK)
		return false;
	keys_sources src = { .key_config_dir = keydir };
	if (keys_load_sources(f->ks, &src, NULL, &err) != SS_OK || keys_count(f->ks) != NKEYS)
		return false;
	snprintf(path, sizeof path, "%s/slashing.sqlite", data);
	if (slash_open_sqlite(&f->db, path, NULL) != SS_OK)
		return false;
	signer_config c = { .net = eth2_network_builtin("mainnet"), .keys = f->ks, .slashing = f->db,
			    .signing_threads = 2, .hash_cache_sets = sets, .hash_cache_ways = ways };
	return signer_new(&f->s, &c) == SS_OK;
}

static void teardown(fixture *f)
{
	signer_free(f->s);
	if (f->db)
		slash_close(f->db);
	if (f->ks)
		keys_store_close(f->ks);
	for (int k = 0; k < NKEYS; k++)
		bls_secret_key_wipe(&f->sk[k]);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	(void)rc;
}

static bool root_of(const char *body, uint8_t root[32])
{
	eth2_signing_request rq;
	eth2_error err;
	if (eth2_parse_signing_request(eth2_network_builtin("mainnet"), body, strlen(body), &rq,
				       &err) != SS_OK)
		return false;
	memcpy(root, rq.signing_root, 32);
	return true;
}

static void agg_slot(char *out, size_t cap, unsigned long slot)
{
	snprintf(out, cap, "{\"type\":\"AGGREGATION_SLOT\",%s,\"aggregation_slot\":{\"slot\":\"%lu\"}}",
		 FORK, slot);
}

static void attestation(char *out, size_t cap, unsigned long target, unsigned committee)
{
	snprintf(out, cap,
		 "{\"type\":\"ATTESTATION\",%s,\"attestation\":{\"slot\":\"%lu\",\"index\":\"%u\","
		 "\"beacon_block_root\":\"0x%064x\",\"source\":{\"epoch\":\"%lu\",\"root\":"
		 "\"0x%064x\"},\"target\":{\"epoch\":\"%lu\",\"root\":\"0x%064x\"}}}",
		 FORK, target * 32, committee, 0xabcu, target - 1, 0u, target, 0x77u);
}

static uint64_t hits(fixture *f) { return atomic_load(&signer_get_metrics(f->s)->hash_cache_hits); }
static uint64_t misses(fixture *f) { return atomic_load(&signer_get_metrics(f->s)->hash_cache_misses); }
static uint64_t fixed_base(fixture *f) { return atomic_load(&signer_get_metrics(f->s)->fixed_base); }

/* A committee's worth of keys sign one attestation root and one aggregation-slot root
 * through the service: one hash per root, every other signature a hit, and each
 * signature exactly bls_sign's. */
/* H(root) through the cache as a signer takes it (acquire, copy, release): true on a
 * hit. Counts as a signer of the root, so it may build the root's table. */
static bool hash_cache_get(hash_cache *c, const uint8_t root[HASH_CACHE_ROOT_BYTES],
			   bls_hashed_message *out)
{
	hash_cache_use u;
	hash_cache_acquire(c, root, &u);
	*out = u.h;
	hash_cache_release(c, &u);
	return u.hit;
}

/* One signature through keys_sign_many, as a signing thread makes it: from table when
 * set, else from h. */
static ss_err sign_one(keys_store *ks, const uint8_t *pubkey, const bls_fixed_base_table *table,
		       const bls_hashed_message *h, uint8_t sig[96])
{
	keys_sign_request rq = { .pubkey = pubkey, .table = table, .h = h, .sig = sig };
	keys_sign_many(ks, &rq, 1);
	return rq.err;
}

TEST(many_keys_one_message_equal_bls_sign)
{
	fixture f;
	CHECK(setup(&f, 0, 0));
	char att[1200], agg[600];
	attestation(att, sizeof att, 400000, 3);
	agg_slot(agg, sizeof agg, 400000 * 32 + 5);
	const char *bodies[2] = { att, agg };
	for (int b = 0; b < 2; b++) {
		uint8_t root[32];
		CHECK(root_of(bodies[b], root));
		for (int k = 0; k < NKEYS; k++) {
			uint8_t sig[96], want[96];
			signer_result r;
			CHECK(signer_sign(f.s, f.pk[k], bodies[b], strlen(bodies[b]), sig, &r) == SIGNER_OK);
			bls_sign(want, &f.sk[k], root, 32);
			CHECK_MEM(sig, want, 96);
		}
	}
	CHECK_EQ_U64(misses(&f), 2);
	CHECK_EQ_U64(hits(&f), 2 * (NKEYS - 1));
	/* per root: the first 7 signers use H(root), the 8th builds the table and signs
	 * with it, like every later one */
	CHECK_EQ_U64(fixed_base(&f), 2 * (NKEYS - HASH_CACHE_DEFAULT_BUILD_AFTER + 1));
	teardown(&f);
}

/* Roots that differ only in their last byte land in the same set (the index reads the
 * first 8 bytes), so only the full 32-byte comparison tells them apart. */
static void colliding_root(uint8_t root[32], unsigned i)
{
	for (int j = 0; j < 32; j++)
		root[j] = (uint8_t)(0xa5 ^ j);
	root[31] = (uint8_t)i;
}

TEST(colliding_roots_never_confused)
{
	fixture f;
	CHECK(setup(&f, 0, 0));
	hash_cache c;
	CHECK(hash_cache_init(&c, 0, 0) == SS_OK);
	uint8_t r0[32];
	colliding_root(r0, 0);
	size_t set = hash_cache_set_of(&c, r0);
	/* 12 roots in one 4-way set: the set keeps evicting, and every answer is still
	 * the hash of the root asked for. Two rounds: the second finds only the last four. */
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 12; i++) {
			uint8_t root[32], sig[96], want[96];
			colliding_root(root, i);
			CHECK(hash_cache_set_of(&c, root) == set);
			bls_hashed_message h;
			bool hit = hash_cache_get(&c, root, &h);
			CHECK_MSG(!hit, "round %d root %u: a hit in a set that only churns", round, i);
			unsigned k = (i * 5 + (unsigned)round) % NKEYS;
			CHECK(sign_one(f.ks, f.pk[k], NULL, &h, sig) == SS_OK);
			bls_sign(want, &f.sk[k], root, 32);
			CHECK_MEM(sig, want, 96);
		}
	}
	/* The four most recent are resident, and their hashes are still right. */
	for (unsigned i = 8; i < 12; i++) {
		uint8_t root[32], sig[96], want[96];
		colliding_root(root, i);
		bls_hashed_message h;
		CHECK_MSG(hash_cache_get(&c, root, &h), "root %u should be resident", i);
		CHECK(sign_one(f.ks, f.pk[i], NULL, &h, sig) == SS_OK);
		bls_sign(want, &f.sk[i], root, 32);
		CHECK_MEM(sig, want, 96);
	}
	uint8_t none[48] = { 0xc0 };
	bls_hashed_message h;
	uint8_t sig[96];
	CHECK(hash_cache_get(&c, r0, &h) == false);
	CHECK(sign_one(f.ks, none, NULL, &h, sig) == SS_ERR_NOT_FOUND);
	hash_cache_destroy(&c);
	teardown(&f);
}

/* Least recently used goes first, and a hit counts as a use. */
TEST(eviction_is_lru)
{
	hash_cache c;
	bls_init();
	CHECK(hash_cache_init(&c, 1, 2) == SS_OK);
	uint8_t a[32], b[32], d[32];
	colliding_root(a, 1);
	colliding_root(b, 2);
	colliding_root(d, 3);
	bls_hashed_message h;
	CHECK(!hash_cache_get(&c, a, &h)); /* a */
	CHECK(!hash_cache_get(&c, b, &h)); /* a b */
	CHECK(hash_cache_get(&c, a, &h));  /* a used after b */
	CHECK(!hash_cache_get(&c, d, &h)); /* evicts b: a d */
	CHECK(hash_cache_get(&c, a, &h));
	CHECK(hash_cache_get(&c, d, &h));  /* d used after a */
	CHECK(!hash_cache_get(&c, b, &h)); /* evicts a: d b */
	CHECK(hash_cache_get(&c, d, &h));
	CHECK(hash_cache_get(&c, b, &h));
	CHECK(!hash_cache_get(&c, a, &h));
	hash_cache_destroy(&c);
}

/* Threads race on a cache of 2 sets x 2 ways over 9 roots, so lookups, inserts and
 * evictions interleave all the time; every signature must still be bls_sign's. */
#define RACE_ROOTS 9
#define RACE_KEYS 4
#define RACE_THREADS 4
#define RACE_ITERS 40

typedef struct {
	fixture *f;
	hash_cache *c;
	uint8_t (*roots)[32];
	uint8_t (*want)[RACE_ROOTS][96];
	int t;
	_Atomic int *bad;
	_Atomic unsigned *hit_count;
} race_arg;

static void *race(void *p)
{
	race_arg *a = p;
	for (int i = 0; i < RACE_ITERS; i++) {
		unsigned r = (unsigned)(i * 7 + a->t * 3) % RACE_ROOTS;
		unsigned k = (unsigned)(i + a->t) % RACE_KEYS;
		bls_hashed_message h;
		if (hash_cache_get(a->c, a->roots[r], &h))
			atomic_fetch_add(a->hit_count, 1);
		uint8_t sig[96];
		if (sign_one(a->f->ks, a->f->pk[k], NULL, &h, sig) != SS_OK ||
		    memcmp(sig, a->want[k][r], 96) != 0)
			atomic_fetch_add(a->bad, 1);
	}
	return NULL;
}

TEST(concurrent_threads_equal_bls_sign)
{
	fixture f;
	CHECK(setup(&f, 0, 0));
	hash_cache c;
	CHECK(hash_cache_init(&c, 2, 2) == SS_OK);
	uint8_t roots[RACE_ROOTS][32];
	uint8_t want[RACE_KEYS][RACE_ROOTS][96];
	for (int r = 0; r < RACE_ROOTS; r++) {
		for (int j = 0; j < 32; j++)
			roots[r][j] = (uint8_t)(r * 31 + j * 7 + 1);
		for (int k = 0; k < RACE_KEYS; k++)
			bls_sign(want[k][r], &f.sk[k], roots[r], 32);
	}
	_Atomic int bad = 0;
	_Atomic unsigned hit_count = 0;
	pthread_t th[RACE_THREADS];
	race_arg args[RACE_THREADS];
	for (int t = 0; t < RACE_THREADS; t++) {
		args[t] = (race_arg){ &f, &c, roots, want, t, &bad, &hit_count };
		CHECK(pthread_create(&th[t], NULL, race, &args[t]) == 0);
	}
	for (int t = 0; t < RACE_THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ_U64(atomic_load(&bad), 0);
	/* 4 entries for 9 roots: some lookups hit, most cannot. */
	CHECK(atomic_load(&hit_count) < RACE_THREADS * RACE_ITERS);
	hash_cache_destroy(&c);
	teardown(&f);
}

/* The same through the service's synchronous entry point, from several threads, with a
 * tiny cache: aggregation-slot requests of many keys over a few slots. */
typedef struct {
	fixture *f;
	int t;
	_Atomic int *bad;
} svc_arg;

static void *svc_race(void *p)
{
	svc_arg *a = p;
	for (int i = 0; i < 12; i++) {
		unsigned long slot = 12800000ul + (unsigned long)((i + a->t) % 5);
		int k = (i * 3 + a->t) % NKEYS;
		char body[600];
		agg_slot(body, sizeof body, slot);
		uint8_t root[32], sig[96], want[96];
		signer_result r;
		if (!root_of(body, root) ||
		    signer_sign(a->f->s, a->f->pk[k], body, strlen(body), sig, &r) != SIGNER_OK) {
			atomic_fetch_add(a->bad, 1);
			continue;
		}
		bls_sign(want, &a->f->sk[k], root, 32);
		if (memcmp(sig, want, 96) != 0)
			atomic_fetch_add(a->bad, 1);
	}
	return NULL;
}

TEST(service_threads_small_cache_equal_bls_sign)
{
	fixture f;
	CHECK(setup(&f, 1, 2));
	_Atomic int bad = 0;
	pthread_t th[3];
	svc_arg args[3];
	for (int t = 0; t < 3; t++) {
		args[t] = (svc_arg){ &f, t, &bad };
		CHECK(pthread_create(&th[t], NULL, svc_race, &args[t]) == 0);
	}
	for (int t = 0; t < 3; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ_U64(atomic_load(&bad), 0);
	CHECK_EQ_U64(hits(&f) + misses(&f), 36);
	teardown(&f);
}

/* Signs root with key k the way sign_batch does: with the table when the use has one. */
static bool sign_use(fixture *f, const hash_cache_use *u, int k, uint8_t sig[96])
{
	return sign_one(f->ks, f->pk[k], u->table ? u->table->t : NULL, &u->h, sig) == SS_OK;
}

/* A root signed by fewer than build_after keys never gets a table; the build_after-th
 * signer gets one, and so does every later signer; every signature is bls_sign's. With
 * max_tables = 0 no table is ever built. */
TEST(fixed_base_table_built_at_threshold_only)
{
	fixture f;
	CHECK(setup(&f, 0, 0));
	hash_cache c;
	CHECK(hash_cache_init(&c, 0, 0) == SS_OK);
	hash_cache_set_tables(&c, 3, 4);
	uint8_t lone[32], shared[32];
	colliding_root(lone, 1);
	colliding_root(shared, 2);
	for (int k = 0; k < 2; k++) { /* two signers of the lone root */
		hash_cache_use u;
		uint8_t sig[96], want[96];
		hash_cache_acquire(&c, lone, &u);
		CHECK(u.table == NULL);
		CHECK(sign_use(&f, &u, k, sig));
		bls_sign(want, &f.sk[k], lone, 32);
		CHECK_MEM(sig, want, 96);
		hash_cache_release(&c, &u);
	}
	CHECK_EQ_U64(atomic_load(&c.tables_built), 0);
	for (int k = 0; k < NKEYS; k++) {
		hash_cache_use u;
		uint8_t sig[96], want[96];
		hash_cache_acquire(&c, shared, &u);
		CHECK_MSG((u.table != NULL) == (k >= 2), "signer %d: table %p", k, (void *)u.table);
		CHECK(sign_use(&f, &u, k, sig));
		bls_sign(want, &f.sk[k], shared, 32);
		CHECK_MEM(sig, want, 96);
		hash_cache_release(&c, &u);
	}
	CHECK_EQ_U64(atomic_load(&c.tables_built), 1);
	CHECK_EQ_U64(atomic_load(&c.n_tables), 1);
	hash_cache_destroy(&c);

	CHECK(hash_cache_init(&c, 0, 0) == SS_OK);
	hash_cache_set_tables(&c, 1, 0);
	for (int k = 0; k < 4; k++) {
		hash_cache_use u;
		hash_cache_acquire(&c, shared, &u);
		CHECK(u.table == NULL);
		hash_cache_release(&c, &u);
	}
	CHECK_EQ_U64(atomic_load(&c.tables_built), 0);
	hash_cache_destroy(&c);
	teardown(&f);
}

/* A table is evicted with its entry but stays valid for a signer still using it, and is
 * freed (its budget returned) when that signer releases it; while max_tables are alive,
 * other roots sign without one (and a root that qualifies makes the least recently used
 * entry give its table up: fixed_base_lru_table_given_up_for_new_root). */
TEST(fixed_base_table_evicted_with_entry)
{
	fixture f;
	CHECK(setup(&f, 0, 0));
	hash_cache c;
	CHECK(hash_cache_init(&c, 1, 2) == SS_OK);
	hash_cache_set_tables(&c, 1, 1);
	uint8_t a[32], b[32], d[32], sig[96], want[96];
	colliding_root(a, 1);
	colliding_root(b, 2);
	colliding_root(d, 3);
	hash_cache_use ua, ub, ud;
	hash_cache_acquire(&c, a, &ua); /* a, with a table (build_after 1) */
	CHECK(ua.table != NULL);
	hash_cache_acquire(&c, b, &ub); /* a b: the budget of 1 is spent, b signs without;
					 * a gives its table up, which ua keeps alive */
	CHECK(ub.table == NULL);
	CHECK_EQ_U64(atomic_load(&c.n_tables), 1);
	hash_cache_release(&c, &ub);
	hash_cache_acquire(&c, b, &ub); /* b used after a */
	hash_cache_release(&c, &ub);
	hash_cache_acquire(&c, d, &ud); /* evicts a (least recently used): b d */
	CHECK(ud.table == NULL);        /* a's table is still alive: ua holds it */
	CHECK_EQ_U64(atomic_load(&c.n_tables), 1);
	CHECK(sign_use(&f, &ua, 5, sig)); /* the evicted entry's table still signs right */
	bls_sign(want, &f.sk[5], a, 32);
	CHECK_MEM(sig, want, 96);
	hash_cache_release(&c, &ud);
	hash_cache_release(&c, &ua); /* the last reference: freed */
	CHECK_EQ_U64(atomic_load(&c.n_tables), 0);
	hash_cache_acquire(&c, d, &ud); /* the budget is back: d gets its table */
	CHECK(ud.table != NULL);
	CHECK(sign_use(&f, &ud, 6, sig));
	bls_sign(want, &f.sk[6], d, 32);
	CHECK_MEM(sig, want, 96);
	hash_cache_release(&c, &ud);
	hash_cache_acquire(&c, a, &ua); /* a again: a new entry, evicts b, needs budget */
	CHECK(ua.table == NULL);        /* d's table holds the only unit */
	hash_cache_release(&c, &ua);
	CHECK_EQ_U64(atomic_load(&c.tables_built), 2);
	hash_cache_destroy(&c);
	teardown(&f);
}

/* The budget does not stay with the first roots that had tables: when it is all held by
 * entries and another root reaches build_after signers, the entry used least recently
 * gives its table up (freed once unused) if it has not been used since the new root
 * came, and the new root's next signer builds one. A signer holding the given-up table
 * still signs correctly with it. */
TEST(fixed_base_lru_table_given_up_for_new_root)
{
	fixture f;
	CHECK(setup(&f, 0, 0));
	hash_cache c;
	CHECK(hash_cache_init(&c, 0, 0) == SS_OK);
	hash_cache_set_tables(&c, 2, 2);
	uint8_t r[4][32], sig[96], want[96];
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 32; j++)
			r[i][j] = (uint8_t)(i * 53 + j * 7 + 1);
	hash_cache_use u, held;
	for (int i = 0; i < 2; i++) /* r0 then r1: two signers each, a table each */
		for (int k = 0; k < 2; k++) {
			hash_cache_acquire(&c, r[i], &u);
			CHECK((u.table != NULL) == (k == 1));
			hash_cache_release(&c, &u);
		}
	CHECK_EQ_U64(atomic_load(&c.tables_built), 2);
	hash_cache_acquire(&c, r[1], &u); /* r1 used last: r0 is the least recent */
	hash_cache_release(&c, &u);
	hash_cache_acquire(&c, r[0], &held); /* a signer still using r0's table */
	CHECK(held.table != NULL);
	hash_cache_acquire(&c, r[1], &u); /* r1 used last again */
	hash_cache_release(&c, &u);
	hash_cache_acquire(&c, r[2], &u); /* r2's first signer */
	CHECK(u.table == NULL);
	hash_cache_release(&c, &u);
	hash_cache_acquire(&c, r[2], &u); /* qualifies: r0 gives its table up */
	CHECK(u.table == NULL);
	hash_cache_release(&c, &u);
	CHECK_EQ_U64(atomic_load(&c.n_tables), 2); /* r0's lives on in held */
	hash_cache_acquire(&c, r[2], &u); /* the budget is still spent: no build yet */
	CHECK(u.table == NULL);
	hash_cache_release(&c, &u);
	CHECK(sign_use(&f, &held, 3, sig)); /* the given-up table still signs right */
	bls_sign(want, &f.sk[3], r[0], 32);
	CHECK_MEM(sig, want, 96);
	hash_cache_release(&c, &held); /* r0's table freed */
	CHECK_EQ_U64(atomic_load(&c.n_tables), 1);
	for (int k = 4; k < 8; k++) { /* r2's next signers sign with its new table */
		hash_cache_acquire(&c, r[2], &u);
		CHECK(u.table != NULL);
		CHECK(sign_use(&f, &u, k, sig));
		bls_sign(want, &f.sk[k], r[2], 32);
		CHECK_MEM(sig, want, 96);
		hash_cache_release(&c, &u);
	}
	CHECK_EQ_U64(atomic_load(&c.tables_built), 3);
	hash_cache_acquire(&c, r[1], &u); /* r1 kept its table */
	CHECK(u.table != NULL);
	hash_cache_release(&c, &u);
	hash_cache_acquire(&c, r[0], &u); /* r0 has none now, and still signs right */
	CHECK(u.table == NULL);
	CHECK(sign_use(&f, &u, 9, sig));
	bls_sign(want, &f.sk[9], r[0], 32);
	CHECK_MEM(sig, want, 96);
	hash_cache_release(&c, &u);
	CHECK(atomic_load(&c.n_tables) <= 2);
	hash_cache_destroy(&c);

	/* Roots signed at the same time do not take tables from each other: r0's table is
	 * used after r3 first came, so r3 reaching build_after gets none (a budget of 1). */
	CHECK(hash_cache_init(&c, 0, 0) == SS_OK);
	hash_cache_set_tables(&c, 2, 1);
	for (int k = 0; k < 2; k++) {
		hash_cache_acquire(&c, r[0], &u);
		hash_cache_release(&c, &u);
	}
	CHECK_EQ_U64(atomic_load(&c.tables_built), 1);
	hash_cache_acquire(&c, r[3], &u); /* r3 comes */
	hash_cache_release(&c, &u);
	hash_cache_acquire(&c, r[0], &u); /* r0 still in use */
	CHECK(u.table != NULL);
	hash_cache_release(&c, &u);
	for (int k = 0; k < 4; k++) {
		hash_cache_acquire(&c, r[3], &u);
		CHECK(u.table == NULL);
		hash_cache_release(&c, &u);
	}
	hash_cache_acquire(&c, r[0], &u); /* r0 kept its table */
	CHECK(u.table != NULL);
	hash_cache_release(&c, &u);
	CHECK_EQ_U64(atomic_load(&c.tables_built), 1);
	hash_cache_destroy(&c);
	teardown(&f);
}

/* Threads race on a churning cache with tables built at the 2nd signer and a budget of
 * 2: builds, uses, evictions and frees interleave; every signature is bls_sign's and
 * the number of live tables never exceeds the budget. */
typedef struct {
	fixture *f;
	hash_cache *c;
	uint8_t (*roots)[32];
	uint8_t (*want)[RACE_ROOTS][96];
	int t;
	_Atomic int *bad, *over;
	_Atomic unsigned *with_table;
} table_race_arg;

static void *table_race(void *p)
{
	table_race_arg *a = p;
	for (int i = 0; i < RACE_ITERS; i++) {
		unsigned r = (unsigned)(i / 3 + a->t) % RACE_ROOTS; /* runs of one root */
		unsigned k = (unsigned)(i + a->t) % RACE_KEYS;
		hash_cache_use u;
		hash_cache_acquire(a->c, a->roots[r], &u);
		if (atomic_load(&a->c->n_tables) > a->c->max_tables)
			atomic_fetch_add(a->over, 1);
		if (u.table)
			atomic_fetch_add(a->with_table, 1);
		uint8_t sig[96];
		if (!sign_use(a->f, &u, (int)k, sig) || memcmp(sig, a->want[k][r], 96) != 0)
			atomic_fetch_add(a->bad, 1);
		hash_cache_release(a->c, &u);
	}
	return NULL;
}

TEST(fixed_base_concurrent_threads_equal_bls_sign)
{
	fixture f;
	CHECK(setup(&f, 0, 0));
	hash_cache c;
	CHECK(hash_cache_init(&c, 2, 2) == SS_OK);
	hash_cache_set_tables(&c, 2, 2);
	uint8_t roots[RACE_ROOTS][32];
	uint8_t want[RACE_KEYS][RACE_ROOTS][96];
	for (int r = 0; r < RACE_ROOTS; r++) {
		for (int j = 0; j < 32; j++)
			roots[r][j] = (uint8_t)(r * 29 + j * 11 + 3);
		for (int k = 0; k < RACE_KEYS; k++)
			bls_sign(want[k][r], &f.sk[k], roots[r], 32);
	}
	_Atomic int bad = 0, over = 0;
	_Atomic unsigned with_table = 0;
	pthread_t th[RACE_THREADS];
	table_race_arg args[RACE_THREADS];
	for (int t = 0; t < RACE_THREADS; t++) {
		args[t] = (table_race_arg){ &f, &c, roots, want, t, &bad, &over, &with_table };
		CHECK(pthread_create(&th[t], NULL, table_race, &args[t]) == 0);
	}
	for (int t = 0; t < RACE_THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ_U64(atomic_load(&bad), 0);
	CHECK_EQ_U64(atomic_load(&over), 0);
	CHECK(atomic_load(&with_table) > 0); /* the table path did run */
	CHECK(atomic_load(&c.tables_built) > 0);
	CHECK(atomic_load(&c.n_tables) <= 2);
	hash_cache_destroy(&c);
	teardown(&f);
}

/* keys_sign_many, as a signing thread calls it for the requests it took together: keys
 * with a table, keys with H(root) only, and an unknown key in the middle, which gets
 * SS_ERR_NOT_FOUND and no signature while its neighbours are still bls_sign's; and more
 * requests than one bls_sign_many call takes (BLS_SIGN_MANY_MAX), so the call is split. */
TEST(keys_sign_many_equals_bls_sign_and_skips_unknown_keys)
{
	fixture f;
	CHECK(setup(&f, 0, 0));
	const uint8_t root_a[32] = { 0xa1, 2, 3 }, root_b[32] = { 0xb2, 7 };
	bls_hashed_message ha, hb;
	bls_hash_message(&ha, root_a, 32);
	bls_hash_message(&hb, root_b, 32);
	bls_fixed_base_table *ta = malloc(BLS_FIXED_BASE_TABLE_BYTES);
	CHECK(ta != NULL);
	if (ta == NULL) {
		teardown(&f);
		return;
	}
	bls_fixed_base_build(ta, &ha);
	enum { N = NKEYS + 1 };
	_Static_assert(N > BLS_SIGN_MANY_MAX, "the call must be split");
	keys_sign_request rq[N];
	uint8_t sig[N][96];
	static const uint8_t unknown[48] = { 0xc0 };
	for (unsigned i = 0; i < N; i++) {
		memset(sig[i], 0x5a, 96);
		bool a = i % 3 != 2;
		rq[i] = (keys_sign_request){ .pubkey = i == 5 ? unknown : f.pk[i % NKEYS],
					     .table = a && i % 2 == 0 ? ta : NULL,
					     .h = a ? &ha : &hb,
					     .sig = sig[i],
					     .err = SS_ERR_INVALID };
	}
	keys_sign_many(f.ks, rq, N);
	for (unsigned i = 0; i < N; i++) {
		if (i == 5) {
			CHECK(rq[i].err == SS_ERR_NOT_FOUND);
			continue;
		}
		CHECK_MSG(rq[i].err == SS_OK, "request %u", i);
		uint8_t want[96];
		bls_sign(want, &f.sk[i % NKEYS], i % 3 != 2 ? root_a : root_b, 32);
		CHECK_MSG(memcmp(sig[i], want, 96) == 0, "request %u: not bls_sign's signature", i);
	}
	free(ta);
	teardown(&f);
}
