/* Both Fp Montgomery kernels (fp_mont.h) against an independent oracle, OpenSSL's BN:
 * mont_mul(a, b) must equal a * b * R^-1 mod p with R = 2^384, fully reduced, for edge
 * values and for many random inputs, and the portable and ADX kernels must agree.
 * The ADX cases are skipped (the portable ones still run) on a CPU without BMI2+ADX.
 *
 * SS_FP_ITERATIONS overrides the number of random pairs; SS_FP_SEED the PRNG seed. */
#include <openssl/bn.h>
#include <stdlib.h>

#include "crypto/fp_mont.h"
#include "test.h"

typedef void (*mul_fn)(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]);
typedef void (*sqr_fn)(uint64_t r[6], const uint64_t a[6]);

static uint64_t rng_state;

/* Reproducible from the printed seed. */
static uint64_t rng_next(void) { return test_splitmix64(&rng_state); }

static bool lt_p(const uint64_t a[6])
{
	for (int i = 5; i >= 0; i--) {
		if (a[i] != FP_P[i])
			return a[i] < FP_P[i];
	}
	return false;
}

/* Uniform in [0, p) by rejection on 381-bit values; sometimes with extreme limbs
 * (all ones / zero) that exercise long carry chains. */
static void random_fp(uint64_t a[6])
{
	do {
		uint64_t shape = rng_next();
		for (int i = 0; i < 6; i++) {
			switch ((shape >> (2 * i)) & 7) {
			case 0:
				a[i] = ~0ull;
				break;
			case 1:
				a[i] = 0;
				break;
			default:
				a[i] = rng_next();
			}
		}
		if ((shape >> 20) & 1) /* mostly uniform: leave the special limbs rare */
			for (int i = 0; i < 6; i++)
				a[i] = rng_next();
		a[5] &= (1ull << 61) - 1;
	} while (!lt_p(a));
}

/* The oracle: BN arithmetic, a completely separate implementation. */
static BN_CTX *bn_ctx;
static BIGNUM *bn_p, *bn_rinv;

static BIGNUM *bn_from_limbs(const uint64_t a[6])
{
	uint8_t be[48];
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 8; j++)
			be[47 - 8 * i - j] = (uint8_t)(a[i] >> (8 * j));
	return BN_bin2bn(be, 48, NULL);
}

static void bn_to_limbs(uint64_t a[6], const BIGNUM *x)
{
	uint8_t be[48];
	if (BN_bn2binpad(x, be, 48) != 48)
		abort();
	for (int i = 0; i < 6; i++) {
		a[i] = 0;
		for (int j = 0; j < 8; j++)
			a[i] |= (uint64_t)be[47 - 8 * i - j] << (8 * j);
	}
}

static void oracle_setup(void)
{
	if (bn_ctx != NULL)
		return;
	bn_ctx = BN_CTX_new();
	bn_p = bn_from_limbs(FP_P);
	BIGNUM *r = BN_new();
	BN_set_bit(r, 384);
	bn_rinv = BN_mod_inverse(NULL, r, bn_p, bn_ctx);
	BN_free(r);
	if (bn_ctx == NULL || bn_p == NULL || bn_rinv == NULL)
		abort();
}

static void oracle_mont_mul(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
	BIGNUM *x = bn_from_limbs(a), *y = bn_from_limbs(b);
	BN_mod_mul(x, x, y, bn_p, bn_ctx);
	BN_mod_mul(x, x, bn_rinv, bn_p, bn_ctx);
	bn_to_limbs(r, x);
	BN_free(x);
	BN_free(y);
}

static bool have_adx(void)
{
#ifdef SS_HAVE_ADX_KERNEL
	return fp_mont_cpu_has_adx();
#else
	return false;
#endif
}

static void print_fp(const char *what, const uint64_t a[6])
{
	fprintf(stderr, "  %s = 0x", what);
	for (int i = 5; i >= 0; i--)
		fprintf(stderr, "%016llx", (unsigned long long)a[i]);
	fputc('\n', stderr);
}

/* Checks one kernel pair on (a, b) against the oracle, including aliased outputs.
 * Returns false on the first mismatch (after printing the inputs). */
