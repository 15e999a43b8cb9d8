/* Fuzz target for Web3Signer YAML key files (keys/sources.c keys_yaml_parse, with the
 * privateKey masking of keys/yaml_secret.c). Differential: the same text is parsed
 * with libyaml directly, as the loader did before the masking, and every file-raw
 * document must come out the same: the same key when the plain value decodes, a
 * refusal when it does not. A masking bug would load a different key than the file
 * says (wrong signatures) or accept a value that is no key. Never a crash or a leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "keys/keys_internal.h"
#include "util/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOCS 64

typedef struct {
	bool file_raw, ok;
	uint8_t sk[KEYS_SECRET_BYTES];
} expect;

static const char *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return (const char *)v->data.scalar.value;
	}
	return NULL;
}

/* The plain reading: document i (1-based) -> what its privateKey decodes to. Returns how
 * many documents were read before the end or a YAML error. */
static int plain(const char *text, size_t len, expect *ex)
{
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int n = 0;
	for (int i = 1; i < MAX_DOCS; i++) {
		yaml_document_t doc;
		if (!yaml_parser_load(&p, &doc))
			break;
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		memset(&ex[i], 0, sizeof ex[i]);
		if (root->type == YAML_MAPPING_NODE) {
			const char *type = map_get(&doc, root, "type");
			const char *pk = map_get(&doc, root, "privateKey");
			ex[i].file_raw = type && strcmp(type, "file-raw") == 0;
			ex[i].ok = pk && hex_decode(ex[i].sk, KEYS_SECRET_BYTES, pk, strlen(pk),
						    HEX_PREFIX_OPTIONAL) == SS_OK;
		}
		yaml_document_delete(&doc);
		n = i;
	}
	yaml_parser_delete(&p);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 16))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	static expect ex[MAX_DOCS];
	int docs = plain(text, size, ex);
	keys_jobs b;
	memset(&b, 0, sizeof b);
	if (keys_yaml_parse(&b, "/nonexistent", "fuzz.yaml", text, size) == SS_OK) {
		for (size_t j = 0; j < b.n; j++) {
			int i;
			if (sscanf(b.jobs[j].label, "fuzz.yaml (document %d)", &i) != 1 || i < 1 ||
			    i > docs || !ex[i].file_raw)
				continue;
			bool ok = b.jobs[j].result == SS_OK;
			if (ok != ex[i].ok)
				abort(); /* one reading accepts a key the other refuses */
			if (ok && memcmp(keys_jobs_secret(&b, j), ex[i].sk, KEYS_SECRET_BYTES) != 0)
				abort(); /* a different key than the file says */
		}
	}
	keys_jobs_free(&b);
	free(text);
	return 0;
}
