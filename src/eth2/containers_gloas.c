/* The Gloas (ePBS, EIP-7732) containers a signer hashes: the five remote-signing-api
 * v1.4.0 messages (reference/signing-apis-2026.md §8.4) and the Gloas attestation and
 * aggregate. Field order and limits as consensus-specs gloas beacon-chain.md and
 * builder.md, and as @lodestar/types 1.48 gloas/sszTypes.js (the cross-check oracle).
 * Gloas moves most lists to EIP-7916 progressive lists and most containers that may grow
 * to EIP-7495 ProgressiveContainers (`.progressive = true`): the same serialisation, a
 * different hash_tree_root. The limits of progressive lists do not enter the hash; they
 * bound what is accepted (mainnet values; the minimal preset's smaller withdrawal limit
 * is not applied). */
#include "eth2/containers.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CONTAINER(var, nm, ...)                                                        \
	static const ssz_field var##_fields[] = { __VA_ARGS__ };                       \
	const ssz_type var = { nm, SSZ_CONTAINER, 0, NULL, var##_fields, COUNT(var##_fields), false }
#define PCONTAINER(var, nm, ...)                                                       \
	static const ssz_field var##_fields[] = { __VA_ARGS__ };                       \
	static const ssz_type var = { nm, SSZ_CONTAINER, 0, NULL, var##_fields,        \
				      COUNT(var##_fields), true }
#define SCONTAINER(var, nm, ...)                                                       \
	static const ssz_field var##_fields[] = { __VA_ARGS__ };                       \
	static const ssz_type var = { nm, SSZ_CONTAINER, 0, NULL, var##_fields,        \
				      COUNT(var##_fields), false }
#define PLIST(var, nm, elem, limit) \
	static const ssz_type var = { nm, SSZ_LIST, (limit), &(elem), NULL, 0, true }

/* presets/mainnet/{phase0,bellatrix,capella,deneb,electra,gloas}.yaml and lodestar params (the same in minimal unless noted). */
#define MAX_VALIDATORS_PER_COMMITTEE 2048
#define BYTES_PER_LOGS_BLOOM 256
#define MAX_EXTRA_DATA_BYTES 32
#define MAX_BYTES_PER_TRANSACTION (1u << 30)
#define MAX_TRANSACTIONS_PER_PAYLOAD (1u << 20)
#define MAX_WITHDRAWALS_PER_PAYLOAD 16 /* minimal: 4 */
#define MAX_BLOB_COMMITMENTS_PER_BLOCK 4096
#define MAX_DEPOSIT_REQUESTS_PER_PAYLOAD 8192
#define MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD 16
#define MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD 2
#define MAX_BUILDER_DEPOSIT_REQUESTS_PER_PAYLOAD 64
#define MAX_BUILDER_EXIT_REQUESTS_PER_PAYLOAD 16
#define MAX_BUILDER_AUTH_DATA_SIZE 4096
/* EIP-7916 sets no limit on BlockAccessList; Lodestar bounds every progressive list by
 * 2^32 - 1. The request body limit bounds it long before. */
#define PROGRESSIVE_LIST_MAX_SIZE 0xffffffffu

static const ssz_type ssz_bool = { "boolean", SSZ_BOOL, 1, NULL, NULL, 0, false };
static const ssz_type ssz_uint8 = { "uint8", SSZ_UINT, 1, NULL, NULL, 0, false };
static const ssz_type ssz_uint256 = { "uint256", SSZ_UINT, 32, NULL, NULL, 0, false };
static const ssz_type logs_bloom = { "ByteVector[BYTES_PER_LOGS_BLOOM]", SSZ_BYTES,
				     BYTES_PER_LOGS_BLOOM, NULL, NULL, 0, false };
static const ssz_type extra_data = { "ByteList[MAX_EXTRA_DATA_BYTES]", SSZ_LIST,
				     MAX_EXTRA_DATA_BYTES, &ssz_uint8, NULL, 0, false };

/* gloas beacon-chain.md "PayloadAttestationData": what PAYLOAD_ATTESTATION_MESSAGE signs
 * (get_payload_attestation_message_signature). */
CONTAINER(eth2_t_payload_attestation_data, "PayloadAttestationData",
	  { "beacon_block_root", &ssz_bytes32 }, { "slot", &ssz_uint64 },
	  { "payload_present", &ssz_bool }, { "blob_data_available", &ssz_bool });

/* gloas validator.md "ProposerPreferences". */
CONTAINER(eth2_t_proposer_preferences, "ProposerPreferences",
	  { "dependent_root", &ssz_bytes32 }, { "proposal_slot", &ssz_uint64 },
	  { "validator_index", &ssz_uint64 }, { "fee_recipient", &ssz_bytes20 },
	  { "target_gas_limit", &ssz_uint64 });

/* builder-specs gloas "BuilderRequestAuth". */
static const ssz_type builder_auth_data = { "ByteList[MAX_BUILDER_AUTH_DATA_SIZE]", SSZ_LIST,
					    MAX_BUILDER_AUTH_DATA_SIZE, &ssz_uint8, NULL, 0,
					    false };
CONTAINER(eth2_t_builder_request_auth, "BuilderRequestAuth", { "data", &builder_auth_data },
	  { "slot", &ssz_uint64 });

/* gloas beacon-chain.md "ExecutionPayloadBid" (a ProgressiveContainer). */
PLIST(blob_kzg_commitments, "ProgressiveList[KZGCommitment]", ssz_bytes48,
      MAX_BLOB_COMMITMENTS_PER_BLOCK);
static const ssz_field bid_fields[] = {
	{ "parent_block_hash", &ssz_bytes32 }, { "parent_block_root", &ssz_bytes32 },
	{ "block_hash", &ssz_bytes32 },        { "prev_randao", &ssz_bytes32 },
	{ "fee_recipient", &ssz_bytes20 },     { "gas_limit", &ssz_uint64 },
	{ "builder_index", &ssz_uint64 },      { "slot", &ssz_uint64 },
	{ "value", &ssz_uint64 },              { "execution_payment", &ssz_uint64 },
	{ "blob_kzg_commitments", &blob_kzg_commitments },
	{ "execution_requests_root", &ssz_bytes32 },
};
const ssz_type eth2_t_execution_payload_bid = { "ExecutionPayloadBid", SSZ_CONTAINER, 0, NULL,
						bid_fields, COUNT(bid_fields), true };

/* heze beacon-chain.md "ExecutionPayloadBid": Gloas's with inclusion_list_bits
 * (EIP-7805), Bitvector[INCLUSION_LIST_COMMITTEE_SIZE = 16] in both presets. */
static const ssz_type inclusion_list_bits = { "Bitvector[INCLUSION_LIST_COMMITTEE_SIZE]",
					      SSZ_BITVECTOR, 16, NULL, NULL, 0, false };
static const ssz_field bid_heze_fields[] = {
	{ "parent_block_hash", &ssz_bytes32 }, { "parent_block_root", &ssz_bytes32 },
	{ "block_hash", &ssz_bytes32 },        { "prev_randao", &ssz_bytes32 },
	{ "fee_recipient", &ssz_bytes20 },     { "gas_limit", &ssz_uint64 },
	{ "builder_index", &ssz_uint64 },      { "slot", &ssz_uint64 },
	{ "value", &ssz_uint64 },              { "execution_payment", &ssz_uint64 },
	{ "blob_kzg_commitments", &blob_kzg_commitments },
	{ "execution_requests_root", &ssz_bytes32 },
	{ "inclusion_list_bits", &inclusion_list_bits },
};
const ssz_type eth2_t_execution_payload_bid_heze = { "HezeExecutionPayloadBid", SSZ_CONTAINER,
						     0, NULL, bid_heze_fields,
						     COUNT(bid_heze_fields), true };

/* The execution requests (electra beacon-chain.md, gloas EIP-8282 builder requests). */
SCONTAINER(deposit_request, "DepositRequest", { "pubkey", &ssz_bytes48 },
	   { "withdrawal_credentials", &ssz_bytes32 }, { "amount", &ssz_uint64 },
	   { "signature", &ssz_bytes96 }, { "index", &ssz_uint64 });
SCONTAINER(withdrawal_request, "WithdrawalRequest", { "source_address", &ssz_bytes20 },
	   { "validator_pubkey", &ssz_bytes48 }, { "amount", &ssz_uint64 });
SCONTAINER(consolidation_request, "ConsolidationRequest", { "source_address", &ssz_bytes20 },
	   { "source_pubkey", &ssz_bytes48 }, { "target_pubkey", &ssz_bytes48 });
SCONTAINER(builder_deposit_request, "BuilderDepositRequest", { "pubkey", &ssz_bytes48 },
	   { "withdrawal_credentials", &ssz_bytes32 }, { "amount", &ssz_uint64 },
	   { "signature", &ssz_bytes96 });
SCONTAINER(builder_exit_request, "BuilderExitRequest", { "source_address", &ssz_bytes20 },
	   { "pubkey", &ssz_bytes48 });
PLIST(deposit_requests, "DepositRequests", deposit_request, MAX_DEPOSIT_REQUESTS_PER_PAYLOAD);
PLIST(withdrawal_requests, "WithdrawalRequests", withdrawal_request,
      MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD);
PLIST(consolidation_requests, "ConsolidationRequests", consolidation_request,
      MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD);
PLIST(builder_deposit_requests, "BuilderDepositRequests", builder_deposit_request,
      MAX_BUILDER_DEPOSIT_REQUESTS_PER_PAYLOAD);
PLIST(builder_exit_requests, "BuilderExitRequests", builder_exit_request,
      MAX_BUILDER_EXIT_REQUESTS_PER_PAYLOAD);
PCONTAINER(execution_requests, "ExecutionRequests", { "deposits", &deposit_requests },
	   { "withdrawals", &withdrawal_requests }, { "consolidations", &consolidation_requests },
	   { "builder_deposits", &builder_deposit_requests },
	   { "builder_exits", &builder_exit_requests });

/* gloas beacon-chain.md "ExecutionPayload": Deneb's fields with progressive lists, plus
 * block_access_list (EIP-7928) and slot_number (EIP-7843). */
static const ssz_type transaction = { "Transaction", SSZ_LIST, MAX_BYTES_PER_TRANSACTION,
				      &ssz_uint8, NULL, 0, true };
PLIST(transactions, "Transactions", transaction, MAX_TRANSACTIONS_PER_PAYLOAD);
SCONTAINER(withdrawal, "Withdrawal", { "index", &ssz_uint64 }, { "validator_index", &ssz_uint64 },
	   { "address", &ssz_bytes20 }, { "amount", &ssz_uint64 });
PLIST(withdrawals, "Withdrawals", withdrawal, MAX_WITHDRAWALS_PER_PAYLOAD);
static const ssz_type block_access_list = { "BlockAccessList", SSZ_LIST,
					    PROGRESSIVE_LIST_MAX_SIZE, &ssz_uint8, NULL, 0, true };
PCONTAINER(execution_payload, "ExecutionPayload", { "parent_hash", &ssz_bytes32 },
	   { "fee_recipient", &ssz_bytes20 }, { "state_root", &ssz_bytes32 },
	   { "receipts_root", &ssz_bytes32 }, { "logs_bloom", &logs_bloom },
	   { "prev_randao", &ssz_bytes32 }, { "block_number", &ssz_uint64 },
	   { "gas_limit", &ssz_uint64 }, { "gas_used", &ssz_uint64 },
	   { "timestamp", &ssz_uint64 }, { "extra_data", &extra_data },
	   { "base_fee_per_gas", &ssz_uint256 }, { "block_hash", &ssz_bytes32 },
	   { "transactions", &transactions }, { "withdrawals", &withdrawals },
	   { "blob_gas_used", &ssz_uint64 }, { "excess_blob_gas", &ssz_uint64 },
	   { "block_access_list", &block_access_list }, { "slot_number", &ssz_uint64 });

/* gloas beacon-chain.md "ExecutionPayloadEnvelope" (a ProgressiveContainer). */
static const ssz_field envelope_fields[] = {
	{ "payload", &execution_payload },         { "execution_requests", &execution_requests },
	{ "builder_index", &ssz_uint64 },          { "beacon_block_root", &ssz_bytes32 },
	{ "parent_beacon_block_root", &ssz_bytes32 },
};
const ssz_type eth2_t_execution_payload_envelope = { "ExecutionPayloadEnvelope", SSZ_CONTAINER,
						     0, NULL, envelope_fields,
						     COUNT(envelope_fields), true };

/* gloas beacon-chain.md "Attestation" (a ProgressiveContainer with a progressive
 * aggregation_bits) and validator.md "AggregateAndProof", per preset: committee_bits is
 * Bitvector[MAX_COMMITTEES_PER_SLOT] (mainnet 64, minimal 4). */
#define GLOAS_AGGREGATE(P, MAX_COMMITTEES_PER_SLOT)                                      \
	static const ssz_type P##_agg_bits = {                                           \
		"ProgressiveBitlist[MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT]", \
		SSZ_BITLIST, MAX_VALIDATORS_PER_COMMITTEE * (MAX_COMMITTEES_PER_SLOT), NULL, \
		NULL, 0, true };                                                         \
	static const ssz_type P##_committee_bits = { "Bitvector[MAX_COMMITTEES_PER_SLOT]", \
						     SSZ_BITVECTOR, MAX_COMMITTEES_PER_SLOT, \
						     NULL, NULL, 0, false };             \
	PCONTAINER(P##_attestation, "GloasAttestation", { "aggregation_bits", &P##_agg_bits }, \
		   { "data", &eth2_t_attestation_data }, { "signature", &ssz_bytes96 },  \
		   { "committee_bits", &P##_committee_bits });                           \
	static const ssz_field P##_aggregate_fields[] = {                                \
		{ "aggregator_index", &ssz_uint64 },                                     \
		{ "aggregate", &P##_attestation },                                       \
		{ "selection_proof", &ssz_bytes96 },                                     \
	};                                                                               \
	const ssz_type eth2_t_aggregate_and_proof_gloas_##P = {                          \
		"GloasAggregateAndProof", SSZ_CONTAINER, 0, NULL, P##_aggregate_fields,  \
		COUNT(P##_aggregate_fields), false }

GLOAS_AGGREGATE(mainnet, 64);
GLOAS_AGGREGATE(minimal, 4);
