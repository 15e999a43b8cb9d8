/* crypto/hkdf_sha256.c against RFC 5869 Appendix A, test cases 1 to 3 (SHA-256): with
 * one output block, hkdf_sha256_32 is the first 32 bytes of each case's OKM. */
#include "crypto/sha256.h"
#include "test.h"
#include "util/hex.h"

/* Fills out with the bytes first, first + 1, ... (the RFC's sequential inputs). */
static void sequence(uint8_t *out, size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(first + i);
}

static void check_okm(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		      const uint8_t *info, size_t info_len, const char *okm_hex)
{
	uint8_t got[32], want[32];
	CHECK(hex_decode(want, sizeof want, okm_hex, 64, HEX_PREFIX_FORBIDDEN) == SS_OK);
	hkdf_sha256_32(got, salt, salt_len, ikm, ikm_len, info, info_len);
	CHECK_MEM(got, want, 32);
}

TEST(hkdf_rfc5869_a1_basic)
{
	uint8_t ikm[22], salt[13], info[10];
	memset(ikm, 0x0b, sizeof ikm);
	sequence(salt, sizeof salt, 0x00);
	sequence(info, sizeof info, 0xf0);
	check_okm(salt, sizeof salt, ikm, sizeof ikm, info, sizeof info,
		  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
}

TEST(hkdf_rfc5869_a2_longer_inputs)
{
	uint8_t ikm[80], salt[80], info[80];
	sequence(ikm, sizeof ikm, 0x00);
	sequence(salt, sizeof salt, 0x60);
	sequence(info, sizeof info, 0xb0);
	check_okm(salt, sizeof salt, ikm, sizeof ikm, info, sizeof info,
		  "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c");
}

TEST(hkdf_rfc5869_a3_empty_salt_and_info)
{
	uint8_t ikm[22], none[1] = { 0 };
	memset(ikm, 0x0b, sizeof ikm);
	check_okm(none, 0, ikm, sizeof ikm, none, 0,
		  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
}
