/* The HTTP server (DESIGN.md §1 "server/"): a libmicrohttpd listener with one
 * declarative route table, request body limits, connection timeouts, the host
 * allow-list, CORS, bearer tokens, TLS with client certificates, JSON error bodies and
 * an access log. Handlers never see libmicrohttpd: they get an http_request whose path
 * keys are already decoded into fixed binary and whose body is complete, and they fill
 * in the reply. Everything the handler is not asked about (404 vs 405, 401/403, 413,
 * host and CORS checks) is decided here, once, before the handler runs. */
#ifndef SS_SERVER_HTTP_H
#define SS_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/error.h"

#define HTTP_PUBKEY_BYTES 48

typedef enum {
	HTTP_GET = 1 << 0,
	HTTP_POST = 1 << 1,
	HTTP_DELETE = 1 << 2,
	HTTP_OPTIONS = 1 << 3,
	HTTP_HEAD = 1 << 4,
	HTTP_PUT = 1 << 5,
	HTTP_PATCH = 1 << 6,
	HTTP_OTHER = 1 << 7
} http_method;

/* Which credentials a route needs (the server checks them before the handler). */
typedef enum {
	HTTP_AUTH_NONE,       /* public: health, upcheck, metrics */
	HTTP_AUTH_SIGNING,    /* the optional bearer token of the signing API */
	HTTP_AUTH_KEYMANAGER  /* the Keymanager API token: always required */
} http_auth;

typedef struct http_request http_request;

/* A handler reads the request and sets the reply with one http_reply_* call. It runs
 * on a server thread and must not wait: work whose answer comes later (a signature and
 * its slashing commit, a Keymanager write) parks the request (http_request_suspend) and
 * answers it from the thread that finishes. */
typedef void (*http_handler)(http_request *req, void *app);

/* One row of a route table. The pattern is a path whose segments are literal or the
 * single key "{pubkey}": a BLS public key, hex with an optional 0x prefix, any case
 * (Web3Signer normalises the identifier the same way), decoded to 48 bytes before the
 * handler runs; a key that is not 96 hex digits is a 400. */
typedef struct {
	http_method method;
	const char *pattern;
	http_handler handler;
	http_auth auth;
	size_t body_limit; /* bytes; a longer body is refused with 413 */
} http_route;

/* Outcome of matching a method and path against a table. */
typedef enum {
	HTTP_MATCH_OK,
	HTTP_MATCH_NOT_FOUND,   /* no pattern has this path: 404 */
	HTTP_MATCH_BAD_METHOD,  /* a pattern has this path, none with this method: 405 */
	HTTP_MATCH_BAD_KEY      /* the path matches but its {pubkey} does not decode: 400 */
} http_match;

/* Matches method and the path (without query string) against routes[0..n). On
 * HTTP_MATCH_OK *index is the route and pubkey holds the decoded key (if the pattern
 * has one); on HTTP_MATCH_BAD_METHOD *allowed is the OR of the path's methods. Pure:
 * tests use it to map the requests they made to the table's rows. */
http_match http_route_match(const http_route *routes, size_t n, http_method method,
			    const char *path, size_t *index,
			    uint8_t pubkey[HTTP_PUBKEY_BYTES], unsigned *allowed);

/* "GET" -> HTTP_GET; unknown -> HTTP_OTHER. */
http_method http_method_parse(const char *name);
const char *http_method_name(http_method m);

/* TLS settings (PEM files, or a PKCS#12 keystore and its password). Client certificates are checked when
 * known_clients_file or ca_file is set: a client passes when its certificate's SHA-256
 * fingerprint is in the known-clients file (Web3Signer's format: "<name> <AA:BB:..>"
 * per line) or when it chains to the CA; allow_any_client skips the check. */
typedef struct {
	const char *cert_file;
	const char *key_file;
	const char *pkcs12_file;     /* instead of cert_file and key_file (Web3Signer's) */
	const char *pkcs12_password;
	const char *known_clients_file;
	const char *ca_file;
	bool allow_any_client;
	/* Comma lists as Besu/Teku name them: "TLSv1.3,TLSv1.2" and IANA suite names
	 * ("TLS_AES_128_GCM_SHA256"); NULL: TLS 1.2+ with forward-secret AEAD suites. */
	const char *protocols;
	const char *cipher_suites;
} http_tls_config;

