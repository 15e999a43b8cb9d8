/* secure-signer slashing: offline maintenance of the slashing-protection database in the
 * data directory (EIP-3076 interchange import/export, pruning, the high watermark).
 *
 * Every action takes the data directory's lock first (util/datadir.h), so it can never
 * race a running signer: when the signer holds the directory the action refuses with a
 * clear message and changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "slashing/slashing.h"
#include "util/datadir.h"
#include "util/dec.h"
#include "util/file.h"
#include "util/hex_list.h"

#define PROG "secure-signer slashing"
#define MAX_INTERCHANGE_BYTES ((size_t)1 << 30)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " ACTION [OPTIONS]\n\n"
		"Maintain the slashing-protection database (<data-dir>/slashing.sqlite).\n"
		"import, prune and watermark set/clear/repair need the signer stopped (a running\n"
		"signer holds the data directory); export and watermark get read the database\n"
		"read-only and work while it runs.\n\n"
		"Actions:\n"
		"  import     merge an EIP-3076 interchange file into the history\n"
		"  export     write the history as an EIP-3076 interchange file\n"
		"  prune      delete old history, moving the low watermarks up\n"
		"  watermark  get, set or clear the global high watermark\n\n"
		"%s"
		"  --postgres CONNINFO             the same as --slashing-protection-db-url: the\n"
		"                                  PostgreSQL store shared by several signers; safe\n"
		"                                  while they run\n\n"
		"The store is bound to the network's genesis validators root, as `run` binds it.\n"
		"Run '" PROG " ACTION --help' for an action's options.\n", CLI_COMMON_HELP);
}

static const char *help_import =
	"Usage: " PROG " import --from FILE [--data-dir DIR]\n\n"
	"Imports an EIP-3076 interchange (format version 5; FILE may be - for stdin) and merges\n"
	"it into the stored history, never lowering protection. The import is all or nothing:\n"
	"a wrong genesis validators root, slashable data or a malformed entry is reported with\n"
	"its position in the file and changes nothing.\n";
static const char *help_export =
	"Usage: " PROG " export --to FILE [--pubkeys KEY,KEY...] [--data-dir DIR]\n\n"
	"Writes the complete history as an EIP-3076 interchange (format version 5) to FILE\n"
	"(- for stdout): every validator, or only the given 0x-hex public keys. Works while\n"
	"the signer runs (read-only: the last committed state).\n";
static const char *help_prune =
	"Usage: " PROG " prune [--keep-epochs N] [--slots-per-epoch N] [--data-dir DIR]\n\n"
	"Deletes each validator's history older than N epochs (default 256) below its newest\n"
	"record, after moving its low watermarks up so nothing deleted can be signed against.\n"
	"--slots-per-epoch (default: the network's) sizes the block window.\n";
static const char *help_watermark =
	"Usage: " PROG " watermark get [--data-dir DIR]\n"
	"       " PROG " watermark set --epoch E --slot S [--data-dir DIR]\n"
	"       " PROG " watermark clear [--data-dir DIR]\n"
	"       " PROG " watermark repair --epoch E --slot S [--pubkeys KEY,...] [--data-dir DIR]\n\n"
	"get, set, clear: the global high watermark refuses, for every validator, blocks at or\n"
	"above slot S and attestations with source or target at or above epoch E: a kill switch\n"
	"for migrating validators to another signer.\n"
	"repair: raises (never lowers) the low watermarks of every validator in the database, or\n"
	"of the given keys (registered if new), so that blocks below slot S and attestations\n"
	"with source or target below epoch E are refused: for validators that come from a\n"
	"signer whose history could not be exported.\n";

typedef struct {
	const char *from, *to, *pubkeys;
	bool has_epoch, has_slot, has_keep, has_spe, help;
	uint64_t epoch, slot, keep_epochs, slots_per_epoch;
	cli_common_args common; /* data directory, network, database: as `run` has them */
} cli_opts;

static bool parse_u64_arg(const char *name, const char *s, uint64_t *out)
{
	if (dec_parse_u64(s, strlen(s), out) != SS_OK) {
		fprintf(stderr, PROG ": --%s: \"%s\" is not an integer in [0, 2^64-1]\n", name, s);
		return false;
	}
	return true;
}

enum { O_POSTGRES = 1, O_FROM, O_TO, O_PUBKEYS, O_EPOCH, O_SLOT, O_KEEP, O_SPE };

/* The actions' own options, parsed by the offline commands' one parser
 * (cli/common_options.h cli_opts_parse); the shared ones (--data-dir, --network, the
 * database, --config-file) are resolved as `run` resolves them. */
