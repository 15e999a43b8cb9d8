/* Small helpers shared by keys/: error messages and whole-file reads with the key
 * store's messages (atomic writes are util/file.h file_write_atomic). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/keys_internal.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/secure_mem.h"

ss_err keys_fail(keys_error *err, ss_err code, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

void keys_pubkey_hex(char out[KEYS_PUBKEY_HEX], const uint8_t pubkey[KEYS_PUBKEY_BYTES])
{
	hex_encode(out, pubkey, KEYS_PUBKEY_BYTES, true);
}

/* util/file.h reads the file; this adds the message the key store reports. */
static ss_err read_error(ss_err e, const char *path, size_t max, keys_error *err)
{
	switch (e) {
	case SS_OK:
		return SS_OK;
	case SS_ERR_INVALID:
		return keys_fail(err, e, "%s is not a regular file", path);
	case SS_ERR_RANGE:
		return keys_fail(err, e, "%s is larger than %zu bytes", path, max);
	case SS_ERR_NOMEM:
		return keys_fail(err, e, "out of memory reading %s", path);
	default:
		return keys_fail(err, e, "cannot read %s: %s", path, ss_strerror(e));
	}
}

ss_err keys_read_file(const char *path, size_t max, char **out, size_t *len, keys_error *err)
{
	return read_error(file_read_all(path, max, out, len), path, max, err);
}

ss_err keys_read_secret_file(const char *path, size_t max, char **out, size_t *len, keys_error *err)
{
	return read_error(file_read_secret(path, max, out, len), path, max, err);
}

void keys_free_wiped(char *buf, size_t len)
{
	if (buf != NULL) {
		secure_zero(buf, len);
		free(buf);
	}
}
