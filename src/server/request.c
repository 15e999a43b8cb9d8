/* Request accessors for handlers (http.h): the parts of libmicrohttpd's connection a
 * handler may read, and the Accept negotiation Web3Signer uses. */
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "server/request.h"

const uint8_t *http_request_pubkey(const http_request *req) { return req->pubkey; }

const char *http_request_body(const http_request *req, size_t *len)
{
	*len = req->body_len;
	return req->body ? req->body : "";
}

const char *http_request_header(const http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_query(const http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Web3Signer's rule (reference/web3signer.md §1.1): JSON when any Accept entry is
 * application/json or a wildcard; otherwise, including no Accept header, text. */
bool http_request_accepts_json(const http_request *req)
{
	const char *accept = http_request_header(req, "Accept");
	if (!accept)
		return false;
	const char *p = accept;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ",;");
		size_t m = n;
		while (m > 0 && p[m - 1] == ' ')
			m--;
		if ((m == 16 && strncasecmp(p, "application/json", 16) == 0) ||
		    (m == 3 && strncmp(p, "*/*", 3) == 0) ||
		    (m == 13 && strncasecmp(p, "application/*", 13) == 0))
			return true;
		p += n;
		if (*p == ';')
			p += strcspn(p, ",");
	}
	return false;
}

void http_request_suspend(http_request *req)
{
	req->suspended = 1;
	MHD_suspend_connection(req->conn);
}

void http_request_resume(http_request *req)
{
	/* MHD calls the access handler again on the connection's thread, which sends the
	 * reply (server.c on_request). */
	MHD_resume_connection(req->conn);
}
