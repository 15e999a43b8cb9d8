/* The Commit-Boost listener's state and route tables (reference/signing-apis-2026.md
 * §3.1 routes, §8.5 for the legacy dialect). Authentication is not the server's bearer
 * token: each handler checks the module's JWT itself (cb_jwt.c), since the token binds
 * the path and the body. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/cb_internal.h"
#include "eth2/commit_boost.h"
#include "keys/keys_aux.h"
#include "util/hex.h"

#define CB_BODY_LIMIT 4096u

static const http_route v2_routes[] = {
	{ HTTP_GET, "/signer/v1/get_pubkeys", cb_handle_get_pubkeys, HTTP_AUTH_NONE, 0 },
	{ HTTP_POST, "/signer/v1/request_signature/bls", cb_handle_sign_bls, HTTP_AUTH_NONE,
	  CB_BODY_LIMIT },
	{ HTTP_POST, "/signer/v1/request_signature/proxy-bls", cb_handle_sign_proxy_bls,
	  HTTP_AUTH_NONE, CB_BODY_LIMIT },
	{ HTTP_POST, "/signer/v1/request_signature/proxy-ecdsa", cb_handle_sign_proxy_ecdsa,
	  HTTP_AUTH_NONE, CB_BODY_LIMIT },
	{ HTTP_POST, "/signer/v1/generate_proxy_key", cb_handle_generate_proxy, HTTP_AUTH_NONE,
	  CB_BODY_LIMIT },
	{ HTTP_POST, "/reload", cb_handle_reload, HTTP_AUTH_NONE, CB_BODY_LIMIT * 16 },
	{ HTTP_POST, "/revoke_jwt", cb_handle_revoke, HTTP_AUTH_NONE, CB_BODY_LIMIT },
	{ HTTP_GET, "/status", cb_handle_status, HTTP_AUTH_NONE, 0 },
};

static const http_route legacy_routes[] = {
	{ HTTP_GET, "/signer/v1/get_pubkeys", cb_legacy_get_pubkeys, HTTP_AUTH_NONE, 0 },
	{ HTTP_POST, "/signer/v1/request_signature", cb_legacy_sign, HTTP_AUTH_NONE,
	  CB_BODY_LIMIT },
	{ HTTP_POST, "/signer/v1/generate_proxy_key", cb_legacy_generate_proxy, HTTP_AUTH_NONE,
	  CB_BODY_LIMIT },
	{ HTTP_GET, "/status", cb_handle_status, HTTP_AUTH_NONE, 0 },
};

static http_route all_routes[sizeof v2_routes / sizeof v2_routes[0] +
			     sizeof legacy_routes / sizeof legacy_routes[0]];

const http_route *api_cb_routes(const api_cb *cb, size_t *n)
{
	if (cb->cfg.legacy) {
		*n = sizeof legacy_routes / sizeof legacy_routes[0];
		return legacy_routes;
	}
	*n = sizeof v2_routes / sizeof v2_routes[0];
	return v2_routes;
}

const http_route *api_cb_all_routes(size_t *n)
{
	size_t a = sizeof v2_routes / sizeof v2_routes[0];
	size_t b = sizeof legacy_routes / sizeof legacy_routes[0];
	memcpy(all_routes, v2_routes, sizeof v2_routes);
	memcpy(all_routes + a, legacy_routes, sizeof legacy_routes);
	*n = a + b;
	return all_routes;
}

void cb_reply_text(http_request *req, unsigned status, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	http_reply_bytes(req, status, "text/plain; charset=utf-8", buf, (size_t)n);
}

json_t *cb_hex_json(const uint8_t *b, size_t n)
{
	char buf[2 * 96 + 3];
	hex_encode(buf, b, n, true);
	return json_string(buf);
}

json_t *cb_pubkeys_json(keys_store *ks, const signer_cb_policy *p, bool ecdsa_address)
{
	size_t cap = keys_count(ks), np;
	keys_info *keys = calloc(cap ? cap : 1, sizeof *keys);
	keys_aux_info *px = keys_aux_list_alloc(ks, 0, p->module, &np);
	json_t *list = json_array();
	if (!keys || !px || !list) {
		free(keys);
		free(px);
		json_decref(list);
		return NULL;
	}
	/* keys_list returns the total: a key imported since keys_count is left for the next
	 * answer, not read past the array */
	size_t nk = keys_list(ks, keys, cap);
	if (nk > cap)
		nk = cap;
	for (size_t i = 0; i < nk; i++) {
		if (!signer_cb_key_allowed(p, keys[i].pubkey))
			continue;
		json_t *bls = json_array(), *ecdsa = json_array();
		for (size_t j = 0; j < np; j++) {
			if (!px[j].has_delegator || memcmp(px[j].delegator, keys[i].pubkey, 48) != 0)
				continue;
			if (px[j].kind == KEYS_AUX_PROXY_BLS) {
				json_array_append_new(bls, cb_hex_json(px[j].pub, 48));
			} else if (px[j].kind == KEYS_AUX_PROXY_ECDSA && !ecdsa_address) {
				json_array_append_new(ecdsa, cb_hex_json(px[j].pub, px[j].pub_len));
			} else if (px[j].kind == KEYS_AUX_PROXY_ECDSA) {
				json_array_append_new(ecdsa, cb_hex_json(px[j].address, 20));
			}
		}
		json_array_append_new(list, json_pack("{s:o,s:o,s:o}", "consensus",
						      cb_hex_json(keys[i].pubkey, 48), "proxy_bls", bls,
						      "proxy_ecdsa", ecdsa));
	}
	free(keys);
	free(px);
	return json_pack("{s:o}", "keys", list);
}

