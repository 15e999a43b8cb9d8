/* Module-internal: the api context shared by the route handlers. */
#ifndef SS_API_INTERNAL_H
#define SS_API_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "api/api.h"
#include "signer/health.h"
#include "signer/keymanager.h"
#include "util/work_queue.h"

struct api {
	api_config cfg;
	http_route *routes; /* the served subset of the full table */
	size_t n_routes;
	http_server *http;

	/* Key-source health, reloads and the database probe (signer/health.h). */
	signer_health *health;
	/* The key lifecycle: imports, deletes, reloads (signer/keymanager.h). */
	signer_km *km;
	/* Run Keymanager writes off the server threads (admin_thread.c): imports one at a
	 * time in arrival order, deletes on their own thread so they overtake imports. */
	work_queue admin, admin_delete;
	bool admin_on, admin_delete_on;
	/* Feeds batch signing requests to the signer a few keys at a time (sign_batch.c). */
	work_queue batch;
	bool batch_on;
};

/* Parks req and runs fn(req, a, arg) on an admin thread (q: &a->admin or
 * &a->admin_delete), which then resumes req with the reply fn set (admin_thread.c). If
 * it cannot be queued, req is answered 500 and done(a, arg) is called instead (done may
 * be NULL). */
typedef void (*api_admin_fn)(http_request *req, api *a, uint64_t arg);
void api_run_on_admin_thread(http_request *req, api *a, work_queue *q, api_admin_fn fn,
			     uint64_t arg, void (*done)(api *a, uint64_t arg));

/* The process metrics (metrics_process.c), read from /proc/self; false when /proc is
 * not mounted (they are then left out of /metrics). */
typedef struct {
	double cpu_seconds;        /* user + system */
	uint64_t resident_bytes;
	uint64_t open_fds, max_fds;
	double start_time_seconds; /* Unix time */
} api_process_stats;
bool api_process_stats_read(api_process_stats *out);

/* The HTTP status of a signer outcome, for single and batch answers alike (sign.c):
 * 200, 400 malformed or a root mismatch, 404 unknown key, 412 refused, 500 otherwise. */
unsigned api_signer_http_status(signer_status st);

/* Handlers (one file per group of routes). */
void api_handle_sign(http_request *req, void *app);
void api_handle_sign_ext(http_request *req, void *app);
void api_handle_sign_batch(http_request *req, void *app);
void api_handle_public_keys(http_request *req, void *app);
void api_handle_upcheck(http_request *req, void *app);
void api_handle_healthcheck(http_request *req, void *app);
void api_handle_reload_post(http_request *req, void *app);
void api_handle_reload_get(http_request *req, void *app);
void api_handle_high_watermark(http_request *req, void *app);
void api_handle_keystores_get(http_request *req, void *app);
void api_handle_keystores_post(http_request *req, void *app);
void api_handle_keystores_delete(http_request *req, void *app);
void api_handle_metrics(http_request *req, void *app);
void api_handle_slashing_get(http_request *req, void *app);
void api_handle_slashing_post(http_request *req, void *app);
void api_handle_deposit(http_request *req, void *app);
void api_handle_keygen_bls(http_request *req, void *app);
void api_handle_keygen_k1_post(http_request *req, void *app);
void api_handle_keygen_k1_get(http_request *req, void *app);

/* A snapshot of the registry sorted by public key (*n entries; caller frees). */
keys_info *api_sorted_keys(api *a, size_t *n);
/* Parses the request body as a JSON object, or replies 400 and returns NULL. */
json_t *api_parse_object(http_request *req);
/* Builds the served subset of the route table (routes.c). */
ss_err api_build_routes(api *a);

/* "0x" + 96 lowercase hex digits of a public key into out (99 bytes). */
void api_pubkey_hex(char out[99], const uint8_t pk[48]);

#endif
