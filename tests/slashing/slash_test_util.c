#define _GNU_SOURCE
#include "slash_test_util.h"

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#ifdef SS_HAVE_LIBPQ
#include <ctype.h>
#include <libpq-fe.h>

/* With SLASH_TEST_PG set, each test directory gets its own schema in that database:
 * the same directory (a reopen) reaches the same schema. */
static bool pg_conninfo(const char *pg, const char *dir, char out[1024])
{
	char schema[64], sql[128];
	const char *base = strrchr(dir, '/');
	snprintf(schema, sizeof schema, "t_%s", base ? base + 1 : dir);
	for (char *c = schema; *c; c++)
		*c = (char)(isalnum((unsigned char)*c) ? tolower((unsigned char)*c) : '_');
	PGconn *conn = PQconnectdb(pg);
	PQclear(PQexec(conn, "SET client_min_messages = warning"));
	snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS %s", schema);
	PGresult *res = PQexec(conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		test_fail_at(__FILE__, __LINE__, "postgres: %s", PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	snprintf(out, 1024, "%s options='-csearch_path=%s'", pg, schema);
	return ok;
}

static slash_db *open_postgres(const char *pg, const char *dir, const slash_options *opts)
{
	char conninfo[1024];
	slash_db *db = NULL;
	if (pg_conninfo(pg, dir, conninfo) && slash_open_postgres(&db, conninfo, opts) != SS_OK)
		test_fail_at(__FILE__, __LINE__, "slash_open_postgres(%s) failed", conninfo);
	return db;
}
#endif

bool tdb_mkdir(char dir[256])
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, 256, "%s/ss-slashing-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		test_fail_at(__FILE__, __LINE__, "mkdtemp %s failed", dir);
		return false;
	}
	return true;
}

void tdb_path(char out[512], const char *dir)
{
	snprintf(out, 512, "%s/slashing.sqlite", dir);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tdb_rmdir(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

bool tdb_pg_conninfo(const char *dir, char out[1024])
{
	const char *pg = getenv("SLASH_TEST_PG");
	if (pg == NULL || *pg == '\0')
		return false;
#ifdef SS_HAVE_LIBPQ
	return pg_conninfo(pg, dir, out);
#else
	(void)dir;
	(void)out;
	return false;
#endif
}

slash_db *tdb_open(const char *dir)
{
	return tdb_open_with(dir, NULL);
}

slash_db *tdb_open_with(const char *dir, const slash_options *opts)
{
	const char *pg = getenv("SLASH_TEST_PG");
	if (pg != NULL && *pg != '\0') {
#ifdef SS_HAVE_LIBPQ
		return open_postgres(pg, dir, opts);
#else
		test_fail_at(__FILE__, __LINE__, "SLASH_TEST_PG is set but this build has no libpq");
		return NULL;
#endif
	}
	char path[512];
	slash_db *db = NULL;
	tdb_path(path, dir);
	ss_err err = slash_open_sqlite(&db, path, opts);
	if (err != SS_OK)
		test_fail_at(__FILE__, __LINE__, "slash_open_sqlite(%s): %s", path, ss_strerror(err));
	return db;
}

void tdb_key(uint8_t pk[SLASH_PUBKEY_BYTES], unsigned n)
{
	for (int i = 0; i < SLASH_PUBKEY_BYTES; i++)
		pk[i] = (uint8_t)(0xa0 + i + 7 * n);
	pk[0] = (uint8_t)n;
	pk[1] = (uint8_t)(n >> 8);
}

void tdb_root(uint8_t root[SLASH_ROOT_BYTES], uint64_t n)
{
	memset(root, 0x5a, SLASH_ROOT_BYTES);
	for (int i = 0; i < 8; i++)
		root[i] = (uint8_t)(n >> (8 * i));
}

uint64_t tdb_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

typedef struct {
	slash_db *db;
	unsigned key;
	const uint8_t *gvr;
	uint64_t source, target, root_n;
	slash_decision d;
} race_call;

static void *race_worker(void *p)
{
	race_call *c = p;
	uint8_t pk[SLASH_PUBKEY_BYTES], root[SLASH_ROOT_BYTES];
	tdb_key(pk, c->key);
	tdb_root(root, c->root_n);
	c->d = slash_check_attestation(c->db, pk, c->gvr, c->source, c->target, root, NULL);
	return NULL;
}

void tdb_race_attestations(slash_db *db, unsigned n, const uint8_t gvr[SLASH_ROOT_BYTES],
			   uint64_t source, uint64_t target, uint64_t root_n, slash_decision *out)
{
	race_call calls[8];
	pthread_t th[8];
	if (n > 8)
		abort(); /* our bug: the arrays are fixed */
	for (unsigned i = 0; i < n; i++) {
		calls[i] = (race_call){ db, i + 1, gvr, source, target, root_n, SLASH_ALLOWED };
		if (pthread_create(&th[i], NULL, race_worker, &calls[i]) != 0)
			abort();
	}
	for (unsigned i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		out[i] = calls[i].d;
	}
}
