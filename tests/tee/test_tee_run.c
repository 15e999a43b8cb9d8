/* End to end, the way an operator runs it: `secure-signer run --tee sim --kek-source
 * tee` (issue 11 "Done when"). The signer starts and seals its store to the simulated
 * measurement; a keystore imported over the Keymanager API signs, and still signs after a
 * restart; a restart under another simulated measurement (SECURE_SIGNER_SIM_MRENCLAVE,
 * as a rebuilt enclave would have) stops with a message naming both measurements, loads
 * no key and leaves every file of the data directory byte for byte as it was; the
 * original measurement opens the store again. /healthcheck and /metrics say where the
 * signer runs. A store of file-KEK keys is not re-sealed by a --kek-source tee start. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "signer_proc.h"
#include "tee_run_util.h"
#include "test.h"
#include "vectors.h"

#define BODY(r) ((r).body ? (r).body : "")
#define OTHER_MR "2222222222222222222222222222222222222222222222222222222222222222"
/* SHA-256("secure-signer/tee/sim/mrenclave/v1"), the documented default */
#define DEFAULT_MR "943bd981648e513a43a96b41701031ca26b8242b4e95a3c59af4ee8cac98afe2"

static const char *const SIM_FLAGS[] = { "--tee=sim", "--kek-source=tee",
					 "--key-manager-api-enabled", "--metrics-enabled",
					 "--metrics-port=0", NULL };

TEST(sim_sealed_store_survives_restart_and_refuses_another_measurement)
{
	if (!vectors_require())
		return;
	char *ks = web3signer_keystore();
	if (ks == NULL)
		return;
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	signer_proc p;
	CHECK(sp_init(&p));
	if (!sp_start(&p, SIM_FLAGS)) {
		CHECK_MSG(0, "secure-signer --tee sim did not start (dir %s)", p.dir);
		goto out;
	}
	CHECK(log_has(&p, "TEE SIMULATION"));
	char st[512];
	CHECK_EQ_U64(km_import(&p, ks, "somepassword", st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "import: %s", st);
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 100), 200);
	CHECK_EQ_U64(sign_att(&p, WEB3SIGNER_KEYSTORE_PK, 1, 2, 1), 200);

	/* where it runs: /healthcheck's "tee" and the metrics */
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/healthcheck", NULL, NULL, 0, &r), 200);
	json_t *h = json_loads(BODY(r), 0, NULL);
	json_t *tee = json_object_get(h, "tee");
	CHECK_MSG(json_is_true(json_object_get(tee, "simulated")), "%s", BODY(r));
	CHECK(tee && strcmp(json_string_value(json_object_get(tee, "measurement")), DEFAULT_MR) == 0);
	CHECK(tee && json_is_true(json_object_get(tee, "can_seal")));
	json_decref(h);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(p.metrics_port, "GET", "/metrics", NULL, NULL, 0, &r), 200);
	CHECK_MSG(strstr(BODY(r), "secure_signer_tee_info{platform=\"sim\",provider=\"sim\","
				  "simulated=\"true\"} 1") != NULL, "metrics lack secure_signer_tee_info");
	CHECK(strstr(BODY(r), "secure_signer_tee_debug 0") != NULL);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* the record of what the store is sealed to: platform and measurement, no secret */
	const tee_run_expect sim = { .platform = "sim", .provider = "sim",
				     .measurement = DEFAULT_MR };
	check_seal_record(&p, &sim);

	/* A restart: the store opens with the same sealing key, the key signs. */
	if (!sp_start(&p, SIM_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not restart (dir %s)", p.dir);
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 101), 200);
	CHECK_EQ_U64(sign_att(&p, WEB3SIGNER_KEYSTORE_PK, 2, 3, 1), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* Another measurement: refused at start, naming both, nothing changed. */
	setenv("SECURE_SIGNER_SIM_MRENCLAVE", OTHER_MR, 1);
	check_refused_restart(&p, SIM_FLAGS, NULL, DEFAULT_MR, OTHER_MR);
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");

	/* Without --kek-source tee the sealed store is refused too, not opened with a
	 * file KEK beside it. */
	const char *file_kek[] = { "--tee=sim", NULL };
	CHECK(!sp_start(&p, file_kek));
	CHECK(log_has(&p, "sealed to the TEE"));
	/* --kek-source tee with a KEK file: a configuration error */
	const char *both[] = { "--tee=sim", "--kek-source=tee", "--kek-file=/nonexistent", NULL };
	CHECK(!sp_start(&p, both));
	CHECK(log_has(&p, "--kek-source tee cannot be combined"));

	/* The original measurement opens it again. */
	if (!sp_start(&p, SIM_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not start again with its measurement");
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 102), 200);
	CHECK_EQ_U64(sign_att(&p, WEB3SIGNER_KEYSTORE_PK, 3, 4, 1), 200);
	/* the slashing history survived all of it: a double vote on target 2 is refused */
	CHECK_EQ_U64(sign_att(&p, WEB3SIGNER_KEYSTORE_PK, 1, 2, 7), 412);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	free(ks);
	sp_cleanup(&p);
}

