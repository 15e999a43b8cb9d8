/* `secure-signer run`: the signer daemon. Order of start (Web3Signer opens its listener
 * only once the keys are loaded, reference/web3signer.md §1.4, so a client never sees a
 * half-loaded signer): harden the process, lock the data directory, open the slashing
 * store, open the sealed key store and load the key sources, then listen. SIGTERM or
 * SIGINT stop the listeners after the requests being handled have been answered. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/commit_boost.h"
#include "api/token.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/run_config.h"
#include "crypto/bls.h"
#include "eth2/eth2.h"
#include "keys/keys.h"
#include "keys/layout.h"
#include "server/http.h"
#include "signer/signer.h"
#include "slashing/slashing.h"
#include "tee/tee_provider.h"
#include "util/datadir.h"
#include "util/dec.h"
#include "util/hex.h"
#include "util/file.h"
#include "util/hardening.h"
#include "util/log.h"
#include "util/sd_notify.h"
#include "util/secure_mem.h"

#define RUN_VERSION "0.1.0"
#define SHUTDOWN_GRACE_MS 10000u

/* <data-dir>/secure-signer.ports, written atomically once the listeners are up, like
 * Web3Signer's web3signer.ports: tests and scripts that use port 0 read it. */
static void write_ports(const datadir *dd, const char *data_path, unsigned http_port,
			unsigned metrics_port, unsigned cb_port)
{
	char path[4200], text[128];
	int n = metrics_port ? snprintf(text, sizeof text, "http-port=%u\nmetrics-port=%u\n",
					http_port, metrics_port)
			     : snprintf(text, sizeof text, "http-port=%u\n", http_port);
	if (cb_port)
		n += snprintf(text + n, sizeof text - (size_t)n, "commit-boost-port=%u\n", cb_port);
	if (datadir_file(dd, "secure-signer.ports", path, sizeof path) == SS_OK &&
	    file_write_atomic(path, text, (size_t)n, 0644) != SS_OK)
		log_warn("cannot write %s: %s", path, strerror(errno));
	/* Web3Signer's --data-path: the same lines in web3signer.ports */
	if (data_path && snprintf(path, sizeof path, "%s/web3signer.ports", data_path) <
				 (int)sizeof path &&
	    file_write_atomic(path, text, (size_t)n, 0644) != SS_OK)
		log_warn("cannot write %s: %s", path, strerror(errno));
}

static unsigned default_threads(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	/* Handlers never wait (signatures run on the signing threads, commits on the
	 * slashing writer, Keymanager writes on the admin thread), so a thread per core
	 * keeps every core able to read and parse. More threads only add wake-ups and
	 * context switches: on 2 cores, 2 threads signed 10-14% more of an Electra burst
	 * than 8 at 16 and at 256 connections (docs/benchmarks.md, "Batched signing and
	 * fewer server threads"). At least 2, so one slow
	 * client (a TLS handshake) never holds up every other connection. */
	unsigned t = (unsigned)cores;
	return t < 2 ? 2 : (t > 64 ? 64 : t);
}

typedef struct {
	run_config cfg;
	datadir dd;
	bool dd_open;
	cli_network net;
	slash_db *slashing;
	tee_provider *tee;
	keys_store *keys;
	signer *signer;
	api *api;
	http_server *http, *metrics, *cb_http;
	api_cb *cb;
	char *signing_token;
	char *tls_password;
	char km_token[API_TOKEN_MAX + 1];
	keys_sources sources;
} run_state;

