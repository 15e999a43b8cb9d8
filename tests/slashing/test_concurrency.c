/* Concurrency: many threads race conflicting and identical messages for the same
 * validators. For every slot (and every target epoch) exactly one message may win: all
 * threads that were allowed must have proposed the same root, at least one thread must
 * have been allowed, and the database must hold that same message afterwards. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "slash_test_util.h"
#include "test.h"
#include "util/dec.h"
#include "util/hex.h"

#define THREADS 16
#define VALIDATORS 3
#define ROUNDS 150
#define ROOT_VARIANTS 3 /* threads with the same variant send identical messages */

typedef struct {
	slash_db *db;
	unsigned id;
	/* per (validator, round): allowed? for blocks and attestations */
	bool block_ok[VALIDATORS][ROUNDS];
	bool att_ok[VALIDATORS][ROUNDS];
	unsigned errors;
} worker;

static pthread_barrier_t start;

static void *work(void *p)
{
	worker *w = p;
	uint8_t gvr[32] = { 3 }, pk[48], root[32];
	unsigned variant = w->id % ROOT_VARIANTS;
	pthread_barrier_wait(&start);
	for (unsigned r = 0; r < ROUNDS; r++)
		for (unsigned v = 0; v < VALIDATORS; v++) {
			tdb_key(pk, v);
			tdb_root(root, 1000 * r + variant);
			slash_decision d = slash_check_block(w->db, pk, gvr, 10 + r, root, NULL);
			w->block_ok[v][r] = d == SLASH_ALLOWED;
			w->errors += d == SLASH_ERROR;
			/* conflicting attestations for target r+1: sources differ by variant,
			 * so variants double-vote or surround one another */
			uint64_t t = 10 + 2 * (uint64_t)r;
			d = slash_check_attestation(w->db, pk, gvr, t - 1 - variant, t, root, NULL);
			w->att_ok[v][r] = d == SLASH_ALLOWED;
			w->errors += d == SLASH_ERROR;
		}
	return NULL;
}

/* The root variant the database holds for (validator, slot or target), or -1. */
static int stored_variant(json_t *doc, unsigned v, bool block, uint64_t key, unsigned r)
{
	uint8_t pk[48];
	char pkhex[99];
	tdb_key(pk, v);
	hex_encode(pkhex, pk, 48, true);
	size_t i, j;
	json_t *e, *item;
	json_array_foreach(json_object_get(doc, "data"), i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "pubkey")), pkhex) != 0)
			continue;
		json_array_foreach(json_object_get(e, block ? "signed_blocks" : "signed_attestations"), j, item)
		{
			const char *k = json_string_value(json_object_get(item, block ? "slot" : "target_epoch"));
			uint64_t val;
			if (dec_parse_u64(k, strlen(k), &val) != SS_OK || val != key)
				continue;
			for (int var = 0; var < ROOT_VARIANTS; var++) {
				uint8_t root[32];
				char hex[67];
				tdb_root(root, 1000 * r + (unsigned)var);
				hex_encode(hex, root, 32, true);
				if (strcmp(json_string_value(json_object_get(item, "signing_root")), hex) == 0)
					return var;
			}
		}
	}
	return -1;
}

/* Runs the race with the threads split over handles[0..n_handles) (one process's
 * writer each, as separate signer instances on one database would be). */
