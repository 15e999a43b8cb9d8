/* api/: the Commit-Boost signer API v0.2.0 (reference/signing-apis-2026.md §3, §8.1-8.2)
 * on its own listener, and Web3Signer's legacy Commit-Boost dialect (§8.5) behind a
 * flag. Modules authenticate with per-module HS256 JWTs bound to the route and to the
 * keccak-256 of the body; their proxy keys live in the sealed key store (keys_aux.h).
 * docs/commit-boost.md is the operator's guide. */
#ifndef SS_API_COMMIT_BOOST_H
#define SS_API_COMMIT_BOOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth2/eth2.h"
#include "keys/keys.h"
#include "server/http.h"
#include "util/error.h"

typedef struct {
	keys_store *keys;
	const eth2_network *net;
	/* Big-endian uint256 chain id mixed into PropCommitSigningInfo; has_chain_id false:
	 * the network's (mainnet, holesky, sepolia, hoodi), else api_cb_new refuses. */
	bool has_chain_id;
	uint8_t chain_id[32];
	const char *modules_file;     /* YAML list of modules (docs/commit-boost.md) */
	const char *jwt_secrets_file; /* MODULE_ID=secret lines; may be NULL */
	const char *admin_secret_file; /* first line: the admin JWT secret; may be NULL */
	const char *data_dir;         /* <data_dir>/commit-boost.sqlite holds the nonces */
	bool legacy;                  /* serve Web3Signer's 2024 dialect instead of v0.2.0 */
	unsigned lockout_seconds;     /* 0: 300 (Commit-Boost's) */
	unsigned max_failures;        /* 0: 3 */
} api_cb_config;

typedef struct api_cb api_cb;

/* Reads the module configuration and secrets, opens the nonce store. On failure err
 * holds the reason (naming the file and line, never a secret). */
ss_err api_cb_new(api_cb **out, const api_cb_config *cfg, char *err, size_t cap) SS_MUST_USE;
void api_cb_free(api_cb *cb);

/* Reads the modules, secrets and admin secret files as api_cb_new would, and forgets
 * them: for `config check`. */
ss_err api_cb_check_files(const api_cb_config *cfg, char *err, size_t cap) SS_MUST_USE;

/* The listener's table (v0.2.0 or legacy as configured); app is the api_cb. */
const http_route *api_cb_routes(const api_cb *cb, size_t *n);
/* Every route of both dialects, for tests that check each one is exercised. */
const http_route *api_cb_all_routes(size_t *n);

#endif
