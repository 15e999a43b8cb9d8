/* Container layouts. Field order is the spec's: it is the hash order. */
#include "eth2/containers.h"

#include <strings.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CONTAINER(var, nm, ...)                                                        \
	static const ssz_field var##_fields[] = { __VA_ARGS__ };                       \
	const ssz_type var = { nm, SSZ_CONTAINER, 0, NULL, var##_fields, COUNT(var##_fields), false }
#define SCONTAINER(var, nm, ...)                                                       \
	static const ssz_field var##_fields[] = { __VA_ARGS__ };                       \
	static const ssz_type var = { nm, SSZ_CONTAINER, 0, NULL, var##_fields,        \
				      COUNT(var##_fields), false }

/* Basic and byte-vector types (phase0 beacon-chain.md "Custom types"). */
const ssz_type ssz_uint64 = { "uint64", SSZ_UINT, 8, NULL, NULL, 0, false };
const ssz_type ssz_bytes4 = { "Bytes4", SSZ_BYTES, 4, NULL, NULL, 0, false };
const ssz_type ssz_bytes20 = { "Bytes20", SSZ_BYTES, 20, NULL, NULL, 0, false };
const ssz_type ssz_bytes32 = { "Bytes32", SSZ_BYTES, 32, NULL, NULL, 0, false };
const ssz_type ssz_bytes48 = { "Bytes48", SSZ_BYTES, 48, NULL, NULL, 0, false };
const ssz_type ssz_bytes96 = { "Bytes96", SSZ_BYTES, 96, NULL, NULL, 0, false };

/* Preset values shared by mainnet and minimal (presets/{mainnet,minimal}/phase0.yaml). */
#define MAX_VALIDATORS_PER_COMMITTEE 2048
#define MAX_PROPOSER_SLASHINGS 16
#define MAX_ATTESTER_SLASHINGS 2
#define MAX_ATTESTATIONS 128
#define MAX_DEPOSITS 16
#define MAX_VOLUNTARY_EXITS 16
#define DEPOSIT_CONTRACT_TREE_DEPTH 32
#define SYNC_COMMITTEE_SUBNET_COUNT 4 /* altair validator.md */

CONTAINER(eth2_t_fork, "Fork", { "previous_version", &ssz_bytes4 },
	  { "current_version", &ssz_bytes4 }, { "epoch", &ssz_uint64 });
CONTAINER(eth2_t_fork_data, "ForkData", { "current_version", &ssz_bytes4 },
	  { "genesis_validators_root", &ssz_bytes32 });
CONTAINER(eth2_t_checkpoint, "Checkpoint", { "epoch", &ssz_uint64 }, { "root", &ssz_bytes32 });
CONTAINER(eth2_t_attestation_data, "AttestationData", { "slot", &ssz_uint64 },
	  { "index", &ssz_uint64 }, { "beacon_block_root", &ssz_bytes32 },
	  { "source", &eth2_t_checkpoint }, { "target", &eth2_t_checkpoint });
CONTAINER(eth2_t_deposit_message, "DepositMessage", { "pubkey", &ssz_bytes48 },
	  { "withdrawal_credentials", &ssz_bytes32 }, { "amount", &ssz_uint64 });
CONTAINER(eth2_t_deposit_data, "DepositData", { "pubkey", &ssz_bytes48 },
	  { "withdrawal_credentials", &ssz_bytes32 }, { "amount", &ssz_uint64 },
	  { "signature", &ssz_bytes96 });
CONTAINER(eth2_t_beacon_block_header, "BeaconBlockHeader", { "slot", &ssz_uint64 },
	  { "proposer_index", &ssz_uint64 }, { "parent_root", &ssz_bytes32 },
	  { "state_root", &ssz_bytes32 }, { "body_root", &ssz_bytes32 });
CONTAINER(eth2_t_signed_beacon_block_header, "SignedBeaconBlockHeader",
	  { "message", &eth2_t_beacon_block_header }, { "signature", &ssz_bytes96 });
CONTAINER(eth2_t_signing_data, "SigningData", { "object_root", &ssz_bytes32 },
	  { "domain", &ssz_bytes32 });

static const ssz_type aggregation_bits_phase0 = { "Bitlist[MAX_VALIDATORS_PER_COMMITTEE]",
						  SSZ_BITLIST, MAX_VALIDATORS_PER_COMMITTEE,
						  NULL, NULL, 0, false };
CONTAINER(eth2_t_attestation, "Attestation", { "aggregation_bits", &aggregation_bits_phase0 },
	  { "data", &eth2_t_attestation_data }, { "signature", &ssz_bytes96 });

static const ssz_type attesting_indices = { "List[ValidatorIndex, MAX_VALIDATORS_PER_COMMITTEE]",
					    SSZ_LIST, MAX_VALIDATORS_PER_COMMITTEE, &ssz_uint64,
					    NULL, 0, false };
CONTAINER(eth2_t_indexed_attestation, "IndexedAttestation",
	  { "attesting_indices", &attesting_indices }, { "data", &eth2_t_attestation_data },
	  { "signature", &ssz_bytes96 });
CONTAINER(eth2_t_attester_slashing, "AttesterSlashing",
	  { "attestation_1", &eth2_t_indexed_attestation },
	  { "attestation_2", &eth2_t_indexed_attestation });
CONTAINER(eth2_t_proposer_slashing, "ProposerSlashing",
	  { "signed_header_1", &eth2_t_signed_beacon_block_header },
	  { "signed_header_2", &eth2_t_signed_beacon_block_header });
CONTAINER(eth2_t_eth1_data, "Eth1Data", { "deposit_root", &ssz_bytes32 },
	  { "deposit_count", &ssz_uint64 }, { "block_hash", &ssz_bytes32 });

static const ssz_type deposit_proof = { "Vector[Bytes32, DEPOSIT_CONTRACT_TREE_DEPTH + 1]",
					SSZ_VECTOR, DEPOSIT_CONTRACT_TREE_DEPTH + 1, &ssz_bytes32,
					NULL, 0, false };
CONTAINER(eth2_t_deposit, "Deposit", { "proof", &deposit_proof }, { "data", &eth2_t_deposit_data });
CONTAINER(eth2_t_voluntary_exit, "VoluntaryExit", { "epoch", &ssz_uint64 },
	  { "validator_index", &ssz_uint64 });
CONTAINER(eth2_t_signed_voluntary_exit, "SignedVoluntaryExit",
	  { "message", &eth2_t_voluntary_exit }, { "signature", &ssz_bytes96 });

static const ssz_type proposer_slashings = { "List[ProposerSlashing, MAX_PROPOSER_SLASHINGS]",
					     SSZ_LIST, MAX_PROPOSER_SLASHINGS,
					     &eth2_t_proposer_slashing, NULL, 0, false };
static const ssz_type attester_slashings = { "List[AttesterSlashing, MAX_ATTESTER_SLASHINGS]",
					     SSZ_LIST, MAX_ATTESTER_SLASHINGS,
					     &eth2_t_attester_slashing, NULL, 0, false };
static const ssz_type attestations = { "List[Attestation, MAX_ATTESTATIONS]", SSZ_LIST,
				       MAX_ATTESTATIONS, &eth2_t_attestation, NULL, 0, false };
static const ssz_type deposits = { "List[Deposit, MAX_DEPOSITS]", SSZ_LIST, MAX_DEPOSITS,
				   &eth2_t_deposit, NULL, 0, false };
static const ssz_type voluntary_exits = { "List[SignedVoluntaryExit, MAX_VOLUNTARY_EXITS]",
					  SSZ_LIST, MAX_VOLUNTARY_EXITS,
					  &eth2_t_signed_voluntary_exit, NULL, 0, false };

/* phase0 beacon-chain.md "BeaconBlockBody". */
#define PHASE0_BODY_FIELDS                                                               \
	{ "randao_reveal", &ssz_bytes96 }, { "eth1_data", &eth2_t_eth1_data },           \
		{ "graffiti", &ssz_bytes32 }, { "proposer_slashings", &proposer_slashings }, \
		{ "attester_slashings", &attester_slashings },                               \
		{ "attestations", &attestations }, { "deposits", &deposits },                \
		{ "voluntary_exits", &voluntary_exits }
CONTAINER(eth2_t_beacon_block_body_phase0, "BeaconBlockBody", PHASE0_BODY_FIELDS);
#define BLOCK_FIELDS(body)                                                               \
	{ "slot", &ssz_uint64 }, { "proposer_index", &ssz_uint64 },                      \
		{ "parent_root", &ssz_bytes32 }, { "state_root", &ssz_bytes32 },         \
		{ "body", &(body) }
CONTAINER(eth2_t_beacon_block_phase0, "BeaconBlock", BLOCK_FIELDS(eth2_t_beacon_block_body_phase0));

/* phase0 validator.md "AggregateAndProof". */
CONTAINER(eth2_t_aggregate_and_proof, "AggregateAndProof", { "aggregator_index", &ssz_uint64 },
	  { "aggregate", &eth2_t_attestation }, { "selection_proof", &ssz_bytes96 });
CONTAINER(eth2_t_signed_aggregate_and_proof, "SignedAggregateAndProof",
	  { "message", &eth2_t_aggregate_and_proof }, { "signature", &ssz_bytes96 });

/* altair validator.md "SyncAggregatorSelectionData". */
CONTAINER(eth2_t_sync_aggregator_selection_data, "SyncAggregatorSelectionData",
	  { "slot", &ssz_uint64 }, { "subcommittee_index", &ssz_uint64 });
/* builder-specs bellatrix builder.md "ValidatorRegistrationV1". */
CONTAINER(eth2_t_validator_registration_v1, "ValidatorRegistrationV1",
	  { "fee_recipient", &ssz_bytes20 }, { "gas_limit", &ssz_uint64 },
	  { "timestamp", &ssz_uint64 }, { "pubkey", &ssz_bytes48 });
/* capella beacon-chain.md "BLSToExecutionChange" (not a Web3Signer type; vectors). */
CONTAINER(eth2_t_bls_to_execution_change, "BLSToExecutionChange",
	  { "validator_index", &ssz_uint64 }, { "from_bls_pubkey", &ssz_bytes48 },
	  { "to_execution_address", &ssz_bytes20 });

/* Preset-dependent types, defined once per preset. SYNC_COMMITTEE_SIZE and
 * MAX_COMMITTEES_PER_SLOT come from presets/<preset>/{altair,phase0}.yaml. */
#define PRESET_TYPES(P, SYNC_COMMITTEE_SIZE, MAX_COMMITTEES_PER_SLOT)                    \
	static const ssz_type P##_sync_bits = { "Bitvector[SYNC_COMMITTEE_SIZE]",        \
						SSZ_BITVECTOR, SYNC_COMMITTEE_SIZE, NULL, NULL, 0, false }; \
	SCONTAINER(P##_sync_aggregate, "SyncAggregate", { "sync_committee_bits", &P##_sync_bits }, \
		   { "sync_committee_signature", &ssz_bytes96 });                        \
	SCONTAINER(P##_body_altair, "BeaconBlockBodyAltair", PHASE0_BODY_FIELDS,         \
		   { "sync_aggregate", &P##_sync_aggregate });                           \
	SCONTAINER(P##_block_altair, "BeaconBlockAltair", BLOCK_FIELDS(P##_body_altair)); \
	static const ssz_type P##_contribution_bits = {                                  \
		"Bitvector[SYNC_COMMITTEE_SIZE // SYNC_COMMITTEE_SUBNET_COUNT]", SSZ_BITVECTOR, \
		(SYNC_COMMITTEE_SIZE) / SYNC_COMMITTEE_SUBNET_COUNT, NULL, NULL, 0, false };     \
	SCONTAINER(P##_contribution, "SyncCommitteeContribution", { "slot", &ssz_uint64 }, \
		   { "beacon_block_root", &ssz_bytes32 }, { "subcommittee_index", &ssz_uint64 }, \
		   { "aggregation_bits", &P##_contribution_bits }, { "signature", &ssz_bytes96 }); \
	SCONTAINER(P##_contribution_and_proof, "ContributionAndProof",                   \
		   { "aggregator_index", &ssz_uint64 }, { "contribution", &P##_contribution }, \
		   { "selection_proof", &ssz_bytes96 });                                 \
	static const ssz_type P##_agg_bits_electra = {                                   \
		"Bitlist[MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT]", SSZ_BITLIST, \
		MAX_VALIDATORS_PER_COMMITTEE * (MAX_COMMITTEES_PER_SLOT), NULL, NULL, 0, false }; \
	static const ssz_type P##_committee_bits = { "Bitvector[MAX_COMMITTEES_PER_SLOT]", \
						     SSZ_BITVECTOR, MAX_COMMITTEES_PER_SLOT, \
						     NULL, NULL, 0, false };                    \
	SCONTAINER(P##_attestation_electra, "ElectraAttestation",                        \
		   { "aggregation_bits", &P##_agg_bits_electra },                        \
		   { "data", &eth2_t_attestation_data }, { "signature", &ssz_bytes96 },  \
		   { "committee_bits", &P##_committee_bits });                           \
	SCONTAINER(P##_aggregate_and_proof_electra, "ElectraAggregateAndProof",          \
		   { "aggregator_index", &ssz_uint64 },                                  \
		   { "aggregate", &P##_attestation_electra },                            \
		   { "selection_proof", &ssz_bytes96 });                                 \
	static const eth2_preset_types P##_types = {                                     \
		&P##_sync_aggregate,         &P##_body_altair, &P##_block_altair,        \
		&P##_contribution,           &P##_contribution_and_proof,                \
		&P##_attestation_electra,    &P##_aggregate_and_proof_electra,           \
		&eth2_t_aggregate_and_proof_gloas_##P,                                   \
	}

PRESET_TYPES(mainnet, 512, 64);
PRESET_TYPES(minimal, 32, 4);

const eth2_preset_types *eth2_preset_types_get(eth2_preset p)
{
	return p == ETH2_PRESET_MINIMAL ? &minimal_types : &mainnet_types;
}

const ssz_type *eth2_type_by_name(eth2_preset p, const char *name)
{
	static const ssz_type *const common[] = {
		&ssz_uint64, &ssz_bytes32,
		&eth2_t_fork, &eth2_t_fork_data, &eth2_t_checkpoint, &eth2_t_attestation_data,
		&eth2_t_deposit_message, &eth2_t_deposit_data, &eth2_t_beacon_block_header,
		&eth2_t_signed_beacon_block_header, &eth2_t_signing_data, &eth2_t_attestation,
		&eth2_t_indexed_attestation, &eth2_t_attester_slashing, &eth2_t_proposer_slashing,
		&eth2_t_eth1_data, &eth2_t_deposit, &eth2_t_voluntary_exit,
		&eth2_t_signed_voluntary_exit, &eth2_t_beacon_block_body_phase0,
		&eth2_t_beacon_block_phase0, &eth2_t_aggregate_and_proof,
		&eth2_t_signed_aggregate_and_proof, &eth2_t_sync_aggregator_selection_data,
		&eth2_t_validator_registration_v1, &eth2_t_bls_to_execution_change,
		&eth2_t_payload_attestation_data, &eth2_t_proposer_preferences,
		&eth2_t_builder_request_auth, &eth2_t_execution_payload_bid,
		&eth2_t_execution_payload_bid_heze,
		&eth2_t_execution_payload_envelope,
	};
	for (size_t i = 0; i < COUNT(common); i++)
		if (strcasecmp(common[i]->name, name) == 0)
			return common[i];
	const eth2_preset_types *pt = eth2_preset_types_get(p);
	const ssz_type *const per[] = {
		pt->sync_aggregate, pt->beacon_block_body_altair, pt->beacon_block_altair,
		pt->sync_committee_contribution, pt->contribution_and_proof,
		pt->attestation_electra, pt->aggregate_and_proof_electra,
		pt->aggregate_and_proof_gloas,
	};
	for (size_t i = 0; i < COUNT(per); i++)
		if (strcasecmp(per[i]->name, name) == 0)
			return per[i];
	if (strcasecmp(name, "Root") == 0)
		return &ssz_bytes32;
	return NULL;
}
