/* The HTTP API (DESIGN.md §1 "api/"): one handler per route of the Web3Signer eth2 API,
 * the Keymanager API and the metrics listener, all declared in the tables of routes.c.
 * Handlers translate between JSON and the service modules and choose status codes;
 * they decide nothing about signing (signer/ does). */
#ifndef SS_API_API_H
#define SS_API_API_H

#include <stdbool.h>
#include <stddef.h>

#include "eth2/eth2.h"
#include "keys/keys.h"
#include "server/http.h"
#include "signer/signer.h"
#include "slashing/slashing.h"
#include "tee/tee_provider.h"
#include "util/error.h"

/* Request body limits (413 above them). A phase0 block with full attestations is the
 * largest signing body; keymanager imports carry several scrypt keystores and an
 * interchange file. */
#define API_SIGN_BODY_LIMIT (2u << 20)
#define API_KEYMANAGER_BODY_LIMIT (16u << 20)
#define API_SMALL_BODY_LIMIT 4096u
/* Most keys one POST /api/v1/eth2/sign batch may name (PR #29 leaves the limit to the
 * signer): a batch is one signing root, and no committee holds more validators. */
#define API_BATCH_MAX_IDENTIFIERS 10000u

typedef struct {
	signer *signer;
	keys_store *keys;
	slash_db *slashing;            /* NULL: slashing protection disabled */
	const eth2_network *net;
	const keys_sources *sources;   /* what /reload rescans */
	keys_load_stats open_stats;    /* what keys_store_open restored from the sealed store */
	bool keymanager_enabled;
	bool signing_ext_enabled;      /* Web3Signer's --Xsigning-ext-enabled: /ext/sign */
	const char *version;           /* for process_release{version} */
	/* The slashing database probe behind /healthcheck (signer/health.h); 0 = 5 s / 3 s. */
	unsigned db_health_interval_ms, db_health_timeout_ms;
	/* The TEE provider (--tee): reported by /healthcheck and /metrics, and the evidence
	 * of attested key generation (api/keygen.c; NULL or a provider that cannot attest:
	 * POST /eth/v1/keygen/... answer 501); NULL: none. */
	tee_provider *tee;
} api_config;


typedef struct api api;

ss_err api_new(api **out, const api_config *cfg) SS_MUST_USE;
/* Waits for a running reload to end, then frees. */
void api_free(api *a);

/* Loads the key sources the way /reload does and records the outcome for
 * /healthcheck; called once at start before the listener opens (Web3Signer serves
 * nothing until the initial load is done, reference/web3signer.md §1.4). */
ss_err api_load_keys(api *a) SS_MUST_USE;

/* The routes this configuration serves (keymanager routes only when enabled, the
 * high watermark only with slashing protection), for http_server_config. */
const http_route *api_routes(const api *a, size_t *n);
/* Every route the program can serve, whatever the configuration: tests check that
 * each of them is exercised. */
const http_route *api_all_routes(size_t *n);

/* The metrics listener's table (GET /metrics). */
const http_route *api_metrics_routes(size_t *n);

/* Makes jansson wipe every block it frees (passwords in Keymanager imports). Call once
 * at start, before any JSON is parsed or any thread runs. */
void api_json_wipe_on_free(void);

/* Lets /metrics report the main listener's request counts. */
void api_set_http_server(api *a, http_server *s);

#endif
