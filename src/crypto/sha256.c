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

/* Not OpenSSL's one-shot SHA256(): in OpenSSL 3 it is EVP_Q_digest, which allocates a
 * context and fetches the algorithm, and on failure returns NULL with out unwritten. The
 * signing root was then merkleised from stack garbage and a wrong signature answered 200
 * (found by tests/api/test_oom.c failing each allocation of a request in turn). The
 * low-level context below allocates nothing and cannot fail. */
void sha256(uint8_t out[SHA256_DIGEST_BYTES], const void *data, size_t len)
{
	sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, out);
}

void sha256_pair(uint8_t out[SHA256_DIGEST_BYTES], const uint8_t a[32], const uint8_t b[32])
{
	sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, a, 32);
	sha256_update(&ctx, b, 32);
	sha256_final(&ctx, out);
}
