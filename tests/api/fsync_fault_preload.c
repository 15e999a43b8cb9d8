/* LD_PRELOAD shim for the end-to-end fault test: fsync and fdatasync fail with EIO while
 * the file named by SS_FSYNC_FAULT_FILE exists, and work normally otherwise. Loaded into
 * a running `secure-signer`, it makes the slashing store's commits fail on demand, the
 * way a dying disk would, so the HTTP answer to that failure can be checked. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int failing(void)
{
	const char *trigger = getenv("SS_FSYNC_FAULT_FILE");
	return trigger && access(trigger, F_OK) == 0;
}

int fdatasync(int fd)
{
	if (failing()) {
		errno = EIO;
		return -1;
	}
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	return real ? real(fd) : (errno = ENOSYS, -1);
}

int fsync(int fd)
{
	if (failing()) {
		errno = EIO;
		return -1;
	}
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return real ? real(fd) : (errno = ENOSYS, -1);
}
