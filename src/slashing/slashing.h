/* Slashing protection (EIP-3076): the one public interface of the slashing module.
 *
 * A slash_db is a per-process handle on one slashing-protection store. Signing code calls
 * slash_check_block / slash_check_attestation before it releases a BLOCK, BLOCK_V2 or
 * ATTESTATION signature: the call checks the message against the validator's history and,
 * when it is safe, records it, and answers SLASH_ALLOWED only after that record is durable
 * (DESIGN.md §2, invariants 1 and 2). Checks from many threads are applied by one writer
 * in one transaction and one fsync (group commit), so durability costs little per check.
 *
 * The rules, where they are stricter than Web3Signer and why, are in
 * docs/slashing-protection.md. Storage backends sit behind slashing/store.h: the
 * embedded SQLite store (slash_open_sqlite) and, when built with libpq, a PostgreSQL
 * database that several signers share (slash_open_postgres). Every function here is
 * thread safe. */
#ifndef SS_SLASHING_H
#define SS_SLASHING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define SLASH_PUBKEY_BYTES 48
#define SLASH_ROOT_BYTES 32

/* Pruning keeps this many epochs of history below the newest record by default (about
 * 27 hours on mainnet): far more than any honest client re-signs. */
#define SLASH_PRUNE_DEFAULT_KEEP_EPOCHS 256u
#define SLASH_DEFAULT_SLOTS_PER_EPOCH 32u

typedef struct slash_db slash_db;

typedef enum {
	SLASH_ALLOWED = 0, /* safe, and recorded durably: the signature may be released */
	SLASH_REFUSED,     /* a rule refused it (HTTP 412); nothing was recorded */
	SLASH_ERROR        /* the store failed (HTTP 500/503); nothing may be signed */
} slash_decision;

/* Why a check was refused or what failed, in words fit for a 412 body or a CLI error. */
typedef struct {
	char message[256];
} slash_reason;

typedef struct {
	/* Most checks applied in one transaction; 0 means the default (1024). */
	unsigned max_batch;
	/* false: one transaction and one fsync per check (the benchmark's baseline). */
	bool group_commit;
	/* false: open without the writer thread (offline CLI use); checks then run inline. */
	bool writer_thread;
	/* The longest a held check (slash_check_async) waits for its release, in
	 * microseconds; 0 means the default (SLASH_HOLD_DEFAULT_MAX_US). */
	unsigned hold_max_us;
	/* Background pruning (with the writer thread only): every prune_interval_s seconds,
	 * first one interval after open, slash_prune(prune_keep_epochs,
	 * prune_slots_per_epoch). 0 turns it off. */
	unsigned prune_interval_s;
	uint64_t prune_keep_epochs, prune_slots_per_epoch;
	/* Web3Signer's --slashing-protection-pruning-at-boot-enabled: the first run right
	 * after open instead of one interval later. */
	bool prune_at_boot;
} slash_options;

/* A held check waits at most 20 ms for its release by default: a release that never
 * comes delays a check but never strands it. */
#define SLASH_HOLD_DEFAULT_MAX_US 20000u

/* Pruning runs every 12 hours by default (as Web3Signer's default interval). */
#define SLASH_PRUNE_DEFAULT_INTERVAL_S (12u * 3600u)

/* The defaults: group commit on, writer thread on, max_batch 1024, held checks wait at
 * most SLASH_HOLD_DEFAULT_MAX_US, pruning every 12 h keeping
 * SLASH_PRUNE_DEFAULT_KEEP_EPOCHS epochs; every other field 0. */
void slash_options_default(slash_options *opts);

/* Opens (creating and migrating as needed) the SQLite store at path, normally
 * <data-dir>/slashing.sqlite. opts may be NULL for the defaults. SS_ERR_IO when the file
 * cannot be opened or its schema is newer than this build knows. */
ss_err slash_open_sqlite(slash_db **db, const char *path, const slash_options *opts) SS_MUST_USE;

/* Opens (creating and migrating as needed) the store in a PostgreSQL database, given a
 * libpq connection string; several signer instances may share it (each transaction holds
 * a database-wide advisory lock, so their check-and-records never interleave).
 * SS_ERR_UNSUPPORTED when this build has no libpq. */
ss_err slash_open_postgres(slash_db **db, const char *conninfo, const slash_options *opts) SS_MUST_USE;

/* Opens the SQLite store at path read-only, beside a running signer that writes it
 * (`slashing export`, `watermark get`): the file must exist and have this build's
 * schema; nothing is created, migrated or checkpointed; there is no writer thread, and
 * every write (check, import, prune, watermark change, pinning a root) fails. WAL
 * readers see the last committed state and never block the signer. */
