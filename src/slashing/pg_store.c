/* The PostgreSQL backend of the store interface (store.h), for several signer instances
 * sharing one database (DESIGN.md §2 invariant 2: check-and-record atomic across
 * instances).
 *
 * Cross-instance atomicity: every transaction first takes one database-wide
 * transaction-scoped advisory lock, so the transactions of all instances that touch the
 * slashing tables run one after another. Each instance still group-commits, so the
 * cluster pays one commit per batch, not per signature; and because nothing else can
 * interleave, there is no lock ordering and no deadlock. (Web3Signer locks per validator
 * and message kind, §3.5, and pays about a dozen round trips per signature.)
 * data_changed() compares a commit counter in the metadata row with the value this
 * connection last wrote, so an instance drops its cached state exactly when another
 * instance has written.
 *
 * Durability: COMMIT returns after PostgreSQL has flushed its WAL (synchronous_commit
 * is forced on for this session). Tables are prefixed ss_ so they can live beside a
 * Web3Signer schema. Values use the same order-preserving int64 encoding as SQLite. */
#include "slashing/slashing_internal.h"

#ifndef SS_HAVE_LIBPQ

ss_err slash_pg_store_open(const char *conninfo, slash_store **out, const slash_store_ops **ops,
			   slash_reason *why)
{
	(void)conninfo;
	*out = NULL;
	*ops = NULL;
	slash_reasonf(why, "this build has no PostgreSQL support (libpq was not found)");
	return SS_ERR_UNSUPPORTED;
}

#else

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pg_advisory_xact_lock key of the slashing tables ("SSLP" in ASCII). */
#define PG_LOCK_KEY "1397967952"

#define PG_MAX_PREPARED 48

struct slash_store {
	PGconn *conn;
	/* statements prepared on this connection, by the address of their SQL literal */
	const char *prepared[PG_MAX_PREPARED];
	int n_prepared;
	int64_t generation; /* ss_metadata.generation as this connection last saw it */
	bool wrote;         /* this transaction changed data: bump the generation */
	bool bumped;        /* this transaction's commit bumped it (it may not have committed) */
	bool in_tx;         /* between a successful BEGIN and its COMMIT or ROLLBACK */
	/* writes not sent yet (see defer()) */
	struct pg_pending *pending;
	size_t n_pending, cap_pending;
};

static const char *const pg_schema =
	"CREATE TABLE IF NOT EXISTS ss_schema (version INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS ss_metadata ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  genesis_validators_root BYTEA CHECK (genesis_validators_root IS NULL"
	"                                       OR length(genesis_validators_root) = 32),"
	"  high_watermark_epoch BIGINT, high_watermark_slot BIGINT,"
	"  generation BIGINT NOT NULL DEFAULT 0,"
	"  CHECK ((high_watermark_epoch IS NULL) = (high_watermark_slot IS NULL)));"
	"INSERT INTO ss_metadata (id) VALUES (1) ON CONFLICT DO NOTHING;"
	"CREATE TABLE IF NOT EXISTS ss_validators ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  pubkey BYTEA NOT NULL UNIQUE CHECK (length(pubkey) = 48),"
	"  enabled BOOLEAN NOT NULL DEFAULT TRUE,"
	"  min_slot BIGINT, min_source BIGINT, min_target BIGINT,"
	"  lw_slot BIGINT, lw_source BIGINT, lw_target BIGINT,"
	"  CHECK ((min_source IS NULL) = (min_target IS NULL)),"
	"  CHECK ((lw_source IS NULL) = (lw_target IS NULL)));"
	"CREATE TABLE IF NOT EXISTS ss_signed_blocks ("
	"  validator_id BIGINT NOT NULL REFERENCES ss_validators (id),"
	"  slot BIGINT NOT NULL,"
	"  signing_root BYTEA CHECK (signing_root IS NULL OR length(signing_root) = 32),"
	"  PRIMARY KEY (validator_id, slot));"
	"CREATE TABLE IF NOT EXISTS ss_signed_attestations ("
	"  validator_id BIGINT NOT NULL REFERENCES ss_validators (id),"
	"  source_epoch BIGINT NOT NULL, target_epoch BIGINT NOT NULL,"
	"  signing_root BYTEA CHECK (signing_root IS NULL OR length(signing_root) = 32),"
	"  PRIMARY KEY (validator_id, target_epoch),"
	"  CHECK (source_epoch <= target_epoch));"
	"INSERT INTO ss_schema (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM ss_schema);";

#define PG_SCHEMA_VERSION 1

