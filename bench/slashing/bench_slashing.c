/* bench_slashing: durable attestation check-and-record throughput.
 *
 * For 1, 8, 64 and 256 concurrent callers, each caller thread signs attestations for
 * its own validators ((e, e+1) with e increasing, so every call writes a new record)
 * against a fresh database in the current directory (so the fsyncs hit the real disk,
 * not a tmpfs). Two modes in the same run:
 *   group   - the default: concurrent checks share one transaction and one fsync;
 *   single  - baseline: one transaction and one fsync per check.
 * The machine is shared and its disk latency drifts, so the two modes alternate in
 * short slices (SLICES of each per caller count) and each row sums its slices: both
 * modes see the same conditions. Prints records/s, the median and p99 wait of a call,
 * the group/single ratio, and the batches the writer committed; first, the disk's raw
 * fsync latency, the floor under any durable design's latency.
 * Then, unless callers were named, the same group-commit workload on a grown database:
 * 64 callers over 10 240 validators after 100 epochs of history each (about a million
 * records), where every check touches a different validator's pages.
 * With SLASH_TEST_PG set to a libpq connection string (tests/slashing/with-postgres.sh
 * starts a throw-away cluster and sets it) the PostgreSQL backend is measured instead.
 * Usage: bench_slashing [seconds-per-mode (default 4)] [callers...] */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slashing/slashing.h"
#include "util/dec.h"

#define VALIDATORS_PER_CALLER 4
#define SLICES 4
#define MAX_SAMPLES (1u << 21)

typedef struct {
	slash_db *db;
	unsigned index, validators;
	uint64_t first_epoch, last_epoch; /* grown run: epochs to sign, for every validator */
	double deadline;
	uint64_t done, errors;
	double *lat;
	size_t n_lat, cap_lat;
} caller;

/* One mode's totals over all its slices. */
typedef struct {
	uint64_t records, errors;
	double seconds;
	double *lat;
	size_t n_lat;
	slash_stats st;
} tally;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Every slice signs for validators of its own, so a store that persists between
 * slices (PostgreSQL) starts each slice as fresh as a new SQLite file. */
static unsigned slice_no;

static void key_of(uint8_t pk[SLASH_PUBKEY_BYTES], unsigned n)
{
	memset(pk, 0x77, SLASH_PUBKEY_BYTES);
	memcpy(pk + 8, &n, sizeof n);
	memcpy(pk + 12, &slice_no, sizeof slice_no);
}

static const char *pg_conninfo(void)
{
	const char *pg = getenv("SLASH_TEST_PG");
	return pg != NULL && *pg != '\0' ? pg : NULL;
}

static ss_err open_db(slash_db **db, const char *path, const slash_options *o)
{
	return pg_conninfo() ? slash_open_postgres(db, pg_conninfo(), o) : slash_open_sqlite(db, path, o);
}

/* Grown-database caller: every epoch in [first, last) for each of its validators. */
static void *epoch_caller(void *arg)
{
	caller *c = arg;
	uint8_t gvr[SLASH_ROOT_BYTES] = { 1 }, root[SLASH_ROOT_BYTES] = { 2 }, pk[SLASH_PUBKEY_BYTES];
	for (uint64_t e = c->first_epoch; e < c->last_epoch; e++)
		for (unsigned v = 0; v < c->validators; v++) {
			key_of(pk, c->index * c->validators + v);
			memcpy(root, &e, sizeof e);
			double t0 = now_s();
			if (slash_check_attestation(c->db, pk, gvr, e, e + 1, root, NULL) == SLASH_ALLOWED)
				c->done++;
			else
				c->errors++;
			if (c->n_lat < c->cap_lat)
				c->lat[c->n_lat++] = now_s() - t0;
		}
	return NULL;
}

