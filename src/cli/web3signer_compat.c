/* Web3Signer's command line, environment and config file (cli/web3signer_compat.h).
 *
 * The translation is one pass over three sources in Web3Signer's (picocli's) order of
 * precedence, config file < environment < command line: each option is looked up in
 * the table below and, when it is one of ours, set as the SECURE_SIGNER_* environment
 * variable that run_config_load reads (a later source overwrites an earlier one). Then
 * the equivalent Secure-Signer command runs. Nothing is added to the process's command
 * line, which every local user can read. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/commands.h"
#include "cli/run_config.h"
#include "cli/web3signer_compat.h"
#include "cli/yaml_flat.h"
#include "util/log.h"
#include "util/secure_mem.h"

#define PROG "secure-signer (Web3Signer command line)"

extern char **environ;

typedef enum {
	W_SAME,    /* our option of that name (or of `ours`) */
	W_WARN,    /* accepted, done differently here: one warning */
	W_REFUSE,  /* cannot be honoured: the start stops, naming it */
	W_LOGGING, /* --logging / -l: Web3Signer's level names */
	W_LOGFMT,  /* --logging-format */
	W_SUB,     /* an option of export, import or watermark-repair */
} w3s_action;

typedef struct {
	const char *name;     /* Web3Signer's, without "--"; a trailing '*' is a prefix */
	bool boolean;         /* bare, =true or =false */
	w3s_action action;
	const char *ours;     /* W_SAME: our option's name when it differs */
	const char *only_if;  /* W_WARN/W_REFUSE of a boolean: act only for this value */
	const char *why;      /* W_WARN/W_REFUSE: what the operator is told */
} w3s_opt;

#define SAME(n, b) { n, b, W_SAME, NULL, NULL, NULL }
#define WARN(n, b, only, why) { n, b, W_WARN, NULL, only, why }
#define REFUSE(n, b, only, why) { n, b, W_REFUSE, NULL, only, why }

static const char VAULTS[] =
	"cloud secret stores are not supported: keys enter the signer as keystores, key files "
	"or Keymanager imports and are sealed in its data directory (docs/keys.md)";
static const char PUSH[] =
	"push metrics are not supported: scrape /metrics with --metrics-enabled instead";
static const char THREADS[] =
	"thread pools are sized with --http-threads and --signing-threads";
static const char LOADING[] =
	"keys are decrypted in parallel on every core, and restart from the sealed store";
static const char POOL[] = "each signer holds one connection to the slashing database";

