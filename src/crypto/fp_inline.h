/* The cheap Fp and Fp2 operations (addition, subtraction, negation, doubling), inline because
 * they sit in every inner loop of the tower and a call costs as much as the work.
 * Constant time: carries and borrows are propagated with add-with-carry chains
 * (_addcarry_u64/_subborrow_u64 on x86-64, unsigned __int128 elsewhere) and the
 * final selection uses masks. Included by bls_internal.h only. */
#ifndef SS_CRYPTO_FP_INLINE_H
#define SS_CRYPTO_FP_INLINE_H

#include <stdint.h>

#include "crypto/arch.h"
#include "util/ct.h"

#if defined(SS_X86_CARRY_INTRINSICS)
#include <x86intrin.h>
#define FP_ADC(c, a, b, out) ((c) = _addcarry_u64((c), (a), (b), (unsigned long long *)(out)))
#define FP_SBB(c, a, b, out) ((c) = _subborrow_u64((c), (a), (b), (unsigned long long *)(out)))
typedef unsigned char fp_carry;
#else
typedef uint64_t fp_carry;
#define FP_ADC(c, a, b, out)                                                         \
	do {                                                                         \
		unsigned __int128 t_ = (unsigned __int128)(a) + (b) + (c);           \
		*(out) = (uint64_t)t_;                                               \
		(c) = (uint64_t)(t_ >> 64);                                          \
	} while (0)
#define FP_SBB(c, a, b, out)                                                         \
	do {                                                                         \
		unsigned __int128 t_ = (unsigned __int128)(a) - (b) - (c);           \
		*(out) = (uint64_t)t_;                                               \
		(c) = (uint64_t)(t_ >> 64) & 1;                                      \
	} while (0)
#endif

#define FP_P0 0xb9feffffffffaaabull
#define FP_P1 0x1eabfffeb153ffffull
#define FP_P2 0x6730d2a0f6b0f624ull
#define FP_P3 0x64774b84f38512bfull
#define FP_P4 0x4b1ba7b6434bacd7ull
#define FP_P5 0x1a0111ea397fe69aull

/* r = t - p when t (with carry bit hi) >= p, else t. Scalar locals keep the values in
 * registers: arrays invite the vectoriser to go through memory and stall on store
 * forwarding. */
static inline void fp_reduce_once_(fp *r, uint64_t t0, uint64_t t1, uint64_t t2,
				   uint64_t t3, uint64_t t4, uint64_t t5, uint64_t hi)
{
	uint64_t d0, d1, d2, d3, d4, d5, junk;
	fp_carry b = 0;
	FP_SBB(b, t0, FP_P0, &d0);
	FP_SBB(b, t1, FP_P1, &d1);
	FP_SBB(b, t2, FP_P2, &d2);
	FP_SBB(b, t3, FP_P3, &d3);
	FP_SBB(b, t4, FP_P4, &d4);
	FP_SBB(b, t5, FP_P5, &d5);
	FP_SBB(b, hi, 0, &junk); /* borrow out <=> t < p: keep t */
	(void)junk;
	uint64_t keep = ct_mask_u64((uint64_t)b);
	r->l[0] = d0 ^ ((t0 ^ d0) & keep);
	r->l[1] = d1 ^ ((t1 ^ d1) & keep);
	r->l[2] = d2 ^ ((t2 ^ d2) & keep);
	r->l[3] = d3 ^ ((t3 ^ d3) & keep);
	r->l[4] = d4 ^ ((t4 ^ d4) & keep);
	r->l[5] = d5 ^ ((t5 ^ d5) & keep);
}

static inline void fp_add(fp *r, const fp *a, const fp *b)
{
	uint64_t t0, t1, t2, t3, t4, t5;
	fp_carry c = 0;
	FP_ADC(c, a->l[0], b->l[0], &t0);
	FP_ADC(c, a->l[1], b->l[1], &t1);
	FP_ADC(c, a->l[2], b->l[2], &t2);
	FP_ADC(c, a->l[3], b->l[3], &t3);
	FP_ADC(c, a->l[4], b->l[4], &t4);
	FP_ADC(c, a->l[5], b->l[5], &t5);
	fp_reduce_once_(r, t0, t1, t2, t3, t4, t5, c);
}

static inline void fp_dbl(fp *r, const fp *a)
{
	fp_add(r, a, a);
}

