/* The options and stores every subcommand shares: see common_options.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/token.h"
#include "cli/common_options.h"
#include "cli/slashing_db_url.h"
#include "util/dec.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure_mem.h"

/* The shared options' names, indexed by CLI_OPT_* - CLI_COMMON_OPT. */
static const char *const common_names[CLI_COMMON_N] = {
	"data-dir",
	"network",
	"genesis-validators-root",
	"genesis-time",
	"slashing-protection-db-url",
	"slashing-protection-db-username",
	"slashing-protection-db-password-file",
	"config-file",
};

const char CLI_COMMON_HELP[] =
	"Options shared with `secure-signer run` (each also read from its SECURE_SIGNER_*\n"
	"environment variable and from --config-file, exactly as `run` reads them):\n"
	"  --data-dir DIR                  data directory (default " DATADIR_DEFAULT ";\n"
	"                                  env SECURE_SIGNER_DATA_DIR)\n"
	"  --network NAME|PATH             mainnet (default), sepolia, holesky, hoodi, gnosis,\n"
	"                                  minimal, or a config.yaml (env SECURE_SIGNER_NETWORK)\n"
	"  --genesis-validators-root ROOT  the root of a config.yaml network\n"
	"  --genesis-time SECONDS          the genesis time of a config.yaml network\n"
	"  --slashing-protection-db-url URL  the PostgreSQL slashing database instead of\n"
	"                                  <data-dir>/slashing.sqlite\n"
	"  --slashing-protection-db-username NAME, --slashing-protection-db-password-file FILE\n"
	"  --config-file FILE              YAML file of option: value lines\n";

_Static_assert(CLI_OPT_CONFIG_FILE - CLI_COMMON_OPT + 1 == CLI_COMMON_N, "one name per option");

bool cli_common_take(cli_common_args *a, int val, const char *value)
{
	if (val < CLI_COMMON_OPT || val >= CLI_COMMON_OPT + CLI_COMMON_N)
		return false;
	if (a->argc == 0)
		a->argv[a->argc++] = NULL; /* argv[0], set by cli_common_resolve */
	/* Never drop one: a lost --data-dir would silently mean another directory. */
	if (a->argc >= (int)(sizeof a->argv / sizeof a->argv[0])) {
		a->failed = true;
		return true;
	}
	const char *name = common_names[val - CLI_COMMON_OPT];
	size_t n = strlen(name) + strlen(value) + 4;
	char *arg = malloc(n);
	if (arg == NULL) {
		a->failed = true;
		return true;
	}
	snprintf(arg, n, "--%s=%s", name, value);
	a->argv[a->argc++] = arg;
	return true;
}

/* --logging / --log-level (which == 0) or --logging-format (1): applied at once. */
static bool apply_logging(const char *prog, int which, const char *v)
{
	if (which == 0) {
		log_level lv;
		if (!log_parse_level(v, &lv)) {
			fprintf(stderr, "%s: --logging must be OFF, FATAL, ERROR, WARN, INFO, DEBUG, "
					"TRACE or ALL\n", prog);
			return false;
		}
		log_set_level(lv);
		return true;
	}
	log_format f;
	if (!log_parse_format(v, &f)) {
		fprintf(stderr, "%s: --logging-format must be plain or json\n", prog);
		return false;
	}
	log_set_format(f);
	return true;
}

