/* The HTTP server over real sockets with a small route table: routing (404/405/400),
 * body limits (413), credentials (401/403), the Host allow-list, CORS, slow clients,
 * keep-alive, and a graceful stop that still answers the request in flight. */
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http_client.h"
#include "server/guard.h"
#include "server/http.h"
#include "server/tls.h"
#include "test.h"
#include "util/hex.h"

static void h_ok(http_request *req, void *app)
{
	(void)app;
	http_reply_bytes(req, 200, "text/plain", "ok", 2);
}

static void h_echo(http_request *req, void *app)
{
	(void)app;
	char hex[99];
	hex_encode(hex, http_request_pubkey(req), 48, true);
	size_t len;
	http_request_body(req, &len);
	http_reply_json(req, 200, json_pack("{s:s,s:I,s:b}", "pubkey", hex, "len", (json_int_t)len,
					    "json", http_request_accepts_json(req)));
}

static void h_slow(http_request *req, void *app)
{
	(void)app;
	usleep(400 * 1000);
	http_reply_bytes(req, 200, "text/plain", "slow", 4);
}

static void h_work(http_request *req, void *app)
{
	(void)app;
	usleep(1000); /* like a signature: the handler blocks its thread */
	http_reply_bytes(req, 200, "text/plain", "done", 4);
}

/* Parks the request and answers it from another thread later, as the sign route does
 * while a slashing record commits. */
static void *late_answer(void *arg)
{
	http_request *req = arg;
	usleep(300 * 1000);
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
}

static void h_park_now(http_request *req, void *app)
{
	(void)app;
	/* Suspended and answered before the handler even returns. */
	http_request_suspend(req);
	http_reply_bytes(req, 200, "text/plain", "quick", 5);
	http_request_resume(req);
}

static void h_noreply(http_request *req, void *app)
{
	(void)req;
	(void)app; /* a handler bug: the server must still answer (500) */
}