/* Parameters: int64 values travel as decimal text, byte strings as binary. */
typedef struct {
	int n;
	const char *values[8];
	int lengths[8], formats[8];
	char text[8][24];
} pg_params;

/* A deferred write with its own copies of its parameters. */
typedef struct pg_pending {
	const char *sql;
	pg_params p;
	uint8_t bytes[8][SLASH_PUBKEY_BYTES];
	char name[16];
} pg_pending;

/* Writes queued before a flush: a batch's INSERTs travel in one pipeline (one round
 * trip) instead of one round trip each. Any read flushes first, so every read sees the
 * writes before it, exactly as if they had been sent one by one. */
#define PG_FLUSH_AT 256

static void p_i64(pg_params *p, int64_t v)
{
	snprintf(p->text[p->n], sizeof p->text[p->n], "%lld", (long long)v);
	p->values[p->n] = p->text[p->n];
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

static void p_u64(pg_params *p, uint64_t v)
{
	p_i64(p, slash_u64_to_db(v));
}

static void p_opt_u64(pg_params *p, bool has, uint64_t v)
{
	if (has) {
		p_u64(p, v);
		return;
	}
	p->values[p->n] = NULL;
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

static void p_bytes(pg_params *p, bool has, const uint8_t *b, int len)
{
	p->values[p->n] = has ? (const char *)b : NULL;
	p->lengths[p->n] = len;
	p->formats[p->n] = 1;
	p->n++;
}

static slash_store_result map_status(PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return SLASH_STORE_OK;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state != NULL && (strncmp(state, "40", 2) == 0 || strncmp(state, "08", 2) == 0 ||
			      strncmp(state, "57", 2) == 0))
		return SLASH_STORE_RETRY; /* serialization, connection, shutdown */
	if (state != NULL && strncmp(state, "23", 2) == 0)
		return SLASH_STORE_REFUSED; /* integrity constraint */
	return SLASH_STORE_FAIL;
}

/* The name of sql's prepared statement, preparing it on first use (parse and plan
 * once per connection, not once per check); NULL if it cannot be prepared. */
static const char *prepared_name(slash_store *s, const char *sql, int nparams, char name[16])
{
	int i = 0;
	while (i < s->n_prepared && s->prepared[i] != sql)
		i++;
	snprintf(name, 16, "ss%d", i);
	if (i < s->n_prepared)
		return name;
	if (i == PG_MAX_PREPARED)
		return NULL;
	PGresult *res = PQprepare(s->conn, name, sql, nparams, NULL);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok)
		return NULL;
	s->prepared[s->n_prepared++] = sql;
	return name;
}

/* Sends every deferred write in one pipeline and reads their results. Falls back to
 * one round trip each if a statement cannot be prepared. */
static slash_store_result flush(slash_store *s)
{
	if (s->n_pending == 0)
		return SLASH_STORE_OK;
	slash_store_result r = SLASH_STORE_OK;
	bool pipelined = true;
	for (size_t i = 0; i < s->n_pending && pipelined; i++) {
		pg_pending *e = &s->pending[i];
		pipelined = prepared_name(s, e->sql, e->p.n, e->name) != NULL;
	}
	if (!pipelined || !PQenterPipelineMode(s->conn)) {
		for (size_t i = 0; i < s->n_pending && r == SLASH_STORE_OK; i++) {
			pg_pending *e = &s->pending[i];
			PGresult *res = PQexecParams(s->conn, e->sql, e->p.n, NULL, e->p.values, e->p.lengths,
						     e->p.formats, 1);
			r = map_status(res);
			PQclear(res);
		}
		s->n_pending = 0;
		return r;
	}
	size_t sent = 0;
	for (; sent < s->n_pending; sent++) {
		pg_pending *e = &s->pending[sent];
		if (!PQsendQueryPrepared(s->conn, e->name, e->p.n, e->p.values, e->p.lengths, e->p.formats, 1))
			break;
	}
	if (sent < s->n_pending)
		r = SLASH_STORE_FAIL;
	if (!PQpipelineSync(s->conn))
		r = SLASH_STORE_FAIL;
	/* each query's results end with a NULL; the sync ends the pipeline */
	for (size_t i = 0; i < sent; i++) {
		PGresult *res;
		bool first = true;
		while ((res = PQgetResult(s->conn)) != NULL) {
			if (first && r == SLASH_STORE_OK)
				r = map_status(res);
			first = false;
			PQclear(res);
		}
	}
	PGresult *res;
	while ((res = PQgetResult(s->conn)) != NULL) {
		bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
		PQclear(res);
		if (sync)
			break;
	}
	if (!PQexitPipelineMode(s->conn))
		r = SLASH_STORE_FAIL;
	s->n_pending = 0;
	return r;
}

