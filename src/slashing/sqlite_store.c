/* The embedded SQLite backend of the store interface (store.h).
 *
 * Durability: WAL journal with synchronous=FULL, so COMMIT returns only after the WAL
 * is fsync'ed; a batch of checks (group_commit.c) therefore costs one fsync. Every
 * statement is prepared once at open. Statements are reset after use so that no read
 * transaction lingers. The caller serialises all calls (slash_db.conn_lock). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slashing/sqlite_internal.h"

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_GET_META,
	ST_PUT_META,
	ST_GET_VALIDATOR,
	ST_INSERT_VALIDATOR,
	ST_PUT_VALIDATOR,
	ST_EACH_VALIDATOR,
	ST_BLOCK_AT,
	ST_PUT_BLOCK,
	ST_EACH_BLOCK,
	ST_FIRST_BLOCK_FROM,
	ST_MAX_BLOCK,
	ST_DELETE_BLOCKS,
	ST_ATT_AT,
	ST_SURROUNDING,
	ST_SURROUNDED,
	ST_PUT_ATT,
	ST_EACH_ATT,
	ST_FIRST_ATT_FROM,
	ST_MAX_ATT,
	ST_MAX_SOURCE_UPTO,
	ST_DELETE_ATTS,
	ST_DATA_VERSION,
	ST__COUNT
};

#define VALIDATOR_COLS "id, enabled, min_slot, min_source, min_target, lw_slot, lw_source, lw_target"

static const char *const sql_text[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_GET_META] = "SELECT genesis_validators_root, high_watermark_epoch, high_watermark_slot "
			"FROM metadata WHERE id = 1",
	[ST_PUT_META] = "UPDATE metadata SET genesis_validators_root = ?1, "
			"high_watermark_epoch = ?2, high_watermark_slot = ?3 WHERE id = 1",
	[ST_GET_VALIDATOR] = "SELECT " VALIDATOR_COLS " FROM validators WHERE pubkey = ?1",
	[ST_INSERT_VALIDATOR] = "INSERT INTO validators (pubkey) VALUES (?1)",
	[ST_PUT_VALIDATOR] = "UPDATE validators SET enabled = ?2, min_slot = ?3, min_source = ?4, "
			     "min_target = ?5, lw_slot = ?6, lw_source = ?7, lw_target = ?8 "
			     "WHERE id = ?1",
	[ST_EACH_VALIDATOR] = "SELECT " VALIDATOR_COLS ", pubkey FROM validators ORDER BY id",
	[ST_BLOCK_AT] = "SELECT signing_root FROM signed_blocks WHERE validator_id = ?1 AND slot = ?2",
	[ST_PUT_BLOCK] = "INSERT OR REPLACE INTO signed_blocks (validator_id, slot, signing_root) "
			 "VALUES (?1, ?2, ?3)",
	[ST_EACH_BLOCK] = "SELECT slot, signing_root FROM signed_blocks WHERE validator_id = ?1 "
			  "ORDER BY slot",
	[ST_FIRST_BLOCK_FROM] = "SELECT slot FROM signed_blocks WHERE validator_id = ?1 AND slot >= ?2 "
				"ORDER BY slot LIMIT 1",
	[ST_MAX_BLOCK] = "SELECT max(slot) FROM signed_blocks WHERE validator_id = ?1",
	[ST_DELETE_BLOCKS] = "DELETE FROM signed_blocks WHERE validator_id = ?1 AND slot < ?2",
	[ST_ATT_AT] = "SELECT source_epoch, target_epoch, signing_root FROM signed_attestations "
		      "WHERE validator_id = ?1 AND target_epoch = ?2",
	/* EIP-3076 surround: an existing (s', t') with s' < s and t' > t surrounds (s, t). */
	[ST_SURROUNDING] = "SELECT source_epoch, target_epoch, signing_root FROM signed_attestations "
			   "WHERE validator_id = ?1 AND target_epoch > ?3 AND source_epoch < ?2 "
			   "ORDER BY target_epoch LIMIT 1",
	/* An existing (s', t') with s' > s and t' < t is surrounded by (s, t). Because every
	 * row has s' <= t' (schema CHECK), s < s' <= t' bounds the index range to (s, t). */
	[ST_SURROUNDED] = "SELECT source_epoch, target_epoch, signing_root FROM signed_attestations "
			  "WHERE validator_id = ?1 AND target_epoch > ?2 AND target_epoch < ?3 "
			  "AND source_epoch > ?2 ORDER BY target_epoch LIMIT 1",
	[ST_PUT_ATT] = "INSERT OR REPLACE INTO signed_attestations "
		       "(validator_id, source_epoch, target_epoch, signing_root) VALUES (?1, ?2, ?3, ?4)",
	[ST_EACH_ATT] = "SELECT source_epoch, target_epoch, signing_root FROM signed_attestations "
			"WHERE validator_id = ?1 ORDER BY target_epoch",
	[ST_FIRST_ATT_FROM] = "SELECT source_epoch, target_epoch, signing_root FROM signed_attestations "
			      "WHERE validator_id = ?1 AND target_epoch >= ?2 ORDER BY target_epoch LIMIT 1",
	[ST_MAX_ATT] = "SELECT max(target_epoch) FROM signed_attestations WHERE validator_id = ?1",
	[ST_MAX_SOURCE_UPTO] = "SELECT max(source_epoch) FROM signed_attestations "
			       "WHERE validator_id = ?1 AND target_epoch <= ?2",
	[ST_DELETE_ATTS] = "DELETE FROM signed_attestations WHERE validator_id = ?1 AND target_epoch < ?2",
	[ST_DATA_VERSION] = "PRAGMA data_version",
};

