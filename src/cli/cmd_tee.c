/* `secure-signer tee info`: where this signer would run (issue 11 §5) — opens the TEE
 * provider the way `run --tee` does and prints its description as one JSON object
 * (tee_info_json: platform, provider, simulated, measurement, signer, debug,
 * can_attest, can_seal, versions, note). The same object is in /healthcheck under
 * "tee". Exit status 0, 1 when the provider cannot be opened, 2 usage error. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "tee/tee_provider.h"
#include "util/datadir.h"


enum { T_TEE = 1, T_DATA_PATH };

static const cli_opt tee_table[] = {
	{ "tee", T_TEE, true, "NAME",
	  "auto (default: detect gramine, occlum, tsm; else none), none, gramine, occlum, tsm or "
	  "sim (env SECURE_SIGNER_TEE)" },
	{ "data-path", T_DATA_PATH, true, "DIR", "a synonym of --data-dir (sim keeps its key chain there)" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: secure-signer tee info [--tee NAME] [--data-dir DIR]\n"
		"\n"
		"Opens the TEE provider and prints, as JSON, the platform, the provider, whether\n"
		"it is simulated, the measurement (MRENCLAVE, MRTD or SNP measurement), the\n"
		"signer, debug mode, whether evidence and sealing are available, versions and a\n"
		"note on what is unavailable.\n"
		"\n"
		"Options:\n");
	cli_opts_help(out, tee_table, sizeof tee_table / sizeof tee_table[0]);
	fprintf(out, "  %-30s %s\n\n%s", "-h, --help", "show this help", CLI_COMMON_HELP);
}

typedef struct {
	const char *tee;
	cli_common_args *common;
} info_opts;

static bool on_opt(void *ctx, int id, const char *v)
{
	info_opts *o = ctx;
	if (id == T_TEE)
		o->tee = v;
	else
		cli_common_take(o->common, CLI_OPT_DATA_DIR, v);
	return true;
}

static int info(int argc, char **argv)
{
	static const char prog[] = "secure-signer tee info";
	cli_common_args common = { 0 };
	info_opts opts = { .tee = getenv("SECURE_SIGNER_TEE"), .common = &common };
	const char *pos[1];
	int n_pos = 0;
	bool help = false;
	int rc = cli_opts_parse(prog, tee_table, sizeof tee_table / sizeof tee_table[0], argc - 1,
				argv + 1, on_opt, &opts, &common, pos, 0, &n_pos, &help);
	if (rc >= 0 || help) {
		cli_common_args_free(&common);
		if (help)
			usage(stdout);
		return help ? 0 : rc;
	}
	const char *name = opts.tee && *opts.tee ? opts.tee : "auto";
	/* the data directory as `run` finds it (--data-dir, SECURE_SIGNER_DATA_DIR,
	 * --config-file, default) */
	run_config cfg;
	if (cli_common_resolve(&cfg, prog, &common) != 0) {
		run_config_free(&cfg);
		return 2;
	}
	const char *dir = cfg.data_dir;
	tee_open_options o = { .root = getenv("SECURE_SIGNER_TEE_ROOT"), .data_dir = dir };
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	ss_err e = tee_provider_open(name, &o, &p, why);
	if (e != SS_OK) {
		fprintf(stderr, "secure-signer tee info: --tee %s: %s\n", name, why);
		run_config_free(&cfg);
		return tee_provider_known(name) ? 1 : 2;
	}
	tee_info ti;
	tee_provider_info(p, &ti);
	json_t *j = tee_info_json(&ti);
	char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	rc = 1;
	if (s != NULL) {
		puts(s);
		rc = fflush(stdout) == 0 ? 0 : 1;
	}
	free(s);
	json_decref(j);
	tee_provider_close(p);
	run_config_free(&cfg);
	return rc;
}

int cli_cmd_tee(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "info") == 0)
		return info(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
