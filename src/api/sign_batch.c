/* POST /api/v1/eth2/sign: one signing request for many keys (remote-signing-api PR #29,
 * signing/paths/sign_batch.yaml; reference/signing-apis-2026.md §8.7).
 *
 *   body   {"identifiers": ["0x<48-byte key>", …], "signing_request": {…}}
 *   200    [{"identifier", "signature"} | {"identifier", "error": {"code", "message"}}, …]
 *          in request order; code is the status the single request would have had
 *   400    the batch itself is invalid: not that shape, no identifiers, more than
 *          API_BATCH_MAX_IDENTIFIERS, an identifier that is not a key or appears twice
 *          (compared as bytes), a signing request that does not parse, or a type PR #29
 *          does not allow (AGGREGATION_SLOT, ATTESTATION, GENERIC, RANDAO_REVEAL,
 *          SYNC_COMMITTEE_MESSAGE, SYNC_COMMITTEE_SELECTION_PROOF).
 *
 * The signing request is parsed once; each key then goes through
 * signer_sign_parsed_async exactly as a single request would after its parse: the same
 * checks, the same slashing check-and-record (an ATTESTATION's record is durable before
 * its signature is released), the same statuses. The batch is answered once every key
 * has its answer, so whatever a client was answered is on disk.
 *
 * Priority: the signatures are fed to the signer's one FIFO signing queue by the
 * ss-batch thread, at most as many at a time as there are CPUs, the next one when one
 * finishes. A single request that arrives during a batch of thousands therefore waits
 * behind at most one signature per signing thread, not behind the rest of the batch; batches run
 * one after another. Concurrent attestation checks still share transactions through the
 * slashing writer's group commit. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api_internal.h"
#include "util/hex.h"

typedef struct {
	uint8_t pubkey[SIGNER_PUBKEY_BYTES];
	signer_status st;
	uint8_t sig[SIGNER_SIGNATURE_BYTES];
	char message[160];
} batch_item;

typedef struct batch {
	work_item item; /* first: the queue hands back this address */
	http_request *req;
	api *a;
	eth2_signing_request rq; /* parsed once; what each key signs */
	size_t n;
	batch_item *items;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned in_flight;
} batch;

typedef struct {
	batch *b;
	size_t i;
} item_ctx;

static bool type_allowed(eth2_sign_type t)
{
	return t == ETH2_SIGN_AGGREGATION_SLOT || t == ETH2_SIGN_ATTESTATION ||
	       t == ETH2_SIGN_GENERIC || t == ETH2_SIGN_RANDAO_REVEAL ||
	       t == ETH2_SIGN_SYNC_COMMITTEE_MESSAGE ||
	       t == ETH2_SIGN_SYNC_COMMITTEE_SELECTION_PROOF;
}

static int cmp_key(const void *x, const void *y)
{
	return memcmp(x, y, SIGNER_PUBKEY_BYTES);
}

static void no_defer(void *ctx) { (void)ctx; }

static void record(batch *b, size_t i, signer_status st, const uint8_t *sig,
		   const signer_result *res)
{
	batch_item *it = &b->items[i];
	it->st = st;
	if (st == SIGNER_OK && sig)
		memcpy(it->sig, sig, SIGNER_SIGNATURE_BYTES);
	else if (st == SIGNER_OK)
		it->st = SIGNER_ERROR;
	snprintf(it->message, sizeof it->message, "%.159s", res ? res->message : "");
}

/* A key's answer, from a signing thread or the slashing writer. */
static void item_done(void *ctx, signer_status st, const uint8_t sig[SIGNER_SIGNATURE_BYTES],
		      const signer_result *res)
{
	item_ctx *c = ctx;
	batch *b = c->b;
	pthread_mutex_lock(&b->mu);
	record(b, c->i, st, sig, res);
	b->in_flight--;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	free(c);
}

static void reply(batch *b)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < b->n; i++) {
		char pk[2 * SIGNER_PUBKEY_BYTES + 3];
		hex_encode(pk, b->items[i].pubkey, SIGNER_PUBKEY_BYTES, true);
		json_t *o;
		if (b->items[i].st == SIGNER_OK) {
			char sig[2 * SIGNER_SIGNATURE_BYTES + 3];
			hex_encode(sig, b->items[i].sig, SIGNER_SIGNATURE_BYTES, true);
			o = json_pack("{s:s,s:s}", "identifier", pk, "signature", sig);
		} else {
			o = json_pack("{s:s,s:{s:i,s:s}}", "identifier", pk, "error", "code",
				      (int)api_signer_http_status(b->items[i].st), "message", b->items[i].message);
		}
		if (!o || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (!arr)
		http_reply_error(b->req, 500, "Out of memory");
	else
		http_reply_json(b->req, 200, arr);
}

/* On the ss-batch thread: feed the keys to the signer a few at a time, then answer. */
static void run_batch(work_item *wi)
{
	batch *b = (batch *)(void *)wi;
	/* one key per signing thread: a single request then waits behind at most that */
	unsigned window = signer_signing_threads(b->a->cfg.signer);
	for (size_t i = 0; i < b->n; i++) {
		pthread_mutex_lock(&b->mu);
		while (b->in_flight >= window)
			pthread_cond_wait(&b->cv, &b->mu);
		b->in_flight++;
		pthread_mutex_unlock(&b->mu);
		item_ctx *c = malloc(sizeof *c);
		signer_result res;
		signer_status st;
		if (c == NULL) {
			snprintf(res.message, sizeof res.message, "Out of memory");
			st = SIGNER_ERROR;
		} else {
			c->b = b;
			c->i = i;
			st = signer_sign_parsed_async(b->a->cfg.signer, b->items[i].pubkey,
						      &b->rq, no_defer, item_done, c, &res);
		}
		if (st != SIGNER_PENDING) {
			free(c);
			pthread_mutex_lock(&b->mu);
			record(b, i, st, NULL, &res);
			b->in_flight--;
			pthread_mutex_unlock(&b->mu);
		}
	}
	pthread_mutex_lock(&b->mu);
	while (b->in_flight > 0)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
	http_request *req = b->req;
	reply(b);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b->items);
	free(b);
	http_request_resume(req);
}

