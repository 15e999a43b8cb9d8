/* The data directory holds everything Secure-Signer persists (slashing database, sealed
 * key store, API token). One process at a time may use it: `secure-signer run` and the
 * offline subcommands (keys, slashing) take an exclusive lock on <dir>/.lock, so an
 * offline change can never race a running signer. */
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

/* True when a process holds dir's lock now (a running signer or offline command).
 * Creates nothing; for `config check`. */
bool datadir_in_use(const char *dir);

/* Releases the lock. */
void datadir_close(datadir *dd);

/* Writes <dir>/<name> into out; SS_ERR_INVALID when it does not fit. */
ss_err datadir_file(const datadir *dd, const char *name, char *out, size_t cap) SS_MUST_USE;

#endif
