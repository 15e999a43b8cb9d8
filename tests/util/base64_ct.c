/* Constant-time check of util/base64 under valgrind (ctest: base64_ct_valgrind):
 * base64_decode of a private key's base64 marked secret (as keys/prysm.c decodes a
 * Prysm wallet's keys), and base64_encode of secret bytes, may not branch or index on
 * them. Only the padding's length (declassified inside the decoder), the result code
 * and the outputs become public, after the calls. Outside valgrind the results are
 * still checked, so the program cannot pass by doing nothing. */
#include <stdio.h>
#include <string.h>

#include "util/base64.h"
#include "util/ct_check.h"

int main(void)
{
	int failures = 0;
	uint8_t key[32], out[32];
	char b64[BASE64_ENCODED_LEN(sizeof key) + 1];
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 37 + 11);

	CT_SECRET(key, sizeof key);
	base64_encode(b64, key, sizeof key);
	CT_PUBLIC(b64, sizeof b64);
	CT_PUBLIC(key, sizeof key);

	const size_t len = sizeof b64 - 1; /* 44: one '=' */
	CT_SECRET(b64, len);
	size_t n = 0;
	ss_err e = base64_decode(out, sizeof out, &n, b64, len);
	CT_PUBLIC(&e, sizeof e);
	CT_PUBLIC(&n, sizeof n);
	CT_PUBLIC(out, sizeof out);
	CT_PUBLIC(b64, sizeof b64);
	if (e != SS_OK || n != sizeof key || memcmp(out, key, sizeof key) != 0) {
		fprintf(stderr, "secret base64 does not round-trip\n");
		failures++;
	}

	/* a bad digit late on: refused, and what was decoded is zeroed */
	b64[40] = '-';
	CT_SECRET(b64, len);
	e = base64_decode(out, sizeof out, &n, b64, len);
	CT_PUBLIC(&e, sizeof e);
	CT_PUBLIC(&n, sizeof n);
	CT_PUBLIC(out, sizeof out);
	uint8_t zero[32] = { 0 };
	if (e != SS_ERR_INVALID || n != 0 || memcmp(out, zero, sizeof out) != 0) {
		fprintf(stderr, "bad digit not refused, or output not zeroed\n");
		failures++;
	}
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