/* Checks the batch as a whole and builds it; NULL with msg set when it is invalid. */
static batch *parse_batch(api *a, const char *body, size_t len, char *msg, size_t cap)
{
	json_error_t je;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	batch *b = NULL;
	const json_t *ids = json_object_get(root, "identifiers");
	const json_t *rq = json_object_get(root, "signing_request");
	if (!json_is_object(root)) {
		snprintf(msg, cap, "the body must be a JSON object {identifiers, signing_request}");
		goto out;
	}
	if (!json_is_array(ids) || json_array_size(ids) == 0) {
		snprintf(msg, cap, "identifiers: expected a non-empty array of public keys");
		goto out;
	}
	if (json_array_size(ids) > API_BATCH_MAX_IDENTIFIERS) {
		snprintf(msg, cap, "identifiers: %zu keys, more than the limit of %u",
			 json_array_size(ids), API_BATCH_MAX_IDENTIFIERS);
		goto out;
	}
	if (!json_is_object(rq)) {
		snprintf(msg, cap, "signing_request: expected an object");
		goto out;
	}
	b = calloc(1, sizeof *b);
	if (b == NULL) {
		snprintf(msg, cap, "Out of memory");
		goto out;
	}
	b->n = json_array_size(ids);
	b->items = calloc(b->n, sizeof *b->items);
	uint8_t(*sorted)[SIGNER_PUBKEY_BYTES] = malloc(b->n * SIGNER_PUBKEY_BYTES);
	if (!b->items || !sorted) {
		free(sorted);
		snprintf(msg, cap, "Out of memory");
		goto fail;
	}
	for (size_t i = 0; i < b->n; i++) {
		const json_t *id = json_array_get(ids, i);
		const char *s = json_is_string(id) ? json_string_value(id) : NULL;
		if (s == NULL || hex_decode(b->items[i].pubkey, SIGNER_PUBKEY_BYTES, s, strlen(s),
					    HEX_PREFIX_OPTIONAL) != SS_OK) {
			snprintf(msg, cap, "identifiers[%zu]: expected a 48-byte public key in hex", i);
			free(sorted);
			goto fail;
		}
		memcpy(sorted[i], b->items[i].pubkey, SIGNER_PUBKEY_BYTES);
	}
	/* Unique after decoding: "0xAB…" and "ab…" are one key, and one key twice would sign
	 * (and record) once per copy. */
	qsort(sorted, b->n, SIGNER_PUBKEY_BYTES, cmp_key);
	for (size_t i = 1; i < b->n; i++)
		if (memcmp(sorted[i - 1], sorted[i], SIGNER_PUBKEY_BYTES) == 0) {
			free(sorted);
			snprintf(msg, cap, "identifiers: a public key appears more than once");
			goto fail;
		}
	free(sorted);
	/* The signing request is the same for every key: parse it once, as a whole, and
	 * sign that parse with each key (signer_sign_parsed_async). The parser reads text,
	 * so the member is serialised back for it. */
	char *text = json_dumps(rq, JSON_COMPACT);
	if (text == NULL) {
		snprintf(msg, cap, "Out of memory");
		goto fail;
	}
	eth2_error err;
	ss_err pe = eth2_parse_signing_request(a->cfg.net, text, strlen(text), &b->rq, &err);
	free(text);
	if (pe != SS_OK) {
		snprintf(msg, cap, "signing_request%s%.60s: %.170s", err.field[0] ? "." : "",
			 err.field, err.message);
		goto fail;
	}
	if (!type_allowed(b->rq.type)) {
		snprintf(msg, cap,
			 "signing_request.type: %s cannot be signed in a batch (AGGREGATION_SLOT, "
			 "ATTESTATION, GENERIC, RANDAO_REVEAL, SYNC_COMMITTEE_MESSAGE, "
			 "SYNC_COMMITTEE_SELECTION_PROOF)", eth2_sign_type_name(b->rq.type));
		goto fail;
	}
	json_decref(root);
	return b;
fail:
	free(b->items);
	free(b);
	b = NULL;
out:
	json_decref(root);
	return b;
}

void api_handle_sign_batch(http_request *req, void *app)
{
	api *a = app;
	size_t len;
	const char *body = http_request_body(req, &len);
	char msg[256] = "";
	batch *b = body ? parse_batch(a, body, len, msg, sizeof msg) : NULL;
	if (b == NULL) {
		http_reply_error(req, 400, "%s", msg[0] ? msg : "empty body");
		return;
	}
	b->item.run = run_batch;
	b->req = req;
	b->a = a;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	http_request_suspend(req);
	work_queue_submit(&a->batch, &b->item);
}
