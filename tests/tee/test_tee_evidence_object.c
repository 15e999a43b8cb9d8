/* The JSON evidence object of attested keygen through `secure-signer evidence verify`:
 * the report data must bind the object's public keys and nonce
 * (SHA-256("secure-signer/v1/bls-keygen" ‖ 0x00 ‖ n ‖ keys ‖ nonce) ‖ 0^32, computed
 * here independently of tee/), the type must match the evidence, and a malformed object
 * is a usage error. A forged quote (forge.h) carries a binding of our choosing; a real
 * TDX quote shows a binding mismatch is the only failure on otherwise valid evidence. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "forge.h"
#include "tee/tee.h"
#include "test.h"
#include "vectors.h"

static char out_buf[1 << 16];

/* Writes text to a temporary file and runs the command on it with extra arguments. */
static int run_object(const char *text, const char *extra, json_t **out)
{
	char path[] = "/tmp/ss-tee-object-XXXXXX";
	int fd = mkstemp(path);
	size_t n = strlen(text);
	CHECK(fd >= 0 && write(fd, text, n) == (ssize_t)n);
	close(fd);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s evidence verify --evidence %s %s 2>/dev/null",
		 SS_SECURE_SIGNER_BIN, path, extra);
	FILE *p = popen(cmd, "r");
	size_t got = p ? fread(out_buf, 1, sizeof out_buf - 1, p) : 0;
	out_buf[got] = 0;
	int st = p ? pclose(p) : -1;
	unlink(path);
	json_error_t err;
	*out = json_loads(out_buf, 0, &err);
	CHECK_MSG(*out != NULL, "not JSON: %.200s", out_buf);
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

/* SHA-256("secure-signer/keygen/bls/v1" ‖ nonce ‖ pks) ‖ 0^32, written out here
 * independently of tee_keygen_report_data */
static void binding(const uint8_t *pks, uint32_t n, const uint8_t nonce[32], uint8_t rd[64])
{
	static const char label[] = "secure-signer/keygen/bls/v1";
	uint8_t buf[4096];
	size_t len = 0;
	memcpy(buf, label, sizeof label - 1);
	len += sizeof label - 1;
	memcpy(buf + len, nonce, 32);
	len += 32;
	memcpy(buf + len, pks, 48 * n);
	len += 48 * n;
	memset(rd, 0, 64);
	sha256(rd, buf, len);
}

/* An evidence object as the keygen endpoint answers it: top is "pk_hex": … (or ""),
 * pubkeys the JSON list for evidence.pubkeys (or NULL), extra more evidence members. */
static char *object(const char *top, const char *pubkeys, const char *type, const uint8_t *q,
		    size_t ql, const char *nonce_hex, const char *extra)
{
	char *b64 = malloc(4 * (ql / 3 + 1) + 1);
	EVP_EncodeBlock((unsigned char *)b64, q, (int)ql);
	size_t cap = strlen(b64) + 2048;
	char *o = malloc(cap);
	snprintf(o, cap,
		 "{%s%s\"evidence\": {\"type\": \"%s\", \"quote\": \"%s\", "
		 "\"binding\": \"secure-signer/keygen/bls/v1\"%s%s%s%s%s%s}}",
		 top, top[0] ? ", " : "", type, b64, nonce_hex ? ", \"nonce\": \"" : "",
		 nonce_hex ? nonce_hex : "", nonce_hex ? "\"" : "", pubkeys ? ", \"pubkeys\": " : "",
		 pubkeys ? pubkeys : "", extra ? extra : "");
	free(b64);
	return o;
}

static void pk_hex(const uint8_t pk[48], char out[99])
{
	strcpy(out, "0x");
	for (int i = 0; i < 48; i++)
		sprintf(out + 2 + 2 * i, "%02x", pk[i]);
}

static const char NONCE[] = "0x0102010201020102010201020102010201020102010201020102010201020102";
static const char NONCE2[] = "0x0103010301030103010301030103010301030103010301030103010301030103";

