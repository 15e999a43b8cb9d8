/* Module-internal declarations of keys/ (CONVENTIONS.md: what the rest of the program
 * must not call stays here). */
#ifndef SS_KEYS_INTERNAL_H
#define SS_KEYS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "keys/keystore.h"
#include "util/error.h"

/* Writes a message into err (when not NULL) and returns code, so that failures read
 * `return keys_fail(err, SS_ERR_INVALID, "...", ...)`. Never pass a secret. */
ss_err keys_fail(keys_error *err, ss_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads a whole (small) file into a malloc'ed NUL-terminated buffer; *len its size.
 * Files above max bytes are refused. The caller wipes it when it may hold a secret. */
ss_err keys_read_file(const char *path, size_t max, char **out, size_t *len,
		      keys_error *err) SS_MUST_USE;

/* Frees a buffer from keys_read_file after wiping it. */
void keys_free_wiped(char *buf, size_t len);

/* Writes data to path atomically: path.tmp, fsync, rename, fsync of the directory.
 * mode is the file mode (0600 for everything secret). */
ss_err keys_write_atomic(const char *path, const void *data, size_t len, int mode) SS_MUST_USE;

/* secret -> pubkey, and the EIP-2335 pubkey check. SS_ERR_INVALID when the secret is
 * not a valid BLS secret key (0 or >= r). */
ss_err keys_secret_to_pubkey(uint8_t pubkey[KEYS_PUBKEY_BYTES],
			     const uint8_t secret[KEYS_SECRET_BYTES]) SS_MUST_USE;

/* Lowercase hex of a pubkey, "0x"-prefixed, for messages (97 + 2 bytes with NUL). */
#define KEYS_PUBKEY_HEX 99
void keys_pubkey_hex(char out[KEYS_PUBKEY_HEX], const uint8_t pubkey[KEYS_PUBKEY_BYTES]);

#endif
