/* EIP-2335 keystores against ../shared/vectors/eip2335-keystore: every case of
 * keystore_cases.json (good keystores decrypt to the listed secret; malformed ones and
 * wrong passwords are refused with a message that does not contain the password),
 * every password-normalisation case, eip2335_vectors.json, and round trips of the
 * keystores we write. Run one case by its file name, e.g.
 * `test_keystore web3signer/invalid/unsupportedDkLen.json`. */
#include <stdlib.h>
#include <string.h>

#include "keys/keys_internal.h"
#include "keys/keystore.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

#define DIR "eip2335-keystore/"

/* keystore_cases.json has passwords with U+0000, which jansson accepts only with
 * JSON_ALLOW_NUL (the harness loader does not pass it). */
static json_t *load_cases(void)
{
	char path[4096];
	size_t len;
	if (!vectors_path(path, sizeof path, DIR "keystore_cases.json"))
		return NULL;
	char *text = test_read_file(path, &len);
	json_error_t jerr;
	json_t *root = text ? json_loadb(text, len, JSON_ALLOW_NUL, &jerr) : NULL;
	CHECK_MSG(root != NULL, "cannot load keystore_cases.json");
	free(text);
	return root;
}

static bool decrypt_file(const char *rel, const char *pw, size_t pw_len, uint8_t secret[32],
			 keys_keystore *ks, keys_error *err, ss_err *e)
{
	char path[4096];
	if (!vectors_path(path, sizeof path, rel))
		return false;
	size_t len;
	char *json = test_read_file(path, &len);
	if (json == NULL)
		return false;
	*e = keys_keystore_parse(ks, json, len, err);
	if (*e == SS_OK)
		*e = keys_keystore_decrypt(ks, pw, pw_len, secret, err);
	free(json);
	return true;
}

static bool run_keystore_case(const char *name, json_t *c, void *ctx)
{
	(void)ctx;
	json_t *jpw = json_object_get(c, "password");
	const char *expect = json_string_value(json_object_get(c, "expect"));
	if (!json_is_string(jpw) || expect == NULL) {
		CHECK_MSG(false, "%s: malformed case", name);
		return false;
	}
	char rel[1024];
	snprintf(rel, sizeof rel, DIR "%s", name);
	uint8_t secret[32];
	keys_keystore ks;
	keys_error err = { "" };
	ss_err e = SS_ERR_INTERNAL;
	if (!decrypt_file(rel, json_string_value(jpw), json_string_length(jpw), secret, &ks, &err,
			  &e)) {
		CHECK_MSG(false, "%s: cannot read", name);
		return false;
	}
	if (strcmp(expect, "ok") == 0) {
		uint8_t want[32], want_pk[48];
		const char *s = json_string_value(json_object_get(c, "secret"));
		const char *pk = json_string_value(json_object_get(c, "pubkey"));
		bool ok = e == SS_OK && s && hex_decode(want, 32, s, strlen(s), HEX_PREFIX_OPTIONAL) == SS_OK &&
			  memcmp(secret, want, 32) == 0;
		CHECK_MSG(ok, "%s: expected ok, got %s (%s)", name, ss_strerror(e), err.msg);
		/* The keystore's own pubkey field (when present) is the one listed. */
		if (ok && pk && ks.have_pubkey) {
			ok = hex_decode(want_pk, 48, pk, strlen(pk), HEX_PREFIX_OPTIONAL) == SS_OK &&
			     memcmp(want_pk, ks.pubkey, 48) == 0;
			CHECK_MSG(ok, "%s: pubkey field differs", name);
		}
		return ok;
	}
	bool ok = e != SS_OK && err.msg[0] != '\0';
	CHECK_MSG(ok, "%s: expected an error (%s)", name,
		  json_string_value(json_object_get(c, "reason")));
	/* never the password in the message (the cases' passwords are >= 12 bytes) */
	if (json_string_length(jpw) >= 4 && strstr(err.msg, json_string_value(jpw)) != NULL) {
		CHECK_MSG(false, "%s: message contains the password", name);
		ok = false;
	}
	return ok;
}

