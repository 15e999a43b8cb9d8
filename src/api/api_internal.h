/* Module-internal: the api context shared by the route handlers. */
#ifndef SS_API_INTERNAL_H
#define SS_API_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "api/api.h"
#include "util/work_queue.h"

typedef enum {
	API_RELOAD_IDLE = 0,
	API_RELOAD_RUNNING,
	API_RELOAD_COMPLETED,
	API_RELOAD_COMPLETED_WITH_ERRORS,
	API_RELOAD_FAILED
} api_reload_status;

/* The outcome of the last load of one key source, for /healthcheck. */
typedef struct {
	bool configured;
	uint64_t loaded;
	uint64_t errors;
} api_source_health;

struct api {
	api_config cfg;
	http_route *routes; /* the served subset of the full table */
	size_t n_routes;
	http_server *http;

	pthread_mutex_t lock; /* guards everything below */
	api_reload_status reload_status;
	time_t reload_time; /* 0: never */
	char reload_error[256];
	pthread_t reload_thread;
	bool reload_thread_live;
	api_source_health config_files, keystores, sealed;
	/* Serialises keymanager writes with each other and with reloads. */
	pthread_mutex_t keys_write_lock;
	/* Runs Keymanager writes off the server threads (admin_thread.c). */
	work_queue admin;
	bool admin_on;
	/* The slashing database probe (db_health.c), under health_mu. */
	pthread_mutex_t health_mu;
	pthread_cond_t health_cv;
	pthread_t health_thread;
	bool health_inited, health_thread_live, health_stop, health_running, health_up;
	uint64_t health_started_ns;
};

/* db_health.c: starts the probe (and runs the first one) when slashing protection is
 * on; stop joins it; up is the answer for /healthcheck, without touching the store. */
ss_err api_db_health_start(api *a);
void api_db_health_stop(api *a);
bool api_db_health_up(api *a);

/* Parks req and runs fn(req, a) on the admin thread, which then resumes req with the
 * reply fn set (admin_thread.c). */
typedef void (*api_admin_fn)(http_request *req, api *a);
void api_run_on_admin_thread(http_request *req, api *a, api_admin_fn fn);

/* The process metrics (metrics_process.c), read from /proc/self; false when /proc is
 * not mounted (they are then left out of /metrics). */
typedef struct {
	double cpu_seconds;        /* user + system */
	uint64_t resident_bytes;
	uint64_t open_fds, max_fds;
	double start_time_seconds; /* Unix time */
} api_process_stats;
bool api_process_stats_read(api_process_stats *out);

/* Handlers (one file per group of routes). */
void api_handle_sign(http_request *req, void *app);
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

/* Runs one load of every key source and records it for /healthcheck (reload.c). Returns
 * the number of sources that failed; *failed set when the store itself failed. */
uint64_t api_reload_sources(api *a, bool *failed, char *err, size_t errcap);

/* A snapshot of the registry sorted by public key (*n entries; caller frees). */
keys_info *api_sorted_keys(api *a, size_t *n);
/* Keymanager "readonly": the key cannot be deleted through the API. */
bool api_key_readonly(const keys_info *k);
/* Parses the request body as a JSON object, or replies 400 and returns NULL. */
json_t *api_parse_object(http_request *req);
/* Builds the served subset of the route table (routes.c). */
ss_err api_build_routes(api *a);

/* "0x" + 96 lowercase hex digits of a public key into out (99 bytes). */
void api_pubkey_hex(char out[99], const uint8_t pk[48]);

#endif
