/* LD_PRELOAD shim for the out-of-memory injection test (test_oom.c): malloc, calloc and
 * realloc of a running `secure-signer` fail on demand, and the blocks allocated while
 * the test watches are tracked until freed, so that a failure path that leaks is seen.
 *
 * The test and the signer share one page, the file named by SS_OOM_CTL (struct oom_ctl,
 * oom_ctl.h). While `armed`, every allocation of every thread is counted; the one whose
 * count equals `fail_at` returns NULL (ENOMEM), and every block handed out is recorded
 * in a table until it is freed, whenever that happens. `live` is the number of recorded
 * blocks not yet freed: once the request is answered and its connection closed, it must
 * come back to 0.
 *
 * The real allocator is glibc's __libc_* entry points (no dlsym: dlsym may allocate).
 * A build whose executable defines malloc itself (the AddressSanitizer runtime is linked
 * into the executable) never calls these: `seen` stays 0 and the test reports SKIP. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "oom_ctl.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static struct oom_ctl *ctl;

/* Blocks allocated while armed: open addressing over pointers, tombstones on free. */
#define TABLE_SIZE (1u << 18)
#define TOMB ((uintptr_t)1)
static uintptr_t table[TABLE_SIZE];
static uintptr_t callers[TABLE_SIZE]; /* return address of the allocating call */
static atomic_flag table_lock = ATOMIC_FLAG_INIT;

static void lock(void)
{
	while (atomic_flag_test_and_set_explicit(&table_lock, memory_order_acquire))
		;
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&table_lock, memory_order_release);
}

static size_t slot_of(uintptr_t p)
{
	return (size_t)((p >> 4) * 0x9E3779B97F4A7C15ull >> 46) & (TABLE_SIZE - 1);
}

static void record(void *ptr, uintptr_t caller)
{
	uintptr_t p = (uintptr_t)ptr;
	lock();
	for (size_t i = slot_of(p), k = 0; k < TABLE_SIZE; i = (i + 1) & (TABLE_SIZE - 1), k++)
		if (table[i] == 0 || table[i] == TOMB) {
			table[i] = p;
			callers[i] = caller;
			atomic_fetch_add(&ctl->live, 1);
			unlock();
			return;
		}
	unlock();
	atomic_store(&ctl->overflow, 1);
}

static void forget(void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;
	if (atomic_load_explicit(&ctl->live, memory_order_relaxed) == 0)
		return;
	lock();
	for (size_t i = slot_of(p), k = 0; k < TABLE_SIZE && table[i] != 0;
	     i = (i + 1) & (TABLE_SIZE - 1), k++)
		if (table[i] == p) {
			table[i] = TOMB;
			atomic_fetch_sub(&ctl->live, 1);
			break;
		}
	unlock();
}

__attribute__((constructor)) static void oom_init(void)
{
	const char *path = getenv("SS_OOM_CTL");
	if (!path)
		return;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	void *m = mmap(NULL, sizeof(struct oom_ctl), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m != MAP_FAILED)
		ctl = m;
}

/* True when this allocation is the one to fail. Counts it while armed. */
#define should_fail() should_fail_((uintptr_t)__builtin_return_address(0))
static int should_fail_(uintptr_t caller)
{
	if (!ctl)
		return 0;
	atomic_fetch_add_explicit(&ctl->seen, 1, memory_order_relaxed);
	if (!atomic_load_explicit(&ctl->armed, memory_order_acquire))
		return 0;
	long n = atomic_fetch_add(&ctl->count, 1) + 1;
	if (n == atomic_load(&ctl->fail_at)) {
		atomic_store(&ctl->fail_caller, (long)caller);
		atomic_store(&ctl->failed, 1);
		return 1;
	}
	return 0;
}

/* Writes the caller of every block still recorded, for the test to report a leak with
 * (resolve with the signer's /proc/<pid>/maps and addr2line). No allocation here. */
static void dump_callers(void)
{
	lock();
	for (size_t i = 0; i < TABLE_SIZE; i++)
		if (table[i] > TOMB) {
			char line[64];
			int n = snprintf(line, sizeof line, "oom: left %p\n", (void *)callers[i]);
			if (n > 0 && write(2, line, (size_t)n) < 0)
				break;
		}
	unlock();
}

static void *track_(void *p, uintptr_t caller)
{
	if (!ctl)
		return p;
	if (p && atomic_load_explicit(&ctl->armed, memory_order_acquire))
		record(p, caller);
	if (atomic_exchange(&ctl->dump, 0))
		dump_callers();
	return p;
}
#define track(p) track_((p), (uintptr_t)__builtin_return_address(0))

void *malloc(size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return track(__libc_malloc(n));
}

void *calloc(size_t n, size_t m)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return track(__libc_calloc(n, m));
}

void *realloc(void *p, size_t n)
{
	if (p == NULL)
		return malloc(n);
	if (should_fail()) {
		errno = ENOMEM;
		return NULL; /* p stays valid, as realloc promises */
	}
	void *q = __libc_realloc(p, n);
	if (q != NULL && ctl) {
		forget(p);
		track(q);
	}
	return q;
}

void free(void *p)
{
	if (p == NULL)
		return;
	if (ctl)
		forget(p);
	__libc_free(p);
}
