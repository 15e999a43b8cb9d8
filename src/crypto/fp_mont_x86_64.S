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
 * Bounds used below, with p < 2^381 (top limb < 2^61) and a, b < p:
 *  - In CIOS (Koc, Acar, Kaliski 1996) the running value t stays < 2p < 2^382 between
 *    rounds, and t + a*b[i] + m*p < 2p + 2^65 p < 2^448: seven limbs never overflow, so
 *    the carry into the 7th limb needs no 8th limb.
 *  - When m = t[0] * (-p^-1) mod 2^64, the low word of t[0] + lo(m*p[0]) is exactly 0;
 *    the register that held t[0] is therefore zero afterwards and serves as the fresh
 *    top limb of the next round (the rounds rotate register names instead of moving).
 *  - The result is < 2p, so one conditional subtraction (by cmov) reduces it fully. */

/* Same condition as SS_HAVE_ADX_KERNEL in fp_mont.h: elsewhere this file is empty. */
#if defined(__x86_64__) && defined(__ELF__) && !defined(SS_NO_ASM_KERNEL)

#if defined(__CET__)
#include <cet.h>
#else
#define _CET_ENDBR
#endif

	.section .rodata
	.p2align 5
.Lp:
	.quad 0xb9feffffffffaaab, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624
	.quad 0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a

	.text

/* t0..t6 += rdx * a[0..5] where t6 == 0 on entry. Low halves ride CF (adcx), high
 * halves ride OF (adox). OF is 0 after the last adox because t6 was 0 and a high half
 * is at most 2^64-2; the pending CF goes into t6 with adc. Clobbers rax, rbx. */
.macro MULADD_ROW t0, t1, t2, t3, t4, t5, t6
	xorl	%eax, %eax
	mulxq	0(%rsi), %rax, %rbx
	adcxq	%rax, \t0
	adoxq	%rbx, \t1
	mulxq	8(%rsi), %rax, %rbx
	adcxq	%rax, \t1
	adoxq	%rbx, \t2
	mulxq	16(%rsi), %rax, %rbx
	adcxq	%rax, \t2
	adoxq	%rbx, \t3
	mulxq	24(%rsi), %rax, %rbx
	adcxq	%rax, \t3
	adoxq	%rbx, \t4
	mulxq	32(%rsi), %rax, %rbx
	adcxq	%rax, \t4
	adoxq	%rbx, \t5
	mulxq	40(%rsi), %rax, %rbx
	adcxq	%rax, \t5
	adoxq	%rbx, \t6
	adcq	$0, \t6
.endm

/* One Montgomery reduction step: m = t0 * n0 mod 2^64 (n0 = -p^-1 in r15), then
 * t0..t6 += m * p. Afterwards t0 == 0 and t1..t6 hold (t + m*p) / 2^64; the 448-bit
 * bound above rules out a carry out of t6. Clobbers rax, rbx, rdx. */
.macro REDUCE_ROW t0, t1, t2, t3, t4, t5, t6
	movq	\t0, %rdx
	imulq	%r15, %rdx
	xorl	%eax, %eax
	mulxq	.Lp+0(%rip), %rax, %rbx
	adcxq	%rax, \t0
	adoxq	%rbx, \t1
	mulxq	.Lp+8(%rip), %rax, %rbx
	adcxq	%rax, \t1
	adoxq	%rbx, \t2
	mulxq	.Lp+16(%rip), %rax, %rbx
	adcxq	%rax, \t2
	adoxq	%rbx, \t3
	mulxq	.Lp+24(%rip), %rax, %rbx
	adcxq	%rax, \t3
	adoxq	%rbx, \t4
	mulxq	.Lp+32(%rip), %rax, %rbx
	adcxq	%rax, \t4
	adoxq	%rbx, \t5
	mulxq	.Lp+40(%rip), %rax, %rbx
	adcxq	%rax, \t5
	adoxq	%rbx, \t6
	adcq	$0, \t6
.endm

/* Stores x0..x5 - p to (%rdi) if that does not borrow, else x0..x5 (x < 2p).
 * The difference is formed in rax, rbx, rcx, rdx, rsi, \s5; cmovc keeps x on borrow. */
