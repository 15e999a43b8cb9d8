/* The route tables: every URL the signer serves is one row here (CONVENTIONS.md "The
 * tree shows the architecture"); the server decides 404, 405, 401/403 and 413 from them
 * before a handler runs. Paths and statuses: reference/web3signer.md §1 and
 * spec/keymanager/apis/local_keystores.yaml; docs/api.md documents each row. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

static const http_route all_routes[] = {
	{ HTTP_POST, "/api/v1/eth2/sign/{pubkey}", api_handle_sign, HTTP_AUTH_SIGNING,
	  API_SIGN_BODY_LIMIT },
	{ HTTP_POST, "/api/v1/eth2/sign", api_handle_sign_batch, HTTP_AUTH_SIGNING,
	  API_SIGN_BODY_LIMIT },
	{ HTTP_POST, "/api/v1/eth2/ext/sign/{pubkey}", api_handle_sign_ext, HTTP_AUTH_SIGNING,
	  API_SMALL_BODY_LIMIT },
	{ HTTP_GET, "/api/v1/eth2/publicKeys", api_handle_public_keys, HTTP_AUTH_SIGNING, 0 },
	{ HTTP_GET, "/api/v1/eth2/highWatermark", api_handle_high_watermark, HTTP_AUTH_SIGNING,
	  0 },
	{ HTTP_GET, "/upcheck", api_handle_upcheck, HTTP_AUTH_NONE, 0 },
	{ HTTP_GET, "/healthcheck", api_handle_healthcheck, HTTP_AUTH_NONE, 0 },
	{ HTTP_POST, "/reload", api_handle_reload_post, HTTP_AUTH_SIGNING, API_SMALL_BODY_LIMIT },
	{ HTTP_GET, "/reload", api_handle_reload_get, HTTP_AUTH_SIGNING, 0 },
	{ HTTP_GET, "/eth/v1/keystores", api_handle_keystores_get, HTTP_AUTH_KEYMANAGER, 0 },
	{ HTTP_POST, "/eth/v1/keystores", api_handle_keystores_post, HTTP_AUTH_KEYMANAGER,
	  API_KEYMANAGER_BODY_LIMIT },
	{ HTTP_DELETE, "/eth/v1/keystores", api_handle_keystores_delete, HTTP_AUTH_KEYMANAGER,
	  API_SMALL_BODY_LIMIT * 64 },
	/* Secure-Signer's own routes (reference/secure-signer.md §2.2, issue 13), behind the
	 * Keymanager token. */
	{ HTTP_GET, "/api/v1/eth2/slashing-protection", api_handle_slashing_get,
	  HTTP_AUTH_KEYMANAGER, 0 },
	{ HTTP_POST, "/api/v1/eth2/slashing-protection", api_handle_slashing_post,
	  HTTP_AUTH_KEYMANAGER, API_KEYMANAGER_BODY_LIMIT },
	{ HTTP_POST, "/api/v1/eth2/deposit", api_handle_deposit, HTTP_AUTH_KEYMANAGER,
	  API_KEYMANAGER_BODY_LIMIT },
	{ HTTP_POST, "/eth/v1/keygen/bls", api_handle_keygen_bls, HTTP_AUTH_KEYMANAGER,
	  API_SMALL_BODY_LIMIT },
	{ HTTP_POST, "/eth/v1/keygen/secp256k1", api_handle_keygen_k1_post, HTTP_AUTH_KEYMANAGER,
	  API_SMALL_BODY_LIMIT },
	{ HTTP_GET, "/eth/v1/keygen/secp256k1", api_handle_keygen_k1_get, HTTP_AUTH_KEYMANAGER, 0 },
};

static const http_route metrics_routes[] = {
	{ HTTP_GET, "/metrics", api_handle_metrics, HTTP_AUTH_NONE, 0 },
};

const http_route *api_all_routes(size_t *n)
{
	*n = sizeof all_routes / sizeof all_routes[0];
	return all_routes;
}

const http_route *api_metrics_routes(size_t *n)
{
	*n = sizeof metrics_routes / sizeof metrics_routes[0];
	return metrics_routes;
}

/* Keeps the rows this configuration serves; a route that is off answers 404, as in
 * Web3Signer (the high watermark without slashing protection, the Keymanager API
 * without --key-manager-api-enabled). */
ss_err api_build_routes(api *a)
{
	size_t n = sizeof all_routes / sizeof all_routes[0];
	a->routes = calloc(n, sizeof *a->routes);
	if (!a->routes)
		return SS_ERR_NOMEM;
	a->n_routes = 0;
	for (size_t i = 0; i < n; i++) {
		const http_route *r = &all_routes[i];
		if ((r->handler == api_handle_high_watermark ||
		     r->handler == api_handle_slashing_get ||
		     r->handler == api_handle_slashing_post) && !a->cfg.slashing)
			continue;
		if (r->auth == HTTP_AUTH_KEYMANAGER && !a->cfg.keymanager_enabled)
			continue;
		if (r->handler == api_handle_sign_ext && !a->cfg.signing_ext_enabled)
			continue;
		a->routes[a->n_routes++] = *r;
	}
	return SS_OK;
}

const http_route *api_routes(const api *a, size_t *n)
{
	*n = a->n_routes;
	return a->routes;
}
