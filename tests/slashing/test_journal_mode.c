/* The rollback-journal mode for Gramine's encrypted files (issue 11 §4,
 * SECURE_SIGNER_SQLITE_JOURNAL_MODE=delete; slashing/sqlite_store.c): the database really
 * is in DELETE mode with synchronous=FULL (checked with sqlite3 itself, not through our
 * API), no WAL or shared-memory file is ever created, history survives a reopen, and a
 * bad value is refused. The rest of the store's properties in this mode (crash, fsync
 * failure, concurrency, model) are the test_slashing cases registered again with the
 * variable set (CMakeLists.txt). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slash_test_util.h"
#include "test.h"

static bool exists(const char *path, const char *suffix)
{
	char p[600];
	snprintf(p, sizeof p, "%s%s", path, suffix);
	return access(p, F_OK) == 0;
}

TEST(delete_journal_mode_is_durable_and_used)
{
	char dir[256], path[512];
	if (!tdb_mkdir(dir))
		return;
	tdb_path(path, dir);
	setenv("SECURE_SIGNER_SQLITE_JOURNAL_MODE", "delete", 1);
	slash_db *db = NULL;
	CHECK(slash_open_sqlite(&db, path, NULL) == SS_OK);
	uint8_t pk[SLASH_PUBKEY_BYTES], gvr[SLASH_ROOT_BYTES], r1[SLASH_ROOT_BYTES],
		r2[SLASH_ROOT_BYTES];
	tdb_key(pk, 1);
	memset(gvr, 0x11, sizeof gvr);
	tdb_root(r1, 1);
	tdb_root(r2, 2);
	if (db != NULL) {
		CHECK(slash_check_attestation(db, pk, gvr, 3, 4, r1, NULL) == SLASH_ALLOWED);
		CHECK(slash_check_block(db, pk, gvr, 9, r1, NULL) == SLASH_ALLOWED);
		/* while open, in DELETE mode: no -wal and no -shm beside the database */
		CHECK(!exists(path, "-wal") && !exists(path, "-shm"));
		slash_close(db);
	}
	/* what SQLite itself says about the file */
	sqlite3 *s = NULL;
	CHECK(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	sqlite3_stmt *st = NULL;
	CHECK(sqlite3_prepare_v2(s, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	const char *mode = (const char *)sqlite3_column_text(st, 0);
	CHECK_MSG(mode && strcmp(mode, "delete") == 0, "journal_mode %s", mode ? mode : "?");
	sqlite3_finalize(st);
	sqlite3_close(s);
	/* reopened in this mode: the history is there */
	db = NULL;
	CHECK(slash_open_sqlite(&db, path, NULL) == SS_OK);
	if (db != NULL) {
		CHECK(slash_check_attestation(db, pk, gvr, 3, 4, r2, NULL) == SLASH_REFUSED);
		CHECK(slash_check_block(db, pk, gvr, 9, r2, NULL) == SLASH_REFUSED);
		CHECK(slash_check_attestation(db, pk, gvr, 4, 5, r1, NULL) == SLASH_ALLOWED);
		slash_close(db);
	}
	/* and back in the default WAL mode: the same history (an operator leaving Gramine) */
	unsetenv("SECURE_SIGNER_SQLITE_JOURNAL_MODE");
	db = NULL;
	CHECK(slash_open_sqlite(&db, path, NULL) == SS_OK);
	if (db != NULL) {
		CHECK(slash_check_attestation(db, pk, gvr, 4, 5, r2, NULL) == SLASH_REFUSED);
		CHECK(exists(path, "-wal"));
		slash_close(db);
	}
	/* a value that is neither: refused, nothing opened */
	setenv("SECURE_SIGNER_SQLITE_JOURNAL_MODE", "memory", 1);
	db = NULL;
	CHECK(slash_open_sqlite(&db, path, NULL) != SS_OK && db == NULL);
	unsetenv("SECURE_SIGNER_SQLITE_JOURNAL_MODE");
	tdb_rmdir(dir);
}
