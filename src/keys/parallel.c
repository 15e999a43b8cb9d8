/* A tiny worker pool for first-time keystore decryption (scrypt costs ~1 s per key):
 * threads take the next index from an atomic counter; the caller's thread logs
 * progress. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "keys/keys_internal.h"
#include "util/log.h"
#include "util/mono_clock.h"
#include "util/thread_name.h"

typedef struct {
	size_t n;
	atomic_size_t next, done;
	void (*fn)(size_t, void *);
	void *ctx;
} pool;

static void *worker(void *arg)
{
	thread_name_set("ss-key-load");
	pool *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		p->fn(i, p->ctx);
		atomic_fetch_add(&p->done, 1);
	}
	return NULL;
}

static double now_s(void) { return (double)mono_ns() / 1e9; }

void keys_parallel(size_t n, unsigned threads, void (*fn)(size_t i, void *ctx), void *ctx,
		   const char *what)
{
	if (n == 0)
		return;
	if (threads == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		threads = c > 0 ? (unsigned)c : 1;
	}
	if (threads > n)
		threads = (unsigned)n;
	pool p = { .n = n, .fn = fn, .ctx = ctx };
	atomic_init(&p.next, 0);
	atomic_init(&p.done, 0);
	pthread_t *tids = calloc(threads, sizeof *tids);
	unsigned started = 0;
	for (unsigned t = 0; tids && t < threads; t++)
		if (pthread_create(&tids[t], NULL, worker, &p) == 0)
			started++;
	if (started == 0) {
		worker(&p); /* no threads: do it here */
	} else {
		double t0 = now_s(), last = t0;
		while (atomic_load(&p.done) < n) {
			usleep(20000);
			double t = now_s();
			if (t - last >= 2.0) {
				last = t;
				log_info("%s: %zu/%zu done (%.0f s, %u threads)", what,
					 (size_t)atomic_load(&p.done), n, t - t0, started);
			}
		}
		for (unsigned t = 0; t < started; t++)
			pthread_join(tids[t], NULL);
		if (n > 1)
			log_info("%s: %zu/%zu done in %.1f s on %u threads", what, n, n, now_s() - t0,
				 started);
	}
	free(tids);
}
