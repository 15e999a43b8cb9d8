/* The signing service: see signer.h for the order of the phases and the promise that a
 * slashable type's signature exists only after its record is durable.
 *
 * A parsed request for a known key becomes an operation (signer_op) with up to two
 * halves running at once: its BLS signature on the signing queue (one thread per CPU,
 * first in first out, so a slot's burst is signed in arrival order on every core
 * whichever server thread received it), and, for BLOCK, BLOCK_V2 and ATTESTATION, its
 * check-and-record handed to the slashing writer (slash_check_async), which group-commits
 * the checks of all waiting requests in one transaction and one fsync. A request costs
 * max(sign, commit) rather than their sum, and no thread waits for either. Whichever half
 * finishes second concludes the operation: the signature is released only on
 * SLASH_ALLOWED and wiped otherwise (Web3Signer also signs before its check,
 * reference/web3signer.md §1.1 step 5, but the key must be known first here, so nothing
 * is recorded for an unknown key). */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signer/hash_cache.h"
#include "signer/network_guard.h"
#include "signer/signer.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mono_clock.h"
#include "util/secure_mem.h"
#include "util/work_queue.h"

struct signer {
	signer_config cfg;
	signer_metrics metrics;
	work_queue signing; /* BLS signatures */
	hash_cache hashes;  /* H(signing root), shared by every key that signs the root */
	/* Operations started and not yet answered; signer_free waits for none. */
	pthread_mutex_t ops_mu;
	pthread_cond_t ops_idle;
	uint64_t ops_in_flight;
};

/* Requests a signing thread takes at once (sign_batch): one field inversion for them all
 * saves 7/8 of the inversions at 8, and 8 table signatures are under 1 ms, so no
 * request waits long for the others of its batch. */
#define SIGNER_SIGN_BATCH 8
static void sign_batch(work_item *items);

ss_err signer_new(signer **out, const signer_config *cfg)
{
	*out = NULL;
	if (!cfg->net || !cfg->keys)
		return SS_ERR_INVALID;
	/* the network clock divides by both (a loaded network has validated them) */
	if (cfg->check_future && (eth2_network_slot_duration_ms(cfg->net) == 0 ||
				  eth2_network_slots_per_epoch(cfg->net) == 0))
		return SS_ERR_INVALID;
	signer *s = calloc(1, sizeof *s);
	if (!s)
		return SS_ERR_NOMEM;
	s->cfg = *cfg;
	if (!s->cfg.signing_threads)
		s->cfg.signing_threads = work_queue_cpus();
	ss_err e = hash_cache_init(&s->hashes, cfg->hash_cache_sets, cfg->hash_cache_ways);
	if (e != SS_OK) {
		free(s);
		return e;
	}
	e = work_queue_start_batched(&s->signing, s->cfg.signing_threads, "ss-sign",
				     SIGNER_SIGN_BATCH, sign_batch);
	if (e != SS_OK) {
		hash_cache_destroy(&s->hashes);
		free(s);
		return e;
	}
	pthread_mutex_init(&s->ops_mu, NULL);
	pthread_cond_init(&s->ops_idle, NULL);
	*out = s;
	return SS_OK;
}

/* Operations still in flight are answered first: both of their halves need the signing
 * threads and the slashing writer, so this waits before stopping the one, and the
 * caller closes the slashing store only after this returns. */
void signer_free(signer *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->ops_mu);
	while (s->ops_in_flight)
		pthread_cond_wait(&s->ops_idle, &s->ops_mu);
	pthread_mutex_unlock(&s->ops_mu);
	work_queue_stop(&s->signing);
	pthread_mutex_destroy(&s->ops_mu);
	pthread_cond_destroy(&s->ops_idle);
	hash_cache_destroy(&s->hashes);
	free(s);
}

signer_metrics *signer_get_metrics(signer *s) { return &s->metrics; }

uint64_t signer_in_flight(signer *s)
{
	pthread_mutex_lock(&s->ops_mu);
	uint64_t n = s->ops_in_flight;
	pthread_mutex_unlock(&s->ops_mu);
	return n;
}
unsigned signer_signing_threads(const signer *s) { return s->cfg.signing_threads; }

static signer_status finish(signer *s, signer_result *res, signer_status st,
			    signer_outcome outcome, uint64_t t0)
{
	size_t t = res->typed ? (size_t)res->type : SIGNER_TYPE_UNKNOWN;
	res->status = st;
	atomic_fetch_add_explicit(&s->metrics.requests[t][outcome], 1, memory_order_relaxed);
	signer_histogram_observe(&s->metrics.phase[t][SIGNER_PHASE_TOTAL], mono_ns() - t0);
	return st;
}

