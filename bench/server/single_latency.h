/* bench_server --modes single: one request at a time on one connection, against the
 * client's own round trip and blst's sign (issue 18's single-request target). */
#ifndef SS_BENCH_SINGLE_LATENCY_H
#define SS_BENCH_SINGLE_LATENCY_H

#include <stdint.h>

/* Against a signer on 127.0.0.1:port holding key 0 of pk_hex: n rounds of GET /upcheck,
 * an AGGREGATION_SLOT and an ATTESTATION (each signing a root of its own; attestations
 * at epochs *epoch, *epoch + 1, …, so they are all signable), interleaved on one
 * keep-alive connection. Prints their p50/p99 and, when blst_modules is set, blst's
 * sign CPU time per signature measured just before and after. */
void single_latency_run(uint16_t port, char (*pk_hex)[99], const char *fork, int n,
			unsigned long *epoch, const char *blst_modules, double ours_sign_us);

#endif
