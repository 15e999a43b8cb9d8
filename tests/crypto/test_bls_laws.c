/* Randomised laws of the BLS12-381 field tower, groups and pairing (issue 3 "How it is
 * checked"): ring axioms, inverses, square roots, Frobenius, cyclotomic squaring,
 * group laws and scalar multiplication, subgroup checks, bilinearity. Deterministic
 * pseudo-random inputs so a failure reproduces. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"
#include "test.h"

#define ROUNDS 20

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) { return test_splitmix64(&rng_state); }

static void rnd_fp(fp *r)
{
	uint8_t b[64];
	for (int i = 0; i < 8; i++) {
		uint64_t v = rnd();
		memcpy(b + 8 * i, &v, 8);
	}
	fp_from_bytes64_reduce(r, b);
}
static void rnd_fp2(fp2 *r)
{
	rnd_fp(&r->c0);
	rnd_fp(&r->c1);
}
static void rnd_fp12(fp12 *r)
{
	fp2 *g = (fp2 *)r;
	for (int i = 0; i < 6; i++)
		rnd_fp2(&g[i]);
}
static void rnd_scalar(uint64_t k[4])
{
	do {
		for (int i = 0; i < 4; i++)
			k[i] = rnd();
		k[3] &= 0x7fffffffffffffffull;
	} while (!fr_is_valid(k));
}

/* a^e in Fp12 for a public exponent (square and multiply) */
static void fp12_pow(fp12 *r, const fp12 *a, const uint64_t *e, size_t n)
{
	fp12 acc;
	fp12_set_one(&acc);
	for (size_t i = n; i-- > 0;)
		for (int b = 63; b >= 0; b--) {
			fp12_sqr(&acc, &acc);
			if ((e[i] >> b) & 1)
				fp12_mul(&acc, &acc, a);
		}
	*r = acc;
}

TEST(fp_ring_laws_inverse_sqrt)
{
	bls_init();
	for (int i = 0; i < ROUNDS; i++) {
		fp a, b, c, t, u, v;
		rnd_fp(&a);
		rnd_fp(&b);
		rnd_fp(&c);
		/* a (b + c) = a b + a c */
		fp_add(&t, &b, &c);
		fp_mul(&t, &a, &t);
		fp_mul(&u, &a, &b);
		fp_mul(&v, &a, &c);
		fp_add(&u, &u, &v);
		CHECK(fp_eq(&t, &u));
		/* (a - b) + b = a; -a + a = 0; 2 (a/2) = a */
		fp_sub(&t, &a, &b);
		fp_add(&t, &t, &b);
		CHECK(fp_eq(&t, &a));
		fp_neg(&t, &a);
		fp_add(&t, &t, &a);
		CHECK(fp_is_zero(&t));
		fp_half(&t, &a);
		fp_dbl(&t, &t);
		CHECK(fp_eq(&t, &a));
		/* a * a^-1 = 1 */
		fp_inv(&t, &a);
		fp_mul(&t, &t, &a);
		CHECK(fp_eq(&t, &FP_ONE));
		/* sqrt(a^2) = +-a; exactly one of a, -a is a square */
		fp_sqr(&t, &a);
		CHECK(fp_sqrt(&u, &t));
		fp_neg(&v, &a);
		CHECK(fp_eq(&u, &a) || fp_eq(&u, &v));
		CHECK(fp_is_square(&a) != fp_is_square(&v));
		CHECK(fp_sqrt(&u, &a) == fp_is_square(&a));
		/* bytes round trip */
		uint8_t bytes[48];
		fp_to_bytes(bytes, &a);
		CHECK(fp_from_bytes(&t, bytes) && fp_eq(&t, &a));
	}
	fp z;
	fp_set_zero(&z);
	fp_neg(&z, &z);
	CHECK(fp_is_zero(&z));
	/* p itself is not canonical */
	uint8_t pb[48];
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 8; j++)
			pb[47 - 8 * i - j] = (uint8_t)(FP_P[i] >> (8 * j));
	CHECK(!fp_from_bytes(&z, pb));
}

TEST(fp2_laws_inverse_sqrt)
{
	bls_init();
	for (int i = 0; i < ROUNDS; i++) {
		fp2 a, b, c, t, u, v;
		rnd_fp2(&a);
		rnd_fp2(&b);
		rnd_fp2(&c);
		fp2_add(&t, &b, &c);
		fp2_mul(&t, &a, &t);
		fp2_mul(&u, &a, &b);
		fp2_mul(&v, &a, &c);
		fp2_add(&u, &u, &v);
		CHECK(fp2_eq(&t, &u));
		fp2_mul(&t, &a, &b);
		fp2_mul(&t, &t, &c);
		fp2_mul(&u, &b, &c);
		fp2_mul(&u, &a, &u);
		CHECK(fp2_eq(&t, &u));
		fp2_sqr(&t, &a);
		fp2_mul(&u, &a, &a);
		CHECK(fp2_eq(&t, &u));
		fp2_inv(&t, &a);
		fp2_mul(&t, &t, &a);
		fp2_set_one(&u);
		CHECK(fp2_eq(&t, &u));
		/* u^2 = -1 */
		fp2 uu = { { { 0 } }, FP_ONE };
		fp2_sqr(&t, &uu);
		fp2_neg(&t, &t);
		CHECK(fp2_eq(&t, &u));
		/* sqrt(a^2) = +-a */
		fp2_sqr(&t, &a);
		CHECK(fp2_sqrt(&u, &t));
		fp2_neg(&v, &a);
		CHECK(fp2_eq(&u, &a) || fp2_eq(&u, &v));
		/* a is a square iff its norm is; sqrt agrees */
		fp n, s;
		fp_sqr(&n, &a.c0);
		fp_sqr(&s, &a.c1);
		fp_add(&n, &n, &s);
		CHECK(fp2_sqrt(&u, &a) == fp_is_square(&n));
		/* elements of Fp (c1 = 0), squares or not, have roots in Fp2 */
		t = a;
		fp_set_zero(&t.c1);
		CHECK(fp2_sqrt(&u, &t));
		fp2_sqr(&v, &u);
		CHECK(fp2_eq(&v, &t));
	}
}