static void teardown(run_state *st)
{
	http_server_stop(st->http, SHUTDOWN_GRACE_MS);
	http_server_stop(st->metrics, 1000);
	http_server_stop(st->cb_http, SHUTDOWN_GRACE_MS);
	api_cb_free(st->cb);
	api_free(st->api);
	signer_free(st->signer);
	if (st->keys)
		keys_store_close(st->keys);
	tee_provider_close(st->tee);
	if (st->slashing)
		slash_close(st->slashing);
	cli_network_close(&st->net);
	if (st->dd_open) {
		char path[4200];
		if (datadir_file(&st->dd, "secure-signer.ports", path, sizeof path) == SS_OK)
			unlink(path);
		datadir_close(&st->dd);
	}
	/* secure_zero, not memset: a store just before free is dead to the compiler,
	 * which may drop it (CONVENTIONS.md "Secrets") */
	if (st->signing_token) {
		secure_zero(st->signing_token, strlen(st->signing_token));
		free(st->signing_token);
	}
	if (st->tls_password) {
		secure_zero(st->tls_password, strlen(st->tls_password));
		free(st->tls_password);
	}
	secure_zero(st->km_token, sizeof st->km_token);
	run_config_free(&st->cfg);
}

/* Web3Signer's pruning options (reference/web3signer.md §3.8) as the slashing store's
 * background pruning thread takes them (run_config_check has bounded them). */
static void pruning_options(const run_config *c, const eth2_network *net, slash_options *so)
{
	slash_options_default(so);
	if (!c->pruning_enabled) {
		so->prune_interval_s = 0;
		return;
	}
	so->prune_interval_s = c->pruning_interval_hours * 3600u;
	so->prune_keep_epochs = c->pruning_epochs_to_keep;
	so->prune_slots_per_epoch = c->pruning_slots_per_epoch ? c->pruning_slots_per_epoch
							       : eth2_network_slots_per_epoch(net);
	so->prune_at_boot = c->pruning_at_boot;
}

/* Web3Signer's --data-path names the directory of web3signer.ports, while the data
 * directory is --data-dir. An operator who pointed --data-path at a Secure-Signer data
 * directory (its meaning before) would otherwise start on a fresh, empty slashing
 * database beside the real one: refused. 0 or 1 after a message. */
static int check_data_path(const run_config *c)
{
	if (!c->data_path)
		return 0;
	char a[4200], b[4200];
	if (!realpath(c->data_path, a))
		return 0; /* it does not exist yet: nothing of ours is there */
	if (realpath(c->data_dir, b) && strcmp(a, b) == 0)
		return 0;
	static const char *const ours[] = { "slashing.sqlite", "keys" };
	for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
		char p[4300];
		snprintf(p, sizeof p, "%s/%s", a, ours[i]);
		if (access(p, F_OK) == 0) {
			log_error("--data-path %s holds a Secure-Signer data directory (%s), but "
				  "--data-path only says where web3signer.ports is written; the data "
				  "directory is --data-dir, now %s: pass --data-dir=%s",
				  c->data_path, ours[i], c->data_dir, c->data_path);
			return 1;
		}
	}
	return 0;
}

/* The TEE provider (--tee), right after the data directory is locked: with --kek-source
 * tee, a store sealed to another measurement stops the start here, before the slashing
 * database or any key file is opened, so nothing is changed (issue 11 §2). */
static int open_tee(run_state *st)
{
	run_config *c = &st->cfg;
	const char *root = getenv("SECURE_SIGNER_TEE_ROOT"); /* tests only (docs/tee.md) */
	tee_open_options to = { .root = root, .data_dir = st->dd.path };
	char why[TEE_WHY_MAX];
	if (tee_provider_open(c->tee, &to, &st->tee, why) != SS_OK) {
		log_error("--tee %s: %s", c->tee ? c->tee : "none", why);
		return 1;
	}
	tee_info ti;
	tee_provider_info(st->tee, &ti);
	char m[2 * TEE_MEASUREMENT_MAX + 1];
	hex_encode(m, ti.measurement, ti.measurement_len, false);
	log_info("TEE: platform %s, provider %s%s%s%s, evidence %s, sealing %s%s",
		 tee_platform_name(ti.platform), ti.provider, ti.simulated ? " (SIMULATED)" : "",
		 m[0] ? ", measurement " : "", m, ti.can_attest ? "available" : "unavailable",
		 ti.can_seal ? "available" : "unavailable", ti.debug ? ", DEBUG MODE" : "");
	if (ti.debug)
		log_warn("TEE: the %s runs in DEBUG mode: the host can read its memory, keys "
			 "included; never use it in production", tee_platform_name(ti.platform));
	if (c->kek_source) {
		keys_error kerr;
		memset(&kerr, 0, sizeof kerr);
		if (keys_kek_tee_check(st->dd.path, st->tee, false, &kerr) != SS_OK) {
			log_error("%s", kerr.msg);
			return 1;
		}
	}
	return 0;
}

