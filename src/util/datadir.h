/* The data directory holds everything Secure-Signer persists (slashing database, sealed
 * key store, API token). One process at a time may use it: `secure-signer run` and the
 * offline subcommands that change it (keys import/generate/delete, slashing import,
 * prune, watermark set) take an exclusive lock on <dir>/.lock, so an offline change can
 * never race a running signer. Readers (keys list, slashing export, watermark get) take
 * no lock: the stores they read are consistent for a concurrent reader (SQLite WAL, the
 * sealed store's atomic renames). */
#ifndef SS_UTIL_DATADIR_H
#define SS_UTIL_DATADIR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define DATADIR_DEFAULT "./secure-signer-data"

typedef struct {
	int lock_fd;
	char path[4096];
} datadir;

/* Creates dir (mode 0700) if needed and locks it. SS_ERR_EXISTS when another process
 * holds the lock (a running signer), SS_ERR_IO when the directory cannot be created or
 * opened, SS_ERR_INVALID when the path is too long. */
ss_err datadir_open(datadir *dd, const char *dir) SS_MUST_USE;

/* For a reader next to a running signer (`keys list`, `slashing export`, `watermark
 * get`): the directory must exist; nothing is created and no lock is taken, so the
 * signer can run (or start) meanwhile; dd->lock_fd is -1 and datadir_close is a no-op.
 * SS_ERR_NOT_FOUND when dir is not a directory. Writers keep datadir_open. */
ss_err datadir_open_readonly(datadir *dd, const char *dir) SS_MUST_USE;

/* True when a process holds dir's lock now (a running signer or offline command).
 * Creates nothing; for `config check`. */
bool datadir_in_use(const char *dir);

/* Releases the lock. */
void datadir_close(datadir *dd);

/* Writes <dir>/<name> into out; SS_ERR_INVALID when it does not fit. */
ss_err datadir_file(const datadir *dd, const char *name, char *out, size_t cap) SS_MUST_USE;

#endif
