/* The `secure-signer slashing` CLI on a temporary data directory: every action, its
 * errors, and the refusal while another process holds the directory. The binary is
 * $SS_SLASHING_CLI (the real build/secure-signer works too) or the slashing_cli driver
 * built beside this test. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slash_test_util.h"
#include "test.h"
#include "util/datadir.h"

#ifndef SLASHING_CLI_PATH
#error "SLASHING_CLI_PATH must be defined by the build"
#endif

/* The last run's stdout and stderr, whole (test_read_file), never NULL. */
static char *out_buf, *err_buf;

static const char *cli_binary(void)
{
	const char *bin = getenv("SS_SLASHING_CLI");
	return bin != NULL && *bin != '\0' ? bin : SLASHING_CLI_PATH;
}

/* False (test skipped) when the binary under test has not been built. */
static bool cli_present(void)
{
	if (access(cli_binary(), X_OK) == 0)
		return true;
	test_skip("the CLI binary under test is not built");
	return false;
}

/* The whole file (malloc'ed), or an empty string when it cannot be read. */
static char *read_all(const char *path)
{
	char *t = test_read_file(path, NULL);
	return t ? t : strdup("");
}

/* Runs the CLI with a NULL-terminated argument list; returns its exit code and leaves
 * its stdout/stderr in out_buf/err_buf. */
