/* Runs the fuzz target over every file of the seed corpus (tests/eth2/fuzz_corpus),
 * and over the in-memory sample requests with every prefix length, so the normal build
 * exercises the target and keeps crash inputs as regressions. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requests.h"
#include "test.h"
#include "yaml_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

TEST(fuzz_corpus_replay)
{
	const char *dir = SS_FUZZ_CORPUS;
	size_t n = 0;
	DIR *d = opendir(dir);
	CHECK_MSG(d != NULL, "no corpus at %s", dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		pathf(p, sizeof p, "%s/%s", dir, e->d_name);
		size_t len = 0;
		uint8_t *b = read_bytes(p, &len);
		CHECK(b != NULL);
		if (b)
			LLVMFuzzerTestOneInput(b, len);
		free(b);
		n++;
	}
	closedir(d);
	CHECK_MSG(n >= 20, "corpus has %zu files", n);
}

TEST(sample_prefixes)
{
	for (const sample_request *s = sample_requests; s->name; s++) {
		json_t *j = s->make();
		char *body = json_dumps(j, JSON_COMPACT);
		size_t len = strlen(body);
		/* Every truncation of a small request; a stride through the large ones. */
		size_t step = len > 4000 ? 97 : 1;
		for (size_t k = 0; k <= len; k += step)
			LLVMFuzzerTestOneInput((const uint8_t *)body, k);
		free(body);
		json_decref(j);
	}
}
