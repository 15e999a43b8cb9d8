/* The signing service (DESIGN.md §1 "signer/"): the only place that decides to sign.
 * One request goes parse → signing root (eth2/) → key lookup (keys/) → slashing
 * check-and-record (slashing/, BLOCK, BLOCK_V2 and ATTESTATION only), overlapped with
 * the BLS signature, and the signature is returned only after the slashing record is
 * durable (DESIGN.md §2, invariant 1: slash_check_* answers ALLOWED only once the
 * record is committed).
 * Each phase is timed into signer_metrics for /metrics. Thread safe. */
#ifndef SS_SIGNER_SIGNER_H
#define SS_SIGNER_SIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth2/eth2.h"
#include "keys/keys.h"
#include "signer/metrics.h"
#include "slashing/slashing.h"
#include "util/error.h"

#define SIGNER_PUBKEY_BYTES 48
#define SIGNER_SIGNATURE_BYTES 96

typedef struct {
	const eth2_network *net;
	keys_store *keys;
	slash_db *slashing; /* NULL: slashing protection disabled (no 412s, dangerous) */
	/* Threads computing BLS signatures, fed first in first out; 0 = one per CPU the
	 * process may run on (the signature is the CPU-bound part of a request). */
	unsigned signing_threads;
	/* Geometry of the hashed-message cache (signer/hash_cache.h); 0 = defaults
	 * (256 sets x 4 ways). Tests shrink it to force evictions. */
	unsigned hash_cache_sets, hash_cache_ways;
	/* Network checks (docs/signing.md "Network checks"), made before anything is
	 * recorded. check_gvr: a request whose fork_info.genesis_validators_root is not gvr
	 * is refused with 400. check_future: a BLOCK/BLOCK_V2 slot or ATTESTATION epoch more
	 * than future_epoch_tolerance epochs after the wall clock's epoch (from genesis_time
	 * and the network's SECONDS_PER_SLOT and SLOTS_PER_EPOCH) is refused with 412.
	 * Both off when zeroed (a network whose root or genesis time is unknown). */
	bool check_gvr;
	uint8_t gvr[32];
	bool check_future;
	uint64_t genesis_time, future_epoch_tolerance;
} signer_config;

typedef struct signer signer;

typedef enum {
	SIGNER_PENDING = -1,  /* signer_sign_async: the answer comes through done() */
	SIGNER_OK = 0,
	SIGNER_MALFORMED,     /* 400: the body does not parse or is not signable */
	SIGNER_ROOT_MISMATCH, /* 400: the client's signingRoot is not the computed one */
	SIGNER_NOT_FOUND,     /* 404: no such key */
	SIGNER_REFUSED,       /* 412: slashing protection refused */
	SIGNER_ERROR          /* 500/503: the store or the key registry failed */
} signer_status;

typedef struct {
	signer_status status;
	eth2_sign_type type; /* valid once parsing succeeded */
	bool typed;
	char message[384];   /* for the error body; never holds a secret */
} signer_result;

ss_err signer_new(signer **out, const signer_config *cfg) SS_MUST_USE;
void signer_free(signer *s);

/* Signs msg itself (no domain, no SSZ) with pubkey's key: Web3Signer's
 * /api/v1/eth2/ext/sign PROOF_OF_VALIDATION, whose caller (api/sign_ext.c) passes the
 * request body after checking it. A message of 32 bytes or fewer is refused
 * (SIGNER_MALFORMED): every Ethereum message is a 32-byte signing root, so a longer
 * message can never stand for one. SIGNER_NOT_FOUND for an unknown key. Never touches
 * the slashing store. Runs on the caller's thread. */
signer_status signer_sign_raw(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			      const uint8_t *msg, size_t len, uint8_t sig[SIGNER_SIGNATURE_BYTES],
			      signer_result *res);

/* Signs a deposit (phase0 beacon-chain.md "Deposits"): the signing root of m under
 * DOMAIN_DEPOSIT with fork_version and a zero genesis validators root, with m->pubkey's
 * key (SIGNER_NOT_FOUND when absent). For POST /api/v1/eth2/deposit (api/deposit.c),
 * whose caller has checked the amount and the withdrawal credentials. A deposit is not
 * slashable: the slashing store is not touched. Runs on the caller's thread. */
signer_status signer_sign_deposit(signer *s, const eth2_deposit_message *m,
				  const uint8_t fork_version[ETH2_VERSION_BYTES],
				  uint8_t sig[SIGNER_SIGNATURE_BYTES], signer_result *res);

/* Signs the Web3Signer request body for pubkey. On SIGNER_OK sig holds the signature;
 * otherwise res says why (and sig is zero). */
signer_status signer_sign(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			  const char *body, size_t len, uint8_t sig[SIGNER_SIGNATURE_BYTES],
			  signer_result *res);

/* The asynchronous form, so that a server thread never waits for a signature or a
 * slashing commit. A request that fails its checks (malformed, unknown key) is answered
 * at once: the status is returned and neither callback is called. Otherwise it calls
 * defer(ctx) (the caller parks the request), queues the signature on a signing thread
 * and, for BLOCK, BLOCK_V2 and ATTESTATION with slashing protection on, the
 * check-and-record on the slashing writer, and returns SIGNER_PENDING; done(ctx, ...)
 * is then called exactly once, from a signing thread or the slashing writer, with the
 * same promise as signer_sign: a signature only after its record is durable. */
typedef void (*signer_defer_fn)(void *ctx);
typedef void (*signer_done_fn)(void *ctx, signer_status st,
			       const uint8_t sig[SIGNER_SIGNATURE_BYTES], const signer_result *res);
signer_status signer_sign_async(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
				const char *body, size_t len, signer_defer_fn defer,
				signer_done_fn done, void *ctx, signer_result *res);

/* Requests being signed or committed now (accepted by signer_sign_async, not yet
 * answered). */
uint64_t signer_in_flight(signer *s);

/* How many threads sign (signer_config.signing_threads, or one per CPU). */
unsigned signer_signing_threads(const signer *s);

/* The metrics the service keeps (read by /metrics). */
signer_metrics *signer_get_metrics(signer *s);

#endif
