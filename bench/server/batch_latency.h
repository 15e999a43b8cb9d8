/* bench_server --modes batch: single-request latency alone and during large batches. */
#ifndef SS_BENCH_BATCH_LATENCY_H
#define SS_BENCH_BATCH_LATENCY_H

#include <stdint.h>

/* Against a signer on 127.0.0.1:port holding the validators' keys (0x hex), with fork
 * the fork_info member of a mainnet request: measures `singles` single AGGREGATION_SLOT
 * requests on one connection alone, then the same while another connection sends
 * back-to-back batches naming every key; prints one markdown table. */
void batch_latency_run(uint16_t port, int validators, char (*pk_hex)[99], const char *fork,
		       int singles);

#endif
