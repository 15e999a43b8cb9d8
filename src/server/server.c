/* The libmicrohttpd listener. A request goes through admission (CORS, Host allow-list,
 * client certificate, route, credentials, declared body size) as soon as its headers
 * arrive, so a refused request is answered before its body is read; an admitted one has
 * its body collected up to the route's limit and is then handed to the route's handler
 * on the same server thread. MHD runs a pool of poll() threads. Handlers do not wait:
 * a request whose answer comes later (a signature, a slashing commit, a Keymanager
 * write) is parked (http_request_suspend) and resumed from the thread that finishes
 * it, so a server thread only reads, parses and answers (docs/architecture.md).
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server/framing.h"
#include "server/guard.h"
#include "server/limits.h"
#include "server/listen.h"
#include "server/request.h"
#include "server/tls.h"
#include "util/dec.h"
#include "util/log.h"
#include "util/secure_mem.h"

struct http_server {
	struct MHD_Daemon *daemon;
	http_server_config cfg;
	http_tls_state tls;
	bool tls_on;
	int64_t cert_not_after; /* read once at start: the certificate cannot change */
	uint16_t port;
	_Atomic uint64_t *route_hits;
	_Atomic uint64_t by_class[6];
	_Atomic int64_t in_flight;
	http_limits limits;
};

/* ---- replies -------------------------------------------------------------------- */

/* Adds the CORS response headers when the request's Origin is allowed. */
static void cors_headers(http_server *s, http_request *req, struct MHD_Response *r)
{
	const char *origin = http_request_header(req, "Origin");
	if (!origin || !http_guard_origin_allowed(s->cfg.cors_origins, origin))
		return;
	MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
	MHD_add_response_header(r, "Vary", "Origin");
}

