/* End to end: the key lifecycle of a running `secure-signer` (signer/keymanager.h), the
 * way operators hit it: keys loaded from files follow their files across POST /reload
 * and restarts; a key deleted over the Keymanager API and re-imported with
 * `secure-signer keys import` signs attestations again; an import writes slashing
 * history only for the keys it imports; key-derivation limits refuse expensive
 * keystores and requests before any derivation; a DELETE overtakes imports in
 * progress, and an import received before a DELETE of the same key does not bring it
 * back. cli_keys_use_the_signers_postgres_store runs under
 * tests/slashing/with-postgres.sh (SLASH_TEST_PG). */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

#define BODY(r) ((r).body ? (r).body : "")
static const char JSON_ACCEPT[] = "Accept: application/json\r\n";

/* web3signer/valid/bls_keystore.json ("somepassword") and _2 ("otherpassword"), both
 * PBKDF2 c=262144: EIP-2335's recommended cost. */
#define KS1_PK "0x98d083489b3b06b8740da2dfec5cc3c01b2086363fe023a9d7dc1f907633b1ff11f7b99b19e0533e969862270061d884"
#define KS2_PK "0xa46bf94016af71e55ca0518fe6a8bd3852e01b3f959780a4faf3bbe461ac553c0a83f232cc5f2a4b827d8d3455b706e4"

static char *ks1, *ks2;

static bool load_keystores(void)
{
	if (!vectors_require())
		return false;
	char path[512];
	if (!ks1 && vectors_path(path, sizeof path, "eip2335-keystore/web3signer/valid/bls_keystore.json"))
		ks1 = test_read_file(path, NULL);
	if (!ks2 && vectors_path(path, sizeof path, "eip2335-keystore/web3signer/valid/bls_keystore_2.json"))
		ks2 = test_read_file(path, NULL);
	CHECK(ks1 && ks2);
	return ks1 && ks2;
}

/* Two file-raw keys: raw_sk[i] / raw_pk[i]. */
static char raw_sk[2][67], raw_pk[2][99];

static void make_raw_keys(void)
{
	bls_init();
	for (int i = 0; i < 2; i++) {
		uint8_t sk[32], pk[48];
		for (int j = 0; j < 32; j++)
			sk[j] = (uint8_t)(0x21 + 5 * j + 17 * i);
		sk[0] = 0x1e;
		bls_secret_key k;
		CHECK(bls_secret_key_from_bytes(&k, sk) == SS_OK);
		bls_sk_to_pk(pk, &k);
		bls_secret_key_wipe(&k);
		hex_encode(raw_sk[i], sk, 32, true);
		hex_encode(raw_pk[i], pk, 48, true);
	}
}

static char auth_hdr[160];
static const char *auth(const signer_proc *p)
{
	snprintf(auth_hdr, sizeof auth_hdr, "Authorization: Bearer %s\r\n", p->token);
	return auth_hdr;
}

/* Signs body with pk; returns the status. */
static int sign(const signer_proc *p, const char *pk, const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk);
	hc_response r;
	int st = hc_request(p->port, "POST", path, JSON_ACCEPT, body, strlen(body), &r);
	hc_free(&r);
	return st;
}

/* A never-slashable request: 200 when the key is loaded, 404 when not. */
static int sign_slot(const signer_proc *p, const char *pk, unsigned long slot)
{
	char body[1024];
	sb_aggregation_slot(body, sizeof body, slot);
	return sign(p, pk, body);
}

static int sign_att(const signer_proc *p, const char *pk, unsigned long s, unsigned long t,
		    unsigned root)
{
	char body[2048];
	sb_attestation(body, sizeof body, s, t, root);
	return sign(p, pk, body);
}

/* A Keymanager request; the statuses of data[] joined by commas into out (and the
 * message of the first error into msg, when given). Returns the HTTP status. */
