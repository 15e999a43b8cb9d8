/* Fp6 = Fp2[v] / (v^3 - xi), xi = 1 + u. Karatsuba multiplication (6 Fp2 products),
 * Chung–Hasan SQR2 squaring, and the sparse products the Miller loop needs
 * (Devegili, O hEigeartaigh, Scott, Dahab, "Multiplication and Squaring on
 * Pairing-Friendly Fields", eprint 2006/471). */
#include "crypto/bls_internal.h"

void fp6_add(fp6 *r, const fp6 *a, const fp6 *b)
{
	fp2_add(&r->c0, &a->c0, &b->c0);
	fp2_add(&r->c1, &a->c1, &b->c1);
	fp2_add(&r->c2, &a->c2, &b->c2);
}

void fp6_sub(fp6 *r, const fp6 *a, const fp6 *b)
{
	fp2_sub(&r->c0, &a->c0, &b->c0);
	fp2_sub(&r->c1, &a->c1, &b->c1);
	fp2_sub(&r->c2, &a->c2, &b->c2);
}

void fp6_neg(fp6 *r, const fp6 *a)
{
	fp2_neg(&r->c0, &a->c0);
	fp2_neg(&r->c1, &a->c1);
	fp2_neg(&r->c2, &a->c2);
}

/* t_i = a_i b_i;
 * c0 = ((a1 + a2)(b1 + b2) - t1 - t2) xi + t0
 * c1 = (a0 + a1)(b0 + b1) - t0 - t1 + xi t2
 * c2 = (a0 + a2)(b0 + b2) - t0 - t2 + t1 */
void fp6_mul(fp6 *r, const fp6 *a, const fp6 *b)
{
	fp2 t0, t1, t2, s, u, c0, c1, c2;
	fp2_mul(&t0, &a->c0, &b->c0);
	fp2_mul(&t1, &a->c1, &b->c1);
	fp2_mul(&t2, &a->c2, &b->c2);

	fp2_add(&s, &a->c1, &a->c2);
	fp2_add(&u, &b->c1, &b->c2);
	fp2_mul(&c0, &s, &u);
	fp2_sub(&c0, &c0, &t1);
	fp2_sub(&c0, &c0, &t2);
	fp2_mul_xi(&c0, &c0);
	fp2_add(&c0, &c0, &t0);

	fp2_add(&s, &a->c0, &a->c1);
	fp2_add(&u, &b->c0, &b->c1);
	fp2_mul(&c1, &s, &u);
	fp2_sub(&c1, &c1, &t0);
	fp2_sub(&c1, &c1, &t1);
	fp2_mul_xi(&s, &t2);
	fp2_add(&c1, &c1, &s);

	fp2_add(&s, &a->c0, &a->c2);
	fp2_add(&u, &b->c0, &b->c2);
	fp2_mul(&c2, &s, &u);
	fp2_sub(&c2, &c2, &t0);
	fp2_sub(&c2, &c2, &t2);
	fp2_add(&c2, &c2, &t1);

	r->c0 = c0;
	r->c1 = c1;
	r->c2 = c2;
}

/* CH-SQR2: s0 = a0^2, s1 = 2 a0 a1, s2 = (a0 - a1 + a2)^2, s3 = 2 a1 a2, s4 = a2^2;
 * c0 = s0 + xi s3, c1 = s1 + xi s4, c2 = s1 + s2 + s3 - s0 - s4 */
void fp6_sqr(fp6 *r, const fp6 *a)
{
	fp2 s0, s1, s2, s3, s4, t;
	fp2_sqr(&s0, &a->c0);
	fp2_mul(&s1, &a->c0, &a->c1);
	fp2_dbl(&s1, &s1);
	fp2_sub(&s2, &a->c0, &a->c1);
	fp2_add(&s2, &s2, &a->c2);
	fp2_sqr(&s2, &s2);
	fp2_mul(&s3, &a->c1, &a->c2);
	fp2_dbl(&s3, &s3);
	fp2_sqr(&s4, &a->c2);

	fp2_mul_xi(&t, &s3);
	fp2_add(&r->c0, &s0, &t);
	fp2_add(&t, &s1, &s2);
	fp2_add(&t, &t, &s3);
	fp2_sub(&t, &t, &s0);
	fp2_sub(&r->c2, &t, &s4);
	fp2_mul_xi(&t, &s4);
	fp2_add(&r->c1, &s1, &t);
}

