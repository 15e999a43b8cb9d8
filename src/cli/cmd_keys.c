/* `secure-signer keys …`: key management on a data directory. Every subcommand that
 * changes it takes the data directory's lock, so it refuses to run while a signer (or
 * another `keys` command) uses the directory; `list` reads the sealed store read-only
 * without the lock, so it works beside a running signer. import, generate and delete are the key
 * lifecycle of the Keymanager API (signer/keymanager.h), with the same slashing-store
 * steps: a key deleted through either door is disabled, and an import through either
 * re-enables it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "keys/keys.h"
#include "keys/keystore.h"
#include "keys/layout.h"
#include "signer/keymanager.h"
#include "tee/tee_provider.h"
#include "slashing/slashing.h"
#include "util/datadir.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/random.h"
#include "util/secure_mem.h"

#define MAX_FILE (1u << 20)

typedef struct {
	const char *data_dir;
	const char *kek_file;
	const char *kek_passphrase_file;
	const char *kek_passphrase_env;
	const char *kek_source; /* "tee" or NULL */
	const char *tee;        /* --tee provider name (with --kek-source tee) */
	const char *keystore;
	const char *password_file;
	const char *out;
	long count;
	bool allow_export;
	bool pbkdf2;
	unsigned long scrypt_n;
	keys_layout layout;
	bool format_json;
	bool kek_from_cli;
	const char *sub;
	cli_common_args common; /* data directory, network, database: as `run` has them */
} keys_opts;

enum {
	OPT_KEK_FILE = 1,
	OPT_KEK_PASS_FILE,
	OPT_KEK_PASS_ENV,
	OPT_KEYSTORE,
	OPT_PASSWORD_FILE,
	OPT_COUNT,
	OPT_ALLOW_EXPORT,
	OPT_OUT,
	OPT_PBKDF2,
	OPT_SCRYPT_N,
	OPT_LAYOUT,
	OPT_FORMAT,
	OPT_KEK_SOURCE,
	OPT_TEE,
};

/* The options of every keys subcommand (each uses those it needs), parsed by the
 * offline commands' one parser (cli/common_options.h cli_opts_parse); --data-dir,
 * --network, --slashing-protection-db-url, --config-file and the other shared options
 * are resolved as `run` resolves them. */
static const cli_opt keys_table[] = {
	{ "kek-file", OPT_KEK_FILE, true, "FILE",
	  "key-encryption key file (default <data-dir>/keys/kek.key; env SECURE_SIGNER_KEK_FILE)" },
	{ "kek-passphrase-file", OPT_KEK_PASS_FILE, true, "FILE",
	  "derive the key-encryption key from a passphrase file (env SECURE_SIGNER_KEK_PASSPHRASE_FILE)" },
	{ "kek-passphrase-env", OPT_KEK_PASS_ENV, true, "VAR", "... or from environment variable VAR" },
	{ "kek-source", OPT_KEK_SOURCE, true, "tee",
	  "the store is sealed to the TEE, with --tee NAME as for run (env SECURE_SIGNER_KEK_SOURCE)" },
	{ "tee", OPT_TEE, true, "NAME",
	  "the TEE provider of --kek-source tee: gramine, occlum, tsm or sim (env SECURE_SIGNER_TEE)" },
	{ "keystore", OPT_KEYSTORE, true, "FILE|DIR", "import: a keystore, or a directory of them" },
	{ "password-file", OPT_PASSWORD_FILE, true, "FILE|DIR",
	  "import, export-keystore: the password file (import: or a directory of <name>.txt)" },
	{ "layout", OPT_LAYOUT, true, "LAYOUT",
	  "import: auto (default), web3signer, lighthouse, lodestar, nimbus, teku or prysm" },
	{ "count", OPT_COUNT, true, "N", "generate: how many keys (1..1000000)" },
	{ "format", OPT_FORMAT, true, "FORMAT", "list: table (default) or json" },
	{ "allow-key-export", OPT_ALLOW_EXPORT, false, NULL, "export-keystore: confirm the export" },
	{ "out", OPT_OUT, true, "FILE", "export-keystore: write to FILE (mode 0600, must not exist)" },
	{ "pbkdf2", OPT_PBKDF2, false, NULL, "export-keystore: PBKDF2 (c=262144) instead of scrypt" },
	{ "scrypt-n", OPT_SCRYPT_N, true, "N", "export-keystore: scrypt cost (power of two, default 262144)" },
};
#define N_KEYS_OPTS (sizeof keys_table / sizeof keys_table[0])

