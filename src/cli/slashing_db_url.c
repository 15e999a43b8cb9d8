/* slashing_db_url.h. URI query parameters and key=value quoting as libpq documents them
 * (PostgreSQL "Connection Strings", 34.1.1): a URI's values are percent-decoded, and a
 * key=value value in single quotes escapes ' and \ with a backslash. */
#include <ctype.h>
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

/* True when the libpq key=value string s ends at a clean boundary, so that a parameter
 * appended after a space is read as a parameter of its own. libpq's conninfo_parse reads
 * a value after "=" and any spaces, up to a space, with \ escaping the next character,
 * or quoted in '...'. An empty value at the very end ("host="), a trailing backslash or
 * an unclosed quote would swallow what we append: " user='x'" would become the host. */
static bool kv_ends_cleanly(const char *s)
{
	const char *p = s;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return true;
		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=')
			return false; /* a keyword without "=": libpq refuses it */
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return false; /* empty value at the end */
		bool quoted = *p == '\'';
		if (quoted)
			p++;
		while (*p && (quoted ? *p != '\'' : !isspace((unsigned char)*p))) {
			if (*p == '\\' && !*++p)
				return false; /* a backslash escaping the end */
			p++;
		}
		if (quoted && *p++ != '\'')
			return false; /* unclosed quote */
	}
}

/* True when the URI already has a query, found where libpq's URI parser finds it
 * (conninfo_uri_parse_options): after the scheme, a user-info part runs to the first
 * "@" met before any "/", and only after it does "?" start the query; a "?" inside
 * "user?x@host" is part of the user name (found by fuzz_slashing_db_url). */
static bool uri_has_query(const char *uri)
{
	const char *p = strstr(uri, "://");
	p = p ? p + 3 : uri;
	size_t info = strcspn(p, "@/");
	if (p[info] == '@')
		p += info + 1;
	return strchr(p, '?') != NULL;
}

static bool add_param(char *out, size_t cap, size_t *len, bool uri,
		      const char *key, const char *value)
{
	if (!value)
		return true;
	if (uri) {
		/* "?" starts the query; inside it, "&" separates, unless the URL already ends
		 * in "?" or "&". A "&" before any "?" is part of the host or path, not a
		 * separator (found by fuzz_slashing_db_url: "postgresql://h&" + "user=u"). */
		char last = *len ? out[*len - 1] : '\0';
		bool in_query = uri_has_query(out);
		const char *sep = !in_query ? "?" : last == '?' || last == '&' ? "" : "&";
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
	if (!uri && (user || password) && !kv_ends_cleanly(url))
		return NULL; /* the credentials would not be parameters of their own */
	size_t cap = strlen(url) + 1 + 3 * ((user ? strlen(user) : 0) +
					  (password ? strlen(password) : 0)) + 32;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t len = 0;
	out[0] = '\0';
	if (!put(out, cap, &len, url, strlen(url)) ||
	    !add_param(out, cap, &len, uri, "user", user) ||
	    !add_param(out, cap, &len, uri, "password", password)) {
		secure_zero(out, cap);
		free(out);
		return NULL;
	}
	return out;
}
