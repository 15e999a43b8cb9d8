/* The Keymanager API, /eth/v1/keystores GET, POST and DELETE
 * (spec/keymanager/apis/local_keystores.yaml, spec/keymanager/flows/README.md), behind
 * the bearer token the standard requires (checked by the server from the route table).
 *
 * Import: the request's EIP-3076 data for the keys being imported is merged first, so
 * no imported key can sign before its history is known; then the keystores are
 * decrypted, sealed durably and added; an imported key is enabled in the slashing store.
 * Delete: the key is disabled in the slashing store (durable: blocks and attestations
 * are refused from then on, even after a restart), then removed from the sealed store
 * and the registry, and the history of every deleted or inactive key is exported. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/hex.h"
#include "util/log.h"

keys_info *api_sorted_keys(api *a, size_t *n);

/* Keymanager "readonly": the key cannot be deleted through the API. Keys from the
 * operator's own sources (keystore directory, YAML key files) belong to those files: a
 * delete here would be undone by the next start, which reloads them (the Prysm #12281
 * trap), so they are readonly whatever their type. */
static bool readonly_key(const keys_info *k)
{
	return k->readonly || k->origin == KEYS_ORIGIN_KEYSTORE_DIR ||
	       k->origin == KEYS_ORIGIN_KEY_CONFIG;
}

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
				      readonly_key(&v[i]));
		if (e && v[i].derivation_path[0])
			json_object_set_new(e, "derivation_path",
					    json_string(v[i].derivation_path));
		json_array_append_new(data, e);
	}
	free(v);
	http_reply_json(req, 200, json_pack("{s:o}", "data", data));
}

/* Parses the body as a JSON object or answers 400. */
static json_t *parse_object(http_request *req)
{
	size_t len;
	const char *body = http_request_body(req, &len);
	json_error_t je;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		http_reply_error(req, 400, "Invalid JSON at line %d column %d: %s", je.line,
				 je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		http_reply_error(req, 400, "The request body must be a JSON object");
		return NULL;
	}
	return root;
}

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

void api_handle_keystores_post(http_request *req, void *app)
{
	api *a = app;
	json_t *root = parse_object(req);
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

void api_handle_keystores_delete(http_request *req, void *app)
{
	api *a = app;
	json_t *root = parse_object(req);
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
		if (readonly_key(&info)) {
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
