/* The signing service: see signer.h for the order of the phases and the promise that a
 * slashable type's signature exists only after its record is durable.
 *
 * For BLOCK, BLOCK_V2 and ATTESTATION the check-and-record is handed to a commit
 * waiter (commit_pool.c) and the BLS signature is computed meanwhile, so a request costs
 * max(sign, commit) rather than their sum; slash_check_* group-commits the checks of
 * all waiting threads in one transaction and one fsync. The signature is released only
 * once the record is durable, and wiped on a refusal (Web3Signer also signs before its
 * check, reference/web3signer.md §1.1 step 5, but the key must be known first here, so
 * nothing is recorded for an unknown key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signer/commit_pool.h"
#include "signer/signer.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure_mem.h"

struct signer {
	signer_config cfg;
	signer_metrics metrics;
	signer_commit_pool pool; /* started when slashing protection is on */
	bool pool_on;
};

/* Enough waiters for every request thread to have its commit in flight at once. */
#define SIGNER_DEFAULT_COMMIT_THREADS 16u

ss_err signer_new(signer **out, const signer_config *cfg)
{
	*out = NULL;
	if (!cfg->net || !cfg->keys)
		return SS_ERR_INVALID;
	signer *s = calloc(1, sizeof *s);
	if (!s)
		return SS_ERR_NOMEM;
	s->cfg = *cfg;
	if (cfg->slashing) {
		unsigned n = cfg->commit_threads ? cfg->commit_threads
						 : SIGNER_DEFAULT_COMMIT_THREADS;
		if (signer_commit_pool_start(&s->pool, cfg->slashing, n) != SS_OK) {
			free(s);
			return SS_ERR_NOMEM;
		}
		s->pool_on = true;
	}
	*out = s;
	return SS_OK;
}

void signer_free(signer *s)
{
	if (!s)
		return;
	if (s->pool_on)
		signer_commit_pool_stop(&s->pool);
	free(s);
}

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

	/* 3 and 4. Slashing check-and-record (ALLOWED only once durable) on a commit
	 * waiter, while this thread computes the signature; the signature leaves only
	 * after ALLOWED, and is wiped otherwise. */
	bool slashable = s->cfg.slashing && is_slashable(rq.type);
	signer_commit_job job;
	if (slashable) {
		if (!rq.has_gvr) {
			snprintf(res->message, sizeof res->message,
				 "fork_info.genesis_validators_root is required");
			return finish(s, res, SIGNER_MALFORMED, SIGNER_OUTCOME_BAD_REQUEST, t0);
		}
		memset(&job, 0, sizeof job);
		job.attestation = rq.type == ETH2_SIGN_ATTESTATION;
		memcpy(job.pubkey, pubkey, sizeof job.pubkey);
		memcpy(job.gvr, rq.genesis_validators_root, sizeof job.gvr);
		memcpy(job.root, rq.signing_root, sizeof job.root);
		job.slot = rq.slot;
		job.source = rq.source_epoch;
		job.target = rq.target_epoch;
		signer_commit_pool_submit(&s->pool, &job);
	}
	ss_err e = keys_sign(s->cfg.keys, pubkey, rq.signing_root, sizeof rq.signing_root, sig);
	uint64_t t3 = now_ns();
	signer_histogram_observe(&s->metrics.phase[rq.type][SIGNER_PHASE_SIGN], t3 - t1);
	if (slashable) {
		signer_commit_pool_wait(&s->pool, &job);
		uint64_t t2 = now_ns();
		signer_histogram_observe(&s->metrics.phase[rq.type][SIGNER_PHASE_SLASHING],
					 t2 - t1);
		signer_histogram_observe(job.attestation ? &s->metrics.db_attestation
							 : &s->metrics.db_block,
					 t2 - t1);
		if (job.decision != SLASH_ALLOWED) {
			secure_zero(sig, SIGNER_SIGNATURE_BYTES);
			if (job.decision == SLASH_REFUSED) {
				atomic_fetch_add_explicit(&s->metrics.prevented, 1,
							  memory_order_relaxed);
				snprintf(res->message, sizeof res->message,
					 "Slashing protection: %s",
					 job.why.message[0] ? job.why.message : "refused");
				char pk[2 * SIGNER_PUBKEY_BYTES + 3];
				hex_encode(pk, pubkey, SIGNER_PUBKEY_BYTES, true);
				log_info("refused %s for %s: %s", eth2_sign_type_name(rq.type), pk,
					 res->message);
				return finish(s, res, SIGNER_REFUSED, SIGNER_OUTCOME_REFUSED, t0);
			}
			snprintf(res->message, sizeof res->message,
				 "Slashing protection store failed: %s",
				 job.why.message[0] ? job.why.message : "unknown error");
			log_error("%s", res->message);
			return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, t0);
		}
		atomic_fetch_add_explicit(&s->metrics.permitted, 1, memory_order_relaxed);
	}
	if (e == SS_ERR_NOT_FOUND) {
		/* Deleted meanwhile; a record without a signature only adds protection. */
		secure_zero(sig, SIGNER_SIGNATURE_BYTES);
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return finish(s, res, SIGNER_NOT_FOUND, SIGNER_OUTCOME_NOT_FOUND, t0);
	}
	if (e != SS_OK) {
		secure_zero(sig, SIGNER_SIGNATURE_BYTES);
		snprintf(res->message, sizeof res->message, "Signing failed: %s",
			 ss_strerror(e));
		return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, t0);
	}
	t3 = now_ns();
	signer_histogram_observe(&s->metrics.signing, t3 - t0);
	return finish(s, res, SIGNER_OK, SIGNER_OUTCOME_OK, t0);
}
