/* POST /reload and GET /reload (reference/web3signer.md §1.5, Web3Signer >= 25.12): the
 * key sources are rescanned on a background thread (signer/keymanager.h
 * signer_km_reload); 202 when it starts, 409 while one runs. New keys in the sources
 * are decrypted, sealed and added; keys whose file is gone are unloaded, as in
 * Web3Signer, so that keys moved to another signer by moving their files stop signing
 * here. Imported and generated keys stay until deleted. docs/api.md says so. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_internal.h"
#include "util/log.h"
#include "util/thread_name.h"

uint64_t api_reload_sources(api *a, bool *failed, char *err, size_t errcap)
{
	*failed = false;
	err[0] = '\0';
	/* One load of every source: a key is unloaded when no source yields it any more,
	 * so the sources cannot be loaded one at a time. Without sources it still runs,
	 * to unload keys whose directory is no longer configured. */
	keys_sources none = { 0 };
	const keys_sources *src = a->cfg.sources ? a->cfg.sources : &none;
	keys_load_stats st = { 0 };
	keys_error kerr = { { 0 } };
	if (signer_km_reload(a->km, src, &st, &kerr) != SS_OK) {
		*failed = true;
		snprintf(err, errcap, "%s", kerr.msg);
	}
	size_t cf_seen = st.sources_seen - st.keystores_seen;
	size_t cf_failed = st.sources_failed - st.keystores_failed;
	pthread_mutex_lock(&a->lock);
	a->config_files.configured = true;
	a->config_files.loaded = cf_seen - cf_failed;
	a->config_files.errors = cf_failed;
	a->keystores.configured = src->keystores_dir != NULL;
	a->keystores.loaded = st.keystores_seen - st.keystores_failed;
	a->keystores.errors = st.keystores_failed;
	pthread_mutex_unlock(&a->lock);
	return st.sources_failed;
}

static void finish_reload(api *a, uint64_t errors, bool failed, const char *err)
{
	pthread_mutex_lock(&a->lock);
	a->reload_time = time(NULL);
	if (failed) {
		a->reload_status = API_RELOAD_FAILED;
		snprintf(a->reload_error, sizeof a->reload_error, "%s", err);
	} else if (errors) {
		a->reload_status = API_RELOAD_COMPLETED_WITH_ERRORS;
		snprintf(a->reload_error, sizeof a->reload_error,
			 "Reload completed with %llu signer loading error(s)",
			 (unsigned long long)errors);
	} else {
		a->reload_status = API_RELOAD_COMPLETED;
		a->reload_error[0] = '\0';
	}
	pthread_mutex_unlock(&a->lock);
	log_info("key reload finished: %zu keys, %llu errors%s%s", keys_count(a->cfg.keys),
		 (unsigned long long)errors, failed ? ": " : "", failed ? err : "");
}

ss_err api_load_keys(api *a)
{
	bool failed;
	char err[256];
	uint64_t errors = api_reload_sources(a, &failed, err, sizeof err);
	if (failed) {
		log_error("loading keys failed: %s", err);
		return SS_ERR_IO;
	}
	log_info("%zu keys loaded (%llu key sources failed)", keys_count(a->cfg.keys),
		 (unsigned long long)errors);
	return SS_OK;
}

static void *reload_thread(void *arg)
{
	thread_name_set("ss-reload");
	api *a = arg;
	bool failed;
	char err[256];
	uint64_t errors = api_reload_sources(a, &failed, err, sizeof err);
	finish_reload(a, errors, failed, err);
	return NULL;
}

void api_handle_reload_post(http_request *req, void *app)
{
	api *a = app;
	pthread_mutex_lock(&a->lock);
	if (a->reload_status == API_RELOAD_RUNNING) {
		pthread_mutex_unlock(&a->lock);
		http_reply_json(req, 409,
				json_pack("{s:s,s:s}", "status", "error", "message",
					  "A reload operation is already in progress. Please try "
					  "again later."));
		return;
	}
	/* The previous reload thread has ended (status is not running): reap it. */
	if (a->reload_thread_live) {
		pthread_join(a->reload_thread, NULL);
		a->reload_thread_live = false;
	}
	a->reload_status = API_RELOAD_RUNNING;
	if (pthread_create(&a->reload_thread, NULL, reload_thread, a) != 0) {
		a->reload_status = API_RELOAD_FAILED;
		snprintf(a->reload_error, sizeof a->reload_error, "cannot start a thread");
		pthread_mutex_unlock(&a->lock);
		http_reply_error(req, 500, "Cannot start the reload");
		return;
	}
	a->reload_thread_live = true;
	pthread_mutex_unlock(&a->lock);
	http_reply_json(req, 202,
			json_pack("{s:s,s:s}", "status", "accepted", "message",
				  "Reload operation accepted and is running in the background. "
				  "Use GET /reload to check status."));
}

void api_handle_reload_get(http_request *req, void *app)
{
	api *a = app;
	static const char *const names[] = { "idle", "running", "completed",
					     "completed_with_errors", "failed" };
	pthread_mutex_lock(&a->lock);
	json_t *o = json_pack("{s:s}", "status", names[a->reload_status]);
	if (o && a->reload_time) {
		char ts[32];
		struct tm tm;
		gmtime_r(&a->reload_time, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(o, "lastOperationTime", json_string(ts));
	}
	if (o && (a->reload_status == API_RELOAD_FAILED ||
		  a->reload_status == API_RELOAD_COMPLETED_WITH_ERRORS))
		json_object_set_new(o, "lastError", json_string(a->reload_error));
	pthread_mutex_unlock(&a->lock);
	http_reply_json(req, 200, o);
}
