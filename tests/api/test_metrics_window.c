/* signer/metrics.c's window of recent signing durations, behind the quantiles of the
 * signing_bls_signing_duration summary: the rank rule of Prometheus client summaries
 * (the value at rank ceil(q * n)), NaN when empty, only the most recent
 * SIGNER_WINDOW_SIZE observations kept, and observations from many threads at once. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "signer/metrics.h"
#include "test.h"

static const double Q[3] = { 0.5, 0.95, 0.99 };

TEST(window_empty_is_nan)
{
	signer_metrics *m = calloc(1, sizeof *m);
	signer_metrics_keep_quantiles(m);
	double v[3];
	CHECK_EQ_U64(signer_window_quantiles(&m->signing_window, 600, Q, 3, v), 0);
	CHECK(isnan(v[0]) && isnan(v[1]) && isnan(v[2]));
	free(m);
}

TEST(window_ranks)
{
	signer_metrics *m = calloc(1, sizeof *m);
	/* before keep_quantiles nothing is kept */
	signer_histogram_observe(&m->signing, 999000);
	signer_metrics_keep_quantiles(m);
	/* 1 ms .. 200 ms in a shuffled order */
	for (unsigned i = 0; i < 200; i++) {
		unsigned k = (i * 73) % 200 + 1;
		signer_histogram_observe(&m->signing, (uint64_t)k * 1000000u);
	}
	double v[3];
	CHECK_EQ_U64(signer_window_quantiles(&m->signing_window, 600, Q, 3, v), 200);
	CHECK_MSG(fabs(v[0] - 0.100) < 1e-9 && fabs(v[1] - 0.190) < 1e-9 &&
			  fabs(v[2] - 0.198) < 1e-9,
		  "quantiles %f %f %f", v[0], v[1], v[2]);
	CHECK_EQ_U64(m->signing.count, 201); /* the histogram counts every one */
	free(m);
}

/* An observation made while the quantiles are computed, by a thread whose clock read
 * came a second later, is the most recent of all: it counts. */
TEST(window_counts_an_observation_from_the_next_second)
{
	signer_metrics *m = calloc(1, sizeof *m);
	signer_metrics_keep_quantiles(m);
	signer_histogram_observe(&m->signing, 5000000u); /* 5 ms, now */
	/* the same slot layout a later observe stores: (second + 1) << 32 | microseconds */
	uint64_t e = atomic_load(&m->signing_window.slot[0]);
	atomic_store(&m->signing_window.slot[1], ((e >> 32) + 1) << 32 | 7000u);
	atomic_store(&m->signing_window.next, 2);
	double v[3];
	CHECK_EQ_U64(signer_window_quantiles(&m->signing_window, 600, Q, 3, v), 2);
	CHECK_MSG(fabs(v[2] - 0.007) < 1e-9, "p99 %f", v[2]);
	free(m);
}

TEST(window_keeps_the_most_recent)
{
	signer_metrics *m = calloc(1, sizeof *m);
	signer_metrics_keep_quantiles(m);
	for (unsigned i = 0; i < SIGNER_WINDOW_SIZE; i++)
		signer_histogram_observe(&m->signing, 5000000000u); /* 5 s: old and slow */
	for (unsigned i = 0; i < SIGNER_WINDOW_SIZE; i++)
		signer_histogram_observe(&m->signing, 1000000u); /* 1 ms: recent */
	double v[3];
	CHECK_EQ_U64(signer_window_quantiles(&m->signing_window, 600, Q, 3, v),
		     SIGNER_WINDOW_SIZE);
	CHECK_MSG(v[2] == 0.001, "p99 %f: old observations still counted", v[2]);
	free(m);
}

static void *observer(void *arg)
{
	signer_metrics *m = arg;
	for (unsigned i = 0; i < 10000; i++)
		signer_histogram_observe(&m->signing, 2000000u);
	return NULL;
}

TEST(window_threads)
{
	signer_metrics *m = calloc(1, sizeof *m);
	signer_metrics_keep_quantiles(m);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, observer, m) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	double v[3];
	CHECK_EQ_U64(signer_window_quantiles(&m->signing_window, 600, Q, 3, v),
		     SIGNER_WINDOW_SIZE);
	CHECK(v[0] == 0.002 && v[2] == 0.002);
	CHECK_EQ_U64(m->signing.count, 40000);
	free(m);
}