/* Queues a write (see flush()); parameters are copied. */
static slash_store_result defer(slash_store *s, const char *sql, const pg_params *p)
{
	if (s->n_pending == s->cap_pending) {
		size_t cap = s->cap_pending ? 2 * s->cap_pending : 64;
		pg_pending *np = realloc(s->pending, cap * sizeof *np);
		if (np == NULL)
			return SLASH_STORE_FAIL;
		s->pending = np;
		s->cap_pending = cap;
	}
	pg_pending *e = &s->pending[s->n_pending++];
	e->sql = sql;
	e->p = *p;
	for (int i = 0; i < p->n; i++) {
		if (p->values[i] == NULL)
			continue;
		if (p->formats[i] == 0) {
			e->p.values[i] = e->p.text[i];
		} else {
			memcpy(e->bytes[i], p->values[i], (size_t)p->lengths[i]);
			e->p.values[i] = (const char *)e->bytes[i];
		}
	}
	s->wrote = true;
	return s->n_pending >= PG_FLUSH_AT ? flush(s) : SLASH_STORE_OK;
}

/* Runs sql with binary results; *res is cleared by the caller on OK. */
static slash_store_result run(slash_store *s, const char *sql, const pg_params *p, PGresult **res)
{
	*res = NULL;
	slash_store_result fr = flush(s);
	if (fr != SLASH_STORE_OK)
		return fr;
	char buf[16];
	const char *name = prepared_name(s, sql, p ? p->n : 0, buf);
	if (name != NULL)
		*res = PQexecPrepared(s->conn, name, p ? p->n : 0, p ? p->values : NULL, p ? p->lengths : NULL,
				      p ? p->formats : NULL, 1);
	else
		*res = PQexecParams(s->conn, sql, p ? p->n : 0, NULL, p ? p->values : NULL,
				    p ? p->lengths : NULL, p ? p->formats : NULL, 1);
	slash_store_result r = map_status(*res);
	if (r != SLASH_STORE_OK) {
		PQclear(*res);
		*res = NULL;
	}
	return r;
}

static slash_store_result run_cmd(slash_store *s, const char *sql, const pg_params *p)
{
	PGresult *res;
	slash_store_result r = run(s, sql, p, &res);
	if (r == SLASH_STORE_OK)
		PQclear(res);
	return r;
}

/* A script of several statements without parameters (the schema). */
static slash_store_result run_script(slash_store *s, const char *sql)
{
	PGresult *res = PQexec(s->conn, sql);
	slash_store_result r = map_status(res);
	PQclear(res);
	return r;
}

static int64_t be64(const char *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | (uint8_t)b[i];
	return v >= ((uint64_t)1 << 63) ? -(int64_t)(~v) - 1 : (int64_t)v;
}

static bool col_opt_u64(PGresult *res, int row, int col, uint64_t *out)
{
	*out = 0;
	if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != 8)
		return false;
	*out = slash_db_to_u64(be64(PQgetvalue(res, row, col)));
	return true;
}

static uint64_t col_u64(PGresult *res, int row, int col)
{
	uint64_t v;
	(void)col_opt_u64(res, row, col, &v);
	return v;
}

static bool col_root(PGresult *res, int row, int col, uint8_t out[SLASH_ROOT_BYTES])
{
	memset(out, 0, SLASH_ROOT_BYTES);
	if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != SLASH_ROOT_BYTES)
		return false;
	memcpy(out, PQgetvalue(res, row, col), SLASH_ROOT_BYTES);
	return true;
}

/* Session settings, at connect and after a reconnect. */
static slash_store_result session_setup(slash_store *s)
{
	slash_store_result r = run_cmd(s, "SET synchronous_commit = on", NULL);
	if (r == SLASH_STORE_OK) /* no NOTICE for every "CREATE ... IF NOT EXISTS" */
		r = run_cmd(s, "SET client_min_messages = warning", NULL);
	return r;
}

/* After the server restarted or the connection broke, every call fails until the
 * connection is re-established; each transaction tries once (Web3Signer issue #626:
 * recovery from a database restart). Prepared statements and the cache's generation
 * belong to the old session. */
static slash_store_result reconnect_if_needed(slash_store *s)
{
	if (PQstatus(s->conn) == CONNECTION_OK)
		return SLASH_STORE_OK;
	PQreset(s->conn);
	s->n_prepared = 0;
	s->n_pending = 0;
	s->generation = -1;
	if (PQstatus(s->conn) != CONNECTION_OK)
		return SLASH_STORE_RETRY;
	return session_setup(s);
}