typedef struct {
	const char *name;            /* "http" or "metrics", for logs */
	const char *host;            /* listen address; "0.0.0.0", "::", "127.0.0.1" */
	uint16_t port;               /* 0 picks a free port (http_server_port tells it) */
	unsigned threads;            /* size of the thread pool */
	unsigned connection_timeout; /* seconds a connection may idle */
	unsigned connection_limit;   /* simultaneous connections */
	/* Slowloris bounds (limits.c): connections from one client address (0: 512); the
	 * last local_reserve of connection_limit slots only for loopback clients, so that
	 * local health checks still answer when remote clients hold the rest; seconds a
	 * connection has to deliver one whole request, headers and body, from its opening
	 * or its previous answer (0: 30). A request being handled or parked is exempt. */
	unsigned per_client_limit;
	unsigned local_reserve;
	unsigned request_timeout;
	const http_route *routes;
	size_t n_routes;
	void *app;                   /* passed to every handler */
	/* Comma-separated host names accepted in the Host header ("*" or "all": any;
	 * "none": no Host header value is accepted); NULL = "localhost,127.0.0.1". */
	const char *host_allowlist;
	/* Comma-separated CORS origins ("*" any); NULL or "" = none. */
	const char *cors_origins;
	const char *signing_token;    /* NULL: the signing API needs no token */
	const char *keymanager_token; /* NULL: keymanager routes are refused (403) */
	const http_tls_config *tls;   /* NULL: plain HTTP */
	bool access_log;
} http_server_config;

typedef struct http_server http_server;

/* Whether the listener could open host:port now, as http_server_start would (same
 * parsing, same socket options): opens and closes it; the reason is logged, prefixed by
 * name. For `config check`. */
ss_err http_listen_check(const char *name, const char *host, uint16_t port) SS_MUST_USE;

/* Starts listening; the routes and app must outlive the server. */
ss_err http_server_start(http_server **out, const http_server_config *cfg) SS_MUST_USE;

/* The bound port (useful after port 0). */
uint16_t http_server_port(const http_server *s);

/* Stops accepting connections, waits for requests being handled to finish (SIGTERM:
 * in-flight signatures are still delivered; a warning every 10 s once grace_ms has
 * passed, since parked requests must be answered before the daemon may stop), then
 * stops and frees. */
void http_server_stop(http_server *s, unsigned grace_ms);

/* Requests answered per route since start (index into the table), and in total by
 * status class; for /metrics. */
uint64_t http_server_route_hits(const http_server *s, size_t route);
typedef struct {
	uint64_t by_class[6]; /* index status/100: [2] 2xx, [4] 4xx, [5] 5xx */
	uint64_t in_flight;
} http_server_stats;
void http_server_get_stats(const http_server *s, http_server_stats *out);
/* When the listener's TLS certificate expires (Unix seconds); 0 without TLS. */
int64_t http_server_cert_not_after(const http_server *s);

/* Request accessors for handlers. */
/* The decoded {pubkey} of the path. */
const uint8_t *http_request_pubkey(const http_request *req);
const char *http_request_body(const http_request *req, size_t *len);
/* A request header's value, or NULL. */
const char *http_request_header(const http_request *req, const char *name);
/* The request path without the query string (Commit-Boost's JWT names it). */
const char *http_request_path(const http_request *req);
/* The peer's address as text ("127.0.0.1", "::1"; "-" when unknown), for per-client
 * rules such as Commit-Boost's JWT-failure lock-out. */
void http_request_client_address(const http_request *req, char *out, size_t cap);
/* A query-string argument's value (decoded), or NULL when absent. */
const char *http_request_query(const http_request *req, const char *name);
/* True when the Accept header lists application/json or a wildcard. */
bool http_request_accepts_json(const http_request *req);

/* Parks the request: called by a handler that will reply later from another thread
 * (a signature waiting for its slashing commit), so that the server thread serves other
 * connections meanwhile. The handler then returns without replying; whoever finishes
 * sets the reply with http_reply_* and calls http_request_resume, exactly once. */
void http_request_suspend(http_request *req);
void http_request_resume(http_request *req);

/* Replies (exactly one per request; a second call replaces the first). */
/* Sends obj as application/json and releases the reference (obj may be NULL: 500). */
void http_reply_json(http_request *req, unsigned status, json_t *obj);
/* Sends text with the given content type (the bytes are copied). */
void http_reply_bytes(http_request *req, unsigned status, const char *content_type,
		      const char *body, size_t len);
/* Sends {"message": "<formatted>"} as application/json. */
void http_reply_error(http_request *req, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds a response header (copied). */
void http_reply_header(http_request *req, const char *name, const char *value);


#endif
