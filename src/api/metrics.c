/* GET /metrics on the metrics listener: Prometheus text format 0.0.4. Web3Signer's
 * metric names come first (reference/web3signer.md §1.9) so its Grafana dashboard keeps
 * working: the signing summary, the counters, the standard process_* metrics
 * (metrics_process.c) and process_release; then Secure-Signer's own (secure_signer_*):
 * build info, key-load errors, slashing database health, TLS certificate expiry,
 * per-type request counts and per-phase latency histograms. deploy/grafana and
 * deploy/prometheus query them (docs/operations.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "api/api_internal.h"

typedef struct {
	char *buf;
	size_t len, cap;
	bool oom;
} out_buf;

static void out(out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(out_buf *o, const char *fmt, ...)
{
	if (o->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = true;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = o->cap * 2 + (size_t)n;
		char *b = realloc(o->buf, cap);
		if (!b) {
			o->oom = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
}

static uint64_t ld(_Atomic uint64_t *v) { return atomic_load_explicit(v, memory_order_relaxed); }

/* A Prometheus histogram (cumulative buckets) for one label set. */
static void histogram(out_buf *o, const char *name, const char *labels, signer_histogram *h)
{
	uint64_t cum = 0;
	for (int i = 0; i < SIGNER_BUCKETS; i++) {
		cum += ld(&h->bucket[i]);
		if (i == SIGNER_BUCKETS - 1)
			out(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, *labels ? "," : "",
			    (unsigned long long)cum);
		else
			out(o, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, *labels ? "," : "",
			    signer_bucket_bounds[i], (unsigned long long)cum);
	}
	out(o, "%s_sum{%s} %.9f\n", name, labels, (double)ld(&h->sum_ns) / 1e9);
	out(o, "%s_count{%s} %llu\n", name, labels, (unsigned long long)ld(&h->count));
}

static void type_label(char *buf, size_t cap, size_t t)
{
	const char *name = t == SIGNER_TYPE_UNKNOWN ? "UNKNOWN" : eth2_sign_type_name((eth2_sign_type)t);
	snprintf(buf, cap, "type=\"%s\"", name);
}

/* signing_bls_signing_duration as Web3Signer exports it: a Prometheus summary (its
 * timers are Prometheus client summaries) with the quantiles of the last 10 minutes,
 * the client library's default window, and the lifetime count and sum. */
static void signing_summary(out_buf *o, signer_metrics *m)
{
	static const double q[] = { 0.5, 0.95, 0.99 };
	double v[3];
	signer_window *w = atomic_load(&m->signing.window);
	out(o, "# HELP signing_bls_signing_duration Duration of a signing request in seconds "
	       "(quantiles over the last 10 minutes).\n");
	out(o, "# TYPE signing_bls_signing_duration summary\n");
	if (w) {
		signer_window_quantiles(w, 600, q, 3, v);
		for (int i = 0; i < 3; i++) {
			if (v[i] != v[i]) /* no signing in the window: Prometheus' NaN */
				out(o, "signing_bls_signing_duration{quantile=\"%g\"} NaN\n", q[i]);
			else
				out(o, "signing_bls_signing_duration{quantile=\"%g\"} %.6f\n", q[i],
				    v[i]);
		}
	}
	out(o, "signing_bls_signing_duration_count %llu\n", (unsigned long long)ld(&m->signing.count));
	out(o, "signing_bls_signing_duration_sum %.9f\n", (double)ld(&m->signing.sum_ns) / 1e9);
}

static void process_metrics(out_buf *o)
{
	api_process_stats ps;
	if (!api_process_stats_read(&ps))
		return;
	out(o, "# HELP process_cpu_seconds_total Total user and system CPU time spent in "
	       "seconds.\n# TYPE process_cpu_seconds_total counter\n");
	out(o, "process_cpu_seconds_total %.2f\n", ps.cpu_seconds);
	out(o, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
	       "# TYPE process_resident_memory_bytes gauge\n");
	out(o, "process_resident_memory_bytes %llu\n", (unsigned long long)ps.resident_bytes);
	out(o, "# HELP process_open_fds Number of open file descriptors.\n"
	       "# TYPE process_open_fds gauge\n");
	out(o, "process_open_fds %llu\n", (unsigned long long)ps.open_fds);
	out(o, "# HELP process_max_fds Maximum number of open file descriptors.\n"
	       "# TYPE process_max_fds gauge\n");
	out(o, "process_max_fds %llu\n", (unsigned long long)ps.max_fds);
	out(o, "# HELP process_start_time_seconds Start time of the process since unix epoch "
	       "in seconds.\n# TYPE process_start_time_seconds gauge\n");
	out(o, "process_start_time_seconds %.2f\n", ps.start_time_seconds);
}

