/* Lock-free latency histograms for the signing path (signer/metrics.h). */
#include "signer/metrics.h"

#include <math.h>
#include <stdlib.h>

#include "util/mono_clock.h"

/* From 100 µs (a fast BLS signature) to 5 s (a stuck database), roughly ×2 apart. */
const double signer_bucket_bounds[SIGNER_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025,  0.05,    0.1,    0.25,  1.0,    5.0,   1.0 / 0.0,
};

static void window_observe(signer_window *w, uint64_t ns)
{
	uint64_t us = ns / 1000;
	if (us > UINT32_MAX)
		us = UINT32_MAX;
	uint64_t sec = mono_ns() / 1000000000u + 1;
	uint64_t i = atomic_fetch_add_explicit(&w->next, 1, memory_order_relaxed);
	atomic_store_explicit(&w->slot[i % SIGNER_WINDOW_SIZE], (sec & 0xffffffffu) << 32 | us,
			      memory_order_relaxed);
}

void signer_histogram_observe(signer_histogram *h, uint64_t ns)
{
	double s = (double)ns / 1e9;
	int i = 0;
	while (i < SIGNER_BUCKETS - 1 && s > signer_bucket_bounds[i])
		i++;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
	signer_window *w = atomic_load_explicit(&h->window, memory_order_acquire);
	if (w)
		window_observe(w, ns);
}

void signer_metrics_keep_quantiles(signer_metrics *m)
{
	atomic_store_explicit(&m->signing.window, &m->signing_window, memory_order_release);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

size_t signer_window_quantiles(signer_window *w, uint64_t max_age_s, const double *q,
			       size_t n, double *out)
{
	uint32_t *v = malloc(SIGNER_WINDOW_SIZE * sizeof *v);
	size_t k = 0;
	uint64_t now = mono_ns() / 1000000000u + 1;
	if (v) {
		for (size_t i = 0; i < SIGNER_WINDOW_SIZE; i++) {
			uint64_t e = atomic_load_explicit(&w->slot[i], memory_order_relaxed);
			/* the stored second wraps at 2^32 (136 years of uptime): compare modulo.
			 * An observation stored by another thread after now was read may carry
			 * a later second: its age is "negative" (the upper half), and it is as
			 * recent as can be, not older than every window. */
			uint64_t age = ((now & 0xffffffffu) - (e >> 32)) & 0xffffffffu;
			if (age >= 0x80000000u)
				age = 0;
			if (e && age <= max_age_s)
				v[k++] = (uint32_t)e;
		}
		qsort(v, k, sizeof *v, cmp_u32);
	}
	for (size_t j = 0; j < n; j++) {
		if (!k) {
			out[j] = NAN;
			continue;
		}
		double x = q[j] * (double)k; /* rank ceil(x), 1-based; no libm for ceil */
		size_t r = x <= 0 ? 1 : (size_t)x;
		if ((double)r < x)
			r++;
		size_t idx = r - 1;
		if (idx >= k)
			idx = k - 1;
		out[j] = (double)v[idx] / 1e6;
	}
	free(v);
	return k;
}
