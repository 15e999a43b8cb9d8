/* POST /reload and GET /reload (reference/web3signer.md §1.5, Web3Signer >= 25.12): the
 * service rescans the key sources on a background thread (signer/health.h); 202 when it
 * starts, 409 while one runs; GET reports the last one. docs/api.md says what a reload
 * does to each kind of key. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_internal.h"

ss_err api_load_keys(api *a)
{
	return signer_health_load_keys(a->health);
}

void api_handle_reload_post(http_request *req, void *app)
{
	api *a = app;
	bool busy;
	if (!signer_health_reload_start(a->health, &busy)) {
		if (busy)
			http_reply_json(req, 409,
					json_pack("{s:s,s:s}", "status", "error", "message",
						  "A reload operation is already in progress. Please "
						  "try again later."));
		else
			http_reply_error(req, 500, "Cannot start the reload");
		return;
	}
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
	signer_reload_status st;
	signer_health_reload_status(a->health, &st);
	json_t *o = json_pack("{s:s}", "status", names[st.state]);
	if (o && st.time) {
		char ts[32];
		struct tm tm;
		gmtime_r(&st.time, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(o, "lastOperationTime", json_string(ts));
	}
	if (o && (st.state == SIGNER_RELOAD_FAILED ||
		  st.state == SIGNER_RELOAD_COMPLETED_WITH_ERRORS))
		json_object_set_new(o, "lastError", json_string(st.error));
	http_reply_json(req, 200, o);
}