/* Every option of reference/web3signer.md §3.6, §3.8, §4.1-4.3, §5 and §1.9. */
static const w3s_opt table[] = {
	/* global options (§5.1) */
	SAME("config-file", false),
	SAME("key-config-path", false),
	{ "key-store-path", false, W_SAME, "key-config-path", NULL, NULL },
	SAME("http-listen-host", false),
	SAME("http-listen-port", false),
	SAME("http-host-allowlist", false),
	SAME("http-cors-origins", false),
	SAME("idle-connection-timeout-seconds", false),
	SAME("access-logs-enabled", true),
	WARN("vertx-worker-pool-size", false, NULL, THREADS),
	WARN("Xworker-pool-size", false, NULL, THREADS),
	SAME("metrics-enabled", true),
	SAME("metrics-host", false),
	SAME("metrics-port", false),
	SAME("metrics-host-allowlist", false),
	WARN("metrics-category", false, NULL, "every metric category is exported"),
	REFUSE("metrics-push-enabled", true, "true", PUSH),
	REFUSE("metrics-push-*", false, NULL, PUSH),
	{ "logging", false, W_LOGGING, NULL, NULL, NULL },
	{ "logging-format", false, W_LOGFMT, NULL, NULL, NULL },
	SAME("data-path", false),
	WARN("key-store-config-file-max-size", false, NULL,
	     "key files are read whole up to a fixed limit of 1 MiB each"),
	WARN("reload-timeout", false, NULL, "a reload runs to its end in the background"),
	WARN("signer-load-parallel", true, "false", LOADING),
	WARN("signer-load-batch-size", false, NULL, LOADING),
	WARN("signer-load-sequential-threshold", false, NULL, LOADING),
	WARN("signer-load-timeout", false, NULL, LOADING),
	SAME("tls-keystore-file", false),
	SAME("tls-keystore-password-file", false),
	SAME("tls-allow-any-client", true),
	SAME("tls-known-clients-file", false),
	REFUSE("tls-allow-ca-clients", true, "true",
	       "name the CA that signs client certificates with --tls-ca-clients-file=<PEM>"),
	REFUSE("swagger-ui-enabled", true, "true", "the Swagger UI is not served"),
	/* eth2 options (§5.2, §3.8, §4.2) */
	SAME("network", false),
	REFUSE("Xnetwork-*", false, NULL,
	       "fork epochs come from the network: pass a config.yaml with --network"),
	SAME("slashing-protection-enabled", true),
	SAME("slashing-protection-db-url", false),
	SAME("slashing-protection-db-username", false),
	SAME("slashing-protection-db-password", false),
	WARN("slashing-protection-db-pool-configuration-file", false, NULL, POOL),
	WARN("Xslashing-protection-db-connection-pool-enabled", true, NULL, POOL),
	SAME("slashing-protection-db-health-check-timeout-milliseconds", false),
	SAME("slashing-protection-db-health-check-interval-milliseconds", false),
	SAME("slashing-protection-pruning-enabled", true),
	SAME("slashing-protection-pruning-epochs-to-keep", false),
	SAME("slashing-protection-pruning-slots-per-epoch", false),
	SAME("slashing-protection-pruning-interval", false),
	SAME("slashing-protection-pruning-at-boot-enabled", true),
	WARN("slashing-protection-pruning-db-pool-configuration-file", false, NULL, POOL),
	SAME("keystores-path", false),
	SAME("keystores-passwords-path", false),
	SAME("keystores-password-file", false),
	REFUSE("aws-secrets-enabled", true, "true", VAULTS),
	REFUSE("aws-*", false, NULL, VAULTS),
	REFUSE("azure-vault-enabled", true, "true", VAULTS),
	REFUSE("azure-*", false, NULL, VAULTS),
	REFUSE("gcp-secrets-enabled", true, "true", VAULTS),
	REFUSE("gcp-*", false, NULL, VAULTS),
	SAME("key-manager-api-enabled", true),
	{ "enable-key-manager-api", true, W_SAME, "key-manager-api-enabled", NULL, NULL },
	WARN("Xkey-manager-skip-keystore-storage", true, "true",
	     "imported keys are always sealed in the data directory"),
	REFUSE("commit-boost-api-enabled", true, "true",
	       "Secure-Signer serves the Commit-Boost API on its own port: secure-signer run "
	       "--commit-boost-api-enabled (v0.2.0) or with --commit-boost-legacy-api-enabled "
	       "(Web3Signer's dialect); docs/commit-boost.md"),
	REFUSE("proxy-keystores-path", false, NULL,
	       "Commit-Boost proxy keys are generated and sealed inside the signer; proxy "
	       "keystores are not imported (docs/commit-boost.md)"),
	REFUSE("proxy-keystores-password-file", false, NULL,
	       "Commit-Boost proxy keys are generated and sealed inside the signer; proxy "
	       "keystores are not imported (docs/commit-boost.md)"),
	SAME("Xsigning-ext-enabled", true),
	/* export, import, watermark-repair (§3.6, §3.9) */
	{ "to", false, W_SUB, NULL, NULL, NULL },
	{ "from", false, W_SUB, NULL, NULL, NULL },
	{ "epoch", false, W_SUB, NULL, NULL, NULL },
	{ "slot", false, W_SUB, NULL, NULL, NULL },
	{ "set-high-watermark", true, W_SUB, NULL, NULL, NULL },
	{ "remove-high-watermark", true, W_SUB, NULL, NULL, NULL },
	REFUSE("validator-ids", false, NULL, "Web3Signer removed it in 23.9.1"),
};
#define N_TABLE (sizeof table / sizeof table[0])

