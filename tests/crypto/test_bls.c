/* Official BLS12-381 vectors: ethereum/bls12-381-tests v0.1.2 (+ the post-release
 * deserialisation supplement) and the RFC 9380 hash-to-curve vectors (vectors README
 * §2, §3). Every case runs by name: `test_bls sign_case_84d45c9c7cca6b92`, or
 * `test_bls G2_RO_3` for the RFC suites (suite name + index), `xmd38_2` for
 * expand_message_xmd. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

#define BLS_DIR "bls12-381-tests/v0.1.2/"
#define SUPP_DIR "bls12-381-tests/post-v0.1.2-supplement/"

/* Decodes a hex string (with or without 0x) of any length up to cap. */
static bool hexv(uint8_t *out, size_t cap, size_t *len, json_t *s)
{
	const char *str = json_string_value(s);
	if (str == NULL)
		return false;
	return hex_decode_var(out, cap, len, str, strlen(str), HEX_PREFIX_OPTIONAL) == SS_OK;
}

/* Decodes exactly n bytes; false when the string has another length. */
static bool hexn(uint8_t *out, size_t n, json_t *s)
{
	size_t len;
	return hexv(out, n, &len, s) && len == n;
}

static bool parse_fp_hex(fp *r, const char *s, size_t n)
{
	uint8_t b[48] = { 0 }, tmp[48];
	size_t len;
	if (hex_decode_var(tmp, 48, &len, s, n, HEX_PREFIX_OPTIONAL) != SS_OK)
		return false;
	memcpy(b + 48 - len, tmp, len);
	return fp_from_bytes(r, b) == 1;
}

/* "0x<c0>,0x<c1>" */
static bool parse_fp2_str(fp2 *r, const char *s)
{
	const char *comma = s ? strchr(s, ',') : NULL;
	if (comma == NULL)
		return false;
	return parse_fp_hex(&r->c0, s, (size_t)(comma - s)) &&
	       parse_fp_hex(&r->c1, comma + 1, strlen(comma + 1));
}

static bool g2_matches(const g2_point *p, json_t *xy)
{
	fp2 x, y;
	g2_affine a;
	if (!parse_fp2_str(&x, json_string_value(json_object_get(xy, "x"))) ||
	    !parse_fp2_str(&y, json_string_value(json_object_get(xy, "y"))))
		return false;
	g2_to_affine(&a, p);
	return fp2_eq(&a.x, &x) && fp2_eq(&a.y, &y);
}

static bool g1_matches(const g1_point *p, json_t *xy)
{
	fp x, y;
	g1_affine a;
	const char *xs = json_string_value(json_object_get(xy, "x"));
	const char *ys = json_string_value(json_object_get(xy, "y"));
	if (xs == NULL || ys == NULL || !parse_fp_hex(&x, xs, strlen(xs)) || !parse_fp_hex(&y, ys, strlen(ys)))
		return false;
	g1_to_affine(&a, p);
	return fp_eq(&a.x, &x) && fp_eq(&a.y, &y);
}

/* ---- ethereum/bls12-381-tests ---- */

static bool case_sign(const char *name, json_t *root, void *ctx)
{
	json_t *in = json_object_get(root, "input"), *out = json_object_get(root, "output");
	uint8_t skb[32], msg[256], sig[96], want[96];
	size_t msg_len;
	bls_secret_key sk;
	if (!hexn(skb, 32, json_object_get(in, "privkey")) ||
	    !hexv(msg, sizeof msg, &msg_len, json_object_get(in, "message")))
		return false;
	ss_err e = bls_secret_key_from_bytes(&sk, skb);
	if (json_is_null(out)) /* invalid secret key */
		return e == SS_ERR_INVALID;
	if (e != SS_OK || !hexn(want, 96, out))
		return false;
	bls_sign(sig, &sk, msg, msg_len);
	CHECK_MSG(memcmp(sig, want, 96) == 0, "%s: signature differs", name);
	/* the fixed-base path (a table of H(msg)) gives the same bytes */
	bls_fixed_base_table *t = malloc(BLS_FIXED_BASE_TABLE_BYTES);
	if (t == NULL)
		abort();
	bls_hashed_message h;
	uint8_t sig_fb[96];
	bls_hash_message(&h, msg, msg_len);
	bls_fixed_base_build(t, &h);
	bls_sign_fixed_base(sig_fb, &sk, t);
	free(t);
	CHECK_MSG(memcmp(sig_fb, want, 96) == 0, "%s: fixed-base signature differs", name);
	/* the produced signature verifies under the derived public key */
	uint8_t pk[48];
	bls_sk_to_pk(pk, &sk);
	CHECK(bls_verify_vartime(pk, msg, msg_len, sig));
	return memcmp(sig, want, 96) == 0 && memcmp(sig_fb, want, 96) == 0;
}

