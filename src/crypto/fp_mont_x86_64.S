/* Montgomery multiplication and squaring in BLS12-381's Fp for x86-64 CPUs with BMI2
 * and ADX (fp_mont.h): r = a*b/2^384 mod p and r = a^2/2^384 mod p, inputs and outputs
 * fully reduced, 6 little-endian 64-bit limbs, System V ABI. Constant time: the
 * instruction sequence and the memory addresses touched do not depend on the values.
 *
 * Why ADX: mulx multiplies without touching the flags, and adcx/adox add with two
 * independent carry flags (CF and OF), so the low and high halves of one row of partial
 * products are accumulated by two interleaved carry chains instead of being serialised
 * through CF (Gueron, Krasnov, "New Instructions Supporting Large Integer Arithmetic on
 * Intel Architecture Processors", Intel white paper 327831, 2012).
 *
 * Bounds relied on by these kernels and the macros of fp_mont_x86_64.inc, with
 * p < 2^381 (top limb < 2^61) and a, b < p:
 *  - In CIOS (Koc, Acar, Kaliski 1996) the running value t stays < 2p < 2^382 between
 *    rounds, and t + a*b[i] + m*p < 2p + 2^65 p < 2^448: seven limbs never overflow, so
 *    the carry into the 7th limb needs no 8th limb.
 *  - When m = t[0] * (-p^-1) mod 2^64, the low word of t[0] + lo(m*p[0]) is exactly 0;
 *    the register that held t[0] is therefore zero afterwards and serves as the fresh
 *    top limb of the next round (the rounds rotate register names instead of moving).
 *  - The result is < 2p, so one conditional subtraction (by cmov) reduces it fully. */

/* Same condition as SS_HAVE_ADX_KERNEL in fp_mont.h: elsewhere this file is empty. */
#if defined(__x86_64__) && defined(__ELF__) && !defined(SS_NO_ASM_KERNEL) && !defined(SS_GENERIC_C)

#include "fp_mont_x86_64.inc"

	.text

/* void fp_mul_mont_adx(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
 * rdi = r, rsi = a, rcx = b. r may alias a or b: r is written only at the end. */
	.globl	fp_mul_mont_adx
	.type	fp_mul_mont_adx, @function
	.p2align 5
fp_mul_mont_adx:
	_CET_ENDBR
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rdx, %rcx
	movabsq	$0x89f3fffcfffcfffd, %r15

	MONT_MUL

	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	ret
	.size	fp_mul_mont_adx, .-fp_mul_mont_adx

/* void fp_sqr_mont_adx(uint64_t r[6], const uint64_t a[6])
 * Squaring computes each cross product a[i]*a[j] (i < j) once and doubles the sum
 * (15 + 6 multiplications for the 768-bit square instead of 36), then reduces the low
 * half with six Montgomery steps and adds the high half:
 *   REDC(T) = (T_lo + M*p) / 2^384 + T_hi,  with (T_lo + M*p) / 2^384 <= p and
 *   T_hi < p^2 / 2^384 < p, so the sum is < 2p and one subtraction reduces it.
 * Stack: 0..47 T_hi, 48 the saved r pointer. */
	.globl	fp_sqr_mont_adx
	.type	fp_sqr_mont_adx, @function
	.p2align 5
