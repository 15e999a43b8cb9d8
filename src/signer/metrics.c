/* Lock-free latency histograms for the signing path (signer/metrics.h). */
#include "signer/metrics.h"

/* From 100 µs (a fast BLS signature) to 5 s (a stuck database), roughly ×2 apart. */
const double signer_bucket_bounds[SIGNER_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025,  0.05,    0.1,    0.25,  1.0,    5.0,   1.0 / 0.0,
};

void signer_histogram_observe(signer_histogram *h, uint64_t ns)
{
	double s = (double)ns / 1e9;
	int i = 0;
	while (i < SIGNER_BUCKETS - 1 && s > signer_bucket_bounds[i])
		i++;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}
