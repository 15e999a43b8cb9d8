/* slashing_db_url.h. URI query parameters and key=value quoting as libpq documents them
 * (PostgreSQL "Connection Strings", 34.1.1): a URI's values are percent-decoded, and a
 * key=value value in single quotes escapes ' and \ with a backslash. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/slashing_db_url.h"
#include "util/secure_mem.h"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Appends to out (cap bytes, NUL-terminated) unless it would not fit. */
static bool put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (n >= cap - *len)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return true;
}

/* A URI query value: unreserved characters as they are, the rest %XX. */
static bool put_encoded(char *out, size_t cap, size_t *len, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
			     *p == '~';
		char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
		if (!(plain ? put(out, cap, len, (const char *)p, 1) : put(out, cap, len, e, 3)))
			return false;
	}
	return true;
}

/* A key=value value: single-quoted, with ' and \ escaped. */
static bool put_quoted(char *out, size_t cap, size_t *len, const char *v)
{
	if (!put(out, cap, len, "'", 1))
		return false;
	for (const char *p = v; *p; p++) {
		if ((*p == '\'' || *p == '\\') && !put(out, cap, len, "\\", 1))
			return false;
		if (!put(out, cap, len, p, 1))
			return false;
	}
	return put(out, cap, len, "'", 1);
}

static bool add_param(char *out, size_t cap, size_t *len, bool uri, bool *first,
		      const char *key, const char *value)
{
	if (!value)
		return true;
	if (uri) {
		/* after "?" or "&" (a URL that ends in one) no separator is needed */
		char last = *len ? out[*len - 1] : '\0';
		const char *sep = last == '?' || last == '&' ? ""
				  : *first && !strchr(out, '?') ? "?"
								  : "&";
		*first = false;
		return put(out, cap, len, sep, strlen(sep)) && put(out, cap, len, key, strlen(key)) &&
		       put(out, cap, len, "=", 1) && put_encoded(out, cap, len, value);
	}
	return put(out, cap, len, " ", 1) && put(out, cap, len, key, strlen(key)) &&
	       put(out, cap, len, "=", 1) && put_quoted(out, cap, len, value);
}

char *slashing_db_conninfo(const char *url, const char *user, const char *password)
{
	if (!url)
		return NULL;
	if (starts_with(url, "jdbc:"))
		url += 5;
	bool uri = starts_with(url, "postgresql://") || starts_with(url, "postgres://");
	if (!uri && !strchr(url, '='))
		return NULL; /* neither a PostgreSQL URI nor key=value pairs */
	size_t cap = strlen(url) + 1 + 3 * ((user ? strlen(user) : 0) +
					  (password ? strlen(password) : 0)) + 32;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t len = 0;
	out[0] = '\0';
	bool first = true;
	if (!put(out, cap, &len, url, strlen(url)) ||
	    !add_param(out, cap, &len, uri, &first, "user", user) ||
	    !add_param(out, cap, &len, uri, &first, "password", password)) {
		secure_zero(out, cap);
		free(out);
		return NULL;
	}
	return out;
}