TEST(fp6_fp12_laws)
{
	bls_init();
	for (int i = 0; i < ROUNDS / 2; i++) {
		fp12 a, b, c, t, u, v;
		rnd_fp12(&a);
		rnd_fp12(&b);
		rnd_fp12(&c);
		fp12_mul(&t, &a, &b);
		fp12_mul(&t, &t, &c);
		fp12_mul(&u, &b, &c);
		fp12_mul(&u, &a, &u);
		CHECK(fp12_eq(&t, &u));
		fp12_mul(&t, &a, &b);
		fp12_mul(&u, &b, &a);
		CHECK(fp12_eq(&t, &u));
		fp12_sqr(&t, &a);
		fp12_mul(&u, &a, &a);
		CHECK(fp12_eq(&t, &u));
		fp6 s6, m6;
		fp6_sqr(&s6, &a.c0);
		fp6_mul(&m6, &a.c0, &a.c0);
		CHECK(fp2_eq(&s6.c0, &m6.c0) && fp2_eq(&s6.c1, &m6.c1) && fp2_eq(&s6.c2, &m6.c2));
		fp12_inv(&t, &a);
		fp12_mul(&t, &t, &a);
		CHECK(fp12_is_one(&t));
		/* sparse line product equals the dense one */
		fp12 l;
		memset(&l, 0, sizeof l);
		rnd_fp2(&l.c0.c0);
		rnd_fp2(&l.c0.c1);
		rnd_fp2(&l.c1.c1);
		fp12_mul(&t, &a, &l);
		fp12_mul_014(&u, &a, &l.c0.c0, &l.c0.c1, &l.c1.c1);
		CHECK(fp12_eq(&t, &u));
		/* Frobenius: frob1(a) = a^p, frob2 = frob1^2, frob3 = frob1^3 */
		fp12_pow(&t, &a, FP_P, 6);
		fp12_frob(&u, &a, 1);
		CHECK(fp12_eq(&t, &u));
		fp12_frob(&v, &u, 1);
		fp12_frob(&t, &a, 2);
		CHECK(fp12_eq(&t, &v));
		fp12_frob(&v, &v, 1);
		fp12_frob(&t, &a, 3);
		CHECK(fp12_eq(&t, &v));
		/* cyclotomic squaring agrees with squaring on a^((p^6-1)(p^2+1)) */
		fp12_conj(&t, &a);
		fp12_inv(&u, &a);
		fp12_mul(&t, &t, &u);
		fp12_frob(&u, &t, 2);
		fp12_mul(&t, &t, &u);
		fp12_sqr(&u, &t);
		fp12_cyclotomic_sqr(&v, &t);
		CHECK(fp12_eq(&u, &v));
		(void)b;
	}
}

TEST(g1_group_laws_and_scalar_mult)
{
	bls_init();
	g1_point g, a, b, c, t;
	g1_from_affine(&g, &G1_GEN);
	CHECK(g1_affine_on_curve(&G1_GEN));
	CHECK(g1_in_subgroup_vartime(&g));
	g1_mul_vartime(&t, &g, FR_R, 255);
	CHECK(g1_is_infinity(&t));
	for (int i = 0; i < ROUNDS / 4; i++) {
		uint64_t k1[4], k2[4], k3[4];
		rnd_scalar(k1);
		rnd_scalar(k2);
		/* the constant-time GLV path against the plain double-and-add */
		g1_mul_glv_ct(&a, &g, k1);
		g1_mul_vartime(&t, &g, k1, 255);
		CHECK(g1_eq_vartime(&a, &t));
		g1_mul_glv_ct(&b, &g, k2);
		g1_mul_vartime(&c, &g, k2, 255);
		CHECK(g1_eq_vartime(&b, &c));
		/* [k1]G + [k2]G = [k1 + k2]G, k1 + k2 < 2^256 */
		unsigned __int128 carry = 0;
		for (int j = 0; j < 4; j++) {
			carry += (unsigned __int128)k1[j] + k2[j];
			k3[j] = (uint64_t)carry;
			carry >>= 64;
		}
		g1_mul_vartime(&c, &g, k3, 256);
		g1_add_vartime(&t, &a, &b);
		CHECK(g1_eq_vartime(&t, &c));
		CHECK(g1_in_subgroup_vartime(&a));
		/* P + P = 2P, P - P = O */
		g1_add_vartime(&t, &a, &a);
		g1_dbl(&c, &a);
		CHECK(g1_eq_vartime(&t, &c));
		g1_neg(&c, &a);
		g1_add_vartime(&t, &a, &c);
		CHECK(g1_is_infinity(&t));
		/* serialisation round trips */
		uint8_t buf[96];
		g1_compress(buf, &a);
		CHECK(g1_deserialize_vartime(&t, buf, 48) == SS_OK && g1_eq_vartime(&t, &a));
		g1_serialize(buf, &a);
		CHECK(g1_deserialize_vartime(&t, buf, 96) == SS_OK && g1_eq_vartime(&t, &a));
		/* a point on the curve outside G1 (the SSWU+isogeny output before cofactor
		 * clearing) is rejected, and accepted after clearing */
		fp u;
		rnd_fp(&u);
		bls_map_to_g1(&t, &u);
		g1_affine ta;
		g1_to_affine(&ta, &t);
		CHECK(g1_affine_on_curve(&ta));
		CHECK(!g1_in_subgroup_vartime(&t));
		g1_clear_cofactor(&t, &t);
		CHECK(g1_in_subgroup_vartime(&t));
	}
	/* scalar 1 and r - 1 */
	uint64_t one[4] = { 1, 0, 0, 0 }, rm1[4];
	memcpy(rm1, FR_R, sizeof rm1);
	rm1[0] -= 1;
	g1_mul_glv_ct(&a, &g, one);
	CHECK(g1_eq_vartime(&a, &g));
	g1_mul_glv_ct(&a, &g, rm1);
	g1_neg(&t, &g);
	CHECK(g1_eq_vartime(&a, &t));
}