static bool is_slashable(eth2_sign_type t)
{
	return t == ETH2_SIGN_BLOCK || t == ETH2_SIGN_BLOCK_V2 || t == ETH2_SIGN_ATTESTATION;
}

/* A refusal to sign (412) with res->message set: a slashing-protection refusal, or a
 * far-future slot or epoch refused before it could be recorded. Counted in
 * eth2_slashingprotection_prevented_signings and logged with the key. */
static signer_status refuse(signer *s, eth2_sign_type type, const uint8_t *pubkey,
			    signer_result *res, uint64_t t0)
{
	atomic_fetch_add_explicit(&s->metrics.prevented, 1, memory_order_relaxed);
	char pk[2 * SIGNER_PUBKEY_BYTES + 3];
	hex_encode(pk, pubkey, SIGNER_PUBKEY_BYTES, true);
	log_info("refused %s for %s: %s", eth2_sign_type_name(type), pk, res->message);
	return finish(s, res, SIGNER_REFUSED, SIGNER_OUTCOME_REFUSED, t0);
}

/* Step 1: parse and compute the signing root. Returns SIGNER_OK to go on, or the final
 * status (already counted). */
static signer_status parse(signer *s, const char *body, size_t len, eth2_signing_request *rq,
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
	*t1 = mono_ns();
	signer_histogram_observe(&s->metrics.phase[rq->type][SIGNER_PHASE_PARSE], *t1 - t0);
	return SIGNER_OK;
}

/* Step 2, for a parsed request: the network checks, and the key must be known before
 * anything is recorded for it. Returns SIGNER_OK to go on, or the final status (already
 * counted). */
static signer_status check(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			   const eth2_signing_request *rq, signer_result *res, uint64_t t0)
{
	res->type = rq->type;
	res->typed = true;
	/* Another chain's message is the client's mistake (400), whatever its type: a
	 * signature for it is never wanted, and for a slashable type the store would
	 * otherwise be pinned to, or refuse with 412 against, the wrong chain. */
	if (!signer_guard_gvr(&s->cfg, rq, res->message, sizeof res->message))
		return finish(s, res, SIGNER_MALFORMED, SIGNER_OUTCOME_BAD_REQUEST, t0);
	if (!keys_contains(s->cfg.keys, pubkey)) {
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return finish(s, res, SIGNER_NOT_FOUND, SIGNER_OUTCOME_NOT_FOUND, t0);
	}
	/* remote-signing-api PR #29: GENERIC must refuse the proposer and attester domains
	 * while slashing protection is on; so must it every domain whose typed request has
	 * rules of its own (eth2_generic_domain_protected), or a GENERIC root would go round
	 * them. Without slashing protection the operator has chosen to sign anything. */
	if (s->cfg.slashing && rq->type == ETH2_SIGN_GENERIC &&
	    eth2_generic_domain_protected(rq->domain)) {
		snprintf(res->message, sizeof res->message,
			 "GENERIC signing under domain type 0x%02x%02x%02x%02x is refused while "
			 "slashing protection is on: use its typed request",
			 rq->domain[0], rq->domain[1], rq->domain[2], rq->domain[3]);
		return finish(s, res, SIGNER_REFUSED, SIGNER_OUTCOME_REFUSED, t0);
	}
	if (s->cfg.slashing && is_slashable(rq->type) && !rq->has_gvr) {
		snprintf(res->message, sizeof res->message,
			 "fork_info.genesis_validators_root is required");
		return finish(s, res, SIGNER_MALFORMED, SIGNER_OUTCOME_BAD_REQUEST, t0);
	}
	/* Before the slashing check, so that a far-future slot or epoch is never recorded
	 * (it would lock the validator out until the chain got there). A refusal to sign,
	 * as slashing protection's: 412. */
	if (!signer_guard_future(&s->cfg, rq, (uint64_t)time(NULL), res->message,
				 sizeof res->message)) {
		return refuse(s, rq->type, pubkey, res, t0);
	}
	return SIGNER_OK;
}

