/* Helpers shared by the keys/ tests: temporary data directories and small files. */
#ifndef KEYS_TEST_UTIL_H
#define KEYS_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_file.h"

/* A fresh directory under $TMPDIR (or /tmp); out holds 256 bytes. */
static inline void kt_tempdir(char out[256], const char *tag)
{
	const char *t = getenv("TMPDIR");
	snprintf(out, 256, "%s/ss-%s-XXXXXX", t && *t ? t : "/tmp", tag);
	if (mkdtemp(out) == NULL) {
		perror("mkdtemp");
		abort();
	}
}

static inline void kt_rmrf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* test_write_file, or the test stops here: what follows would test a missing file. */
static inline void kt_write(const char *path, const void *data, size_t len)
{
	if (!test_write_file(path, data, len)) {
		perror(path);
		abort();
	}
}

static inline void kt_writef(const char *dir, const char *name, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	kt_write(p, text, strlen(text));
}

#endif
