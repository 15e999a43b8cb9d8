/* `secure-signer run` options: one table, read from four places in order of precedence
 * (picocli's, as Web3Signer uses it): default < --config-file YAML < SECURE_SIGNER_*
 * environment < command line. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/run_config.h"
#include "cli/yaml_flat.h"
#include "keys/layout.h"
#include "tee/tee_provider.h"
#include "util/datadir.h"
#include "util/dec.h"
#include "util/secure_mem.h"

typedef enum { OPT_STR, OPT_BOOL, OPT_PORT, OPT_UINT } opt_kind;

typedef struct {
	const char *name; /* without the leading "--" */
	opt_kind kind;
	size_t offset;
	const char *def; /* NULL: unset */
	const char *help;
} opt;

#define O(field) offsetof(run_config, field)

static const opt opts[] = {
	{ "http-listen-host", OPT_STR, O(http_listen_host), "127.0.0.1", "address to listen on" },
	{ "http-listen-port", OPT_PORT, O(http_listen_port), "9000", "port to listen on (0: any free port)" },
	{ "http-host-allowlist", OPT_STR, O(http_host_allowlist), "localhost,127.0.0.1",
	  "comma list of accepted Host header names; * for any" },
	{ "http-cors-origins", OPT_STR, O(http_cors_origins), NULL, "comma list of CORS origins; * for any" },
	{ "idle-connection-timeout-seconds", OPT_UINT, O(idle_connection_timeout_seconds), "30",
	  "close connections idle this long" },
	{ "http-threads", OPT_UINT, O(http_threads), "0",
	  "HTTP worker threads (0: one per core, at least 2)" },
	{ "signing-threads", OPT_UINT, O(signing_threads), "0",
	  "threads computing BLS signatures, fed in arrival order (0: one per CPU)" },
	{ "http-max-connections", OPT_UINT, O(http_max_connections), "1024", "simultaneous connections" },
	{ "http-max-connections-per-client", OPT_UINT, O(http_max_connections_per_client), "512",
	  "simultaneous connections from one client address" },
	{ "http-local-reserved-connections", OPT_UINT, O(http_local_reserved_connections), "16",
	  "connections of --http-max-connections kept for loopback clients (health checks)" },
	{ "http-request-timeout-seconds", OPT_UINT, O(http_request_timeout_seconds), "30",
	  "a connection must deliver a whole request (headers and body) within this time" },
	{ "access-logs-enabled", OPT_BOOL, O(access_logs_enabled), "false", "log every request" },
	{ "http-bearer-token-file", OPT_STR, O(http_bearer_token_file), NULL,
	  "require this bearer token (first line of the file) on the signing API" },
	{ "tls-cert-file", OPT_STR, O(tls_cert_file), NULL, "PEM server certificate (enables TLS)" },
	{ "tls-key-file", OPT_STR, O(tls_key_file), NULL, "PEM private key of the certificate" },
	{ "tls-keystore-file", OPT_STR, O(tls_keystore_file), NULL,
	  "PKCS#12 keystore with the server key and certificate (Web3Signer's; instead of the PEM files)" },
	{ "tls-keystore-password-file", OPT_STR, O(tls_keystore_password_file), NULL,
	  "file whose first line is the PKCS#12 keystore's password" },
	{ "tls-known-clients-file", OPT_STR, O(tls_known_clients_file), NULL,
	  "client certificates allowed by SHA-256 fingerprint (Web3Signer format)" },
	{ "tls-ca-clients-file", OPT_STR, O(tls_ca_file), NULL, "PEM CA whose client certificates are allowed" },
	{ "tls-allow-any-client", OPT_BOOL, O(tls_allow_any_client), "false",
	  "accept clients without certificates" },
	{ "tls-protocols", OPT_STR, O(tls_protocols), "TLSv1.3,TLSv1.2",
	  "TLS versions offered (TLSv1.3, TLSv1.2)" },
	{ "tls-cipher-suites", OPT_STR, O(tls_cipher_suites), NULL,
	  "IANA names of the cipher suites offered (default: forward-secret AEAD suites)" },
	{ "network", OPT_STR, O(network), "mainnet",
	  "mainnet, sepolia, holesky, hoodi, gnosis, minimal, or a config.yaml path" },
	{ "genesis-validators-root", OPT_STR, O(genesis_validators_root), NULL,
	  "the chain of a config.yaml network: other roots are refused (built-in networks know theirs)" },
	{ "genesis-time", OPT_STR, O(genesis_time), NULL,
	  "genesis Unix time of a config.yaml network (default its MIN_GENESIS_TIME)" },
	{ "future-epoch-tolerance", OPT_UINT, O(future_epoch_tolerance), "2",
	  "refuse blocks and attestations more than this many epochs ahead of the clock" },
	{ "slashing-protection-enabled", OPT_BOOL, O(slashing_protection_enabled), "true",
	  "refuse slashable blocks and attestations (EIP-3076)" },
	{ "slashing-protection-db-url", OPT_STR, O(slashing_protection_db_url), NULL,
	  "PostgreSQL database shared by several signers (jdbc:postgresql://..., postgresql://... "
	  "or libpq key=value) instead of <data-dir>/slashing.sqlite" },
	{ "slashing-protection-db-username", OPT_STR, O(slashing_protection_db_username), NULL,
	  "user name for --slashing-protection-db-url" },
	{ "slashing-protection-db-password", OPT_STR, O(slashing_protection_db_password), NULL,
	  "password for --slashing-protection-db-url (prefer the -file form, the environment "
	  "variable or ~/.pgpass: a command line is visible to every local user)" },
	{ "slashing-protection-db-password-file", OPT_STR, O(slashing_protection_db_password_file),
	  NULL, "file whose first line is the password for --slashing-protection-db-url" },
	{ "slashing-protection-db-health-check-interval-milliseconds", OPT_UINT,
	  O(db_health_interval_ms), "5000",
	  "how often /healthcheck's database check reads the slashing database" },
	{ "slashing-protection-db-health-check-timeout-milliseconds", OPT_UINT,
	  O(db_health_timeout_ms), "3000",
	  "a database check still running after this long reports DOWN" },
	{ "slashing-protection-pruning-enabled", OPT_BOOL, O(pruning_enabled), "true",
	  "delete old slashing history in the background, moving the low watermarks up" },
	{ "slashing-protection-pruning-epochs-to-keep", OPT_UINT, O(pruning_epochs_to_keep), "250",
	  "epochs of attestations (and as many epochs of blocks) kept below the newest" },
	{ "slashing-protection-pruning-slots-per-epoch", OPT_UINT, O(pruning_slots_per_epoch), "0",
	  "slots per epoch for the blocks kept (0: the network's)" },
	{ "slashing-protection-pruning-interval", OPT_UINT, O(pruning_interval_hours), "12",
	  "hours between pruning runs; the first runs one interval after start" },
	{ "slashing-protection-pruning-at-boot-enabled", OPT_BOOL, O(pruning_at_boot), "false",
	  "also prune right after start" },
	{ "key-config-path", OPT_STR, O(key_config_path), NULL, "directory of Web3Signer YAML key files" },
	{ "keystores-path", OPT_STR, O(keystores_path), NULL, "directory of EIP-2335 keystores (*.json)" },
	{ "keystores-passwords-path", OPT_STR, O(keystores_passwords_path), NULL,
	  "directory of <keystore name>.txt password files" },
	{ "keystores-password-file", OPT_STR, O(keystores_password_file), NULL,
	  "one password file for every keystore (prysm layout: the wallet password)" },
	{ "keystores-layout", OPT_STR, O(keystores_layout), "web3signer",
	  "layout of --keystores-path: web3signer, auto, lighthouse, lodestar, nimbus, teku or prysm" },
	{ "kek-file", OPT_STR, O(kek_file), NULL,
	  "key-encryption key of the sealed key store (default <data-dir>/keys/kek.key)" },
	{ "kek-passphrase-file", OPT_STR, O(kek_passphrase_file), NULL,
	  "derive the key-encryption key from this passphrase file instead" },
	{ "kek-passphrase-env", OPT_STR, O(kek_passphrase_env), NULL,
	  "... or from the passphrase in this environment variable" },
	{ "kek-source", OPT_STR, O(kek_source), NULL,
	  "tee: derive the key-encryption key from the TEE's sealing key (bound to the "
	  "measurement; see --tee) instead of --kek-file or a passphrase" },
	{ "tee", OPT_STR, O(tee), "none",
	  "TEE provider: none, auto (detect gramine, occlum, tsm; else none), gramine, occlum, "
	  "tsm (TDX, SEV-SNP) or sim (software simulation for development and tests)" },
	{ "Xsigning-ext-enabled", OPT_BOOL, O(signing_ext_enabled), "false",
	  "serve Web3Signer's POST /api/v1/eth2/ext/sign/{identifier} (PROOF_OF_VALIDATION)" },
	{ "key-manager-api-enabled", OPT_BOOL, O(key_manager_api_enabled), "false",
	  "serve the Keymanager API /eth/v1/keystores" },
	{ "key-manager-api-token-file", OPT_STR, O(key_manager_token_file), NULL,
	  "Keymanager API token (default <data-dir>/keymanager.token, created on first start)" },
	{ "commit-boost-api-enabled", OPT_BOOL, O(commit_boost_api_enabled), "false",
	  "serve the Commit-Boost signer API v0.2.0 on its own port (docs/commit-boost.md)" },
	{ "commit-boost-http-listen-port", OPT_PORT, O(commit_boost_port), "20000",
	  "Commit-Boost API port, on --http-listen-host with the signing listener's TLS" },
	{ "commit-boost-modules-file", OPT_STR, O(commit_boost_modules_file), NULL,
	  "YAML list of Commit-Boost modules: id, signing_id, guards, optional jwt_secret" },
	{ "commit-boost-jwt-secrets-file", OPT_STR, O(commit_boost_jwt_secrets_file), NULL,
	  "MODULE_ID=secret lines: the modules' JWT secrets" },
	{ "commit-boost-admin-jwt-secret-file", OPT_STR, O(commit_boost_admin_secret_file), NULL,
	  "first line: the JWT secret of the admin routes /reload and /revoke_jwt" },
	{ "commit-boost-chain-id", OPT_STR, O(commit_boost_chain_id), NULL,
	  "chain id in signing roots, decimal or 0x hex (default: the network's)" },
	{ "commit-boost-legacy-api-enabled", OPT_BOOL, O(commit_boost_legacy), "false",
	  "serve Web3Signer's 2024 Commit-Boost dialect instead (no JWT; loopback only)" },
	{ "Xcommit-boost-jwt-lockout-seconds", OPT_UINT, O(commit_boost_lockout_seconds), "300",
	  "seconds a client is refused (429) after 3 JWT failures; for tests" },
	{ "metrics-enabled", OPT_BOOL, O(metrics_enabled), "false", "serve /metrics on its own port" },
	{ "metrics-host", OPT_STR, O(metrics_host), "127.0.0.1", "metrics listen address" },
	{ "metrics-port", OPT_PORT, O(metrics_port), "9001", "metrics port" },
	{ "metrics-tls-enabled", OPT_BOOL, O(metrics_tls_enabled), "false",
	  "serve metrics over TLS with the signing listener's certificate and client policy" },
	{ "metrics-host-allowlist", OPT_STR, O(metrics_host_allowlist), "localhost,127.0.0.1",
	  "Host names accepted by the metrics listener" },
	{ "data-dir", OPT_STR, O(data_dir), DATADIR_DEFAULT,
	  "slashing database, sealed keys, tokens (locked while running)" },
	{ "data-path", OPT_STR, O(data_path), NULL,
	  "also write web3signer.ports here, as Web3Signer does (it is not the data directory)" },
	{ "logging", OPT_STR, O(logging), "info",
	  "OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE or ALL (any case)" },
	{ "logging-format", OPT_STR, O(logging_format), "plain",
	  "plain, or json: one object per line with fields ts, level, msg" },
	{ "config-file", OPT_STR, O(config_file), NULL, "YAML file of option: value lines" },
};
#define N_OPTS (sizeof opts / sizeof opts[0])

