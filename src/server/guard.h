/* Module-internal: request admission checks (host allow-list, CORS, bearer tokens).
 * Pure functions, so tests/server calls them directly as well as over HTTP. */
#ifndef SS_SERVER_GUARD_H
#define SS_SERVER_GUARD_H

#include <stdbool.h>

/* Host header check against a comma list ("*"/"all" any; NULL = the default
 * "localhost,127.0.0.1"). The port and IPv6 brackets are ignored. A missing Host is
 * refused unless any host is allowed (Web3Signer does the same). */
bool http_guard_host_allowed(const char *allowlist, const char *host_header);

/* True when origin is in the comma list of CORS origins ("*" any). An empty or NULL
 * list allows no origin: a request carrying an Origin header is then refused. */
bool http_guard_origin_allowed(const char *origins, const char *origin);

/* True when a Content-Type header names JSON: "application/json", optionally with
 * "; charset=utf-8" (any case). NULL is false. */
bool http_guard_json_content_type(const char *content_type);

typedef enum {
	HTTP_GUARD_OK,
	HTTP_GUARD_MISSING, /* no "Authorization: Bearer <token>": 401 */
	HTTP_GUARD_WRONG    /* a token that is not the expected one: 403 */
} http_guard_auth;

/* Compares the Authorization header's bearer token with expected in time that does not
 * depend on the token's content. expected NULL: every token is wrong. */
http_guard_auth http_guard_bearer(const char *expected, const char *authorization);

#endif
