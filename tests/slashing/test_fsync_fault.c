/* Fault injection (CONVENTIONS.md): fsync fails. A shim SQLite VFS forwards every call
 * to the default one but makes xSync fail on demand. While it fails, every check must
 * answer SLASH_ERROR (never ALLOWED: nothing may be signed without a durable record),
 * concurrent callers included; once it works again the store recovers without a
 * restart, and after a restart everything that was ALLOWED is still there. */
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "slash_test_util.h"
#include "test.h"

static sqlite3_vfs *base_vfs;
static sqlite3_vfs shim_vfs;
static atomic_int fail_sync;
static atomic_int syncs_failed;

typedef struct {
	sqlite3_file base; /* our methods */
	sqlite3_file *real; /* the default VFS's file, allocated right after this struct */
} shim_file;

#define REAL(f) (((shim_file *)(f))->real)

static int sh_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int sh_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int sh_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xWrite(REAL(f), b, n, o); }
static int sh_truncate(sqlite3_file *f, sqlite3_int64 s) { return REAL(f)->pMethods->xTruncate(REAL(f), s); }
static int sh_sync(sqlite3_file *f, int flags)
{
	if (atomic_load(&fail_sync)) {
		atomic_fetch_add(&syncs_failed, 1);
		return SQLITE_IOERR_FSYNC;
	}
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int sh_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int sh_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int sh_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int sh_reserved(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int sh_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int sh_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int sh_devchar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int sh_shmmap(sqlite3_file *f, int i, int sz, int ext, void volatile **p) { return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, ext, p); }
static int sh_shmlock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void sh_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int sh_shmunmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }

/* Version 2 methods: no memory-mapped I/O through the shim. */
static const sqlite3_io_methods shim_io = {
	2, sh_close, sh_read, sh_write, sh_truncate, sh_sync, sh_size, sh_lock, sh_unlock, sh_reserved,
	sh_fcntl, sh_sector, sh_devchar, sh_shmmap, sh_shmlock, sh_shmbarrier, sh_shmunmap, NULL, NULL,
};

static int sh_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	shim_file *s = (shim_file *)file;
	s->real = (sqlite3_file *)(s + 1);
	int rc = base_vfs->xOpen(base_vfs, name, s->real, flags, out_flags);
	/* SQLite calls xClose only when pMethods is set */
	file->pMethods = rc == SQLITE_OK ? &shim_io : NULL;
	return rc;
}

static int sh_delete(sqlite3_vfs *v, const char *n, int d) { (void)v; return base_vfs->xDelete(base_vfs, n, d); }
static int sh_access(sqlite3_vfs *v, const char *n, int f, int *r) { (void)v; return base_vfs->xAccess(base_vfs, n, f, r); }
static int sh_fullpath(sqlite3_vfs *v, const char *n, int c, char *o) { (void)v; return base_vfs->xFullPathname(base_vfs, n, c, o); }
static int sh_random(sqlite3_vfs *v, int n, char *o) { (void)v; return base_vfs->xRandomness(base_vfs, n, o); }
static int sh_sleep(sqlite3_vfs *v, int us) { (void)v; return base_vfs->xSleep(base_vfs, us); }
static int sh_time(sqlite3_vfs *v, double *t) { (void)v; return base_vfs->xCurrentTime(base_vfs, t); }
static int sh_lasterr(sqlite3_vfs *v, int n, char *b) { (void)v; return base_vfs->xGetLastError(base_vfs, n, b); }

static void install_shim(void)
{
	base_vfs = sqlite3_vfs_find(NULL);
	memset(&shim_vfs, 0, sizeof shim_vfs);
	shim_vfs.iVersion = 1;
	shim_vfs.szOsFile = (int)sizeof(shim_file) + base_vfs->szOsFile;
	shim_vfs.mxPathname = base_vfs->mxPathname;
	shim_vfs.zName = "ss-fsync-fault";
	shim_vfs.xOpen = sh_open;
	shim_vfs.xDelete = sh_delete;
	shim_vfs.xAccess = sh_access;
	shim_vfs.xFullPathname = sh_fullpath;
	shim_vfs.xDlOpen = NULL;
	shim_vfs.xRandomness = sh_random;
	shim_vfs.xSleep = sh_sleep;
	shim_vfs.xCurrentTime = sh_time;
	shim_vfs.xGetLastError = sh_lasterr;
	sqlite3_vfs_register(&shim_vfs, 1); /* the default for the opens that follow */
}

static void remove_shim(void)
{
	sqlite3_vfs_unregister(&shim_vfs);
}

TEST(fsync_failure_never_allows)
{
	char dir[256];
	if (!tdb_mkdir(dir))
		return;
	install_shim();
	slash_db *db = tdb_open(dir);
	uint8_t pk[48], gvr[32] = { 4 }, r1[32], r2[32];
	tdb_key(pk, 0);
	tdb_root(r1, 1);
	tdb_root(r2, 2);
	if (db == NULL) {
		remove_shim();
		return;
	}
	CHECK(slash_check_attestation(db, pk, gvr, 1, 2, r1, NULL) == SLASH_ALLOWED);

	atomic_store(&fail_sync, 1);
	slash_reason why;
	CHECK(slash_check_attestation(db, pk, gvr, 2, 3, r1, &why) == SLASH_ERROR);
	CHECK_MSG(strstr(why.message, "slashing database") != NULL, "%s", why.message);
	CHECK(slash_check_block(db, pk, gvr, 5, r1, NULL) == SLASH_ERROR);
	slash_decision raced[8];
	tdb_race_attestations(db, 8, gvr, 10, 11, 7, raced);
	for (unsigned i = 0; i < 8; i++)
		CHECK_MSG(raced[i] == SLASH_ERROR, "a check was answered %d while fsync failed", raced[i]);
	CHECK(atomic_load(&syncs_failed) > 0);

	/* fsync works again: the same process recovers; nothing of the failed batches may
	 * be relied on, so a conflicting message may now be decided either way, but the
	 * decision must be consistent with what is durable */
	atomic_store(&fail_sync, 0);
	slash_decision d = slash_check_attestation(db, pk, gvr, 2, 3, r2, NULL);
	CHECK(d != SLASH_ERROR);
	CHECK(slash_check_attestation(db, pk, gvr, 3, 4, r1, NULL) == SLASH_ALLOWED);
	CHECK(slash_check_block(db, pk, gvr, 6, r1, NULL) == SLASH_ALLOWED);
	slash_close(db);

	/* after a restart everything that was ALLOWED is still there */
	db = tdb_open(dir);
	if (db != NULL) {
		CHECK(slash_check_attestation(db, pk, gvr, 1, 2, r2, NULL) == SLASH_REFUSED);
		CHECK(slash_check_attestation(db, pk, gvr, 3, 4, r2, NULL) == SLASH_REFUSED);
		CHECK(slash_check_block(db, pk, gvr, 6, r2, NULL) == SLASH_REFUSED);
		if (d == SLASH_ALLOWED)
			CHECK(slash_check_attestation(db, pk, gvr, 2, 3, r1, NULL) == SLASH_REFUSED);
		slash_close(db);
	}
	remove_shim();
	tdb_rmdir(dir);
}