static void *caller_main(void *arg)
{
	caller *c = arg;
	uint8_t gvr[SLASH_ROOT_BYTES] = { 1 }, root[SLASH_ROOT_BYTES] = { 2 };
	uint8_t pk[VALIDATORS_PER_CALLER][SLASH_PUBKEY_BYTES];
	for (unsigned v = 0; v < VALIDATORS_PER_CALLER; v++)
		key_of(pk[v], c->index * VALIDATORS_PER_CALLER + v);
	for (uint64_t epoch = 1; now_s() < c->deadline; epoch++) {
		for (unsigned v = 0; v < VALIDATORS_PER_CALLER && now_s() < c->deadline; v++) {
			memcpy(root, &epoch, sizeof epoch);
			double t0 = now_s();
			slash_decision d = slash_check_attestation(c->db, pk[v], gvr, epoch, epoch + 1, root, NULL);
			double t1 = now_s();
			if (d == SLASH_ALLOWED)
				c->done++;
			else
				c->errors++;
			if (c->n_lat < c->cap_lat)
				c->lat[c->n_lat++] = t1 - t0;
		}
	}
	return NULL;
}

static void remove_db(const char *path)
{
	const char *suffix[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		char p[128];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

/* One slice: a fresh database, callers threads for seconds; adds to t. */
static int slice(bool group, unsigned callers, double seconds, tally *t)
{
	const char *path = "bench-slashing.sqlite";
	remove_db(path);
	slice_no++;
	slash_options o;
	slash_options_default(&o);
	o.group_commit = group;
	o.prune_interval_s = 0;
	slash_db *db;
	if (open_db(&db, path, &o) != SS_OK) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	caller *cs = calloc(callers, sizeof *cs);
	pthread_t *th = calloc(callers, sizeof *th);
	size_t per = MAX_SAMPLES / SLICES / callers + 1;
	double start = now_s();
	for (unsigned i = 0; i < callers; i++) {
		cs[i] = (caller){ .db = db, .index = i, .deadline = start + seconds, .cap_lat = per };
		cs[i].lat = malloc(sizeof(double) * per);
		pthread_create(&th[i], NULL, caller_main, &cs[i]);
	}
	for (unsigned i = 0; i < callers; i++) {
		pthread_join(th[i], NULL);
		t->records += cs[i].done;
		t->errors += cs[i].errors;
		memcpy(t->lat + t->n_lat, cs[i].lat, cs[i].n_lat * sizeof(double));
		t->n_lat += cs[i].n_lat;
		free(cs[i].lat);
	}
	t->seconds += now_s() - start;
	slash_stats st;
	slash_get_stats(db, &st);
	t->st.batches += st.batches;
	t->st.checks += st.checks;
	t->st.apply_ns += st.apply_ns;
	t->st.commit_ns += st.commit_ns;
	free(cs);
	free(th);
	slash_close(db);
	remove_db(path);
	return 0;
}

static double pct(tally *t, double p)
{
	if (t->n_lat == 0)
		return 0;
	qsort(t->lat, t->n_lat, sizeof *t->lat, cmp_double);
	return t->lat[(size_t)((double)t->n_lat * p)] * 1e3;
}

/* The disk's own fsync latency right now (4 KiB append + fsync): no durable design can
 * release a caller faster than its fsync, so this p99 is the floor under every p99. */
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

/* Runs callers epoch_caller threads over [first, last); measures when lat is set. */
static double epochs(slash_db *db, unsigned callers, unsigned per, uint64_t first, uint64_t last, tally *t)
{
	caller *cs = calloc(callers, sizeof *cs);
	pthread_t *th = calloc(callers, sizeof *th);
	double start = now_s();
	for (unsigned i = 0; i < callers; i++) {
		cs[i] = (caller){ .db = db, .index = i, .validators = per, .first_epoch = first, .last_epoch = last };
		if (t != NULL) {
			cs[i].cap_lat = (size_t)per * (size_t)(last - first);
			cs[i].lat = malloc(sizeof(double) * cs[i].cap_lat);
		}
		pthread_create(&th[i], NULL, epoch_caller, &cs[i]);
	}
	for (unsigned i = 0; i < callers; i++) {
		pthread_join(th[i], NULL);
		if (t != NULL) {
			t->records += cs[i].done;
			t->errors += cs[i].errors;
			memcpy(t->lat + t->n_lat, cs[i].lat, cs[i].n_lat * sizeof(double));
			t->n_lat += cs[i].n_lat;
			free(cs[i].lat);
		}
	}
	double elapsed = now_s() - start;
	free(cs);
	free(th);
	return elapsed;
}

static int grown(void)
{
	enum { CALLERS = 64, PER = 160, PREFILL = 100, MEASURE = 3 };
	const char *path = "bench-slashing.sqlite";
	remove_db(path);
	slash_options o;
	slash_options_default(&o);
	o.prune_interval_s = 0;
	slash_db *db;
	slice_no++;
	if (open_db(&db, path, &o) != SS_OK)
		return 1;
	double fill = epochs(db, CALLERS, PER, 1, 1 + PREFILL, NULL);
	slash_stats s0, s1;
	slash_get_stats(db, &s0);
	tally t = { .lat = malloc(sizeof(double) * CALLERS * PER * MEASURE) };
	t.seconds = epochs(db, CALLERS, PER, 1 + PREFILL, 1 + PREFILL + MEASURE, &t);
	slash_get_stats(db, &s1);
	printf("grown database (%u validators x %u epochs, prefilled in %.1f s): 64 callers, group: %.0f rec/s, "
	       "p50 %.2f ms, p99 %.2f ms; batches %.1f, commit %.2f ms%s\n",
	       CALLERS * PER, PREFILL, fill, (double)t.records / t.seconds, pct(&t, 0.5), pct(&t, 0.99),
	       (double)(s1.checks - s0.checks) / (double)(s1.batches - s0.batches),
	       (double)(s1.commit_ns - s0.commit_ns) / 1e6 / (double)(s1.batches - s0.batches),
	       t.errors ? "  (errors!)" : "");
	free(t.lat);
	slash_close(db);
	remove_db(path);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 4.0;
	unsigned def[] = { 1, 8, 64, 256 };
	unsigned n = argc > 2 ? (unsigned)(argc - 2) : 4;
	if (seconds <= 0) {
		fprintf(stderr, "usage: bench_slashing [seconds-per-mode] [callers...]\n");
		return 2;
	}
	printf("durable attestation check-and-record (%s), %.1f s per mode in %d alternating slices\n",
	       pg_conninfo() ? "PostgreSQL, synchronous_commit=on" : "SQLite WAL, synchronous=FULL", seconds,
	       SLICES);
	fsync_probe();
	printf("%8s | %12s %8s %8s | %12s %8s %8s | %6s | %s\n", "callers", "group rec/s", "p50 ms", "p99 ms",
	       "single rec/s", "p50 ms", "p99 ms", "ratio", "group batches: mean size, commit ms");
	for (unsigned i = 0; i < n; i++) {
		uint64_t arg = def[i];
		/* a typo is refused rather than read as 0 callers and skipped (atoi) */
		if (argc > 2 && (dec_parse_u64(argv[2 + i], strlen(argv[2 + i]), &arg) != SS_OK ||
				 arg > UINT_MAX)) {
			fprintf(stderr, "bench_slashing: \"%s\" is not a caller count\n", argv[2 + i]);
			return 2;
		}
		unsigned callers = (unsigned)arg;
		if (callers == 0)
			continue;
		tally g = { .lat = malloc(sizeof(double) * 2 * MAX_SAMPLES) };
		tally s = { .lat = malloc(sizeof(double) * 2 * MAX_SAMPLES) };
		for (int k = 0; k < SLICES; k++)
			if (slice(true, callers, seconds / SLICES, &g) != 0 ||
			    slice(false, callers, seconds / SLICES, &s) != 0)
				return 1;
		double gr = (double)g.records / g.seconds, sr = (double)s.records / s.seconds;
		double g50 = pct(&g, 0.5), g99 = pct(&g, 0.99), s50 = pct(&s, 0.5), s99 = pct(&s, 0.99);
		printf("%8u | %12.0f %8.2f %8.2f | %12.0f %8.2f %8.2f | %6.1f | %.1f, %.2f%s\n", callers, gr, g50, g99,
		       sr, s50, s99, sr > 0 ? gr / sr : 0,
		       g.st.batches ? (double)g.st.checks / (double)g.st.batches : 0,
		       g.st.batches ? (double)g.st.commit_ns / 1e6 / (double)g.st.batches : 0,
		       g.errors + s.errors ? "  (errors!)" : "");
		fflush(stdout);
		free(g.lat);
		free(s.lat);
	}
	return argc > 2 ? 0 : grown();
}
