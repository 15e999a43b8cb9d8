/* Proves the sanitizer build catches a real defect: a heap buffer overflow that an
 * ordinary build would not notice. Registered only in sanitizer builds, where ctest
 * expects AddressSanitizer's report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	size_t n = 16 + (size_t)(argc > 100); /* keep the size opaque to the optimiser */
	char *buf = malloc(n);
	memset(buf, 'x', n);
	volatile char c = buf[n]; /* one byte past the end */
	printf("read %d\n", c);
	free(buf);
	return 0;
}
