/* The background pruning thread (prune.c is the pruning itself): "pruning on by default, keeping a safe window" (issue 5,
 * Web3Signer §3.8). A thread sleeps prune_interval_s seconds, runs slash_prune, logs
 * what it did, and sleeps again. slash_prune takes conn_lock one validator at a time,
 * so signing is delayed by at most one validator's pruning. A failure is logged and
 * retried at the next interval, as Web3Signer does. */
#include <errno.h>
#include <time.h>

#include "slashing/slashing_internal.h"
#include "util/log.h"
#include "util/thread_name.h"

static void *pruner_main(void *arg)
{
	thread_name_set("ss-prune");
	slash_db *db = arg;
	pthread_mutex_lock(&db->pr_lock);
	bool first = true;
	while (!db->pr_stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		if (!(first && db->opts.prune_at_boot))
			until.tv_sec += (time_t)db->opts.prune_interval_s;
		first = false;
		int rc = 0;
		while (!db->pr_stopping && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&db->pr_cond, &db->pr_lock, &until);
		if (db->pr_stopping)
			break;
		pthread_mutex_unlock(&db->pr_lock);
		slash_prune_stats st;
		ss_err err = slash_prune(db, db->opts.prune_keep_epochs, db->opts.prune_slots_per_epoch, &st);
		if (err != SS_OK)
			log_warn("slashing: pruning failed (%s); retrying in %u s", ss_strerror(err),
				 db->opts.prune_interval_s);
		else
			log_info("slashing: pruned %llu validators: %llu blocks, %llu attestations deleted",
				 (unsigned long long)st.validators, (unsigned long long)st.blocks_deleted,
				 (unsigned long long)st.attestations_deleted);
		pthread_mutex_lock(&db->pr_lock);
	}
	pthread_mutex_unlock(&db->pr_lock);
	return NULL;
}

ss_err slash_prune_thread_start(slash_db *db)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&db->pr_cond, &attr);
	pthread_condattr_destroy(&attr);
	db->pr_stopping = false;
	if (pthread_create(&db->pruner, NULL, pruner_main, db) != 0) {
		pthread_cond_destroy(&db->pr_cond);
		return SS_ERR_INTERNAL;
	}
	db->pr_running = true;
	return SS_OK;
}

void slash_prune_thread_stop(slash_db *db)
{
	if (!db->pr_running)
		return;
	pthread_mutex_lock(&db->pr_lock);
	db->pr_stopping = true;
	pthread_cond_signal(&db->pr_cond);
	pthread_mutex_unlock(&db->pr_lock);
	pthread_join(db->pruner, NULL);
	pthread_cond_destroy(&db->pr_cond);
	db->pr_running = false;
}
