/* POST /eth/v1/keystores (spec/keymanager/flows/README.md "Import"): the request's
 * EIP-3076 data for the keys being imported is merged first, so no imported key can
 * sign before its history is known; then the keystores are decrypted, sealed durably
 * and added; an imported key is enabled in the slashing store. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/hex.h"
#include "util/log.h"

/* The keystore's declared "pubkey" (EIP-2335 makes it optional). */
static bool keystore_pubkey(const char *ks, size_t len, uint8_t pk[48])
{
	json_t *o = json_loadb(ks, len, 0, NULL);
	bool ok = false;
	if (o) {
		json_t *p = json_object_get(o, "pubkey");
		if (json_is_string(p))
			ok = hex_decode(pk, 48, json_string_value(p), json_string_length(p),
					HEX_PREFIX_OPTIONAL) == SS_OK;
		json_decref(o);
	}
	return ok;
}

/* A JSON string member, or an object member serialised (some tools send the keystore
 * or the interchange as an object rather than as the spec's string). */
static char *string_or_json(json_t *v, size_t *len)
{
	char *s = NULL;
	if (json_is_string(v)) {
		*len = json_string_length(v);
		s = malloc(*len + 1);
		if (s) {
			memcpy(s, json_string_value(v), *len);
			s[*len] = '\0';
		}
	} else if (json_is_object(v)) {
		s = json_dumps(v, JSON_COMPACT);
		*len = s ? strlen(s) : 0;
	}
	return s;
}

