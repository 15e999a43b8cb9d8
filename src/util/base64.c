#include "util/base64.h"

#include "util/ct.h"
#include "util/ct_check.h"

/* 1 when lo <= x <= hi, else 0, from the sign bits of two differences (x, lo, hi are
 * at most 255, so a wrapped difference has its top bit set). */
static unsigned in_range(unsigned x, unsigned lo, unsigned hi)
{
	return (((x - lo) | (hi - x)) >> (sizeof(unsigned) * 8 - 1)) ^ 1;
}

static unsigned mask(unsigned bit)
{
	return (unsigned)ct_mask_u64(bit);
}

/* The character of the 6-bit value v (RFC 4648 Table 1): 'A' + v, moved on by a
 * masked offset at each boundary of the alphabet ('a' at 26, '0' at 52, '+' at 62,
 * '/' at 63), each offset taking the previous range's character to the next one's. */
static char digit_char(unsigned v)
{
	unsigned c = 'A' + v;
	c += mask(in_range(v, 26, 63)) & (unsigned)(('a' - 26) - 'A');
	c += mask(in_range(v, 52, 63)) & (unsigned)(('0' - 52) - ('a' - 26));
	c += mask(in_range(v, 62, 63)) & (unsigned)('+' - ('0' + 10));
	c += mask(in_range(v, 63, 63)) & (unsigned)('/' - ('+' + 1));
	return (char)c;
}

void base64_encode(char *out, const uint8_t *in, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t w = (uint32_t)in[i] << 16;
		if (left > 1)
			w |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			w |= in[i + 2];
		out[o++] = digit_char(w >> 18);
		out[o++] = digit_char((w >> 12) & 63);
		out[o++] = left > 1 ? digit_char((w >> 6) & 63) : '=';
		out[o++] = left > 2 ? digit_char(w & 63) : '=';
	}
	out[o] = '\0';
}

/* The 6-bit value of digit c; ORs 1 into *bad when c is not of the alphabet. '=' is
 * counted as a digit of value 0 and reported in *is_pad; where it may stand is the
 * caller's to check. Masks only: no branch and no table index on c. */
static unsigned digit_value(unsigned char c, unsigned *is_pad, unsigned *bad)
{
	unsigned upper = in_range(c, 'A', 'Z'), lower = in_range(c, 'a', 'z'),
		 digit = in_range(c, '0', '9'), plus = in_range(c, '+', '+'),
		 slash = in_range(c, '/', '/'), pad = in_range(c, '=', '=');
	*is_pad = pad;
	*bad |= (upper | lower | digit | plus | slash | pad) ^ 1;
	return ((c - 'A') & mask(upper)) | ((c - 'a' + 26) & mask(lower)) |
	       ((c - '0' + 52) & mask(digit)) | (62 & mask(plus)) | (63 & mask(slash));
}

ss_err base64_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in,
		     size_t in_len)
{
	*out_len = 0;
	if (in == NULL || in_len % 4 != 0)
		return SS_ERR_INVALID;
	if (in_len == 0)
		return SS_OK;
	/* The padding: '=' last, or last two. Its length is the data's length mod 3, which
	 * is public, so it may decide branches once declassified. */
	unsigned bad = 0, last_pad, before_pad;
	(void)digit_value((unsigned char)in[in_len - 1], &last_pad, &bad);
	(void)digit_value((unsigned char)in[in_len - 2], &before_pad, &bad);
	unsigned pad = last_pad + (last_pad & before_pad);
	CT_PUBLIC(&pad, sizeof pad);
	size_t n = in_len / 4 * 3 - pad;
	if (n > out_cap)
		return SS_ERR_INVALID;
	bad = 0;
	size_t o = 0;
	for (size_t i = 0; i < in_len; i += 4) {
		uint32_t w = 0;
		for (size_t k = 0; k < 4; k++) {
			unsigned is_pad;
			w = w << 6 | digit_value((unsigned char)in[i + k], &is_pad, &bad);
			/* '=' anywhere but in the padding counted above */
			bad |= is_pad & (i + k < in_len - pad ? 1u : 0u);
		}
		/* the final group yields 3 - pad bytes; its unused low bits are dropped */
		size_t take = n - o < 3 ? n - o : 3;
		for (size_t k = 0; k < take; k++)
			out[o++] = (uint8_t)(w >> (16 - 8 * k));
	}
	/* Only whether the whole string was good is revealed, and only through the result:
	 * the output is masked to zero when it was not, the result computed without a
	 * branch (as hex_decode_ct). */
	uint8_t keep = (uint8_t)mask(bad ^ 1);
	for (size_t i = 0; i < n; i++)
		out[i] &= keep;
	*out_len = n & (size_t)ct_mask_u64(bad ^ 1);
	return (ss_err)(SS_ERR_INVALID & mask(bad));
}
