/* OpenSSL 3 marks the low-level SHA256_* calls deprecated in favour of EVP, but EVP
 * allocates a context per use; the crypto core must not allocate (CONVENTIONS.md). */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "crypto/sha256.h"

#include <openssl/sha.h>
#include <string.h>

#include "util/secure_mem.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((sha256_ctx *)0)->opaque),
	       "sha256_ctx too small for OpenSSL's SHA256_CTX");

void sha256_init(sha256_ctx *ctx)
{
	SHA256_Init((SHA256_CTX *)ctx->opaque);
}

void sha256_update(sha256_ctx *ctx, const void *data, size_t len)
{
	SHA256_Update((SHA256_CTX *)ctx->opaque, data, len);
}

void sha256_final(sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_BYTES])
{
	SHA256_Final(out, (SHA256_CTX *)ctx->opaque);
	secure_zero(ctx, sizeof *ctx);
}

void sha256(uint8_t out[SHA256_DIGEST_BYTES], const void *data, size_t len)
{
	SHA256(data, len, out);
}

void sha256_pair(uint8_t out[SHA256_DIGEST_BYTES], const uint8_t a[32], const uint8_t b[32])
{
	uint8_t buf[64];
	memcpy(buf, a, 32);
	memcpy(buf + 32, b, 32);
	SHA256(buf, 64, out);
}
