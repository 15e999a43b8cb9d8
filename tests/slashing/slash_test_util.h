/* Helpers shared by the slashing tests: throw-away data directories and small codecs. */
#ifndef SS_SLASH_TEST_UTIL_H
#define SS_SLASH_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "slashing/slashing.h"

/* Creates a fresh directory under $TMPDIR (or /tmp) into dir (256 bytes). */
bool tdb_mkdir(char dir[256]);
/* <dir>/slashing.sqlite into out (512 bytes). */
void tdb_path(char out[512], const char *dir);
/* Removes dir and everything in it. */
void tdb_rmdir(const char *dir);
/* With SLASH_TEST_PG set (tests/slashing/with-postgres.sh): writes a connection string
 * for dir's own schema (created) into out; false otherwise. */
bool tdb_pg_conninfo(const char *dir, char out[1024]);
/* Opens <dir>/slashing.sqlite with default options, or dir's PostgreSQL schema when
 * SLASH_TEST_PG is set (NULL on failure, reported). */
slash_db *tdb_open(const char *dir);
/* The same with opts (NULL: the defaults). */
slash_db *tdb_open_with(const char *dir, const slash_options *opts);

/* A deterministic test key / root: byte pattern from n. */
void tdb_key(uint8_t pk[SLASH_PUBKEY_BYTES], unsigned n);
void tdb_root(uint8_t root[SLASH_ROOT_BYTES], uint64_t n);

/* Starts n (<= 8) threads at once, thread i checking the attestation (source, target,
 * root tdb_root(root_n)) for key tdb_key(i + 1); out[i] receives its decision. The fault
 * tests use it to show that concurrent callers batched into a failing commit are all
 * refused, not only the first. */
void tdb_race_attestations(slash_db *db, unsigned n, const uint8_t gvr[SLASH_ROOT_BYTES],
			   uint64_t source, uint64_t target, uint64_t root_n, slash_decision *out);

/* xorshift64* generator for the randomised tests (seeded, so failures replay). */
uint64_t tdb_rand(uint64_t *state);

#endif
