/* The SQLite schema and its versioned migrations.
 *
 * The schema version is PRAGMA user_version; migration i (1-based) takes a database
 * from version i-1 to i inside one transaction, so a crash mid-migration leaves the
 * previous version intact. A database newer than this build is refused rather than
 * guessed at. PRAGMA application_id marks the file as ours, so pointing --data-dir at
 * some other SQLite file fails loudly instead of adding tables to it.
 *
 * uint64 values (slots, epochs) are stored order-preserving in SQLite's signed 64-bit
 * INTEGER as (value - 2^63) (sqlite_codec.h), so that range queries and the CHECK below
 * compare them correctly over the full uint64 range. */
#include <sqlite3.h>
#include <stdio.h>

#include "slashing/sqlite_internal.h"

#define SLASH_APPLICATION_ID 0x53534c50 /* "SSLP" */

static const char *const migrations[] = {
	/* 1: initial schema. One row of metadata (pinned genesis validators root, global
	 * high watermark); validators with their enabled flag, oldest-history marks and
	 * low watermarks; complete history of signed blocks and attestations. */
	"CREATE TABLE metadata ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  genesis_validators_root BLOB CHECK (genesis_validators_root IS NULL"
	"                                      OR length(genesis_validators_root) = 32),"
	"  high_watermark_epoch INTEGER,"
	"  high_watermark_slot INTEGER,"
	"  CHECK ((high_watermark_epoch IS NULL) = (high_watermark_slot IS NULL)));"
	"INSERT INTO metadata (id) VALUES (1);"
	"CREATE TABLE validators ("
	"  id INTEGER PRIMARY KEY,"
	"  pubkey BLOB NOT NULL UNIQUE CHECK (length(pubkey) = 48),"
	"  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
	"  min_slot INTEGER, min_source INTEGER, min_target INTEGER,"
	"  lw_slot INTEGER, lw_source INTEGER, lw_target INTEGER,"
	"  CHECK ((min_source IS NULL) = (min_target IS NULL)),"
	"  CHECK ((lw_source IS NULL) = (lw_target IS NULL)));"
	"CREATE TABLE signed_blocks ("
	"  validator_id INTEGER NOT NULL REFERENCES validators (id),"
	"  slot INTEGER NOT NULL,"
	"  signing_root BLOB CHECK (signing_root IS NULL OR length(signing_root) = 32),"
	"  PRIMARY KEY (validator_id, slot)) WITHOUT ROWID;"
	"CREATE TABLE signed_attestations ("
	"  validator_id INTEGER NOT NULL REFERENCES validators (id),"
	"  source_epoch INTEGER NOT NULL,"
	"  target_epoch INTEGER NOT NULL,"
	"  signing_root BLOB CHECK (signing_root IS NULL OR length(signing_root) = 32),"
	"  PRIMARY KEY (validator_id, target_epoch),"
	/* the surround queries rely on every row having source <= target */
	"  CHECK (source_epoch <= target_epoch)) WITHOUT ROWID;",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int exec_sql(sqlite3 *db, const char *sql, slash_reason *why)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		slash_reasonf(why, "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

int slash_sqlite_check_current(sqlite3 *db, slash_reason *why)
{
	int version = 0, app = 0;
	if (pragma_int(db, "PRAGMA user_version", &version) != SQLITE_OK ||
	    pragma_int(db, "PRAGMA application_id", &app) != SQLITE_OK) {
		slash_reasonf(why, "sqlite: cannot read the schema version: %s", sqlite3_errmsg(db));
		return SQLITE_ERROR;
	}
	if (app != SLASH_APPLICATION_ID || version != N_MIGRATIONS) {
		slash_reasonf(why, "the database is not a Secure-Signer slashing-protection database of this build's schema (version %d, want %d): a read-only command cannot migrate it; run the signer (or an offline command) once",
			      version, N_MIGRATIONS);
		return SQLITE_ERROR;
	}
	return SQLITE_OK;
}

int slash_sqlite_migrate(sqlite3 *db, slash_reason *why)
{
	int version = 0, app = 0, objects = 0;
	if (pragma_int(db, "PRAGMA user_version", &version) != SQLITE_OK ||
	    pragma_int(db, "PRAGMA application_id", &app) != SQLITE_OK ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_schema", &objects) != SQLITE_OK) {
		slash_reasonf(why, "sqlite: cannot read the schema version: %s", sqlite3_errmsg(db));
		return SQLITE_ERROR;
	}
	if (objects > 0 && app != SLASH_APPLICATION_ID) {
		slash_reasonf(why, "not a Secure-Signer slashing-protection database "
				   "(application_id %d)", app);
		return SQLITE_ERROR;
	}
	if (version > N_MIGRATIONS) {
		slash_reasonf(why, "database schema version %d is newer than this build (%d)",
			      version, N_MIGRATIONS);
		return SQLITE_ERROR;
	}
	for (int v = version; v < N_MIGRATIONS; v++) {
		char tail[128];
		snprintf(tail, sizeof tail, "PRAGMA user_version = %d; PRAGMA application_id = %d;",
			 v + 1, SLASH_APPLICATION_ID);
		if (exec_sql(db, "BEGIN IMMEDIATE", why) != SQLITE_OK)
			return SQLITE_ERROR;
		if (exec_sql(db, migrations[v], why) != SQLITE_OK || exec_sql(db, tail, why) != SQLITE_OK) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return SQLITE_ERROR;
		}
		if (exec_sql(db, "COMMIT", why) != SQLITE_OK) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return SQLITE_ERROR;
		}
	}
	return SQLITE_OK;
}
