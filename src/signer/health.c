/* The slashing database's health (signer/health.h), probed in the background (as
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

#include "signer/health_internal.h"
#include "util/log.h"
#include "util/mono_clock.h"
#include "util/thread_name.h"

/* One probe; why receives the reason when it fails. */
static bool probe(signer_health *h, slash_reason *why)
{
	why->message[0] = '\0';
	return slash_write_check(h->cfg.slashing, why) == SS_OK;
}

static void *probe_main(void *arg)
{
	signer_health *h = arg;
	thread_name_set("ss-db-health");
	pthread_mutex_lock(&h->db_mu);
	while (!h->db_stop) {
		h->db_started_ns = mono_ns();
		h->db_running = true;
		pthread_mutex_unlock(&h->db_mu);
		slash_reason why;
		bool up = probe(h, &why);
		pthread_mutex_lock(&h->db_mu);
		if (up != h->db_up)
			log_warn("slashing protection database health: %s%s%s", up ? "UP" : "DOWN",
				 up ? "" : ": ", up ? "" : why.message);
		h->db_running = false;
		h->db_up = up;
		memcpy(h->db_why, why.message, sizeof h->db_why);
		uint64_t wake = mono_ns() + (uint64_t)h->cfg.db_interval_ms * 1000000u;
		struct timespec ts = mono_timespec(wake);
		while (!h->db_stop && mono_ns() < wake)
			pthread_cond_timedwait(&h->db_cv, &h->db_mu, &ts);
	}
	pthread_mutex_unlock(&h->db_mu);
	return NULL;
}

ss_err signer_db_probe_start(signer_health *h)
{
	pthread_mutex_init(&h->db_mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->db_cv, &ca);
	pthread_condattr_destroy(&ca);
	h->db_inited = true;
	if (!h->cfg.slashing) {
		h->db_up = true; /* nothing to probe */
		return SS_OK;
	}
	slash_reason why;
	h->db_up = probe(h, &why); /* the first answer is known before the listener opens */
	memcpy(h->db_why, why.message, sizeof h->db_why);
	if (pthread_create(&h->db_thread, NULL, probe_main, h) != 0)
		return SS_ERR_NOMEM;
	h->db_thread_live = true;
	return SS_OK;
}

void signer_db_probe_stop(signer_health *h)
{
	if (!h->db_inited)
		return;
	if (h->db_thread_live) {
		pthread_mutex_lock(&h->db_mu);
		h->db_stop = true;
		pthread_cond_broadcast(&h->db_cv);
		pthread_mutex_unlock(&h->db_mu);
		pthread_join(h->db_thread, NULL);
		h->db_thread_live = false;
	}
	pthread_mutex_destroy(&h->db_mu);
	pthread_cond_destroy(&h->db_cv);
	h->db_inited = false;
}

bool signer_health_db_up(signer_health *h, char *why, size_t cap)
{
	pthread_mutex_lock(&h->db_mu);
	bool hung = h->db_running &&
		    mono_ns() - h->db_started_ns > (uint64_t)h->cfg.db_timeout_ms * 1000000u;
	bool up = h->db_up && !hung;
	if (hung)
		snprintf(why, cap, "no answer within %u ms", (unsigned)h->cfg.db_timeout_ms);
	else
		snprintf(why, cap, "%s", up ? "" : h->db_why);
	pthread_mutex_unlock(&h->db_mu);
	return up;
}
