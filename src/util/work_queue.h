/* A first-in first-out queue of work served by a fixed set of named threads: the signer
 * runs its BLS signatures on one (as many threads as cores, so a slot's burst is signed
 * in arrival order and no core is left idle while another has a backlog) and its
 * slashing commit waiters on another.
 *
 * A work item is embedded in the caller's own structure (container_of style), so
 * submitting allocates nothing; it must stay valid until its run() has been called,
 * and run() may free it. */
#ifndef SS_UTIL_WORK_QUEUE_H
#define SS_UTIL_WORK_QUEUE_H

#include <pthread.h>
#include <stdbool.h>

#include "util/error.h"

typedef struct work_item {
	struct work_item *next;
	void (*run)(struct work_item *item); /* called once, on a queue thread */
} work_item;

/* A batched queue's handler (work_queue_start_batched). */
typedef void (*work_batch_fn)(work_item *items);

typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t nonempty;
	work_item *head, *tail;
	unsigned queued;
	unsigned sharing;      /* threads asked for: a batch is at most ceil(queued / sharing) */
	unsigned max_batch;    /* 0: one item at a time, item->run */
	work_batch_fn run_batch;
	bool stop;
	unsigned n_threads, idle;
	pthread_t *threads;
	char name[16];
} work_queue;

/* Starts n (at least 1) threads named name (at most 15 characters shown). */
ss_err work_queue_start(work_queue *q, unsigned n, const char *name) SS_MUST_USE;

/* Starts n threads that take queued items several at a time: up to max_batch, and no
 * more than an even share of the queue (ceil(queued / n)), so the other threads are
 * not left idle while one works through a backlog. run_batch gets them in arrival
 * order, linked by next (NULL-terminated); item->run is not used.
 * For work that is cheaper done together (the signer: one field inversion for all the
 * signatures taken, one wake-up instead of one per request). */
ss_err work_queue_start_batched(work_queue *q, unsigned n, const char *name,
				unsigned max_batch, work_batch_fn run_batch) SS_MUST_USE;

/* Queues item; a thread calls item->run(item) after every item submitted before it
 * has been taken. */
void work_queue_submit(work_queue *q, work_item *item);

/* Runs every item still queued, then joins the threads. */
void work_queue_stop(work_queue *q);

/* The number of CPUs this process may run on (sched_getaffinity), at least 1. */
unsigned work_queue_cpus(void);

#endif
