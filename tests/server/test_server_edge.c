/* The server's edge over real sockets: requests a browser may send across origins
 * (Origin, CORS preflight, Content-Type), and HTTP framing that is ambiguous
 * (duplicate Content-Length or Host, a NUL in the method, unknown transfer codings).
 * Every refusal must be the documented JSON {"message": ...} and reach no handler. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_client.h"
#include "server/http.h"
#include "test.h"

static atomic_int handled; /* handler runs: a refused request must not add one */

static void h_ok(http_request *req, void *app)
{
	(void)app;
	atomic_fetch_add(&handled, 1);
	http_reply_bytes(req, 200, "text/plain", "ok", 2);
}

static const http_route routes[] = {
	{ HTTP_GET, "/ok", h_ok, HTTP_AUTH_NONE, 0 },
	{ HTTP_POST, "/ok", h_ok, HTTP_AUTH_NONE, 64 },
	{ HTTP_POST, "/sign/{pubkey}", h_ok, HTTP_AUTH_NONE, 1024 },
};

static http_server *start(const char *cors)
{
	http_server_config c = {
		.name = "edge",
		.host = "127.0.0.1",
		.threads = 2,
		.connection_timeout = 5,
		.routes = routes,
		.n_routes = sizeof routes / sizeof routes[0],
		.cors_origins = cors,
	};
	http_server *s = NULL;
	CHECK(http_server_start(&s, &c) == SS_OK);
	return s;
}

static const char SIGN[] = "/sign/0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c";

/* True when r is a JSON error {"message": "<...contains...>"} with a JSON type. */
static bool json_error(const hc_response *r, const char *contains)
{
	char ct[128];
	if (!hc_header(r, "Content-Type", ct, sizeof ct) || !strstr(ct, "application/json"))
		return false;
	json_t *o = json_loads(r->body ? r->body : "", 0, NULL);
	const char *m = o ? json_string_value(json_object_get(o, "message")) : NULL;
	bool ok = m && (!contains || strstr(m, contains));
	json_decref(o);
	return ok;
}

/* Sends raw and expects status with a JSON error body, and no handler run. */
static void expect_refused(uint16_t port, const char *raw, size_t len, int status,
			   const char *contains)
{
	int before = atomic_load(&handled);
	hc_response r;
	int st = hc_raw(port, raw, len, &r);
	CHECK_MSG(st == status, "expected %d, got %d for %.40s", status, st, raw);
	CHECK_MSG(json_error(&r, contains), "not a JSON error: %s", r.body ? r.body : "(none)");
	CHECK_MSG(atomic_load(&handled) == before, "a refused request reached its handler");
	hc_free(&r);
}

#define RAW(s) s, sizeof s - 1

