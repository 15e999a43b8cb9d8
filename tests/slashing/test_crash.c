/* Crash test (CONVENTIONS.md "fault injection"): a child process checks-and-records
 * under load from several threads and reports every ALLOWED decision to the parent
 * through a pipe, the moment it has it. The parent SIGKILLs the child at a random
 * moment, reopens the database (which must open), and checks that every message the
 * child reported as allowed is in it: the proof that "allowed" is only ever said after
 * the record is durable. Repeated many times on the same database. */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "slash_test_util.h"
#include "test.h"
#include "util/dec.h"
#include "util/hex.h"

#define ITERATIONS 25
#define CHILD_THREADS 6
#define MAX_REPORTS 400000

typedef struct {
	slash_db *db;
	int fd;
	unsigned thread;
	unsigned iteration;
} child_worker;

/* Each thread owns one validator; epochs start at a per-iteration base so every run
 * writes new records above the previous ones. */
static void *child_work(void *p)
{
	child_worker *c = p;
	uint8_t gvr[32] = { 5 }, pk[48], root[32];
	tdb_key(pk, c->thread);
	for (uint64_t n = 0;; n++) {
		uint64_t e = (uint64_t)c->iteration * 1000000 + n + 1;
		tdb_root(root, e);
		char line[96];
		int len;
		if (n % 4 == 0) {
			if (slash_check_block(c->db, pk, gvr, e, root, NULL) != SLASH_ALLOWED)
				_exit(3);
			len = snprintf(line, sizeof line, "b %u %llu\n", c->thread, (unsigned long long)e);
		} else {
			if (slash_check_attestation(c->db, pk, gvr, e, e + 1, root, NULL) != SLASH_ALLOWED)
				_exit(3);
			len = snprintf(line, sizeof line, "a %u %llu\n", c->thread, (unsigned long long)e);
		}
		/* one write per line: atomic on a pipe (< PIPE_BUF) */
		if (write(c->fd, line, (size_t)len) != len)
			_exit(4);
	}
	return NULL;
}

static void child_main(const char *dir, int fd, unsigned iteration)
{
	char path[512];
	slash_db *db;
	tdb_path(path, dir);
	if (slash_open_sqlite(&db, path, NULL) != SS_OK)
		_exit(2);
	child_worker w[CHILD_THREADS];
	pthread_t th[CHILD_THREADS];
	for (unsigned i = 0; i < CHILD_THREADS; i++) {
		w[i] = (child_worker){ db, fd, i, iteration };
		pthread_create(&th[i], NULL, child_work, &w[i]);
	}
	for (;;)
		pause();
}

typedef struct {
	char kind;
	unsigned thread;
	unsigned long long e;
} report;

static report reports[MAX_REPORTS];

/* Is (kind, validator, e) in the exported history? */
static bool in_export(json_t *doc, const report *r)
{
	uint8_t pk[48];
	char hex[99];
	tdb_key(pk, r->thread);
	hex_encode(hex, pk, 48, true);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(doc, "data"), i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "pubkey")), hex) != 0)
			continue;
		json_t *arr = json_object_get(e, r->kind == 'b' ? "signed_blocks" : "signed_attestations");
		/* records are exported in ascending order: binary search */
		size_t lo = 0, hi = json_array_size(arr);
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const char *k = json_string_value(
				json_object_get(json_array_get(arr, mid), r->kind == 'b' ? "slot" : "target_epoch"));
			uint64_t v = 0;
			if (k == NULL || dec_parse_u64(k, strlen(k), &v) != SS_OK)
				return false;
			uint64_t want = r->kind == 'b' ? r->e : r->e + 1;
			if (v == want)
				return true;
			if (v < want)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return false;
}

TEST(crash_sigkill_loses_nothing_reported)
{
	char dir[256];
	if (!tdb_mkdir(dir))
		return;
	uint64_t seed = (uint64_t)time(NULL) | 1;
	size_t total_reported = 0;
	for (unsigned it = 0; it < ITERATIONS; it++) {
		int fds[2];
		if (pipe(fds) != 0) {
			CHECK(false);
			break;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[0]);
			child_main(dir, fds[1], it + 1);
		}
		close(fds[1]);
		/* kill after 20..220 ms of load */
		struct timespec ts = { 0, (long)(20 + tdb_rand(&seed) % 200) * 1000000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		/* read everything the child wrote before it died */
		FILE *in = fdopen(fds[0], "r");
		size_t n = 0;
		char line[128];
		while (in != NULL && fgets(line, sizeof line, in) != NULL)
			if (n < MAX_REPORTS &&
			    sscanf(line, "%c %u %llu", &reports[n].kind, &reports[n].thread, &reports[n].e) == 3)
				n++;
		if (in != NULL)
			fclose(in);
		int status = 0;
		waitpid(pid, &status, 0);
		CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			  "iteration %u: the child ended on its own (status %d)", it, status);
		total_reported += n;
		/* the database must open after the crash and hold every reported record */
		slash_db *db = tdb_open(dir);
		if (db == NULL)
			break;
		char *text = NULL;
		json_t *doc = NULL;
		if (n > 0) {
			CHECK(slash_export_interchange(db, NULL, 0, &text) == SS_OK);
			doc = text ? json_loads(text, 0, NULL) : NULL;
		}
		size_t missing = 0;
		for (size_t i = 0; doc != NULL && i < n; i++)
			if (!in_export(doc, &reports[i]) && missing++ < 5)
				CHECK_MSG(false, "iteration %u: reported allowed %c %u %llu is not in the database", it,
					  reports[i].kind, reports[i].thread, reports[i].e);
		CHECK_EQ_U64(missing, 0);
		json_decref(doc);
		free(text);
		slash_close(db);
	}
	CHECK_MSG(total_reported > ITERATIONS, "the children reported only %zu decisions", total_reported);
	printf("crash test: %u kills, %zu allowed decisions verified\n", ITERATIONS, total_reported);
	tdb_rmdir(dir);
}
