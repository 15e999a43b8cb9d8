/* Fuzz target for the answer parser of `secure-signer client` (cli/http_client.h
 * cli_http_parse_response): the bytes a signer, or anything listening at --url, sends
 * back. Whatever they are, the parser answers without crashing, reading past the answer
 * or leaking, and a body it accepts lies inside the answer, after its head, and is
 * NUL-terminated. */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/http_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* as cli_http_request hands it over: the bytes received and a NUL */
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	cli_http_response r;
	char why[256] = "";
	ss_err e = cli_http_parse_response(buf, size, &r, why);
	if (e == SS_OK) {
		/* the head ends at the first CRLF CRLF of the answer */
		const uint8_t *sep = memmem(data, size, "\r\n\r\n", 4);
		if (!sep || !r.body || r.body[r.body_len] != '\0' ||
		    r.body_len > size - (size_t)(sep + 4 - data) ||
		    memcmp(r.body, sep + 4, r.body_len) != 0)
			abort();
	} else if (!why[0] || r.body) {
		abort();
	}
	cli_http_response_free(&r);
	free(buf);
	return 0;
}
