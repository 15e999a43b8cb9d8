/* Keccak-256 against published digests (the Keccak team's and Ethereum's well-known
 * values), including messages on both sides of the 136-byte rate, where the padding
 * bytes 0x01 and 0x80 meet or spill into a second block. */
#include <string.h>

#include "crypto/keccak.h"
#include "test.h"
#include "util/hex.h"

static void expect(const void *msg, size_t len, const char *want_hex)
{
	uint8_t got[32], want[32];
	keccak256(got, msg, len);
	CHECK(hex_decode(want, 32, want_hex, strlen(want_hex), HEX_PREFIX_FORBIDDEN) == SS_OK);
	CHECK_MSG(memcmp(got, want, 32) == 0, "keccak256 of %zu bytes", len);
}

TEST(known_digests)
{
	expect("", 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	expect("abc", 3, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
	const char *fox = "The quick brown fox jumps over the lazy dog";
	expect(fox, strlen(fox),
	       "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

/* Lengths around the rate: every split of padding must give a different digest, and the
 * digest must not depend on bytes past len. */
TEST(rate_boundaries)
{
	uint8_t buf[300], d1[32], d2[32];
	memset(buf, 0x61, sizeof buf);
	static const size_t lens[] = { 134, 135, 136, 137, 271, 272, 273 };
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		keccak256(d1, buf, lens[i]);
		buf[lens[i]] = 0x62;
		keccak256(d2, buf, lens[i]);
		buf[lens[i]] = 0x61;
		CHECK_MEM(d1, d2, 32);
		keccak256(d2, buf, lens[i] + 1);
		CHECK(memcmp(d1, d2, 32) != 0);
	}
}
