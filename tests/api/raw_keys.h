/* Deterministic BLS keys for the end-to-end tests, and their Web3Signer file-raw key
 * configs (signer_proc.h sp_add_raw_key). Each test picks its own constants so that its
 * keys differ from other tests' (nothing shares a data directory, but a leaked key in
 * one test's output then names its test). */
#ifndef SS_TESTS_RAW_KEYS_H
#define SS_TESTS_RAW_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signer_proc.h"

typedef struct {
	size_t n;
	char (*sk_hex)[67]; /* 0x-prefixed secret */
	char (*pk_hex)[99]; /* 0x-prefixed public key */
	uint8_t (*pk)[48];
} raw_keys;

/* Makes n keys once (a second call with k->n set does nothing): byte j of key i's secret
 * is base + mul_j * j + mul_i * i (mod 256), byte 0 is first, and with more than 256
 * keys byte 1 is i >> 8 so that every key differs. */
void raw_keys_make(raw_keys *k, size_t n, uint8_t first, unsigned base, unsigned mul_j,
		   unsigned mul_i);

/* File-raw key configs <prefix>0 … <prefix>(n-1) for the first n keys. */
bool raw_keys_add(signer_proc *p, const raw_keys *k, size_t n, const char *prefix);

#endif