/* The data directory (locked), the network and the slashing store. */
static int open_stores(run_state *st)
{
	run_config *c = &st->cfg;
	if (check_data_path(c) != 0)
		return 1;
	if (cli_datadir_open(c->data_dir, "secure-signer run", &st->dd) != 0)
		return 1;
	st->dd_open = true;
	bls_init();
	if (open_tee(st) != 0)
		return 1;

	if (cli_network_open(c, "secure-signer run", &st->net) != 0)
		return 1;
	const eth2_network *net = st->net.net;
	log_info("network %s, %llu slots per epoch", eth2_network_name(net),
		 (unsigned long long)eth2_network_slots_per_epoch(net));
	if (!st->net.has_gvr)
		log_warn("network %s: no genesis validators root is known (give "
			 "--genesis-validators-root): the first signing request's root will bind "
			 "the slashing database (docs/slashing-protection.md)",
			 eth2_network_name(net));
	if (!st->net.has_genesis_time)
		log_warn("network %s: no genesis time is known (give --genesis-time): far-future "
			 "slots and epochs cannot be refused", eth2_network_name(net));

	if (c->slashing_protection_enabled) {
		slash_options so;
		pruning_options(c, net, &so);
		if (cli_slashing_open(c, "secure-signer run", &st->dd, &st->net, &so,
				      &st->slashing) != 0)
			return 1;
		if (c->slashing_protection_db_url)
			log_info("slashing protection: PostgreSQL database (shared; one writer per "
				 "signer)");
	} else {
		log_warn("slashing protection is DISABLED: blocks and attestations are signed "
			 "without any check");
	}
	if (st->slashing) {
		/* A store that opens but cannot be written (a read-only file, directory or
		 * file system) would answer every block and attestation with 500 while
		 * /upcheck said all is well: refuse to start instead. */
		slash_reason why = { "" };
		if (slash_write_check(st->slashing, &why) != SS_OK) {
			log_error("the slashing protection database cannot be written (%s); not "
				  "starting: every block and attestation would fail",
				  why.message);
			return 1;
		}
	}
	return 0;
}

/* --commit-boost-chain-id: decimal (up to 2^64-1) or 0x hex (up to 32 bytes), as a
 * big-endian uint256. */
static bool parse_chain_id(const char *s, uint8_t out[32])
{
	memset(out, 0, 32);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		size_t n = strlen(s + 2);
		if (n == 0 || n > 64)
			return false;
		char padded[65];
		memset(padded, '0', 64);
		memcpy(padded + 64 - n, s + 2, n);
		padded[64] = 0;
		return hex_decode(out, 32, padded, 64, HEX_PREFIX_FORBIDDEN) == SS_OK;
	}
	uint64_t v;
	if (dec_parse_u64(s, strlen(s), &v) != SS_OK)
		return false;
	for (unsigned i = 0; i < 8; i++)
		out[31 - i] = (uint8_t)(v >> (8 * i));
	return true;
}