TEST(foreign_origin_is_refused_without_allowlist)
{
	http_server *s = start(NULL); /* the default: no CORS origins configured */
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	/* A browser's "simple" cross-origin POST: text/plain, no preflight. */
	char raw[512];
	int n = snprintf(raw, sizeof raw,
			 "POST %s HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example\r\n"
			 "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 2\r\n"
			 "Connection: close\r\n\r\n{}",
			 SIGN);
	expect_refused(port, raw, (size_t)n, 403, "origin not allowed");
	/* Even with a JSON body type and on a GET: the Origin alone decides. */
	expect_refused(port, RAW("GET /ok HTTP/1.1\r\nHost: localhost\r\nOrigin: null\r\n"
				 "Connection: close\r\n\r\n"), 403, "origin not allowed");
	/* The preflight of a foreign origin is refused too. */
	expect_refused(port, RAW("OPTIONS /ok HTTP/1.1\r\nHost: localhost\r\n"
				 "Origin: https://evil.example\r\n"
				 "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n"),
		       403, "origin not allowed");
	/* Without Origin (a consensus client), the same request is served. */
	hc_response r;
	CHECK_EQ_U64(hc_request(port, "POST", SIGN, NULL, "{}", 2, &r), 200);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(preflight_answers_as_the_allowlist_says)
{
	http_server *s = start("https://ui.example");
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	hc_response r;
	char buf[128];
	const char pre[] = "OPTIONS /ok HTTP/1.1\r\nHost: localhost\r\nOrigin: https://ui.example\r\n"
			   "Access-Control-Request-Method: POST\r\n"
			   "Access-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n";
	CHECK_EQ_U64(hc_raw(port, RAW(pre), &r), 204);
	CHECK(hc_header(&r, "Access-Control-Allow-Origin", buf, sizeof buf) &&
	      strcmp(buf, "https://ui.example") == 0);
	CHECK(hc_header(&r, "Access-Control-Allow-Methods", buf, sizeof buf) && strstr(buf, "POST"));
	CHECK(hc_header(&r, "Access-Control-Allow-Headers", buf, sizeof buf) &&
	      strstr(buf, "Content-Type"));
	hc_free(&r);
	expect_refused(port, RAW("OPTIONS /ok HTTP/1.1\r\nHost: localhost\r\n"
				 "Origin: https://evil.example\r\n"
				 "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n"),
		       403, "origin not allowed");
	/* The allowed origin's actual request is served and carries the CORS header. */
	CHECK_EQ_U64(hc_request(port, "POST", SIGN, "Origin: https://ui.example\r\n", "{}", 2, &r),
		     200);
	CHECK(hc_header(&r, "Access-Control-Allow-Origin", buf, sizeof buf) != NULL);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(bodies_must_be_json)
{
	http_server *s = start(NULL);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	static const char *const refused[] = {
		"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/json; charset=iso-8859-1",
		"application/jsonx", "application/json; foo=bar",
	};
	char raw[600];
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		int n = snprintf(raw, sizeof raw,
				 "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: %s\r\n"
				 "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
				 SIGN, refused[i]);
		expect_refused(port, raw, (size_t)n, 415, "application/json");
	}
	/* No Content-Type at all with a body: refused as well. */
	int n = snprintf(raw, sizeof raw,
			 "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
			 "Connection: close\r\n\r\n{}", SIGN);
	expect_refused(port, raw, (size_t)n, 415, "application/json");
	/* A chunked body without a type: refused before it is read. */
	n = snprintf(raw, sizeof raw,
		     "POST %s HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
		     "Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n", SIGN);
	expect_refused(port, raw, (size_t)n, 415, "application/json");
	static const char *const accepted[] = {
		"application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\"",
	};
	hc_response r;
	for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
		char h[128];
		snprintf(h, sizeof h, "Content-Type: %s\r\n", accepted[i]);
		CHECK_MSG(hc_request(port, "POST", SIGN, h, "{}", 2, &r) == 200, "%s refused",
			  accepted[i]);
		hc_free(&r);
	}
	/* A bodyless POST (curl -X POST /reload) needs no type; a declared one must be JSON,
	 * as a browser form declares one even when empty. */
	CHECK_EQ_U64(hc_raw(port, RAW("POST /ok HTTP/1.1\r\nHost: localhost\r\n"
				      "Connection: close\r\n\r\n"), &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "POST", "/ok", NULL, NULL, 0, &r), 200);
	hc_free(&r);
	expect_refused(port, RAW("POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
				 "Content-Type: application/x-www-form-urlencoded\r\n"
				 "Connection: close\r\n\r\n"), 415, "application/json");
	/* Routes without a body ignore the header. */
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", "Content-Type: text/plain\r\n", NULL, 0, &r), 200);
	hc_free(&r);
	http_server_stop(s, 1000);
}

/* True when the server closed the connection after answering (reads to EOF). */
static bool closed_after_reply(uint16_t port, const char *raw, size_t len)
{
	int fd = hc_connect(port);
	if (fd < 0)
		return false;
	if (send(fd, raw, len, MSG_NOSIGNAL) < 0) {
		close(fd);
		return false;
	}
	char b[2048];
	ssize_t n;
	size_t got = 0;
	while ((n = recv(fd, b, sizeof b, 0)) > 0)
		got += (size_t)n;
	close(fd);
	return n == 0 && got > 0; /* EOF after a reply, not the 20 s receive timeout */
}

