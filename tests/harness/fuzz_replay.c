/* Replays fuzz inputs through a target's LLVMFuzzerTestOneInput without libFuzzer, so
 * every saved seed and every past crash runs in the ordinary (and sanitizer) test suite.
 * Arguments are files or directories of files; the empty input always runs first.
 * Prints how many inputs ran. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	size_t n = 0;
	char *buf = test_read_file(path, &n);
	if (buf == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	/* an exact-size copy, so ASan sees reads past the end of the input */
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	/* the empty input first, always: every parser must survive it, and no corpus needs
	 * to keep an empty seed file for it */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	int inputs = 1, errors = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "no such input: %s\n", argv[i]);
			errors++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			errors += replay_file(argv[i]);
			inputs++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			errors += replay_file(path);
			inputs++;
		}
		if (d != NULL)
			closedir(d);
	}
	printf("replayed %d inputs, %d unreadable\n", inputs, errors);
	return errors == 0 && inputs > 0 ? 0 : 1;
}
