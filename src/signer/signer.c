/* The signing service: see signer.h for the order of the phases and the promise that a
 * slashable type's signature exists only after its record is durable.
 *
 * For BLOCK, BLOCK_V2 and ATTESTATION the check-and-record is handed to a commit
 * waiter (commit_pool.c) and the BLS signature is computed meanwhile, so a request costs
 * max(sign, commit) rather than their sum; slash_check_* group-commits the checks of
 * all waiting requests in one transaction and one fsync. signer_sign waits for the
 * commit; signer_sign_async lets the caller park the request and answers from whichever
 * side finishes second. Either way the signature is released only once the record is
 * durable, and wiped on a refusal (Web3Signer also signs before its check,
 * reference/web3signer.md §1.1 step 5, but the key must be known first here, so nothing
 * is recorded for an unknown key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signer/commit_pool.h"
#include "signer/hash_cache.h"
#include "signer/signer.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure_mem.h"

struct signer {
	signer_config cfg;
	signer_metrics metrics;
	signer_commit_pool pool; /* started when slashing protection is on */
	bool pool_on;
	hash_cache hashes; /* H(signing root), shared by every key that signs the root */
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
	ss_err e = hash_cache_init(&s->hashes, cfg->hash_cache_sets, cfg->hash_cache_ways);
	if (e != SS_OK) {
		free(s);
		return e;
	}
	if (cfg->slashing) {
		unsigned n = cfg->commit_threads ? cfg->commit_threads
						 : SIGNER_DEFAULT_COMMIT_THREADS;
		if (signer_commit_pool_start(&s->pool, cfg->slashing, n) != SS_OK) {
			hash_cache_destroy(&s->hashes);
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
	hash_cache_destroy(&s->hashes);
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

/* Steps 1-2, shared by both entry points: parse and compute the signing root, then the
 * key must be known before anything is recorded for it. Returns SIGNER_OK to go on, or
 * the final status (already counted). */
static signer_status check(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			   const char *body, size_t len, eth2_signing_request *rq,
			   signer_result *res, uint64_t t0, uint64_t *t1)
{
	eth2_error err;
	memset(&err, 0, sizeof err);
	if (eth2_parse_signing_request(s->cfg.net, body, len, rq, &err) != SS_OK) {
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
	res->type = rq->type;
	res->typed = true;
	*t1 = now_ns();
	signer_histogram_observe(&s->metrics.phase[rq->type][SIGNER_PHASE_PARSE], *t1 - t0);
	if (!keys_contains(s->cfg.keys, pubkey)) {
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return finish(s, res, SIGNER_NOT_FOUND, SIGNER_OUTCOME_NOT_FOUND, t0);
	}
	if (s->cfg.slashing && is_slashable(rq->type) && !rq->has_gvr) {
		snprintf(res->message, sizeof res->message,
			 "fork_info.genesis_validators_root is required");
		return finish(s, res, SIGNER_MALFORMED, SIGNER_OUTCOME_BAD_REQUEST, t0);
	}
	return SIGNER_OK;
}

static void fill_job(signer_commit_job *job, const uint8_t *pubkey,
		     const eth2_signing_request *rq)
{
	memset(job, 0, sizeof *job);
	job->attestation = rq->type == ETH2_SIGN_ATTESTATION;
	memcpy(job->pubkey, pubkey, sizeof job->pubkey);
	memcpy(job->gvr, rq->genesis_validators_root, sizeof job->gvr);
	memcpy(job->root, rq->signing_root, sizeof job->root);
	job->slot = rq->slot;
	job->source = rq->source_epoch;
	job->target = rq->target_epoch;
}

/* The end of a request, once the signature (sign_err, sig) and, for a slashable type,
 * the durable decision (job, commit_ns) are both in: the signature is released only on
 * SLASH_ALLOWED and wiped otherwise. */
static signer_status conclude(signer *s, eth2_sign_type type, const uint8_t *pubkey,
			      const signer_commit_job *job, uint64_t commit_ns, ss_err sign_err,
			      uint8_t sig[SIGNER_SIGNATURE_BYTES], signer_result *res, uint64_t t0)
{
	if (job) {
		signer_histogram_observe(&s->metrics.phase[type][SIGNER_PHASE_SLASHING], commit_ns);
		signer_histogram_observe(job->attestation ? &s->metrics.db_attestation
							  : &s->metrics.db_block,
					 commit_ns);
		if (job->decision != SLASH_ALLOWED) {
			secure_zero(sig, SIGNER_SIGNATURE_BYTES);
			if (job->decision == SLASH_REFUSED) {
				atomic_fetch_add_explicit(&s->metrics.prevented, 1,
							  memory_order_relaxed);
				snprintf(res->message, sizeof res->message,
					 "Slashing protection: %s",
					 job->why.message[0] ? job->why.message : "refused");
				char pk[2 * SIGNER_PUBKEY_BYTES + 3];
				hex_encode(pk, pubkey, SIGNER_PUBKEY_BYTES, true);
				log_info("refused %s for %s: %s", eth2_sign_type_name(type), pk,
					 res->message);
				return finish(s, res, SIGNER_REFUSED, SIGNER_OUTCOME_REFUSED, t0);
			}
			snprintf(res->message, sizeof res->message,
				 "Slashing protection store failed: %s",
				 job->why.message[0] ? job->why.message : "unknown error");
			log_error("%s", res->message);
			return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, t0);
		}
		atomic_fetch_add_explicit(&s->metrics.permitted, 1, memory_order_relaxed);
	}
	if (sign_err == SS_ERR_NOT_FOUND) {
		/* Deleted meanwhile; a record without a signature only adds protection. */
		secure_zero(sig, SIGNER_SIGNATURE_BYTES);
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return finish(s, res, SIGNER_NOT_FOUND, SIGNER_OUTCOME_NOT_FOUND, t0);
	}
	if (sign_err != SS_OK) {
		secure_zero(sig, SIGNER_SIGNATURE_BYTES);
		snprintf(res->message, sizeof res->message, "Signing failed: %s",
			 ss_strerror(sign_err));
		return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, t0);
	}
	signer_histogram_observe(&s->metrics.signing, now_ns() - t0);
	return finish(s, res, SIGNER_OK, SIGNER_OUTCOME_OK, t0);
}

static ss_err sign_timed(signer *s, const uint8_t *pubkey, const eth2_signing_request *rq,
			 uint8_t sig[SIGNER_SIGNATURE_BYTES], uint64_t t1)
{
	/* Every signing type signs a 32-byte signing root, and in a burst many keys sign
	 * the same one: hash_to_G2 of it comes from the cache (public data only), and only
	 * the constant-time scalar multiplication is done per key. Byte for byte the
	 * signature keys_sign would give (tests/api/test_hash_cache.c). */
	_Static_assert(sizeof rq->signing_root == HASH_CACHE_ROOT_BYTES, "32-byte roots");
	bls_hashed_message h;
	bool hit = hash_cache_get(&s->hashes, rq->signing_root, &h);
	atomic_fetch_add_explicit(hit ? &s->metrics.hash_cache_hits : &s->metrics.hash_cache_misses,
				  1, memory_order_relaxed);
	ss_err e = keys_sign_hashed(s->cfg.keys, pubkey, &h, sig);
	signer_histogram_observe(&s->metrics.phase[rq->type][SIGNER_PHASE_SIGN], now_ns() - t1);
	return e;
}

/* The front half of both entry points: clears the outputs, runs check(), and finishes a
 * type that needs no slashing record right here. Returns true when the request goes on
 * to a commit (rq, t0, t1 filled); false with the final status in *st otherwise. */
static bool front(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES], const char *body,
		  size_t len, uint8_t sig[SIGNER_SIGNATURE_BYTES], signer_result *res,
		  eth2_signing_request *rq, uint64_t *t0, uint64_t *t1, signer_status *st)
{
	memset(sig, 0, SIGNER_SIGNATURE_BYTES);
	memset(res, 0, sizeof *res);
	*t0 = *t1 = now_ns();
	*st = check(s, pubkey, body, len, rq, res, *t0, t1);
	if (*st != SIGNER_OK)
		return false;
	if (s->cfg.slashing && is_slashable(rq->type))
		return true;
	*st = conclude(s, rq->type, pubkey, NULL, 0, sign_timed(s, pubkey, rq, sig, *t1), sig,
		       res, *t0);
	return false;
}

