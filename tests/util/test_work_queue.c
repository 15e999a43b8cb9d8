/* util/work_queue and util/thread_name: first in first out, every item run exactly once
 * on a named queue thread, and stop runs what is still queued. */
#define _GNU_SOURCE /* pthread_getname_np */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "util/thread_name.h"
#include "util/work_queue.h"

#define N_ITEMS 2000

typedef struct {
	work_item item;
	unsigned index;
	_Atomic unsigned runs;
	char thread[16];
} job;

static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned order[N_ITEMS];
static unsigned n_order;

static void record(work_item *it)
{
	job *j = (job *)(void *)it;
	atomic_fetch_add(&j->runs, 1);
	pthread_getname_np(pthread_self(), j->thread, sizeof j->thread);
	pthread_mutex_lock(&order_mu);
	order[n_order++] = j->index;
	pthread_mutex_unlock(&order_mu);
}

static unsigned recorded(void)
{
	pthread_mutex_lock(&order_mu);
	unsigned n = n_order;
	pthread_mutex_unlock(&order_mu);
	return n;
}

static job *submit_all(work_queue *q)
{
	static job jobs[N_ITEMS];
	memset(jobs, 0, sizeof jobs);
	pthread_mutex_lock(&order_mu);
	n_order = 0;
	pthread_mutex_unlock(&order_mu);
	for (unsigned i = 0; i < N_ITEMS; i++) {
		jobs[i].index = i;
		jobs[i].item.run = record;
		work_queue_submit(q, &jobs[i].item);
	}
	return jobs;
}

TEST(work_queue_one_thread_is_fifo_and_named)
{
	work_queue q;
	CHECK(work_queue_start(&q, 1, "ss-test-queue") == SS_OK);
	job *jobs = submit_all(&q);
	work_queue_stop(&q); /* runs everything still queued */
	CHECK_EQ_U64(n_order, N_ITEMS);
	for (unsigned i = 0; i < N_ITEMS; i++) {
		CHECK_EQ_U64(order[i], i);
		CHECK_EQ_U64(atomic_load(&jobs[i].runs), 1);
	}
	CHECK(strcmp(jobs[0].thread, "ss-test-queue") == 0);
}

TEST(work_queue_many_threads_run_each_item_once)
{
	work_queue q;
	CHECK(work_queue_start(&q, 4, "ss-test-many") == SS_OK);
	for (int round = 0; round < 5; round++) {
		job *jobs = submit_all(&q);
		for (int i = 0; i < 500 && recorded() < N_ITEMS; i++)
			usleep(10 * 1000);
		CHECK_EQ_U64(recorded(), N_ITEMS);
		for (unsigned i = 0; i < N_ITEMS; i++)
			CHECK_EQ_U64(atomic_load(&jobs[i].runs), 1);
	}
	work_queue_stop(&q);
}

static void slow(work_item *it)
{
	usleep(100 * 1000); /* the rest is queued meanwhile */
	record(it);
}

TEST(work_queue_stop_runs_what_is_queued)
{
	static job jobs[101];
	memset(jobs, 0, sizeof jobs);
	pthread_mutex_lock(&order_mu);
	n_order = 0;
	pthread_mutex_unlock(&order_mu);
	work_queue q;
	CHECK(work_queue_start(&q, 0, "ss-test-none") == SS_ERR_INVALID);
	CHECK(work_queue_start(&q, 1, "ss-test-stop") == SS_OK);
	for (unsigned i = 0; i < 101; i++) {
		jobs[i].index = i;
		jobs[i].item.run = i == 0 ? slow : record;
		work_queue_submit(&q, &jobs[i].item);
	}
	CHECK(recorded() < 101); /* the thread is still in the first item */
	work_queue_stop(&q);
	CHECK_EQ_U64(recorded(), 101);
	for (unsigned i = 0; i < 101; i++)
		CHECK_EQ_U64(atomic_load(&jobs[i].runs), 1);
}

/* Batched queues (work_queue_start_batched). */
static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t batch_cv = PTHREAD_COND_INITIALIZER;
static unsigned batch_sizes[N_ITEMS], n_batches, parked;
static bool gate_open, gate_used;

/* Records the batch's size and each item; the first batch of each thread may wait at
 * a gate (gate_used) until the test opens it. */
static void record_batch(work_item *items)
{
	unsigned count = 0;
	for (work_item *it = items; it != NULL; it = it->next)
		count++;
	pthread_mutex_lock(&batch_mu);
	batch_sizes[n_batches++] = count;
	if (gate_used && ((job *)(void *)items)->index >= N_ITEMS - 2) {
		parked++;
		pthread_cond_broadcast(&batch_cv);
		while (!gate_open)
			pthread_cond_wait(&batch_cv, &batch_mu);
	}
	pthread_mutex_unlock(&batch_mu);
	for (work_item *it = items, *next; it != NULL; it = next) {
		next = it->next;
		record(it);
	}
}

