/* ECIES over secp256k1 as ecies-rs 0.2 encrypts (ecies.h; reference/secure-signer.md
 * §2.2): HKDF-SHA256 (RFC 5869) over R ‖ S, AES-256-GCM with a 16-byte nonce through
 * OpenSSL. */
#include <openssl/evp.h>
#include <stdbool.h>
#include <string.h>

#include "crypto/ecies.h"
#include "crypto/secp256k1_key.h"
#include "crypto/sha256.h"
#include "util/random.h"
#include "util/secure_mem.h"

/* RFC 5869 with no salt (§2.2: HashLen zero bytes) and empty info; L = 32, so one
 * block of expand: key = HMAC(PRK, 0x01). */
static void derive_key(const uint8_t r65[ECIES_PUB_BYTES], const uint8_t s65[ECIES_PUB_BYTES],
		       uint8_t key[32])
{
	static const uint8_t zero_salt[SHA256_DIGEST_BYTES];
	uint8_t prk[SHA256_DIGEST_BYTES];
	hmac_sha256_ctx h;
	hmac_sha256_init(&h, zero_salt, sizeof zero_salt);
	hmac_sha256_update(&h, r65, ECIES_PUB_BYTES);
	hmac_sha256_update(&h, s65, ECIES_PUB_BYTES);
	hmac_sha256_final(&h, prk);
	static const uint8_t one = 0x01;
	hmac_sha256(key, prk, sizeof prk, &one, 1);
	secure_zero(prk, sizeof prk);
	secure_zero(&h, sizeof h);
}

/* AES-256-GCM with a 16-byte IV (GCM hashes an IV that is not 12 bytes, SP 800-38D
 * §7.1, as aes-gcm in ecies-rs and eciesjs do). enc: 1 encrypt (tag out), 0 decrypt
 * (tag in, false when it does not verify). */
static bool gcm(int enc, const uint8_t key[32], const uint8_t nonce[ECIES_NONCE_BYTES],
		uint8_t tag[ECIES_TAG_BYTES], const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0;
	bool ok = c != NULL && len <= 0x7fffffff &&
		  EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
		  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, ECIES_NONCE_BYTES, NULL) == 1 &&
		  EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1 &&
		  (len == 0 || EVP_CipherUpdate(c, out, &n, in, (int)len) == 1);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, ECIES_TAG_BYTES, tag) == 1;
	uint8_t fin[16];
	int m = 0;
	ok = ok && EVP_CipherFinal_ex(c, fin, &m) == 1 && m == 0;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, ECIES_TAG_BYTES, tag) == 1;
	EVP_CIPHER_CTX_free(c); /* cleanses the key schedule */
	return ok;
}

ss_err ecies_ephemeral(const uint8_t *ct, size_t ct_len, const uint8_t **r65)
{
	if (ct_len < ECIES_OVERHEAD || ct[0] != 0x04)
		return SS_ERR_INVALID;
	*r65 = ct;
	return SS_OK;
}

ss_err ecies_open(const uint8_t s65[ECIES_PUB_BYTES], const uint8_t *ct, size_t ct_len,
		  uint8_t *pt, size_t pt_cap, size_t *pt_len)
{
	*pt_len = 0;
	if (ct_len < ECIES_OVERHEAD || pt_cap < ct_len - ECIES_OVERHEAD)
		return SS_ERR_INVALID;
	size_t n = ct_len - ECIES_OVERHEAD;
	uint8_t key[32], tag[ECIES_TAG_BYTES];
	derive_key(ct, s65, key);
	memcpy(tag, ct + ECIES_PUB_BYTES + ECIES_NONCE_BYTES, sizeof tag);
	bool ok = gcm(0, key, ct + ECIES_PUB_BYTES, tag, ct + ECIES_OVERHEAD, n, pt);
	secure_zero(key, sizeof key);
	if (!ok) {
		secure_zero(pt, n);
		return SS_ERR_CRYPTO;
	}
	*pt_len = n;
	return SS_OK;
}

ss_err ecies_seal(const uint8_t *peer, size_t peer_len, const uint8_t *pt, size_t pt_len,
		  uint8_t *out, size_t out_cap, size_t *out_len)
{
	*out_len = 0;
	if (out_cap < pt_len + ECIES_OVERHEAD)
		return SS_ERR_INVALID;
	struct {
		uint8_t sk[K1_SECRET_BYTES], s65[ECIES_PUB_BYTES], key[32];
	} x; /* secret temporaries, wiped on every path */
	/* the ephemeral key R goes out uncompressed: one point multiplication */
	ss_err e = k1_generate(x.sk, NULL);
	if (e == SS_OK)
		e = k1_public(x.sk, NULL, out);
	if (e == SS_OK)
		e = k1_ecdh_point(x.sk, peer, peer_len, x.s65);
	if (e == SS_OK)
		e = random_bytes(out + ECIES_PUB_BYTES, ECIES_NONCE_BYTES);
	if (e == SS_OK) {
		derive_key(out, x.s65, x.key);
		if (!gcm(1, x.key, out + ECIES_PUB_BYTES, out + ECIES_PUB_BYTES + ECIES_NONCE_BYTES,
			 pt, pt_len, out + ECIES_OVERHEAD))
			e = SS_ERR_CRYPTO;
	}
	secure_zero(&x, sizeof x);
	if (e == SS_OK)
		*out_len = pt_len + ECIES_OVERHEAD;
	return e;
}
