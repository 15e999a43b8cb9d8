#include "util/secure_mem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/log.h"

void secure_zero(void *p, size_t n)
{
	if (p != NULL && n != 0)
		explicit_bzero(p, n);
}

/* Layout of one mapping, in pages:
 *   [guard][padding + header + user block][guard]
 * The user block ends where the upper guard starts; the header sits right before it
 * (read and written with memcpy: the user block need not be aligned) and records the
 * mapping so secure_free can undo it. */
#define SECURE_MAGIC 0x5345435552454d31ull /* "SECUREM1" */

struct secure_header {
	uint64_t magic;
	size_t map_len;
	size_t data_len;  /* bytes between the guards */
	size_t user_len;
	void *user;
};

static atomic_bool lock_failed;

static size_t page_size(void)
{
	static size_t ps;
	if (ps == 0)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

void *secure_alloc(size_t n)
{
	if (n == 0 || n > (SIZE_MAX / 2))
		return NULL;
	size_t ps = page_size();
	size_t need = sizeof(struct secure_header) + n;
	size_t data_len = (need + ps - 1) / ps * ps;
	size_t map_len = data_len + 2 * ps;
	uint8_t *base = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mprotect(base, ps, PROT_NONE) != 0 || mprotect(base + ps + data_len, ps, PROT_NONE) != 0) {
		munmap(base, map_len);
		return NULL;
	}
	uint8_t *data = base + ps;
	(void)madvise(data, data_len, MADV_DONTDUMP);
	(void)madvise(data, data_len, MADV_DONTFORK);
	if (mlock(data, data_len) != 0 && !atomic_exchange(&lock_failed, true))
		log_warn("secure memory: mlock failed (RLIMIT_MEMLOCK too low); secrets may be "
			 "swapped out. Raise the limit (ulimit -l) or disable swap.");
	struct secure_header h = {
		.magic = SECURE_MAGIC,
		.map_len = map_len,
		.data_len = data_len,
		.user_len = n,
		.user = data + data_len - n,
	};
	memcpy((uint8_t *)h.user - sizeof h, &h, sizeof h);
	return h.user;
}

void secure_free(void *p)
{
	if (p == NULL)
		return;
	struct secure_header h;
	memcpy(&h, (uint8_t *)p - sizeof h, sizeof h);
	size_t ps = page_size();
	if (h.magic != SECURE_MAGIC || h.user != p || h.data_len < sizeof h + h.user_len ||
	    h.map_len != h.data_len + 2 * ps) {
		fprintf(stderr, "secure_free: pointer not from secure_alloc\n");
		abort();
	}
	uint8_t *data = (uint8_t *)p + h.user_len - h.data_len;
	secure_zero(data, h.data_len);
	(void)munlock(data, h.data_len);
	munmap(data - ps, h.map_len);
}

bool secure_mem_all_locked(void)
{
	return !atomic_load(&lock_failed);
}
