/* Fp2 = Fp[u]/(u^2 + 1) multiplication and squaring for x86-64 CPUs with BMI2 and ADX
 * (fp_mont.h): each fuses the Fp products of one Fp2 operation so that sums stay
 * unreduced and, for the product, the three Karatsuba products share two Montgomery
 * reductions. Constant time, System V ABI; the building blocks and their bounds are
 * in fp_mont_x86_64.inc and fp_mont_x86_64.S. */

/* Same condition as SS_HAVE_ADX_KERNEL in fp_mont.h: elsewhere this file is empty. */
#if defined(__x86_64__) && defined(__ELF__) && !defined(SS_NO_ASM_KERNEL) && !defined(SS_GENERIC_C)

#include "fp_mont_x86_64.inc"

	.text

/* void fp2_mul_mont_adx(uint64_t r[12], const uint64_t a[12], const uint64_t b[12])
 * Fp2 = Fp[u]/(u^2 + 1), element c0 + c1 u as limbs c0[0..5], c1[0..5], Montgomery
 * form. Karatsuba with lazy reduction: three 768-bit products and two reductions
 * instead of three Montgomery multiplications (180 mulx instead of 216):
 *   T0 = a0 b0, T1 = a1 b1, T2 = (a0 + a1)(b0 + b1)      (sums unreduced, < 2p)
 *   c0 = REDC(T0 - T1 + (T0 < T1 ? p 2^384 : 0))         (in [0, p 2^384))
 *   c1 = REDC(T2 - T0 - T1) = REDC(a0 b1 + a1 b0)        (< 2 p^2 < p 2^384)
 * r may alias a or b: r is written after every product is taken.
 * Stack: T0 0, T1 96, T2 192, a0+a1 288, b0+b1 336, r 384. */
	.globl	fp2_mul_mont_adx
	.type	fp2_mul_mont_adx, @function
	.p2align 5
fp2_mul_mont_adx:
	_CET_ENDBR
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$392, %rsp
	movq	%rdi, 384(%rsp)
	movq	%rdx, %rcx

	/* a0 + a1 and b0 + b1: below 2p < 2^382, so no carry out and no reduction. */
	movq	0(%rsi), %r8
	movq	8(%rsi), %r9
	movq	16(%rsi), %r10
	movq	24(%rsi), %r11
	movq	32(%rsi), %r12
	movq	40(%rsi), %r13
	addq	48(%rsi), %r8
	adcq	56(%rsi), %r9
	adcq	64(%rsi), %r10
	adcq	72(%rsi), %r11
	adcq	80(%rsi), %r12
	adcq	88(%rsi), %r13
	movq	%r8, 288(%rsp)
	movq	%r9, 296(%rsp)
	movq	%r10, 304(%rsp)
	movq	%r11, 312(%rsp)
	movq	%r12, 320(%rsp)
	movq	%r13, 328(%rsp)
	movq	0(%rcx), %r8
	movq	8(%rcx), %r9
	movq	16(%rcx), %r10
	movq	24(%rcx), %r11
	movq	32(%rcx), %r12
	movq	40(%rcx), %r13
	addq	48(%rcx), %r8
	adcq	56(%rcx), %r9
	adcq	64(%rcx), %r10
	adcq	72(%rcx), %r11
	adcq	80(%rcx), %r12
	adcq	88(%rcx), %r13
	movq	%r8, 336(%rsp)
	movq	%r9, 344(%rsp)
	movq	%r10, 352(%rsp)
	movq	%r11, 360(%rsp)
	movq	%r12, 368(%rsp)
	movq	%r13, 376(%rsp)

	MUL_384x384 0			/* T0 = a0 b0 */
	addq	$48, %rsi
	addq	$48, %rcx
	MUL_384x384 96			/* T1 = a1 b1 */
	leaq	288(%rsp), %rsi
	leaq	336(%rsp), %rcx
	MUL_384x384 192			/* T2 = (a0 + a1)(b0 + b1) */

	SUB_768 192, 0			/* T2 -= T0 */
	SUB_768 192, 96			/* T2 -= T1: a0 b1 + a1 b0 >= 0 */
	SUB_768 0, 96			/* T0 -= T1, borrow in CF */

	/* If T0 - T1 borrowed, add p to its high half (+p 2^384, which REDC maps to +p). */
	sbbq	%rax, %rax		/* rax = -borrow */
	movq	.Lp+0(%rip), %rbx
	movq	.Lp+8(%rip), %rcx
	movq	.Lp+16(%rip), %rdx
	movq	.Lp+24(%rip), %rsi
	movq	.Lp+32(%rip), %rdi
	movq	.Lp+40(%rip), %rbp
	andq	%rax, %rbx
	andq	%rax, %rcx
	andq	%rax, %rdx
	andq	%rax, %rsi
	andq	%rax, %rdi
	andq	%rax, %rbp
	addq	%rbx, 48(%rsp)
	adcq	%rcx, 56(%rsp)
	adcq	%rdx, 64(%rsp)
	adcq	%rsi, 72(%rsp)
	adcq	%rdi, 80(%rsp)
	adcq	%rbp, 88(%rsp)

	movabsq	$0x89f3fffcfffcfffd, %r15
	movq	384(%rsp), %rdi
	REDC_768 0			/* c0 */
	movq	384(%rsp), %rdi
	addq	$48, %rdi
	REDC_768 192			/* c1 */

	addq	$392, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
	.size	fp2_mul_mont_adx, .-fp2_mul_mont_adx

