/* The key lifecycle (keymanager.h): the shared state (lifecycle lock, import tickets,
 * deletions recorded for the imports still pending), imports, generation and reloads.
 * Deletes are in keymanager_delete.c. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signer/keymanager_internal.h"
#include "util/log.h"

ss_err signer_km_new(signer_km **out, keys_store *keys, slash_db *slashing)
{
	signer_km *km = calloc(1, sizeof *km);
	if (km == NULL)
		return SS_ERR_NOMEM;
	km->keys = keys;
	km->slashing = slashing;
	km->next_ticket = 1;
	pthread_mutex_init(&km->lock, NULL);
	pthread_mutex_init(&km->tickets_mu, NULL);
	*out = km;
	return SS_OK;
}

void signer_km_free(signer_km *km)
{
	if (km == NULL)
		return;
	pthread_mutex_destroy(&km->lock);
	pthread_mutex_destroy(&km->tickets_mu);
	free(km->live);
	free(km->tombs);
	free(km);
}

bool signer_km_readonly(const keys_info *k)
{
	return k->readonly || k->origin == KEYS_ORIGIN_KEYSTORE_DIR ||
	       k->origin == KEYS_ORIGIN_KEY_CONFIG;
}

/* ---- tickets and tombstones -------------------------------------------------------- */

uint64_t signer_km_ticket(signer_km *km)
{
	pthread_mutex_lock(&km->tickets_mu);
	uint64_t t = km->next_ticket++;
	if (km->n_live == km->cap_live) {
		size_t cap = km->cap_live ? 2 * km->cap_live : 8;
		uint64_t *p = realloc(km->live, cap * sizeof *p);
		if (p != NULL) {
			km->live = p;
			km->cap_live = cap;
		}
	}
	/* Out of memory: an untracked ticket could not be ordered with deletes; 0 makes
	 * signer_km_import refuse the request. */
	if (km->n_live < km->cap_live)
		km->live[km->n_live++] = t;
	else
		t = 0;
	pthread_mutex_unlock(&km->tickets_mu);
	return t;
}

/* Drops the tombstones no pending import needs: those recorded before the oldest live
 * ticket was taken. Caller holds tickets_mu. */
static void prune_tombs(signer_km *km)
{
	uint64_t oldest = km->next_ticket;
	for (size_t i = 0; i < km->n_live; i++)
		if (km->live[i] < oldest)
			oldest = km->live[i];
	size_t k = 0;
	for (size_t i = 0; i < km->n_tombs; i++)
		if (km->tombs[i].after > oldest)
			km->tombs[k++] = km->tombs[i];
	km->n_tombs = k;
	if (km->lost_tombs_after <= oldest)
		km->lost_tombs_after = 0;
}

void signer_km_ticket_release(signer_km *km, uint64_t ticket)
{
	pthread_mutex_lock(&km->tickets_mu);
	for (size_t i = 0; i < km->n_live; i++)
		if (km->live[i] == ticket) {
			km->live[i] = km->live[--km->n_live];
			break;
		}
	prune_tombs(km);
	pthread_mutex_unlock(&km->tickets_mu);
}

void km_record_delete(signer_km *km, const uint8_t pk[KEYS_PUBKEY_BYTES])
{
	pthread_mutex_lock(&km->tickets_mu);
	if (km->n_live > 0) { /* no pending import: nothing to order */
		if (km->n_tombs == km->cap_tombs) {
			size_t cap = km->cap_tombs ? 2 * km->cap_tombs : 16;
			km_tomb *p = realloc(km->tombs, cap * sizeof *p);
			if (p != NULL) {
				km->tombs = p;
				km->cap_tombs = cap;
			}
		}
		if (km->n_tombs < km->cap_tombs) {
			memcpy(km->tombs[km->n_tombs].pubkey, pk, KEYS_PUBKEY_BYTES);
			/* tickets below next_ticket were received before this delete */
			km->tombs[km->n_tombs++].after = km->next_ticket;
		} else {
			/* cannot record: refuse every pending import of any key deleted from
			 * now on, by making their commit see a deletion for every key */
			km->lost_tombs_after = km->next_ticket;
		}
	}
	pthread_mutex_unlock(&km->tickets_mu);
}

/* True when a DELETE received after ticket removed pk (the import must not bring it
 * back). */
static bool km_deleted_after(signer_km *km, uint64_t ticket, const uint8_t pk[KEYS_PUBKEY_BYTES])
{
	pthread_mutex_lock(&km->tickets_mu);
	bool hit = km->lost_tombs_after > ticket;
	for (size_t i = 0; i < km->n_tombs && !hit; i++)
		hit = km->tombs[i].after > ticket &&
		      memcmp(km->tombs[i].pubkey, pk, KEYS_PUBKEY_BYTES) == 0;
	pthread_mutex_unlock(&km->tickets_mu);
	return hit;
}

/* ---- import ------------------------------------------------------------------------ */

