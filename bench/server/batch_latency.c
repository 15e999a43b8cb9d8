/* bench_server --modes batch (issue "Gloas and the 2026 signing API": single requests
 * keep their latency during a large batch). One connection sends single AGGREGATION_SLOT
 * requests one after another and times each; first alone, then while a second
 * connection sends back-to-back batches (POST /api/v1/eth2/sign) in which every key
 * signs one new slot. Each single request and each batch signs a root of its own, so
 * no hash is shared between them. Printed: the singles' p50/p99/max in both phases and
 * the batches' signatures per second. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch_latency.h"
#include "http_client.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
	uint16_t port;
	int validators;
	char (*pk_hex)[99];
	const char *fork;
	_Atomic bool stop;
	_Atomic unsigned long slot;
	unsigned long batches, signatures;
	double seconds;
	int errors;
} batcher;

static void *batch_loop(void *arg)
{
	batcher *b = arg;
	size_t cap = (size_t)b->validators * 104 + 1024;
	char *body = malloc(cap);
	int fd = -1;
	double t0 = now();
	while (body && !atomic_load(&b->stop)) {
		size_t len = (size_t)snprintf(body, cap, "{\"identifiers\":[");
		for (int i = 0; i < b->validators; i++)
			len += (size_t)snprintf(body + len, cap - len, "%s\"%s\"", i ? "," : "",
						b->pk_hex[i]);
		snprintf(body + len, cap - len,
			 "],\"signing_request\":{\"type\":\"AGGREGATION_SLOT\",%s,"
			 "\"aggregation_slot\":{\"slot\":\"%lu\"}}}",
			 b->fork, atomic_fetch_add(&b->slot, 1));
		if (bench_http(b->port, &fd, "POST", "/api/v1/eth2/sign", body) == 200) {
			b->batches++;
			b->signatures += (unsigned long)b->validators;
		} else {
			b->errors++;
		}
	}
	b->seconds = now() - t0;
	if (fd >= 0)
		close(fd);
	free(body);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* n single requests of key 0, each a new slot; latencies sorted into lat. */
static int singles_run(uint16_t port, char (*pk_hex)[99], const char *fork, _Atomic unsigned long *slot,
		       double *lat, int n)
{
	char path[160], body[1024];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[0]);
	int fd = -1, errs = 0;
	for (int i = 0; i < n; i++) {
		snprintf(body, sizeof body,
			 "{\"type\":\"AGGREGATION_SLOT\",%s,\"aggregation_slot\":{\"slot\":\"%lu\"}}",
			 fork, atomic_fetch_add(slot, 1));
		double t0 = now();
		errs += bench_http(port, &fd, "POST", path, body) != 200;
		lat[i] = now() - t0;
	}
	if (fd >= 0)
		close(fd);
	qsort(lat, (size_t)n, sizeof *lat, cmp);
	return errs;
}

void batch_latency_run(uint16_t port, int validators, char (*pk_hex)[99], const char *fork,
		       int singles)
{
	double *alone = calloc((size_t)singles, sizeof *alone);
	double *during = calloc((size_t)singles, sizeof *during);
	if (!alone || !during)
		return;
	batcher b = { .port = port, .validators = validators, .pk_hex = pk_hex, .fork = fork };
	atomic_store(&b.slot, 9000000);
	_Atomic unsigned long single_slot = 1;
	int e_alone = singles_run(port, pk_hex, fork, &single_slot, alone, singles);
	pthread_t th;
	if (pthread_create(&th, NULL, batch_loop, &b) != 0)
		return;
	usleep(300 * 1000); /* the first batch is under way */
	int e_during = singles_run(port, pk_hex, fork, &single_slot, during, singles);
	atomic_store(&b.stop, true);
	pthread_join(th, NULL);
	int n = singles;
	printf("\nmode batch: %d single AGGREGATION_SLOT requests on one connection, alone and "
	       "while another connection sends back-to-back batches of %d keys (each a new "
	       "slot)\n\n| single requests | p50 ms | p99 ms | max ms | errors | batches | batch "
	       "signatures/s |\n|---|---|---|---|---|---|---|\n",
	       singles, validators);
	printf("| alone | %.2f | %.2f | %.2f | %d | - | - |\n", alone[n / 2] * 1e3,
	       alone[(n * 99) / 100] * 1e3, alone[n - 1] * 1e3, e_alone);
	printf("| during batches | %.2f | %.2f | %.2f | %d | %lu | %.0f |\n", during[n / 2] * 1e3,
	       during[(n * 99) / 100] * 1e3, during[n - 1] * 1e3, e_during + b.errors, b.batches,
	       b.seconds > 0 ? (double)b.signatures / b.seconds : 0);
	fflush(stdout);
	free(alone);
	free(during);
}
