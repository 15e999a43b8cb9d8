/* Commit-Boost's nonce is a JSON number up to 2^64-2 (reference §8.1), but jansson keeps
 * integers as signed 64-bit and refuses larger ones. This reads the literal of one
 * top-level member straight from the body, so the whole uint64 range is exact. The body
 * has already been parsed by jansson (valid JSON, no duplicate keys), so the scan only
 * needs to find the member, skipping nested values and strings with their escapes. */
#include <string.h>

#include "api/cb_internal.h"

static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* i at the opening quote; returns the index after the closing quote (n if none). */
static size_t skip_string(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* Skips one value: a string, a nested object or array, or a bare literal. */
static size_t skip_value(const char *s, size_t i, size_t n)
{
	if (i < n && s[i] == '"')
		return skip_string(s, i, n);
	if (i < n && (s[i] == '{' || s[i] == '[')) {
		unsigned depth = 0;
		while (i < n) {
			if (s[i] == '"') {
				i = skip_string(s, i, n);
				continue;
			}
			if (s[i] == '{' || s[i] == '[')
				depth++;
			else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
				return i + 1;
			i++;
		}
		return n;
	}
	while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ' ' && s[i] != '\t' &&
	       s[i] != '\n' && s[i] != '\r')
		i++;
	return i;
}

int cb_json_u64_member(const char *s, size_t n, const char *name, uint64_t *out)
{
	size_t name_len = strlen(name);
	size_t i = skip_ws(s, 0, n);
	if (i >= n || s[i] != '{')
		return CB_U64_INVALID;
	i++;
	for (;;) {
		i = skip_ws(s, i, n);
		if (i >= n || s[i] != '"')
			return CB_U64_ABSENT; /* '}' of an empty object, or the end */
		size_t key = i + 1;
		i = skip_string(s, i, n);
		bool match = i - key - 1 == name_len && memcmp(s + key, name, name_len) == 0;
		i = skip_ws(s, i, n);
		if (i >= n || s[i] != ':')
			return CB_U64_INVALID;
		i = skip_ws(s, i + 1, n);
		if (match) {
			/* an unsigned integer literal: digits only, no sign, fraction or exponent,
			 * no leading zero (RFC 8259 §6) */
			size_t start = i;
			uint64_t v = 0;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				uint64_t d = (uint64_t)(s[i] - '0');
				if (v > (UINT64_MAX - d) / 10)
					return CB_U64_INVALID;
				v = v * 10 + d;
				i++;
			}
			if (i == start || (s[start] == '0' && i - start > 1))
				return CB_U64_INVALID;
			size_t end = skip_ws(s, i, n);
			if (end >= n || (s[end] != ',' && s[end] != '}'))
				return CB_U64_INVALID;
			*out = v;
			return CB_U64_OK;
		}
		i = skip_ws(s, skip_value(s, i, n), n);
		if (i >= n || s[i] != ',')
			return CB_U64_ABSENT;
		i++;
	}
}
