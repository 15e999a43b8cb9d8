#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/thread_name.h"
#include "util/work_queue.h"

static void *serve(void *arg)
{
	work_queue *q = arg;
	thread_name_set(q->name);
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stop) {
			q->idle++;
			pthread_cond_wait(&q->nonempty, &q->mu);
			q->idle--;
		}
		if (!q->head)
			break; /* stopping, and nothing is left */
		work_item *it = q->head, *last = it;
		unsigned take = 1;
		if (q->run_batch) {
			unsigned share = (q->queued + q->sharing - 1) / q->sharing;
			unsigned most = share < q->max_batch ? share : q->max_batch;
			while (take < most && last->next) {
				last = last->next;
				take++;
			}
		}
		q->head = last->next;
		if (!q->head)
			q->tail = NULL;
		q->queued -= take;
		last->next = NULL;
		pthread_mutex_unlock(&q->mu);
		if (q->run_batch)
			q->run_batch(it); /* may free them */
		else
			it->run(it); /* may free it */
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Everything the threads read is set before the first one starts. */
static ss_err start(work_queue *q, unsigned n, const char *name, unsigned max_batch,
		    work_batch_fn run_batch)
{
	memset(q, 0, sizeof *q);
	if (n == 0)
		return SS_ERR_INVALID; /* nothing would ever run */
	strncpy(q->name, name, sizeof q->name - 1);
	q->sharing = n;
	q->max_batch = max_batch;
	q->run_batch = run_batch;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	q->threads = calloc(n, sizeof *q->threads);
	if (!q->threads) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->nonempty);
		return SS_ERR_NOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&q->threads[i], NULL, serve, q) != 0) {
			work_queue_stop(q);
			return SS_ERR_NOMEM;
		}
		q->n_threads++;
	}
	return SS_OK;
}

ss_err work_queue_start(work_queue *q, unsigned n, const char *name)
{
	return start(q, n, name, 0, NULL);
}

ss_err work_queue_start_batched(work_queue *q, unsigned n, const char *name,
				unsigned max_batch, work_batch_fn run_batch)
{
	if (max_batch == 0 || run_batch == NULL)
		return SS_ERR_INVALID;
	return start(q, n, name, max_batch, run_batch);
}

void work_queue_submit(work_queue *q, work_item *item)
{
	item->next = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = item;
	else
		q->head = item;
	q->tail = item;
	q->queued++;
	/* Wake a thread only when one is waiting: a busy thread takes the item when it
	 * comes back for more, and a futex wake is not free. */
	if (q->idle)
		pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
}

void work_queue_stop(work_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
	for (unsigned i = 0; i < q->n_threads; i++)
		pthread_join(q->threads[i], NULL);
	free(q->threads);
	q->threads = NULL;
	q->n_threads = 0;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->nonempty);
}

unsigned work_queue_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}
