/* The api context: configuration, route subset, the service objects it calls. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/hex.h"

ss_err api_new(api **out, const api_config *cfg)
{
	*out = NULL;
	if (!cfg->signer || !cfg->keys || !cfg->net)
		return SS_ERR_INVALID;
	api *a = calloc(1, sizeof *a);
	if (!a)
		return SS_ERR_NOMEM;
	a->cfg = *cfg;
	if (!a->cfg.version)
		a->cfg.version = "unknown";
	/* signing_bls_signing_duration is a summary with quantiles (api/metrics.c) */
	ss_err e = signer_km_new(&a->km, cfg->keys, cfg->slashing);
	if (e == SS_OK) {
		signer_health_config hc = {
			.km = a->km,
			.keys = cfg->keys,
			.sources = cfg->sources,
			.open_stats = cfg->open_stats,
			.slashing = cfg->slashing,
			.db_interval_ms = cfg->db_health_interval_ms,
			.db_timeout_ms = cfg->db_health_timeout_ms,
		};
		e = signer_health_new(&a->health, &hc);
	}
	if (e == SS_OK)
		e = api_build_routes(a);
	if (e == SS_OK && (e = work_queue_start(&a->admin, 1, "ss-keymanager")) == SS_OK)
		a->admin_on = true;
	/* deletes on their own thread: the emergency stop of a key must not queue behind
	 * imports (signer/keymanager.h keeps a delete and an import of one key ordered) */
	if (e == SS_OK && (e = work_queue_start(&a->admin_delete, 1, "ss-km-delete")) == SS_OK)
		a->admin_delete_on = true;
	if (e == SS_OK && (e = work_queue_start(&a->batch, 1, "ss-batch")) == SS_OK)
		a->batch_on = true;
	if (e != SS_OK) {
		api_free(a);
		return e;
	}
	*out = a;
	return SS_OK;
}

void api_free(api *a)
{
	if (!a)
		return;
	signer_health_free(a->health); /* waits for a running reload */
	if (a->admin_on) /* the server has stopped: nothing new comes in */
		work_queue_stop(&a->admin);
	if (a->admin_delete_on)
		work_queue_stop(&a->admin_delete);
	signer_km_free(a->km);
	if (a->batch_on)
		work_queue_stop(&a->batch);
	free(a->routes);
	free(a);
}

void api_set_http_server(api *a, http_server *s) { a->http = s; }

void api_pubkey_hex(char out[99], const uint8_t pk[48]) { hex_encode(out, pk, 48, true); }
