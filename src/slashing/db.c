/* The slash_db handle: opening a store, the two check-and-record entry points, and the
 * small administrative calls (enabled flag, genesis validators root, watermarks). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slashing/slashing_internal.h"
#include "util/log.h"

#define DEFAULT_MAX_BATCH 1024u

void slash_reasonf(slash_reason *why, const char *fmt, ...)
{
	if (why == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why->message, sizeof why->message, fmt, ap);
	va_end(ap);
}

ss_err slash_store_err(slash_store_result r)
{
	switch (r) {
	case SLASH_STORE_OK:
		return SS_OK;
	case SLASH_STORE_REFUSED:
		return SS_ERR_REFUSED;
	case SLASH_STORE_RETRY:
		return SS_ERR_RETRY;
	default:
		return SS_ERR_IO;
	}
}

void slash_options_default(slash_options *opts)
{
	memset(opts, 0, sizeof *opts); /* a field added later defaults to 0, never to garbage */
	opts->max_batch = DEFAULT_MAX_BATCH;
	opts->group_commit = true;
	opts->writer_thread = true;
	opts->prune_interval_s = SLASH_PRUNE_DEFAULT_INTERVAL_S;
	opts->prune_keep_epochs = SLASH_PRUNE_DEFAULT_KEEP_EPOCHS;
	opts->prune_slots_per_epoch = SLASH_DEFAULT_SLOTS_PER_EPOCH;
	opts->hold_max_us = SLASH_HOLD_DEFAULT_MAX_US;
}

/* Reloads the metadata cache; on failure the cache is marked stale rather than cleared,
 * because a cleared cache would read as "no root pinned, no high watermark" and let the
 * next check pin another root or pass the watermark. */
static slash_store_result reload_meta(slash_db *db)
{
	slash_meta m;
	slash_store_result r = db->ops->get_meta(db->store, &m);
	if (r == SLASH_STORE_OK) {
		db->meta = m;
		db->meta_stale = false;
	} else {
		db->meta_stale = true;
	}
	return r;
}

slash_store_result slash_tx_begin(slash_db *db)
{
	slash_store_result r = db->ops->begin(db->store);
	bool changed = false;
	if (r == SLASH_STORE_OK)
		r = db->ops->data_changed(db->store, &changed);
	if (r == SLASH_STORE_OK && (changed || db->meta_stale)) {
		/* another process wrote: what we cached may be stale */
		slash_vcache_clear(db);
		r = reload_meta(db);
	}
	if (r != SLASH_STORE_OK)
		db->ops->rollback(db->store);
	return r;
}

slash_store_result slash_tx_commit(slash_db *db)
{
	return db->ops->commit(db->store);
}

void slash_tx_rollback(slash_db *db)
{
	db->ops->rollback(db->store);
	slash_vcache_clear(db);
	/* the operation may have changed the cached metadata (a pinned root) */
	(void)reload_meta(db);
}

/* Wraps an open store in a slash_db: metadata cache, group-commit writer, pruner. Takes
 * ownership of the store (closed on failure). */
static ss_err open_store(slash_db **out, slash_store *store, const slash_store_ops *ops,
			 const slash_options *opts)
{
	slash_options o;
	if (opts != NULL)
		o = *opts;
	else
		slash_options_default(&o);
	slash_db *db = calloc(1, sizeof *db);
	if (db == NULL) {
		ops->close(store);
		return SS_ERR_NOMEM;
	}
	db->store = store;
	db->ops = ops;
	if (db->ops->get_meta(db->store, &db->meta) != SLASH_STORE_OK) {
		db->ops->close(db->store);
		free(db);
		return SS_ERR_IO;
	}
	pthread_mutex_init(&db->conn_lock, NULL);
	pthread_mutex_init(&db->q_lock, NULL);
	pthread_condattr_t ca; /* the writer's bounded hold is timed on CLOCK_MONOTONIC */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&db->q_nonempty, &ca);
	pthread_cond_init(&db->q_done, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&db->pr_lock, NULL);
	db->opts = o;
	db->max_batch = o.group_commit ? (o.max_batch ? o.max_batch : DEFAULT_MAX_BATCH) : 1;
	db->hold_max_ns = (uint64_t)(o.hold_max_us ? o.hold_max_us : SLASH_HOLD_DEFAULT_MAX_US) * 1000u;
	ss_err err;
	if (o.writer_thread && (err = slash_group_commit_start(db)) != SS_OK) {
		slash_close(db);
		return err;
	}
	if (o.writer_thread && o.prune_interval_s > 0 && (err = slash_prune_thread_start(db)) != SS_OK) {
		slash_close(db);
		return err;
	}
	*out = db;
	return SS_OK;
}

