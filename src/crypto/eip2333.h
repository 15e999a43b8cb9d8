/* EIP-2333 BLS12-381 key derivation (master key from a seed, child keys through a
 * Lamport one-time key tree) and EIP-2334 derivation paths ("m/12381/3600/i/0/0").
 *
 * Secret keys are 32-byte big-endian integers in [1, r), the encoding
 * bls_secret_key_from_bytes() takes. Everything that touches the seed or a key is
 * constant time: HKDF and SHA-256 over fixed lengths, and the reduction mod r uses
 * fixed 64-bit limbs with masked subtraction (no BIGNUM on secrets). Allocation-free;
 * secret temporaries are wiped before returning. */
#ifndef SS_CRYPTO_EIP2333_H
#define SS_CRYPTO_EIP2333_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define EIP2333_SK_BYTES 32
#define EIP2333_MIN_SEED_BYTES 32 /* EIP-2333 derive_master_SK: "seed MUST be at least 32 bytes" */
#define EIP2333_LAMPORT_CHUNKS 255 /* K = 32 * 255 bytes of Lamport key per half */
#define EIP2334_MAX_DEPTH 16

/* derive_master_SK(seed) = HKDF_mod_r(seed). SS_ERR_INVALID when seed_len < 32 (sk is
 * then zeroed). */
ss_err eip2333_derive_master_sk(uint8_t sk[EIP2333_SK_BYTES], const uint8_t *seed,
				size_t seed_len) SS_MUST_USE;

/* derive_child_SK(parent_SK, index) = HKDF_mod_r(parent_SK_to_lamport_PK(parent, index)). */
void eip2333_derive_child_sk(uint8_t child[EIP2333_SK_BYTES],
			     const uint8_t parent[EIP2333_SK_BYTES], uint32_t index);

/* HKDF_mod_r(IKM) with key_info "" (EIP-2333 "HKDF_mod_r"). */
void eip2333_hkdf_mod_r(uint8_t sk[EIP2333_SK_BYTES], const uint8_t *ikm, size_t ikm_len);

/* parent_SK_to_lamport_PK: the 32-byte compressed Lamport public key. */
void eip2333_parent_sk_to_lamport_pk(uint8_t out[32], const uint8_t parent[EIP2333_SK_BYTES],
				     uint32_t index);

/* IKM_to_lamport_SK(IKM, salt): 255 chunks of 32 bytes (exposed for the intermediate-
 * value vectors). */
void eip2333_ikm_to_lamport_sk(uint8_t out[EIP2333_LAMPORT_CHUNKS][32], const uint8_t *ikm,
			       size_t ikm_len, const uint8_t *salt, size_t salt_len);

/* Parses an EIP-2334 path "m" or "m/a/b/..." (decimal indices < 2^32, at most
 * EIP2334_MAX_DEPTH of them) into indices[0..*n). SS_ERR_INVALID on any other syntax
 * (empty components, signs, spaces, leading zeros, overflow). Public data. */
ss_err eip2334_parse_path(const char *path, uint32_t indices[EIP2334_MAX_DEPTH],
			  size_t *n) SS_MUST_USE;

/* The key at path below the master key of seed (EIP-2334). */
ss_err eip2333_derive_path(uint8_t sk[EIP2333_SK_BYTES], const uint8_t *seed, size_t seed_len,
			   const char *path) SS_MUST_USE;

#endif
