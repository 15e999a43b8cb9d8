/* Fuzz target for the Commit-Boost API's parsers of operator and client input: the
 * modules YAML file (first byte 0), the "A=x,B=y" secrets of POST /reload (1) and the
 * base64url of JWT parts (2), and the exact-uint64 reader of the
 * nonce (3). Whatever the bytes, the parsers return an answer without
 * crashing or leaking (ASan in the sanitizer build). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/cb_internal.h"

static const char base_modules[] =
	"modules:\n"
	"  - id: A\n"
	"    signing_id: \"0x0101010101010101010101010101010101010101010101010101010101010101\"\n"
	"  - id: B\n"
	"    signing_id: \"0x0202020202020202020202020202020202020202020202020202020202020202\"\n";

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char path[64];
	snprintf(path, sizeof path, "/tmp/fuzz_cb_config.%d.yaml", (int)getpid());
	char err[512];
	api_cb_config cfg = { .modules_file = path };
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	switch (data[0] % 4) {
	case 0: {
		if (!write_file(path, in, n))
			return 0;
		cb_registry *r = cb_registry_load(&cfg, err, sizeof err);
		cb_registry_release(r);
		break;
	}
	case 1: {
		if (!write_file(path, base_modules, sizeof base_modules - 1))
			return 0;
		cb_registry *r = cb_registry_load(&cfg, err, sizeof err);
		if (!r)
			abort(); /* the fixed file is valid */
		char *text = malloc(n + 1);
		if (text) {
			memcpy(text, in, n);
			text[n] = 0;
			cb_registry *r2 = cb_registry_with(r, text, NULL, err, sizeof err);
			cb_registry_release(r2);
			free(text);
		}
		cb_registry_release(r);
		break;
	}
	case 3: {
		uint64_t v;
		(void)cb_json_u64_member((const char *)in, n, "nonce", &v);
		break;
	}
	default: {
		uint8_t out[256];
		size_t out_len;
		(void)cb_base64url_decode((const char *)in, n, out, sizeof out, &out_len);
		break;
	}
	}
	unlink(path);
	return 0;
}
