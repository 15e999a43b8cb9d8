/* util/base64: the RFC 4648 §10 vectors both ways, malformed input refused, and — since
 * the codec replaced OpenSSL's EVP_EncodeBlock and two EVP_DecodeBlock wrappers — the
 * encoder against EVP_EncodeBlock and the decoder against the strictest of the wrappers
 * it replaced (tee/evidence_object.c's, kept below as the oracle), exhaustively over
 * every 4-character string of a small alphabet and on random longer ones. */
#include <openssl/evp.h>
#include <stdlib.h>

#include "test.h"
#include "util/base64.h"

static const struct {
	const char *plain, *b64;
} rfc4648[] = {
	{ "", "" },	    { "f", "Zg==" },	   { "fo", "Zm8=" },	     { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

TEST(base64_rfc4648_section10_vectors)
{
	for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		const char *p = rfc4648[i].plain, *b = rfc4648[i].b64;
		char enc[16];
		base64_encode(enc, (const uint8_t *)p, strlen(p));
		CHECK_MSG(strcmp(enc, b) == 0, "BASE64(\"%s\") = \"%s\", not \"%s\"", p, enc, b);
		CHECK_EQ_U64(strlen(enc), BASE64_ENCODED_LEN(strlen(p)));
		uint8_t dec[8];
		size_t n = 99;
		CHECK_MSG(base64_decode(dec, sizeof dec, &n, b, strlen(b)) == SS_OK, "%s", b);
		CHECK_EQ_U64(n, strlen(p));
		CHECK_MEM(dec, p, n);
	}
}

TEST(base64_refuses_malformed_input)
{
	static const char *const bad[] = {
		"Zg",	    "Zg=",	 "Zm9vY",    "Z===",	 "====",     "Zg=a",	 "Zm=v",
		"=m9v",	    "Zg==Zm9v",	 "Zm8=Zm9v", "Zm9v\n",	 " Zm9v",    "Zm9v ",	 "Zm\r\n9v",
		"Zm9-",	    "Zm9_",	 "Zm9.",     "Zm9\x80",	 "Zm9v====", "Zg=\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t out[16];
		memset(out, 0x5a, sizeof out);
		size_t n = 99;
		CHECK_MSG(base64_decode(out, sizeof out, &n, bad[i], strlen(bad[i])) == SS_ERR_INVALID,
			  "\"%s\" accepted", bad[i]);
		CHECK_EQ_U64(n, 0);
		for (size_t k = 0; k < sizeof out; k++)
			CHECK_MSG(out[k] == 0x5a || out[k] == 0, "\"%s\" left byte %zu", bad[i], k);
	}
	/* a NUL is no digit either (the length, not a terminator, bounds the input) */
	uint8_t out[3];
	size_t n;
	CHECK(base64_decode(out, sizeof out, &n, "Zm\0v", 4) == SS_ERR_INVALID);
	CHECK(base64_decode(out, sizeof out, &n, NULL, 0) == SS_ERR_INVALID);
}

TEST(base64_decode_bounded_by_out_cap)
{
	uint8_t out[3] = { 7, 7, 7 };
	size_t n = 99;
	CHECK(base64_decode(out, 2, &n, "Zm9v", 4) == SS_ERR_INVALID);
	CHECK(n == 0 && out[0] == 7 && out[1] == 7 && out[2] == 7);
	CHECK(base64_decode(out, 2, &n, "Zm8=", 4) == SS_OK && n == 2 && memcmp(out, "fo", 2) == 0);
	CHECK(base64_decode(out, 0, &n, "", 0) == SS_OK && n == 0);
}

/* The unused low bits of a padded final group are ignored, as EVP_DecodeBlock did. */
TEST(base64_ignores_the_unused_bits_of_the_final_group)
{
	uint8_t out[2];
	size_t n;
	CHECK(base64_decode(out, sizeof out, &n, "Zh==", 4) == SS_OK && n == 1 && out[0] == 'f');
	CHECK(base64_decode(out, sizeof out, &n, "Zm9=", 4) == SS_OK && n == 2 &&
	      memcmp(out, "fo", 2) == 0);
}

TEST(base64_encode_is_evp_encodeblock)
{
	uint64_t seed = 4648;
	uint8_t in[200];
	char ours[BASE64_ENCODED_LEN(sizeof in) + 1], theirs[BASE64_ENCODED_LEN(sizeof in) + 1];
	for (size_t len = 0; len <= sizeof in; len++) {
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)test_splitmix64(&seed);
		if (len == 192)
			for (size_t i = 0; i < len; i++)
				in[i] = (uint8_t)(i < 64 ? i * 4 : 255 - i); /* every digit */
		base64_encode(ours, in, len);
		EVP_EncodeBlock((unsigned char *)theirs, in, (int)len);
		CHECK_MSG(strcmp(ours, theirs) == 0, "length %zu: %s, not %s", len, ours, theirs);
		uint8_t back[sizeof in];
		size_t n = 0;
		CHECK(base64_decode(back, sizeof back, &n, ours, strlen(ours)) == SS_OK);
		CHECK(n == len && memcmp(back, in, len) == 0);
	}
}

/* tee/evidence_object.c's decoder before util/base64 replaced it, verbatim but for its
 * name: "Standard base64 (RFC 4648 §4) with padding, nothing else", with no length
 * limit here (the caller keeps its own). */
static bool old_strict_decode(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
	if (len == 0 || len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '+' || c == '/' || (c == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '='));
		if (!ok)
			return false;
	}
	uint8_t *b = malloc(len / 4 * 3 + 1);
	if (b == NULL)
		return false;
	int n = EVP_DecodeBlock(b, (const unsigned char *)s, (int)len);
	if (n < 0) {
		free(b);
		return false;
	}
	n -= (s[len - 1] == '=') + (s[len - 2] == '=');
	*out = b;
	*out_len = (size_t)n;
	return true;
}

/* One string through both decoders: the same verdict and the same bytes. */
static bool agrees(const char *s, size_t len)
{
	uint8_t *want = NULL, got[64];
	size_t want_len = 0, got_len = 0;
	bool old_ok = old_strict_decode(s, len, &want, &want_len);
	bool new_ok = base64_decode(got, sizeof got, &got_len, s, len) == SS_OK && len > 0;
	bool same = old_ok == new_ok &&
		    (!old_ok || (want_len == got_len && memcmp(want, got, got_len) == 0));
	free(want);
	return same;
}

TEST(base64_decode_agrees_with_the_decoder_it_replaced)
{
	/* every character class at every position of one group, padding included */
	static const char alpha[] = "AZaz09+/=-_ \n.";
	const size_t k = sizeof alpha - 1;
	char s[9];
	size_t disagree = 0;
	for (size_t i = 0; i < k * k * k * k; i++) {
		size_t v = i;
		for (int p = 0; p < 4; p++, v /= k)
			s[p] = alpha[v % k];
		disagree += !agrees(s, 4);
	}
	/* two groups, random characters weighted to the alphabet and to '=' */
	static const char any[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint64_t seed = 10;
	for (int t = 0; t < 200000; t++) {
		for (int p = 0; p < 8; p++) {
			uint64_t r = test_splitmix64(&seed);
			s[p] = r % 16 == 0 ? '=' : r % 97 == 1 ? (char)(r >> 8) : any[(r >> 8) % 64];
		}
		disagree += !agrees(s, 8);
	}
	CHECK_EQ_U64(disagree, 0);
}
