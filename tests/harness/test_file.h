/* Whole files read and written by tests, fuzz replay and test tools. A library of its
 * own (ss_test_file, without the runner's main), so that programs with their own main
 * link it too; test.h includes this header. */
#ifndef SS_TEST_FILE_H
#define SS_TEST_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Reads a whole file into a NUL-terminated malloc'ed buffer; NULL on failure. */
char *test_read_file(const char *path, size_t *len);

/* Creates or truncates path and writes data[0..len) to it; false when opening, writing
 * or closing fails. */
bool test_write_file(const char *path, const void *data, size_t len);

/* test_write_file of a NUL-terminated text, without its NUL. */
bool test_write_text(const char *path, const char *text);

#endif
