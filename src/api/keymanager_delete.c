/* DELETE /eth/v1/keystores (spec/keymanager/flows/README.md "Delete"): parses the
 * public keys and answers; disabling, removing and exporting are the key lifecycle's
 * (signer/keymanager.h signer_km_delete), shared with `secure-signer keys delete`. Runs
 * on its own admin thread so that it never waits behind queued imports. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/hex.h"

/* On the delete admin thread (admin_thread.c). */
static void delete_keystores(http_request *req, api *a, uint64_t unused)
{
	(void)unused;
	json_t *root = api_parse_object(req);
	if (!root)
		return;
	json_t *jpk = json_object_get(root, "pubkeys");
	if (!json_is_array(jpk)) {
		json_decref(root);
		http_reply_error(req, 400, "pubkeys must be an array of public keys");
		return;
	}
	size_t n = json_array_size(jpk);
	uint8_t(*pks)[48] = calloc(n ? n : 1, sizeof *pks);
	signer_km_delete_result *res = calloc(n ? n : 1, sizeof *res);
	char *ic = NULL;
	if (!pks || !res) {
		http_reply_error(req, 500, "Out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_array_get(jpk, i);
		if (!json_is_string(p) ||
		    hex_decode(pks[i], 48, json_string_value(p), json_string_length(p),
			       HEX_PREFIX_REQUIRED) != SS_OK) {
			http_reply_error(req, 400,
					 "pubkeys[%zu] must be 0x and 96 hex digits (48 bytes)", i);
			goto out;
		}
	}
	if (signer_km_delete(a->km, (const uint8_t(*)[48])pks, n, res, &ic) != SS_OK) {
		http_reply_error(req, 500, "Out of memory");
		goto out;
	}
	json_t *data = json_array();
	for (size_t i = 0; i < n; i++) {
		static const char *const names[] = { "deleted", "not_active", "not_found",
						     "error" };
		json_t *o = json_pack("{s:s}", "status", names[res[i].status]);
		if (res[i].status == SIGNER_KM_DELETE_ERROR)
			json_object_set_new(o, "message", json_string(res[i].message));
		json_array_append_new(data, o);
	}
	http_reply_json(req, 200, json_pack("{s:o,s:s}", "data", data, "slashing_protection", ic));
out:
	free(ic);
	free(pks);
	free(res);
	json_decref(root);
}

void api_handle_keystores_delete(http_request *req, void *app)
{
	api *a = app;
	api_run_on_admin_thread(req, a, &a->admin_delete, delete_keystores, 0, NULL);
}
