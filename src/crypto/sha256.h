/* SHA-256, HMAC-SHA256 and one-block HKDF-SHA256 for every module (hash-to-curve, SSZ
 * merkleisation, keystore checksums, EIP-2333, the sealed key store, TEE sealing keys). A thin wrapper over OpenSSL's low-level
 * SHA-256, which uses the SHA extensions when the CPU has them: nothing here allocates
 * and nothing can fail. */
#ifndef SS_CRYPTO_SHA256_H
#define SS_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES 32
#define SHA256_BLOCK_BYTES 64

/* Opaque storage big enough for OpenSSL's SHA256_CTX (checked at build time). */
typedef struct {
	_Alignas(8) uint8_t opaque[128];
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_BYTES]); /* wipes ctx */

/* One-shot digest of data[0..len). */
void sha256(uint8_t out[SHA256_DIGEST_BYTES], const void *data, size_t len);

/* SHA-256 of the 64-byte concatenation a ‖ b: SSZ's two-to-one hash. */
void sha256_pair(uint8_t out[SHA256_DIGEST_BYTES], const uint8_t a[32], const uint8_t b[32]);

/* HMAC-SHA256 (RFC 2104), incremental or one-shot. key may be a secret: the computation
 * does not branch on it, and final wipes the context. */
typedef struct {
	sha256_ctx inner, outer;
} hmac_sha256_ctx;

void hmac_sha256_init(hmac_sha256_ctx *h, const uint8_t *key, size_t key_len);
void hmac_sha256_update(hmac_sha256_ctx *h, const void *data, size_t len);
void hmac_sha256_final(hmac_sha256_ctx *h, uint8_t out[SHA256_DIGEST_BYTES]);
void hmac_sha256(uint8_t out[SHA256_DIGEST_BYTES], const uint8_t *key, size_t key_len,
		 const void *data, size_t len);

/* HKDF-SHA256 (RFC 5869) with one output block, L = 32: PRK = HMAC(salt, IKM), OKM =
 * HMAC(PRK, info ‖ 0x01), i.e. the first 32 bytes of the RFC's OKM for any L. Constant
 * time in ikm; the temporaries are wiped (crypto/hkdf_sha256.c). */
void hkdf_sha256_32(uint8_t out[SHA256_DIGEST_BYTES], const void *salt, size_t salt_len,
		    const uint8_t *ikm, size_t ikm_len, const void *info, size_t info_len);

#endif
