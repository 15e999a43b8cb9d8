/* Base64 (RFC 4648 §4: the standard alphabet, with '=' padding), the one codec of the
 * tree: the Web3Signer sign-extension payload, the quote of a keygen evidence object,
 * the keys of a Prysm wallet. Constant time in the bytes' and digits' values, so the
 * same functions serve public data and private keys. (Commit-Boost JWTs use base64url
 * without padding, RFC 7515 §2, a different alphabet: api/cb_jwt.c.) */
#ifndef SS_UTIL_BASE64_H
#define SS_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* The length of the base64 of n bytes, padding included, NUL not included. */
#define BASE64_ENCODED_LEN(n) (4 * (((n) + 2) / 3))

/* Writes the padded base64 of in[0..len) and a NUL to out, which holds
 * BASE64_ENCODED_LEN(len) + 1 bytes. */
void base64_encode(char *out, const uint8_t *in, size_t len);

/* Decodes in[0..in_len) into out (at most out_cap bytes); *out_len receives the count.
 * Strict, as both of its callers document it: the length is a multiple of 4, every
 * character is of the alphabet, and '=' stands only as the last one or two characters
 * (no white space, no line breaks, no missing padding). The empty string decodes to
 * zero bytes; a caller that needs data refuses it itself. The unused low bits of a
 * padded final group are ignored, not checked to be zero (RFC 4648 §3.5 leaves that to
 * the decoder; OpenSSL's EVP_DecodeBlock and Go's StdEncoding ignore them too).
 * SS_ERR_INVALID when malformed or longer than out_cap; then nothing is written, or
 * what was written is zeroed, and *out_len is 0. Which character was bad is not
 * revealed: no branch or index depends on a digit's value, only on the length and the
 * padding, which are public (tests/util/base64_ct.c checks this under valgrind). */
ss_err base64_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in,
		     size_t in_len) SS_MUST_USE;

#endif
