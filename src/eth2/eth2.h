/* eth2: the Ethereum signing core. One public header for the rest of the program.
 *
 * A remote signer never signs what the client claims to be signing: this module takes
 * a Web3Signer signing-request body (reference/web3signer.md §2), parses the typed
 * message strictly, and computes the signing root itself from the typed data, the
 * request's fork_info and the configured network (consensus-specs phase0
 * compute_signing_root / get_domain). It knows nothing of HTTP, keys or slashing
 * databases; it returns what those layers need: the type, the signing root and the
 * fields slashing protection checks. */
#ifndef SS_ETH2_ETH2_H
#define SS_ETH2_ETH2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define ETH2_ROOT_BYTES 32
#define ETH2_VERSION_BYTES 4
#define ETH2_PUBKEY_BYTES 48
#define ETH2_SIGNATURE_BYTES 96
#define ETH2_FAR_FUTURE_EPOCH UINT64_MAX

/* The Web3Signer signing types (sign.yaml discriminator), in the order of the spec. */
typedef enum {
	ETH2_SIGN_BLOCK = 0, /* deprecated: phase0 full block */
	ETH2_SIGN_BLOCK_V2,
	ETH2_SIGN_ATTESTATION,
	ETH2_SIGN_AGGREGATION_SLOT,
	ETH2_SIGN_AGGREGATE_AND_PROOF,
	ETH2_SIGN_AGGREGATE_AND_PROOF_V2,
	ETH2_SIGN_RANDAO_REVEAL,
	ETH2_SIGN_VOLUNTARY_EXIT,
	ETH2_SIGN_DEPOSIT,
	ETH2_SIGN_SYNC_COMMITTEE_MESSAGE,
	ETH2_SIGN_SYNC_COMMITTEE_SELECTION_PROOF,
	ETH2_SIGN_SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF,
	ETH2_SIGN_VALIDATOR_REGISTRATION,
	/* remote-signing-api v1.4.0, Gloas (signing-apis-2026.md §8.4); none is slashable. */
	ETH2_SIGN_EXECUTION_PAYLOAD_BID,
	ETH2_SIGN_EXECUTION_PAYLOAD_ENVELOPE,
	ETH2_SIGN_PAYLOAD_ATTESTATION_MESSAGE,
	ETH2_SIGN_PROPOSER_PREFERENCES,
	ETH2_SIGN_BUILDER_REQUEST_AUTH,
	/* remote-signing-api PR #29: an object root under a client-chosen domain. */
	ETH2_SIGN_GENERIC,
	ETH2_SIGN__COUNT
} eth2_sign_type;

/* Consensus forks ("milestones"), oldest first. */
typedef enum {
	ETH2_FORK_PHASE0 = 0,
	ETH2_FORK_ALTAIR,
	ETH2_FORK_BELLATRIX,
	ETH2_FORK_CAPELLA,
	ETH2_FORK_DENEB,
	ETH2_FORK_ELECTRA,
	ETH2_FORK_FULU,
	ETH2_FORK_GLOAS,
	ETH2_FORK_HEZE, /* unscheduled everywhere; its containers as @lodestar/types 1.48 */
	ETH2_FORK__COUNT
} eth2_fork;

/* The upper-case Web3Signer name ("BLOCK_V2"); "UNKNOWN" for an out-of-range value. */
/* Whether a GENERIC request under this domain type must be refused while slashing
 * protection is on: the proposer and attester domains (PR #29 "must reject") and every
 * domain that has its own typed request with rules a GENERIC root would bypass (the
 * Gloas builder, PTC, proposer-preferences and builder-request-auth domains). */
bool eth2_generic_domain_protected(const uint8_t domain_type[4]);
const char *eth2_sign_type_name(eth2_sign_type t);
/* The upper-case milestone name ("PHASE0", "ELECTRA"); "UNKNOWN" when out of range. */
const char *eth2_fork_name(eth2_fork f);

/* ---- Networks ---------------------------------------------------------------------
 * A network is its genesis fork version, each fork's version and activation epoch,
 * slots per epoch and SSZ preset (mainnet or minimal list limits). Immutable once made;
 * safe to share between threads. */
typedef struct eth2_network eth2_network;

/* Built-in networks: "mainnet", "sepolia", "holesky", "hoodi", "gnosis", "minimal"
 * (case-insensitive). NULL if unknown. Static storage; never freed. */
const eth2_network *eth2_network_builtin(const char *name);

/* Loads a consensus-layer config.yaml (PRESET_BASE, CONFIG_NAME, GENESIS_FORK_VERSION,
 * <FORK>_FORK_VERSION / <FORK>_FORK_EPOCH, optional SLOT_DURATION_MS or SECONDS_PER_SLOT,
 * SLOTS_PER_EPOCH and MIN_GENESIS_TIME).
 * Forks absent from the file are unscheduled (FAR_FUTURE). On error *out is NULL and err
 * holds a message naming the key or line. Free with eth2_network_free. */
ss_err eth2_network_load(const char *config_yaml_path, eth2_network **out, char *err,
			 size_t errcap) SS_MUST_USE;
/* Frees a loaded network; a no-op for NULL and for built-in networks. */
void eth2_network_free(eth2_network *net);

const char *eth2_network_name(const eth2_network *net);
uint64_t eth2_network_slots_per_epoch(const eth2_network *net);
void eth2_network_genesis_fork_version(const eth2_network *net, uint8_t out[ETH2_VERSION_BYTES]);
/* The fork active at an epoch (the latest fork whose activation epoch <= epoch). */
eth2_fork eth2_network_fork_at_epoch(const eth2_network *net, uint64_t epoch);
/* A fork's version and activation epoch (FAR_FUTURE if unscheduled). */
void eth2_network_fork_version(const eth2_network *net, eth2_fork f,
			       uint8_t out[ETH2_VERSION_BYTES]);
