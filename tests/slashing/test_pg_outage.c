/* The shared PostgreSQL database goes away (Web3Signer §3.10, issues #357/#626): while
 * the server is down every check answers SLASH_ERROR — never ALLOWED — concurrent
 * callers included; when it is back the store reconnects by itself, without a restart
 * of the signer, and everything that was ALLOWED before is still there. Run by
 * with-postgres.sh, which provides the stop and start commands; skipped otherwise. */
#include <stdlib.h>
#include <string.h>

#include "slash_test_util.h"
#include "test.h"

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
	if (db == NULL) {
		tdb_rmdir(dir);
		return;
	}
	CHECK(slash_check_attestation(db, pk, gvr, 1, 2, r1, NULL) == SLASH_ALLOWED);
	CHECK(slash_check_block(db, pk, gvr, 10, r1, NULL) == SLASH_ALLOWED);

	CHECK(system(stop) == 0);
	slash_reason why;
	CHECK(slash_check_attestation(db, pk, gvr, 2, 3, r1, &why) == SLASH_ERROR);
	CHECK(slash_check_block(db, pk, gvr, 11, r1, NULL) == SLASH_ERROR);
	slash_decision raced[8];
	tdb_race_attestations(db, 8, gvr, 20, 21, 1, raced);
	for (unsigned i = 0; i < 8; i++)
		CHECK_MSG(raced[i] == SLASH_ERROR, "answered %d while the database was down", raced[i]);
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