static slash_store_result pg_begin(slash_store *s)
{
	s->wrote = false;
	s->bumped = false;
	slash_store_result r = reconnect_if_needed(s);
	if (r != SLASH_STORE_OK)
		return r;
	r = run_cmd(s, "BEGIN", NULL);
	if (r == SLASH_STORE_OK)
		r = run_cmd(s, "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY ")", NULL);
	if (r != SLASH_STORE_OK)
		(void)run_cmd(s, "ROLLBACK", NULL);
	s->in_tx = r == SLASH_STORE_OK;
	return r;
}

static slash_store_result pg_commit(slash_store *s)
{
	slash_store_result r = SLASH_STORE_OK;
	if (s->wrote) {
		PGresult *res;
		s->bumped = true;
		r = run(s, "UPDATE ss_metadata SET generation = generation + 1 WHERE id = 1 RETURNING generation",
			NULL, &res);
		if (r == SLASH_STORE_OK) {
			if (PQntuples(res) == 1 && PQgetlength(res, 0, 0) == 8)
				s->generation = be64(PQgetvalue(res, 0, 0));
			else
				r = SLASH_STORE_FAIL;
			PQclear(res);
		}
	}
	if (r == SLASH_STORE_OK)
		r = run_cmd(s, "COMMIT", NULL);
	s->in_tx = false; /* committed, or the caller rolls back */
	return r;
}

static void pg_rollback(slash_store *s)
{
	s->n_pending = 0; /* never sent: nothing to undo */
	(void)run_cmd(s, "ROLLBACK", NULL);
	s->in_tx = false;
	/* After a commit that failed past the bump, the generation we hold may be one
	 * that never committed: unknown, reload on the next transaction. A transaction
	 * rolled back before that (a refused import, the health probe's write check)
	 * changed nothing, and the generation read at its start is still exact; forgetting
	 * it would make the writer reload every validator after each probe. */
	if (s->bumped)
		s->generation = -1;
}

static slash_store_result pg_data_changed(slash_store *s, bool *changed)
{
	PGresult *res;
	*changed = true;
	slash_store_result r = run(s, "SELECT generation FROM ss_metadata WHERE id = 1", NULL, &res);
	if (r != SLASH_STORE_OK)
		return r;
	if (PQntuples(res) == 1 && PQgetlength(res, 0, 0) == 8) {
		int64_t g = be64(PQgetvalue(res, 0, 0));
		*changed = g != s->generation;
		s->generation = g;
	} else {
		r = SLASH_STORE_FAIL;
	}
	PQclear(res);
	return r;
}

static slash_store_result pg_get_meta(slash_store *s, slash_meta *out)
{
	PGresult *res;
	memset(out, 0, sizeof *out);
	/* Read on its own (the health probe, GET highWatermark): reconnect first, as a
	 * transaction would, or a restarted server would read as down until the next
	 * signature. Never inside a transaction: a new session would silently end it. */
	if (!s->in_tx) {
		slash_store_result rc = reconnect_if_needed(s);
		if (rc != SLASH_STORE_OK)
			return rc;
	}
	slash_store_result r = run(s, "SELECT genesis_validators_root, high_watermark_epoch, high_watermark_slot "
				      "FROM ss_metadata WHERE id = 1",
				   NULL, &res);
	if (r != SLASH_STORE_OK)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return SLASH_STORE_FAIL;
	}
	out->has_gvr = col_root(res, 0, 0, out->gvr);
	out->high.set = col_opt_u64(res, 0, 1, &out->high.epoch);
	(void)col_opt_u64(res, 0, 2, &out->high.slot);
	PQclear(res);
	return SLASH_STORE_OK;
}

static slash_store_result pg_put_meta(slash_store *s, const slash_meta *m)
{
	pg_params p = { 0 };
	p_bytes(&p, m->has_gvr, m->gvr, SLASH_ROOT_BYTES);
	p_opt_u64(&p, m->high.set, m->high.epoch);
	p_opt_u64(&p, m->high.set, m->high.slot);
	s->wrote = true;
	return run_cmd(s, "UPDATE ss_metadata SET genesis_validators_root = $1, high_watermark_epoch = $2, "
			  "high_watermark_slot = $3 WHERE id = 1",
		       &p);
}

#define PG_VALIDATOR_COLS "id, enabled, min_slot, min_source, min_target, lw_slot, lw_source, lw_target"

