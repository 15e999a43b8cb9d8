/* Module-internal: HTTP/1.1 message framing checks made on a request's headers before
 * anything else looks at it (RFC 9112). libmicrohttpd 0.9.75 accepts some requests whose
 * framing is ambiguous, which a proxy in front of the signer may read differently
 * (request smuggling); they are refused here, and their connection is closed. */
#ifndef SS_SERVER_FRAMING_H
#define SS_SERVER_FRAMING_H

struct MHD_Connection;

/* The request target and header section limits, Vert.x's defaults (which Web3Signer
 * runs on): a longer target is 414, larger headers 431, both JSON. libmicrohttpd is
 * given HTTP_CONNECTION_MEMORY per connection so that it can hold heads up to these
 * sizes and let us answer; beyond it (a head of about 32 KiB), it answers itself.
 * No larger: libmicrohttpd 0.9.75 zeroes the whole of this memory when a keep-alive
 * connection starts its next request (memorypool.c MHD_pool_reset), so every signing
 * request paid a 64 KiB memset, more than a core's L1 data cache, with 64 KiB. */
#define HTTP_URI_MAX 4096
#define HTTP_HEADERS_MAX 8192
#define HTTP_CONNECTION_MEMORY (32 * 1024)
#define HTTP_STR_(x) #x
#define HTTP_STR(x) HTTP_STR_(x)

typedef struct {
	unsigned status;     /* 0: the framing is sound */
	const char *message; /* the error's text when status != 0 */
} http_framing;

/* Checks method (as libmicrohttpd passed it), url (its pointer too: see framing.c)
 * and the headers of conn. */
http_framing http_framing_check(struct MHD_Connection *conn, const char *method,
				const char *url);

#endif
