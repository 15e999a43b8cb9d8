/* The offline commands share one option parser (cli/common_options.c cli_opts_parse,
 * issue 15 §1): the same syntax and messages everywhere, and --logging /
 * --logging-format (issue 15 §4) on every one of them, run as an operator runs them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signer_proc.h"
#include "test.h"

static char out[1 << 16];

/* Every offline command, as words before the options. */
static const char *const commands[][3] = {
	{ "keys", "list", NULL },
	{ "keys", "import", NULL },
	{ "slashing", "export", NULL },
	{ "signing-root", NULL, NULL },
	{ "evidence", "verify", NULL },
	{ "tee", "info", NULL },
	{ "client", "keygen", NULL },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* commands[i] followed by the NULL-terminated extra words. */
static int run(size_t i, const char *const *extra)
{
	const char *args[16];
	int n = 0;
	for (int k = 0; k < 2 && commands[i][k]; k++)
		args[n++] = commands[i][k];
	for (int k = 0; extra[k] && n < 15; k++)
		args[n++] = extra[k];
	args[n] = NULL;
	return sp_run_cli(args, NULL, out, sizeof out);
}

TEST(logging_options_are_taken_by_every_command)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *ok[] = { "--logging=DEBUG", "--logging-format", "json", "--help", NULL };
		CHECK_MSG(run(i, ok) == 0, "%s %s: %s", commands[i][0], commands[i][1], out);
		const char *alias[] = { "--log-level", "warn", "--help", NULL };
		CHECK_MSG(run(i, alias) == 0, "%s %s: %s", commands[i][0], commands[i][1], out);
		const char *bad_level[] = { "--logging=LOUD", NULL };
		CHECK_MSG(run(i, bad_level) == 2 && strstr(out, "--logging must be OFF, FATAL") != NULL,
			  "%s %s: %s", commands[i][0], commands[i][1], out);
		const char *bad_format[] = { "--logging-format=xml", NULL };
		CHECK_MSG(run(i, bad_format) == 2 &&
				  strstr(out, "--logging-format must be plain or json") != NULL,
			  "%s %s: %s", commands[i][0], commands[i][1], out);
		const char *no_value[] = { "--logging", NULL };
		CHECK_MSG(run(i, no_value) == 2 && strstr(out, "--logging needs a value") != NULL,
			  "%s %s: %s", commands[i][0], commands[i][1], out);
	}
}

TEST(unknown_options_get_the_same_message_everywhere)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *bogus[] = { "--bogus=1", NULL };
		CHECK_MSG(run(i, bogus) == 2 && strstr(out, "unknown option '--bogus=1' (see --help)"),
			  "%s %s: %s", commands[i][0], commands[i][1], out);
	}
	/* The shared options belong to the commands that open a data directory; the
	 * verifier and the client refuse them rather than ignore them. */
	const char *dd[] = { "--data-dir", "/tmp", NULL };
	CHECK(run(4, dd) == 2 && strstr(out, "unknown option '--data-dir'"));
	CHECK(run(6, dd) == 2 && strstr(out, "unknown option '--data-dir'"));
}

TEST(logging_level_and_format_apply)
{
	char dir[] = "/tmp/ss-offline-opts-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	/* The sim provider warns loudly when it opens: the warning comes as a JSON line
	 * with --logging-format json, and not at all with --logging ERROR. */
	const char *json[] = { "tee", "info", "--tee", "sim", "--data-dir", dir,
			       "--logging-format=json", NULL };
	CHECK_MSG(sp_run_cli(json, NULL, out, sizeof out) == 0, "%s", out);
	CHECK_MSG(strstr(out, "\"level\":\"WARN\"") != NULL && strstr(out, "\"simulated\": true"),
		  "%s", out);
	const char *quiet[] = { "tee", "info", "--tee", "sim", "--data-path", dir, "--logging",
				"ERROR", NULL };
	CHECK_MSG(sp_run_cli(quiet, NULL, out, sizeof out) == 0, "%s", out);
	CHECK_MSG(strstr(out, "WARN") == NULL && strstr(out, "\"simulated\": true"), "%s", out);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}