static inline void fp_sub(fp *r, const fp *a, const fp *b)
{
	uint64_t t0, t1, t2, t3, t4, t5;
	fp_carry c = 0;
	FP_SBB(c, a->l[0], b->l[0], &t0);
	FP_SBB(c, a->l[1], b->l[1], &t1);
	FP_SBB(c, a->l[2], b->l[2], &t2);
	FP_SBB(c, a->l[3], b->l[3], &t3);
	FP_SBB(c, a->l[4], b->l[4], &t4);
	FP_SBB(c, a->l[5], b->l[5], &t5);
	uint64_t m = ct_mask_u64((uint64_t)c); /* add p back after a borrow */
	c = 0;
	FP_ADC(c, t0, FP_P0 & m, &r->l[0]);
	FP_ADC(c, t1, FP_P1 & m, &r->l[1]);
	FP_ADC(c, t2, FP_P2 & m, &r->l[2]);
	FP_ADC(c, t3, FP_P3 & m, &r->l[3]);
	FP_ADC(c, t4, FP_P4 & m, &r->l[4]);
	FP_ADC(c, t5, FP_P5 & m, &r->l[5]);
}

static inline uint64_t fp_is_zero(const fp *a)
{
	uint64_t acc = a->l[0] | a->l[1] | a->l[2] | a->l[3] | a->l[4] | a->l[5];
	return (~acc & (acc - 1)) >> 63;
}

/* r = p - a, and 0 for a = 0 */
static inline void fp_neg(fp *r, const fp *a)
{
	uint64_t nz = ct_mask_u64(1 ^ fp_is_zero(a));
	fp_carry c = 0;
	FP_SBB(c, FP_P0, a->l[0], &r->l[0]);
	FP_SBB(c, FP_P1, a->l[1], &r->l[1]);
	FP_SBB(c, FP_P2, a->l[2], &r->l[2]);
	FP_SBB(c, FP_P3, a->l[3], &r->l[3]);
	FP_SBB(c, FP_P4, a->l[4], &r->l[4]);
	FP_SBB(c, FP_P5, a->l[5], &r->l[5]);
	r->l[0] &= nz;
	r->l[1] &= nz;
	r->l[2] &= nz;
	r->l[3] &= nz;
	r->l[4] &= nz;
	r->l[5] &= nz;
}

/* ---- the linear Fp2 operations, inline for the same reason ---- */

static inline void fp2_add(fp2 *r, const fp2 *a, const fp2 *b)
{
	fp_add(&r->c0, &a->c0, &b->c0);
	fp_add(&r->c1, &a->c1, &b->c1);
}

static inline void fp2_sub(fp2 *r, const fp2 *a, const fp2 *b)
{
	fp_sub(&r->c0, &a->c0, &b->c0);
	fp_sub(&r->c1, &a->c1, &b->c1);
}

static inline void fp2_dbl(fp2 *r, const fp2 *a)
{
	fp_add(&r->c0, &a->c0, &a->c0);
	fp_add(&r->c1, &a->c1, &a->c1);
}

static inline void fp2_neg(fp2 *r, const fp2 *a)
{
	fp_neg(&r->c0, &a->c0);
	fp_neg(&r->c1, &a->c1);
}

static inline void fp2_conj(fp2 *r, const fp2 *a)
{
	r->c0 = a->c0;
	fp_neg(&r->c1, &a->c1);
}

/* Multiplication and squaring go to the Fp2 kernels of fp_mont.h (Karatsuba; the ADX
 * one fuses the products and reduces lazily). struct fp2 is the 12-limb layout they
 * take: c0 then c1. */
static inline void fp2_mul(fp2 *r, const fp2 *a, const fp2 *b)
{
	fp2_mul_mont((uint64_t *)r, (const uint64_t *)a, (const uint64_t *)b);
}

static inline void fp2_sqr(fp2 *r, const fp2 *a)
{
	fp2_sqr_mont((uint64_t *)r, (const uint64_t *)a);
}

/* (a0 + a1 u)(1 + u) = (a0 - a1) + (a0 + a1) u */
static inline void fp2_mul_xi(fp2 *r, const fp2 *a)
{
	fp t;
	fp_sub(&t, &a->c0, &a->c1);
	fp_add(&r->c1, &a->c0, &a->c1);
	r->c0 = t;
}

#endif