static int run_cli(const char *dir, const char *first, ...)
{
	const char *bin = cli_binary();
	const char *args[32];
	int n = 0;
	args[n++] = bin;
	args[n++] = "slashing";
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a != NULL && n < 30; a = va_arg(ap, const char *))
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	char out_path[512], err_path[512];
	snprintf(out_path, sizeof out_path, "%s/.out", dir);
	snprintf(err_path, sizeof err_path, "%s/.err", dir);
	pid_t pid = fork();
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(o, 1);
		dup2(e, 2);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	free(out_buf);
	free(err_buf);
	out_buf = read_all(out_path);
	err_buf = read_all(err_path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

#define PK "0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c"
#define PK2 "0xb99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c"
/* mainnet's: the default network binds the store to it */
#define GVR "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95"
static const char *doc =
	"{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":\"" GVR "\"},"
	"\"data\":[{\"pubkey\":\"" PK "\",\"signed_blocks\":[{\"slot\":\"81952\",\"signing_root\":"
	"\"0x4ff6f743a43f3b4f95350831aeaf0a122a1a392922c45d804280284a69eb850b\"}],"
	"\"signed_attestations\":[{\"source_epoch\":\"2290\",\"target_epoch\":\"3007\"}]},"
	"{\"pubkey\":\"" PK2 "\",\"signed_blocks\":[{\"slot\":\"7\"}],\"signed_attestations\":[]}]}";

TEST(cli_help_and_usage_errors)
{
	char dir[256];
	if (!cli_present() || !tdb_mkdir(dir))
		return;
	CHECK(run_cli(dir, "--help", NULL) == 0 && strstr(out_buf, "import") && strstr(out_buf, "watermark"));
	const char *actions[] = { "import", "export", "prune", "watermark" };
	for (int i = 0; i < 4; i++) {
		CHECK_MSG(run_cli(dir, actions[i], "--help", NULL) == 0 && strstr(out_buf, "Usage:"),
			  "%s --help", actions[i]);
		CHECK(strstr(out_buf, actions[i]) != NULL);
	}
	CHECK(run_cli(dir, "frobnicate", NULL) == 2 && strstr(err_buf, "unknown action"));
	CHECK(run_cli(dir, "import", "--data-dir", dir, NULL) == 2 && strstr(err_buf, "--from"));
	CHECK(run_cli(dir, "export", "--data-dir", dir, NULL) == 2 && strstr(err_buf, "--to"));
	CHECK(run_cli(dir, "watermark", "set", "--epoch", "1", "--data-dir", dir, NULL) == 2);
	CHECK(run_cli(dir, "watermark", "--data-dir", dir, NULL) == 2);
	CHECK(run_cli(dir, "prune", "--keep-epochs", "x", "--data-dir", dir, NULL) == 2);
	CHECK(run_cli(dir, "prune", "--keep-epochs", "0", "--data-dir", dir, NULL) == 2);
	CHECK(run_cli(dir, "prune", "--bogus", NULL) == 2);
	tdb_rmdir(dir);
}

TEST(cli_import_export_prune_watermark)
{
	char dir[256], data[300], in[300], out[300], bad[300];
	if (!cli_present() || !tdb_mkdir(dir))
		return;
	snprintf(data, sizeof data, "%s/data", dir);
	snprintf(in, sizeof in, "%s/in.json", dir);
	snprintf(out, sizeof out, "%s/out.json", dir);
	snprintf(bad, sizeof bad, "%s/bad.json", dir);
	CHECK(test_write_text(in, doc));
	/* empty database: bound to the network's root at creation, so it exports no
	 * validator under mainnet's root */
	CHECK_MSG(run_cli(dir, "export", "--to", out, "--data-dir", data, NULL) == 0, "%s", err_buf);
	size_t len;
	char *text = test_read_file(out, &len);
	CHECK(text != NULL && strstr(text, GVR) && !strstr(text, PK));
	free(text);
	CHECK_MSG(run_cli(dir, "import", "--from", in, "--data-dir", data, NULL) == 0, "%s", err_buf);
	CHECK_MSG(run_cli(dir, "export", "--to", out, "--data-dir", data, NULL) == 0, "%s", err_buf);
	text = test_read_file(out, &len);
	CHECK(text != NULL && strstr(text, PK) && strstr(text, PK2) && strstr(text, "\"3007\""));
	free(text);
	CHECK(run_cli(dir, "export", "--to", out, "--pubkeys", PK2, "--data-dir", data, NULL) == 0);
	text = test_read_file(out, &len);
	CHECK(text != NULL && strstr(text, PK2) && !strstr(text, PK));
	free(text);
	CHECK(run_cli(dir, "export", "--to", out, "--pubkeys", "0x12", "--data-dir", data, NULL) == 2);
	/* a bad file: precise error, nothing imported */
	CHECK(test_write_text(bad, "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":\"" GVR
			"\"},\"data\":[{\"pubkey\":\"" PK "\",\"signed_blocks\":[{\"slot\":\"81952\",\"signing_root\":"
			"\"0x0000000000000000000000000000000000000000000000000000000000000001\"}],"
			"\"signed_attestations\":[]}]}"));
	CHECK(run_cli(dir, "import", "--from", bad, "--data-dir", data, NULL) == 1);
	CHECK_MSG(strstr(err_buf, "data[0].signed_blocks[0]") && strstr(err_buf, "nothing was imported"), "%s",
		  err_buf);
	CHECK(run_cli(dir, "import", "--from", "/nonexistent/file", "--data-dir", data, NULL) == 1);
	/* watermark */
	CHECK(run_cli(dir, "watermark", "get", "--data-dir", data, NULL) == 0 && strstr(out_buf, "not set"));
	CHECK(run_cli(dir, "watermark", "set", "--epoch", "100", "--slot", "3200", "--data-dir", data, NULL) == 0);
	CHECK(run_cli(dir, "watermark", "get", "--data-dir", data, NULL) == 0 &&
	      strstr(out_buf, "epoch 100, slot 3200"));
	CHECK(run_cli(dir, "watermark", "clear", "--data-dir", data, NULL) == 0);
	CHECK(run_cli(dir, "watermark", "get", "--data-dir", data, NULL) == 0 && strstr(out_buf, "not set"));
	/* low-watermark repair */
	CHECK(run_cli(dir, "watermark", "repair", "--epoch", "5000", "--data-dir", data, NULL) == 2);
	CHECK(run_cli(dir, "watermark", "repair", "--epoch", "5000", "--slot", "160000", "--pubkeys", "0xzz",
		      "--data-dir", data, NULL) == 2);
	CHECK_MSG(run_cli(dir, "watermark", "repair", "--epoch", "5000", "--slot", "160000", "--data-dir", data,
			  NULL) == 0 && strstr(out_buf, "every validator"),
		  "%s", err_buf);
	/* history below the new floors still imports (it is covered by them) */
	CHECK(run_cli(dir, "import", "--from", in, "--data-dir", data, NULL) == 0);
	/* prune */
	CHECK_MSG(run_cli(dir, "prune", "--keep-epochs", "1", "--data-dir", data, NULL) == 0, "%s", err_buf);
	CHECK(strstr(out_buf, "pruned:") != NULL);
	tdb_rmdir(dir);
}

TEST(cli_refuses_while_directory_locked)
{
	char dir[256], data[300], in[300];
	if (!cli_present() || !tdb_mkdir(dir))
		return;
	snprintf(data, sizeof data, "%s/data", dir);
	snprintf(in, sizeof in, "%s/in.json", dir);
	CHECK(test_write_text(in, doc));
	datadir dd;
	CHECK(datadir_open(&dd, data) == SS_OK); /* as a running signer would */
	CHECK(run_cli(dir, "import", "--from", in, "--data-dir", data, NULL) == 1);
	CHECK_MSG(strstr(err_buf, "in use by a running signer") != NULL, "%s", err_buf);
	CHECK(run_cli(dir, "watermark", "set", "--epoch", "1", "--slot", "1", "--data-dir", data, NULL) == 1);
	CHECK(run_cli(dir, "prune", "--data-dir", data, NULL) == 1);
	datadir_close(&dd);
	/* released: the same commands work, and the refused ones changed nothing */
	CHECK(run_cli(dir, "watermark", "get", "--data-dir", data, NULL) == 0 && strstr(out_buf, "not set"));
	CHECK(run_cli(dir, "import", "--from", in, "--data-dir", data, NULL) == 0);
	tdb_rmdir(dir);
}

/* The store is bound to the configured network's genesis validators root, as `run`
 * binds it: an interchange of another chain is refused, and a store that holds another
 * chain's history is refused by every action, with both roots named and nothing
 * changed. The minimal test network has no known root: its store is bound by the first
 * import, whatever root that carries. */
TEST(cli_store_bound_to_network)
{
	static const char other[] = "0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673";
	char dir[256], data[300], in[300], out[300];
	if (!cli_present() || !tdb_mkdir(dir))
		return;
	snprintf(data, sizeof data, "%s/data", dir);
	snprintf(in, sizeof in, "%s/in.json", dir);
	snprintf(out, sizeof out, "%s/out.json", dir);
	/* the same history under another chain's root */
	char foreign[2048];
	snprintf(foreign, sizeof foreign, "%s", doc);
	char *g = strstr(foreign, GVR);
	CHECK(g != NULL);
	if (g == NULL)
		goto out;
	memcpy(g, other, strlen(other));
	CHECK(test_write_text(in, foreign));
	/* mainnet (the default): another chain's interchange is refused */
	CHECK(run_cli(dir, "import", "--from", in, "--data-dir", data, NULL) == 1);
	CHECK_MSG(strstr(err_buf, "genesis_validators_root") && strstr(err_buf, "nothing was imported"),
		  "%s", err_buf);
	/* a test network without a known root: the import binds the store to its root */
	char data2[320];
	snprintf(data2, sizeof data2, "%s/data2", dir);
	CHECK_MSG(run_cli(dir, "import", "--from", in, "--network", "minimal", "--data-dir", data2, NULL) == 0,
		  "%s", err_buf);
	/* the same store seen as mainnet's: refused, both roots named, nothing written */
	CHECK(run_cli(dir, "watermark", "set", "--epoch", "1", "--slot", "1", "--data-dir", data2, NULL) == 1);
	CHECK_MSG(strstr(err_buf, other) && strstr(err_buf, GVR) && strstr(err_buf, "another chain"), "%s",
		  err_buf);
	CHECK(run_cli(dir, "watermark", "get", "--network", "minimal", "--data-dir", data2, NULL) == 0 &&
	      strstr(out_buf, "not set"));
	/* and as hoodi's, given through the environment `run` reads */
	setenv("SECURE_SIGNER_NETWORK", "hoodi", 1);
	CHECK(run_cli(dir, "export", "--to", out, "--data-dir", data2, NULL) == 1);
	unsetenv("SECURE_SIGNER_NETWORK");
	CHECK_MSG(strstr(err_buf, "0x212f13fc4df078b6cb7db228f1c8307566dcecf900867401a92023d7ba99cb5f") != NULL,
		  "%s", err_buf);
out:
	tdb_rmdir(dir);
}

/* --postgres: the same actions on the shared PostgreSQL store; no data directory, and a
 * locked one is no obstacle. Run by with-postgres.sh; skipped otherwise. */
TEST(cli_postgres)
{
	char dir[256], data[300], in[300], out[300], conninfo[1024];
	if (!cli_present() || !tdb_mkdir(dir))
		return;
	if (!tdb_pg_conninfo(dir, conninfo)) {
		test_skip("SLASH_TEST_PG is not set (tests/slashing/with-postgres.sh sets it)");
		tdb_rmdir(dir);
		return;
	}
	snprintf(data, sizeof data, "%s/data", dir);
	snprintf(in, sizeof in, "%s/in.json", dir);
	snprintf(out, sizeof out, "%s/out.json", dir);
	CHECK(test_write_text(in, doc));
	datadir dd;
	CHECK(datadir_open(&dd, data) == SS_OK);
	CHECK_MSG(run_cli(dir, "import", "--from", in, "--postgres", conninfo, NULL) == 0, "%s", err_buf);
	CHECK_MSG(run_cli(dir, "export", "--to", out, "--postgres", conninfo, NULL) == 0, "%s", err_buf);
	size_t len;
	char *text = test_read_file(out, &len);
	CHECK(text != NULL && strstr(text, PK) && strstr(text, PK2));
	free(text);
	CHECK(run_cli(dir, "watermark", "set", "--epoch", "9", "--slot", "288", "--postgres", conninfo, NULL) == 0);
	CHECK(run_cli(dir, "watermark", "get", "--postgres", conninfo, NULL) == 0 && strstr(out_buf, "epoch 9, slot 288"));
	CHECK(run_cli(dir, "prune", "--postgres", conninfo, NULL) == 0);
	CHECK(run_cli(dir, "import", "--from", in, "--postgres", "host=/nonexistent-socket-dir", NULL) == 1);
	/* the shared store is bound to mainnet's root like the SQLite one: another network
	 * (here through the URL option `run` takes) is refused, both roots named */
	CHECK(run_cli(dir, "watermark", "get", "--network", "hoodi", "--slashing-protection-db-url", conninfo,
		      NULL) == 1);
	CHECK_MSG(strstr(err_buf, GVR) && strstr(err_buf, "another chain"), "%s", err_buf);
	datadir_close(&dd);
	tdb_rmdir(dir);
}