/* What a translation collects besides the environment it sets. */
typedef struct {
	bool warned[N_TABLE];
	const char *sub;     /* export, import, watermark-repair or NULL (run) */
	char *to, *from, *epoch, *slot;
	bool set_high, remove_high;
	bool db_url_seen, slashing_disabled;
} w3s_state;

/* The table entry of name (case-insensitive when from the environment). */
static const w3s_opt *lookup(const char *name, size_t len, bool any_case)
{
	for (size_t i = 0; i < N_TABLE; i++) {
		const char *t = table[i].name;
		size_t tl = strlen(t);
		if (t[tl - 1] == '*') {
			if (len > tl - 1 && (any_case ? strncasecmp(t, name, tl - 1)
						      : strncmp(t, name, tl - 1)) == 0)
				return &table[i];
		} else if (tl == len && (any_case ? strncasecmp(t, name, len)
						  : strncmp(t, name, len)) == 0) {
			return &table[i];
		}
	}
	return NULL;
}

/* Sets SECURE_SIGNER_<OURS> = value, the variable run_config_load reads. */
static bool set_ours(const char *ours, const char *value)
{
	char env[160];
	run_config_env_name(env, sizeof env, ours);
	if (setenv(env, value, 1) != 0) {
		fprintf(stderr, PROG ": cannot set %s: %s\n", env, strerror(errno));
		return false;
	}
	return true;
}

static char *dup_or_die(char **slot, const char *v)
{
	free(*slot);
	*slot = strdup(v);
	return *slot;
}

/* Applies one option's value from source ("command line", "WEB3SIGNER_X", a file);
 * given is the option's name as written there. Returns false after a message when the
 * value is invalid or the option refused. */
static bool apply(w3s_state *st, const w3s_opt *o, const char *given, const char *value,
		  const char *source)
{
	if (o->boolean) {
		if (strcasecmp(value, "true") == 0)
			value = "true";
		else if (strcasecmp(value, "false") == 0)
			value = "false";
		else {
			fprintf(stderr, PROG ": --%s takes true or false, not '%s' (%s)\n", o->name,
				value, source);
			return false;
		}
	}
	bool acts = !o->only_if || strcmp(o->only_if, value) == 0;
	switch (o->action) {
	case W_SAME: {
		const char *ours = o->ours ? o->ours : o->name;
		if (strcmp(ours, "slashing-protection-db-url") == 0)
			st->db_url_seen = true;
		if (strcmp(ours, "slashing-protection-enabled") == 0)
			st->slashing_disabled = strcmp(value, "false") == 0;
		return set_ours(ours, value);
	}
	case W_WARN:
		if (acts && !st->warned[o - table]) {
			fprintf(stderr, PROG ": warning: --%s is accepted but ignored: %s\n", o->name,
				o->why);
			st->warned[o - table] = true;
		}
		return true;
	case W_REFUSE:
		if (!acts)
			return true;
		fprintf(stderr, PROG ": --%s (%s) is not supported by Secure-Signer: %s\n", given,
			source, o->why);
		return false;
	case W_LOGGING: {
		log_level lv; /* run takes Web3Signer's level names (util/log.h) */
		if (!log_parse_level(value, &lv)) {
			fprintf(stderr, PROG ": --logging: unknown level '%s' (%s): OFF, FATAL, ERROR, "
					"WARN, INFO, DEBUG, TRACE or ALL\n", value, source);
			return false;
		}
		return set_ours("logging", value);
	}
	case W_LOGFMT:
		/* Web3Signer's PLAIN, or one of its JSON layouts (ECS, GCP, LOGSTASH, GELF),
		 * which become our JSON lines (fields ts, level, msg; docs/operations.md) */
		if (strcasecmp(value, "PLAIN") == 0)
			return set_ours("logging-format", "plain");
		if (strcasecmp(value, "ECS") != 0 && strcasecmp(value, "GCP") != 0 &&
		    strcasecmp(value, "LOGSTASH") != 0 && strcasecmp(value, "GELF") != 0) {
			fprintf(stderr, PROG ": --logging-format: unknown format '%s' (%s): PLAIN, ECS, "
					"GCP, LOGSTASH or GELF\n", value, source);
			return false;
		}
		if (!st->warned[o - table]) {
			fprintf(stderr, PROG ": warning: --logging-format=%s: logs are JSON lines with "
					"the fields ts, level and msg, not %s's field names\n", value,
				value);
			st->warned[o - table] = true;
		}
		return set_ours("logging-format", "json");
	case W_SUB:
		if (!st->sub) {
			fprintf(stderr, PROG ": --%s belongs after export, import or watermark-repair\n",
				o->name);
			return false;
		}
		if (strcmp(o->name, "to") == 0)
			return dup_or_die(&st->to, value) != NULL;
		if (strcmp(o->name, "from") == 0)
			return dup_or_die(&st->from, value) != NULL;
		if (strcmp(o->name, "epoch") == 0)
			return dup_or_die(&st->epoch, value) != NULL;
		if (strcmp(o->name, "slot") == 0)
			return dup_or_die(&st->slot, value) != NULL;
		if (strcmp(o->name, "set-high-watermark") == 0)
			st->set_high = strcmp(value, "true") == 0;
		else
			st->remove_high = strcmp(value, "true") == 0;
		return true;
	}
	return false;
}