/* One request past its checks: its two halves and what they produce. */
typedef struct {
	work_item sign_item;
	signer *s;
	eth2_sign_type type;
	bool slashable;
	uint8_t pubkey[SIGNER_PUBKEY_BYTES];
	uint8_t signing_root[32];
	/* the signing half */
	uint8_t sig[SIGNER_SIGNATURE_BYTES];
	ss_err sign_err;
	/* the commit half */
	uint64_t ticket; /* the held check's, released when the signature starts */
	slash_decision decision;
	slash_reason why;
	uint64_t t0, t1, commit_ns;
	_Atomic int pending; /* halves still running */
	signer_done_fn done;
	void *ctx;
} signer_op;

/* The end of a request, once both halves are in: the signature is released only on
 * SLASH_ALLOWED and wiped otherwise. */
static signer_status conclude(signer_op *op, signer_result *res)
{
	signer *s = op->s;
	eth2_sign_type type = op->type;
	if (op->slashable) {
		signer_histogram_observe(&s->metrics.phase[type][SIGNER_PHASE_SLASHING],
					 op->commit_ns);
		signer_histogram_observe(type == ETH2_SIGN_ATTESTATION ? &s->metrics.db_attestation
								       : &s->metrics.db_block,
					 op->commit_ns);
		if (op->decision != SLASH_ALLOWED) {
			secure_zero(op->sig, sizeof op->sig);
			if (op->decision == SLASH_REFUSED) {
				snprintf(res->message, sizeof res->message,
					 "Slashing protection: %s",
					 op->why.message[0] ? op->why.message : "refused");
				return refuse(s, type, op->pubkey, res, op->t0);
			}
			snprintf(res->message, sizeof res->message,
				 "Slashing protection store failed: %s",
				 op->why.message[0] ? op->why.message : "unknown error");
			log_error("%s", res->message);
			return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, op->t0);
		}
		atomic_fetch_add_explicit(&s->metrics.permitted, 1, memory_order_relaxed);
	}
	if (op->sign_err == SS_ERR_NOT_FOUND) {
		/* Deleted meanwhile; a record without a signature only adds protection. */
		secure_zero(op->sig, sizeof op->sig);
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return finish(s, res, SIGNER_NOT_FOUND, SIGNER_OUTCOME_NOT_FOUND, op->t0);
	}
	if (op->sign_err != SS_OK) {
		secure_zero(op->sig, sizeof op->sig);
		snprintf(res->message, sizeof res->message, "Signing failed: %s",
			 ss_strerror(op->sign_err));
		return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, op->t0);
	}
	signer_histogram_observe(&s->metrics.signing, mono_ns() - op->t0);
	return finish(s, res, SIGNER_OK, SIGNER_OUTCOME_OK, op->t0);
}

/* Called by each half as it ends; the second one concludes and answers. */
static void op_half_done(signer_op *op)
{
	if (atomic_fetch_sub(&op->pending, 1) != 1)
		return;
	signer_result res;
	memset(&res, 0, sizeof res);
	res.type = op->type;
	res.typed = true;
	signer_status st = conclude(op, &res);
	op->done(op->ctx, st, op->sig, &res);
	signer *s = op->s;
	secure_zero(op, sizeof *op);
	free(op);
	/* Counted out only once answered, so signer_free returns after every answer (and a
	 * scrape right after an answer may still count it, for a few microseconds). */
	pthread_mutex_lock(&s->ops_mu);
	if (--s->ops_in_flight == 0)
		pthread_cond_broadcast(&s->ops_idle);
	pthread_mutex_unlock(&s->ops_mu);
}

/* The signing half, on a signing thread, for up to SIGNER_SIGN_BATCH requests taken
 * from the queue together (work_queue_start_batched takes an even share of what is
 * queued, so a lone request goes alone and the other thread is never starved). Every
 * signing type signs a 32-byte signing root, and in a burst many keys sign the same
 * one: hash_to_G2 of it comes from the cache (public data only), with its fixed-base
 * table once enough keys signed it, and only the constant-time scalar multiplication is
 * done per key; the batch's signatures are then made affine with one field inversion
 * (keys_sign_many), which is about a fifth of a table signature. Byte for byte the
 * signatures keys_sign would give (tests/signer/test_hash_cache.c,
 * tests/api/test_fixed_base_http.c). */