static void read_validator(PGresult *res, int row, slash_validator *v)
{
	v->id = be64(PQgetvalue(res, row, 0));
	v->enabled = PQgetlength(res, row, 1) == 1 && PQgetvalue(res, row, 1)[0] != 0;
	v->has_min_slot = col_opt_u64(res, row, 2, &v->min_slot);
	v->has_min_epochs = col_opt_u64(res, row, 3, &v->min_source);
	(void)col_opt_u64(res, row, 4, &v->min_target);
	v->has_lw_slot = col_opt_u64(res, row, 5, &v->lw_slot);
	v->has_lw_epochs = col_opt_u64(res, row, 6, &v->lw_source);
	(void)col_opt_u64(res, row, 7, &v->lw_target);
}

static slash_store_result pg_get_validator(slash_store *s, const uint8_t pubkey[SLASH_PUBKEY_BYTES], bool create,
					   slash_validator *out, bool *found)
{
	pg_params p = { 0 };
	p_bytes(&p, true, pubkey, SLASH_PUBKEY_BYTES);
	memset(out, 0, sizeof *out);
	*found = false;
	if (create) {
		slash_store_result r = run_cmd(s, "INSERT INTO ss_validators (pubkey) VALUES ($1) ON CONFLICT DO NOTHING",
					       &p);
		if (r != SLASH_STORE_OK)
			return r;
		s->wrote = true;
	}
	PGresult *res;
	slash_store_result r = run(s, "SELECT " PG_VALIDATOR_COLS " FROM ss_validators WHERE pubkey = $1", &p, &res);
	if (r != SLASH_STORE_OK)
		return r;
	if (PQntuples(res) == 1) {
		read_validator(res, 0, out);
		*found = true;
	}
	PQclear(res);
	return SLASH_STORE_OK;
}

static slash_store_result pg_put_validator(slash_store *s, const slash_validator *v)
{
	pg_params p = { 0 };
	p_i64(&p, v->id);
	snprintf(p.text[p.n], sizeof p.text[p.n], "%s", v->enabled ? "true" : "false");
	p.values[p.n] = p.text[p.n];
	p.formats[p.n++] = 0;
	p_opt_u64(&p, v->has_min_slot, v->min_slot);
	p_opt_u64(&p, v->has_min_epochs, v->min_source);
	p_opt_u64(&p, v->has_min_epochs, v->min_target);
	p_opt_u64(&p, v->has_lw_slot, v->lw_slot);
	p_opt_u64(&p, v->has_lw_epochs, v->lw_source);
	p_opt_u64(&p, v->has_lw_epochs, v->lw_target);
	return defer(s, "UPDATE ss_validators SET enabled = $2, min_slot = $3, min_source = $4, min_target = $5, "
			  "lw_slot = $6, lw_source = $7, lw_target = $8 WHERE id = $1",
		       &p);
}

static slash_store_result pg_each_validator(slash_store *s, slash_validator_cb cb, void *ctx)
{
	PGresult *res;
	slash_store_result r = run(s, "SELECT " PG_VALIDATOR_COLS ", pubkey FROM ss_validators ORDER BY id", NULL, &res);
	if (r != SLASH_STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(res); i++) {
		slash_validator v;
		read_validator(res, i, &v);
		if (PQgetlength(res, i, 8) != SLASH_PUBKEY_BYTES) {
			r = SLASH_STORE_FAIL;
			break;
		}
		if (!cb(ctx, (const uint8_t *)PQgetvalue(res, i, 8), &v))
			break;
	}
	PQclear(res);
	return r;
}

static slash_store_result pg_block_at(slash_store *s, int64_t vid, uint64_t slot, slash_block_rec *out, bool *found)
{
	pg_params p = { 0 };
	p_i64(&p, vid);
	p_u64(&p, slot);
	PGresult *res;
	slash_store_result r = run(s, "SELECT signing_root FROM ss_signed_blocks WHERE validator_id = $1 AND slot = $2",
				   &p, &res);
	if (r != SLASH_STORE_OK)
		return r;
	*found = PQntuples(res) == 1;
	if (*found) {
		out->slot = slot;
		out->has_root = col_root(res, 0, 0, out->root);
	}
	PQclear(res);
	return SLASH_STORE_OK;
}

static slash_store_result pg_put_block(slash_store *s, int64_t vid, const slash_block_rec *b)
{
	pg_params p = { 0 };
	p_i64(&p, vid);
	p_u64(&p, b->slot);
	p_bytes(&p, b->has_root, b->root, SLASH_ROOT_BYTES);
	return defer(s, "INSERT INTO ss_signed_blocks (validator_id, slot, signing_root) VALUES ($1, $2, $3) "
			  "ON CONFLICT (validator_id, slot) DO UPDATE SET signing_root = EXCLUDED.signing_root",
		       &p);
}