/* GLV/GLS edge scalars: 1, r - 1, z^k - 1 and z^k boundaries, digits of all ones */
TEST(glv_gls_edge_scalars)
{
	bls_init();
	g2_point g, a, b;
	g2_from_affine(&g, &G2_GEN);
	uint64_t ks[8][4] = {
		{ 1, 0, 0, 0 },
		{ BLS_X_ABS - 1, 0, 0, 0 },
		{ BLS_X_ABS, 0, 0, 0 },
		{ BLS_X_ABS + 1, 0, 0, 0 },
		{ 0, 1, 0, 0 },
		{ 0xffffffffffffffffull, 0xffffffffffffffffull, 0, 0 },
		{ 0, 0, 0, 1ull << 62 },
		{ 0 },
	};
	memcpy(ks[7], FR_R, sizeof ks[7]);
	ks[7][0] -= 1;
	g1_point g1, a1, b1;
	g1_from_affine(&g1, &G1_GEN);
	for (int i = 0; i < 8; i++) {
		g2_mul_gls_ct(&a, &g, ks[i]);
		g2_mul_vartime(&b, &g, ks[i], 256);
		CHECK_MSG(g2_eq_vartime(&a, &b), "scalar %d", i);
		g1_mul_glv_ct(&a1, &g1, ks[i]);
		g1_mul_vartime(&b1, &g1, ks[i], 256);
		CHECK_MSG(g1_eq_vartime(&a1, &b1), "G1 scalar %d", i);
	}
}

TEST(g2_group_laws_and_scalar_mult)
{
	bls_init();
	g2_point g, a, b, c, t;
	g2_from_affine(&g, &G2_GEN);
	CHECK(g2_affine_on_curve(&G2_GEN));
	CHECK(g2_in_subgroup_vartime(&g));
	g2_mul_vartime(&t, &g, FR_R, 255);
	CHECK(g2_is_infinity(&t));
	for (int i = 0; i < ROUNDS / 4; i++) {
		uint64_t k1[4], k2[4], k3[4];
		rnd_scalar(k1);
		rnd_scalar(k2);
		/* the constant-time GLS path against the plain double-and-add */
		g2_mul_gls_ct(&a, &g, k1);
		g2_mul_vartime(&t, &g, k1, 255);
		CHECK(g2_eq_vartime(&a, &t));
		g2_mul_gls_ct(&b, &g, k2);
		g2_mul_vartime(&c, &g, k2, 255);
		CHECK(g2_eq_vartime(&b, &c));
		unsigned __int128 carry = 0;
		for (int j = 0; j < 4; j++) {
			carry += (unsigned __int128)k1[j] + k2[j];
			k3[j] = (uint64_t)carry;
			carry >>= 64;
		}
		g2_mul_vartime(&c, &g, k3, 256);
		g2_add_vartime(&t, &a, &b);
		CHECK(g2_eq_vartime(&t, &c));
		CHECK(g2_in_subgroup_vartime(&a));
		/* psi acts as [x] on G2 */
		uint64_t xa[1] = { BLS_X_ABS };
		g2_psi(&t, &a);
		g2_mul_vartime(&c, &a, xa, 64);
		g2_neg(&c, &c);
		CHECK(g2_eq_vartime(&t, &c));
		uint8_t buf[192];
		g2_compress(buf, &a);
		CHECK(g2_deserialize_vartime(&t, buf, 96) == SS_OK && g2_eq_vartime(&t, &a));
		g2_serialize(buf, &a);
		CHECK(g2_deserialize_vartime(&t, buf, 192) == SS_OK && g2_eq_vartime(&t, &a));
		fp2 u;
		rnd_fp2(&u);
		bls_map_to_g2(&t, &u);
		g2_affine ta;
		g2_to_affine(&ta, &t);
		CHECK(g2_affine_on_curve(&ta));
		CHECK(!g2_in_subgroup_vartime(&t));
		g2_clear_cofactor(&t, &t);
		CHECK(g2_in_subgroup_vartime(&t));
	}
}

TEST(pairing_bilinear_nondegenerate)
{
	bls_init();
	g1_point g1, p;
	g2_point g2, q;
	g1_affine pa, ga;
	g2_affine qa, g2a;
	fp12 e, e2, e3;
	g1_from_affine(&g1, &G1_GEN);
	g2_from_affine(&g2, &G2_GEN);
	bls_pairing_vartime(&e, &G1_GEN, &G2_GEN);
	CHECK(!fp12_is_one(&e));
	/* e^r = 1 */
	fp12_pow(&e2, &e, FR_R, 4);
	CHECK(fp12_is_one(&e2));
	for (int i = 0; i < 3; i++) {
		uint64_t a[4] = { rnd(), 0, 0, 0 }, b[4] = { rnd(), 0, 0, 0 };
		unsigned __int128 ab = (unsigned __int128)a[0] * b[0];
		uint64_t abl[2] = { (uint64_t)ab, (uint64_t)(ab >> 64) };
		g1_mul_vartime(&p, &g1, a, 64);
		g2_mul_vartime(&q, &g2, b, 64);
		g1_to_affine(&pa, &p);
		g2_to_affine(&qa, &q);
		/* e(aP, bQ) = e(P, Q)^(ab) */
		bls_pairing_vartime(&e2, &pa, &qa);
		fp12_pow(&e3, &e, abl, 2);
		CHECK(fp12_eq(&e2, &e3));
		/* e(aP, Q) = e(P, aQ) */
		g2_mul_vartime(&q, &g2, a, 64);
		g2_to_affine(&qa, &q);
		bls_pairing_vartime(&e2, &pa, &G2_GEN);
		bls_pairing_vartime(&e3, &G1_GEN, &qa);
		CHECK(fp12_eq(&e2, &e3));
		/* multi-pairing: e(aP, Q) e(-P, aQ) = 1 */
		g1_neg(&p, &g1);
		g1_to_affine(&ga, &p);
		g1_affine ps[2] = { pa, ga };
		g2_affine qs[2] = { G2_GEN, qa };
		bls_miller_loop_n_vartime(&e2, ps, qs, 2);
		bls_final_exp(&e2, &e2);
		CHECK(fp12_is_one(&e2));
		(void)g2a;
	}
}

