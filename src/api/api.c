/* The api context: configuration, route subset, reload and health state. */
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
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->keys_write_lock, NULL);
	/* signing_bls_signing_duration is a summary with quantiles (api/metrics.c) */
	signer_metrics_keep_quantiles(signer_get_metrics(cfg->signer));
	a->sealed.configured = true;
	a->sealed.loaded = cfg->open_stats.sealed_loaded;
	a->sealed.errors = cfg->open_stats.sealed_failed;
	ss_err e = api_build_routes(a);
	if (e == SS_OK && (e = work_queue_start(&a->admin, 1, "ss-keymanager")) == SS_OK)
		a->admin_on = true;
	if (e == SS_OK)
		e = api_db_health_start(a);
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
	pthread_mutex_lock(&a->lock);
	bool live = a->reload_thread_live;
	pthread_t t = a->reload_thread;
	a->reload_thread_live = false;
	pthread_mutex_unlock(&a->lock);
	if (live)
		pthread_join(t, NULL);
	if (a->admin_on) /* the server has stopped: nothing new comes in */
		work_queue_stop(&a->admin);
	api_db_health_stop(a);
	pthread_mutex_destroy(&a->lock);
	pthread_mutex_destroy(&a->keys_write_lock);
	free(a->routes);
	free(a);
}

void api_set_http_server(api *a, http_server *s) { a->http = s; }

void api_pubkey_hex(char out[99], const uint8_t pk[48]) { hex_encode(out, pk, 48, true); }
