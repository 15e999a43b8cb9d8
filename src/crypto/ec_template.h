/* Short-Weierstrass arithmetic on y^2 = x^3 + b (a = 0) in Jacobian coordinates, written
 * once for both groups: g1.c includes it over Fp and g2.c over Fp2. The includer
 * defines
 *   FE, PT, AFF        field element, Jacobian point, affine point types
 *   EC(name)           the group's prefix (g1_name / g2_name)
 *   F(name)            the field's prefix (fp_name / fp2_name)
 *   F_ONE(r)           sets r = 1
 *   CURVE_B            the curve constant b
 * Formulas from the Explicit-Formulas Database (Bernstein–Lange), cited per function. */

void EC(set_infinity)(PT *r)
{
	F(set_zero)(&r->x);
	F_ONE(&r->y);
	F(set_zero)(&r->z);
}

void EC(from_affine)(PT *r, const AFF *a)
{
	r->x = a->x;
	r->y = a->y;
	F_ONE(&r->z);
}

uint64_t EC(is_infinity)(const PT *a)
{
	return F(is_zero)(&a->z);
}

/* dbl-2009-l: A = X^2, B = Y^2, C = B^2, D = 2((X + B)^2 - A - C), E = 3A, F = E^2,
 * X3 = F - 2D, Y3 = E(D - X3) - 8C, Z3 = 2 Y Z. Infinity (Z = 0) maps to itself. */
void EC(dbl)(PT *r, const PT *p)
{
	FE a, b, c, d, e, f, t;
	F(sqr)(&a, &p->x);
	F(sqr)(&b, &p->y);
	F(sqr)(&c, &b);
	F(add)(&d, &p->x, &b);
	F(sqr)(&d, &d);
	F(sub)(&d, &d, &a);
	F(sub)(&d, &d, &c);
	F(dbl)(&d, &d);
	F(dbl)(&e, &a);
	F(add)(&e, &e, &a);
	F(sqr)(&f, &e);
	F(mul)(&r->z, &p->y, &p->z);
	F(dbl)(&r->z, &r->z);
	F(dbl)(&t, &d);
	F(sub)(&r->x, &f, &t);
	F(sub)(&t, &d, &r->x);
	F(mul)(&t, &e, &t);
	F(dbl)(&c, &c);
	F(dbl)(&c, &c);
	F(dbl)(&c, &c);
	F(sub)(&r->y, &t, &c);
}

/* The common end of add-2007-bl and madd-2007-bl: X3 = rr^2 - J - 2V,
 * Y3 = rr(V - X3) - 2 S1 J (S1 = Y1 in the mixed form). s1 is read after X3 is written
 * and before Y3, so it may be p->y when r == p. */
static inline void EC(add_xy)(PT *r, const FE *rr, const FE *j, const FE *v, const FE *s1)
{
	FE t, u;
	F(sqr)(&t, rr);
	F(sub)(&t, &t, j);
	F(sub)(&t, &t, v);
	F(sub)(&r->x, &t, v);
	F(sub)(&t, v, &r->x);
	F(mul)(&t, &t, rr);
	F(mul)(&u, s1, j);
	F(dbl)(&u, &u);
	F(sub)(&r->y, &t, &u);
}

/* add-2007-bl without exceptional cases: Z1Z1 = Z1^2, Z2Z2 = Z2^2, U1 = X1 Z2Z2,
 * U2 = X2 Z1Z1, S1 = Y1 Z2 Z2Z2, S2 = Y2 Z1 Z1Z1, H = U2 - U1, I = (2H)^2, J = H I,
 * rr = 2(S2 - S1), V = U1 I, X3 = rr^2 - J - 2V, Y3 = rr(V - X3) - 2 S1 J,
 * Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H. Returns H == 0 and rr == 0 in *hz, *rz. */
static void EC(add_raw)(PT *r, const PT *p, const PT *q, uint64_t *hz, uint64_t *rz)
{
	FE z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
	F(sqr)(&z1z1, &p->z);
	F(sqr)(&z2z2, &q->z);
	F(mul)(&u1, &p->x, &z2z2);
	F(mul)(&u2, &q->x, &z1z1);
	F(mul)(&s1, &p->y, &q->z);
	F(mul)(&s1, &s1, &z2z2);
	F(mul)(&s2, &q->y, &p->z);
	F(mul)(&s2, &s2, &z1z1);
	F(sub)(&h, &u2, &u1);
	F(sub)(&rr, &s2, &s1);
	*hz = F(is_zero)(&h);
	*rz = F(is_zero)(&rr);
	F(dbl)(&rr, &rr);
	F(dbl)(&i, &h);
	F(sqr)(&i, &i);
	F(mul)(&j, &h, &i);
	F(mul)(&v, &u1, &i);
	F(add)(&t, &p->z, &q->z);
	F(sqr)(&t, &t);
	F(sub)(&t, &t, &z1z1);
	F(sub)(&t, &t, &z2z2);
	F(mul)(&r->z, &t, &h);
	EC(add_xy)(r, &rr, &j, &v, &s1);
}