int cli_opts_parse(const char *prog, const cli_opt *table, size_t n, int argc, char **argv,
		   bool (*on)(void *ctx, int id, const char *value), void *ctx,
		   cli_common_args *common, const char **pos, int max_pos, int *n_pos, bool *help)
{
	*n_pos = 0;
	*help = false;
	bool options_done = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
			if (*n_pos >= max_pos) {
				fprintf(stderr, "%s: unexpected argument '%s'\n", prog, a);
				return 2;
			}
			pos[(*n_pos)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			options_done = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*help = true;
			return 0;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const cli_opt *o = NULL;
		int shared = -1;
		for (size_t k = 0; a[1] == '-' && k < n && !o; k++)
			if (strlen(table[k].name) == len && strncmp(table[k].name, name, len) == 0)
				o = &table[k];
		for (int k = 0; a[1] == '-' && !o && common && k < CLI_COMMON_N && shared < 0; k++)
			if (strlen(common_names[k]) == len && strncmp(common_names[k], name, len) == 0)
				shared = k;
		/* --logging (Web3Signer's level names; --log-level is its other spelling) and
		 * --logging-format, as `run` takes them, on every command (issue 15 §4) */
		int logging = -1;
		if (a[1] == '-' && !o && shared < 0)
			logging = (len == 7 && strncmp(name, "logging", 7) == 0) ||
						  (len == 9 && strncmp(name, "log-level", 9) == 0)
					  ? 0
				  : len == 14 && strncmp(name, "logging-format", 14) == 0 ? 1
											 : -1;
		if (!o && shared < 0 && logging < 0) {
			fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, a);
			return 2;
		}
		bool takes = o ? o->takes_value : true;
		const char *v = NULL;
		if (takes) {
			if (eq) {
				v = eq + 1;
			} else if (i + 1 < argc) {
				v = argv[++i];
			} else {
				fprintf(stderr, "%s: %s needs a value\n", prog, a);
				return 2;
			}
		} else if (eq) {
			fprintf(stderr, "%s: --%s takes no value\n", prog, o->name);
			return 2;
		}
		if (logging >= 0) {
			if (!apply_logging(prog, logging, v))
				return 2;
		} else if (shared >= 0)
			cli_common_take(common, CLI_COMMON_OPT + shared, v);
		else if (!on(ctx, o->id, v))
			return 2;
	}
	return -1;
}

void cli_opts_help(FILE *out, const cli_opt *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char lhs[64];
		snprintf(lhs, sizeof lhs, "--%s%s%s", table[i].name, table[i].arg ? " " : "",
			 table[i].arg ? table[i].arg : "");
		fprintf(out, "  %-30s %s\n", lhs, table[i].help);
	}
	fprintf(out, "  %-30s %s\n", "--logging LEVEL",
		"OFF, FATAL, ERROR, WARN, INFO (default), DEBUG, TRACE or ALL (also --log-level)");
	fprintf(out, "  %-30s %s\n", "--logging-format FORMAT", "plain (default) or json");
}

void cli_common_args_free(cli_common_args *a)
{
	for (int i = 1; i < a->argc; i++) {
		secure_zero(a->argv[i], strlen(a->argv[i]));
		free(a->argv[i]);
	}
	a->argc = 0;
	a->failed = false;
}

int cli_common_resolve(run_config *cfg, const char *prog, cli_common_args *a)
{
	if (a->argc == 0)
		a->argv[a->argc++] = NULL;
	a->argv[0] = (char *)prog;
	if (a->failed) {
		memset(cfg, 0, sizeof *cfg);
		cli_common_args_free(a);
		fprintf(stderr, "%s: too many options, or out of memory\n", prog);
		return 2;
	}
	/* run_config_load reads argv[1..] and the same environment and file as `run` */
	int rc = run_config_load(cfg, a->argc, a->argv);
	cli_common_args_free(a);
	return rc;
}

void cli_network_close(cli_network *n)
{
	eth2_network_free(n->owned);
	memset(n, 0, sizeof *n);
}

int cli_network_open(const run_config *c, const char *prog, cli_network *out)
{
	memset(out, 0, sizeof *out);
	out->net = eth2_network_builtin(c->network);
	if (out->net == NULL) {
		char err[256] = "";
		if (eth2_network_load(c->network, &out->owned, err, sizeof err) != SS_OK) {
			fprintf(stderr, "%s: --network %s: not a known network (mainnet, sepolia, "
					"holesky, hoodi, gnosis, minimal), and loading it as a "
					"config.yaml failed: %s\n", prog, c->network, err);
			return 1;
		}
		out->net = out->owned;
	}
	out->has_gvr = eth2_network_genesis_validators_root(out->net, out->gvr);
	out->has_genesis_time = eth2_network_genesis_time(out->net, &out->genesis_time);
	/* A built-in public network's values are facts: an option may repeat them, but a
	 * different one would describe another chain. */
	bool exact_time = out->has_genesis_time && out->owned == NULL;
	if (c->genesis_validators_root) {
		uint8_t r[ETH2_ROOT_BYTES];
		const char *v = c->genesis_validators_root;
		if (hex_decode(r, sizeof r, v, strlen(v), HEX_PREFIX_OPTIONAL) != SS_OK) {
			fprintf(stderr, "%s: --genesis-validators-root '%s' is not 32 bytes of hex "
					"(0x + 64 digits)\n", prog, v);
			goto fail;
		}
		if (out->has_gvr && memcmp(r, out->gvr, sizeof r) != 0) {
			char known[2 * ETH2_ROOT_BYTES + 3];
			hex_encode(known, out->gvr, sizeof out->gvr, true);
			fprintf(stderr, "%s: --genesis-validators-root %s differs from %s's %s\n",
				prog, v, eth2_network_name(out->net), known);
			goto fail;
		}
		memcpy(out->gvr, r, sizeof r);
		out->has_gvr = true;
	}
	if (c->genesis_time) {
		uint64_t t;
		const char *v = c->genesis_time;
		if (dec_parse_u64(v, strlen(v), &t) != SS_OK) {
			fprintf(stderr, "%s: --genesis-time '%s' is not a Unix time in seconds\n",
				prog, v);
			goto fail;
		}
		if (exact_time && t != out->genesis_time) {
			fprintf(stderr, "%s: --genesis-time %s differs from %s's %llu\n", prog, v,
				eth2_network_name(out->net), (unsigned long long)out->genesis_time);
			goto fail;
		}
		out->genesis_time = t;
		out->has_genesis_time = true;
	}
	return 0;
fail:
	cli_network_close(out);
	return 1;
}

