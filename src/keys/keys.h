/* Validator keys (DESIGN.md §3 "keys/"): the in-memory key registry that signing
 * requests consult, the sealed key store in the data directory that makes restarts
 * fast, the key sources loaded at start (EIP-2335 keystore directories, Web3Signer
 * YAML key files), Keymanager imports and deletes, and key generation (EIP-2333).
 *
 * One keys_store per process. Signing threads call keys_sign() concurrently with
 * each other and with imports, deletes, generation and reloads: a key is either fully
 * present (sealed on disk, in the registry) or absent. Secret keys live only in
 * secure memory (util/secure_mem.h) and in the sealed store; no function here returns
 * a secret except keys_export_keystore(), which returns it encrypted.
 *
 * Errors: functions that can fail for a reason worth telling the operator take a
 * keys_error and write a one-line message into it (never a secret or a password). */
#ifndef SS_KEYS_KEYS_H
#define SS_KEYS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/bls.h"
#include "tee/tee_provider.h"
#include "util/error.h"

#define KEYS_PUBKEY_BYTES 48
#define KEYS_SIGNATURE_BYTES 96
#define KEYS_KEK_BYTES 32
#define KEYS_ERROR_MAX 256

/* A human-readable reason for a failure; msg is "" on success. */
typedef struct {
	char msg[KEYS_ERROR_MAX];
} keys_error;

/* util/file.h file_read_all (regular files only: "-" is an ordinary name; at most max
 * bytes; NUL-terminated; plain read(2), no stdio buffer left holding a password) with
 * the reason written into err. The caller wipes the buffer (keys_free_wiped) when it may
 * hold a secret. Public for the CLI, which reads keystores and passwords too. */
ss_err keys_read_file(const char *path, size_t max, char **out, size_t *len,
		      keys_error *err) SS_MUST_USE;

/* Frees a buffer from keys_read_file after wiping it; NULL is ignored. */
void keys_free_wiped(char *buf, size_t len);

struct yaml_document_s;
struct yaml_parser_s;
/* libyaml copies what it parses into heap blocks of its own. Before a document or a
 * parser that saw a secret (a key file's privateKey, a Commit-Boost jwt_secret) is
 * deleted, these wipe the copies that can be reached: every scalar of the document,
 * and the parser's raw and decoded input buffers (keys/yaml_secret.c). */
void keys_yaml_wipe_document(struct yaml_document_s *doc);
void keys_yaml_wipe_parser(struct yaml_parser_s *parser);

/* ---- Key-encryption key (KEK) providers -------------------------------------- */

/* Where the key that seals the store comes from. get() is called once by
 * keys_store_open(); it writes KEYS_KEK_BYTES into kek (the caller wipes it) and may
 * create state in data_dir on first use. TEE sealing providers implement the same
 * interface (tee/). */
typedef struct keys_kek_provider {
	const char *name; /* "file", "passphrase", ... (for logs) */
	ss_err (*get)(const struct keys_kek_provider *p, const char *data_dir,
		      uint8_t kek[KEYS_KEK_BYTES], keys_error *err);
	void *ctx;
	/* Storage for the built-in providers below; others may ignore it. */
	char path[4096];
	char env[128];
} keys_kek_provider;

/* A random 32-byte key in a file, created with mode 0600 on first start. path NULL
 * means <data_dir>/keys/kek.key. An existing file readable by group or others is
 * refused. */
ss_err keys_kek_file(keys_kek_provider *p, const char *path) SS_MUST_USE;

/* A passphrase read from a file (first line), stretched once per start with scrypt
 * and a random salt kept in <data_dir>/keys/kek.salt. */
ss_err keys_kek_passphrase_file(keys_kek_provider *p, const char *path) SS_MUST_USE;

/* The same with the passphrase in environment variable env_name. */
ss_err keys_kek_passphrase_env(keys_kek_provider *p, const char *env_name) SS_MUST_USE;

/* The KEK sealed to the TEE (`--kek-source tee`, keys/kek_tee.c): HKDF of the
 * provider's sealing key, so bound to the measurement. tee stays owned by the caller and
 * must outlive the store's opening. The store records next to its shards what it was
 * sealed to (platform, provider, measurement; nothing secret) and refuses, naming both
 * measurements, to open under another one. */
