#include "util/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

ss_err datadir_open(datadir *dd, const char *dir)
{
	dd->lock_fd = -1;
	if (strlen(dir) >= sizeof dd->path - 64)
		return SS_ERR_INVALID;
	snprintf(dd->path, sizeof dd->path, "%s", dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return SS_ERR_IO;
	char lock_path[sizeof dd->path];
	snprintf(lock_path, sizeof lock_path, "%s/.lock", dir);
	int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return SS_ERR_IO;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return errno == EWOULDBLOCK ? SS_ERR_EXISTS : SS_ERR_IO;
	}
	dd->lock_fd = fd;
	return SS_OK;
}

ss_err datadir_open_readonly(datadir *dd, const char *dir)
{
	dd->lock_fd = -1;
	if (strlen(dir) >= sizeof dd->path - 64)
		return SS_ERR_INVALID;
	snprintf(dd->path, sizeof dd->path, "%s", dir);
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? SS_OK : SS_ERR_NOT_FOUND;
}

bool datadir_in_use(const char *dir)
{
	char lock_path[4200];
	if (snprintf(lock_path, sizeof lock_path, "%s/.lock", dir) >= (int)sizeof lock_path)
		return false;
	int fd = open(lock_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false; /* no lock file: nothing has ever held it */
	bool held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd); /* releases the lock if this took it */
	return held;
}

void datadir_close(datadir *dd)
{
	if (dd->lock_fd >= 0) {
		flock(dd->lock_fd, LOCK_UN);
		close(dd->lock_fd);
		dd->lock_fd = -1;
	}
}

ss_err datadir_file(const datadir *dd, const char *name, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", dd->path, name);
	return (n > 0 && (size_t)n < cap) ? SS_OK : SS_ERR_INVALID;
}