int cli_datadir_open_readonly(const char *dir, const char *prog, datadir *dd)
{
	ss_err e = datadir_open_readonly(dd, dir);
	if (e != SS_OK) {
		fprintf(stderr, "%s: cannot use the data directory %s: %s\n", prog, dir,
			e == SS_ERR_NOT_FOUND ? "it does not exist" : ss_strerror(e));
		return 1;
	}
	return 0;
}

int cli_datadir_open(const char *dir, const char *prog, datadir *dd)
{
	ss_err e = datadir_open(dd, dir);
	if (e == SS_ERR_EXISTS) {
		fprintf(stderr, "%s: the data directory %s is in use by a running signer (or another "
				"secure-signer command); stop it first, nothing was changed\n", prog, dir);
		return 1;
	}
	if (e != SS_OK) {
		fprintf(stderr, "%s: cannot use the data directory %s: %s\n", prog, dir,
			ss_strerror(e));
		return 1;
	}
	return 0;
}

char *cli_read_first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	setvbuf(f, NULL, _IONBF, 0); /* no copy of the secret left in a stdio buffer */
	char buf[API_TOKEN_MAX + 2];
	char *r = fgets(buf, sizeof buf, f);
	bool whole = r && (strchr(buf, '\n') || feof(f));
	fclose(f);
	if (!whole) {
		secure_zero(buf, sizeof buf);
		return NULL;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	char *line = buf[0] ? strdup(buf) : NULL;
	secure_zero(buf, sizeof buf);
	return line;
}

/* The shared PostgreSQL store of --slashing-protection-db-url: several signers (each
 * with its own data directory and keys) may use one database, and a validator's checks
 * are serialised across all of them (docs/slashing-protection.md). The connection string
 * holds the password, so it is wiped and never logged. */
static int open_postgres(const run_config *c, const char *prog, const slash_options *opts,
			 slash_db **db)
{
	if (c->slashing_protection_db_password && c->slashing_protection_db_password_file) {
		fprintf(stderr, "%s: --slashing-protection-db-password and "
				"--slashing-protection-db-password-file are mutually exclusive\n", prog);
		return 1;
	}
	char *password = NULL;
	if (c->slashing_protection_db_password_file) {
		password = cli_read_first_line(c->slashing_protection_db_password_file);
		if (!password) {
			fprintf(stderr, "%s: cannot read a password (its first line, at most 256 "
					"bytes) from %s\n", prog, c->slashing_protection_db_password_file);
			return 1;
		}
	}
	char *conninfo = slashing_db_conninfo(
		c->slashing_protection_db_url, c->slashing_protection_db_username,
		password ? password : c->slashing_protection_db_password);
	if (password) {
		secure_zero(password, strlen(password));
		free(password);
	}
	if (!conninfo) {
		fprintf(stderr, "%s: --slashing-protection-db-url: expected a PostgreSQL URL "
				"(jdbc:postgresql://host/db, postgresql://host/db) or libpq "
				"key=value pairs\n", prog);
		return 1;
	}
	ss_err e = slash_open_postgres(db, conninfo, opts);
	secure_zero(conninfo, strlen(conninfo));
	free(conninfo);
	if (e != SS_OK) {
		fprintf(stderr, "%s: cannot open the PostgreSQL slashing protection database (%s)\n",
			prog, ss_strerror(e));
		return 1;
	}
	return 0;
}