/* The Commit-Boost API's modules, secrets and nonce store (docs/commit-boost.md). */
static int open_commit_boost(run_state *st)
{
	run_config *c = &st->cfg;
	api_cb_config cc = {
		.keys = st->keys,
		.net = st->net.net,
		.modules_file = c->commit_boost_modules_file,
		.jwt_secrets_file = c->commit_boost_jwt_secrets_file,
		.admin_secret_file = c->commit_boost_admin_secret_file,
		.data_dir = st->dd.path,
		.legacy = c->commit_boost_legacy,
		.lockout_seconds = c->commit_boost_lockout_seconds,
	};
	if (c->commit_boost_chain_id) {
		if (!parse_chain_id(c->commit_boost_chain_id, cc.chain_id)) {
			log_error("--commit-boost-chain-id must be a decimal number or 0x hex of at "
				  "most 32 bytes");
			return 1;
		}
		cc.has_chain_id = true;
	}
	char err[512];
	if (api_cb_new(&st->cb, &cc, err, sizeof err) != SS_OK) {
		log_error("Commit-Boost API: %s", err);
		return 1;
	}
	return 0;
}

/* The sealed key store, the signing service and the API with its key sources and
 * tokens (the keys are loaded here, before any listener opens). */
static int open_service(run_state *st)
{
	run_config *c = &st->cfg;
	const eth2_network *net = st->net.net;
	ss_err e;
	keys_kek_provider kek;
	memset(&kek, 0, sizeof kek);
	if (c->kek_source)
		e = keys_kek_tee(&kek, st->tee);
	else if (c->kek_passphrase_file)
		e = keys_kek_passphrase_file(&kek, c->kek_passphrase_file);
	else if (c->kek_passphrase_env)
		e = keys_kek_passphrase_env(&kek, c->kek_passphrase_env);
	else
		e = keys_kek_file(&kek, c->kek_file);
	if (e != SS_OK) {
		log_error("invalid key-encryption key option");
		return 1;
	}
	keys_load_stats open_stats;
	memset(&open_stats, 0, sizeof open_stats);
	keys_error kerr;
	memset(&kerr, 0, sizeof kerr);
	if (keys_store_open(&st->keys, st->dd.path, &kek, &open_stats, &kerr) != SS_OK) {
		log_error("cannot open the key store: %s", kerr.msg);
		return 1;
	}
	st->sources = (keys_sources){
		.keystores_dir = c->keystores_path,
		.keystores_passwords_dir = c->keystores_passwords_path,
		.keystores_password_file = c->keystores_password_file,
		.key_config_dir = c->key_config_path,
	};
	keys_layout layout = KEYS_LAYOUT_WEB3SIGNER;
	if (c->keystores_layout) /* checked by run_config_check */
		(void)keys_layout_from_name(c->keystores_layout, &layout);
	st->sources.keystores_layout = layout;

	signer_config sc = { .net = net,
			     .keys = st->keys,
			     .slashing = st->slashing,
			     .signing_threads = c->signing_threads,
			     .check_gvr = st->net.has_gvr,
			     .check_future = st->net.has_genesis_time,
			     .genesis_time = st->net.genesis_time,
			     .future_epoch_tolerance = c->future_epoch_tolerance };
	memcpy(sc.gvr, st->net.gvr, sizeof sc.gvr);
	if (signer_new(&st->signer, &sc) != SS_OK)
		return 1;
	api_config ac = {
		.signer = st->signer,
		.keys = st->keys,
		.slashing = st->slashing,
		.net = net,
		.sources = &st->sources,
		.open_stats = open_stats,
		.keymanager_enabled = c->key_manager_api_enabled,
		.signing_ext_enabled = c->signing_ext_enabled,
		.version = RUN_VERSION,
		.db_health_interval_ms = c->db_health_interval_ms,
		.db_health_timeout_ms = c->db_health_timeout_ms,
		.tee = st->tee,
	};
	if (api_new(&st->api, &ac) != SS_OK || api_load_keys(st->api) != SS_OK)
		return 1;

	if (c->commit_boost_api_enabled && open_commit_boost(st) != 0)
		return 1;
	if (c->key_manager_api_enabled) {
		char path[4200];
		const char *tp = c->key_manager_token_file;
		if (!tp) {
			if (datadir_file(&st->dd, "keymanager.token", path, sizeof path) != SS_OK)
				return 1;
			tp = path;
		}
		if (api_token_load_or_create(tp, st->km_token) != SS_OK)
			return 1;
	}
	if (c->http_bearer_token_file) {
		st->signing_token = cli_read_first_line(c->http_bearer_token_file);
		if (!st->signing_token) {
			log_error("cannot read a token from %s", c->http_bearer_token_file);
			return 1;
		}
	}
	return 0;
}

