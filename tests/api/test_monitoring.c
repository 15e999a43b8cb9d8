#define _GNU_SOURCE /* prlimit */
/* Monitoring, end to end: /metrics of running signers against what operators' tools
 * query. Every metric named by the shipped Grafana dashboard (deploy/grafana/ JSON files,
 * each panel's PromQL "expr") and the Prometheus alert rules (deploy/prometheus/ YAML files,
 * each "expr:") must be exported; the process metrics must describe the process; the
 * signing-duration summary must carry Web3Signer's quantiles; health and TLS expiry
 * must follow the configuration. */
#include <dirent.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

#define BODY(r) ((r).body ? (r).body : "")

static char sk_hex[67], pk_hex[99];

static void make_key(void)
{
	bls_init();
	uint8_t sk[32];
	for (int j = 0; j < 32; j++)
		sk[j] = (uint8_t)(0x33 + 5 * j);
	sk[0] = 0x15;
	bls_secret_key k;
	uint8_t pk[48];
	CHECK(bls_secret_key_from_bytes(&k, sk) == SS_OK);
	bls_sk_to_pk(pk, &k);
	bls_secret_key_wipe(&k);
	hex_encode(sk_hex, sk, 32, true);
	hex_encode(pk_hex, pk, 48, true);
}

static const char *src_dir(void)
{
	const char *d = getenv("SS_SOURCE_DIR");
	return d ? d : SS_SOURCE_DIR;
}

/* ---- metric names named by PromQL expressions ------------------------------------- */

#define MAX_NAMES 128
typedef struct {
	char name[MAX_NAMES][96];
	char where[MAX_NAMES][128];
	size_t n;
} name_set;

static void add_name(name_set *s, const char *name, size_t len, const char *where)
{
	if (len >= sizeof s->name[0])
		return;
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->name[i]) == len && !strncmp(s->name[i], name, len))
			return;
	if (s->n == MAX_NAMES)
		return;
	memcpy(s->name[s->n], name, len);
	s->name[s->n][len] = '\0';
	snprintf(s->where[s->n], sizeof s->where[0], "%s", where);
	s->n++;
}

static bool is_word(const char *w, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncmp(*list, w, len))
			return true;
	return false;
}

/* The metric names of a PromQL expression: identifiers that are not function calls,
 * aggregation operators, keywords, label names (inside {...} or by/without/on/ignoring
 * lists) or durations (inside [...]). */
static void promql_names(const char *e, name_set *s, const char *where)
{
	static const char *const kw[] = { "by", "without", "on", "ignoring", "group_left",
					  "group_right", "bool", "and", "or", "unless", "offset",
					  "sum", "min", "max", "avg", "count", "stddev", "stdvar",
					  "topk", "bottomk", "quantile", "count_values", "group",
					  "inf", "nan", NULL };
	static const char *const lists[] = { "by", "without", "on", "ignoring", "group_left",
					     "group_right", NULL };
	for (size_t i = 0; e[i];) {
		char c = e[i];
		if (c == '"' || c == '\'') {
			for (i++; e[i] && e[i] != c; i++)
				if (e[i] == '\\' && e[i + 1])
					i++;
			if (e[i])
				i++;
		} else if (c == '{' || c == '[') {
			char close = c == '{' ? '}' : ']';
			while (e[i] && e[i] != close)
				i++;
			if (e[i])
				i++;
		} else if (isdigit((unsigned char)c) || c == '.') {
			while (isalnum((unsigned char)e[i]) || e[i] == '.')
				i++;
		} else if (isalpha((unsigned char)c) || c == '_' || c == ':') {
			size_t b = i;
			while (isalnum((unsigned char)e[i]) || e[i] == '_' || e[i] == ':')
				i++;
			size_t len = i - b, j = i;
			while (e[j] == ' ')
				j++;
			if (is_word(e + b, len, lists) && e[j] == '(') {
				while (e[j] && e[j] != ')') /* a label list */
					j++;
				i = e[j] ? j + 1 : j;
			} else if (e[j] != '(' && !is_word(e + b, len, kw)) {
				add_name(s, e + b, len, where);
			}
		} else {
			i++;
		}
	}
}