#if defined(__clang__)
#define SS_COMPILER "clang"
#define SS_COMPILER_VERSION __clang_major__, __clang_minor__, __clang_patchlevel__
#else
#define SS_COMPILER "gcc"
#define SS_COMPILER_VERSION __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__
#endif

/* process_release in the form Besu and Web3Signer give it, name/vVERSION/os-arch/runtime
 * ("web3signer/v25.6.0/linux-x86_64/eclipse-temurin-java-21"), which the Web3Signer
 * dashboard shows as the version; and our build-info gauge with the parts apart. */
static void release_metrics(out_buf *o, const char *version)
{
	struct utsname u;
	const char *arch = uname(&u) == 0 ? u.machine : "unknown";
	char cc[48];
	snprintf(cc, sizeof cc, "%s-%d.%d.%d", SS_COMPILER, SS_COMPILER_VERSION);
	out(o, "# HELP process_release The release of this program.\n# TYPE process_release gauge\n");
	out(o, "process_release{version=\"secure-signer/v%s/linux-%s/%s\"} 1\n", version, arch, cc);
	out(o, "# HELP secure_signer_build_info The version, compiler and architecture of this "
	       "build; value 1.\n# TYPE secure_signer_build_info gauge\n");
	out(o, "secure_signer_build_info{version=\"%s\",compiler=\"%s\",arch=\"%s\"} 1\n",
	    version, cc, arch);
}

/* What /healthcheck reports, as numbers an alert rule can test: keys that failed to load
 * per source (from the last load or reload), the slashing database probe, and the
 * expiry of the signing listener's TLS certificate. */
static void health_metrics(out_buf *o, api *a)
{
	signer_keys_health kh;
	signer_health_keys(a->health, &kh);
	signer_source_health src[3] = { kh.config_files, kh.keystores, kh.sealed };
	static const char *const names[3] = { "config-files", "keystores", "sealed-store" };
	out(o, "# HELP secure_signer_keys_load_errors Keys of a source that failed to load at "
	       "the last load or reload (/healthcheck keys-check).\n"
	       "# TYPE secure_signer_keys_load_errors gauge\n");
	for (int i = 0; i < 3; i++)
		out(o, "secure_signer_keys_load_errors{source=\"%s\"} %llu\n", names[i],
		    (unsigned long long)src[i].errors);
	out(o, "# HELP secure_signer_slashing_protection_enabled 1 when blocks and attestations "
	       "are checked against the slashing database.\n"
	       "# TYPE secure_signer_slashing_protection_enabled gauge\n");
	out(o, "secure_signer_slashing_protection_enabled %d\n", a->cfg.slashing ? 1 : 0);
	if (a->cfg.slashing) {
		out(o, "# HELP secure_signer_slashing_db_up 1 when the last slashing database probe "
		       "succeeded in time (/healthcheck slashing-protection-db-health-check).\n"
		       "# TYPE secure_signer_slashing_db_up gauge\n");
		char why[256];
		out(o, "secure_signer_slashing_db_up %d\n",
		    signer_health_db_up(a->health, why, sizeof why) ? 1 : 0);
	}
	if (a->cfg.tee) {
		/* issue 11 §5: where the signer runs; simulated and debug are the two a
		 * production signer must never show. */
		tee_info ti;
		tee_provider_info(a->cfg.tee, &ti);
		out(o, "# HELP secure_signer_tee_info The TEE the signer runs in; value 1.\n"
		       "# TYPE secure_signer_tee_info gauge\n");
		out(o, "secure_signer_tee_info{platform=\"%s\",provider=\"%s\",simulated=\"%s\"} 1\n",
		    tee_platform_name(ti.platform), ti.provider ? ti.provider : "none",
		    ti.simulated ? "true" : "false");
		out(o, "# HELP secure_signer_tee_debug 1 when the enclave or VM runs in debug mode "
		       "(its memory is readable by the host).\n"
		       "# TYPE secure_signer_tee_debug gauge\n");
		out(o, "secure_signer_tee_debug %d\n", ti.debug ? 1 : 0);
		out(o, "# HELP secure_signer_tee_can_seal 1 when the TEE provides a sealing key.\n"
		       "# TYPE secure_signer_tee_can_seal gauge\n");
		out(o, "secure_signer_tee_can_seal %d\n", ti.can_seal ? 1 : 0);
	}
	int64_t na = a->http ? http_server_cert_not_after(a->http) : 0;
	if (na) {
		out(o, "# HELP secure_signer_tls_certificate_expiry_seconds When the signing "
		       "listener's TLS certificate expires (Unix time).\n"
		       "# TYPE secure_signer_tls_certificate_expiry_seconds gauge\n");
		out(o, "secure_signer_tls_certificate_expiry_seconds{listener=\"http\"} %lld\n",
		    (long long)na);
	}
}

