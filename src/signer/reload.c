/* Key-source health and reloads (signer/health.h). A reload is one load of every
 * source through the key lifecycle (signer/keymanager.h signer_km_reload): new keys are
 * decrypted, sealed and added; keys whose file is gone are unloaded, as in Web3Signer,
 * so that keys moved to another signer by moving their files stop signing here.
 * Imported and generated keys stay until deleted. Web3Signer's POST /reload runs it in
 * the background and GET /reload reports it (reference/web3signer.md §1.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signer/health_internal.h"
#include "util/log.h"
#include "util/thread_name.h"

/* One load of every source; records each source's outcome. Returns the number of
 * sources that failed; *failed when none could be read at all (err says why). */
static uint64_t load_sources(signer_health *h, bool *failed, char *err, size_t errcap)
{
	*failed = false;
	err[0] = '\0';
	/* A key is unloaded when no source yields it any more, so the sources cannot be
	 * loaded one at a time. Without sources it still runs, to unload keys whose
	 * directory is no longer configured. */
	keys_sources none = { 0 };
	const keys_sources *src = h->cfg.sources ? h->cfg.sources : &none;
	keys_load_stats st = { 0 };
	keys_error kerr = { { 0 } };
	if (signer_km_reload(h->cfg.km, src, &st, &kerr) != SS_OK) {
		*failed = true;
		snprintf(err, errcap, "%s", kerr.msg);
	}
	size_t cf_seen = st.sources_seen - st.keystores_seen;
	size_t cf_failed = st.sources_failed - st.keystores_failed;
	pthread_mutex_lock(&h->lock);
	h->keys.config_files.configured = true;
	h->keys.config_files.loaded = cf_seen - cf_failed;
	h->keys.config_files.errors = cf_failed;
	h->keys.keystores.configured = src->keystores_dir != NULL;
	h->keys.keystores.loaded = st.keystores_seen - st.keystores_failed;
	h->keys.keystores.errors = st.keystores_failed;
	pthread_mutex_unlock(&h->lock);
	return st.sources_failed;
}

ss_err signer_health_load_keys(signer_health *h)
{
	bool failed;
	char err[256];
	uint64_t errors = load_sources(h, &failed, err, sizeof err);
	if (failed) {
		log_error("loading keys failed: %s", err);
		return SS_ERR_IO;
	}
	log_info("%zu keys loaded (%llu key sources failed)", keys_count(h->cfg.keys),
		 (unsigned long long)errors);
	return SS_OK;
}

static void *reload_main(void *arg)
{
	thread_name_set("ss-reload");
	signer_health *h = arg;
	bool failed;
	char err[256];
	uint64_t errors = load_sources(h, &failed, err, sizeof err);
	pthread_mutex_lock(&h->lock);
	h->reload.time = time(NULL);
	if (failed) {
		h->reload.state = SIGNER_RELOAD_FAILED;
		snprintf(h->reload.error, sizeof h->reload.error, "%s", err);
	} else if (errors) {
		h->reload.state = SIGNER_RELOAD_COMPLETED_WITH_ERRORS;
		snprintf(h->reload.error, sizeof h->reload.error,
			 "Reload completed with %llu signer loading error(s)",
			 (unsigned long long)errors);
	} else {
		h->reload.state = SIGNER_RELOAD_COMPLETED;
		h->reload.error[0] = '\0';
	}
	pthread_mutex_unlock(&h->lock);
	log_info("key reload finished: %zu keys, %llu errors%s%s", keys_count(h->cfg.keys),
		 (unsigned long long)errors, failed ? ": " : "", failed ? err : "");
	return NULL;
}

bool signer_health_reload_start(signer_health *h, bool *busy)
{
	*busy = false;
	pthread_mutex_lock(&h->lock);
	if (h->reload.state == SIGNER_RELOAD_RUNNING) {
		pthread_mutex_unlock(&h->lock);
		*busy = true;
		return false;
	}
	/* The previous reload thread has ended (its state is not running): reap it. */
	if (h->reload_thread_live) {
		pthread_join(h->reload_thread, NULL);
		h->reload_thread_live = false;
	}
	h->reload.state = SIGNER_RELOAD_RUNNING;
	if (pthread_create(&h->reload_thread, NULL, reload_main, h) != 0) {
		h->reload.state = SIGNER_RELOAD_FAILED;
		snprintf(h->reload.error, sizeof h->reload.error, "cannot start a thread");
		pthread_mutex_unlock(&h->lock);
		return false;
	}
	h->reload_thread_live = true;
	pthread_mutex_unlock(&h->lock);
	return true;
}

void signer_health_reload_status(signer_health *h, signer_reload_status *out)
{
	pthread_mutex_lock(&h->lock);
	*out = h->reload;
	pthread_mutex_unlock(&h->lock);
}

void signer_health_keys(signer_health *h, signer_keys_health *out)
{
	pthread_mutex_lock(&h->lock);
	*out = h->keys;
	pthread_mutex_unlock(&h->lock);
}

ss_err signer_health_new(signer_health **out, const signer_health_config *cfg)
{
	*out = NULL;
	if (!cfg->km || !cfg->keys)
		return SS_ERR_INVALID;
	signer_health *h = calloc(1, sizeof *h);
	if (!h)
		return SS_ERR_NOMEM;
	h->cfg = *cfg;
	if (!h->cfg.db_interval_ms)
		h->cfg.db_interval_ms = SIGNER_DB_HEALTH_DEFAULT_INTERVAL_MS;
	if (!h->cfg.db_timeout_ms)
		h->cfg.db_timeout_ms = SIGNER_DB_HEALTH_DEFAULT_TIMEOUT_MS;
	pthread_mutex_init(&h->lock, NULL);
	h->keys.sealed.configured = true;
	h->keys.sealed.loaded = cfg->open_stats.sealed_loaded;
	h->keys.sealed.errors = cfg->open_stats.sealed_failed;
	ss_err e = signer_db_probe_start(h);
	if (e != SS_OK) {
		signer_health_free(h);
		return e;
	}
	*out = h;
	return SS_OK;
}

void signer_health_free(signer_health *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	bool live = h->reload_thread_live;
	h->reload_thread_live = false;
	pthread_mutex_unlock(&h->lock);
	if (live)
		pthread_join(h->reload_thread, NULL);
	signer_db_probe_stop(h);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
