/* The checks every request passes before its route runs, in Web3Signer's order
 * (reference/web3signer.md §1.0): CORS, then the Host allow-list, then credentials. */
#include <string.h>
#include <strings.h>

#include "server/guard.h"
#include "util/ct.h"

/* True when the comma-separated list contains item (case-insensitive, spaces around
 * entries ignored). */
static bool list_contains(const char *list, const char *item, size_t item_len)
{
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ",");
		size_t m = n;
		while (m > 0 && p[m - 1] == ' ')
			m--;
		if (m > 0 && m == item_len && strncasecmp(p, item, m) == 0)
			return true;
		p += n;
	}
	return false;
}

bool http_guard_host_allowed(const char *allowlist, const char *host_header)
{
	if (!allowlist)
		allowlist = "localhost,127.0.0.1";
	if (list_contains(allowlist, "*", 1) || list_contains(allowlist, "all", 3))
		return true;
	if (!host_header || !*host_header)
		return false;
	/* The host part of Host: "name", "name:port", "[v6]" or "[v6]:port". */
	const char *h = host_header;
	size_t len;
	if (*h == '[') {
		const char *close = strchr(h, ']');
		if (!close)
			return false;
		h++;
		len = (size_t)(close - h);
	} else {
		len = strcspn(h, ":");
	}
	if (len == 0)
		return false;
	return list_contains(allowlist, h, len);
}

bool http_guard_origin_allowed(const char *origins, const char *origin)
{
	if (!origins || !*origins || !origin)
		return false;
	return list_contains(origins, "*", 1) || list_contains(origins, origin, strlen(origin));
}

/* RFC 8259 §8.1: JSON is UTF-8; RFC 9110 §8.3.1: the type, subtype and parameter names
 * are case-insensitive, whitespace may surround ';'. Accepted: "application/json",
 * optionally with "charset=utf-8" (quoted or not). Anything else, including other
 * parameters, is refused: the rule exists so that no body a browser may send across
 * origins without a preflight (text/plain, form encodings; Fetch standard, "CORS-
 * safelisted request-header") ever reaches a handler. */
bool http_guard_json_content_type(const char *content_type)
{
	if (!content_type)
		return false;
	const char *p = content_type;
	while (*p == ' ' || *p == '\t')
		p++;
	static const char type[] = "application/json";
	if (strncasecmp(p, type, sizeof type - 1) != 0)
		return false;
	p += sizeof type - 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return true;
	if (*p++ != ';')
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	static const char cs[] = "charset=";
	if (strncasecmp(p, cs, sizeof cs - 1) != 0)
		return false;
	p += sizeof cs - 1;
	bool quoted = *p == '"';
	if (quoted)
		p++;
	if (strncasecmp(p, "utf-8", 5) != 0)
		return false;
	p += 5;
	if (quoted && *p++ != '"')
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0';
}

http_guard_auth http_guard_bearer(const char *expected, const char *authorization)
{
	if (!authorization || !*authorization)
		return HTTP_GUARD_MISSING;
	static const char scheme[] = "Bearer ";
	if (strncasecmp(authorization, scheme, sizeof scheme - 1) != 0)
		return HTTP_GUARD_MISSING;
	const char *token = authorization + sizeof scheme - 1;
	while (*token == ' ')
		token++;
	if (!*token)
		return HTTP_GUARD_MISSING;
	if (!expected)
		return HTTP_GUARD_WRONG;
	size_t n = strlen(expected), m = strlen(token);
	/* The comparison time depends on the lengths only, never on where they differ. */
	int eq = (n == m) && ct_memeq(expected, token, n);
	return eq ? HTTP_GUARD_OK : HTTP_GUARD_WRONG;
}