/* Accepts the Web3Signer aliases of option names. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "key-store-path", "key-config-path" },
	{ "enable-key-manager-api", "key-manager-api-enabled" },
	{ "l", "logging" },
};

static const opt *find_opt(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strlen(aliases[i].alias) == len && strncmp(aliases[i].alias, name, len) == 0) {
			name = aliases[i].name;
			len = strlen(name);
		}
	for (size_t i = 0; i < N_OPTS; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

/* Sets one option from its text form; returns false (with a message) when invalid. */
static bool set_opt(run_config *cfg, const opt *o, const char *value, const char *from)
{
	char *base = (char *)cfg;
	switch (o->kind) {
	case OPT_STR: {
		char **dst = (char **)(void *)(base + o->offset);
		char *v = strdup(value);
		if (!v)
			return false;
		if (*dst) /* a value set earlier (file, environment) may be a password */
			secure_zero(*dst, strlen(*dst));
		free(*dst);
		*dst = v;
		return true;
	}
	case OPT_BOOL: {
		bool *dst = (bool *)(base + o->offset);
		if (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		    strcasecmp(value, "yes") == 0)
			*dst = true;
		else if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
			 strcasecmp(value, "no") == 0)
			*dst = false;
		else
			goto bad;
		return true;
	}
	case OPT_PORT:
	case OPT_UINT: {
		uint64_t v;
		uint64_t max = o->kind == OPT_PORT ? 65535u : 1000000u;
		if (dec_parse_u64(value, strlen(value), &v) != SS_OK || v > max)
			goto bad;
		*(unsigned *)(void *)(base + o->offset) = (unsigned)v;
		return true;
	}
	}