/* The secret-key range rule: 0 and r are rejected, 1 and r - 1 accepted. */
TEST(secret_key_range)
{
	bls_init();
	uint8_t b[32] = { 0 }, out[32];
	bls_secret_key sk;
	CHECK(bls_secret_key_from_bytes(&sk, b) == SS_ERR_INVALID);
	b[31] = 1;
	CHECK(bls_secret_key_from_bytes(&sk, b) == SS_OK);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			b[31 - 8 * i - j] = (uint8_t)(FR_R[i] >> (8 * j));
	CHECK(bls_secret_key_from_bytes(&sk, b) == SS_ERR_INVALID);
	memset(b + 8, 0xff, 24);
	b[0] = 0xff;
	CHECK(bls_secret_key_from_bytes(&sk, b) == SS_ERR_INVALID);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			b[31 - 8 * i - j] = (uint8_t)(FR_R[i] >> (8 * j));
	b[31] -= 1; /* r - 1 (r ends in 0x01) */
	CHECK(bls_secret_key_from_bytes(&sk, b) == SS_OK);
	bls_secret_key_to_bytes(out, &sk);
	CHECK_MEM(out, b, 32);
	bls_secret_key_wipe(&sk);
	CHECK(sk.l[0] == 0 && sk.l[3] == 0);
}

/* Sign/verify round trips on random keys, and the API's refusals: wrong message, wrong
 * key, corrupted signature; aggregate and batch verification over more pairs than one
 * Miller-loop chunk (BLS_PAIRING_ACC_PAIRS). */
TEST(api_roundtrip_and_many_pairs)
{
	bls_init();
	enum { N = 19 };
	static uint8_t pks[N][48], sigs[N][96], msgs[N][40];
	const uint8_t *mp[N];
	size_t ml[N];
	for (int i = 0; i < N; i++) {
		uint64_t k[4];
		uint8_t kb[32];
		bls_secret_key sk;
		rnd_scalar(k);
		for (int a = 0; a < 4; a++)
			for (int j = 0; j < 8; j++)
				kb[31 - 8 * a - j] = (uint8_t)(k[a] >> (8 * j));
		CHECK(bls_secret_key_from_bytes(&sk, kb) == SS_OK);
		for (int j = 0; j < 40; j++)
			msgs[i][j] = (uint8_t)rnd();
		mp[i] = msgs[i];
		ml[i] = (size_t)(i % 3 == 0 ? 0 : 40 - i);
		bls_sk_to_pk(pks[i], &sk);
		bls_sign(sigs[i], &sk, msgs[i], ml[i]);
		bls_hashed_message hm;
		uint8_t s3[96];
		bls_hash_message(&hm, msgs[i], ml[i]);
		bls_sign_hashed(s3, &sk, &hm);
		CHECK_MEM(s3, sigs[i], 96);
		CHECK(bls_key_validate_vartime(pks[i]));
		CHECK(bls_verify_vartime(pks[i], msgs[i], ml[i], sigs[i]));
		if (i > 0)
			CHECK(!bls_verify_vartime(pks[i - 1], msgs[i], ml[i], sigs[i]));
		uint8_t m2[40];
		memcpy(m2, msgs[i], 40);
		m2[0] ^= 1;
		/* a different message: one bit flipped, or one byte instead of none */
		CHECK(!bls_verify_vartime(pks[i], m2, ml[i] ? ml[i] : 1, sigs[i]));
		uint8_t s2[96];
		memcpy(s2, sigs[i], 96);
		s2[95] ^= 1;
		CHECK(!bls_verify_vartime(pks[i], msgs[i], ml[i], s2));
	}
	uint8_t agg[96];
	CHECK(bls_aggregate_signatures_vartime(agg, (const uint8_t(*)[96])sigs, N) == SS_OK);
	CHECK(bls_aggregate_verify_vartime((const uint8_t(*)[48])pks, mp, ml, N, agg));
	CHECK(bls_batch_verify_vartime((const uint8_t(*)[48])pks, mp, ml, (const uint8_t(*)[96])sigs, N));
	/* swap two signatures: the aggregate is unchanged, the batch must fail */
	uint8_t tmp[96];
	memcpy(tmp, sigs[3], 96);
	memcpy(sigs[3], sigs[4], 96);
	memcpy(sigs[4], tmp, 96);
	CHECK(!bls_batch_verify_vartime((const uint8_t(*)[48])pks, mp, ml, (const uint8_t(*)[96])sigs, N));
	CHECK(!bls_aggregate_verify_vartime((const uint8_t(*)[48])pks, mp, ml, N - 1, agg));
	/* fast aggregate: everyone signs message 0 */
	for (int i = 0; i < N; i++) {
		uint64_t k[4];
		uint8_t kb[32];
		bls_secret_key sk;
		rnd_scalar(k);
		for (int a = 0; a < 4; a++)
			for (int j = 0; j < 8; j++)
				kb[31 - 8 * a - j] = (uint8_t)(k[a] >> (8 * j));
		CHECK(bls_secret_key_from_bytes(&sk, kb) == SS_OK);
		bls_sk_to_pk(pks[i], &sk);
		bls_sign(sigs[i], &sk, msgs[0], 40);
	}
	CHECK(bls_aggregate_signatures_vartime(agg, (const uint8_t(*)[96])sigs, N) == SS_OK);
	CHECK(bls_fast_aggregate_verify_vartime((const uint8_t(*)[48])pks, N, msgs[0], 40, agg));
	CHECK(!bls_fast_aggregate_verify_vartime((const uint8_t(*)[48])pks, N - 1, msgs[0], 40, agg));
	CHECK(!bls_fast_aggregate_verify_vartime((const uint8_t(*)[48])pks, 0, msgs[0], 40, agg));
	CHECK(bls_aggregate_signatures_vartime(agg, (const uint8_t(*)[96])sigs, 0) == SS_ERR_INVALID);
}

