/* Module-internal: HTTP/1.1 message framing checks made on a request's headers before
 * anything else looks at it (RFC 9112). libmicrohttpd 0.9.75 accepts some requests whose
 * framing is ambiguous, which a proxy in front of the signer may read differently
 * (request smuggling); they are refused here, and their connection is closed. */
#ifndef SS_SERVER_FRAMING_H
#define SS_SERVER_FRAMING_H

struct MHD_Connection;

typedef struct {
	unsigned status;     /* 0: the framing is sound */
	const char *message; /* the error's text when status != 0 */
} http_framing;

/* Checks method (as libmicrohttpd passed it), url (its pointer too: see framing.c)
 * and the headers of conn. */
http_framing http_framing_check(struct MHD_Connection *conn, const char *method,
				const char *url);

#endif
