/* WAL checkpoints off the commit path.
 *
 * By default SQLite checkpoints inside the COMMIT that pushes the WAL past 1000 pages:
 * that commit copies pages into the database file and fsyncs it, and every caller of
 * that batch waits for it (a p99 spike). Instead the writer connection's WAL hook only
 * pokes this thread, which runs a PASSIVE checkpoint on its own connection: WAL lets it
 * copy committed pages while the writer keeps committing, and never blocks the writer.
 * If the thread cannot start, the store keeps SQLite's automatic checkpoints. */
#include <pthread.h>
#include <stdlib.h>

#include "slashing/sqlite_internal.h"
#include "util/thread_name.h"

struct slash_checkpointer {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool pending, stopping;
};

static void *checkpoint_main(void *arg)
{
	thread_name_set("ss-checkpoint");
	slash_checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->pending && !c->stopping)
			pthread_cond_wait(&c->cond, &c->lock);
		if (c->stopping)
			break;
		c->pending = false;
		pthread_mutex_unlock(&c->lock);
		/* failures (busy) are harmless: the next poke retries */
		(void)sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

slash_checkpointer *slash_checkpointer_start(const char *path)
{
	slash_checkpointer *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 1000;", NULL, NULL, NULL) !=
		    SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	if (pthread_create(&c->thread, NULL, checkpoint_main, c) != 0) {
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->cond);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	return c;
}

void slash_checkpointer_poke(slash_checkpointer *c)
{
	pthread_mutex_lock(&c->lock);
	c->pending = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void slash_checkpointer_stop(slash_checkpointer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	sqlite3_close(c->db);
	free(c);
}