static slash_store_result pg_each_block(slash_store *s, int64_t vid, slash_block_cb cb, void *ctx)
{
	pg_params p = { 0 };
	p_i64(&p, vid);
	PGresult *res;
	slash_store_result r = run(s, "SELECT slot, signing_root FROM ss_signed_blocks WHERE validator_id = $1 "
				      "ORDER BY slot",
				   &p, &res);
	if (r != SLASH_STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(res); i++) {
		slash_block_rec b;
		b.slot = col_u64(res, i, 0);
		b.has_root = col_root(res, i, 1, b.root);
		if (!cb(ctx, &b))
			break;
	}
	PQclear(res);
	return SLASH_STORE_OK;
}

/* One optional u64 from a one-row query on (vid[, arg]). */
static slash_store_result one_u64(slash_store *s, const char *sql, int64_t vid, bool has_arg, uint64_t arg,
				  uint64_t *out, bool *found)
{
	pg_params p = { 0 };
	p_i64(&p, vid);
	if (has_arg)
		p_u64(&p, arg);
	PGresult *res;
	slash_store_result r = run(s, sql, &p, &res);
	if (r != SLASH_STORE_OK)
		return r;
	*found = PQntuples(res) == 1 && col_opt_u64(res, 0, 0, out);
	PQclear(res);
	return SLASH_STORE_OK;
}

static slash_store_result pg_first_block_from(slash_store *s, int64_t vid, uint64_t from, uint64_t *slot, bool *found)
{
	return one_u64(s, "SELECT slot FROM ss_signed_blocks WHERE validator_id = $1 AND slot >= $2 ORDER BY slot LIMIT 1",
		       vid, true, from, slot, found);
}

static slash_store_result pg_max_block_slot(slash_store *s, int64_t vid, uint64_t *slot, bool *found)
{
	return one_u64(s, "SELECT max(slot) FROM ss_signed_blocks WHERE validator_id = $1", vid, false, 0, slot, found);
}

static slash_store_result delete_below(slash_store *s, const char *sql, int64_t vid, uint64_t below, uint64_t *n)
{
	pg_params p = { 0 };
	p_i64(&p, vid);
	p_u64(&p, below);
	PGresult *res;
	*n = 0;
	slash_store_result r = run(s, sql, &p, &res);
	if (r != SLASH_STORE_OK)
		return r;
	*n = strtoull(PQcmdTuples(res), NULL, 10);
	if (*n > 0)
		s->wrote = true;
	PQclear(res);
	return SLASH_STORE_OK;
}

static slash_store_result pg_delete_blocks_below(slash_store *s, int64_t vid, uint64_t slot, uint64_t *deleted)
{
	return delete_below(s, "DELETE FROM ss_signed_blocks WHERE validator_id = $1 AND slot < $2", vid, slot, deleted);
}

static slash_store_result att_query(slash_store *s, const char *sql, int64_t vid, int nargs, uint64_t a1, uint64_t a2,
				    slash_att_rec *out, bool *found)
{
	pg_params p = { 0 };
	p_i64(&p, vid);
	p_u64(&p, a1);
	if (nargs > 1)
		p_u64(&p, a2);
	PGresult *res;
	slash_store_result r = run(s, sql, &p, &res);
	if (r != SLASH_STORE_OK)
		return r;
	*found = PQntuples(res) >= 1;
	if (*found) {
		out->source = col_u64(res, 0, 0);
		out->target = col_u64(res, 0, 1);
		out->has_root = col_root(res, 0, 2, out->root);
	}
	PQclear(res);
	return SLASH_STORE_OK;
}

#define PG_ATT_COLS "SELECT source_epoch, target_epoch, signing_root FROM ss_signed_attestations "

static slash_store_result pg_att_at_target(slash_store *s, int64_t vid, uint64_t target, slash_att_rec *out,
					   bool *found)
{
	return att_query(s, PG_ATT_COLS "WHERE validator_id = $1 AND target_epoch = $2", vid, 1, target, 0, out, found);
}

/* The same two surround queries as the SQLite backend (see sqlite_store.c). */
static slash_store_result pg_find_surrounding(slash_store *s, int64_t vid, uint64_t source, uint64_t target,
					      slash_att_rec *out, bool *found)
{
	return att_query(s, PG_ATT_COLS "WHERE validator_id = $1 AND target_epoch > $3 AND source_epoch < $2 "
					"ORDER BY target_epoch LIMIT 1",
			 vid, 2, source, target, out, found);
}