/* ---- the three sources ----------------------------------------------------------- */

/* Web3Signer's --config-file (cli/yaml_flat.h): eth2. before eth2 options. Unknown keys
 * are refused, as Web3Signer refuses them. */
static bool config_entry(const char *key, const char *value, bool is_list, void *ctx)
{
	(void)is_list;
	const char *k = strncmp(key, "eth2.", 5) == 0 ? key + 5 : key;
	const w3s_opt *o = lookup(k, strlen(k), false);
	if (!o || strcmp(o->name, "config-file") == 0) {
		fprintf(stderr, PROG ": config file: unknown option '%s'\n", key);
		return false;
	}
	return apply(ctx, o, k, value, "config file");
}

static bool read_config_file(w3s_state *st, const char *path)
{
	return cli_yaml_flat_read(path, PROG, config_entry, st);
}

/* WEB3SIGNER_<OPT> and WEB3SIGNER_ETH2_<OPT>. Web3Signer reads only the variables of
 * options it has, so an unknown one is not an error; but it is named, never silent. */
static bool read_environment(w3s_state *st)
{
	/* copied first: setting variables may move environ */
	size_t n = 0;
	for (char **e = environ; *e; e++)
		n += strncmp(*e, "WEB3SIGNER_", 11) == 0;
	char **vars = calloc(n + 1, sizeof *vars);
	size_t *lens = calloc(n + 1, sizeof *lens);
	if (!vars || !lens) {
		free(vars);
		free(lens);
		return false;
	}
	size_t k = 0;
	for (char **e = environ; *e && k < n; e++)
		if (strncmp(*e, "WEB3SIGNER_", 11) == 0) {
			lens[k] = strlen(*e);
			if (!(vars[k++] = strdup(*e)))
				break;
		}
	bool ok = true;
	for (size_t i = 0; i < k && ok; i++) {
		if (!vars[i]) {
			ok = false;
			break;
		}
		char *eq = strchr(vars[i], '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *name = vars[i] + 11;
		if (strncmp(name, "ETH2_", 5) == 0)
			name += 5;
		char opt[160];
		size_t m = 0;
		for (const char *p = name; *p && m + 1 < sizeof opt; p++)
			opt[m++] = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
		opt[m] = '\0';
		if (strcmp(opt, "config-file") == 0)
			continue; /* read before the environment, as the file is */
		const w3s_opt *o = lookup(opt, m, true);
		if (!o || o->action == W_SUB)
			fprintf(stderr, PROG ": warning: %s is not a Web3Signer option: ignored\n",
				vars[i]);
		else
			ok = apply(st, o, opt, eq + 1, vars[i]);
	}
	for (size_t i = 0; i < k; i++)
		if (vars[i]) { /* a value may be a password */
			secure_zero(vars[i], lens[i]);
			free(vars[i]);
		}
	free(vars);
	free(lens);
	return ok;
}

/* The command line's options, between the subcommand words. */
static bool read_command_line(w3s_state *st, int argc, char **argv)
{
	bool seen_eth2 = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-') {
			if (!seen_eth2 && strcmp(a, "eth2") == 0) {
				seen_eth2 = true;
			} else if (seen_eth2 && !st->sub &&
				   (strcmp(a, "export") == 0 || strcmp(a, "import") == 0 ||
				    strcmp(a, "watermark-repair") == 0)) {
				st->sub = a;
			} else {
				fprintf(stderr, PROG ": unexpected argument '%s' (Web3Signer's form is: "
						"[options] eth2 [options] [export|import|watermark-repair "
						"[options]])\n", a);
				return false;
			}
			continue;
		}
		const char *name, *value = NULL;
		size_t len;
		if (a[1] == 'l' && (a[2] == '\0' || a[2] == '=' || isalpha((unsigned char)a[2]))) {
			name = "logging"; /* -l INFO, -l=INFO, -lINFO */
			len = 7;
			if (a[2])
				value = a[2] == '=' ? a + 3 : a + 2;
		} else if (a[1] == '-') {
			name = a + 2;
			const char *eq = strchr(name, '=');
			len = eq ? (size_t)(eq - name) : strlen(name);
			if (eq)
				value = eq + 1;
		} else {
			fprintf(stderr, PROG ": unknown option '%s'\n", a);
			return false;
		}
		const w3s_opt *o = lookup(name, len, false);
		if (!o) {
			fprintf(stderr, PROG ": unknown option '%.*s': not a Web3Signer option "
					"(secure-signer eth2 --help lists them)\n", (int)len + 2, a);
			return false;
		}
		if (!value) {
			if (o->boolean) /* --opt, or --opt true|false */
				value = i + 1 < argc && (strcasecmp(argv[i + 1], "true") == 0 ||
							 strcasecmp(argv[i + 1], "false") == 0)
						? argv[++i]
						: "true";
			else if (i + 1 < argc)
				value = argv[++i];
			else {
				fprintf(stderr, PROG ": --%s needs a value\n", o->name);
				return false;
			}
		}
		if (strcmp(o->name, "config-file") == 0)
			continue; /* read first */
		char given[160];
		snprintf(given, sizeof given, "%.*s", (int)len, name);
		if (!apply(st, o, given, value, "command line"))
			return false;
	}
	if (!seen_eth2) {
		fprintf(stderr, PROG ": no 'eth2' subcommand: Secure-Signer serves Web3Signer's "
				"eth2 mode only\n");
		return false;
	}
	return true;
}

