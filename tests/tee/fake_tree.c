/* Helpers for the hardware providers' tests (fake_tree.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_tree.h"
#include "test.h"
#include "vectors.h"

char *fake_root_new(void)
{
	char tmpl[] = "/tmp/ss-tee-XXXXXX";
	if (!mkdtemp(tmpl))
		return NULL;
	return strdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fake_root_free(char *root)
{
	if (!root)
		return;
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

void fake_path(char *out, size_t cap, const char *root, const char *rel)
{
	snprintf(out, cap, "%s/%s", root, rel[0] == '/' ? rel + 1 : rel);
}

bool fake_mkdirs(const char *root, const char *rel)
{
	char path[1024];
	fake_path(path, sizeof path, root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST;
}

static bool parent_dirs(const char *root, const char *rel)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", rel);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return true;
	*slash = '\0';
	return dir[0] == '\0' || fake_mkdirs(root, dir);
}

bool fake_write(const char *root, const char *rel, const void *data, size_t len)
{
	char path[1024];
	if (!parent_dirs(root, rel))
		return false;
	fake_path(path, sizeof path, root, rel);
	return test_write_file(path, data, len);
}

bool fake_fifo(const char *root, const char *rel)
{
	char path[1024];
	if (!parent_dirs(root, rel))
		return false;
	fake_path(path, sizeof path, root, rel);
	return mkfifo(path, 0600) == 0;
}

uint8_t *fake_vector(const char *rel, size_t *len)
{
	char path[1024];
	if (!vectors_require() || !vectors_path(path, sizeof path, rel))
		return NULL;
	uint8_t *buf = (uint8_t *)test_read_file(path, len);
	CHECK_MSG(buf != NULL, "cannot read %s", path);
	return buf;
}

/* One user_report_data → quote transaction; false when the writer went away early. */
static bool libos_serve_one(const char *rd_path, const char *q_path, uint8_t *q, size_t len,
			    size_t off, const char *hostile_path)
{
	int fd = open(rd_path, O_RDONLY);
	if (fd < 0)
		return false;
	uint8_t rd[64];
	size_t got = 0;
	while (got < sizeof rd) {
		ssize_t r = read(fd, rd + got, sizeof rd - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != sizeof rd)
		return false;
	memcpy(q + off, rd, sizeof rd);
	if (hostile_path && access(hostile_path, F_OK) == 0)
		q[off] ^= 0x01; /* a hostile host: other report data than was asked for */
	fd = open(q_path, O_WRONLY);
	if (fd < 0)
		return false;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, q + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(fd);
	return done == len;
}

pid_t fake_libos_start(const char *root, const uint8_t *quote, size_t len)
{
	size_t off = fake_report_data_offset(quote, len);
	if (off == 0)
		return -1;
	char rd_path[1024], q_path[1024], hostile_path[1024];
	fake_path(rd_path, sizeof rd_path, root, "dev/attestation/user_report_data");
	fake_path(q_path, sizeof q_path, root, "dev/attestation/quote");
	fake_path(hostile_path, sizeof hostile_path, root, FAKE_LIBOS_HOSTILE);
	uint8_t *q = malloc(len);
	if (!q)
		return -1;
	memcpy(q, quote, len);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0) {
		free(q);
		return pid;
	}
	/* the child: a reader that leaves mid-quote is no reason to die, a test that dies
	 * without stopping it is (it would wait on the FIFO for ever) */
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0); /* it died before the line above */
	for (;;) {
		if (access(rd_path, F_OK) != 0)
			_exit(0); /* the tree was removed under us */
		(void)libos_serve_one(rd_path, q_path, q, len, off, hostile_path);
	}
}

void fake_libos_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
