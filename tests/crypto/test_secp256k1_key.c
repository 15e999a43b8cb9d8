/* crypto/secp256k1_key.h: public keys of known scalars (1·G and 2·G, SEC 2 §2.4.1),
 * signatures that recover to the signer, ECDH that both sides agree on, and refusal of
 * invalid scalars and points. The npm cross-checks of issues 13 (eciesjs) and 17 (ECDSA
 * recovery) test the same functions against independent implementations. */
#include <string.h>

#include "crypto/secp256k1_key.h"
#include "test.h"
#include "util/hex.h"

static void scalar(uint8_t sk[32], uint8_t v)
{
	memset(sk, 0, 32);
	sk[31] = v;
}

static void unhex(uint8_t *out, size_t n, const char *h)
{
	CHECK(hex_decode(out, n, h, strlen(h), HEX_PREFIX_FORBIDDEN) == SS_OK);
}

TEST(public_keys_of_known_scalars)
{
	uint8_t sk[32], pub33[33], pub65[65], want[65];
	scalar(sk, 1);
	CHECK(k1_public(sk, pub33, pub65) == SS_OK);
	unhex(want, 33, "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
	CHECK_MEM(pub33, want, 33);
	unhex(want, 65, "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
			"483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
	CHECK_MEM(pub65, want, 65);
	scalar(sk, 2);
	CHECK(k1_public(sk, pub33, NULL) == SS_OK);
	unhex(want, 33, "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5");
	CHECK_MEM(pub33, want, 33);
	/* Both forms parse to the same point: 1·G given uncompressed comes back compressed,
	 * and 2·G goes compressed -> uncompressed -> compressed unchanged. */
	uint8_t a33[33], a65[65];
	CHECK(k1_pub_parse(pub65, 65, a33, NULL) == SS_OK);
	unhex(want, 33, "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
	CHECK_MEM(a33, want, 33);
	CHECK(k1_pub_parse(pub33, 33, NULL, a65) == SS_OK);
	CHECK(a65[0] == 0x04 && memcmp(a65 + 1, pub33 + 1, 32) == 0);
	CHECK(k1_pub_parse(a65, 65, a33, NULL) == SS_OK);
	CHECK_MEM(a33, pub33, 33);
}

TEST(invalid_scalars_and_points_are_refused)
{
	uint8_t sk[32], pub33[33], bad[33];
	memset(sk, 0, 32);
	CHECK(k1_public(sk, pub33, NULL) == SS_ERR_INVALID);
	/* n, the group order: not a valid secret. */
	unhex(sk, 32, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
	CHECK(k1_public(sk, pub33, NULL) == SS_ERR_INVALID);
	/* x = 5 has no point on y^2 = x^3 + 7. */
	memset(bad, 0, 33);
	bad[0] = 0x02;
	bad[32] = 5;
	CHECK(k1_pub_parse(bad, 33, pub33, NULL) == SS_ERR_INVALID);
	CHECK(k1_pub_parse(bad, 32, pub33, NULL) == SS_ERR_INVALID);
	scalar(sk, 7);
	uint8_t point[65];
	CHECK(k1_ecdh_point(sk, bad, 33, point) == SS_ERR_INVALID);
}

TEST(signatures_recover_to_the_signer)
{
	for (int i = 0; i < 32; i++) {
		uint8_t sk[32], pub33[33], pub65[65], hash[32], sig[65], rec[65];
		CHECK(k1_generate(sk, pub33) == SS_OK);
		CHECK(k1_public(sk, NULL, pub65) == SS_OK);
		memset(hash, i, sizeof hash);
		CHECK(k1_sign_recoverable(sk, hash, sig) == SS_OK);
		CHECK(sig[64] <= 1);
		CHECK(k1_recover(sig, hash, rec) == SS_OK);
		CHECK_MEM(rec, pub65, 65);
		/* Deterministic (RFC 6979). */
		uint8_t again[65];
		CHECK(k1_sign_recoverable(sk, hash, again) == SS_OK);
		CHECK_MEM(again, sig, 65);
		/* Another message recovers to another key. */
		hash[0] ^= 1;
		CHECK(k1_recover(sig, hash, rec) != SS_OK || memcmp(rec, pub65, 65) != 0);
	}
}

TEST(ecdh_agrees_both_ways)
{
	uint8_t a[32], b[32], pa[33], pb[33], pb65[65], s1[65], s2[65], s3[65];
	CHECK(k1_generate(a, pa) == SS_OK);
	CHECK(k1_generate(b, pb) == SS_OK);
	CHECK(k1_public(b, NULL, pb65) == SS_OK);
	CHECK(k1_ecdh_point(a, pb, 33, s1) == SS_OK);
	CHECK(k1_ecdh_point(b, pa, 33, s2) == SS_OK);
	CHECK(k1_ecdh_point(a, pb65, 65, s3) == SS_OK);
	CHECK_MEM(s1, s2, 65);
	CHECK_MEM(s1, s3, 65);
	CHECK(s1[0] == 0x04);
	/* [1]P = P: the shared point is the full point, not a hash of it. */
	uint8_t one[32];
	scalar(one, 1);
	CHECK(k1_ecdh_point(one, pb65, 65, s1) == SS_OK);
	CHECK_MEM(s1, pb65, 65);
}

