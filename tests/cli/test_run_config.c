/* `secure-signer run` configuration: defaults, the YAML file, SECURE_SIGNER_* variables
 * and the command line, and their precedence (command line > environment > file >
 * default, as picocli gives Web3Signer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/run_config.h"
#include "tee/tee_provider.h"
#include "test.h"

static char *yaml_file(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/ss-runcfg-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	ssize_t w = write(fd, text, strlen(text));
	close(fd);
	return w == (ssize_t)strlen(text) ? path : NULL;
}

static int load(run_config *c, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return run_config_load(c, argc, argv);
}

TEST(defaults_serve_localhost_9000)
{
	run_config c;
	char *argv[] = { "run", NULL };
	CHECK_EQ_U64(load(&c, argv), 0);
	CHECK(strcmp(c.http_listen_host, "127.0.0.1") == 0);
	CHECK_EQ_U64(c.http_listen_port, 9000);
	CHECK(strcmp(c.http_host_allowlist, "localhost,127.0.0.1") == 0);
	CHECK(c.slashing_protection_enabled);
	CHECK(!c.key_manager_api_enabled && !c.metrics_enabled);
	CHECK_EQ_U64(c.metrics_port, 9001);
	CHECK(strcmp(c.network, "mainnet") == 0);
	CHECK(strcmp(c.data_dir, "./secure-signer-data") == 0);
	CHECK(c.key_config_path == NULL && c.tls_cert_file == NULL);
	run_config_free(&c);
}

TEST(precedence_cli_over_env_over_file)
{
	char *path = yaml_file("http-listen-port: 1111\n"
			       "eth2.network: hoodi\n"
			       "metrics-port: 3333\n"
			       "http-cors-origins: [http://a.example, http://b.example]\n"
			       "key-manager-api-enabled: true\n");
	CHECK(path != NULL);
	if (!path)
		return;
	char arg_file[96];
	snprintf(arg_file, sizeof arg_file, "--config-file=%s", path);
	setenv("SECURE_SIGNER_HTTP_LISTEN_PORT", "2222", 1);
	setenv("SECURE_SIGNER_METRICS_PORT", "4444", 1);
	char *argv[] = { "run", arg_file, "--http-listen-port", "5555", "--metrics-enabled", NULL };
	run_config c;
	CHECK_EQ_U64(load(&c, argv), 0);
	CHECK_EQ_U64(c.http_listen_port, 5555); /* command line beats env and file */
	CHECK_EQ_U64(c.metrics_port, 4444);     /* env beats file */
	CHECK(strcmp(c.network, "hoodi") == 0); /* file beats default, eth2. prefix */
	CHECK(c.key_manager_api_enabled);
	CHECK(c.metrics_enabled);
	CHECK(c.http_cors_origins && strcmp(c.http_cors_origins, "http://a.example,http://b.example") == 0);
	run_config_free(&c);
	unsetenv("SECURE_SIGNER_HTTP_LISTEN_PORT");
	unsetenv("SECURE_SIGNER_METRICS_PORT");
	unlink(path);
}

TEST(aliases_booleans_and_errors)
{
	run_config c;
	char *argv[] = { "run", "--key-store-path=/k", "--enable-key-manager-api",
			 "--slashing-protection-enabled=false", "--data-path", "/d", NULL };
	CHECK_EQ_U64(load(&c, argv), 0);
	CHECK(c.key_config_path && strcmp(c.key_config_path, "/k") == 0);
	CHECK(c.key_manager_api_enabled);
	CHECK(!c.slashing_protection_enabled);
	/* --data-path is Web3Signer's: where web3signer.ports goes, not the data directory */
	CHECK(c.data_path && strcmp(c.data_path, "/d") == 0);
	CHECK(strcmp(c.data_dir, "./secure-signer-data") == 0);
	run_config_free(&c);

	char *help[] = { "run", "--port-typo", "--help", NULL };
	CHECK_EQ_U64(load(&c, help), 2); /* the unknown option comes first */
	run_config_free(&c);
	char *help2[] = { "run", "--help", NULL };
	CHECK_EQ_U64(load(&c, help2), 0);
	CHECK(c.help);
	run_config_free(&c);
	const char *bad[][3] = {
		{ "run", "--http-listen-port=65536", NULL }, { "run", "--http-listen-port=-1", NULL },
		{ "run", "--http-listen-port=", NULL },      { "run", "--metrics-enabled=2", NULL },
		{ "run", "--idle-connection-timeout-seconds=1x", NULL },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_MSG(load(&c, (char **)bad[i]) == 2, "accepted %s", bad[i][1]);
		run_config_free(&c);
	}
	char *path = yaml_file("- a\n- b\n");
	char arg[96];
	snprintf(arg, sizeof arg, "--config-file=%s", path ? path : "/nonexistent");
	char *yaml_list[] = { "run", arg, NULL };
	CHECK_EQ_U64(load(&c, yaml_list), 2);
	run_config_free(&c);
	if (path)
		unlink(path);
	char *missing[] = { "run", "--config-file=/nonexistent/x.yaml", NULL };
	CHECK_EQ_U64(load(&c, missing), 2);
	run_config_free(&c);
}

/* --tee and --kek-source (issue 11): from the file, the environment and the command line
 * like every other option, and the combinations run_config_check refuses. */