/* Runs `secure-signer keys ...` through the shell with an environment prefix; the exit
 * status, and the output in out. */
static int keys_cli(const char *env, const char *args, char *out, size_t cap)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "%s %s keys %s 2>&1", env, sp_binary(), args);
	FILE *f = popen(cmd, "r");
	size_t n = f ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	int st = f ? pclose(f) : -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* docs/tee.md "Re-sealing on upgrade", done as written: the old build exports the key
 * (keys export-keystore with --kek-source tee), the new build — another measurement —
 * imports it into a new data directory, and signs with it; the old build's store stays
 * closed to the new one. */
TEST(resealing_on_upgrade_moves_keys_to_the_new_measurement)
{
	if (!vectors_require())
		return;
	char *ks = web3signer_keystore();
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	signer_proc old, neu;
	CHECK(sp_init(&old) && sp_init(&neu));
	char st[512], out[8192], args[2048], pw[400], exp[400];
	if (ks == NULL || !sp_start(&old, SIM_FLAGS)) {
		CHECK_MSG(0, "the old signer did not start");
		goto out;
	}
	CHECK_EQ_U64(km_import(&old, ks, "somepassword", st, sizeof st), 200);
	CHECK_EQ_U64(sign_att(&old, WEB3SIGNER_KEYSTORE_PK, 5, 6, 1), 200);
	CHECK_EQ_U64(sp_stop(&old), 0);
	/* 1. the old build exports the key and the history */
	snprintf(pw, sizeof pw, "%s/export.pw", old.dir);
	snprintf(exp, sizeof exp, "%s/export.json", old.dir);
	CHECK(test_write_text(pw, "migration-password\n"));
	snprintf(args, sizeof args, "list --data-dir=%s --tee=sim --kek-source=tee", old.data_dir);
	CHECK_EQ_U64(keys_cli("", args, out, sizeof out), 0);
	CHECK_MSG(strstr(out, WEB3SIGNER_KEYSTORE_PK) != NULL, "keys list: %s", out);
	snprintf(args, sizeof args,
		 "export-keystore %s --allow-key-export --password-file=%s --out=%s --pbkdf2 "
		 "--data-dir=%s --tee=sim --kek-source=tee", WEB3SIGNER_KEYSTORE_PK, pw, exp, old.data_dir);
	CHECK_MSG(keys_cli("", args, out, sizeof out) == 0, "export: %s", out);
	/* the new build cannot read the old store, even offline */
	snprintf(args, sizeof args, "list --data-dir=%s --tee=sim --kek-source=tee", old.data_dir);
	CHECK_EQ_U64(keys_cli("SECURE_SIGNER_SIM_MRENCLAVE=" OTHER_MR, args, out, sizeof out), 1);
	CHECK_MSG(strstr(out, "sealed to measurement") != NULL, "%s", out);
	/* 2-3. the new build on a new data directory imports it (history first: here the
	 * attestation signed above comes with the keystore's interchange via the CLI's
	 * slashing import; a double vote must stay refused) */
	char hist[400];
	snprintf(hist, sizeof hist, "%s/history.json", old.dir);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s slashing export --data-dir=%s --to=%s >/dev/null 2>&1",
		 sp_binary(), old.data_dir, hist);
	CHECK_EQ_U64(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s slashing import --data-dir=%s --from=%s >/dev/null 2>&1",
		 sp_binary(), neu.data_dir, hist);
	CHECK_EQ_U64(system(cmd), 0);
	snprintf(args, sizeof args, "import --keystore=%s --password-file=%s --data-dir=%s "
		 "--tee=sim --kek-source=tee", exp, pw, neu.data_dir);
	CHECK_MSG(keys_cli("SECURE_SIGNER_SIM_MRENCLAVE=" OTHER_MR, args, out, sizeof out) == 0,
		  "import: %s", out);
	/* 4. the new build signs; the history came along */
	setenv("SECURE_SIGNER_SIM_MRENCLAVE", OTHER_MR, 1);
	bool started = sp_start(&neu, SIM_FLAGS);
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	CHECK_MSG(started, "the new signer did not start (dir %s)", neu.dir);
	if (started) {
		CHECK_EQ_U64(sign_slot(&neu, WEB3SIGNER_KEYSTORE_PK, 200), 200);
		CHECK_EQ_U64(sign_att(&neu, WEB3SIGNER_KEYSTORE_PK, 5, 6, 9), 412);
		CHECK_EQ_U64(sign_att(&neu, WEB3SIGNER_KEYSTORE_PK, 6, 7, 1), 200);
		CHECK_EQ_U64(sp_stop(&neu), 0);
	}