json_t *cb_delegation_json(const uint8_t pk[48], const uint8_t *proxy, size_t proxy_len,
			   const uint8_t sig[96])
{
	return json_pack("{s:{s:o,s:o},s:o}", "message", "delegator", cb_hex_json(pk, 48), "proxy",
			 cb_hex_json(proxy, proxy_len), "signature", cb_hex_json(sig, 96));
}

void cb_policy_of(const cb_module *m, signer_cb_policy *p)
{
	*p = (signer_cb_policy){ .module = m->id,
				 .signing_id = m->signing_id,
				 .allowed = (const uint8_t(*)[48])m->allowed,
				 .n_allowed = m->n_allowed,
				 .proxy_only = m->proxy_only,
				 .replay_protection = m->replay_protection };
}

ss_err api_cb_new(api_cb **out, const api_cb_config *cfg, char *err, size_t cap)
{
	*out = NULL;
	api_cb *cb = calloc(1, sizeof *cb);
	if (!cb) {
		snprintf(err, cap, "out of memory");
		return SS_ERR_NOMEM;
	}
	cb->cfg = *cfg;
	pthread_mutex_init(&cb->lock, NULL);
	pthread_mutex_init(&cb->admin_lock, NULL);
	/* Commit-Boost's limits: 3 failures, 300 s */
	cb_lockout_init(&cb->lockout, CB_MAX_CLIENTS, cfg->max_failures ? cfg->max_failures : 3,
			cfg->lockout_seconds ? cfg->lockout_seconds : 300);
	uint8_t gfv[ETH2_VERSION_BYTES], chain_id[32] = { 0 };
	eth2_network_genesis_fork_version(cfg->net, gfv);
	if (cfg->has_chain_id) {
		memcpy(chain_id, cfg->chain_id, 32);
	} else {
		uint64_t id;
		if (!eth2_cb_known_chain_id(gfv, &id)) {
			snprintf(err, cap, "network %s has no known Commit-Boost chain id: give "
					   "--commit-boost-chain-id (its DEPOSIT_CHAIN_ID)",
				 eth2_network_name(cfg->net));
			api_cb_free(cb);
			return SS_ERR_INVALID;
		}
		for (unsigned i = 0; i < 8; i++)
			chain_id[31 - i] = (uint8_t)(id >> (8 * i));
	}
	if (!cfg->legacy) {
		cb->reg = cb_registry_load(cfg, err, cap);
		if (!cb->reg) {
			api_cb_free(cb);
			return SS_ERR_INVALID;
		}
	}
	memcpy(cb->chain_id, chain_id, 32);
	/* legacy mode has no nonces: no store to open */
	ss_err e = signer_cb_new(&cb->svc, cfg->keys, cfg->net, chain_id,
				 cfg->legacy ? NULL : cfg->data_dir, err, cap);
	if (e != SS_OK) {
		api_cb_free(cb);
		return e;
	}
	*out = cb;
	return SS_OK;
}

ss_err api_cb_check_files(const api_cb_config *cfg, char *err, size_t cap)
{
	cb_registry *r = cb_registry_load(cfg, err, cap);
	cb_registry_release(r);
	return r ? SS_OK : SS_ERR_INVALID;
}

void api_cb_free(api_cb *cb)
{
	if (!cb)
		return;
	signer_cb_free(cb->svc);
	cb_registry_release(cb->reg);
	cb_lockout_destroy(&cb->lockout);
	pthread_mutex_destroy(&cb->lock);
	pthread_mutex_destroy(&cb->admin_lock);
	free(cb);
}