static void walk_json(json_t *v, name_set *s, const char *file)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			if (!strcmp(k, "expr") && json_is_string(x))
				promql_names(json_string_value(x), s, file);
			else
				walk_json(x, s, file);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) walk_json(x, s, file);
	}
}

/* Names from every .json of deploy/grafana and .yml of deploy/prometheus; the count of
 * expressions read in *exprs. */
static void shipped_names(name_set *s, size_t *exprs)
{
	*exprs = 0;
	const char *dirs[2] = { "deploy/grafana", "deploy/prometheus" };
	for (int d = 0; d < 2; d++) {
		char dir[512];
		snprintf(dir, sizeof dir, "%s/%s", src_dir(), dirs[d]);
		DIR *dh = opendir(dir);
		CHECK_MSG(dh != NULL, "no %s", dir);
		if (!dh)
			continue;
		struct dirent *de;
		while ((de = readdir(dh)) != NULL) {
			size_t l = strlen(de->d_name);
			char path[1024];
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			if (d == 0 && l > 5 && !strcmp(de->d_name + l - 5, ".json")) {
				json_error_t err;
				json_t *root = json_load_file(path, 0, &err);
				CHECK_MSG(root != NULL, "%s: %s", path, err.text);
				size_t before = s->n;
				walk_json(root, s, de->d_name);
				json_decref(root);
				*exprs += s->n > before;
			} else if (d == 1 && l > 4 && !strcmp(de->d_name + l - 4, ".yml")) {
				char *text = test_read_file(path, NULL);
				CHECK(text != NULL);
				for (char *line = text; line && *line;) {
					char *nl = strchr(line, '\n');
					if (nl)
						*nl = '\0';
					char *e = strstr(line, "expr:");
					if (e) {
						promql_names(e + 5, s, de->d_name);
						(*exprs)++;
					}
					line = nl ? nl + 1 : NULL;
				}
				free(text);
			}
		}
		closedir(dh);
	}
}

/* True when the exposition has a sample line of metric name. */
static bool exported(const char *text, const char *name)
{
	size_t len = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, len) && (l[len] == '{' || l[len] == ' '))
			return true;
	return false;
}

/* The value of the sample line that starts with prefix (name and labels); NAN if none. */
static double sample(const char *text, const char *prefix)
{
	size_t len = strlen(prefix);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, len) && l[len] == ' ')
			return strtod(l + len + 1, NULL);
	return NAN;
}

static char *scrape(uint16_t port)
{
	hc_response r;
	int st = hc_request(port, "GET", "/metrics", NULL, NULL, 0, &r);
	CHECK_EQ_U64(st, 200);
	char *b = strdup(BODY(r));
	hc_free(&r);
	return b;
}

static void sign(uint16_t port, unsigned i)
{
	char body[2048], path[200];
	sb_attestation(body, sizeof body, i, i + 1, 0x60 + i);
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex);
	hc_response r;
	CHECK_EQ_U64(hc_request(port, "POST", path, "Accept: application/json\r\n", body,
				strlen(body), &r), 200);
	hc_free(&r);
}

static const char *const METRICS_FLAGS[] = { "--metrics-enabled", "--metrics-port=0", NULL };

static bool start(signer_proc *p, const char *const *extra, bool with_key)
{
	make_key();
	if (!sp_init(p))
		return false;
	if (with_key)
		CHECK(sp_add_raw_key(p, "k", sk_hex));
	bool ok = sp_start(p, extra);
	CHECK_MSG(ok, "secure-signer did not start (dir %s)", p->dir);
	return ok;
}

/* A self-signed certificate valid for `days`, made with the openssl CLI. */
static bool make_cert(const char *dir, int days)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd,
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days %d "
		 "-subj /CN=127.0.0.1 -keyout '%s/tls.key' -out '%s/tls.pem' >/dev/null 2>&1",
		 days, dir, dir);
	return system(cmd) == 0;
}

