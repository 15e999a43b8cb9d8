/* Internals shared by the SQLite backend's files. */
#ifndef SS_SLASHING_SQLITE_INTERNAL_H
#define SS_SLASHING_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "slashing/slashing_internal.h"

/* uint64 <-> SQLite INTEGER, order preserving: stored = value - 2^63, so that the
 * database's signed comparisons order slots and epochs correctly up to 2^64-1. Written
 * without out-of-range conversions, which C leaves implementation-defined. */
static inline int64_t slash_u64_to_db(uint64_t v)
{
	const uint64_t half = (uint64_t)1 << 63;
	if (v >= half)
		return (int64_t)(v - half);
	return -(int64_t)(half - 1 - v) - 1;
}

static inline uint64_t slash_db_to_u64(int64_t s)
{
	const uint64_t half = (uint64_t)1 << 63;
	if (s >= 0)
		return (uint64_t)s + half;
	return half - 1 - (uint64_t)(-(s + 1));
}

/* Creates or upgrades the schema (sqlite_schema.c); SQLITE_OK or an error with why. */
int slash_sqlite_migrate(sqlite3 *db, slash_reason *why);

/* The background checkpointer (sqlite_checkpoint.c); NULL when it cannot start. */
typedef struct slash_checkpointer slash_checkpointer;
slash_checkpointer *slash_checkpointer_start(const char *path);
void slash_checkpointer_poke(slash_checkpointer *c);
void slash_checkpointer_stop(slash_checkpointer *c);

#endif
