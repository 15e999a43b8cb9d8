/* Pruning: bounded history without lost protection.
 *
 * For each validator, history more than keep_epochs epochs below its newest record is
 * deleted, after the validator's low watermarks are moved up so that nothing deleted
 * could ever be signed against (the algorithm of Web3Signer §3.8):
 *   blocks:       lw_slot = the oldest kept block (slot >= max_slot - keep_slots + 1);
 *                 delete blocks below it. A new block below lw_slot is refused.
 *   attestations: lw_target = the oldest kept target (>= max_target - keep_epochs + 1);
 *                 lw_source = the highest source of any attestation with target <=
 *                 lw_target; delete targets below lw_target.
 * Then a new (s, t) that passes s >= lw_source and t >= lw_target can neither surround a
 * deleted (s', t') (that needs s < s' <= lw_source), nor be surrounded by one (that needs
 * t' > t >= lw_target > t'), nor double-vote with one (t' < lw_target <= t). Web3Signer
 * takes the source of the oldest kept attestation instead; the two agree whenever the
 * history holds no surround pair (which our rules and imports guarantee), and the maximum
 * stays safe if an older database ever held one. Watermarks only move up. Each
 * validator is pruned in its own transaction: a run interrupted part way leaves every
 * validator either pruned or untouched, never half. */
#include <stdlib.h>
#include <string.h>

#include "slashing/slashing_internal.h"

/* The validators' keys are listed first, so that no iteration is open while rows
 * change. */
typedef struct {
	uint8_t (*keys)[SLASH_PUBKEY_BYTES];
	size_t n, cap;
	bool nomem;
} key_list;

static bool collect(void *p, const uint8_t pubkey[SLASH_PUBKEY_BYTES], const slash_validator *v)
{
	key_list *l = p;
	(void)v;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		uint8_t(*nk)[SLASH_PUBKEY_BYTES] = realloc(l->keys, cap * sizeof *nk);
		if (nk == NULL) {
			l->nomem = true;
			return false;
		}
		l->keys = nk;
		l->cap = cap;
	}
	memcpy(l->keys[l->n++], pubkey, SLASH_PUBKEY_BYTES);
	return true;
}

/* The first value kept: window values up to and including max. */
static uint64_t window_start(uint64_t max, uint64_t window)
{
	return max >= window ? max - window + 1 : 0;
}

static slash_store_result prune_blocks(slash_db *db, slash_validator *v, uint64_t keep_slots,
				       bool *moved, slash_prune_stats *st)
{
	uint64_t max_slot, snap;
	bool found;
	slash_store_result r = db->ops->max_block_slot(db->store, v->id, &max_slot, &found);
	if (r != SLASH_STORE_OK || !found)
		return r;
	uint64_t cand = window_start(max_slot, keep_slots);
	if (v->has_lw_slot && v->lw_slot > cand)
		cand = v->lw_slot;
	r = db->ops->first_block_from(db->store, v->id, cand, &snap, &found);
	if (r != SLASH_STORE_OK || !found)
		return r;
	if (!v->has_lw_slot || snap > v->lw_slot) {
		v->has_lw_slot = true;
		v->lw_slot = snap;
		*moved = true;
	}
	uint64_t n = 0;
	r = db->ops->delete_blocks_below(db->store, v->id, v->lw_slot, &n);
	st->blocks_deleted += n;
	return r;
}

static slash_store_result prune_atts(slash_db *db, slash_validator *v, uint64_t keep_epochs,
				     bool *moved, slash_prune_stats *st)
{
	uint64_t max_target, max_source;
	bool found;
	slash_att_rec snap;
	slash_store_result r = db->ops->max_att_target(db->store, v->id, &max_target, &found);
	if (r != SLASH_STORE_OK || !found)
		return r;
	uint64_t cand = window_start(max_target, keep_epochs);
	if (v->has_lw_epochs && v->lw_target > cand)
		cand = v->lw_target;
	r = db->ops->first_att_from(db->store, v->id, cand, &snap, &found);
	if (r != SLASH_STORE_OK || !found)
		return r;
	r = db->ops->max_source_upto(db->store, v->id, snap.target, &max_source, &found);
	if (r != SLASH_STORE_OK || !found)
		return r;
	uint64_t new_target = snap.target, new_source = max_source;
	if (v->has_lw_epochs) {
		if (v->lw_target > new_target)
			new_target = v->lw_target;
		if (v->lw_source > new_source)
			new_source = v->lw_source;
	}
	if (!v->has_lw_epochs || new_target != v->lw_target || new_source != v->lw_source) {
		v->has_lw_epochs = true;
		v->lw_target = new_target;
		v->lw_source = new_source;
		*moved = true;
	}
	uint64_t n = 0;
	r = db->ops->delete_atts_below(db->store, v->id, v->lw_target, &n);
	st->attestations_deleted += n;
	return r;
}

/* Prunes one validator in its own transaction, so the writer (which shares conn_lock)
 * waits for one validator at a time, never for the whole run. */
static slash_store_result prune_one(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
				    uint64_t keep_epochs, uint64_t keep_slots, slash_prune_stats *stats)
{
	slash_prune_stats mine = { 0 };
	slash_validator v;
	bool found = false, moved = false;
	pthread_mutex_lock(&db->conn_lock);
	slash_store_result r = slash_tx_begin(db);
	if (r == SLASH_STORE_OK)
		r = db->ops->get_validator(db->store, pubkey, false, &v, &found);
	if (r == SLASH_STORE_OK && found)
		r = prune_blocks(db, &v, keep_slots, &moved, &mine);
	if (r == SLASH_STORE_OK && found)
		r = prune_atts(db, &v, keep_epochs, &moved, &mine);
	if (r == SLASH_STORE_OK && moved) {
		r = db->ops->put_validator(db->store, &v);
		mine.validators = 1;
	}
	if (r == SLASH_STORE_OK)
		r = slash_tx_commit(db);
	if (r != SLASH_STORE_OK) {
		slash_tx_rollback(db);
	} else {
		/* the writer's cached row must carry the new watermarks */
		if (moved)
			slash_vcache_refresh(db, pubkey, &v);
		stats->validators += mine.validators;
		stats->blocks_deleted += mine.blocks_deleted;
		stats->attestations_deleted += mine.attestations_deleted;
	}
	pthread_mutex_unlock(&db->conn_lock);
	return r;
}

ss_err slash_prune(slash_db *db, uint64_t keep_epochs, uint64_t slots_per_epoch,
		   slash_prune_stats *stats)
{
	slash_prune_stats local;
	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (keep_epochs == 0 || slots_per_epoch == 0)
		return SS_ERR_RANGE;
	uint64_t keep_slots = keep_epochs > UINT64_MAX / slots_per_epoch ? UINT64_MAX
									  : keep_epochs * slots_per_epoch;
	key_list all = { 0 };
	pthread_mutex_lock(&db->conn_lock);
	slash_store_result r = db->ops->each_validator(db->store, collect, &all);
	pthread_mutex_unlock(&db->conn_lock);
	for (size_t i = 0; r == SLASH_STORE_OK && !all.nomem && i < all.n; i++)
		r = prune_one(db, all.keys[i], keep_epochs, keep_slots, stats);
	free(all.keys);
	return all.nomem ? SS_ERR_NOMEM : slash_store_err(r);
}
