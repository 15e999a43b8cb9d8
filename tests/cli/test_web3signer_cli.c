/* Web3Signer's command line, environment and config file given to the secure-signer
 * binary as an operator switching binaries would give them (cli/web3signer_compat.h):
 * it starts and signs with slashing protection; WEB3SIGNER_* variables and the YAML
 * file are read in Web3Signer's precedence; options we cannot honour stop the start
 * naming themselves, options done differently warn once; eth2 export, import and
 * watermark-repair reach the slashing store; --data-path keeps Web3Signer's meaning. */
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "cli_proc.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"

/* A key and its public key (tests/api/test_oom.c uses the same derivation). */
static const char SK[] = "0x2a2f34393e43484d52575c61666b70757a7f84898e93989da2a7acb1b6bbc0c5";
static const char PK[] = "0x9807e808d7d2456d0cb6ed9b6421b82c0f6d7e7af0273ddcc50a04d57b5c4bde3ce53ae460b1579d354376b59f822ca2";

static int sign(uint16_t port, const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", PK);
	hc_response r;
	int st = hc_request(port, "POST", path, NULL, body, strlen(body), &r);
	hc_free(&r);
	return st;
}

TEST(web3signer_command_line_starts_and_signs)
{
	signer_proc d;
	if (!sp_init(&d) || !sp_add_raw_key(&d, "k", SK)) {
		CHECK(0);
		return;
	}
	char ports_dir[400], kp[320], dp[420], dd[420], log[420];
	snprintf(ports_dir, sizeof ports_dir, "%s/w3s", d.dir);
	mkdir(ports_dir, 0700);
	snprintf(kp, sizeof kp, "--key-store-path=%s", d.key_dir);
	snprintf(dp, sizeof dp, "--data-path=%s", ports_dir);
	snprintf(dd, sizeof dd, "SECURE_SIGNER_DATA_DIR=%s", d.data_dir);
	snprintf(log, sizeof log, "%s/signer.log", d.dir);
	/* Web3Signer's documented form: global options, eth2, eth2 options */
	char *argv[] = { "web3signer", kp, "--http-listen-port", "0", "-l", "INFO", dp,
			 "--metrics-enabled=false", "eth2", "--network=mainnet",
			 "--slashing-protection-enabled", "true",
			 "--slashing-protection-pruning-epochs-to-keep=100",
			 "--key-manager-api-enabled=false", NULL };
	const char *env[] = { dd, NULL };
	proc p;
	CHECK(spawn(&p, d.dir, log, argv, env));
	if (!wait_ports(&p, ports_dir)) {
		CHECK_MSG(0, "did not start; log %s", log);
		stop(&p);
		sp_cleanup(&d);
		return;
	}
	char body[2048];
	sb_aggregation_slot(body, sizeof body, 77);
	CHECK_EQ_U64(sign(p.port, body), 200);
	/* slashing protection is on: a double vote is refused */
	sb_attestation(body, sizeof body, 5, 6, 1);
	CHECK_EQ_U64(sign(p.port, body), 200);
	sb_attestation(body, sizeof body, 5, 6, 2);
	CHECK_EQ_U64(sign(p.port, body), 412);
	/* without a database URL Web3Signer would not start; we say what we use instead */
	CHECK(count_in(log, "no --slashing-protection-db-url") == 1);
	stop(&p);
	/* the data directory came from SECURE_SIGNER_DATA_DIR, not --data-path */
	char sq[500];
	snprintf(sq, sizeof sq, "%s/slashing.sqlite", d.data_dir);
	CHECK(access(sq, F_OK) == 0);
	snprintf(sq, sizeof sq, "%s/slashing.sqlite", ports_dir);
	CHECK(access(sq, F_OK) != 0);
	sp_cleanup(&d);
}

