/* The signing service: see signer.h for the order of the phases and the promise that a
 * slashable type's signature exists only after its record is durable.
 *
 * The slashing check runs before the BLS signature (Web3Signer signs first and throws
 * the signature away on a refusal, reference/web3signer.md §1.1 step 5): a refused
 * message is then never signed at all, and a signature is never computed for a message
 * the store has not yet accepted. Throughput does not suffer, because slash_check_*
 * group-commits the checks of all threads waiting at the same time, and other threads
 * sign while one waits for its commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signer/signer.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure_mem.h"

struct signer {
	signer_config cfg;
	signer_metrics metrics;
};

ss_err signer_new(signer **out, const signer_config *cfg)
{
	*out = NULL;
	if (!cfg->net || !cfg->keys)
		return SS_ERR_INVALID;
	signer *s = calloc(1, sizeof *s);
	if (!s)
		return SS_ERR_NOMEM;
	s->cfg = *cfg;
	*out = s;
	return SS_OK;
}

void signer_free(signer *s) { free(s); }

signer_metrics *signer_get_metrics(signer *s) { return &s->metrics; }
const signer_config *signer_get_config(const signer *s) { return &s->cfg; }

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static signer_status finish(signer *s, signer_result *res, signer_status st,
			    signer_outcome outcome, uint64_t t0)
{
	size_t t = res->typed ? (size_t)res->type : SIGNER_TYPE_UNKNOWN;
	res->status = st;
	atomic_fetch_add_explicit(&s->metrics.requests[t][outcome], 1, memory_order_relaxed);
	signer_histogram_observe(&s->metrics.phase[t][SIGNER_PHASE_TOTAL], now_ns() - t0);
	return st;
}

static bool is_slashable(eth2_sign_type t)
{
	return t == ETH2_SIGN_BLOCK || t == ETH2_SIGN_BLOCK_V2 || t == ETH2_SIGN_ATTESTATION;
}

signer_status signer_sign(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			  const char *body, size_t len, uint8_t sig[SIGNER_SIGNATURE_BYTES],
			  signer_result *res)
{
	memset(sig, 0, SIGNER_SIGNATURE_BYTES);
	memset(res, 0, sizeof *res);
	uint64_t t0 = now_ns();

	/* 1. Parse and compute the signing root ourselves (DESIGN.md §1 step 2). */
	eth2_signing_request rq;
	eth2_error err;
	memset(&err, 0, sizeof err);
	if (eth2_parse_signing_request(s->cfg.net, body, len, &rq, &err) != SS_OK) {
		atomic_fetch_add_explicit(&s->metrics.malformed, 1, memory_order_relaxed);
		if (err.field[0])
			snprintf(res->message, sizeof res->message, "%s: %s", err.field,
				 err.message);
		else
			snprintf(res->message, sizeof res->message, "%s",
				 err.message[0] ? err.message : "malformed signing request");
		/* Web3Signer answers a wrong signingRoot and a semantic error with 500; they
		 * are the client's fault, so we answer 400 (docs/api.md lists the deviation). */
		return finish(s, res,
			      err.kind == ETH2_ERR_ROOT_MISMATCH ? SIGNER_ROOT_MISMATCH
								 : SIGNER_MALFORMED,
			      SIGNER_OUTCOME_BAD_REQUEST, t0);
	}
	res->type = rq.type;
	res->typed = true;
	uint64_t t1 = now_ns();
	signer_histogram_observe(&s->metrics.phase[rq.type][SIGNER_PHASE_PARSE], t1 - t0);

	/* 2. The key must be here before anything is recorded for it. */
	if (!keys_contains(s->cfg.keys, pubkey)) {
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return finish(s, res, SIGNER_NOT_FOUND, SIGNER_OUTCOME_NOT_FOUND, t0);
	}

	/* 3. Slashing check-and-record; returns ALLOWED only once durable. */
	if (s->cfg.slashing && is_slashable(rq.type)) {
		if (!rq.has_gvr) {
			snprintf(res->message, sizeof res->message,
				 "fork_info.genesis_validators_root is required");
			return finish(s, res, SIGNER_MALFORMED, SIGNER_OUTCOME_BAD_REQUEST, t0);
		}
		slash_reason why;
		memset(&why, 0, sizeof why);
		slash_decision d;
		if (rq.type == ETH2_SIGN_ATTESTATION)
			d = slash_check_attestation(s->cfg.slashing, pubkey,
						    rq.genesis_validators_root, rq.source_epoch,
						    rq.target_epoch, rq.signing_root, &why);
		else
			d = slash_check_block(s->cfg.slashing, pubkey, rq.genesis_validators_root,
					      rq.slot, rq.signing_root, &why);
		uint64_t t2 = now_ns();
		signer_histogram_observe(&s->metrics.phase[rq.type][SIGNER_PHASE_SLASHING],
					 t2 - t1);
		signer_histogram_observe(rq.type == ETH2_SIGN_ATTESTATION
						 ? &s->metrics.db_attestation
						 : &s->metrics.db_block,
					 t2 - t1);
		t1 = t2;
		if (d == SLASH_REFUSED) {
			atomic_fetch_add_explicit(&s->metrics.prevented, 1, memory_order_relaxed);
			snprintf(res->message, sizeof res->message, "Slashing protection: %s",
				 why.message[0] ? why.message : "refused");
			char pk[2 * SIGNER_PUBKEY_BYTES + 3];
			hex_encode(pk, pubkey, SIGNER_PUBKEY_BYTES, true);
			log_info("refused %s for %s: %s", eth2_sign_type_name(rq.type), pk,
				 res->message);
			return finish(s, res, SIGNER_REFUSED, SIGNER_OUTCOME_REFUSED, t0);
		}
		if (d != SLASH_ALLOWED) {
			snprintf(res->message, sizeof res->message,
				 "Slashing protection store failed: %s",
				 why.message[0] ? why.message : "unknown error");
			log_error("%s", res->message);
			return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, t0);
		}
		atomic_fetch_add_explicit(&s->metrics.permitted, 1, memory_order_relaxed);
	}

	/* 4. Sign the root we computed. */
	ss_err e = keys_sign(s->cfg.keys, pubkey, rq.signing_root, sizeof rq.signing_root, sig);
	uint64_t t3 = now_ns();
	signer_histogram_observe(&s->metrics.phase[rq.type][SIGNER_PHASE_SIGN], t3 - t1);
	if (e == SS_ERR_NOT_FOUND) {
		/* Deleted meanwhile; a record without a signature only adds protection. */
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return finish(s, res, SIGNER_NOT_FOUND, SIGNER_OUTCOME_NOT_FOUND, t0);
	}
	if (e != SS_OK) {
		memset(sig, 0, SIGNER_SIGNATURE_BYTES);
		snprintf(res->message, sizeof res->message, "Signing failed: %s",
			 ss_strerror(e));
		return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, t0);
	}
	signer_histogram_observe(&s->metrics.signing, t3 - t0);
	return finish(s, res, SIGNER_OK, SIGNER_OUTCOME_OK, t0);
}
