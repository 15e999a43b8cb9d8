/* The slashing database's health for /healthcheck, probed in the background (as
 * Web3Signer's slashing-protection-db-health-check, reference/web3signer.md §1.4): a
 * thread checks the store every interval, and the handler only reads the outcome. The
 * check is a write (slash_write_check), not a read: a store that can be read but not
 * written (a read-only file or file system) fails every block and attestation, and
 * must not be reported UP. A
 * handler that read the store itself would hang with a hung database (a PostgreSQL host
 * that stopped answering: the writer holds the connection while it retries), and take
 * its server thread, and every connection on it, along. DOWN when the last probe failed
 * or when one has been running for longer than the timeout. */
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/log.h"
#include "util/mono_clock.h"
#include "util/thread_name.h"

/* One probe; why receives the reason when it fails. */
static bool probe(api *a, slash_reason *why)
{
	why->message[0] = '\0';
	return slash_write_check(a->cfg.slashing, why) == SS_OK;
}

static void *probe_main(void *arg)
{
	api *a = arg;
	thread_name_set("ss-db-health");
	pthread_mutex_lock(&a->health_mu);
	while (!a->health_stop) {
		a->health_started_ns = mono_ns();
		a->health_running = true;
		pthread_mutex_unlock(&a->health_mu);
		slash_reason why;
		bool up = probe(a, &why);
		pthread_mutex_lock(&a->health_mu);
		if (up != a->health_up)
			log_warn("slashing protection database health: %s%s%s", up ? "UP" : "DOWN",
				 up ? "" : ": ", up ? "" : why.message);
		a->health_running = false;
		a->health_up = up;
		memcpy(a->health_why, why.message, sizeof a->health_why);
		uint64_t wake = mono_ns() + (uint64_t)a->cfg.db_health_interval_ms * 1000000u;
		struct timespec ts = mono_timespec(wake);
		while (!a->health_stop && mono_ns() < wake)
			pthread_cond_timedwait(&a->health_cv, &a->health_mu, &ts);
	}
	pthread_mutex_unlock(&a->health_mu);
	return NULL;
}

ss_err api_db_health_start(api *a)
{
	pthread_mutex_init(&a->health_mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->health_cv, &ca);
	pthread_condattr_destroy(&ca);
	a->health_inited = true;
	if (!a->cfg.slashing)
		return SS_OK;
	if (!a->cfg.db_health_interval_ms)
		a->cfg.db_health_interval_ms = API_DB_HEALTH_DEFAULT_INTERVAL_MS;
	if (!a->cfg.db_health_timeout_ms)
		a->cfg.db_health_timeout_ms = API_DB_HEALTH_DEFAULT_TIMEOUT_MS;
	slash_reason why;
	a->health_up = probe(a, &why); /* the first answer is known before the listener opens */
	memcpy(a->health_why, why.message, sizeof a->health_why);
	if (pthread_create(&a->health_thread, NULL, probe_main, a) != 0)
		return SS_ERR_NOMEM;
	a->health_thread_live = true;
	return SS_OK;
}

void api_db_health_stop(api *a)
{
	if (!a->health_inited)
		return;
	if (a->health_thread_live) {
		pthread_mutex_lock(&a->health_mu);
		a->health_stop = true;
		pthread_cond_broadcast(&a->health_cv);
		pthread_mutex_unlock(&a->health_mu);
		pthread_join(a->health_thread, NULL);
		a->health_thread_live = false;
	}
	pthread_mutex_destroy(&a->health_mu);
	pthread_cond_destroy(&a->health_cv);
	a->health_inited = false;
}

bool api_db_health_up(api *a, char *why, size_t cap)
{
	pthread_mutex_lock(&a->health_mu);
	bool hung = a->health_running &&
		    mono_ns() - a->health_started_ns > (uint64_t)a->cfg.db_health_timeout_ms * 1000000u;
	bool up = a->health_up && !hung;
	if (hung)
		snprintf(why, cap, "no answer within %u ms", (unsigned)a->cfg.db_health_timeout_ms);
	else
		snprintf(why, cap, "%s", up ? "" : a->health_why);
	pthread_mutex_unlock(&a->health_mu);
	return up;
}
