#include "vectors.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"

#ifndef SS_SOURCE_DIR
#error "SS_SOURCE_DIR must be defined by the build"
#endif

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *vectors_dir(void)
{
	static char path[4096];
	const char *env = getenv("SECURE_SIGNER_VECTORS");
	if (env != NULL && *env != '\0')
		return is_dir(env) ? env : NULL;
	snprintf(path, sizeof path, "%s/../shared/vectors", SS_SOURCE_DIR);
	return is_dir(path) ? path : NULL;
}

bool vectors_require(void)
{
	if (vectors_dir() != NULL)
		return true;
	test_skip("vectors folder not found (set SECURE_SIGNER_VECTORS or provide ../shared/vectors)");
	return false;
}

bool vectors_path(char *buf, size_t cap, const char *rel)
{
	const char *dir = vectors_dir();
	if (dir == NULL)
		return false;
	int n = snprintf(buf, cap, "%s/%s", dir, rel);
	return n > 0 && (size_t)n < cap;
}

bool vectors_case_selected(const char *name)
{
	const char *sel = test_selected_case();
	return sel == NULL || strcmp(sel, name) == 0;
}

json_t *vectors_load_json(const char *rel)
{
	char path[4096];
	if (!vectors_path(path, sizeof path, rel)) {
		test_fail_at(__FILE__, __LINE__, "no vectors path for %s", rel);
		return NULL;
	}
	json_error_t err;
	json_t *root = json_load_file(path, JSON_DECODE_ANY, &err);
	if (root == NULL)
		test_fail_at(__FILE__, __LINE__, "%s:%d:%d: %s", path, err.line, err.column, err.text);
	return root;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vectors_for_each_file(const char *rel_dir, vector_case_fn fn, void *ctx)
{
	char dir[4096];
	if (!vectors_path(dir, sizeof dir, rel_dir)) {
		test_fail_at(__FILE__, __LINE__, "vectors folder %s not found", rel_dir);
		return -1;
	}
	DIR *d = opendir(dir);
	if (d == NULL) {
		test_fail_at(__FILE__, __LINE__, "cannot open %s", dir);
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof *names);
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	int run = 0;
	for (size_t i = 0; i < n; i++) {
		char stem[1024];
		snprintf(stem, sizeof stem, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
		if (vectors_case_selected(stem)) {
			char rel[4096];
			snprintf(rel, sizeof rel, "%s/%s", rel_dir, names[i]);
			json_t *root = vectors_load_json(rel);
			bool ok = root != NULL && fn(stem, root, ctx);
			if (!ok)
				test_fail_at(__FILE__, __LINE__, "case %s failed", stem);
			test_count_case(ok);
			json_decref(root);
			run++;
		}
		free(names[i]);
	}
	free(names);
	return run;
}

int vectors_for_each_element(json_t *array, const char *name_key, vector_case_fn fn, void *ctx)
{
	size_t i;
	json_t *el;
	int run = 0;
	json_array_foreach(array, i, el) {
		const char *name = json_string_value(json_object_get(el, name_key));
		char fallback[64];
		if (name == NULL) {
			snprintf(fallback, sizeof fallback, "case_%zu", i);
			name = fallback;
		}
		if (!vectors_case_selected(name))
			continue;
		bool ok = fn(name, el, ctx);
		if (!ok)
			test_fail_at(__FILE__, __LINE__, "case %s failed", name);
		test_count_case(ok);
		run++;
	}
	return run;
}
