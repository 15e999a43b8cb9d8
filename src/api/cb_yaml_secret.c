/* Keeping the inline jwt_secret values of the Commit-Boost modules file away from
 * libyaml, as keys/yaml_secret.c keeps a key file's privateKey away from it.
 *
 * libyaml copies what it parses into heap blocks of its own that no caller can reach or
 * wipe before they are freed: the growing strings of its scanner (a 40-character scalar
 * passes through blocks of 16, 32 and 64 bytes, each freed by realloc with the first
 * part of the value in it). So the file is read into secure memory, and libyaml parses
 * a copy in which each jwt_secret value it can recognise is replaced by as many 'x's;
 * the module's secret is then taken from the secure original (cb_yaml_secret).
 *
 * Recognised: a line whose content (after indentation and "- " entries) is the key
 * jwt_secret, ':', a blank, and a value on that line: double-quoted without '\',
 * single-quoted without '', or plain without the characters that could end it early
 * or change what libyaml makes of it; printable ASCII only. Other forms (block scalars,
 * escapes, flow mappings, values on the next line) reach libyaml as written, and their
 * copies are wiped only where they can be reached (the document's scalars and the
 * parser's input buffers, cb_config.c). The masking is checked on the document before
 * anything is read from it (cb_yaml_exact): every mask must come back as a scalar that
 * starts where the mask starts and is exactly its 'x's. Then the document is the
 * original's but for those values (the bytes before each mask are the same, the scalar
 * is scanned in the same style from the same place, and it ends at the same byte); if
 * not, or if the masked copy does not parse, the caller parses the original instead, so
 * a mask can never change the configuration that is read, nor an error reported. */
#include <string.h>

#include <yaml.h>

#include "api/cb_internal.h"

#define KEY "jwt_secret"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t skip_blanks(const char *t, size_t len, size_t p)
{
	while (p < len && blank(t[p]))
		p++;
	return p;
}

/* After the indentation and any "- " sequence entries of the line at p: where the key
 * jwt_secret (quoted or not) and its ':' and a blank end, or 0 when the line is not that
 * key's. */
static size_t after_key(const char *t, size_t len, size_t p)
{
	p = skip_blanks(t, len, p);
	while (p + 1 < len && t[p] == '-' && blank(t[p + 1]))
		p = skip_blanks(t, len, p + 1);
	char q = p < len && (t[p] == '"' || t[p] == '\'') ? t[p] : 0;
	p += q != 0;
	size_t k = strlen(KEY);
	if (len - p < k || memcmp(t + p, KEY, k) != 0)
		return 0;
	p += k;
	if (q && (p >= len || t[p++] != q))
		return 0;
	p = skip_blanks(t, len, p);
	if (p + 1 >= len || t[p] != ':' || !blank(t[p + 1]))
		return 0;
	return skip_blanks(t, len, p + 1);
}

static bool printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* A quoted value starting at v (its quote) and closing on the same line: its content
 * into *off, *n; false when it is not one that masks exactly. */
static bool quoted_value(const char *t, size_t len, size_t v, size_t *off, size_t *n)
{
	char q = t[v];
	size_t e = v + 1;
	for (; e < len && t[e] != q; e++)
		if (!printable(t[e]) || (q == '"' && t[e] == '\\'))
			return false; /* an escape, or the value goes on to the next line */
	if (e >= len || e == v + 1 || (q == '\'' && e + 1 < len && t[e + 1] == '\''))
		return false; /* unclosed, empty, or '' (a quote inside) */
	*off = v + 1;
	*n = e - v - 1;
	return true;
}

/* A plain value from v to the end of the line (before a comment, without trailing
 * blanks); false when it is one whose meaning a mask could change: starting with an
 * indicator, holding a flow indicator (which ends it in a flow mapping), a quote (which
 * may end a quoted scalar this line is inside of) or ": ". */
static bool plain_value(const char *t, size_t len, size_t v, size_t *off, size_t *n)
{
	size_t e = v;
	while (e < len && t[e] != '\n' && t[e] != '\r' && !(t[e] == '#' && e > v && blank(t[e - 1])))
		e++;
	while (e > v && blank(t[e - 1]))
		e--;
	if (e == v || strchr("-?:,[]{}#&*!|>'\"%@`", t[v]) || t[e - 1] == ':')
		return false;
	for (size_t i = v; i < e; i++)
		if (!printable(t[i]) || strchr(",[]{}\"'", t[i]) || (t[i] == ':' && blank(t[i + 1])))
			return false;
	*off = v;
	*n = e - v;
	return true;
}

size_t cb_yaml_mask(const char *text, size_t len, char *masked, cb_yaml_span *spans,
		    size_t max)
{
	memcpy(masked, text, len);
	masked[len] = '\0';
	size_t n = 0, chars = 0, counted = 0;
	for (size_t line = 0; line < len && n < max;) {
		const char *nl = memchr(text + line, '\n', len - line);
		size_t next = nl ? (size_t)(nl - text) + 1 : len;
		size_t v = after_key(text, next, line), off, vl;
		bool ok = v && v < next &&
			  (text[v] == '"' || text[v] == '\''
				   ? quoted_value(text, next, v, &off, &vl)
				   : plain_value(text, next, v, &off, &vl));
		if (ok) {
			/* libyaml's marks count characters, not bytes: count the UTF-8 lead
			 * bytes up to the scalar's first character */
			for (; counted < v; counted++)
				chars += ((unsigned char)text[counted] & 0xc0) != 0x80;
			spans[n++] = (cb_yaml_span){ .mark = chars, .off = off, .len = vl };
			memset(masked + off, 'x', vl);
		}
		line = next;
	}
	return n;
}

bool cb_yaml_exact(const cb_yaml_source *src, const struct yaml_document_s *doc)
{
	size_t found = 0;
	for (const yaml_node_t *node = doc->nodes.start; node < doc->nodes.top; node++) {
		if (node->type != YAML_SCALAR_NODE)
			continue;
		for (size_t i = 0; i < src->n; i++) {
			const cb_yaml_span *s = &src->spans[i];
			if (s->mark != node->start_mark.index)
				continue;
			bool exact = node->data.scalar.length == s->len;
			for (size_t j = 0; exact && j < s->len; j++)
				exact = node->data.scalar.value[j] == 'x';
			if (!exact)
				return false;
			found++;
		}
	}
	return found == src->n;
}

void cb_yaml_secret(const cb_yaml_source *src, const struct yaml_node_s *node,
		    const char **value, size_t *len)
{
	*value = NULL;
	*len = 0;
	if (!node || node->type != YAML_SCALAR_NODE)
		return;
	for (size_t i = 0; i < src->n; i++) {
		if (src->spans[i].mark == node->start_mark.index) {
			*value = src->text + src->spans[i].off;
			*len = src->spans[i].len;
			return;
		}
	}
	/* not masked: the value as libyaml read it */
	*value = (const char *)node->data.scalar.value;
	*len = node->data.scalar.length;
}