struct slash_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT];
	slash_checkpointer *checkpointer;
	int64_t data_version; /* last PRAGMA data_version seen */
};

/* Pages in the WAL before a background checkpoint is asked for (SQLite's own default
 * for automatic checkpoints). */
#define CHECKPOINT_PAGES 1000

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	slash_store *s = arg;
	(void)db;
	(void)name;
	if (pages >= CHECKPOINT_PAGES)
		slash_checkpointer_poke(s->checkpointer);
	return SQLITE_OK;
}

static slash_store_result map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return SLASH_STORE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return SLASH_STORE_RETRY;
	case SQLITE_CONSTRAINT:
		return SLASH_STORE_REFUSED;
	default:
		return SLASH_STORE_FAIL;
	}
}

/* Resets and clears st, then returns it ready to bind. */
static sqlite3_stmt *stmt(slash_store *s, int which)
{
	sqlite3_stmt *st = s->st[which];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, slash_u64_to_db(v));
}

static void bind_opt_u64(sqlite3_stmt *st, int i, bool has, uint64_t v)
{
	if (has)
		bind_u64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void bind_root(sqlite3_stmt *st, int i, bool has, const uint8_t root[SLASH_ROOT_BYTES])
{
	if (has)
		sqlite3_bind_blob(st, i, root, SLASH_ROOT_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static uint64_t col_u64(sqlite3_stmt *st, int i)
{
	return slash_db_to_u64(sqlite3_column_int64(st, i));
}

static bool col_opt_u64(sqlite3_stmt *st, int i, uint64_t *out)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		*out = 0;
		return false;
	}
	*out = col_u64(st, i);
	return true;
}

/* A root column: NULL, or exactly 32 bytes (the schema's CHECK guarantees it). */
static bool col_root(sqlite3_stmt *st, int i, uint8_t out[SLASH_ROOT_BYTES])
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL || sqlite3_column_bytes(st, i) != SLASH_ROOT_BYTES) {
		memset(out, 0, SLASH_ROOT_BYTES);
		return false;
	}
	memcpy(out, sqlite3_column_blob(st, i), SLASH_ROOT_BYTES);
	return true;
}

