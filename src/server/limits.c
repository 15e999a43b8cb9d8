/* Connection limits (limits.h). The sweeper closes a connection by shutdown(2) on its
 * socket, under the mutex that its CLOSED notification also takes: libmicrohttpd
 * notifies before it closes the descriptor, so the descriptor shut down is always the
 * connection's own, never a reused number. libmicrohttpd then sees the end of the
 * stream on its own thread and cleans up as for any client that went away. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "server/limits.h"
#include "util/log.h"
#include "util/mono_clock.h"
#include "util/thread_name.h"

struct http_conn {
	int fd;
	bool loopback;
	bool cut;                 /* shut down by the sweeper */
	_Atomic uint64_t since;   /* mono_ns when the current request's time started */
	_Atomic int busy;         /* handled or parked: exempt */
	http_conn *prev, *next;
};

bool http_limits_is_loopback(const struct sockaddr *addr)
{
	if (!addr)
		return false;
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)addr;
		return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)addr;
		if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127;
	}
	return addr->sa_family == AF_UNIX;
}

bool http_limits_may_accept(bool loopback, unsigned open_remote, unsigned limit,
			    unsigned reserve)
{
	return loopback || open_remote + reserve < limit;
}

/* The sweeper reads since before the clock, so since <= now; the rule still refuses to
 * subtract otherwise. Once the sweeper read the clock once per pass: a connection
 * answered after that stored a later start, the subtraction wrapped to a huge age, and
 * a busy keep-alive connection was cut just as its next request arrived (seen in
 * bench_server as two requests reset at once under load). */
bool http_limits_expired(uint64_t now, uint64_t since, uint64_t timeout_ns)
{
	return now > since && now - since >= timeout_ns;
}

int http_limits_accept(http_limits *l, const struct sockaddr *addr)
{
	return http_limits_may_accept(http_limits_is_loopback(addr), atomic_load(&l->open_remote),
				      l->limit, l->reserve);
}

void http_limits_opened(http_limits *l, struct MHD_Connection *conn, void **socket_context)
{
	http_conn *c = calloc(1, sizeof *c);
	*socket_context = c;
	if (!c)
		return; /* untracked: only the idle timeout applies to it */
	const union MHD_ConnectionInfo *fi =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *ai =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	c->fd = fi ? fi->connect_fd : -1;
	c->loopback = ai && http_limits_is_loopback(ai->client_addr);
	atomic_store(&c->since, mono_ns());
	if (!c->loopback)
		atomic_fetch_add(&l->open_remote, 1);
	pthread_mutex_lock(&l->mu);
	c->next = l->head;
	if (l->head)
		l->head->prev = c;
	l->head = c;
	pthread_mutex_unlock(&l->mu);
}

void http_limits_closed(http_limits *l, void **socket_context)
{
	http_conn *c = *socket_context;
	if (!c)
		return;
	pthread_mutex_lock(&l->mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&l->mu);
	if (!c->loopback)
		atomic_fetch_sub(&l->open_remote, 1);
	free(c);
	*socket_context = NULL;
}

static http_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

void http_limits_busy(struct MHD_Connection *conn)
{
	http_conn *c = conn_of(conn);
	if (c)
		atomic_store(&c->busy, 1);
}

void http_limits_idle(struct MHD_Connection *conn)
{
	http_conn *c = conn_of(conn);
	if (c) {
		atomic_store(&c->since, mono_ns());
		atomic_store(&c->busy, 0);
	}
}

static void *sweeper(void *arg)
{
	http_limits *l = arg;
	char tn[16];
	snprintf(tn, sizeof tn, "ss-%.6s-sweep", l->name);
	thread_name_set(tn);
	/* A quarter of the deadline, at most a second: a connection is cut between 1 and
	 * 1.25 times the deadline after its request began. */
	uint64_t period = l->timeout_ns / 4;
	if (period > 1000000000u)
		period = 1000000000u;
	pthread_mutex_lock(&l->mu);
	while (!l->stop) {
		struct timespec until = mono_timespec(mono_ns() + period);
		pthread_cond_timedwait(&l->wake, &l->mu, &until);
		if (l->stop)
			break;
		unsigned cut = 0;
		for (http_conn *c = l->head; c; c = c->next) {
			if (c->cut || c->fd < 0 || atomic_load(&c->busy))
				continue;
			/* since first, then the clock: a request answered meanwhile cannot
			 * carry a start later than the clock read after it */
			uint64_t since = atomic_load(&c->since);
			if (!http_limits_expired(mono_ns(), since, l->timeout_ns))
				continue;
			(void)shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
			cut++;
		}
		if (cut)
			log_info("%s: closed %u connection(s) that did not deliver a request within "
				 "%llu s", l->name, cut,
				 (unsigned long long)(l->timeout_ns / 1000000000u));
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int http_limits_start(http_limits *l, const char *name, unsigned limit, unsigned reserve,
		      unsigned timeout_s)
{
	memset(l, 0, sizeof *l);
	l->name = name;
	l->limit = limit;
	l->reserve = reserve;
	l->timeout_ns = (uint64_t)timeout_s * 1000000000u;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int e = pthread_mutex_init(&l->mu, NULL);
	if (e == 0)
		e = pthread_cond_init(&l->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (e == 0)
		e = pthread_create(&l->sweeper, NULL, sweeper, l);
	l->started = e == 0;
	return e;
}

void http_limits_stop(http_limits *l)
{
	if (!l->started)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->sweeper, NULL);
	l->started = false;
}
