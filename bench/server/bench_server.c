/* Load benchmark of `secure-signer run` (issue 7 "Speed"): a slot's burst of attestation
 * and aggregation-slot requests for many validators, with durable slashing protection
 * on, sent over 1, 16 and 256 keep-alive connections. Prints signatures per second and
 * p50/p99 latency next to the raw BLS sign rates of two threads measured in the same run
 * on the same machine, so the HTTP/JSON/SSZ/slashing overhead reads as a ratio.
 *
 * usage: bench_server [--validators N] [--bursts B] [--connections 1,16,256]
 *                     [--binary PATH] [--threads T]
 *                     [--modes distinct,burst,electra,batch,single]
 *                     [--committee C] [--cpu 1] [--blst NODE_MODULES]
 * --blst DIR (DIR holding @chainsafe/blst; bench/server/bench-server.sh installs it)
 * adds blst's raw 2-thread sign rate, measured just before and just after each row like
 * ours, and the row's ratio to it: the yardstick is blst.
 * --cpu 1 adds, under each row, where the CPU went per request: the signer's threads by
 * name (on a CPU, waiting for one, times scheduled in), the load generator, the machine.
 * Each burst sends, for every validator, one ATTESTATION for a new epoch and one
 * AGGREGATION_SLOT: 2N requests, all of them signable (no refusals). Modes:
 *   distinct  every request of the whole run signs a root no other request signs, so
 *             the signer's hashed-message cache never hits: the strict comparison with
 *             the raw bls_sign rate (hash_to_G2 + scalar multiplication per signature).
 *   burst     what a slot's burst looks like: all validators attest in one slot, in
 *             committees of C (default 32) that share their AttestationData, and all
 *             AGGREGATION_SLOT requests share the slot, so a burst of 2N requests has
 *             N/C + 1 distinct roots. Shown next to both the raw bls_sign rate and the
 *             raw bls_sign_hashed rate (scalar multiplication only, the ceiling when
 *             every hash is shared).
 *   electra   the burst since Electra (EIP-7549: the committee index left the signed
 *             AttestationData): every validator of the slot attests to ONE
 *             AttestationData, so a burst has 2 distinct roots, each signed by N keys,
 *             and from each root's 8th signer on the signer signs with the root's
 *             fixed-base table (docs/bls.md); the table's signatures are counted from
 *             /metrics. Not in the default --modes.
 *   batch     single requests' latency alone and during back-to-back batches (POST
 *             /api/v1/eth2/sign naming every key; batch_latency.c). Not in the default
 *             --modes.
 *   single    one request at a time on one connection, against an /upcheck round trip
 *             on the same connection and blst's sign (single_latency.c). Not in the
 *             default --modes. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/bls.h"
#include "batch_latency.h"
#include "blst_rate.h"
#include "http_client.h"
#include "proc_cpu.h"
#include "single_latency.h"
#include "util/hex.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- raw BLS rate ------------------------------------------------------------------ */

typedef struct {
	bls_secret_key sk;
	double seconds;
	long count;
	bool hashed;
} raw_job;

static void *raw_worker(void *arg)
{
	raw_job *j = arg;
	uint8_t msg[32] = { 1 }, sig[96];
	bls_hashed_message h;
	bls_hash_message(&h, msg, sizeof msg);
	double end = now_s() + j->seconds;
	while (now_s() < end) {
		if (j->hashed) { /* one message hashed once, as the cache gives it */
			bls_sign_hashed(sig, &j->sk, &h);
		} else { /* a new message each time: hash_to_G2 + scalar multiplication */
			msg[0]++;
			bls_sign(sig, &j->sk, msg, sizeof msg);
		}
		j->count++;
	}
	return NULL;
}

/* Signatures per second of `threads` threads calling bls_sign (hashed false) or
 * bls_sign_hashed (hashed true) in-process. */
static double raw_rate_of(int threads, double seconds, bool hashed)
{
	raw_job jobs[8];
	pthread_t t[8];
	uint8_t b[32];
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(0x20 + i);
	for (int i = 0; i < threads; i++) {
		memset(&jobs[i], 0, sizeof jobs[i]);
		if (bls_secret_key_from_bytes(&jobs[i].sk, b) != SS_OK)
			return 0;
		jobs[i].seconds = seconds;
		jobs[i].hashed = hashed;
		pthread_create(&t[i], NULL, raw_worker, &jobs[i]);
	}
	long total = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		total += jobs[i].count;
		bls_secret_key_wipe(&jobs[i].sk);
	}
	return (double)total / seconds;
}