static void usage(FILE *f)
{
	fprintf(f, "Usage: secure-signer keys SUBCOMMAND [OPTIONS]\n\n"
		   "Manage the validator keys sealed in a data directory. list and proxy list\n"
		   "work while the signer runs; the commands that change keys refuse then.\n\n"
		   "Subcommands:\n"
		   "  list                        print every key: pubkey, origin, derivation path\n"
		   "  import                      import EIP-2335 keystores: a file, or a directory of\n"
		   "                              Web3Signer, Lighthouse, Lodestar, Nimbus, Teku or Prysm\n"
		   "  generate                    generate new keys (EIP-2333, OS randomness; --count)\n"
		   "  delete PUBKEY               remove a key from the sealed store\n"
		   "  export-keystore PUBKEY      write a key as an EIP-2335 keystore\n"
		   "                              (requires --allow-key-export)\n"
		   "  proxy list                  print the Commit-Boost proxy keys: kind, proxy,\n"
		   "                              module, delegator (docs/commit-boost.md); works\n"
		   "                              while the signer runs\n"
		   "  proxy delete PROXY          remove a proxy key (BLS key, ECDSA key or address)\n\n"
		   "Run 'secure-signer keys SUBCOMMAND --help' for its options.\n");
}

static void sub_usage(const char *sub)
{
	if (strcmp(sub, "list") == 0)
		printf("Usage: secure-signer keys list [--format table|json] [OPTIONS]\n\n"
		       "Prints one line per key: 0x<pubkey> <origin> [<derivation path>], sorted by\n"
		       "pubkey; --format json prints one array of {pubkey, origin, derivation_path,\n"
		       "readonly}. Works while the signer runs: it reads the sealed store without\n"
		       "taking the data directory's lock.\n\n");
	else if (strcmp(sub, "import") == 0)
		printf("Usage: secure-signer keys import --keystore FILE|DIR [--password-file FILE|DIR]\n"
		       "                                [--layout LAYOUT] [OPTIONS]\n\n"
		       "Imports EIP-2335 keystores: one file with its password file, or a directory laid\n"
		       "out as Web3Signer or a consensus client keeps its keys (--layout, default auto:\n"
		       "detected; exactly one must match):\n"
		       "  web3signer  DIR/<name>.json; --password-file: a directory of <name>.txt or one file\n"
		       "  lighthouse  DIR/validators/0x<pk>/voting-keystore.json + DIR/secrets/0x<pk>\n"
		       "  lodestar    DIR/keystores/0x<pk>/voting-keystore.json + DIR/secrets/0x<pk>\n"
		       "  nimbus      DIR/validators/0x<pk>/keystore.json + DIR/secrets/0x<pk>\n"
		       "  teku        DIR/keys/<name>.json + DIR/passwords/<name>.txt (or Teku's\n"
		       "              DIR/validator/key-manager/local/ + local-passwords/)\n"
		       "  prysm       DIR/direct/accounts/all-accounts.keystore.json; --password-file: the\n"
		       "              wallet password file\n"
		       "For the client layouts a --password-file DIR replaces their secrets directory.\n"
		       "Each key is decrypted once and sealed; a key already present is reported as a\n"
		       "duplicate, a file the layout leaves out (lock, cache, no password file) as skipped\n"
		       "with the reason. An imported key is enabled in the slashing-protection database (a\n"
		       "key deleted before signs again). Exit status 1 when any keystore failed, or when\n"
		       "nothing could be imported; a directory in which no layout is recognised is an error.\n\n");
	else if (strcmp(sub, "generate") == 0)
		printf("Usage: secure-signer keys generate --count N [OPTIONS]\n\n"
		       "Generates N keys from fresh OS randomness (EIP-2333 master keys), seals them, and\n"
		       "prints their public keys. The seeds are never stored.\n\n");
	else if (strcmp(sub, "delete") == 0)
		printf("Usage: secure-signer keys delete PUBKEY [OPTIONS]\n\n"
		       "Disables the key in the slashing-protection database (blocks and attestations are\n"
		       "refused from then on), then durably removes it from the sealed store; its history\n"
		       "is kept. Keys loaded from --keystores-path or --key-config-path follow their files:\n"
		       "remove the file instead.\n\n");
	else if (strcmp(sub, "proxy") == 0)
		printf("Usage: secure-signer keys proxy list|delete PROXY [OPTIONS]\n\n"
		       "The Commit-Boost proxy keys the signer generated for modules (docs/commit-boost.md).\n"
		       "list prints one line per proxy: scheme, proxy (BLS key or ECDSA address), module,\n"
		       "delegating consensus key, and for ECDSA its 33-byte key. delete removes one, named\n"
		       "by any of those forms, durably from the sealed store.\n\n");
	else
		printf("Usage: secure-signer keys export-keystore PUBKEY --allow-key-export --password-file FILE [OPTIONS]\n\n"
		       "Writes the key as an EIP-2335 keystore encrypted under the password in FILE (its\n"
		       "first line). This takes the key out of the signer's protection: it is refused\n"
		       "without --allow-key-export.\n"
		       "  --out FILE       write to FILE (mode 0600, must not exist) instead of stdout\n"
		       "  --pbkdf2         use PBKDF2 (c=262144) instead of scrypt\n"
		       "  --scrypt-n N     scrypt cost (power of two, default 262144)\n\n");
	printf("Options:\n");
	cli_opts_help(stdout, keys_table, N_KEYS_OPTS);
	printf("  --help                         this text\n\n%s", CLI_COMMON_HELP);
}

