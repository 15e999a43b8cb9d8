/* Domains and signing roots (consensus-specs phase0 beacon-chain.md
 * compute_fork_data_root, compute_domain, compute_signing_root) and the deposit
 * containers' roots. */
#include <string.h>

#include "crypto/sha256.h"
#include "eth2/eth2_internal.h"

const uint8_t ETH2_DOMAIN_BEACON_PROPOSER[4] = { 0x00, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_BEACON_ATTESTER[4] = { 0x01, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_RANDAO[4] = { 0x02, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_DEPOSIT[4] = { 0x03, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_VOLUNTARY_EXIT[4] = { 0x04, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_SELECTION_PROOF[4] = { 0x05, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_AGGREGATE_AND_PROOF[4] = { 0x06, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_SYNC_COMMITTEE[4] = { 0x07, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF[4] = { 0x08, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_CONTRIBUTION_AND_PROOF[4] = { 0x09, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_APPLICATION_BUILDER[4] = { 0x00, 0x00, 0x00, 0x01 };
const uint8_t ETH2_DOMAIN_BLS_TO_EXECUTION_CHANGE[4] = { 0x0a, 0x00, 0x00, 0x00 };
/* gloas beacon-chain.md "Domain types"; BUILDER_REQUEST_AUTH is an application domain
 * (builder-specs gloas, @lodestar/params DOMAIN_BUILDER_REQUEST_AUTH). */
const uint8_t ETH2_DOMAIN_BEACON_BUILDER[4] = { 0x0b, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_PTC_ATTESTER[4] = { 0x0c, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_PROPOSER_PREFERENCES[4] = { 0x0d, 0x00, 0x00, 0x00 };
const uint8_t ETH2_DOMAIN_BUILDER_REQUEST_AUTH[4] = { 0x0b, 0x00, 0x00, 0x01 };

bool eth2_generic_domain_protected(const uint8_t domain_type[4])
{
	const uint8_t *const protected_types[] = {
		ETH2_DOMAIN_BEACON_PROPOSER,      ETH2_DOMAIN_BEACON_ATTESTER,
		ETH2_DOMAIN_BEACON_BUILDER,       ETH2_DOMAIN_PTC_ATTESTER,
		ETH2_DOMAIN_PROPOSER_PREFERENCES, ETH2_DOMAIN_BUILDER_REQUEST_AUTH,
	};
	for (size_t i = 0; i < sizeof protected_types / sizeof protected_types[0]; i++)
		if (memcmp(domain_type, protected_types[i], 4) == 0)
			return true;
	return false;
}

void eth2_compute_domain(uint8_t out[ETH2_ROOT_BYTES], const uint8_t domain_type[4],
			 const uint8_t fork_version[ETH2_VERSION_BYTES],
			 const uint8_t genesis_validators_root[ETH2_ROOT_BYTES])
{
	/* fork_data_root = htr(ForkData{current_version, genesis_validators_root}): two
	 * fields, so one hash of the two chunks (Bytes4 zero-padded to a chunk). */
	uint8_t version_chunk[32] = { 0 }, fork_data_root[32];
	memcpy(version_chunk, fork_version, ETH2_VERSION_BYTES);
	sha256_pair(fork_data_root, version_chunk, genesis_validators_root);
	/* domain = domain_type ‖ fork_data_root[:28] */
	memcpy(out, domain_type, 4);
	memcpy(out + 4, fork_data_root, 28);
}

void eth2_compute_signing_root(uint8_t out[ETH2_ROOT_BYTES],
			       const uint8_t object_root[ETH2_ROOT_BYTES],
			       const uint8_t domain[ETH2_ROOT_BYTES])
{
	/* htr(SigningData{object_root, domain}) */
	sha256_pair(out, object_root, domain);
}

/* DepositMessage{pubkey: Bytes48, withdrawal_credentials: Bytes32, amount: uint64}:
 * the three field roots padded to four chunks. */
static void deposit_field_roots(uint8_t chunks[4][32], const eth2_deposit_message *m)
{
	uint8_t pk[64] = { 0 };
	memcpy(pk, m->pubkey, ETH2_PUBKEY_BYTES);
	sha256_pair(chunks[0], pk, pk + 32);
	memcpy(chunks[1], m->withdrawal_credentials, 32);
	ssz_uint64_root(chunks[2], m->amount);
}

void eth2_deposit_message_root(uint8_t out[ETH2_ROOT_BYTES], const eth2_deposit_message *m)
{
	uint8_t c[4][32], l[32], r[32];
	deposit_field_roots(c, m);
	sha256_pair(l, c[0], c[1]);
	sha256_pair(r, c[2], ssz_zero_hash(0));
	sha256_pair(out, l, r);
}

void eth2_deposit_data_root(uint8_t out[ETH2_ROOT_BYTES], const eth2_deposit_message *m,
			    const uint8_t signature[ETH2_SIGNATURE_BYTES])
{
	/* DepositData adds signature: Bytes96 = 3 chunks, padded to 4. */
	uint8_t c[4][32], l[32], r[32], s01[32], s2[64] = { 0 }, s23[32];
	deposit_field_roots(c, m);
	sha256_pair(s01, signature, signature + 32);
	memcpy(s2, signature + 64, 32);
	sha256_pair(s23, s2, s2 + 32);
	sha256_pair(c[3], s01, s23);
	sha256_pair(l, c[0], c[1]);
	sha256_pair(r, c[2], c[3]);
	sha256_pair(out, l, r);
}

void eth2_deposit_signing_root(uint8_t out[ETH2_ROOT_BYTES], const eth2_deposit_message *m,
			       const uint8_t fork_version[ETH2_VERSION_BYTES])
{
	static const uint8_t zero[32] = { 0 };
	uint8_t domain[32], root[32];
	eth2_compute_domain(domain, ETH2_DOMAIN_DEPOSIT, fork_version, zero);
	eth2_deposit_message_root(root, m);
	eth2_compute_signing_root(out, root, domain);
}