/* Both field backends give identical results on whole operations (issue 3: "a test that
 * both backends give identical results"): the backend flag is flipped between runs,
 * whatever SECURE_SIGNER_NO_ASM chose, and restored afterwards. */
TEST(backends_agree)
{
	bls_init();
	if (!fp_mont_cpu_has_adx()) {
		test_skip("this CPU has no BMI2/ADX: only the portable backend exists");
		return;
	}
	bool saved = fp_mont_asm;
	for (int i = 0; i < 4; i++) {
		uint64_t k[4];
		uint8_t kb[32], msg[32], pk[2][48], sig[2][96];
		fp12 e[2];
		bls_secret_key sk;
		rnd_scalar(k);
		for (int a = 0; a < 4; a++)
			for (int j = 0; j < 8; j++)
				kb[31 - 8 * a - j] = (uint8_t)(k[a] >> (8 * j));
		for (int j = 0; j < 32; j++)
			msg[j] = (uint8_t)rnd();
		CHECK(bls_secret_key_from_bytes(&sk, kb) == SS_OK);
		for (int b = 0; b < 2; b++) {
			fp_mont_asm = b == 0;
			bls_sk_to_pk(pk[b], &sk);
			bls_sign(sig[b], &sk, msg, sizeof msg);
			bls_pairing_vartime(&e[b], &G1_GEN, &G2_GEN);
		}
		fp_mont_asm = saved;
		CHECK_MEM(pk[0], pk[1], 48);
		CHECK_MEM(sig[0], sig[1], 96);
		CHECK(fp12_eq(&e[0], &e[1]));
	}
}

/* The SSWU exceptional case (RFC 9380 §6.6.2: tv1 = 0, reached by u = 0) and random
 * inputs land on the target curve, and cofactor clearing puts them in the subgroup. */
TEST(map_to_curve_exceptional_input)
{
	bls_init();
	fp2 u2;
	fp u1;
	fp2_set_zero(&u2);
	fp_set_zero(&u1);
	for (int i = 0; i < 3; i++) {
		g2_point q2;
		g1_point q1;
		g2_affine a2;
		g1_affine a1;
		bls_map_to_g2(&q2, &u2);
		bls_map_to_g1(&q1, &u1);
		CHECK(!g2_is_infinity(&q2) && !g1_is_infinity(&q1));
		g2_to_affine(&a2, &q2);
		g1_to_affine(&a1, &q1);
		CHECK(g2_affine_on_curve(&a2));
		CHECK(g1_affine_on_curve(&a1));
		g2_clear_cofactor(&q2, &q2);
		g1_clear_cofactor(&q1, &q1);
		CHECK(g2_in_subgroup_vartime(&q2) && g1_in_subgroup_vartime(&q1));
		rnd_fp2(&u2);
		rnd_fp(&u1);
	}
}

/* ---- ZCash (de)serialisation: every flag rule, both groups, both forms ---- */

/* c = coordinate + p over 48 big-endian bytes, the top three (flag) bits of the input
 * ignored and kept; false when the sum no longer fits in 381 bits (then c is unchanged).
 * A decoder that reduced coordinates mod p instead of refusing them would accept c as
 * the same point. */
static bool add_p_be(uint8_t c[48])
{
	uint8_t pb[48], v[48];
	uint8_t flags = c[0] & 0xe0;
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 8; j++)
			pb[47 - 8 * i - j] = (uint8_t)(FP_P[i] >> (8 * j));
	unsigned carry = 0;
	for (int i = 47; i >= 0; i--) {
		unsigned s = (unsigned)(i == 0 ? c[0] & 0x1f : c[i]) + pb[i] + carry;
		v[i] = (uint8_t)s;
		carry = s >> 8;
	}
	if (carry || (v[0] & 0xe0))
		return false;
	memcpy(c, v, 48);
	c[0] |= flags;
	return true;
}

/* The rules shared by both groups, on the encodings of one finite point a of the group:
 * comp (n bytes, C set) and unc (2n bytes). dec decodes into a scratch point and
 * reports whether it was accepted. */
typedef bool (*decode_fn)(const uint8_t *in, size_t len, bool *is_inf);

