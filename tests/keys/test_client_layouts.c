/* Keystore directories as Lighthouse, Lodestar, Nimbus, Teku and Prysm write them
 * (keys/layout.h), end to end: each layout is built in a temporary directory (EIP-2335
 * keystores from keys_keystore_encrypt, Prysm's wallet from tests/keys/prysm_wallet.py,
 * an independent Python writer: no Prysm generator is available to the tests), imported
 * with `secure-signer keys import`, and every imported key then signs over HTTP on the
 * real signer; keys the layout skipped do not. The run's --keystores-layout loads the
 * same directories at start. Unrecognised directories are errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "keys/keys_internal.h"
#include "keys/keystore.h"
#include "keys_test_util.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

#ifndef SS_SOURCE_DIR
#error "SS_SOURCE_DIR must be defined by the build"
#endif

static char out_buf[1 << 16];

/* Runs the binary; stdout, "--stderr--", stderr in out_buf; the exit status. */
#define run(...) sp_run_shell(out_buf, sizeof out_buf, __VA_ARGS__)

typedef struct {
	uint8_t sk[32];
	char pk[2 * 48 + 3]; /* 0x... */
	char *json;
} test_key;

/* A keystore of a fresh key (seed byte i) under password (cheap scrypt). */
static void make_key(test_key *k, int i, const char *password)
{
	memset(k->sk, 0, 32);
	k->sk[0] = 0x31;
	k->sk[1] = (uint8_t)i;
	k->sk[31] = 9;
	uint8_t pk[48];
	CHECK(keys_secret_to_pubkey(pk, k->sk) == SS_OK);
	hex_encode(k->pk, pk, 48, true);
	keys_kdf_params kdf = { false, 1024, 0 };
	keys_error err;
	CHECK(keys_keystore_encrypt(&k->json, k->sk, pk, NULL, password, strlen(password), &kdf,
				    &err) == SS_OK);
}

static void mkdirs(const char *root, const char *rel)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", root, rel);
	CHECK(system(cmd) == 0);
}

/* <root>/<rel> := text */
__attribute__((format(printf, 3, 4))) static void put(const char *root, const char *text,
						      const char *relfmt, ...)
{
	char rel[600], path[1024];
	va_list ap;
	va_start(ap, relfmt);
	vsnprintf(rel, sizeof rel, relfmt, ap);
	va_end(ap);
	snprintf(path, sizeof path, "%s/%s", root, rel);
	kt_write(path, text, strlen(text));
}

/* 200 from POST /api/v1/eth2/sign/<pk> with an AGGREGATION_SLOT (never slashable). */
static int sign(uint16_t port, const char *pk)
{
	char body[4096], path[200];
	sb_aggregation_slot(body, sizeof body, 1000);
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk);
	hc_response r;
	int st = hc_request(port, "POST", path, NULL, body, strlen(body), &r);
	if (st == 200)
		CHECK(strstr(r.body, "0x") != NULL);
	hc_free(&r);
	return st;
}

/* The test's keys: a..b lighthouse, c lodestar, d..e nimbus, f teku, g..h prysm. */
enum { LH_A, LH_B, LS_C, NB_D, NB_E, TK_F, TK_U, PR_G, PR_H, N_KEYS };
static test_key keys[N_KEYS];
static char root[256];
static char lh[300], ls[300], nb[300], tk[300], pr[300];

static void remove_root(void)
{
	kt_rmrf(root);
}

