/* Runs the config.yaml fuzz target over its seed corpus (tests/eth2/fuzz_corpus_config)
 * and over every prefix of each seed. */
#include <dirent.h>
#include <stdlib.h>

#include "test.h"
#include "yaml_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

TEST(fuzz_config_corpus_replay)
{
	DIR *d = opendir(SS_FUZZ_CORPUS);
	CHECK_MSG(d != NULL, "no corpus at %s", SS_FUZZ_CORPUS);
	if (d == NULL)
		return;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		pathf(p, sizeof p, "%s/%s", SS_FUZZ_CORPUS, e->d_name);
		size_t len = 0;
		uint8_t *b = read_bytes(p, &len);
		CHECK(b != NULL);
		for (size_t k = 0; b && k <= len; k += 7)
			LLVMFuzzerTestOneInput(b, k);
		if (b)
			LLVMFuzzerTestOneInput(b, len);
		free(b);
		n++;
	}
	closedir(d);
	CHECK_MSG(n >= 5, "corpus has %zu files", n);
}
