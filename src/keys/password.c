/* EIP-2335 password processing (ERC-2335 "Password requirements"): the password is
 * NFKD-normalised, then the control code points C0 (U+0000-U+001F), DEL (U+007F) and
 * C1 (U+0080-U+009F) are removed, and the rest is UTF-8 encoded. Space (U+0020) stays.
 * NFKD comes from libunistring; its result is written into our own buffer, which is
 * wiped before it is freed. */
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

#include "keys/keystore.h"
#include "util/secure_mem.h"

/* NFKD grows UTF-8 by at most a factor of 18 (U+FDFA, 3 bytes, becomes 18 code
 * points, 33 bytes); a buffer of 12x plus slack covers every real password, and
 * libunistring falls back to malloc (handled below) when it does not. */
#define NFKD_GROWTH 12

ss_err keys_password_normalize(uint8_t *out, size_t cap, size_t *out_len, const char *pw,
			       size_t pw_len)
{
	*out_len = 0;
	if (pw_len > KEYS_PASSWORD_MAX)
		return SS_ERR_INVALID;
	if (u8_check((const uint8_t *)pw, pw_len) != NULL)
		return SS_ERR_INVALID;
	size_t buf_cap = pw_len * NFKD_GROWTH + 64;
	uint8_t *buf = secure_alloc(buf_cap);
	if (buf == NULL)
		return SS_ERR_NOMEM;
	size_t nfkd_len = buf_cap;
	uint8_t *nfkd = u8_normalize(UNINORM_NFKD, (const uint8_t *)pw, pw_len, buf, &nfkd_len);
	if (nfkd == NULL) {
		secure_free(buf);
		return SS_ERR_NOMEM;
	}
	ss_err e = SS_OK;
	size_t o = 0;
	for (size_t i = 0; i < nfkd_len;) {
		ucs4_t uc;
		int n = u8_mbtouc(&uc, nfkd + i, nfkd_len - i);
		/* The password's bytes may be secret, but whether a code point is a control
		 * character is what the EIP asks to act on; the branch reveals only that. */
		bool control = uc <= 0x1f || (uc >= 0x7f && uc <= 0x9f);
		if (!control) {
			if (o + (size_t)n > cap) {
				e = SS_ERR_RANGE;
				break;
			}
			memcpy(out + o, nfkd + i, (size_t)n);
			o += (size_t)n;
		}
		i += (size_t)n;
	}
	if (nfkd != buf) {
		secure_zero(nfkd, nfkd_len);
		free(nfkd);
	}
	secure_free(buf); /* wipes */
	if (e != SS_OK) {
		secure_zero(out, cap);
		return e;
	}
	*out_len = o;
	return SS_OK;
}
