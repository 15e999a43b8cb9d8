/* Valid Web3Signer requests of every type (mainnet), built as jansson trees, for the
 * negative tests, the fuzz seed corpus and the CLI test. */
#ifndef SS_TESTS_ETH2_REQUESTS_H
#define SS_TESTS_ETH2_REQUESTS_H

#include <jansson.h>

typedef struct {
	const char *name;
	json_t *(*make)(void);
} sample_request;

/* NULL-terminated table: one entry per type and shape (BLOCK phase0, BLOCK_V2 PHASE0,
 * ALTAIR and DENEB, AGGREGATE_AND_PROOF phase0 unwrapped, _V2 Electra wrapped, ...). */
extern const sample_request sample_requests[];

#endif