/* Runs a statement that returns no row. */
static slash_store_result run_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SLASH_STORE_OK : map_rc(rc == SQLITE_ROW ? SQLITE_ERROR : rc);
}

/* Steps once: OK with *found set, or the error. The statement stays on its row. */
static slash_store_result step_one(sqlite3_stmt *st, bool *found)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		return SLASH_STORE_OK;
	}
	*found = false;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SLASH_STORE_OK : map_rc(rc);
}

static slash_store_result sq_begin(slash_store *s)
{
	return run_done(stmt(s, ST_BEGIN));
}

static slash_store_result sq_commit(slash_store *s)
{
	return run_done(stmt(s, ST_COMMIT));
}

static void sq_rollback(slash_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)run_done(stmt(s, ST_ROLLBACK));
}

/* PRAGMA data_version changes only when another connection commits (the datadir lock
 * normally rules that out; this keeps a second process on the same file safe anyway). */
static slash_store_result sq_data_changed(slash_store *s, bool *changed)
{
	sqlite3_stmt *st = stmt(s, ST_DATA_VERSION);
	bool found;
	slash_store_result r = step_one(st, &found);
	*changed = false;
	if (r != SLASH_STORE_OK || !found)
		return r == SLASH_STORE_OK ? SLASH_STORE_FAIL : r;
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*changed = v != s->data_version;
	s->data_version = v;
	return SLASH_STORE_OK;
}

static slash_store_result sq_get_meta(slash_store *s, slash_meta *out)
{
	sqlite3_stmt *st = stmt(s, ST_GET_META);
	bool found;
	slash_store_result r = step_one(st, &found);
	memset(out, 0, sizeof *out);
	if (r != SLASH_STORE_OK)
		return r;
	if (!found)
		return SLASH_STORE_FAIL; /* the migration inserts the row */
	out->has_gvr = col_root(st, 0, out->gvr);
	out->high.set = col_opt_u64(st, 1, &out->high.epoch);
	(void)col_opt_u64(st, 2, &out->high.slot);
	sqlite3_reset(st);
	return SLASH_STORE_OK;
}

static slash_store_result sq_put_meta(slash_store *s, const slash_meta *m)
{
	sqlite3_stmt *st = stmt(s, ST_PUT_META);
	bind_root(st, 1, m->has_gvr, m->gvr);
	bind_opt_u64(st, 2, m->high.set, m->high.epoch);
	bind_opt_u64(st, 3, m->high.set, m->high.slot);
	return run_done(st);
}

static void read_validator(sqlite3_stmt *st, slash_validator *v)
{
	v->id = sqlite3_column_int64(st, 0);
	v->enabled = sqlite3_column_int(st, 1) != 0;
	v->has_min_slot = col_opt_u64(st, 2, &v->min_slot);
	v->has_min_epochs = col_opt_u64(st, 3, &v->min_source);
	(void)col_opt_u64(st, 4, &v->min_target);
	v->has_lw_slot = col_opt_u64(st, 5, &v->lw_slot);
	v->has_lw_epochs = col_opt_u64(st, 6, &v->lw_source);
	(void)col_opt_u64(st, 7, &v->lw_target);
}

static slash_store_result sq_get_validator(slash_store *s, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
					   bool create, slash_validator *out, bool *found)
{
	sqlite3_stmt *st = stmt(s, ST_GET_VALIDATOR);
	sqlite3_bind_blob(st, 1, pubkey, SLASH_PUBKEY_BYTES, SQLITE_STATIC);
	slash_store_result r = step_one(st, found);
	if (r != SLASH_STORE_OK)
		return r;
	if (*found) {
		read_validator(st, out);
		sqlite3_reset(st);
		return SLASH_STORE_OK;
	}
	memset(out, 0, sizeof *out);
	if (!create)
		return SLASH_STORE_OK;
	st = stmt(s, ST_INSERT_VALIDATOR);
	sqlite3_bind_blob(st, 1, pubkey, SLASH_PUBKEY_BYTES, SQLITE_STATIC);
	r = run_done(st);
	if (r != SLASH_STORE_OK)
		return r;
	out->id = sqlite3_last_insert_rowid(s->db);
	out->enabled = true;
	*found = true;
	return SLASH_STORE_OK;
}

