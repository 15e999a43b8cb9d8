/* Replay protection the Commit-Boost signer lacks (reference/signing-apis-2026.md §8.2:
 * "the signer does not track nonces"; §8.5 recommends monotonic tracking): for a module
 * configured with replay_protection, each (module, key) pair remembers the highest nonce
 * it signed, and a request whose nonce is not above it is refused. The record is
 * committed (synchronous=FULL) before the signature is released, so kill -9 forgets
 * nothing that was answered. Its own SQLite file, <data-dir>/commit-boost.sqlite: it is
 * per signer instance, like the proxy keys it protects, and stays out of the slashing
 * database, which PostgreSQL deployments share between instances. */
#include <stdio.h>
#include <string.h>

#include "signer/commit_boost_internal.h"
#include "util/log.h"

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS cb_nonce("
	" module TEXT NOT NULL,"
	" key BLOB NOT NULL,"
	" last INTEGER NOT NULL," /* the uint64 nonce, stored as its int64 bit pattern */
	" PRIMARY KEY(module, key));";

ss_err signer_cb_nonce_open(signer_cb *cb, const char *data_dir, char *err, size_t cap)
{
	char path[4200];
	if (snprintf(path, sizeof path, "%s/commit-boost.sqlite", data_dir) >=
	    (int)sizeof path) {
		snprintf(err, cap, "data directory path too long");
		return SS_ERR_INVALID;
	}
	if (sqlite3_open_v2(path, &cb->nonce_db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(cb->nonce_db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, cap, "cannot open %s: %s", path,
			 cb->nonce_db ? sqlite3_errmsg(cb->nonce_db) : "out of memory");
		sqlite3_close(cb->nonce_db);
		cb->nonce_db = NULL;
		return SS_ERR_IO;
	}
	sqlite3_busy_timeout(cb->nonce_db, 5000);
	return SS_OK;
}

void signer_cb_nonce_close(signer_cb *cb)
{
	if (cb->nonce_db)
		sqlite3_close(cb->nonce_db);
	cb->nonce_db = NULL;
}

ss_err signer_cb_nonce_check_and_record(signer_cb *cb, const char *module, const uint8_t *key,
					size_t key_len, uint64_t nonce)
{
	ss_err result = SS_ERR_IO;
	sqlite3_stmt *sel = NULL, *put = NULL;
	if (!cb->nonce_db)
		return SS_ERR_IO;
	pthread_mutex_lock(&cb->nonce_lock);
	if (sqlite3_exec(cb->nonce_db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(cb->nonce_db,
			       "SELECT last FROM cb_nonce WHERE module = ?1 AND key = ?2", -1,
			       &sel, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_text(sel, 1, module, -1, SQLITE_STATIC);
	sqlite3_bind_blob(sel, 2, key, (int)key_len, SQLITE_STATIC);
	int rc = sqlite3_step(sel);
	if (rc == SQLITE_ROW) {
		uint64_t last = (uint64_t)sqlite3_column_int64(sel, 0);
		if (nonce <= last) {
			result = SS_ERR_REFUSED;
			goto rollback;
		}
	} else if (rc != SQLITE_DONE) {
		goto rollback;
	}
	if (sqlite3_prepare_v2(cb->nonce_db,
			       "INSERT OR REPLACE INTO cb_nonce(module, key, last) VALUES(?1, ?2, ?3)",
			       -1, &put, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_text(put, 1, module, -1, SQLITE_STATIC);
	sqlite3_bind_blob(put, 2, key, (int)key_len, SQLITE_STATIC);
	sqlite3_bind_int64(put, 3, (sqlite3_int64)nonce);
	if (sqlite3_step(put) != SQLITE_DONE)
		goto rollback;
	if (sqlite3_exec(cb->nonce_db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	result = SS_OK;
	goto out;
rollback:
	if (result == SS_ERR_IO)
		log_error("commit-boost nonce store: %s", sqlite3_errmsg(cb->nonce_db));
	sqlite3_exec(cb->nonce_db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(put);
	pthread_mutex_unlock(&cb->nonce_lock);
	return result;
}
