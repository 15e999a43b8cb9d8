#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/secure_mem.h"

/* The buffer's allocator: the heap, or secure memory (file_read_secret). */
static char *buf_alloc(size_t n, bool secret)
{
	return secret ? secure_alloc(n) : malloc(n);
}

static void buf_free(char *p, size_t used, bool secret)
{
	if (secret) {
		secure_free(p); /* wipes all of it */
	} else if (p != NULL) {
		secure_zero(p, used);
		free(p);
	}
}

/* Grows buf to ncap bytes by copy-and-wipe rather than realloc, which could leave the
 * old block (part of a secret) in freed memory. */
static char *grow(char *buf, size_t used, size_t ncap, bool secret)
{
	char *nb = buf_alloc(ncap, secret);
	if (nb != NULL && used > 0)
		memcpy(nb, buf, used);
	buf_free(buf, used, secret);
	return nb;
}

/* Reads fd to its end into a buffer first sized cap (room for the NUL included). */
static ss_err read_fd(int fd, size_t max, size_t cap, char **out, size_t *len, bool secret)
{
	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4; /* keeps max + 2 and the doubling below from overflowing */
	char *buf = buf_alloc(cap, secret);
	if (buf == NULL)
		return SS_ERR_NOMEM;
	ss_err err = SS_OK;
	size_t got = 0;
	for (;;) {
		if (got + 1 == cap) { /* full: a pipe, or a file that grew while read */
			if (got > max) {
				err = SS_ERR_RANGE;
				break;
			}
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			buf = grow(buf, got, ncap, secret);
			if (buf == NULL) {
				err = SS_ERR_NOMEM;
				break;
			}
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
	if (err != SS_OK) {
		buf_free(buf, got, secret); /* it may have held part of a secret */
		return err;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return SS_OK;
}

static ss_err read_path(const char *path, size_t max, char **out, size_t *len, bool secret)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? SS_ERR_NOT_FOUND : SS_ERR_IO;
	struct stat st;
	ss_err err;
	if (fstat(fd, &st) != 0)
		err = SS_ERR_IO;
	else if (!S_ISREG(st.st_mode))
		err = SS_ERR_INVALID;
	else if ((uint64_t)st.st_size > max)
		err = SS_ERR_RANGE;
	else /* its size + NUL + one byte to notice growth */
		err = read_fd(fd, max, (size_t)st.st_size + 2, out, len, secret);
	close(fd);
	return err;
}

ss_err file_read_all(const char *path, size_t max, char **out, size_t *len)
{
	return read_path(path, max, out, len, false);
}

ss_err file_read_secret(const char *path, size_t max, char **out, size_t *len)
{
	return read_path(path, max, out, len, true);
}

ss_err file_read_stdin(size_t max, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	return read_fd(STDIN_FILENO, max, 1 << 16, out, len, false);
}