static slash_store_result sq_put_validator(slash_store *s, const slash_validator *v)
{
	sqlite3_stmt *st = stmt(s, ST_PUT_VALIDATOR);
	sqlite3_bind_int64(st, 1, v->id);
	sqlite3_bind_int(st, 2, v->enabled ? 1 : 0);
	bind_opt_u64(st, 3, v->has_min_slot, v->min_slot);
	bind_opt_u64(st, 4, v->has_min_epochs, v->min_source);
	bind_opt_u64(st, 5, v->has_min_epochs, v->min_target);
	bind_opt_u64(st, 6, v->has_lw_slot, v->lw_slot);
	bind_opt_u64(st, 7, v->has_lw_epochs, v->lw_source);
	bind_opt_u64(st, 8, v->has_lw_epochs, v->lw_target);
	return run_done(st);
}

static slash_store_result sq_each_validator(slash_store *s, slash_validator_cb cb, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_EACH_VALIDATOR);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		slash_validator v;
		uint8_t pk[SLASH_PUBKEY_BYTES];
		read_validator(st, &v);
		if (sqlite3_column_bytes(st, 8) != SLASH_PUBKEY_BYTES) {
			sqlite3_reset(st);
			return SLASH_STORE_FAIL;
		}
		memcpy(pk, sqlite3_column_blob(st, 8), SLASH_PUBKEY_BYTES);
		if (!cb(ctx, pk, &v)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return map_rc(rc);
}

static slash_store_result sq_block_at(slash_store *s, int64_t vid, uint64_t slot,
				      slash_block_rec *out, bool *found)
{
	sqlite3_stmt *st = stmt(s, ST_BLOCK_AT);
	sqlite3_bind_int64(st, 1, vid);
	bind_u64(st, 2, slot);
	slash_store_result r = step_one(st, found);
	if (r == SLASH_STORE_OK && *found) {
		out->slot = slot;
		out->has_root = col_root(st, 0, out->root);
		sqlite3_reset(st);
	}
	return r;
}

static slash_store_result sq_put_block(slash_store *s, int64_t vid, const slash_block_rec *b)
{
	sqlite3_stmt *st = stmt(s, ST_PUT_BLOCK);
	sqlite3_bind_int64(st, 1, vid);
	bind_u64(st, 2, b->slot);
	bind_root(st, 3, b->has_root, b->root);
	return run_done(st);
}

static slash_store_result sq_each_block(slash_store *s, int64_t vid, slash_block_cb cb, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_EACH_BLOCK);
	sqlite3_bind_int64(st, 1, vid);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		slash_block_rec b;
		b.slot = col_u64(st, 0);
		b.has_root = col_root(st, 1, b.root);
		if (!cb(ctx, &b)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return map_rc(rc);
}

/* A single-value query on (vid, u64): *found false when there is no row or it is NULL. */
static slash_store_result one_u64(slash_store *s, int which, int64_t vid, bool bind2, uint64_t arg,
				  uint64_t *out, bool *found)
{
	sqlite3_stmt *st = stmt(s, which);
	sqlite3_bind_int64(st, 1, vid);
	if (bind2)
		bind_u64(st, 2, arg);
	slash_store_result r = step_one(st, found);
	if (r == SLASH_STORE_OK && *found) {
		*found = col_opt_u64(st, 0, out);
		sqlite3_reset(st);
	}
	return r;
}

static slash_store_result sq_first_block_from(slash_store *s, int64_t vid, uint64_t from,
					      uint64_t *slot, bool *found)
{
	return one_u64(s, ST_FIRST_BLOCK_FROM, vid, true, from, slot, found);
}