ss_err keys_kek_tee(keys_kek_provider *p, tee_provider *tee) SS_MUST_USE;

/* The same check without reading a key: SS_OK when keys_store_open with keys_kek_tee
 * would find the store sealed to this provider's measurement (or new), otherwise the
 * reason in err. Run before anything else is opened, so that a signer started under
 * another measurement changes nothing. create writes the record for a new store. */
ss_err keys_kek_tee_check(const char *data_dir, tee_provider *tee, bool create,
			  keys_error *err) SS_MUST_USE;

/* KEK = HKDF-SHA256(salt and info "secure-signer/kek/tee/v1", IKM seal): constant
 * time (tests/keys ct check). */
void keys_kek_from_seal_key(const uint8_t seal[TEE_SEAL_KEY_BYTES],
			    uint8_t kek[KEYS_KEK_BYTES]);

/* ---- The store and its registry ------------------------------------------------- */

typedef struct keys_store keys_store;

/* How a key came to the signer (reported by keys_list; Keymanager "readonly" keys are
 * those loaded from the operator's sources). */
typedef enum {
	KEYS_ORIGIN_KEYSTORE_DIR = 1, /* --keystores-path */
	KEYS_ORIGIN_KEY_CONFIG = 2,   /* Web3Signer YAML key file */
	KEYS_ORIGIN_IMPORTED = 3,     /* Keymanager API or `keys import` */
	KEYS_ORIGIN_GENERATED = 4     /* generated inside the signer */
} keys_origin;

#define KEYS_PATH_MAX 64

typedef struct {
	uint8_t pubkey[KEYS_PUBKEY_BYTES];
	keys_origin origin;
	/* Keymanager "readonly": true for keys from Web3Signer `file-raw` configs, false
	 * for keystore-based, imported and generated keys. */
	bool readonly;
	/* The keystore's EIP-2334 "path" ("" when unknown); Keymanager "derivation_path"
	 * (null when empty). */
	char derivation_path[KEYS_PATH_MAX];
} keys_info;

/* What one load of the sealed store or of the sources found. */
typedef struct {
	size_t sealed_loaded;   /* keys read from the sealed store */
	size_t sealed_failed;   /* sealed records that failed (tampered, truncated, wrong KEK) */
	size_t sources_seen;    /* keystores / key files found in the sources */
	size_t sources_new;     /* of them, decrypted and sealed in this run */
	size_t sources_failed;  /* of them, refused (each logged with its reason) */
	size_t keystores_seen;  /* of sources_seen, from the keystore directory */
	size_t keystores_failed; /* of sources_failed, from the keystore directory */
	size_t sources_removed; /* source keys unloaded because their file is gone */
} keys_load_stats;

/* Opens the sealed store under <data_dir>/keys/ (created if needed), obtains the KEK
 * from kek, and loads every sealed key into the registry. A record that fails
 * authentication is logged and counted in stats, and the other keys still load; the
 * call fails only when the store cannot be used at all (I/O, KEK unavailable). The
 * caller holds the data-directory lock (util/datadir.h). stats may be NULL. */
ss_err keys_store_open(keys_store **out, const char *data_dir, const keys_kek_provider *kek,
		       keys_load_stats *stats, keys_error *err) SS_MUST_USE;

/* The same store for a reader beside the running signer that owns it (`keys list`
 * while it runs; the caller takes no data-directory lock): nothing is created or
 * recovered, a data directory without sealed keys gives an empty store without asking
 * kek, and every change (import, delete, generate, sources) fails. */
ss_err keys_store_open_readonly(keys_store **out, const char *data_dir,
				const keys_kek_provider *kek, keys_load_stats *stats,
				keys_error *err) SS_MUST_USE;

/* Wipes every secret and frees the store. No other call may be running. */
void keys_store_close(keys_store *ks);

