/* Commit waiters (commit_pool.h). The threads only wait: slash_check_* hands the check
 * to the slashing writer and blocks until its group commit is durable, so a handful of
 * threads cost no CPU and let request threads sign meanwhile. */
#include <stdlib.h>
#include <string.h>

#include "signer/commit_pool.h"

static void *waiter(void *arg)
{
	signer_commit_pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (!p->head)
			break; /* stopping and nothing left */
		signer_commit_job *j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->mu);
		slash_decision d;
		if (j->attestation)
			d = slash_check_attestation(p->db, j->pubkey, j->gvr, j->source, j->target,
						    j->root, &j->why);
		else
			d = slash_check_block(p->db, j->pubkey, j->gvr, j->slot, j->root, &j->why);
		void (*cb)(signer_commit_job *) = j->on_done;
		if (cb) {
			/* Nobody waits on this job: hand it over outside the lock. */
			j->decision = d;
			j->done = true;
			cb(j);
			pthread_mutex_lock(&p->mu);
			continue;
		}
		pthread_mutex_lock(&p->mu);
		j->decision = d;
		j->done = true;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

ss_err signer_commit_pool_start(signer_commit_pool *p, slash_db *db, unsigned n)
{
	memset(p, 0, sizeof *p);
	p->db = db;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->threads = calloc(n, sizeof *p->threads);
	if (!p->threads)
		return SS_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&p->threads[i], NULL, waiter, p) != 0) {
			signer_commit_pool_stop(p);
			return SS_ERR_NOMEM;
		}
		p->n_threads++;
	}
	return SS_OK;
}

void signer_commit_pool_stop(signer_commit_pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	p->threads = NULL;
	p->n_threads = 0;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
}

void signer_commit_pool_submit(signer_commit_pool *p, signer_commit_job *job)
{
	job->done = false;
	job->next = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->tail)
		p->tail->next = job;
	else
		p->head = job;
	p->tail = job;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

void signer_commit_pool_wait(signer_commit_pool *p, signer_commit_job *job)
{
	pthread_mutex_lock(&p->mu);
	while (!job->done)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}