/* The signing and metrics listeners; then readiness (ports file, sd_notify). */
static int open_listeners(run_state *st)
{
	run_config *c = &st->cfg;
	http_tls_config tls = {
		.cert_file = c->tls_cert_file,
		.key_file = c->tls_key_file,
		.pkcs12_file = c->tls_keystore_file,
		.known_clients_file = c->tls_known_clients_file,
		.ca_file = c->tls_ca_file,
		.allow_any_client = c->tls_allow_any_client,
		.protocols = c->tls_protocols,
		.cipher_suites = c->tls_cipher_suites,
	};
	bool tls_on = c->tls_cert_file || c->tls_key_file || c->tls_keystore_file;
	if (c->tls_keystore_password_file) {
		st->tls_password = cli_read_first_line(c->tls_keystore_password_file);
		if (!st->tls_password) {
			log_error("cannot read a password (its first line, at most 256 bytes) from %s",
				  c->tls_keystore_password_file);
			return 1;
		}
		tls.pkcs12_password = st->tls_password;
	}
	size_t n_routes;
	const http_route *routes = api_routes(st->api, &n_routes);
	http_server_config hc = {
		.name = "http",
		.host = c->http_listen_host,
		.port = (uint16_t)c->http_listen_port,
		.threads = c->http_threads ? c->http_threads : default_threads(),
		.connection_timeout = c->idle_connection_timeout_seconds,
		.connection_limit = c->http_max_connections,
		.per_client_limit = c->http_max_connections_per_client,
		.local_reserve = c->http_local_reserved_connections,
		.request_timeout = c->http_request_timeout_seconds,
		.routes = routes,
		.n_routes = n_routes,
		.app = st->api,
		.host_allowlist = c->http_host_allowlist,
		.cors_origins = c->http_cors_origins,
		.signing_token = st->signing_token,
		.keymanager_token = c->key_manager_api_enabled ? st->km_token : NULL,
		.tls = tls_on ? &tls : NULL,
		.access_log = c->access_logs_enabled,
	};
	if (http_server_start(&st->http, &hc) != SS_OK)
		return 1;
	api_set_http_server(st->api, st->http);
	unsigned metrics_port = 0;
	if (c->metrics_enabled) {
		/* signing_bls_signing_duration's quantiles: kept only when scraped */
		signer_metrics_keep_quantiles(signer_get_metrics(st->signer));
		size_t n_m;
		const http_route *mr = api_metrics_routes(&n_m);
		http_server_config mc = {
			.name = "metrics",
			.host = c->metrics_host,
			.port = (uint16_t)c->metrics_port,
			.threads = 1,
			.connection_timeout = c->idle_connection_timeout_seconds,
			.connection_limit = 64,
			.per_client_limit = 16,
			.local_reserve = 8,
			.request_timeout = c->http_request_timeout_seconds,
			.tls = c->metrics_tls_enabled ? &tls : NULL,
			.routes = mr,
			.n_routes = n_m,
			.app = st->api,
			.host_allowlist = c->metrics_host_allowlist,
		};
		if (http_server_start(&st->metrics, &mc) != SS_OK)
			return 1;
		metrics_port = http_server_port(st->metrics);
	}
	unsigned cb_port = 0;
	if (st->cb) {
		size_t n_cb;
		const http_route *cr = api_cb_routes(st->cb, &n_cb);
		/* the signing listener's host, allow-list and TLS: modules reach the signer
		 * the way validator clients do */
		http_server_config cc = hc;
		cc.name = "commit-boost";
		cc.port = (uint16_t)c->commit_boost_port;
		cc.threads = 2;
		cc.routes = cr;
		cc.n_routes = n_cb;
		cc.app = st->cb;
		cc.cors_origins = NULL;
		cc.signing_token = NULL;
		cc.keymanager_token = NULL;
		if (http_server_start(&st->cb_http, &cc) != SS_OK)
			return 1;
		cb_port = http_server_port(st->cb_http);
		log_info("Commit-Boost signer API (%s) on port %u",
			 c->commit_boost_legacy ? "legacy Web3Signer dialect" : "v0.2.0", cb_port);
	}
	write_ports(&st->dd, c->data_path, http_server_port(st->http), metrics_port, cb_port);
	log_info("secure-signer %s ready: %zu keys", RUN_VERSION, keys_count(st->keys));
	/* Type=notify (deploy/systemd/secure-signer.service): ready only now, with the keys
	 * loaded and every listener accepting, so that units ordered After= this one (the
	 * validator client) never reach a signer that would answer 404 or refuse. */
	char status[128];
	snprintf(status, sizeof status, "READY=1\nSTATUS=Signing with %zu keys",
		 keys_count(st->keys));
	if (!sd_notify_send(status) && errno)
		log_warn("NOTIFY_SOCKET is set but the readiness notification failed: %s",
			 strerror(errno));
	return 0;
}