static void check_flag_rules(const char *g, decode_fn dec, const uint8_t *comp, const uint8_t *unc,
			     size_t n)
{
	uint8_t b[192];
	bool inf;
	CHECK_MSG(dec(comp, n, &inf) && !inf, "%s: compressed point refused", g);
	CHECK_MSG(dec(unc, 2 * n, &inf) && !inf, "%s: uncompressed point refused", g);
	/* lengths: only n (C set) and 2n (C clear) */
	CHECK_MSG(!dec(comp, 0, &inf) && !dec(comp, n - 1, &inf) && !dec(unc, 2 * n - 1, &inf),
		  "%s: wrong length accepted", g);
	memset(b, 0, sizeof b);
	memcpy(b, comp, n);
	CHECK_MSG(!dec(b, n + 1, &inf) && !dec(b, 2 * n, &inf), "%s: padded compressed accepted", g);
	/* C must match the length */
	memcpy(b, comp, n);
	b[0] &= 0x7f;
	CHECK_MSG(!dec(b, n, &inf), "%s: compressed length without C accepted", g);
	memcpy(b, unc, 2 * n);
	b[0] |= 0x80;
	CHECK_MSG(!dec(b, 2 * n, &inf), "%s: uncompressed length with C accepted", g);
	/* S must be 0 in uncompressed form */
	memcpy(b, unc, 2 * n);
	b[0] |= 0x20;
	CHECK_MSG(!dec(b, 2 * n, &inf), "%s: uncompressed with S accepted", g);
	/* I set on a finite point's encoding (other bits non-zero) */
	memcpy(b, comp, n);
	b[0] |= 0x40;
	CHECK_MSG(!dec(b, n, &inf), "%s: compressed I with non-zero bits accepted", g);
	memcpy(b, unc, 2 * n);
	b[0] |= 0x40;
	CHECK_MSG(!dec(b, 2 * n, &inf), "%s: uncompressed I with non-zero bits accepted", g);
	/* infinity: exactly 0xc0 00.. (compressed) and 0x40 00.. (uncompressed) */
	memset(b, 0, sizeof b);
	b[0] = 0xc0;
	CHECK_MSG(dec(b, n, &inf) && inf, "%s: compressed infinity refused", g);
	b[0] = 0x40;
	CHECK_MSG(dec(b, 2 * n, &inf) && inf, "%s: uncompressed infinity refused", g);
	CHECK_MSG(!dec(b, n, &inf), "%s: infinity without C at compressed length accepted", g);
	b[0] = 0xc0;
	CHECK_MSG(!dec(b, 2 * n, &inf), "%s: infinity with C at uncompressed length accepted", g);
	b[0] = 0xe0;
	CHECK_MSG(!dec(b, n, &inf), "%s: compressed infinity with S accepted", g);
	b[0] = 0x60;
	CHECK_MSG(!dec(b, 2 * n, &inf), "%s: uncompressed infinity with S accepted", g);
	b[0] = 0xc1;
	CHECK_MSG(!dec(b, n, &inf), "%s: compressed infinity with a low bit of byte 0 accepted", g);
	b[0] = 0xc0;
	b[n - 1] = 1;
	CHECK_MSG(!dec(b, n, &inf), "%s: compressed infinity with a non-zero byte accepted", g);
	memset(b, 0, sizeof b);
	b[0] = 0x40;
	b[2 * n - 1] = 1;
	CHECK_MSG(!dec(b, 2 * n, &inf), "%s: uncompressed infinity with a non-zero byte accepted", g);
	/* all-zero uncompressed (0, 0) is not on the curve; all-zero compressed lacks C */
	memset(b, 0, sizeof b);
	CHECK_MSG(!dec(b, n, &inf) && !dec(b, 2 * n, &inf), "%s: all-zero encoding accepted", g);
	/* a changed y in uncompressed form is off the curve */
	memcpy(b, unc, 2 * n);
	b[2 * n - 1] ^= 1;
	CHECK_MSG(!dec(b, 2 * n, &inf), "%s: uncompressed point off the curve accepted", g);
}

static bool dec_g1(const uint8_t *in, size_t len, bool *inf)
{
	g1_point p;
	if (g1_deserialize_vartime(&p, in, len) != SS_OK)
		return false;
	*inf = g1_is_infinity(&p);
	return true;
}

static bool dec_g2(const uint8_t *in, size_t len, bool *inf)
{
	g2_point p;
	if (g2_deserialize_vartime(&p, in, len) != SS_OK)
		return false;
	*inf = g2_is_infinity(&p);
	return true;
}