static void reset_batches(bool gate)
{
	pthread_mutex_lock(&batch_mu);
	n_batches = parked = 0;
	gate_open = false;
	gate_used = gate;
	pthread_mutex_unlock(&batch_mu);
	pthread_mutex_lock(&order_mu);
	n_order = 0;
	pthread_mutex_unlock(&order_mu);
}

/* Queues a gate item (an index record_batch parks on) and waits until a thread holds it. */
static void submit_gate(work_queue *q, job *j, unsigned nth)
{
	j->index = N_ITEMS - 2 + nth;
	work_queue_submit(q, &j->item);
	pthread_mutex_lock(&batch_mu);
	while (parked < nth + 1)
		pthread_cond_wait(&batch_cv, &batch_mu);
	pthread_mutex_unlock(&batch_mu);
}

/* Queues jobs[from..to) behind the parked gates, then lets every thread go on. */
static void submit_then_open(work_queue *q, job *jobs, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++) {
		jobs[i].index = i;
		work_queue_submit(q, &jobs[i].item);
	}
	pthread_mutex_lock(&batch_mu);
	gate_open = true;
	pthread_cond_broadcast(&batch_cv);
	pthread_mutex_unlock(&batch_mu);
}

TEST(work_queue_batched_one_thread_is_fifo_in_batches)
{
	static job jobs[101];
	memset(jobs, 0, sizeof jobs);
	reset_batches(true);
	work_queue q;
	CHECK(work_queue_start_batched(&q, 1, "ss-test-batch", 0, record_batch) == SS_ERR_INVALID);
	CHECK(work_queue_start_batched(&q, 1, "ss-test-batch", 8, NULL) == SS_ERR_INVALID);
	CHECK(work_queue_start_batched(&q, 1, "ss-test-batch", 8, record_batch) == SS_OK);
	/* the thread takes a gate item and waits in it while 100 items queue up; then it
	 * must take them in order, 8 at a time */
	submit_gate(&q, &jobs[0], 0);
	submit_then_open(&q, jobs, 1, 101);
	work_queue_stop(&q);
	CHECK_EQ_U64(n_order, 101);
	for (unsigned i = 1; i < 101; i++) {
		CHECK_EQ_U64(order[i], i);
		CHECK_EQ_U64(atomic_load(&jobs[i].runs), 1);
	}
	CHECK_EQ_U64(n_batches, 1 + 13); /* the gate, 12 x 8, 4 */
	CHECK_EQ_U64(batch_sizes[0], 1);
	for (unsigned b = 1; b < 13; b++)
		CHECK_EQ_U64(batch_sizes[b], 8);
	CHECK_EQ_U64(batch_sizes[13], 4);
}

/* Two threads: while both are busy, 10 items queue up; the first to come back takes
 * its even share (5), not the 8 it could. */
TEST(work_queue_batched_takes_an_even_share)
{
	static job jobs[N_ITEMS];
	memset(jobs, 0, sizeof jobs);
	reset_batches(true);
	work_queue q;
	CHECK(work_queue_start_batched(&q, 2, "ss-test-share", 8, record_batch) == SS_OK);
	for (unsigned i = 0; i < 2; i++) /* one gate item per thread */
		submit_gate(&q, &jobs[i], i);
	submit_then_open(&q, jobs, 2, 12);
	work_queue_stop(&q);
	CHECK_EQ_U64(recorded(), 12);
	CHECK_EQ_U64(batch_sizes[0], 1);
	CHECK_EQ_U64(batch_sizes[1], 1);
	/* the two threads record their batches in either order: the largest batch is the
	 * first taker's share, 5 (8 without the rule), and the batches hold the 10 items */
	unsigned largest = 0, sum = 0;
	for (unsigned b = 2; b < n_batches; b++) {
		largest = batch_sizes[b] > largest ? batch_sizes[b] : largest;
		sum += batch_sizes[b];
	}
	CHECK_EQ_U64(largest, 5);
	CHECK_EQ_U64(sum, 10);
	for (unsigned i = 0; i < 12; i++)
		CHECK_EQ_U64(atomic_load(&jobs[i].runs), 1);
}

TEST(work_queue_cpus_counts_this_process)
{
	unsigned n = work_queue_cpus();
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	CHECK(n >= 1);
	CHECK(online < 1 || n <= (unsigned)online);
}

TEST(thread_name_is_truncated_not_refused)
{
	char name[32];
	thread_name_set("a-name-longer-than-fifteen");
	CHECK(pthread_getname_np(pthread_self(), name, sizeof name) == 0);
	CHECK(strcmp(name, "a-name-longer-t") == 0);
}
