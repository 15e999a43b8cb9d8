/* eth2/: the signing roots of the Commit-Boost signer API (reference/signing-apis-2026.md
 * §8.2): the Commit-Boost domain, PropCommitSigningInfo for request_signature, and
 * ProxyDelegation for generate_proxy_key. Pure functions over public data. */
#ifndef SS_ETH2_COMMIT_BOOST_H
#define SS_ETH2_COMMIT_BOOST_H

#include <stddef.h>
#include <stdint.h>

#include "eth2/eth2.h"

/* COMMIT_BOOST_DOMAIN, "mmoC" read as bytes: the domain type of every CB signature. */
#define ETH2_CB_DOMAIN_TYPE { 0x6d, 0x6d, 0x6f, 0x43 }

/* compute_domain(COMMIT_BOOST_DOMAIN, genesis_fork_version, 0x00*32): like the builder
 * domain, bound to the chain by the genesis fork version only. */
void eth2_cb_domain(uint8_t out[ETH2_ROOT_BYTES],
		    const uint8_t genesis_fork_version[ETH2_VERSION_BYTES]);

/* hash_tree_root(PropCommitSigningInfo{data: B256, module_signing_id: B256,
 * nonce: uint64, chain_id: uint256}); chain_id is big-endian, as written in hex. */
void eth2_cb_info_root(uint8_t out[ETH2_ROOT_BYTES], const uint8_t data[32],
		       const uint8_t module_signing_id[32], uint64_t nonce,
		       const uint8_t chain_id_be[32]);

/* hash_tree_root(ProxyDelegation{delegator: BLSPubkey, proxy}): proxy is a BLS key (48
 * bytes), a 20-byte address (CB >= v0.10, one chunk) or a 33-byte compressed secp256k1
 * key (Web3Signer's legacy dialect, Bytes33: two chunks). Other lengths are our bug. */
void eth2_cb_delegation_root(uint8_t out[ETH2_ROOT_BYTES],
			     const uint8_t delegator[ETH2_PUBKEY_BYTES], const uint8_t *proxy,
			     size_t proxy_len);

/* The CB chain id of a genesis fork version (signing-apis-2026.md §8.2 table): mainnet 1,
 * holesky 17000, sepolia 11155111, hoodi 560048; false for any other chain. */
bool eth2_cb_known_chain_id(const uint8_t genesis_fork_version[ETH2_VERSION_BYTES],
			    uint64_t *chain_id);

#endif
