/* The signing rules: EIP-3076 "Conditions" applied to the complete history we keep,
 * plus the operational gates Web3Signer has (§3.3-3.7 of reference/web3signer.md):
 * pinned genesis validators root, per-validator enabled flag, global high watermark,
 * per-validator low watermarks set by pruning.
 *
 * Called by the group-commit writer (one thread, inside an open transaction), so each
 * decision sees every earlier decision of the same batch and check-then-record is atomic.
 * Order matters only for which reason is reported: every rule must pass. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "slashing/slashing_internal.h"

static slash_store_result refuse(slash_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static slash_store_result refuse(slash_job *job, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(job->why.message, sizeof job->why.message, fmt, ap);
	va_end(ap);
	job->result = SLASH_REFUSED;
	return SLASH_STORE_OK;
}

static slash_store_result allow(slash_job *job, const char *what)
{
	job->result = SLASH_ALLOWED;
	snprintf(job->why.message, sizeof job->why.message, "%s", what);
	return SLASH_STORE_OK;
}

/* Web3Signer §3.3: the first block or attestation pins the genesis validators root;
 * a message for another chain is refused (it would be a signature for a network this
 * history does not describe). */
static slash_store_result check_gvr(slash_db *db, slash_job *job, bool *ok)
{
	*ok = true;
	if (!db->meta.has_gvr) {
		slash_meta m = db->meta;
		m.has_gvr = true;
		memcpy(m.gvr, job->gvr, SLASH_ROOT_BYTES);
		slash_store_result r = db->ops->put_meta(db->store, &m);
		if (r != SLASH_STORE_OK)
			return r;
		db->meta = m; /* restored from the store if the batch rolls back */
		return SLASH_STORE_OK;
	}
	if (memcmp(db->meta.gvr, job->gvr, SLASH_ROOT_BYTES) != 0) {
		*ok = false;
		refuse(job, "genesis validators root differs from the one this database is bound to");
	}
	return SLASH_STORE_OK;
}

/* The validator's state (registered on first sight, enabled) and the enabled gate. */
static slash_store_result load_validator(slash_db *db, slash_job *job, slash_vstate **vs, bool *ok)
{
	slash_store_result r = slash_vcache_get(db, job->pubkey, vs);
	*ok = false;
	if (r != SLASH_STORE_OK)
		return r;
	if (!(*vs)->v.enabled)
		return refuse(job, "validator is disabled for signing");
	*ok = true;
	return SLASH_STORE_OK;
}

static slash_store_result apply_block(slash_db *db, slash_job *job, slash_vstate *vs)
{
	slash_validator *v = &vs->v;
	const uint64_t slot = job->slot;
	/* Web3Signer §3.6: the high watermark refuses every slot at or above it. */
	if (db->meta.high.set && slot >= db->meta.high.slot)
		return refuse(job, "block slot %llu is at or above the high watermark slot %llu",
			      (unsigned long long)slot, (unsigned long long)db->meta.high.slot);
	/* Low watermark from pruning: history below it is gone, so nothing below it. */
	if (v->has_lw_slot && slot < v->lw_slot)
		return refuse(job, "block slot %llu is below the low watermark slot %llu",
			      (unsigned long long)slot, (unsigned long long)v->lw_slot);
	slash_block_rec old;
	bool found = false;
	slash_store_result r = SLASH_STORE_OK;
	/* above every recorded slot there is nothing to look up */
	if (vs->has_max_slot && slot <= vs->max_slot)
		r = db->ops->block_at(db->store, v->id, slot, &old, &found);
	if (r != SLASH_STORE_OK)
		return r;
	if (found) {
		/* EIP-3076: re-signing the identical block is safe; a different block, or one
		 * imported without a signing root, at the same slot is a double proposal. */
		if (old.has_root && memcmp(old.root, job->root, SLASH_ROOT_BYTES) == 0)
			return allow(job, "identical block already signed");
		return refuse(job, "double proposal: a different block was already signed at slot %llu",
			      (unsigned long long)slot);
	}
	/* EIP-3076 condition 2 (complete history): a slot below the oldest recorded block
	 * may collide with history we never saw. */
	if (v->has_min_slot && slot < v->min_slot)
		return refuse(job, "block slot %llu is below the oldest recorded block slot %llu",
			      (unsigned long long)slot, (unsigned long long)v->min_slot);
	slash_block_rec rec = { .slot = slot, .has_root = true };
	memcpy(rec.root, job->root, SLASH_ROOT_BYTES);
	r = db->ops->put_block(db->store, v->id, &rec);
	if (r != SLASH_STORE_OK)
		return r;
	if (!vs->has_max_slot || slot > vs->max_slot) {
		vs->has_max_slot = true;
		vs->max_slot = slot;
	}
	if (!v->has_min_slot) {
		v->has_min_slot = true;
		v->min_slot = slot;
		r = db->ops->put_validator(db->store, v);
		if (r != SLASH_STORE_OK)
			return r;
	}
	return allow(job, "recorded");
}

