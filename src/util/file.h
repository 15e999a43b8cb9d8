/* Reading a whole file, the one way every module does it: bounded, regular files only,
 * NUL-terminated for text parsers, and safe for secrets (no unwiped copy is left behind
 * when the buffer grows or the read fails). */
#ifndef SS_UTIL_FILE_H
#define SS_UTIL_FILE_H

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

#endif