void EC(add_vartime)(PT *r, const PT *p, const PT *q)
{
	if (EC(is_infinity)(p)) {
		*r = *q;
		return;
	}
	if (EC(is_infinity)(q)) {
		*r = *p;
		return;
	}
	uint64_t hz, rz;
	PT t;
	EC(add_raw)(&t, p, q, &hz, &rz);
	if (hz) {
		if (rz)
			EC(dbl)(r, p); /* P == Q */
		else
			EC(set_infinity)(r); /* P == -Q */
		return;
	}
	*r = t;
}

/* madd-2007-bl (Z2 = 1): Z1Z1 = Z1^2, U2 = X2 Z1Z1, S2 = Y2 Z1 Z1Z1, H = U2 - X1,
 * HH = H^2, I = 4 HH, J = H I, rr = 2(S2 - Y1), V = X1 I, X3 = rr^2 - J - 2V,
 * Y3 = rr(V - X3) - 2 Y1 J, Z3 = (Z1 + H)^2 - Z1Z1 - HH. No exceptional cases:
 * callers guarantee P != +-Q and P, Q finite, or discard the result. */
static void EC(madd_raw)(PT *r, const PT *p, const AFF *q)
{
	FE z1z1, u2, s2, h, hh, i, j, rr, v, t;
	F(sqr)(&z1z1, &p->z);
	F(mul)(&u2, &q->x, &z1z1);
	F(mul)(&s2, &q->y, &p->z);
	F(mul)(&s2, &s2, &z1z1);
	F(sub)(&h, &u2, &p->x);
	F(sqr)(&hh, &h);
	F(dbl)(&i, &hh);
	F(dbl)(&i, &i);
	F(mul)(&j, &h, &i);
	F(sub)(&rr, &s2, &p->y);
	F(dbl)(&rr, &rr);
	F(mul)(&v, &p->x, &i);
	F(add)(&t, &p->z, &h);
	F(sqr)(&t, &t);
	F(sub)(&t, &t, &z1z1);
	F(sub)(&r->z, &t, &hh);
	EC(add_xy)(r, &rr, &j, &v, &p->y);
}

void EC(neg)(PT *r, const PT *a)
{
	r->x = a->x;
	F(neg)(&r->y, &a->y);
	r->z = a->z;
}

/* x = X / Z^2, y = Y / Z^3; constant-time inversion, infinity gives (0, 0). */
void EC(to_affine)(AFF *r, const PT *a)
{
	FE zi, zi2;
	F(inv)(&zi, &a->z);
	F(sqr)(&zi2, &zi);
	F(mul)(&r->x, &a->x, &zi2);
	F(mul)(&zi2, &zi2, &zi);
	F(mul)(&r->y, &a->y, &zi2);
}

uint64_t EC(affine_on_curve)(const AFF *a)
{
	FE l, rhs;
	F(sqr)(&l, &a->y);
	F(sqr)(&rhs, &a->x);
	F(mul)(&rhs, &rhs, &a->x);
	F(add)(&rhs, &rhs, &CURVE_B);
	return F(eq)(&l, &rhs);
}

bool EC(eq_vartime)(const PT *a, const PT *b)
{
	uint64_t ia = EC(is_infinity)(a), ib = EC(is_infinity)(b);
	if (ia || ib)
		return ia && ib;
	FE z1z1, z2z2, l, r;
	F(sqr)(&z1z1, &a->z);
	F(sqr)(&z2z2, &b->z);
	F(mul)(&l, &a->x, &z2z2);
	F(mul)(&r, &b->x, &z1z1);
	if (!F(eq)(&l, &r))
		return false;
	F(mul)(&z1z1, &z1z1, &a->z);
	F(mul)(&z2z2, &z2z2, &b->z);
	F(mul)(&l, &a->y, &z2z2);
	F(mul)(&r, &b->y, &z1z1);
	return F(eq)(&l, &r);
}

/* Double-and-add over the bits of a public scalar. */
void EC(mul_vartime)(PT *r, const PT *a, const uint64_t *k, unsigned nbits)
{
	PT acc;
	EC(set_infinity)(&acc);
	for (unsigned i = nbits; i-- > 0;) {
		EC(dbl)(&acc, &acc);
		if ((k[i / 64] >> (i % 64)) & 1)
			EC(add_vartime)(&acc, &acc, a);
	}
	*r = acc;
}

/* [1]a..[15]a in affine coordinates (tab[0] unused), for a public point a of order r:
 * vartime additions, then one inversion for all Z (Montgomery's trick). */