TEST(dashboard_and_rules_name_only_exported_metrics)
{
	name_set names = { .n = 0 };
	size_t exprs;
	shipped_names(&names, &exprs);
	CHECK_MSG(exprs >= 10 && names.n >= 15, "only %zu expressions, %zu names read", exprs,
		  names.n);
	/* One signer signing (the summary's quantiles, the per-type counters), one with
	 * TLS (the certificate's expiry): together they export everything. */
	signer_proc p, t;
	memset(&t, 0, sizeof t);
	char *plain = NULL, *tls = NULL;
	if (!start(&p, METRICS_FLAGS, true))
		goto out;
	sign(p.port, 1);
	plain = scrape(p.metrics_port);
	CHECK(sp_init(&t) && make_cert(t.dir, 30));
	char cert[400], key[400];
	snprintf(cert, sizeof cert, "--tls-cert-file=%s/tls.pem", t.dir);
	snprintf(key, sizeof key, "--tls-key-file=%s/tls.key", t.dir);
	const char *tls_flags[] = { "--metrics-enabled", "--metrics-port=0", cert, key,
				    "--tls-allow-any-client=true", NULL };
	CHECK_MSG(sp_start(&t, tls_flags), "TLS signer did not start (dir %s)", t.dir);
	tls = t.metrics_port ? scrape(t.metrics_port) : NULL;
	for (size_t i = 0; i < names.n; i++) {
		/* up is made by Prometheus itself for every scrape target */
		if (!strcmp(names.name[i], "up"))
			continue;
		CHECK_MSG((plain && exported(plain, names.name[i])) ||
				  (tls && exported(tls, names.name[i])),
			  "%s names %s, which /metrics does not export", names.where[i],
			  names.name[i]);
	}
	/* The expiry is the certificate's: made valid for 30 days just now. */
	double na = tls ? sample(tls, "secure_signer_tls_certificate_expiry_seconds{listener=\"http\"}")
			: NAN;
	double want = (double)time(NULL) + 30 * 86400.0;
	CHECK_MSG(fabs(na - want) < 3600, "certificate expiry %f, expected about %f", na, want);
	/* Without TLS there is no certificate to expire. */
	CHECK(plain && !exported(plain, "secure_signer_tls_certificate_expiry_seconds"));
	CHECK_EQ_U64(sp_stop(&t), 0);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	free(plain);
	free(tls);
	sp_cleanup(&p);
	sp_cleanup(&t);
}

TEST(process_metrics_describe_the_process)
{
	signer_proc p;
	time_t before = time(NULL);
	if (!start(&p, METRICS_FLAGS, true)) {
		sp_cleanup(&p);
		return;
	}
	sign(p.port, 1);
	char *m = scrape(p.metrics_port);
	double st = sample(m, "process_start_time_seconds");
	CHECK_MSG(st >= (double)before - 2 && st <= (double)time(NULL) + 2,
		  "process_start_time_seconds %f, started at %lld", st, (long long)before);
	/* the running process's limit and descriptors, read from outside */
	struct rlimit rl;
	CHECK(prlimit(p.pid, RLIMIT_NOFILE, NULL, &rl) == 0);
	CHECK_MSG(sample(m, "process_max_fds") == (double)rl.rlim_cur, "max fds %f != %llu",
		  sample(m, "process_max_fds"), (unsigned long long)rl.rlim_cur);
	char fddir[64];
	snprintf(fddir, sizeof fddir, "/proc/%d/fd", (int)p.pid);
	DIR *d = opendir(fddir);
	double fds = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		fds += de->d_name[0] != '.';
	if (d)
		closedir(d);
	double open_fds = sample(m, "process_open_fds");
	CHECK_MSG(open_fds >= 4 && fabs(open_fds - fds) <= 4, "open fds %f, /proc shows %f",
		  open_fds, fds);
	/* RSS: the resident pages of /proc/<pid>/statm, within a few MiB of the scrape */
	char statm[64];
	snprintf(statm, sizeof statm, "/proc/%d/statm", (int)p.pid);
	char *sm = test_read_file(statm, NULL);
	unsigned long long pages = 0, res = 0;
	CHECK(sm && sscanf(sm, "%llu %llu", &pages, &res) == 2);
	free(sm);
	double rss = sample(m, "process_resident_memory_bytes");
	double want = (double)res * (double)sysconf(_SC_PAGESIZE);
	CHECK_MSG(rss > 1e6 && fabs(rss - want) < 8e6, "rss %f, statm says %f", rss, want);
	double cpu = sample(m, "process_cpu_seconds_total");
	CHECK_MSG(cpu >= 0 && cpu < 600, "cpu %f", cpu);
	free(m);
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
}

