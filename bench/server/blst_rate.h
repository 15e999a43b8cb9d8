/* blst's raw sign rate, measured in the same run as bench_server's rows (the issue's
 * yardstick): runs bench/server/blst-rate.mjs with node and @chainsafe/blst. */
#ifndef SS_BENCH_BLST_RATE_H
#define SS_BENCH_BLST_RATE_H

/* Signatures per wall second of `threads` threads signing new 32-byte messages with
 * blst for `seconds`; *us_per_sign (may be NULL) gets one thread's CPU time per
 * signature. node_modules is the directory holding @chainsafe/blst. 0 when node or the
 * package is not there (the reason is printed on stderr). */
double blst_rate(const char *node_modules, int threads, double seconds, double *us_per_sign);

#endif