TEST(serialization_flag_rules_g1)
{
	bls_init();
	g1_point g, a, t, na;
	g1_from_affine(&g, &G1_GEN);
	uint8_t comp[48], unc[96], b[96];
	int noncanon_x = 0, noncanon_y = 0;
	for (uint64_t k = 1; k <= 12; k++) {
		uint64_t kk[1] = { k * 0x9e3779b97f4a7c15ull };
		g1_mul_vartime(&a, &g, kk, 64);
		g1_compress(comp, &a);
		g1_serialize(unc, &a);
		if (k == 1)
			check_flag_rules("G1", dec_g1, comp, unc, 48);
		/* S selects the root: flipping it gives -a */
		memcpy(b, comp, 48);
		b[0] ^= 0x20;
		g1_neg(&na, &a);
		CHECK(g1_deserialize_vartime(&t, b, 48) == SS_OK && g1_eq_vartime(&t, &na));
		/* non-canonical coordinates (x + p, y + p) are refused */
		memcpy(b, comp, 48);
		if (add_p_be(b)) {
			noncanon_x++;
			CHECK_MSG(g1_deserialize_vartime(&t, b, 48) != SS_OK, "G1 compressed x + p accepted");
		}
		memcpy(b, unc, 96);
		if (add_p_be(b)) {
			CHECK_MSG(g1_deserialize_vartime(&t, b, 96) != SS_OK, "G1 uncompressed x + p accepted");
		}
		memcpy(b, unc, 96);
		if (add_p_be(b + 48)) {
			noncanon_y++;
			CHECK_MSG(g1_deserialize_vartime(&t, b, 96) != SS_OK, "G1 uncompressed y + p accepted");
		}
	}
	CHECK(noncanon_x > 0 && noncanon_y > 0); /* the loop did exercise the rule */
	/* an x with no point on the curve (x^3 + 4 not a square) */
	int found = 0;
	for (uint64_t v = 1; v < 64 && !found; v++) {
		fp x, y2;
		memset(b, 0, 48);
		b[47] = (uint8_t)v;
		CHECK(fp_from_bytes(&x, b) == 1);
		fp_sqr(&y2, &x);
		fp_mul(&y2, &y2, &x);
		fp_add(&y2, &y2, &G1_B);
		if (!fp_is_square(&y2)) {
			b[0] |= 0x80;
			CHECK_MSG(g1_deserialize_vartime(&t, b, 48) != SS_OK, "G1 x off the curve accepted");
			found = 1;
		}
	}
	CHECK(found);
	/* KeyValidate: infinity and a curve point outside G1 are refused, though both decode */
	memset(b, 0, 48);
	b[0] = 0xc0;
	CHECK(g1_deserialize_vartime(&t, b, 48) == SS_OK);
	CHECK(!bls_key_validate_vartime(b));
	fp u;
	memset(b, 0, 48);
	b[47] = 7;
	CHECK(fp_from_bytes(&u, b) == 1);
	bls_map_to_g1(&t, &u);
	g1_compress(b, &t);
	CHECK(g1_deserialize_vartime(&a, b, 48) == SS_OK && !g1_in_subgroup_vartime(&a));
	CHECK(!bls_key_validate_vartime(b));
	g1_compress(b, &g);
	CHECK(bls_key_validate_vartime(b));
}

TEST(serialization_flag_rules_g2)
{
	bls_init();
	g2_point g, a, t, na;
	g2_from_affine(&g, &G2_GEN);
	uint8_t comp[96], unc[192], b[192];
	int noncanon[4] = { 0 };
	for (uint64_t k = 1; k <= 12; k++) {
		uint64_t kk[1] = { k * 0x9e3779b97f4a7c15ull };
		g2_mul_vartime(&a, &g, kk, 64);
		g2_compress(comp, &a);
		g2_serialize(unc, &a);
		if (k == 1)
			check_flag_rules("G2", dec_g2, comp, unc, 96);
		memcpy(b, comp, 96);
		b[0] ^= 0x20;
		g2_neg(&na, &a);
		CHECK(g2_deserialize_vartime(&t, b, 96) == SS_OK && g2_eq_vartime(&t, &na));
		/* x.c1 (first, with the flags), x.c0, y.c1, y.c0 each + p */
		for (int c = 0; c < 4; c++) {
			size_t len = c < 2 ? 96 : 192;
			memcpy(b, c < 2 ? comp : unc, len);
			if (add_p_be(b + 48 * c)) {
				noncanon[c]++;
				CHECK_MSG(g2_deserialize_vartime(&t, b, len) != SS_OK,
					  "G2 coordinate %d + p accepted", c);
			}
		}
	}
	for (int c = 0; c < 4; c++)
		CHECK_MSG(noncanon[c] > 0, "coordinate %d never exercised", c);
	/* a compressed x with no point: x^3 + b not a square in Fp2 */
	int found = 0;
	for (uint64_t v = 1; v < 64 && !found; v++) {
		fp2 x, y2, y;
		memset(b, 0, 96);
		b[95] = (uint8_t)v;
		b[47] = 1;
		CHECK(fp_from_bytes(&x.c1, b) == 1 && fp_from_bytes(&x.c0, b + 48) == 1);
		fp2_sqr(&y2, &x);
		fp2_mul(&y2, &y2, &x);
		fp2_add(&y2, &y2, &G2_B);
		fp n;
		fp2_norm(&n, &y2);
		if (!fp_is_square(&n)) { /* Fp2 square <=> norm is an Fp square */
			CHECK(!fp2_sqrt(&y, &y2));
			b[0] |= 0x80;
			CHECK_MSG(g2_deserialize_vartime(&t, b, 96) != SS_OK, "G2 x off the curve accepted");
			found = 1;
		}
	}
	CHECK(found);
	/* Signatures: a curve point outside G2 decodes but is refused by Aggregate and Verify */
	fp2 u;
	memset(b, 0, 96);
	b[47] = 3;
	b[95] = 5;
	CHECK(fp_from_bytes(&u.c1, b) == 1 && fp_from_bytes(&u.c0, b + 48) == 1);
	bls_map_to_g2(&t, &u);
	g2_compress(b, &t);
	CHECK(g2_deserialize_vartime(&a, b, 96) == SS_OK && !g2_in_subgroup_vartime(&a));
	uint8_t agg[96];
	CHECK(bls_aggregate_signatures_vartime(agg, (const uint8_t(*)[96])b, 1) == SS_ERR_INVALID);
	uint8_t pk[48];
	g1_point g1;
	g1_from_affine(&g1, &G1_GEN);
	g1_compress(pk, &g1);
	CHECK(!bls_verify_vartime(pk, (const uint8_t *)"m", 1, b));
}

/* ctest runs this file twice, once with SECURE_SIGNER_NO_ASM=1: check that each run
 * really uses the backend it claims, so that a broken CPUID probe or an ignored
 * variable cannot turn the two runs into one backend tested twice. */