/* --config-file from the command line, else WEB3SIGNER_CONFIG_FILE. */
static const char *config_file_of(int argc, char **argv)
{
	const char *path = getenv("WEB3SIGNER_CONFIG_FILE");
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--config-file=", 14) == 0)
			path = argv[i] + 14;
		else if (strcmp(argv[i], "--config-file") == 0 && i + 1 < argc)
			path = argv[++i];
	}
	return path;
}

static void help(void)
{
	printf("Usage: secure-signer [options] eth2 [options] [export --to=FILE | import "
	       "--from=FILE |\n       watermark-repair --epoch=E --slot=S "
	       "[--set-high-watermark] | --remove-high-watermark]\n\n"
	       "Web3Signer's command line, WEB3SIGNER_* variables and --config-file, as "
	       "Web3Signer\ntakes them. Each option Web3Signer documents, and what Secure-Signer "
	       "does with it:\n\n");
	for (size_t i = 0; i < N_TABLE; i++) {
		const w3s_opt *o = &table[i];
		const char *what = "";
		switch (o->action) {
		case W_SAME:
			what = o->ours ? o->ours : "supported";
			break;
		case W_LOGGING:
		case W_LOGFMT:
		case W_SUB:
			what = "supported";
			break;
		case W_WARN:
			what = "accepted, ignored: ";
			break;
		case W_REFUSE:
			what = "refused: ";
			break;
		}
		printf("  --%-55s %s%s%s\n", o->name,
		       o->action == W_SAME && o->ours ? "as --" : "", what,
		       o->why ? o->why : "");
	}
	printf("\nSecure-Signer's own options (secure-signer run --help) are not taken here.\n");
}

