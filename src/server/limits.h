/* Module-internal: connection limits against slow clients (slowloris). libmicrohttpd's
 * idle timeout restarts on every byte, so a client sending one byte every few seconds
 * held its connection forever, and 1,100 of them held every slot. Three bounds:
 *  - a deadline for a whole request (headers and body), counted from the connection's
 *    opening or its previous answer; a request being handled or parked (waiting for
 *    its signature) is exempt. A sweeper thread closes connections past it;
 *  - connections per client address (libmicrohttpd's per-IP limit);
 *  - a reserve: the last slots of the connection limit only accept loopback clients,
 *    so local health checks (/upcheck, /healthcheck) answer when remote clients hold
 *    the rest. */
#ifndef SS_SERVER_LIMITS_H
#define SS_SERVER_LIMITS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct MHD_Connection;
struct sockaddr;

typedef struct http_conn http_conn;

typedef struct {
	const char *name;       /* listener name, for logs */
	pthread_mutex_t mu;     /* guards the list and every fd shutdown */
	pthread_cond_t wake;
	http_conn *head;
	_Atomic unsigned open_remote; /* connections from non-loopback addresses */
	unsigned limit, reserve;
	uint64_t timeout_ns;
	bool stop;
	bool started;
	pthread_t sweeper;
} http_limits;

/* Starts the sweeper. limit is the connection limit, reserve the slots kept for
 * loopback clients (reserve < limit), timeout_s the request deadline. 0 on success. */
int http_limits_start(http_limits *l, const char *name, unsigned limit, unsigned reserve,
		      unsigned timeout_s);
/* Stops the sweeper (before the daemon stops, so that no fd is touched after). */
void http_limits_stop(http_limits *l);

/* libmicrohttpd callbacks: the accept policy (the reserve) and the connection
 * notifications (tracks each connection's fd and deadline). */
int http_limits_accept(http_limits *l, const struct sockaddr *addr);
void http_limits_opened(http_limits *l, struct MHD_Connection *conn, void **socket_context);
void http_limits_closed(http_limits *l, void **socket_context);

/* The request on conn is complete and handed to its handler (or parked): exempt from
 * the deadline until answered. */
void http_limits_busy(struct MHD_Connection *conn);
/* The request on conn is answered: the next one's deadline counts from now. */
void http_limits_idle(struct MHD_Connection *conn);

/* Pure rule of the reserve, for tests: may a new connection be accepted? */
bool http_limits_may_accept(bool loopback, unsigned open_remote, unsigned limit,
			    unsigned reserve);
/* Pure rule of the deadline, for tests: has a request whose time started at since
 * (mono_ns) run out at now? A since later than now (set after now was read) has not. */
bool http_limits_expired(uint64_t now, uint64_t since, uint64_t timeout_ns);
/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool http_limits_is_loopback(const struct sockaddr *addr);

#endif
