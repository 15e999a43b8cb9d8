/* A forged SGX quote, complete and self-consistent, under a look-alike "Intel SGX Root
 * CA": a root, a "PCK Processor CA" and a PCK leaf with an SGX extension, all generated
 * here; the QE report signed by the leaf and binding the attestation key; the quote
 * signed by that key. `secure-signer evidence verify` must refuse it, and for one reason
 * only: its chain does not end in the pinned root. Every other check passing shows the
 * pin is what stands between a forger and a valid verdict. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forge.h"
#include "test.h"

TEST(forged_quote_under_lookalike_root)
{
	static uint8_t q[8192];
	uint8_t rd[64] = { 0 };
	size_t total = forge_sgx_quote(rd, q, sizeof q);

	char path[] = "/tmp/ss-tee-forged-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, q, total) == (ssize_t)total);
	close(fd);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s evidence verify --evidence %s 2>/dev/null",
		 SS_SECURE_SIGNER_BIN, path);
	FILE *p = popen(cmd, "r");
	static char out[1 << 16];
	size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
	out[n] = 0;
	int st = p ? pclose(p) : -1;
	unlink(path);
	json_error_t err;
	json_t *o = json_loads(out, 0, &err);
	CHECK_MSG(o != NULL, "not JSON: %.200s", out);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	json_t *fails = json_object_get(o, "failures");
	CHECK_MSG(json_array_size(fails) == 1, "%s", out);
	const char *check = json_string_value(json_object_get(json_array_get(fails, 0), "check"));
	const char *why = json_string_value(json_object_get(json_array_get(fails, 0), "reason"));
	CHECK(check && strcmp(check, "pck_chain") == 0);
	CHECK(why && strstr(why, "does not end in the pinned Intel SGX Root CA"));
	CHECK(json_is_false(json_object_get(o, "valid")));
	json_decref(o);
}
