/* crypto/secp256k1_key.h over libsecp256k1 0.2 (Debian 12): one context for the whole
 * process, randomized once against side channels (secp256k1.h:
 * secp256k1_context_randomize), used read-only afterwards, which the library documents as
 * thread-safe. */
#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>
#include <stdbool.h>
#include <string.h>

#include "crypto/secp256k1_key.h"
#include "util/ct_check.h"
#include "util/random.h"
#include "util/secure_mem.h"

static secp256k1_context *ctx;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void ctx_init(void)
{
	secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	uint8_t seed[32];
	if (c && random_bytes(seed, sizeof seed) == SS_OK &&
	    !secp256k1_context_randomize(c, seed)) {
		secp256k1_context_destroy(c);
		c = NULL;
	}
	secure_zero(seed, sizeof seed);
	ctx = c;
}

static secp256k1_context *k1_ctx(void)
{
	pthread_once(&ctx_once, ctx_init);
	return ctx;
}

static void serialize(const secp256k1_pubkey *pk, uint8_t *pub33, uint8_t *pub65)
{
	size_t len;
	if (pub33) {
		len = K1_PUB_COMPRESSED_BYTES;
		secp256k1_ec_pubkey_serialize(k1_ctx(), pub33, &len, pk, SECP256K1_EC_COMPRESSED);
	}
	if (pub65) {
		len = K1_PUB_UNCOMPRESSED_BYTES;
		secp256k1_ec_pubkey_serialize(k1_ctx(), pub65, &len, pk, SECP256K1_EC_UNCOMPRESSED);
	}
}

/* A public key in SEC1 form, compressed (33 bytes) or uncompressed (65): what
 * k1_pub_parse and k1_ecdh_point accept. */
static bool parse_pub(const secp256k1_context *c, secp256k1_pubkey *pk, const uint8_t *in,
		      size_t len)
{
	return (len == K1_PUB_COMPRESSED_BYTES || len == K1_PUB_UNCOMPRESSED_BYTES) &&
	       secp256k1_ec_pubkey_parse(c, pk, in, len);
}

ss_err k1_public(const uint8_t sk[K1_SECRET_BYTES], uint8_t pub33[K1_PUB_COMPRESSED_BYTES],
		 uint8_t pub65[K1_PUB_UNCOMPRESSED_BYTES])
{
	secp256k1_context *c = k1_ctx();
	if (!c)
		return SS_ERR_INTERNAL;
	secp256k1_pubkey pk;
	if (!secp256k1_ec_pubkey_create(c, &pk, sk))
		return SS_ERR_INVALID;
	serialize(&pk, pub33, pub65);
	return SS_OK;
}

ss_err k1_generate(uint8_t sk[K1_SECRET_BYTES], uint8_t pub33[K1_PUB_COMPRESSED_BYTES])
{
	secp256k1_context *c = k1_ctx();
	if (!c)
		return SS_ERR_INTERNAL;
	/* A uniform 32-byte string is a valid scalar except with probability ~2^-128. */
	for (int tries = 0; tries < 64; tries++) {
		ss_err e = random_bytes(sk, K1_SECRET_BYTES);
		if (e != SS_OK)
			return e;
		if (secp256k1_ec_seckey_verify(c, sk))
			return pub33 ? k1_public(sk, pub33, NULL) : SS_OK;
	}
	secure_zero(sk, K1_SECRET_BYTES);
	return SS_ERR_INTERNAL;
}

ss_err k1_pub_parse(const uint8_t *in, size_t len, uint8_t pub33[K1_PUB_COMPRESSED_BYTES],
		    uint8_t pub65[K1_PUB_UNCOMPRESSED_BYTES])
{
	secp256k1_context *c = k1_ctx();
	if (!c)
		return SS_ERR_INTERNAL;
	secp256k1_pubkey pk;
	if (!parse_pub(c, &pk, in, len))
		return SS_ERR_INVALID;
	serialize(&pk, pub33, pub65);
	return SS_OK;
}

ss_err k1_sign_recoverable(const uint8_t sk[K1_SECRET_BYTES], const uint8_t hash[32],
			   uint8_t out[K1_SIG_RECOVERABLE_BYTES])
{
	secp256k1_context *c = k1_ctx();
	if (!c)
		return SS_ERR_INTERNAL;
	secp256k1_ecdsa_recoverable_signature sig;
	int recid = 0;
	/* NULL nonce function: RFC 6979; libsecp256k1 signatures are always low-s. */
	if (!secp256k1_ecdsa_sign_recoverable(c, &sig, hash, sk, NULL, NULL))
		return SS_ERR_INVALID;
	secp256k1_ecdsa_recoverable_signature_serialize_compact(c, out, &recid, &sig);
	out[64] = (uint8_t)recid;
	return SS_OK;
}

ss_err k1_recover(const uint8_t sig[K1_SIG_RECOVERABLE_BYTES], const uint8_t hash[32],
		  uint8_t pub65[K1_PUB_UNCOMPRESSED_BYTES])
{
	secp256k1_context *c = k1_ctx();
	if (!c)
		return SS_ERR_INTERNAL;
	secp256k1_ecdsa_recoverable_signature rs;
	secp256k1_pubkey pk;
	if (sig[64] > 3 || !secp256k1_ecdsa_recoverable_signature_parse_compact(c, &rs, sig, sig[64]) ||
	    !secp256k1_ecdsa_recover(c, &pk, &rs, hash))
		return SS_ERR_CRYPTO;
	serialize(&pk, NULL, pub65);
	return SS_OK;
}

/* secp256k1_ecdh's hash hook, made to return the point itself: 0x04 ‖ x ‖ y. */
static int copy_point(unsigned char *output, const unsigned char *x32, const unsigned char *y32,
		      void *data)
{
	(void)data;
	output[0] = 0x04;
	memcpy(output + 1, x32, 32);
	memcpy(output + 33, y32, 32);
	return 1;
}

ss_err k1_ecdh_point(const uint8_t sk[K1_SECRET_BYTES], const uint8_t *peer, size_t peer_len,
		     uint8_t point65[K1_PUB_UNCOMPRESSED_BYTES])
{
	secp256k1_context *c = k1_ctx();
	if (!c)
		return SS_ERR_INTERNAL;
	secp256k1_pubkey pk;
	if (!parse_pub(c, &pk, peer, peer_len))
		return SS_ERR_INVALID;
	/* libsecp256k1's ECDH is constant time in sk (ecmult_const); its answer only says
	 * whether sk is a valid scalar, which is public (every stored key is), so the
	 * valgrind test of ECIES (tests/crypto test_ecies_ct) may see it. */
	int ok = secp256k1_ecdh(c, point65, &pk, sk, copy_point, NULL);
	CT_PUBLIC(&ok, sizeof ok);
	if (!ok) {
		secure_zero(point65, K1_PUB_UNCOMPRESSED_BYTES);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}