TEST(binding_of_two_keys_and_nonce)
{
	uint8_t pks[2][48], nonce[32], rd[64];
	memset(pks[0], 0xa1, 48);
	memset(pks[1], 0xb2, 48);
	for (int i = 0; i < 32; i++)
		nonce[i] = (uint8_t)(i % 2 ? 2 : 1);
	binding(&pks[0][0], 2, nonce, rd);
	static uint8_t q[8192];
	size_t ql = forge_sgx_quote(rd, q, sizeof q);
	char h0[99], h1[99], keys[300], rev[300], top[200], data[800];
	pk_hex(pks[0], h0);
	pk_hex(pks[1], h1);
	snprintf(keys, sizeof keys, "[\"%s\", \"%s\"]", h0, h1);
	snprintf(rev, sizeof rev, "[\"%s\", \"%s\"]", h1, h0);
	snprintf(top, sizeof top, "\"pk_hex\": \"%s\"", h0);
	json_t *out;

	/* The binding holds: the only failure is the forged chain's root. The answer's
	 * shape: pk_hex (the first key), evidence with pubkeys, data. */
	snprintf(data, sizeof data, "%s, \"data\": [{\"pubkey\": \"%s\"}, {\"pubkey\": \"%s\"}]",
		 top, h0, h1);
	char *o = object(data, keys, "sgx-dcap-quote", q, ql, NONCE, NULL);
	CHECK(run_object(o, "", &out) == 1);
	CHECK(out && !failed(out, "key_binding") && failed(out, "pck_chain") &&
	      json_array_size(json_object_get(out, "failures")) == 1);
	CHECK(out && json_array_size(json_object_get(out, "pubkeys")) == 2 &&
	      strcmp(json_string_value(json_array_get(json_object_get(out, "pubkeys"), 1)), h1) == 0);
	json_decref(out);
	free(o);

	/* Another nonce, the keys in another order, one key only, no nonce (zeros): not
	 * bound. */
	o = object("", keys, "sgx-dcap-quote", q, ql, NONCE2, NULL);
	CHECK(run_object(o, "", &out) == 1 && out && failed(out, "key_binding"));
	json_decref(out);
	free(o);
	o = object("", rev, "sgx-dcap-quote", q, ql, NONCE, NULL);
	CHECK(run_object(o, "", &out) == 1 && out && failed(out, "key_binding"));
	json_decref(out);
	free(o);
	o = object(top, NULL, "sgx-dcap-quote", q, ql, NONCE, NULL);
	CHECK(run_object(o, "", &out) == 1 && out && failed(out, "key_binding"));
	json_decref(out);
	free(o);
	o = object("", keys, "sgx-dcap-quote", q, ql, NULL, NULL);
	CHECK(run_object(o, "", &out) == 1 && out && failed(out, "key_binding"));
	json_decref(out);
	free(o);
	/* a report_data member that is not the quote's: refused though the keys bind */
	char rd_member[200];
	snprintf(rd_member, sizeof rd_member, ", \"report_data\": \"0x%0128d\"", 7);
	o = object("", keys, "sgx-dcap-quote", q, ql, NONCE, rd_member);
	CHECK(run_object(o, "", &out) == 1 && out && failed(out, "key_binding"));
	json_decref(out);
	free(o);

	/* Malformed or inconsistent objects: usage errors (exit 2) that say why. */
	char not_first[200], other_data[300];
	snprintf(not_first, sizeof not_first, "\"pk_hex\": \"%s\"", h1);
	snprintf(other_data, sizeof other_data, "\"data\": [{\"pubkey\": \"%s\"}]", h0);
	const struct {
		const char *top, *type, *want;
	} bad[] = {
		{ "", "tdx-quote", "type" },             /* an SGX quote said to be TDX */
		{ "", "simulated", "simulated" },        /* never valid here */
		{ not_first, "sgx-dcap-quote", "first" }, /* pk_hex is not the first key */
		{ other_data, "sgx-dcap-quote", "data" }, /* data lists other keys */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o = object(bad[i].top, keys, bad[i].type, q, ql, NONCE, NULL);
		CHECK_MSG(run_object(o, "", &out) == 2 && out &&
				  strstr(json_string_value(json_object_get(out, "error")), bad[i].want),
			  "case %zu", i);
		json_decref(out);
		free(o);
	}
	o = object("", keys, "sgx-dcap-quote", q, ql, NONCE, NULL);
	char *b = strstr(o, "\"quote\": \"") + 12;
	*b = '*';
	CHECK(run_object(o, "", &out) == 2 && out && strstr(json_string_value(json_object_get(out, "error")), "base64"));
	json_decref(out);
	free(o);
	CHECK(run_object("{\"pk_hex\": \"0x00\", \"evidence\": {}}", "", &out) == 2);
	json_decref(out);
}

