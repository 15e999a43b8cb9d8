/* crypto/: ECIES over secp256k1 in the byte format of ecies-rs 0.2 (eciesjs with
 * isEphemeralKeyCompressed=false, isHkdfKeyCompressed=false, symmetricNonceLength=16),
 * the format the original Secure-Signer's client encrypts keystore passwords in
 * (reference/secure-signer.md §2.2):
 *
 *   ciphertext = R (ephemeral public key, uncompressed, 65) ‖ nonce (16) ‖ tag (16) ‖ c
 *   key        = HKDF-SHA256(IKM = R ‖ S, salt = none, info = "") → 32 bytes,
 *                S = [r]P = [p]R the full shared point, uncompressed (65)
 *   c          = AES-256-GCM(key, nonce, plaintext), no associated data
 *
 * Decryption is split so that the receiver's secret never leaves keys/: the caller gets S
 * from its key store (keys_aux_ecdh on R) and passes it here. */
#ifndef SS_CRYPTO_ECIES_H
#define SS_CRYPTO_ECIES_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define ECIES_PUB_BYTES 65
#define ECIES_NONCE_BYTES 16
#define ECIES_TAG_BYTES 16
#define ECIES_OVERHEAD (ECIES_PUB_BYTES + ECIES_NONCE_BYTES + ECIES_TAG_BYTES)

/* The ephemeral public key R of a ciphertext (its first 65 bytes), or SS_ERR_INVALID when
 * the ciphertext is shorter than ECIES_OVERHEAD or R is not an uncompressed point
 * encoding (0x04 ‖ x ‖ y; whether it is on the curve is the ECDH's check). */
ss_err ecies_ephemeral(const uint8_t *ct, size_t ct_len,
		       const uint8_t **r65) SS_MUST_USE;

/* Decrypts ct with the shared point S (secret). pt receives ct_len - ECIES_OVERHEAD
 * bytes (pt_cap at least that). SS_ERR_INVALID on a short ciphertext, SS_ERR_CRYPTO when
 * the tag does not verify (a wrong key or a tampered ciphertext: pt is then wiped).
 * The derived key is wiped on every path. */
ss_err ecies_open(const uint8_t s65[ECIES_PUB_BYTES], const uint8_t *ct, size_t ct_len,
		  uint8_t *pt, size_t pt_cap, size_t *pt_len) SS_MUST_USE;

/* Encrypts pt to the public key peer (33 or 65 bytes) with a fresh ephemeral key: out
 * receives pt_len + ECIES_OVERHEAD bytes. For `secure-signer client import-encrypted`
 * and the tests. SS_ERR_INVALID when peer is not a point. */
ss_err ecies_seal(const uint8_t *peer, size_t peer_len, const uint8_t *pt, size_t pt_len,
		  uint8_t *out, size_t out_cap, size_t *out_len) SS_MUST_USE;

#endif
