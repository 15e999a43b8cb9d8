/* GET /upcheck, GET /healthcheck and GET /api/v1/eth2/publicKeys
 * (reference/web3signer.md §1.2-§1.4). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_internal.h"

void api_handle_upcheck(http_request *req, void *app)
{
	(void)app;
	/* Checks nothing, by definition: a liveness probe. */
	http_reply_bytes(req, 200, "text/plain; charset=utf-8", "OK", 2);
}

static int cmp_pubkey(const void *x, const void *y)
{
	return memcmp(((const keys_info *)x)->pubkey, ((const keys_info *)y)->pubkey, 48);
}

/* keys_list into an array large enough for keys added meanwhile, sorted by key (the
 * order Web3Signer's Keymanager list uses). */
keys_info *api_sorted_keys(api *a, size_t *n)
{
	for (;;) {
		size_t want = keys_count(a->cfg.keys) + 16;
		keys_info *v = calloc(want, sizeof *v);
		if (!v) {
			*n = 0;
			return NULL;
		}
		size_t total = keys_list(a->cfg.keys, v, want);
		if (total <= want) {
			qsort(v, total, sizeof *v, cmp_pubkey);
			*n = total;
			return v;
		}
		free(v); /* keys were added meanwhile; try again with room for them */
	}
}

void api_handle_public_keys(http_request *req, void *app)
{
	api *a = app;
	/* The route produces JSON only (Web3Signer answers 406 otherwise). */
	const char *accept = http_request_header(req, "Accept");
	if (accept && *accept && !http_request_accepts_json(req)) {
		http_reply_error(req, 406, "This route produces application/json only");
		return;
	}
	size_t n;
	keys_info *v = api_sorted_keys(a, &n);
	json_t *arr = json_array();
	if (!arr || (!v && keys_count(a->cfg.keys) > 0)) {
		free(v);
		json_decref(arr);
		http_reply_error(req, 500, "Out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char hex[99];
		api_pubkey_hex(hex, v[i].pubkey);
		json_array_append_new(arr, json_string(hex));
	}
	free(v);
	http_reply_json(req, 200, arr);
}

static json_t *check(const char *id, bool up)
{
	return json_pack("{s:s,s:s}", "id", id, "status", up ? "UP" : "DOWN");
}

static json_t *source_check(const char *id, const signer_source_health *h)
{
	json_t *c = check(id, h->errors == 0);
	json_object_set_new(c, "data",
			    json_pack("{s:I,s:I}", "keys-loaded", (json_int_t)h->loaded,
				      "error-count", (json_int_t)h->errors));
	return c;
}

/* Web3Signer's HealthCheckHandler shape (reference/web3signer.md §1.4): 200 when every
 * check is UP, 503 otherwise. A key source with any error makes the whole check DOWN:
 * "up" means every configured key can sign. */
void api_handle_healthcheck(http_request *req, void *app)
{
	api *a = app;
	signer_keys_health kh;
	signer_health_keys(a->health, &kh);
	signer_source_health cf = kh.config_files, ks = kh.keystores, sealed = kh.sealed;

	bool all_up = true;
	json_t *checks = json_array();
	json_array_append_new(checks, check("default-check", true));
	if (a->cfg.slashing) {
		char why[sizeof(slash_reason)];
		bool db_up = signer_health_db_up(a->health, why, sizeof why); /* the probe's */
		all_up &= db_up;
		json_t *c = check("slashing-protection-db-health-check", db_up);
		/* ours: why it is DOWN (Web3Signer gives no reason) */
		if (!db_up)
			json_object_set_new(c, "reason", json_string(why));
		json_array_append_new(checks, c);
	}
	json_t *key_checks = json_array();
	json_array_append_new(key_checks, source_check("config-files-loading", &cf));
	all_up &= cf.errors == 0;
	if (ks.configured) {
		json_array_append_new(key_checks, source_check("keystores-bulk-loading", &ks));
		all_up &= ks.errors == 0;
	}
	/* Ours: keys restored from the sealed store (imported and generated keys). */
	json_array_append_new(key_checks, source_check("sealed-store-loading", &sealed));
	all_up &= sealed.errors == 0;
	bool keys_up = cf.errors == 0 && ks.errors == 0 && sealed.errors == 0;
	json_t *kc = check("keys-check", keys_up);
	json_object_set_new(kc, "checks", key_checks);
	json_array_append_new(checks, kc);

	const char *st = all_up ? "UP" : "DOWN";
	json_t *o = json_pack("{s:s,s:o,s:s}", "status", st, "checks", checks, "outcome", st);
	/* Ours: where the signer runs (issue 11 §5), as `secure-signer tee info` prints it. */
	if (a->cfg.tee) {
		tee_info ti;
		tee_provider_info(a->cfg.tee, &ti);
		json_t *t = tee_info_json(&ti);
		if (t)
			json_object_set_new(o, "tee", t);
	}
	http_reply_json(req, all_up ? 200 : 503, o);
}