.macro FINAL_SUB_STORE x0, x1, x2, x3, x4, x5, s5
	movq	\x0, %rax
	movq	\x1, %rbx
	movq	\x2, %rcx
	movq	\x3, %rdx
	movq	\x4, %rsi
	movq	\x5, \s5
	subq	.Lp+0(%rip), %rax
	sbbq	.Lp+8(%rip), %rbx
	sbbq	.Lp+16(%rip), %rcx
	sbbq	.Lp+24(%rip), %rdx
	sbbq	.Lp+32(%rip), %rsi
	sbbq	.Lp+40(%rip), \s5
	cmovcq	\x0, %rax
	cmovcq	\x1, %rbx
	cmovcq	\x2, %rcx
	cmovcq	\x3, %rdx
	cmovcq	\x4, %rsi
	cmovcq	\x5, \s5
	movq	%rax, 0(%rdi)
	movq	%rbx, 8(%rdi)
	movq	%rcx, 16(%rdi)
	movq	%rdx, 24(%rdi)
	movq	%rsi, 32(%rdi)
	movq	\s5, 40(%rdi)
.endm

/* (%rdi) = (%rsi) * (%rcx) / 2^384 mod p, CIOS: six rounds of multiply-row then
 * reduce-row. r15 must hold n0. Valid for inputs below 2p, not only p: the running
 * value stays below a + p < 3p < 2^383, and the result a*b/2^384 + p < 4p^2/2^384 + p
 * < 1.5p (p < 2^381) still needs a single subtraction. fp2_sqr_mont_adx relies on
 * this. Clobbers rax, rbx, rcx, rdx, rsi, r8-r14. */
.macro MONT_MUL
	/* Round 0: t = a * b[0], a single carry chain since t starts at 0. */
	movq	0(%rcx), %rdx
	mulxq	0(%rsi), %r8, %r9
	mulxq	8(%rsi), %rax, %r10
	addq	%rax, %r9
	mulxq	16(%rsi), %rax, %r11
	adcq	%rax, %r10
	mulxq	24(%rsi), %rax, %r12
	adcq	%rax, %r11
	mulxq	32(%rsi), %rax, %r13
	adcq	%rax, %r12
	mulxq	40(%rsi), %rax, %r14
	adcq	%rax, %r13
	adcq	$0, %r14
	REDUCE_ROW %r8, %r9, %r10, %r11, %r12, %r13, %r14

	/* Rounds 1..5; the zeroed register of the previous reduction is the new top. */
	movq	8(%rcx), %rdx
	MULADD_ROW %r9, %r10, %r11, %r12, %r13, %r14, %r8
	REDUCE_ROW %r9, %r10, %r11, %r12, %r13, %r14, %r8
	movq	16(%rcx), %rdx
	MULADD_ROW %r10, %r11, %r12, %r13, %r14, %r8, %r9
	REDUCE_ROW %r10, %r11, %r12, %r13, %r14, %r8, %r9
	movq	24(%rcx), %rdx
	MULADD_ROW %r11, %r12, %r13, %r14, %r8, %r9, %r10
	REDUCE_ROW %r11, %r12, %r13, %r14, %r8, %r9, %r10
	movq	32(%rcx), %rdx
	MULADD_ROW %r12, %r13, %r14, %r8, %r9, %r10, %r11
	REDUCE_ROW %r12, %r13, %r14, %r8, %r9, %r10, %r11
	movq	40(%rcx), %rdx
	MULADD_ROW %r13, %r14, %r8, %r9, %r10, %r11, %r12
	REDUCE_ROW %r13, %r14, %r8, %r9, %r10, %r11, %r12

	/* t = r14, r8..r12 (< 2p); r13 is free. */
	FINAL_SUB_STORE %r14, %r8, %r9, %r10, %r11, %r12, %r13
.endm

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

/* A 768-bit product of two 6-limb values: dst(%rsp) = a * b, a at (%rsi), b at (%rcx),
 * 12 limbs. Row i adds a * b[i] into seven rotating registers; the lowest is final
 * after the row, goes to memory, and its register (zeroed) becomes the next top limb.
 * Inputs up to 2^384 - 1 are fine. Clobbers rax, rbx, rdx, r8-r14. */