/* One option of keys_table (cli_opts_parse's callback). */
static bool on_opt(void *ctx, int id, const char *v)
{
	keys_opts *o = ctx;
	char *end = NULL;
	switch (id) {
	case OPT_KEK_FILE:
	case OPT_KEK_PASS_FILE:
	case OPT_KEK_PASS_ENV:
		if (!o->kek_from_cli) /* drop what the environment said */
			o->kek_file = o->kek_passphrase_file = o->kek_passphrase_env = NULL;
		o->kek_from_cli = true;
		if (id == OPT_KEK_FILE)
			o->kek_file = v;
		else if (id == OPT_KEK_PASS_FILE)
			o->kek_passphrase_file = v;
		else
			o->kek_passphrase_env = v;
		return true;
	case OPT_KEK_SOURCE: o->kek_source = v; return true;
	case OPT_TEE: o->tee = v; return true;
	case OPT_KEYSTORE: o->keystore = v; return true;
	case OPT_PASSWORD_FILE: o->password_file = v; return true;
	case OPT_ALLOW_EXPORT: o->allow_export = true; return true;
	case OPT_OUT: o->out = v; return true;
	case OPT_PBKDF2: o->pbkdf2 = true; return true;
	case OPT_FORMAT:
		if (strcmp(v, "json") != 0 && strcmp(v, "table") != 0) {
			fprintf(stderr, "secure-signer keys %s: --format must be table or json\n", o->sub);
			return false;
		}
		o->format_json = strcmp(v, "json") == 0;
		return true;
	case OPT_LAYOUT:
		if (!keys_layout_from_name(v, &o->layout)) {
			fprintf(stderr, "secure-signer keys %s: --layout must be auto, web3signer, lighthouse, lodestar, nimbus, teku or prysm\n",
				o->sub);
			return false;
		}
		return true;
	case OPT_COUNT:
		errno = 0;
		o->count = strtol(v, &end, 10);
		if (errno || *end || o->count < 1 || o->count > 1000000) {
			fprintf(stderr, "secure-signer keys %s: --count must be 1..1000000\n", o->sub);
			return false;
		}
		return true;
	case OPT_SCRYPT_N:
		errno = 0;
		o->scrypt_n = strtoul(v, &end, 10);
		/* docs/keys.md "Key-derivation limits": no keystore this signer would refuse
		 * to import */
		if (errno || *end || o->scrypt_n < 2 || o->scrypt_n > (1ul << 18) ||
		    (o->scrypt_n & (o->scrypt_n - 1))) {
			fprintf(stderr, "secure-signer keys %s: --scrypt-n must be a power of two in 2..262144\n",
				o->sub);
			return false;
		}
		return true;
	}
	return false;
}

/* Parses the words after the subcommand; -1 to go on (args/nargs: the positional
 * ones), else the exit status. */
static int parse(int argc, char **argv, const char *sub, keys_opts *o, const char **args,
		 int *nargs)
{
	memset(o, 0, sizeof *o);
	o->sub = sub;
	/* the same SECURE_SIGNER_* variables `secure-signer run` reads, so both find the
	 * same key-encryption key; the command line wins. The data directory is resolved
	 * with the other commands' (cli/common_options.h), in cli_cmd_keys. */
	const char *env = getenv("SECURE_SIGNER_KEK_PASSPHRASE_FILE");
	if (env && *env)
		o->kek_passphrase_file = env;
	env = getenv("SECURE_SIGNER_KEK_FILE");
	if (env && *env && !o->kek_passphrase_file)
		o->kek_file = env;
	env = getenv("SECURE_SIGNER_KEK_SOURCE");
	if (env && *env)
		o->kek_source = env;
	env = getenv("SECURE_SIGNER_TEE");
	if (env && *env)
		o->tee = env;
	o->count = -1;
	o->layout = KEYS_LAYOUT_AUTO;
	char prog[64];
	snprintf(prog, sizeof prog, "secure-signer keys %s", sub);
	bool help = false;
	int rc = cli_opts_parse(prog, keys_table, N_KEYS_OPTS, argc, argv, on_opt, o, &o->common,
				args, 2, nargs, &help);
	if (rc >= 0 || help) {
		cli_common_args_free(&o->common);
		if (help)
			sub_usage(sub);
		return help ? 0 : rc;
	}
	if ((o->kek_file != NULL) + (o->kek_passphrase_file != NULL) + (o->kek_passphrase_env != NULL) > 1) {
		fprintf(stderr, "secure-signer keys %s: give at most one of --kek-file, --kek-passphrase-file, --kek-passphrase-env\n",
			sub);
		cli_common_args_free(&o->common);
		return 2;
	}
	/* as `run` (cli/run_config.c): tee is the one --kek-source, and it excludes the others */
	const char *why = NULL;
	if (o->kek_source && strcmp(o->kek_source, "tee") != 0)
		why = "--kek-source takes one value, tee";
	else if (o->kek_source && (o->kek_file || o->kek_passphrase_file || o->kek_passphrase_env)) {
		if (o->kek_from_cli)
			why = "--kek-source tee cannot be combined with --kek-file, "
			      "--kek-passphrase-file or --kek-passphrase-env";
		else
			o->kek_file = o->kek_passphrase_file = o->kek_passphrase_env = NULL;
	}
	if (!why && o->kek_source && (!o->tee || strcmp(o->tee, "none") == 0))
		why = "--kek-source tee needs --tee (the provider the store was sealed under)";
	if (why) {
		fprintf(stderr, "secure-signer keys %s: %s\n", sub, why);
		cli_common_args_free(&o->common);
		return 2;
	}
	return -1; /* go on */
}