/* Steps 3 and 4 in the calling thread: the check-and-record on a commit waiter while
 * this thread signs, then wait for it. */
static signer_status sign_and_commit(signer *s, const uint8_t *pubkey,
				     const eth2_signing_request *rq,
				     uint8_t sig[SIGNER_SIGNATURE_BYTES], signer_result *res,
				     uint64_t t0, uint64_t t1)
{
	signer_commit_job job;
	fill_job(&job, pubkey, rq);
	signer_commit_pool_submit(&s->pool, &job);
	ss_err e = sign_timed(s, pubkey, rq, sig, t1);
	signer_commit_pool_wait(&s->pool, &job);
	return conclude(s, rq->type, pubkey, &job, now_ns() - t1, e, sig, res, t0);
}

signer_status signer_sign(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			  const char *body, size_t len, uint8_t sig[SIGNER_SIGNATURE_BYTES],
			  signer_result *res)
{
	uint64_t t0, t1;
	eth2_signing_request rq;
	signer_status st;
	if (!front(s, pubkey, body, len, sig, res, &rq, &t0, &t1, &st))
		return st;
	return sign_and_commit(s, pubkey, &rq, sig, res, t0, t1);
}

/* One asynchronous slashable request: whichever of the signing thread and the commit
 * waiter finishes second concludes it and calls done. */