TEST(keystore_cases)
{
	if (!vectors_require())
		return;
	json_t *root = load_cases();
	if (!root)
		return;
	int n = vectors_for_each_element(json_object_get(root, "keystore_cases"), "file",
					 run_keystore_case, NULL);
	CHECK(n == (int)json_array_size(json_object_get(root, "keystore_cases")) ||
	      test_selected_case() != NULL);
	json_decref(root);
}

static bool run_norm_case(const char *name, json_t *c, void *ctx)
{
	(void)ctx;
	json_t *jpw = json_object_get(c, "password");
	const char *want_hex = json_string_value(json_object_get(c, "normalized_utf8_hex"));
	uint8_t want[256], got[512];
	size_t want_len = 0, got_len = 0;
	bool ok = json_is_string(jpw) && want_hex &&
		  hex_decode_var(want, sizeof want, &want_len, want_hex, strlen(want_hex),
				 HEX_PREFIX_OPTIONAL) == SS_OK &&
		  keys_password_normalize(got, sizeof got, &got_len, json_string_value(jpw),
					  json_string_length(jpw)) == SS_OK &&
		  got_len == want_len && memcmp(got, want, want_len) == 0;
	CHECK_MSG(ok, "normalisation case %s differs", name);
	return ok;
}

TEST(password_normalization)
{
	if (!vectors_require())
		return;
	json_t *root = load_cases();
	if (!root)
		return;
	json_t *arr = json_object_get(root, "password_normalization");
	/* the cases have no names: name them norm_<index> */
	size_t i;
	json_t *el;
	json_array_foreach(arr, i, el) {
		char nm[32];
		snprintf(nm, sizeof nm, "norm_%zu", i);
		json_object_set_new(el, "name", json_string(nm));
	}
	int n = vectors_for_each_element(arr, "name", run_norm_case, NULL);
	CHECK(n == (int)json_array_size(arr) || test_selected_case() != NULL);
	CHECK(json_array_size(arr) >= 14);
	json_decref(root);
}

static bool run_eip_vector(const char *name, json_t *c, void *ctx)
{
	(void)ctx;
	json_t *jpw = json_object_get(c, "password");
	const char *norm_hex = json_string_value(json_object_get(c, "normalized_password_utf8_hex"));
	const char *sec_hex = json_string_value(json_object_get(c, "expected_secret"));
	uint8_t norm[64], got[256], want[32], secret[32];
	size_t norm_len, got_len;
	bool ok = json_is_string(jpw) && norm_hex && sec_hex &&
		  hex_decode_var(norm, sizeof norm, &norm_len, norm_hex, strlen(norm_hex),
				 HEX_PREFIX_OPTIONAL) == SS_OK &&
		  hex_decode(want, 32, sec_hex, strlen(sec_hex), HEX_PREFIX_OPTIONAL) == SS_OK;
	CHECK_MSG(ok, "%s: malformed vector", name);
	if (!ok)
		return false;
	ok = keys_password_normalize(got, sizeof got, &got_len, json_string_value(jpw),
				     json_string_length(jpw)) == SS_OK &&
	     got_len == norm_len && memcmp(got, norm, norm_len) == 0;
	CHECK_MSG(ok, "%s: normalised password differs", name);
	char *text = json_dumps(json_object_get(c, "keystore"), 0);
	keys_keystore ks;
	keys_error err = { "" };
	ss_err e = keys_keystore_parse(&ks, text, strlen(text), &err);
	if (e == SS_OK)
		e = keys_keystore_decrypt(&ks, json_string_value(jpw), json_string_length(jpw), secret,
					  &err);
	free(text);
	bool ok2 = e == SS_OK && memcmp(secret, want, 32) == 0;
	CHECK_MSG(ok2, "%s: decryption: %s", name, err.msg);
	return ok && ok2;
}

TEST(eip2335_vectors)
{
	if (!vectors_require())
		return;
	json_t *root = vectors_load_json(DIR "eip2335_vectors.json");
	if (!root)
		return;
	int n = vectors_for_each_element(json_object_get(root, "test_cases"), "name",
					 run_eip_vector, NULL);
	CHECK(n == 2 || test_selected_case() != NULL);
	json_decref(root);
}

