/* POST /eth/v1/keystores (spec/keymanager/flows/README.md "Import"): parses the request
 * and answers; the import itself, with its slashing-history merge and the enabling of
 * the imported keys, is the key lifecycle's (signer/keymanager.h signer_km_import),
 * shared with `secure-signer keys import`. Over the request limits (docs/keys.md
 * "Key-derivation limits") the whole request is a 400 and nothing is decrypted. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/log.h"

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

/* On the import admin thread (admin_thread.c); ticket from the handler. */
static void import_keystores(http_request *req, api *a, uint64_t ticket)
{
	json_t *root = api_parse_object(req);
	if (!root) {
		signer_km_ticket_release(a->km, ticket);
		return;
	}
	json_t *jks = json_object_get(root, "keystores");
	json_t *jpw = json_object_get(root, "passwords");
	json_t *jsp = json_object_get(root, "slashing_protection");
	char *sp = NULL;
	size_t sp_len = 0, n = 0;
	char **ks = NULL;
	size_t *ks_len = NULL, *pw_len = NULL;
	const char **pw = NULL;
	keys_import_result *res = NULL;
	if (!json_is_array(jks) || !json_is_array(jpw)) {
		http_reply_error(req, 400, "keystores and passwords must be arrays");
		goto release;
	}
	n = json_array_size(jks);
	if (n != json_array_size(jpw)) {
		http_reply_error(req, 400,
				 "keystores and passwords must have the same length (%zu != %zu)",
				 n, json_array_size(jpw));
		goto release;
	}
	if (n > SIGNER_KM_MAX_KEYSTORES) {
		http_reply_error(req, 400,
				 "%zu keystores in one request, above this signer's limit of %u; split the import",
				 n, SIGNER_KM_MAX_KEYSTORES);
		goto release;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *k = json_array_get(jks, i), *p = json_array_get(jpw, i);
		if (!(json_is_string(k) || json_is_object(k)) || !json_is_string(p)) {
			http_reply_error(req, 400,
					 "keystores[%zu] must be a keystore and passwords[%zu] a "
					 "string", i, i);
			goto release;
		}
	}
	if (jsp && !json_is_null(jsp)) {
		sp = string_or_json(jsp, &sp_len);
		json_t *check = sp ? json_loadb(sp, sp_len, 0, NULL) : NULL;
		bool ok = check && json_is_object(check);
		json_decref(check);
		if (!ok) {
			http_reply_error(req, 400,
					 "slashing_protection must be an EIP-3076 interchange");
			goto release;
		}
	}
	if (n == 0) {
		http_reply_json(req, 200, json_pack("{s:[]}", "data"));
		goto release;
	}

	ks = calloc(n, sizeof *ks);
	ks_len = calloc(n, sizeof *ks_len);
	pw = calloc(n, sizeof *pw);
	pw_len = calloc(n, sizeof *pw_len);
	res = calloc(n, sizeof *res);
	if (!ks || !ks_len || !pw || !pw_len || !res) {
		http_reply_error(req, 500, "Out of memory");
		goto release;
	}
	for (size_t i = 0; i < n; i++) {
		ks[i] = string_or_json(json_array_get(jks, i), &ks_len[i]);
		pw[i] = json_string_value(json_array_get(jpw, i));
		pw_len[i] = json_string_length(json_array_get(jpw, i));
		if (!ks[i]) {
			http_reply_error(req, 500, "Out of memory");
			goto release;
		}
	}
	signer_km_import_req rq = { (const char *const *)ks, ks_len, pw, pw_len, n,
				    sp, sp_len, true };
	char why[KEYS_ERROR_MAX + 32];
	/* releases the ticket */
	ss_err e = signer_km_import(a->km, ticket, &rq, res, why, sizeof why);
	if (e == SS_ERR_RANGE || e == SS_ERR_INVALID || e == SS_ERR_REFUSED) {
		http_reply_error(req, 400, "%s", why);
		goto out;
	}
	if (e != SS_OK) {
		log_error("keymanager import: %s", why);
		http_reply_error(req, 500, "%s", why);
		goto out;
	}
	json_t *data = json_array();
	for (size_t i = 0; i < n; i++) {
		static const char *const st[] = { "imported", "duplicate", "error" };
		json_t *o = json_pack("{s:s}", "status", st[res[i].status]);
		if (res[i].status == KEYS_IMPORT_ERROR)
			json_object_set_new(o, "message", json_string(res[i].message));
		json_array_append_new(data, o);
		if (res[i].have_pubkey) {
			char hex[99];
			api_pubkey_hex(hex, res[i].pubkey);
			log_info("keymanager import %s: %s", hex, st[res[i].status]);
		}
	}
	http_reply_json(req, 200, json_pack("{s:o}", "data", data));
	goto out;
release:
	signer_km_ticket_release(a->km, ticket);
out:
	if (ks)
		for (size_t i = 0; i < n; i++)
			free(ks[i]);
	free(ks);
	free(ks_len);
	free(pw);
	free(pw_len);
	if (res)
		memset(res, 0, n * sizeof *res);
	free(res);
	free(sp);
	json_decref(root);
}

static void release_ticket(api *a, uint64_t ticket)
{
	signer_km_ticket_release(a->km, ticket);
}

void api_handle_keystores_post(http_request *req, void *app)
{
	api *a = app;
	/* The ticket orders this import before any DELETE received from now on, even one
	 * that runs while this import still waits for its turn (signer/keymanager.h). */
	api_run_on_admin_thread(req, a, &a->admin, import_keystores, signer_km_ticket(a->km),
				release_ticket);
}