/* Opens (locks) the data directory and the sealed store; a reader (list) takes no lock
 * and opens the store read-only, so it works while the signer runs. */
static int open_all(const keys_opts *o, const char *sub, datadir *dd, keys_store **ks,
		    bool reader)
{
	char prog[64];
	snprintf(prog, sizeof prog, "secure-signer keys %s", sub);
	if ((reader ? cli_datadir_open_readonly(o->data_dir, prog, dd)
		    : cli_datadir_open(o->data_dir, prog, dd)) != 0)
		return 1;
	ss_err e;
	keys_kek_provider kek;
	keys_error err = { "" };
	/* --kek-source tee: the provider derives the KEK during the open only */
	tee_provider *tee = NULL;
	if (o->kek_source) {
		tee_open_options to = { .root = getenv("SECURE_SIGNER_TEE_ROOT"), .data_dir = dd->path };
		char why[TEE_WHY_MAX];
		e = tee_provider_open(o->tee, &to, &tee, why);
		if (e != SS_OK)
			snprintf(err.msg, sizeof err.msg, "--tee %.20s: %.200s", o->tee, why);
		else
			e = keys_kek_tee(&kek, tee);
	} else {
		e = o->kek_passphrase_file ? keys_kek_passphrase_file(&kek, o->kek_passphrase_file)
		    : o->kek_passphrase_env ? keys_kek_passphrase_env(&kek, o->kek_passphrase_env)
					    : keys_kek_file(&kek, o->kek_file);
	}
	keys_load_stats st;
	if (e == SS_OK)
		e = reader ? keys_store_open_readonly(ks, dd->path, &kek, &st, &err)
			   : keys_store_open(ks, dd->path, &kek, &st, &err);
	tee_provider_close(tee);
	if (e != SS_OK) {
		fprintf(stderr, "secure-signer keys %s: cannot open the key store: %s\n", sub,
			err.msg[0] ? err.msg : ss_strerror(e));
		datadir_close(dd);
		return 1;
	}
	if (st.sealed_failed)
		fprintf(stderr, "secure-signer keys %s: warning: %zu sealed key(s) failed to open (see log)\n",
			sub, st.sealed_failed);
	return -1;
}

/* The slashing store the signer of this data directory uses (import, generate and
 * delete change it as the Keymanager API does): PostgreSQL with
 * --slashing-protection-db-url, else <data-dir>/slashing.sqlite. No writer thread:
 * this process is the only user of the directory. */
/* The slashing store, found as `run` finds it (cli/common_options.h: the data directory's
 * slashing.sqlite, or --slashing-protection-db-url / SECURE_SIGNER_* / the config file)
 * and bound to the same network, without the writer thread. -1 when open, else the exit
 * status after a message. */
static int open_slashing(const run_config *cfg, const char *prog, const datadir *dd,
			 slash_db **db)
{
	cli_network n;
	if (cli_network_open(cfg, prog, &n) != 0)
		return 1;
	slash_options opts;
	slash_options_default(&opts);
	opts.writer_thread = false;
	int rc = cli_slashing_open(cfg, prog, dd, &n, &opts, db);
	cli_network_close(&n);
	return rc == 0 ? -1 : 1;
}

static bool parse_pubkey(const char *s, uint8_t pk[KEYS_PUBKEY_BYTES])
{
	return hex_decode(pk, KEYS_PUBKEY_BYTES, s, strlen(s), HEX_PREFIX_OPTIONAL) == SS_OK;
}

static const char *origin_name(keys_origin o)
{
	switch (o) {
	case KEYS_ORIGIN_KEYSTORE_DIR: return "keystore-dir";
	case KEYS_ORIGIN_KEY_CONFIG: return "key-config";
	case KEYS_ORIGIN_IMPORTED: return "imported";
	case KEYS_ORIGIN_GENERATED: return "generated";
	}
	return "unknown";
}

static int cmp_info(const void *a, const void *b)
{
	return memcmp(((const keys_info *)a)->pubkey, ((const keys_info *)b)->pubkey,
		      KEYS_PUBKEY_BYTES);
}