static int start(run_state *st)
{
	run_config *c = &st->cfg;
	if (process_harden() != SS_OK) {
		log_error("process hardening failed (RLIMIT_CORE / PR_SET_DUMPABLE)");
		return 1;
	}
	char bad[256];
	if (!run_config_check(c, bad, sizeof bad)) {
		log_error("%s", bad);
		return 1;
	}
	return open_stores(st) != 0 || open_service(st) != 0 || open_listeners(st) != 0 ? 1 : 0;
}

int cli_cmd_run(int argc, char **argv)
{
	run_state st;
	memset(&st, 0, sizeof st);
	int rc = run_config_load(&st.cfg, argc, argv);
	if (rc != 0) {
		run_config_free(&st.cfg);
		return rc;
	}
	if (st.cfg.help) {
		run_config_usage(stdout);
		run_config_free(&st.cfg);
		return 0;
	}
	log_level lvl;
	if (!log_parse_level(st.cfg.logging, &lvl)) {
		fprintf(stderr, "secure-signer run: --logging must be OFF, FATAL, ERROR, WARN, "
				"INFO, DEBUG, TRACE or ALL\n");
		run_config_free(&st.cfg);
		return 2;
	}
	log_format fmt;
	if (!log_parse_format(st.cfg.logging_format, &fmt)) {
		fprintf(stderr, "secure-signer run: --logging-format must be plain or json\n");
		run_config_free(&st.cfg);
		return 2;
	}
	log_set_level(lvl);
	log_set_format(fmt);

	/* Block the stop signals before any thread starts, so that every thread inherits
	 * the mask and sigwait below is the one place they arrive. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	api_json_wipe_on_free();
	if (start(&st) != 0) {
		teardown(&st);
		return 1;
	}
	int sig = 0;
	while (sigwait(&stop, &sig) == 0 && sig == SIGHUP)
		log_info("SIGHUP ignored (use POST /reload to rescan the key sources)");
	log_info("signal %d: stopping after the requests in flight", sig);
	/* sd_notify(3): tell the service manager the stop has begun (it then waits up to
	 * TimeoutStopSec for the requests in flight instead of counting this as a crash). */
	(void)sd_notify_send("STOPPING=1");
	teardown(&st);
	log_info("stopped");
	return 0;
}
