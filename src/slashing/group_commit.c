/* Group commit: many threads' check-and-record requests, one transaction, one fsync.
 *
 * Callers put their job on a queue and sleep. One writer thread takes everything queued
 * (up to max_batch), applies the rules to each job in arrival order inside one
 * transaction, commits it (SQLite WAL + synchronous=FULL: one fsync), and only then wakes
 * the callers. While it commits, new jobs pile up and form the next batch, so the batch
 * size adapts to the load with no timer: one caller pays one fsync per check, a burst of
 * N callers pays about one fsync per N checks.
 *
 * A held job (slash_check_async with hold) also lets the writer wait for more: its caller
 * is busy until it releases the ticket (the signer: until the request's signature leaves
 * the queue), so a transaction started earlier would answer nobody sooner. The writer
 * starts a batch once its oldest job is unheld, released or held for hold_max_ns; every
 * job queued by then joins it. Each fsync is also about 50 us of kernel CPU on a
 * virtual disk, so fewer, larger batches leave more of the cores to signing.
 *
 * Safety: a job is answered only after the commit that holds its record returned OK
 * (DESIGN.md invariant 1). If anything in the batch fails, the whole transaction is
 * rolled back and every job of the batch gets SLASH_ERROR, including those that would
 * have been refused or re-signed: their decision may rest on a record that was never
 * committed. One writer applying jobs in order makes check-then-record atomic per
 * validator (invariant 2) without per-validator locks. */
#include <stdio.h>
#include <string.h>
#include <semaphore.h>
#include <time.h>

#include "slashing/slashing_internal.h"
#include "util/mono_clock.h"
#include "util/thread_name.h"

/* A sleeping caller's semaphore: the writer wakes exactly the callers of the batch it
 * committed, without a shared lock. */
typedef struct gc_waiter {
	sem_t sem;
} gc_waiter;

static void fail_batch(slash_job *batch, const char *what)
{
	for (slash_job *j = batch; j != NULL; j = j->next) {
		j->result = SLASH_ERROR;
		snprintf(j->why.message, sizeof j->why.message, "slashing database: %s", what);
	}
}

/* Applies and commits one batch (a NULL-terminated list); under conn_lock. */
static void run_batch(slash_db *db, slash_job *batch)
{
	pthread_mutex_lock(&db->conn_lock);
	uint64_t t0 = mono_ns();
	slash_store_result r = slash_tx_begin(db);
	if (r != SLASH_STORE_OK) {
		fail_batch(batch, r == SLASH_STORE_RETRY ? "busy, try again" : "cannot begin a transaction");
		pthread_mutex_unlock(&db->conn_lock);
		return;
	}
	for (slash_job *j = batch; j != NULL; j = j->next) {
		r = slash_rules_apply(db, j);
		if (r != SLASH_STORE_OK) {
			slash_tx_rollback(db);
			fail_batch(batch, r == SLASH_STORE_RETRY ? "busy, try again" : "write failed");
			pthread_mutex_unlock(&db->conn_lock);
			return;
		}
	}
	uint64_t t1 = mono_ns();
	r = slash_tx_commit(db);
	if (r != SLASH_STORE_OK) {
		slash_tx_rollback(db);
		fail_batch(batch, "commit failed; nothing was recorded");
	}
	db->stats.apply_ns += t1 - t0;
	db->stats.commit_ns += mono_ns() - t1;
	pthread_mutex_unlock(&db->conn_lock);
}

static uint64_t deadline_of(const slash_db *db, const slash_job *head)
{
	return head->queued_ns + db->hold_max_ns;
}

/* Whether the writer must start a transaction now rather than wait for more checks:
 * the oldest queued check is not held (or was released, or has been held for
 * hold_max_ns), the queue fills a batch, or the store is closing. */
static bool batch_due(slash_db *db)
{
	const slash_job *head = db->q_head;
	return !head->held || head->ticket <= db->released_ticket ||
	       db->q_len >= db->max_batch || db->stopping || mono_ns() >= deadline_of(db, head);
}

static void *writer_main(void *arg)
{
	thread_name_set("ss-slash-write");
	slash_db *db = arg;
	pthread_mutex_lock(&db->q_lock);
	for (;;) {
		while (db->q_head == NULL && !db->stopping)
			pthread_cond_wait(&db->q_nonempty, &db->q_lock);
		if (db->q_head == NULL)
			break; /* stopping, and every queued job has been answered */
		if (!batch_due(db)) {
			struct timespec ts = mono_timespec(deadline_of(db, db->q_head));
			pthread_cond_timedwait(&db->q_nonempty, &db->q_lock, &ts);
			continue;
		}
		slash_job *batch = db->q_head, *last = batch;
		unsigned n = 1;
		while (last->next != NULL && n < db->max_batch) {
			last = last->next;
			n++;
		}
		db->q_head = last->next;
		if (db->q_head == NULL)
			db->q_tail = NULL;
		db->q_len -= n;
		last->next = NULL;
		db->writer_busy = true;
		pthread_mutex_unlock(&db->q_lock);

		run_batch(db, batch);
		/* Counted before anyone is answered, so a caller that reads the counters
		 * after its answer sees its own batch. */
		pthread_mutex_lock(&db->q_lock);
		db->stats.batches++;
		db->stats.checks += n;
		db->writer_busy = false;
		pthread_cond_broadcast(&db->q_done);
		pthread_mutex_unlock(&db->q_lock);

		for (slash_job *j = batch, *next; j != NULL; j = next) {
			/* read next first: on_done ends the job (the caller's stack frame
			 * returns, or the heap job is freed) */
			next = j->next;
			j->on_done(j);
		}
		pthread_mutex_lock(&db->q_lock);
	}
	pthread_mutex_unlock(&db->q_lock);
	return NULL;
}