static int km(const signer_proc *p, const char *method, json_t *req, char *out, size_t cap,
	      char *msg, size_t msg_cap)
{
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	hc_response r;
	int st = hc_request(p->port, method, "/eth/v1/keystores", auth(p), body,
			    body ? strlen(body) : 0, &r);
	free(body);
	out[0] = '\0';
	if (msg)
		snprintf(msg, msg_cap, "%s", st == 200 ? "" : BODY(r));
	json_t *o = st == 200 ? json_loads(BODY(r), 0, NULL) : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "data"), i, v) {
		if (out[0])
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, json_string_value(json_object_get(v, "status")), cap - strlen(out) - 1);
		const char *m = json_string_value(json_object_get(v, "message"));
		if (msg && m && !msg[0])
			snprintf(msg, msg_cap, "%s", m);
	}
	json_decref(o);
	hc_free(&r);
	return st;
}

static json_t *import_req(const char *const *ks, const char *const *pw, size_t n,
			  const char *interchange)
{
	json_t *req = json_pack("{s:[],s:[]}", "keystores", "passwords");
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(json_object_get(req, "keystores"), json_string(ks[i]));
		json_array_append_new(json_object_get(req, "passwords"), json_string(pw[i]));
	}
	if (interchange)
		json_object_set_new(req, "slashing_protection", json_string(interchange));
	return req;
}

static int km_import(const signer_proc *p, const char *const *ks, const char *const *pw,
		     size_t n, const char *interchange, char *out, size_t cap, char *msg,
		     size_t msg_cap)
{
	return km(p, "POST", import_req(ks, pw, n, interchange), out, cap, msg, msg_cap);
}

static int km_delete(const signer_proc *p, const char *pk, char *out, size_t cap)
{
	return km(p, "DELETE", json_pack("{s:[s]}", "pubkeys", pk), out, cap, NULL, 0);
}

/* POST /reload, then polls GET /reload until it is no longer running; the final status. */
static const char *reload(const signer_proc *p, char *buf, size_t cap)
{
	hc_response r;
	buf[0] = '\0';
	int st = hc_request(p->port, "POST", "/reload", NULL, NULL, 0, &r);
	hc_free(&r);
	if (st != 202)
		return buf;
	for (int i = 0; i < 600; i++) {
		if (hc_request(p->port, "GET", "/reload", NULL, NULL, 0, &r) == 200) {
			json_t *o = json_loads(BODY(r), 0, NULL);
			snprintf(buf, cap, "%s", o ? json_string_value(json_object_get(o, "status")) : "");
			json_decref(o);
		}
		hc_free(&r);
		if (strcmp(buf, "running") != 0)
			break;
		usleep(50 * 1000);
	}
	return buf;
}

/* Runs `secure-signer keys ...` (args NULL-terminated); exit status, output in out. */
static int run_keys_cli(const char *const *args, char *out, size_t cap)
{
	const char *argv[31] = { "keys" };
	for (int i = 0; args[i] && i < 29; i++)
		argv[i + 1] = args[i];
	return sp_run_cli(argv, NULL, out, cap);
}

static const char *const KM_FLAGS[] = { "--key-manager-api-enabled", NULL };

/* ---- 1. keys from files follow their files ------------------------------------------- */