static void sign_batch(work_item *items)
{
	signer_op *op[SIGNER_SIGN_BATCH] = { NULL };
	hash_cache_use use[SIGNER_SIGN_BATCH];
	keys_sign_request rq[SIGNER_SIGN_BATCH];
	unsigned n = 0;
	/* the queue hands at most SIGNER_SIGN_BATCH, and at least one */
	for (work_item *it = items; it != NULL && n < SIGNER_SIGN_BATCH; it = it->next)
		op[n++] = (signer_op *)(void *)((char *)it - offsetof(signer_op, sign_item));
	signer *s = op[0]->s;
	atomic_fetch_add_explicit(&s->metrics.sign_batches, 1, memory_order_relaxed);
	uint64_t t = mono_ns(), ticket = 0;
	for (unsigned i = 0; i < n; i++)
		if (op[i]->slashable && op[i]->ticket > ticket)
			ticket = op[i]->ticket;
	/* The checks waited for this moment to join the writer's next transaction,
	 * together with those behind them, and commit while these sign. */
	if (ticket)
		slash_release(s->cfg.slashing, ticket);
	_Static_assert(sizeof op[0]->signing_root == HASH_CACHE_ROOT_BYTES, "32-byte roots");
	for (unsigned i = 0; i < n; i++) {
		signer_histogram_observe(&s->metrics.phase[op[i]->type][SIGNER_PHASE_QUEUE],
					 t - op[i]->t1);
		/* H(root) from the cache, and its fixed-base table once enough keys signed it */
		hash_cache_acquire(&s->hashes, op[i]->signing_root, &use[i]);
		atomic_fetch_add_explicit(use[i].hit ? &s->metrics.hash_cache_hits
						     : &s->metrics.hash_cache_misses,
					  1, memory_order_relaxed);
		if (use[i].table)
			atomic_fetch_add_explicit(&s->metrics.fixed_base, 1, memory_order_relaxed);
		rq[i] = (keys_sign_request){ .pubkey = op[i]->pubkey,
					     .table = use[i].table ? use[i].table->t : NULL,
					     .h = &use[i].h,
					     .sig = op[i]->sig };
	}
	keys_sign_many(s->cfg.keys, rq, n);
	uint64_t done = mono_ns();
	for (unsigned i = 0; i < n; i++) {
		op[i]->sign_err = rq[i].err;
		hash_cache_release(&s->hashes, &use[i]);
		signer_histogram_observe(&s->metrics.phase[op[i]->type][SIGNER_PHASE_SIGN], done - t);
		op_half_done(op[i]); /* may free op[i] and answer its request */
	}
}

/* The commit half's answer, on the slashing writer's thread. */
static void commit_half(void *ctx, slash_decision d, const slash_reason *why)
{
	signer_op *op = ctx;
	op->commit_ns = mono_ns() - op->t1;
	op->decision = d;
	if (why)
		op->why = *why;
	op_half_done(op);
}

/* Steps 2 onwards of a parsed request: checks, then both halves started. */
static signer_status start(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			   const eth2_signing_request *rq, signer_defer_fn defer,
			   signer_done_fn done, void *ctx, signer_result *res, uint64_t t0,
			   uint64_t t1)
{
	signer_status st = check(s, pubkey, rq, res, t0);
	if (st != SIGNER_OK)
		return st;
	signer_op *op = calloc(1, sizeof *op);
	if (!op) {
		snprintf(res->message, sizeof res->message, "Out of memory");
		return finish(s, res, SIGNER_ERROR, SIGNER_OUTCOME_ERROR, t0);
	}
	op->s = s;
	op->type = rq->type;
	op->slashable = s->cfg.slashing && is_slashable(rq->type);
	memcpy(op->pubkey, pubkey, sizeof op->pubkey);
	_Static_assert(sizeof op->signing_root == sizeof rq->signing_root, "signing root");
	memcpy(op->signing_root, rq->signing_root, sizeof op->signing_root);
	op->t0 = t0;
	op->t1 = t1;
	op->done = done;
	op->ctx = ctx;
	atomic_store(&op->pending, op->slashable ? 2 : 1);
	pthread_mutex_lock(&s->ops_mu);
	s->ops_in_flight++;
	pthread_mutex_unlock(&s->ops_mu);
	defer(ctx); /* before either half can finish and call done */
	if (op->slashable) {
		slash_check c = { .attestation = rq->type == ETH2_SIGN_ATTESTATION,
				  .slot = rq->slot,
				  .source = rq->source_epoch,
				  .target = rq->target_epoch };
		memcpy(c.pubkey, pubkey, sizeof c.pubkey);
		memcpy(c.gvr, rq->genesis_validators_root, sizeof c.gvr);
		memcpy(c.signing_root, rq->signing_root, sizeof c.signing_root);
		op->ticket = slash_check_async(s->cfg.slashing, &c, true, commit_half, op);
	}
	work_queue_submit(&s->signing, &op->sign_item);
	return SIGNER_PENDING;
}

