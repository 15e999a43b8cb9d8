/* crypto/ecies.h without npm: a ciphertext made by eciesjs 0.5.0 (configured as ecies-rs
 * 0.2, the original Secure-Signer's format) decrypts; our own ciphertexts round-trip to
 * compressed and uncompressed keys; a changed byte in any part (ephemeral key, nonce, tag,
 * body), another key, or a short ciphertext is refused and leaves no plaintext. The
 * byte-for-byte cross-check both ways against eciesjs is tests/api/npm-secure-signer. */
#include <string.h>

#include "crypto/ecies.h"
#include "crypto/secp256k1_key.h"
#include "test.h"
#include "util/ct_check.h"
#include "util/hex.h"

/* eciesjs 0.5.0: PrivateKey.fromHex(SK), encrypt(pk33, "secure-signer ecies vector") */
static const char SK[] = "3a5f2f6e61b1c1a6cf7f5b9cde4b1f4b2cb2b7d9ad8c3c1e6a0e7b5a1f0c9d11";
static const char PK[] = "02597238d00af3a6e37e56599b426fcd5912d9a1d6b76b4aab0281fe74f4a6d8a9";
static const char CT[] =
	"046f16dba22f8e9858a2c08bd88064c297b7964fa70e83944a19bf8c2491d62f22f6c49d0a2dc48d90d343"
	"5f7d150f112e3de95cc66ba736f159b254f098ad822d56eaa1ebc4f58dc7b61a275bcb4e815a91df4f0224"
	"03ba4b48f9e56d60039abc5065512187701b96c368e007d6b23dc1a59e1e36c3a41e533794";
static const char PT[] = "secure-signer ecies vector";

static ss_err open_with(const uint8_t sk[32], const uint8_t *ct, size_t len, uint8_t *pt,
			size_t *pt_len)
{
	const uint8_t *r65;
	uint8_t s65[65];
	*pt_len = 0;
	if (ecies_ephemeral(ct, len, &r65) != SS_OK)
		return SS_ERR_INVALID;
	ss_err e = k1_ecdh_point(sk, r65, 65, s65);
	return e != SS_OK ? e : ecies_open(s65, ct, len, pt, len, pt_len);
}

TEST(eciesjs_ciphertext_decrypts)
{
	uint8_t sk[32], pk[33], pub[33], ct[sizeof CT / 2], pt[sizeof CT / 2];
	size_t n = 0;
	CHECK(hex_decode(sk, 32, SK, strlen(SK), HEX_PREFIX_FORBIDDEN) == SS_OK);
	CHECK(hex_decode(pk, 33, PK, strlen(PK), HEX_PREFIX_FORBIDDEN) == SS_OK);
	CHECK(hex_decode(ct, sizeof ct, CT, strlen(CT), HEX_PREFIX_FORBIDDEN) == SS_OK);
	CHECK(k1_public(sk, pub, NULL) == SS_OK && memcmp(pub, pk, 33) == 0);
	CHECK(open_with(sk, ct, sizeof ct, pt, &n) == SS_OK);
	CHECK(n == strlen(PT) && memcmp(pt, PT, n) == 0);
	/* every part is authenticated */
	const size_t at[] = { 1, 64, 65, 80, 81, 96, 97, sizeof ct - 1 };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		uint8_t bad[sizeof ct];
		memcpy(bad, ct, sizeof ct);
		bad[at[i]] ^= 0x01;
		ss_err e = open_with(sk, bad, sizeof bad, pt, &n);
		CHECK_MSG(e != SS_OK && n == 0, "byte %zu changed: %d", at[i], (int)e);
	}
	/* another key */
	uint8_t other[32], o33[33];
	CHECK(k1_generate(other, o33) == SS_OK);
	CHECK(open_with(other, ct, sizeof ct, pt, &n) == SS_ERR_CRYPTO);
	/* too short to hold R, nonce and tag */
	CHECK(open_with(sk, ct, ECIES_OVERHEAD - 1, pt, &n) == SS_ERR_INVALID);
}

TEST(seal_round_trips_to_both_key_forms)
{
	uint8_t sk[32], p33[33], p65[65];
	CHECK(k1_generate(sk, p33) == SS_OK);
	CHECK(k1_public(sk, NULL, p65) == SS_OK);
	static const size_t lens[] = { 0, 1, 15, 16, 17, 255, 4096 };
	static uint8_t msg[4096], ct[4096 + ECIES_OVERHEAD], pt[4096 + ECIES_OVERHEAD];
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 31 + 7);
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			size_t n = 0, m = 0;
			CHECK(ecies_seal(k ? p65 : p33, k ? 65 : 33, msg, lens[i], ct, sizeof ct, &n) ==
			      SS_OK);
			CHECK_EQ_U64(n, lens[i] + ECIES_OVERHEAD);
			CHECK(ct[0] == 0x04);
			CHECK(open_with(sk, ct, n, pt, &m) == SS_OK);
			CHECK(m == lens[i] && memcmp(pt, msg, m) == 0);
		}
	/* fresh ephemeral key and nonce every time */
	uint8_t a[128], b[128];
	size_t na, nb;
	CHECK(ecies_seal(p33, 33, msg, 8, a, sizeof a, &na) == SS_OK);
	CHECK(ecies_seal(p33, 33, msg, 8, b, sizeof b, &nb) == SS_OK);
	CHECK(memcmp(a, b, na) != 0);
	/* not a point */
	uint8_t bogus[33] = { 0x02 };
	memset(bogus + 1, 0xff, 32);
	size_t nz;
	CHECK(ecies_seal(bogus, 33, msg, 8, a, sizeof a, &nz) != SS_OK);
}

/* Constant time under valgrind (test_ecies_ct; CONVENTIONS.md "Secrets"): the receiver's
 * secret key and the ECDH shared point S are marked undefined, so memcheck reports any
 * branch or table index on them from the ECDH through HKDF-SHA256 to AES-256-GCM. The
 * answer of the tag check is public (the caller learns whether the ciphertext decrypts),
 * and so are the plaintext's length and, for the test's check, its bytes. */
TEST(ct_open_with_secret_key)
{
	uint8_t sk[32], ct[sizeof CT / 2], pt[sizeof CT / 2], s65[65];
	size_t n = 0;
	CHECK(hex_decode(sk, 32, SK, strlen(SK), HEX_PREFIX_FORBIDDEN) == SS_OK);
	CHECK(hex_decode(ct, sizeof ct, CT, strlen(CT), HEX_PREFIX_FORBIDDEN) == SS_OK);
	const uint8_t *r65;
	CHECK(ecies_ephemeral(ct, sizeof ct, &r65) == SS_OK);
	CT_SECRET(sk, sizeof sk);
	ss_err e = k1_ecdh_point(sk, r65, 65, s65);
	CT_PUBLIC(&e, sizeof e);
	CHECK(e == SS_OK);
	CT_SECRET(s65, sizeof s65);
	e = ecies_open(s65, ct, sizeof ct, pt, sizeof pt, &n);
	CT_PUBLIC(&e, sizeof e);
	CT_PUBLIC(&n, sizeof n);
	CT_PUBLIC(pt, sizeof pt);
	CT_PUBLIC(sk, sizeof sk);
	CHECK(e == SS_OK);
	CHECK(n == strlen(PT) && memcmp(pt, PT, n) == 0);
}
