/* util/work_queue and util/thread_name: first in first out, every item run exactly once
 * on a named queue thread, and stop runs what is still queued. */
#define _GNU_SOURCE /* pthread_getname_np */
#include <pthread.h>
#include <stdatomic.h>
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