signer_status signer_sign_async(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
				const char *body, size_t len, signer_defer_fn defer,
				signer_done_fn done, void *ctx, signer_result *res)
{
	memset(res, 0, sizeof *res);
	uint64_t t0 = mono_ns(), t1 = t0;
	eth2_signing_request rq;
	signer_status st = parse(s, body, len, &rq, res, t0, &t1);
	if (st != SIGNER_OK)
		return st;
	return start(s, pubkey, &rq, defer, done, ctx, res, t0, t1);
}

signer_status signer_sign_parsed_async(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
				       const eth2_signing_request *rq, signer_defer_fn defer,
				       signer_done_fn done, void *ctx, signer_result *res)
{
	memset(res, 0, sizeof *res);
	uint64_t t0 = mono_ns();
	return start(s, pubkey, rq, defer, done, ctx, res, t0, t0);
}

/* The synchronous form: the asynchronous one, waited for. */
typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool answered;
	signer_status st;
	uint8_t *sig;
	signer_result *res;
} sync_wait;

static void no_defer(void *ctx) { (void)ctx; }

static void sync_done(void *ctx, signer_status st, const uint8_t sig[SIGNER_SIGNATURE_BYTES],
		      const signer_result *res)
{
	sync_wait *w = ctx;
	pthread_mutex_lock(&w->mu);
	w->st = st;
	memcpy(w->sig, sig, SIGNER_SIGNATURE_BYTES);
	*w->res = *res;
	w->answered = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

signer_status signer_sign(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			  const char *body, size_t len, uint8_t sig[SIGNER_SIGNATURE_BYTES],
			  signer_result *res)
{
	memset(sig, 0, SIGNER_SIGNATURE_BYTES);
	sync_wait w = { .sig = sig, .res = res };
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	signer_status st = signer_sign_async(s, pubkey, body, len, no_defer, sync_done, &w, res);
	if (st == SIGNER_PENDING) {
		pthread_mutex_lock(&w.mu);
		while (!w.answered)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		st = w.st;
	}
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	return st;
}

signer_status signer_sign_deposit(signer *s, const eth2_deposit_message *m,
				  const uint8_t fork_version[ETH2_VERSION_BYTES],
				  uint8_t sig[SIGNER_SIGNATURE_BYTES], signer_result *res)
{
	memset(res, 0, sizeof *res);
	memset(sig, 0, SIGNER_SIGNATURE_BYTES);
	res->type = ETH2_SIGN_DEPOSIT;
	res->typed = true;
	if (!keys_contains(s->cfg.keys, m->pubkey)) {
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return res->status = SIGNER_NOT_FOUND;
	}
	uint8_t root[ETH2_ROOT_BYTES];
	eth2_deposit_signing_root(root, m, fork_version);
	if (keys_sign(s->cfg.keys, m->pubkey, root, sizeof root, sig) != SS_OK) {
		memset(sig, 0, SIGNER_SIGNATURE_BYTES);
		snprintf(res->message, sizeof res->message, "signing failed");
		return res->status = SIGNER_ERROR;
	}
	return res->status = SIGNER_OK;
}

signer_status signer_sign_raw(signer *s, const uint8_t pubkey[SIGNER_PUBKEY_BYTES],
			      const uint8_t *msg, size_t len, uint8_t sig[SIGNER_SIGNATURE_BYTES],
			      signer_result *res)
{
	memset(res, 0, sizeof *res);
	memset(sig, 0, SIGNER_SIGNATURE_BYTES);
	/* A 32-byte message could be some Ethereum signing root: never sign one raw. */
	if (len <= ETH2_ROOT_BYTES) {
		snprintf(res->message, sizeof res->message, "message too short to sign raw");
		return res->status = SIGNER_MALFORMED;
	}
	if (!keys_contains(s->cfg.keys, pubkey)) {
		atomic_fetch_add_explicit(&s->metrics.missing_identifier, 1, memory_order_relaxed);
		snprintf(res->message, sizeof res->message, "No key for this public key");
		return res->status = SIGNER_NOT_FOUND;
	}
	if (keys_sign(s->cfg.keys, pubkey, msg, len, sig) != SS_OK) {
		memset(sig, 0, SIGNER_SIGNATURE_BYTES);
		snprintf(res->message, sizeof res->message, "signing failed");
		return res->status = SIGNER_ERROR;
	}
	return res->status = SIGNER_OK;
}