/* `keys list`: one line per key, `0x<pubkey> <origin> [<derivation path>]` (table), or
 * with --format json one array of {pubkey, origin, derivation_path, readonly} (the
 * Keymanager list's field names); sorted by pubkey either way. */
static int cmd_list(keys_store *ks, bool json)
{
	size_t n = keys_count(ks);
	keys_info *v = calloc(n ? n : 1, sizeof *v);
	if (v == NULL)
		return 1;
	n = keys_list(ks, v, n);
	if (n)
		qsort(v, n, sizeof *v, cmp_info);
	if (json)
		printf("[");
	for (size_t i = 0; i < n; i++) {
		char pk[2 * KEYS_PUBKEY_BYTES + 3];
		hex_encode(pk, v[i].pubkey, KEYS_PUBKEY_BYTES, true);
		if (json) {
			/* a derivation path is EIP-2334 "m/12381/..." (keystore.c checked it is a
			 * string); escape what JSON needs anyway */
			printf("%s\n  {\"pubkey\": \"%s\", \"origin\": \"%s\", \"derivation_path\": ",
			       i ? "," : "", pk, origin_name(v[i].origin));
			if (v[i].derivation_path[0] == '\0') {
				printf("null");
			} else {
				putchar('"');
				for (const char *c = v[i].derivation_path; *c; c++)
					if (*c == '"' || *c == '\\')
						printf("\\%c", *c);
					else if ((unsigned char)*c < 0x20)
						printf("\\u%04x", (unsigned char)*c);
					else
						putchar(*c);
				putchar('"');
			}
			printf(", \"readonly\": %s}", v[i].readonly ? "true" : "false");
		} else {
			printf("%s %s%s%s\n", pk, origin_name(v[i].origin),
			       v[i].derivation_path[0] ? " " : "", v[i].derivation_path);
		}
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	free(v);
	return 0;
}

static int cmd_generate(signer_km *km, const keys_opts *o)
{
	if (o->count < 1) {
		fprintf(stderr, "secure-signer keys generate: --count N is required\n");
		return 2;
	}
	uint8_t(*pks)[KEYS_PUBKEY_BYTES] = calloc((size_t)o->count, KEYS_PUBKEY_BYTES);
	keys_error err = { "" };
	if (pks == NULL || signer_km_generate(km, (size_t)o->count, pks, &err) != SS_OK) {
		fprintf(stderr, "secure-signer keys generate: %s\n", err.msg);
		free(pks);
		return 1;
	}
	for (long i = 0; i < o->count; i++) {
		char pk[2 * KEYS_PUBKEY_BYTES + 3];
		hex_encode(pk, pks[i], KEYS_PUBKEY_BYTES, true);
		printf("%s\n", pk);
	}
	free(pks);
	return 0;
}

/* keys_read_file with the CLI's size limit; the reason is not needed, the callers name
 * the file themselves. */
static char *read_all(const char *path, size_t *len)
{
	char *buf;
	return keys_read_file(path, MAX_FILE, &buf, len, NULL) == SS_OK ? buf : NULL;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* What one `keys import` brings: per keystore its label, JSON text and password (the
 * buffers wiped at the end), whatever layout they came from. */
typedef struct {
	char **labels;
	char **kss, **pws;
	size_t *kl, *pl;
	size_t n, cap;
	size_t failed; /* files that could not be read (reported as they are met) */
} import_set;

static bool set_grow(import_set *s)
{
	if (s->n < s->cap)
		return true;
	size_t cap = s->cap ? 2 * s->cap : 16;
	char **l = realloc(s->labels, cap * sizeof *l);
	if (l)
		s->labels = l;
	char **k = realloc(s->kss, cap * sizeof *k);
	if (k)
		s->kss = k;
	char **w = realloc(s->pws, cap * sizeof *w);
	if (w)
		s->pws = w;
	size_t *a = realloc(s->kl, cap * sizeof *a);
	if (a)
		s->kl = a;
	size_t *b = realloc(s->pl, cap * sizeof *b);
	if (b)
		s->pl = b;
	if (!l || !k || !w || !a || !b)
		return false;
	s->cap = cap;
	return true;
}

/* Reads a keystore and its password file (pw_path) into the set; a file that cannot
 * be read is reported and counted as failed. The whole password file is the password:
 * EIP-2335 normalisation drops a trailing newline (Web3Signer
 * --keystores-password-file semantics, and what Lighthouse, Lodestar, Nimbus and Teku
 * write). */
static bool set_add_files(import_set *s, const char *label, const char *ks_path,
			  const char *pw_path)
{
	if (!set_grow(s))
		return false;
	size_t kl = 0, pl = 0;
	char *ks = read_all(ks_path, &kl);
	char *pw = ks ? read_all(pw_path, &pl) : NULL;
	if (!ks || !pw) {
		printf("error %s: cannot read %s\n", label, ks ? pw_path : ks_path);
		keys_free_wiped(ks, kl);
		s->failed++;
		return true;
	}
	s->labels[s->n] = strdup(label);
	s->kss[s->n] = ks;
	s->kl[s->n] = kl;
	s->pws[s->n] = pw;
	s->pl[s->n] = pl;
	s->n++;
	return true;
}

static void set_free(import_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->labels[i]);
		keys_free_wiped(s->kss[i], s->kl[i]);
		keys_free_wiped(s->pws[i], s->pl[i]);
	}
	free(s->labels);
	free(s->kss);
	free(s->pws);
	free(s->kl);
	free(s->pl);
	memset(s, 0, sizeof *s);
}