TEST(ambiguous_framing_is_refused)
{
	http_server *s = start(NULL);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	/* RFC 9112 §6.3: two Content-Length values. */
	const char two_cl[] = "POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
			      "Content-Length: 2\r\nContent-Length: 12\r\n\r\n{}";
	expect_refused(port, RAW(two_cl), 400, "Content-Length");
	/* Keep-alive is not offered: the connection closes after the refusal. */
	CHECK(closed_after_reply(port, RAW(two_cl)));
	expect_refused(port, RAW("POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
				 "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"), 400,
		       "Content-Length");
	/* RFC 9112 §3.2: two Host headers. */
	expect_refused(port, RAW("GET /ok HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n"
				 "Connection: close\r\n\r\n"), 400, "Host");
	/* A NUL inside the method, and a method that is not a token. */
	expect_refused(port, RAW("GET\0X /ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
		       400, "method");
	expect_refused(port, RAW("G\0ET /ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
		       400, "method");
	expect_refused(port, RAW("GE(T /ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
		       400, "method");
	/* RFC 9112 §6.1: an unknown transfer coding is 501 at once; with Content-Length, 400. */
	expect_refused(port, RAW("POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
				 "Transfer-Encoding: gzip\r\n\r\n"), 501, "Transfer-Encoding");
	expect_refused(port, RAW("POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
				 "Transfer-Encoding: gzip, chunked\r\n\r\n"), 501, "Transfer-Encoding");
	expect_refused(port, RAW("POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
				 "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}"), 400,
		       "Transfer-Encoding");
	/* The sound forms are still served. */
	hc_response r;
	CHECK_EQ_U64(hc_raw(port, RAW("POST /ok HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
				      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
				      "2\r\n{}\r\n0\r\n\r\n"), &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(port, "GET", "/ok", NULL, NULL, 0, &r), 200);
	hc_free(&r);
	http_server_stop(s, 1000);
}

TEST(long_heads_get_json_414_and_431)
{
	http_server *s = start(NULL);
	if (!s)
		return;
	uint16_t port = http_server_port(s);
	size_t cap = 40000;
	char *raw = malloc(cap);
	if (!raw)
		goto out;
	/* A 10 KiB path, a 10 KiB query string, a 10 KiB header, 200 headers of 50 bytes:
	 * longer than our limits (4 KiB target, 8 KiB headers), inside libmicrohttpd's
	 * connection memory, so the answer is ours. */
	int n = snprintf(raw, cap, "GET /%0*d HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
			 10000, 0);
	expect_refused(port, raw, (size_t)n, 414, "4096");
	n = snprintf(raw, cap, "GET /ok?a=%0*d HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
		     10000, 0);
	expect_refused(port, raw, (size_t)n, 414, "4096");
	n = snprintf(raw, cap, "GET /ok HTTP/1.1\r\nHost: localhost\r\nX-Big: %0*d\r\n"
			       "Connection: close\r\n\r\n", 10000, 0);
	expect_refused(port, raw, (size_t)n, 431, "8192");
	size_t len = (size_t)snprintf(raw, cap, "GET /ok HTTP/1.1\r\nHost: localhost\r\n");
	for (int i = 0; i < 200; i++)
		len += (size_t)snprintf(raw + len, cap - len, "X-%d: %050d\r\n", i, i);
	len += (size_t)snprintf(raw + len, cap - len, "Connection: close\r\n\r\n");
	expect_refused(port, raw, len, 431, "8192");
	/* Just inside the limits: served. */
	hc_response r;
	n = snprintf(raw, cap, "GET /ok?a=%0*d HTTP/1.1\r\nHost: localhost\r\nX-Big: %0*d\r\n"
			       "Connection: close\r\n\r\n", 3000, 0, 7000, 0);
	CHECK_EQ_U64(hc_raw(port, raw, (size_t)n, &r), 200);
	hc_free(&r);
	free(raw);
out:
	http_server_stop(s, 1000);
}
