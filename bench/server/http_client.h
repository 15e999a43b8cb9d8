/* A minimal blocking HTTP/1.1 client for bench_server's sequential modes (batch,
 * single): one request at a time on a keep-alive connection to 127.0.0.1. */
#ifndef SS_BENCH_HTTP_CLIENT_H
#define SS_BENCH_HTTP_CLIENT_H

#include <stdint.h>

/* A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY and a 60 s receive
 * timeout, or -1. */
int bench_dial(uint16_t port);

/* Sends method path (with body as JSON when body is not NULL) on the keep-alive
 * connection *fd, opened first when *fd < 0, and reads the whole answer, which is
 * dropped. Returns the status, or 0 on a transport failure (*fd is then closed and set
 * to -1, so the next call dials again). */
int bench_http(uint16_t port, int *fd, const char *method, const char *path, const char *body);

#endif
