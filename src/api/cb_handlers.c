/* The Commit-Boost v0.2.0 module routes (reference/signing-apis-2026.md §8.1-8.2):
 * get_pubkeys, request_signature/{bls,proxy-bls,proxy-ecdsa} and generate_proxy_key.
 * Each handler authenticates the module's JWT first (cb_jwt.c), parses the body, and
 * asks the service (signer/commit_boost.h), which applies the module's guards and
 * signs; the handler maps its answer to Commit-Boost's status codes and texts. Proxy keys
 * belong to the module that generated them: get_pubkeys lists only the caller's. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api/cb_internal.h"
#include "keys/keys_aux.h"
#include "util/hex.h"
#include "util/log.h"

/* ---- request parsing ---------------------------------------------------------------- */

static json_t *body_object(http_request *req)
{
	size_t len;
	const char *body = http_request_body(req, &len);
	json_error_t je;
	/* integers as reals: jansson refuses those above 2^63-1, and the one integer of
	 * these bodies, the nonce, is read exactly from the text (nonce_field) */
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
	if (!o) {
		cb_reply_text(req, 400, "bad request: invalid JSON: %s", je.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		cb_reply_text(req, 400, "bad request: the body must be a JSON object");
		return NULL;
	}
	return o;
}

/* A "0x"-optional hex field of exactly n bytes, or a 400. */
static bool hex_field(http_request *req, json_t *o, const char *name, uint8_t *out, size_t n)
{
	const char *s = json_string_value(json_object_get(o, name));
	if (!s) {
		cb_reply_text(req, 400, "bad request: missing field %s", name);
		return false;
	}
	if (hex_decode(out, n, s, strlen(s), HEX_PREFIX_OPTIONAL) != SS_OK) {
		cb_reply_text(req, 400, "bad request: %s must be %zu bytes of hex", name, n);
		return false;
	}
	return true;
}

/* nonce: required since Commit-Boost v0.10, a JSON number 0..2^64-2 (reference §8.1). */
static bool nonce_field(http_request *req, uint64_t *out)
{
	size_t len;
	const char *body = http_request_body(req, &len);
	int r = cb_json_u64_member(body, len, "nonce", out);
	if (r == CB_U64_ABSENT) {
		cb_reply_text(req, 400, "bad request: missing field nonce");
		return false;
	}
	if (r != CB_U64_OK || *out == UINT64_MAX) {
		cb_reply_text(req, 400, "bad request: nonce must be an integer from 0 to 2^64-2");
		return false;
	}
	return true;
}

/* ---- answers ------------------------------------------------------------------------------ */

/* The uint256 chain id as ruint serialises it: "0x" and no leading zeros. */
static void chain_id_hex(char out[70], const uint8_t be[32])
{
	char full[67];
	hex_encode(full, be, 32, false);
	const char *p = full;
	while (*p == '0' && p[1])
		p++;
	snprintf(out, 70, "0x%s", p);
}

/* Answers a service refusal with Commit-Boost's status and text; false when st is OK. */
static bool reply_refusal(http_request *req, signer_cb_status st, const cb_module *m,
			  const char *key_hex)
{
	switch (st) {
	case SIGNER_CB_OK:
		return false;
	/* docs/commit-boost.md "Guards": each refusal is logged (the nonce's by the service) */
	case SIGNER_CB_PROXY_ONLY:
		log_info("commit-boost: module %s: consensus-key signature refused (proxy_only)",
			 m->id);
		cb_reply_text(req, 403, "forbidden: module %s may sign with proxy keys only", m->id);
		break;
	case SIGNER_CB_KEY_NOT_ALLOWED:
		log_info("commit-boost: module %s: %s refused (not in allowed_keys)", m->id, key_hex);
		cb_reply_text(req, 403, "forbidden: %s is not in module %s's allowed_keys", key_hex,
			      m->id);
		break;
	case SIGNER_CB_UNKNOWN_KEY:
		cb_reply_text(req, 404, "unknown consensus signer: %s", key_hex);
		break;
	case SIGNER_CB_UNKNOWN_PROXY:
		cb_reply_text(req, 404, "unknown proxy signer: %s", key_hex);
		break;
	case SIGNER_CB_NONCE_REUSED:
		cb_reply_text(req, 409, "nonce was already used or is below the last one signed "
					"for this key");
		break;
	case SIGNER_CB_TOO_MANY_PROXIES:
		cb_reply_text(req, 400, "bad request: module %s already holds %d proxy keys", m->id,
			      SIGNER_CB_MAX_PROXIES_PER_OWNER);
		break;
	default:
		cb_reply_text(req, 500, "internal error");
		break;
	}
	return true;
}

static void reply_signature(http_request *req, const api_cb *cb, const cb_module *m,
			    const char *key_name, const uint8_t *key, size_t key_len,
			    const uint8_t object_root[32], uint64_t nonce, const uint8_t *sig,
			    size_t sig_len)
{
	/* written out, since jansson has no uint64 for the nonce; every other value is hex */
	char k[99], root[67], sid[67], chain[70], sg[195], text[700];
	hex_encode(k, key, key_len, true);
	hex_encode(root, object_root, 32, true);
	hex_encode(sid, m->signing_id, 32, true);
	chain_id_hex(chain, cb->chain_id);
	hex_encode(sg, sig, sig_len, true);
	int n = snprintf(text, sizeof text,
			 "{\"%s\":\"%s\",\"object_root\":\"%s\",\"module_signing_id\":\"%s\","
			 "\"nonce\":%llu,\"chain_id\":\"%s\",\"signature\":\"%s\"}",
			 key_name, k, root, sid, (unsigned long long)nonce, chain, sg);
	http_reply_bytes(req, 200, "application/json; charset=utf-8", text, (size_t)n);
}

/* ---- routes --------------------------------------------------------------------------- */

void cb_handle_get_pubkeys(http_request *req, void *app)
{
	api_cb *cb = app;
	cb_registry *reg;
	const cb_module *m;
	if (!cb_authenticate(cb, req, false, &reg, &m))
		return;
	signer_cb_policy pol;
	cb_policy_of(m, &pol);
	json_t *keys = cb_pubkeys_json(cb->cfg.keys, &pol, true);
	cb_registry_release(reg);
	if (!keys)
		cb_reply_text(req, 500, "internal error");
	else
		http_reply_json(req, 200, keys);
}

typedef enum { SIGN_CONSENSUS, SIGN_PROXY_BLS, SIGN_PROXY_ECDSA } sign_kind;

/* The three request_signature routes: {pubkey|proxy, object_root, nonce}. */
static void sign_route(http_request *req, api_cb *cb, sign_kind kind)
{
	cb_registry *reg;
	const cb_module *m;
	if (!cb_authenticate(cb, req, false, &reg, &m))
		return;
	size_t id_len = kind == SIGN_PROXY_ECDSA ? 20 : 48;
	const char *field = kind == SIGN_CONSENSUS ? "pubkey" : "proxy";
	json_t *o = body_object(req);
	uint8_t id[48], obj[32], sig[96];
	uint64_t nonce;
	char idhex[99];
	if (!o || !hex_field(req, o, field, id, id_len) ||
	    !hex_field(req, o, "object_root", obj, 32) || !nonce_field(req, &nonce))
		goto out;
	hex_encode(idhex, id, id_len, true);
	signer_cb_policy pol;
	cb_policy_of(m, &pol);
	signer_cb_status st;
	if (kind == SIGN_CONSENSUS)
		st = signer_cb_sign_consensus(cb->svc, &pol, id, obj, nonce, sig);
	else if (kind == SIGN_PROXY_BLS)
		st = signer_cb_sign_proxy_bls(cb->svc, &pol, id, obj, nonce, sig);
	else
		st = signer_cb_sign_proxy_ecdsa(cb->svc, &pol, id, obj, nonce, sig);
	if (reply_refusal(req, st, m, idhex))
		goto out;
	reply_signature(req, cb, m, kind == SIGN_PROXY_ECDSA ? "address" : "pubkey", id, id_len,
			obj, nonce, sig, kind == SIGN_PROXY_ECDSA ? 65 : 96);
out:
	json_decref(o);
	cb_registry_release(reg);
}

void cb_handle_sign_bls(http_request *req, void *app)
{
	sign_route(req, app, SIGN_CONSENSUS);
}

void cb_handle_sign_proxy_bls(http_request *req, void *app)
{
	sign_route(req, app, SIGN_PROXY_BLS);
}

void cb_handle_sign_proxy_ecdsa(http_request *req, void *app)
{
	sign_route(req, app, SIGN_PROXY_ECDSA);
}

void cb_handle_generate_proxy(http_request *req, void *app)
{
	api_cb *cb = app;
	cb_registry *reg;
	const cb_module *m;
	if (!cb_authenticate(cb, req, false, &reg, &m))
		return;
	json_t *o = body_object(req);
	uint8_t pk[48], sig[96], proxy[48];
	size_t proxy_len = 0;
	char pkhex[99];
	keys_aux_kind kind;
	if (!o || !hex_field(req, o, "pubkey", pk, 48))
		goto out;
	const char *scheme = json_string_value(json_object_get(o, "scheme"));
	if (scheme && strcmp(scheme, "bls") == 0) {
		kind = KEYS_AUX_PROXY_BLS;
	} else if (scheme && strcmp(scheme, "ecdsa") == 0) {
		kind = KEYS_AUX_PROXY_ECDSA;
	} else {
		cb_reply_text(req, 400, "bad request: scheme must be \"bls\" or \"ecdsa\"");
		goto out;
	}
	hex_encode(pkhex, pk, 48, true);
	signer_cb_policy pol;
	cb_policy_of(m, &pol);
	signer_cb_status st =
		signer_cb_generate_proxy(cb->svc, &pol, pk, kind, true, proxy, &proxy_len, sig);
	if (reply_refusal(req, st, m, pkhex))
		goto out;
	log_info("commit-boost: module %s: new %s proxy for %.18s...", m->id,
		 kind == KEYS_AUX_PROXY_BLS ? "bls" : "ecdsa", pkhex);
	http_reply_json(req, 200, cb_delegation_json(pk, proxy, proxy_len, sig));
out:
	json_decref(o);
	cb_registry_release(reg);
}

void cb_handle_status(http_request *req, void *app)
{
	(void)app;
	http_reply_bytes(req, 200, "text/plain; charset=utf-8", "", 0);
}

/* ---- admin ------------------------------------------------------------------------------ */

void cb_handle_reload(http_request *req, void *app)
{
	api_cb *cb = app;
	cb_registry *reg;
	const cb_module *m;
	if (!cb_authenticate(cb, req, true, &reg, &m))
		return;
	cb_registry_release(reg);
	size_t len;
	(void)http_request_body(req, &len);
	json_t *o = NULL;
	if (len) {
		o = body_object(req);
		if (!o)
			return;
	}
	json_t *js = o ? json_object_get(o, "jwt_secrets") : NULL;
	json_t *as = o ? json_object_get(o, "admin_secret") : NULL;
	if ((js && !json_is_string(js)) || (as && !json_is_string(as))) {
		json_decref(o);
		cb_reply_text(req, 400, "bad request: jwt_secrets and admin_secret are strings");
		return;
	}
	/* Commit-Boost reloads its configuration from disk, then applies the body's
	 * secrets on top */
	char err[512];
	pthread_mutex_lock(&cb->admin_lock);
	cb_registry *fresh = cb_registry_load(&cb->cfg, err, sizeof err);
	cb_registry *next = NULL;
	if (fresh) {
		next = (js || as) ? cb_registry_with(fresh, json_string_value(js),
						     json_string_value(as), err, sizeof err)
				  : fresh;
		if (next != fresh)
			cb_registry_release(fresh);
	}
	json_decref(o);
	if (!next) {
		pthread_mutex_unlock(&cb->admin_lock);
		log_warn("commit-boost: reload refused: %s", err);
		cb_reply_text(req, 400, "bad request: %s", err);
		return;
	}
	size_t n_modules = next->n;
	cb_registry_swap(cb, next);
	pthread_mutex_unlock(&cb->admin_lock);
	log_info("commit-boost: configuration reloaded (%zu modules)", n_modules);
	http_reply_bytes(req, 200, "text/plain; charset=utf-8", "", 0);
}

void cb_handle_revoke(http_request *req, void *app)
{
	api_cb *cb = app;
	cb_registry *reg;
	const cb_module *m;
	if (!cb_authenticate(cb, req, true, &reg, &m))
		return;
	json_t *o = body_object(req);
	const char *id = o ? json_string_value(json_object_get(o, "module_id")) : NULL;
	if (o && !id)
		cb_reply_text(req, 400, "bad request: missing field module_id");
	if (id) {
		/* from the registry in force now (a reload may have replaced the one this
		 * request was authenticated with), one admin change at a time */
		char err[256];
		pthread_mutex_lock(&cb->admin_lock);
		cb_registry *cur = cb_registry_get(cb);
		cb_registry *next = cb_registry_revoke(cur, id, err, sizeof err);
		cb_registry_release(cur);
		if (next)
			cb_registry_swap(cb, next);
		pthread_mutex_unlock(&cb->admin_lock);
		if (!next) {
			cb_reply_text(req, 404, "%s", err);
		} else {
			log_info("commit-boost: JWT secret of module %s revoked", id);
			http_reply_bytes(req, 200, "text/plain; charset=utf-8", "", 0);
		}
	}
	json_decref(o);
	cb_registry_release(reg);
}