bool w3s_is_command_line(int argc, char **argv)
{
	if (argc < 2)
		return false;
	if (strcmp(argv[1], "eth2") == 0)
		return true;
	/* options before any subcommand: Web3Signer's global options */
	return argv[1][0] == '-' && strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--help") != 0 &&
	       strcmp(argv[1], "--version") != 0;
}

int w3s_main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help();
			return 0;
		}
	w3s_state st;
	memset(&st, 0, sizeof st);
	const char *cfg = config_file_of(argc, argv);
	int rc = 2;
	if ((cfg && !read_config_file(&st, cfg)) || !read_environment(&st) ||
	    !read_command_line(&st, argc, argv))
		goto out;
	if (!st.db_url_seen && !st.slashing_disabled && !st.sub)
		fprintf(stderr, PROG ": warning: no --slashing-protection-db-url: slashing "
				"protection uses the embedded SQLite store in the data directory "
				"(--data-dir, SECURE_SIGNER_DATA_DIR, default ./secure-signer-data)\n");
	char *sub_argv[8] = { 0 };
	int n = 0;
	if (!st.sub) {
		sub_argv[n++] = "run";
		rc = cli_cmd_run(n, sub_argv);
	} else if (strcmp(st.sub, "export") == 0 || strcmp(st.sub, "import") == 0) {
		bool exp = st.sub[0] == 'e';
		const char *file = exp ? st.to : st.from;
		if (!file) {
			fprintf(stderr, PROG ": eth2 %s needs --%s=FILE\n", st.sub, exp ? "to" : "from");
			goto out;
		}
		sub_argv[n++] = "slashing";
		sub_argv[n++] = exp ? "export" : "import";
		sub_argv[n++] = exp ? "--to" : "--from";
		sub_argv[n++] = (char *)file;
		rc = cli_cmd_slashing(n, sub_argv);
	} else { /* watermark-repair (§3.6) */
		sub_argv[n++] = "slashing";
		sub_argv[n++] = "watermark";
		if (st.remove_high) {
			sub_argv[n++] = "clear"; /* all other options are ignored, as Web3Signer does */
		} else if (!st.epoch || !st.slot) {
			fprintf(stderr, PROG ": eth2 watermark-repair needs --epoch and --slot (or "
					"--remove-high-watermark)\n");
			goto out;
		} else {
			sub_argv[n++] = st.set_high ? "set" : "repair";
			sub_argv[n++] = "--epoch";
			sub_argv[n++] = st.epoch;
			sub_argv[n++] = "--slot";
			sub_argv[n++] = st.slot;
		}
		rc = cli_cmd_slashing(n, sub_argv);
	}
out:
	free(st.to);
	free(st.from);
	free(st.epoch);
	free(st.slot);
	return rc;
}
