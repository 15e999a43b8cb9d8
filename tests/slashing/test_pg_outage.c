/* The shared PostgreSQL database goes away (Web3Signer §3.10, issues #357/#626): while
 * the server is down every check answers SLASH_ERROR — never ALLOWED — concurrent
 * callers included; when it is back the store reconnects by itself, without a restart
 * of the signer, and everything that was ALLOWED before is still there. Run by
 * with-postgres.sh, which provides the stop and start commands; skipped otherwise. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "slash_test_util.h"
#include "test.h"

typedef struct {
	slash_db *db;
	unsigned v;
	slash_decision d;
} outage_call;

static void *outage_worker(void *p)
{
	outage_call *c = p;
	uint8_t pk[48], gvr[32] = { 6 }, root[32];
	tdb_key(pk, c->v);
	tdb_root(root, 1);
	c->d = slash_check_attestation(c->db, pk, gvr, 20, 21, root, NULL);
	return NULL;
}

TEST(postgres_outage_never_allows_and_recovers)
{
	const char *stop = getenv("SLASH_TEST_PG_STOP"), *start = getenv("SLASH_TEST_PG_START");
	char dir[256], conninfo[1024];
	if (stop == NULL || start == NULL) {
		test_skip("needs tests/slashing/with-postgres.sh");
		return;
	}
	if (!tdb_mkdir(dir))
		return;
	if (!tdb_pg_conninfo(dir, conninfo)) {
		tdb_rmdir(dir);
		test_skip("needs SLASH_TEST_PG");
		return;
	}
	slash_db *db = tdb_open(dir);
	uint8_t pk[48], gvr[32] = { 6 }, r1[32], r2[32];
	tdb_key(pk, 0);
	tdb_root(r1, 1);
	tdb_root(r2, 2);
	if (db == NULL)
		return;
	CHECK(slash_check_attestation(db, pk, gvr, 1, 2, r1, NULL) == SLASH_ALLOWED);
	CHECK(slash_check_block(db, pk, gvr, 10, r1, NULL) == SLASH_ALLOWED);

	CHECK(system(stop) == 0);
	slash_reason why;
	CHECK(slash_check_attestation(db, pk, gvr, 2, 3, r1, &why) == SLASH_ERROR);
	CHECK(slash_check_block(db, pk, gvr, 11, r1, NULL) == SLASH_ERROR);
	outage_call calls[8];
	pthread_t th[8];
	for (unsigned i = 0; i < 8; i++) {
		calls[i] = (outage_call){ db, i + 1, SLASH_ALLOWED };
		pthread_create(&th[i], NULL, outage_worker, &calls[i]);
	}
	for (unsigned i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		CHECK_MSG(calls[i].d == SLASH_ERROR, "answered %d while the database was down", calls[i].d);
	}
	slash_watermark w;
	CHECK(slash_get_high_watermark(db, &w) != SS_OK); /* the health probe sees it */

	CHECK(system(start) == 0);
	/* the first transaction reconnects; the protection from before is intact */
	CHECK(slash_check_attestation(db, pk, gvr, 1, 2, r2, NULL) == SLASH_REFUSED);
	CHECK(slash_check_block(db, pk, gvr, 10, r2, NULL) == SLASH_REFUSED);
	CHECK(slash_check_attestation(db, pk, gvr, 3, 4, r1, NULL) == SLASH_ALLOWED);
	CHECK(slash_get_high_watermark(db, &w) == SS_OK && !w.set);
	uint8_t got[32];
	bool pinned = false;
	CHECK(slash_get_gvr(db, got, &pinned) == SS_OK && pinned && memcmp(got, gvr, 32) == 0);
	slash_close(db);
	tdb_rmdir(dir);
}
