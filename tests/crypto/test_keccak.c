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

/* "a" repeated n times around the rate (one block with both padding bytes in its last
 * byte, a full block and a padding-only second block, two blocks, three): digests from
 * @noble/hashes 1.8.0 keccak_256 and an independent Python sponge whose 0x06 variant
 * matches hashlib.sha3_256. */
TEST(known_digests_across_the_rate)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{ 135, "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446" },
		{ 136, "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e" },
		{ 137, "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39" },
		{ 272, "cf7fcd4f705ee749930d19ca84561a9bf62516bd90a471545fa2f49fdc7e63c8" },
		{ 300, "5b7e0e47a96f32a88b4f14ca177982790807c40e1a105742ba0fc1babe1ef826" },
	};
	uint8_t buf[300];
	memset(buf, 'a', sizeof buf);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		expect(buf, v[i].n, v[i].hex);
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
