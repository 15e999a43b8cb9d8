/* HMAC-SHA256 (RFC 2104) over the low-level SHA-256 context of sha256.c: no allocation
 * and no failure, unlike OpenSSL's EVP_MAC or HMAC() (both allocate a context; HMAC()
 * returned NULL with its output unwritten, which sealed.c ignored, and EIP-2333 aborted
 * the whole signer when EVP_MAC could not allocate). Keys are secrets (EIP-2333 seeds,
 * the key store's MAC key): no branch or index depends on their bytes, and the padded
 * key and the contexts are wiped. */
#include <string.h>

#include "crypto/sha256.h"
#include "util/secure_mem.h"

void hmac_sha256_init(hmac_sha256_ctx *h, const uint8_t *key, size_t key_len)
{
	uint8_t k[SHA256_BLOCK_BYTES] = { 0 };
	if (key_len > SHA256_BLOCK_BYTES) /* RFC 2104 §2: long keys are hashed first */
		sha256(k, key, key_len);
	else
		memcpy(k, key, key_len);
	uint8_t pad[SHA256_BLOCK_BYTES];
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = (uint8_t)(k[i] ^ 0x36); /* ipad */
	sha256_init(&h->inner);
	sha256_update(&h->inner, pad, sizeof pad);
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = (uint8_t)(k[i] ^ 0x5c); /* opad */
	sha256_init(&h->outer);
	sha256_update(&h->outer, pad, sizeof pad);
	secure_zero(k, sizeof k);
	secure_zero(pad, sizeof pad);
}

void hmac_sha256_update(hmac_sha256_ctx *h, const void *data, size_t len)
{
	sha256_update(&h->inner, data, len);
}

void hmac_sha256_final(hmac_sha256_ctx *h, uint8_t out[SHA256_DIGEST_BYTES])
{
	uint8_t ih[SHA256_DIGEST_BYTES];
	sha256_final(&h->inner, ih); /* H((K ^ ipad) || m) */
	sha256_update(&h->outer, ih, sizeof ih);
	sha256_final(&h->outer, out); /* H((K ^ opad) || inner) */
	secure_zero(ih, sizeof ih);
}

void hmac_sha256(uint8_t out[SHA256_DIGEST_BYTES], const uint8_t *key, size_t key_len,
		 const void *data, size_t len)
{
	hmac_sha256_ctx h;
	hmac_sha256_init(&h, key, key_len);
	hmac_sha256_update(&h, data, len);
	hmac_sha256_final(&h, out);
}
