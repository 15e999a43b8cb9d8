/* G2: points of the sextic M-twist E'(Fp2): y^2 = x^3 + 4(1 + u), the signature group.
 * Generic Jacobian arithmetic comes from ec_template.h; this file adds psi, the
 * psi-based subgroup test and the Budroni–Pintore cofactor clearing. */
#include "crypto/bls_internal.h"
#include "util/secure_mem.h"

#define FE fp2
#define PT g2_point
#define AFF g2_affine
#define EC(name) g2_##name
#define F(name) fp2_##name
#define F_ONE(r) fp2_set_one(r)
#define CURVE_B G2_B
#include "crypto/ec_template.h"

/* psi(x, y) = (conj(x) cx, conj(y) cy) on affine points; in Jacobian coordinates
 * conj(Z) carries the denominators (conj is a field automorphism). */
void g2_psi(g2_point *r, const g2_point *a)
{
	fp2_conj(&r->x, &a->x);
	fp2_mul(&r->x, &r->x, &PSI_CX);
	fp2_conj(&r->y, &a->y);
	fp2_mul(&r->y, &r->y, &PSI_CY);
	fp2_conj(&r->z, &a->z);
}

/* [x]P = -[|x|]P */
static void g2_mul_x(g2_point *r, const g2_point *a)
{
	static const uint64_t x_abs[1] = { BLS_X_ABS };
	g2_mul_vartime(r, a, x_abs, 64);
	g2_neg(r, r);
}

/* Scott (eprint 2021/1130) §4: on BLS12 curves P is in G2 iff psi(P) == [x]P. */
bool g2_in_subgroup_vartime(const g2_point *a)
{
	if (g2_is_infinity(a))
		return true;
	g2_point l, r;
	g2_psi(&l, a);
	g2_mul_x(&r, a);
	return g2_eq_vartime(&l, &r);
}

/* RFC 9380 Appendix G.3 (Budroni–Pintore, eprint 2017/419):
 * h_eff P = [x^2 - x - 1]P + [x - 1]psi(P) + psi^2(2P), as the RFC's 10 steps. The
 * input is a hash output (public), so the variable-time additions are fine. */
void g2_clear_cofactor(g2_point *r, const g2_point *p)
{
	g2_point t1, t2, t3;
	g2_mul_x(&t1, p);         /* t1 = [x]P */
	g2_psi(&t2, p);           /* t2 = psi(P) */
	g2_dbl(&t3, p);           /* t3 = 2P */
	g2_psi(&t3, &t3);
	g2_psi(&t3, &t3);         /* t3 = psi^2(2P) */
	g2_neg(&t2, &t2);
	g2_add_vartime(&t3, &t3, &t2); /* t3 = t3 - t2 */
	g2_neg(&t2, &t2);
	g2_add_vartime(&t2, &t1, &t2); /* t2 = t1 + t2 */
	g2_mul_x(&t2, &t2);            /* t2 = [x]t2 */
	g2_add_vartime(&t3, &t3, &t2); /* t3 = t3 + t2 */
	g2_neg(&t1, &t1);
	g2_add_vartime(&t3, &t3, &t1); /* t3 = t3 - t1 */
	g2_neg(&t1, p);
	g2_add_vartime(r, &t3, &t1);   /* Q = t3 - P */
}