static const cli_opt slashing_table[] = {
	{ "from", O_FROM, true, "FILE", "import: the EIP-3076 interchange (- for stdin)" },
	{ "to", O_TO, true, "FILE", "export: where to write it (- for stdout)" },
	{ "pubkeys", O_PUBKEYS, true, "KEY,...", "export, watermark repair: only these keys" },
	{ "epoch", O_EPOCH, true, "E", "watermark set, repair: the epoch" },
	{ "slot", O_SLOT, true, "S", "watermark set, repair: the slot" },
	{ "keep-epochs", O_KEEP, true, "N", "prune: epochs kept below the newest record" },
	{ "slots-per-epoch", O_SPE, true, "N", "prune: slots per epoch (default: the network's)" },
	{ "postgres", O_POSTGRES, true, "CONNINFO", "the older name of --slashing-protection-db-url" },
};
#define N_SLASHING_OPTS (sizeof slashing_table / sizeof slashing_table[0])

/* One option of slashing_table (cli_opts_parse's callback). */
static bool on_opt(void *ctx, int id, const char *v)
{
	cli_opts *o = ctx;
	switch (id) {
	case O_POSTGRES: /* the older name of --slashing-protection-db-url */
		cli_common_take(&o->common, CLI_OPT_DB_URL, v);
		return true;
	case O_FROM: o->from = v; return true;
	case O_TO: o->to = v; return true;
	case O_PUBKEYS: o->pubkeys = v; return true;
	case O_EPOCH: return (o->has_epoch = parse_u64_arg("epoch", v, &o->epoch));
	case O_SLOT: return (o->has_slot = parse_u64_arg("slot", v, &o->slot));
	case O_KEEP: return (o->has_keep = parse_u64_arg("keep-epochs", v, &o->keep_epochs));
	case O_SPE: return (o->has_spe = parse_u64_arg("slots-per-epoch", v, &o->slots_per_epoch));
	}
	return false;
}

/* Parses the options after the action; false (usage error, message printed) on
 * anything unknown, a bad value or a stray argument. */
static bool parse_opts(int argc, char **argv, cli_opts *o)
{
	memset(o, 0, sizeof *o);
	o->keep_epochs = SLASH_PRUNE_DEFAULT_KEEP_EPOCHS;
	o->slots_per_epoch = SLASH_DEFAULT_SLOTS_PER_EPOCH;
	int npos = 0;
	return cli_opts_parse(PROG, slashing_table, N_SLASHING_OPTS, argc, argv, on_opt, o,
			      &o->common, NULL, 0, &npos, &o->help) != 2;
}

/* Takes the data directory's lock and opens the database in it (no writer thread:
 * this process is the only user). With a PostgreSQL URL, opens the shared store
 * instead: there every transaction takes the store's own lock, so running signers are
 * no obstacle, and no data directory is involved (dd->lock_fd stays -1). Either way the
 * store is bound to the network's root, as `run` binds it. A reader (export, watermark
 * get) takes no lock and opens the store read-only, so it works while the signer runs;
 * the writers still refuse then. */
static int open_store(const run_config *cfg, const cli_network *net, datadir *dd, slash_db **db,
		      bool reader)
{
	slash_options opts;
	slash_options_default(&opts);
	opts.writer_thread = false;
	dd->lock_fd = -1;
	if (reader) {
		if (cfg->slashing_protection_db_url == NULL &&
		    cli_datadir_open_readonly(cfg->data_dir, PROG, dd) != 0)
			return 1;
		return cli_slashing_open_readonly(cfg, PROG, dd, net, db) != 0;
	}
	if (cfg->slashing_protection_db_url == NULL &&
	    cli_datadir_open(cfg->data_dir, PROG, dd) != 0)
		return 1;
	if (cli_slashing_open(cfg, PROG, dd, net, &opts, db) != 0) {
		if (dd->lock_fd >= 0)
			datadir_close(dd);
		return 1;
	}
	return 0;
}

static int do_import(const cli_opts *o, slash_db *db)
{
	size_t len = 0;
	char *text = NULL;
	ss_err rerr = strcmp(o->from, "-") == 0
			     ? file_read_stdin(MAX_INTERCHANGE_BYTES, &text, &len)
			     : file_read_all(o->from, MAX_INTERCHANGE_BYTES, &text, &len);
	if (rerr != SS_OK) {
		fprintf(stderr, PROG " import: cannot read %s: %s\n", o->from,
			rerr == SS_ERR_RANGE     ? "larger than 1 GiB"
			: rerr == SS_ERR_INVALID ? "not a regular file"
						 : ss_strerror(rerr));
		return 1;
	}
	slash_reason why = { "" };
	ss_err err = slash_import_interchange(db, text, len, NULL, 0, &why);
	free(text);
	if (err != SS_OK) {
		fprintf(stderr, PROG " import: %s: %s (%s); nothing was imported\n", o->from, why.message,
			ss_strerror(err));
		return 1;
	}
	printf("imported %s\n", o->from);
	return 0;
}

