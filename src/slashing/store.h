/* The storage-backend interface of the slashing module (module-internal).
 *
 * A backend stores validators, their signed blocks and attestations, and the global
 * metadata, and answers the few lookups the rules need. It knows no rule: rules.c,
 * interchange_*.c and prune.c decide, so a PostgreSQL backend only has to implement
 * these primitives (and its own per-validator locking) to behave identically.
 *
 * Every primitive returns one result type (Anastasis-style): OK; REFUSED when the store
 * itself refuses (a constraint); RETRY when the same call may succeed later (busy,
 * connection lost); FAIL for a hard error. All calls happen inside begin()/commit() on
 * one thread at a time: the caller (slash_db) serialises access. */
#ifndef SS_SLASHING_STORE_H
#define SS_SLASHING_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "slashing/slashing.h"

typedef enum {
	SLASH_STORE_OK = 0,
	SLASH_STORE_REFUSED,
	SLASH_STORE_RETRY,
	SLASH_STORE_FAIL
} slash_store_result;

/* One validator's row. min_* describe the oldest history recorded (EIP-3076 "complete"
 * strategy: nothing below it is known, so nothing below it is signed); lw_* are the low
 * watermarks (floors) set by pruning, below which history may have been deleted. */
typedef struct {
	int64_t id;
	bool enabled;
	bool has_min_slot, has_min_epochs, has_lw_slot, has_lw_epochs;
	uint64_t min_slot, min_source, min_target;
	uint64_t lw_slot, lw_source, lw_target;
} slash_validator;

typedef struct {
	uint64_t slot;
	bool has_root; /* interchange files may omit the root: it then conflicts with all */
	uint8_t root[SLASH_ROOT_BYTES];
} slash_block_rec;

typedef struct {
	uint64_t source, target;
	bool has_root;
	uint8_t root[SLASH_ROOT_BYTES];
} slash_att_rec;

typedef struct {
	bool has_gvr;
	uint8_t gvr[SLASH_ROOT_BYTES];
	slash_watermark high;
} slash_meta;

typedef struct slash_store slash_store;

typedef bool (*slash_validator_cb)(void *ctx, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
				   const slash_validator *v);
typedef bool (*slash_block_cb)(void *ctx, const slash_block_rec *b);
typedef bool (*slash_att_cb)(void *ctx, const slash_att_rec *a);

typedef struct {
	const char *name;
	slash_store_result (*begin)(slash_store *s);
	/* Commits durably: when it returns OK the data survives a crash or power loss. */
	slash_store_result (*commit)(slash_store *s);
	void (*rollback)(slash_store *s);
	/* After begin(): *changed is true when another connection (another process) has
	 * committed since this one last looked, so cached state must be reloaded. */
	slash_store_result (*data_changed)(slash_store *s, bool *changed);

	slash_store_result (*get_meta)(slash_store *s, slash_meta *out);
	slash_store_result (*put_meta)(slash_store *s, const slash_meta *m);

	/* Looks pubkey up; with create, registers it (enabled) when absent. *found false
	 * only when absent and !create. */
	slash_store_result (*get_validator)(slash_store *s, const uint8_t pubkey[SLASH_PUBKEY_BYTES],
					    bool create, slash_validator *out, bool *found);
	/* Writes back enabled, min_* and lw_* of v (by v->id). */
	slash_store_result (*put_validator)(slash_store *s, const slash_validator *v);
	/* Calls cb for every validator in id order until it returns false. */
	slash_store_result (*each_validator)(slash_store *s, slash_validator_cb cb, void *ctx);

	slash_store_result (*block_at)(slash_store *s, int64_t vid, uint64_t slot,
				       slash_block_rec *out, bool *found);
	/* Inserts, or replaces the record at the same slot. */
	slash_store_result (*put_block)(slash_store *s, int64_t vid, const slash_block_rec *b);
	slash_store_result (*each_block)(slash_store *s, int64_t vid, slash_block_cb cb, void *ctx);
	/* Lowest slot >= from; *found false when none. */
	slash_store_result (*first_block_from)(slash_store *s, int64_t vid, uint64_t from,
					       uint64_t *slot, bool *found);
	slash_store_result (*max_block_slot)(slash_store *s, int64_t vid, uint64_t *slot, bool *found);
	slash_store_result (*delete_blocks_below)(slash_store *s, int64_t vid, uint64_t slot,
						  uint64_t *deleted);

	slash_store_result (*att_at_target)(slash_store *s, int64_t vid, uint64_t target,
					    slash_att_rec *out, bool *found);
	/* An existing attestation with source < a.source and target > a.target. */
	slash_store_result (*find_surrounding)(slash_store *s, int64_t vid, uint64_t source,
					       uint64_t target, slash_att_rec *out, bool *found);
	/* An existing attestation with source > a.source and target < a.target. */
	slash_store_result (*find_surrounded)(slash_store *s, int64_t vid, uint64_t source,
					      uint64_t target, slash_att_rec *out, bool *found);
	slash_store_result (*put_attestation)(slash_store *s, int64_t vid, const slash_att_rec *a);
	slash_store_result (*each_attestation)(slash_store *s, int64_t vid, slash_att_cb cb,
					       void *ctx);
	/* Lowest-target attestation with target >= from. */
	slash_store_result (*first_att_from)(slash_store *s, int64_t vid, uint64_t from,
					     slash_att_rec *out, bool *found);
	slash_store_result (*max_att_target)(slash_store *s, int64_t vid, uint64_t *target,
					     bool *found);
	/* Highest source among attestations with target <= target. */
	slash_store_result (*max_source_upto)(slash_store *s, int64_t vid, uint64_t target,
					      uint64_t *source, bool *found);
	slash_store_result (*delete_atts_below)(slash_store *s, int64_t vid, uint64_t target,
						uint64_t *deleted);

	/* The backend's message for the last failed call (for an operator), never NULL. */
	const char *(*last_error)(slash_store *s);
	/* Whether slash_write_check commits its probe write. SQLite: yes, so the write
	 * reaches the file and its fsync as a signature's record does (a file opened
	 * read-only fails at once; a file system turned read-only, or a failing disk, only
	 * at the write or the commit). PostgreSQL: no, rolled back; a read-only server or
	 * role refuses the UPDATE itself, and a commit would count as a write and make every
	 * other instance sharing the database drop its cached state. */
	bool probe_commits;

	void (*close)(slash_store *s);
	/* Optional (NULL: none): true in *found, with the reason in why, when the database
	 * holds another signer's slashing history that this backend does not read while it
	 * holds none of its own (Web3Signer's tables in a PostgreSQL database). */
	slash_store_result (*foreign_history)(slash_store *s, bool *found, slash_reason *why);
} slash_store_ops;

/* The SQLite backend (sqlite_store.c). why receives a message on failure. */
ss_err slash_sqlite_store_open(const char *path, slash_store **out, const slash_store_ops **ops,
			       slash_reason *why) SS_MUST_USE;

/* The same file opened read-only beside the signer that writes it (no creation, no
 * migration, no checkpoints; a schema other than this build's is refused). */
ss_err slash_sqlite_store_open_readonly(const char *path, slash_store **out,
					const slash_store_ops **ops, slash_reason *why) SS_MUST_USE;

/* The PostgreSQL backend (pg_store.c); SS_ERR_UNSUPPORTED when built without libpq. */
ss_err slash_pg_store_open(const char *conninfo, slash_store **out, const slash_store_ops **ops,
			   slash_reason *why) SS_MUST_USE;

#endif
