/* Module-internal: the per-request context. One is allocated when a request's headers
 * arrive and freed by one cleanup path (MHD's completion callback), whatever happened. */
#ifndef SS_SERVER_REQUEST_H
#define SS_SERVER_REQUEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "server/http.h"

struct MHD_Connection;

typedef struct http_header_kv {
	char *name;
	char *value;
	struct http_header_kv *next;
} http_header_kv;

struct http_request {
	struct MHD_Connection *conn;
	struct http_server *server;
	http_method method;
	const char *path;       /* MHD's copy; valid for the request's life */
	size_t route;           /* index into the table when routed */
	int routed;             /* 1 when route is valid */
	uint8_t pubkey[HTTP_PUBKEY_BYTES];
	char *body;             /* NUL-terminated, body_len bytes */
	size_t body_len, body_cap, body_limit;
	size_t body_declared; /* Content-Length as admitted (<= body_limit); 0 if absent */
	int too_large;          /* the body went over the route's limit */
	struct timespec start;
	/* the reply */
	unsigned status;
	char *reply;
	size_t reply_len;
	const char *content_type;
	http_header_kv *headers;
	int replied;
	int queued;             /* the reply went to MHD */
	int suspended;          /* parked by http_request_suspend */
	int counted_in_flight;
};

/* Frees the reply (body and headers) so a handler's second reply replaces the first. */
void http_request_clear_reply(http_request *req);

#endif