out:
	free(ks);
	sp_cleanup(&old);
	sp_cleanup(&neu);
}

/* docs/tee.md: an existing store of file-KEK keys is not silently re-sealed. A start
 * with --kek-source tee on it is refused, naming the way out, and changes no file; the
 * file KEK still opens it. */
TEST(file_kek_store_is_not_resealed)
{
	if (!vectors_require())
		return;
	char *ks = web3signer_keystore();
	if (ks == NULL)
		return;
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	signer_proc p;
	CHECK(sp_init(&p));
	const char *file_kek[] = { "--tee=sim", "--key-manager-api-enabled", NULL };
	char st[512];
	if (!sp_start(&p, file_kek)) {
		CHECK_MSG(0, "secure-signer --tee sim with its file KEK did not start (dir %s)", p.dir);
		goto out;
	}
	CHECK_EQ_U64(km_import(&p, ks, "somepassword", st, sizeof st), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
	snap before = { 0 }, after = { 0 };
	snapshot(p.data_dir, &before);
	CHECK_MSG(!sp_start(&p, SIM_FLAGS), "--kek-source tee started on a file-KEK store");
	CHECK(log_has(&p, "already holds keys sealed with a file"));
	CHECK(log_has(&p, "export-keystore"));
	snapshot(p.data_dir, &after);
	CHECK_MSG(snap_equal(&before, &after),
		  "the data directory changed under a refused start (%zu vs %zu bytes)", before.n,
		  after.n);
	free(before.b);
	free(after.b);
	if (!sp_start(&p, file_kek)) {
		CHECK_MSG(0, "the file KEK no longer opens the store");
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, WEB3SIGNER_KEYSTORE_PK, 300), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	free(ks);
	sp_cleanup(&p);
}

/* --tee none (the default) with --kek-source tee: a clear configuration error. */
TEST(kek_source_tee_needs_a_sealing_tee)
{
	signer_proc p;
	CHECK(sp_init(&p));
	const char *flags[] = { "--kek-source=tee", NULL };
	CHECK(!sp_start(&p, flags));
	CHECK(log_has(&p, "--kek-source tee needs a TEE"));
	const char *bad[] = { "--tee=sgx", NULL };
	CHECK(!sp_start(&p, bad));
	CHECK(log_has(&p, "--tee must be auto, none, gramine, occlum, tsm or sim"));
	sp_cleanup(&p);
}