/* Builds every layout once per process (each test may run alone, by name). */
static void build_layouts(void)
{
	if (root[0])
		return;
	bls_init();
	kt_tempdir(root, "layouts");
	atexit(remove_root);
	static const char *const pw[N_KEYS] = { "lh-a", "lh-b", "ls-c", "nb-d", "nb-e",
						"tk-f", "tk-u", "wallet", "wallet" };
	for (int i = 0; i < N_KEYS; i++)
		make_key(&keys[i], i, pw[i]);
	snprintf(lh, sizeof lh, "%s/lighthouse", root);
	snprintf(ls, sizeof ls, "%s/lodestar", root);
	snprintf(nb, sizeof nb, "%s/nimbus", root);
	snprintf(tk, sizeof tk, "%s/teku", root);
	snprintf(pr, sizeof pr, "%s/prysm", root);

	/* Lighthouse: validators/0x<pk>/voting-keystore.json, secrets/0x<pk> (written with
	 * a newline here); B has no password file; the client's own files around them */
	mkdirs(lh, "secrets");
	for (int i = LH_A; i <= LH_B; i++) {
		char rel[200];
		snprintf(rel, sizeof rel, "validators/%s", keys[i].pk);
		mkdirs(lh, rel);
		put(lh, keys[i].json, "validators/%s/voting-keystore.json", keys[i].pk);
	}
	put(lh, "lh-a\n", "secrets/%s", keys[LH_A].pk);
	put(lh, "---\n", "validators/validator_definitions.yml");
	put(lh, "", "validators/%s/voting-keystore.json.lock", keys[LH_A].pk);

	/* Lodestar: keystores/0x<pk>/voting-keystore.json (+ its .lock), secrets/0x<pk> */
	char rel[200];
	snprintf(rel, sizeof rel, "keystores/%s", keys[LS_C].pk);
	mkdirs(ls, rel);
	mkdirs(ls, "secrets");
	put(ls, keys[LS_C].json, "keystores/%s/voting-keystore.json", keys[LS_C].pk);
	put(ls, "", "keystores/%s/voting-keystore.json.lock", keys[LS_C].pk);
	put(ls, "ls-c", "secrets/%s", keys[LS_C].pk);
	mkdirs(ls, "cache");
	put(ls, "{}", "cache/imported_keystores.cache");
	put(ls, "", "cache/imported_keystores.cache.lock");

	/* Nimbus: validators/0x<pk>/keystore.json, secrets/0x<pk>; E is a remote key */
	snprintf(rel, sizeof rel, "validators/%s", keys[NB_D].pk);
	mkdirs(nb, rel);
	snprintf(rel, sizeof rel, "validators/%s", keys[NB_E].pk);
	mkdirs(nb, rel);
	mkdirs(nb, "secrets");
	put(nb, keys[NB_D].json, "validators/%s/keystore.json", keys[NB_D].pk);
	put(nb, "nb-d", "secrets/%s", keys[NB_D].pk);
	put(nb, "{\"version\": 1, \"type\": \"web3signer\"}", "validators/%s/remote_keystore.json",
	    keys[NB_E].pk);

	/* Teku: keys/<name>.json + passwords/<name>.txt; u has no password file */
	mkdirs(tk, "keys");
	mkdirs(tk, "passwords");
	put(tk, keys[TK_F].json, "keys/validator_f.json");
	put(tk, "tk-f\n", "passwords/validator_f.txt");
	put(tk, keys[TK_U].json, "keys/validator_u.json");

	/* Prysm: the wallet written by the independent Python script */
	char cmd[2048];
	int n = snprintf(cmd, sizeof cmd, "python3 %s/tests/keys/prysm_wallet.py '%s' wallet",
			 SS_SOURCE_DIR, pr);
	for (int i = PR_G; i <= PR_H; i++) {
		char skh[65];
		hex_encode(skh, keys[i].sk, 32, false);
		n += snprintf(cmd + n, sizeof cmd - (size_t)n, " %s:%s", skh, keys[i].pk + 2);
	}
	CHECK(system(cmd) == 0);
	put(root, "wallet\n", "prysm-password.txt");
}

