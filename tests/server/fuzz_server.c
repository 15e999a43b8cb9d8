/* Fuzz target for the server's parsers of untrusted text: route matching with path-key
 * decoding, the Host allow-list, CORS origins, bearer tokens, the known-clients file,
 * the Content-Type check and the TLS protocol/suite lists. The first byte picks the parser; the rest is its input. None may crash, read
 * out of bounds or accept what it should not (a decoded key must re-encode to the
 * path's hex). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/guard.h"
#include "server/http.h"
#include "server/tls.h"
#include "util/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void nop(http_request *req, void *app)
{
	(void)req;
	(void)app;
}

static const http_route routes[] = {
	{ HTTP_POST, "/api/v1/eth2/sign/{pubkey}", nop, HTTP_AUTH_SIGNING, 1 },
	{ HTTP_GET, "/api/v1/eth2/publicKeys", nop, HTTP_AUTH_SIGNING, 0 },
	{ HTTP_GET, "/upcheck", nop, HTTP_AUTH_NONE, 0 },
	{ HTTP_POST, "/reload", nop, HTTP_AUTH_SIGNING, 0 },
	{ HTTP_GET, "/reload", nop, HTTP_AUTH_SIGNING, 0 },
	{ HTTP_DELETE, "/eth/v1/keystores", nop, HTTP_AUTH_KEYMANAGER, 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 7) {
	case 0: {
		size_t idx = 0;
		unsigned allowed = 0;
		uint8_t pk[48];
		for (unsigned m = HTTP_GET; m <= HTTP_OTHER; m <<= 1) {
			http_match r = http_route_match(routes, sizeof routes / sizeof routes[0],
							(http_method)m, s, &idx, pk, &allowed);
			if (r == HTTP_MATCH_OK && idx == 0) {
				/* The decoded key is exactly the path's last segment. */
				const char *seg = strrchr(s, '/') + 1;
				char hex[99];
				hex_encode(hex, pk, 48, false);
				/* "0x" or "0X" (Web3Signer lower-cases the identifier first). */
				const char *digits = strncasecmp(seg, "0x", 2) == 0 ? seg + 2 : seg;
				if (strlen(digits) != 96 || strncasecmp(hex, digits, 96) != 0)
					abort();
			}
			if (r == HTTP_MATCH_OK && idx >= sizeof routes / sizeof routes[0])
				abort();
		}
		break;
	}
	case 1: {
		/* "list\nhost" */
		char *nl = strchr(s, '\n');
		if (nl) {
			*nl = '\0';
			(void)http_guard_host_allowed(s, nl + 1);
		} else {
			(void)http_guard_host_allowed(NULL, s);
		}
		break;
	}
	case 2: {
		char *nl = strchr(s, '\n');
		if (nl) {
			*nl = '\0';
			(void)http_guard_origin_allowed(s, nl + 1);
		}
		break;
	}
	case 3:
		if (http_guard_bearer("0123456789abcdef", s) == HTTP_GUARD_OK &&
		    strstr(s, "0123456789abcdef") == NULL)
			abort();
		break;
	case 4: {
		http_tls_state *st = calloc(1, sizeof *st);
		if (st) {
			if (http_tls_parse_known_clients(st, s) == SS_OK && st->n_known > HTTP_TLS_MAX_CLIENTS)
				abort();
			free(st);
		}
		break;
	}
	case 5:
		/* Whatever passes names JSON: no other media type slips through. */
		if (http_guard_json_content_type(s)) {
			const char *p = s + strspn(s, " \t");
			if (strncasecmp(p, "application/json", 16) != 0)
				abort();
		}
		break;
	case 6: {
		/* "protocols\nsuites": an accepted list never enables TLS < 1.2. */
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		char prio[TLS_PRIORITY_MAX];
		if (http_tls_priority(s, nl ? nl + 1 : NULL, prio, sizeof prio) == SS_OK &&
		    (strstr(prio, "TLS1.0") || strstr(prio, "TLS1.1") || strstr(prio, "SSL3") ||
		     !strstr(prio, "-VERS-ALL")))
			abort();
		break;
	}
	}
	free(s);
	return 0;
}