TEST(tee_and_kek_source_options)
{
	char *path = yaml_file("tee: sim\nkek-source: tee\n");
	CHECK(path != NULL);
	if (!path)
		return;
	char arg_file[96], err[256];
	snprintf(arg_file, sizeof arg_file, "--config-file=%s", path);
	run_config c;
	char *argv[] = { "run", arg_file, NULL };
	CHECK_EQ_U64(load(&c, argv), 0);
	CHECK(c.tee && strcmp(c.tee, "sim") == 0);
	CHECK(c.kek_source && strcmp(c.kek_source, "tee") == 0);
	CHECK(run_config_check(&c, err, sizeof err));
	run_config_free(&c);
	/* the environment overrides the file, the command line both */
	setenv("SECURE_SIGNER_TEE", "auto", 1);
	CHECK_EQ_U64(load(&c, argv), 0);
	CHECK(strcmp(c.tee, "auto") == 0);
	run_config_free(&c);
	char *argv2[] = { "run", arg_file, "--tee=gramine", NULL };
	CHECK_EQ_U64(load(&c, argv2), 0);
	CHECK(strcmp(c.tee, "gramine") == 0);
	run_config_free(&c);
	unsetenv("SECURE_SIGNER_TEE");
	unlink(path);
	/* defaults: no TEE, the KEK from a file */
	char *argv3[] = { "run", NULL };
	CHECK_EQ_U64(load(&c, argv3), 0);
	CHECK(strcmp(c.tee, "none") == 0 && c.kek_source == NULL);
	run_config_free(&c);
	/* refused combinations */
	const struct {
		char *a, *b, *want;
	} bad[] = {
		{ "--kek-source=tee", "--kek-file=/k", "cannot be combined" },
		{ "--kek-source=tee", "--tee=none", "needs a TEE" },
		{ "--kek-source=file", "--tee=sim", "takes one value" },
		{ "--tee=sgx", "--http-listen-port=1", "--tee must be" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *av[] = { "run", bad[i].a, bad[i].b, NULL };
		CHECK_EQ_U64(load(&c, av), 0);
		CHECK_MSG(!run_config_check(&c, err, sizeof err) && strstr(err, bad[i].want),
			  "case %zu: %s", i, err);
		run_config_free(&c);
	}
}

/* --tee takes the names tee/ knows (tee_provider_known), no list of its own: each name
 * of TEE_PROVIDER_NAMES passes run_config_check and is named by `run --help`, and
 * another is refused with that list. */
TEST(tee_names_are_the_providers)
{
	char *help = NULL;
	size_t help_len = 0;
	FILE *h = open_memstream(&help, &help_len);
	CHECK(h != NULL);
	if (h == NULL)
		return;
	run_config_usage(h);
	fclose(h);
	/* the --tee entry of the help, up to the next option */
	char *tee_help = strstr(help, "  --tee=");
	char *next = tee_help ? strstr(tee_help + 1, "\n  --") : NULL;
	CHECK(tee_help != NULL && next != NULL);
	if (next)
		*next = '\0';
	char names[] = TEE_PROVIDER_NAMES, err[256], *save = NULL;
	int n = 0;
	for (char *name = strtok_r(names, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		if (strcmp(name, "or") == 0)
			continue;
		n++;
		CHECK_MSG(tee_provider_known(name), "%s", name);
		CHECK_MSG(tee_help && strstr(tee_help, name), "run --help does not name --tee %s", name);
		char arg[64];
		snprintf(arg, sizeof arg, "--tee=%s", name);
		char *av[] = { "run", arg, NULL };
		run_config c;
		CHECK_EQ_U64(load(&c, av), 0);
		CHECK_MSG(run_config_check(&c, err, sizeof err), "%s: %s", arg, err);
		run_config_free(&c);
	}
	CHECK_EQ_U64(n, 6);
	free(help);
	char *sgx[] = { "run", "--tee=sgx", NULL };
	run_config c;
	CHECK_EQ_U64(load(&c, sgx), 0);
	CHECK(!tee_provider_known("sgx") && !run_config_check(&c, err, sizeof err));
	CHECK_MSG(strcmp(err, "--tee must be auto, none, gramine, occlum, tsm or sim") == 0, "%s",
		  err);
	run_config_free(&c);
}

/* The Commit-Boost options run_config_check refuses: the v0.2.0 API without its modules
 * file (the legacy dialect has none), and its port equal to the signing port. */
TEST(commit_boost_option_checks)
{
	run_config c;
	char err[256];
	char *no_modules[] = { "run", "--commit-boost-api-enabled", NULL };
	CHECK_EQ_U64(load(&c, no_modules), 0);
	CHECK_MSG(!run_config_check(&c, err, sizeof err) &&
			  strstr(err, "needs --commit-boost-modules-file"), "%s", err);
	run_config_free(&c);
	char *legacy[] = { "run", "--commit-boost-api-enabled", "--commit-boost-legacy-api-enabled",
			   NULL };
	CHECK_EQ_U64(load(&c, legacy), 0);
	CHECK_MSG(run_config_check(&c, err, sizeof err), "%s", err);
	run_config_free(&c);
	char *same_port[] = { "run", "--commit-boost-api-enabled", "--commit-boost-modules-file=/m",
			      "--commit-boost-http-listen-port=9000", NULL };
	CHECK_EQ_U64(load(&c, same_port), 0);
	CHECK_MSG(!run_config_check(&c, err, sizeof err) &&
			  strstr(err, "must differ from --http-listen-port"), "%s", err);
	run_config_free(&c);
	char *own_port[] = { "run", "--commit-boost-api-enabled", "--commit-boost-modules-file=/m",
			     NULL };
	CHECK_EQ_U64(load(&c, own_port), 0);
	CHECK_MSG(run_config_check(&c, err, sizeof err), "%s", err);
	run_config_free(&c);
}