ss_err slash_open_sqlite_readonly(slash_db **db, const char *path) SS_MUST_USE;

/* Stops the writer after the queued checks are answered, and closes the store. */
void slash_close(slash_db *db);

/* Check-and-record of a block proposal (EIP-3076 "Conditions" 1-2): refuses a different
 * block at a signed slot, a slot below the validator's history or low watermark, a slot
 * at or above the high watermark, a disabled validator, and a genesis validators root
 * other than the one pinned on first use. Re-signing the identical block is allowed.
 * why may be NULL. */
slash_decision slash_check_block(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
				 const uint8_t gvr[SLASH_ROOT_BYTES], uint64_t slot,
				 const uint8_t signing_root[SLASH_ROOT_BYTES], slash_reason *why);

/* Check-and-record of an attestation (EIP-3076 "Conditions" 3-5): refuses source > target,
 * a double vote, a surrounding or surrounded vote, epochs below the history or low
 * watermark, epochs at or above the high watermark, a disabled validator, and a foreign
 * genesis validators root. Re-signing the identical attestation is allowed. */
slash_decision slash_check_attestation(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
				       const uint8_t gvr[SLASH_ROOT_BYTES], uint64_t source,
				       uint64_t target,
				       const uint8_t signing_root[SLASH_ROOT_BYTES],
				       slash_reason *why);

/* The same checks with the answer delivered by callback instead of a sleeping thread:
 * done(ctx, decision, why) is called exactly once, on the writer thread once the record
 * is durable (or the batch failed), or before this returns (no memory, closing, or a
 * store opened without a writer). done must be quick: the writer's next batch waits for
 * it. The signer uses this so that no thread sits idle for each commit in flight.
 *
 * hold: the caller has other work to do before it needs the answer (the signer: a
 * signature still queued behind others). The writer then keeps the check, and those
 * queued after it, out of a transaction until slash_release(db, ticket) with the
 * returned ticket (or one after it), or for at most opts.hold_max_us; so checks whose
 * callers are still busy gather into one transaction and one fsync instead of many,
 * which is most of the writer's CPU (docs/benchmarks.md). Returns the ticket (0 when
 * done was already called). */
typedef void (*slash_done_fn)(void *ctx, slash_decision d, const slash_reason *why);
typedef struct {
	bool attestation; /* else a block proposal */
	uint8_t pubkey[SLASH_PUBKEY_BYTES];
	uint8_t gvr[SLASH_ROOT_BYTES];
	uint8_t signing_root[SLASH_ROOT_BYTES];
	uint64_t slot;		 /* a block's */
	uint64_t source, target; /* an attestation's */
} slash_check;
uint64_t slash_check_async(slash_db *db, const slash_check *check, bool hold, slash_done_fn done,
			   void *ctx);
/* Lets every check with a ticket up to ticket into the writer's next transaction. */
void slash_release(slash_db *db, uint64_t ticket);

/* Imports an EIP-3076 interchange (format version 5) and merges it into the history,
 * never lowering protection. With n_only > 0 only entries for those keys are imported.
 * All or nothing: on any error nothing changes and why names the offending entry
 * ("data[2].signed_attestations[0]: ..."). Errors: SS_ERR_INVALID (malformed JSON, wrong
 * version or field), SS_ERR_RANGE (a number above 2^64-1), SS_ERR_REFUSED (a genesis
 * validators root other than the pinned one, or slashable data, within the file or
 * against the stored history), SS_ERR_IO. */
ss_err slash_import_interchange(slash_db *db, const char *json, size_t len,
				const uint8_t (*only_pubkeys)[SLASH_PUBKEY_BYTES], size_t n_only,
				slash_reason *why) SS_MUST_USE;

/* Exports the history as an EIP-3076 v5 interchange: every validator when n == 0,
 * otherwise the given keys (unknown keys are left out). *json_out is malloc'ed, NUL
 * terminated; the caller frees it. SS_ERR_NOT_FOUND when no genesis validators root is
 * pinned yet (nothing was ever signed or imported). */
ss_err slash_export_interchange(slash_db *db, const uint8_t (*pubkeys)[SLASH_PUBKEY_BYTES],
				size_t n, char **json_out) SS_MUST_USE;
/* The bytes of an interchange file: slash_export_interchange's text and a final newline.
 * `secure-signer slashing export` writes them and GET /api/v1/eth2/slashing-protection
 * answers them, so the two are equal byte for byte. *len_out excludes the NUL. */
ss_err slash_export_interchange_file(slash_db *db, const uint8_t (*pubkeys)[SLASH_PUBKEY_BYTES],
				     size_t n, char **text_out, size_t *len_out) SS_MUST_USE;

