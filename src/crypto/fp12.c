/* Fp12 = Fp6[w] / (w^2 - v): the target group of the pairing. Karatsuba multiplication
 * (3 Fp6 products), complex squaring (2 Fp6 products), Frobenius maps by precomputed
 * powers of xi, Granger–Scott cyclotomic squaring ("Faster Squaring in the Cyclotomic
 * Subgroup of Sixth Degree Extensions", PKC 2010) and the sparse line product. */
#include <string.h>

#include "crypto/bls_internal.h"

void fp12_set_one(fp12 *r)
{
	memset(r, 0, sizeof *r);
	r->c0.c0.c0 = FP_ONE;
}

uint64_t fp12_is_one(const fp12 *a)
{
	fp12 one;
	fp12_set_one(&one);
	return fp12_eq(a, &one);
}

uint64_t fp12_eq(const fp12 *a, const fp12 *b)
{
	const fp *x = (const fp *)a, *y = (const fp *)b;
	uint64_t ok = 1;
	for (int i = 0; i < 12; i++)
		ok &= fp_eq(&x[i], &y[i]);
	return ok;
}

/* t0 = a0 b0, t1 = a1 b1; c0 = t0 + t1 v, c1 = (a0 + a1)(b0 + b1) - t0 - t1 */
void fp12_mul(fp12 *r, const fp12 *a, const fp12 *b)
{
	fp6 t0, t1, s, u;
	fp6_mul(&t0, &a->c0, &b->c0);
	fp6_mul(&t1, &a->c1, &b->c1);
	fp6_add(&s, &a->c0, &a->c1);
	fp6_add(&u, &b->c0, &b->c1);
	fp6_mul(&s, &s, &u);
	fp6_sub(&s, &s, &t0);
	fp6_sub(&r->c1, &s, &t1);
	fp6_mul_v(&t1, &t1);
	fp6_add(&r->c0, &t0, &t1);
}

/* t = a0 a1; c0 = (a0 + a1)(a0 + v a1) - t - v t, c1 = 2 t */
void fp12_sqr(fp12 *r, const fp12 *a)
{
	fp6 t, s, u, vt;
	fp6_mul(&t, &a->c0, &a->c1);
	fp6_add(&s, &a->c0, &a->c1);
	fp6_mul_v(&u, &a->c1);
	fp6_add(&u, &u, &a->c0);
	fp6_mul(&s, &s, &u);
	fp6_mul_v(&vt, &t);
	fp6_sub(&s, &s, &t);
	fp6_sub(&r->c0, &s, &vt);
	fp6_add(&r->c1, &t, &t);
}

void fp12_conj(fp12 *r, const fp12 *a)
{
	r->c0 = a->c0;
	fp6_neg(&r->c1, &a->c1);
}

/* 1/(a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2) */
void fp12_inv(fp12 *r, const fp12 *a)
{
	fp6 t0, t1;
	fp6_sqr(&t0, &a->c0);
	fp6_sqr(&t1, &a->c1);
	fp6_mul_v(&t1, &t1);
	fp6_sub(&t0, &t0, &t1);
	fp6_inv(&t0, &t0);
	fp6_mul(&r->c0, &a->c0, &t0);
	fp6_mul(&t1, &a->c1, &t0);
	fp6_neg(&r->c1, &t1);
}

/* Write a = sum g_i w^i with g_i in Fp2 (g0 = c0.c0, g1 = c1.c0, g2 = c0.c1,
 * g3 = c1.c1, g4 = c0.c2, g5 = c1.c2). Then a^p = sum conj(g_i) gamma1_i w^i and
 * a^(p^2) = sum g_i gamma2_i w^i, gamma_k,i = xi^(i (p^k - 1)/6). */
static void frob1(fp12 *r, const fp12 *a)
{
	fp2 *g[6] = { &r->c0.c0, &r->c1.c0, &r->c0.c1, &r->c1.c1, &r->c0.c2, &r->c1.c2 };
	*r = *a;
	for (int i = 0; i < 6; i++) {
		fp2_conj(g[i], g[i]);
		if (i != 0)
			fp2_mul(g[i], g[i], &FROB1_GAMMA[i]);
	}
}

static void frob2(fp12 *r, const fp12 *a)
{
	fp2 *g[6] = { &r->c0.c0, &r->c1.c0, &r->c0.c1, &r->c1.c1, &r->c0.c2, &r->c1.c2 };
	*r = *a;
	for (int i = 1; i < 6; i++)
		fp2_mul_fp(g[i], g[i], &FROB2_GAMMA[i]);
}

