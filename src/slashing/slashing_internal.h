/* Module-internal declarations of the slashing module: the slash_db handle, the check
 * job that travels through the group-commit queue, and helpers shared by its files. */
#ifndef SS_SLASHING_INTERNAL_H
#define SS_SLASHING_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "slashing/slashing.h"
#include "slashing/store.h"

typedef enum { SLASH_JOB_BLOCK, SLASH_JOB_ATTESTATION } slash_job_kind;

/* One check-and-record request. The writer calls on_done(job) once the batch that holds
 * it has committed (or failed): slash_check_* sleep on a semaphore until then, with the
 * job on their stack; slash_check_async's job is on the heap and on_done hands the
 * decision to the caller's callback and frees it. */
typedef struct slash_job {
	slash_job_kind kind;
	uint8_t pubkey[SLASH_PUBKEY_BYTES];
	uint8_t gvr[SLASH_ROOT_BYTES];
	uint8_t root[SLASH_ROOT_BYTES];
	uint64_t slot, source, target;
	slash_decision result;
	slash_reason why;
	bool held;	/* may wait for slash_release(ticket) before its transaction */
	uint64_t ticket; /* order of arrival, from 1 */
	uint64_t queued_ns;
	void (*on_done)(struct slash_job *job);
	void *ctx; /* on_done's: the sleeping caller's semaphore, or the async callback */
	struct slash_job *next;
} slash_job;

/* The writer's cached view of one validator (validator_cache.c). */
typedef struct {
	bool used;
	uint8_t pubkey[SLASH_PUBKEY_BYTES];
	slash_validator v;
	bool has_max_slot, has_max_att;
	uint64_t max_slot, max_source, max_target;
	bool stale; /* an import changed the validator: reload before use */
} slash_vstate;

struct slash_db {
	slash_store *store;
	const slash_store_ops *ops;
	/* conn_lock serialises every use of the store: the writer's batches and the
	 * administrative calls (import, export, prune, watermarks, enabled). */
	pthread_mutex_t conn_lock;
	slash_meta meta; /* cache of the metadata row, under conn_lock */
	bool meta_stale;  /* meta could not be reloaded: reload before the next use */
	slash_vstate *vcache; /* open addressing, under conn_lock */
	size_t vcache_cap, vcache_len;

	/* Group commit queue (group_commit.c), under q_lock. */
	pthread_mutex_t q_lock;
	pthread_cond_t q_nonempty;
	slash_job *q_head, *q_tail;
	unsigned q_len;
	uint64_t last_ticket;	  /* the newest job's */
	uint64_t released_ticket; /* jobs up to this one need not be held */
	bool stopping, has_writer;
	bool writer_busy; /* a batch is taken off the queue and not yet counted */
	pthread_cond_t q_done; /* broadcast after each batch is counted */
	pthread_t writer;
	unsigned max_batch;
	uint64_t hold_max_ns; /* slash_options.hold_max_us */
	slash_stats stats; /* under q_lock; apply/commit times under conn_lock */

	/* The background pruning thread (prune_thread.c), under pr_lock. */
	pthread_mutex_t pr_lock;
	pthread_cond_t pr_cond;
	bool pr_running, pr_stopping;
	pthread_t pruner;
	slash_options opts;
};

/* uint64 <-> a database's signed 64-bit integer (SQLite INTEGER, PostgreSQL BIGINT),
 * order preserving: stored = value - 2^63, so that the
 * database's signed comparisons order slots and epochs correctly up to 2^64-1. Written
 * without out-of-range conversions, which C leaves implementation-defined. */
static inline int64_t slash_u64_to_db(uint64_t v)
{
	const uint64_t half = (uint64_t)1 << 63;
	if (v >= half)
		return (int64_t)(v - half);
	return -(int64_t)(half - 1 - v) - 1;
}

static inline uint64_t slash_db_to_u64(int64_t s)
{
	const uint64_t half = (uint64_t)1 << 63;
	if (s >= 0)
		return (uint64_t)s + half;
	return half - 1 - (uint64_t)(-(s + 1));
}

/* printf into why (when not NULL). */
void slash_reasonf(slash_reason *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Maps a store result to the error code of the public API. */
ss_err slash_store_err(slash_store_result r);

/* rules.c: decides one job against the store inside the caller's open transaction,
 * recording it when allowed. OK means job->result/why are set (ALLOWED or REFUSED);
 * anything else is a store failure and the transaction must be rolled back. */
slash_store_result slash_rules_apply(slash_db *db, slash_job *job);

/* validator_cache.c: the entry for pubkey, loaded (and registered) on first use. */
slash_store_result slash_vcache_get(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
				    slash_vstate **out);
/* Replaces the cached row of pubkey, if cached, after a committed change to it. */
void slash_vcache_refresh(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
			  const slash_validator *v);
/* Forgets everything; after a rollback or an administrative change. */
void slash_vcache_clear(slash_db *db);
/* Marks pubkey's entry, if cached, to be reloaded on its next use: after a committed
 * import into that one validator, so the others stay cached. */
void slash_vcache_forget(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES]);

/* prune_thread.c: the background thread that runs slash_prune (prune.c) */
ss_err slash_prune_thread_start(slash_db *db);
void slash_prune_thread_stop(slash_db *db);

/* group_commit.c */
ss_err slash_group_commit_start(slash_db *db);
void slash_group_commit_stop(slash_db *db);
/* Queues job for the writer and returns its ticket; job->on_done(job) is called exactly
 * once, on the writer thread after the commit, or before this returns (no writer: the
 * check runs inline; closing: it fails). */
uint64_t slash_group_commit_enqueue(slash_db *db, slash_job *job);
/* Enqueues job and sleeps until it is answered. */
void slash_group_commit_submit(slash_db *db, slash_job *job);
/* Called by a long administrative operation between its short transactions, without
 * conn_lock: when checks are waiting for a transaction, waits (briefly, bounded) until
 * the writer has run one, so signing is not starved by the operation re-taking the
 * lock at once. */
void slash_group_commit_yield(slash_db *db);

/* import_check.c: one validator's records for an import, stored ones (stored = true)
 * and the file's (entry, item: their place in the file, for the error message). */
typedef struct {
	slash_block_rec rec;
	bool stored, write;
	uint32_t entry, item;
} slash_imp_block;

typedef struct {
	slash_att_rec rec;
	bool stored, write;
	uint32_t entry, item;
} slash_imp_att;

/* Check one validator's records for an import in O(n log n) (sorts the array): SS_OK,
 * or SS_ERR_REFUSED with why naming a slashable record of the file. On SS_OK the records
 * to write (insert, or replace a stored one by "unknown root") have write = true. */
ss_err slash_import_plan_blocks(slash_imp_block *b, size_t n, slash_reason *why) SS_MUST_USE;
ss_err slash_import_plan_atts(slash_imp_att *a, size_t n, slash_reason *why) SS_MUST_USE;

/* db.c: begin/commit/rollback around an administrative operation, under conn_lock.
 * rollback also reloads the metadata cache, which the operation may have changed. */
slash_store_result slash_tx_begin(slash_db *db);
slash_store_result slash_tx_commit(slash_db *db);
void slash_tx_rollback(slash_db *db);

#endif
