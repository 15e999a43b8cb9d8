#include "requests.h"

#include <stdbool.h>
#include <stdio.h>

#define R32 "0x1111111111111111111111111111111111111111111111111111111111111111"
#define R32B "0x2222222222222222222222222222222222222222222222222222222222222222"
#define SIG "0xa5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
#define PK "0x9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07"
#define GVR "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95"

/* mainnet slots: phase0, Altair (epoch 74240), Deneb (269568), Electra (364032) */
#define SLOT_PHASE0 "100"
#define SLOT_ALTAIR "2375690"
#define SLOT_DENEB "8626180"
#define SLOT_ELECTRA "11649030"

static json_t *fork_info(const char *prev, const char *cur, const char *epoch)
{
	return json_pack("{s:{s:s,s:s,s:s},s:s}", "fork", "previous_version", prev,
			 "current_version", cur, "epoch", epoch, "genesis_validators_root", GVR);
}

static json_t *request(const char *type, json_t *fi)
{
	json_t *r = json_pack("{s:s}", "type", type);
	if (fi)
		json_object_set_new(r, "fork_info", fi);
	return r;
}

static json_t *checkpoint(const char *epoch)
{
	return json_pack("{s:s,s:s}", "epoch", epoch, "root", R32B);
}

static json_t *att_data(const char *slot)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:o}", "slot", slot, "index", "3", "beacon_block_root",
			 R32, "source", checkpoint("2"), "target", checkpoint("3"));
}

static json_t *header(const char *slot)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "slot", slot, "proposer_index", "7",
			 "parent_root", R32, "state_root", R32B, "body_root", R32);
}

static json_t *indexed(void)
{
	return json_pack("{s:[s,s],s:o,s:s}", "attesting_indices", "1", "5", "data",
			 att_data(SLOT_PHASE0), "signature", SIG);
}

static json_t *body(bool altair)
{
	json_t *proof = json_array();
	for (int i = 0; i < 33; i++)
		json_array_append_new(proof, json_string(R32));
	json_t *b = json_pack(
		"{s:s,s:{s:s,s:s,s:s},s:s,"
		"s:[{s:{s:o,s:s},s:{s:o,s:s}}],"
		"s:[{s:o,s:o}],"
		"s:[{s:s,s:o,s:s}],"
		"s:[{s:o,s:{s:s,s:s,s:s,s:s}}],"
		"s:[{s:{s:s,s:s},s:s}]}",
		"randao_reveal", SIG, "eth1_data", "deposit_root", R32, "deposit_count", "9",
		"block_hash", R32B, "graffiti", R32,
		"proposer_slashings", "signed_header_1", "message", header("9"), "signature", SIG,
		"signed_header_2", "message", header("9"), "signature", SIG,
		"attester_slashings", "attestation_1", indexed(), "attestation_2", indexed(),
		"attestations", "aggregation_bits", "0x0f", "data", att_data(SLOT_PHASE0), "signature", SIG,
		"deposits", "proof", proof, "data", "pubkey", PK, "withdrawal_credentials", R32,
		"amount", "32000000000", "signature", SIG,
		"voluntary_exits", "message", "epoch", "1", "validator_index", "2", "signature", SIG);
	if (altair) {
		char bits[2 + 128 + 1] = "0x";
		for (int i = 0; i < 64; i++)
			snprintf(bits + 2 + 2 * i, 3, "%02x", i);
		json_object_set_new(b, "sync_aggregate", json_pack("{s:s,s:s}", "sync_committee_bits",
								   bits, "sync_committee_signature", SIG));
	}
	return b;
}

static json_t *block(const char *slot, bool altair)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o}", "slot", slot, "proposer_index", "7",
			 "parent_root", R32, "state_root", R32B, "body", body(altair));
}

static json_t *mk_block(void)
{
	json_t *r = request("BLOCK", fork_info("0x00000000", "0x00000000", "0"));
	json_object_set_new(r, "block", block(SLOT_PHASE0, false));
	return r;
}

static json_t *mk_block_v2_phase0(void)
{
	json_t *r = request("BLOCK_V2", fork_info("0x00000000", "0x00000000", "0"));
	json_object_set_new(r, "beacon_block", json_pack("{s:s,s:o}", "version", "PHASE0", "block",
							 block(SLOT_PHASE0, false)));
	return r;
}

static json_t *mk_block_v2_altair(void)
{
	json_t *r = request("BLOCK_V2", fork_info("0x00000000", "0x01000000", "74240"));
	json_object_set_new(r, "beacon_block", json_pack("{s:s,s:o}", "version", "ALTAIR", "block",
							 block(SLOT_ALTAIR, true)));
	return r;
}

static json_t *mk_block_v2_deneb(void)
{
	json_t *r = request("BLOCK_V2", fork_info("0x03000000", "0x04000000", "269568"));
	json_object_set_new(r, "beacon_block", json_pack("{s:s,s:o}", "version", "DENEB",
							 "block_header", header(SLOT_DENEB)));
	return r;
}

static json_t *mk_attestation(void)
{
	json_t *r = request("ATTESTATION", fork_info("0x00000000", "0x00000000", "0"));
	json_object_set_new(r, "attestation", att_data(SLOT_PHASE0));
	return r;
}

