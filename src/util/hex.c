#include "util/hex.h"

#include <string.h>

#include "util/ct.h"
#include "util/secure_mem.h"

static int hex_value_vartime(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strips an optional "0x"/"0X" prefix according to the rule; false if the rule fails. */
static bool strip_prefix(const char **in, size_t *in_len, hex_prefix prefix)
{
	bool has = *in_len >= 2 && (*in)[0] == '0' && ((*in)[1] == 'x' || (*in)[1] == 'X');
	if (prefix == HEX_PREFIX_REQUIRED && !has)
		return false;
	if (prefix == HEX_PREFIX_FORBIDDEN && has)
		return false;
	if (has) {
		*in += 2;
		*in_len -= 2;
	}
	return true;
}

ss_err hex_decode(uint8_t *out, size_t out_len, const char *in, size_t in_len,
		  hex_prefix prefix)
{
	if (in == NULL || !strip_prefix(&in, &in_len, prefix))
		return SS_ERR_INVALID;
	if (in_len != 2 * out_len)
		return SS_ERR_INVALID;
	for (size_t i = 0; i < in_len; i++)
		if (hex_value_vartime(in[i]) < 0)
			return SS_ERR_INVALID;
	for (size_t i = 0; i < out_len; i++)
		out[i] = (uint8_t)(hex_value_vartime(in[2 * i]) << 4 | hex_value_vartime(in[2 * i + 1]));
	return SS_OK;
}

ss_err hex_decode_var(uint8_t *out, size_t out_cap, size_t *out_len, const char *in,
		      size_t in_len, hex_prefix prefix)
{
	if (in == NULL || !strip_prefix(&in, &in_len, prefix))
		return SS_ERR_INVALID;
	if (in_len % 2 != 0 || in_len / 2 > out_cap)
		return SS_ERR_INVALID;
	ss_err err = hex_decode(out, in_len / 2, in, in_len, HEX_PREFIX_FORBIDDEN);
	if (err == SS_OK)
		*out_len = in_len / 2;
	return err;
}

/* Constant-time digit value: returns the value in the low 4 bits and, in *bad, ORs
 * 1 when c is no hex digit. Arithmetic masks only (no branches, no tables). */
static unsigned hex_value_ct(unsigned char c, unsigned *bad)
{
	unsigned x = c;
	/* mask = 0xff..ff when lo <= x <= hi, computed from the sign bits of differences */
	unsigned is_digit = ((x - '0') | ('9' - x)) >> (sizeof(unsigned) * 8 - 1) ^ 1;
	unsigned lower = x | 0x20; /* fold case for letters */
	unsigned is_alpha = ((lower - 'a') | ('f' - lower)) >> (sizeof(unsigned) * 8 - 1) ^ 1;
	unsigned digit_mask = (unsigned)ct_mask_u64(is_digit),
		 alpha_mask = (unsigned)ct_mask_u64(is_alpha);
	*bad |= (is_digit | is_alpha) ^ 1;
	return ((x - '0') & digit_mask) | ((lower - 'a' + 10) & alpha_mask);
}

ss_err hex_decode_ct(uint8_t *out, size_t out_len, const char *in, size_t in_len,
		     hex_prefix prefix)
{
	if (in == NULL || !strip_prefix(&in, &in_len, prefix) || in_len != 2 * out_len) {
		if (out != NULL)
			secure_zero(out, out_len);
		return SS_ERR_INVALID;
	}
	unsigned bad = 0;
	for (size_t i = 0; i < out_len; i++) {
		unsigned hi = hex_value_ct((unsigned char)in[2 * i], &bad);
		unsigned lo = hex_value_ct((unsigned char)in[2 * i + 1], &bad);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	/* Only the validity of the whole string is revealed, never which digit, and even
	 * that only through the result: out is masked to zero when any digit was bad and
	 * the code is computed without a branch (the caller's test of it is the one place
	 * the validity becomes public; tests/util/hex_ct.c checks this under valgrind). */
	uint8_t keep = (uint8_t)(bad - 1); /* bad is 0 or 1: 0xff when every digit was good */
	for (size_t i = 0; i < out_len; i++)
		out[i] &= keep;
	return (ss_err)(SS_ERR_INVALID & (0u - bad));
}

void hex_encode(char *out, const uint8_t *in, size_t len, bool prefix)
{
	if (prefix) {
		*out++ = '0';
		*out++ = 'x';
	}
	for (size_t i = 0; i < len; i++) {
		unsigned n[2] = { in[i] >> 4u, in[i] & 0xfu };
		for (int k = 0; k < 2; k++) {
			/* '0'+n for n<10, 'a'+n-10 otherwise, selected by a mask */
			unsigned ge10 = 0u - ((9u - n[k]) >> 31);
			out[2 * i + k] = (char)('0' + n[k] + (ge10 & ('a' - '0' - 10)));
		}
	}
	out[2 * len] = '\0';
}