ss_err signer_km_import(signer_km *km, uint64_t ticket, const signer_km_import_req *rq,
			keys_import_result *res, char *why, size_t why_cap)
{
	why[0] = '\0';
	if (ticket == 0) {
		snprintf(why, why_cap, "out of memory");
		return SS_ERR_NOMEM;
	}
	if (rq->limit && rq->n > SIGNER_KM_MAX_KEYSTORES) {
		signer_km_ticket_release(km, ticket);
		snprintf(why, why_cap,
			 "%zu keystores in one request, above this signer's limit of %u; split the import",
			 rq->n, SIGNER_KM_MAX_KEYSTORES);
		return SS_ERR_RANGE;
	}
	/* 1. Parse and derive, without the lifecycle lock: a delete never waits for this. */
	keys_import *im = NULL;
	keys_error kerr = { { 0 } };
	ss_err e = keys_import_prepare(km->keys, rq->keystores, rq->keystore_lens, rq->passwords,
				       rq->password_lens, rq->n,
				       rq->limit ? SIGNER_KM_MAX_KDF_COST : 0, &im, res, &kerr);
	if (e != SS_OK) {
		signer_km_ticket_release(km, ticket);
		snprintf(why, why_cap, "%s", kerr.msg);
		return e;
	}
	bool *skip = calloc(rq->n ? rq->n : 1, sizeof *skip);
	uint8_t(*adds)[KEYS_PUBKEY_BYTES] = calloc(rq->n ? rq->n : 1, sizeof *adds);
	if (!skip || !adds) {
		e = SS_ERR_NOMEM;
		snprintf(why, why_cap, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&km->lock);
	/* 2. The keys this call adds: decrypted, new (keys_contains under the lifecycle
	 * lock: imports and deletes cannot change that meanwhile), and not deleted by a
	 * DELETE received after this import. */
	size_t n_adds = 0;
	for (size_t i = 0; i < rq->n; i++) {
		if (res[i].status != KEYS_IMPORT_IMPORTED)
			continue;
		if (keys_contains(km->keys, res[i].pubkey)) {
			/* skipped too: were a reload to unload it before the commit, this
			 * call would otherwise add it without its history */
			res[i].status = KEYS_IMPORT_DUPLICATE;
			skip[i] = true;
			continue;
		}
		if (km_deleted_after(km, ticket, res[i].pubkey)) {
			skip[i] = true;
			snprintf(res[i].message, sizeof res[i].message,
				 "not imported: a DELETE of this key was received after this import");
			continue;
		}
		memcpy(adds[n_adds++], res[i].pubkey, KEYS_PUBKEY_BYTES);
	}
	/* 3. Their history first (flows/README.md step 3), and only theirs: a request
	 * cannot write history for a key it does not import. All or nothing: a failure
	 * imports nothing. n_adds > 0: 0 would mean "every key of the file". */
	if (rq->interchange && km->slashing && n_adds > 0) {
		slash_reason r = { { 0 } };
		e = slash_import_interchange(km->slashing, rq->interchange, rq->interchange_len,
					     (const uint8_t(*)[KEYS_PUBKEY_BYTES])adds, n_adds, &r);
		if (e != SS_OK) {
			pthread_mutex_unlock(&km->lock);
			snprintf(why, why_cap, "slashing_protection: %s", r.message);
			goto out;
		}
	}
	/* 4. Seal and register. */
	e = keys_import_commit(km->keys, im, skip, res);
	if (e != SS_OK) {
		pthread_mutex_unlock(&km->lock);
		snprintf(why, why_cap, "the key store failed: %s", ss_strerror(e));
		goto out;
	}
	/* 5. Enable the imported keys: a key deleted before is disabled in the store, and
	 * an import through any door must make it sign again. A key that cannot be enabled
	 * is taken out again (it would be refused every block and attestation). */
	for (size_t i = 0; i < rq->n && km->slashing; i++) {
		if (res[i].status != KEYS_IMPORT_IMPORTED)
			continue;
		if (slash_set_enabled(km->slashing, res[i].pubkey, true) == SS_OK)
			continue;
		keys_error derr;
		if (keys_delete(km->keys, res[i].pubkey, &derr) != SS_OK)
			log_error("import: rolling back a key that could not be enabled failed: %s",
				  derr.msg);
		res[i].status = KEYS_IMPORT_ERROR;
		snprintf(res[i].message, sizeof res[i].message,
			 "cannot enable the key in the slashing protection store");
	}
	pthread_mutex_unlock(&km->lock);
out:
	signer_km_ticket_release(km, ticket);
	keys_import_free(im);
	free(skip);
	free(adds);
	return e;
}

/* ---- generate, reload ------------------------------------------------------------- */

ss_err signer_km_generate(signer_km *km, size_t n, uint8_t (*pubkeys)[KEYS_PUBKEY_BYTES],
			  keys_error *err)
{
	uint8_t(*pks)[KEYS_PUBKEY_BYTES] = pubkeys ? pubkeys : calloc(n ? n : 1, sizeof *pks);
	if (pks == NULL)
		return SS_ERR_NOMEM;
	pthread_mutex_lock(&km->lock);
	ss_err e = keys_generate(km->keys, n, pks, err);
	for (size_t i = 0; e == SS_OK && km->slashing && i < n; i++)
		if (slash_set_enabled(km->slashing, pks[i], true) != SS_OK) {
			/* the key is sealed and signs: say so rather than hide it */
			snprintf(err->msg, sizeof err->msg,
				 "key generated but the slashing protection store could not enable it");
			e = SS_ERR_IO;
		}
	pthread_mutex_unlock(&km->lock);
	if (pks != pubkeys)
		free(pks);
	return e;
}

ss_err signer_km_reload(signer_km *km, const keys_sources *src, keys_load_stats *stats,
			keys_error *err)
{
	return keys_load_sources(km->keys, src, stats, err);
}
