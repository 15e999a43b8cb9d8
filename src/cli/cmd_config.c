/* `secure-signer config check [run options]`: what `run` would refuse, found without
 * starting (issue "A drop-in for Web3Signer operators", item 5). The options are read
 * exactly as `run` reads them (flags, SECURE_SIGNER_* variables, --config-file), their
 * combinations checked by run_config_check, and then what a start would trip on: files
 * that cannot be read, key directories that are not directories, a network that does
 * not load, a listen address or port that cannot be bound, a data directory in use.
 * Every problem is printed, not only the first; exit 0 when there is none, 1 when there
 * are, 2 on a usage error. Nothing is created or changed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/commit_boost.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/run_config.h"
#include "keys/layout.h"
#include "server/http.h"
#include "util/datadir.h"

#define PROG "secure-signer config check"

static unsigned problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("problem: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	problems++;
}

static void readable_file(const char *opt, const char *path)
{
	if (!path)
		return;
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, R_OK) != 0)
		problem("%s: %s is not a readable file", opt, path);
}

static void directory(const char *opt, const char *path)
{
	if (!path)
		return;
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) || access(path, R_OK | X_OK) != 0)
		problem("%s: %s is not a readable directory", opt, path);
}

/* A client layout of --keystores-path (keys/layout.h) scanned as `run` will scan it:
 * a directory in which the layout finds nothing stops the start. */
static void keystore_layout(const run_config *c)
{
	keys_layout l = KEYS_LAYOUT_WEB3SIGNER;
	if (!c->keystores_path || !c->keystores_layout ||
	    !keys_layout_from_name(c->keystores_layout, &l) || l == KEYS_LAYOUT_WEB3SIGNER)
		return;
	keys_layout_result r;
	keys_error err = { "" };
	if (keys_layout_scan(&r, c->keystores_path, l, c->keystores_passwords_path, &err) != SS_OK) {
		problem("--keystores-path: %s", err.msg);
		return;
	}
	printf("keystores: %s layout in %s, %zu keystore(s)%s, %zu skipped\n",
	       keys_layout_name(r.layout), c->keystores_path, r.n_keys,
	       r.wallet ? " and a Prysm wallet" : "", r.n_skips);
	if (r.layout == KEYS_LAYOUT_PRYSM && !c->keystores_password_file)
		problem("--keystores-path: the prysm layout needs the wallet password in "
			"--keystores-password-file");
	keys_layout_free(&r);
}

/* Opens and closes the listener as `run` would (server/http.h), its reason logged. */
static void bindable(const char *what, const char *host, unsigned port)
{
	if (http_listen_check(what, host, (uint16_t)port) != SS_OK)
		problem("%s: cannot listen on %s port %u (the reason is above)", what, host, port);
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: " PROG " [run options]\n\n"
		     "Reads the options as `secure-signer run` would (flags, SECURE_SIGNER_*\n"
		     "variables, --config-file) and reports every problem a start would meet,\n"
		     "without starting or changing anything: combinations that cannot work,\n"
		     "files and key directories that cannot be read, a network that does not\n"
		     "load, a listen address or port that cannot be bound, a data directory in\n"
		     "use. Exit status 0: none; 1: problems (printed); 2: usage error.\n"
		     "`secure-signer run --help` lists the options.\n");
}

int cli_cmd_config(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "check") != 0) {
		usage(argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
			      ? stdout
			      : stderr);
		return argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
			       ? 0
			       : 2;
	}
	run_config c;
	if (run_config_load(&c, argc - 1, argv + 1) != 0) {
		run_config_free(&c);
		return 2;
	}
	if (c.help) {
		usage(stdout);
		run_config_free(&c);
		return 0;
	}
	problems = 0;
	char why[256];
	if (!run_config_check(&c, why, sizeof why))
		problem("%s", why);
	readable_file("--tls-cert-file", c.tls_cert_file);
	readable_file("--tls-key-file", c.tls_key_file);
	readable_file("--tls-keystore-file", c.tls_keystore_file);
	readable_file("--tls-keystore-password-file", c.tls_keystore_password_file);
	readable_file("--tls-known-clients-file", c.tls_known_clients_file);
	readable_file("--tls-ca-clients-file", c.tls_ca_file);
	readable_file("--http-bearer-token-file", c.http_bearer_token_file);
	readable_file("--keystores-password-file", c.keystores_password_file);
	readable_file("--kek-passphrase-file", c.kek_passphrase_file);
	readable_file("--slashing-protection-db-password-file",
		      c.slashing_protection_db_password_file);
	directory("--key-config-path", c.key_config_path);
	directory("--keystores-path", c.keystores_path);
	directory("--keystores-passwords-path", c.keystores_passwords_path);
	keystore_layout(&c);
	cli_network n;
	if (cli_network_open(&c, PROG, &n) == 0)
		cli_network_close(&n);
	else
		problem("--network: %s does not load (the reason is above)", c.network);
	bindable("--http-listen-host/--http-listen-port", c.http_listen_host, c.http_listen_port);
	if (c.metrics_enabled)
		bindable("--metrics-host/--metrics-port", c.metrics_host, c.metrics_port);
	if (c.commit_boost_api_enabled) {
		bindable("--http-listen-host/--commit-boost-http-listen-port", c.http_listen_host,
			 c.commit_boost_port);
		api_cb_config cc = {
			.modules_file = c.commit_boost_modules_file,
			.jwt_secrets_file = c.commit_boost_jwt_secrets_file,
			.admin_secret_file = c.commit_boost_admin_secret_file,
		};
		char cb_err[512];
		if (!c.commit_boost_legacy && c.commit_boost_modules_file &&
		    api_cb_check_files(&cc, cb_err, sizeof cb_err) != SS_OK)
			problem("Commit-Boost API: %s", cb_err);
	}
	if (datadir_in_use(c.data_dir))
		problem("--data-dir: %s is in use by a running secure-signer", c.data_dir);
	if (problems)
		printf("%u problem(s): `secure-signer run` with these options would not start or "
		       "not work\n", problems);
	else
		printf("configuration OK\n");
	run_config_free(&c);
	return problems ? 1 : 0;
}