/* On the admin thread (admin_thread.c). */
static void import_keystores(http_request *req, api *a)
{
	json_t *root = api_parse_object(req);
	if (!root)
		return;
	json_t *jks = json_object_get(root, "keystores");
	json_t *jpw = json_object_get(root, "passwords");
	json_t *jsp = json_object_get(root, "slashing_protection");
	if (!json_is_array(jks) || !json_is_array(jpw)) {
		json_decref(root);
		http_reply_error(req, 400, "keystores and passwords must be arrays");
		return;
	}
	size_t n = json_array_size(jks);
	if (n != json_array_size(jpw)) {
		json_decref(root);
		http_reply_error(req, 400,
				 "keystores and passwords must have the same length (%zu != %zu)",
				 n, json_array_size(jpw));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *k = json_array_get(jks, i), *p = json_array_get(jpw, i);
		if (!(json_is_string(k) || json_is_object(k)) || !json_is_string(p)) {
			json_decref(root);
			http_reply_error(req, 400,
					 "keystores[%zu] must be a keystore and passwords[%zu] a "
					 "string", i, i);
			return;
		}
	}
	char *sp = NULL;
	size_t sp_len = 0;
	if (jsp && !json_is_null(jsp)) {
		sp = string_or_json(jsp, &sp_len);
		json_t *check = sp ? json_loadb(sp, sp_len, 0, NULL) : NULL;
		if (!check || !json_is_object(check)) {
			json_decref(check);
			free(sp);
			json_decref(root);
			http_reply_error(req, 400,
					 "slashing_protection must be an EIP-3076 interchange");
			return;
		}
		json_decref(check);
	}
	if (n == 0) {
		free(sp);
		json_decref(root);
		http_reply_json(req, 200, json_pack("{s:[]}", "data"));
		return;
	}

	char **ks = calloc(n, sizeof *ks);
	size_t *ks_len = calloc(n, sizeof *ks_len);
	const char **pw = calloc(n, sizeof *pw);
	size_t *pw_len = calloc(n, sizeof *pw_len);
	uint8_t(*declared)[48] = calloc(n, sizeof *declared);
	bool *has_declared = calloc(n, sizeof *has_declared);
	keys_import_result *res = calloc(n, sizeof *res);
	json_t *data = NULL;
	if (!ks || !ks_len || !pw || !pw_len || !declared || !has_declared || !res) {
		http_reply_error(req, 500, "Out of memory");
		goto out;
	}
	size_t n_declared = 0;
	uint8_t(*decl_list)[48] = calloc(n, sizeof *decl_list);
	if (!decl_list) {
		http_reply_error(req, 500, "Out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ks[i] = string_or_json(json_array_get(jks, i), &ks_len[i]);
		pw[i] = json_string_value(json_array_get(jpw, i));
		pw_len[i] = json_string_length(json_array_get(jpw, i));
		if (!ks[i]) {
			free(decl_list);
			http_reply_error(req, 500, "Out of memory");
			goto out;
		}
		has_declared[i] = keystore_pubkey(ks[i], ks_len[i], declared[i]);
		if (has_declared[i])
			memcpy(decl_list[n_declared++], declared[i], 48);
	}

	pthread_mutex_lock(&a->keys_write_lock);
	/* 1. History first (flows/README.md step 3): a failure is a 400 and changes
	 * nothing. n_declared > 0 always here: 0 would mean "every key". */
	if (sp && a->cfg.slashing && n_declared > 0) {
		slash_reason why = { { 0 } };
		if (slash_import_interchange(a->cfg.slashing, sp, sp_len,
					     (const uint8_t(*)[48])decl_list, n_declared,
					     &why) != SS_OK) {
			pthread_mutex_unlock(&a->keys_write_lock);
			free(decl_list);
			http_reply_error(req, 400, "slashing_protection: %s", why.message);
			goto out;
		}
	}
	free(decl_list);
	/* 2. Decrypt, seal and register every keystore. */
	if (keys_import_keystores(a->cfg.keys, (const char *const *)ks, ks_len, pw, pw_len, n,
				  res) != SS_OK) {
		pthread_mutex_unlock(&a->keys_write_lock);
		http_reply_error(req, 500, "The key store failed");
		goto out;
	}
	/* 3. Imported keys: history of keys whose keystore did not declare a pubkey, and
	 * enable them in the slashing store (a re-imported key was disabled by DELETE). */
	for (size_t i = 0; i < n; i++) {
		if (res[i].status != KEYS_IMPORT_IMPORTED || !a->cfg.slashing)
			continue;
		const char *fail = NULL;
		slash_reason why = { { 0 } };
		bool declared_same = has_declared[i] && memcmp(declared[i], res[i].pubkey, 48) == 0;
		if (sp && !declared_same &&
		    slash_import_interchange(a->cfg.slashing, sp, sp_len,
					     (const uint8_t(*)[48])res[i].pubkey, 1,
					     &why) != SS_OK)
			fail = why.message;
		if (!fail && slash_set_enabled(a->cfg.slashing, res[i].pubkey, true) != SS_OK)
			fail = "cannot enable the key in the slashing protection store";
		if (fail) {
			keys_error kerr;
			if (keys_delete(a->cfg.keys, res[i].pubkey, &kerr) != SS_OK)
				log_error("keymanager: rolling back an import failed: %s", kerr.msg);
			res[i].status = KEYS_IMPORT_ERROR;
			snprintf(res[i].message, sizeof res[i].message, "%s", fail);
		}
	}
	pthread_mutex_unlock(&a->keys_write_lock);

	data = json_array();
	for (size_t i = 0; i < n; i++) {
		static const char *const st[] = { "imported", "duplicate", "error" };
		json_t *e = json_pack("{s:s}", "status", st[res[i].status]);
		if (res[i].status == KEYS_IMPORT_ERROR)
			json_object_set_new(e, "message", json_string(res[i].message));
		json_array_append_new(data, e);
		if (res[i].have_pubkey) {
			char hex[99];
			api_pubkey_hex(hex, res[i].pubkey);
			log_info("keymanager import %s: %s", hex, st[res[i].status]);
		}
	}
	http_reply_json(req, 200, json_pack("{s:o}", "data", data));
out:
	if (ks)
		for (size_t i = 0; i < n; i++)
			free(ks[i]);
	free(ks);
	free(ks_len);
	free(pw);
	free(pw_len);
	free(declared);
	free(has_declared);
	if (res)
		memset(res, 0, n * sizeof *res);
	free(res);
	free(sp);
	json_decref(root);
}

void api_handle_keystores_post(http_request *req, void *app)
{
	api_run_on_admin_thread(req, app, import_keystores);
}