.macro MUL_384x384 dst
	movq	0(%rcx), %rdx
	mulxq	0(%rsi), %r8, %r9
	mulxq	8(%rsi), %rax, %r10
	addq	%rax, %r9
	mulxq	16(%rsi), %rax, %r11
	adcq	%rax, %r10
	mulxq	24(%rsi), %rax, %r12
	adcq	%rax, %r11
	mulxq	32(%rsi), %rax, %r13
	adcq	%rax, %r12
	mulxq	40(%rsi), %rax, %r14
	adcq	%rax, %r13
	adcq	$0, %r14
	movq	%r8, \dst+0(%rsp)
	xorl	%r8d, %r8d
	movq	8(%rcx), %rdx
	MULADD_ROW %r9, %r10, %r11, %r12, %r13, %r14, %r8
	movq	%r9, \dst+8(%rsp)
	xorl	%r9d, %r9d
	movq	16(%rcx), %rdx
	MULADD_ROW %r10, %r11, %r12, %r13, %r14, %r8, %r9
	movq	%r10, \dst+16(%rsp)
	xorl	%r10d, %r10d
	movq	24(%rcx), %rdx
	MULADD_ROW %r11, %r12, %r13, %r14, %r8, %r9, %r10
	movq	%r11, \dst+24(%rsp)
	xorl	%r11d, %r11d
	movq	32(%rcx), %rdx
	MULADD_ROW %r12, %r13, %r14, %r8, %r9, %r10, %r11
	movq	%r12, \dst+32(%rsp)
	xorl	%r12d, %r12d
	movq	40(%rcx), %rdx
	MULADD_ROW %r13, %r14, %r8, %r9, %r10, %r11, %r12
	movq	%r13, \dst+40(%rsp)
	movq	%r14, \dst+48(%rsp)
	movq	%r8, \dst+56(%rsp)
	movq	%r9, \dst+64(%rsp)
	movq	%r10, \dst+72(%rsp)
	movq	%r11, \dst+80(%rsp)
	movq	%r12, \dst+88(%rsp)
.endm

/* Montgomery reduction of a 12-limb T < p * 2^384 at src(%rsp), stored fully reduced
 * at (%rdi): REDC(T) = (T_lo + M p) / 2^384 + T_hi < (1 + p) + p, then one conditional
 * subtraction. r15 must hold n0. Clobbers everything but rdi, rsp, r15. */
.macro REDC_768 src
	movq	\src+0(%rsp), %r8
	movq	\src+8(%rsp), %r9
	movq	\src+16(%rsp), %r10
	movq	\src+24(%rsp), %r11
	movq	\src+32(%rsp), %r12
	movq	\src+40(%rsp), %r13
	xorl	%r14d, %r14d
	REDUCE_ROW %r8, %r9, %r10, %r11, %r12, %r13, %r14
	REDUCE_ROW %r9, %r10, %r11, %r12, %r13, %r14, %r8
	REDUCE_ROW %r10, %r11, %r12, %r13, %r14, %r8, %r9
	REDUCE_ROW %r11, %r12, %r13, %r14, %r8, %r9, %r10
	REDUCE_ROW %r12, %r13, %r14, %r8, %r9, %r10, %r11
	REDUCE_ROW %r13, %r14, %r8, %r9, %r10, %r11, %r12
	addq	\src+48(%rsp), %r14
	adcq	\src+56(%rsp), %r8
	adcq	\src+64(%rsp), %r9
	adcq	\src+72(%rsp), %r10
	adcq	\src+80(%rsp), %r11
	adcq	\src+88(%rsp), %r12
	FINAL_SUB_STORE %r14, %r8, %r9, %r10, %r11, %r12, %r13
.endm

/* dst(%rsp) -= src(%rsp), 12 limbs; the borrow is left in CF. Clobbers rax. */
.macro SUB_768 dst, src
	movq	\dst+0(%rsp), %rax
	subq	\src+0(%rsp), %rax
	movq	%rax, \dst+0(%rsp)
	.irp i, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88
	movq	\dst+\i(%rsp), %rax
	sbbq	\src+\i(%rsp), %rax
	movq	%rax, \dst+\i(%rsp)
	.endr
.endm

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
