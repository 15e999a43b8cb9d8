/* LD_PRELOAD shim for the end-to-end tests of the occlum and tsm providers
 * (test_tee_occlum_run, test_tee_tsm_run): the real `secure-signer run`, started with
 * SECURE_SIGNER_TEE_ROOT=<root>, finds its device files under the fake root; this shim
 * plays the parts a plain file cannot, with the same fakes the unit tests use:
 *
 *   ioctl on <root>/dev/sgx         Occlum's device (fake_sgx_dev.c)
 *   ioctl on <root>/dev/sev-guest   the SNP firmware's derived key (fake_tsm_kernel.c)
 *   mkdir, rmdir under <root>/sys/kernel/config/tsm/report   configfs-tsm, with a thread
 *                                   of the signer's process serving each outblob read
 *
 * Every other call goes to the real function. Set by the test, read at the first call:
 *
 *   SS_FAKE_TEE_DEVICE        "occlum", "tdx_guest" or "sev_guest"
 *   SS_FAKE_TEE_EVIDENCE      a recorded SGX quote, TDX quote or SNP report
 *                             (../shared/vectors/tee/…); its report data is patched
 *   SS_FAKE_TEE_MEASUREMENT   optional, two hex digits: the enclave's MRENCLAVE (occlum) or
 *                             the guest's MEASUREMENT (sev_guest) is filled with this byte
 *
 * While <root>/libos-hostile (FAKE_LIBOS_HOSTILE) exists the device is a hostile host: the
 * evidence carries other report data than was asked for. The evidence it serves is real
 * evidence with its report data (and, when asked, its measurement) patched, so its
 * signature no longer verifies — it is never presented as anything else. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sgx_dev.h"
#include "fake_tree.h"
#include "fake_tsm_kernel.h"
#include "test_file.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t sgx_lock = PTHREAD_MUTEX_INITIALIZER;
static char sgx_path[1024], sev_path[1024], hostile_path[1024];
static bool sgx_on, tsm_on;

static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_rmdir)(const char *);

static void fail(const char *what)
{
	fprintf(stderr, "tee_dev_preload: %s\n", what);
	abort(); /* a shim that cannot play its part must not let a test pass */
}

static void init(void)
{
	real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	real_mkdir = (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");
	real_rmdir = (int (*)(const char *))dlsym(RTLD_NEXT, "rmdir");
	const char *root = getenv("SECURE_SIGNER_TEE_ROOT");
	const char *device = getenv("SS_FAKE_TEE_DEVICE");
	const char *evidence = getenv("SS_FAKE_TEE_EVIDENCE");
	const char *m = getenv("SS_FAKE_TEE_MEASUREMENT");
	if (!root || !device || !evidence)
		return; /* not configured: every call is the real one */
	size_t len = 0;
	uint8_t *blob = (uint8_t *)test_read_file(evidence, &len);
	if (!blob)
		fail("cannot read SS_FAKE_TEE_EVIDENCE");
	snprintf(hostile_path, sizeof hostile_path, "%s/%s", root, FAKE_LIBOS_HOSTILE);
	unsigned mb = 0;
	bool have_m = m && sscanf(m, "%2x", &mb) == 1;
	if (strcmp(device, "occlum") == 0) {
		snprintf(sgx_path, sizeof sgx_path, "%s/dev/sgx", root);
		fake_sgx_reset(blob, len, (uint8_t)mb);
		if (!have_m) /* the recorded quote's own MRENCLAVE */
			memcpy(fake_sgx.mr_enclave, blob + 48 + 64, 32);
		sgx_on = true;
		return;
	}
	if (strcmp(device, "sev_guest") == 0) {
		if (len != 0x4A0)
			fail("SS_FAKE_TEE_EVIDENCE is not an SNP report");
		if (have_m)
			memset(blob + 0x90, (int)mb, 48);
		fake_sev_from_report(blob);
		snprintf(sev_path, sizeof sev_path, "%s/dev/sev-guest", root);
	} else if (strcmp(device, "tdx_guest") != 0) {
		fail("SS_FAKE_TEE_DEVICE is not occlum, tdx_guest or sev_guest");
	}
	char base[1100];
	snprintf(base, sizeof base, "%s/sys/kernel/config/tsm/report", root);
	fake_tsm_start(base, strcmp(device, "sev_guest") == 0 ? "sev_guest" : "tdx_guest", blob,
		       len);
	tsm_on = true;
}

/* fd is the file at path (compared by device and inode, as the signer opened it). */
static bool fd_is(int fd, const char *path)
{
	struct stat a, b;
	return path[0] && fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static bool hostile(void)
{
	return access(hostile_path, F_OK) == 0;
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&once, init);
	if (sgx_on && fd_is(fd, sgx_path)) {
		pthread_mutex_lock(&sgx_lock);
		fake_sgx.hostile = hostile();
		int r = fake_sgx_ioctl(fd, request, arg);
		int e = errno;
		pthread_mutex_unlock(&sgx_lock);
		errno = e;
		return r;
	}
	if (tsm_on && fd_is(fd, sev_path))
		return fake_sev_ioctl(fd, request, arg);
	if (!real_ioctl) {
		errno = ENOSYS;
		return -1;
	}
	return real_ioctl(fd, request, arg);
}

int mkdir(const char *path, mode_t mode)
{
	pthread_once(&once, init);
	if (!real_mkdir) {
		errno = ENOSYS;
		return -1;
	}
	if (!tsm_on)
		return real_mkdir(path, mode);
	pthread_mutex_lock(&fake_tsm.lock);
	fake_tsm.hostile = hostile();
	pthread_mutex_unlock(&fake_tsm.lock);
	return fake_tsm_mkdir(path, mode, real_mkdir);
}

int rmdir(const char *path)
{
	pthread_once(&once, init);
	if (!real_rmdir) {
		errno = ENOSYS;
		return -1;
	}
	if (!tsm_on)
		return real_rmdir(path);
	return fake_tsm_rmdir(path, real_rmdir);
}
