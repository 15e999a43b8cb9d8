/* Slow clients (slowloris) against the server with short limits, in seconds: one
 * client address holds at most its share of connections, a connection that dribbles a
 * request byte by byte is closed at the request deadline whatever its pace, a second
 * client is answered meanwhile, and a parked request (a signature waiting for its
 * slashing record) outlives the deadline and is answered. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http_client.h"
#include "server/http.h"
#include "server/limits.h"
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>

static void h_ok(http_request *req, void *app)
{
	(void)app;
	http_reply_bytes(req, 200, "text/plain", "ok", 2);
}

/* Parks the request and answers it 3 s later from another thread: longer than the
 * deadline of the tests below. */
static void *late_answer(void *arg)
{
	http_request *req = arg;
	sleep(3);
	http_reply_bytes(req, 200, "text/plain", "parked", 6);
	http_request_resume(req);
	return NULL;
}

static void h_park(http_request *req, void *app)
{
	(void)app;
	http_request_suspend(req);
	pthread_t t;
	if (pthread_create(&t, NULL, late_answer, req) == 0)
		pthread_detach(t);
	else
		http_request_resume(req); /* no reply set: the server answers 500 */
}

static const http_route routes[] = {
	{ HTTP_GET, "/ok", h_ok, HTTP_AUTH_NONE, 0 },
	{ HTTP_POST, "/ok", h_ok, HTTP_AUTH_NONE, 1024 },
	{ HTTP_GET, "/park", h_park, HTTP_AUTH_NONE, 0 },
};

enum { PER_CLIENT = 4, DEADLINE_S = 2, IDLE_S = 10 };

