/* Helpers for the hardware providers' tests (fake_tree.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
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

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

size_t fake_report_data_offset(const uint8_t *ev, size_t len)
{
	if (len == 0x4A0)
		return 0x50; /* SNP report (tee.md §d) */
	if (len < 48)
		return 0;
	uint16_t version = le16(ev);
	uint32_t tee_type = (uint32_t)le16(ev + 4) | (uint32_t)le16(ev + 6) << 16;
	if (version == 3 || (version == 4 && tee_type == 0))
		return 48 + 320; /* SGX report body (tee.md §e) */
	if (version == 4)
		return 48 + 520; /* TD 1.0 body */
	if (version == 5)
		return 54 + 520; /* v5: body type and size, then a TD 1.0/1.5 body */
	return 0;
}