/* Prysm's wallet: its keys go through the one import path, which takes EIP-2335
 * keystores, so each is wrapped again in memory under a random one-time password with
 * PBKDF2 c=1 (the wrapping protects nothing and must cost nothing: it never leaves
 * this process, and the import checks the listed public key against the secret as it
 * would a keystore's "pubkey"). */
static bool add_prysm_wallet(import_set *s, const char *wallet, const char *pw_path)
{
	size_t wl = 0, pl = 0;
	char *w = read_all(wallet, &wl);
	char *pw = w ? read_all(pw_path, &pl) : NULL;
	if (!w || !pw) {
		fprintf(stderr, "secure-signer keys import: cannot read %s\n", w ? pw_path : wallet);
		keys_free_wiped(w, wl);
		return false;
	}
	uint8_t *sk = NULL;
	uint8_t(*pk)[KEYS_PUBKEY_BYTES] = NULL;
	size_t n = 0;
	keys_error err = { "" };
	ss_err e = keys_prysm_wallet_open(w, wl, pw, pl, &sk, &pk, &n, &err);
	keys_free_wiped(w, wl);
	keys_free_wiped(pw, pl);
	if (e != SS_OK) {
		fprintf(stderr, "secure-signer keys import: Prysm wallet %s: %s\n", wallet, err.msg);
		return false;
	}
	bool ok = true;
	keys_kdf_params wrap = { true, 0, 1 };
	for (size_t i = 0; i < n && ok; i++) {
		uint8_t rnd[32];
		char *one = malloc(2 * sizeof rnd + 1);
		char *json = NULL;
		ok = one && set_grow(s) && random_bytes(rnd, sizeof rnd) == SS_OK;
		if (ok) {
			hex_encode(one, rnd, sizeof rnd, false);
			ok = keys_keystore_encrypt(&json, sk + i * 32, pk[i], NULL, one, 2 * sizeof rnd,
						   &wrap, &err) == SS_OK;
		}
		secure_zero(rnd, sizeof rnd);
		char label[96];
		snprintf(label, sizeof label, "all-accounts.keystore.json #%zu", i + 1);
		if (!ok) {
			fprintf(stderr, "secure-signer keys import: %s: %s\n", label,
				err.msg[0] ? err.msg : "out of memory");
			keys_free_wiped(one, one ? 2 * sizeof rnd + 1 : 0);
			break;
		}
		s->labels[s->n] = strdup(label);
		s->kss[s->n] = json;
		s->kl[s->n] = strlen(json);
		s->pws[s->n] = one;
		s->pl[s->n] = 2 * sizeof rnd;
		s->n++;
	}
	secure_free(sk);
	free(pk);
	return ok;
}

/* `keys import`: one keystore file with its password file, or a directory laid out as
 * Web3Signer or a consensus client keeps keys (keys/layout.h). Prints one line per
 * keystore (imported, duplicate, error, skipped with the reason) and the counts. */