/* ---- our own keystores ------------------------------------------------------- */

static const uint8_t SECRET[32] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
				    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f, 0x10,
				    0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x07, 0x18,
				    0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x0f, 0x01 };
static const uint8_t PUBKEY[48] = { 0xa0 };

static void roundtrip(const keys_kdf_params *kdf, const char *pw, const char *pw_equiv)
{
	char *json = NULL;
	keys_error err = { "" };
	CHECK(keys_keystore_encrypt(&json, SECRET, PUBKEY, "m/12381/3600/0/0/0", pw, strlen(pw), kdf,
				    &err) == SS_OK);
	if (json == NULL)
		return;
	CHECK(strstr(json, "\"version\": 4") != NULL);
	keys_keystore ks;
	uint8_t out[32];
	CHECK(keys_keystore_parse(&ks, json, strlen(json), &err) == SS_OK);
	CHECK(ks.kdf == (kdf->pbkdf2 ? KEYS_KDF_PBKDF2 : KEYS_KDF_SCRYPT));
	CHECK(ks.have_pubkey && memcmp(ks.pubkey, PUBKEY, 48) == 0);
	CHECK(strcmp(ks.path, "m/12381/3600/0/0/0") == 0);
	CHECK(keys_keystore_decrypt(&ks, pw_equiv, strlen(pw_equiv), out, &err) == SS_OK);
	CHECK_MEM(out, SECRET, 32);
	CHECK(keys_keystore_decrypt(&ks, "wrong", 5, out, &err) == SS_ERR_CRYPTO);
	static const uint8_t zero[32];
	CHECK_MEM(out, zero, 32); /* wiped on failure */
	/* the ciphertext never equals the secret, and the JSON carries no secret hex */
	char hex[65];
	hex_encode(hex, SECRET, 32, false);
	CHECK(strstr(json, hex) == NULL);
	free(json);
}

TEST(roundtrip_scrypt_nfkd_equivalent_passwords)
{
	keys_kdf_params kdf = { false, 1024, 0 };
	/* "ﬁ" (U+FB01 ligature) and "fi" normalise alike; control characters vanish */
	roundtrip(&kdf, "\xef\xac\x81le\x7f", "fi\x01le");
}

TEST(roundtrip_pbkdf2)
{
	keys_kdf_params kdf = { true, 0, 1000 };
	roundtrip(&kdf, "caf\xc3\xa9 pass", "cafe\xcc\x81 pass"); /* é precomposed vs combining */
}

static ss_err parse_str(const char *json, keys_error *err)
{
	keys_keystore ks;
	return keys_keystore_parse(&ks, json, strlen(json), err);
}