/* Key sources (Web3Signer semantics); NULL members are not used. */
typedef struct {
	const char *keystores_dir;           /* *.json EIP-2335 keystores */
	const char *keystores_passwords_dir; /* <name>.txt for <name>.json */
	const char *keystores_password_file; /* one password for every keystore */
	const char *key_config_dir;          /* *.yaml / *.yml Web3Signer key files */
	/* keys_layout (keys/layout.h) of keystores_dir: 0 is Web3Signer's flat directory;
	 * a client layout finds its own password files (a passwords directory replaces
	 * them; Prysm's wallet password is the password file) */
	unsigned keystores_layout;
	unsigned threads;                    /* decryption threads; 0 = all cores */
} keys_sources;

/* Loads the sources: every key not yet sealed is decrypted (in parallel, progress in
 * the log), checked against its pubkey, sealed, and added to the registry; keys already
 * sealed are not decrypted again (a keystore's "pubkey" field identifies it). The new
 * keys are sealed in one atomic commit. A bad source is logged with its reason and
 * counted in stats; the others still load. Called at start and on reload, with every
 * source the signer has (one call); safe while signing requests run.
 *
 * Keys from sources follow their files, as in Web3Signer: a key of origin
 * KEYS_ORIGIN_KEYSTORE_DIR or KEYS_ORIGIN_KEY_CONFIG that no source of this call yields
 * any more (file removed or unreadable, directory no longer configured) is removed from
 * the registry and from the sealed store, which for such keys only saves the
 * decryption; an operator who moves a key's files to another signer and reloads (or
 * restarts) leaves it signing in one place only. Imported and generated keys stay until
 * deleted. When the sources cannot be listed at all the call fails and unloads
 * nothing. stats may be NULL (its sources_* and keystores_* fields are reset by each
 * call). */
ss_err keys_load_sources(keys_store *ks, const keys_sources *src, keys_load_stats *stats,
			 keys_error *err) SS_MUST_USE;

/* Signs msg with the key of pubkey (BLS Sign, POP ciphersuite). SS_ERR_NOT_FOUND when
 * the key is not in the registry. Thread-safe; O(1) in the number of keys. The caller
 * (signer/) has already done the slashing check. */
ss_err keys_sign(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES], const uint8_t *msg,
		 size_t msg_len, uint8_t sig[KEYS_SIGNATURE_BYTES]) SS_MUST_USE;

/* The same signatures as keys_sign, several in one call, for the signing threads (the
 * signer's sign_batch): each request signs with its pubkey's key the message that h was
 * hashed from (bls_hash_message: many keys signing one signing root share the hash,
 * signer/hash_cache.h), from h's fixed-base table when table is set (table additions
 * only, for a root many keys sign). Its err is SS_OK, or SS_ERR_NOT_FOUND (no such key:
 * no signature). The signatures found are made affine together, one field inversion for
 * all (bls_sign_many). Same lookup, locking and secret handling as keys_sign; constant
 * time in every key. */
typedef struct {
	const uint8_t *pubkey; /* KEYS_PUBKEY_BYTES */
	const bls_fixed_base_table *table;
	const bls_hashed_message *h;
	uint8_t *sig; /* KEYS_SIGNATURE_BYTES out */
	ss_err err;
} keys_sign_request;
void keys_sign_many(keys_store *ks, keys_sign_request *reqs, size_t n);

/* True when the registry holds pubkey. */
bool keys_contains(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES]);

/* Number of keys in the registry. */
size_t keys_count(keys_store *ks);

/* Fills *info for pubkey; false when the key is not in the registry. */
bool keys_get_info(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES], keys_info *info);

/* Copies up to cap entries (in no particular order) into out and returns the total
 * number of keys (call with cap 0 to size the array). A snapshot: keys added or removed
 * meanwhile may or may not appear. */
size_t keys_list(keys_store *ks, keys_info *out, size_t cap);

/* ---- Keymanager operations ------------------------------------------------------ */

typedef enum {
	KEYS_IMPORT_IMPORTED = 0,
	KEYS_IMPORT_DUPLICATE = 1,
	KEYS_IMPORT_ERROR = 2
} keys_import_status;

typedef struct {
	keys_import_status status;
	bool have_pubkey; /* pubkey is valid (known even for most errors) */
	uint8_t pubkey[KEYS_PUBKEY_BYTES];
	char message[KEYS_ERROR_MAX]; /* why, for KEYS_IMPORT_ERROR */
} keys_import_result;