bad:
	fprintf(stderr, "secure-signer run: invalid value '%s' for %s (from %s)\n", value,
		o->name, from);
	return false;
}

/* The environment variable of an option: SECURE_SIGNER_HTTP_LISTEN_PORT. */
void run_config_env_name(char *out, size_t cap, const char *name)
{
	size_t k = (size_t)snprintf(out, cap, "SECURE_SIGNER_");
	for (const char *p = name; *p && k + 1 < cap; p++)
		out[k++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	out[k] = '\0';
}

/* One entry of a --config-file (cli/yaml_flat.h): keys may carry Web3Signer's "eth2."
 * prefix; only string options take a list. */
static bool yaml_entry(const char *key, const char *value, bool is_list, void *ctx)
{
	run_config *cfg = ctx;
	const char *k = strncmp(key, "eth2.", 5) == 0 ? key + 5 : key;
	const opt *o = find_opt(k, strlen(k));
	if (!o || o->offset == O(config_file)) {
		fprintf(stderr, "secure-signer run: config file: unknown option '%s'\n", key);
		return false;
	}
	if (is_list && o->kind != OPT_STR) {
		fprintf(stderr, "secure-signer run: config file: '%s' does not take a list\n", key);
		return false;
	}
	return set_opt(cfg, o, value, "config file");
}

static bool load_yaml(run_config *cfg, const char *path)
{
	return cli_yaml_flat_read(path, "secure-signer run", yaml_entry, cfg);
}

void run_config_usage(FILE *out)
{
	fprintf(out,
		"Usage: secure-signer run [OPTIONS]\n\n"
		"Starts the signer: the Web3Signer eth2 HTTP API (default 127.0.0.1:9000), the\n"
		"Keymanager API and metrics when enabled. Every option can also be set by the\n"
		"environment variable shown, or as 'option: value' in the --config-file YAML.\n"
		"Precedence: command line > environment > config file > default.\n\n"
		"Options:\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		char env[96];
		run_config_env_name(env, sizeof env, opts[i].name);
		fprintf(out, "  --%s%s\n      %s", opts[i].name,
			opts[i].kind == OPT_BOOL ? "[=true|false]" : "=<value>", opts[i].help);
		if (opts[i].def)
			fprintf(out, " (default: %s)", opts[i].def);
		fprintf(out, "\n      env: %s\n", env);
	}
	fprintf(out, "  -h, --help\n      show this help\n");
}

int run_config_load(run_config *cfg, int argc, char **argv)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < N_OPTS; i++)
		if (opts[i].def && !set_opt(cfg, &opts[i], opts[i].def, "default"))
			return 2;

	/* First pass over argv: syntax, --help and --config-file. */
	const char *config_file = getenv("SECURE_SIGNER_CONFIG_FILE");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cfg->help = true;
			return 0;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "secure-signer run: unexpected argument '%s'\n", a);
			return 2;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const opt *o = find_opt(name, len);
		if (!o) {
			fprintf(stderr, "secure-signer run: unknown option '%s' (see --help)\n", a);
			return 2;
		}
		if (!eq && o->kind != OPT_BOOL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "secure-signer run: %s needs a value\n", a);
				return 2;
			}
			i++;
		}
		if (o->offset == O(config_file))
			config_file = eq ? eq + 1 : argv[i];
	}
	if (config_file) {
		if (!set_opt(cfg, find_opt("config-file", 11), config_file, "command line") ||
		    !load_yaml(cfg, config_file))
			return 2;
	}
	for (size_t i = 0; i < N_OPTS; i++) {
		char env[96];
		run_config_env_name(env, sizeof env, opts[i].name);
		const char *v = getenv(env);
		if (v && opts[i].offset != O(config_file) && !set_opt(cfg, &opts[i], v, env))
			return 2;
	}
	for (int i = 1; i < argc; i++) {
		const char *name = argv[i] + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const opt *o = find_opt(name, len);
		const char *v = eq ? eq + 1 : (o->kind == OPT_BOOL ? "true" : argv[++i]);
		if (!set_opt(cfg, o, v, "command line"))
			return 2;
	}
	return 0;
}