static int cmd_import(signer_km *km, const keys_opts *o)
{
	if (!o->keystore) {
		fprintf(stderr, "secure-signer keys import: --keystore is required\n");
		return 2;
	}
	bool dir = is_dir(o->keystore), pw_dir = o->password_file && is_dir(o->password_file);
	if (!dir && (!o->password_file || pw_dir)) {
		fprintf(stderr, "secure-signer keys import: a keystore file needs --password-file FILE\n");
		return 2;
	}
	import_set set = { 0 };
	size_t skipped = 0, found = 0;
	int rc = 0;
	if (!dir) {
		found = 1;
		if (!set_add_files(&set, o->keystore, o->keystore, o->password_file))
			rc = 1;
	} else {
		keys_layout_result lr;
		keys_error err = { "" };
		if (keys_layout_scan(&lr, o->keystore, o->layout, pw_dir ? o->password_file : NULL,
				     &err) != SS_OK) {
			fprintf(stderr, "secure-signer keys import: %s\n", err.msg);
			return 1;
		}
		fprintf(stderr, "secure-signer keys import: %s layout in %s\n",
			keys_layout_name(lr.layout), o->keystore);
		bool shared_pw = lr.layout == KEYS_LAYOUT_WEB3SIGNER || lr.layout == KEYS_LAYOUT_PRYSM;
		if (shared_pw && !o->password_file) {
			fprintf(stderr, "secure-signer keys import: the %s layout needs --password-file (%s)\n",
				keys_layout_name(lr.layout),
				lr.layout == KEYS_LAYOUT_PRYSM ? "the wallet password file"
							       : "a password directory or one password file");
			keys_layout_free(&lr);
			return 2;
		}
		if (lr.layout == KEYS_LAYOUT_PRYSM && pw_dir) {
			fprintf(stderr, "secure-signer keys import: the prysm layout takes the wallet password file, not a directory\n");
			keys_layout_free(&lr);
			return 2;
		}
		for (size_t i = 0; i < lr.n_skips; i++)
			printf("skipped %s: %s\n", lr.skips[i].label, lr.skips[i].reason);
		skipped = lr.n_skips;
		found = lr.n_keys;
		for (size_t i = 0; i < lr.n_keys && rc == 0; i++)
			if (!set_add_files(&set, lr.keys[i].label, lr.keys[i].keystore,
					   lr.keys[i].password ? lr.keys[i].password : o->password_file))
				rc = 1;
		if (lr.wallet && rc == 0) {
			if (!add_prysm_wallet(&set, lr.wallet, o->password_file))
				rc = 1;
			found = set.n;
		}
		keys_layout_free(&lr);
	}
	keys_import_result *res = calloc(set.n ? set.n : 1, sizeof *res);
	size_t m = set.n;
	/* the operator's own files: the per-keystore key-derivation limits apply, not the
	 * request limits of the network door */
	signer_km_import_req rq = { (const char *const *)set.kss, set.kl,
				    (const char *const *)set.pws, set.pl, m, NULL, 0, false };
	char why[KEYS_ERROR_MAX + 32];
	if (res == NULL) {
		rc = 1;
		m = 0;
	} else if (m > 0 && signer_km_import(km, signer_km_ticket(km), &rq, res, why, sizeof why) != SS_OK) {
		fprintf(stderr, "secure-signer keys import: %s\n", why);
		rc = 1;
		m = 0;
	}
	size_t imported = 0, dup = 0, failed = set.failed;
	for (size_t i = 0; i < m; i++) {
		char pk[2 * KEYS_PUBKEY_BYTES + 3] = "";
		if (res[i].have_pubkey)
			hex_encode(pk, res[i].pubkey, KEYS_PUBKEY_BYTES, true);
		if (res[i].status == KEYS_IMPORT_IMPORTED) {
			printf("imported %s %s\n", pk, set.labels[i]);
			imported++;
		} else if (res[i].status == KEYS_IMPORT_DUPLICATE) {
			printf("duplicate %s %s\n", pk, set.labels[i]);
			dup++;
		} else {
			printf("error %s: %s\n", set.labels[i], res[i].message);
			failed++;
		}
	}
	if (failed)
		rc = 1;
	fprintf(stderr, "%zu found, %zu imported, %zu duplicate, %zu failed, %zu skipped\n", found,
		imported, dup, failed, skipped);
	if (rc == 0 && imported + dup == 0) {
		/* everything was skipped: nothing of the directory can be used */
		fprintf(stderr, "secure-signer keys import: no keystore in %s could be imported\n",
			o->keystore);
		rc = 1;
	}
	set_free(&set);
	free(res);
	return rc;
}

static int cmd_delete(signer_km *km, const char *arg)
{
	uint8_t pk[KEYS_PUBKEY_BYTES];
	if (!parse_pubkey(arg, pk)) {
		fprintf(stderr, "secure-signer keys delete: PUBKEY must be 48 bytes of hex\n");
		return 2;
	}
	signer_km_delete_result r;
	char *ic = NULL;
	if (signer_km_delete(km, (const uint8_t(*)[KEYS_PUBKEY_BYTES])pk, 1, &r, &ic) != SS_OK) {
		fprintf(stderr, "secure-signer keys delete: out of memory\n");
		return 1;
	}
	free(ic); /* the history stays in the database: `secure-signer slashing export` */
	if (r.status == SIGNER_KM_DELETE_ERROR) {
		fprintf(stderr, "secure-signer keys delete: %s: %s\n", arg, r.message);
		return 1;
	}
	if (r.status != SIGNER_KM_DELETED) {
		fprintf(stderr, "secure-signer keys delete: %s: no such key\n", arg);
		return 1;
	}
	printf("deleted %s\n", arg);
	return 0;
}

