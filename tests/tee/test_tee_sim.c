/* The sim provider (issue 11 §1) through the provider interface, and its evidence through
 * `secure-signer evidence verify` (issue 12 §4): the evidence parses as an SGX DCAP quote
 * v3 whose report data is what was asked for; the sealing key follows the simulated
 * measurement and the data directory; `--allow-simulated` accepts an evidence object
 * built from it, without the flag it is refused, and tampering fails a named check; and
 * `secure-signer tee info --tee sim` prints the same description. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "tee/tee.h"
#include "tee/tee_provider.h"
#include "test.h"

static char out_buf[1 << 16];

static bool make_dir(char *dir, size_t cap)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, cap, "%s/ss-tee-sim-XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir) != NULL;
}

static void remove_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	int rc = system(cmd);
	(void)rc;
}

/* Runs the binary with args (a shell fragment); stdout parsed as JSON into *out. */
static int run_bin(const char *args, json_t **out)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", SS_SECURE_SIGNER_BIN, args);
	FILE *p = popen(cmd, "r");
	size_t got = p ? fread(out_buf, 1, sizeof out_buf - 1, p) : 0;
	out_buf[got] = 0;
	int st = p ? pclose(p) : -1;
	*out = json_loads(out_buf, 0, NULL);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool failed(json_t *out, const char *check)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(out, "failures"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "check")), check) == 0)
			return true;
	return false;
}

static tee_provider *open_sim(const char *dir)
{
	tee_open_options o = { .data_dir = dir };
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	ss_err e = tee_provider_open("sim", &o, &p, why);
	CHECK_MSG(e == SS_OK, "open sim: %s", why);
	return p;
}

TEST(sim_evidence_is_a_dcap_v3_quote_with_the_report_data)
{
	char dir[256];
	CHECK(make_dir(dir, sizeof dir));
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	tee_provider *p = open_sim(dir);
	if (p == NULL)
		return;
	uint8_t rd[64];
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)(0xa0 ^ i);
	tee_evidence ev;
	char why[TEE_WHY_MAX];
	CHECK_MSG(tee_provider_evidence(p, rd, &ev, why) == SS_OK, "evidence: %s", why);
	CHECK(ev.type == TEE_EVIDENCE_SIMULATED);
	CHECK(ev.certs != NULL && strstr(ev.certs, "BEGIN CERTIFICATE") != NULL);
	tee_dcap_quote q;
	const char *perr = NULL;
	CHECK_MSG(tee_dcap_parse(ev.quote, ev.quote_len, &q, &perr) == SS_OK, "parse: %s", perr);
	CHECK_EQ_U64(q.version, 3);
	CHECK_EQ_U64(q.tee_type, TEE_TYPE_SGX);
	CHECK_EQ_U64(q.quote_len, ev.quote_len);
	CHECK_MEM(q.sgx.report_data, rd, 64);
	/* the documented default measurement: SHA-256 of the label */
	uint8_t m[32];
	sha256(m, "secure-signer/tee/sim/mrenclave/v1", strlen("secure-signer/tee/sim/mrenclave/v1"));
	CHECK_MEM(q.sgx.mr_enclave, m, 32);
	CHECK((q.sgx.attributes[0] & TEE_SGX_FLAG_DEBUG) == 0);
	CHECK(tee_dcap_is_simulated(&q));
	/* and it verifies as simulated evidence, with the report data expected */
	tee_policy pol;
	tee_policy_default(&pol, time(NULL));
	pol.expect_report_data = rd;
	pol.expect_report_data_len = 64;
	tee_result res;
	CHECK(tee_sim_verify(&q, ev.certs, ev.certs_len, &pol, &res) == SS_OK);
	CHECK_MSG(res.valid, "sim verify: %s", res.n_failures ? res.failures[0].why : "");
	/* an Intel verifier refuses it: the chain is not Intel's */
	CHECK(tee_dcap_verify(&q, NULL, &pol, &res) == SS_OK);
	CHECK(!res.valid);
	tee_info ti;
	tee_provider_info(p, &ti);
	CHECK(ti.simulated && ti.can_attest && ti.can_seal && !ti.debug);
	CHECK(ti.platform == TEE_PLATFORM_SIM && strcmp(ti.provider, "sim") == 0);
	CHECK_EQ_U64(ti.measurement_len, 32);
	CHECK_MEM(ti.measurement, m, 32);
	tee_evidence_free(&ev);
	tee_provider_close(p);
	remove_dir(dir);
}