static bool case_verify(const char *name, json_t *root, void *ctx)
{
	json_t *in = json_object_get(root, "input");
	uint8_t pk[48], msg[256], sig[96];
	size_t msg_len;
	bool want = json_is_true(json_object_get(root, "output"));
	if (!hexv(msg, sizeof msg, &msg_len, json_object_get(in, "message")))
		return false;
	/* a malformed-length encoding must be rejected */
	if (!hexn(pk, 48, json_object_get(in, "pubkey")) || !hexn(sig, 96, json_object_get(in, "signature")))
		return !want;
	return bls_verify_vartime(pk, msg, msg_len, sig) == want;
}

static bool case_aggregate(const char *name, json_t *root, void *ctx)
{
	json_t *in = json_object_get(root, "input"), *out = json_object_get(root, "output");
	size_t n = json_array_size(in);
	uint8_t(*sigs)[96] = calloc(n + 1, 96), agg[96], want[96];
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++)
		ok = hexn(sigs[i], 96, json_array_get(in, i));
	ss_err e = ok ? bls_aggregate_signatures_vartime(agg, (const uint8_t(*)[96])sigs, n) : SS_ERR_INVALID;
	free(sigs);
	if (json_is_null(out))
		return e == SS_ERR_INVALID;
	return e == SS_OK && hexn(want, 96, out) && memcmp(agg, want, 96) == 0;
}

/* Decodes a list of 48-byte keys; false when an entry has the wrong length. */
static bool read_pks(json_t *arr, uint8_t (**pks)[48], size_t *n)
{
	*n = json_array_size(arr);
	*pks = calloc(*n + 1, 48);
	for (size_t i = 0; i < *n; i++)
		if (!hexn((*pks)[i], 48, json_array_get(arr, i)))
			return false;
	return true;
}

static bool read_msgs(json_t *arr, uint8_t **buf, const uint8_t ***ptrs, size_t **lens)
{
	size_t n = json_array_size(arr);
	*buf = calloc(n + 1, 256);
	*ptrs = calloc(n + 1, sizeof **ptrs);
	*lens = calloc(n + 1, sizeof **lens);
	for (size_t i = 0; i < n; i++) {
		(*ptrs)[i] = *buf + 256 * i;
		if (!hexv(*buf + 256 * i, 256, &(*lens)[i], json_array_get(arr, i)))
			return false;
	}
	return true;
}

static bool case_fast_aggregate_verify(const char *name, json_t *root, void *ctx)
{
	json_t *in = json_object_get(root, "input");
	bool want = json_is_true(json_object_get(root, "output"));
	uint8_t(*pks)[48], msg[256], sig[96];
	size_t n, msg_len;
	bool got = false;
	if (read_pks(json_object_get(in, "pubkeys"), &pks, &n) &&
	    hexv(msg, sizeof msg, &msg_len, json_object_get(in, "message")) &&
	    hexn(sig, 96, json_object_get(in, "signature")))
		got = bls_fast_aggregate_verify_vartime((const uint8_t(*)[48])pks, n, msg, msg_len, sig);
	free(pks);
	return got == want;
}

static bool case_aggregate_verify(const char *name, json_t *root, void *ctx)
{
	json_t *in = json_object_get(root, "input");
	bool want = json_is_true(json_object_get(root, "output"));
	uint8_t(*pks)[48], *mbuf, sig[96];
	const uint8_t **msgs;
	size_t n, *lens;
	bool got = false;
	bool ok = read_pks(json_object_get(in, "pubkeys"), &pks, &n);
	ok = read_msgs(json_object_get(in, "messages"), &mbuf, &msgs, &lens) && ok;
	if (ok && json_array_size(json_object_get(in, "messages")) == n &&
	    hexn(sig, 96, json_object_get(in, "signature")))
		got = bls_aggregate_verify_vartime((const uint8_t(*)[48])pks, msgs, lens, n, sig);
	free(pks);
	free(mbuf);
	free(msgs);
	free(lens);
	return got == want;
}

