/* The Commit-Boost v0.2.0 module routes (reference/signing-apis-2026.md §8.1-8.2):
 * get_pubkeys, request_signature/{bls,proxy-bls,proxy-ecdsa} and generate_proxy_key.
 * Each handler authenticates the module's JWT first (cb_jwt.c), then applies the guards
 * Commit-Boost lacks (§8.5 "Recommendation"; docs/commit-boost.md "Guards"): the
 * module's allow-list of consensus keys, proxy-only mode, and replay protection by
 * nonce. Proxy keys belong to the module that generated them: another module neither
 * sees them nor signs with them (an unknown proxy is 404 whoever owns it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/cb_internal.h"
#include "crypto/secp256k1_key.h"
#include "eth2/commit_boost.h"
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

/* ---- guards --------------------------------------------------------------------------- */

static bool key_allowed(const cb_module *m, const uint8_t pk[48])
{
	if (!m->allowed)
		return true;
	for (size_t i = 0; i < m->n_allowed; i++)
		if (memcmp(m->allowed[i], pk, 48) == 0)
			return true;
	return false;
}

/* Replay protection: false after replying 409 (nonce not above the last) or 500. */
static bool nonce_guard(api_cb *cb, http_request *req, const cb_module *m, const uint8_t *key,
			size_t key_len, uint64_t nonce)
{
	if (!m->replay_protection)
		return true;
	ss_err e = cb_nonce_check_and_record(cb, m->id, key, key_len, nonce);
	if (e == SS_OK)
		return true;
	if (e == SS_ERR_REFUSED) {
		log_info("commit-boost: module %s: nonce %llu refused (not above the last one "
			 "signed for this key)", m->id, (unsigned long long)nonce);
		cb_reply_text(req, 409, "nonce %llu was already used or is below the last one "
					"signed for this key", (unsigned long long)nonce);
	} else {
		cb_reply_text(req, 500, "internal error: the nonce store failed");
	}
	return false;
}

/* ---- answers ------------------------------------------------------------------------------ */

static void hex0x(char *out, const uint8_t *b, size_t n)
{
	hex_encode(out, b, n, true);
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
	char buf[2 * 96 + 3];
	hex_encode(buf, b, n, true);
	return json_string(buf);
}

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

/* signing_root = SigningData(PropCommitSigningInfo{object_root, signing_id, nonce,
 * chain_id}.root, COMMIT_BOOST_DOMAIN) (reference §8.2). */
static void request_root(const api_cb *cb, const cb_module *m, const uint8_t object_root[32],
			 uint64_t nonce, uint8_t out[32])
{
	uint8_t info[32];
	eth2_cb_info_root(info, object_root, m->signing_id, nonce, cb->chain_id);
	eth2_compute_signing_root(out, info, cb->domain);
}

static void reply_signature(http_request *req, const api_cb *cb, const cb_module *m,
			    const char *key_name, const uint8_t *key, size_t key_len,
			    const uint8_t object_root[32], uint64_t nonce, const uint8_t *sig,
			    size_t sig_len)
{
	/* written out, since jansson has no uint64 for the nonce; every other value is hex */
	char k[99], root[67], sid[67], chain[70], sg[195], text[700];
	hex0x(k, key, key_len);
	hex0x(root, object_root, 32);
	hex0x(sid, m->signing_id, 32);
	chain_id_hex(chain, cb->chain_id);
	hex0x(sg, sig, sig_len);
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
	keys_store *ks = cb->cfg.keys;
	size_t nk = keys_count(ks);
	keys_info *keys = calloc(nk ? nk : 1, sizeof *keys);
	size_t np = keys_aux_list(ks, 0, m->id, NULL, 0);
	keys_aux_info *px = calloc(np ? np : 1, sizeof *px);
	json_t *list = json_array();
	if (!keys || !px || !list) {
		free(keys);
		free(px);
		json_decref(list);
		cb_registry_release(reg);
		cb_reply_text(req, 500, "internal error");
		return;
	}
	nk = keys_list(ks, keys, nk);
	np = keys_aux_list(ks, 0, m->id, px, np);
	for (size_t i = 0; i < nk; i++) {
		if (!key_allowed(m, keys[i].pubkey))
			continue;
		json_t *bls = json_array(), *ecdsa = json_array();
		for (size_t j = 0; j < np; j++) {
			if (!px[j].has_delegator || memcmp(px[j].delegator, keys[i].pubkey, 48) != 0)
				continue;
			if (px[j].kind == KEYS_AUX_PROXY_BLS) {
				json_array_append_new(bls, hex_json(px[j].pub, 48));
			} else if (px[j].kind == KEYS_AUX_PROXY_ECDSA) {
				uint8_t addr[20];
				if (cb_proxy_address(px[j].pub, addr))
					json_array_append_new(ecdsa, hex_json(addr, 20));
			}
		}
		json_array_append_new(list, json_pack("{s:o,s:o,s:o}", "consensus",
						      hex_json(keys[i].pubkey, 48), "proxy_bls", bls,
						      "proxy_ecdsa", ecdsa));
	}
	free(keys);
	free(px);
	cb_registry_release(reg);
	http_reply_json(req, 200, json_pack("{s:o}", "keys", list));
}

