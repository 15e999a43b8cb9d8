/* DELETE /eth/v1/keystores (spec/keymanager/flows/README.md "Delete"): each key is
 * disabled in the slashing store (durable: blocks and attestations are refused from then
 * on, even after a restart), then removed from the sealed store and the registry, and
 * the history of every deleted or inactive key is exported. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/hex.h"
#include "util/log.h"

/* An interchange with no data (EIP-3076 v5), with the pinned root when there is one. */
static char *empty_interchange(api *a)
{
	json_t *meta = json_pack("{s:s}", "interchange_format_version", "5");
	uint8_t gvr[32];
	bool pinned = false;
	if (a->cfg.slashing && slash_get_gvr(a->cfg.slashing, gvr, &pinned) == SS_OK && pinned) {
		char hex[67];
		hex_encode(hex, gvr, 32, true);
		json_object_set_new(meta, "genesis_validators_root", json_string(hex));
	}
	json_t *o = json_pack("{s:o,s:[]}", "metadata", meta, "data");
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

enum { DEL_DELETED, DEL_NOT_ACTIVE, DEL_NOT_FOUND, DEL_ERROR };

/* True when the exported interchange holds any record for pk. */
static bool has_history(json_t *ic, const uint8_t pk[48])
{
	json_t *data = json_object_get(ic, "data");
	size_t i;
	json_t *v;
	json_array_foreach(data, i, v) {
		json_t *p = json_object_get(v, "pubkey");
		uint8_t k[48];
		if (!json_is_string(p) ||
		    hex_decode(k, 48, json_string_value(p), json_string_length(p),
			       HEX_PREFIX_OPTIONAL) != SS_OK || memcmp(k, pk, 48) != 0)
			continue;
		if (json_array_size(json_object_get(v, "signed_blocks")) > 0 ||
		    json_array_size(json_object_get(v, "signed_attestations")) > 0)
			return true;
	}
	return false;
}

/* Removes from the interchange's data every entry whose key is not reported deleted
 * or not_active; true when anything was removed. */
static bool keep_only_reported(json_t *ic, const uint8_t (*pks)[48], const int *st, size_t n)
{
	json_t *data = json_object_get(ic, "data");
	bool changed = false;
	for (size_t i = json_array_size(data); i-- > 0;) {
		json_t *p = json_object_get(json_array_get(data, i), "pubkey");
		uint8_t k[48];
		bool keep = false;
		if (json_is_string(p) &&
		    hex_decode(k, 48, json_string_value(p), json_string_length(p),
			       HEX_PREFIX_OPTIONAL) == SS_OK)
			for (size_t j = 0; j < n && !keep; j++)
				keep = (st[j] == DEL_DELETED || st[j] == DEL_NOT_ACTIVE) &&
				       memcmp(pks[j], k, 48) == 0;
		if (!keep) {
			json_array_remove(data, i);
			changed = true;
		}
	}
	return changed;
}

/* On the admin thread (admin_thread.c). */
static void delete_keystores(http_request *req, api *a)
{
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
	uint8_t(*exp)[48] = calloc(n ? n : 1, sizeof *exp);
	int *st = calloc(n ? n : 1, sizeof *st);
	char(*msg)[160] = calloc(n ? n : 1, sizeof *msg);
	char *ic_text = NULL;
	json_t *ic = NULL;
	if (!pks || !exp || !st || !msg) {
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

	pthread_mutex_lock(&a->keys_write_lock);
	for (size_t i = 0; i < n; i++) {
		char hex[99];
		api_pubkey_hex(hex, pks[i]);
		keys_info info;
		if (!keys_get_info(a->cfg.keys, pks[i], &info)) {
			st[i] = DEL_NOT_FOUND;
			continue;
		}
		if (api_key_readonly(&info)) {
			st[i] = DEL_ERROR;
			snprintf(msg[i], sizeof msg[i], "Unable to delete readonly key: %s", hex);
			continue;
		}
		/* Disable first and durably: from here on no block or attestation can be
		 * signed with this key by any path, even if the next step fails. */
		if (a->cfg.slashing && slash_set_enabled(a->cfg.slashing, pks[i], false) != SS_OK) {
			st[i] = DEL_ERROR;
			snprintf(msg[i], sizeof msg[i],
				 "Cannot disable the key in the slashing protection store");
			continue;
		}
		keys_error kerr = { { 0 } };
		ss_err e = keys_delete(a->cfg.keys, pks[i], &kerr);
		if (e == SS_ERR_NOT_FOUND) {
			st[i] = DEL_NOT_FOUND;
		} else if (e != SS_OK) {
			st[i] = DEL_ERROR;
			snprintf(msg[i], sizeof msg[i], "Cannot delete the key: %s", kerr.msg);
		} else {
			st[i] = DEL_DELETED;
			log_info("keymanager: deleted %s", hex);
		}
	}
	pthread_mutex_unlock(&a->keys_write_lock);

	/* Export the history of deleted and inactive keys (flows/README.md step 3). */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (st[i] == DEL_DELETED || st[i] == DEL_NOT_FOUND)
			memcpy(exp[m++], pks[i], 48);
	ss_err e = SS_ERR_NOT_FOUND;
	if (a->cfg.slashing && m > 0)
		e = slash_export_interchange(a->cfg.slashing, (const uint8_t(*)[48])exp, m,
					     &ic_text);
	if (e == SS_OK) {
		ic = json_loads(ic_text, 0, NULL);
		for (size_t i = 0; i < n; i++)
			if (st[i] == DEL_NOT_FOUND && ic && has_history(ic, pks[i]))
				st[i] = DEL_NOT_ACTIVE;
		/* Only keys reported deleted or not_active may appear in the export
		 * (flows/README.md, "Notes"): drop entries of keys left not_found. */
		if (ic && keep_only_reported(ic, pks, st, n)) {
			char *t = json_dumps(ic, JSON_COMPACT);
			if (t) {
				free(ic_text);
				ic_text = t;
			}
		}
	} else {
		free(ic_text);
		ic_text = empty_interchange(a);
		if (e != SS_ERR_NOT_FOUND) {
			for (size_t i = 0; i < n; i++)
				if (st[i] == DEL_DELETED || st[i] == DEL_NOT_FOUND) {
					st[i] = DEL_ERROR;
					snprintf(msg[i], sizeof msg[i],
						 "Exporting slashing protection data failed: %s",
						 ss_strerror(e));
				}
		}
	}
	if (!ic_text) {
		http_reply_error(req, 500, "Out of memory");
		goto out;
	}
	json_t *data = json_array();
	for (size_t i = 0; i < n; i++) {
		static const char *const names[] = { "deleted", "not_active", "not_found",
						     "error" };
		json_t *o = json_pack("{s:s}", "status", names[st[i]]);
		if (st[i] == DEL_ERROR)
			json_object_set_new(o, "message", json_string(msg[i]));
		json_array_append_new(data, o);
	}
	http_reply_json(req, 200,
			json_pack("{s:o,s:s}", "data", data, "slashing_protection", ic_text));
out:
	json_decref(ic);
	free(ic_text);
	free(pks);
	free(exp);
	free(st);
	free(msg);
	json_decref(root);
}

void api_handle_keystores_delete(http_request *req, void *app)
{
	api_run_on_admin_thread(req, app, delete_keystores);
}
