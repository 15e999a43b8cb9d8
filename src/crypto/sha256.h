/* SHA-256 for every module (hash-to-curve, SSZ merkleisation, keystore checksums,
 * EIP-2333). A thin allocation-free wrapper over OpenSSL's libcrypto, which uses the
 * SHA extensions when the CPU has them. */
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

#endif
