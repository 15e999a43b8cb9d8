/* Counters and latency histograms of the signing path, kept with relaxed atomics so
 * that recording costs a few nanoseconds and never takes a lock. The names they are
 * exported under are Web3Signer's (reference/web3signer.md §1.9) plus per-type request
 * counts and per-phase histograms; api/metrics.c renders them. */
#ifndef SS_SIGNER_METRICS_H
#define SS_SIGNER_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "eth2/eth2.h"

/* Phases of one signing request. */
typedef enum {
	SIGNER_PHASE_PARSE = 0,    /* JSON → typed message → signing root */
	SIGNER_PHASE_QUEUE,        /* waiting for a signing thread */
	SIGNER_PHASE_SLASHING,     /* check-and-record, until durable */
	SIGNER_PHASE_SIGN,         /* BLS, on the signing thread */
	SIGNER_PHASE_TOTAL,
	SIGNER_PHASE__COUNT
} signer_phase;

/* Outcomes, as label values of the request counter. */
typedef enum {
	SIGNER_OUTCOME_OK = 0,
	SIGNER_OUTCOME_BAD_REQUEST,
	SIGNER_OUTCOME_NOT_FOUND,
	SIGNER_OUTCOME_REFUSED,
	SIGNER_OUTCOME_ERROR,
	SIGNER_OUTCOME__COUNT
} signer_outcome;

/* Histogram upper bounds in seconds (Prometheus "le"), the last one +Inf. */
#define SIGNER_BUCKETS 14
extern const double signer_bucket_bounds[SIGNER_BUCKETS];

/* The most recent observations of one histogram, for a Prometheus summary's quantiles
 * over a sliding time window (as the Prometheus client library Web3Signer exports its
 * timers with computes them: the last 10 minutes). A lock-free ring: an observation is
 * one atomic store of (monotonic second + 1) << 32 | microseconds, 0 meaning empty. */
#define SIGNER_WINDOW_SIZE 4096
typedef struct {
	_Atomic uint64_t next;
	_Atomic uint64_t slot[SIGNER_WINDOW_SIZE];
} signer_window;

typedef struct {
	_Atomic uint64_t bucket[SIGNER_BUCKETS]; /* non-cumulative counts */
	_Atomic uint64_t count;
	_Atomic uint64_t sum_ns;
	_Atomic(signer_window *) window; /* NULL: no quantiles kept */
} signer_histogram;

/* Requests whose type could not be parsed are counted under this index. */
#define SIGNER_TYPE_UNKNOWN ETH2_SIGN__COUNT

typedef struct {
	_Atomic uint64_t requests[ETH2_SIGN__COUNT + 1][SIGNER_OUTCOME__COUNT];
	signer_histogram phase[ETH2_SIGN__COUNT + 1][SIGNER_PHASE__COUNT];
	_Atomic uint64_t malformed;          /* http_bls_malformed_request_count */
	_Atomic uint64_t missing_identifier; /* signing_bls_missing_identifier_count */
	_Atomic uint64_t permitted;          /* eth2_slashingprotection_permitted_signings */
	_Atomic uint64_t prevented;          /* eth2_slashingprotection_prevented_signings */
	signer_histogram db_block;           /* ..._database_duration{signingOperation} */
	signer_histogram db_attestation;
	signer_histogram signing;            /* signing_bls_signing_duration */
	signer_window signing_window;        /* its quantiles, once enabled */
	_Atomic uint64_t hash_cache_hits;    /* signer_hash_cache_hits_total: H(root) reused */
	_Atomic uint64_t hash_cache_misses;  /* signer_hash_cache_misses_total: H(root) computed */
	_Atomic uint64_t fixed_base;         /* signer_fixed_base_signatures_total: with a table */
	_Atomic uint64_t sign_batches;       /* signer_signing_batches_total: signing thread takes */
} signer_metrics;

void signer_histogram_observe(signer_histogram *h, uint64_t ns);

/* Starts keeping the recent signing durations for signing_bls_signing_duration's
 * quantiles (cli/cmd_run.c calls it when the metrics listener is set up: otherwise no
 * signature pays for the window). */
void signer_metrics_keep_quantiles(signer_metrics *m);

/* The quantiles q[0..n) in seconds of the observations of the last max_age_s seconds
 * (the value at rank ceil(q * count), as Prometheus client summaries answer); NaN when
 * there are none. Returns how many observations the window held. */
size_t signer_window_quantiles(signer_window *w, uint64_t max_age_s, const double *q,
			       size_t n, double *out);

#endif