static const http_route routes[] = {
	{ HTTP_GET, "/ok", h_ok, HTTP_AUTH_NONE, 0 },
	{ HTTP_POST, "/ok", h_ok, HTTP_AUTH_NONE, 16 },
	{ HTTP_POST, "/echo/{pubkey}", h_echo, HTTP_AUTH_NONE, 64 },
	{ HTTP_GET, "/km", h_ok, HTTP_AUTH_KEYMANAGER, 0 },
	{ HTTP_GET, "/sign", h_ok, HTTP_AUTH_SIGNING, 0 },
	{ HTTP_GET, "/slow", h_slow, HTTP_AUTH_NONE, 0 },
	{ HTTP_GET, "/noreply", h_noreply, HTTP_AUTH_NONE, 0 },
	{ HTTP_POST, "/work", h_work, HTTP_AUTH_NONE, 1024 },
	{ HTTP_GET, "/park", h_park, HTTP_AUTH_NONE, 0 },
	{ HTTP_GET, "/parknow", h_park_now, HTTP_AUTH_NONE, 0 },
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static unsigned start_threads = 2;
static unsigned start_per_client = 0; /* 0: the server's default (512) */

static http_server *start(const char *cors, const char *signing_token, unsigned timeout)
{
	http_server_config c = {
		.name = "test",
		.host = "127.0.0.1",
		.port = 0,
		.threads = start_threads,
		.connection_timeout = timeout,
		.per_client_limit = start_per_client,
		.routes = routes,
		.n_routes = N_ROUTES,
		.cors_origins = cors,
		.signing_token = signing_token,
		.keymanager_token = "km-secret-token-0123456789abcdef",
	};
	http_server *s = NULL;
	CHECK(http_server_start(&s, &c) == SS_OK);
	return s;
}

static const char PK[] = "0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c";

TEST(route_match_decides_404_405_400)
{
	size_t idx;
	uint8_t pk[48];
	unsigned allowed = 0;
	CHECK(http_route_match(routes, N_ROUTES, HTTP_GET, "/ok", &idx, pk, &allowed) == HTTP_MATCH_OK);
	CHECK_EQ_U64(idx, 0);
	CHECK(http_route_match(routes, N_ROUTES, HTTP_DELETE, "/ok", &idx, pk, &allowed) ==
	      HTTP_MATCH_BAD_METHOD);
	CHECK_EQ_U64(allowed, HTTP_GET | HTTP_POST);
	CHECK(http_route_match(routes, N_ROUTES, HTTP_GET, "/nope", &idx, pk, &allowed) ==
	      HTTP_MATCH_NOT_FOUND);
	CHECK(http_route_match(routes, N_ROUTES, HTTP_GET, "/ok/", &idx, pk, &allowed) ==
	      HTTP_MATCH_NOT_FOUND);
	CHECK(http_route_match(routes, N_ROUTES, HTTP_GET, "/OK", &idx, pk, &allowed) ==
	      HTTP_MATCH_NOT_FOUND);
	char path[200];
	snprintf(path, sizeof path, "/echo/%s", PK);
	CHECK(http_route_match(routes, N_ROUTES, HTTP_POST, path, &idx, pk, &allowed) == HTTP_MATCH_OK);
	CHECK_EQ_U64(pk[0], 0xa9);
	/* Without 0x and in upper case: the same key (Web3Signer normalises it). */
	char upper[200];
	snprintf(upper, sizeof upper, "/echo/%s", PK + 2);
	for (char *p = upper + 6; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	uint8_t pk2[48];
	CHECK(http_route_match(routes, N_ROUTES, HTTP_POST, upper, &idx, pk2, &allowed) == HTTP_MATCH_OK);
	CHECK_MEM(pk, pk2, 48);
	CHECK(http_route_match(routes, N_ROUTES, HTTP_POST, "/echo/0x1234", &idx, pk, &allowed) ==
	      HTTP_MATCH_BAD_KEY);
	CHECK(http_route_match(routes, N_ROUTES, HTTP_POST, "/echo/", &idx, pk, &allowed) ==
	      HTTP_MATCH_NOT_FOUND);
	CHECK(http_route_match(routes, N_ROUTES, HTTP_POST, "/echo/x/y", &idx, pk, &allowed) ==
	      HTTP_MATCH_NOT_FOUND);
}

TEST(guard_host_allowlist)
{
	CHECK(http_guard_host_allowed(NULL, "localhost:9000"));
	CHECK(http_guard_host_allowed(NULL, "127.0.0.1"));
	CHECK(http_guard_host_allowed(NULL, "LOCALHOST"));
	CHECK(!http_guard_host_allowed(NULL, "evil.example"));
	CHECK(!http_guard_host_allowed(NULL, "localhost.evil.example"));
	CHECK(!http_guard_host_allowed(NULL, NULL));
	CHECK(!http_guard_host_allowed(NULL, ""));
	CHECK(!http_guard_host_allowed(NULL, ":9000"));
	CHECK(http_guard_host_allowed("*", NULL));
	CHECK(http_guard_host_allowed("all", "x"));
	CHECK(http_guard_host_allowed("signer.internal, ::1", "[::1]:9000"));
	CHECK(http_guard_host_allowed("signer.internal, ::1", "signer.internal"));
	CHECK(!http_guard_host_allowed("none", "localhost"));
	CHECK(!http_guard_host_allowed("::1", "[::1"));
}

TEST(guard_bearer_and_origins)
{
	CHECK(http_guard_bearer("abc", "Bearer abc") == HTTP_GUARD_OK);
	CHECK(http_guard_bearer("abc", "bearer abc") == HTTP_GUARD_OK);
	CHECK(http_guard_bearer("abc", "Bearer abd") == HTTP_GUARD_WRONG);
	CHECK(http_guard_bearer("abc", "Bearer abcd") == HTTP_GUARD_WRONG);
	CHECK(http_guard_bearer("abc", "Bearer ") == HTTP_GUARD_MISSING);
	CHECK(http_guard_bearer("abc", "Basic abc") == HTTP_GUARD_MISSING);
	CHECK(http_guard_bearer("abc", NULL) == HTTP_GUARD_MISSING);
	CHECK(http_guard_bearer(NULL, "Bearer abc") == HTTP_GUARD_WRONG);
	CHECK(http_guard_origin_allowed("http://a.example,http://b.example", "http://b.example"));
	CHECK(!http_guard_origin_allowed("http://a.example", "http://c.example"));
	CHECK(http_guard_origin_allowed("*", "http://c.example"));
	CHECK(!http_guard_origin_allowed(NULL, "http://c.example"));
}

TEST(known_clients_file_format)
{
	http_tls_state st;
	memset(&st, 0, sizeof st);
	const char *good = "# comment\n\nclient1 DF:65:B8:02:08:5E:91:82:0F:91:F5:1C:96:56:92:C4:1A:F6:C6:27:FD:6C:FC:31:F2:BB:90:17:22:59:5B:50\n"
			   "  client2   00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF  \n";
	CHECK(http_tls_parse_known_clients(&st, good) == SS_OK);
	CHECK_EQ_U64(st.n_known, 2);
	CHECK_EQ_U64(st.known[0][0], 0xdf);
	CHECK_EQ_U64(st.known[1][31], 0xff);
	memset(&st, 0, sizeof st);
	CHECK(http_tls_parse_known_clients(&st, "client DF:65\n") == SS_ERR_INVALID);
	memset(&st, 0, sizeof st);
	CHECK(http_tls_parse_known_clients(&st, "DF:65:B8:02:08:5E:91:82:0F:91:F5:1C:96:56:92:C4:1A:F6:C6:27:FD:6C:FC:31:F2:BB:90:17:22:59:5B:50\n") ==
	      SS_ERR_INVALID);
	memset(&st, 0, sizeof st);
	CHECK(http_tls_parse_known_clients(&st, "c DF-65-B8-02-08-5E-91-82-0F-91-F5-1C-96-56-92-C4-1A-F6-C6-27-FD-6C-FC-31-F2-BB-90-17-22-59-5B-50\n") ==
	      SS_ERR_INVALID);
}

/* The JSON "message" of an error body, or "" */
static const char *message_of(const hc_response *r, char *buf, size_t cap)
{
	buf[0] = '\0';
	json_t *o = json_loads(r->body ? r->body : "", 0, NULL);
	if (o && json_is_string(json_object_get(o, "message")))
		snprintf(buf, cap, "%s", json_string_value(json_object_get(o, "message")));
	json_decref(o);
	return buf;
}

TEST(routing_statuses_over_http)
{
	http_server *s = start(NULL, NULL, 5);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	hc_response r;
	char buf[256];
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", NULL, NULL, 0, &r), 200);
	CHECK(strcmp(r.body, "ok") == 0);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/ok?x=1", NULL, NULL, 0, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/missing", NULL, NULL, 0, &r), 404);
	CHECK(strcmp(message_of(&r, buf, sizeof buf), "Not Found") == 0);
	CHECK(hc_header(&r, "Content-Type", buf, sizeof buf) && strstr(buf, "application/json"));
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "DELETE", "/ok", NULL, NULL, 0, &r), 405);
	CHECK(hc_header(&r, "Allow", buf, sizeof buf) && strcmp(buf, "GET, POST") == 0);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "BREW", "/ok", NULL, NULL, 0, &r), 405);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "POST", "/echo/0xzz", NULL, "{}", 2, &r), 400);
	CHECK(strstr(message_of(&r, buf, sizeof buf), "48 bytes") != NULL);
	hc_free(&r);
	char path[200];
	snprintf(path, sizeof path, "/echo/%s", PK);
	CHECK_EQ_U64(hc_request(port, "POST", path, "Accept: text/plain, application/json;q=0.9\r\n",
				"{\"a\":1}", 7, &r), 200);
	json_t *o = json_loads(r.body, 0, NULL);
	CHECK(o && strcmp(json_string_value(json_object_get(o, "pubkey")), PK) == 0);
	CHECK(o && json_integer_value(json_object_get(o, "len")) == 7);
	CHECK(o && json_is_true(json_object_get(o, "json")));
	json_decref(o);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "POST", path, "Accept: text/plain\r\n", "", 0, &r), 200);
	o = json_loads(r.body, 0, NULL);
	CHECK(o && json_is_false(json_object_get(o, "json")));
	json_decref(o);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/noreply", NULL, NULL, 0, &r), 500);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(body_limits_over_http)
{
	http_server *s = start(NULL, NULL, 5);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	hc_response r;
	char body[200];
	memset(body, 'x', sizeof body);
	/* Declared too large: refused from the headers alone. */
	CHECK_EQ_U64(hc_request(port, "POST", "/ok", NULL, body, 17, &r), 413);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "POST", "/ok", NULL, body, 16, &r), 200);
	hc_free(&r);
	/* Chunked, no Content-Length: refused once the data passes the limit. */
	const char chunked[] = "POST /ok HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
			       "Content-Type: application/json\r\n"
			       "Connection: close\r\n\r\n"
			       "10\r\nxxxxxxxxxxxxxxxx\r\n10\r\nxxxxxxxxxxxxxxxx\r\n0\r\n\r\n";
	CHECK_EQ_U64(hc_raw(port, chunked, sizeof chunked - 1, &r), 413);
	hc_free(&r);
	/* A Content-Length that is not a number. */
	const char badlen[] = "POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1x\r\n\r\n";
	int st = hc_raw(port, badlen, sizeof badlen - 1, &r);
	CHECK_MSG(st >= 400 && st < 500, "bad Content-Length gave %d", st);
	hc_free(&r);
	/* Garbage instead of HTTP: a 400 or a closed connection, never a crash. */
	const char junk[] = "\x01\x02\x03 GARBAGE\r\n\r\n";
	st = hc_raw(port, junk, sizeof junk - 1, &r);
	CHECK_MSG(st == 0 || (st >= 400 && st < 500), "garbage gave %d", st);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", NULL, NULL, 0, &r), 200);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(host_allowlist_over_http)
{
	http_server *s = start(NULL, NULL, 5);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	hc_response r;
	const char evil[] = "GET /ok HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
	CHECK_EQ_U64(hc_raw(port, evil, sizeof evil - 1, &r), 403);
	/* Web3Signer's exact body. */
	CHECK(r.body && strcmp(r.body, "{\"message\":\"Host not authorized.\"}") == 0);
	hc_free(&r);
	const char nohost[] = "GET /ok HTTP/1.0\r\n\r\n";
	CHECK_EQ_U64(hc_raw(port, nohost, sizeof nohost - 1, &r), 403);
	hc_free(&r);
	const char local[] = "GET /ok HTTP/1.1\r\nHost: localhost:9000\r\nConnection: close\r\n\r\n";
	CHECK_EQ_U64(hc_raw(port, local, sizeof local - 1, &r), 200);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(bearer_tokens_over_http)
{
	http_server *s = start(NULL, "sign-token", 5);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	hc_response r;
	char buf[64];
	CHECK_EQ_U64(hc_request(port, "GET", "/km", NULL, NULL, 0, &r), 401);
	CHECK(hc_header(&r, "WWW-Authenticate", buf, sizeof buf) != NULL);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/km", "Authorization: Bearer wrong\r\n", NULL, 0, &r), 403);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/km",
				"Authorization: Bearer km-secret-token-0123456789abcdef\r\n", NULL, 0, &r),
		     200);
	hc_free(&r);
	/* The signing token does not open the keymanager, nor the reverse. */
	CHECK_EQ_U64(hc_request(port, "GET", "/km", "Authorization: Bearer sign-token\r\n", NULL, 0, &r), 403);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/sign", NULL, NULL, 0, &r), 401);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/sign", "Authorization: Bearer sign-token\r\n", NULL, 0, &r), 200);
	hc_free(&r);
	/* Routes without auth stay open. */
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", NULL, NULL, 0, &r), 200);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(cors_over_http)
{
	http_server *s = start("http://ui.example", NULL, 5);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	hc_response r;
	char buf[128];
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", "Origin: http://ui.example\r\n", NULL, 0, &r), 200);
	CHECK(hc_header(&r, "Access-Control-Allow-Origin", buf, sizeof buf) &&
	      strcmp(buf, "http://ui.example") == 0);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "OPTIONS", "/ok",
				"Origin: http://ui.example\r\nAccess-Control-Request-Method: POST\r\n",
				NULL, 0, &r),
		     204);
	CHECK(hc_header(&r, "Access-Control-Allow-Methods", buf, sizeof buf) != NULL);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", "Origin: http://evil.example\r\n", NULL, 0, &r), 403);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(slow_and_idle_clients_do_not_block_others)
{
	http_server *s = start(NULL, NULL, 1);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	/* Three clients that send half a request and stall. */
	int fds[3];
	for (int i = 0; i < 3; i++) {
		fds[i] = hc_connect(port);
		CHECK(fds[i] >= 0);
		const char part[] = "POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nab";
		if (fds[i] >= 0)
			CHECK(send(fds[i], part, sizeof part - 1, MSG_NOSIGNAL) > 0);
	}
	hc_response r;
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", NULL, NULL, 0, &r), 200);
	hc_free(&r);
	/* The idle timeout (1 s) closes the stalled connections. */
	for (int i = 0; i < 3; i++) {
		if (fds[i] < 0)
			continue;
		char b[512];
		struct timeval tv = { 5, 0 };
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		ssize_t n;
		do
			n = recv(fds[i], b, sizeof b, 0);
		while (n > 0);
		CHECK_MSG(n == 0, "stalled connection %d not closed by the server", i);
		close(fds[i]);
	}
	/* Keep-alive: two requests on one connection. */
	int fd = hc_connect(port);
	const char two[] = "GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n"
			   "GET /ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
	CHECK(send(fd, two, sizeof two - 1, MSG_NOSIGNAL) > 0);
	char b[2048];
	size_t got = 0;
	ssize_t n;
	while ((n = recv(fd, b + got, sizeof b - 1 - got, 0)) > 0)
		got += (size_t)n;
	b[got] = '\0';
	int count = 0;
	for (char *p = b; (p = strstr(p, "HTTP/1.1 200")); p++)
		count++;
	CHECK_EQ_U64(count, 2);
	close(fd);
	http_server_stop(s, 1000);
}