static http_server *start(void)
{
	http_server_config c = {
		.name = "limits",
		.host = "127.0.0.1",
		.threads = 2,
		.connection_timeout = IDLE_S, /* far beyond the deadline: not what cuts */
		.connection_limit = 32,
		.per_client_limit = PER_CLIENT,
		.local_reserve = 4,
		.request_timeout = DEADLINE_S,
		.routes = routes,
		.n_routes = sizeof routes / sizeof routes[0],
	};
	http_server *s = NULL;
	CHECK(http_server_start(&s, &c) == SS_OK);
	return s;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* True once the server has closed fd (EOF or reset); never blocks. */
static bool is_closed(int fd)
{
	char b[256];
	ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST(slow_clients_are_cut_at_the_deadline_and_others_served)
{
	http_server *s = start();
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	enum { SLOW = 10 };
	int fd[SLOW];
	double closed_at[SLOW];
	double t0 = now_s();
	static const char head[] = "POST /ok HTTP/1.1\r\nHost: localhost\r\n";
	for (int i = 0; i < SLOW; i++) {
		closed_at[i] = 0;
		fd[i] = hc_connect(port);
		CHECK(fd[i] >= 0);
		if (fd[i] >= 0)
			(void)send(fd[i], head, sizeof head - 1, MSG_NOSIGNAL);
	}
	/* One header byte every 200 ms on each: never idle, never complete. */
	bool served = false;
	for (int tick = 0; tick < 30; tick++) {
		usleep(200 * 1000);
		for (int i = 0; i < SLOW; i++) {
			if (fd[i] < 0 || closed_at[i] > 0)
				continue;
			if (is_closed(fd[i])) {
				closed_at[i] = now_s() - t0;
				continue;
			}
			(void)send(fd[i], tick % 2 ? "a" : "b", 1, MSG_NOSIGNAL);
		}
		if (tick == 4) {
			/* Another client address is answered while they hold their share. */
			hc_response r;
			const char get[] = "GET /ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
			CHECK_EQ_U64(hc_raw_from(port, "127.0.0.2", get, sizeof get - 1, &r), 200);
			served = r.status == 200;
			hc_free(&r);
		}
	}
	CHECK(served);
	/* Beyond PER_CLIENT, connections were closed at once; the others at the deadline
	 * (the sweep runs every DEADLINE_S / 4; the margin is for a loaded CI machine),
	 * not before, and long before the idle timeout (IDLE_S), which never fires here
	 * anyway since a byte arrives every 200 ms. */
	int early = 0, at_deadline = 0, open = 0;
	for (int i = 0; i < SLOW; i++) {
		if (fd[i] < 0)
			continue;
		if (closed_at[i] == 0)
			open++;
		else if (closed_at[i] < 1.0)
			early++;
		else if (closed_at[i] >= DEADLINE_S - 0.3 && closed_at[i] <= DEADLINE_S + 3.0)
			at_deadline++;
		else
			fprintf(stderr, "connection %d closed at %.2f s\n", i, closed_at[i]);
		close(fd[i]);
	}
	CHECK_MSG(early == SLOW - PER_CLIENT, "%d connections refused at once, expected %d", early,
		  SLOW - PER_CLIENT);
	CHECK_MSG(at_deadline == PER_CLIENT, "%d connections cut at the deadline, expected %d "
		  "(%d still open)", at_deadline, PER_CLIENT, open);
	/* The address's share is free again. */
	hc_response r;
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", NULL, NULL, 0, &r), 200);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(parked_request_outlives_the_deadline)
{
	http_server *s = start();
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	double t0 = now_s();
	hc_response r;
	CHECK_EQ_U64(hc_request(port, "GET", "/park", NULL, NULL, 0, &r), 200);
	CHECK(r.body && strcmp(r.body, "parked") == 0);
	CHECK_MSG(now_s() - t0 >= 2.9, "answered after %.2f s", now_s() - t0);
	hc_free(&r);
	http_server_stop(s, 5000);
}

TEST(idle_keepalive_connection_is_closed_at_the_deadline)
{
	http_server *s = start();
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	int fd = hc_connect(port);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	/* A first request answered on a kept-alive connection, then silence: the next
	 * request's time starts with the answer. */
	const char get[] = "GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n";
	CHECK(send(fd, get, sizeof get - 1, MSG_NOSIGNAL) > 0);
	char b[512];
	CHECK(recv(fd, b, sizeof b, 0) > 0);
	double t0 = now_s();
	struct timeval tv = { IDLE_S, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ssize_t n = recv(fd, b, sizeof b, 0);
	double dt = now_s() - t0;
	CHECK_MSG(n == 0 && dt < DEADLINE_S + 1.5, "recv %zd after %.2f s", n, dt);
	close(fd);
out:
	http_server_stop(s, 1000);
}

/* Keep-alive connections that never stop sending requests, each waiting only for its
 * previous answer, as a validator client's do during a slot's burst. The sweeper must
 * never cut one: every request starts right after an answer, far within the deadline.
 * An answer stored after a sweep read its clock once made that connection look
 * billions of years old, and it was cut as its next request arrived. */
typedef struct {
	uint16_t port;
	const char *source;
	double until;
	unsigned answered, cut;
} busy_client;

static void *busy_client_main(void *arg)
{
	busy_client *b = arg;
	int fd = hc_connect_from(b->port, b->source);
	if (fd < 0) {
		b->cut++;
		return NULL;
	}
	static const char get[] = "GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n";
	while (now_s() < b->until) {
		if (send(fd, get, sizeof get - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof get - 1)) {
			b->cut++;
			break;
		}
		char r[512];
		size_t got = 0;
		bool whole = false;
		while (!whole && got < sizeof r - 1) {
			ssize_t n = recv(fd, r + got, sizeof r - 1 - got, 0);
			if (n <= 0)
				break;
			got += (size_t)n;
			r[got] = '\0';
			const char *end = strstr(r, "\r\n\r\n");
			whole = end && strcmp(end + 4, "ok") == 0;
		}
		if (!whole) {
			b->cut++;
			break;
		}
		b->answered++;
	}
	close(fd);
	return NULL;
}

TEST(busy_keepalive_connections_are_never_cut)
{
	http_server *s = start();
	if (!s)
		return;
	/* PER_CLIENT connections from each of three loopback addresses; the sweeper passes
	 * every DEADLINE_S / 4 = 0.5 s, so about ten passes run over busy connections. */
	static const char *const sources[] = { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
	enum { N = 3 * PER_CLIENT };
	busy_client b[N];
	pthread_t t[N];
	double until = now_s() + 5;
	for (int i = 0; i < N; i++) {
		b[i] = (busy_client){ http_server_port(s), sources[i / PER_CLIENT], until, 0, 0 };
		CHECK(pthread_create(&t[i], NULL, busy_client_main, &b[i]) == 0);
	}
	unsigned answered = 0, cut = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		answered += b[i].answered;
		cut += b[i].cut;
	}
	CHECK_MSG(cut == 0, "%u of %d busy connections cut after %u answers", cut, N, answered);
	CHECK(answered > 1000); /* the connections were busy, not idle */
	http_server_stop(s, 1000);
}

TEST(deadline_rule_ignores_a_start_after_the_sweep_clock)
{
	const uint64_t s = 1000000000ull; /* 1 s in ns */
	CHECK(!http_limits_expired(10 * s, 9 * s, 2 * s));
	CHECK(http_limits_expired(10 * s, 8 * s, 2 * s));
	CHECK(http_limits_expired(10 * s, 1 * s, 2 * s));
	/* answered after the sweep read its clock: not 584 years old */
	CHECK(!http_limits_expired(10 * s, 10 * s + 1, 2 * s));
	CHECK(!http_limits_expired(10 * s, 10 * s, 2 * s));
}

static struct sockaddr_in v4(const char *ip)
{
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

TEST(reserve_rule_keeps_slots_for_loopback)
{
	/* Over real sockets every test client is loopback, so the rule is checked here. */
	struct sockaddr_in lo = v4("127.0.0.2"), remote = v4("192.0.2.7");
	struct sockaddr_in6 lo6 = { 0 };
	lo6.sin6_family = AF_INET6;
	lo6.sin6_addr = in6addr_loopback;
	CHECK(http_limits_is_loopback((struct sockaddr *)&lo));
	CHECK(http_limits_is_loopback((struct sockaddr *)&lo6));
	CHECK(!http_limits_is_loopback((struct sockaddr *)&remote));
	CHECK(http_limits_may_accept(false, 11, 16, 4));
	CHECK(!http_limits_may_accept(false, 12, 16, 4));
	CHECK(http_limits_may_accept(true, 12, 16, 4));
	CHECK(http_limits_may_accept(true, 16, 16, 4));
	/* No reserve: remote clients may take every slot. */
	CHECK(http_limits_may_accept(false, 15, 16, 0));
	/* The accept policy libmicrohttpd calls applies the rule to the listener's count
	 * of remote connections (what the pure rule alone could not show). */
	http_limits l;
	memset(&l, 0, sizeof l);
	l.limit = 16;
	l.reserve = 4;
	atomic_store(&l.open_remote, 11);
	CHECK(http_limits_accept(&l, (struct sockaddr *)&remote) == 1);
	atomic_store(&l.open_remote, 12);
	CHECK(http_limits_accept(&l, (struct sockaddr *)&remote) == 0);
	CHECK(http_limits_accept(&l, (struct sockaddr *)&lo) == 1);
	CHECK(http_limits_accept(&l, (struct sockaddr *)&lo6) == 1);
}