void cb_handle_sign_bls(http_request *req, void *app)
{
	api_cb *cb = app;
	cb_registry *reg;
	const cb_module *m;
	if (!cb_authenticate(cb, req, false, &reg, &m))
		return;
	json_t *o = body_object(req);
	uint8_t pk[48], obj[32], root[32], sig[96];
	uint64_t nonce;
	char pkhex[99];
	if (!o || !hex_field(req, o, "pubkey", pk, 48) || !hex_field(req, o, "object_root", obj, 32) ||
	    !nonce_field(req, &nonce))
		goto out;
	hex_encode(pkhex, pk, 48, true);
	if (m->proxy_only) {
		cb_reply_text(req, 403, "forbidden: module %s may sign with proxy keys only", m->id);
		goto out;
	}
	if (!key_allowed(m, pk)) {
		cb_reply_text(req, 403, "forbidden: %s is not in module %s's allowed_keys", pkhex,
			      m->id);
		goto out;
	}
	if (!keys_contains(cb->cfg.keys, pk)) {
		cb_reply_text(req, 404, "unknown consensus signer: %s", pkhex);
		goto out;
	}
	if (!nonce_guard(cb, req, m, pk, 48, nonce))
		goto out;
	request_root(cb, m, obj, nonce, root);
	ss_err e = keys_sign(cb->cfg.keys, pk, root, 32, sig);
	if (e == SS_ERR_NOT_FOUND) {
		cb_reply_text(req, 404, "unknown consensus signer: %s", pkhex);
		goto out;
	}
	if (e != SS_OK) {
		cb_reply_text(req, 500, "internal error: signing failed");
		goto out;
	}
	reply_signature(req, cb, m, "pubkey", pk, 48, obj, nonce, sig, 96);
out:
	json_decref(o);
	cb_registry_release(reg);
}

/* The module's proxy of kind with this identity (48-byte BLS key, or 20-byte address for
 * ECDSA); false when the module has none such. The proxy's delegator must still be in
 * the module's allow-list. */
static bool find_proxy(api_cb *cb, const cb_module *m, keys_aux_kind kind, const uint8_t *id,
		       size_t id_len, keys_aux_info *out)
{
	if (kind == KEYS_AUX_PROXY_BLS) {
		if (!keys_aux_get(cb->cfg.keys, kind, id, id_len, out) ||
		    strcmp(out->owner, m->id) != 0)
			return false;
	} else {
		size_t n = keys_aux_list(cb->cfg.keys, kind, m->id, NULL, 0);
		keys_aux_info *all = calloc(n ? n : 1, sizeof *all);
		if (!all)
			return false;
		n = keys_aux_list(cb->cfg.keys, kind, m->id, all, n);
		bool found = false;
		for (size_t i = 0; i < n && !found; i++) {
			uint8_t addr[20];
			if (cb_proxy_address(all[i].pub, addr) && memcmp(addr, id, 20) == 0) {
				*out = all[i];
				found = true;
			}
		}
		free(all);
		if (!found)
			return false;
	}
	return !out->has_delegator || key_allowed(m, out->delegator);
}

static void sign_proxy(http_request *req, api_cb *cb, keys_aux_kind kind)
{
	cb_registry *reg;
	const cb_module *m;
	if (!cb_authenticate(cb, req, false, &reg, &m))
		return;
	bool bls = kind == KEYS_AUX_PROXY_BLS;
	size_t id_len = bls ? 48 : 20;
	json_t *o = body_object(req);
	uint8_t id[48], obj[32], root[32], sig[96];
	uint64_t nonce;
	keys_aux_info px;
	char idhex[99];
	if (!o || !hex_field(req, o, "proxy", id, id_len) ||
	    !hex_field(req, o, "object_root", obj, 32) || !nonce_field(req, &nonce))
		goto out;
	hex_encode(idhex, id, id_len, true);
	if (!find_proxy(cb, m, kind, id, id_len, &px)) {
		cb_reply_text(req, 404, "unknown proxy signer: %s", idhex);
		goto out;
	}
	if (!nonce_guard(cb, req, m, id, id_len, nonce))
		goto out;
	request_root(cb, m, obj, nonce, root);
	ss_err e;
	if (bls) {
		e = keys_aux_sign_bls(cb->cfg.keys, px.pub, root, 32, sig);
	} else {
		/* ECDSA over the 32-byte root as a prehash (no EIP-191 prefix), r ‖ s ‖ v with
		 * v = 27 + recovery id (reference §8.1) */
		e = keys_aux_sign_ecdsa(cb->cfg.keys, kind, px.pub, root, sig);
		sig[64] = (uint8_t)(27 + sig[64]);
	}
	if (e == SS_ERR_NOT_FOUND) {
		cb_reply_text(req, 404, "unknown proxy signer: %s", idhex);
		goto out;
	}
	if (e != SS_OK) {
		cb_reply_text(req, 500, "internal error: signing failed");
		goto out;
	}
	reply_signature(req, cb, m, bls ? "pubkey" : "address", id, id_len, obj, nonce, sig,
			bls ? 96 : 65);
out:
	json_decref(o);
	cb_registry_release(reg);
}