/* Registers pubkey if it is new, and sets whether it may sign (Web3Signer §3.7:
 * keymanager DELETE disables, import enables). A disabled validator's checks are refused. */
ss_err slash_set_enabled(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
			 bool enabled) SS_MUST_USE;
/* SS_ERR_NOT_FOUND for a key the store has never seen. */
ss_err slash_get_enabled(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
			 bool *enabled) SS_MUST_USE;

/* Pins the network: binds an empty store to gvr (the signer calls it at startup with its
 * configured network's root). SS_OK when already bound to the same root; SS_ERR_REFUSED
 * when bound to another. */
ss_err slash_pin_gvr(slash_db *db, const uint8_t gvr[SLASH_ROOT_BYTES]) SS_MUST_USE;

/* The genesis validators root pinned by the first check or import; *pinned false if none. */
ss_err slash_get_gvr(slash_db *db, uint8_t gvr[SLASH_ROOT_BYTES], bool *pinned) SS_MUST_USE;

/* The global high watermark (migration kill-switch, Web3Signer §3.6): while set, blocks
 * with slot >= slot and attestations with source or target >= epoch are refused for
 * every validator. */
typedef struct {
	bool set;
	uint64_t epoch;
	uint64_t slot;
} slash_watermark;

/* Reads the database (not a cache): SS_ERR_IO when it cannot be read, so it doubles as
 * a health probe. */
ss_err slash_get_high_watermark(slash_db *db, slash_watermark *out) SS_MUST_USE;
ss_err slash_set_high_watermark(slash_db *db, uint64_t epoch, uint64_t slot) SS_MUST_USE;
ss_err slash_clear_high_watermark(slash_db *db) SS_MUST_USE;

/* What one pruning run did. */
typedef struct {
	uint64_t validators;           /* validators whose low watermarks moved */
	uint64_t blocks_deleted;
	uint64_t attestations_deleted;
} slash_prune_stats;

/* Deletes history more than keep_epochs epochs (keep_epochs * slots_per_epoch slots)
 * below each validator's newest record, first moving the validator's low watermarks up
 * so that nothing deleted could ever be signed against (docs/slashing-protection.md).
 * keep_epochs must be >= 1. stats may be NULL. */
ss_err slash_prune(slash_db *db, uint64_t keep_epochs, uint64_t slots_per_epoch,
		   slash_prune_stats *stats) SS_MUST_USE;

/* Group-commit counters since open, for metrics and the benchmark. */
typedef struct {
	uint64_t batches;     /* transactions committed (or failed) by the writer */
	uint64_t checks;      /* checks answered */
	uint64_t apply_ns;    /* time spent applying the rules inside batches */
	uint64_t commit_ns;   /* time spent in COMMIT (the fsync) */
} slash_stats;

void slash_get_stats(slash_db *db, slash_stats *out);

/* Whether a record can be written now: a write transaction that rewrites the metadata
 * row (committed on SQLite, rolled back on PostgreSQL; see store.h probe_commits). For
 * the start-up check and the /healthcheck probe: a store that can be read but not
 * written (a read-only file, directory or file system) would otherwise look healthy
 * while every block and attestation fails. why names the backend's error. */
ss_err slash_write_check(slash_db *db, slash_reason *why) SS_MUST_USE;

/* The writer's counters, read without waiting for a transaction in progress (for
 * /metrics: a store that hangs must not hang the scrape too). */
typedef struct {
	uint64_t transactions; /* batches committed (or failed) */
	uint64_t checks;       /* checks answered */
	uint64_t queued;       /* checks waiting for a transaction now */
} slash_counts;
void slash_get_counts(slash_db *db, slash_counts *out);

/* A validator's low watermarks (the floors set by pruning or by
 * slash_raise_low_watermarks); has_* false when unset. */
typedef struct {
	bool has_slot, has_epochs;
	uint64_t slot, source_epoch, target_epoch;
} slash_low_watermark;

/* Raises (never lowers) low watermarks to slot and to epoch for both source and target:
 * Web3Signer's `watermark-repair`, for validators whose history elsewhere is unknown
 * (a migration without an interchange file). Afterwards blocks below slot and
 * attestations with source or target below epoch are refused. n == 0: every validator
 * in the store; otherwise the given keys, registered if new. All or nothing. */
ss_err slash_raise_low_watermarks(slash_db *db, const uint8_t (*pubkeys)[SLASH_PUBKEY_BYTES], size_t n,
				  uint64_t epoch, uint64_t slot) SS_MUST_USE;

ss_err slash_get_low_watermark(slash_db *db, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
			       slash_low_watermark *out) SS_MUST_USE;

#endif