TEST(sim_seal_key_follows_measurement_and_data_dir)
{
	char d1[256], d2[256];
	CHECK(make_dir(d1, sizeof d1) && make_dir(d2, sizeof d2));
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	uint8_t k1[32], k1b[32], k2[32], kother[32];
	char why[TEE_WHY_MAX];
	tee_provider *p = open_sim(d1);
	CHECK(p && tee_provider_seal_key(p, k1, why) == SS_OK);
	tee_provider_close(p);
	p = open_sim(d1); /* a restart: the same key */
	CHECK(p && tee_provider_seal_key(p, k1b, why) == SS_OK);
	tee_provider_close(p);
	CHECK_MEM(k1, k1b, 32);
	p = open_sim(d2); /* another data directory is another simulated CPU */
	CHECK(p && tee_provider_seal_key(p, k2, why) == SS_OK);
	tee_provider_close(p);
	CHECK(memcmp(k1, k2, 32) != 0);
	/* the documented derivation, written out here: HKDF-SHA256 (RFC 5869, one block)
	 * with salt "secure-signer/tee/sim/seal/v1", IKM the data directory's secret and
	 * info the simulated MRENCLAVE */
	char sp[400];
	snprintf(sp, sizeof sp, "%s/tee-sim/secret", d1);
	size_t sl = 0;
	char *secret = test_read_file(sp, &sl);
	CHECK(secret != NULL && sl == 32);
	if (secret != NULL && sl == 32) {
		static const char salt[] = "secure-signer/tee/sim/seal/v1",
				  mr_label[] = "secure-signer/tee/sim/mrenclave/v1";
		uint8_t prk[32], info[33], want[32];
		hmac_sha256(prk, (const uint8_t *)salt, sizeof salt - 1, (const uint8_t *)secret, 32);
		sha256(info, mr_label, sizeof mr_label - 1);
		info[32] = 0x01;
		hmac_sha256(want, prk, 32, info, sizeof info);
		CHECK_MEM(k1, want, 32);
	}
	free(secret);
	/* another measurement: another key */
	setenv("SECURE_SIGNER_SIM_MRENCLAVE",
	       "1111111111111111111111111111111111111111111111111111111111111111", 1);
	p = open_sim(d1);
	CHECK(p && tee_provider_seal_key(p, kother, why) == SS_OK);
	tee_info ti;
	if (p)
		tee_provider_info(p, &ti);
	CHECK(p && ti.measurement[0] == 0x11 && ti.measurement[31] == 0x11);
	tee_provider_close(p);
	CHECK(memcmp(k1, kother, 32) != 0);
	/* a malformed override is an error, not the default */
	setenv("SECURE_SIGNER_SIM_MRENCLAVE", "11zz", 1);
	tee_open_options o = { .data_dir = d1 };
	CHECK(tee_provider_open("sim", &o, &p, why) == SS_ERR_INVALID);
	CHECK(strstr(why, "SECURE_SIGNER_SIM_MRENCLAVE") != NULL);
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	/* no data directory: a clear error */
	tee_open_options none = { 0 };
	CHECK(tee_provider_open("sim", &none, &p, why) == SS_ERR_INVALID);
	remove_dir(d1);
	remove_dir(d2);
}

/* The evidence object of attested keygen around sim evidence for two keys. */
static char *sim_object(const uint8_t *quote, size_t ql, const char *certs,
			const uint8_t pks[2][48])
{
	char *b64 = malloc(4 * (ql / 3 + 1) + 1);
	EVP_EncodeBlock((unsigned char *)b64, quote, (int)ql);
	json_t *pkl = json_array();
	for (int i = 0; i < 2; i++) {
		char h[99] = "0x";
		for (int j = 0; j < 48; j++)
			sprintf(h + 2 + 2 * j, "%02x", pks[i][j]);
		json_array_append_new(pkl, json_string(h));
	}
	json_t *o = json_pack("{s:{s:s,s:s,s:s,s:s,s:o}}", "evidence", "type", "simulated",
			      "quote", b64, "certs", certs, "binding",
			      "secure-signer/keygen/bls/v1", "pubkeys", pkl);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	free(b64);
	return s;
}