static void *slow_request(void *arg)
{
	uint16_t port = *(uint16_t *)arg;
	hc_response r;
	int *st = malloc(sizeof *st);
	*st = hc_request(port, "GET", "/slow", NULL, NULL, 0, &r);
	hc_free(&r);
	return st;
}

TEST(stop_finishes_requests_in_flight)
{
	http_server *s = start(NULL, NULL, 5);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	pthread_t t;
	pthread_create(&t, NULL, slow_request, &port);
	/* Wait until the request is inside its handler (not merely sent). */
	http_server_stats st;
	for (int i = 0; i < 500; i++) {
		http_server_get_stats(s, &st);
		if (st.in_flight > 0)
			break;
		usleep(10 * 1000);
	}
	CHECK_EQ_U64(st.in_flight, 1);
	http_server_stop(s, 5000);
	void *res;
	pthread_join(t, &res);
	CHECK_EQ_U64(*(int *)res, 200);
	free(res);
	/* And the port is closed now. */
	CHECK(hc_connect(port) < 0);
}

TEST(stats_count_routes_and_classes)
{
	http_server *s = start(NULL, NULL, 5);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	hc_response r;
	hc_request(port, "GET", "/ok", NULL, NULL, 0, &r);
	hc_free(&r);
	hc_request(port, "GET", "/missing", NULL, NULL, 0, &r);
	hc_free(&r);
	usleep(50 * 1000);
	http_server_stats st;
	http_server_get_stats(s, &st);
	CHECK_EQ_U64(st.by_class[2], 1);
	CHECK_EQ_U64(st.by_class[4], 1);
	CHECK_EQ_U64(http_server_route_hits(s, 0), 1);
	http_server_stop(s, 1000);
}

