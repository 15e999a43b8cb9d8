/* The Commit-Boost signing service (signer/commit_boost.h). Order of a request: the
 * module's policy (proxy-only, allow-list), the key (consensus key, or a proxy that this
 * module owns and whose consensus key is still loaded: another module's proxy, or one of
 * a deleted key, is "unknown", so a module cannot even learn it exists), replay
 * protection (the nonce is committed before any signature exists), then
 * the signing root and the signature. Guards: docs/commit-boost.md; roots: reference
 * §8.2. */
#include <stdlib.h>
#include <string.h>

#include "eth2/commit_boost.h"
#include "signer/commit_boost_internal.h"
#include "util/log.h"

ss_err signer_cb_new(signer_cb **out, keys_store *ks, const eth2_network *net,
		     const uint8_t chain_id[32], const char *data_dir, char *err, size_t cap)
{
	*out = NULL;
	signer_cb *s = calloc(1, sizeof *s);
	if (!s)
		return SS_ERR_NOMEM;
	s->keys = ks;
	memcpy(s->chain_id, chain_id, 32);
	uint8_t gfv[ETH2_VERSION_BYTES];
	eth2_network_genesis_fork_version(net, gfv);
	eth2_cb_domain(s->domain, gfv);
	pthread_mutex_init(&s->nonce_lock, NULL);
	if (data_dir) {
		ss_err e = signer_cb_nonce_open(s, data_dir, err, cap);
		if (e != SS_OK) {
			signer_cb_free(s);
			return e;
		}
	}
	*out = s;
	return SS_OK;
}

void signer_cb_free(signer_cb *s)
{
	if (!s)
		return;
	signer_cb_nonce_close(s);
	pthread_mutex_destroy(&s->nonce_lock);
	free(s);
}

bool signer_cb_key_allowed(const signer_cb_policy *p, const uint8_t pk[48])
{
	if (!p->allowed)
		return true;
	for (size_t i = 0; i < p->n_allowed; i++)
		if (memcmp(p->allowed[i], pk, 48) == 0)
			return true;
	return false;
}

/* Replay protection for modules that asked for it (docs/commit-boost.md "Guards"). */
static signer_cb_status nonce_guard(signer_cb *s, const signer_cb_policy *p, const uint8_t *key,
				    size_t key_len, uint64_t nonce)
{
	if (!p->replay_protection)
		return SIGNER_CB_OK;
	ss_err e = signer_cb_nonce_check_and_record(s, p->module, key, key_len, nonce);
	if (e == SS_OK)
		return SIGNER_CB_OK;
	if (e == SS_ERR_REFUSED) {
		log_info("commit-boost: module %s: nonce %llu refused (not above the last one "
			 "signed for this key)", p->module, (unsigned long long)nonce);
		return SIGNER_CB_NONCE_REUSED;
	}
	return SIGNER_CB_ERROR;
}

/* The last step before any request_signature key signs: the nonce guard (which records
 * the nonce; key names its record), then signing_root =
 * SigningData(PropCommitSigningInfo{object_root, signing_id, nonce, chain_id}.root,
 * COMMIT_BOOST_DOMAIN) (reference §8.2). */
static signer_cb_status guarded_root(signer_cb *s, const signer_cb_policy *p, const uint8_t *key,
				     size_t key_len, const uint8_t object_root[32], uint64_t nonce,
				     uint8_t out[32])
{
	signer_cb_status st = nonce_guard(s, p, key, key_len, nonce);
	if (st != SIGNER_CB_OK)
		return st;
	uint8_t info[32];
	eth2_cb_info_root(info, object_root, p->signing_id, nonce, s->chain_id);
	eth2_compute_signing_root(out, info, s->domain);
	return SIGNER_CB_OK;
}

static signer_cb_status sign_status(ss_err e, signer_cb_status not_found)
{
	return e == SS_OK ? SIGNER_CB_OK : e == SS_ERR_NOT_FOUND ? not_found : SIGNER_CB_ERROR;
}

