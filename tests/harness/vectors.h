/* Table-driven runner for the official vectors (CONVENTIONS.md "Tests"). Vectors are
 * read from $SECURE_SIGNER_VECTORS, or from ../shared/vectors beside the repository;
 * when neither exists the test is reported as skipped, never as passed. Every case has
 * a name (its file stem, or its "name" field), and `test_x NAME` runs only that case. */
#ifndef SS_TEST_VECTORS_H
#define SS_TEST_VECTORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The vectors folder, or NULL when it does not exist. */
const char *vectors_dir(void);

/* True when the vectors are present; otherwise marks the current test skipped. */
bool vectors_require(void);

/* Writes <vectors>/<rel> into buf; false if it does not fit or vectors are absent. */
bool vectors_path(char *buf, size_t cap, const char *rel);

/* The case name given on the command line, or NULL (run every case). */
const char *test_selected_case(void);

/* True when the case should run: no case was selected, or this is the one. */
bool vectors_case_selected(const char *name);

/* A case handler returns true when the case passed; it reports details with CHECK. */
typedef bool (*vector_case_fn)(const char *name, json_t *root, void *ctx);

/* Runs fn on every *.json file of <vectors>/<rel_dir> in name order, named by the file
 * stem; each result is counted with test_count_case. Returns the number of cases run,
 * or -1 when the folder cannot be read (reported as a failure). */
int vectors_for_each_file(const char *rel_dir, vector_case_fn fn, void *ctx);

/* Runs fn on every element of a JSON array, named by its member name_key. */
int vectors_for_each_element(json_t *array, const char *name_key, vector_case_fn fn, void *ctx);

/* Loads <vectors>/<rel> as JSON; NULL (and a test failure) on error. */
json_t *vectors_load_json(const char *rel);

#endif
