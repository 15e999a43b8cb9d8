/* Small helpers shared by keys/: error messages, whole-file reads, atomic writes. */
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

ss_err keys_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return SS_ERR_IO;
	int rc = fsync(fd);
	close(fd);
	return rc == 0 ? SS_OK : SS_ERR_IO;
}

static ss_err fsync_dir_of(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	return keys_fsync_dir(dir);
}

ss_err keys_write_durable(const char *tmp, const void *data, size_t len, int mode)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return SS_ERR_IO;
	const uint8_t *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return SS_ERR_IO;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return SS_ERR_IO;
	}
	close(fd);
	return SS_OK;
}

ss_err keys_write_atomic(const char *path, const void *data, size_t len, int mode)
{
	char tmp[4200];
	int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return SS_ERR_INVALID;
	ss_err e = keys_write_durable(tmp, data, len, mode);
	if (e != SS_OK)
		return e;
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return SS_ERR_IO;
	}
	return fsync_dir_of(path);
}
