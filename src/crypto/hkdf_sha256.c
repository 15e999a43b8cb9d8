/* HKDF-SHA256 (RFC 5869) with one output block, on top of crypto/hmac_sha256.c: the KDF
 * of the TEE providers' sealing keys (tee/provider_dev.c, tee/provider_sim.c) and of the
 * key-encryption key sealed to the TEE (keys/kek_tee.c). */
#include "crypto/sha256.h"

#include "util/secure_mem.h"

void hkdf_sha256_32(uint8_t out[SHA256_DIGEST_BYTES], const void *salt, size_t salt_len,
		    const uint8_t *ikm, size_t ikm_len, const void *info, size_t info_len)
{
	struct {
		uint8_t prk[SHA256_DIGEST_BYTES];
		hmac_sha256_ctx h;
	} s;
	/* RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM) */
	hmac_sha256(s.prk, salt, salt_len, ikm, ikm_len);
	/* RFC 5869 §2.3 with L = 32 = HashLen: OKM = T(1) = HMAC-Hash(PRK, info ‖ 0x01) */
	static const uint8_t one = 0x01;
	hmac_sha256_init(&s.h, s.prk, sizeof s.prk);
	hmac_sha256_update(&s.h, info, info_len);
	hmac_sha256_update(&s.h, &one, 1);
	hmac_sha256_final(&s.h, out);
	secure_zero(&s, sizeof s);
}
