#include "util/random.h"

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>

#include "util/secure_mem.h"

ss_err random_bytes(void *out, size_t n)
{
	uint8_t *p = out;
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			secure_zero(out, n);
			return SS_ERR_IO;
		}
		got += (size_t)r;
	}
	return SS_OK;
}