/* void fp2_sqr_mont_adx(uint64_t r[12], const uint64_t a[12])
 * (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u, with the sums left unreduced:
 *   s = a0 + a1 < 2p,  d = a0 + p - a1 in (0, 2p),  t = 2 a0 < 2p
 *   c0 = MONT_MUL(s, d), c1 = MONT_MUL(t, a1)   (MONT_MUL accepts inputs below 2p)
 * a1 is copied first, so r may alias a.
 * Stack: s 0, d 48, t 96, a1 144, r 192. */
	.globl	fp2_sqr_mont_adx
	.type	fp2_sqr_mont_adx, @function
	.p2align 5
fp2_sqr_mont_adx:
	_CET_ENDBR
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$200, %rsp
	movq	%rdi, 192(%rsp)

	movq	0(%rsi), %r8
	movq	8(%rsi), %r9
	movq	16(%rsi), %r10
	movq	24(%rsi), %r11
	movq	32(%rsi), %r12
	movq	40(%rsi), %r13

	/* s = a0 + a1 */
	movq	%r8, %rax
	movq	%r9, %rbx
	movq	%r10, %rcx
	movq	%r11, %rdx
	movq	%r12, %r14
	movq	%r13, %r15
	addq	48(%rsi), %rax
	adcq	56(%rsi), %rbx
	adcq	64(%rsi), %rcx
	adcq	72(%rsi), %rdx
	adcq	80(%rsi), %r14
	adcq	88(%rsi), %r15
	movq	%rax, 0(%rsp)
	movq	%rbx, 8(%rsp)
	movq	%rcx, 16(%rsp)
	movq	%rdx, 24(%rsp)
	movq	%r14, 32(%rsp)
	movq	%r15, 40(%rsp)

	/* t = 2 a0 */
	movq	%r8, %rax
	movq	%r9, %rbx
	movq	%r10, %rcx
	movq	%r11, %rdx
	movq	%r12, %r14
	movq	%r13, %r15
	addq	%rax, %rax
	adcq	%rbx, %rbx
	adcq	%rcx, %rcx
	adcq	%rdx, %rdx
	adcq	%r14, %r14
	adcq	%r15, %r15
	movq	%rax, 96(%rsp)
	movq	%rbx, 104(%rsp)
	movq	%rcx, 112(%rsp)
	movq	%rdx, 120(%rsp)
	movq	%r14, 128(%rsp)
	movq	%r15, 136(%rsp)

	/* d = (a0 + p) - a1: a0 + p < 2^382 and a1 < p, so no carry and no borrow. */
	addq	.Lp+0(%rip), %r8
	adcq	.Lp+8(%rip), %r9
	adcq	.Lp+16(%rip), %r10
	adcq	.Lp+24(%rip), %r11
	adcq	.Lp+32(%rip), %r12
	adcq	.Lp+40(%rip), %r13
	subq	48(%rsi), %r8
	sbbq	56(%rsi), %r9
	sbbq	64(%rsi), %r10
	sbbq	72(%rsi), %r11
	sbbq	80(%rsi), %r12
	sbbq	88(%rsi), %r13
	movq	%r8, 48(%rsp)
	movq	%r9, 56(%rsp)
	movq	%r10, 64(%rsp)
	movq	%r11, 72(%rsp)
	movq	%r12, 80(%rsp)
	movq	%r13, 88(%rsp)

	/* a copy of a1 */
	movq	48(%rsi), %rax
	movq	56(%rsi), %rbx
	movq	64(%rsi), %rcx
	movq	72(%rsi), %rdx
	movq	80(%rsi), %r14
	movq	88(%rsi), %r15
	movq	%rax, 144(%rsp)
	movq	%rbx, 152(%rsp)
	movq	%rcx, 160(%rsp)
	movq	%rdx, 168(%rsp)
	movq	%r14, 176(%rsp)
	movq	%r15, 184(%rsp)

	movabsq	$0x89f3fffcfffcfffd, %r15
	leaq	0(%rsp), %rsi
	leaq	48(%rsp), %rcx
	MONT_MUL			/* c0 = s d */
	movq	192(%rsp), %rdi
	addq	$48, %rdi
	leaq	96(%rsp), %rsi
	leaq	144(%rsp), %rcx
	MONT_MUL			/* c1 = 2 a0 a1 */

	addq	$200, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	ret
	.size	fp2_sqr_mont_adx, .-fp2_sqr_mont_adx


#endif /* x86-64 ELF */

#if defined(__ELF__)
	.section .note.GNU-stack, "", @progbits
#endif
