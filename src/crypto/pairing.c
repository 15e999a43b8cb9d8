/* The optimal ate pairing on BLS12-381 (Vercauteren, "Optimal pairings", 2010): a
 * Miller loop over the bits of |x|, x = -0xd201000000010000, in homogeneous projective
 * coordinates on the twist with lines evaluated at P and multiplied in sparsely
 * (Costello, Lange, Naehrig, "Faster pairing computations on curves with high-degree
 * twists", PKC 2010), and the final exponentiation (p^12 - 1)/r: the easy part
 * (p^6 - 1)(p^2 + 1) by conjugation, inversion and Frobenius, the hard part by the
 * x-chain of Hayashida, Hayasaka, Teruya (eprint 2020/875):
 *   3 (p^4 - p^2 + 1)/r = (x - 1)^2 (x + p)(x^2 + p^2 - 1) + 3,
 * with Granger–Scott cyclotomic squarings. Public inputs only (_vartime). */
#include "crypto/bls_internal.h"

typedef struct {
	fp2 x, y, z; /* homogeneous: x = X/Z, y = Y/Z */
} g2_proj;

typedef struct {
	fp neg_xp, neg_3xp, yp;
} g1_pre;

/* Untwisting the M-type twist (x', y') -> (x' / w^2, y' / w^3) and scaling by w^3
 * (killed by the final exponentiation), the line through T with slope s evaluated at
 * P is (s xT - yT) + (-s xP) v + yP v w: coefficients 0, 1 and 4 of Fp12.
 *
 * Doubling (slope 3x^2/2y, scaled by 2 Y Z^2 / Z, using Y^2 Z = X^3 + b' Z^3):
 *   l0 = Y^2 - 3b' Z^2, l1 = -3 X^2 xP, l4 = 2 Y Z yP
 *   X3 = X Y / 2 (Y^2 - 9 b' Z^2), Y3 = ((Y^2 + 9 b' Z^2) / 2)^2 - 27 b'^2 Z^4,
 *   Z3 = 2 Y^3 Z */
static void dbl_step(g2_proj *t, fp2 *l0, fp2 *l1, fp2 *l4, const g1_pre *p)
{
	fp2 y2, z2, e, e3, yz2, x2, a, b;
	fp2_sqr(&y2, &t->y);
	fp2_sqr(&z2, &t->z);
	/* 3b' Z^2 = 12 xi Z^2 by additions (b' = 4 xi) */
	fp2_mul_xi(&e, &z2);
	fp2_dbl(&e, &e);
	fp2_dbl(&e, &e);
	fp2_dbl(&e3, &e);
	fp2_add(&e, &e3, &e); /* 3b' Z^2 */
	fp2_dbl(&e3, &e);
	fp2_add(&e3, &e3, &e); /* 9b' Z^2 */
	fp2_add(&yz2, &t->y, &t->z);
	fp2_sqr(&yz2, &yz2);
	fp2_sub(&yz2, &yz2, &y2);
	fp2_sub(&yz2, &yz2, &z2); /* 2 Y Z */
	fp2_sqr(&x2, &t->x);

	fp2_sub(l0, &y2, &e);
	fp2_mul_fp(l1, &x2, &p->neg_3xp);
	fp2_mul_fp(l4, &yz2, &p->yp);

	/* X3 = X Y (Y^2 - 9b'Z^2) / 2 */
	fp2_mul(&a, &t->x, &t->y);
	fp2_sub(&b, &y2, &e3);
	fp2_mul(&a, &a, &b);
	fp_half(&t->x.c0, &a.c0);
	fp_half(&t->x.c1, &a.c1);
	/* Y3 = ((Y^2 + 9b'Z^2)/2)^2 - 3 (3b'Z^2)^2 */
	fp2_add(&b, &y2, &e3);
	fp_half(&b.c0, &b.c0);
	fp_half(&b.c1, &b.c1);
	fp2_sqr(&b, &b);
	fp2_sqr(&a, &e);
	fp2_sub(&b, &b, &a);
	fp2_dbl(&a, &a);
	fp2_sub(&t->y, &b, &a);
	/* Z3 = Y^2 * 2YZ */
	fp2_mul(&t->z, &y2, &yz2);
}