TEST(web3signer_environment_and_config_file)
{
	signer_proc d;
	if (!sp_init(&d) || !sp_add_raw_key(&d, "k", SK)) {
		CHECK(0);
		return;
	}
	char ports_dir[400], cfg[420], text[2048], dd[420], log[420], cf[440];
	snprintf(ports_dir, sizeof ports_dir, "%s/w3s", d.dir);
	mkdir(ports_dir, 0700);
	snprintf(cfg, sizeof cfg, "%s/config.yaml", d.dir);
	/* Web3Signer's config file: flat keys, eth2. before eth2 options, a list. The host
	 * allow-list here refuses our requests: the environment below must win over it. */
	snprintf(text, sizeof text,
		 "http-listen-port: 0\n"
		 "http-host-allowlist: [\"nothing.example\"]\n"
		 "key-store-path: \"%s\"\n"
		 "data-path: \"%s\"\n"
		 "logging: \"INFO\"\n"
		 "eth2.network: \"mainnet\"\n"
		 "eth2.slashing-protection-pruning-at-boot-enabled: true\n"
		 "eth2.slashing-protection-pruning-epochs-to-keep: 100\n",
		 d.key_dir, ports_dir);
	CHECK(test_write_text(cfg, text));
	snprintf(dd, sizeof dd, "SECURE_SIGNER_DATA_DIR=%s", d.data_dir);
	snprintf(log, sizeof log, "%s/signer.log", d.dir);
	snprintf(cf, sizeof cf, "--config-file=%s", cfg);
	const char *env[] = { dd, "WEB3SIGNER_HTTP_HOST_ALLOWLIST=localhost,127.0.0.1",
			      "WEB3SIGNER_LOGGING=DEBUG",
			      "WEB3SIGNER_ETH2_SLASHING_PROTECTION_PRUNING_INTERVAL=24",
			      "WEB3SIGNER_NOT_AN_OPTION=1", NULL };
	char *argv[] = { "web3signer", cf, "eth2", NULL };
	proc p;
	CHECK(spawn(&p, d.dir, log, argv, env));
	if (!wait_ports(&p, ports_dir)) {
		CHECK_MSG(0, "did not start; log %s", log);
		stop(&p);
		sp_cleanup(&d);
		return;
	}
	char body[2048];
	sb_aggregation_slot(body, sizeof body, 78);
	CHECK_EQ_U64(sign(p.port, body), 200); /* the environment's allow-list won */
	stop(&p);
	CHECK(count_in(log, " DEBUG ") > 0);          /* WEB3SIGNER_LOGGING over the file */
	CHECK(count_in(log, "slashing: pruned") == 1); /* at boot, from the file */
	CHECK(count_in(log, "WEB3SIGNER_NOT_AN_OPTION") == 1); /* named, not silent */
	sp_cleanup(&d);
}

/* Runs a command line expected to stop before listening: its exit status and log. */
static int run_refused(const signer_proc *d, char *const *argv, const char *const *env,
		       char log[420])
{
	snprintf(log, 420, "%s/refused.log", d->dir);
	proc p;
	if (!spawn(&p, d->dir, log, argv, env))
		return -1;
	return wait_exit(&p);
}