static slash_store_result sq_max_block_slot(slash_store *s, int64_t vid, uint64_t *slot, bool *found)
{
	return one_u64(s, ST_MAX_BLOCK, vid, false, 0, slot, found);
}

static slash_store_result delete_below(slash_store *s, int which, int64_t vid, uint64_t below,
				       uint64_t *deleted)
{
	sqlite3_stmt *st = stmt(s, which);
	sqlite3_bind_int64(st, 1, vid);
	bind_u64(st, 2, below);
	slash_store_result r = run_done(st);
	*deleted = r == SLASH_STORE_OK ? (uint64_t)sqlite3_changes(s->db) : 0;
	return r;
}

static slash_store_result sq_delete_blocks_below(slash_store *s, int64_t vid, uint64_t slot,
						 uint64_t *deleted)
{
	return delete_below(s, ST_DELETE_BLOCKS, vid, slot, deleted);
}

static void read_att(sqlite3_stmt *st, slash_att_rec *a)
{
	a->source = col_u64(st, 0);
	a->target = col_u64(st, 1);
	a->has_root = col_root(st, 2, a->root);
}

static slash_store_result att_query(slash_store *s, int which, int64_t vid, int nargs, uint64_t a1,
				    uint64_t a2, slash_att_rec *out, bool *found)
{
	sqlite3_stmt *st = stmt(s, which);
	sqlite3_bind_int64(st, 1, vid);
	bind_u64(st, 2, a1);
	if (nargs > 1)
		bind_u64(st, 3, a2);
	slash_store_result r = step_one(st, found);
	if (r == SLASH_STORE_OK && *found) {
		read_att(st, out);
		sqlite3_reset(st);
	}
	return r;
}

static slash_store_result sq_att_at_target(slash_store *s, int64_t vid, uint64_t target,
					   slash_att_rec *out, bool *found)
{
	return att_query(s, ST_ATT_AT, vid, 1, target, 0, out, found);
}

static slash_store_result sq_find_surrounding(slash_store *s, int64_t vid, uint64_t source,
					      uint64_t target, slash_att_rec *out, bool *found)
{
	return att_query(s, ST_SURROUNDING, vid, 2, source, target, out, found);
}

static slash_store_result sq_find_surrounded(slash_store *s, int64_t vid, uint64_t source,
					     uint64_t target, slash_att_rec *out, bool *found)
{
	return att_query(s, ST_SURROUNDED, vid, 2, source, target, out, found);
}

static slash_store_result sq_put_attestation(slash_store *s, int64_t vid, const slash_att_rec *a)
{
	sqlite3_stmt *st = stmt(s, ST_PUT_ATT);
	sqlite3_bind_int64(st, 1, vid);
	bind_u64(st, 2, a->source);
	bind_u64(st, 3, a->target);
	bind_root(st, 4, a->has_root, a->root);
	return run_done(st);
}

static slash_store_result sq_each_attestation(slash_store *s, int64_t vid, slash_att_cb cb, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_EACH_ATT);
	sqlite3_bind_int64(st, 1, vid);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		slash_att_rec a;
		read_att(st, &a);
		if (!cb(ctx, &a)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return map_rc(rc);
}

static slash_store_result sq_first_att_from(slash_store *s, int64_t vid, uint64_t from,
					    slash_att_rec *out, bool *found)
{
	return att_query(s, ST_FIRST_ATT_FROM, vid, 1, from, 0, out, found);
}

static slash_store_result sq_max_att_target(slash_store *s, int64_t vid, uint64_t *target, bool *found)
{
	return one_u64(s, ST_MAX_ATT, vid, false, 0, target, found);
}

static slash_store_result sq_max_source_upto(slash_store *s, int64_t vid, uint64_t target,
					     uint64_t *source, bool *found)
{
	return one_u64(s, ST_MAX_SOURCE_UPTO, vid, true, target, source, found);
}

static slash_store_result sq_delete_atts_below(slash_store *s, int64_t vid, uint64_t target,
					       uint64_t *deleted)
{
	return delete_below(s, ST_DELETE_ATTS, vid, target, deleted);
}