static void race_conflicts(slash_db **handles, unsigned n_handles)
{
	slash_db *db = handles[0];
	static worker w[THREADS];
	pthread_t th[THREADS];
	pthread_barrier_init(&start, NULL, THREADS);
	for (unsigned i = 0; db != NULL && i < THREADS; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].db = handles[i % n_handles];
		w[i].id = i;
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (unsigned i = 0; db != NULL && i < THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	if (db == NULL)
		return;
	char *text = NULL;
	CHECK(slash_export_interchange(db, NULL, 0, &text) == SS_OK);
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
	CHECK(doc != NULL);
	unsigned failures = 0;
	for (unsigned v = 0; doc != NULL && v < VALIDATORS; v++)
		for (unsigned r = 0; r < ROUNDS; r++)
			for (int kind = 0; kind < 2; kind++) {
				int winner = -1;
				bool ok = true;
				for (unsigned i = 0; i < THREADS; i++) {
					bool allowed = kind == 0 ? w[i].block_ok[v][r] : w[i].att_ok[v][r];
					int var = (int)(i % ROOT_VARIANTS);
					if (!allowed)
						continue;
					if (winner >= 0 && winner != var)
						ok = false; /* two different messages allowed */
					winner = var;
				}
				uint64_t key = kind == 0 ? 10 + r : 10 + 2 * (uint64_t)r;
				int stored = stored_variant(doc, v, kind == 0, key, r);
				if ((!ok || winner < 0 || stored != winner) && failures++ < 10)
					CHECK_MSG(false, "validator %u round %u %s: winner %d stored %d%s", v, r,
						  kind == 0 ? "block" : "attestation", winner, stored,
						  ok ? "" : " (two different messages allowed)");
			}
	CHECK_EQ_U64(failures, 0);
	for (unsigned i = 0; i < THREADS; i++)
		CHECK_EQ_U64(w[i].errors, 0);
	json_decref(doc);
	free(text);
}

TEST(concurrent_conflicts_exactly_one_wins)
{
	char dir[256];
	if (!tdb_mkdir(dir))
		return;
	slash_db *db = tdb_open(dir);
	if (db != NULL)
		race_conflicts(&db, 1);
	slash_close(db);
	tdb_rmdir(dir);
}

/* Two handles on one store (two connections, two writers), as two signer instances
 * sharing a PostgreSQL database would be: still exactly one winner. */
TEST(concurrent_conflicts_two_handles)
{
	char dir[256];
	if (!tdb_mkdir(dir))
		return;
	slash_db *h[2] = { tdb_open(dir), tdb_open(dir) };
	if (h[0] != NULL && h[1] != NULL)
		race_conflicts(h, 2);
	slash_close(h[0]);
	slash_close(h[1]);
	tdb_rmdir(dir);
}

/* Administrative calls racing the signers: pruning, imports, the enabled flag and the
 * high watermark change under the writer's feet. Whatever interleaving happens, no two
 * messages that were allowed (or imported) in the whole run may be slashable against
 * each other. */
#define RACE_THREADS 6
#define RACE_VALIDATORS 3
#define RACE_STEPS 700

typedef struct {
	bool is_block;
	unsigned v;
	uint64_t a, b, root;
	uint64_t seq; /* signed: taken before the check; imported: after the import */
} race_msg;

static _Atomic uint64_t race_seq;

typedef struct {
	slash_db *db;
	unsigned id;
	race_msg *ok;
	size_t n_ok;
} race_worker;

static void *race_work(void *p)
{
	race_worker *w = p;
	uint64_t seed = 0x51ed2701u + w->id;
	uint8_t gvr[32] = { 3 }, pk[48], root[32];
	for (unsigned i = 0; i < RACE_STEPS; i++) {
		race_msg m = { .v = (unsigned)(tdb_rand(&seed) % RACE_VALIDATORS), .root = tdb_rand(&seed) % 2 };
		uint64_t base = i / 10;
		tdb_key(pk, m.v);
		tdb_root(root, m.root);
		slash_decision d;
		m.seq = race_seq++;
		if (tdb_rand(&seed) % 3 == 0) {
			m.is_block = true;
			m.a = base + tdb_rand(&seed) % 5;
			d = slash_check_block(w->db, pk, gvr, m.a, root, NULL);
		} else {
			m.a = base + tdb_rand(&seed) % 4;
			m.b = m.a + tdb_rand(&seed) % 4;
			d = slash_check_attestation(w->db, pk, gvr, m.a, m.b, root, NULL);
		}
		if (d == SLASH_ALLOWED)
			w->ok[w->n_ok++] = m;
	}
	return NULL;
}

static bool race_slashable(const race_msg *x, const race_msg *y)
{
	if (x->v != y->v || x->is_block != y->is_block)
		return false;
	if (x->is_block)
		return x->a == y->a && x->root != y->root;
	if (x->a == y->a && x->b == y->b && x->root == y->root)
		return false;
	return x->b == y->b || (x->a < y->a && y->b < x->b) || (y->a < x->a && x->b < y->b);
}

TEST(admin_calls_race_signing)
{
	char dir[256];
	if (!tdb_mkdir(dir))
		return;
	slash_db *db = tdb_open(dir);
	if (db == NULL)
		return;
	static race_worker w[RACE_THREADS];
	static race_msg imported[4096];
	size_t n_imported = 0;
	pthread_t th[RACE_THREADS];
	for (unsigned i = 0; i < RACE_THREADS; i++) {
		w[i] = (race_worker){ .db = db, .id = i, .ok = calloc(RACE_STEPS, sizeof(race_msg)) };
		pthread_create(&th[i], NULL, race_work, &w[i]);
	}
	uint64_t seed = 77;
	uint8_t gvr[32] = { 3 };
	CHECK(slash_pin_gvr(db, gvr) == SS_OK);
	for (unsigned round = 0; round < 60; round++) {
		uint8_t pk[48], root[32];
		race_msg m = { .v = (unsigned)(tdb_rand(&seed) % RACE_VALIDATORS), .root = tdb_rand(&seed) % 2 };
		m.a = round + tdb_rand(&seed) % 6;
		m.b = m.a + tdb_rand(&seed) % 3;
		tdb_key(pk, m.v);
		tdb_root(root, m.root);
		char pkhex[99], roothex[67], gvrhex[67], doc[1024];
		hex_encode(pkhex, pk, 48, true);
		hex_encode(roothex, root, 32, true);
		hex_encode(gvrhex, gvr, 32, true);
		snprintf(doc, sizeof doc,
			 "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":\"%s\"},"
			 "\"data\":[{\"pubkey\":\"%s\",\"signed_blocks\":[{\"slot\":\"%llu\",\"signing_root\":\"%s\"}],"
			 "\"signed_attestations\":[{\"source_epoch\":\"%llu\",\"target_epoch\":\"%llu\",\"signing_root\":\"%s\"}]}]}",
			 gvrhex, pkhex, (unsigned long long)m.b, roothex, (unsigned long long)m.a,
			 (unsigned long long)m.b, roothex);
		if (slash_import_interchange(db, doc, strlen(doc), NULL, 0, NULL) == SS_OK && n_imported + 2 <= 4096) {
			m.seq = race_seq++;
			imported[n_imported++] = m;
			race_msg b = { .is_block = true, .v = m.v, .a = m.b, .root = m.root, .seq = m.seq };
			imported[n_imported++] = b;
		}
		CHECK(slash_prune(db, 2 + round % 3, 1, NULL) == SS_OK);
		CHECK(slash_set_enabled(db, pk, round % 4 != 0) == SS_OK);
		if (round % 7 == 0)
			CHECK(slash_set_high_watermark(db, round + 3, round + 3) == SS_OK);
		else
			CHECK(slash_clear_high_watermark(db) == SS_OK);
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	for (unsigned i = 0; i < RACE_VALIDATORS; i++) {
		uint8_t pk[48];
		tdb_key(pk, i);
		CHECK(slash_set_enabled(db, pk, true) == SS_OK);
	}
	for (unsigned i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	/* everything that was allowed or imported, pairwise */
	size_t total = n_imported;
	for (unsigned i = 0; i < RACE_THREADS; i++)
		total += w[i].n_ok;
	race_msg *all = calloc(total + 1, sizeof *all);
	size_t k = 0;
	memcpy(all, imported, n_imported * sizeof *all);
	k = n_imported;
	for (unsigned i = 0; i < RACE_THREADS; i++) {
		memcpy(all + k, w[i].ok, w[i].n_ok * sizeof *all);
		k += w[i].n_ok;
		free(w[i].ok);
	}
	unsigned bad = 0;
	/* Every two signed messages must be compatible, and a signed message with every
	 * import that had completed before its check began. (An import is checked against
	 * the stored history only: if pruning deleted what it conflicts with, it is merely
	 * a record of what was signed elsewhere, and the watermarks refuse signing there.) */
	for (size_t i = 0; i < total; i++)
		for (size_t j = (i < n_imported ? n_imported : i + 1); j < total; j++)
			if ((i >= n_imported || all[j].seq > all[i].seq) && race_slashable(&all[i], &all[j]) &&
			    bad++ < 5)
				CHECK_MSG(false, "slashable pair: %s v%u (%llu, %llu) root %llu and (%llu, %llu) root %llu",
					  all[i].is_block ? "block" : "attestation", all[i].v,
					  (unsigned long long)all[i].a, (unsigned long long)all[i].b,
					  (unsigned long long)all[i].root, (unsigned long long)all[j].a,
					  (unsigned long long)all[j].b, (unsigned long long)all[j].root);
	CHECK_EQ_U64(bad, 0);
	CHECK_MSG(total > RACE_THREADS * RACE_STEPS / 20, "only %zu messages allowed", total);
	printf("admin race: %zu messages allowed or imported, %zu by import\n", total, n_imported);
	free(all);
	slash_close(db);
	tdb_rmdir(dir);
}
