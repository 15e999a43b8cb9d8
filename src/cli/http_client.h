/* cli/: a small blocking HTTP/1.1 client for `secure-signer client` (issue 13 §6): one
 * request per connection over plain TCP to http://HOST[:PORT][/PREFIX], Connection:
 * close, a bearer token, a JSON body, and a receive timeout. No TLS: reach a signer on
 * another machine through an SSH tunnel or a TLS-terminating proxy on localhost (the
 * original's docs do the same; docs/api.md "A client for operators"). libcurl is not a
 * dependency of the project. */
#ifndef SS_CLI_HTTP_CLIENT_H
#define SS_CLI_HTTP_CLIENT_H

#include <stddef.h>

#include "util/error.h"

typedef struct {
	int status;   /* the HTTP status */
	char *body;   /* NUL-terminated, malloc'ed */
	size_t body_len;
} cli_http_response;

/* Sends method url_base+path with "Authorization: Bearer token" (token may be NULL) and
 * body as application/json (may be NULL). SS_ERR_INVALID for a URL that is not
 * http://host[:port][/prefix] (why says so), SS_ERR_IO when the signer cannot be reached
 * or answers something that is not HTTP. why: at least 256 bytes. */
ss_err cli_http_request(const char *url_base, const char *method, const char *path,
			const char *token, const char *body, cli_http_response *out,
			char *why) SS_MUST_USE;

/* Parses a whole answer buf (len bytes, buf[len] == 0; the head is cut in place) into
 * out: the status and the body after the first CRLF CRLF, trimmed to Content-Length.
 * SS_ERR_INVALID when buf is not an HTTP/1.x answer, SS_ERR_NOMEM. Split from
 * cli_http_request for tests/cli/fuzz_http_response.c. why: at least 256 bytes. */
ss_err cli_http_parse_response(char *buf, size_t len, cli_http_response *out,
			       char *why) SS_MUST_USE;

void cli_http_response_free(cli_http_response *r);

#endif