static void sq_close(slash_store *s)
{
	if (s == NULL)
		return;
	/* stop the checkpointer first: closing the last connection checkpoints the WAL
	 * into the database and removes it */
	slash_checkpointer_stop(s->checkpointer);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

static const char *sq_last_error(slash_store *s)
{
	return sqlite3_errmsg(s->db);
}

static const slash_store_ops sqlite_ops = {
	.name = "sqlite",
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.data_changed = sq_data_changed,
	.get_meta = sq_get_meta,
	.put_meta = sq_put_meta,
	.get_validator = sq_get_validator,
	.put_validator = sq_put_validator,
	.each_validator = sq_each_validator,
	.block_at = sq_block_at,
	.put_block = sq_put_block,
	.each_block = sq_each_block,
	.first_block_from = sq_first_block_from,
	.max_block_slot = sq_max_block_slot,
	.delete_blocks_below = sq_delete_blocks_below,
	.att_at_target = sq_att_at_target,
	.find_surrounding = sq_find_surrounding,
	.find_surrounded = sq_find_surrounded,
	.put_attestation = sq_put_attestation,
	.each_attestation = sq_each_attestation,
	.first_att_from = sq_first_att_from,
	.max_att_target = sq_max_att_target,
	.max_source_upto = sq_max_source_upto,
	.delete_atts_below = sq_delete_atts_below,
	.last_error = sq_last_error,
	.probe_commits = true,
	.close = sq_close,
};

/* The store's connections, writer and reader, wait up to 5 s for another's lock before
 * SQLITE_BUSY (the checkpointer, on its own connection, sets its own timeout). */
#define PRAGMA_BUSY_TIMEOUT "PRAGMA busy_timeout = 5000;"

/* What the writer sets after its journal mode, the same whichever mode it is:
 * synchronous=FULL (each commit is fsync'ed before it returns, which is what makes
 * "allowed" mean "survives power loss"), foreign keys, the busy timeout. One macro, so
 * that the two modes below cannot drift apart. */
#define PRAGMAS_AFTER_JOURNAL_MODE \
	"PRAGMA synchronous = FULL;" \
	"PRAGMA foreign_keys = ON;" \
	PRAGMA_BUSY_TIMEOUT

/* The default, WAL: readers never block the writer, and with synchronous=FULL the WAL
 * is fsync'ed at every commit, not only at checkpoints (one fsync per commit). */
static const char *const pragmas_wal = "PRAGMA journal_mode = WAL;" PRAGMAS_AFTER_JOURNAL_MODE;

/* The rollback-journal alternative, for file systems that cannot give WAL its shared
 * memory: Gramine's encrypted files sync a MAP_SHARED mapping only on msync/close
 * (reference/tee.md §a, Gramine features.md), so the WAL index cannot be trusted there.
 * journal_mode=DELETE with synchronous=FULL: each commit fsyncs the rollback journal,
 * then the database, then deletes the journal — durable at COMMIT, as WAL+FULL is, at
 * the price of two fsyncs and writers blocking readers. Chosen with
 * SECURE_SIGNER_SQLITE_JOURNAL_MODE=delete (the Gramine manifest sets it; docs/tee.md). */
static const char *const pragmas_delete =
	"PRAGMA journal_mode = DELETE;" PRAGMAS_AFTER_JOURNAL_MODE;

#define JOURNAL_ENV "SECURE_SIGNER_SQLITE_JOURNAL_MODE"

/* "wal" (unset or empty: the default) or "delete"; NULL for anything else. */
static const char *journal_mode_wanted(void)
{
	const char *v = getenv(JOURNAL_ENV);
	if (v == NULL || !*v || strcasecmp(v, "wal") == 0)
		return "wal";
	if (strcasecmp(v, "delete") == 0)
		return "delete";
	return NULL;
}

/* read_only: a reader next to the running signer that owns the file (`slashing export`,
 * `watermark get` while it runs): the file must exist; nothing is created, configured,
 * migrated or checkpointed (WAL readers see the last committed state and never block
 * the signer's writer); a file whose schema is not this build's is refused. */
static ss_err store_open(const char *path, slash_store **out, const slash_store_ops **ops,
			 slash_reason *why, bool read_only)
{
	*out = NULL;
	slash_store *s = calloc(1, sizeof *s);
	if (s == NULL)
		return SS_ERR_NOMEM;
	int rc = sqlite3_open_v2(path, &s->db,
				 (read_only ? SQLITE_OPEN_READONLY
					    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
					 SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		slash_reasonf(why, "cannot open %s: %s", path,
			      s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		sq_close(s);
		return SS_ERR_IO;
	}
	const char *want = journal_mode_wanted();
	if (want == NULL) {
		slash_reasonf(why, "%s must be wal or delete", JOURNAL_ENV);
		sq_close(s);
		return SS_ERR_INVALID;
	}
	char *msg = NULL;
	if (sqlite3_exec(s->db, read_only ? PRAGMA_BUSY_TIMEOUT
				 : strcmp(want, "wal") == 0 ? pragmas_wal : pragmas_delete, NULL, NULL,
			 &msg) != SQLITE_OK) {
		slash_reasonf(why, "cannot configure %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sq_close(s);
		return SS_ERR_IO;
	}
	/* journal_mode reports what it got; a file system without shared memory may
	 * refuse WAL, and then durability would rest on a mode we did not choose. */
	sqlite3_stmt *jm;
	bool got = false;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &jm, NULL) == SQLITE_OK) {
		if (sqlite3_step(jm) == SQLITE_ROW) {
			const unsigned char *mode = sqlite3_column_text(jm, 0);
			got = mode != NULL && strcmp((const char *)mode, want) == 0;
		}
		sqlite3_finalize(jm);
	}
	/* A reader writes nothing, so the writer's mode is what matters, whichever it is. */
	if (!got && !read_only) {
		slash_reasonf(why, "%s: SQLite refused journal mode %s (%s)", path, want,
			      strcmp(want, "wal") == 0 ? "the file system does not support WAL; "
							 "see " JOURNAL_ENV : "?");
		sq_close(s);
		return SS_ERR_IO;
	}
	bool wal = strcmp(want, "wal") == 0;
	if (read_only ? slash_sqlite_check_current(s->db, why) != SQLITE_OK
		      : slash_sqlite_migrate(s->db, why) != SQLITE_OK) {
		sq_close(s);
		return SS_ERR_IO;
	}
	for (int i = 0; i < ST__COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
		if (rc != SQLITE_OK) {
			slash_reasonf(why, "sqlite: cannot prepare statement %d: %s", i, sqlite3_errmsg(s->db));
			sq_close(s);
			return SS_ERR_IO;
		}
	}
	bool ignored;
	if (sq_data_changed(s, &ignored) != SLASH_STORE_OK) {
		slash_reasonf(why, "sqlite: cannot read data_version: %s", sqlite3_errmsg(s->db));
		sq_close(s);
		return SS_ERR_IO;
	}
	/* the checkpointer is WAL's, and the writer's; a rollback journal needs none */
	if (!read_only && wal)
		s->checkpointer = slash_checkpointer_start(path);
	if (s->checkpointer != NULL)
		sqlite3_wal_hook(s->db, wal_hook, s); /* replaces the automatic checkpoints */
	*out = s;
	*ops = &sqlite_ops;
	return SS_OK;
}

ss_err slash_sqlite_store_open(const char *path, slash_store **out, const slash_store_ops **ops,
			       slash_reason *why)
{
	return store_open(path, out, ops, why, false);
}

ss_err slash_sqlite_store_open_readonly(const char *path, slash_store **out,
					const slash_store_ops **ops, slash_reason *why)
{
	return store_open(path, out, ops, why, true);
}