TEST(verify_accepts_sim_evidence_only_when_allowed)
{
	char dir[256];
	CHECK(make_dir(dir, sizeof dir));
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	tee_provider *p = open_sim(dir);
	if (p == NULL)
		return;
	uint8_t pks[2][48], nonce[32] = { 0 }, rd[64];
	for (int i = 0; i < 48; i++) {
		pks[0][i] = (uint8_t)(0x80 + i);
		pks[1][i] = (uint8_t)(0x90 + i);
	}
	tee_keygen_report_data((const uint8_t(*)[48])pks, 2, nonce, rd);
	tee_evidence ev;
	char why[TEE_WHY_MAX];
	CHECK_MSG(tee_provider_evidence(p, rd, &ev, why) == SS_OK, "evidence: %s", why);
	tee_provider_close(p);
	if (ev.quote == NULL)
		return;
	char obj_path[400], raw_path[400], bad_path[400], args[1400];
	snprintf(obj_path, sizeof obj_path, "%s/evidence.json", dir);
	snprintf(raw_path, sizeof raw_path, "%s/quote.bin", dir);
	snprintf(bad_path, sizeof bad_path, "%s/tampered.json", dir);
	char *obj = sim_object(ev.quote, ev.quote_len, ev.certs, pks);
	CHECK(test_write_text(obj_path, obj));
	CHECK(test_write_file(raw_path, ev.quote, ev.quote_len));
	json_t *out = NULL;

	/* Without the flag: refused, saying why (object and raw quote alike). */
	snprintf(args, sizeof args, "evidence verify --evidence %s", obj_path);
	CHECK_EQ_U64(run_bin(args, &out), 2);
	CHECK(out && strstr(json_string_value(json_object_get(out, "error")), "--allow-simulated"));
	json_decref(out);
	snprintf(args, sizeof args, "evidence verify --evidence %s", raw_path);
	CHECK_EQ_U64(run_bin(args, &out), 2);
	CHECK(out && strstr(json_string_value(json_object_get(out, "error")), "--allow-simulated"));
	json_decref(out);

	/* With it: valid, said to be simulated, binding the two keys. */
	snprintf(args, sizeof args, "evidence verify --allow-simulated --evidence %s", obj_path);
	CHECK_EQ_U64(run_bin(args, &out), 0);
	CHECK_MSG(out && json_is_true(json_object_get(out, "valid")), "%.600s", out_buf);
	CHECK(out && json_is_true(json_object_get(out, "simulated")));
	CHECK(out && strcmp(json_string_value(json_object_get(out, "tee")), "sim") == 0);
	CHECK(out && json_array_size(json_object_get(out, "pubkeys")) == 2);
	json_decref(out);
	/* the expected measurement: the default's SHA-256, and another one refused */
	uint8_t m[32];
	char mh[65];
	sha256(m, "secure-signer/tee/sim/mrenclave/v1", strlen("secure-signer/tee/sim/mrenclave/v1"));
	for (int i = 0; i < 32; i++)
		sprintf(mh + 2 * i, "%02x", m[i]);
	snprintf(args, sizeof args,
		 "evidence verify --allow-simulated --expect-mrenclave %s --evidence %s", mh,
		 raw_path);
	CHECK_EQ_U64(run_bin(args, &out), 0);
	json_decref(out);
	mh[0] = mh[0] == '0' ? '1' : '0';
	snprintf(args, sizeof args,
		 "evidence verify --allow-simulated --expect-mrenclave %s --evidence %s", mh,
		 raw_path);
	CHECK_EQ_U64(run_bin(args, &out), 1);
	CHECK(out && failed(out, "mrenclave"));
	json_decref(out);

	/* Tampering: a byte of the report body (the quote signature fails), a byte of the QE
	 * report (its signature and binding fail), another key claimed (binding fails). */
	static const struct {
		size_t off;
		const char *check;
	} flips[] = { { 48 + 200, "quote_signature" }, { 436 + 128 + 10, "qe_report_signature" } };
	for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		uint8_t *t = malloc(ev.quote_len);
		memcpy(t, ev.quote, ev.quote_len);
		t[flips[i].off] ^= 0x01;
		char *bad = sim_object(t, ev.quote_len, ev.certs, pks);
		CHECK(test_write_text(bad_path, bad));
		snprintf(args, sizeof args, "evidence verify --allow-simulated --evidence %s",
			 bad_path);
		CHECK_EQ_U64(run_bin(args, &out), 1);
		CHECK_MSG(out && failed(out, flips[i].check), "flip %zu: %.400s", i, out_buf);
		json_decref(out);
		free(bad);
		free(t);
	}
	uint8_t other[2][48];
	memcpy(other, pks, sizeof other);
	other[1][5] ^= 1;
	char *bad = sim_object(ev.quote, ev.quote_len, ev.certs, (const uint8_t(*)[48])other);
	CHECK(test_write_text(bad_path, bad));
	snprintf(args, sizeof args, "evidence verify --allow-simulated --evidence %s", bad_path);
	CHECK_EQ_U64(run_bin(args, &out), 1);
	CHECK(out && failed(out, "key_binding"));
	json_decref(out);
	free(bad);
	/* certs that are not the quote's chain */
	bad = sim_object(ev.quote, ev.quote_len, "-----BEGIN CERTIFICATE-----\n", pks);
	CHECK(test_write_text(bad_path, bad));
	CHECK_EQ_U64(run_bin(args, &out), 1);
	CHECK(out && failed(out, "certs"));
	json_decref(out);
	free(bad);
	/* an object whose evidence.type is not what its quote is: refused, not verified as
	 * either */
	static const char *const claims[] = { "sgx-dcap-quote", "tdx-quote" };
	const char *at = strstr(obj, "\"simulated\"");
	CHECK(at != NULL);
	for (size_t i = 0; at != NULL && i < sizeof claims / sizeof claims[0]; i++) {
		char relabelled[1 << 14];
		snprintf(relabelled, sizeof relabelled, "%.*s\"%s\"%s", (int)(at - obj), obj,
			 claims[i], at + strlen("\"simulated\""));
		CHECK(test_write_text(bad_path, relabelled));
		CHECK_EQ_U64(run_bin(args, &out), 2);
		const char *err = out ? json_string_value(json_object_get(out, "error")) : NULL;
		CHECK_MSG(err && strstr(err, "evidence.type does not match"), "%s: %.400s",
			  claims[i], out_buf);
		json_decref(out);
	}
	free(obj);
	tee_evidence_free(&ev);
	remove_dir(dir);
}

