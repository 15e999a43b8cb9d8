/* The signing service's health and key reloads (DESIGN.md §3 "signer/": reload and
 * health belong to the service, not to the HTTP handlers): the outcome of the last
 * load of each key source, Web3Signer's background reload with its status
 * (reference/web3signer.md §1.5), and the slashing database's background write probe
 * (§1.4). /healthcheck, /reload and /metrics read and start these; they decide nothing.
 *
 * reload.c: key-source health and reloads; health.c: the database probe. */
#ifndef SS_SIGNER_HEALTH_H
#define SS_SIGNER_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "keys/keys.h"
#include "signer/keymanager.h"
#include "slashing/slashing.h"
#include "util/error.h"

/* The outcome of the last load of one key source. */
typedef struct {
	bool configured;
	uint64_t loaded;
	uint64_t errors;
} signer_source_health;

typedef struct {
	signer_source_health config_files, keystores, sealed;
} signer_keys_health;

typedef enum {
	SIGNER_RELOAD_IDLE = 0,
	SIGNER_RELOAD_RUNNING,
	SIGNER_RELOAD_COMPLETED,
	SIGNER_RELOAD_COMPLETED_WITH_ERRORS,
	SIGNER_RELOAD_FAILED
} signer_reload_state;

typedef struct {
	signer_reload_state state;
	time_t time; /* end of the last reload; 0: never */
	char error[256];
} signer_reload_status;

typedef struct {
	signer_km *km;                /* the lifecycle that reloads run through */
	keys_store *keys;
	const keys_sources *sources;  /* what a reload rescans (NULL: none) */
	keys_load_stats open_stats;   /* what the sealed store restored at open */
	slash_db *slashing;           /* NULL: no database to probe */
	unsigned db_interval_ms, db_timeout_ms; /* 0: 5000 and 3000 */
} signer_health_config;

#define SIGNER_DB_HEALTH_DEFAULT_INTERVAL_MS 5000u
#define SIGNER_DB_HEALTH_DEFAULT_TIMEOUT_MS 3000u

typedef struct signer_health signer_health;

/* Starts the database probe (its first answer is known on return). */
ss_err signer_health_new(signer_health **out, const signer_health_config *cfg) SS_MUST_USE;
/* Waits for a running reload, stops the probe, frees. */
void signer_health_free(signer_health *h);

/* Loads the key sources now, on this thread (at start, before the listener opens, as
 * Web3Signer serves nothing before its first load). SS_ERR_IO when a source could not
 * be read at all (nothing was removed then). */
ss_err signer_health_load_keys(signer_health *h) SS_MUST_USE;
/* Starts a reload on a background thread (ss-reload). false with *busy when one is
 * running, false without it when no thread could be started. */
bool signer_health_reload_start(signer_health *h, bool *busy);
void signer_health_reload_status(signer_health *h, signer_reload_status *out);

/* The key sources' last outcome. */
void signer_health_keys(signer_health *h, signer_keys_health *out);
/* The slashing database: true when the last probe wrote and none has been running for
 * longer than the timeout; why gets the reason otherwise. true without a database. */
bool signer_health_db_up(signer_health *h, char *why, size_t cap);

#endif
