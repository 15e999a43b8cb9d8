/* Group commit: many threads' check-and-record requests, one transaction, one fsync.
 *
 * Callers put their job on a queue and sleep. One writer thread takes everything queued
 * (up to max_batch), applies the rules to each job in arrival order inside one
 * transaction, commits it (SQLite WAL + synchronous=FULL: one fsync), and only then wakes
 * the callers. While it commits, new jobs pile up and form the next batch, so the batch
 * size adapts to the load with no timer: one caller pays one fsync per check, a burst of
 * N callers pays about one fsync per N checks.
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

/* Each caller sleeps on its own semaphore: the writer wakes exactly the callers of the
 * batch it committed, without a shared lock (sem_post never touches the semaphore
 * after the waiter can return, so the caller may destroy it at once). */
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

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Applies and commits one batch (a NULL-terminated list); under conn_lock. */
static void run_batch(slash_db *db, slash_job *batch)
{
	pthread_mutex_lock(&db->conn_lock);
	uint64_t t0 = now_ns();
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
	uint64_t t1 = now_ns();
	r = slash_tx_commit(db);
	if (r != SLASH_STORE_OK) {
		slash_tx_rollback(db);
		fail_batch(batch, "commit failed; nothing was recorded");
	}
	db->stats.apply_ns += t1 - t0;
	db->stats.commit_ns += now_ns() - t1;
	pthread_mutex_unlock(&db->conn_lock);
}

static void *writer_main(void *arg)
{
	slash_db *db = arg;
	pthread_mutex_lock(&db->q_lock);
	for (;;) {
		while (db->q_head == NULL && !db->stopping)
			pthread_cond_wait(&db->q_nonempty, &db->q_lock);
		if (db->q_head == NULL)
			break; /* stopping, and every queued job has been answered */
		slash_job *batch = db->q_head, *last = batch;
		unsigned n = 1;
		while (last->next != NULL && n < db->max_batch) {
			last = last->next;
			n++;
		}
		db->q_head = last->next;
		if (db->q_head == NULL)
			db->q_tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&db->q_lock);

		run_batch(db, batch);

		for (slash_job *j = batch, *next; j != NULL; j = next) {
			/* read next first: once posted the caller may return and its stack
			 * frame (the job) is gone */
			next = j->next;
			gc_waiter *w = (gc_waiter *)j->waiter;
			sem_post(&w->sem);
		}
		pthread_mutex_lock(&db->q_lock);
		db->stats.batches++;
		db->stats.checks += n;
	}
	pthread_mutex_unlock(&db->q_lock);
	return NULL;
}

void slash_gc_submit(slash_db *db, slash_job *job)
{
	job->next = NULL;
	if (!db->has_writer) {
		run_batch(db, job);
		return;
	}
	gc_waiter w;
	if (sem_init(&w.sem, 0, 0) != 0) {
		fail_batch(job, "cannot wait");
		return;
	}
	job->waiter = &w; /* cppcheck-suppress autoVariables ; cleared before w goes away */
	pthread_mutex_lock(&db->q_lock);
	if (db->stopping) {
		pthread_mutex_unlock(&db->q_lock);
		sem_destroy(&w.sem);
		job->waiter = NULL;
		fail_batch(job, "closing");
		return;
	}
	if (db->q_tail != NULL)
		db->q_tail->next = job;
	else
		db->q_head = job;
	db->q_tail = job;
	pthread_cond_signal(&db->q_nonempty);
	pthread_mutex_unlock(&db->q_lock);
	while (sem_wait(&w.sem) != 0)
		; /* EINTR: keep waiting, the writer always posts */
	sem_destroy(&w.sem);
	job->waiter = NULL; /* w ends here; the writer is done with the job */
}

ss_err slash_gc_start(slash_db *db)
{
	db->stopping = false;
	if (pthread_create(&db->writer, NULL, writer_main, db) != 0)
		return SS_ERR_INTERNAL;
	db->has_writer = true;
	return SS_OK;
}

void slash_gc_stop(slash_db *db)
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