static bool check_kernel(const char *name, mul_fn mul, sqr_fn sqr, const uint64_t a[6],
			 const uint64_t b[6])
{
	uint64_t want[6], want_sq[6], got[6], t[6];
	oracle_mont_mul(want, a, b);
	oracle_mont_mul(want_sq, a, a);
	bool ok = true;
	mul(got, a, b);
	ok &= memcmp(got, want, sizeof got) == 0;
	memcpy(t, a, sizeof t); /* r aliases a */
	mul(t, t, b);
	ok &= memcmp(t, want, sizeof t) == 0;
	memcpy(t, b, sizeof t); /* r aliases b */
	mul(t, a, t);
	ok &= memcmp(t, want, sizeof t) == 0;
	sqr(got, a);
	ok &= memcmp(got, want_sq, sizeof got) == 0;
	memcpy(t, a, sizeof t);
	sqr(t, t);
	ok &= memcmp(t, want_sq, sizeof t) == 0;
	memcpy(t, a, sizeof t);
	mul(t, t, t);
	ok &= memcmp(t, want_sq, sizeof t) == 0;
	if (!ok) {
		test_fail_at(__FILE__, __LINE__, "%s kernel disagrees with the oracle", name);
		print_fp("a", a);
		print_fp("b", b);
	}
	return ok;
}

static bool check_pair(const uint64_t a[6], const uint64_t b[6])
{
	bool ok = check_kernel("portable", fp_mul_mont_portable, fp_sqr_mont_portable, a, b);
#ifdef SS_HAVE_ADX_KERNEL
	if (have_adx())
		ok &= check_kernel("adx", fp_mul_mont_adx, fp_sqr_mont_adx, a, b);
#endif
	return ok;
}

/* Values where carries and the final subtraction are most likely to go wrong. */
#define N_EDGE 16
static void edge_values(uint64_t e[N_EDGE][6])
{
	memset(e, 0, sizeof(uint64_t) * 6 * N_EDGE);
	e[1][0] = 1;                             /* 1 */
	e[2][0] = 2;                             /* 2 */
	memcpy(e[3], FP_P, 48); e[3][0] -= 1;    /* p - 1 */
	memcpy(e[4], FP_P, 48); e[4][0] -= 2;    /* p - 2 */
	e[5][5] = 1ull << 60;                    /* 2^380 */
	for (int i = 0; i < 6; i++)              /* 2^380 - 1 */
		e[6][i] = i < 5 ? ~0ull : (1ull << 60) - 1;
	for (int i = 0; i < 6; i++)              /* all ones below p's top limb */
		e[7][i] = i < 5 ? ~0ull : FP_P[5] - 1;
	memcpy(e[8], FP_P, 48); e[8][5] >>= 1;   /* about p/2 */
	e[9][0] = ~0ull;                         /* 2^64 - 1 */
	e[10][1] = 1;                            /* 2^64 */
	memcpy(e[11], FP_P, 48); e[11][0] = 0;   /* p rounded down: p - 0xaaab... */
	/* R mod p (Montgomery one) and R^2 mod p, from the oracle so they are not
	 * hard-coded */
	BIGNUM *x = BN_new();
	BN_set_bit(x, 384);
	BN_mod(x, x, bn_p, bn_ctx);
	bn_to_limbs(e[12], x);
	BN_mod_sqr(x, x, bn_p, bn_ctx);
	bn_to_limbs(e[13], x);
	BN_free(x);
	e[14][5] = FP_P[5];                      /* top limb of p alone */
	memcpy(e[15], FP_P, 48); e[15][5] -= 1; e[15][0] = ~0ull;
}

TEST(edge_cases)
{
	oracle_setup();
	uint64_t e[N_EDGE][6];
	edge_values(e);
	for (int i = 0; i < N_EDGE; i++) {
		CHECK(lt_p(e[i]));
		for (int j = 0; j < N_EDGE; j++)
			test_count_case(check_pair(e[i], e[j]));
	}
}

TEST(random_inputs)
{
	oracle_setup();
	const char *s = getenv("SS_FP_SEED");
	rng_state = s ? strtoull(s, NULL, 0) : 0x5eed0f5ecu;
	const char *it = getenv("SS_FP_ITERATIONS");
	long n = it ? strtol(it, NULL, 10) : 100000;
	printf("random_inputs: %ld pairs, seed 0x%llx, adx %s\n", n,
	       (unsigned long long)rng_state, have_adx() ? "tested" : "absent (skipped)");
	long bad = 0;
	for (long k = 0; k < n && bad < 5; k++) {
		uint64_t a[6], b[6];
		random_fp(a);
		random_fp(b);
		if (!check_pair(a, b))
			bad++;
	}
	test_count_case(bad == 0);
}