/* Turns the request's reply into an MHD response and queues it. */
static enum MHD_Result send_reply(http_server *s, http_request *req)
{
	if (!req->replied)
		http_reply_error(req, 500, "Internal Server Error");
	struct MHD_Response *r;
	if (req->reply) {
		r = MHD_create_response_from_buffer(req->reply_len, req->reply,
						    MHD_RESPMEM_MUST_FREE);
		if (r)
			req->reply = NULL; /* MHD owns it now */
	} else {
		static const char fallback[] = "{\"message\":\"Internal Server Error\"}";
		req->status = req->status ? req->status : 500;
		r = MHD_create_response_from_buffer(sizeof fallback - 1, (void *)fallback,
						    MHD_RESPMEM_PERSISTENT);
	}
	if (!r)
		return MHD_NO;
	if (req->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
	for (http_header_kv *h = req->headers; h; h = h->next)
		MHD_add_response_header(r, h->name, h->value);
	cors_headers(s, req, r);
	unsigned cls = req->status / 100;
	if (cls < 6)
		atomic_fetch_add(&s->by_class[cls], 1);
	if (req->routed)
		atomic_fetch_add(&s->route_hits[req->route], 1);
	req->queued = 1;
	enum MHD_Result ret = MHD_queue_response(req->conn, req->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- admission ------------------------------------------------------------------ */

/* Routes that take a body take JSON only: a body of another type is refused with 415
 * before it is read. A bodyless request (no Content-Length or "0", not chunked) with no
 * Content-Type passes, so that `curl -X POST /reload` keeps working; a declared type
 * must be JSON even then, since a browser form always declares one. */
static bool body_is_json(http_request *req, const char *content_length)
{
	const char *ct = http_request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct)
		return http_guard_json_content_type(ct);
	bool chunked = http_request_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
	bool empty = !content_length || strcmp(content_length, "0") == 0;
	return empty && !chunked;
}

static void allow_header(http_request *req, unsigned allowed)
{
	char buf[96] = "";
	for (unsigned bit = 1; bit <= HTTP_OTHER; bit <<= 1) {
		if (!(allowed & bit))
			continue;
		if (buf[0])
			strncat(buf, ", ", sizeof buf - strlen(buf) - 1);
		strncat(buf, http_method_name((http_method)bit), sizeof buf - strlen(buf) - 1);
	}
	http_reply_header(req, "Allow", buf);
}

/* A CORS preflight (Fetch standard §3.2.2): OPTIONS with Origin and
 * Access-Control-Request-Method. Its origin has been allowed by then; the answer says
 * which methods and request headers the actual request may use. */
static bool is_preflight(http_request *req, const char *origin)
{
	return req->method == HTTP_OPTIONS && origin &&
	       http_request_header(req, "Access-Control-Request-Method");
}

/* Decides, from the headers alone, whether the request may proceed. Returns 1 when it
 * is admitted (req->route set), 0 when a reply has been set. */
static int admit(http_server *s, http_request *req, const char *method)
{
	http_framing fr = http_framing_check(req->conn, method, req->path);
	if (fr.status) {
		/* RFC 9112 §6.3: the body's end is unknown, so the connection cannot carry
		 * another request. */
		http_reply_error(req, fr.status, "%s", fr.message);
		http_reply_header(req, "Connection", "close");
		return 0;
	}
	/* A browser adds Origin to every cross-origin POST, including the "simple" ones it
	 * sends without a preflight (Fetch standard §3.2.5): refusing any origin that is
	 * not allowed, even with no allow-list at all, is what stops a web page open in
	 * the operator's browser from signing (DESIGN.md §6; Web3Signer answers 403). */
	const char *origin = http_request_header(req, "Origin");
	if (origin && !http_guard_origin_allowed(s->cfg.cors_origins, origin)) {
		http_reply_error(req, 403, "CORS rejected: origin not allowed.");
		return 0;
	}
	if (!http_guard_host_allowed(s->cfg.host_allowlist, http_request_header(req, "Host"))) {
		/* Web3Signer's exact body (reference/web3signer.md §1.0). */
		http_reply_error(req, 403, "Host not authorized.");
		return 0;
	}
	if (s->tls_on && !http_tls_client_allowed(&s->tls, req->conn)) {
		http_reply_error(req, 403, "Client certificate not authorized.");
		return 0;
	}
	req->method = http_method_parse(method);
	if (is_preflight(req, origin)) {
		http_reply_bytes(req, 204, NULL, "", 0);
		http_reply_header(req, "Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
		http_reply_header(req, "Access-Control-Allow-Headers",
				  "Content-Type, Authorization, Accept");
		http_reply_header(req, "Access-Control-Max-Age", "600");
		return 0;
	}
	unsigned allowed = 0;
	size_t idx = 0;
	switch (http_route_match(s->cfg.routes, s->cfg.n_routes, req->method, req->path, &idx,
				 req->pubkey, &allowed)) {
	case HTTP_MATCH_OK:
		break;
	case HTTP_MATCH_NOT_FOUND:
		http_reply_error(req, 404, "Not Found");
		return 0;
	case HTTP_MATCH_BAD_METHOD:
		http_reply_error(req, 405, "Method Not Allowed");
		allow_header(req, allowed);
		return 0;
	case HTTP_MATCH_BAD_KEY:
		http_reply_error(req, 400,
				 "Invalid identifier: expected a BLS public key of 48 bytes in hex");
		return 0;
	}
	const http_route *rt = &s->cfg.routes[idx];
	req->route = idx;
	req->routed = 1;
	req->body_limit = rt->body_limit;
	const char *expected = NULL;
	bool need = false;
	if (rt->auth == HTTP_AUTH_KEYMANAGER) {
		expected = s->cfg.keymanager_token;
		need = true;
	} else if (rt->auth == HTTP_AUTH_SIGNING && s->cfg.signing_token) {
		expected = s->cfg.signing_token;
		need = true;
	}
	if (need) {
		switch (http_guard_bearer(expected, http_request_header(req, "Authorization"))) {
		case HTTP_GUARD_OK:
			break;
		case HTTP_GUARD_MISSING:
			http_reply_error(req, 401, "Missing bearer token.");
			http_reply_header(req, "WWW-Authenticate", "Bearer");
			return 0;
		case HTTP_GUARD_WRONG:
			http_reply_error(req, 403, "Invalid bearer token.");
			return 0;
		}
	}
	const char *cl = http_request_header(req, "Content-Length");
	if (rt->body_limit && !body_is_json(req, cl)) {
		http_reply_error(req, 415, "Unsupported Content-Type: send application/json");
		return 0;
	}
	if (cl) {
		uint64_t v;
		if (dec_parse_u64(cl, strlen(cl), &v) != SS_OK || v > req->body_limit) {
			http_reply_error(req, 413, "Request body larger than %zu bytes",
					 req->body_limit);
			return 0;
		}
		req->body_declared = (size_t)v;
	}
	return 1;
}

/* Appends upload data, refusing (once) anything beyond the route's limit. */
static void append_body(http_request *req, const char *data, size_t n)
{
	if (req->too_large)
		return;
	if (n > req->body_limit - req->body_len) {
		req->too_large = 1;
		return;
	}
	if (req->body_len + n + 1 > req->body_cap) {
		/* The declared length sizes the buffer once, so a signing body is not copied
		 * and wiped on its way up from 1 KiB; capped at 64 KiB, so that a client
		 * declaring megabytes and sending a byte does not make us allocate them (a
		 * larger body grows as it arrives). */
		size_t cap = req->body_cap ? req->body_cap
			     : req->body_declared && req->body_declared < 65536 ? req->body_declared + 1
			     : req->body_declared ? 65536 : 1024;
		while (cap < req->body_len + n + 1)
			cap *= 2;
		/* copy and wipe, not realloc: a moved block would go back to the heap with
		 * the start of the body (a Keymanager password) in it */
		char *b = malloc(cap);
		if (!b) {
			req->too_large = 1;
			return;
		}
		if (req->body) {
			memcpy(b, req->body, req->body_len);
			secure_zero(req->body, req->body_cap);
			free(req->body);
		}
		req->body = b;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, n);
	req->body_len += n;
	req->body[req->body_len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	http_server *s = cls;
	http_request *req = *con_cls;
	(void)version;
	if (!req) {
		req = calloc(1, sizeof *req);
		if (!req)
			return MHD_NO;
		*con_cls = req;
		req->conn = conn;
		req->server = s;
		req->path = url;
		clock_gettime(CLOCK_MONOTONIC, &req->start);
		atomic_fetch_add(&s->in_flight, 1);
		req->counted_in_flight = 1;
		if (!admit(s, req, method))
			return send_reply(s, req); /* MHD discards any body and may close */
		return MHD_YES;
	}
	if (req->queued) {
		*upload_data_size = 0; /* an early reply is queued: the rest is discarded */
		return MHD_YES;
	}
	if (req->suspended)
		return send_reply(s, req); /* resumed: the reply was set meanwhile */
	if (*upload_data_size) {
		append_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->too_large) {
		http_reply_error(req, 413, "Request body larger than %zu bytes", req->body_limit);
		return send_reply(s, req);
	}
	http_limits_busy(conn); /* handled or parked from now on: no deadline */
	s->cfg.routes[req->route].handler(req, s->cfg.app);
	if (req->suspended)
		return MHD_YES; /* the reply comes with http_request_resume */
	return send_reply(s, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	http_server *s = cls;
	http_request *req = *con_cls;
	http_limits_idle(conn); /* the next request's time starts now */
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		log_debug("%s: request %s ended early (libmicrohttpd termination code %d)",
			  s->cfg.name, req && req->path ? req->path : "-", (int)toe);
	if (!req)
		return;
	if (s->cfg.access_log) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double ms = (double)(now.tv_sec - req->start.tv_sec) * 1e3 +
			    (double)(now.tv_nsec - req->start.tv_nsec) / 1e6;
		char addr[64];
		http_request_client_address(req, addr, sizeof addr);
		log_info("%s access: %s %s %s %u %.3fms", s->cfg.name, addr,
			 http_method_name(req->method), req->path ? req->path : "-", req->status,
			 ms);
	}
	if (req->counted_in_flight)
		atomic_fetch_sub(&s->in_flight, 1);
	http_request_clear_reply(req);
	if (req->body) /* Keymanager bodies carry passwords */
		secure_zero(req->body, req->body_cap);
	free(req->body);
	free(req);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	http_server *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		http_limits_opened(&s->limits, conn, socket_context);
	else
		http_limits_closed(&s->limits, socket_context);
}

static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
	http_server *s = cls;
	(void)len;
	return http_limits_accept(&s->limits, addr) ? MHD_YES : MHD_NO;
}

static void mhd_logger(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("%s: libmicrohttpd: %s", cls ? (const char *)cls : "http", msg);
}

/* ---- lifecycle ------------------------------------------------------------------ */

ss_err http_server_start(http_server **out, const http_server_config *cfg)
{
	*out = NULL;
	http_server *s = calloc(1, sizeof *s);
	if (!s)
		return SS_ERR_NOMEM;
	s->cfg = *cfg;
	if (!s->cfg.name)
		s->cfg.name = "http";
	s->route_hits = calloc(cfg->n_routes ? cfg->n_routes : 1, sizeof *s->route_hits);
	if (!s->route_hits) {
		free(s);
		return SS_ERR_NOMEM;
	}

	/* poll(), not epoll: with epoll and a pool of threads whose handlers blocked (a
	 * signature, a slashing commit: the design before requests were parked), requests
	 * on some of 256-512 busy keep-alive
	 * connections went unnoticed until the idle timeout closed them (30 s stalls in
	 * bench/server, half the runs at 512 connections; none in poll mode, and
	 * tests/server many_connections_never_stall checks it). A worker serves at most
	 * connection_limit / threads sockets, so poll's cost stays small. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	const char *host = cfg->host ? cfg->host : "127.0.0.1"; /* "localhost": listen.c */
	unsigned limit = cfg->connection_limit ? cfg->connection_limit : 1024;
	if (cfg->local_reserve >= limit) {
		log_error("%s: the loopback reserve (%u) must be smaller than the connection "
			  "limit (%u)", s->cfg.name, cfg->local_reserve, limit);
		free(s->route_hits);
		free(s);
		return SS_ERR_INVALID;
	}
	int listen_fd = -1;
	ss_err le = http_listen_open(s->cfg.name, host, cfg->port, &listen_fd, &s->port);
	if (le != SS_OK) {
		free(s->route_hits);
		free(s);
		return le;
	}
	bool v6 = strchr(host, ':') != NULL;

	if (cfg->tls) {
		ss_err e = http_tls_load(&s->tls, cfg->tls);
		if (e != SS_OK) {
			close(listen_fd);
			free(s->route_hits);
			free(s);
			return e;
		}
		s->tls_on = true;
		s->cert_not_after = http_tls_cert_not_after(&s->tls);
		flags |= MHD_USE_TLS;
	}

	struct MHD_OptionItem opts[24];
	size_t k = 0;
	/* The logger first, so that MHD's messages about the other options reach it. */
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_logger,
					     (void *)s->cfg.name };
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, listen_fd, NULL };
	if (cfg->threads > 1) /* 1: the polling thread alone serves */
		opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
						     NULL };
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
					     cfg->connection_timeout ? cfg->connection_timeout : 30,
					     NULL };
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, limit, NULL };
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
					     HTTP_CONNECTION_MEMORY, NULL };
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
					     cfg->per_client_limit ? cfg->per_client_limit : 512,
					     NULL };
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION,
					     (intptr_t)on_connection, s };
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
					     (intptr_t)on_completed, s };
	if (s->tls_on) {
		opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls.key_pem };
		opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						     s->tls.cert_pem };
		opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						     s->tls.priorities };
		if (s->tls.trust_pem)
			opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0,
							     s->tls.trust_pem };
	}
	opts[k++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	if (http_limits_start(&s->limits, s->cfg.name, limit, cfg->local_reserve,
			      cfg->request_timeout ? cfg->request_timeout : 30) != 0) {
		log_error("%s: cannot start the connection sweeper", s->cfg.name);
		close(listen_fd);
		if (s->tls_on)
			http_tls_free(&s->tls);
		free(s->route_hits);
		free(s);
		return SS_ERR_IO;
	}
	/* MHD's callback takes a variadic pointer type; the cast is the documented use. */
	s->daemon = MHD_start_daemon(flags, 0, accept_policy, s, on_request, s,
				     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!s->daemon) {
		log_error("%s: cannot start the HTTP server on %s%s%s:%u", s->cfg.name,
			  v6 ? "[" : "", host, v6 ? "]" : "", s->port);
		close(listen_fd);
		http_limits_stop(&s->limits);
		if (s->tls_on)
			http_tls_free(&s->tls);
		free(s->route_hits);
		free(s);
		return SS_ERR_IO;
	}
	log_info("%s: listening on %s%s%s:%u%s", s->cfg.name, v6 ? "[" : "", host,
		 v6 ? "]" : "", s->port, s->tls_on ? " (TLS)" : "");
	*out = s;
	return SS_OK;
}

