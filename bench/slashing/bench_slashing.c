/* bench_slashing: durable attestation check-and-record throughput.
 *
 * For 1, 8, 64 and 256 concurrent callers, each caller thread signs attestations for
 * its own validators ((e, e+1) with e increasing, so every call writes a new record)
 * for a fixed time, against a fresh database in the current directory (so the fsyncs
 * hit the real disk, not a tmpfs). Two modes in the same run:
 *   group   - the default: concurrent checks share one transaction and one fsync;
 *   single  - baseline: one transaction and one fsync per check.
 * Prints records/s, the median and p99 wait of a call, the batches committed, and the
 * group/single ratio. Usage: bench_slashing [seconds-per-run (default 3)] [callers...] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "slashing/slashing.h"

#define VALIDATORS_PER_CALLER 4
#define MAX_SAMPLES (1u << 20)

typedef struct {
	slash_db *db;
	unsigned index;
	double deadline;
	uint64_t done, errors;
	double *lat;
	size_t n_lat;
} caller;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void key_of(uint8_t pk[SLASH_PUBKEY_BYTES], unsigned n)
{
	memset(pk, 0x77, SLASH_PUBKEY_BYTES);
	memcpy(pk, &n, sizeof n);
}

static void *caller_main(void *arg)
{
	caller *c = arg;
	uint8_t gvr[SLASH_ROOT_BYTES] = { 1 }, root[SLASH_ROOT_BYTES] = { 2 };
	uint8_t pk[VALIDATORS_PER_CALLER][SLASH_PUBKEY_BYTES];
	for (unsigned v = 0; v < VALIDATORS_PER_CALLER; v++)
		key_of(pk[v], c->index * VALIDATORS_PER_CALLER + v);
	uint64_t epoch = 1;
	while (now_s() < c->deadline) {
		for (unsigned v = 0; v < VALIDATORS_PER_CALLER && now_s() < c->deadline; v++) {
			memcpy(root, &epoch, sizeof epoch);
			double t0 = now_s();
			slash_decision d = slash_check_attestation(c->db, pk[v], gvr, epoch, epoch + 1, root, NULL);
			double t1 = now_s();
			if (d == SLASH_ALLOWED)
				c->done++;
			else
				c->errors++;
			if (c->n_lat < MAX_SAMPLES)
				c->lat[c->n_lat++] = t1 - t0;
		}
		epoch++;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

typedef struct {
	double rate, p50_ms, p99_ms;
	uint64_t errors;
	slash_stats st;
} result;

static int run(bool group, unsigned callers, double seconds, result *out)
{
	char path[] = "bench-slashing.sqlite";
	const char *suffix[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		char p[64];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	slash_options o;
	slash_options_default(&o);
	o.group_commit = group;
	slash_db *db;
	if (slash_open_sqlite(&db, path, &o) != SS_OK) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	caller *cs = calloc(callers, sizeof *cs);
	pthread_t *th = calloc(callers, sizeof *th);
	double start = now_s();
	for (unsigned i = 0; i < callers; i++) {
		cs[i] = (caller){ .db = db, .index = i, .deadline = start + seconds };
		cs[i].lat = malloc(sizeof(double) * (MAX_SAMPLES / callers + 1));
		pthread_create(&th[i], NULL, caller_main, &cs[i]);
	}
	uint64_t total = 0, errors = 0;
	size_t n_lat = 0;
	for (unsigned i = 0; i < callers; i++) {
		pthread_join(th[i], NULL);
		total += cs[i].done;
		errors += cs[i].errors;
		n_lat += cs[i].n_lat;
	}
	double elapsed = now_s() - start;
	double *all = malloc(sizeof(double) * (n_lat + 1));
	size_t k = 0;
	for (unsigned i = 0; i < callers; i++) {
		memcpy(all + k, cs[i].lat, cs[i].n_lat * sizeof(double));
		k += cs[i].n_lat;
		free(cs[i].lat);
	}
	qsort(all, n_lat, sizeof *all, cmp_double);
	out->rate = (double)total / elapsed;
	out->p50_ms = n_lat ? all[n_lat / 2] * 1e3 : 0;
	out->p99_ms = n_lat ? all[(size_t)((double)n_lat * 0.99)] * 1e3 : 0;
	out->errors = errors;
	free(all);
	free(cs);
	free(th);
	slash_get_stats(db, &out->st);
	slash_close(db);
	for (int i = 0; i < 3; i++) {
		char p[64];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	return 0;
}

/* The disk's own fsync latency right now (4 KiB append + fsync), printed beside the
 * results: no durable design can release a caller faster than its fsync, so the p99 of
 * this probe is the floor under every p99 below. */
static void fsync_probe(void)
{
	enum { N = 1000 };
	static double lat[N];
	const char *path = "bench-slashing-fsync.probe";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	char block[4096];
	memset(block, 'x', sizeof block);
	int n = 0;
	for (; n < N; n++) {
		if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
			break;
		double t0 = now_s();
		if (fsync(fd) != 0)
			break;
		lat[n] = now_s() - t0;
	}
	close(fd);
	unlink(path);
	if (n == 0)
		return;
	qsort(lat, (size_t)n, sizeof lat[0], cmp_double);
	printf("raw fsync (4 KiB append): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", lat[n / 2] * 1e3,
	       lat[(n * 99) / 100] * 1e3, lat[n - 1] * 1e3);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	unsigned def[] = { 1, 8, 64, 256 };
	unsigned n = argc > 2 ? (unsigned)(argc - 2) : 4;
	if (seconds <= 0) {
		fprintf(stderr, "usage: bench_slashing [seconds] [callers...]\n");
		return 2;
	}
	printf("durable attestation check-and-record (SQLite WAL, synchronous=FULL), %.1f s per run\n",
	       seconds);
	fsync_probe();
	printf("%8s | %12s %9s %9s | %12s %9s %9s | %6s\n", "callers", "group rec/s", "p50 ms",
	       "p99 ms", "single rec/s", "p50 ms", "p99 ms", "ratio");
	for (unsigned i = 0; i < n; i++) {
		unsigned callers = argc > 2 ? (unsigned)atoi(argv[2 + i]) : def[i];
		if (callers == 0)
			continue;
		result g, s;
		if (run(true, callers, seconds, &g) != 0 || run(false, callers, seconds, &s) != 0)
			return 1;
		printf("%8u | %12.0f %9.2f %9.2f | %12.0f %9.2f %9.2f | %6.1f%s\n", callers, g.rate,
		       g.p50_ms, g.p99_ms, s.rate, s.p50_ms, s.p99_ms, s.rate > 0 ? g.rate / s.rate : 0,
		       g.errors + s.errors ? "  (errors!)" : "");
		printf("         | batches %llu, mean %.1f checks, apply %.1f us/check, commit %.2f ms/batch\n",
		       (unsigned long long)g.st.batches, g.st.batches ? (double)g.st.checks / (double)g.st.batches : 0,
		       g.st.checks ? (double)g.st.apply_ns / 1e3 / (double)g.st.checks : 0,
		       g.st.batches ? (double)g.st.commit_ns / 1e6 / (double)g.st.batches : 0);
		fflush(stdout);
	}
	return 0;
}