void fp12_frob(fp12 *r, const fp12 *a, int k)
{
	switch (k) {
	case 1:
		frob1(r, a);
		break;
	case 2:
		frob2(r, a);
		break;
	default:
		frob2(r, a);
		frob1(r, r);
		break;
	}
}

/* Fp4 = Fp2[s] / (s^2 - xi) with s = w^3: (x + y s)^2 = (x^2 + xi y^2) + 2 x y s */
static void fp4_sqr(fp2 *rx, fp2 *ry, const fp2 *x, const fp2 *y)
{
	fp2 t0, t1, t2;
	fp2_sqr(&t0, x);
	fp2_sqr(&t1, y);
	fp2_add(&t2, x, y);
	fp2_sqr(&t2, &t2);
	fp2_sub(&t2, &t2, &t0);
	fp2_sub(ry, &t2, &t1);
	fp2_mul_xi(&t1, &t1);
	fp2_add(rx, &t0, &t1);
}

/* Over Fp4, a = A + B w + C w^2 with w^3 = s, where A = g0 + g3 s, B = g1 + g4 s,
 * C = g2 + g5 s. For a in the cyclotomic subgroup (Granger–Scott §3.1):
 *   a^2 = (3 A^2 - 2 conj(A)) + (3 s C^2 + 2 conj(B)) w + (3 B^2 - 2 conj(C)) w^2,
 * conj(x + y s) = x - y s. Each output coefficient is 3 t -/+ 2 g, computed as
 * 2 (t -/+ g) + t. */
void fp12_cyclotomic_sqr(fp12 *r, const fp12 *a)
{
	const fp2 *g0 = &a->c0.c0, *g1 = &a->c1.c0, *g2 = &a->c0.c1;
	const fp2 *g3 = &a->c1.c1, *g4 = &a->c0.c2, *g5 = &a->c1.c2;
	fp2 ax, ay, bx, by, cx, cy, t, h0, h1, h2, h3, h4, h5;

	fp4_sqr(&ax, &ay, g0, g3); /* A^2 */
	fp4_sqr(&bx, &by, g1, g4); /* B^2 */
	fp4_sqr(&cx, &cy, g2, g5); /* C^2 */

	/* new A: x part 3 ax - 2 g0, s part 3 ay + 2 g3 */
	fp2_sub(&t, &ax, g0);
	fp2_dbl(&t, &t);
	fp2_add(&h0, &t, &ax);
	fp2_add(&t, &ay, g3);
	fp2_dbl(&t, &t);
	fp2_add(&h3, &t, &ay);

	/* new B = 3 s C^2 + 2 conj(B); s (cx + cy s) = xi cy + cx s:
	 * x part 3 xi cy + 2 g1, s part 3 cx - 2 g4 */
	fp2_mul_xi(&cy, &cy);
	fp2_add(&t, &cy, g1);
	fp2_dbl(&t, &t);
	fp2_add(&h1, &t, &cy);
	fp2_sub(&t, &cx, g4);
	fp2_dbl(&t, &t);
	fp2_add(&h4, &t, &cx);

	/* new C = 3 B^2 - 2 conj(C): x part 3 bx - 2 g2, s part 3 by + 2 g5 */
	fp2_sub(&t, &bx, g2);
	fp2_dbl(&t, &t);
	fp2_add(&h2, &t, &bx);
	fp2_add(&t, &by, g5);
	fp2_dbl(&t, &t);
	fp2_add(&h5, &t, &by);

	r->c0.c0 = h0;
	r->c1.c0 = h1;
	r->c0.c1 = h2;
	r->c1.c1 = h3;
	r->c0.c2 = h4;
	r->c1.c2 = h5;
}

/* a = a0 + a1 w, l = m0 + m1 w with m0 = l0 + l1 v and m1 = l4 v:
 * a l = (a0 m0 + v a1 m1) + ((a0 + a1)(m0 + m1) - a0 m0 - a1 m1) w */
void fp12_mul_014(fp12 *r, const fp12 *a, const fp2 *l0, const fp2 *l1, const fp2 *l4)
{
	fp6 t0, t1, s;
	fp2 m;
	fp6_mul_01(&t0, &a->c0, l0, l1);
	fp6_mul_1(&t1, &a->c1, l4);
	fp6_add(&s, &a->c0, &a->c1);
	fp2_add(&m, l1, l4);
	fp6_mul_01(&s, &s, l0, &m);
	fp6_sub(&s, &s, &t0);
	fp6_sub(&r->c1, &s, &t1);
	fp6_mul_v(&t1, &t1);
	fp6_add(&r->c0, &t0, &t1);
}
