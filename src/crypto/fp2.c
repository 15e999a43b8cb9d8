/* Fp2 = Fp[u] / (u^2 + 1). Karatsuba multiplication (3 Fp products) and the
 * "complex" squaring (2 Fp products); square root by the norm method, which needs two
 * Fp exponentiations and no inversion. Constant time. */
#include <string.h>

#include "crypto/bls_internal.h"

void fp2_mul_fp(fp2 *r, const fp2 *a, const fp *b)
{
	fp_mul(&r->c0, &a->c0, b);
	fp_mul(&r->c1, &a->c1, b);
}

/* 1/(a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2) */
void fp2_inv(fp2 *r, const fp2 *a)
{
	fp n, t;
	fp_sqr(&n, &a->c0);
	fp_sqr(&t, &a->c1);
	fp_add(&n, &n, &t);
	fp_inv(&n, &n);
	fp_mul(&r->c0, &a->c0, &n);
	fp_mul(&t, &a->c1, &n);
	fp_neg(&r->c1, &t);
}

void fp2_set_zero(fp2 *r)
{
	memset(r, 0, sizeof *r);
}

void fp2_set_one(fp2 *r)
{
	r->c0 = FP_ONE;
	fp_set_zero(&r->c1);
}

uint64_t fp2_is_zero(const fp2 *a)
{
	return fp_is_zero(&a->c0) & fp_is_zero(&a->c1);
}

uint64_t fp2_eq(const fp2 *a, const fp2 *b)
{
	return fp_eq(&a->c0, &b->c0) & fp_eq(&a->c1, &b->c1);
}

void fp2_cmov(fp2 *r, const fp2 *a, uint64_t bit)
{
	fp_cmov(&r->c0, &a->c0, bit);
	fp_cmov(&r->c1, &a->c1, bit);
}

/* Square root by the norm ("complex") method. For a = a0 + a1 u with a square norm
 * n = a0^2 + a1^2 = t^2, a root y = y0 + y1 u satisfies y0^2 = (a0 + t)/2 or
 * y1^2 = -(a0 + t)/2 (exactly one is a square in Fp since -1 is not). With
 * x0 = (a0 + t)/2 and s = x0^((p-3)/4) (so s = 1/sqrt(x0) or 1/sqrt(-x0); (p-3)/4
 * is even):
 *   x0 square:      y0 = x0 s,   y1 = a1 s / 2
 *   -x0 square:     y1 = -x0 s,  y0 = a1 s / 2
 * When x0 = 0 (a1 = 0 and t = -a0), use x0 = a0 instead (the other root of n).
 * The result is checked by squaring. */
uint64_t fp2_sqrt(fp2 *r, const fp2 *a)
{
	fp n, t;
	fp2_norm(&n, a);
	fp_sqrt(&t, &n); /* if n is not a square, a is not: the final check fails */
	return fp2_sqrt_given_norm_root(r, a, &t);
}

void fp2_norm(fp *r, const fp2 *a)
{
	fp t;
	fp_sqr(r, &a->c0);
	fp_sqr(&t, &a->c1);
	fp_add(r, r, &t);
}

uint64_t fp2_sqrt_given_norm_root(fp2 *r, const fp2 *a, const fp *t)
{
	fp x0, s, y0, y1, z, c;
	fp2 y, chk;
	fp_add(&x0, &a->c0, t);
	fp_half(&x0, &x0);
	fp_cmov(&x0, &a->c0, fp_is_zero(&x0));
	fp_pow(&s, &x0, FP_EXP_INVSQRT);
	/* is x0 a square?  (x0 s)^2 == x0 */
	fp_mul(&y0, &x0, &s);
	fp_sqr(&c, &y0);
	uint64_t x0_square = fp_eq(&c, &x0);
	fp_mul(&y1, &a->c1, &s);
	fp_half(&y1, &y1);
	y.c0 = y0;
	y.c1 = y1;
	/* other case: y1 = -x0 s = -y0, y0 = a1 s / 2 */
	fp_neg(&z, &y0);
	fp_cmov(&y.c0, &y1, 1 ^ x0_square);
	fp_cmov(&y.c1, &z, 1 ^ x0_square);
	fp2_sqr(&chk, &y);
	*r = y;
	return fp2_eq(&chk, a);
}

uint64_t fp2_sgn0(const fp2 *a)
{
	uint64_t s0 = fp_sgn0(&a->c0), z0 = fp_is_zero(&a->c0), s1 = fp_sgn0(&a->c1);
	return s0 | (z0 & s1);
}

uint64_t fp2_is_lex_largest(const fp2 *a)
{
	uint64_t l1 = fp_is_lex_largest(&a->c1), z1 = fp_is_zero(&a->c1);
	uint64_t l0 = fp_is_lex_largest(&a->c0);
	return l1 | (z1 & l0);
}
