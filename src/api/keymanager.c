/* The Keymanager API, /eth/v1/keystores (spec/keymanager/apis/local_keystores.yaml,
 * spec/keymanager/flows/README.md), behind the bearer token the standard requires
 * (checked by the server from the route table). This file: GET (list) and what the
 * import and delete handlers share; keymanager_import.c and keymanager_delete.c hold
 * the other two. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/body_parse.h"

void api_handle_keystores_get(http_request *req, void *app)
{
	api *a = app;
	size_t n;
	keys_info *v = api_sorted_keys(a, &n);
	if (!v && keys_count(a->cfg.keys) > 0) {
		http_reply_error(req, 500, "Out of memory");
		return;
	}
	json_t *data = json_array();
	for (size_t i = 0; i < n; i++) {
		char hex[99];
		api_pubkey_hex(hex, v[i].pubkey);
		json_t *e = json_pack("{s:s,s:b}", "validating_pubkey", hex, "readonly",
				      signer_km_readonly(&v[i]));
		if (e && v[i].derivation_path[0])
			json_object_set_new(e, "derivation_path",
					    json_string(v[i].derivation_path));
		json_array_append_new(data, e);
	}
	free(v);
	http_reply_json(req, 200, json_pack("{s:o}", "data", data));
}

/* The body as a JSON object (body_parse.h), shared with the fuzz targets. */
json_t *api_json_object_parse(const char *body, size_t len, char *why, size_t cap)
{
	json_error_t je;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(why, cap, "Invalid JSON at line %d column %d: %s", je.line, je.column,
			 je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(why, cap, "The request body must be a JSON object");
		return NULL;
	}
	return root;
}

/* Parses the body as a JSON object or answers 400. */
json_t *api_parse_object(http_request *req)
{
	size_t len;
	const char *body = http_request_body(req, &len);
	char why[API_WHY_MAX];
	json_t *root = api_json_object_parse(body, len, why, sizeof why);
	if (!root)
		http_reply_error(req, 400, "%s", why);
	return root;
}
