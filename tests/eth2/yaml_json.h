/* Test helpers for the eth2 tests: YAML files as jansson trees, vector folders. */
#ifndef SS_TESTS_ETH2_YAML_JSON_H
#define SS_TESTS_ETH2_YAML_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loads a YAML document as JSON: mappings -> objects, sequences -> arrays, plain
 * scalars true/false -> booleans, every other scalar -> a string (so integers up to
 * 2^64-1 keep their exact decimal text, as beacon-API JSON carries them). NULL on error. */
json_t *yaml_load_as_json(const char *path);

/* Reads a whole file (malloc'ed); NULL on failure. */
uint8_t *read_bytes(const char *path, size_t *len);

/* Sorted names of the subdirectories of dir (malloc'ed array of malloc'ed strings). */
char **list_dir(const char *dir, size_t *count);
void free_list(char **names, size_t count);

/* snprintf into a path buffer; aborts the test program on truncation (paths are
 * short, so a truncated one is a harness bug). */
void pathf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Decodes "0x..." into out[n]; false unless exactly n bytes. */
bool hex_to(uint8_t *out, size_t n, const char *hex);

#endif