static int cmd_export(keys_store *ks, const keys_opts *o, const char *arg)
{
	uint8_t pk[KEYS_PUBKEY_BYTES];
	if (!parse_pubkey(arg, pk)) {
		fprintf(stderr, "secure-signer keys export-keystore: PUBKEY must be 48 bytes of hex\n");
		return 2;
	}
	size_t len = 0;
	char *pw = read_all(o->password_file, &len);
	if (pw == NULL) {
		fprintf(stderr, "secure-signer keys export-keystore: cannot read %s\n", o->password_file);
		return 1;
	}
	size_t pw_len = strcspn(pw, "\r\n");
	if (pw_len == 0) {
		fprintf(stderr, "secure-signer keys export-keystore: the password file is empty\n");
		keys_free_wiped(pw, len);
		return 1;
	}
	keys_kdf_params kdf = { o->pbkdf2, (uint32_t)o->scrypt_n, 0 };
	char *json = NULL;
	keys_error err = { "" };
	ss_err e = keys_export_keystore(ks, pk, pw, pw_len, &kdf, &json, &err);
	keys_free_wiped(pw, len);
	if (e != SS_OK) {
		fprintf(stderr, "secure-signer keys export-keystore: %s\n", err.msg);
		return 1;
	}
	int rc = 0;
	if (o->out) {
		int fd = open(o->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		size_t jl = strlen(json);
		if (fd < 0 || write(fd, json, jl) != (ssize_t)jl || fsync(fd) != 0) {
			fprintf(stderr, "secure-signer keys export-keystore: cannot write %s: %s\n", o->out,
				strerror(errno));
			rc = 1;
		}
		if (fd >= 0)
			close(fd);
	} else {
		printf("%s\n", json);
	}
	free(json);
	return rc;
}

int cli_cmd_keys(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	static const char *const subs[] = { "list", "import", "generate", "delete",
					    "export-keystore", "proxy" };
	bool known = false;
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		known = known || strcmp(sub, subs[i]) == 0;
	if (!known) {
		fprintf(stderr, "secure-signer keys: unknown subcommand '%s'\n\n", sub);
		usage(stderr);
		return 2;
	}
	keys_opts o;
	const char *args[2];
	int nargs = 0;
	int rc = parse(argc - 2, argv + 2, sub, &o, args, &nargs);
	if (rc >= 0)
		return rc;
	bool needs_pubkey = strcmp(sub, "delete") == 0 || strcmp(sub, "export-keystore") == 0;
	bool proxy = strcmp(sub, "proxy") == 0;
	if (proxy ? (nargs < 1 || nargs > 2) : nargs != (needs_pubkey ? 1 : 0)) {
		fprintf(stderr, "secure-signer keys %s: %s\n", sub,
			needs_pubkey ? "expected one PUBKEY argument" : "unexpected argument");
		cli_common_args_free(&o.common);
		return 2;
	}
	if (strcmp(sub, "export-keystore") == 0) {
		if (!o.allow_export) {
			fprintf(stderr, "secure-signer keys export-keystore: refused: exporting takes the key out of the signer's protection; pass --allow-key-export to confirm\n");
			cli_common_args_free(&o.common);
			return 2;
		}
		if (!o.password_file) {
			fprintf(stderr, "secure-signer keys export-keystore: --password-file is required\n");
			cli_common_args_free(&o.common);
			return 2;
		}
	}
	/* --data-dir, SECURE_SIGNER_DATA_DIR, --config-file, default: as `run` finds it */
	char prog[64];
	snprintf(prog, sizeof prog, "secure-signer keys %s", sub);
	run_config cfg;
	if (cli_common_resolve(&cfg, prog, &o.common) != 0) {
		run_config_free(&cfg);
		return 2;
	}
	o.data_dir = cfg.data_dir;
	datadir dd;
	keys_store *ks = NULL;
	/* list and proxy list read an existing data directory read-only, beside a running
	 * signer; a missing one is created by the locked path as before */
	bool reader = strcmp(sub, "list") == 0 || (proxy && strcmp(args[0], "list") == 0);
	rc = open_all(&o, sub, &dd, &ks, reader && is_dir(o.data_dir));
	if (rc >= 0) {
		run_config_free(&cfg);
		return rc;
	}
	bool lifecycle = strcmp(sub, "generate") == 0 || strcmp(sub, "import") == 0 ||
			 strcmp(sub, "delete") == 0;
	slash_db *db = NULL;
	signer_km *km = NULL;
	if (lifecycle) {
		rc = open_slashing(&cfg, prog, &dd, &db);
		if (rc < 0 && signer_km_new(&km, ks, db) != SS_OK) {
			fprintf(stderr, "secure-signer keys %s: out of memory\n", sub);
			rc = 1;
		}
	}
	if (rc >= 0)
		; /* the slashing store could not be opened: nothing was changed */
	else if (strcmp(sub, "list") == 0)
		rc = cmd_list(ks, o.format_json);
	else if (proxy)
		rc = cli_keys_proxy(ks, nargs, args);
	else if (strcmp(sub, "generate") == 0)
		rc = cmd_generate(km, &o);
	else if (strcmp(sub, "import") == 0)
		rc = cmd_import(km, &o);
	else if (strcmp(sub, "delete") == 0)
		rc = cmd_delete(km, args[0]);
	else
		rc = cmd_export(ks, &o, args[0]);
	signer_km_free(km);
	if (db)
		slash_close(db);
	keys_store_close(ks);
	datadir_close(&dd);
	run_config_free(&cfg);
	return rc;
}
