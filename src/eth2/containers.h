/* The SSZ containers a signer hashes, per consensus-specs (phase0 beacon-chain.md and
 * validator.md, altair beacon-chain.md and validator.md, electra beacon-chain.md and
 * validator.md, gloas beacon-chain.md and validator.md) and builder-specs (bellatrix
 * builder.md, gloas). Module-internal. */
#ifndef SS_ETH2_CONTAINERS_H
#define SS_ETH2_CONTAINERS_H

#include "eth2/ssz.h"

/* Preset-independent types: their limits are equal in the mainnet and minimal presets
 * (MAX_VALIDATORS_PER_COMMITTEE 2048 and the block operation limits are the same). */
extern const ssz_type ssz_uint64, ssz_bytes4, ssz_bytes20, ssz_bytes32, ssz_bytes48,
	ssz_bytes96;
extern const ssz_type eth2_t_fork, eth2_t_fork_data, eth2_t_checkpoint,
	eth2_t_attestation_data, eth2_t_deposit_message, eth2_t_deposit_data,
	eth2_t_beacon_block_header, eth2_t_signed_beacon_block_header, eth2_t_signing_data,
	eth2_t_attestation, eth2_t_indexed_attestation, eth2_t_attester_slashing,
	eth2_t_proposer_slashing, eth2_t_eth1_data, eth2_t_deposit, eth2_t_voluntary_exit,
	eth2_t_signed_voluntary_exit, eth2_t_beacon_block_body_phase0,
	eth2_t_beacon_block_phase0, eth2_t_aggregate_and_proof,
	eth2_t_signed_aggregate_and_proof, eth2_t_sync_aggregator_selection_data,
	eth2_t_validator_registration_v1, eth2_t_bls_to_execution_change;
/* Gloas (containers_gloas.c). */
extern const ssz_type eth2_t_payload_attestation_data, eth2_t_proposer_preferences,
	eth2_t_builder_request_auth, eth2_t_execution_payload_bid, eth2_t_execution_payload_bid_heze,
	eth2_t_execution_payload_envelope, eth2_t_aggregate_and_proof_gloas_mainnet,
	eth2_t_aggregate_and_proof_gloas_minimal;

typedef enum { ETH2_PRESET_MAINNET = 0, ETH2_PRESET_MINIMAL } eth2_preset;

/* Types whose limits depend on the preset: SYNC_COMMITTEE_SIZE (mainnet 512, minimal 32)
 * and MAX_COMMITTEES_PER_SLOT (mainnet 64, minimal 4). */
typedef struct {
	const ssz_type *sync_aggregate;
	const ssz_type *beacon_block_body_altair;
	const ssz_type *beacon_block_altair;
	const ssz_type *sync_committee_contribution;
	const ssz_type *contribution_and_proof;
	const ssz_type *attestation_electra;
	const ssz_type *aggregate_and_proof_electra;
	const ssz_type *aggregate_and_proof_gloas;
} eth2_preset_types;

const eth2_preset_types *eth2_preset_types_get(eth2_preset p);

/* A type by its spec name ("AttestationData", "ElectraAggregateAndProof",
 * "BeaconBlockAltair") in a preset; NULL if unknown. For tests and tools. */
const ssz_type *eth2_type_by_name(eth2_preset p, const char *name);

#endif
