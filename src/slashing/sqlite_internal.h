/* Internals shared by the SQLite backend's files. */
#ifndef SS_SLASHING_SQLITE_INTERNAL_H
#define SS_SLASHING_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "slashing/slashing_internal.h"

/* Creates or upgrades the schema (sqlite_schema.c); SQLITE_OK or an error with why. */
int slash_sqlite_migrate(sqlite3 *db, slash_reason *why);
/* SQLITE_OK when the schema is this build's (no migration pending); for read-only
 * opens, which may not migrate. */
int slash_sqlite_check_current(sqlite3 *db, slash_reason *why);

/* The background checkpointer (sqlite_checkpoint.c); NULL when it cannot start. */
typedef struct slash_checkpointer slash_checkpointer;
slash_checkpointer *slash_checkpointer_start(const char *path);
void slash_checkpointer_poke(slash_checkpointer *c);
void slash_checkpointer_stop(slash_checkpointer *c);

#endif