static bool case_batch_verify(const char *name, json_t *root, void *ctx)
{
	json_t *in = json_object_get(root, "input");
	bool want = json_is_true(json_object_get(root, "output"));
	uint8_t(*pks)[48], *mbuf;
	const uint8_t **msgs;
	size_t n, *lens;
	json_t *sa = json_object_get(in, "signatures");
	size_t ns = json_array_size(sa);
	uint8_t(*sigs)[96] = calloc(ns + 1, 96);
	bool ok = read_pks(json_object_get(in, "pubkeys"), &pks, &n);
	ok = read_msgs(json_object_get(in, "messages"), &mbuf, &msgs, &lens) && ok;
	for (size_t i = 0; i < ns && ok; i++)
		ok = hexn(sigs[i], 96, json_array_get(sa, i));
	bool got = false;
	if (ok && ns == n && json_array_size(json_object_get(in, "messages")) == n)
		got = bls_batch_verify_vartime((const uint8_t(*)[48])pks, msgs, lens,
					       (const uint8_t(*)[96])sigs, n);
	free(pks);
	free(mbuf);
	free(msgs);
	free(lens);
	free(sigs);
	return got == want;
}

/* deserialization_G1/G2: true when the bytes decode to a point of the subgroup
 * (infinity included). */
static bool case_deser_g1(const char *name, json_t *root, void *ctx)
{
	bool want = json_is_true(json_object_get(root, "output"));
	uint8_t b[200];
	size_t len;
	g1_point p;
	bool got = hexv(b, sizeof b, &len, json_object_get(json_object_get(root, "input"), "pubkey")) &&
		   g1_deserialize_vartime(&p, b, len) == SS_OK && len == 48 && g1_in_subgroup_vartime(&p);
	return got == want;
}

static bool case_deser_g2(const char *name, json_t *root, void *ctx)
{
	bool want = json_is_true(json_object_get(root, "output"));
	uint8_t b[300];
	size_t len;
	g2_point p;
	bool got = hexv(b, sizeof b, &len, json_object_get(json_object_get(root, "input"), "signature")) &&
		   g2_deserialize_vartime(&p, b, len) == SS_OK && len == 96 && g2_in_subgroup_vartime(&p);
	return got == want;
}

static bool case_hash_to_g2(const char *name, json_t *root, void *ctx)
{
	static const char dst[] = "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";
	const char *msg = json_string_value(json_object_get(json_object_get(root, "input"), "msg"));
	if (msg == NULL)
		return false;
	g2_point p;
	bls_hash_to_g2(&p, (const uint8_t *)msg, strlen(msg), (const uint8_t *)dst, sizeof dst - 1);
	return g2_matches(&p, json_object_get(root, "output"));
}

static void run_dir(const char *dir, vector_case_fn fn)
{
	if (!vectors_require())
		return;
	bls_init();
	CHECK(vectors_for_each_file(dir, fn, NULL) > 0 || test_selected_case() != NULL);
}

TEST(bls_sign) { run_dir(BLS_DIR "sign", case_sign); }
TEST(bls_verify) { run_dir(BLS_DIR "verify", case_verify); }
TEST(bls_aggregate) { run_dir(BLS_DIR "aggregate", case_aggregate); }
TEST(bls_aggregate_verify) { run_dir(BLS_DIR "aggregate_verify", case_aggregate_verify); }
TEST(bls_fast_aggregate_verify) { run_dir(BLS_DIR "fast_aggregate_verify", case_fast_aggregate_verify); }
TEST(bls_batch_verify) { run_dir(BLS_DIR "batch_verify", case_batch_verify); }
TEST(bls_deserialization_G1) { run_dir(BLS_DIR "deserialization_G1", case_deser_g1); }
TEST(bls_deserialization_G2) { run_dir(BLS_DIR "deserialization_G2", case_deser_g2); }
TEST(bls_deserialization_G1_supplement) { run_dir(SUPP_DIR "deserialization_G1", case_deser_g1); }
TEST(bls_deserialization_G2_supplement) { run_dir(SUPP_DIR "deserialization_G2", case_deser_g2); }
TEST(bls_hash_to_G2) { run_dir(BLS_DIR "hash_to_G2", case_hash_to_g2); }