/* Imports n EIP-2335 keystores (JSON text) with their passwords (raw, before EIP-2335
 * normalisation). Each key is decrypted (in parallel), checked, sealed durably and then
 * added to the registry; results[i] tells what happened to keystores[i]. All keys of
 * one call are sealed in one atomic commit (a crash keeps all or none of them). A
 * keystore whose "pubkey" is already present is a duplicate without being decrypted;
 * the same key twice in one call is imported once, the later copy reported as a
 * duplicate (or as an error if its password is wrong). Returns SS_OK when
 * every result was computed (even if some are errors); an error only when the store
 * itself failed. keys_import_prepare + keys_import_commit with no skip and no budget. */
ss_err keys_import_keystores(keys_store *ks, const char *const *keystores,
			     const size_t *keystore_lens, const char *const *passwords,
			     const size_t *password_lens, size_t n,
			     keys_import_result *results) SS_MUST_USE;

/* An import in two steps, for the key lifecycle (signer/keymanager.h), which merges the
 * request's slashing history for exactly the keys the commit will add. */
typedef struct keys_import keys_import;

/* Parses the keystores and decrypts them (the slow part, in parallel); changes no state
 * and takes no lock. With max_cost > 0 the request is refused as a whole (SS_ERR_RANGE,
 * reason in err, nothing decrypted) when the summed KDF cost of its keystores that
 * parse (keystore.h keys_keystore_cost) is above it. results[i]: KEYS_IMPORT_ERROR with
 * its message, KEYS_IMPORT_DUPLICATE (present now, or an earlier copy in this call), or
 * KEYS_IMPORT_IMPORTED for a key the commit will add unless it is skipped or appears
 * meanwhile. */
ss_err keys_import_prepare(keys_store *ks, const char *const *keystores,
			   const size_t *keystore_lens, const char *const *passwords,
			   const size_t *password_lens, size_t n, uint64_t max_cost,
			   keys_import **out, keys_import_result *results,
			   keys_error *err) SS_MUST_USE;

/* Seals and registers the keys prepared, except those with skip[i] (skip may be NULL),
 * and rewrites results with the final statuses: a skipped key is reported a duplicate
 * when the caller set results[i].status to KEYS_IMPORT_DUPLICATE, else an error with the
 * message the caller wrote into results[i].message. An error only when the store
 * failed. */
ss_err keys_import_commit(keys_store *ks, keys_import *im, const bool *skip,
			  keys_import_result *results) SS_MUST_USE;

/* Wipes the decrypted secrets and passwords and frees; NULL is ignored. */
void keys_import_free(keys_import *im);

/* Removes pubkey durably from the sealed store, then from the registry, and wipes its
 * secret. SS_ERR_NOT_FOUND when absent. Signing requests already holding the key
 * finish; later ones get SS_ERR_NOT_FOUND. */
ss_err keys_delete(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES],
		   keys_error *err) SS_MUST_USE;

/* Generates n new keys: for each, a fresh 32-byte seed from getrandom, EIP-2333
 * derive_master_SK, sealed durably, then added to the registry. The seed is wiped and
 * never stored. pubkeys (may be NULL) receives the n public keys. */
ss_err keys_generate(keys_store *ks, size_t n, uint8_t (*pubkeys)[KEYS_PUBKEY_BYTES],
		     keys_error *err) SS_MUST_USE;

/* EIP-2335 KDF choice for keystores this program writes. */
typedef struct {
	bool pbkdf2;      /* false: scrypt */
	uint32_t scrypt_n; /* power of two; 0 = 262144 */
	uint32_t pbkdf2_c; /* 0 = 262144 */
} keys_kdf_params;

/* Writes an EIP-2335 v4 keystore of pubkey's key, encrypted under password, into a
 * malloc'ed NUL-terminated JSON string (*json_out, freed by the caller). Only for the
 * operator's explicit export (`keys export-keystore --allow-key-export`). kdf may be
 * NULL (scrypt, n = 262144). */
ss_err keys_export_keystore(keys_store *ks, const uint8_t pubkey[KEYS_PUBKEY_BYTES],
			    const char *password, size_t password_len,
			    const keys_kdf_params *kdf, char **json_out,
			    keys_error *err) SS_MUST_USE;

#endif
