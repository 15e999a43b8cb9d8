/* Whole files, the one way every module reads and replaces them. Reads (file.c) are
 * bounded, regular files only, NUL-terminated for text parsers, and safe for secrets (no
 * unwiped copy is left behind when the buffer grows or the read fails); writes
 * (file_write.c) are atomic and durable. */
#ifndef SS_UTIL_FILE_H
#define SS_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* Reads the regular file at path into a malloc'ed buffer of *len bytes plus a NUL.
 * SS_ERR_NOT_FOUND when it does not exist, SS_ERR_INVALID when it is not a regular file
 * (a directory, a pipe, a device), SS_ERR_RANGE when it holds more than max bytes,
 * SS_ERR_IO or SS_ERR_NOMEM otherwise; *out is NULL on error. "-" is an ordinary name
 * here: a caller that accepts standard input says so with file_read_stdin. A caller
 * holding secrets wipes the buffer before free (secure_zero). */
ss_err file_read_all(const char *path, size_t max, char **out, size_t *len) SS_MUST_USE;

/* The same into secure memory (util/secure_mem.h: locked, out of core dumps, wiped),
 * for a file that holds a secret in clear (a YAML key file's privateKey); free it with
 * secure_free. The file is read with read(2), no stdio buffer in between. */
ss_err file_read_secret(const char *path, size_t max, char **out, size_t *len) SS_MUST_USE;

/* The same for standard input (a pipe or a redirected file), up to max bytes. */
ss_err file_read_stdin(size_t max, char **out, size_t *len) SS_MUST_USE;

/* Replaces path with data, atomically and durably: a uniquely named temporary file in
 * the same directory, fsync, rename, fsync of the directory. mode is the new file's
 * mode (0600 for anything secret). On failure the old file is untouched and no temporary
 * file is left; SS_ERR_INVALID for a path too long, SS_ERR_IO otherwise (errno kept). */
ss_err file_write_atomic(const char *path, const void *data, size_t len, int mode) SS_MUST_USE;

/* The staging half of an atomic write, for callers that rename later themselves (the
 * sealed key store's journal): writes data to tmp with mode and fsyncs it. On failure
 * tmp is removed. */
ss_err file_write_durable(const char *tmp, const void *data, size_t len, int mode) SS_MUST_USE;

/* fsync(2) of a directory, so that renames and unlinks in it are durable. */
ss_err file_fsync_dir(const char *dir) SS_MUST_USE;

#endif
