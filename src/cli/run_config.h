/* Configuration of `secure-signer run`: Web3Signer's option names where the concept is
 * the same (reference/web3signer.md §5), each settable (lowest precedence first) by its
 * default, a YAML --config-file, a SECURE_SIGNER_* environment variable, and the
 * command line. docs/configuration.md lists them all. */
#ifndef SS_CLI_RUN_CONFIG_H
#define SS_CLI_RUN_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

typedef struct {
	/* HTTP listener */
	char *http_listen_host;
	unsigned http_listen_port;
	char *http_host_allowlist;
	char *http_cors_origins;
	unsigned idle_connection_timeout_seconds;
	unsigned http_threads;
	unsigned signing_threads;
	bool signing_ext_enabled;
	unsigned http_max_connections;
	unsigned http_max_connections_per_client;
	unsigned http_local_reserved_connections;
	unsigned http_request_timeout_seconds;
	bool access_logs_enabled;
	char *http_bearer_token_file;
	/* TLS */
	char *tls_cert_file;
	char *tls_key_file;
	char *tls_keystore_file;
	char *tls_keystore_password_file;
	char *tls_known_clients_file;
	char *tls_ca_file;
	bool tls_allow_any_client;
	char *tls_protocols;
	char *tls_cipher_suites;
	bool metrics_tls_enabled;
	/* eth2 */
	char *network;
	/* network safety (cli/common_options.h, docs/signing.md "Network checks") */
	char *genesis_validators_root;
	char *genesis_time;
	unsigned future_epoch_tolerance;
	bool slashing_protection_enabled;
	char *slashing_protection_db_url; /* PostgreSQL instead of <data-dir>/slashing.sqlite */
	char *slashing_protection_db_username;
	char *slashing_protection_db_password;
	char *slashing_protection_db_password_file;
	unsigned db_health_interval_ms, db_health_timeout_ms;
	bool pruning_enabled, pruning_at_boot;
	unsigned pruning_epochs_to_keep, pruning_slots_per_epoch, pruning_interval_hours;
	/* keys */
	char *key_config_path;
	char *keystores_path;
	char *keystores_passwords_path;
	char *keystores_password_file;
	char *keystores_layout; /* keys/layout.h name */
	char *kek_file;
	char *kek_passphrase_file;
	char *kek_passphrase_env;
	char *kek_source; /* NULL (file or passphrase, from the options above) or "tee" */
	/* TEE (docs/tee.md): auto, none, gramine, occlum, tsm or sim */
	char *tee;
	bool key_manager_api_enabled;
	char *key_manager_token_file;
	/* Commit-Boost signer API (docs/commit-boost.md) */
	bool commit_boost_api_enabled;
	unsigned commit_boost_port;
	char *commit_boost_modules_file;
	char *commit_boost_jwt_secrets_file;
	char *commit_boost_admin_secret_file;
	char *commit_boost_chain_id;
	bool commit_boost_legacy;
	unsigned commit_boost_lockout_seconds;
	/* metrics */
	bool metrics_enabled;
	char *metrics_host;
	unsigned metrics_port;
	char *metrics_host_allowlist;
	/* process */
	char *data_dir;
	char *data_path; /* Web3Signer's --data-path: where web3signer.ports is written */
	char *logging;
	char *logging_format;
	char *config_file;
	bool help;
} run_config;

/* Fills cfg from defaults, the config file, the environment and argv (argv[0] is the
 * subcommand name). Returns 0, or 2 after printing a usage error to stderr. */
int run_config_load(run_config *cfg, int argc, char **argv);

/* Frees the strings of cfg. */
void run_config_free(run_config *cfg);

/* False, with the reason in err, for a combination of options that cannot work (two
 * exclusive options, TLS without a client policy, ...): checked from the options alone,
 * before anything is opened, by `run` and by `config check`. */
bool run_config_check(const run_config *c, char *err, size_t cap);

/* The environment variable of an option: "http-listen-port" ->
 * SECURE_SIGNER_HTTP_LISTEN_PORT (what run_config_load reads). */
void run_config_env_name(char *out, size_t cap, const char *name);

/* Prints the option list with defaults and environment variable names. */
void run_config_usage(FILE *out);

#endif
