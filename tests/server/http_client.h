/* A small blocking HTTP/1.1 client for tests: one connection per request to 127.0.0.1,
 * bounded by a receive timeout, so a hung server fails the test instead of hanging it.
 * Shared by tests/server and tests/api. */
#ifndef SS_TEST_HTTP_CLIENT_H
#define SS_TEST_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	int status;        /* 0 when no response arrived */
	char *head;        /* status line and headers, NUL-terminated */
	char *body;        /* NUL-terminated */
	size_t body_len;
} hc_response;

/* Sends method path with the extra header lines (each ending in \r\n, may be NULL)
 * and body; adds Host: 127.0.0.1, Content-Length, Connection: close and, for a body
 * when headers name no Content-Type, Content-Type: application/json. Returns the
 * status (0 on a connection failure). */
int hc_request(uint16_t port, const char *method, const char *path, const char *headers,
	       const char *body, size_t body_len, hc_response *out);

/* Sends raw bytes as they are and reads the reply until the server closes or the
 * timeout passes; returns the status parsed from the reply (0 if none). */
int hc_raw(uint16_t port, const char *raw, size_t len, hc_response *out);

/* hc_raw from a chosen loopback source address ("127.0.0.2"): the server counts
 * connections per client address, so a test can be a second client. */
int hc_raw_from(uint16_t port, const char *source, const char *raw, size_t len,
		hc_response *out);

/* The value of a response header (case-insensitive name) copied into buf; NULL when
 * absent. */
const char *hc_header(const hc_response *r, const char *name, char *buf, size_t cap);

void hc_free(hc_response *r);

/* Opens a connection to 127.0.0.1:port (for slow-client tests); -1 on failure. */
int hc_connect(uint16_t port);
/* The same from a chosen loopback source address (NULL: any). */
int hc_connect_from(uint16_t port, const char *source);

#endif
