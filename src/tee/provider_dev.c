/* tee/: device-file helpers shared by the gramine, occlum and tsm providers
 * (provider_dev.h). Every path passes through tee_dev_path so that the tests' fake trees
 * stand in for /dev and /sys (issue 11 §2). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "tee/provider_dev.h"
#include "util/secure_mem.h"

bool tee_dev_path(char out[TEE_DEV_PATH_MAX], const char *root, const char *abs, char *why)
{
	if (!root)
		root = "";
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	int n = snprintf(out, TEE_DEV_PATH_MAX, "%.*s%s", (int)rl, root, abs);
	if (n < 0 || n >= TEE_DEV_PATH_MAX) {
		snprintf(why, TEE_WHY_MAX, "the TEE device root is too long for %s", abs);
		return false;
	}
	return true;
}

bool tee_dev_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

ss_err tee_dev_read(const char *path, uint8_t *buf, size_t cap, size_t *len, char *why)
{
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(why, TEE_WHY_MAX, "cannot open %s: %s", path, strerror(e));
		return e == ENOENT ? SS_ERR_NOT_FOUND : SS_ERR_IO;
	}
	for (;;) {
		uint8_t extra;
		uint8_t *dst = *len < cap ? buf + *len : &extra;
		size_t want = *len < cap ? cap - *len : 1;
		ssize_t r = read(fd, dst, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			snprintf(why, TEE_WHY_MAX, "cannot read %s: %s", path, strerror(e));
			return SS_ERR_IO;
		}
		if (r == 0)
			break;
		if (*len >= cap) {
			close(fd);
			snprintf(why, TEE_WHY_MAX, "%s holds more than the %zu bytes expected", path,
				 cap);
			return SS_ERR_RANGE;
		}
		*len += (size_t)r;
	}
	close(fd);
	return SS_OK;
}

ss_err tee_dev_read_alloc(const char *path, size_t max, uint8_t **out, size_t *len, char *why)
{
	*out = NULL;
	*len = 0;
	uint8_t *buf = malloc(max ? max : 1);
	if (!buf)
		return SS_ERR_NOMEM;
	ss_err err = tee_dev_read(path, buf, max, len, why);
	if (err != SS_OK) {
		free(buf);
		*len = 0;
		return err;
	}
	*out = buf;
	return SS_OK;
}

ss_err tee_dev_read_exact(const char *path, uint8_t *buf, size_t n, char *why)
{
	size_t got = 0;
	ss_err err = tee_dev_read(path, buf, n, &got, why);
	if (err == SS_ERR_RANGE) {
		secure_zero(buf, n); /* why already says the file is longer */
		return SS_ERR_INVALID;
	}
	if (err != SS_OK)
		return err;
	if (got != n) {
		secure_zero(buf, n);
		snprintf(why, TEE_WHY_MAX, "%s gave %zu bytes where %zu were expected (short read)",
			 path, got, n);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

ss_err tee_dev_write(const char *path, const void *data, size_t len, char *why)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(why, TEE_WHY_MAX, "cannot open %s for writing: %s", path, strerror(e));
		return e == ENOENT ? SS_ERR_NOT_FOUND : SS_ERR_IO;
	}
	const uint8_t *p = data;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			close(fd);
			snprintf(why, TEE_WHY_MAX, "cannot write %zu bytes to %s: %s", len, path,
				 strerror(e));
			return SS_ERR_IO;
		}
		done += (size_t)w;
	}
	if (close(fd) != 0) {
		int e = errno;
		snprintf(why, TEE_WHY_MAX, "cannot write %s: %s", path, strerror(e));
		return SS_ERR_IO;
	}
	return SS_OK;
}

int tee_dev_ioctl(tee_ioctl_fn fn, int fd, unsigned long request, void *arg)
{
	if (fn)
		return fn(fd, request, arg);
	return ioctl(fd, request, arg);
}

void tee_seal_kdf(uint8_t out[TEE_SEAL_KEY_BYTES], const uint8_t *ikm, size_t ikm_len,
		  const char *label)
{
	static const char salt[] = "secure-signer/v1/tee-seal";
	hkdf_sha256_32(out, salt, sizeof salt - 1, ikm, ikm_len, label, strlen(label));
}