void run_config_free(run_config *cfg)
{
	char *base = (char *)cfg;
	for (size_t i = 0; i < N_OPTS; i++)
		if (opts[i].kind == OPT_STR) {
			char **p = (char **)(void *)(base + opts[i].offset);
			if (*p) /* one of them may be a database password */
				secure_zero(*p, strlen(*p));
			free(*p);
			*p = NULL;
		}
}

/* Combinations of options that cannot work, found from the options alone (no file is
 * read): `run` refuses to start on them and `config check` reports them. */
bool run_config_check(const run_config *c, char *err, size_t cap)
{
	bool tls_on = c->tls_cert_file || c->tls_key_file || c->tls_keystore_file;
	const char *why = NULL;
	keys_layout layout;
	if ((c->kek_passphrase_file != NULL) + (c->kek_passphrase_env != NULL) +
		    (c->kek_file != NULL) > 1)
		why = "--kek-file, --kek-passphrase-file and --kek-passphrase-env are mutually "
		      "exclusive";
	else if (c->kek_source && strcmp(c->kek_source, "tee") != 0)
		why = "--kek-source takes one value, tee (a file or a passphrase is chosen by "
		      "--kek-file, --kek-passphrase-file or --kek-passphrase-env)";
	else if (c->kek_source && (c->kek_passphrase_file || c->kek_passphrase_env || c->kek_file))
		why = "--kek-source tee cannot be combined with --kek-file, --kek-passphrase-file "
		      "or --kek-passphrase-env";
	else if (!tee_provider_known(c->tee))
		why = "--tee must be " TEE_PROVIDER_NAMES;
	else if (c->kek_source && (!c->tee || strcmp(c->tee, "none") == 0))
		why = "--kek-source tee needs a TEE: --tee gramine, occlum, tsm (SEV-SNP), auto, "
		      "or sim for tests";
	else if (c->keystores_layout && !keys_layout_from_name(c->keystores_layout, &layout))
		why = "--keystores-layout must be web3signer, auto, lighthouse, lodestar, nimbus, teku "
		      "or prysm";
	else if (c->keystores_passwords_path && c->keystores_password_file)
		why = "--keystores-passwords-path and --keystores-password-file are mutually "
		      "exclusive";
	else if ((c->tls_keystore_file != NULL) != (c->tls_keystore_password_file != NULL))
		why = "--tls-keystore-file and --tls-keystore-password-file go together";
	else if ((c->tls_cert_file != NULL) != (c->tls_key_file != NULL))
		why = "--tls-cert-file and --tls-key-file go together";
	else if (c->tls_keystore_file && c->tls_cert_file)
		why = "TLS takes a PKCS#12 keystore or PEM files, not both";
	/* As Web3Signer (reference/web3signer.md §5.3): with TLS, the client policy is an
	 * explicit choice, never a silent "anyone". */
	else if (tls_on && !c->tls_allow_any_client && !c->tls_known_clients_file &&
		 !c->tls_ca_file)
		why = "TLS needs a client policy: --tls-known-clients-file, --tls-ca-clients-file "
		      "or --tls-allow-any-client";
	else if (tls_on && c->tls_allow_any_client && (c->tls_known_clients_file || c->tls_ca_file))
		why = "--tls-allow-any-client cannot be combined with client certificate checks";
	else if (c->metrics_tls_enabled && (!tls_on || !c->metrics_enabled))
		why = "--metrics-tls-enabled needs --metrics-enabled and the TLS certificate options "
		      "of the signing listener";
	/* Web3Signer requires each to be at least 1 (§3.8) */
	else if (c->slashing_protection_enabled && c->pruning_enabled &&
		 (c->pruning_epochs_to_keep < 1 || c->pruning_interval_hours < 1))
		why = "--slashing-protection-pruning-epochs-to-keep and -interval must be at least 1";
	else if (c->commit_boost_api_enabled && !c->commit_boost_legacy &&
		 !c->commit_boost_modules_file)
		why = "--commit-boost-api-enabled needs --commit-boost-modules-file";
	else if (c->commit_boost_api_enabled && c->commit_boost_port &&
		 c->commit_boost_port == c->http_listen_port)
		why = "--commit-boost-http-listen-port must differ from --http-listen-port";
	else if (c->http_local_reserved_connections >= c->http_max_connections)
		why = "--http-local-reserved-connections must be smaller than --http-max-connections";
	if (why)
		snprintf(err, cap, "%s", why);
	return why == NULL;
}
