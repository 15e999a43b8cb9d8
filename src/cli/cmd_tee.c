/* `secure-signer tee info`: where this signer would run (issue 11 §5) — opens the TEE
 * provider the way `run --tee` does and prints its description as one JSON object
 * (tee_info_json: platform, provider, simulated, measurement, signer, debug,
 * can_attest, can_seal, versions, note). The same object is in /healthcheck under
 * "tee". Exit status 0, 1 when the provider cannot be opened, 2 usage error. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "tee/tee_provider.h"
#include "util/datadir.h"

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
		"Options:\n"
		"  --tee NAME        auto (default: detect gramine, occlum, tsm; else none), none,\n"
		"                    gramine, occlum, tsm or sim (env SECURE_SIGNER_TEE)\n"
		"  --data-dir DIR    the data directory (sim keeps its key chain there; env\n"
		"                    SECURE_SIGNER_DATA_DIR, default " DATADIR_DEFAULT ");\n"
		"                    --data-path is accepted as a synonym\n"
		"  -h, --help        show this help\n");
}

static int info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tee", required_argument, NULL, 't' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "data-path", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = getenv("SECURE_SIGNER_TEE"), *dir = getenv("SECURE_SIGNER_DATA_DIR");
	if (name == NULL || !*name)
		name = "auto";
	if (dir == NULL || !*dir)
		dir = DATADIR_DEFAULT;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': name = optarg; break;
		case 'd': dir = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "secure-signer tee info: unknown or incomplete option '%s'\n\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	tee_open_options o = { .root = getenv("SECURE_SIGNER_TEE_ROOT"), .data_dir = dir };
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	ss_err e = tee_provider_open(name, &o, &p, why);
	if (e != SS_OK) {
		fprintf(stderr, "secure-signer tee info: --tee %s: %s\n", name, why);
		return e == SS_ERR_INVALID && strncmp(why, "unknown TEE provider", 20) == 0 ? 2 : 1;
	}
	tee_info ti;
	tee_provider_info(p, &ti);
	json_t *j = tee_info_json(&ti);
	char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	int rc = 1;
	if (s != NULL) {
		puts(s);
		rc = fflush(stdout) == 0 ? 0 : 1;
	}
	free(s);
	json_decref(j);
	tee_provider_close(p);
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