static json_t *mk_aggregation_slot(void)
{
	json_t *r = request("AGGREGATION_SLOT", fork_info("0x00000000", "0x00000000", "0"));
	json_object_set_new(r, "aggregation_slot", json_pack("{s:s}", "slot", SLOT_PHASE0));
	return r;
}

static json_t *mk_aggregate_phase0(void)
{
	json_t *r = request("AGGREGATE_AND_PROOF", fork_info("0x00000000", "0x00000000", "0"));
	json_object_set_new(r, "aggregate_and_proof",
			    json_pack("{s:s,s:{s:s,s:o,s:s},s:s}", "aggregator_index", "4", "aggregate",
				      "aggregation_bits", "0x0f03", "data", att_data(SLOT_PHASE0),
				      "signature", SIG, "selection_proof", SIG));
	return r;
}

static json_t *mk_aggregate_electra(void)
{
	json_t *r = request("AGGREGATE_AND_PROOF_V2", fork_info("0x04000000", "0x05000000", "364032"));
	json_object_set_new(r, "aggregate_and_proof",
			    json_pack("{s:s,s:{s:s,s:{s:s,s:o,s:s,s:s},s:s}}", "version", "ELECTRA",
				      "data", "aggregator_index", "4", "aggregate", "aggregation_bits",
				      "0x0f03", "data", att_data(SLOT_ELECTRA), "signature", SIG,
				      "committee_bits", "0x0400000000000000", "selection_proof", SIG));
	return r;
}

static json_t *mk_randao(void)
{
	json_t *r = request("RANDAO_REVEAL", fork_info("0x00000000", "0x00000000", "0"));
	json_object_set_new(r, "randao_reveal", json_pack("{s:s}", "epoch", "3"));
	return r;
}

static json_t *mk_exit(void)
{
	json_t *r = request("VOLUNTARY_EXIT", fork_info("0x04000000", "0x05000000", "364032"));
	json_object_set_new(r, "voluntary_exit", json_pack("{s:s,s:s}", "epoch", "364040",
							   "validator_index", "123"));
	return r;
}

static json_t *mk_deposit(void)
{
	json_t *r = request("DEPOSIT", NULL);
	json_object_set_new(r, "deposit", json_pack("{s:s,s:s,s:s,s:s}", "pubkey", PK,
						     "withdrawal_credentials", R32, "amount",
						     "32000000000", "genesis_fork_version", "0x00000000"));
	return r;
}

static json_t *mk_sync_message(void)
{
	json_t *r = request("SYNC_COMMITTEE_MESSAGE", fork_info("0x00000000", "0x01000000", "74240"));
	json_object_set_new(r, "sync_committee_message", json_pack("{s:s,s:s}", "beacon_block_root",
								   R32, "slot", SLOT_ALTAIR));
	return r;
}

static json_t *mk_sync_selection(void)
{
	json_t *r = request("SYNC_COMMITTEE_SELECTION_PROOF",
			    fork_info("0x00000000", "0x01000000", "74240"));
	json_object_set_new(r, "sync_aggregator_selection_data",
			    json_pack("{s:s,s:s}", "slot", SLOT_ALTAIR, "subcommittee_index", "1"));
	return r;
}

static json_t *mk_contribution(void)
{
	json_t *r = request("SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF",
			    fork_info("0x00000000", "0x01000000", "74240"));
	json_object_set_new(r, "contribution_and_proof",
			    json_pack("{s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s}}", "aggregator_index", "8",
				      "selection_proof", SIG, "contribution", "slot", SLOT_ALTAIR,
				      "beacon_block_root", R32, "subcommittee_index", "2",
				      "aggregation_bits", "0x0f000000000000000000000000000080",
				      "signature", SIG));
	return r;
}

static json_t *mk_registration(void)
{
	json_t *r = request("VALIDATOR_REGISTRATION", NULL);
	json_object_set_new(r, "validator_registration",
			    json_pack("{s:s,s:s,s:s,s:s}", "fee_recipient",
				      "0x4d496ccc28058b1d74b7a19541663e21154f9c84", "gas_limit", "36000000",
				      "timestamp", "1745000000", "pubkey", PK));
	return r;
}

const sample_request sample_requests[] = {
	{ "block", mk_block },
	{ "block_v2_phase0", mk_block_v2_phase0 },
	{ "block_v2_altair", mk_block_v2_altair },
	{ "block_v2_deneb", mk_block_v2_deneb },
	{ "attestation", mk_attestation },
	{ "aggregation_slot", mk_aggregation_slot },
	{ "aggregate_and_proof_phase0", mk_aggregate_phase0 },
	{ "aggregate_and_proof_v2_electra", mk_aggregate_electra },
	{ "randao_reveal", mk_randao },
	{ "voluntary_exit", mk_exit },
	{ "deposit", mk_deposit },
	{ "sync_committee_message", mk_sync_message },
	{ "sync_committee_selection_proof", mk_sync_selection },
	{ "contribution_and_proof", mk_contribution },
	{ "validator_registration", mk_registration },
	{ NULL, NULL },
};
