/* Keystore directories as each consensus client writes them (issue 15 item 2), so that
 * an operator imports (`keys import --layout`) or loads at start (`run
 * --keystores-layout`) a client's validator directory unchanged:
 *
 *   web3signer  DIR/<name>.json, passwords <name>.txt in a passwords directory (or one
 *               password file): Web3Signer's --keystores-path
 *   lighthouse  DIR/validators/0x<pk>/voting-keystore.json + DIR/secrets/0x<pk>
 *               (lighthouse validator_dir: VOTING_KEYSTORE_FILE, the secrets directory
 *               holds one password file per pubkey, no extension)
 *   lodestar    DIR/keystores/0x<pk>/voting-keystore.json + DIR/secrets/0x<pk>
 *               (lodestar cli keymanager/persistedKeys.ts getValidatorPaths; its
 *               voting-keystore.json.lock files and the keystore caches in
 *               DIR/cache/ are skipped)
 *   nimbus      DIR/validators/0x<pk>/keystore.json + DIR/secrets/0x<pk>
 *               (nimbus keystore_management: remote_keystore.json is a remote key and
 *               is skipped)
 *   teku        DIR/keys/<name>.json + DIR/passwords/<name>.txt (teku --validator-keys
 *               KEYS:PASSWORDS), or Teku's Keymanager store
 *               DIR/validator/key-manager/local/ + local-passwords/
 *   prysm       DIR/direct/accounts/all-accounts.keystore.json: one EIP-2335 crypto
 *               section over the JSON {"private_keys": [...], "public_keys": [...]}
 *               (prysm keymanager/local AccountsKeystoreRepresentation), unlocked by the
 *               wallet password (a file)
 *
 * The scan only finds files; decryption is the import's (a wrong password, a file that
 * is not a keystore and a duplicate are reported there). What the scan leaves out is
 * listed with its reason. A password file's whole content is the password: EIP-2335
 * normalisation drops the trailing newline some clients write. */
#ifndef SS_KEYS_LAYOUT_H
#define SS_KEYS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>

#include "keys/keys.h"
#include "util/error.h"

/* web3signer is 0: a keys_sources left zero keeps Web3Signer's --keystores-path. */
typedef enum {
	KEYS_LAYOUT_WEB3SIGNER = 0,
	KEYS_LAYOUT_AUTO,
	KEYS_LAYOUT_LIGHTHOUSE,
	KEYS_LAYOUT_LODESTAR,
	KEYS_LAYOUT_NIMBUS,
	KEYS_LAYOUT_TEKU,
	KEYS_LAYOUT_PRYSM
} keys_layout;

#define KEYS_LAYOUT_NAMES "web3signer", "auto", "lighthouse", "lodestar", "nimbus", "teku", "prysm"

/* "auto", "web3signer", "lighthouse", ... (any case) -> *out; false when unknown. Inline
 * so that option checks (cli/run_config.c) need no keys/ code. */
static inline bool keys_layout_from_name(const char *s, keys_layout *out)
{
	static const char *const names[] = { KEYS_LAYOUT_NAMES };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(s, names[i]) == 0) {
			*out = (keys_layout)i;
			return true;
		}
	return false;
}

static inline const char *keys_layout_name(keys_layout l)
{
	static const char *const names[] = { KEYS_LAYOUT_NAMES };
	return (size_t)l < sizeof names / sizeof names[0] ? names[l] : "?";
}

/* One keystore found: what the operator knows it by (its path under DIR), the keystore
 * file, and its password file (NULL for web3signer without a passwords directory: the
 * caller's one password file). */
typedef struct {
	char *label;
	char *keystore;
	char *password;
} keys_layout_key;

/* One entry left out, and why. */
typedef struct {
	char *label;
	const char *reason;
} keys_layout_skip;

typedef struct {
	keys_layout layout; /* the one found (never AUTO after a successful scan) */
	keys_layout_key *keys;
	size_t n_keys;
	keys_layout_skip *skips;
	size_t n_skips;
	char *wallet; /* prysm: the all-accounts keystore file */
} keys_layout_result;

/* Scans dir as layout want (AUTO: detect; exactly one layout must match, else
 * SS_ERR_INVALID naming what was looked for or the candidates). secrets_dir, when not
 * NULL, replaces the layout's own password directory (secrets/, passwords/; web3signer:
 * the <name>.txt directory). Fails with SS_ERR_NOT_FOUND when dir holds nothing of the
 * layout (no keystore found and nothing skipped): an empty or wrong directory is an
 * error, not "0 keys". */
ss_err keys_layout_scan(keys_layout_result *out, const char *dir, keys_layout want,
			const char *secrets_dir, keys_error *err) SS_MUST_USE;

void keys_layout_free(keys_layout_result *r);

/* Prysm's wallet: decrypts the all-accounts keystore (wallet_json) with the wallet
 * password and returns its keys: *secrets (n * 32 bytes, secure memory; secure_free it)
 * and *pubkeys (n * 48 bytes, malloc'ed), as the payload lists them (the caller checks
 * each pubkey against its secret on import). An empty wallet is an error. */
ss_err keys_prysm_wallet_open(const char *wallet_json, size_t json_len, const char *password,
			      size_t password_len, uint8_t **secrets,
			      uint8_t (**pubkeys)[KEYS_PUBKEY_BYTES], size_t *n,
			      keys_error *err) SS_MUST_USE;

#endif