/* Many keep-alive connections, each with one request at a time, against a pool of
 * threads whose handlers block: every request must be answered promptly. With MHD's
 * epoll mode some connections were not served until the idle timeout (30 s) closed
 * them; the server uses poll() for that reason (server.c). */
TEST(many_connections_never_stall)
{
	enum { CONNS = 512, ROUNDS = 3 };
	start_threads = 8;
	start_per_client = CONNS; /* one test client opens them all */
	http_server *s = start(NULL, NULL, 30);
	start_threads = 2;
	start_per_client = 0;
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	static int fd[CONNS];
	static size_t got[CONNS];
	static char buf[CONNS][512];
	static int left[CONNS];
	const char req[] = "POST /work HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
			   "Content-Length: 2\r\n\r\n{}";
	int open_ok = 0;
	for (int i = 0; i < CONNS; i++) {
		fd[i] = hc_connect(port);
		open_ok += fd[i] >= 0;
		left[i] = ROUNDS;
	}
	CHECK_EQ_U64(open_ok, CONNS);
	/* Send the first request everywhere at once, as a slot's burst does. */
	for (int i = 0; i < CONNS; i++)
		if (fd[i] >= 0 && send(fd[i], req, sizeof req - 1, MSG_NOSIGNAL) < 0)
			left[i] = -1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int answered = 0, failed = 0, pending = CONNS;
	static struct pollfd pf[CONNS];
	while (pending > 0) {
		for (int i = 0; i < CONNS; i++) {
			pf[i].fd = left[i] > 0 ? fd[i] : -1;
			pf[i].events = POLLIN;
		}
		if (poll(pf, CONNS, 10000) <= 0)
			break; /* 10 s without any answer: stalled */
		for (int i = 0; i < CONNS; i++) {
			if (left[i] <= 0 || !pf[i].revents)
				continue;
			ssize_t n = recv(fd[i], buf[i] + got[i], sizeof buf[i] - 1 - got[i], 0);
			if (n <= 0) {
				failed++;
				left[i] = -1;
				pending--;
				continue;
			}
			got[i] += (size_t)n;
			buf[i][got[i]] = '\0';
			char *end = strstr(buf[i], "\r\n\r\n");
			if (!end || got[i] < (size_t)(end + 4 - buf[i]) + 4)
				continue;
			answered += strncmp(buf[i], "HTTP/1.1 200", 12) == 0;
			got[i] = 0;
			if (--left[i] == 0)
				pending--;
			else if (send(fd[i], req, sizeof req - 1, MSG_NOSIGNAL) < 0)
				left[i] = -1, pending--, failed++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK_MSG(answered == CONNS * ROUNDS && failed == 0,
		  "%d of %d answered, %d connections failed, %d still waiting after %.1f s",
		  answered, CONNS * ROUNDS, failed, pending, secs);
	for (int i = 0; i < CONNS; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	http_server_stop(s, 1000);
}

static void *get_path(void *arg)
{
	const void **a = arg;
	uint16_t port = *(const uint16_t *)a[0];
	hc_response r;
	int *st = malloc(sizeof *st);
	*st = hc_request(port, "GET", (const char *)a[1], NULL, NULL, 0, &r);
	if (*st == 200 && strcmp(r.body, (const char *)a[2]) != 0)
		*st = -1;
	hc_free(&r);
	return st;
}

/* A parked request is answered when resumed, also when resumed at once, and a stop
 * while it is parked still delivers its answer. */
TEST(parked_requests_are_answered_even_across_stop)
{
	http_server *s = start(NULL, NULL, 5);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	hc_response r;
	CHECK_EQ_U64(hc_request(port, "GET", "/parknow", NULL, NULL, 0, &r), 200);
	CHECK(r.body && strcmp(r.body, "quick") == 0);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/park", NULL, NULL, 0, &r), 200);
	CHECK(r.body && strcmp(r.body, "parked") == 0);
	hc_free(&r);
	/* Several parked at once, then a stop. */
	enum { N = 8 };
	pthread_t t[N];
	const void *args[3] = { &port, "/park", "parked" };
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, get_path, args);
	http_server_stats st;
	for (int i = 0; i < 500; i++) {
		http_server_get_stats(s, &st);
		if (st.in_flight == N)
			break;
		usleep(10 * 1000);
	}
	CHECK_EQ_U64(st.in_flight, N);
	http_server_stop(s, 5000);
	for (int i = 0; i < N; i++) {
		void *res;
		pthread_join(t[i], &res);
		CHECK_EQ_U64(*(int *)res, 200);
		free(res);
	}
}
