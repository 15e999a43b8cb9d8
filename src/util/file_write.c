/* Durable whole-file writes, the one way every module replaces a file: the data goes to
 * a temporary file in the same directory, is fsync'ed, renamed over the target, and the
 * directory is fsync'ed so that the rename itself survives a power loss (rename(2) alone
 * is atomic but not durable). A crash at any point leaves either the old file or the new
 * one, never a truncated mix. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes all of data to fd, retrying short writes and EINTR. */
static bool write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

ss_err file_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return SS_ERR_IO;
	int rc = fsync(fd);
	close(fd);
	return rc == 0 ? SS_OK : SS_ERR_IO;
}

/* fsync of the directory that holds path ("." for a bare name). */
static ss_err fsync_dir_of(const char *path)
{
	char dir[4096];
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return SS_ERR_INVALID;
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	return file_fsync_dir(dir);
}

/* Gives the open file fd its mode (O_CREAT's does not apply to a file that already
 * existed, mkstemp's is 0600), writes data, fsyncs and closes it: the body of both
 * writers below. */
static bool fill_and_close(int fd, const void *data, size_t len, int mode)
{
	bool ok = fchmod(fd, (mode_t)mode) == 0 && write_all(fd, data, len) && fsync(fd) == 0;
	return close(fd) == 0 && ok;
}

ss_err file_write_durable(const char *tmp, const void *data, size_t len, int mode)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return SS_ERR_IO;
	if (!fill_and_close(fd, data, len, mode)) {
		unlink(tmp);
		return SS_ERR_IO;
	}
	return SS_OK;
}

ss_err file_write_atomic(const char *path, const void *data, size_t len, int mode)
{
	char tmp[4200];
	if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
		return SS_ERR_INVALID;
	/* a unique name: two writers never share a temporary file */
	int fd = mkstemp(tmp);
	if (fd < 0)
		return SS_ERR_IO;
	if (!fill_and_close(fd, data, len, mode) || rename(tmp, path) != 0) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		return SS_ERR_IO;
	}
	return fsync_dir_of(path);
}