static slash_store_result pg_find_surrounded(slash_store *s, int64_t vid, uint64_t source, uint64_t target,
					     slash_att_rec *out, bool *found)
{
	return att_query(s, PG_ATT_COLS "WHERE validator_id = $1 AND target_epoch > $2 AND target_epoch < $3 "
					"AND source_epoch > $2 ORDER BY target_epoch LIMIT 1",
			 vid, 2, source, target, out, found);
}

static slash_store_result pg_put_attestation(slash_store *s, int64_t vid, const slash_att_rec *a)
{
	pg_params p = { 0 };
	p_i64(&p, vid);
	p_u64(&p, a->source);
	p_u64(&p, a->target);
	p_bytes(&p, a->has_root, a->root, SLASH_ROOT_BYTES);
	return defer(s, "INSERT INTO ss_signed_attestations (validator_id, source_epoch, target_epoch, signing_root) "
			  "VALUES ($1, $2, $3, $4) ON CONFLICT (validator_id, target_epoch) DO UPDATE SET "
			  "source_epoch = EXCLUDED.source_epoch, signing_root = EXCLUDED.signing_root",
		       &p);
}

static slash_store_result pg_each_attestation(slash_store *s, int64_t vid, slash_att_cb cb, void *ctx)
{
	pg_params p = { 0 };
	p_i64(&p, vid);
	PGresult *res;
	slash_store_result r = run(s, PG_ATT_COLS "WHERE validator_id = $1 ORDER BY target_epoch", &p, &res);
	if (r != SLASH_STORE_OK)
		return r;
	for (int i = 0; i < PQntuples(res); i++) {
		slash_att_rec a;
		a.source = col_u64(res, i, 0);
		a.target = col_u64(res, i, 1);
		a.has_root = col_root(res, i, 2, a.root);
		if (!cb(ctx, &a))
			break;
	}
	PQclear(res);
	return SLASH_STORE_OK;
}

static slash_store_result pg_first_att_from(slash_store *s, int64_t vid, uint64_t from, slash_att_rec *out,
					    bool *found)
{
	return att_query(s, PG_ATT_COLS "WHERE validator_id = $1 AND target_epoch >= $2 ORDER BY target_epoch LIMIT 1",
			 vid, 1, from, 0, out, found);
}

static slash_store_result pg_max_att_target(slash_store *s, int64_t vid, uint64_t *target, bool *found)
{
	return one_u64(s, "SELECT max(target_epoch) FROM ss_signed_attestations WHERE validator_id = $1", vid, false, 0,
		       target, found);
}

static slash_store_result pg_max_source_upto(slash_store *s, int64_t vid, uint64_t target, uint64_t *source,
					     bool *found)
{
	return one_u64(s, "SELECT max(source_epoch) FROM ss_signed_attestations WHERE validator_id = $1 AND "
			  "target_epoch <= $2",
		       vid, true, target, source, found);
}

static slash_store_result pg_delete_atts_below(slash_store *s, int64_t vid, uint64_t target, uint64_t *deleted)
{
	return delete_below(s, "DELETE FROM ss_signed_attestations WHERE validator_id = $1 AND target_epoch < $2", vid,
			    target, deleted);
}

static void pg_close(slash_store *s)
{
	if (s == NULL)
		return;
	PQfinish(s->conn);
	free(s->pending);
	free(s);
}

/* Web3Signer's schema (reference/web3signer.md §3.1) in the same database: its tables
 * signed_blocks and signed_attestations. Secure-Signer keeps its own (ss_*), so an
 * operator who points it at Web3Signer's database would otherwise start with none of
 * that history and could sign a double vote Web3Signer's records forbid. */
