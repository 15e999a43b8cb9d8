/* Web3Signer YAML key files (type file-raw) in the forms operators write them: the key
 * behind each privateKey is loaded exactly, whether the value was masked before libyaml
 * parsed the file (src/keys/yaml_secret.c) or, in a form the mask does not cover (a
 * block scalar), parsed by libyaml itself; and the masked copy holds none of the keys'
 * hex digits. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "keys/keys.h"
#include "keys/keys_internal.h"
#include "keys_test_util.h"
#include "test.h"
#include "util/hex.h"

#define N_FORMS 8

/* Key i's secret, and its hex with 0x (upper case when upper). */
static void secret(uint8_t sk[32], unsigned i)
{
	for (int j = 0; j < 32; j++)
		sk[j] = (uint8_t)(0x11 * (i + 1) + 3 * j);
	sk[0] = 0x10 + (uint8_t)i; /* below the group order */
}

static void hex_of(char out[67], unsigned i, bool upper)
{
	uint8_t sk[32];
	secret(sk, i);
	hex_encode(out, sk, 32, true);
	for (char *c = out + 2; upper && *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
}

TEST(yaml_private_key_forms_load_exactly)
{
	char h[N_FORMS][67];
	for (unsigned i = 0; i < N_FORMS; i++)
		hex_of(h[i], i, i == 3);
	char yaml[8192];
	snprintf(yaml, sizeof yaml,
		 /* 0 plain, 1 double quoted, 2 single quoted, 3 upper case without 0x */
		 "type: file-raw\nprivateKey: %s\n---\n"
		 "type: \"file-raw\"\nkeyType: \"BLS\"\nprivateKey: \"%s\"\n---\n"
		 "type: 'file-raw'\nprivateKey: '%s'\n---\n"
		 "type: file-raw\nprivateKey:    %s   # a comment\n---\n"
		 /* 4 a quoted key name, 5 a flow mapping, 6 after a comment naming privateKey */
		 "\"privateKey\": \"%s\"\n\"type\": file-raw\n---\n"
		 "{type: file-raw, privateKey: %s}\n---\n"
		 "# privateKey: 0x00 is not a key\ntype: file-raw\nprivateKey: %s\n---\n"
		 /* 7 a block scalar: not masked, libyaml reads it */
		 "type: file-raw\nprivateKey: >-\n  %s\n---\n"
		 /* and a document that is no key */
		 "type: file-keystore\nkeystoreFile: none.json\nkeystorePasswordFile: none.txt\n",
		 h[0], h[1], h[2], h[3] + 2, h[4], h[5], h[6], h[7]);
	char dir[256], cfg[300];
	kt_tempdir(dir, "yamlkeys");
	snprintf(cfg, sizeof cfg, "%s/cfg", dir);
	mkdir(cfg, 0700);
	kt_writef(cfg, "keys.yaml", yaml);

	/* the masked copy holds none of the masked keys' digits */
	size_t len = strlen(yaml);
	char *masked = malloc(len + 1);
	keys_yaml_span spans[16];
	size_t n = keys_yaml_mask(yaml, len, masked, spans, 16);
	CHECK_MSG(n == 7, "%zu privateKey values masked", n);
	for (unsigned i = 0; i < 7; i++)
		CHECK_MSG(strstr(masked, h[i] + 2 + 8) == NULL, "key %u is in the masked copy", i);
	free(masked);

	keys_kek_provider kek;
	CHECK(keys_kek_file(&kek, NULL) == SS_OK);
	keys_store *ks = NULL;
	keys_error err = { "" };
	CHECK_MSG(keys_store_open(&ks, dir, &kek, NULL, &err) == SS_OK, "open: %s", err.msg);
	if (ks == NULL) {
		kt_rmrf(dir);
		return;
	}
	keys_sources src = { .key_config_dir = cfg, .threads = 1 };
	keys_load_stats st = { 0 };
	CHECK(keys_load_sources(ks, &src, &st, &err) == SS_OK);
	/* eight file-raw documents load; the file-keystore one fails (no such files) */
	CHECK_MSG(st.sources_new == 8 && st.sources_failed == 1, "new %zu failed %zu", st.sources_new,
		  st.sources_failed);
	for (unsigned i = 0; i < 8; i++) {
		uint8_t sk[32], pk[48];
		secret(sk, i);
		CHECK(keys_secret_to_pubkey(pk, sk) == SS_OK);
		CHECK_MSG(keys_contains(ks, pk), "the key of form %u was not loaded", i);
	}
	keys_store_close(ks);
	kt_rmrf(dir);
}
