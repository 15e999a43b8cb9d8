/* Module-internal: a few threads that wait for slashing check-and-record commits, so
 * that the request thread computes the BLS signature while its record is being made
 * durable (issue 7: "BLS signing may overlap the database commit"). The signature is
 * still released only after the job reports SLASH_ALLOWED (DESIGN.md §2, invariant 1). */
#ifndef SS_SIGNER_COMMIT_POOL_H
#define SS_SIGNER_COMMIT_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "eth2/eth2.h"
#include "slashing/slashing.h"

typedef struct signer_commit_job {
	/* in */
	bool attestation; /* else a block */
	uint8_t pubkey[SLASH_PUBKEY_BYTES];
	uint8_t gvr[SLASH_ROOT_BYTES];
	uint64_t slot, source, target;
	uint8_t root[SLASH_ROOT_BYTES];
	/* When set, called by the waiter thread once the decision is in (instead of
	 * anyone waiting): the asynchronous path of signer_sign_async. */
	void (*on_done)(struct signer_commit_job *job);
	void *ctx;
	/* out */
	slash_decision decision;
	slash_reason why;
	bool done;
	struct signer_commit_job *next;
} signer_commit_job;

typedef struct {
	slash_db *db;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	signer_commit_job *head, *tail;
	bool stop;
	unsigned n_threads;
	pthread_t *threads;
} signer_commit_pool;

/* Starts n waiter threads on db. */
ss_err signer_commit_pool_start(signer_commit_pool *p, slash_db *db, unsigned n) SS_MUST_USE;
/* Stops the threads after the queued jobs are done. */
void signer_commit_pool_stop(signer_commit_pool *p);

/* Queues job (which must stay valid until signer_commit_pool_wait returns). */
void signer_commit_pool_submit(signer_commit_pool *p, signer_commit_job *job);
/* Waits until job is done. */
void signer_commit_pool_wait(signer_commit_pool *p, signer_commit_job *job);

#endif