/* ECDSA over the 32-byte root as a prehash, no EIP-191 prefix; sig = r ‖ s ‖ v with
 * v = 27 + recovery id, as Commit-Boost and Web3Signer answer (reference §8.1, §8.5). */
static signer_cb_status sign_ecdsa(signer_cb *s, const uint8_t pub33[33], const uint8_t root[32],
				   uint8_t sig[65])
{
	signer_cb_status st =
		sign_status(keys_aux_sign_ecdsa(s->keys, KEYS_AUX_PROXY_ECDSA, pub33, root, sig),
			    SIGNER_CB_UNKNOWN_PROXY);
	if (st == SIGNER_CB_OK)
		sig[64] = (uint8_t)(27 + sig[64]);
	return st;
}

signer_cb_status signer_cb_sign_consensus(signer_cb *s, const signer_cb_policy *p,
					  const uint8_t pk[48], const uint8_t object_root[32],
					  uint64_t nonce, uint8_t sig[96])
{
	if (p->proxy_only)
		return SIGNER_CB_PROXY_ONLY;
	if (!signer_cb_key_allowed(p, pk))
		return SIGNER_CB_KEY_NOT_ALLOWED;
	if (!keys_contains(s->keys, pk))
		return SIGNER_CB_UNKNOWN_KEY;
	uint8_t root[32];
	signer_cb_status st = guarded_root(s, p, pk, 48, object_root, nonce, root);
	if (st != SIGNER_CB_OK)
		return st;
	return sign_status(keys_sign(s->keys, pk, root, 32, sig), SIGNER_CB_UNKNOWN_KEY);
}

/* Whether the proxy px may sign for the module of p now: the module owns it, and its
 * delegator is still allowed to the module and still loaded. Deleting a consensus key
 * (Keymanager DELETE /eth/v1/keystores, `keys delete`) is the operator's emergency stop
 * for that validator, so nothing signs on its behalf afterwards, proxies included; the
 * proxy stays sealed, so re-importing the key brings it back (docs/commit-boost.md
 * "Proxy keys"). The caller answers any false as an unknown proxy (404). */
static bool proxy_usable(signer_cb *s, const signer_cb_policy *p, const keys_aux_info *px)
{
	if (strcmp(px->owner, p->module) != 0)
		return false;
	if (!px->has_delegator)
		return true;
	return signer_cb_key_allowed(p, px->delegator) && keys_contains(s->keys, px->delegator);
}

/* The module's proxy of kind named by id (48-byte BLS key, or 20-byte address for
 * ECDSA), if it may sign now (proxy_usable). */
static bool find_proxy(signer_cb *s, const signer_cb_policy *p, keys_aux_kind kind,
		       const uint8_t *id, keys_aux_info *out)
{
	bool found = kind == KEYS_AUX_PROXY_BLS
			     ? keys_aux_get(s->keys, kind, id, 48, out)
			     : keys_aux_get_by_address(s->keys, kind, p->module, id, out);
	return found && proxy_usable(s, p, out);
}

signer_cb_status signer_cb_sign_proxy_bls(signer_cb *s, const signer_cb_policy *p,
					  const uint8_t proxy[48], const uint8_t object_root[32],
					  uint64_t nonce, uint8_t sig[96])
{
	keys_aux_info px;
	uint8_t root[32];
	if (!find_proxy(s, p, KEYS_AUX_PROXY_BLS, proxy, &px))
		return SIGNER_CB_UNKNOWN_PROXY;
	signer_cb_status st = guarded_root(s, p, proxy, 48, object_root, nonce, root);
	if (st != SIGNER_CB_OK)
		return st;
	return sign_status(keys_aux_sign_bls(s->keys, px.pub, root, 32, sig),
			   SIGNER_CB_UNKNOWN_PROXY);
}

signer_cb_status signer_cb_sign_proxy_ecdsa(signer_cb *s, const signer_cb_policy *p,
					    const uint8_t address[20],
					    const uint8_t object_root[32], uint64_t nonce,
					    uint8_t sig[65])
{
	keys_aux_info px;
	uint8_t root[32];
	if (!find_proxy(s, p, KEYS_AUX_PROXY_ECDSA, address, &px))
		return SIGNER_CB_UNKNOWN_PROXY;
	signer_cb_status st = guarded_root(s, p, address, 20, object_root, nonce, root);
	if (st != SIGNER_CB_OK)
		return st;
	return sign_ecdsa(s, px.pub, root, sig);
}

