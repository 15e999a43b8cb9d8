/* Nanoseconds per Fp Montgomery multiplication and squaring, for each backend
 * (fp_mont.h). A dependent chain (x <- x*y) so that latency, which is what the field
 * tower sees, is measured rather than throughput. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>

#include "crypto/fp_mont.h"

typedef void (*mul_fn)(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]);
typedef void (*sqr_fn)(uint64_t r[6], const uint64_t a[6]);

/* Thread CPU time: the machine is shared, and time spent descheduled is not ours. */
static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void run(const char *name, mul_fn mul, sqr_fn sqr)
{
	uint64_t x[6] = { 1, 2, 3, 4, 5, 6 }, y[6] = { 7, 8, 9, 10, 11, 12 };
	const int n = 2000000;
	double best_mul = 1e30, best_sqr = 1e30;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++)
			mul(x, x, y);
		double t1 = now_ns();
		for (int i = 0; i < n; i++)
			sqr(y, y);
		double t2 = now_ns();
		if ((t1 - t0) / n < best_mul)
			best_mul = (t1 - t0) / n;
		if ((t2 - t1) / n < best_sqr)
			best_sqr = (t2 - t1) / n;
	}
	/* Throughput: four independent chains, as in an Fp2 or Fp6 multiplication where
	 * several products do not depend on each other. */
	uint64_t z[4][6] = { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 } };
	double best_tp = 1e30;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ns();
		for (int i = 0; i < n / 4; i++)
			for (int k = 0; k < 4; k++)
				mul(z[k], z[k], x);
		double t1 = now_ns();
		if ((t1 - t0) / n < best_tp)
			best_tp = (t1 - t0) / n;
	}
	printf("%-9s mul %6.2f ns  sqr %6.2f ns  (latency)  mul %6.2f ns (throughput)"
	       "  [%016llx]\n", name, best_mul, best_sqr, best_tp,
	       (unsigned long long)(x[0] ^ y[0] ^ z[0][0] ^ z[3][0]));
}

/* Fp2 multiplication (fused kernel) against three Fp multiplications' worth of work. */
static void run_fp2(const char *name, mul_fn mul2, sqr_fn sqr2)
{
	uint64_t x[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, y[12] = { 13, 14, 15, 16 };
	const int n = 1000000;
	double best = 1e30;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++)
			mul2(x, x, y);
		double t1 = now_ns();
		if ((t1 - t0) / n < best)
			best = (t1 - t0) / n;
	}
	double best_sq = 1e30;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++)
			sqr2(y, y);
		double t1 = now_ns();
		if ((t1 - t0) / n < best_sq)
			best_sq = (t1 - t0) / n;
	}
	printf("%-9s fp2_mul %6.2f ns  fp2_sqr %6.2f ns (latency)  [%016llx]\n", name, best,
	       best_sq, (unsigned long long)(x[0] ^ y[0]));
}

/* A lazy-reduction pair: wide product then REDC (compare with one mul). */
typedef void (*wide_fn)(uint64_t r[12], const uint64_t a[6], const uint64_t b[6]);
typedef void (*redc_fn)(uint64_t r[6], const uint64_t t[12]);
static void run_wide(const char *name, wide_fn wide, redc_fn redc)
{
	uint64_t x[6] = { 1, 2, 3, 4, 5, 6 }, y[6] = { 7, 8, 9 }, w[12];
	const int n = 1000000;
	double best_w = 1e30, best_r = 1e30;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++) {
			wide(w, x, y);
			x[0] ^= w[11];
		}
		double t1 = now_ns();
		for (int i = 0; i < n; i++)
			redc(x, w), w[0] ^= x[0];
		double t2 = now_ns();
		if ((t1 - t0) / n < best_w)
			best_w = (t1 - t0) / n;
		if ((t2 - t1) / n < best_r)
			best_r = (t2 - t1) / n;
	}
	printf("%-9s mul_wide %6.2f ns  redc %6.2f ns  [%016llx]\n", name, best_w, best_r,
	       (unsigned long long)x[0]);
}

int main(void)
{
	run("portable", fp_mul_mont_portable, fp_sqr_mont_portable);
	run_fp2("portable", (mul_fn)fp2_mul_mont_portable, (sqr_fn)fp2_sqr_mont_portable);
	run_wide("portable", fp_mul_wide_portable, fp_redc_portable);
#ifdef SS_HAVE_ADX_KERNEL
	if (fp_mont_cpu_has_adx()) {
		run("adx", fp_mul_mont_adx, fp_sqr_mont_adx);
		run_fp2("adx", (mul_fn)fp2_mul_mont_adx, (sqr_fn)fp2_sqr_mont_adx);
		run_wide("adx", fp_mul_wide_adx, fp_redc_adx);
	} else
		printf("adx       not supported by this CPU\n");
#endif
	return 0;
}