void cb_handle_sign_proxy_bls(http_request *req, void *app)
{
	sign_proxy(req, app, KEYS_AUX_PROXY_BLS);
}

void cb_handle_sign_proxy_ecdsa(http_request *req, void *app)
{
	sign_proxy(req, app, KEYS_AUX_PROXY_ECDSA);
}

void cb_handle_generate_proxy(http_request *req, void *app)
{
	api_cb *cb = app;
	cb_registry *reg;
	const cb_module *m;
	if (!cb_authenticate(cb, req, false, &reg, &m))
		return;
	json_t *o = body_object(req);
	uint8_t pk[48], root[32], obj[32], sig[96], proxy[48];
	size_t proxy_len;
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
	if (!key_allowed(m, pk)) {
		cb_reply_text(req, 403, "forbidden: %s is not in module %s's allowed_keys", pkhex,
			      m->id);
		goto out;
	}
	if (!keys_contains(cb->cfg.keys, pk)) {
		cb_reply_text(req, 404, "unknown consensus signer: %s", pkhex);
		goto out;
	}
	if (keys_aux_list(cb->cfg.keys, 0, m->id, NULL, 0) >= CB_MAX_PROXIES_PER_MODULE) {
		cb_reply_text(req, 400, "bad request: module %s already holds %d proxy keys", m->id,
			      CB_MAX_PROXIES_PER_MODULE);
		goto out;
	}
	keys_aux_info info;
	keys_error kerr;
	memset(&kerr, 0, sizeof kerr);
	if (keys_aux_generate(cb->cfg.keys, kind, m->id, pk, &info, &kerr) != SS_OK) {
		log_error("commit-boost: module %s: proxy key generation failed: %s", m->id,
			  kerr.msg);
		cb_reply_text(req, 500, "internal error: proxy key generation failed");
		goto out;
	}
	if (kind == KEYS_AUX_PROXY_BLS) {
		memcpy(proxy, info.pub, 48);
		proxy_len = 48;
	} else if (cb_proxy_address(info.pub, proxy)) {
		proxy_len = 20;
	} else {
		cb_reply_text(req, 500, "internal error: bad proxy key");
		goto out;
	}
	/* ProxyDelegation{delegator, proxy} under the CB domain, without the signing-info
	 * wrap (reference §8.2), signed by the consensus key */
	eth2_cb_delegation_root(obj, pk, proxy, proxy_len);
	eth2_compute_signing_root(root, obj, cb->domain);
	if (keys_sign(cb->cfg.keys, pk, root, 32, sig) != SS_OK) {
		cb_reply_text(req, 500, "internal error: signing failed");
		goto out;
	}
	log_info("commit-boost: module %s: new %s proxy for %.18s...", m->id, scheme, pkhex);
	http_reply_json(req, 200,
			json_pack("{s:{s:o,s:o},s:o}", "message", "delegator", hex_json(pk, 48),
				  "proxy", hex_json(proxy, proxy_len), "signature",
				  hex_json(sig, 96)));
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
		log_warn("commit-boost: reload refused: %s", err);
		cb_reply_text(req, 400, "bad request: %s", err);
		return;
	}
	size_t n_modules = next->n;
	cb_registry_swap(cb, next);
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
		char err[256];
		cb_registry *next = cb_registry_revoke(reg, id, err, sizeof err);
		if (!next) {
			cb_reply_text(req, 404, "%s", err);
		} else {
			cb_registry_swap(cb, next);
			log_info("commit-boost: JWT secret of module %s revoked", id);
			http_reply_bytes(req, 200, "text/plain; charset=utf-8", "", 0);
		}
	}
	json_decref(o);
	cb_registry_release(reg);
}
