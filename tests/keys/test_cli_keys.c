/* `secure-signer keys …` run as a program on temporary data directories: every
 * subcommand, --help, the refusal while another process holds the data directory, and
 * export only with --allow-key-export. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "crypto/bls.h"
#include "keys/keys_internal.h"
#include "keys/keystore.h"
#include "keys_test_util.h"
#include "test.h"
#include "util/datadir.h"
#include "util/hex.h"

#ifndef SS_SECURE_SIGNER_BIN
#error "SS_SECURE_SIGNER_BIN must be defined by the build"
#endif

static char out_buf[1 << 16];

/* Runs the binary with a shell-quoted argument string; stdout in out_buf, stderr
 * appended after a "\n--stderr--\n" marker. Returns the exit status. */
__attribute__((format(printf, 1, 2))) static int run(const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "%s %s 2>/tmp/ss-cli-keys-stderr.$$; rc=$?; echo '--stderr--'; cat /tmp/ss-cli-keys-stderr.$$; rm -f /tmp/ss-cli-keys-stderr.$$; exit $rc",
		 SS_SECURE_SIGNER_BIN, args);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out_buf, 1, sizeof out_buf - 1, p) : 0;
	out_buf[n] = '\0';
	int st = p ? pclose(p) : -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int count_lines_before_stderr(void)
{
	int n = 0;
	for (char *p = out_buf; *p && strncmp(p, "--stderr--", 10) != 0; p = strchr(p, '\n') + 1) {
		n++;
		if (!strchr(p, '\n'))
			break;
	}
	return n;
}

TEST(cli_generate_list_delete)
{
	char dir[256];
	kt_tempdir(dir, "cli");
	CHECK(run("keys generate --count 3 --data-dir %s/dd", dir) == 0);
	CHECK(count_lines_before_stderr() == 3);
	char pk[100];
	CHECK(sscanf(out_buf, "%98s", pk) == 1 && strlen(pk) == 98);
	CHECK(run("keys list --data-dir %s/dd", dir) == 0);
	CHECK(count_lines_before_stderr() == 3 && strstr(out_buf, pk) && strstr(out_buf, "generated"));
	CHECK(run("keys delete --data-dir %s/dd %s", dir, pk) == 0);
	CHECK(run("keys list --data-dir %s/dd", dir) == 0);
	CHECK(count_lines_before_stderr() == 2 && !strstr(out_buf, pk));
	CHECK(run("keys delete %s --data-dir %s/dd", pk, dir) == 1);
	CHECK(strstr(out_buf, "no such key") != NULL);
	CHECK(run("keys delete 0x1234 --data-dir %s/dd", dir) == 2);
	CHECK(run("keys generate --data-dir %s/dd", dir) == 2); /* --count missing */
	CHECK(run("keys generate --count 0 --data-dir %s/dd", dir) == 2);
	kt_rmrf(dir);
}

TEST(cli_refuses_locked_data_dir)
{
	char dir[256], dd_path[300];
	kt_tempdir(dir, "cli");
	snprintf(dd_path, sizeof dd_path, "%s/dd", dir);
	datadir dd;
	CHECK(datadir_open(&dd, dd_path) == SS_OK); /* as a running signer would */
	/* list is a reader: it works beside the signer (tests/cli/test_admin_running) */
	CHECK(run("keys list --data-dir %s", dd_path) == 0);
	CHECK(run("keys generate --count 1 --data-dir %s", dd_path) == 1);
	CHECK(strstr(out_buf, "in use") != NULL);
	/* every other subcommand too, before it reads anything else */
	static const char zero_pk[] = "0x"
		"000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000";
	CHECK(run("keys import --keystore %s/none.json --password-file %s/none.txt --data-dir %s",
		  dir, dir, dd_path) == 1);
	CHECK(strstr(out_buf, "in use") != NULL);
	CHECK(run("keys delete %s --data-dir %s", zero_pk, dd_path) == 1);
	CHECK(strstr(out_buf, "in use") != NULL);
	CHECK(run("keys export-keystore %s --allow-key-export --password-file %s/none.txt --data-dir %s",
		  zero_pk, dir, dd_path) == 1);
	CHECK(strstr(out_buf, "in use") != NULL);
	datadir_close(&dd);
	CHECK(run("keys list --data-dir %s", dd_path) == 0);
	kt_rmrf(dir);
}