/* Every folder of the two bls12-381-tests trees, and every RFC 9380 file, has a test in
 * this file: one added upstream (or renamed) fails here instead of being silently left
 * out. */
static void check_folders_handled(const char *tree, const char *const *known)
{
	char path[4096];
	if (!vectors_path(path, sizeof path, tree)) {
		CHECK_MSG(false, "no %s", tree);
		return;
	}
	DIR *d = opendir(path);
	CHECK_MSG(d != NULL, "cannot open %s", path);
	if (d == NULL)
		return;
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		bool found = false;
		for (const char *const *k = known; *k != NULL && !found; k++)
			found = strcmp(*k, e->d_name) == 0;
		CHECK_MSG(found, "%s/%s: no test runs this folder", tree, e->d_name);
		n++;
	}
	closedir(d);
	CHECK(n > 0);
}

TEST(bls_every_vector_folder_is_handled)
{
	if (!vectors_require())
		return;
	static const char *const v012[] = { "sign", "verify", "aggregate", "aggregate_verify",
					    "fast_aggregate_verify", "batch_verify", "deserialization_G1",
					    "deserialization_G2", "hash_to_G2", NULL };
	static const char *const supp[] = { "deserialization_G1", "deserialization_G2", NULL };
	static const char *const rfc[] = { "expand_message_xmd_SHA256_38.json",
					   "expand_message_xmd_SHA256_256.json",
					   "BLS12381G1_XMD-SHA-256_SSWU_RO_.json",
					   "BLS12381G1_XMD-SHA-256_SSWU_NU_.json",
					   "BLS12381G2_XMD-SHA-256_SSWU_RO_.json",
					   "BLS12381G2_XMD-SHA-256_SSWU_NU_.json", NULL };
	check_folders_handled("bls12-381-tests/v0.1.2", v012);
	check_folders_handled("bls12-381-tests/post-v0.1.2-supplement", supp);
	check_folders_handled("rfc9380-hash-to-curve", rfc);
}

/* ---- RFC 9380 ---- */

static void run_xmd(const char *file, const char *prefix)
{
	if (!vectors_require())
		return;
	json_t *root = vectors_load_json(file);
	if (root == NULL)
		return;
	const char *dst = json_string_value(json_object_get(root, "DST"));
	json_t *tests = json_object_get(root, "tests"), *t;
	size_t i;
	CHECK(dst != NULL && json_array_size(tests) > 0);
	json_array_foreach(tests, i, t) {
		char name[64];
		snprintf(name, sizeof name, "%s_%zu", prefix, i);
		if (!vectors_case_selected(name))
			continue;
		const char *msg = json_string_value(json_object_get(t, "msg"));
		const char *lhex = json_string_value(json_object_get(t, "len_in_bytes"));
		uint8_t want[1024], got[1024];
		size_t want_len;
		size_t len = lhex ? strtoul(lhex, NULL, 16) : 0;
		bool ok = msg && dst && len > 0 && len <= sizeof got &&
			  hexv(want, sizeof want, &want_len, json_object_get(t, "uniform_bytes")) &&
			  want_len == len &&
			  bls_expand_message_xmd(got, len, (const uint8_t *)msg, strlen(msg),
						 (const uint8_t *)dst, strlen(dst)) == SS_OK &&
			  memcmp(got, want, len) == 0;
		CHECK_MSG(ok, "%s failed", name);
		test_count_case(ok);
	}
	json_decref(root);
}

TEST(rfc9380_expand_message_xmd_38) { run_xmd("rfc9380-hash-to-curve/expand_message_xmd_SHA256_38.json", "xmd38"); }
TEST(rfc9380_expand_message_xmd_256) { run_xmd("rfc9380-hash-to-curve/expand_message_xmd_SHA256_256.json", "xmd256"); }

