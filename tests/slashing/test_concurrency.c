/* Concurrency: many threads race conflicting and identical messages for the same
 * validators. For every slot (and every target epoch) exactly one message may win: all
 * threads that were allowed must have proposed the same root, at least one thread must
 * have been allowed, and the database must hold that same message afterwards. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

TEST(concurrent_conflicts_exactly_one_wins)
{
	char dir[256];
	if (!tdb_mkdir(dir))
		return;
	slash_db *db = tdb_open(dir);
	static worker w[THREADS];
	pthread_t th[THREADS];
	pthread_barrier_init(&start, NULL, THREADS);
	for (unsigned i = 0; db != NULL && i < THREADS; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].db = db;
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
	slash_close(db);
	tdb_rmdir(dir);
}