/* Mixed addition T + Q (Q affine), theta = Y - yQ Z, lambda = X - xQ Z:
 *   l0 = theta xQ - lambda yQ, l1 = -theta xP, l4 = lambda yP
 *   C = theta^2, D = lambda^2, E = lambda^3, F = Z C, G = X D, H = E + F - 2G,
 *   X3 = lambda H, Y3 = theta (G - H) - Y E, Z3 = Z E */
static void add_step(g2_proj *t, fp2 *l0, fp2 *l1, fp2 *l4, const g2_affine *q,
		     const g1_pre *p)
{
	fp2 th, la, c, d, e, f, g, h, s;
	fp2_mul(&th, &q->y, &t->z);
	fp2_sub(&th, &t->y, &th);
	fp2_mul(&la, &q->x, &t->z);
	fp2_sub(&la, &t->x, &la);

	fp2_mul(l0, &th, &q->x);
	fp2_mul(&s, &la, &q->y);
	fp2_sub(l0, l0, &s);
	fp2_mul_fp(l1, &th, &p->neg_xp);
	fp2_mul_fp(l4, &la, &p->yp);

	fp2_sqr(&c, &th);
	fp2_sqr(&d, &la);
	fp2_mul(&e, &d, &la);
	fp2_mul(&f, &t->z, &c);
	fp2_mul(&g, &t->x, &d);
	fp2_add(&h, &e, &f);
	fp2_sub(&h, &h, &g);
	fp2_sub(&h, &h, &g);
	fp2_mul(&t->x, &la, &h);
	fp2_sub(&s, &g, &h);
	fp2_mul(&s, &s, &th);
	fp2_mul(&g, &t->y, &e);
	fp2_sub(&t->y, &s, &g);
	fp2_mul(&t->z, &t->z, &e);
}

#define ML_CHUNK 8

/* f *= prod MillerLoop(P_i, Q_i) over at most ML_CHUNK pairs, sharing the squarings
 * of f (multi-pairing). */
static void miller_chunk(fp12 *acc, const g1_affine *p, const g2_affine *q, size_t n)
{
	g2_proj t[ML_CHUNK];
	g1_pre pre[ML_CHUNK];
	fp2 l0, l1, l4;
	fp12 f;
	for (size_t j = 0; j < n; j++) {
		t[j].x = q[j].x;
		t[j].y = q[j].y;
		fp2_set_one(&t[j].z);
		fp_neg(&pre[j].neg_xp, &p[j].x);
		fp_dbl(&pre[j].neg_3xp, &pre[j].neg_xp);
		fp_add(&pre[j].neg_3xp, &pre[j].neg_3xp, &pre[j].neg_xp);
		pre[j].yp = p[j].y;
	}
	fp12_set_one(&f);
	for (int i = 62; i >= 0; i--) {
		fp12_sqr(&f, &f);
		for (size_t j = 0; j < n; j++) {
			dbl_step(&t[j], &l0, &l1, &l4, &pre[j]);
			fp12_mul_014(&f, &f, &l0, &l1, &l4);
		}
		if ((BLS_X_ABS >> i) & 1) {
			for (size_t j = 0; j < n; j++) {
				add_step(&t[j], &l0, &l1, &l4, &q[j], &pre[j]);
				fp12_mul_014(&f, &f, &l0, &l1, &l4);
			}
		}
	}
	/* x < 0: f_{x,Q} = 1 / f_{|x|,Q} up to a factor the final exponentiation kills;
	 * 1/f equals conj(f) after it, so conjugate. */
	fp12_conj(&f, &f);
	fp12_mul(acc, acc, &f);
}