static void EC(window_table)(AFF tab[16], const PT *a)
{
	PT jt[16];
	FE acc_z[16], inv;
	jt[1] = *a;
	for (int i = 2; i < 16; i++)
		EC(add_vartime)(&jt[i], &jt[i - 1], a);
	acc_z[1] = jt[1].z;
	for (int i = 2; i < 16; i++)
		F(mul)(&acc_z[i], &acc_z[i - 1], &jt[i].z);
	F(inv)(&inv, &acc_z[15]);
	for (int i = 15; i >= 1; i--) {
		FE zi, zi2;
		if (i > 1) {
			F(mul)(&zi, &inv, &acc_z[i - 1]);
			F(mul)(&inv, &inv, &jt[i].z);
		} else {
			zi = inv;
		}
		F(sqr)(&zi2, &zi);
		F(mul)(&tab[i].x, &jt[i].x, &zi2);
		F(mul)(&zi2, &zi2, &zi);
		F(mul)(&tab[i].y, &jt[i].y, &zi2);
	}
}

/* The secret temporaries of a constant-time scalar multiplication, wiped by the
 * caller before it returns (CONVENTIONS.md "Secrets"). */
typedef struct {
	PT acc, sum, sel_j;
	AFF sel;
	uint64_t d, acc_inf, digit_zero;
} EC(ct_scratch);

/* s->acc += tab[d] for a secret digit d in [0, 16): the whole table is scanned with
 * masks, one mixed addition is computed, and its exceptional cases are resolved by
 * masked selection:
 *   - d = 0: keep the accumulator;
 *   - accumulator at infinity (leading zero digits): take the table point.
 * Callers guarantee the accumulator never equals +-tab[d] otherwise. */
static void EC(ct_window_add)(EC(ct_scratch) *s, const AFF tab[16], uint64_t d)
{
	s->d = d;
	s->sel = tab[1];
	for (uint64_t i = 2; i < 16; i++) {
		uint64_t x = i ^ s->d;
		uint64_t hit = ((~x & (x - 1)) >> 63);
		F(cmov)(&s->sel.x, &tab[i].x, hit);
		F(cmov)(&s->sel.y, &tab[i].y, hit);
	}
	EC(madd_raw)(&s->sum, &s->acc, &s->sel);
	s->acc_inf = EC(is_infinity)(&s->acc);
	s->digit_zero = (~s->d & (s->d - 1)) >> 63;
	EC(from_affine)(&s->sel_j, &s->sel);
	F(cmov)(&s->sum.x, &s->sel_j.x, s->acc_inf);
	F(cmov)(&s->sum.y, &s->sel_j.y, s->acc_inf);
	F(cmov)(&s->sum.z, &s->sel_j.z, s->acc_inf);
	F(cmov)(&s->sum.x, &s->acc.x, s->digit_zero);
	F(cmov)(&s->sum.y, &s->acc.y, s->digit_zero);
	F(cmov)(&s->sum.z, &s->acc.z, s->digit_zero);
	s->acc = s->sum;
}

/* r = p + q for a finite affine q, constant time, for callers that know p != +-q
 * unless p is at infinity: that case (r = q) and q_zero = 1 (q stands for the point at
 * infinity: r = p) are resolved by masked selection, never by a branch. Used by the
 * fixed-base multiplication (g2_fixed_base.c), whose accumulator starts at infinity. */
void EC(madd_ct)(PT *r, const PT *p, const AFF *q, uint64_t q_zero)
{
	PT sum, qj;
	uint64_t p_inf = EC(is_infinity)(p);
	EC(madd_raw)(&sum, p, q);
	EC(from_affine)(&qj, q);
	F(cmov)(&sum.x, &qj.x, p_inf);
	F(cmov)(&sum.y, &qj.y, p_inf);
	F(cmov)(&sum.z, &qj.z, p_inf);
	F(cmov)(&sum.x, &p->x, q_zero);
	F(cmov)(&sum.y, &p->y, q_zero);
	F(cmov)(&sum.z, &p->z, q_zero);
	*r = sum;
}

/* r = p + q, constant time, for callers that know p != +-q unless one of them is at
 * infinity; those cases (r = q, r = p, both: infinity) are resolved by selection. */
void EC(add_ct)(PT *r, const PT *p, const PT *q)
{
	PT sum;
	uint64_t hz, rz;
	uint64_t p_inf = EC(is_infinity)(p), q_inf = EC(is_infinity)(q);
	EC(add_raw)(&sum, p, q, &hz, &rz);
	F(cmov)(&sum.x, &q->x, p_inf);
	F(cmov)(&sum.y, &q->y, p_inf);
	F(cmov)(&sum.z, &q->z, p_inf);
	F(cmov)(&sum.x, &p->x, q_inf);
	F(cmov)(&sum.y, &p->y, q_inf);
	F(cmov)(&sum.z, &p->z, q_inf);
	*r = sum;
}
