/* Keccak-256 (The Keccak reference, version 3.0, §1.2 and §5.1; FIPS 202 §3 for the
 * step mappings): the sponge over Keccak-f[1600] with rate 1088 bits (136 bytes) and
 * the multi-rate padding pad10*1 whose first byte is 0x01 (SHA3-256 differs only in
 * that byte, 0x06, FIPS 202 §B.2). Lanes are little-endian 64-bit words, A[x + 5y]. */
#include <string.h>

#include "crypto/keccak.h"

#define KECCAK_ROUNDS 24
#define KECCAK256_RATE 136

/* FIPS 202 §3.2.5: the round constants RC[ir] of ι. */
static const uint64_t round_constants[KECCAK_ROUNDS] = {
	0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull,
	0x8000000080008000ull, 0x000000000000808bull, 0x0000000080000001ull,
	0x8000000080008081ull, 0x8000000000008009ull, 0x000000000000008aull,
	0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
	0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull,
	0x8000000000008003ull, 0x8000000000008002ull, 0x8000000000000080ull,
	0x000000000000800aull, 0x800000008000000aull, 0x8000000080008081ull,
	0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

/* FIPS 202 §3.2.2: the ρ offsets, indexed by lane x + 5y. */
static const unsigned rho_offsets[25] = {
	0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static uint64_t rotl64(uint64_t v, unsigned n)
{
	return n ? (v << n) | (v >> (64 - n)) : v;
}

/* Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι (FIPS 202 §3.3). */
static void keccak_f1600(uint64_t a[25])
{
	for (unsigned round = 0; round < KECCAK_ROUNDS; round++) {
		/* θ: C[x] = A[x,0] ^ ... ^ A[x,4]; D[x] = C[x-1] ^ rot(C[x+1], 1) */
		uint64_t c[5], d[5];
		for (unsigned x = 0; x < 5; x++)
			c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
		for (unsigned x = 0; x < 5; x++)
			d[x] = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
		for (unsigned i = 0; i < 25; i++)
			a[i] ^= d[i % 5];
		/* ρ and π: B[y, 2x+3y] = rot(A[x,y], r[x,y]) */
		uint64_t b[25];
		for (unsigned x = 0; x < 5; x++)
			for (unsigned y = 0; y < 5; y++)
				b[y + 5 * ((2 * x + 3 * y) % 5)] =
					rotl64(a[x + 5 * y], rho_offsets[x + 5 * y]);
		/* χ: A[x,y] = B[x,y] ^ (~B[x+1,y] & B[x+2,y]) */
		for (unsigned y = 0; y < 5; y++)
			for (unsigned x = 0; x < 5; x++)
				a[x + 5 * y] = b[x + 5 * y] ^
					       (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
		/* ι */
		a[0] ^= round_constants[round];
	}
}

static uint64_t load64_le(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void absorb_block(uint64_t a[25], const uint8_t block[KECCAK256_RATE])
{
	for (unsigned i = 0; i < KECCAK256_RATE / 8; i++)
		a[i] ^= load64_le(block + 8 * i);
	keccak_f1600(a);
}

void keccak256(uint8_t out[KECCAK256_DIGEST_BYTES], const void *data, size_t len)
{
	uint64_t a[25] = { 0 };
	const uint8_t *p = data;
	while (len >= KECCAK256_RATE) {
		absorb_block(a, p);
		p += KECCAK256_RATE;
		len -= KECCAK256_RATE;
	}
	/* pad10*1 with Keccak's domain byte: 0x01 after the message, 0x80 in the last
	 * byte of the block (the two meet as 0x81 when one byte is left). */
	uint8_t last[KECCAK256_RATE] = { 0 };
	if (len)
		memcpy(last, p, len);
	last[len] ^= 0x01;
	last[KECCAK256_RATE - 1] ^= 0x80;
	absorb_block(a, last);
	for (unsigned i = 0; i < KECCAK256_DIGEST_BYTES; i++)
		out[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

void keccak_eth_address(uint8_t out[20], const uint8_t pub65[65])
{
	uint8_t h[KECCAK256_DIGEST_BYTES];
	keccak256(h, pub65 + 1, 64);
	memcpy(out, h + 12, 20);
}