TEST(file_keys_follow_their_files_on_reload_and_restart)
{
	if (!load_keystores())
		return;
	make_raw_keys();
	signer_proc p;
	CHECK(sp_init(&p));
	char ksdir[400], pwdir[400], ks1_path[500], path[500];
	snprintf(ksdir, sizeof ksdir, "%s/keystores", p.dir);
	snprintf(pwdir, sizeof pwdir, "%s/passwords", p.dir);
	CHECK(mkdir(ksdir, 0700) == 0 && mkdir(pwdir, 0700) == 0);
	snprintf(ks1_path, sizeof ks1_path, "%s/v1.json", ksdir);
	CHECK(test_write_text(ks1_path, ks1));
	snprintf(path, sizeof path, "%s/v1.txt", pwdir);
	CHECK(test_write_text(path, "somepassword"));
	CHECK(sp_add_raw_key(&p, "raw0", raw_sk[0]) && sp_add_raw_key(&p, "raw1", raw_sk[1]));
	char a1[450], a2[450];
	snprintf(a1, sizeof a1, "--keystores-path=%s", ksdir);
	snprintf(a2, sizeof a2, "--keystores-passwords-path=%s", pwdir);
	const char *flags[] = { "--key-manager-api-enabled", a1, a2, NULL };
	if (!sp_start(&p, flags)) {
		CHECK_MSG(0, "secure-signer did not start (dir %s)", p.dir);
		goto out;
	}
	/* An imported key, which must stay whatever happens to the files. */
	char st[256], msg[512];
	const char *ks[] = { ks2 }, *pw[] = { "otherpassword" };
	CHECK_EQ_U64(km_import(&p, ks, pw, 1, NULL, st, sizeof st, msg, sizeof msg), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "import: %s %s", st, msg);
	CHECK_EQ_U64(sign_slot(&p, raw_pk[0], 100), 200);
	CHECK_EQ_U64(sign_slot(&p, raw_pk[1], 100), 200);
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 100), 200);
	CHECK_EQ_U64(sign_slot(&p, KS2_PK, 100), 200);

	/* The operator moves a YAML key file and a keystore to another signer. */
	snprintf(path, sizeof path, "%s/raw0.yaml", p.key_dir);
	CHECK(unlink(path) == 0 && unlink(ks1_path) == 0);
	char rs[64];
	CHECK_MSG(strcmp(reload(&p, rs, sizeof rs), "completed") == 0, "reload: %s", rs);
	CHECK_EQ_U64(sign_slot(&p, raw_pk[0], 101), 404);
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 101), 404);
	CHECK_EQ_U64(sign_slot(&p, raw_pk[1], 101), 200);
	CHECK_EQ_U64(sign_slot(&p, KS2_PK, 101), 200);
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/api/v1/eth2/publicKeys", NULL, NULL, 0, &r), 200);
	CHECK(!strstr(BODY(r), raw_pk[0]) && !strstr(BODY(r), KS1_PK) && strstr(BODY(r), KS2_PK));
	hc_free(&r);

	/* A file removed while the signer is stopped: the sealed copy of its key does not
	 * make it signable after the restart. */
	CHECK_EQ_U64(sp_stop(&p), 0);
	snprintf(path, sizeof path, "%s/raw1.yaml", p.key_dir);
	CHECK(unlink(path) == 0);
	if (!sp_start(&p, flags)) {
		CHECK_MSG(0, "secure-signer did not restart");
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, raw_pk[1], 102), 404);
	CHECK_EQ_U64(sign_slot(&p, raw_pk[0], 102), 404);
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 102), 404);
	CHECK_EQ_U64(sign_slot(&p, KS2_PK, 102), 200);

	/* The keystore comes back: so does its key. */
	CHECK(test_write_text(ks1_path, ks1));
	CHECK_MSG(strcmp(reload(&p, rs, sizeof rs), "completed") == 0, "reload: %s", rs);
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 103), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* `keys delete` refuses a key that belongs to its file, as the Keymanager DELETE
	 * does (it would come back with the file at the next start). */
	char dd[400], out_text[4096];
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	const char *del[] = { "delete", dd, KS1_PK, NULL };
	CHECK_EQ_U64(run_keys_cli(del, out_text, sizeof out_text), 1);
	CHECK_MSG(strstr(out_text, "readonly") != NULL, "keys delete: %s", out_text);
out:
	sp_cleanup(&p);
}

/* ---- 2. one lifecycle for both doors ----------------------------------------------- */