/* --pubkeys "0xab..,0xcd.." -> an array of keys; false with a message on a bad key. */
static bool parse_pubkeys(const char *action, const char *list, uint8_t (**keys)[SLASH_PUBKEY_BYTES],
			  size_t *n)
{
	uint8_t *flat = NULL;
	const char *bad;
	size_t bad_len;
	ss_err e = hex_decode_list(list, SLASH_PUBKEY_BYTES, &flat, n, &bad, &bad_len);
	*keys = (uint8_t(*)[SLASH_PUBKEY_BYTES])flat;
	if (e == SS_ERR_INVALID)
		fprintf(stderr, PROG " %s: --pubkeys: \"%.*s\" is not a 48-byte hex public key\n", action,
			(int)(bad_len > 100 ? 100 : bad_len), bad);
	else if (e != SS_OK)
		fprintf(stderr, PROG " %s: %s\n", action, ss_strerror(e));
	return e == SS_OK;
}

/* Writes the interchange file through util/file.h's atomic write: an interrupted export
 * never leaves a truncated interchange file that a later import would take for the
 * whole history. */
static bool write_interchange(const char *path, const char *text, size_t len)
{
	return file_write_atomic(path, text, len, 0644) == SS_OK;
}

static int do_export(const cli_opts *o, slash_db *db)
{
	uint8_t(*keys)[SLASH_PUBKEY_BYTES] = NULL;
	size_t n = 0;
	if (o->pubkeys != NULL && !parse_pubkeys("export", o->pubkeys, &keys, &n))
		return 2;
	/* the same bytes GET /api/v1/eth2/slashing-protection answers */
	char *json = NULL;
	size_t len = 0;
	ss_err err = slash_export_interchange_file(db, (const uint8_t(*)[SLASH_PUBKEY_BYTES])keys, n,
						   &json, &len);
	free(keys);
	if (err == SS_ERR_NOT_FOUND) {
		fprintf(stderr, PROG " export: the database is empty (no genesis validators root yet)\n");
		return 1;
	}
	if (err != SS_OK) {
		fprintf(stderr, PROG " export: %s\n", ss_strerror(err));
		return 1;
	}
	bool ok;
	if (strcmp(o->to, "-") == 0)
		ok = fwrite(json, 1, len, stdout) == len && fflush(stdout) == 0;
	else
		ok = write_interchange(o->to, json, len);
	int saved = errno;
	free(json);
	errno = saved;
	if (!ok) {
		fprintf(stderr, PROG " export: cannot write %s: %s\n", o->to, strerror(errno));
		return 1;
	}
	if (strcmp(o->to, "-") != 0)
		printf("exported to %s\n", o->to);
	return 0;
}

static int do_prune(const cli_opts *o, slash_db *db)
{
	if (o->keep_epochs == 0 || o->slots_per_epoch == 0) {
		fprintf(stderr, PROG " prune: --keep-epochs and --slots-per-epoch must be at least 1\n");
		return 2;
	}
	slash_prune_stats st;
	ss_err err = slash_prune(db, o->keep_epochs, o->slots_per_epoch, &st);
	if (err != SS_OK) {
		fprintf(stderr, PROG " prune: %s; nothing was deleted\n", ss_strerror(err));
		return 1;
	}
	printf("pruned: %llu validators' watermarks moved, %llu blocks and %llu attestations deleted\n",
	       (unsigned long long)st.validators, (unsigned long long)st.blocks_deleted,
	       (unsigned long long)st.attestations_deleted);
	return 0;
}