uint16_t http_server_port(const http_server *s) { return s->port; }

void http_server_stop(http_server *s, unsigned grace_ms)
{
	if (!s)
		return;
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	/* Let handlers that are running (a signature waiting for its slashing commit)
	 * finish and their replies go out. */
	for (unsigned waited = 0; waited < grace_ms; waited += 10) {
		if (atomic_load(&s->in_flight) <= 0)
			break;
		usleep(10000);
	}
	/* Past the grace, keep waiting: a parked request (its slashing record still being
	 * committed) will be answered from another thread, and stopping the daemon under
	 * it would free the request that thread is about to answer. Requests stalled on
	 * the network end at the idle timeout, which parked ones are exempt from. */
	for (unsigned waited = grace_ms; atomic_load(&s->in_flight) > 0; waited += 10) {
		if ((waited - grace_ms) % 10000 == 0)
			log_warn("%s: %lld request(s) still unanswered after %u ms; waiting",
				 s->cfg.name, (long long)atomic_load(&s->in_flight), waited);
		usleep(10000);
	}
	MHD_stop_daemon(s->daemon);
	http_limits_stop(&s->limits); /* every connection is closed: no fd left to cut */
	if (s->tls_on)
		http_tls_free(&s->tls);
	free(s->route_hits);
	free(s);
}

uint64_t http_server_route_hits(const http_server *s, size_t route)
{
	return route < s->cfg.n_routes ? atomic_load(&s->route_hits[route]) : 0;
}

int64_t http_server_cert_not_after(const http_server *s)
{
	return s->tls_on ? s->cert_not_after : 0;
}

void http_server_get_stats(const http_server *s, http_server_stats *out)
{
	for (int i = 0; i < 6; i++)
		out->by_class[i] = atomic_load(&s->by_class[i]);
	int64_t f = atomic_load(&s->in_flight);
	out->in_flight = f > 0 ? (uint64_t)f : 0;
}