static double raw_rate(int threads, double seconds) { return raw_rate_of(threads, seconds, false); }

/* ---- the signer process ------------------------------------------------------------ */

static char tmpdir_path[256];
static pid_t signer_pid;

static uint16_t metrics_port;

static uint16_t start_signer(const char *binary, int validators, char (*pk_hex)[99],
			     const char *threads)
{
	snprintf(tmpdir_path, sizeof tmpdir_path, "%s/ss-bench-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir_path))
		return 0;
	char keys[300], data[300], path[400];
	snprintf(keys, sizeof keys, "%s/keys", tmpdir_path);
	snprintf(data, sizeof data, "%s/data", tmpdir_path);
	mkdir(keys, 0700);
	for (int v = 0; v < validators; v++) {
		uint8_t sk[32];
		/* Distinct by construction (v in the last four bytes) and below r. */
		for (int i = 0; i < 28; i++)
			sk[i] = (uint8_t)(0x11 + 3 * i);
		sk[0] = 0x1a;
		sk[28] = (uint8_t)(v >> 24);
		sk[29] = (uint8_t)(v >> 16);
		sk[30] = (uint8_t)(v >> 8);
		sk[31] = (uint8_t)v;
		bls_secret_key k;
		if (bls_secret_key_from_bytes(&k, sk) != SS_OK)
			return 0;
		uint8_t pk[48];
		bls_sk_to_pk(pk, &k);
		bls_secret_key_wipe(&k);
		hex_encode(pk_hex[v], pk, 48, true);
		char skh[67];
		hex_encode(skh, sk, 32, true);
		snprintf(path, sizeof path, "%s/v%d.yaml", keys, v);
		FILE *f = fopen(path, "w");
		if (!f)
			return 0;
		fprintf(f, "type: \"file-raw\"\nkeyType: \"BLS\"\nprivateKey: \"%s\"\n", skh);
		fclose(f);
	}
	char a_data[320], a_keys[320], a_threads[64], logp[320];
	snprintf(a_data, sizeof a_data, "--data-dir=%s", data);
	snprintf(a_keys, sizeof a_keys, "--key-config-path=%s", keys);
	snprintf(a_threads, sizeof a_threads, "--http-threads=%s", threads ? threads : "0");
	snprintf(logp, sizeof logp, "%s/signer.log", tmpdir_path);
	signer_pid = fork();
	if (signer_pid == 0) {
		FILE *lf = freopen(logp, "w", stderr);
		(void)lf;
		char a_log[64];
		snprintf(a_log, sizeof a_log, "--logging=%s",
			 getenv("BENCH_SIGNER_LOGGING") ? getenv("BENCH_SIGNER_LOGGING") : "warn");
		execl(binary, binary, "run", "--http-listen-port=0", a_data, a_keys, a_threads,
		      a_log, "--metrics-enabled", "--metrics-port=0", (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof path, "%s/secure-signer.ports", data);
	for (int i = 0; i < 1200; i++) {
		FILE *f = fopen(path, "r");
		unsigned port = 0, mport = 0;
		if (f) {
			int n = fscanf(f, "http-port=%u\nmetrics-port=%u", &port, &mport);
			fclose(f);
			if (n == 2 && port && mport) {
				metrics_port = (uint16_t)mport;
				return (uint16_t)port;
			}
		}
		if (waitpid(signer_pid, NULL, WNOHANG) == signer_pid)
			return 0;
		usleep(100 * 1000);
	}
	return 0;
}

/* Every failed request is an error in its row; the first few are described on stderr
 * whatever the settings, so a rare failure can be told apart (refused or reset
 * connection, or an error status) the first time it happens. BENCH_DEBUG=1 describes
 * them all. */
#define FAILURES_DESCRIBED 10
static _Atomic int failures_seen;

static void describe_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void describe_failure(const char *fmt, ...)
{
	if (atomic_fetch_add(&failures_seen, 1) >= FAILURES_DESCRIBED && !getenv("BENCH_DEBUG"))
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "failed request: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void stop_signer(void)
{
	if (signer_pid > 0) {
		kill(signer_pid, SIGTERM);
		waitpid(signer_pid, NULL, 0);
	}
	/* after a failure the signer's log is evidence: keep it */
	if (getenv("BENCH_KEEP") || atomic_load(&failures_seen) > 0) {
		fprintf(stderr, "kept %s (the signer's log is signer.log)\n", tmpdir_path);
		return;
	}
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir_path);
	int rc = system(cmd);
	(void)rc;
}

/* ---- the load ---------------------------------------------------------------------- */

typedef struct {
	char *text; /* a whole HTTP request */
	size_t len;
} request;

static request *reqs;
static size_t n_reqs;
static double *lat;
static _Atomic int errors, lost;
static uint16_t port;

static const char FORK[] =
	"\"fork_info\":{\"fork\":{\"previous_version\":\"0x04000000\",\"current_version\":"
	"\"0x05000000\",\"epoch\":\"364032\"},\"genesis_validators_root\":"
	"\"0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95\"}";

/* Roots unique over the whole run (distinct mode): the signer keeps its cache across
 * rows, so a root seen in an earlier burst would hit. */
static unsigned long uniq = 1;

static void build_burst(int validators, char (*pk_hex)[99], unsigned long epoch, bool distinct,
			int committee)
{
	for (size_t i = 0; i < n_reqs; i++)
		free(reqs[i].text);
	n_reqs = 0;
	char body[1200];
	for (int v = 0; v < validators; v++) {
		for (int kind = 0; kind < 2; kind++) {
			/* distinct: a block root (attestation) or a slot (aggregation slot) of
			 * its own per request; burst: one slot, a committee's AttestationData
			 * shared by its members, one aggregation-slot root for everyone. */
			unsigned long slot = distinct ? epoch * 32 + (unsigned long)(v % 32) : epoch * 32;
			unsigned long block = distinct ? uniq++ : slot;
			int index = distinct ? v % 64 : v / committee;
			unsigned long agg_slot = distinct ? 100000000ul + uniq++ : slot;
			if (kind == 0)
				snprintf(body, sizeof body,
					 "{\"type\":\"ATTESTATION\",%s,\"attestation\":{\"slot\":\"%lu\","
					 "\"index\":\"%d\",\"beacon_block_root\":\"0x%064lx\",\"source\":"
					 "{\"epoch\":\"%lu\",\"root\":\"0x%064x\"},\"target\":{\"epoch\":"
					 "\"%lu\",\"root\":\"0x%064lx\"}}}",
					 FORK, slot, index, block, epoch - 1, 7u, epoch, epoch);
			else
				snprintf(body, sizeof body,
					 "{\"type\":\"AGGREGATION_SLOT\",%s,\"aggregation_slot\":{\"slot\":"
					 "\"%lu\"}}",
					 FORK, agg_slot);
			size_t bl = strlen(body);
			size_t cap = bl + 400;
			char *t = malloc(cap);
			int hl = snprintf(t, cap,
					  "POST /api/v1/eth2/sign/%s HTTP/1.1\r\nHost: localhost\r\n"
					  "Accept: application/json\r\nContent-Type: application/json\r\n"
					  "Content-Length: %zu\r\n\r\n",
					  pk_hex[v], bl);
			memcpy(t + hl, body, bl);
			reqs[n_reqs].text = t;
			reqs[n_reqs].len = (size_t)hl + bl;
			n_reqs++;
		}
	}
	/* Interleave validators as a client's duties would arrive. */
	for (size_t i = n_reqs - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		request tmp = reqs[i];
		reqs[i] = reqs[j];
		reqs[j] = tmp;
	}
}

/* A connection for the epoll load generator: non-blocking once connected. */
static int connect_port(void)
{
	int fd = bench_dial(port);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* The load generator: one thread, one epoll loop over every connection, each with at
 * most one request outstanding (as a validator client's HTTP pool). A request is sent
 * as soon as its connection is free, and epoll reports only the connections that have
 * something, so the generator's own CPU use stays small next to the signer's on the
 * shared cores (at 256 connections a poll() loop cost it about 45 us per request). */
typedef struct {
	int fd;
	size_t req;    /* index of the request in flight */
	bool busy;
	bool want_out; /* registered for EPOLLOUT: the request did not fit at once */
	size_t sent;   /* bytes of the request sent */
	char buf[4096];
	size_t got;
	double t0;
} conn;

static int ep = -1; /* the generator's epoll instance */

static void watch(conn *c, int idx, bool out, int op)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN, .data.u32 = (uint32_t)idx };
	epoll_ctl(ep, op, c->fd, &ev);
	c->want_out = out;
}

/* Sends what the socket takes; false when the connection failed. */
static bool push(conn *c, int idx)
{
	const request *r = &reqs[c->req];
	while (c->sent < r->len) {
		ssize_t w = send(c->fd, r->text + c->sent, r->len - c->sent, MSG_NOSIGNAL);
		if (w > 0) {
			c->sent += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EAGAIN) {
			if (!c->want_out)
				watch(c, idx, true, EPOLL_CTL_MOD);
			return true;
		}
		return false;
	}
	if (c->want_out)
		watch(c, idx, false, EPOLL_CTL_MOD);
	return true;
}

static bool reconnect(conn *c, int idx)
{
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = connect_port();
	if (c->fd < 0)
		return false;
	watch(c, idx, false, EPOLL_CTL_ADD);
	return true;
}

/* Starts the next request on c (if any is left) and sends it; a request that cannot be
 * sent is counted as an error and as done. */
static void start_next(conn *c, int idx, size_t *next, size_t *done)
{
	for (;;) {
		c->busy = false;
		if (*next >= n_reqs)
			return;
		if (c->fd < 0 && !reconnect(c, idx)) {
			/* Cannot connect: this request is an error, not a hang. */
			describe_failure("request %zu: cannot connect (errno %d)", *next, errno);
			lat[*next] = 0;
			(*next)++;
			(*done)++;
			atomic_fetch_add(&errors, 1);
			atomic_fetch_add(&lost, 1);
			return;
		}
		c->req = (*next)++;
		c->busy = true;
		c->sent = 0;
		c->got = 0;
		c->t0 = now_s();
		if (push(c, idx))
			return;
		/* The connection broke before the request went out: count it, go on. */
		describe_failure("request %zu on connection %d: send failed after %zu bytes "
				 "(errno %d)", c->req, idx, c->sent, errno);
		lat[c->req] = 0;
		(*done)++;
		atomic_fetch_add(&errors, 1);
		if (!reconnect(c, idx))
			c->fd = -1;
	}
}

/* True when c->buf holds a whole response; sets *status. */
static bool response_complete(conn *c, int *status)
{
	c->buf[c->got] = '\0';
	char *end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return false;
	const char *cl = strcasestr(c->buf, "Content-Length:");
	size_t body = cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0;
	if (c->got < (size_t)(end + 4 - c->buf) + body)
		return false;
	*status = atoi(c->buf + 9);
	return true;
}

/* Reads what c has; true when its request is over (answered or failed). */
static bool pull(conn *c, int idx, uint32_t events)
{
	bool failed = (events & EPOLLERR) != 0;
	if (!failed && c->want_out) {
		failed = !push(c, idx);
		if (!failed)
			return false;
	}
	if (!failed) {
		ssize_t got = recv(c->fd, c->buf + c->got, sizeof c->buf - 1 - c->got, 0);
		if (got < 0 && errno == EAGAIN)
			return false;
		if (got <= 0) {
			failed = true;
		} else {
			c->got += (size_t)got;
			int st;
			if (response_complete(c, &st)) {
				lat[c->req] = now_s() - c->t0;
				if (st != 200)
					atomic_fetch_add(&errors, 1);
				if (st != 200)
					describe_failure("request %zu: status %d: %s", c->req, st,
							 c->buf);
				return true;
			}
			if (c->got < sizeof c->buf - 1)
				return false;
			failed = true;
		}
	}
	describe_failure("request %zu on connection %d: connection failed after %.3f ms "
			 "(events %#x, sent %zu, got %zu, errno %d)",
			 c->req, idx, (now_s() - c->t0) * 1e3, events, c->sent, c->got, errno);
	/* count it, reconnect, go on */
	lat[c->req] = now_s() - c->t0;
	atomic_fetch_add(&errors, 1);
	if (!reconnect(c, idx))
		c->fd = -1;
	return true;
}

static void run_burst(conn *cs, int n)
{
	size_t next = 0, done = 0;
	for (int i = 0; i < n; i++)
		start_next(&cs[i], i, &next, &done);
	struct epoll_event ev[64];
	while (done < n_reqs) {
		int k = epoll_wait(ep, ev, 64, 30000);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			fprintf(stderr, "no progress for 30 s; %zu requests unanswered\n", n_reqs - done);
			atomic_fetch_add(&errors, (int)(n_reqs - done));
			break;
		}
		for (int e = 0; e < k; e++) {
			int i = (int)ev[e].data.u32;
			conn *c = &cs[i];
			if (!c->busy || c->fd < 0 || !pull(c, i, ev[e].events))
				continue;
			done++;
			start_next(c, i, &next, &done);
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The signer's /metrics text (malloc'ed), or NULL. */
static char *fetch_metrics(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons(metrics_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	const char req[] = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
	if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) < 0) {
		close(fd);
		return NULL;
	}
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while (buf && len + 1 < cap && (n = recv(fd, buf + len, cap - 1 - len, 0)) > 0)
		len += (size_t)n;
	close(fd);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	return buf;
}

/* One unlabelled counter from /metrics (0 when absent). */
static double metric_value(const char *name)
{
	char *buf = fetch_metrics();
	if (!buf)
		return 0;
	char key[128];
	snprintf(key, sizeof key, "\n%s ", name);
	char *p = strstr(buf, key);
	double v = p ? strtod(p + strlen(key), NULL) : 0;
	free(buf);
	return v;
}

/* Where the time went inside the signer: mean milliseconds per phase and type, from
 * its /metrics (secure_signer_sign_phase_seconds _sum / _count). */
static void print_phases(void)
{
	char *buf = fetch_metrics();
	if (!buf)
		return;
	printf("\nsigner-side mean time per request (ms), over the whole run:\n\n| type | parse | "
	       "queue for a signing thread | slashing (overlaps queue and sign) | sign | total "
	       "|\n|---|---|---|---|---|---|\n");
	static const char *const types[] = { "ATTESTATION", "AGGREGATION_SLOT" };
	static const char *const phases[] = { "parse", "queue", "slashing", "sign", "total" };
	for (int t = 0; t < 2; t++) {
		printf("| %s |", types[t]);
		for (int ph = 0; ph < 5; ph++) {
			char key[160];
			double sum = 0, count = 0;
			snprintf(key, sizeof key,
				 "secure_signer_sign_phase_seconds_sum{type=\"%s\",phase=\"%s\"} ",
				 types[t], phases[ph]);
			char *p = strstr(buf, key);
			if (p)
				sum = strtod(p + strlen(key), NULL);
			snprintf(key, sizeof key,
				 "secure_signer_sign_phase_seconds_count{type=\"%s\",phase=\"%s\"} ",
				 types[t], phases[ph]);
			p = strstr(buf, key);
			if (p)
				count = strtod(p + strlen(key), NULL);
			if (count > 0)
				printf(" %.3f |", 1e3 * sum / count);
			else
				printf(" - |");
		}
		printf("\n");
	}
	free(buf);
}

int main(int argc, char **argv)
{
	int validators = 300, bursts = 5;
	const char *binary = SS_BINARY, *conn_list = "1,16,256", *threads = NULL;
	const char *modes = "distinct,burst";
	int committee = 32;
	bool show_cpu = false;
	const char *blst = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--validators") == 0)
			validators = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--bursts") == 0)
			bursts = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--connections") == 0)
			conn_list = argv[i + 1];
		else if (strcmp(argv[i], "--binary") == 0)
			binary = argv[i + 1];
		else if (strcmp(argv[i], "--threads") == 0)
			threads = argv[i + 1];
		else if (strcmp(argv[i], "--modes") == 0)
			modes = argv[i + 1];
		else if (strcmp(argv[i], "--committee") == 0)
			committee = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--cpu") == 0)
			show_cpu = atoi(argv[i + 1]) != 0;
		else if (strcmp(argv[i], "--blst") == 0)
			blst = argv[i + 1];
	}
	if (validators < 1 || validators > 100000 || bursts < 1 || committee < 1) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	bls_init();
	signal(SIGPIPE, SIG_IGN);
	char(*pk_hex)[99] = calloc((size_t)validators, sizeof *pk_hex);
	reqs = calloc((size_t)validators * 2, sizeof *reqs);
	lat = calloc((size_t)validators * 2, sizeof *lat);
	double *all = calloc((size_t)validators * 2 * (size_t)bursts, sizeof *all);
	if (!pk_hex || !reqs || !lat || !all)
		return 1;

	printf("raw BLS sign rates (measuring 6 s)...\n");
	fflush(stdout);
	double raw1 = raw_rate(1, 1.5), raw2 = raw_rate(2, 3.0);
	double rawh1 = raw_rate_of(1, 1.5, true);
	printf("raw bls_sign (new message each time): 1 thread %.0f/s, 2 threads %.0f/s\n", raw1, raw2);
	printf("raw bls_sign_hashed (message hashed once): 1 thread %.0f/s\n", rawh1);
	if (blst) {
		double us = 0, b2 = blst_rate(blst, 2, 3.0, &us);
		if (b2 <= 0)
			return 1;
		printf("raw blst sign (@chainsafe/blst, new message each time): 2 threads %.0f/s, "
		       "%.1f us CPU per signature\n", b2, us);
	}

	port = start_signer(binary, validators, pk_hex, threads);
	if (!port) {
		fprintf(stderr, "secure-signer did not start (log in %s)\n", tmpdir_path);
		return 1;
	}
	printf("secure-signer on port %u, %d validators, slashing protection on (SQLite, "
	       "durable), %d bursts of %d requests (ATTESTATION + AGGREGATION_SLOT) per row\n\n",
	       port, validators, bursts, validators * 2);
	unsigned long epoch = 400000; /* Electra on mainnet */
	char mlist[64];
	snprintf(mlist, sizeof mlist, "%s", modes);
	char *msave = NULL;
	for (char *mode = strtok_r(mlist, ",", &msave); mode; mode = strtok_r(NULL, ",", &msave)) {
		if (strcmp(mode, "batch") == 0) {
			batch_latency_run(port, validators, pk_hex, FORK, 400);
			continue;
		}
		if (strcmp(mode, "single") == 0) {
			single_latency_run(port, pk_hex, FORK, 400, &epoch, blst, 1e6 / raw1);
			continue;
		}
		bool distinct = strcmp(mode, "distinct") == 0;
		bool electra = strcmp(mode, "electra") == 0;
		if (!distinct && !electra && strcmp(mode, "burst") != 0)
			continue;
		/* electra: one committee of everyone, so one AttestationData (index 0) */
		int mode_committee = electra ? validators : committee;
		if (distinct)
			printf("\nmode distinct: every request signs a root of its own (no hash shared); "
			       "ratio against raw 2-thread bls_sign\n\n"
			       "| connections | signatures/s | raw bls_sign 2-thread/s | ratio | p50 ms | "
			       "p99 ms | max ms | worst burst ms | errors | cache hits/misses |");
		else if (electra)
			printf("\nmode electra: one slot, every validator signs one AttestationData, "
			       "one aggregation-slot root (2 distinct roots per burst of %d)\n\n"
			       "| connections | signatures/s | raw bls_sign 2-thread/s | ratio | raw "
			       "bls_sign_hashed 2-thread/s | ratio | p50 ms | p99 ms | max ms | worst burst ms "
			       "| errors | cache hits/misses | fixed-base signatures |",
			       validators * 2);
		else
			printf("\nmode burst: one slot, committees of %d sharing AttestationData, one "
			       "aggregation-slot root (%d distinct roots per burst of %d)\n\n"
			       "| connections | signatures/s | raw bls_sign 2-thread/s | ratio | raw "
			       "bls_sign_hashed 2-thread/s | ratio | p50 ms | p99 ms | max ms | worst burst ms "
			       "| errors | cache hits/misses |",
			       committee, (validators + committee - 1) / committee + 1, validators * 2);
		if (blst)
			printf(" raw blst sign 2-thread/s | ratio to blst |");
		int cols = (distinct ? 10 : electra ? 13 : 12) + (blst ? 2 : 0);
		printf("\n|");
		for (int c = 0; c < cols; c++)
			printf("---|");
		printf("\n");
		fflush(stdout);
		char list[64];
		snprintf(list, sizeof list, "%s", conn_list);
		char *csave = NULL;
		for (char *tok = strtok_r(list, ",", &csave); tok; tok = strtok_r(NULL, ",", &csave)) {
			int conns = atoi(tok);
			if (conns < 1 || conns > 1024)
				continue;
			/* The machine is shared: the raw rates are measured again just before and
			 * just after each row, and the row's ratios use their means. */
			double raw_row = raw_rate(2, 1.5);
			double blst_row = blst ? blst_rate(blst, 2, 1.5, NULL) : 0;
			double rawh_row = distinct ? 0 : raw_rate_of(2, 1.0, true);
			double h0 = metric_value("signer_hash_cache_hits_total");
			double m0 = metric_value("signer_hash_cache_misses_total");
			double f0 = metric_value("signer_fixed_base_signatures_total");
			conn *cs = calloc((size_t)conns, sizeof *cs);
			if (!cs)
				return 1;
			ep = epoll_create1(EPOLL_CLOEXEC);
			for (int c = 0; c < conns; c++) {
				cs[c].fd = connect_port();
				if (cs[c].fd >= 0)
					watch(&cs[c], c, false, EPOLL_CTL_ADD);
			}
			atomic_store(&errors, 0);
			size_t n_all = 0;
			double busy = 0, worst_burst = 0;
			proc_cpu cpu_total, cpu_before, cpu_after;
			memset(&cpu_total, 0, sizeof cpu_total);
			for (int b = 0; b < bursts; b++) {
				build_burst(validators, pk_hex, epoch++, distinct, mode_committee);
				proc_cpu_sample(&cpu_before, signer_pid);
				double t0 = now_s();
				run_burst(cs, conns);
				double dt = now_s() - t0;
				proc_cpu_sample(&cpu_after, signer_pid);
				proc_cpu_accumulate(&cpu_total, &cpu_after, &cpu_before);
				busy += dt;
				if (dt > worst_burst)
					worst_burst = dt;
				memcpy(all + n_all, lat, n_reqs * sizeof *lat);
				n_all += n_reqs;
			}
			for (int c = 0; c < conns; c++)
				if (cs[c].fd >= 0)
					close(cs[c].fd);
			close(ep);
			free(cs);
			double hits = metric_value("signer_hash_cache_hits_total") - h0;
			double misses = metric_value("signer_hash_cache_misses_total") - m0;
			double fixed = metric_value("signer_fixed_base_signatures_total") - f0;
			raw_row = (raw_row + raw_rate(2, 1.5)) / 2;
			if (blst)
				blst_row = (blst_row + blst_rate(blst, 2, 1.5, NULL)) / 2;
			if (!distinct)
				rawh_row = (rawh_row + raw_rate_of(2, 1.0, true)) / 2;
			qsort(all, n_all, sizeof *all, cmp_double);
			double rate = (double)n_all / busy;
			printf("| %d | %.0f | %.0f | %.0f%% |", conns, rate, raw_row, 100.0 * rate / raw_row);
			if (!distinct)
				printf(" %.0f | %.0f%% |", rawh_row, 100.0 * rate / rawh_row);
			printf(" %.2f | %.2f | %.2f | %.0f | %d | %.0f/%.0f |", all[n_all / 2] * 1e3,
			       all[(n_all * 99) / 100] * 1e3, all[n_all - 1] * 1e3, worst_burst * 1e3,
			       atomic_load(&errors), hits, misses);
			if (electra)
				printf(" %.0f |", fixed);
			if (blst_row > 0)
				printf(" %.0f | **%.2fx** |", blst_row, rate / blst_row);
			printf("\n");
			if (show_cpu)
				proc_cpu_print(&cpu_total, (double)n_all, "signer");
			fflush(stdout);
		}
	}
	print_phases();
	stop_signer();
	for (size_t i = 0; i < n_reqs; i++)
		free(reqs[i].text);
	free(reqs);
	free(lat);
	free(all);
	free(pk_hex);
	return 0;
}