static slash_store_result apply_attestation(slash_db *db, slash_job *job, slash_vstate *vs)
{
	slash_validator *v = &vs->v;
	const uint64_t s = job->source, t = job->target;
	const unsigned long long us = s, ut = t;
	if (s > t)
		return refuse(job, "source epoch %llu is greater than target epoch %llu", us, ut);
	if (db->meta.high.set && (s >= db->meta.high.epoch || t >= db->meta.high.epoch))
		return refuse(job, "attestation epochs (%llu, %llu) reach the high watermark epoch %llu",
			      us, ut, (unsigned long long)db->meta.high.epoch);
	if (v->has_lw_epochs && (s < v->lw_source || t < v->lw_target))
		return refuse(job, "attestation (%llu, %llu) is below the low watermark (%llu, %llu)",
			      us, ut, (unsigned long long)v->lw_source,
			      (unsigned long long)v->lw_target);
	slash_att_rec old;
	bool found = false;
	slash_store_result r = SLASH_STORE_OK;
	if (vs->has_max_att && t <= vs->max_target)
		r = db->ops->att_at_target(db->store, v->id, t, &old, &found);
	if (r != SLASH_STORE_OK)
		return r;
	if (found) {
		if (old.source == s && old.has_root && memcmp(old.root, job->root, SLASH_ROOT_BYTES) == 0)
			return allow(job, "identical attestation already signed");
		return refuse(job, "double vote: a different attestation was already signed for target epoch %llu",
			      ut);
	}
	/* EIP-3076 conditions 4 and 5 against the oldest recorded attestation. */
	if (v->has_min_epochs && s < v->min_source)
		return refuse(job, "source epoch %llu is below the oldest recorded source epoch %llu", us,
			      (unsigned long long)v->min_source);
	if (v->has_min_epochs && t < v->min_target)
		return refuse(job, "target epoch %llu is below the oldest recorded target epoch %llu", ut,
			      (unsigned long long)v->min_target);
	/* EIP-3076 condition 3: surround votes, both directions. Only a record with a
	 * target above t can surround (s, t), and only one with a source above s can be
	 * surrounded by it; the cached maxima skip the lookups that cannot match. */
	if (vs->has_max_att && t < vs->max_target)
		r = db->ops->find_surrounding(db->store, v->id, s, t, &old, &found);
	if (r != SLASH_STORE_OK)
		return r;
	if (found)
		return refuse(job, "surrounded vote: (%llu, %llu) is surrounded by the signed (%llu, %llu)",
			      us, ut, (unsigned long long)old.source, (unsigned long long)old.target);
	if (vs->has_max_att && s < vs->max_source)
		r = db->ops->find_surrounded(db->store, v->id, s, t, &old, &found);
	if (r != SLASH_STORE_OK)
		return r;
	if (found)
		return refuse(job, "surround vote: (%llu, %llu) surrounds the signed (%llu, %llu)", us, ut,
			      (unsigned long long)old.source, (unsigned long long)old.target);
	slash_att_rec rec = { .source = s, .target = t, .has_root = true };
	memcpy(rec.root, job->root, SLASH_ROOT_BYTES);
	r = db->ops->put_attestation(db->store, v->id, &rec);
	if (r != SLASH_STORE_OK)
		return r;
	if (!vs->has_max_att) {
		vs->has_max_att = true;
		vs->max_source = s;
		vs->max_target = t;
	}
	if (s > vs->max_source)
		vs->max_source = s;
	if (t > vs->max_target)
		vs->max_target = t;
	if (!v->has_min_epochs) {
		v->has_min_epochs = true;
		v->min_source = s;
		v->min_target = t;
		r = db->ops->put_validator(db->store, v);
		if (r != SLASH_STORE_OK)
			return r;
	}
	return allow(job, "recorded");
}

slash_store_result slash_rules_apply(slash_db *db, slash_job *job)
{
	bool ok;
	job->why.message[0] = '\0';
	slash_store_result r = check_gvr(db, job, &ok);
	if (r != SLASH_STORE_OK || !ok)
		return r;
	slash_vstate *vs;
	r = load_validator(db, job, &vs, &ok);
	if (r != SLASH_STORE_OK || !ok)
		return r;
	return job->kind == SLASH_JOB_BLOCK ? apply_block(db, job, vs) : apply_attestation(db, job, vs);
}