uint64_t eth2_network_fork_epoch(const eth2_network *net, eth2_fork f);
/* The slot time in milliseconds: SLOT_DURATION_MS, or SECONDS_PER_SLOT x 1000 (12000
 * unless the config says otherwise; gnosis 5000, minimal 6000). */
uint64_t eth2_network_slot_duration_ms(const eth2_network *net);
/* The chain's genesis_validators_root: true for the built-in public networks (mainnet,
 * sepolia, holesky, hoodi, gnosis); false for minimal and config.yaml networks, whose
 * root the operator gives (--genesis-validators-root) or the first request pins. */
bool eth2_network_genesis_validators_root(const eth2_network *net, uint8_t out[ETH2_ROOT_BYTES]);
/* The chain's genesis time (Unix seconds): exact for the built-in public networks, a
 * config.yaml's MIN_GENESIS_TIME (a lower bound), false when unknown (minimal, or a
 * config without it). */
bool eth2_network_genesis_time(const eth2_network *net, uint64_t *out);

/* ---- Domains and signing roots (consensus-specs phase0 beacon-chain.md) ------------ */

/* compute_domain(domain_type, fork_version, genesis_validators_root). */
void eth2_compute_domain(uint8_t out[ETH2_ROOT_BYTES], const uint8_t domain_type[4],
			 const uint8_t fork_version[ETH2_VERSION_BYTES],
			 const uint8_t genesis_validators_root[ETH2_ROOT_BYTES]);
/* compute_signing_root: hash_tree_root(SigningData{object_root, domain}). */
void eth2_compute_signing_root(uint8_t out[ETH2_ROOT_BYTES],
			       const uint8_t object_root[ETH2_ROOT_BYTES],
			       const uint8_t domain[ETH2_ROOT_BYTES]);

/* Deposits (for the deposit-data endpoint and the keys module). */
typedef struct {
	uint8_t pubkey[ETH2_PUBKEY_BYTES];
	uint8_t withdrawal_credentials[32];
	uint64_t amount; /* Gwei */
} eth2_deposit_message;
void eth2_deposit_message_root(uint8_t out[ETH2_ROOT_BYTES], const eth2_deposit_message *m);
void eth2_deposit_data_root(uint8_t out[ETH2_ROOT_BYTES], const eth2_deposit_message *m,
			    const uint8_t signature[ETH2_SIGNATURE_BYTES]);
/* The signing root a deposit signature covers: DOMAIN_DEPOSIT with fork_version and a
 * zero genesis_validators_root (phase0 beacon-chain.md "Deposits"). */
void eth2_deposit_signing_root(uint8_t out[ETH2_ROOT_BYTES], const eth2_deposit_message *m,
			       const uint8_t fork_version[ETH2_VERSION_BYTES]);

/* ---- Signing requests ------------------------------------------------------------- */

typedef struct {
	eth2_sign_type type;
	uint8_t signing_root[ETH2_ROOT_BYTES]; /* computed by us, never the client's */
	/* The request's fork_info.genesis_validators_root, for slashing GVR pinning.
	 * false for DEPOSIT and VALIDATOR_REGISTRATION (they carry no fork_info). */
	bool has_gvr;
	uint8_t genesis_validators_root[ETH2_ROOT_BYTES];
	uint64_t slot;         /* BLOCK, BLOCK_V2: the block's slot */
	uint64_t source_epoch; /* ATTESTATION */
	uint64_t target_epoch; /* ATTESTATION */
	/* The network's fork at the message's slot/epoch (the schema used); diagnostic. */
	eth2_fork fork;
	uint8_t domain[ETH2_ROOT_BYTES];      /* diagnostic */
	uint8_t object_root[ETH2_ROOT_BYTES]; /* diagnostic */
	/* GENERIC: signing_data.domain (its first four bytes are the domain type). */
} eth2_signing_request;

/* Why a request was refused. Web3Signer answers MALFORMED with 400 and the other two
 * with 500; a caller may choose to answer all three with 400 (they are all the
 * client's fault). */
typedef enum {
	ETH2_ERR_NONE = 0,
	ETH2_ERR_MALFORMED,     /* bad JSON, missing/unknown field value, bad hex, range */
	ETH2_ERR_SEMANTIC,      /* well-formed but not signable: missing fork_info, a
				   sync-committee type before Altair, wrong schema for fork */
	ETH2_ERR_ROOT_MISMATCH, /* signing_root/signingRoot differs from the computed one */
} eth2_error_kind;

typedef struct {
	eth2_error_kind kind;
	char field[96];    /* JSON path of the offending field: "attestation.source.epoch" */
	char message[256]; /* "expected a decimal uint64 string" (no secrets ever) */
} eth2_error;

/* Parses a Web3Signer signing-request body (body[0..len), need not be NUL-terminated)
 * and computes its signing root. net supplies the preset (list limits, slots per
 * epoch), the fork schedule used to pick block/aggregate schemas, EIP-7044's Capella
 * version and the genesis fork version for VALIDATOR_REGISTRATION.
 * Returns SS_OK and fills *out, or SS_ERR_INVALID / SS_ERR_RANGE / SS_ERR_UNSUPPORTED
 * with *err filled (kind, field, message) and *out zeroed. Thread-safe; allocates only
 * the JSON tree, bounded by len. */
ss_err eth2_parse_signing_request(const eth2_network *net, const char *body, size_t len,
				  eth2_signing_request *out, eth2_error *err) SS_MUST_USE;

#endif