TEST(signing_duration_summary_quantiles)
{
	signer_proc p;
	if (!start(&p, METRICS_FLAGS, true)) {
		sp_cleanup(&p);
		return;
	}
	/* Before any signing the window is empty: NaN, as Prometheus summaries say it. */
	char *m = scrape(p.metrics_port);
	CHECK_MSG(strstr(m, "signing_bls_signing_duration{quantile=\"0.5\"} NaN\n") != NULL,
		  "no NaN quantile before signing");
	CHECK(strstr(m, "# TYPE signing_bls_signing_duration summary\n") != NULL);
	free(m);
	for (unsigned i = 1; i <= 20; i++)
		sign(p.port, i);
	m = scrape(p.metrics_port);
	double q50 = sample(m, "signing_bls_signing_duration{quantile=\"0.5\"}");
	double q95 = sample(m, "signing_bls_signing_duration{quantile=\"0.95\"}");
	double q99 = sample(m, "signing_bls_signing_duration{quantile=\"0.99\"}");
	double n = sample(m, "signing_bls_signing_duration_count");
	double sum = sample(m, "signing_bls_signing_duration_sum");
	CHECK_MSG(n == 20, "count %f", n);
	/* ordered, positive, and the median no more than the mean allows (sum/n*n) */
	CHECK_MSG(q50 > 0 && q50 <= q95 && q95 <= q99, "quantiles %f %f %f", q50, q95, q99);
	CHECK_MSG(q50 <= sum, "median %f above the sum %f", q50, sum);
	CHECK_MSG(q99 <= sum + 1e-6, "p99 %f above the sum %f", q99, sum);
	free(m);
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
}

TEST(release_build_info_and_health)
{
	signer_proc p;
	make_key();
	CHECK(sp_init(&p));
	CHECK(sp_add_raw_key(&p, "k", sk_hex));
	/* a key file that cannot load: the signer starts, /healthcheck is DOWN, the metric
	 * counts it */
	CHECK(sp_add_raw_key(&p, "broken", "0x1234"));
	if (!sp_start(&p, METRICS_FLAGS)) {
		CHECK_MSG(false, "secure-signer did not start (dir %s)", p.dir);
		sp_cleanup(&p);
		return;
	}
	char *m = scrape(p.metrics_port);
	struct utsname u;
	CHECK(uname(&u) == 0);
	char want[256];
	snprintf(want, sizeof want, "process_release{version=\"secure-signer/v0.1.0/linux-%s/",
		 u.machine);
	CHECK_MSG(strstr(m, want) != NULL, "no %s", want);
	CHECK(strstr(m, "secure_signer_build_info{version=\"0.1.0\",") != NULL);
	CHECK_MSG(sample(m, "secure_signer_keys_load_errors{source=\"config-files\"}") == 1,
		  "config-files errors %f",
		  sample(m, "secure_signer_keys_load_errors{source=\"config-files\"}"));
	CHECK(sample(m, "secure_signer_keys_load_errors{source=\"sealed-store\"}") == 0);
	CHECK(sample(m, "signing_signers_loaded_count") == 1);
	CHECK(sample(m, "secure_signer_slashing_protection_enabled") == 1);
	CHECK(sample(m, "secure_signer_slashing_db_up") == 1);
	free(m);
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/healthcheck", NULL, NULL, 0, &r), 503);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);

	/* slashing protection off: said, and no database gauge */
	const char *off[] = { "--metrics-enabled", "--metrics-port=0",
			      "--slashing-protection-enabled=false", NULL };
	if (start(&p, off, true)) {
		m = scrape(p.metrics_port);
		CHECK(sample(m, "secure_signer_slashing_protection_enabled") == 0);
		CHECK(!exported(m, "secure_signer_slashing_db_up"));
		free(m);
		CHECK_EQ_U64(sp_stop(&p), 0);
	}
	sp_cleanup(&p);
}