static int do_watermark(const char *verb, const cli_opts *o, slash_db *db)
{
	ss_err err;
	if (strcmp(verb, "get") == 0) {
		slash_watermark w;
		err = slash_get_high_watermark(db, &w);
		if (err == SS_OK && w.set)
			printf("high watermark: epoch %llu, slot %llu\n", (unsigned long long)w.epoch,
			       (unsigned long long)w.slot);
		else if (err == SS_OK)
			printf("high watermark: not set\n");
	} else if (strcmp(verb, "set") == 0) {
		err = slash_set_high_watermark(db, o->epoch, o->slot);
		if (err == SS_OK)
			printf("high watermark set: epoch %llu, slot %llu\n", (unsigned long long)o->epoch,
			       (unsigned long long)o->slot);
	} else if (strcmp(verb, "repair") == 0) {
		uint8_t(*keys)[SLASH_PUBKEY_BYTES] = NULL;
		size_t n = 0;
		if (o->pubkeys != NULL && !parse_pubkeys("watermark repair", o->pubkeys, &keys, &n))
			return 2;
		err = slash_raise_low_watermarks(db, (const uint8_t(*)[SLASH_PUBKEY_BYTES])keys, n, o->epoch,
						 o->slot);
		free(keys);
		if (err == SS_OK)
			printf("low watermarks raised to epoch %llu, slot %llu for %s\n", (unsigned long long)o->epoch,
			       (unsigned long long)o->slot, n ? "the given keys" : "every validator");
	} else {
		err = slash_clear_high_watermark(db);
		if (err == SS_OK)
			printf("high watermark cleared\n");
	}
	if (err != SS_OK) {
		fprintf(stderr, PROG " watermark %s: %s\n", verb, ss_strerror(err));
		return 1;
	}
	return 0;
}

int cli_cmd_slashing(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *action = argv[1];
	if (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0 || strcmp(action, "help") == 0) {
		usage(stdout);
		return 0;
	}
	const char *help = strcmp(action, "import") == 0      ? help_import
			   : strcmp(action, "export") == 0    ? help_export
			   : strcmp(action, "prune") == 0     ? help_prune
			   : strcmp(action, "watermark") == 0 ? help_watermark
							      : NULL;
	if (help == NULL) {
		fprintf(stderr, PROG ": unknown action '%s'\n\n", action);
		usage(stderr);
		return 2;
	}
	/* watermark takes a verb before its options */
	const char *verb = NULL;
	int skip = 1;
	if (help == help_watermark && argc > 2 && argv[2][0] != '-') {
		verb = argv[2];
		skip = 2;
	}
	cli_opts o;
	if (!parse_opts(argc - skip - 1, argv + skip + 1, &o)) {
		cli_common_args_free(&o.common);
		fputs(help, stderr);
		return 2;
	}
	if (o.help) {
		cli_common_args_free(&o.common);
		fputs(help, stdout);
		fputs("\nOptions:\n", stdout);
		cli_opts_help(stdout, slashing_table, N_SLASHING_OPTS);
		fputs("\n", stdout);
		fputs(CLI_COMMON_HELP, stdout);
		return 0;
	}
	const char *missing = NULL;
	if (help == help_import && o.from == NULL)
		missing = "--from FILE is required";
	else if (help == help_export && o.to == NULL)
		missing = "--to FILE is required";
	else if (help == help_watermark &&
		 (verb == NULL || (strcmp(verb, "get") != 0 && strcmp(verb, "set") != 0 &&
				   strcmp(verb, "clear") != 0 && strcmp(verb, "repair") != 0)))
		missing = "one of get, set, clear or repair is required";
	else if (help == help_watermark && (strcmp(verb, "set") == 0 || strcmp(verb, "repair") == 0) &&
		 !(o.has_epoch && o.has_slot))
		missing = "set and repair need --epoch E and --slot S";
	if (missing != NULL) {
		cli_common_args_free(&o.common);
		fprintf(stderr, PROG " %s: %s\n\n%s", action, missing, help);
		return 2;
	}

	run_config cfg;
	int rc = cli_common_resolve(&cfg, PROG, &o.common);
	cli_network net;
	if (rc != 0 || (rc = cli_network_open(&cfg, PROG, &net)) != 0) {
		run_config_free(&cfg);
		return rc;
	}
	if (!o.has_spe)
		o.slots_per_epoch = eth2_network_slots_per_epoch(net.net);
	datadir dd;
	slash_db *db = NULL;
	/* a reader opens the existing store read-only; before anything was ever recorded
	 * there is none, and the locked path creates it as before */
	char db_path[4200];
	struct stat st;
	snprintf(db_path, sizeof db_path, "%s/slashing.sqlite", cfg.data_dir);
	bool reader = (help == help_export || (help == help_watermark && strcmp(verb, "get") == 0)) &&
		      (cfg.slashing_protection_db_url || stat(db_path, &st) == 0);
	rc = open_store(&cfg, &net, &dd, &db, reader);
	if (rc != 0) {
		cli_network_close(&net);
		run_config_free(&cfg);
		return rc;
	}
	if (help == help_import)
		rc = do_import(&o, db);
	else if (help == help_export)
		rc = do_export(&o, db);
	else if (help == help_prune)
		rc = do_prune(&o, db);
	else
		rc = do_watermark(verb, &o, db);
	slash_close(db);
	if (dd.lock_fd >= 0)
		datadir_close(&dd);
	cli_network_close(&net);
	run_config_free(&cfg);
	return rc;
}
