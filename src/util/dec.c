#include "util/dec.h"

ss_err dec_parse_u64(const char *s, size_t len, uint64_t *out)
{
	if (s == NULL || len == 0)
		return SS_ERR_INVALID;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return SS_ERR_INVALID;
		unsigned d = (unsigned)(s[i] - '0');
		/* v*10 + d overflows exactly when v > (UINT64_MAX - d) / 10 */
		if (v > (UINT64_MAX - d) / 10) {
			/* keep scanning so that "99999999999999999999x" is INVALID, not RANGE */
			for (size_t j = i + 1; j < len; j++)
				if (s[j] < '0' || s[j] > '9')
					return SS_ERR_INVALID;
			return SS_ERR_RANGE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return SS_OK;
}

size_t dec_format_u64(char out[DEC_U64_MAX_CHARS], uint64_t v)
{
	char tmp[DEC_U64_MAX_CHARS];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}
