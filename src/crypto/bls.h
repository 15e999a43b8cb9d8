/* BLS signatures on BLS12-381 in Ethereum's ciphersuite
 * BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_ (draft-irtf-cfrg-bls-signature-05 §4.2.3):
 * public keys are compressed G1 points (48 bytes), signatures compressed G2 points
 * (96 bytes), both in the ZCash serialisation format.
 *
 * Allocation-free. Functions that take a secret key are constant time (no branch or
 * memory index depends on the key); functions ending in _vartime handle public data
 * only and may branch on it. Call bls_init() once before anything else. */
#ifndef SS_CRYPTO_BLS_H
#define SS_CRYPTO_BLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define BLS_SECRET_KEY_BYTES 32
#define BLS_PUBKEY_BYTES 48
#define BLS_SIGNATURE_BYTES 96

/* A secret scalar in [1, r), little-endian 64-bit limbs (not Montgomery form). */
typedef struct {
	uint64_t l[4];
} bls_secret_key;

/* Once at start: selects the field-arithmetic backend (fp_mont_init()). Idempotent;
 * call before starting threads. */
void bls_init(void);

/* Parses a 32-byte big-endian secret key; SS_ERR_INVALID when it is 0 or >= r (sk is
 * then zeroed). Constant time. */
ss_err bls_secret_key_from_bytes(bls_secret_key *sk, const uint8_t in[32]) SS_MUST_USE;
/* 32-byte big-endian encoding. */
void bls_secret_key_to_bytes(uint8_t out[32], const bls_secret_key *sk);
/* Zeroes the key in a way the compiler cannot elide. */
void bls_secret_key_wipe(bls_secret_key *sk);

/* SkToPk: the compressed G1 public key [sk]G1. Constant time in sk. */
void bls_sk_to_pk(uint8_t pk[48], const bls_secret_key *sk);
/* CoreSign: the compressed G2 signature [sk]hash_to_G2(msg) with the POP ciphersuite
 * DST. Constant time in sk. */
void bls_sign(uint8_t sig[96], const bls_secret_key *sk, const uint8_t *msg, size_t msg_len);

/* A message already hashed to G2, for signing one message with many keys (validators of
 * one committee sign the same attestation data): bls_sign_hashed with it gives exactly
 * bls_sign's output and skips hash_to_G2, about half of Sign's time. Opaque. */
typedef struct {
	uint64_t opaque[36];
} bls_hashed_message;
void bls_hash_message(bls_hashed_message *h, const uint8_t *msg, size_t msg_len);
void bls_sign_hashed(uint8_t sig[96], const bls_secret_key *sk, const bls_hashed_message *h);

/* Fixed-base signing, for a hashed message many keys sign (every attester of a slot
 * signs one AttestationData since EIP-7549): bls_fixed_base_build turns H(m) into a
 * table of its multiples once (worth a few signatures, docs/bls.md), then bls_sign_fixed_base signs with table additions only and gives
 * exactly bls_sign_hashed's output. The table is public (it depends on H(m) only);
 * signing is constant time in sk: every lookup reads a whole row with masked selection.
 * The table is BLS_FIXED_BASE_TABLE_BYTES of caller-provided memory (the crypto core
 * does not allocate), 8-byte aligned; its type is opaque. */
#define BLS_FIXED_BASE_WINDOW 6 /* bits per signed digit */
#define BLS_FIXED_BASE_ROWS ((65 + BLS_FIXED_BASE_WINDOW - 1) / BLS_FIXED_BASE_WINDOW)
#define BLS_FIXED_BASE_ROW_POINTS (1u << (BLS_FIXED_BASE_WINDOW - 1))
#define BLS_FIXED_BASE_TABLE_BYTES (BLS_FIXED_BASE_ROWS * BLS_FIXED_BASE_ROW_POINTS * 192u + 8u)
typedef struct bls_fixed_base_table bls_fixed_base_table;
void bls_fixed_base_build(bls_fixed_base_table *t, const bls_hashed_message *h);
void bls_sign_fixed_base(uint8_t sig[96], const bls_secret_key *sk, const bls_fixed_base_table *t);

/* Several signatures in one call, each exactly what bls_sign_fixed_base (table set) or
 * bls_sign_hashed (table NULL, h set) gives, made affine together with one field
 * inversion instead of one per signature (about 12 us each saved; sign_many.c).
 * Constant time in every key. Jobs beyond BLS_SIGN_MANY_MAX are signed in further
 * rounds. */
#define BLS_SIGN_MANY_MAX 16
typedef struct {
	const bls_secret_key *sk;
	const bls_fixed_base_table *table; /* or NULL: sign with h */
	const bls_hashed_message *h;
	uint8_t *sig; /* 96 bytes out */
} bls_sign_job;
void bls_sign_many(const bls_sign_job *jobs, size_t n);

/* KeyValidate: pk decodes to a G1 point that is in the prime-order subgroup and is not
 * the point at infinity. */
bool bls_key_validate_vartime(const uint8_t pk[48]);
/* Verify: KeyValidate(pk), sig decodes to a G2 subgroup point, and
 * e(pk, H(msg)) == e(G1, sig). */
bool bls_verify_vartime(const uint8_t pk[48], const uint8_t *msg, size_t msg_len,
			const uint8_t sig[96]);
/* FastAggregateVerify: all pks sign the same message; n == 0 -> false. */
bool bls_fast_aggregate_verify_vartime(const uint8_t (*pks)[48], size_t n, const uint8_t *msg,
				       size_t msg_len, const uint8_t sig[96]);
/* AggregateVerify: pk[i] signs msgs[i]; n == 0 -> false. (The POP ciphersuite does not
 * require distinct messages.) */
bool bls_aggregate_verify_vartime(const uint8_t (*pks)[48], const uint8_t *const *msgs,
				  const size_t *msg_lens, size_t n, const uint8_t sig[96]);
/* Aggregate: sum of the n signatures, each decoded and subgroup-checked; n == 0 or any
 * invalid signature -> SS_ERR_INVALID (out untouched). */
ss_err bls_aggregate_signatures_vartime(uint8_t out[96], const uint8_t (*sigs)[96],
					size_t n) SS_MUST_USE;
/* True when every (pks[i], msgs[i], sigs[i]) verifies, checked together with a random
 * linear combination (random 64-bit scalars), so forged sets that cancel out are
 * rejected except with probability ~2^-64. n == 0 -> false. */
bool bls_batch_verify_vartime(const uint8_t (*pks)[48], const uint8_t *const *msgs,
			      const size_t *msg_lens, const uint8_t (*sigs)[96], size_t n);

#endif
