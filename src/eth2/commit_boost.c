/* Commit-Boost signing roots (reference/signing-apis-2026.md §8.2, from Commit-Boost's
 * crates/common/src/signature.rs and types.rs): SSZ merkleisation written out for the
 * two small containers, with the chunking rules of the SSZ spec (a fixed byte vector is
 * packed into 32-byte chunks, zero-padded, and merkleised; a uint256 is one chunk,
 * little-endian). */
#include <string.h>

#include "crypto/sha256.h"
#include "eth2/commit_boost.h"

void eth2_cb_domain(uint8_t out[ETH2_ROOT_BYTES],
		    const uint8_t genesis_fork_version[ETH2_VERSION_BYTES])
{
	static const uint8_t type[4] = ETH2_CB_DOMAIN_TYPE;
	static const uint8_t zero_root[ETH2_ROOT_BYTES] = { 0 };
	eth2_compute_domain(out, type, genesis_fork_version, zero_root);
}

/* root = H( H(data ‖ module_signing_id) ‖ H(le64(nonce) ‖ 0^24 ‖ le256(chain_id)) ) */
void eth2_cb_info_root(uint8_t out[ETH2_ROOT_BYTES], const uint8_t data[32],
		       const uint8_t module_signing_id[32], uint64_t nonce,
		       const uint8_t chain_id_be[32])
{
	uint8_t left[32], right[32], nonce_chunk[32] = { 0 }, chain_chunk[32];
	sha256_pair(left, data, module_signing_id);
	for (unsigned i = 0; i < 8; i++)
		nonce_chunk[i] = (uint8_t)(nonce >> (8 * i));
	for (unsigned i = 0; i < 32; i++)
		chain_chunk[i] = chain_id_be[31 - i];
	sha256_pair(right, nonce_chunk, chain_chunk);
	sha256_pair(out, left, right);
}

/* hash_tree_root of a byte vector of 33..64 bytes: two chunks, the second zero-padded. */
static void two_chunk_root(uint8_t out[32], const uint8_t *b, size_t len)
{
	uint8_t hi[32] = { 0 };
	memcpy(hi, b + 32, len - 32);
	sha256_pair(out, b, hi);
}

void eth2_cb_delegation_root(uint8_t out[ETH2_ROOT_BYTES],
			     const uint8_t delegator[ETH2_PUBKEY_BYTES], const uint8_t *proxy,
			     size_t proxy_len)
{
	uint8_t d_root[32], p_root[32] = { 0 };
	two_chunk_root(d_root, delegator, ETH2_PUBKEY_BYTES);
	if (proxy_len == 20) {
		memcpy(p_root, proxy, 20); /* Address: one chunk, no hashing */
	} else {
		if (proxy_len != 48 && proxy_len != 33)
			__builtin_trap(); /* callers pass only the three proxy forms */
		two_chunk_root(p_root, proxy, proxy_len);
	}
	sha256_pair(out, d_root, p_root);
}

bool eth2_cb_known_chain_id(const uint8_t gfv[ETH2_VERSION_BYTES], uint64_t *chain_id)
{
	static const struct {
		uint8_t version[4];
		uint64_t id;
	} chains[] = {
		{ { 0x00, 0x00, 0x00, 0x00 }, 1 },        /* mainnet */
		{ { 0x01, 0x01, 0x70, 0x00 }, 17000 },    /* holesky */
		{ { 0x90, 0x00, 0x00, 0x69 }, 11155111 }, /* sepolia */
		{ { 0x10, 0x00, 0x09, 0x10 }, 560048 },   /* hoodi */
	};
	for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++)
		if (memcmp(chains[i].version, gfv, 4) == 0) {
			*chain_id = chains[i].id;
			return true;
		}
	return false;
}