/* Malformed keystores built from a good one with one field changed. */
TEST(malformed_fields)
{
	keys_kdf_params kdf = { true, 0, 1000 };
	char *json = NULL;
	keys_error err = { "" };
	CHECK(keys_keystore_encrypt(&json, SECRET, PUBKEY, NULL, "pw", 2, &kdf, &err) == SS_OK);
	if (!json)
		return;
	json_t *good = json_loads(json, 0, NULL);
	free(json);
	struct {
		const char *ptr; /* object path, dot separated, last component set */
		json_t *value;
		ss_err want;
		const char *in_msg;
	} cases[] = {
		{ "crypto.cipher.message", json_string("00"), SS_ERR_INVALID, "crypto.cipher.message" },
		{ "crypto.cipher.params.iv", json_string("zz"), SS_ERR_INVALID, "iv" },
		{ "crypto.checksum.message", json_integer(1), SS_ERR_INVALID, "checksum.message" },
		{ "crypto.kdf.params.c", json_integer(0), SS_ERR_INVALID, "c" },
		{ "crypto.kdf.params.c", json_integer(1 << 30), SS_ERR_UNSUPPORTED, "limit" },
		{ "crypto.kdf.params.dklen", json_integer(64), SS_ERR_UNSUPPORTED, "dklen" },
		{ "crypto.kdf.params.salt", json_string("abc"), SS_ERR_INVALID, "salt" },
		{ "pubkey", json_string("1234"), SS_ERR_INVALID, "pubkey" },
		{ "version", json_string("4"), SS_ERR_INVALID, "version" },
		{ "crypto.kdf.function", json_string("argon2"), SS_ERR_UNSUPPORTED, "argon2" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *copy = json_deep_copy(good);
		char path[128];
		snprintf(path, sizeof path, "%s", cases[i].ptr);
		json_t *obj = copy;
		char *save = NULL, *tok = strtok_r(path, ".", &save), *next;
		while ((next = strtok_r(NULL, ".", &save)) != NULL) {
			obj = json_object_get(obj, tok);
			tok = next;
		}
		json_object_set_new(obj, tok, cases[i].value);
		char *text = json_dumps(copy, 0);
		err.msg[0] = '\0';
		ss_err e = parse_str(text, &err);
		CHECK_MSG(e == cases[i].want && strstr(err.msg, cases[i].in_msg) != NULL,
			  "case %s: got %s '%s'", cases[i].ptr, ss_strerror(e), err.msg);
		free(text);
		json_decref(copy);
	}
	/* scrypt n not a power of two, and one too expensive */
	CHECK(parse_str("{\"version\":4,\"crypto\":{\"kdf\":{\"function\":\"scrypt\",\"params\":{\"dklen\":32,\"n\":1000,\"r\":8,\"p\":1,\"salt\":\"00\"},\"message\":\"\"},\"checksum\":{\"function\":\"sha256\",\"params\":{},\"message\":\"\"},\"cipher\":{\"function\":\"aes-128-ctr\",\"params\":{\"iv\":\"\"},\"message\":\"\"}}}", &err) == SS_ERR_INVALID);
	CHECK(strstr(err.msg, "power of two") != NULL);
	CHECK(parse_str("{\"version\":4,\"crypto\":{\"kdf\":{\"function\":\"scrypt\",\"params\":{\"dklen\":32,\"n\":1073741824,\"r\":8,\"p\":1,\"salt\":\"00\"},\"message\":\"\"},\"checksum\":{\"function\":\"sha256\",\"params\":{},\"message\":\"\"},\"cipher\":{\"function\":\"aes-128-ctr\",\"params\":{\"iv\":\"\"},\"message\":\"\"}}}", &err) == SS_ERR_UNSUPPORTED);
	CHECK(parse_str("not json", &err) == SS_ERR_INVALID && strstr(err.msg, "JSON") != NULL);
	CHECK(parse_str("[]", &err) == SS_ERR_INVALID);
	CHECK(parse_str("{\"version\":4,\"version\":4}", &err) == SS_ERR_INVALID); /* duplicate key */
	json_decref(good);
}

/* docs/keys.md "Key-derivation limits": EIP-2335's recommended costs are the ceiling,
 * inclusive; one step above in any parameter is refused at parse time (before any
 * derivation) with a message naming the limit. */
static ss_err parse_kdf(const char *params, keys_error *err)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "{\"version\":4,\"crypto\":{\"kdf\":{\"function\":\"%s\",\"params\":{\"dklen\":32,%s,\"salt\":\"00\"},\"message\":\"\"},\"checksum\":{\"function\":\"sha256\",\"params\":{},\"message\":\"0000000000000000000000000000000000000000000000000000000000000000\"},\"cipher\":{\"function\":\"aes-128-ctr\",\"params\":{\"iv\":\"00000000000000000000000000000000\"},\"message\":\"0000000000000000000000000000000000000000000000000000000000000000\"}}}",
		 strstr(params, "\"c\"") ? "pbkdf2" : "scrypt", params);
	err->msg[0] = '\0';
	return parse_str(text, err);
}

