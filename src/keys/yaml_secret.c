/* Keeping a YAML key file's privateKey away from libyaml.
 *
 * libyaml copies what it parses into heap blocks of its own that no caller can reach or
 * wipe before they are freed: the raw input buffer, and the growing strings of its
 * scanner (a 66-character scalar passes through blocks of 16, 32 and 64 bytes, each
 * freed by realloc with the first part of the value in it). So libyaml never sees the
 * key: the file is read into secure memory, and libyaml parses a copy in which the hex
 * digits of every `privateKey` value are replaced by a marker of the same length
 * ("zz...z" and the value's number in 8 hex digits). The structure, line numbers and
 * every other value are unchanged; a file-raw document's privateKey is then decoded
 * from the secure original at the place its marker names (keys_yaml_private_key).
 *
 * A privateKey that this scan does not recognise (a block scalar `privateKey: |`, or
 * escapes inside a quoted value) reaches libyaml as before, and its copies are only
 * wiped where they can be reached (docs/keys.md "Secrets in memory"): the document's
 * scalars and the parser's buffers (keys_yaml_wipe_*, which the Commit-Boost modules file
 * uses too). */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "keys/keys_internal.h"
#include "util/hex.h"
#include "util/secure_mem.h"

#define KEY_NAME "privateKey"
#define MARK_DIGITS 8
#define MIN_RUN 16 /* shorter runs are no key; MARK_DIGITS must fit */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static size_t skip_blanks(const char *t, size_t len, size_t p)
{
	while (p < len && (t[p] == ' ' || t[p] == '\t'))
		p++;
	return p;
}

static size_t skip_0x(const char *t, size_t len, size_t p)
{
	return p + 1 < len && t[p] == '0' && (t[p + 1] == 'x' || t[p + 1] == 'X') ? p + 2 : p;
}

size_t keys_yaml_mask(const char *text, size_t len, char *masked, keys_yaml_span *spans, size_t max)
{
	memcpy(masked, text, len);
	masked[len] = '\0';
	/* A file that already holds a marker's run of z's could have a value read as a
	 * marker (an invalid privateKey decoded as another document's key): no masking
	 * then, libyaml reads every value as written (found by fuzz_key_config). */
	if (memmem(text, len, "zzzzzzzz", MARK_DIGITS) != NULL)
		return 0;
	size_t n = 0, klen = strlen(KEY_NAME);
	for (const char *k = text; n < max && (k = memmem(k, len - (size_t)(k - text), KEY_NAME, klen)) != NULL;
	     k += klen) {
		size_t p = (size_t)(k - text) + klen;
		if (p < len && (text[p] == '"' || text[p] == '\''))
			p++; /* a quoted key */
		p = skip_blanks(text, len, p);
		if (p >= len || text[p] != ':')
			continue;
		p = skip_blanks(text, len, p + 1);
		if (p < len && (text[p] == '"' || text[p] == '\''))
			p++;
		p = skip_0x(text, len, p);
		size_t run = 0;
		while (p + run < len && is_hex(text[p + run]))
			run++;
		if (run < MIN_RUN)
			continue;
		spans[n] = (keys_yaml_span){ .off = p, .len = run };
		memset(masked + p, 'z', run - MARK_DIGITS);
		char mark[MARK_DIGITS + 1];
		snprintf(mark, sizeof mark, "%08x", (unsigned)n & 0xffffffffu);
		memcpy(masked + p + run - MARK_DIGITS, mark, MARK_DIGITS);
		n++;
	}
	return n;
}

ss_err keys_yaml_private_key(uint8_t out[KEYS_SECRET_BYTES], const char *value, const char *text,
			     const keys_yaml_span *spans, size_t n)
{
	size_t vlen = strlen(value), p = skip_0x(value, vlen, 0), rl = vlen - p;
	bool marked = rl >= MIN_RUN;
	for (size_t i = p; marked && i < vlen - MARK_DIGITS; i++)
		marked = value[i] == 'z';
	size_t idx = 0;
	for (size_t i = vlen - MARK_DIGITS; marked && i < vlen; i++) {
		marked = is_hex(value[i]);
		idx = idx * 16 + (size_t)(value[i] <= '9' ? value[i] - '0' : (value[i] | 0x20) - 'a' + 10);
	}
	if (marked && idx < n && spans[idx].len == rl)
		return hex_decode_ct(out, KEYS_SECRET_BYTES, text + spans[idx].off, rl, HEX_PREFIX_OPTIONAL);
	/* not masked: the value as libyaml read it */
	return hex_decode_ct(out, KEYS_SECRET_BYTES, value, vlen, HEX_PREFIX_OPTIONAL);
}

void keys_yaml_wipe_document(yaml_document_t *doc)
{
	for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE)
			secure_zero(n->data.scalar.value, n->data.scalar.length);
}

void keys_yaml_wipe_parser(yaml_parser_t *parser)
{
	if (parser->raw_buffer.start)
		secure_zero(parser->raw_buffer.start,
			    (size_t)(parser->raw_buffer.end - parser->raw_buffer.start));
	if (parser->buffer.start)
		secure_zero(parser->buffer.start, (size_t)(parser->buffer.end - parser->buffer.start));
}