/* (a0 + a1 v + a2 v^2) v = xi a2 + a0 v + a1 v^2 */
void fp6_mul_v(fp6 *r, const fp6 *a)
{
	fp2 t;
	fp2_mul_xi(&t, &a->c2);
	r->c2 = a->c1;
	r->c1 = a->c0;
	r->c0 = t;
}

/* (a0 + a1 v + a2 v^2)(b0 + b1 v)
 *   = (a0 b0 + xi a2 b1) + (a0 b1 + a1 b0) v + (a1 b1 + a2 b0) v^2, 5 products */
void fp6_mul_01(fp6 *r, const fp6 *a, const fp2 *b0, const fp2 *b1)
{
	fp2 t0, t1, s, u, c0, c1, c2;
	fp2_mul(&t0, &a->c0, b0);
	fp2_mul(&t1, &a->c1, b1);

	fp2_add(&s, &a->c1, &a->c2);
	fp2_mul(&c0, &s, b1);
	fp2_sub(&c0, &c0, &t1);
	fp2_mul_xi(&c0, &c0);
	fp2_add(&c0, &c0, &t0);

	fp2_add(&s, &a->c0, &a->c1);
	fp2_add(&u, b0, b1);
	fp2_mul(&c1, &s, &u);
	fp2_sub(&c1, &c1, &t0);
	fp2_sub(&c1, &c1, &t1);

	fp2_add(&s, &a->c0, &a->c2);
	fp2_mul(&c2, &s, b0);
	fp2_sub(&c2, &c2, &t0);
	fp2_add(&c2, &c2, &t1);

	r->c0 = c0;
	r->c1 = c1;
	r->c2 = c2;
}

/* (a0 + a1 v + a2 v^2) b1 v = xi a2 b1 + a0 b1 v + a1 b1 v^2 */
void fp6_mul_1(fp6 *r, const fp6 *a, const fp2 *b1)
{
	fp2 c0, c1, c2;
	fp2_mul(&c0, &a->c2, b1);
	fp2_mul_xi(&c0, &c0);
	fp2_mul(&c1, &a->c0, b1);
	fp2_mul(&c2, &a->c1, b1);
	r->c0 = c0;
	r->c1 = c1;
	r->c2 = c2;
}

/* t0 = a0^2 - xi a1 a2, t1 = xi a2^2 - a0 a1, t2 = a1^2 - a0 a2,
 * 1/a = (t0 + t1 v + t2 v^2) / (a0 t0 + xi (a2 t1 + a1 t2)) */
void fp6_inv(fp6 *r, const fp6 *a)
{
	fp2 t0, t1, t2, s, d;
	fp2_sqr(&t0, &a->c0);
	fp2_mul(&s, &a->c1, &a->c2);
	fp2_mul_xi(&s, &s);
	fp2_sub(&t0, &t0, &s);

	fp2_sqr(&t1, &a->c2);
	fp2_mul_xi(&t1, &t1);
	fp2_mul(&s, &a->c0, &a->c1);
	fp2_sub(&t1, &t1, &s);

	fp2_sqr(&t2, &a->c1);
	fp2_mul(&s, &a->c0, &a->c2);
	fp2_sub(&t2, &t2, &s);

	fp2_mul(&d, &a->c2, &t1);
	fp2_mul(&s, &a->c1, &t2);
	fp2_add(&d, &d, &s);
	fp2_mul_xi(&d, &d);
	fp2_mul(&s, &a->c0, &t0);
	fp2_add(&d, &d, &s);
	fp2_inv(&d, &d);

	fp2_mul(&r->c0, &t0, &d);
	fp2_mul(&r->c1, &t1, &d);
	fp2_mul(&r->c2, &t2, &d);
}
