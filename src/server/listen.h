/* Module-internal: the listening socket, opened by the server itself rather than by
 * libmicrohttpd, so that a failure names its cause (a port in use) and so that no
 * option lets a second process share the port (SO_REUSEPORT). */
#ifndef SS_SERVER_LISTEN_H
#define SS_SERVER_LISTEN_H

#include <stdint.h>

#include "util/error.h"

/* Binds and listens on host:port (an IPv4 or IPv6 literal, or "localhost" for
 * 127.0.0.1; port 0 picks a free one).
 * On success *fd is the non-blocking socket and *bound_port its port; on failure the
 * error is logged with the address, port and reason, prefixed by name. */
ss_err http_listen_open(const char *name, const char *host, uint16_t port, int *fd,
			uint16_t *bound_port) SS_MUST_USE;

#endif