TEST(cli_export_requires_flag_and_round_trips)
{
	char dir[256];
	kt_tempdir(dir, "cli");
	CHECK(run("keys generate --count 1 --data-dir %s/dd", dir) == 0);
	char pk[100];
	CHECK(sscanf(out_buf, "%98s", pk) == 1);
	kt_writef(dir, "pw.txt", "export pässword\n");
	CHECK(run("keys export-keystore %s --data-dir %s/dd --password-file %s/pw.txt", pk, dir, dir) == 2);
	CHECK(strstr(out_buf, "--allow-key-export") != NULL);
	CHECK(run("keys export-keystore %s --data-dir %s/dd --password-file %s/pw.txt --allow-key-export --pbkdf2 --out %s/k.json",
		  pk, dir, dir, dir) == 0);
	char p[400];
	snprintf(p, sizeof p, "%s/k.json", dir);
	struct stat st;
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* the exported keystore decrypts to the key of pk */
	size_t len;
	char *json = test_read_file(p, &len);
	keys_keystore ks;
	keys_error err;
	uint8_t secret[32], got[48], want[48];
	bls_init();
	CHECK(json && keys_keystore_parse(&ks, json, len, &err) == SS_OK);
	CHECK(keys_keystore_decrypt(&ks, "export pässword", strlen("export pässword"), secret, &err) == SS_OK);
	CHECK(keys_secret_to_pubkey(got, secret) == SS_OK);
	CHECK(hex_decode(want, 48, pk, strlen(pk), HEX_PREFIX_OPTIONAL) == SS_OK);
	CHECK_MEM(got, want, 48);
	free(json);
	/* it imports into another data directory as the same key */
	CHECK(run("keys import --keystore %s/k.json --password-file %s/pw.txt --data-dir %s/dd2", dir, dir, dir) == 0);
	CHECK(strstr(out_buf, "imported") && strstr(out_buf, pk));
	CHECK(run("keys import --keystore %s/k.json --password-file %s/pw.txt --data-dir %s/dd2", dir, dir, dir) == 0);
	CHECK(strstr(out_buf, "duplicate") != NULL);
	/* refuses to overwrite */
	CHECK(run("keys export-keystore %s --data-dir %s/dd --password-file %s/pw.txt --allow-key-export --pbkdf2 --out %s/k.json",
		  pk, dir, dir, dir) == 1);
	kt_rmrf(dir);
}

TEST(cli_import_directory)
{
	char dir[256], ksd[300], pwd[300];
	kt_tempdir(dir, "cli");
	snprintf(ksd, sizeof ksd, "%s/ks", dir);
	snprintf(pwd, sizeof pwd, "%s/pw", dir);
	mkdir(ksd, 0700);
	mkdir(pwd, 0700);
	bls_init();
	for (int i = 0; i < 3; i++) {
		uint8_t s[32] = { 0x22, (uint8_t)i, 7 }, pk[48];
		CHECK(keys_secret_to_pubkey(pk, s) == SS_OK);
		keys_kdf_params kdf = { false, 1024, 0 };
		char *json = NULL, name[32], pw[32];
		keys_error err;
		snprintf(pw, sizeof pw, "password-%d", i);
		CHECK(keys_keystore_encrypt(&json, s, pk, NULL, pw, strlen(pw), &kdf, &err) == SS_OK);
		snprintf(name, sizeof name, "k%d.json", i);
		kt_writef(ksd, name, json);
		snprintf(name, sizeof name, "k%d.txt", i);
		kt_writef(pwd, name, i == 2 ? "wrong" : pw);
		free(json);
	}
	CHECK(run("keys import --keystore %s --password-file %s --data-dir %s/dd", ksd, pwd, dir) == 1);
	CHECK(strstr(out_buf, "imported") && strstr(out_buf, "error k2.json: checksum mismatch"));
	CHECK(strstr(out_buf, "2 imported, 0 duplicate, 1 failed") != NULL);
	CHECK(run("keys list --data-dir %s/dd", dir) == 0 && count_lines_before_stderr() == 2);
	/* a keystore without its password file, sorted last: skipped with the reason, the
	 * others still imported (this once freed the keystore's buffer twice) */
	kt_writef(ksd, "z.json", "{}");
	CHECK(run("keys import --keystore %s --password-file %s --data-dir %s/dd", ksd, pwd, dir) == 1);
	CHECK_MSG(strstr(out_buf, "skipped z.json: no password file") &&
		  strstr(out_buf, "0 imported, 2 duplicate, 1 failed, 1 skipped"), "%s", out_buf);
	kt_rmrf(dir);
}

TEST(cli_data_dir_from_environment)
{
	char dir[256];
	kt_tempdir(dir, "cli");
	CHECK(run("keys generate --count 2 --data-dir %s/dd", dir) == 0);
	CHECK(run("keys list --data-dir %s/dd", dir) == 0 && count_lines_before_stderr() == 2);
	char env[400];
	snprintf(env, sizeof env, "%s/dd", dir);
	setenv("SECURE_SIGNER_DATA_DIR", env, 1);
	CHECK(run("keys list") == 0 && count_lines_before_stderr() == 2);
	/* a KEK file from the environment that does not exist and may not be created
	 * (the store has keys): refused; the command line overrides it */
	setenv("SECURE_SIGNER_KEK_FILE", "/nonexistent/kek.key", 1);
	CHECK(run("keys list") == 1 && strstr(out_buf, "missing"));
	char kek[400];
	snprintf(kek, sizeof kek, "%s/dd/keys/kek.key", dir);
	CHECK(run("keys list --kek-file %s", kek) == 0 && count_lines_before_stderr() == 2);
	unsetenv("SECURE_SIGNER_KEK_FILE");
	unsetenv("SECURE_SIGNER_DATA_DIR");
	kt_rmrf(dir);
}

TEST(cli_help_and_usage_errors)
{
	static const char *const subs[] = { "list", "import", "generate", "delete",
					    "export-keystore" };
	CHECK(run("keys --help") == 0 && strstr(out_buf, "export-keystore"));
	for (size_t i = 0; i < 5; i++) {
		CHECK(run("keys %s --help", subs[i]) == 0);
		CHECK(strstr(out_buf, "Usage: secure-signer keys") && strstr(out_buf, "--data-dir"));
	}
	CHECK(run("keys") == 2);
	CHECK(run("keys frobnicate") == 2 && strstr(out_buf, "unknown subcommand"));
	CHECK(run("keys list --bogus") == 2 && strstr(out_buf, "--bogus"));
	CHECK(run("keys list --kek-file a --kek-passphrase-env B") == 2);
}
