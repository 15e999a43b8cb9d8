#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/secure_mem.h"

ss_err file_read_all(const char *path, size_t max, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? SS_ERR_NOT_FOUND : SS_ERR_IO;
	ss_err err = SS_OK;
	/* A regular file is read into a buffer of its size; a pipe (stdin) grows one. */
	size_t cap = 1 << 16;
	if (!is_stdin) {
		struct stat st;
		if (fstat(fd, &st) != 0)
			err = SS_ERR_IO;
		else if (!S_ISREG(st.st_mode))
			err = SS_ERR_INVALID;
		else if ((size_t)st.st_size > max)
			err = SS_ERR_RANGE;
		else
			cap = (size_t)st.st_size + 2; /* + NUL + one byte to notice growth */
	}
	char *buf = err == SS_OK ? malloc(cap) : NULL;
	if (err == SS_OK && buf == NULL)
		err = SS_ERR_NOMEM;
	size_t got = 0;
	while (err == SS_OK) {
		if (got + 1 == cap) { /* full: a growing file or a pipe */
			if (cap - 1 >= max + 1) {
				err = SS_ERR_RANGE;
				break;
			}
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			char *nb = realloc(buf, ncap);
			if (nb == NULL) {
				err = SS_ERR_NOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + got, cap - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = SS_ERR_IO;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (err == SS_OK && got > max)
		err = SS_ERR_RANGE;
	if (!is_stdin)
		close(fd);
	if (err != SS_OK) {
		if (buf != NULL) {
			secure_zero(buf, got); /* it may have held part of a secret */
			free(buf);
		}
		return err;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return SS_OK;
}