/* Chains of products stay in range: x <- x*y, y <- y^2 many times, both kernels in
 * lock step, compared with the oracle at the end (catches outputs in [p, 2^384) that
 * a single comparison of canonical values would also catch, but over long runs). */
TEST(long_chain)
{
	oracle_setup();
	uint64_t x[6], y[6], xp[6], yp[6], xa[6], ya[6];
	rng_state = 42;
	random_fp(x);
	random_fp(y);
	memcpy(xp, x, 48); memcpy(yp, y, 48);
	memcpy(xa, x, 48); memcpy(ya, y, 48);
	bool adx = have_adx();
	for (int i = 0; i < 20000; i++) {
		oracle_mont_mul(x, x, y);
		oracle_mont_mul(y, y, y);
		fp_mul_mont_portable(xp, xp, yp);
		fp_sqr_mont_portable(yp, yp);
#ifdef SS_HAVE_ADX_KERNEL
		if (adx) {
			fp_mul_mont_adx(xa, xa, ya);
			fp_sqr_mont_adx(ya, ya);
		}
#endif
	}
	CHECK_MEM(xp, x, 48);
	CHECK_MEM(yp, y, 48);
	if (adx) {
		CHECK_MEM(xa, x, 48);
		CHECK_MEM(ya, y, 48);
	}
}

/* fp_mont_init picks ADX exactly when the CPU has it and SECURE_SIGNER_NO_ASM is not
 * set, and the inline dispatchers then give the same answers. */
TEST(backend_selection)
{
	oracle_setup();
	fp_mont_init();
	const char *no_asm = getenv("SECURE_SIGNER_NO_ASM");
	bool forced = no_asm != NULL && no_asm[0] != '\0' && no_asm[0] != '0';
	bool want = have_adx() && !forced;
	CHECK(fp_mont_using_asm() == want);
	printf("backend_selection: using %s\n", fp_mont_using_asm() ? "adx" : "portable");
	uint64_t a[6], b[6], r[6], w[6];
	rng_state = 7;
	random_fp(a);
	random_fp(b);
	oracle_mont_mul(w, a, b);
	fp_mul_mont(r, a, b);
	CHECK_MEM(r, w, 48);
	oracle_mont_mul(w, a, a);
	fp_sqr_mont(r, a);
	CHECK_MEM(r, w, 48);
}

/* Fp2 multiplication: c0 = (a0 b0 - a1 b1) / R, c1 = (a0 b1 + a1 b0) / R mod p by the
 * oracle, against both kernels, with aliasing. */
static void oracle_fp2_mul(uint64_t r[12], const uint64_t a[12], const uint64_t b[12])
{
	BIGNUM *a0 = bn_from_limbs(a), *a1 = bn_from_limbs(a + 6);
	BIGNUM *b0 = bn_from_limbs(b), *b1 = bn_from_limbs(b + 6);
	BIGNUM *x = BN_new(), *y = BN_new();
	BN_mod_mul(x, a0, b0, bn_p, bn_ctx);
	BN_mod_mul(y, a1, b1, bn_p, bn_ctx);
	BN_mod_sub(x, x, y, bn_p, bn_ctx);
	BN_mod_mul(x, x, bn_rinv, bn_p, bn_ctx);
	bn_to_limbs(r, x);
	BN_mod_mul(x, a0, b1, bn_p, bn_ctx);
	BN_mod_mul(y, a1, b0, bn_p, bn_ctx);
	BN_mod_add(x, x, y, bn_p, bn_ctx);
	BN_mod_mul(x, x, bn_rinv, bn_p, bn_ctx);
	bn_to_limbs(r + 6, x);
	BN_free(a0); BN_free(a1); BN_free(b0); BN_free(b1); BN_free(x); BN_free(y);
}

static bool check_fp2(const char *name, mul_fn mul2, const uint64_t a[12], const uint64_t b[12])
{
	uint64_t want[12], got[12], t[12];
	oracle_fp2_mul(want, a, b);
	mul2(got, a, b);
	bool ok = memcmp(got, want, sizeof got) == 0;
	memcpy(t, a, sizeof t);
	mul2(t, t, b);
	ok &= memcmp(t, want, sizeof t) == 0;
	memcpy(t, b, sizeof t);
	mul2(t, a, t);
	ok &= memcmp(t, want, sizeof t) == 0;
	oracle_fp2_mul(want, a, a); /* both operands the same array, and r too */
	mul2(got, a, a);
	ok &= memcmp(got, want, sizeof got) == 0;
	memcpy(t, a, sizeof t);
	mul2(t, t, t);
	ok &= memcmp(t, want, sizeof t) == 0;
	if (!ok) {
		test_fail_at(__FILE__, __LINE__, "%s fp2 kernel disagrees with the oracle", name);
		print_fp("a0", a); print_fp("a1", a + 6);
		print_fp("b0", b); print_fp("b1", b + 6);
	}
	return ok;
}