void api_handle_metrics(http_request *req, void *app)
{
	api *a = app;
	signer_metrics *m = signer_get_metrics(a->cfg.signer);
	out_buf o = { malloc(16384), 0, 16384, false };
	if (!o.buf) {
		http_reply_error(req, 500, "Out of memory");
		return;
	}
	/* Web3Signer's names. */
	signing_summary(&o, m);
	out(&o, "# TYPE signing_bls_missing_identifier_count_total counter\n");
	out(&o, "signing_bls_missing_identifier_count_total %llu\n",
	    (unsigned long long)ld(&m->missing_identifier));
	out(&o, "# TYPE http_bls_malformed_request_count_total counter\n");
	out(&o, "http_bls_malformed_request_count_total %llu\n", (unsigned long long)ld(&m->malformed));
	out(&o, "# TYPE signing_signers_loaded_count gauge\n");
	out(&o, "signing_signers_loaded_count %zu\n", keys_count(a->cfg.keys));
	out(&o, "# TYPE eth2_slashingprotection_permitted_signings_total counter\n");
	out(&o, "eth2_slashingprotection_permitted_signings_total %llu\n",
	    (unsigned long long)ld(&m->permitted));
	out(&o, "# TYPE eth2_slashingprotection_prevented_signings_total counter\n");
	out(&o, "eth2_slashingprotection_prevented_signings_total %llu\n",
	    (unsigned long long)ld(&m->prevented));
	out(&o, "# TYPE eth2_slashingprotection_database_duration summary\n");
	out(&o, "eth2_slashingprotection_database_duration_count{signingOperation=\"block\"} %llu\n",
	    (unsigned long long)ld(&m->db_block.count));
	out(&o, "eth2_slashingprotection_database_duration_sum{signingOperation=\"block\"} %.9f\n",
	    (double)ld(&m->db_block.sum_ns) / 1e9);
	out(&o, "eth2_slashingprotection_database_duration_count{signingOperation=\"attestation\"} %llu\n",
	    (unsigned long long)ld(&m->db_attestation.count));
	out(&o, "eth2_slashingprotection_database_duration_sum{signingOperation=\"attestation\"} %.9f\n",
	    (double)ld(&m->db_attestation.sum_ns) / 1e9);
	process_metrics(&o);
	release_metrics(&o, a->cfg.version);
	health_metrics(&o, a);

	/* Ours: requests by type and outcome, latency by type and phase. */
	static const char *const outcomes[] = { "ok", "bad_request", "not_found", "refused",
						"error" };
	static const char *const phases[] = { "parse", "queue", "slashing", "sign", "total" };
	_Static_assert(sizeof phases / sizeof *phases == SIGNER_PHASE__COUNT, "a name per phase");
	out(&o, "# HELP secure_signer_sign_requests_total Signing requests by type and outcome.\n");
	out(&o, "# TYPE secure_signer_sign_requests_total counter\n");
	for (size_t t = 0; t <= SIGNER_TYPE_UNKNOWN; t++) {
		char tl[64];
		type_label(tl, sizeof tl, t);
		for (size_t k = 0; k < SIGNER_OUTCOME__COUNT; k++) {
			uint64_t v = ld(&m->requests[t][k]);
			if (v)
				out(&o, "secure_signer_sign_requests_total{%s,outcome=\"%s\"} %llu\n", tl,
				    outcomes[k], (unsigned long long)v);
		}
	}
	out(&o, "# HELP signer_hash_cache_hits_total Signatures whose message hash (hash_to_G2 of "
		"the signing root) came from the cache.\n");
	out(&o, "# TYPE signer_hash_cache_hits_total counter\n");
	out(&o, "signer_hash_cache_hits_total %llu\n", (unsigned long long)ld(&m->hash_cache_hits));
	out(&o, "# HELP signer_hash_cache_misses_total Signatures whose message hash was computed "
		"(and cached).\n");
	out(&o, "# TYPE signer_hash_cache_misses_total counter\n");
	out(&o, "signer_hash_cache_misses_total %llu\n",
	    (unsigned long long)ld(&m->hash_cache_misses));
	out(&o, "# HELP signer_fixed_base_signatures_total Signatures made with the fixed-base "
		"table of a signing root many keys sign (docs/bls.md).\n");
	out(&o, "# TYPE signer_fixed_base_signatures_total counter\n");
	out(&o, "signer_fixed_base_signatures_total %llu\n", (unsigned long long)ld(&m->fixed_base));
	out(&o, "# HELP signer_signing_batches_total Batches of queued requests a signing thread "
		"took and signed together, with one shared inversion; signatures per batch is "
		"(hits + misses) / this.\n");
	out(&o, "# TYPE signer_signing_batches_total counter\n");
	out(&o, "signer_signing_batches_total %llu\n", (unsigned long long)ld(&m->sign_batches));
	out(&o, "# HELP secure_signer_sign_phase_seconds Signing latency by type and phase.\n");
	out(&o, "# TYPE secure_signer_sign_phase_seconds histogram\n");
	for (size_t t = 0; t <= SIGNER_TYPE_UNKNOWN; t++) {
		char tl[64];
		type_label(tl, sizeof tl, t);
		for (size_t p = 0; p < SIGNER_PHASE__COUNT; p++) {
			if (!ld(&m->phase[t][p].count))
				continue;
			char labels[128];
			snprintf(labels, sizeof labels, "%s,phase=\"%s\"", tl, phases[p]);
			histogram(&o, "secure_signer_sign_phase_seconds", labels, &m->phase[t][p]);
		}
	}
	out(&o, "# HELP secure_signer_signing_in_flight Signing requests being signed or "
		"committed now.\n");
	out(&o, "# TYPE secure_signer_signing_in_flight gauge\n");
	out(&o, "secure_signer_signing_in_flight %llu\n",
	    (unsigned long long)signer_in_flight(a->cfg.signer));
	if (a->cfg.slashing) {
		slash_counts sc;
		slash_get_counts(a->cfg.slashing, &sc);
		out(&o, "# HELP secure_signer_slashing_transactions_total Slashing-protection "
			"transactions (one fsync each); checks / transactions is the batch size.\n");
		out(&o, "# TYPE secure_signer_slashing_transactions_total counter\n");
		out(&o, "secure_signer_slashing_transactions_total %llu\n",
		    (unsigned long long)sc.transactions);
		out(&o, "# TYPE secure_signer_slashing_checks_total counter\n");
		out(&o, "secure_signer_slashing_checks_total %llu\n", (unsigned long long)sc.checks);
		out(&o, "# HELP secure_signer_slashing_queue_depth Checks waiting for a "
			"transaction.\n");
		out(&o, "# TYPE secure_signer_slashing_queue_depth gauge\n");
		out(&o, "secure_signer_slashing_queue_depth %llu\n", (unsigned long long)sc.queued);
	}
	if (a->http) {
		http_server_stats st;
		http_server_get_stats(a->http, &st);
		out(&o, "# TYPE secure_signer_http_responses_total counter\n");
		for (int c = 2; c < 6; c++)
			out(&o, "secure_signer_http_responses_total{class=\"%dxx\"} %llu\n", c,
			    (unsigned long long)st.by_class[c]);
		out(&o, "# TYPE secure_signer_http_requests_in_flight gauge\n");
		out(&o, "secure_signer_http_requests_in_flight %llu\n",
		    (unsigned long long)st.in_flight);
	}
	if (o.oom) {
		free(o.buf);
		http_reply_error(req, 500, "Out of memory");
		return;
	}
	http_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", o.buf, o.len);
	free(o.buf);
}