fp_sqr_mont_adx:
	_CET_ENDBR
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$56, %rsp
	movq	%rdi, 48(%rsp)

	/* Cross products into limbs 1..10 = r8 r9 r10 r11 r12 r13 r14 r15 rcx rbp.
	 * Row 0: a0 * a[1..5] at limbs 1..6 (one chain: the limbs start empty). */
	movq	0(%rsi), %rdx
	mulxq	8(%rsi), %r8, %r9
	mulxq	16(%rsi), %rax, %r10
	addq	%rax, %r9
	mulxq	24(%rsi), %rax, %r11
	adcq	%rax, %r10
	mulxq	32(%rsi), %rax, %r12
	adcq	%rax, %r11
	mulxq	40(%rsi), %rax, %r13
	adcq	%rax, %r12
	adcq	$0, %r13

	/* Row 1: a1 * a[2..5] at limbs 3..7; xor zeroes limb 7 and both flags. */
	movq	8(%rsi), %rdx
	xorl	%r14d, %r14d
	mulxq	16(%rsi), %rax, %rbx
	adcxq	%rax, %r10
	adoxq	%rbx, %r11
	mulxq	24(%rsi), %rax, %rbx
	adcxq	%rax, %r11
	adoxq	%rbx, %r12
	mulxq	32(%rsi), %rax, %rbx
	adcxq	%rax, %r12
	adoxq	%rbx, %r13
	mulxq	40(%rsi), %rax, %rbx
	adcxq	%rax, %r13
	adoxq	%rbx, %r14
	adcq	$0, %r14

	/* Row 2: a2 * a[3..5] at limbs 5..8. */
	movq	16(%rsi), %rdx
	xorl	%r15d, %r15d
	mulxq	24(%rsi), %rax, %rbx
	adcxq	%rax, %r12
	adoxq	%rbx, %r13
	mulxq	32(%rsi), %rax, %rbx
	adcxq	%rax, %r13
	adoxq	%rbx, %r14
	mulxq	40(%rsi), %rax, %rbx
	adcxq	%rax, %r14
	adoxq	%rbx, %r15
	adcq	$0, %r15

	/* Row 3: a3 * a[4..5] at limbs 7..9. */
	movq	24(%rsi), %rdx
	xorl	%ecx, %ecx
	mulxq	32(%rsi), %rax, %rbx
	adcxq	%rax, %r14
	adoxq	%rbx, %r15
	mulxq	40(%rsi), %rax, %rbx
	adcxq	%rax, %r15
	adoxq	%rbx, %rcx
	adcq	$0, %rcx

	/* Row 4: a4 * a5 at limbs 9..10. */
	movq	32(%rsi), %rdx
	mulxq	40(%rsi), %rax, %rbp
	addq	%rax, %rcx
	adcq	$0, %rbp

	/* T = 2 * cross + sum a[i]^2 * 2^(128 i): CF carries the doubling (adcx x, x),
	 * OF carries the squares (adox). T0 goes to rdi, T11 to rbx. */
	xorl	%edi, %edi
	movq	0(%rsi), %rdx
	mulxq	%rdx, %rdi, %rax
	adcxq	%r8, %r8
	adoxq	%rax, %r8
	movq	8(%rsi), %rdx
	mulxq	%rdx, %rax, %rbx
	adcxq	%r9, %r9
	adoxq	%rax, %r9
	adcxq	%r10, %r10
	adoxq	%rbx, %r10
	movq	16(%rsi), %rdx
	mulxq	%rdx, %rax, %rbx
	adcxq	%r11, %r11
	adoxq	%rax, %r11
	adcxq	%r12, %r12
	adoxq	%rbx, %r12
	movq	24(%rsi), %rdx
	mulxq	%rdx, %rax, %rbx
	adcxq	%r13, %r13
	adoxq	%rax, %r13
	adcxq	%r14, %r14
	adoxq	%rbx, %r14
	movq	32(%rsi), %rdx
	mulxq	%rdx, %rax, %rbx
	adcxq	%r15, %r15
	adoxq	%rax, %r15
	adcxq	%rcx, %rcx
	adoxq	%rbx, %rcx
	movq	40(%rsi), %rdx
	mulxq	%rdx, %rax, %rbx
	adcxq	%rbp, %rbp
	adoxq	%rax, %rbp
	movl	$0, %edx		/* mov leaves the flags alone, unlike xor */
	adcxq	%rdx, %rbx
	adoxq	%rdx, %rbx

	/* T_hi = r13 r14 r15 rcx rbp rbx to the stack; T_lo = rdi r8 r9 r10 r11 r12. */
	movq	%r13, 0(%rsp)
	movq	%r14, 8(%rsp)
	movq	%r15, 16(%rsp)
	movq	%rcx, 24(%rsp)
	movq	%rbp, 32(%rsp)
	movq	%rbx, 40(%rsp)
	xorl	%r13d, %r13d
	movabsq	$0x89f3fffcfffcfffd, %r15

	REDUCE_ROW %rdi, %r8, %r9, %r10, %r11, %r12, %r13
	REDUCE_ROW %r8, %r9, %r10, %r11, %r12, %r13, %rdi
	REDUCE_ROW %r9, %r10, %r11, %r12, %r13, %rdi, %r8
	REDUCE_ROW %r10, %r11, %r12, %r13, %rdi, %r8, %r9
	REDUCE_ROW %r11, %r12, %r13, %rdi, %r8, %r9, %r10
	REDUCE_ROW %r12, %r13, %rdi, %r8, %r9, %r10, %r11

	/* u = r13 rdi r8 r9 r10 r11 (<= p); u += T_hi (< 2p, no carry out). */
	addq	0(%rsp), %r13
	adcq	8(%rsp), %rdi
	adcq	16(%rsp), %r8
	adcq	24(%rsp), %r9
	adcq	32(%rsp), %r10
	adcq	40(%rsp), %r11

	movq	%rdi, %r14		/* free rdi for the output pointer */
	movq	48(%rsp), %rdi
	FINAL_SUB_STORE %r13, %r14, %r8, %r9, %r10, %r11, %r12

	addq	$56, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
	.size	fp_sqr_mont_adx, .-fp_sqr_mont_adx


/* void fp_mul_wide_adx(uint64_t r[12], const uint64_t a[6], const uint64_t b[6])
 * The 768-bit product a * b, for lazy reduction (sum several products, reduce once with
 * fp_redc_adx). r must not overlap a or b. */
	.globl	fp_mul_wide_adx
	.type	fp_mul_wide_adx, @function
	.p2align 5
fp_mul_wide_adx:
	_CET_ENDBR
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	movq	%rdx, %rcx
	MUL_384x384 0, %rdi
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	ret
	.size	fp_mul_wide_adx, .-fp_mul_wide_adx

/* void fp_redc_adx(uint64_t r[6], const uint64_t t[12])
 * r = t / 2^384 mod p, fully reduced, for any t < p * 2^384. r may alias t. */
	.globl	fp_redc_adx
	.type	fp_redc_adx, @function
	.p2align 5
fp_redc_adx:
	_CET_ENDBR
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movabsq	$0x89f3fffcfffcfffd, %r15
	REDC_768 0, %rsi
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	ret
	.size	fp_redc_adx, .-fp_redc_adx

#endif /* x86-64 ELF */

#if defined(__ELF__)
	.section .note.GNU-stack, "", @progbits
#endif
