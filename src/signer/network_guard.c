/* Network checks: the request belongs to the configured chain, and its slot or epochs
 * are not far ahead of the chain's clock.
 *
 * Why refuse a far-future slot or epoch: slashing protection records it, and EIP-3076
 * then refuses everything at or below it for that validator. One request with target
 * epoch 2^40 (a buggy or compromised client, a wrong clock) would lock the validator
 * out until the chain reaches that epoch; the request is refused before the slashing
 * check so nothing is recorded. The clock is the consensus-specs one
 * (phase0 fork-choice.md get_current_slot: (time - genesis_time) / SECONDS_PER_SLOT,
 * in milliseconds since SLOT_DURATION_MS replaced it;
 * compute_epoch_at_slot: slot / SLOTS_PER_EPOCH). */
#include <stdio.h>
#include <string.h>

#include "signer/network_guard.h"
#include "util/hex.h"

bool signer_guard_gvr(const signer_config *cfg, const eth2_signing_request *rq, char *msg,
		      size_t cap)
{
	if (!cfg->check_gvr || !rq->has_gvr ||
	    memcmp(rq->genesis_validators_root, cfg->gvr, sizeof cfg->gvr) == 0)
		return true;
	char want[2 * ETH2_ROOT_BYTES + 3], got[2 * ETH2_ROOT_BYTES + 3];
	hex_encode(want, cfg->gvr, ETH2_ROOT_BYTES, true);
	hex_encode(got, rq->genesis_validators_root, ETH2_ROOT_BYTES, true);
	snprintf(msg, cap,
		 "fork_info.genesis_validators_root: expected %s (the %s network), received %s",
		 want, eth2_network_name(cfg->net), got);
	return false;
}

bool signer_guard_future(const signer_config *cfg, const eth2_signing_request *rq,
			 uint64_t now_unix, char *msg, size_t cap)
{
	if (!cfg->check_future)
		return true;
	const uint64_t spe = eth2_network_slots_per_epoch(cfg->net);
	const uint64_t slot_ms = eth2_network_slot_duration_ms(cfg->net);
	/* Before genesis the current epoch is 0 (get_current_slot is not defined yet; a
	 * client preparing for genesis signs epoch 0 and 1). Seconds since genesis times
	 * 1000 stays far below 2^64 for any real clock. */
	uint64_t current = now_unix > cfg->genesis_time
				   ? (now_unix - cfg->genesis_time) * 1000 / slot_ms / spe
				   : 0;
	uint64_t limit = current + cfg->future_epoch_tolerance;
	if (limit < current) /* a huge tolerance: no limit */
		return true;
	const char *what;
	uint64_t epoch, value;
	if (rq->type == ETH2_SIGN_BLOCK || rq->type == ETH2_SIGN_BLOCK_V2) {
		epoch = rq->slot / spe;
		value = rq->slot;
		what = "block slot";
	} else if (rq->type == ETH2_SIGN_ATTESTATION) {
		bool src = rq->source_epoch > rq->target_epoch;
		epoch = src ? rq->source_epoch : rq->target_epoch;
		value = epoch;
		what = src ? "attestation source epoch" : "attestation target epoch";
	} else {
		return true;
	}
	if (epoch <= limit)
		return true;
	snprintf(msg, cap,
		 "%s %llu is in epoch %llu, more than %llu epochs after the current epoch %llu "
		 "of the %s network (genesis time %llu, wall clock %llu): refused as a "
		 "far-future message, nothing was recorded",
		 what, (unsigned long long)value, (unsigned long long)epoch,
		 (unsigned long long)cfg->future_epoch_tolerance, (unsigned long long)current,
		 eth2_network_name(cfg->net), (unsigned long long)cfg->genesis_time,
		 (unsigned long long)now_unix);
	return false;
}