/* The two public openers differ only in the backend's open function. */
typedef ss_err (*store_opener)(const char *target, slash_store **out, const slash_store_ops **ops,
			       slash_reason *why);

static ss_err open_backend(slash_db **out, store_opener open_fn, const char *target,
			   const slash_options *opts)
{
	*out = NULL;
	slash_store *store;
	const slash_store_ops *ops;
	slash_reason why = { "" };
	ss_err err = open_fn(target, &store, &ops, &why);
	if (err != SS_OK) {
		log_error("slashing: %s", why.message);
		return err;
	}
	/* A signer (with its writer thread) must not start on an empty history beside one it
	 * cannot read: it would sign what that history refuses. Offline commands open the
	 * store without the writer, so the import that migrates the history still runs. */
	bool found = false;
	if ((opts == NULL || opts->writer_thread) && ops->foreign_history &&
	    ops->foreign_history(store, &found, &why) != SLASH_STORE_OK) {
		log_error("slashing: %s", why.message[0] ? why.message : "cannot read the database");
		ops->close(store);
		return SS_ERR_IO;
	}
	if (found) {
		log_error("slashing: %s", why.message);
		ops->close(store);
		return SS_ERR_EXISTS;
	}
	return open_store(out, store, ops, opts);
}

ss_err slash_open_sqlite(slash_db **out, const char *path, const slash_options *opts)
{
	return open_backend(out, slash_sqlite_store_open, path, opts);
}

ss_err slash_open_sqlite_readonly(slash_db **out, const char *path)
{
	slash_options opts;
	slash_options_default(&opts);
	opts.writer_thread = false;
	opts.prune_interval_s = 0;
	return open_backend(out, slash_sqlite_store_open_readonly, path, &opts);
}

ss_err slash_open_postgres(slash_db **out, const char *conninfo, const slash_options *opts)
{
	return open_backend(out, slash_pg_store_open, conninfo, opts);
}

void slash_close(slash_db *db)
{
	if (db == NULL)
		return;
	slash_prune_thread_stop(db);
	slash_group_commit_stop(db);
	db->ops->close(db->store);
	pthread_mutex_destroy(&db->pr_lock);
	pthread_mutex_destroy(&db->conn_lock);
	pthread_mutex_destroy(&db->q_lock);
	pthread_cond_destroy(&db->q_nonempty);
	pthread_cond_destroy(&db->q_done);
	slash_vcache_clear(db);
	free(db);
}

void slash_get_stats(slash_db *db, slash_stats *out)
{
	pthread_mutex_lock(&db->conn_lock);
	pthread_mutex_lock(&db->q_lock);
	*out = db->stats;
	pthread_mutex_unlock(&db->q_lock);
	pthread_mutex_unlock(&db->conn_lock);
}

void slash_get_counts(slash_db *db, slash_counts *out)
{
	pthread_mutex_lock(&db->q_lock);
	out->transactions = db->stats.batches;
	out->checks = db->stats.checks;
	out->queued = db->q_len;
	pthread_mutex_unlock(&db->q_lock);
}

static slash_decision finish(slash_job *job, slash_reason *why)
{
	if (why != NULL)
		*why = job->why;
	return job->result;
}

/* One job from a check: the blocking and the asynchronous entry points fill it alike. */
static void job_from(slash_job *job, const slash_check *c)
{
	memset(job, 0, sizeof *job);
	job->kind = c->attestation ? SLASH_JOB_ATTESTATION : SLASH_JOB_BLOCK;
	job->slot = c->slot;
	job->source = c->source;
	job->target = c->target;
	job->result = SLASH_ERROR;
	memcpy(job->pubkey, c->pubkey, SLASH_PUBKEY_BYTES);
	memcpy(job->gvr, c->gvr, SLASH_ROOT_BYTES);
	memcpy(job->root, c->signing_root, SLASH_ROOT_BYTES);
}