TEST(kdf_limits)
{
	keys_error err;
	static const struct {
		const char *params;
		bool ok;
	} cases[] = {
		{ "\"n\":262144,\"r\":8,\"p\":1", true },  /* EIP-2335 recommended */
		{ "\"n\":131072,\"r\":16,\"p\":1", true }, /* same memory and work */
		{ "\"n\":262144,\"r\":4,\"p\":2", true },  /* same work, half the memory */
		{ "\"n\":524288,\"r\":8,\"p\":1", false }, /* 512 MiB */
		{ "\"n\":262144,\"r\":9,\"p\":1", false },
		{ "\"n\":262144,\"r\":8,\"p\":2", false }, /* twice the work */
		{ "\"n\":2,\"r\":8,\"p\":16777216", false },
		{ "\"c\":262144,\"prf\":\"hmac-sha256\"", true },
		{ "\"c\":262145,\"prf\":\"hmac-sha256\"", false },
		{ "\"c\":4294967295,\"prf\":\"hmac-sha256\"", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ss_err e = parse_kdf(cases[i].params, &err);
		if (cases[i].ok)
			CHECK_MSG(e == SS_OK, "%s refused: %s", cases[i].params, err.msg);
		else
			CHECK_MSG(e == SS_ERR_UNSUPPORTED && strstr(err.msg, "key-derivation limit"),
				  "%s: got %s '%s'", cases[i].params, ss_strerror(e), err.msg);
	}
	/* zero work is malformed, not cheap */
	CHECK(parse_kdf("\"n\":2,\"r\":0,\"p\":1", &err) == SS_ERR_INVALID);
	CHECK(parse_kdf("\"c\":0,\"prf\":\"hmac-sha256\"", &err) == SS_ERR_INVALID);
	/* the cost the request budget counts */
	keys_keystore ks;
	CHECK(parse_kdf("\"n\":262144,\"r\":8,\"p\":1", &err) == SS_OK);
	memset(&ks, 0, sizeof ks);
	ks.kdf = KEYS_KDF_SCRYPT;
	ks.n = 262144;
	ks.r = 8;
	ks.p = 1;
	CHECK_EQ_U64(keys_keystore_cost(&ks), KEYS_KDF_COST_RECOMMENDED);
	ks.kdf = KEYS_KDF_PBKDF2;
	ks.c = 262144;
	CHECK_EQ_U64(keys_keystore_cost(&ks), KEYS_KDF_COST_RECOMMENDED / 8);
}

TEST(tampered_ciphertext_fails_checksum)
{
	keys_kdf_params kdf = { true, 0, 1000 };
	char *json = NULL;
	keys_error err = { "" };
	CHECK(keys_keystore_encrypt(&json, SECRET, PUBKEY, NULL, "pw", 2, &kdf, &err) == SS_OK);
	if (!json)
		return;
	keys_keystore ks;
	CHECK(keys_keystore_parse(&ks, json, strlen(json), &err) == SS_OK);
	ks.ciphertext[5] ^= 1;
	uint8_t out[32];
	CHECK(keys_keystore_decrypt(&ks, "pw", 2, out, &err) == SS_ERR_CRYPTO);
	CHECK(strstr(err.msg, "checksum") != NULL);
	free(json);
}

TEST(password_not_utf8_or_too_long)
{
	uint8_t out[64];
	size_t n;
	CHECK(keys_password_normalize(out, sizeof out, &n, "\xff\xfe", 2) == SS_ERR_INVALID);
	CHECK(keys_password_normalize(out, sizeof out, &n, "\xc3", 1) == SS_ERR_INVALID);
	char *big = malloc(KEYS_PASSWORD_MAX + 1);
	memset(big, 'a', KEYS_PASSWORD_MAX + 1);
	CHECK(keys_password_normalize(out, sizeof out, &n, big, KEYS_PASSWORD_MAX + 1) ==
	      SS_ERR_INVALID);
	CHECK(keys_password_normalize(out, sizeof out, &n, big, 100) == SS_ERR_RANGE);
	free(big);
	keys_keystore ks;
	memset(&ks, 0, sizeof ks);
	ks.kdf = KEYS_KDF_PBKDF2;
	ks.c = 1;
	keys_error err = { "" };
	uint8_t secret[32];
	CHECK(keys_keystore_decrypt(&ks, "\xff", 1, secret, &err) == SS_ERR_INVALID);
	CHECK(strstr(err.msg, "UTF-8") != NULL);
}