TEST(import_each_client_layout_and_sign)
{
	build_layouts();
	char dd[300];
	snprintf(dd, sizeof dd, "%s/dd", root);

	CHECK(run("keys import --keystore %s --data-dir %s", lh, dd) == 0);
	CHECK_MSG(strstr(out_buf, "lighthouse layout") && strstr(out_buf, keys[LH_A].pk) &&
			  strstr(out_buf, "no password file") && strstr(out_buf, "lock file") &&
			  strstr(out_buf, "1 found, 1 imported, 0 duplicate, 0 failed, 3 skipped"),
		  "%s", out_buf);

	CHECK(run("keys import --keystore %s --data-dir %s --layout lodestar", ls, dd) == 0);
	CHECK_MSG(strstr(out_buf, "lodestar layout") && strstr(out_buf, keys[LS_C].pk) &&
			  strstr(out_buf, "skipped cache/imported_keystores.cache: client cache file") &&
			  strstr(out_buf, "skipped cache/imported_keystores.cache.lock: lock file") &&
			  strstr(out_buf, "1 imported"),
		  "%s", out_buf);

	CHECK(run("keys import --keystore %s --data-dir %s", nb, dd) == 0);
	CHECK_MSG(strstr(out_buf, "nimbus layout") && strstr(out_buf, keys[NB_D].pk) &&
			  strstr(out_buf, "remote signer key") && strstr(out_buf, "1 imported"),
		  "%s", out_buf);

	CHECK(run("keys import --keystore %s --data-dir %s", tk, dd) == 0);
	CHECK_MSG(strstr(out_buf, "teku layout") && strstr(out_buf, keys[TK_F].pk) &&
			  strstr(out_buf, "skipped keys/validator_u.json: no password file") &&
			  strstr(out_buf, "1 imported"),
		  "%s", out_buf);

	/* Prysm: the wallet password is required, and a wrong one imports nothing */
	CHECK(run("keys import --keystore %s --data-dir %s", pr, dd) == 2);
	CHECK(strstr(out_buf, "wallet password file") != NULL);
	put(root, "not-the-wallet", "bad-password.txt");
	CHECK(run("keys import --keystore %s --password-file %s/bad-password.txt --data-dir %s", pr,
		  root, dd) == 1);
	CHECK_MSG(strstr(out_buf, "checksum mismatch") != NULL, "%s", out_buf);
	CHECK(run("keys import --keystore %s --password-file %s/prysm-password.txt --data-dir %s",
		  pr, root, dd) == 0);
	CHECK_MSG(strstr(out_buf, "prysm layout") && strstr(out_buf, keys[PR_G].pk) &&
			  strstr(out_buf, keys[PR_H].pk) && strstr(out_buf, "2 found, 2 imported"),
		  "%s", out_buf);
	/* again: duplicates, not errors */
	CHECK(run("keys import --keystore %s --password-file %s/prysm-password.txt --data-dir %s",
		  pr, root, dd) == 0);
	CHECK_MSG(strstr(out_buf, "0 imported, 2 duplicate"), "%s", out_buf);

	CHECK(run("keys list --data-dir %s", dd) == 0);
	for (int i = 0; i < N_KEYS; i++) {
		bool want = i == LH_A || i == LS_C || i == NB_D || i == TK_F || i == PR_G || i == PR_H;
		CHECK_MSG((strstr(out_buf, keys[i].pk) != NULL) == want, "key %d", i);
	}

	/* the real signer on that data directory signs with a key of every layout */
	signer_proc p;
	CHECK(sp_init(&p));
	snprintf(p.data_dir, sizeof p.data_dir, "%s", dd);
	if (!sp_start(&p, NULL)) {
		char cmd[400];
		snprintf(cmd, sizeof cmd, "cat %s/signer.log >&2", p.dir);
		CHECK(system(cmd) == 0);
		CHECK(!"the signer did not start");
	}
	for (int i = 0; i < N_KEYS; i++) {
		bool want = i == LH_A || i == LS_C || i == NB_D || i == TK_F || i == PR_G || i == PR_H;
		CHECK_MSG(sign(p.port, keys[i].pk) == (want ? 200 : 404), "key %d", i);
	}
	CHECK(sp_stop(&p) == 0);
	sp_cleanup(&p);
}

TEST(unrecognised_directories_are_errors)
{
	build_layouts();
	char dir[256];
	kt_tempdir(dir, "layouts-bad");
	char empty[300];
	snprintf(empty, sizeof empty, "%s/empty", dir);
	mkdir(empty, 0700);
	put(dir, "x", "empty/notes.txt");
	CHECK(run("keys import --keystore %s --data-dir %s/dd", empty, dir) == 1);
	CHECK_MSG(strstr(out_buf, "no keystore layout recognised") != NULL, "%s", out_buf);
	/* a layout named that the directory does not have */
	CHECK(run("keys import --keystore %s --layout teku --data-dir %s/dd", lh, dir) == 1);
	CHECK_MSG(strstr(out_buf, "nothing of the teku layout found") != NULL, "%s", out_buf);
	CHECK(run("keys import --keystore %s --layout bogus --data-dir %s/dd", lh, dir) == 2);
	/* nothing was imported by any of these */
	CHECK(run("keys list --data-dir %s/dd", dir) == 0);
	CHECK(strstr(out_buf, "0x") == NULL);
	/* a directory in which everything is skipped: nothing importable is an error */
	char only_skips[300];
	snprintf(only_skips, sizeof only_skips, "%s/teku-nopw", dir);
	mkdirs(only_skips, "keys");
	mkdirs(only_skips, "passwords");
	put(only_skips, keys[TK_U].json, "keys/u.json");
	CHECK(run("keys import --keystore %s --data-dir %s/dd", only_skips, dir) == 1);
	CHECK_MSG(strstr(out_buf, "could be imported") != NULL, "%s", out_buf);
	/* the signer refuses to start on a keystore directory it cannot read as a layout */
	signer_proc p;
	CHECK(sp_init(&p));
	char ks_opt[400];
	snprintf(ks_opt, sizeof ks_opt, "--keystores-path=%s", empty);
	const char *extra[] = { ks_opt, "--keystores-layout=auto", NULL };
	CHECK(!sp_start(&p, extra));
	sp_cleanup(&p);
	kt_rmrf(dir);
}