TEST(web3signer_options_we_cannot_honour_stop_the_start)
{
	signer_proc d;
	if (!sp_init(&d)) {
		CHECK(0);
		return;
	}
	char log[420];
	static const struct {
		const char *arg, *env, *named;
	} cases[] = {
		{ "--aws-secrets-enabled=true", NULL, "--aws-secrets-enabled" },
		{ "--azure-vault-name=v", NULL, "--azure-vault-name" },
		{ "--metrics-push-enabled", NULL, "--metrics-push-enabled" },
		{ "--tls-allow-ca-clients=true", NULL, "--tls-allow-ca-clients" },
		{ "--swagger-ui-enabled", NULL, "--swagger-ui-enabled" },
		{ "--commit-boost-api-enabled=true", NULL, "--commit-boost-api-enabled" },
		{ "--Xnetwork-fulu-fork-epoch=1", NULL, "--Xnetwork-fulu-fork-epoch" },
		{ "--no-such-option", NULL, "--no-such-option" },
		{ "--logging=LOUD", NULL, "LOUD" },
		{ NULL, "WEB3SIGNER_ETH2_GCP_SECRETS_ENABLED=true", "--gcp-secrets-enabled" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[] = { "web3signer", "eth2", (char *)cases[i].arg, NULL };
		const char *env[] = { cases[i].env, NULL };
		int st = run_refused(&d, argv, env, log);
		CHECK_MSG(st == 2, "%s: exit %d", cases[i].named, st);
		CHECK_MSG(count_in(log, cases[i].named) >= 1, "%s not named", cases[i].named);
		CHECK_MSG(count_in(log, "listening") == 0, "%s: it listened", cases[i].named);
	}
	/* disabled, a cloud vault is harmless: no refusal for it (the unknown option after
	 * it is what stops this start) */
	char *off[] = { "web3signer", "eth2", "--aws-secrets-enabled=false", "--stop-here", NULL };
	CHECK_EQ_U64(run_refused(&d, off, NULL, log), 2);
	CHECK(count_in(log, "aws") == 0 && count_in(log, "--stop-here") == 1);
	/* done differently: accepted, one warning however often it is given */
	char *warn[] = { "web3signer", "--vertx-worker-pool-size=20", "--vertx-worker-pool-size",
			 "30", "eth2", "--stop-here", NULL };
	CHECK_EQ_U64(run_refused(&d, warn, NULL, log), 2);
	CHECK(count_in(log, "--vertx-worker-pool-size is accepted but ignored") == 1);
	/* Secure-Signer serves Web3Signer's eth2 mode only */
	char *eth1[] = { "web3signer", "--http-listen-port=0", "eth1", NULL };
	CHECK_EQ_U64(run_refused(&d, eth1, NULL, log), 2);
	CHECK(count_in(log, "eth1") >= 1);
	sp_cleanup(&d);
}

TEST(web3signer_export_import_and_watermark_repair)
{
	signer_proc d;
	if (!sp_init(&d)) {
		CHECK(0);
		return;
	}
	char dd[420], in[420], out[420], from[440], to[440], log[420], text[1024];
	snprintf(dd, sizeof dd, "SECURE_SIGNER_DATA_DIR=%s", d.data_dir);
	snprintf(in, sizeof in, "%s/in.json", d.dir);
	snprintf(out, sizeof out, "%s/out.json", d.dir);
	snprintf(text, sizeof text,
		 "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":"
		 "\"%s\"},\"data\":[{\"pubkey\":\"%s\",\"signed_blocks\":[{\"slot\":\"81\"}],"
		 "\"signed_attestations\":[{\"source_epoch\":\"2\",\"target_epoch\":\"3\"}]}]}",
		 SB_GVR, PK);
	CHECK(test_write_text(in, text));
	snprintf(from, sizeof from, "--from=%s", in);
	snprintf(to, sizeof to, "--to=%s", out);
	const char *env[] = { dd, NULL };
	char *imp[] = { "web3signer", "eth2", "--network=mainnet", "import", from, NULL };
	CHECK_EQ_U64(run_refused(&d, imp, env, log), 0);
	char *exp[] = { "web3signer", "eth2", "export", to, NULL };
	CHECK_EQ_U64(run_refused(&d, exp, env, log), 0);
	CHECK(count_in(out, PK) == 1 && count_in(out, "\"81\"") == 1);
	/* watermark-repair --set-high-watermark, then --remove-high-watermark */
	char *set[] = { "web3signer", "eth2", "watermark-repair", "--set-high-watermark=true",
			"--epoch=900", "--slot=28800", NULL };
	CHECK_EQ_U64(run_refused(&d, set, env, log), 0);
	char getlog[420];
	snprintf(getlog, sizeof getlog, "%s/get.log", d.dir);
	char *get[] = { "secure-signer", "slashing", "watermark", "get", NULL };
	proc p;
	CHECK(spawn(&p, d.dir, getlog, get, env));
	CHECK_EQ_U64(wait_exit(&p), 0);
	CHECK_MSG(count_in(getlog, "900") >= 1 && count_in(getlog, "28800") >= 1,
		  "high watermark not set (see %s)", getlog);
	char *rm[] = { "web3signer", "eth2", "watermark-repair", "--remove-high-watermark=true",
		       NULL };
	CHECK_EQ_U64(run_refused(&d, rm, env, log), 0);
	CHECK(spawn(&p, d.dir, getlog, get, env));
	CHECK_EQ_U64(wait_exit(&p), 0);
	CHECK(count_in(getlog, "28800") == 0);
	/* an export/import option outside its subcommand is a usage error */
	char *stray[] = { "web3signer", "eth2", to, NULL };
	CHECK_EQ_U64(run_refused(&d, stray, env, log), 2);
	sp_cleanup(&d);
}

/* --data-path used to be an alias of --data-dir: pointed at a data directory, it must
 * stop the start rather than open a new, empty slashing database elsewhere. */
TEST(data_path_holding_a_data_directory_is_refused)
{
	signer_proc d;
	if (!sp_init(&d) || !sp_add_raw_key(&d, "k", SK)) {
		CHECK(0);
		return;
	}
	/* make a real data directory with some history */
	char dd[420], log[420], dp[440];
	snprintf(dd, sizeof dd, "SECURE_SIGNER_DATA_DIR=%s", d.data_dir);
	char in[420], from[440], text[1024];
	snprintf(in, sizeof in, "%s/in.json", d.dir);
	snprintf(text, sizeof text,
		 "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":"
		 "\"%s\"},\"data\":[{\"pubkey\":\"%s\",\"signed_blocks\":[],"
		 "\"signed_attestations\":[{\"source_epoch\":\"5\",\"target_epoch\":\"6\"}]}]}",
		 SB_GVR, PK);
	CHECK(test_write_text(in, text));
	snprintf(from, sizeof from, "--from=%s", in);
	const char *env[] = { dd, NULL };
	char *imp[] = { "secure-signer", "slashing", "import", from, NULL };
	CHECK_EQ_U64(run_refused(&d, imp, env, log), 0);
	/* Web3Signer's --data-path at it, no --data-dir: refused, nothing created */
	snprintf(dp, sizeof dp, "--data-path=%s", d.data_dir);
	char *argv[] = { "web3signer", "--http-listen-port=0", dp, "eth2", NULL };
	int st = run_refused(&d, argv, NULL, log);
	CHECK_MSG(st == 1, "exit %d", st);
	CHECK(count_in(log, "pass --data-dir=") == 1);
	char stray[500];
	snprintf(stray, sizeof stray, "%s/secure-signer-data", d.dir);
	CHECK_MSG(access(stray, F_OK) != 0, "an empty data directory was created at %s", stray);
	sp_cleanup(&d);
}

/* Every option reference/web3signer.md names (its sections on the CLI, key sources,
 * slashing protection and metrics) is in the translation table: supported, warned or
 * refused, never unknown. Read through `secure-signer eth2 --help`, which prints the
 * table; a name ending in "-" in the reference is a family (--aws-secrets-...). */
TEST(every_web3signer_option_is_known)
{
	char ref[600];
	snprintf(ref, sizeof ref, "%s/../shared/reference/web3signer.md", SS_SOURCE_DIR);
	FILE *f = fopen(ref, "r");
	if (!f) {
		test_skip("../shared/reference/web3signer.md not found");
		return;
	}
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	signer_proc d;
	if (!sp_init(&d)) {
		CHECK(0);
		return;
	}
	char help_path[420];
	snprintf(help_path, sizeof help_path, "%s/help.txt", d.dir);
	char *argv[] = { "web3signer", "eth2", "--help", NULL };
	proc p;
	CHECK(spawn(&p, d.dir, help_path, argv, NULL));
	CHECK_EQ_U64(wait_exit(&p), 0);
	FILE *h = fopen(help_path, "r");
	static char help[1 << 16];
	size_t hn = h ? fread(help, 1, sizeof help - 1, h) : 0;
	if (h)
		fclose(h);
	help[hn] = '\0';
	unsigned checked = 0;
	for (const char *s = text; (s = strstr(s, "--")) != NULL; s += 2) {
		if (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '-'))
			continue; /* inside a word or a longer dash run */
		size_t len = 0;
		while (isalnum((unsigned char)s[2 + len]) || s[2 + len] == '-')
			len++;
		if (len < 2 || !isalpha((unsigned char)s[2]))
			continue;
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)len, s + 2);
		char want[140];
		bool family = name[len - 1] == '-';
		snprintf(want, sizeof want, "--%s%s", name, family ? "" : " ");
		bool known = strstr(help, want) != NULL;
		/* a member of a family the table refuses as a whole (--aws-*) */
		for (const char *star = help; !known && (star = strstr(star, "*")) != NULL; star++) {
			const char *start = star;
			while (start > help && start[-1] != ' ')
				start--;
			if (start[0] == '-' && start[1] == '-' &&
			    strncmp(start + 2, name, (size_t)(star - start - 2)) == 0)
				known = true;
		}
		CHECK_MSG(known, "--%s (reference/web3signer.md) is not in the table", name);
		checked++;
	}
	CHECK_MSG(checked > 60, "only %u option names found in the reference", checked);
	sp_cleanup(&d);
}