TEST(backend_is_the_one_asked_for)
{
	bls_init();
	const char *no_asm = getenv("SECURE_SIGNER_NO_ASM");
	bool want_portable = no_asm != NULL && no_asm[0] != '\0' && no_asm[0] != '0';
	printf("     backend: %s (CPU %s BMI2/ADX)\n", fp_mont_using_asm() ? "adx" : "portable",
	       fp_mont_cpu_has_adx() ? "has" : "lacks");
#if defined(SS_HAVE_ADX_KERNEL)
	bool kernel_built = true;
#else
	bool kernel_built = false; /* -DSS_GENERIC_C or a non-x86 target: plain C only */
#endif
	if (want_portable || !kernel_built)
		CHECK(!fp_mont_using_asm());
	else
		CHECK(fp_mont_using_asm() == fp_mont_cpu_has_adx());
}

/* RFC 9380 §5.3.1: expand_message_xmd refuses len_in_bytes = 0 and ell = ceil(len/32)
 * above 255; 255 * 32 = 8160 bytes is the largest output. */
TEST(expand_message_xmd_length_bounds)
{
	static uint8_t out[8192];
	const uint8_t dst[] = "DST";
	CHECK(bls_expand_message_xmd(out, 0, dst, 0, dst, 3) == SS_ERR_INVALID);
	CHECK(bls_expand_message_xmd(out, 8161, dst, 0, dst, 3) == SS_ERR_INVALID);
	CHECK(bls_expand_message_xmd(out, 8160, dst, 0, dst, 3) == SS_OK);
	/* a shorter output is a prefix of a longer one only for the same length byte: the
	 * length is hashed into b_0, so 32 and 64 bytes differ from the start */
	uint8_t a[64], b[64];
	CHECK(bls_expand_message_xmd(a, 32, dst, 0, dst, 3) == SS_OK);
	CHECK(bls_expand_message_xmd(b, 64, dst, 0, dst, 3) == SS_OK);
	CHECK(memcmp(a, b, 32) != 0);
}

/* Keys that sum to infinity: FastAggregateVerify's CoreVerify runs KeyValidate on the
 * aggregate key (draft-irtf-cfrg-bls-signature-05 §2.7, §3.3.4), so {pk, -pk} with the
 * infinity signature is INVALID for every message (blst agrees). AggregateVerify
 * validates each key only, and e(pk, H(m)) e(-pk, H(m)) = 1 = e(G1, O): VALID there, as
 * in blst. */
TEST(fast_aggregate_verify_refuses_keys_summing_to_infinity)
{
	bls_init();
	uint8_t kb[32] = { 0 }, pks[2][48], inf[96] = { 0 };
	kb[31] = 7;
	bls_secret_key sk;
	CHECK(bls_secret_key_from_bytes(&sk, kb) == SS_OK);
	bls_sk_to_pk(pks[0], &sk);
	g1_point p;
	CHECK(g1_deserialize_vartime(&p, pks[0], 48) == SS_OK);
	g1_neg(&p, &p);
	g1_compress(pks[1], &p);
	CHECK(bls_key_validate_vartime(pks[0]) && bls_key_validate_vartime(pks[1]));
	inf[0] = 0xc0;
	const uint8_t *m = (const uint8_t *)"any message";
	CHECK(!bls_fast_aggregate_verify_vartime((const uint8_t(*)[48])pks, 2, m, 11, inf));
	const uint8_t *ms[2] = { m, m };
	size_t ls[2] = { 11, 11 };
	CHECK(bls_aggregate_verify_vartime((const uint8_t(*)[48])pks, ms, ls, 2, inf));
}

/* Associativity and commutativity (issue 3 "field and group laws"): in Fp, and of the
 * Jacobian additions in G1 and G2, including the mixed sums the scalar multiplications
 * build. */
TEST(associativity_fp_g1_g2)
{
	bls_init();
	for (int i = 0; i < ROUNDS; i++) {
		fp a, b, c, t, u;
		rnd_fp(&a);
		rnd_fp(&b);
		rnd_fp(&c);
		fp_mul(&t, &a, &b);
		fp_mul(&t, &t, &c);
		fp_mul(&u, &b, &c);
		fp_mul(&u, &a, &u);
		CHECK(fp_eq(&t, &u));
		fp_mul(&t, &a, &b);
		fp_mul(&u, &b, &a);
		CHECK(fp_eq(&t, &u));
		fp_add(&t, &a, &b);
		fp_add(&t, &t, &c);
		fp_add(&u, &b, &c);
		fp_add(&u, &a, &u);
		CHECK(fp_eq(&t, &u));
	}
	g1_point g1, p1[3], l1, r1;
	g2_point g2, p2[3], l2, r2;
	g1_from_affine(&g1, &G1_GEN);
	g2_from_affine(&g2, &G2_GEN);
	for (int i = 0; i < ROUNDS / 4; i++) {
		for (int j = 0; j < 3; j++) {
			uint64_t k[1] = { rnd() };
			g1_mul_vartime(&p1[j], &g1, k, 64);
			g2_mul_vartime(&p2[j], &g2, k, 64);
		}
		g1_add_vartime(&l1, &p1[0], &p1[1]);
		g1_add_vartime(&l1, &l1, &p1[2]);
		g1_add_vartime(&r1, &p1[1], &p1[2]);
		g1_add_vartime(&r1, &p1[0], &r1);
		CHECK(g1_eq_vartime(&l1, &r1));
		g1_add_vartime(&r1, &p1[1], &p1[0]);
		g1_add_vartime(&l1, &p1[0], &p1[1]);
		CHECK(g1_eq_vartime(&l1, &r1));
		g2_add_vartime(&l2, &p2[0], &p2[1]);
		g2_add_vartime(&l2, &l2, &p2[2]);
		g2_add_vartime(&r2, &p2[1], &p2[2]);
		g2_add_vartime(&r2, &p2[0], &r2);
		CHECK(g2_eq_vartime(&l2, &r2));
		g2_add_vartime(&r2, &p2[1], &p2[0]);
		g2_add_vartime(&l2, &p2[0], &p2[1]);
		CHECK(g2_eq_vartime(&l2, &r2));
	}
}
