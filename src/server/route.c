/* Route matching: one pass over the declarative table decides 404, 405 or the route,
 * and decodes the {pubkey} path key so that handlers only ever see 48 bytes. */
#include <string.h>
#include <strings.h>

#include "server/http.h"
#include "util/hex.h"

static const struct {
	const char *name;
	http_method m;
} methods[] = {
	{ "GET", HTTP_GET },	   { "POST", HTTP_POST }, { "DELETE", HTTP_DELETE },
	{ "OPTIONS", HTTP_OPTIONS }, { "HEAD", HTTP_HEAD }, { "PUT", HTTP_PUT },
	{ "PATCH", HTTP_PATCH },
};

http_method http_method_parse(const char *name)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(name, methods[i].name) == 0)
			return methods[i].m;
	return HTTP_OTHER;
}

const char *http_method_name(http_method m)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (methods[i].m == m)
			return methods[i].name;
	return "OTHER";
}

#define KEY_SEGMENT "{pubkey}"

/* Compares path against pattern segment by segment. Returns 1 on a match (with the
 * key segment, if any, in *key and *key_len), 0 otherwise. Literal segments compare
 * exactly: paths are case-sensitive as in Web3Signer's router. */
static int match_pattern(const char *pattern, const char *path, const char **key,
			 size_t *key_len)
{
	*key = NULL;
	*key_len = 0;
	const char *p = pattern, *q = path;
	while (*p && *q) {
		if (*p != '/' || *q != '/')
			return 0;
		p++;
		q++;
		size_t pl = strcspn(p, "/"), ql = strcspn(q, "/");
		if (pl == sizeof KEY_SEGMENT - 1 && memcmp(p, KEY_SEGMENT, pl) == 0) {
			if (ql == 0)
				return 0;
			*key = q;
			*key_len = ql;
		} else if (pl != ql || memcmp(p, q, pl) != 0) {
			return 0;
		}
		p += pl;
		q += ql;
	}
	return *p == '\0' && *q == '\0';
}

http_match http_route_match(const http_route *routes, size_t n, http_method method,
			    const char *path, size_t *index,
			    uint8_t pubkey[HTTP_PUBKEY_BYTES], unsigned *allowed)
{
	unsigned methods_for_path = 0;
	for (size_t i = 0; i < n; i++) {
		const char *key;
		size_t key_len;
		if (!match_pattern(routes[i].pattern, path, &key, &key_len))
			continue;
		methods_for_path |= (unsigned)routes[i].method;
		if (routes[i].method != method)
			continue;
		if (key) {
			/* The identifier is hex of 48 bytes, 0x optional, any case. */
			if (hex_decode(pubkey, HTTP_PUBKEY_BYTES, key, key_len,
				       HEX_PREFIX_OPTIONAL) != SS_OK)
				return HTTP_MATCH_BAD_KEY;
		}
		*index = i;
		return HTTP_MATCH_OK;
	}
	if (allowed)
		*allowed = methods_for_path;
	return methods_for_path ? HTTP_MATCH_BAD_METHOD : HTTP_MATCH_NOT_FOUND;
}