static slash_store_result pg_foreign_history(slash_store *s, bool *found, slash_reason *why)
{
	*found = false;
	PGresult *res = PQexec(s->conn, "SELECT to_regclass('signed_blocks') IS NOT NULL, "
					 "to_regclass('signed_attestations') IS NOT NULL, "
					 "EXISTS (SELECT 1 FROM ss_validators)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		slash_reasonf(why, "postgres: cannot look for Web3Signer's tables: %s",
			      PQerrorMessage(s->conn));
		PQclear(res);
		return SLASH_STORE_FAIL;
	}
	bool blocks = PQgetvalue(res, 0, 0)[0] == 't', atts = PQgetvalue(res, 0, 1)[0] == 't';
	bool ours = PQgetvalue(res, 0, 2)[0] == 't';
	PQclear(res);
	if (ours || (!blocks && !atts))
		return SLASH_STORE_OK;
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT %s OR %s",
		 blocks ? "EXISTS (SELECT 1 FROM signed_blocks)" : "false",
		 atts ? "EXISTS (SELECT 1 FROM signed_attestations)" : "false");
	res = PQexec(s->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		slash_reasonf(why, "postgres: cannot read Web3Signer's tables: %s",
			      PQerrorMessage(s->conn));
		PQclear(res);
		return SLASH_STORE_FAIL;
	}
	*found = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (*found)
		slash_reasonf(why, "this PostgreSQL database holds Web3Signer's slashing history "
				   "(signed_blocks, signed_attestations), which Secure-Signer does not "
				   "read, and none of its own: migrate it first (web3signer eth2 export "
				   "--to=FILE, then secure-signer slashing import --from=FILE with the "
				   "same --slashing-protection-db-url; docs/migration.md)");
	return SLASH_STORE_OK;
}

static const char *pg_last_error(slash_store *s)
{
	const char *m = s->conn ? PQerrorMessage(s->conn) : NULL;
	return m && m[0] ? m : "no connection";
}

static const slash_store_ops pg_ops = {
	.name = "postgres",
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.data_changed = pg_data_changed,
	.get_meta = pg_get_meta,
	.put_meta = pg_put_meta,
	.get_validator = pg_get_validator,
	.put_validator = pg_put_validator,
	.each_validator = pg_each_validator,
	.block_at = pg_block_at,
	.put_block = pg_put_block,
	.each_block = pg_each_block,
	.first_block_from = pg_first_block_from,
	.max_block_slot = pg_max_block_slot,
	.delete_blocks_below = pg_delete_blocks_below,
	.att_at_target = pg_att_at_target,
	.find_surrounding = pg_find_surrounding,
	.find_surrounded = pg_find_surrounded,
	.put_attestation = pg_put_attestation,
	.each_attestation = pg_each_attestation,
	.first_att_from = pg_first_att_from,
	.max_att_target = pg_max_att_target,
	.max_source_upto = pg_max_source_upto,
	.delete_atts_below = pg_delete_atts_below,
	.last_error = pg_last_error,
	.probe_commits = false,
	.close = pg_close,
	.foreign_history = pg_foreign_history,
};

ss_err slash_pg_store_open(const char *conninfo, slash_store **out, const slash_store_ops **ops, slash_reason *why)
{
	*out = NULL;
	slash_store *s = calloc(1, sizeof *s);
	if (s == NULL)
		return SS_ERR_NOMEM;
	s->generation = -1;
	s->conn = PQconnectdb(conninfo);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		slash_reasonf(why, "postgres: cannot connect: %s", PQerrorMessage(s->conn));
		pg_close(s);
		return SS_ERR_IO;
	}
	/* the schema is created under the same lock as every transaction, so instances
	 * starting together do not race; a newer schema than ours is refused */
	PGresult *res = NULL;
	slash_store_result r = session_setup(s);
	if (r == SLASH_STORE_OK)
		r = pg_begin(s);
	if (r == SLASH_STORE_OK)
		r = run_script(s, pg_schema);
	if (r == SLASH_STORE_OK)
		r = run(s, "SELECT max(version) FROM ss_schema", NULL, &res);
	if (r == SLASH_STORE_OK) {
		int version = PQntuples(res) == 1 && PQgetlength(res, 0, 0) == 4
				      ? (int)(((uint32_t)(uint8_t)PQgetvalue(res, 0, 0)[0] << 24) |
					      ((uint32_t)(uint8_t)PQgetvalue(res, 0, 0)[1] << 16) |
					      ((uint32_t)(uint8_t)PQgetvalue(res, 0, 0)[2] << 8) |
					      (uint32_t)(uint8_t)PQgetvalue(res, 0, 0)[3])
				      : -1;
		PQclear(res);
		if (version != PG_SCHEMA_VERSION) {
			slash_reasonf(why, "postgres: slashing schema version %d is not %d", version, PG_SCHEMA_VERSION);
			r = SLASH_STORE_FAIL;
		}
	}
	if (r == SLASH_STORE_OK)
		r = run_cmd(s, "COMMIT", NULL);
	if (r != SLASH_STORE_OK) {
		if (why != NULL && why->message[0] == '\0')
			slash_reasonf(why, "postgres: cannot create the schema: %s", PQerrorMessage(s->conn));
		pg_close(s);
		return SS_ERR_IO;
	}
	*out = s;
	*ops = &pg_ops;
	return SS_OK;
}

#endif