static slash_decision check_and_wait(slash_db *db, const slash_check *c, slash_reason *why)
{
	slash_job job;
	job_from(&job, c);
	slash_group_commit_submit(db, &job);
	return finish(&job, why);
}

slash_decision slash_check_block(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
				 const uint8_t gvr[SLASH_ROOT_BYTES], uint64_t slot,
				 const uint8_t signing_root[SLASH_ROOT_BYTES], slash_reason *why)
{
	slash_check c = { .attestation = false, .slot = slot };
	memcpy(c.pubkey, pubkey, SLASH_PUBKEY_BYTES);
	memcpy(c.gvr, gvr, SLASH_ROOT_BYTES);
	memcpy(c.signing_root, signing_root, SLASH_ROOT_BYTES);
	return check_and_wait(db, &c, why);
}

slash_decision slash_check_attestation(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
				       const uint8_t gvr[SLASH_ROOT_BYTES], uint64_t source,
				       uint64_t target,
				       const uint8_t signing_root[SLASH_ROOT_BYTES],
				       slash_reason *why)
{
	slash_check c = { .attestation = true, .source = source, .target = target };
	memcpy(c.pubkey, pubkey, SLASH_PUBKEY_BYTES);
	memcpy(c.gvr, gvr, SLASH_ROOT_BYTES);
	memcpy(c.signing_root, signing_root, SLASH_ROOT_BYTES);
	return check_and_wait(db, &c, why);
}

typedef struct {
	slash_job job; /* first: on_done gets its address */
	slash_done_fn done;
	void *ctx;
} async_job;

static void async_done(slash_job *job)
{
	async_job *a = (async_job *)(void *)job;
	a->done(a->ctx, job->result, &job->why);
	free(a);
}

uint64_t slash_check_async(slash_db *db, const slash_check *c, bool hold, slash_done_fn done,
			   void *ctx)
{
	async_job *a = malloc(sizeof *a);
	if (!a) {
		slash_reason why;
		memset(&why, 0, sizeof why);
		snprintf(why.message, sizeof why.message, "slashing database: out of memory");
		done(ctx, SLASH_ERROR, &why);
		return 0;
	}
	job_from(&a->job, c);
	a->job.held = hold;
	a->job.on_done = async_done;
	a->done = done;
	a->ctx = ctx;
	return slash_group_commit_enqueue(db, &a->job);
}

/* Runs a short administrative write: fn inside one transaction under conn_lock. */
typedef slash_store_result (*admin_fn)(slash_db *db, void *ctx);

static ss_err admin_write(slash_db *db, admin_fn fn, void *ctx)
{
	pthread_mutex_lock(&db->conn_lock);
	slash_vcache_clear(db);
	slash_store_result r = slash_tx_begin(db);
	if (r == SLASH_STORE_OK) {
		r = fn(db, ctx);
		if (r == SLASH_STORE_OK)
			r = slash_tx_commit(db);
		if (r != SLASH_STORE_OK)
			slash_tx_rollback(db);
	}
	pthread_mutex_unlock(&db->conn_lock);
	return slash_store_err(r);
}

typedef struct {
	const uint8_t *pubkey;
	bool enabled;
} enabled_ctx;

static slash_store_result do_set_enabled(slash_db *db, void *p)
{
	enabled_ctx *c = p;
	slash_validator v;
	bool found;
	slash_store_result r = db->ops->get_validator(db->store, c->pubkey, true, &v, &found);
	if (r != SLASH_STORE_OK || v.enabled == c->enabled)
		return r;
	v.enabled = c->enabled;
	return db->ops->put_validator(db->store, &v);
}

ss_err slash_set_enabled(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES], bool enabled)
{
	enabled_ctx c = { pubkey, enabled };
	return admin_write(db, do_set_enabled, &c);
}