uint64_t slash_group_commit_enqueue(slash_db *db, slash_job *job)
{
	job->next = NULL;
	if (!db->has_writer) {
		run_batch(db, job);
		job->on_done(job);
		return 0;
	}
	pthread_mutex_lock(&db->q_lock);
	if (db->stopping) {
		pthread_mutex_unlock(&db->q_lock);
		fail_batch(job, "closing");
		job->on_done(job);
		return 0;
	}
	uint64_t ticket = job->ticket = ++db->last_ticket;
	job->queued_ns = mono_ns();
	if (!job->held)
		db->released_ticket = ticket; /* it, and every held job before it, may go */
	if (db->q_tail != NULL)
		db->q_tail->next = job;
	else
		db->q_head = job;
	db->q_tail = job;
	db->q_len++;
	/* A held job alone wakes nobody: the writer is woken when it is released (or
	 * when the queue fills a batch); an unheld one may be due at once. */
	if (!job->held || db->q_head == job || db->q_len >= db->max_batch)
		pthread_cond_signal(&db->q_nonempty);
	pthread_mutex_unlock(&db->q_lock);
	return ticket;
}

/* A pthread mutex is not fair: an import that unlocks conn_lock and locks it again at
 * once usually wins over the writer sleeping on it, and signing would wait for the
 * whole import after all. So the import steps aside while a batch is due or in
 * progress, for one batch and at most YIELD_MAX_NS. */
#define YIELD_MAX_NS (200u * 1000u * 1000u)

void slash_group_commit_yield(slash_db *db)
{
	if (!db->has_writer)
		return;
	pthread_mutex_lock(&db->q_lock);
	const uint64_t batches = db->stats.batches, deadline = mono_ns() + YIELD_MAX_NS;
	while (!db->stopping && db->stats.batches == batches &&
	       (db->writer_busy || (db->q_head != NULL && batch_due(db))) && mono_ns() < deadline) {
		/* wake at least every millisecond: batch_due may turn true by the clock */
		uint64_t until = mono_ns() + 1000000u;
		struct timespec ts = mono_timespec(until < deadline ? until : deadline);
		pthread_cond_timedwait(&db->q_done, &db->q_lock, &ts);
	}
	pthread_mutex_unlock(&db->q_lock);
}

void slash_release(slash_db *db, uint64_t ticket)
{
	pthread_mutex_lock(&db->q_lock);
	if (ticket > db->released_ticket) {
		db->released_ticket = ticket;
		if (db->q_head != NULL && db->q_head->ticket <= ticket)
			pthread_cond_signal(&db->q_nonempty);
	}
	pthread_mutex_unlock(&db->q_lock);
}

static void wake_waiter(slash_job *job)
{
	sem_post(&((gc_waiter *)job->ctx)->sem);
}

void slash_group_commit_submit(slash_db *db, slash_job *job)
{
	gc_waiter w;
	if (sem_init(&w.sem, 0, 0) != 0) {
		job->next = NULL;
		fail_batch(job, "cannot wait");
		return;
	}
	job->on_done = wake_waiter;
	job->ctx = &w; /* cppcheck-suppress autoVariables ; cleared before w goes away */
	slash_group_commit_enqueue(db, job);
	while (sem_wait(&w.sem) != 0)
		; /* EINTR: keep waiting, on_done always posts */
	sem_destroy(&w.sem);
	job->ctx = NULL; /* w ends here; the writer is done with the job */
}

ss_err slash_group_commit_start(slash_db *db)
{
	db->stopping = false;
	if (pthread_create(&db->writer, NULL, writer_main, db) != 0)
		return SS_ERR_INTERNAL;
	db->has_writer = true;
	return SS_OK;
}

void slash_group_commit_stop(slash_db *db)
{
	if (!db->has_writer)
		return;
	pthread_mutex_lock(&db->q_lock);
	db->stopping = true;
	pthread_cond_signal(&db->q_nonempty);
	pthread_mutex_unlock(&db->q_lock);
	pthread_join(db->writer, NULL);
	db->has_writer = false;
}
