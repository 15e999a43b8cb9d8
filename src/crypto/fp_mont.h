/* Montgomery multiplication and squaring in the BLS12-381 base field: the kernel that
 * dominates pairing, hash-to-curve and scalar-multiplication time.
 *
 * Representation: 6 little-endian 64-bit limbs, Montgomery form with R = 2^384, inputs
 * and outputs fully reduced in [0, p). Constant time.
 *
 * Two backends compute the same function: portable C (unsigned __int128, and the
 * add-with-carry intrinsics on x86-64, which need no CPU extension) and, on
 * x86-64 CPUs with BMI2 and ADX, an assembly kernel using mulx/adcx/adox. fp_mont_init()
 * picks one from CPUID; SECURE_SIGNER_NO_ASM=1 in the environment forces the portable
 * path (CI runs the BLS tests both ways). */
#ifndef SS_CRYPTO_FP_MONT_H
#define SS_CRYPTO_FP_MONT_H

#include <stdbool.h>
#include <stdint.h>

/* p, little-endian limbs */
extern const uint64_t FP_P[6];
/* -p^-1 mod 2^64 */
#define FP_N0 0x89f3fffcfffcfffdull

void fp_mul_mont_portable(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]);
void fp_sqr_mont_portable(uint64_t r[6], const uint64_t a[6]);

/* The assembly backend, in fp_mont_x86_64.S and fp2_mont_x86_64.S, which assemble to
 * nothing except on x86-64 ELF targets. -DSS_NO_ASM_KERNEL leaves it out entirely. */
#if defined(__x86_64__) && defined(__ELF__) && !defined(SS_NO_ASM_KERNEL) && !defined(SS_GENERIC_C)
#define SS_HAVE_ADX_KERNEL 1
#endif
void fp_mul_mont_adx(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]);
void fp_sqr_mont_adx(uint64_t r[6], const uint64_t a[6]);

/* Lazy reduction (as for Fp6/Fp12 sums of products): fp_mul_wide gives the exact
 * 768-bit product (12 limbs) of any two 6-limb values, r not overlapping a or b;
 * fp_redc maps any t < p * 2^384 to t / 2^384 mod p, fully reduced (r may alias t).
 * So REDC(a0*b0 + a1*b1) = a0*b0/R + a1*b1/R for a, b < p (the sum is < 2p^2 < pR)
 * costs one reduction instead of two. Wide sums and differences are the caller's
 * (12-limb add/sub chains; add p * 2^384 to keep a difference non-negative). */
void fp_mul_wide_portable(uint64_t r[12], const uint64_t a[6], const uint64_t b[6]);
void fp_mul_wide_adx(uint64_t r[12], const uint64_t a[6], const uint64_t b[6]);
void fp_redc_portable(uint64_t r[6], const uint64_t t[12]);
void fp_redc_adx(uint64_t r[6], const uint64_t t[12]);

/* Fp2 = Fp[u] / (u^2 + 1) multiplication: r = a * b where each operand is c0 + c1 u laid
 * out as 12 limbs (c0 then c1, both Montgomery form, fully reduced): the layout of
 * struct fp2 in bls_internal.h (pass the struct's address, e.g. (uint64_t *)r: plain
 * pointers, because &r->c0.l would tell the compiler the region is 6 limbs). Outputs
 * may alias inputs. The ADX kernel fuses the Karatsuba products and reduces lazily
 * (two Montgomery reductions instead of three multiplications); the portable one is
 * Karatsuba over fp_mul_mont_portable. */
void fp2_mul_mont_portable(uint64_t *r, const uint64_t *a, const uint64_t *b);
void fp2_mul_mont_adx(uint64_t *r, const uint64_t *a, const uint64_t *b);
/* Fp2 squaring, same layout: (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u. */
void fp2_sqr_mont_portable(uint64_t *r, const uint64_t *a);
void fp2_sqr_mont_adx(uint64_t *r, const uint64_t *a);

/* True when the CPU has BMI2 and ADX (CPUID), whatever the backend in use. */
bool fp_mont_cpu_has_adx(void);

/* Chooses the backend once; safe to call many times. Called by bls_init(). */
void fp_mont_init(void);
/* True when the assembly backend is in use. */
bool fp_mont_using_asm(void);

/* The backend flag read on every call: a perfectly predicted branch is cheaper than an
 * indirect call in the innermost loop. */
extern bool fp_mont_asm;

static inline void fp_mul_mont(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
#if defined(__x86_64__) && defined(SS_HAVE_ADX_KERNEL)
	if (fp_mont_asm) {
		fp_mul_mont_adx(r, a, b);
		return;
	}
#endif
	fp_mul_mont_portable(r, a, b);
}

static inline void fp_sqr_mont(uint64_t r[6], const uint64_t a[6])
{
#if defined(__x86_64__) && defined(SS_HAVE_ADX_KERNEL)
	if (fp_mont_asm) {
		fp_sqr_mont_adx(r, a);
		return;
	}
#endif
	fp_sqr_mont_portable(r, a);
}

static inline void fp2_mul_mont(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
#if defined(__x86_64__) && defined(SS_HAVE_ADX_KERNEL)
	if (fp_mont_asm) {
		fp2_mul_mont_adx(r, a, b);
		return;
	}
#endif
	fp2_mul_mont_portable(r, a, b);
}

static inline void fp2_sqr_mont(uint64_t *r, const uint64_t *a)
{
#if defined(__x86_64__) && defined(SS_HAVE_ADX_KERNEL)
	if (fp_mont_asm) {
		fp2_sqr_mont_adx(r, a);
		return;
	}
#endif
	fp2_sqr_mont_portable(r, a);
}

static inline void fp_mul_wide(uint64_t r[12], const uint64_t a[6], const uint64_t b[6])
{
#if defined(__x86_64__) && defined(SS_HAVE_ADX_KERNEL)
	if (fp_mont_asm) {
		fp_mul_wide_adx(r, a, b);
		return;
	}
#endif
	fp_mul_wide_portable(r, a, b);
}

static inline void fp_redc(uint64_t r[6], const uint64_t t[12])
{
#if defined(__x86_64__) && defined(SS_HAVE_ADX_KERNEL)
	if (fp_mont_asm) {
		fp_redc_adx(r, t);
		return;
	}
#endif
	fp_redc_portable(r, t);
}

#endif