signer_cb_status signer_cb_generate_proxy(signer_cb *s, const signer_cb_policy *p,
					  const uint8_t pk[48], keys_aux_kind kind,
					  bool address_form, uint8_t proxy[48],
					  size_t *proxy_len, uint8_t sig[96])
{
	if (!signer_cb_key_allowed(p, pk))
		return SIGNER_CB_KEY_NOT_ALLOWED;
	if (!keys_contains(s->keys, pk))
		return SIGNER_CB_UNKNOWN_KEY;
	keys_aux_info info;
	keys_error kerr;
	memset(&kerr, 0, sizeof kerr);
	/* the per-module limit is checked by the store under the lock of the insertion, so
	 * concurrent requests cannot all pass a count taken before any of them inserts */
	ss_err e = keys_aux_generate_capped(s->keys, kind, p->module, pk,
					    SIGNER_CB_MAX_PROXIES_PER_OWNER, &info, &kerr);
	if (e == SS_ERR_REFUSED)
		return SIGNER_CB_TOO_MANY_PROXIES;
	if (e != SS_OK) {
		log_error("commit-boost: module %s: proxy key generation failed: %s", p->module,
			  kerr.msg);
		return SIGNER_CB_ERROR;
	}
	if (kind == KEYS_AUX_PROXY_ECDSA && address_form) {
		memcpy(proxy, info.address, 20);
		*proxy_len = 20;
	} else {
		memcpy(proxy, info.pub, info.pub_len);
		*proxy_len = info.pub_len;
	}
	/* ProxyDelegation{delegator, proxy} under the CB domain, without the signing-info
	 * wrap (reference §8.2), signed by the consensus key */
	uint8_t obj[32], root[32];
	eth2_cb_delegation_root(obj, pk, proxy, *proxy_len);
	eth2_compute_signing_root(root, obj, s->domain);
	signer_cb_status st =
		sign_status(keys_sign(s->keys, pk, root, 32, sig), SIGNER_CB_UNKNOWN_KEY);
	/* No delegation (the consensus key was deleted meanwhile, or an error): the module
	 * never learns of the proxy, so it must not stay behind, owned and signable. */
	if (st != SIGNER_CB_OK &&
	    keys_aux_delete(s->keys, kind, info.pub, info.pub_len, &kerr) != SS_OK)
		log_error("commit-boost: module %s: cannot remove the undelegated proxy key: %s",
			  p->module, kerr.msg);
	return st;
}

signer_cb_status signer_cb_sign_legacy(signer_cb *s, bool proxy, const uint8_t *key,
				       size_t key_len, const uint8_t object_root[32],
				       uint8_t sig[96], size_t *sig_len)
{
	uint8_t root[32];
	eth2_compute_signing_root(root, object_root, s->domain);
	*sig_len = 96;
	if (!proxy)
		return sign_status(keys_sign(s->keys, key, root, 32, sig), SIGNER_CB_UNKNOWN_KEY);
	/* the legacy pseudo-module: its own proxies, every consensus key */
	static const signer_cb_policy legacy = { .module = SIGNER_CB_LEGACY_OWNER };
	keys_aux_kind kind = key_len == 48 ? KEYS_AUX_PROXY_BLS : KEYS_AUX_PROXY_ECDSA;
	keys_aux_info px;
	if (!keys_aux_get(s->keys, kind, key, key_len, &px) || !proxy_usable(s, &legacy, &px))
		return SIGNER_CB_UNKNOWN_PROXY;
	if (kind == KEYS_AUX_PROXY_BLS)
		return sign_status(keys_aux_sign_bls(s->keys, key, root, 32, sig),
				   SIGNER_CB_UNKNOWN_PROXY);
	*sig_len = 65;
	return sign_ecdsa(s, key, root, sig);
}
