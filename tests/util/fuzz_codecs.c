/* Fuzz target for the util parsers (CONVENTIONS.md "every parser has a fuzz target"):
 * the strict hex decoders, the base64 decoder and the decimal uint64 parser. Beyond "no
 * crash", it checks properties an oracle-free fuzzer can: hex_decode and hex_decode_ct
 * agree (result and bytes) under every prefix rule, an accepted string re-encodes to
 * itself (hex: up to case and prefix; base64: up to the ignored low bits of a padded
 * final group, so to a string of the same length that decodes to the same bytes), and
 * an accepted decimal re-formats to itself without leading zeros. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/dec.h"
#include "util/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	/* decimal: accepted means all digits, value re-formats to the same digits */
	uint64_t v;
	if (dec_parse_u64(s, size, &v) == SS_OK) {
		char buf[DEC_U64_MAX_CHARS];
		size_t n = dec_format_u64(buf, v), z = 0;
		while (z + 1 < size && s[z] == '0')
			z++; /* leading zeros are accepted; compare without them */
		if (n != size - z || memcmp(buf, s + z, n) != 0)
			abort();
	}
	/* base64: an accepted string re-encodes to one of its length with the same bytes */
	uint8_t b64[192], again[192];
	char b64_enc[BASE64_ENCODED_LEN(sizeof b64) + 1];
	size_t b64_n = 0, again_n = 0;
	if (base64_decode(b64, sizeof b64, &b64_n, s, size) == SS_OK) {
		base64_encode(b64_enc, b64, b64_n);
		if (strlen(b64_enc) != size ||
		    base64_decode(again, sizeof again, &again_n, b64_enc, size) != SS_OK ||
		    again_n != b64_n || memcmp(again, b64, b64_n) != 0)
			abort();
	}
	/* hex: both decoders, each prefix rule, for the length the string implies */
	static const hex_prefix rules[] = { HEX_PREFIX_REQUIRED, HEX_PREFIX_OPTIONAL, HEX_PREFIX_FORBIDDEN };
	uint8_t a[256], b[256];
	char enc[2 * 256 + 3];
	for (int r = 0; r < 3; r++) {
		bool has = size >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
		size_t digits = size - (has ? 2 : 0);
		size_t n = digits / 2;
		if (n > sizeof a)
			return 0;
		memset(a, 0x5a, sizeof a);
		memset(b, 0x5a, sizeof b);
		ss_err ea = hex_decode(a, n, s, size, rules[r]);
		ss_err eb = hex_decode_ct(b, n, s, size, rules[r]);
		if (ea != eb || (ea == SS_OK && memcmp(a, b, n) != 0))
			abort();
		if (ea != SS_OK)
			continue;
		hex_encode(enc, a, n, false);
		for (size_t i = 0; i < 2 * n; i++)
			if (enc[i] != tolower((unsigned char)s[size - 2 * n + i]))
				abort();
		size_t got = 0;
		if (hex_decode_var(b, sizeof b, &got, s, size, rules[r]) != SS_OK || got != n ||
		    memcmp(a, b, n) != 0)
			abort();
	}
	return 0;
}