TEST(keymanager_delete_then_cli_import_signs_attestations)
{
	if (!load_keystores())
		return;
	signer_proc p;
	CHECK(sp_init(&p));
	if (!sp_start(&p, KM_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not start (dir %s)", p.dir);
		goto out;
	}
	char st[256], msg[512], out[8192];
	const char *ks[] = { ks1 }, *pw[] = { "somepassword" };
	CHECK_EQ_U64(km_import(&p, ks, pw, 1, NULL, st, sizeof st, msg, sizeof msg), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "import: %s %s", st, msg);
	CHECK_EQ_U64(sign_att(&p, KS1_PK, 1, 2, 1), 200);
	CHECK_EQ_U64(km_delete(&p, KS1_PK, st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "deleted") == 0, "delete: %s", st);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* The operator imports the keystore again from the command line. */
	char ks_path[400], pw_path[400], dd[400];
	snprintf(ks_path, sizeof ks_path, "%s/ks1.json", p.dir);
	snprintf(pw_path, sizeof pw_path, "%s/ks1.txt", p.dir);
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	CHECK(test_write_text(ks_path, ks1) && test_write_text(pw_path, "somepassword"));
	const char *imp[] = { "import", dd, "--keystore", ks_path, "--password-file", pw_path, NULL };
	CHECK_EQ_U64(run_keys_cli(imp, out, sizeof out), 0);
	CHECK_MSG(strstr(out, "1 imported") != NULL, "keys import: %s", out);
	if (!sp_start(&p, KM_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not restart");
		goto out;
	}
	/* "1 imported" means the key signs: attestations too, not only the unslashable
	 * types; and its history still holds (a double vote is refused). */
	CHECK_EQ_U64(sign_att(&p, KS1_PK, 2, 3, 1), 200);
	CHECK_EQ_U64(sign_att(&p, KS1_PK, 1, 2, 2), 412);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* The other way round: `keys delete` is the same delete as the API's (the key is
	 * disabled for blocks and attestations), and a Keymanager import re-enables it. */
	const char *del[] = { "delete", dd, KS1_PK, NULL };
	CHECK_EQ_U64(run_keys_cli(del, out, sizeof out), 0);
	CHECK_EQ_U64(run_keys_cli(imp, out, sizeof out), 0); /* re-import offline ... */
	CHECK(strstr(out, "1 imported") != NULL);
	CHECK_EQ_U64(run_keys_cli(del, out, sizeof out), 0); /* ... and delete again */
	if (!sp_start(&p, KM_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not restart");
		goto out;
	}
	CHECK_EQ_U64(sign_att(&p, KS1_PK, 3, 4, 1), 404);
	CHECK_EQ_U64(km_import(&p, ks, pw, 1, NULL, st, sizeof st, msg, sizeof msg), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "import: %s %s", st, msg);
	CHECK_EQ_U64(sign_att(&p, KS1_PK, 3, 4, 1), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* ---- 3. history only for the keys imported ------------------------------------------ */

/* An interchange with one attestation (source 10, target 20) for each key. */
static void interchange_for(char *out, size_t cap, const char *const *pks, size_t n)
{
	size_t len = (size_t)snprintf(out, cap,
				      "{\"metadata\":{\"interchange_format_version\":\"5\","
				      "\"genesis_validators_root\":\"%s\"},\"data\":[",
				      SB_GVR);
	for (size_t i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len,
					"%s{\"pubkey\":\"%s\",\"signed_blocks\":[],"
					"\"signed_attestations\":[{\"source_epoch\":\"10\","
					"\"target_epoch\":\"20\",\"signing_root\":\"0x%064x\"}]}",
					i ? "," : "", pks[i], 0x77u);
	if (len < cap)
		snprintf(out + len, cap - len, "]}");
}

/* ks with its "pubkey" member replaced: a keystore that claims another key. */
static char *claiming(const char *ks, const char *pk)
{
	json_t *o = json_loads(ks, 0, NULL);
	json_object_set_new(o, "pubkey", json_string(pk + 2));
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

TEST(import_writes_history_only_for_keys_it_imports)
{
	if (!load_keystores())
		return;
	make_raw_keys();
	signer_proc p;
	CHECK(sp_init(&p));
	CHECK(sp_add_raw_key(&p, "raw0", raw_sk[0]));
	char *fake = claiming(ks2, raw_pk[0]);
	if (!fake || !sp_start(&p, KM_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not start (dir %s)", p.dir);
		goto out;
	}
	/* KS1 with a wrong password (not imported), KS2 imported, and a keystore claiming
	 * the loaded readonly key raw0 (a duplicate): history for all three. */
	char ic[4096], st[256], msg[512];
	const char *pks[] = { KS1_PK, KS2_PK, raw_pk[0] };
	interchange_for(ic, sizeof ic, pks, 3);
	const char *ks[] = { ks1, ks2, fake };
	const char *pw[] = { "wrong", "otherpassword", "whatever" };
	CHECK_EQ_U64(km_import(&p, ks, pw, 3, ic, st, sizeof st, msg, sizeof msg), 200);
	CHECK_MSG(strcmp(st, "error,imported,duplicate") == 0, "import: %s %s", st, msg);
	/* The imported key got its history: a vote surrounded by (10, 20) is refused. */
	CHECK_EQ_U64(sign_att(&p, KS2_PK, 12, 15, 1), 412);
	/* The loaded key the request merely claimed got none. */
	CHECK_EQ_U64(sign_att(&p, raw_pk[0], 12, 15, 1), 200);
	/* Nor did the key whose keystore failed: imported later without an interchange,
	 * it signs the same vote. */
	const char *ks_1[] = { ks1 }, *pw_1[] = { "somepassword" };
	CHECK_EQ_U64(km_import(&p, ks_1, pw_1, 1, NULL, st, sizeof st, msg, sizeof msg), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "import: %s %s", st, msg);
	CHECK_EQ_U64(sign_att(&p, KS1_PK, 12, 15, 1), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	free(fake);
	sp_cleanup(&p);
}

/* ---- 4. key-derivation limits and DELETE ------------------------------------------- */

/* ks1 with its KDF parameters replaced (the checksum no longer matches: if it were
 * derived, the answer would be "wrong password"). */
static char *with_kdf(const char *function, const char *params_json)
{
	json_t *o = json_loads(ks1, 0, NULL);
	json_t *kdf = json_object_get(json_object_get(o, "crypto"), "kdf");
	json_t *params = json_loads(params_json, 0, NULL);
	json_object_set_new(params, "dklen", json_integer(32));
	json_object_set(params, "salt", json_object_get(json_object_get(kdf, "params"), "salt"));
	json_object_set_new(kdf, "function", json_string(function));
	json_object_set_new(kdf, "params", params);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

TEST(kdf_limits_refuse_expensive_keystores_and_requests)
{
	if (!load_keystores())
		return;
	signer_proc p;
	CHECK(sp_init(&p));
	char *big_scrypt = with_kdf("scrypt", "{\"n\":524288,\"r\":8,\"p\":1}");
	char *big_pbkdf2 = with_kdf("pbkdf2", "{\"c\":1048576,\"prf\":\"hmac-sha256\"}");
	char *rec_scrypt = with_kdf("scrypt", "{\"n\":262144,\"r\":8,\"p\":1}");
	if (!big_scrypt || !big_pbkdf2 || !rec_scrypt || !sp_start(&p, KM_FLAGS)) {
		CHECK_MSG(0, "setup failed (dir %s)", p.dir);
		goto out;
	}
	char st[65536], msg[1024];
	/* One keystore above the limit: a per-keystore error naming the limit, no
	 * derivation (512 MiB of scrypt); the valid keystore beside it is imported. */
	double t0 = now_s();
	const char *ks[] = { big_scrypt, ks1, big_pbkdf2 };
	const char *pw[] = { "somepassword", "somepassword", "somepassword" };
	CHECK_EQ_U64(km_import(&p, ks, pw, 3, NULL, st, sizeof st, msg, sizeof msg), 200);
	CHECK_MSG(strcmp(st, "error,imported,error") == 0, "statuses %s", st);
	CHECK_MSG(strstr(msg, "key-derivation limit") != NULL, "message: %s", msg);
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 5), 200);

	/* Too many keystores in one request: 400, nothing decrypted, nothing imported. */
	json_t *req = json_pack("{s:[],s:[]}", "keystores", "passwords");
	for (int i = 0; i < 513; i++) {
		json_array_append_new(json_object_get(req, "keystores"), json_string(ks2));
		json_array_append_new(json_object_get(req, "passwords"), json_string("otherpassword"));
	}
	CHECK_EQ_U64(km(&p, "POST", req, st, sizeof st, msg, sizeof msg), 400);
	CHECK_MSG(strstr(msg, "limit of 512") != NULL, "message: %s", msg);
	/* Over the KDF budget (65 keystores at the recommended scrypt cost, 16 GiB-seconds
	 * of work): 400 at once, and the one valid keystore in it is not imported. */
	req = json_pack("{s:[],s:[]}", "keystores", "passwords");
	for (int i = 0; i < 65; i++) {
		json_array_append_new(json_object_get(req, "keystores"),
				      json_string(i == 64 ? ks2 : rec_scrypt));
		json_array_append_new(json_object_get(req, "passwords"), json_string("otherpassword"));
	}
	CHECK_EQ_U64(km(&p, "POST", req, st, sizeof st, msg, sizeof msg), 400);
	CHECK_MSG(strstr(msg, "split the import") != NULL, "message: %s", msg);
	CHECK_EQ_U64(sign_slot(&p, KS2_PK, 6), 404);
	double took = now_s() - t0;
	/* Without the limits these requests cost minutes of scrypt and GiBs of memory. */
	CHECK_MSG(took < 15.0, "the refused requests took %.1f s", took);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	free(big_scrypt);
	free(big_pbkdf2);
	free(rec_scrypt);
	sp_cleanup(&p);
}

/* A keystore file above the limits in --keystores-path: refused at start without its
 * derivation (512 MiB of scrypt before), reported as a loading error, the other
 * keystore loaded. */
TEST(kdf_limits_apply_to_keystore_files_at_start)
{
	if (!load_keystores())
		return;
	signer_proc p;
	CHECK(sp_init(&p));
	char *big = with_kdf("scrypt", "{\"n\":524288,\"r\":8,\"p\":1}");
	char ksdir[400], path[500];
	snprintf(ksdir, sizeof ksdir, "%s/keystores", p.dir);
	CHECK(mkdir(ksdir, 0700) == 0);
	snprintf(path, sizeof path, "%s/hostile.json", ksdir);
	CHECK(big && test_write_text(path, big));
	snprintf(path, sizeof path, "%s/v2.json", ksdir);
	CHECK(test_write_text(path, ks2));
	snprintf(path, sizeof path, "%s/password.txt", p.dir);
	CHECK(test_write_text(path, "otherpassword"));
	char a1[450], a2[550];
	snprintf(a1, sizeof a1, "--keystores-path=%s", ksdir);
	snprintf(a2, sizeof a2, "--keystores-password-file=%s", path);
	const char *flags[] = { a1, a2, NULL };
	if (!sp_start(&p, flags)) {
		CHECK_MSG(0, "secure-signer did not start (dir %s)", p.dir);
		goto out;
	}
	CHECK_EQ_U64(sign_slot(&p, KS2_PK, 1), 200);
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/healthcheck", NULL, NULL, 0, &r), 503);
	CHECK_MSG(strstr(BODY(r), "\"error-count\":1") != NULL, "healthcheck: %s", BODY(r));
	hc_free(&r);
	char logp[400];
	snprintf(logp, sizeof logp, "%s/signer.log", p.dir);
	char *log = test_read_file(logp, NULL);
	CHECK_MSG(log && strstr(log, "hostile.json: keystore scrypt cost n=524288 r=8 p=1 is above this signer's key-derivation limit"),
		  "the refusal is not in the log");
	free(log);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	free(big);
	sp_cleanup(&p);
}

typedef struct {
	const signer_proc *p;
	const char **ks, **pw;
	size_t n;
	int status;
	char st[8192], msg[512];
	atomic_bool done;
} bg_import;

static void *bg_import_run(void *arg)
{
	bg_import *b = arg;
	b->status = km_import(b->p, b->ks, b->pw, b->n, NULL, b->st, sizeof b->st, b->msg,
			      sizeof b->msg);
	atomic_store(&b->done, true);
	return NULL;
}

/* Waits until the signer's log holds line (at most ~20 s). */
static bool wait_log(const signer_proc *p, const char *line)
{
	char logp[400];
	snprintf(logp, sizeof logp, "%s/signer.log", p->dir);
	for (int i = 0; i < 4000; i++) {
		char *log = test_read_file(logp, NULL);
		bool hit = log && strstr(log, line) != NULL;
		free(log);
		if (hit)
			return true;
		usleep(5 * 1000);
	}
	return false;
}

/* Import A is made of wrong-password PBKDF2 keystores (c = 262144 each, derived in
 * full): enough of them for A to take a few seconds however fast this build derives
 * keys (release: ~0.1 s a keystore; ASan builds are ~25 times slower), against the
 * milliseconds of a DELETE, while A and B together stay well within the client's 20 s
 * timeout. */
#define SLOW_MAX 48
#define SLOW_B 2

TEST(delete_overtakes_imports_and_stays_ordered_with_them)
{
	if (!load_keystores())
		return;
	signer_proc p;
	CHECK(sp_init(&p));
	if (!sp_start(&p, KM_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not start (dir %s)", p.dir);
		goto out;
	}
	char st[256], msg[512];
	const char *ks_2[] = { ks2 }, *pw_2[] = { "otherpassword" };
	double t_one = now_s();
	CHECK_EQ_U64(km_import(&p, ks_2, pw_2, 1, NULL, st, sizeof st, msg, sizeof msg), 200);
	t_one = now_s() - t_one; /* one derivation, plus a commit */
	CHECK_EQ_U64(sign_slot(&p, KS2_PK, 9), 200);
	/* about 3 s of derivations on two threads */
	int slow_n = t_one > 0 ? (int)(6.0 / t_one) : SLOW_MAX;
	slow_n = slow_n < 4 ? 4 : slow_n > SLOW_MAX ? SLOW_MAX : slow_n;

	/* Import A: slow_n copies of KS1's keystore with a wrong password (each derived in
	 * full, then refused) and, last, KS1 with its password. Import B, queued behind
	 * it: SLOW_B slow copies only. */
	static const char *ks[SLOW_MAX + 1], *pw[SLOW_MAX + 1];
	for (int i = 0; i < slow_n; i++) {
		ks[i] = ks1;
		pw[i] = "wrong";
	}
	ks[slow_n] = ks1;
	pw[slow_n] = "somepassword";
	static bg_import a, b;
	a = (bg_import){ .p = &p, .ks = ks, .pw = pw, .n = (size_t)slow_n + 1, .status = -1 };
	b = (bg_import){ .p = &p, .ks = ks, .pw = pw, .n = SLOW_B, .status = -1 };
	pthread_t ta, tb;
	char line[64];
	snprintf(line, sizeof line, "import: checking %d key(s)", slow_n + 1);
	CHECK(pthread_create(&ta, NULL, bg_import_run, &a) == 0);
	bool started = wait_log(&p, line);
	CHECK_MSG(started, "import A never started deriving");
	CHECK(pthread_create(&tb, NULL, bg_import_run, &b) == 0);

	/* The emergency stop of KS2, and of KS1 which A (received before) is importing,
	 * answers while A is still deriving: it waits neither for A nor for B. */
	double t0 = now_s();
	CHECK_EQ_U64(km_delete(&p, KS2_PK, st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "deleted") == 0, "delete KS2: %s", st);
	CHECK_EQ_U64(km_delete(&p, KS1_PK, st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "not_found") == 0, "delete KS1: %s", st);
	bool overtook = !atomic_load(&a.done);
	double took = now_s() - t0;
	CHECK_MSG(overtook, "the deletes waited for the import (%.2f s)", took);
	CHECK_EQ_U64(sign_slot(&p, KS2_PK, 10), 404);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_EQ_U64(b.status, 200);
	/* Ordered as received: A was received before the delete of KS1, so the delete
	 * comes after it and A does not bring KS1 back; it says why. */
	CHECK_EQ_U64(a.status, 200);
	const char *last = strrchr(a.st, ',');
	CHECK_MSG(last && strcmp(last, ",error") == 0 && !strstr(a.st, "imported"),
		  "import A: %s", a.st);
	CHECK_EQ_U64(sign_slot(&p, KS1_PK, 11), 404);
	CHECK_EQ_U64(sign_att(&p, KS1_PK, 1, 2, 1), 404);
	char logp[400];
	snprintf(logp, sizeof logp, "%s/signer.log", p.dir);
	char *log = test_read_file(logp, NULL);
	CHECK_MSG(log && strstr(log, "a DELETE of this key was received after this import"),
		  "import A's refusal of KS1 is not in the log");
	free(log);
	/* A new import after the delete does import it. */
	const char *ks_1[] = { ks1 }, *pw_1[] = { "somepassword" };
	CHECK_EQ_U64(km_import(&p, ks_1, pw_1, 1, NULL, st, sizeof st, msg, sizeof msg), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "import: %s %s", st, msg);
	CHECK_EQ_U64(sign_att(&p, KS1_PK, 1, 2, 1), 200);
	if (getenv("SS_TEST_VERBOSE"))
		fprintf(stderr, "one import %.3f s; %d slow keystores; deletes answered in %.3f s\n",
			t_one, slow_n, took);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* ---- the CLI on a PostgreSQL slashing store ---------------------------------------- */

/* `keys import --slashing-protection-db-url` re-enables a key in the signer's shared
 * PostgreSQL store after a Keymanager DELETE disabled it there. */
TEST(cli_keys_use_the_signers_postgres_store)
{
	const char *pg = getenv("SLASH_TEST_PG");
	if (!pg || !*pg) {
		test_skip("SLASH_TEST_PG is not set (tests/slashing/with-postgres.sh sets it)");
		return;
	}
	signer_proc p;
	CHECK(sp_init(&p));
	char dd[400], url[1200], url_flag[1300], out[8192], ks_path[400], pw_path[400];
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	snprintf(url, sizeof url, "%s", pg);
	snprintf(url_flag, sizeof url_flag, "--slashing-protection-db-url=%s", pg);
	snprintf(ks_path, sizeof ks_path, "%s/key.json", p.dir);
	snprintf(pw_path, sizeof pw_path, "%s/key.txt", p.dir);
	CHECK(test_write_text(pw_path, "a password"));
	/* A key generated offline, and a copy of it as a keystore. */
	const char *gen[] = { "generate", dd, "--count", "1", "--slashing-protection-db-url", url,
			      NULL };
	CHECK_EQ_U64(run_keys_cli(gen, out, sizeof out), 0);
	/* the new pubkey is the line of its own among the log lines */
	char pk[99] = "";
	const char *line = strncmp(out, "0x", 2) == 0 ? out : strstr(out, "\n0x");
	CHECK(line && sscanf(line, " %98s", pk) == 1 && strlen(pk) == 98);
	const char *exp[] = { "export-keystore", dd, pk, "--allow-key-export", "--pbkdf2",
			      "--password-file", pw_path, "--out", ks_path, NULL };
	CHECK_EQ_U64(run_keys_cli(exp, out, sizeof out), 0);
	const char *flags[] = { "--key-manager-api-enabled", url_flag, NULL };
	if (!sp_start(&p, flags)) {
		CHECK_MSG(0, "secure-signer did not start (dir %s)", p.dir);
		goto out;
	}
	char st[64];
	CHECK_EQ_U64(sign_att(&p, pk, 1, 2, 1), 200);
	CHECK_EQ_U64(km_delete(&p, pk, st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "deleted") == 0, "delete: %s", st);
	CHECK_EQ_U64(sp_stop(&p), 0);
	const char *imp[] = { "import", dd, "--keystore", ks_path, "--password-file", pw_path,
			      "--slashing-protection-db-url", url, NULL };
	CHECK_EQ_U64(run_keys_cli(imp, out, sizeof out), 0);
	CHECK_MSG(strstr(out, "1 imported") != NULL, "keys import: %s", out);
	if (!sp_start(&p, flags)) {
		CHECK_MSG(0, "secure-signer did not restart");
		goto out;
	}
	CHECK_EQ_U64(sign_att(&p, pk, 2, 3, 1), 200);
	CHECK_EQ_U64(sign_att(&p, pk, 1, 2, 2), 412); /* the shared history holds */
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* Nothing went to a local SQLite file. */
	char sqlite_path[400];
	struct stat sst;
	snprintf(sqlite_path, sizeof sqlite_path, "%s/slashing.sqlite", p.data_dir);
	CHECK(stat(sqlite_path, &sst) != 0);
out:
	sp_cleanup(&p);
}