typedef void (*sqr2_fn)(uint64_t *r, const uint64_t *a);

static bool check_fp2_sqr(const char *name, sqr2_fn sqr2, const uint64_t a[12])
{
	uint64_t want[12], got[12], t[12];
	oracle_fp2_mul(want, a, a);
	sqr2(got, a);
	bool ok = memcmp(got, want, sizeof got) == 0;
	memcpy(t, a, sizeof t);
	sqr2(t, t);
	ok &= memcmp(t, want, sizeof t) == 0;
	if (!ok) {
		test_fail_at(__FILE__, __LINE__, "%s fp2 squaring disagrees with the oracle", name);
		print_fp("a0", a); print_fp("a1", a + 6);
	}
	return ok;
}

static bool check_fp2_pair(const uint64_t a[12], const uint64_t b[12])
{
	bool sq = check_fp2_sqr("portable", fp2_sqr_mont_portable, a);
#ifdef SS_HAVE_ADX_KERNEL
	if (have_adx())
		sq &= check_fp2_sqr("adx", fp2_sqr_mont_adx, a);
#endif
	if (!sq)
		return false;
	/* the Fp2 kernels take 12-limb arrays; mul_fn's [6] bound is only documentation */
	bool ok = check_fp2("portable", (mul_fn)fp2_mul_mont_portable, a, b);
#ifdef SS_HAVE_ADX_KERNEL
	if (have_adx())
		ok &= check_fp2("adx", (mul_fn)fp2_mul_mont_adx, a, b);
#endif
	return ok;
}

TEST(fp2_mul)
{
	oracle_setup();
	uint64_t e[N_EDGE][6];
	edge_values(e);
	uint64_t a[12], b[12];
	/* edge values in every coefficient position: c0 = e[i], c1 = e[j] */
	for (int i = 0; i < N_EDGE; i++)
		for (int j = 0; j < N_EDGE; j++) {
			memcpy(a, e[i], 48); memcpy(a + 6, e[j], 48);
			memcpy(b, e[j], 48); memcpy(b + 6, e[(i + j) % N_EDGE], 48);
			test_count_case(check_fp2_pair(a, b));
		}
	rng_state = 0xf2f2;
	const char *it = getenv("SS_FP_ITERATIONS");
	long n = it ? strtol(it, NULL, 10) / 4 : 25000, bad = 0;
	for (long k = 0; k < n && bad < 5; k++) {
		random_fp(a); random_fp(a + 6);
		random_fp(b); random_fp(b + 6);
		if (!check_fp2_pair(a, b))
			bad++;
	}
	test_count_case(bad == 0);
	/* the dispatcher agrees with the oracle */
	fp_mont_init();
	uint64_t want[12];
	oracle_fp2_mul(want, a, b);
	fp2_mul_mont(a, a, b);
	CHECK_MEM(a, want, sizeof want);
	oracle_fp2_mul(want, b, b);
	fp2_sqr_mont(b, b);
	CHECK_MEM(b, want, sizeof want);
}

/* Lazy-reduction kernels: fp_mul_wide is the exact product (BN_mul), fp_redc(t) is
 * t * R^-1 mod p for t < p * R, including t = 0, t = p*R - 1 and sums of two products. */
typedef void (*wide_fn)(uint64_t r[12], const uint64_t a[6], const uint64_t b[6]);
typedef void (*redc_fn)(uint64_t r[6], const uint64_t t[12]);

static BIGNUM *bn_from_wide(const uint64_t t[12])
{
	uint8_t be[96];
	for (int i = 0; i < 12; i++)
		for (int j = 0; j < 8; j++)
			be[95 - 8 * i - j] = (uint8_t)(t[i] >> (8 * j));
	return BN_bin2bn(be, 96, NULL);
}

static void bn_to_wide(uint64_t t[12], const BIGNUM *x)
{
	uint8_t be[96];
	if (BN_bn2binpad(x, be, 96) != 96)
		abort();
	for (int i = 0; i < 12; i++) {
		t[i] = 0;
		for (int j = 0; j < 8; j++)
			t[i] |= (uint64_t)be[95 - 8 * i - j] << (8 * j);
	}
}

