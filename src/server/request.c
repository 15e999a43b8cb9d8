/* Request accessors for handlers (http.h): the parts of libmicrohttpd's connection a
 * handler may read, and the Accept negotiation Web3Signer uses. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "server/request.h"

const uint8_t *http_request_pubkey(const http_request *req) { return req->pubkey; }

const char *http_request_body(const http_request *req, size_t *len)
{
	*len = req->body_len;
	return req->body ? req->body : "";
}

const char *http_request_path(const http_request *req) { return req->path; }

void http_request_client_address(const http_request *req, char *out, size_t cap)
{
	snprintf(out, cap, "-");
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)cap);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)cap);
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