TEST(tee_info_command_describes_sim)
{
	char dir[256], args[600];
	CHECK(make_dir(dir, sizeof dir));
	unsetenv("SECURE_SIGNER_SIM_MRENCLAVE");
	json_t *out = NULL;
	snprintf(args, sizeof args, "tee info --tee sim --data-dir %s", dir);
	CHECK_EQ_U64(run_bin(args, &out), 0);
	uint8_t m[32];
	char mh[65];
	sha256(m, "secure-signer/tee/sim/mrenclave/v1", strlen("secure-signer/tee/sim/mrenclave/v1"));
	for (int i = 0; i < 32; i++)
		sprintf(mh + 2 * i, "%02x", m[i]);
	CHECK_MSG(out && json_is_true(json_object_get(out, "simulated")), "%.400s", out_buf);
	CHECK(out && strcmp(json_string_value(json_object_get(out, "platform")), "sim") == 0);
	CHECK(out && strcmp(json_string_value(json_object_get(out, "measurement")), mh) == 0);
	CHECK(out && json_is_true(json_object_get(out, "can_seal")) &&
	      json_is_true(json_object_get(out, "can_attest")) &&
	      json_is_false(json_object_get(out, "debug")));
	json_decref(out);
	/* none: nothing available, and it says so */
	snprintf(args, sizeof args, "tee info --tee none --data-dir %s", dir);
	CHECK_EQ_U64(run_bin(args, &out), 0);
	CHECK(out && json_is_false(json_object_get(out, "can_seal")) &&
	      json_is_null(json_object_get(out, "measurement")));
	json_decref(out);
	/* an unknown provider is a usage error */
	snprintf(args, sizeof args, "tee info --tee sgx-magic --data-dir %s", dir);
	CHECK_EQ_U64(run_bin(args, &out), 2);
	json_decref(out);
	remove_dir(dir);
}
