/* eth2 module internals shared between its files (not for other modules). */
#ifndef SS_ETH2_INTERNAL_H
#define SS_ETH2_INTERNAL_H

#include <stdio.h>

#include "eth2/containers.h"
#include "eth2/eth2.h"

struct eth2_network {
	char name[64];
	eth2_preset preset;
	uint64_t slots_per_epoch;
	/* versions[ETH2_FORK_PHASE0] is GENESIS_FORK_VERSION, at epoch 0. */
	uint8_t versions[ETH2_FORK__COUNT][ETH2_VERSION_BYTES];
	uint64_t epochs[ETH2_FORK__COUNT];
	bool builtin;
	/* The chain's clock and identity. A built-in public network carries its published
	 * genesis_validators_root (64 hex digits) and genesis_time; a config.yaml gives
	 * SLOT_DURATION_MS or SECONDS_PER_SLOT and MIN_GENESIS_TIME (a lower bound of
	 * genesis_time, phase0 is_valid_genesis_state) but never the root, which is not in
	 * the file. */
	uint64_t slot_duration_ms;
	const char *gvr_hex;   /* NULL: unknown */
	bool has_genesis_time;
	uint64_t genesis_time; /* Unix seconds */
};

/* Domain types (phase0 beacon-chain.md "Domain types", altair beacon-chain.md,
 * builder-specs bellatrix builder.md). Byte strings, not integers. */
extern const uint8_t ETH2_DOMAIN_BEACON_PROPOSER[4], ETH2_DOMAIN_BEACON_ATTESTER[4],
	ETH2_DOMAIN_RANDAO[4], ETH2_DOMAIN_DEPOSIT[4], ETH2_DOMAIN_VOLUNTARY_EXIT[4],
	ETH2_DOMAIN_SELECTION_PROOF[4], ETH2_DOMAIN_AGGREGATE_AND_PROOF[4],
	ETH2_DOMAIN_SYNC_COMMITTEE[4], ETH2_DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF[4],
	ETH2_DOMAIN_CONTRIBUTION_AND_PROOF[4], ETH2_DOMAIN_APPLICATION_BUILDER[4],
	ETH2_DOMAIN_BLS_TO_EXECUTION_CHANGE[4], ETH2_DOMAIN_BEACON_BUILDER[4],
	ETH2_DOMAIN_PTC_ATTESTER[4], ETH2_DOMAIN_PROPOSER_PREFERENCES[4],
	ETH2_DOMAIN_BUILDER_REQUEST_AUTH[4];

/* eth2_network_load from an open stream (the fuzz target reads from memory). */
ss_err eth2_network_load_stream(FILE *f, eth2_network **out, char *err, size_t errcap) SS_MUST_USE;

/* Parses a fork name as Web3Signer's BLOCK_V2 `version` (exact upper case). */
bool eth2_fork_from_name(const char *name, eth2_fork *out);

#endif
