/* crypto/: secp256k1 keys for the attested encryption key of the original Secure-Signer API
 * (ECIES, issue 13) and Commit-Boost ECDSA proxy keys (issue 17), over libsecp256k1.
 * Prefix k1_ (libsecp256k1 owns secp256k1_). Every secret is the caller's to wipe. */
#ifndef SS_CRYPTO_SECP256K1_KEY_H
#define SS_CRYPTO_SECP256K1_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define K1_SECRET_BYTES 32
#define K1_PUB_COMPRESSED_BYTES 33
#define K1_PUB_UNCOMPRESSED_BYTES 65 /* 0x04 ‖ x ‖ y */
#define K1_SIG_RECOVERABLE_BYTES 65  /* r ‖ s ‖ recovery id (0 or 1) */

/* A fresh key from getrandom (retried until it is a valid scalar); pub33 may be NULL
 * when the caller wants the key in another form (k1_public). */
ss_err k1_generate(uint8_t sk[K1_SECRET_BYTES], uint8_t pub33[K1_PUB_COMPRESSED_BYTES]) SS_MUST_USE;

/* The public key of sk, compressed and uncompressed (either output may be NULL).
 * SS_ERR_INVALID when sk is 0 or >= n. */
ss_err k1_public(const uint8_t sk[K1_SECRET_BYTES], uint8_t pub33[K1_PUB_COMPRESSED_BYTES],
		 uint8_t pub65[K1_PUB_UNCOMPRESSED_BYTES]) SS_MUST_USE;

/* Parses a compressed (33) or uncompressed (65) public key; writes both forms (either may
 * be NULL). SS_ERR_INVALID when it is not a point on the curve. */
ss_err k1_pub_parse(const uint8_t *in, size_t len, uint8_t pub33[K1_PUB_COMPRESSED_BYTES],
		    uint8_t pub65[K1_PUB_UNCOMPRESSED_BYTES]) SS_MUST_USE;

/* ECDSA over a 32-byte prehash (RFC 6979 nonces, low-s), with the recovery id:
 * out = r ‖ s ‖ recid (0 or 1). Callers map the last byte to their wire form (27/28). */
ss_err k1_sign_recoverable(const uint8_t sk[K1_SECRET_BYTES], const uint8_t hash[32],
			   uint8_t out[K1_SIG_RECOVERABLE_BYTES]) SS_MUST_USE;

/* Recovers the public key (uncompressed) from r ‖ s ‖ recid (0..3) and the prehash. */
ss_err k1_recover(const uint8_t sig[K1_SIG_RECOVERABLE_BYTES], const uint8_t hash[32],
		  uint8_t pub65[K1_PUB_UNCOMPRESSED_BYTES]) SS_MUST_USE;

/* ECDH as ecies-rs 0.2 uses it: the full shared point [sk]peer, uncompressed (65 bytes;
 * secret: the caller wipes it). peer is 33 or 65 bytes. */
ss_err k1_ecdh_point(const uint8_t sk[K1_SECRET_BYTES], const uint8_t *peer, size_t peer_len,
		     uint8_t point65[K1_PUB_UNCOMPRESSED_BYTES]) SS_MUST_USE;

#endif
