#include "yaml_json.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "util/hex.h"

static json_t *node_to_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	if (n == NULL || depth > 64)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			if (strcmp(v, "true") == 0)
				return json_true();
			if (strcmp(v, "false") == 0)
				return json_false();
		}
		return json_stringn(v, len);
	}
	case YAML_SEQUENCE_NODE: {
		json_t *a = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			json_t *e = node_to_json(doc, yaml_document_get_node(doc, *it), depth + 1);
			if (e == NULL || json_array_append_new(a, e) != 0) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	case YAML_MAPPING_NODE: {
		json_t *o = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			json_t *v = node_to_json(doc, yaml_document_get_node(doc, p->value), depth + 1);
			if (k == NULL || k->type != YAML_SCALAR_NODE || v == NULL ||
			    json_object_set_new(o, (const char *)k->data.scalar.value, v) != 0) {
				json_decref(v);
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	default:
		return NULL;
	}
}

json_t *yaml_load_as_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	yaml_parser_t p;
	yaml_document_t doc;
	json_t *out = NULL;
	if (yaml_parser_initialize(&p)) {
		yaml_parser_set_input_file(&p, f);
		if (yaml_parser_load(&p, &doc)) {
			out = node_to_json(&doc, yaml_document_get_root_node(&doc), 0);
			yaml_document_delete(&doc);
		}
		yaml_parser_delete(&p);
	}
	fclose(f);
	return out;
}

uint8_t *read_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (nb == NULL)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

void pathf(char *out, size_t cap, const char *fmt, ...);
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **list_dir(const char *dir, size_t *count)
{
	*count = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return NULL;
	size_t cap = 64;
	char **names = malloc(cap * sizeof *names);
	struct dirent *e;
	while (names && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		struct stat st;
		pathf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (*count == cap) {
			cap *= 2;
			char **nn = realloc(names, cap * sizeof *names);
			if (nn == NULL)
				break;
			names = nn;
		}
		names[(*count)++] = strdup(e->d_name);
	}
	closedir(d);
	if (names)
		qsort(names, *count, sizeof *names, cmp);
	return names;
}

void free_list(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

bool hex_to(uint8_t *out, size_t n, const char *hex)
{
	return hex && hex_decode(out, n, hex, strlen(hex), HEX_PREFIX_OPTIONAL) == SS_OK;
}

void pathf(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap) {
		fprintf(stderr, "path too long: %s\n", out);
		abort();
	}
}