/* `config check` scans a client layout as `run` will, and reports what it finds. */
TEST(config_check_scans_the_layout)
{
	build_layouts();
	char dir[256];
	kt_tempdir(dir, "layouts-cc");
	CHECK(run("config check --http-listen-port=0 --data-dir=%s/dd --keystores-path=%s --keystores-layout=auto",
		  dir, lh) == 0);
	CHECK_MSG(strstr(out_buf, "keystores: lighthouse layout") && strstr(out_buf, "1 keystore(s), 3 skipped"),
		  "%s", out_buf);
	CHECK(run("config check --http-listen-port=0 --data-dir=%s/dd --keystores-path=%s --keystores-layout=prysm",
		  dir, pr) == 1);
	CHECK_MSG(strstr(out_buf, "wallet password") != NULL, "%s", out_buf);
	CHECK(run("config check --http-listen-port=0 --data-dir=%s/dd --keystores-path=%s --keystores-layout=auto",
		  dir, dir) == 1);
	CHECK_MSG(strstr(out_buf, "no keystore layout recognised") != NULL, "%s", out_buf);
	CHECK(run("config check --http-listen-port=0 --data-dir=%s/dd --keystores-path=%s --keystores-layout=bogus",
		  dir, lh) == 1);
	CHECK_MSG(strstr(out_buf, "--keystores-layout must be") != NULL, "%s", out_buf);
	kt_rmrf(dir);
}

TEST(run_loads_client_layouts_at_start)
{
	build_layouts();
	/* Lighthouse detected at start; the skipped key stays unknown */
	signer_proc p;
	CHECK(sp_init(&p));
	char ks_opt[400], pw_opt[400];
	snprintf(ks_opt, sizeof ks_opt, "--keystores-path=%s", lh);
	const char *extra[] = { ks_opt, "--keystores-layout=auto", NULL };
	CHECK(sp_start(&p, extra));
	CHECK(sign(p.port, keys[LH_A].pk) == 200);
	CHECK(sign(p.port, keys[LH_B].pk) == 404);
	CHECK(sign(p.port, keys[TK_F].pk) == 404);
	CHECK(sp_stop(&p) == 0);
	sp_cleanup(&p);

	/* Prysm's wallet with its password file */
	CHECK(sp_init(&p));
	snprintf(ks_opt, sizeof ks_opt, "--keystores-path=%s", pr);
	snprintf(pw_opt, sizeof pw_opt, "--keystores-password-file=%s/prysm-password.txt", root);
	const char *extra2[] = { ks_opt, "--keystores-layout=prysm", pw_opt, NULL };
	CHECK(sp_start(&p, extra2));
	CHECK(sign(p.port, keys[PR_G].pk) == 200);
	CHECK(sign(p.port, keys[PR_H].pk) == 200);
	CHECK(sp_stop(&p) == 0);
	sp_cleanup(&p);

	/* Teku at start (its password directory is its own) */
	CHECK(sp_init(&p));
	snprintf(ks_opt, sizeof ks_opt, "--keystores-path=%s", tk);
	const char *extra3[] = { ks_opt, "--keystores-layout=teku", NULL };
	CHECK(sp_start(&p, extra3));
	CHECK(sign(p.port, keys[TK_F].pk) == 200);
	CHECK(sign(p.port, keys[TK_U].pk) == 404);
	CHECK(sp_stop(&p) == 0);
	sp_cleanup(&p);
}