typedef struct {
	signer_commit_job job; /* first: the waiter hands back this address */
	signer *s;
	eth2_sign_type type;
	uint8_t pubkey[SIGNER_PUBKEY_BYTES];
	uint8_t sig[SIGNER_SIGNATURE_BYTES];
	ss_err sign_err;
	uint64_t t0, t1, commit_ns;
	_Atomic int pending; /* 2: signature and commit */
	signer_done_fn done;
	void *ctx;
} signer_op;

static void op_finish(signer_op *op)
{
	signer_result res;
	memset(&res, 0, sizeof res);
	res.type = op->type;
	res.typed = true;
	signer_status st = conclude(op->s, op->type, op->pubkey, &op->job, op->commit_ns,
				    op->sign_err, op->sig, &res, op->t0);
	op->done(op->ctx, st, op->sig, &res);
	secure_zero(op, sizeof *op);
	free(op);
}

static void op_commit_done(signer_commit_job *job)
{
	signer_op *op = job->ctx;
	op->commit_ns = now_ns() - op->t1;
	if (atomic_fetch_sub(&op->pending, 1) == 1)
		op_finish(op);
}

signer_status signer_sign_async(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
				const char *body, size_t len, signer_defer_fn defer,
				signer_done_fn done, void *ctx,
				uint8_t sig[SIGNER_SIGNATURE_BYTES], signer_result *res)
{
	uint64_t t0, t1;
	eth2_signing_request rq;
	signer_status st;
	if (!front(s, pubkey, body, len, sig, res, &rq, &t0, &t1, &st))
		return st;
	signer_op *op = calloc(1, sizeof *op);
	if (!op) /* no memory for the asynchronous path: do it in this thread */
		return sign_and_commit(s, pubkey, &rq, sig, res, t0, t1);
	fill_job(&op->job, pubkey, &rq);
	op->job.on_done = op_commit_done;
	op->job.ctx = op;
	op->s = s;
	op->type = rq.type;
	memcpy(op->pubkey, pubkey, sizeof op->pubkey);
	op->t0 = t0;
	op->t1 = t1;
	op->done = done;
	op->ctx = ctx;
	atomic_store(&op->pending, 2);
	defer(ctx); /* before the commit can complete and call done */
	signer_commit_pool_submit(&s->pool, &op->job);
	op->sign_err = sign_timed(s, pubkey, &rq, op->sig, t1);
	if (atomic_fetch_sub(&op->pending, 1) == 1)
		op_finish(op);
	return SIGNER_PENDING;
}
