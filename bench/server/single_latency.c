/* bench_server --modes single (issue 18: a single request on one connection costs at
 * most 1.3x blst's sign latency plus the client's own round trip). The round trip is an
 * /upcheck on the same connection, which does no work, measured interleaved with the
 * signing requests so that both see the same load; "signing time over the round trip"
 * is a signing request's p50 minus /upcheck's p50, set against blst's sign on one thread
 * measured just before and after: its wall time per signature (like the request's
 * latency, it includes waiting for a core on a shared machine) and its CPU time. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "blst_rate.h"
#include "http_client.h"
#include "single_latency.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void single_latency_run(uint16_t port, char (*pk_hex)[99], const char *fork, int n,
			unsigned long *epoch, const char *blst_modules, double ours_sign_us)
{
	double *lat[3];
	for (int k = 0; k < 3; k++)
		if (!(lat[k] = calloc((size_t)n, sizeof *lat[k])))
			return;
	/* blst on one thread, before and after: wall µs per signature (what a request's
	 * latency is made of, waits for a core included) and CPU µs per signature */
	double blst_us0 = 0, blst_us1 = 0, blst_wall0 = 0, blst_wall1 = 0;
	if (blst_modules) {
		double r = blst_rate(blst_modules, 1, 1.0, &blst_us0);
		blst_wall0 = r > 0 ? 1e6 / r : 0;
	}
	char path[160], body[1200];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[0]);
	int fd = -1, errs[3] = { 0, 0, 0 };
	static unsigned long uniq = 0xb000000;
	for (int i = 0; i < n; i++) {
		double t0 = now();
		errs[0] += bench_http(port, &fd, "GET", "/upcheck", NULL) != 200;
		double t1 = now();
		snprintf(body, sizeof body,
			 "{\"type\":\"AGGREGATION_SLOT\",%s,\"aggregation_slot\":{\"slot\":\"%lu\"}}",
			 fork, 200000000ul + uniq++);
		errs[1] += bench_http(port, &fd, "POST", path, body) != 200;
		double t2 = now();
		unsigned long e = (*epoch)++;
		snprintf(body, sizeof body,
			 "{\"type\":\"ATTESTATION\",%s,\"attestation\":{\"slot\":\"%lu\",\"index\":\"0\","
			 "\"beacon_block_root\":\"0x%064lx\",\"source\":{\"epoch\":\"%lu\",\"root\":"
			 "\"0x%064x\"},\"target\":{\"epoch\":\"%lu\",\"root\":\"0x%064lx\"}}}",
			 fork, e * 32, uniq++, e - 1, 7u, e, e);
		errs[2] += bench_http(port, &fd, "POST", path, body) != 200;
		double t3 = now();
		lat[0][i] = t1 - t0;
		lat[1][i] = t2 - t1;
		lat[2][i] = t3 - t2;
	}
	if (fd >= 0)
		close(fd);
	if (blst_modules) {
		double r = blst_rate(blst_modules, 1, 1.0, &blst_us1);
		blst_wall1 = r > 0 ? 1e6 / r : 0;
	}
	double blst_us = blst_modules ? (blst_us0 + blst_us1) / 2 : 0;
	double blst_wall = blst_modules ? (blst_wall0 + blst_wall1) / 2 : 0;
	for (int k = 0; k < 3; k++)
		qsort(lat[k], (size_t)n, sizeof *lat[k], cmp);
	double up50 = lat[0][n / 2];
	printf("\nmode single: %d rounds of GET /upcheck, AGGREGATION_SLOT, ATTESTATION "
	       "(durable record) on one keep-alive connection, interleaved; our raw bls_sign "
	       "%.1f us",
	       n, ours_sign_us);
	if (blst_modules)
		printf(", blst sign on one thread %.1f us wall per signature (before %.1f, after "
		       "%.1f), %.1f us CPU",
		       blst_wall, blst_wall0, blst_wall1, blst_us);
	printf("\n\n| request | p50 ms | p99 ms | max ms | errors | p50 minus /upcheck p50, us | "
	       "that / blst sign wall | that / blst sign CPU |\n|---|---|---|---|---|---|---|---|\n");
	static const char *const names[] = { "GET /upcheck", "AGGREGATION_SLOT", "ATTESTATION" };
	for (int k = 0; k < 3; k++) {
		double p50 = lat[k][n / 2];
		printf("| %s | %.3f | %.3f | %.3f | %d |", names[k], p50 * 1e3,
		       lat[k][(n * 99) / 100] * 1e3, lat[k][n - 1] * 1e3, errs[k]);
		if (k == 0)
			printf(" - | - | - |\n");
		else if (blst_us > 0 && blst_wall > 0)
			printf(" %.1f | %.2f | %.2f |\n", (p50 - up50) * 1e6,
			       (p50 - up50) * 1e6 / blst_wall, (p50 - up50) * 1e6 / blst_us);
		else
			printf(" %.1f | - | - |\n", (p50 - up50) * 1e6);
	}
	fflush(stdout);
	for (int k = 0; k < 3; k++)
		free(lat[k]);
}
