/* Strict hexadecimal codec. Ethereum JSON carries bytes as "0x"-prefixed hex of an
 * exact length; anything else is refused rather than guessed at. */
#ifndef SS_UTIL_HEX_H
#define SS_UTIL_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* How a "0x" prefix is treated by the decoders. */
typedef enum {
	HEX_PREFIX_REQUIRED, /* "0x…" only (beacon-API JSON) */
	HEX_PREFIX_OPTIONAL, /* either (keystores, deposit files, CLI arguments) */
	HEX_PREFIX_FORBIDDEN /* bare hex only */
} hex_prefix;

/* Decodes exactly out_len bytes from the first in_len characters of in. Upper and lower
 * case digits are accepted; the digit count must be exactly 2*out_len. On error out is
 * left unchanged. Variable time: public data only. */
ss_err hex_decode(uint8_t *out, size_t out_len, const char *in, size_t in_len,
		  hex_prefix prefix) SS_MUST_USE;

/* hex_decode for secrets: no branch or table index depends on the digits' values, only
 * on the length; whether the whole string was valid is revealed through the result code
 * alone (computed without a branch). On error out is wiped. Checked under valgrind
 * (tests/util/hex_ct.c). */
ss_err hex_decode_ct(uint8_t *out, size_t out_len, const char *in, size_t in_len,
		     hex_prefix prefix) SS_MUST_USE;

/* Decodes a variable number of bytes (even digit count) into out, at most out_cap
 * bytes; *out_len receives the count. Public data only. */
ss_err hex_decode_var(uint8_t *out, size_t out_cap, size_t *out_len, const char *in,
		      size_t in_len, hex_prefix prefix) SS_MUST_USE;

/* Writes lowercase hex of in[0..len) to out followed by NUL; with prefix, "0x" first.
 * out must hold 2*len+1 bytes (+2 with prefix). Constant time in the bytes' values. */
void hex_encode(char *out, const uint8_t *in, size_t len, bool prefix);

#endif
