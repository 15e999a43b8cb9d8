/* Constant-time check of the secret-side hex codec under valgrind (ctest: hex_ct):
 * hex_decode_ct on digits marked secret, and hex_encode of secret bytes, may not branch
 * or index on them. Only the result code of the decoder (whether the whole string was
 * valid) and the outputs are declassified, after the calls. Outside valgrind the
 * results are still checked, so the program cannot pass by doing nothing. */
#include <stdio.h>
#include <string.h>

#include "util/ct_check.h"
#include "util/hex.h"

int main(void)
{
	int failures = 0;
	/* a valid 32-byte secret, mixed case and every digit, and one bad digit late on */
	char good[] = "0x0123456789abcdefABCDEF00ff10e7c5a9b8d6f4e2c1b0a99887766554433211";
	char bad[] = "0x0123456789abcdefABCDEF00ff10e7c5a9b8d6f4e2c1b0a9988776655443g211";
	uint8_t out[32], enc_in[32];
	char enc[2 * 32 + 3];

	CT_SECRET(good + 2, 64);
	ss_err e = hex_decode_ct(out, 32, good, 66, HEX_PREFIX_REQUIRED);
	CT_PUBLIC(&e, sizeof e);
	CT_PUBLIC(out, sizeof out);
	CT_PUBLIC(good, sizeof good);
	if (e != SS_OK || out[0] != 0x01 || out[8] != 0xab || out[31] != 0x11) {
		fprintf(stderr, "valid secret hex not decoded\n");
		failures++;
	}

	CT_SECRET(bad + 2, 64);
	e = hex_decode_ct(out, 32, bad, 66, HEX_PREFIX_REQUIRED);
	CT_PUBLIC(&e, sizeof e);
	CT_PUBLIC(out, sizeof out);
	uint8_t zero[32] = { 0 };
	if (e != SS_ERR_INVALID || memcmp(out, zero, 32) != 0) {
		fprintf(stderr, "bad digit not refused, or output not wiped\n");
		failures++;
	}

	for (int i = 0; i < 32; i++)
		enc_in[i] = (uint8_t)(i * 37 + 11);
	CT_SECRET(enc_in, sizeof enc_in);
	hex_encode(enc, enc_in, sizeof enc_in, true);
	CT_PUBLIC(enc, sizeof enc);
	CT_PUBLIC(enc_in, sizeof enc_in);
	if (hex_decode(out, 32, enc, strlen(enc), HEX_PREFIX_REQUIRED) != SS_OK ||
	    memcmp(out, enc_in, 32) != 0) {
		fprintf(stderr, "hex_encode does not round-trip\n");
		failures++;
	}
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