/* Binds the store to the network's root at creation, so that it never holds another
 * chain's history (the first request used to pin it, Web3Signer §3.3, whatever chain
 * that request came from). */
static int bind_network(const char *prog, const cli_network *n, slash_db *db, const char *where)
{
	if (!n->has_gvr)
		return 0;
	ss_err e = slash_pin_gvr(db, n->gvr);
	if (e == SS_OK)
		return 0;
	char want[2 * ETH2_ROOT_BYTES + 3], have[2 * ETH2_ROOT_BYTES + 3] = "?";
	hex_encode(want, n->gvr, ETH2_ROOT_BYTES, true);
	uint8_t got[ETH2_ROOT_BYTES];
	bool pinned = false;
	if (e == SS_ERR_REFUSED && slash_get_gvr(db, got, &pinned) == SS_OK && pinned) {
		hex_encode(have, got, ETH2_ROOT_BYTES, true);
		fprintf(stderr, "%s: the slashing protection database %s is bound to genesis "
				"validators root %s, not to %s of the configured network %s: it holds "
				"another chain's history; check --network and --data-dir\n",
			prog, where, have, want, eth2_network_name(n->net));
	} else {
		fprintf(stderr, "%s: cannot bind the slashing protection database %s to the "
				"network's genesis validators root: %s\n", prog, where, ss_strerror(e));
	}
	return 1;
}

int cli_slashing_open(const run_config *c, const char *prog, const datadir *dd,
		      const cli_network *n, const slash_options *opts, slash_db **db)
{
	*db = NULL;
	char path[4200];
	const char *where;
	if (c->slashing_protection_db_url) {
		if (open_postgres(c, prog, opts, db) != 0)
			return 1;
		where = "(PostgreSQL)";
	} else {
		ss_err e = datadir_file(dd, "slashing.sqlite", path, sizeof path);
		if (e == SS_OK)
			e = slash_open_sqlite(db, path, opts);
		if (e != SS_OK) {
			fprintf(stderr, "%s: cannot open the slashing protection database in %s: %s\n",
				prog, dd->path, ss_strerror(e));
			return 1;
		}
		where = path;
	}
	if (bind_network(prog, n, *db, where) != 0) {
		slash_close(*db);
		*db = NULL;
		return 1;
	}
	return 0;
}

int cli_slashing_open_readonly(const run_config *c, const char *prog, const datadir *dd,
			       const cli_network *n, slash_db **db)
{
	*db = NULL;
	char path[4200];
	const char *where;
	if (c->slashing_protection_db_url) {
		slash_options opts;
		slash_options_default(&opts);
		opts.writer_thread = false;
		if (open_postgres(c, prog, &opts, db) != 0)
			return 1;
		where = "(PostgreSQL)";
	} else {
		ss_err e = datadir_file(dd, "slashing.sqlite", path, sizeof path);
		if (e == SS_OK)
			e = slash_open_sqlite_readonly(db, path);
		if (e != SS_OK) {
			fprintf(stderr, "%s: cannot open the slashing protection database in %s read-only: %s\n",
				prog, dd->path, ss_strerror(e));
			return 1;
		}
		where = path;
	}
	/* compared, not pinned: a reader writes nothing, and a store not pinned yet has no
	 * history of any chain */
	uint8_t got[ETH2_ROOT_BYTES];
	bool pinned = false;
	if (n->has_gvr && (slash_get_gvr(*db, got, &pinned) != SS_OK ||
			   (pinned && memcmp(got, n->gvr, ETH2_ROOT_BYTES) != 0))) {
		char want[2 * ETH2_ROOT_BYTES + 3], have[2 * ETH2_ROOT_BYTES + 3] = "?";
		hex_encode(want, n->gvr, ETH2_ROOT_BYTES, true);
		if (pinned)
			hex_encode(have, got, ETH2_ROOT_BYTES, true);
		fprintf(stderr, "%s: the slashing protection database %s is bound to genesis "
				"validators root %s, not to %s of the configured network %s: it holds "
				"another chain's history; check --network and --data-dir\n",
			prog, where, have, want, eth2_network_name(n->net));
		slash_close(*db);
		*db = NULL;
		return 1;
	}
	return 0;
}
