/* Module-internal: the state behind signer/health.h, shared by reload.c and health.c. */
#ifndef SS_SIGNER_HEALTH_INTERNAL_H
#define SS_SIGNER_HEALTH_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "signer/health.h"

struct signer_health {
	signer_health_config cfg;
	/* reload.c, under lock */
	pthread_mutex_t lock;
	signer_keys_health keys;
	signer_reload_status reload;
	pthread_t reload_thread;
	bool reload_thread_live;
	/* health.c, under db_mu */
	pthread_mutex_t db_mu;
	pthread_cond_t db_cv;
	pthread_t db_thread;
	bool db_inited, db_thread_live, db_stop, db_running, db_up;
	uint64_t db_started_ns;
	char db_why[sizeof(slash_reason)]; /* the last failed probe's reason */
};

ss_err signer_db_probe_start(signer_health *h);
void signer_db_probe_stop(signer_health *h);

#endif
