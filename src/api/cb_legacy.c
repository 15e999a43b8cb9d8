/* Web3Signer's Commit-Boost dialect, for modules still on the 2024 API (reference/
 * signing-apis-2026.md §8.5): one POST /signer/v1/request_signature route whose "type"
 * is CONSENSUS, PROXY_BLS or PROXY_ECDSA and whose key is always "pubkey"; the answer is
 * a bare JSON string; the signing root is SigningData(object_root, CB domain) with no
 * signing ID, nonce or chain id; ECDSA proxies are named by their 33-byte compressed
 * keys; errors are {"code","message"}. Web3Signer checks no JWT, and neither does this
 * mode (docs/commit-boost.md: serve it on loopback or behind a proxy that
 * authenticates). Its proxies belong to the owner "legacy", so they are separate from
 * every v0.2.0 module's: an unauthenticated client never reaches a module's proxies.
 * The service (signer/commit_boost.h) signs. */
#include <string.h>

#include <jansson.h>

#include "api/cb_internal.h"
#include "keys/keys_aux.h"
#include "util/hex.h"

static void legacy_error(http_request *req, unsigned status, const char *msg)
{
	http_reply_json(req, status, json_pack("{s:i,s:s}", "code", (int)status, "message", msg));
}

static json_t *legacy_body(http_request *req)
{
	size_t len;
	const char *body = http_request_body(req, &len);
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		legacy_error(req, 400, "Bad Request");
		return NULL;
	}
	return o;
}

static bool legacy_hex(json_t *o, const char *name, uint8_t *out, size_t n)
{
	const char *s = json_string_value(json_object_get(o, name));
	return s && hex_decode(out, n, s, strlen(s), HEX_PREFIX_OPTIONAL) == SS_OK;
}

/* The legacy pseudo-module: no signing ID, no guards; its proxies are owned by
 * SIGNER_CB_LEGACY_OWNER. */
static const signer_cb_policy legacy_policy = { .module = SIGNER_CB_LEGACY_OWNER };

void cb_legacy_get_pubkeys(http_request *req, void *app)
{
	api_cb *cb = app;
	/* Web3Signer names ECDSA proxies by their 33-byte keys */
	json_t *keys = cb_pubkeys_json(cb->cfg.keys, &legacy_policy, false);
	if (!keys)
		legacy_error(req, 500, "Internal Server Error");
	else
		http_reply_json(req, 200, keys);
}

static void legacy_refusal(http_request *req, signer_cb_status st)
{
	if (st == SIGNER_CB_UNKNOWN_KEY || st == SIGNER_CB_UNKNOWN_PROXY)
		legacy_error(req, 404, "Public Key not found");
	else if (st == SIGNER_CB_TOO_MANY_PROXIES)
		legacy_error(req, 400, "Too many proxy keys");
	else
		legacy_error(req, 500, "Internal Server Error");
}

void cb_legacy_generate_proxy(http_request *req, void *app)
{
	api_cb *cb = app;
	json_t *o = legacy_body(req);
	if (!o)
		return;
	uint8_t pk[48], sig[96], proxy[48];
	size_t proxy_len = 0;
	const char *scheme = json_string_value(json_object_get(o, "scheme"));
	keys_aux_kind kind = 0;
	if (scheme && strcmp(scheme, "BLS") == 0)
		kind = KEYS_AUX_PROXY_BLS;
	else if (scheme && strcmp(scheme, "ECDSA") == 0)
		kind = KEYS_AUX_PROXY_ECDSA;
	bool ok = legacy_hex(o, "pubkey", pk, 48) && kind;
	json_decref(o);
	if (!ok) {
		legacy_error(req, 400, "Bad Request");
		return;
	}
	/* Web3Signer's ProxyDelegation names the ECDSA proxy by its 33-byte key (Bytes33) */
	signer_cb_status st = signer_cb_generate_proxy(cb->svc, &legacy_policy, pk, kind, false,
						       proxy, &proxy_len, sig);
	if (st != SIGNER_CB_OK) {
		legacy_refusal(req, st);
		return;
	}
	http_reply_json(req, 200, cb_delegation_json(pk, proxy, proxy_len, sig));
}

void cb_legacy_sign(http_request *req, void *app)
{
	api_cb *cb = app;
	json_t *o = legacy_body(req);
	if (!o)
		return;
	const char *type = json_string_value(json_object_get(o, "type"));
	uint8_t key[48], obj[32], sig[96];
	size_t key_len = type && strcmp(type, "PROXY_ECDSA") == 0 ? 33 : 48;
	bool ok = type && (strcmp(type, "CONSENSUS") == 0 || strcmp(type, "PROXY_BLS") == 0 ||
			   strcmp(type, "PROXY_ECDSA") == 0) &&
		  legacy_hex(o, "pubkey", key, key_len) && legacy_hex(o, "object_root", obj, 32);
	bool consensus = ok && strcmp(type, "CONSENSUS") == 0;
	json_decref(o); /* type pointed into o */
	if (!ok) {
		legacy_error(req, 400, "Bad Request");
		return;
	}
	size_t sig_len;
	signer_cb_status st =
		signer_cb_sign_legacy(cb->svc, !consensus, key, key_len, obj, sig, &sig_len);
	if (st != SIGNER_CB_OK) {
		legacy_refusal(req, st);
		return;
	}
	http_reply_json(req, 200, cb_hex_json(sig, sig_len));
}