ss_err slash_get_enabled(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES], bool *enabled)
{
	slash_validator v;
	bool found = false;
	pthread_mutex_lock(&db->conn_lock);
	slash_store_result r = db->ops->get_validator(db->store, pubkey, false, &v, &found);
	pthread_mutex_unlock(&db->conn_lock);
	if (r != SLASH_STORE_OK)
		return slash_store_err(r);
	if (!found)
		return SS_ERR_NOT_FOUND;
	*enabled = v.enabled;
	return SS_OK;
}

static slash_store_result do_pin_gvr(slash_db *db, void *p)
{
	const uint8_t *gvr = p;
	if (db->meta.has_gvr)
		return memcmp(db->meta.gvr, gvr, SLASH_ROOT_BYTES) == 0 ? SLASH_STORE_OK
									: SLASH_STORE_REFUSED;
	slash_meta m = db->meta;
	m.has_gvr = true;
	memcpy(m.gvr, gvr, SLASH_ROOT_BYTES);
	slash_store_result r = db->ops->put_meta(db->store, &m);
	if (r == SLASH_STORE_OK)
		db->meta = m;
	return r;
}

ss_err slash_pin_gvr(slash_db *db, const uint8_t gvr[SLASH_ROOT_BYTES])
{
	return admin_write(db, do_pin_gvr, (void *)gvr);
}

ss_err slash_get_gvr(slash_db *db, uint8_t gvr[SLASH_ROOT_BYTES], bool *pinned)
{
	slash_meta m;
	pthread_mutex_lock(&db->conn_lock);
	slash_store_result r = db->ops->get_meta(db->store, &m);
	if (r == SLASH_STORE_OK) {
		db->meta = m;
		db->meta_stale = false;
	}
	pthread_mutex_unlock(&db->conn_lock);
	if (r != SLASH_STORE_OK)
		return slash_store_err(r);
	*pinned = m.has_gvr;
	memcpy(gvr, m.gvr, SLASH_ROOT_BYTES);
	return SS_OK;
}

/* Reads the store rather than the cache, so that callers (the health check, the
 * highWatermark route) learn when the database has become unreadable. Between batches
 * no transaction is open, so what it reads is the committed state. */
ss_err slash_get_high_watermark(slash_db *db, slash_watermark *out)
{
	slash_meta m;
	pthread_mutex_lock(&db->conn_lock);
	slash_store_result r = db->ops->get_meta(db->store, &m);
	if (r == SLASH_STORE_OK) {
		db->meta = m;
		db->meta_stale = false;
	}
	pthread_mutex_unlock(&db->conn_lock);
	if (r != SLASH_STORE_OK)
		return slash_store_err(r);
	*out = m.high;
	return SS_OK;
}

static slash_store_result do_put_high(slash_db *db, void *p)
{
	slash_meta m = db->meta;
	m.high = *(const slash_watermark *)p;
	slash_store_result r = db->ops->put_meta(db->store, &m);
	if (r == SLASH_STORE_OK)
		db->meta = m;
	return r;
}

ss_err slash_set_high_watermark(slash_db *db, uint64_t epoch, uint64_t slot)
{
	slash_watermark w = { .set = true, .epoch = epoch, .slot = slot };
	return admin_write(db, do_put_high, &w);
}

ss_err slash_clear_high_watermark(slash_db *db)
{
	slash_watermark w = { .set = false };
	return admin_write(db, do_put_high, &w);
}

ss_err slash_get_low_watermark(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
			       slash_low_watermark *out)
{
	slash_validator v;
	bool found = false;
	pthread_mutex_lock(&db->conn_lock);
	slash_store_result r = db->ops->get_validator(db->store, pubkey, false, &v, &found);
	pthread_mutex_unlock(&db->conn_lock);
	if (r != SLASH_STORE_OK)
		return slash_store_err(r);
	if (!found)
		return SS_ERR_NOT_FOUND;
	memset(out, 0, sizeof *out);
	out->has_slot = v.has_lw_slot;
	out->slot = v.lw_slot;
	out->has_epochs = v.has_lw_epochs;
	out->source_epoch = v.lw_source;
	out->target_epoch = v.lw_target;
	return SS_OK;
}

