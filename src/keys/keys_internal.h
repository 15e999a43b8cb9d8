/* Module-internal declarations of keys/ (CONVENTIONS.md: what the rest of the program
 * must not call stays here). */
#ifndef SS_KEYS_INTERNAL_H
#define SS_KEYS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "keys/keystore.h"
#include "util/error.h"

/* Writes a message into err (when not NULL) and returns code, so that failures read
 * `return keys_fail(err, SS_ERR_INVALID, "...", ...)`. Never pass a secret. */
ss_err keys_fail(keys_error *err, ss_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* secret -> pubkey, and the EIP-2335 pubkey check. SS_ERR_INVALID when the secret is
 * not a valid BLS secret key (0 or >= r). */
ss_err keys_secret_to_pubkey(uint8_t pubkey[KEYS_PUBKEY_BYTES],
			     const uint8_t secret[KEYS_SECRET_BYTES]) SS_MUST_USE;

/* keystore.c: decrypts the EIP-2335 "crypto" section of json whatever the length of
 * its cipher message (Prysm's wallet holds a JSON account store there) into *out
 * (secure memory, NUL-terminated, secure_free it). Same KDF limits and messages as
 * keys_keystore_decrypt. */
ss_err keys_keystore_decrypt_payload(const char *json, size_t json_len, const char *password,
				     size_t password_len, uint8_t **out, size_t *out_len,
				     keys_error *err) SS_MUST_USE;

/* prysm.c: the decrypted account store of a Prysm wallet (plain: NUL-terminated, as
 * keys_keystore_decrypt_payload returns it) into its keys, as keys_prysm_wallet_open
 * returns them. Exposed for tests/keys/fuzz_prysm_payload. */
ss_err keys_prysm_payload(const char *plain, size_t plain_len, uint8_t **secrets,
			  uint8_t (**pubkeys)[KEYS_PUBKEY_BYTES], size_t *n,
			  keys_error *err) SS_MUST_USE;

/* keys_read_file into secure memory (util/file.h file_read_secret); secure_free it. */
ss_err keys_read_secret_file(const char *path, size_t max, char **out, size_t *len,
			     keys_error *err) SS_MUST_USE;

/* yaml_secret.c: a privateKey value's hex digits in a YAML key file. */
typedef struct {
	size_t off, len;
} keys_yaml_span;
/* Copies text (len bytes) into masked (len + 1 bytes, NUL-terminated) with the hex
 * digits of up to max privateKey values replaced by markers; their places into spans.
 * Returns how many. */
size_t keys_yaml_mask(const char *text, size_t len, char *masked, keys_yaml_span *spans, size_t max);
/* Decodes a privateKey value read from the masked copy: from text at the span its
 * marker names, or from value itself when it was not masked. */
ss_err keys_yaml_private_key(uint8_t out[KEYS_SECRET_BYTES], const char *value, const char *text,
			     const keys_yaml_span *spans, size_t n) SS_MUST_USE;

/* Lowercase hex of a pubkey, "0x"-prefixed, for messages (97 + 2 bytes with NUL). */
#define KEYS_PUBKEY_HEX 99
void keys_pubkey_hex(char out[KEYS_PUBKEY_HEX], const uint8_t pubkey[KEYS_PUBKEY_BYTES]);

/* ---- registry.c: the in-memory key registry -------------------------------------- */

#include "crypto/bls.h"

/* Public facts about a key, kept next to its secret. */
typedef struct {
	uint8_t pubkey[KEYS_PUBKEY_BYTES];
	char path[KEYS_PATH_MAX];
	uint8_t origin;   /* keys_origin */
	uint8_t readonly; /* bool */
} keys_meta;

/* Secrets live in slabs of KEYS_SLAB_KEYS keys, one secure_alloc each (128 KiB), so
 * that 100,000 keys cost 25 mappings instead of 100,000. */
#define KEYS_SLAB_KEYS 4096

/* Entries are dense (entries[i] has its secret at slab i / KEYS_SLAB_KEYS); an open-
 * addressing table of entry indices, at most half full, finds a pubkey in O(1).
 * Removal moves the last entry into the hole. A rwlock lets any number of lookups run
 * together; add and remove take it exclusively (writers are preferred so a stream of
 * signing requests cannot starve a delete). */
typedef struct {
	pthread_rwlock_t lock;
	keys_meta *entries;
	size_t count, entries_cap;
	uint32_t *table; /* UINT32_MAX = empty */
	size_t table_cap; /* power of two */
	bls_secret_key **slabs;
	size_t n_slabs;
} keys_registry;

ss_err keys_reg_init(keys_registry *r) SS_MUST_USE;
void keys_reg_destroy(keys_registry *r); /* wipes and frees every secret */
/* Adds n keys at once; a pubkey already present is skipped and reported in
 * added[i] = false (added may be NULL). */
ss_err keys_reg_add(keys_registry *r, const keys_meta *meta, const bls_secret_key *sks,
		    size_t n, bool *added) SS_MUST_USE;
/* Removes pubkey and wipes its secret; false when absent. */
bool keys_reg_remove(keys_registry *r, const uint8_t pubkey[KEYS_PUBKEY_BYTES]);
/* Copies the secret out under the read lock; false when absent (sk is then zeroed). */
bool keys_reg_get_secret(keys_registry *r, const uint8_t pubkey[KEYS_PUBKEY_BYTES],
			 bls_secret_key *sk);
bool keys_reg_get_meta(keys_registry *r, const uint8_t pubkey[KEYS_PUBKEY_BYTES],
		       keys_meta *meta);
size_t keys_reg_count(keys_registry *r);
/* Copies up to cap metas; returns the total count. */
size_t keys_reg_list(keys_registry *r, keys_meta *out, size_t cap);

/* ---- kek.c / sealed.c: the sealed store on disk ------------------------------------ */

#define KEYS_SHARDS 256
#define KEYS_SHARD_FMT "shard-%02x.sealed"

/* Sealed record (one per key, fixed size, inside a shard file):
 *   0   "SKR1"          4
 *   4   origin          1
 *   5   readonly        1
 *   6   zero            2
 *   8   pubkey          48
 *   56  path            64 (NUL-padded)
 *   120 nonce           12   random per sealing
 *   132 ciphertext      32   AES-256-GCM of the 32-byte big-endian secret key
 *   164 tag             16   over AAD = bytes [0, 120)
 *   180 zero            12
 * The pubkey is authenticated with the secret, so a restart trusts it without
 * recomputing [sk]G1 (that is what makes 100,000 keys load in well under a second). */
#define KEYS_REC_BYTES 192
#define KEYS_REC_AAD 120

/* Shard file header (64 bytes): "SSKEYSHD", version 1, shard index, record count,
 * record size, KEK id (8 bytes), HMAC-SHA256(header key, bytes [0, 32))[0..16), zero. */
#define KEYS_HDR_BYTES 64

/* Keys derived from the KEK (HMAC-SHA256 with fixed labels); in secure memory. */
typedef struct {
	uint8_t aead[32];
	uint8_t mac[32];
	uint8_t id[8];
} keys_seal_keys;

void keys_seal_derive(keys_seal_keys *sk, const uint8_t kek[KEYS_KEK_BYTES]);

/* AES-256-GCM with a 12-byte nonce and a 16-byte tag; enc = 1 seals (writes tag), 0 opens
 * (checks tag: SS_ERR_CRYPTO when it does not match). */
ss_err keys_gcm(int enc, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
		size_t aad_len, const uint8_t *in, uint8_t *out, size_t len,
		uint8_t tag[16]) SS_MUST_USE;

/* Seals secret with meta into rec. */
ss_err keys_seal_record(uint8_t rec[KEYS_REC_BYTES], const keys_seal_keys *sk,
			const keys_meta *meta, const uint8_t secret[32]) SS_MUST_USE;
/* Authenticates and opens rec; SS_ERR_CRYPTO on a bad tag, SS_ERR_INVALID on a bad
 * layout. secret is wiped on failure. meta is filled from the (authenticated) AAD. */
ss_err keys_unseal_record(const uint8_t rec[KEYS_REC_BYTES], const keys_seal_keys *sk,
			  keys_meta *meta, uint8_t secret[32]) SS_MUST_USE;
/* The pubkey a record claims (before authentication; for messages). */
const uint8_t *keys_rec_pubkey(const uint8_t rec[KEYS_REC_BYTES]);

/* Shard of a pubkey. */
static inline unsigned keys_shard_of(const uint8_t pubkey[KEYS_PUBKEY_BYTES])
{
	return pubkey[KEYS_PUBKEY_BYTES - 1];
}

/* A shard in memory: the raw records as on disk (records that failed to open are kept
 * verbatim, so a rewrite never destroys what a later, correct KEK could still open). */
typedef struct {
	uint8_t *recs;
	size_t n, cap;
} keys_shard;

/* Reads <dir>/shard-XX.sealed into sh (empty when the file is absent). Damage is
 * logged; *lost counts records that are gone (truncation). */
ss_err keys_shard_read(keys_shard *sh, const char *dir, unsigned idx,
		       const keys_seal_keys *sk, size_t *lost) SS_MUST_USE;
/* A multi-shard commit is atomic as a whole (DESIGN.md invariant 5), by a roll-forward
 * journal:
 *  1. stage: each new shard is written to shard-XX.sealed.tmp and fsync'ed;
 *  2. commit point: commit.journal, listing every shard to install ("R xx") or remove
 *     ("D xx"), is written atomically (temp, fsync, rename, fsync dir);
 *  3. apply: renames and unlinks, fsync dir, journal removed.
 * A crash before 2 leaves the old store (stray temp files are removed at the next
 * open); after 2, keys_journal_recover() at the next open finishes 3. */
ss_err keys_shard_stage(const char *dir, unsigned idx, const keys_seal_keys *sk,
			const uint8_t *recs, size_t n) SS_MUST_USE;
/* Steps 2 and 3 for the shards with touched[s]; empty[s] means remove. Returns SS_OK
 * once the commit point is durable (a failure while applying is logged and finished
 * by the next recovery); an error before it means nothing changed. */
ss_err keys_journal_commit(const char *dir, const bool touched[KEYS_SHARDS],
			   const bool empty[KEYS_SHARDS]) SS_MUST_USE;
/* Removes staged temp files of an aborted commit. */
void keys_stage_abort(const char *dir, const bool touched[KEYS_SHARDS]);
/* At open: finishes a committed journal, or removes an uncommitted stage. */
ss_err keys_journal_recover(const char *dir) SS_MUST_USE;

/* ---- store.c / ingest.c ------------------------------------------------------------- */

struct keys_store {
	char dir[4096];              /* <data_dir>/keys */
	pthread_mutex_t write_lock;  /* one modification (import, delete, ...) at a time */
	keys_registry reg;
	keys_seal_keys *seal;        /* secure memory */
	keys_shard shards[KEYS_SHARDS];
	struct keys_aux_state *aux;  /* aux.c: auxiliary keys (keys_aux.h) */
	bool read_only;              /* keys_store_open_readonly: keys_commit refuses */
};

/* aux.c: opens <dir>/aux.sealed at keys_store_open (a file that fails to authenticate
 * is kept as it is, and generating or deleting auxiliary keys is then refused), and
 * frees it at close. */
ss_err keys_aux_open(keys_store *ks, keys_error *err) SS_MUST_USE;
void keys_aux_close(keys_store *ks);

/* One key to bring in: from a keystore (decrypted in a worker thread) or a raw secret
 * (file-raw, generated). */
typedef struct {
	bool is_keystore;
	keys_keystore ks;
	char *password;       /* malloc'ed; wiped and freed by keys_jobs_free */
	size_t password_len;
	char label[256];      /* what the operator knows it by: a file name, "keystore #3" */
	char *path;           /* sources: keystore file read by a worker (malloc'ed) */
	char *pw_path;        /* sources: its password file, or NULL for the shared one */
	bool pw_first_line;   /* YAML file-keystore: the password is the first line */
	keys_meta meta;       /* origin, readonly, path in; pubkey out */
	ss_err result;
	keys_error err;
	bool duplicate;       /* already present (or twice in this batch) */
} keys_job;

/* A batch of jobs with their secrets in one secure block (raw secrets are written to
 * keys_jobs_secret() before keys_ingest; keystores are decrypted into it). */
typedef struct {
	keys_job *jobs;
	size_t n, cap;
	uint8_t *secrets; /* n * 32 bytes, secure memory */
	size_t secrets_cap;
} keys_jobs;

ss_err keys_jobs_add(keys_jobs *b, keys_job **job) SS_MUST_USE; /* zeroed new job */
uint8_t *keys_jobs_secret(keys_jobs *b, size_t i);
void keys_jobs_free(keys_jobs *b);

/* sources.c: the documents of one YAML key file (text, len bytes, the caller's) into
 * jobs: file-raw keys decoded (libyaml sees the masked copy), file-keystore files named
 * relative to dir; a document that is no key is a job with its error. Exposed for
 * tests/keys/fuzz_key_config. */
ss_err keys_yaml_parse(keys_jobs *b, const char *dir, const char *name, const char *text,
		       size_t len) SS_MUST_USE;

/* Decrypts (in parallel on `threads` threads, 0 = all cores, progress logged), checks
 * each key and its pubkey, skips keys already present, seals the rest durably and adds
 * them to the registry. Each job's result says what happened. Returns an error only
 * when the store itself failed. */
ss_err keys_ingest(keys_store *ks, keys_jobs *b, unsigned threads, const char *what) SS_MUST_USE;
/* The two halves of keys_ingest, for callers that do something between them (the
 * Keymanager import merges slashing history for exactly the keys that will be added):
 * decrypt runs the KDFs and changes no state; commit takes the store's write lock,
 * seals and registers. Jobs whose result is not SS_OK before commit are left out. */
void keys_ingest_decrypt(keys_store *ks, keys_jobs *b, unsigned threads, const char *what);
ss_err keys_ingest_commit(keys_store *ks, keys_jobs *b, const char *what) SS_MUST_USE;

/* Runs fn(i, ctx) for i in [0, n) on `threads` worker threads (0 = online CPUs), with
 * a progress line "<what>: k/n" in the log every few seconds. */
void keys_parallel(size_t n, unsigned threads, void (*fn)(size_t i, void *ctx), void *ctx,
		   const char *what);

/* Durably replaces the records of the pubkeys in recs/dels: for every touched shard,
 * drops old records with those pubkeys, appends recs, rewrites the shard. ok_rec[i]
 * (may be NULL) tells whether recs[i] was committed. Caller holds write_lock. */
/* Removes, durably and then from the registry, every key of origin keystore-dir or
 * key-config whose pubkey is not among keep[0..n_keep) (keys_load_sources; keep is
 * sorted in place); *removed gets their number. */
ss_err keys_prune_sources(keys_store *ks, uint8_t (*keep)[KEYS_PUBKEY_BYTES], size_t n_keep,
			  size_t *removed) SS_MUST_USE;

ss_err keys_commit(keys_store *ks, const uint8_t *recs, size_t n_recs, bool *ok_rec,
		   const uint8_t (*dels)[KEYS_PUBKEY_BYTES], size_t n_dels) SS_MUST_USE;

#endif