/* A real TDX quote in an object claiming a key it does not bind: valid in every other
 * respect at its collateral's time, refused for the binding alone. */
TEST(real_quote_does_not_bind_foreign_key)
{
	if (!vectors_require())
		return;
	char qp[1024], cp[1024];
	vectors_path(qp, sizeof qp, "tee/tdx/phala-dcap-qvl/tdx_quote");
	vectors_path(cp, sizeof cp, "tee/tdx/phala-dcap-qvl/tdx_quote_collateral.json");
	size_t ql;
	uint8_t *q = (uint8_t *)test_read_file(qp, &ql);
	if (q == NULL)
		return;
	uint8_t pk[48];
	memset(pk, 0x5c, 48);
	char h[99], keys[200], extra[1200];
	pk_hex(pk, h);
	snprintf(keys, sizeof keys, "\"pk_hex\": \"%s\"", h);
	char *o = object(keys, NULL, "tdx-quote", q, ql, NULL, NULL);
	snprintf(extra, sizeof extra, "--collateral %s --now 2025-07-04T00:00:00Z", cp);
	json_t *out;
	CHECK(run_object(o, extra, &out) == 1);
	CHECK(out && failed(out, "key_binding") &&
	      json_array_size(json_object_get(out, "failures")) == 1);
	json_decref(out);
	free(o);
	free(q);
}

/* The secp256k1 binding (POST /eth/v1/keygen/secp256k1) names exactly one 33-byte key, in
 * pk_hex or evidence.pubkeys or both alike; anything else is refused when parsed. */
#define K1_A "\"0x02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
#define K1_B "\"0x03aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
TEST(secp256k1_object_names_one_key)
{
	static const struct {
		const char *pk, *pubkeys, *why; /* JSON values or NULL; why NULL: parsed */
	} cases[] = {
		{ K1_A, NULL, NULL },
		{ NULL, "[" K1_A "]", NULL },
		{ K1_A, "[" K1_A "]", NULL },
		{ NULL, NULL, "names no key" },
		{ K1_A, "[" K1_A ", " K1_B "]", "must hold one 33-byte" },
		{ "\"0x02aa\"", NULL, "33-byte compressed" },
		{ K1_A, "[" K1_B "]", "pk_hex is not the key of evidence.pubkeys" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char json[1200];
		snprintf(json, sizeof json,
			 "{%s%s%s\"evidence\": {\"type\": \"sgx-dcap-quote\", \"quote\": \"AAAA\", "
			 "\"binding\": \"secure-signer/keygen/secp256k1/v1\"%s%s}}",
			 cases[i].pk ? "\"pk_hex\": " : "", cases[i].pk ? cases[i].pk : "",
			 cases[i].pk ? ", " : "", cases[i].pubkeys ? ", \"pubkeys\": " : "",
			 cases[i].pubkeys ? cases[i].pubkeys : "");
		tee_evidence_object o;
		const char *why = NULL;
		ss_err rc = tee_evidence_object_parse(json, strlen(json), &o, &why);
		if (cases[i].why == NULL) {
			CHECK_MSG(rc == SS_OK, "case %zu: %s", i, why ? why : "");
			if (rc == SS_OK) {
				CHECK(o.k1 && o.n_pubkeys == 0);
				CHECK(o.k1_pub[0] == 0x02 && o.k1_pub[32] == 0xaa);
				tee_evidence_object_free(&o);
			}
		} else {
			CHECK_MSG(rc != SS_OK && why && strstr(why, cases[i].why), "case %zu: %s", i,
				  why ? why : "(parsed)");
			if (rc == SS_OK)
				tee_evidence_object_free(&o);
		}
	}
}