typedef struct {
	const uint8_t (*keys)[SLASH_PUBKEY_BYTES];
	size_t n;
	uint64_t epoch, slot;
	slash_validator *all;
	size_t n_all, cap_all;
	bool nomem;
} repair_ctx;

static void raise_floor(slash_validator *v, uint64_t epoch, uint64_t slot)
{
	if (!v->has_lw_slot || v->lw_slot < slot)
		v->lw_slot = slot;
	v->has_lw_slot = true;
	if (!v->has_lw_epochs || v->lw_source < epoch)
		v->lw_source = epoch;
	if (!v->has_lw_epochs || v->lw_target < epoch)
		v->lw_target = epoch;
	v->has_lw_epochs = true;
}

static bool collect_validator(void *p, const uint8_t pubkey[SLASH_PUBKEY_BYTES], const slash_validator *v)
{
	repair_ctx *c = p;
	(void)pubkey;
	if (c->n_all == c->cap_all) {
		size_t cap = c->cap_all ? 2 * c->cap_all : 64;
		slash_validator *nv = realloc(c->all, cap * sizeof *nv);
		if (nv == NULL) {
			c->nomem = true;
			return false;
		}
		c->all = nv;
		c->cap_all = cap;
	}
	c->all[c->n_all++] = *v;
	return true;
}

static slash_store_result do_repair(slash_db *db, void *p)
{
	repair_ctx *c = p;
	slash_store_result r = SLASH_STORE_OK;
	if (c->n > 0) {
		/* named keys are registered if new, so keys about to be imported are covered */
		for (size_t i = 0; r == SLASH_STORE_OK && i < c->n; i++) {
			slash_validator v;
			bool found;
			r = db->ops->get_validator(db->store, c->keys[i], true, &v, &found);
			if (r == SLASH_STORE_OK) {
				raise_floor(&v, c->epoch, c->slot);
				r = db->ops->put_validator(db->store, &v);
			}
		}
		return r;
	}
	r = db->ops->each_validator(db->store, collect_validator, c);
	if (c->nomem)
		return SLASH_STORE_FAIL;
	for (size_t i = 0; r == SLASH_STORE_OK && i < c->n_all; i++) {
		raise_floor(&c->all[i], c->epoch, c->slot);
		r = db->ops->put_validator(db->store, &c->all[i]);
	}
	return r;
}

ss_err slash_raise_low_watermarks(slash_db *db, const uint8_t (*pubkeys)[SLASH_PUBKEY_BYTES], size_t n,
				  uint64_t epoch, uint64_t slot)
{
	repair_ctx c = { .keys = pubkeys, .n = n, .epoch = epoch, .slot = slot };
	ss_err err = admin_write(db, do_repair, &c);
	free(c.all);
	return c.nomem ? SS_ERR_NOMEM : err;
}

ss_err slash_write_check(slash_db *db, slash_reason *why)
{
	pthread_mutex_lock(&db->conn_lock);
	slash_store_result r = slash_tx_begin(db);
	const char *step = "begin a write transaction";
	if (r == SLASH_STORE_OK) {
		step = "write";
		/* The row changed and changed back, so that the transaction has a page to
		 * write (SQLite skips an UPDATE to the same values) and no state changes
		 * whether it commits or not. */
		slash_meta flipped = db->meta;
		flipped.high.set = !flipped.high.set;
		r = db->ops->put_meta(db->store, &flipped);
		if (r == SLASH_STORE_OK)
			r = db->ops->put_meta(db->store, &db->meta);
		if (r == SLASH_STORE_OK && db->ops->probe_commits) {
			step = "commit";
			r = slash_tx_commit(db);
		} else if (r == SLASH_STORE_OK) {
			db->ops->rollback(db->store);
		}
		if (r != SLASH_STORE_OK)
			slash_reasonf(why, "cannot %s: %s", step, db->ops->last_error(db->store));
		if (r != SLASH_STORE_OK)
			slash_tx_rollback(db);
	} else {
		slash_reasonf(why, "cannot %s: %s", step, db->ops->last_error(db->store));
	}
	pthread_mutex_unlock(&db->conn_lock);
	return slash_store_err(r);
}