/* One suite file: u (hash_to_field), Q0/Q1 or Q (map_to_curve, before cofactor
 * clearing), P (the final point). */
static void run_suite(const char *file, const char *prefix, bool g2, bool ro)
{
	if (!vectors_require())
		return;
	bls_init();
	json_t *root = vectors_load_json(file);
	if (root == NULL)
		return;
	const char *dst = json_string_value(json_object_get(root, "dst"));
	json_t *vecs = json_object_get(root, "vectors"), *v;
	size_t i;
	CHECK(dst != NULL && json_array_size(vecs) > 0);
	json_array_foreach(vecs, i, v) {
		char name[64];
		snprintf(name, sizeof name, "%s_%zu", prefix, i);
		if (!vectors_case_selected(name))
			continue;
		const char *msg = json_string_value(json_object_get(v, "msg"));
		json_t *u = json_object_get(v, "u");
		size_t count = ro ? 2 : 1;
		bool ok = msg != NULL && dst != NULL && json_array_size(u) == count;
		const uint8_t *m = (const uint8_t *)msg, *d = (const uint8_t *)dst;
		size_t ml = msg ? strlen(msg) : 0, dl = dst ? strlen(dst) : 0;
		const char *qnames[2] = { ro ? "Q0" : "Q", "Q1" };
		if (ok && g2) {
			fp2 uu[2], want;
			g2_point q, p;
			bls_hash_to_field_fp2(uu, count, m, ml, d, dl);
			for (size_t j = 0; j < count; j++) {
				bool uok = parse_fp2_str(&want, json_string_value(json_array_get(u, j))) &&
					   fp2_eq(&want, &uu[j]);
				CHECK_MSG(uok, "%s: u[%zu]", name, j);
				bls_map_to_g2(&q, &uu[j]);
				bool qok = g2_matches(&q, json_object_get(v, qnames[j]));
				CHECK_MSG(qok, "%s: %s", name, qnames[j]);
				ok = ok && uok && qok;
			}
			if (ro)
				bls_hash_to_g2(&p, m, ml, d, dl);
			else
				bls_encode_to_g2(&p, m, ml, d, dl);
			bool pok = g2_matches(&p, json_object_get(v, "P"));
			CHECK_MSG(pok, "%s: P", name);
			ok = ok && pok;
		} else if (ok) {
			fp uu[2], want;
			g1_point q, p;
			bls_hash_to_field_fp(uu, count, m, ml, d, dl);
			for (size_t j = 0; j < count; j++) {
				const char *us = json_string_value(json_array_get(u, j));
				bool uok = us && parse_fp_hex(&want, us, strlen(us)) && fp_eq(&want, &uu[j]);
				CHECK_MSG(uok, "%s: u[%zu]", name, j);
				bls_map_to_g1(&q, &uu[j]);
				bool qok = g1_matches(&q, json_object_get(v, qnames[j]));
				CHECK_MSG(qok, "%s: %s", name, qnames[j]);
				ok = ok && uok && qok;
			}
			if (ro)
				bls_hash_to_g1(&p, m, ml, d, dl);
			else
				bls_encode_to_g1(&p, m, ml, d, dl);
			bool pok = g1_matches(&p, json_object_get(v, "P"));
			CHECK_MSG(pok, "%s: P", name);
			ok = ok && pok;
		}
		test_count_case(ok);
	}
	json_decref(root);
}

TEST(rfc9380_G2_RO) { run_suite("rfc9380-hash-to-curve/BLS12381G2_XMD-SHA-256_SSWU_RO_.json", "G2_RO", true, true); }
TEST(rfc9380_G2_NU) { run_suite("rfc9380-hash-to-curve/BLS12381G2_XMD-SHA-256_SSWU_NU_.json", "G2_NU", true, false); }
TEST(rfc9380_G1_RO) { run_suite("rfc9380-hash-to-curve/BLS12381G1_XMD-SHA-256_SSWU_RO_.json", "G1_RO", false, true); }
TEST(rfc9380_G1_NU) { run_suite("rfc9380-hash-to-curve/BLS12381G1_XMD-SHA-256_SSWU_NU_.json", "G1_NU", false, false); }
