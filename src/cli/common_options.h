/* What every subcommand (run, keys, slashing, signing-root) must agree on: the data
 * directory, the network and its genesis, and the slashing database. They are resolved
 * in one place, by run_config_load's table (command line > SECURE_SIGNER_* environment
 * > --config-file YAML > default), so that an offline command and `run` given the same
 * environment always use the same directory and database (an offline `slashing import`
 * that wrote elsewhere let `run` sign a conflicting attestation). The stores are then
 * opened here too, with the same checks. */
#ifndef SS_CLI_COMMON_OPTIONS_H
#define SS_CLI_COMMON_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/run_config.h"
#include "eth2/eth2.h"
#include "slashing/slashing.h"
#include "util/datadir.h"

/* The shared options' ids: cli_opts_parse records them (and a command may record one
 * under another of its own names) with cli_common_take. */
#define CLI_COMMON_OPT 0x1000
enum {
	CLI_OPT_DATA_DIR = CLI_COMMON_OPT,
	CLI_OPT_NETWORK,
	CLI_OPT_GENESIS_VALIDATORS_ROOT,
	CLI_OPT_GENESIS_TIME,
	CLI_OPT_DB_URL,
	CLI_OPT_DB_USERNAME,
	CLI_OPT_DB_PASSWORD_FILE,
	CLI_OPT_CONFIG_FILE,
};
#define CLI_COMMON_N 8

/* Help text of the shared options, for an offline command's --help. */
extern const char CLI_COMMON_HELP[];

/* The shared options an offline command was given, as "--name=value" strings. */
typedef struct {
	int argc;
	char *argv[1 + 2 * CLI_COMMON_N];
	bool failed; /* out of memory or too many options: resolving fails */
} cli_common_args;

/* Records a shared option (val: a CLI_OPT_* id); false if val is not one. */
bool cli_common_take(cli_common_args *a, int val, const char *value);

/* Resolves cfg (as `run` would) from the recorded options, the environment, the config
 * file and the defaults; frees a. Returns 0, or 2 after a usage error on stderr. */
int cli_common_resolve(run_config *cfg, const char *prog, cli_common_args *a);
/* Frees a without resolving (a usage error, --help). */
void cli_common_args_free(cli_common_args *a);

/* ---- One option parser for the offline commands ----------------------------------- */

/* An option of an offline command (keys, slashing): "--name=value" or "--name value"
 * (takes_value), or a flag "--name". The parser has `run`'s syntax and messages
 * (run_config.c): the shared options (common_options.c's names) go into a
 * cli_common_args and are resolved with `run`'s table, environment and config file. */
typedef struct {
	const char *name; /* without "--" */
	int id;           /* handed to the callback */
	bool takes_value;
	const char *arg;  /* the value's name in --help ("FILE"), NULL for a flag */
	const char *help;
} cli_opt;

/* Parses argv[0..argc) (the words after the subcommand): own options call
 * on(ctx, id, value) (value NULL for a flag; on prints its own message and returns
 * false for a bad value), shared options are recorded in common, other words are
 * positional (at most max_pos, into pos; "--" makes every later word positional).
 * common NULL: the command takes none of the shared options. Every command also takes
 * --logging LEVEL (alias --log-level) and --logging-format FORMAT, applied at once.
 * Returns -1 to go on; 0 after --help / -h (*help set, nothing printed); 2 after a
 * usage error printed as "<prog>: unknown option '--x' (see --help)", "<prog>: --x
 * needs a value", "<prog>: --x takes no value", "<prog>: unexpected argument 'y'". */
int cli_opts_parse(const char *prog, const cli_opt *table, size_t n, int argc, char **argv,
		   bool (*on)(void *ctx, int id, const char *value), void *ctx,
		   cli_common_args *common, const char **pos, int max_pos, int *n_pos, bool *help);

/* The table as --help lines ("  --name VALUE   help"). */
void cli_opts_help(FILE *out, const cli_opt *table, size_t n);

/* The network with its genesis, as signing and the slashing store use it. */
typedef struct {
	const eth2_network *net;
	eth2_network *owned;   /* a loaded config.yaml, freed by cli_network_close */
	bool has_gvr;          /* the network's or --genesis-validators-root */
	uint8_t gvr[ETH2_ROOT_BYTES];
	bool has_genesis_time; /* the network's, --genesis-time, or MIN_GENESIS_TIME */
	uint64_t genesis_time;
} cli_network;

/* --network (a built-in name or a config.yaml path) with --genesis-validators-root and
 * --genesis-time. For a built-in network with a known value, the option may only
 * repeat it (a different one is refused: it names another chain). Returns 0 or 1 after
 * a message on stderr. */
int cli_network_open(const run_config *cfg, const char *prog, cli_network *out);
void cli_network_close(cli_network *n);

/* Opens the slashing store: PostgreSQL when --slashing-protection-db-url is set, else
 * <data-dir>/slashing.sqlite (dd must be locked). When the network's root is known the
 * store is bound to it (an empty store) or must already be: a store bound to another
 * chain is refused with both roots named, and nothing is opened. Returns 0 or 1 after
 * a message on stderr. */
int cli_slashing_open(const run_config *cfg, const char *prog, const datadir *dd,
		      const cli_network *n, const slash_options *opts, slash_db **db);

/* The same store read-only, beside a running signer (`slashing export`, `watermark
 * get`): SQLite through slash_open_sqlite_readonly (dd opened by
 * cli_datadir_open_readonly), PostgreSQL as usual but without a writer thread; the
 * network's root is compared, never pinned. Returns 0 or 1 after a message. */
int cli_slashing_open_readonly(const run_config *cfg, const char *prog, const datadir *dd,
			       const cli_network *n, slash_db **db);

/* Locks the data directory; 0, or 1 after a message naming the process in the way. */
int cli_datadir_open(const char *dir, const char *prog, datadir *dd);

/* The data directory for a reader (util/datadir.h datadir_open_readonly): no lock, so it
 * works while the signer runs; 0, or 1 after a message. */
int cli_datadir_open_readonly(const char *dir, const char *prog, datadir *dd);

/* The first line of a file (a token or a password): NULL when unreadable, empty, or
 * longer than 256 bytes. The caller wipes and frees it. */
char *cli_read_first_line(const char *path);

#endif