void bls_miller_loop_n_vartime(fp12 *f, const g1_affine *p, const g2_affine *q, size_t n)
{
	fp12_set_one(f);
	for (size_t i = 0; i < n; i += ML_CHUNK)
		miller_chunk(f, p + i, q + i, n - i < ML_CHUNK ? n - i : ML_CHUNK);
}

/* r = a^x = conj(a^|x|) for a in the cyclotomic subgroup */
static void cyc_exp_x(fp12 *r, const fp12 *a)
{
	fp12 acc = *a;
	for (int i = 62; i >= 0; i--) {
		fp12_cyclotomic_sqr(&acc, &acc);
		if ((BLS_X_ABS >> i) & 1)
			fp12_mul(&acc, &acc, a);
	}
	fp12_conj(r, &acc);
}

void bls_final_exp(fp12 *r, const fp12 *f)
{
	fp12 t, m, y1, y2, y3, y4, s;
	/* easy part: m = f^((p^6 - 1)(p^2 + 1)) */
	fp12_inv(&t, f);
	fp12_conj(&m, f);
	fp12_mul(&m, &m, &t);
	fp12_frob(&t, &m, 2);
	fp12_mul(&m, &t, &m);
	/* hard part, 3 (p^4 - p^2 + 1)/r */
	cyc_exp_x(&y1, &m);
	fp12_conj(&t, &m);
	fp12_mul(&y1, &y1, &t); /* m^(x-1) */
	cyc_exp_x(&y2, &y1);
	fp12_conj(&t, &y1);
	fp12_mul(&y2, &y2, &t); /* m^((x-1)^2) */
	cyc_exp_x(&y3, &y2);
	fp12_frob(&t, &y2, 1);
	fp12_mul(&y3, &y3, &t); /* y2^(x+p) */
	cyc_exp_x(&y4, &y3);
	cyc_exp_x(&y4, &y4);
	fp12_frob(&t, &y3, 2);
	fp12_mul(&y4, &y4, &t);
	fp12_conj(&t, &y3);
	fp12_mul(&y4, &y4, &t); /* y3^(x^2 + p^2 - 1) */
	fp12_cyclotomic_sqr(&s, &m);
	fp12_mul(&s, &s, &m);
	fp12_mul(r, &y4, &s); /* * m^3 */
}

void bls_pairing_vartime(fp12 *r, const g1_affine *p, const g2_affine *q)
{
	fp12 f;
	bls_miller_loop_n_vartime(&f, p, q, 1);
	bls_final_exp(r, &f);
}

/* ---- accumulator for multi-pairing products of any length ---- */

void bls_pairing_acc_init(bls_pairing_acc *acc)
{
	fp12_set_one(&acc->f);
	acc->n = 0;
}

static void acc_flush(bls_pairing_acc *acc)
{
	if (acc->n == 0)
		return;
	fp12 f;
	bls_miller_loop_n_vartime(&f, acc->p, acc->q, acc->n);
	fp12_mul(&acc->f, &acc->f, &f);
	acc->n = 0;
}

void bls_pairing_acc_add_vartime(bls_pairing_acc *acc, const g1_point *p, const g2_point *q)
{
	/* e(O, Q) = e(P, O) = 1 */
	if (g1_is_infinity(p) || g2_is_infinity(q))
		return;
	if (fp_eq(&p->z, &FP_ONE)) {
		acc->p[acc->n].x = p->x;
		acc->p[acc->n].y = p->y;
	} else {
		g1_to_affine(&acc->p[acc->n], p);
	}
	fp2 one;
	fp2_set_one(&one);
	if (fp2_eq(&q->z, &one)) {
		acc->q[acc->n].x = q->x;
		acc->q[acc->n].y = q->y;
	} else {
		g2_to_affine(&acc->q[acc->n], q);
	}
	if (++acc->n == BLS_PAIRING_ACC_PAIRS)
		acc_flush(acc);
}

bool bls_pairing_acc_is_one_vartime(bls_pairing_acc *acc)
{
	fp12 r;
	acc_flush(acc);
	bls_final_exp(&r, &acc->f);
	return fp12_is_one(&r) == 1;
}