static bool check_wide(const char *name, wide_fn wide, redc_fn redc, const uint64_t a[6],
		       const uint64_t b[6], const uint64_t t[12])
{
	bool ok = true;
	uint64_t w[12], want_w[12], r[6], want_r[6], tt[12];
	BIGNUM *x = bn_from_limbs(a), *y = bn_from_limbs(b);
	BN_mul(x, x, y, bn_ctx);
	bn_to_wide(want_w, x);
	wide(w, a, b);
	ok &= memcmp(w, want_w, sizeof w) == 0;
	BN_free(x);
	BN_free(y);
	x = bn_from_wide(t);
	BN_mod_mul(x, x, bn_rinv, bn_p, bn_ctx);
	bn_to_limbs(want_r, x);
	BN_free(x);
	redc(r, t);
	ok &= memcmp(r, want_r, sizeof r) == 0;
	memcpy(tt, t, sizeof tt); /* r aliases t */
	redc(tt, tt);
	ok &= memcmp(tt, want_r, sizeof r) == 0;
	if (!ok) {
		test_fail_at(__FILE__, __LINE__, "%s wide/redc kernel disagrees with the oracle", name);
		print_fp("a", a);
		print_fp("b", b);
	}
	return ok;
}

/* A t in [0, p * R) from random bits, reduced by the oracle; the extreme values too. */
static void random_wide(uint64_t t[12], int kind)
{
	BIGNUM *pr = BN_dup(bn_p), *x = BN_new();
	BN_lshift(pr, pr, 384);
	if (kind == 0) {
		BN_zero(x);
	} else if (kind == 1) {
		BN_sub(x, pr, BN_value_one());
	} else {
		uint64_t w[12];
		for (int i = 0; i < 12; i++)
			w[i] = rng_next();
		BIGNUM *y = bn_from_wide(w);
		BN_mod(x, y, pr, bn_ctx);
		BN_free(y);
	}
	bn_to_wide(t, x);
	BN_free(pr);
	BN_free(x);
}

static bool check_wide_all(const uint64_t a[6], const uint64_t b[6], const uint64_t t[12])
{
	bool ok = check_wide("portable", fp_mul_wide_portable, fp_redc_portable, a, b, t);
#ifdef SS_HAVE_ADX_KERNEL
	if (have_adx())
		ok &= check_wide("adx", fp_mul_wide_adx, fp_redc_adx, a, b, t);
#endif
	return ok;
}

TEST(wide_and_redc)
{
	oracle_setup();
	uint64_t e[N_EDGE][6], t[12], ones[6];
	edge_values(e);
	memset(ones, 0xff, sizeof ones); /* fp_mul_wide takes any 384-bit operands */
	rng_state = 0x3ede;
	for (int i = 0; i < N_EDGE; i++)
		for (int j = 0; j < N_EDGE; j++) {
			random_wide(t, (i + j) % 3);
			test_count_case(check_wide_all(e[i], e[j], t));
		}
	random_wide(t, 1);
	test_count_case(check_wide_all(ones, ones, t));
	long bad = 0;
	for (long k = 0; k < 20000 && bad < 5; k++) {
		uint64_t a[6], b[6];
		random_fp(a);
		random_fp(b);
		random_wide(t, 2);
		if (!check_wide_all(a, b, t))
			bad++;
	}
	test_count_case(bad == 0);
	/* lazy reduction as intended: REDC(a0 b0 + a1 b1) == mont(a0, b0) + mont(a1, b1) */
	fp_mont_init();
	uint64_t a0[6], b0[6], a1[6], b1[6], w0[12], w1[12], r[6], m0[6], m1[6];
	random_fp(a0); random_fp(b0); random_fp(a1); random_fp(b1);
	fp_mul_wide(w0, a0, b0);
	fp_mul_wide(w1, a1, b1);
	unsigned __int128 c = 0;
	for (int i = 0; i < 12; i++) {
		c += (unsigned __int128)w0[i] + w1[i];
		w0[i] = (uint64_t)c;
		c >>= 64;
	}
	fp_redc(r, w0);
	fp_mul_mont(m0, a0, b0);
	fp_mul_mont(m1, a1, b1);
	BIGNUM *x = bn_from_limbs(m0), *y = bn_from_limbs(m1);
	BN_mod_add(x, x, y, bn_p, bn_ctx);
	bn_to_limbs(m0, x);
	BN_free(x);
	BN_free(y);
	CHECK_MEM(r, m0, sizeof r);
}
