/* signer/: the Commit-Boost signing service (reference/signing-apis-2026.md §8.1-8.2,
 * §8.5), called by the Commit-Boost listener's handlers (api/cb_*.c) once they have
 * authenticated the module. It decides whether to sign: the module's policy (its
 * allow-list of consensus keys, proxy-only mode, replay protection by nonce, recorded
 * durably before a signature leaves), the ownership of proxy keys, then the signing
 * root (eth2/commit_boost.h) and the signature (keys/, keys_aux.h). Thread safe. */
#ifndef SS_SIGNER_COMMIT_BOOST_H
#define SS_SIGNER_COMMIT_BOOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth2/eth2.h"
#include "keys/keys.h"
#include "keys/keys_aux.h"
#include "util/error.h"

#define SIGNER_CB_MAX_PROXIES_PER_OWNER 1024
#define SIGNER_CB_LEGACY_OWNER "legacy" /* owner of proxies made in legacy mode */

/* What a module may do (docs/commit-boost.md "Guards"). */
typedef struct {
	const char *module;             /* the proxies' owner */
	const uint8_t *signing_id;      /* 32 bytes, non-zero */
	const uint8_t (*allowed)[48];   /* NULL: every consensus key */
	size_t n_allowed;
	bool proxy_only;
	bool replay_protection;
} signer_cb_policy;

typedef enum {
	SIGNER_CB_OK,
	SIGNER_CB_PROXY_ONLY,      /* a consensus-key signature for a proxy-only module: 403 */
	SIGNER_CB_KEY_NOT_ALLOWED, /* not in the module's allow-list: 403 */
	SIGNER_CB_UNKNOWN_KEY,     /* no such consensus key: 404 */
	SIGNER_CB_UNKNOWN_PROXY,   /* no such proxy of this module: 404 */
	SIGNER_CB_NONCE_REUSED,    /* not above the last nonce signed: 409 */
	SIGNER_CB_TOO_MANY_PROXIES, /* 400 */
	SIGNER_CB_ERROR,           /* store or key failure: 500 (logged) */
} signer_cb_status;

typedef struct signer_cb signer_cb;

/* chain_id: big-endian uint256. data_dir: where commit-boost.sqlite keeps nonces (NULL:
 * no nonce store; policies with replay protection then fail with SIGNER_CB_ERROR). */
ss_err signer_cb_new(signer_cb **out, keys_store *ks, const eth2_network *net,
		     const uint8_t chain_id[32], const char *data_dir, char *err,
		     size_t cap) SS_MUST_USE;
void signer_cb_free(signer_cb *s);

/* Whether the policy lets its module use this consensus key. */
bool signer_cb_key_allowed(const signer_cb_policy *p, const uint8_t pk[48]);

/* request_signature/bls: signs SigningData(PropCommitSigningInfo{object_root,
 * signing_id, nonce, chain_id}, CB domain) with the consensus key pk. */
signer_cb_status signer_cb_sign_consensus(signer_cb *s, const signer_cb_policy *p,
					  const uint8_t pk[48], const uint8_t object_root[32],
					  uint64_t nonce, uint8_t sig[96]);
/* request_signature/proxy-bls: the same root with the module's BLS proxy. */
signer_cb_status signer_cb_sign_proxy_bls(signer_cb *s, const signer_cb_policy *p,
					  const uint8_t proxy[48], const uint8_t object_root[32],
					  uint64_t nonce, uint8_t sig[96]);
/* request_signature/proxy-ecdsa: the same root, as a prehash, with the module's ECDSA
 * proxy named by its address; sig = r ‖ s ‖ v, v = 27 + recovery id. */
signer_cb_status signer_cb_sign_proxy_ecdsa(signer_cb *s, const signer_cb_policy *p,
					    const uint8_t address[20],
					    const uint8_t object_root[32], uint64_t nonce,
					    uint8_t sig[65]);
/* generate_proxy_key: a new proxy of kind (KEYS_AUX_PROXY_BLS / _ECDSA) owned by the
 * module, sealed durably, and the delegation signed by pk over
 * SigningData(ProxyDelegation{pk, proxy}, CB domain). proxy is the BLS key (48) or, with
 * address_form, the ECDSA address (20), else the ECDSA 33-byte key (legacy). */
signer_cb_status signer_cb_generate_proxy(signer_cb *s, const signer_cb_policy *p,
					  const uint8_t pk[48], keys_aux_kind kind,
					  bool address_form, uint8_t proxy[48],
					  size_t *proxy_len, uint8_t sig[96]);

/* Legacy dialect (§8.5): SigningData(object_root, CB domain) with a consensus key
 * (key_len 48, !proxy), a legacy BLS proxy (48) or a legacy ECDSA proxy (33-byte key);
 * *sig_len 96 or 65. */
signer_cb_status signer_cb_sign_legacy(signer_cb *s, bool proxy, const uint8_t *key,
				       size_t key_len, const uint8_t object_root[32],
				       uint8_t sig[96], size_t *sig_len);

#endif
