/* Web3Signer signing requests (reference/web3signer.md §2, the Web3Signer OpenAPI
 * sign.yaml and schemas.yaml): JSON body in, typed message and signing root out.
 * The signing root is always computed here from the typed data; a client-supplied
 * signingRoot is only compared with it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "eth2/eth2_internal.h"

static const char *const type_names[ETH2_SIGN__COUNT] = {
	"BLOCK",
	"BLOCK_V2",
	"ATTESTATION",
	"AGGREGATION_SLOT",
	"AGGREGATE_AND_PROOF",
	"AGGREGATE_AND_PROOF_V2",
	"RANDAO_REVEAL",
	"VOLUNTARY_EXIT",
	"DEPOSIT",
	"SYNC_COMMITTEE_MESSAGE",
	"SYNC_COMMITTEE_SELECTION_PROOF",
	"SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF",
	"VALIDATOR_REGISTRATION",
	"EXECUTION_PAYLOAD_BID",
	"EXECUTION_PAYLOAD_ENVELOPE",
	"PAYLOAD_ATTESTATION_MESSAGE",
	"PROPOSER_PREFERENCES",
	"BUILDER_REQUEST_AUTH",
	"GENERIC",
};

/* Pre-standard names still sent by validator clients (signing-apis-2026.md §8.4):
 * Lighthouse and Grandine say PAYLOAD_ATTESTATION, Lighthouse says REQUEST_AUTH. */
static const struct {
	const char *name;
	eth2_sign_type type;
} type_aliases[] = {
	{ "PAYLOAD_ATTESTATION", ETH2_SIGN_PAYLOAD_ATTESTATION_MESSAGE },
	{ "REQUEST_AUTH", ETH2_SIGN_BUILDER_REQUEST_AUTH },
};

const char *eth2_sign_type_name(eth2_sign_type t)
{
	return (unsigned)t < ETH2_SIGN__COUNT ? type_names[t] : "UNKNOWN";
}

/* Everything one parse needs; errors are written into err once, at the failure. */
typedef struct {
	const eth2_network *net;
	const eth2_preset_types *pt;
	eth2_signing_request *out;
	eth2_error *err;
	bool have_fork;
	uint8_t prev_version[4], cur_version[4];
	uint64_t fork_epoch;
} req_ctx;

static ss_err set_err(req_ctx *c, eth2_error_kind kind, ss_err code, const char *field,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static ss_err set_err(req_ctx *c, eth2_error_kind kind, ss_err code, const char *field,
		      const char *fmt, ...)
{
	c->err->kind = kind;
	snprintf(c->err->field, sizeof c->err->field, "%s", field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
	va_end(ap);
	return code;
}

/* A structural error from the SSZ walker: malformed input, named by its path. */
static ss_err ssz_fail(req_ctx *c, ss_err code, const ssz_error *se)
{
	return set_err(c, ETH2_ERR_MALFORMED, code == SS_OK ? SS_ERR_INVALID : code, se->path,
		       "%s", se->message);
}

/* The per-type object of the request; Web3Signer answers a missing one with 500
 * ("block must be specified"), so it is a semantic error. */
static const json_t *type_object(req_ctx *c, const json_t *root, const char *key)
{
	const json_t *v = json_object_get(root, key);
	if (v == NULL || json_is_null(v)) {
		set_err(c, ETH2_ERR_SEMANTIC, SS_ERR_INVALID, key, "%s must be specified for type %s",
			key, eth2_sign_type_name(c->out->type));
		return NULL;
	}
	if (!json_is_object(v)) {
		set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, key, "expected an object");
		return NULL;
	}
	return v;
}

static ss_err get_u64(req_ctx *c, const json_t *obj, const char *path, const char *key,
		      uint64_t *v)
{
	ssz_error se;
	char p[96];
	ssz_path_key(p, sizeof p, path, key);
	const json_t *j = ssz_json_member(obj, path, key, &se);
	if (j == NULL)
		return ssz_fail(c, SS_ERR_INVALID, &se);
	ss_err e = ssz_json_u64(j, p, v, &se);
	return e == SS_OK ? SS_OK : ssz_fail(c, e, &se);
}

static ss_err hash_json(req_ctx *c, const ssz_type *t, const json_t *j, const char *path,
			uint8_t root[32])
{
	ssz_error se;
	ss_err e = ssz_json_root(t, j, path, root, &se);
	return e == SS_OK ? SS_OK : ssz_fail(c, e, &se);
}

static uint64_t epoch_at_slot(const req_ctx *c, uint64_t slot)
{
	return slot / c->net->slots_per_epoch;
}

/* get_domain(state, domain_type, epoch) with state.fork and genesis_validators_root
 * taken from the request's fork_info (phase0 beacon-chain.md get_domain). */
static void get_domain(req_ctx *c, const uint8_t type[4], uint64_t epoch)
{
	const uint8_t *v = epoch < c->fork_epoch ? c->prev_version : c->cur_version;
	eth2_compute_domain(c->out->domain, type, v, c->out->genesis_validators_root);
}

/* fork_info: {fork: {previous_version, current_version, epoch}, genesis_validators_root}.
 * Parsed whenever present (Web3Signer requires both members then). */
static ss_err parse_fork_info(req_ctx *c, const json_t *root)
{
	const json_t *fi = json_object_get(root, "fork_info");
	if (fi == NULL || json_is_null(fi))
		return SS_OK;
	ssz_error se;
	const json_t *fork = ssz_json_member(fi, "fork_info", "fork", &se);
	const json_t *gvr = fork ? ssz_json_member(fi, "fork_info", "genesis_validators_root", &se)
				 : NULL;
	if (fork == NULL || gvr == NULL)
		return ssz_fail(c, SS_ERR_INVALID, &se);
	const json_t *pv = ssz_json_member(fork, "fork_info.fork", "previous_version", &se);
	const json_t *cv = pv ? ssz_json_member(fork, "fork_info.fork", "current_version", &se) : NULL;
	if (pv == NULL || cv == NULL)
		return ssz_fail(c, SS_ERR_INVALID, &se);
	ss_err e;
	if ((e = ssz_json_hex(pv, "fork_info.fork.previous_version", c->prev_version, 4, &se)) != SS_OK ||
	    (e = ssz_json_hex(cv, "fork_info.fork.current_version", c->cur_version, 4, &se)) != SS_OK ||
	    (e = ssz_json_hex(gvr, "fork_info.genesis_validators_root",
			      c->out->genesis_validators_root, 32, &se)) != SS_OK)
		return ssz_fail(c, e, &se);
	if ((e = get_u64(c, fork, "fork_info.fork", "epoch", &c->fork_epoch)) != SS_OK)
		return e;
	c->have_fork = true;
	c->out->has_gvr = true;
	return SS_OK;
}

static ss_err need_fork_info(req_ctx *c)
{
	if (c->have_fork)
		return SS_OK;
	return set_err(c, ETH2_ERR_SEMANTIC, SS_ERR_INVALID, "fork_info",
		       "fork_info must be specified for type %s", eth2_sign_type_name(c->out->type));
}

/* Sync-committee duties exist from Altair on (altair validator.md); Web3Signer refuses
 * them for a slot before the network's Altair fork. */
static ss_err need_altair(req_ctx *c, uint64_t slot, const char *field)
{
	c->out->fork = eth2_network_fork_at_epoch(c->net, epoch_at_slot(c, slot));
	if (c->out->fork >= ETH2_FORK_ALTAIR)
		return SS_OK;
	return set_err(c, ETH2_ERR_SEMANTIC, SS_ERR_UNSUPPORTED, field,
		       "%s is before the Altair fork of network %s", "slot", c->net->name);
}

/* A fork name tag ("version" of BLOCK_V2 and AGGREGATE_AND_PROOF_V2): Web3Signer reads
 * the milestone name case-sensitively. No JSON string here holds a NUL: the body is
 * loaded without JSON_ALLOW_NUL, so jansson refuses "\u0000". */
#define FORK_TAG_EXPECTED \
	"expected a fork name: PHASE0, ALTAIR, BELLATRIX, CAPELLA, DENEB, ELECTRA, FULU, " \
	"GLOAS or HEZE (upper case)"

static bool fork_tag(const json_t *v, eth2_fork *out)
{
	return json_is_string(v) && eth2_fork_from_name(json_string_value(v), out);
}

/* BLOCK (phase0/altair full block) and BLOCK_V2 PHASE0/ALTAIR: the full BeaconBlock,
 * whose root equals its header's (phase0 beacon-chain.md BeaconBlockHeader). */
static ss_err full_block(req_ctx *c, const json_t *blk, const char *path, eth2_fork schema)
{
	ss_err e = get_u64(c, blk, path, "slot", &c->out->slot);
	if (e != SS_OK)
		return e;
	eth2_fork at = eth2_network_fork_at_epoch(c->net, epoch_at_slot(c, c->out->slot));
	c->out->fork = at;
	if (schema == ETH2_FORK_ALTAIR && at < ETH2_FORK_ALTAIR) {
		char f[96];
		ssz_path_key(f, sizeof f, path, "slot");
		return set_err(c, ETH2_ERR_SEMANTIC, SS_ERR_UNSUPPORTED, f,
			       "an ALTAIR block at a slot before the Altair fork of network %s",
			       c->net->name);
	}
	const ssz_type *t = schema == ETH2_FORK_PHASE0 ? &eth2_t_beacon_block_phase0
						       : c->pt->beacon_block_altair;
	if ((e = hash_json(c, t, blk, path, c->out->object_root)) != SS_OK)
		return e;
	get_domain(c, ETH2_DOMAIN_BEACON_PROPOSER, epoch_at_slot(c, c->out->slot));
	return SS_OK;
}

static ss_err do_block(req_ctx *c, const json_t *root)
{
	const json_t *blk = type_object(c, root, "block");
	if (blk == NULL)
		return SS_ERR_INVALID;
	uint64_t slot;
	ss_err e = get_u64(c, blk, "block", "slot", &slot);
	if (e != SS_OK)
		return e;
	/* BLOCK is the deprecated form: the schema is the network's at the slot, and only
	 * phase0 and altair full blocks exist in this form. */
	eth2_fork at = eth2_network_fork_at_epoch(c->net, epoch_at_slot(c, slot));
	if (at > ETH2_FORK_ALTAIR)
		return set_err(c, ETH2_ERR_SEMANTIC, SS_ERR_UNSUPPORTED, "block.slot",
			       "type BLOCK is not supported from Bellatrix on; use BLOCK_V2");
	return full_block(c, blk, "block", at);
}

static ss_err do_block_v2(req_ctx *c, const json_t *root)
{
	const json_t *bb = type_object(c, root, "beacon_block");
	if (bb == NULL)
		return SS_ERR_INVALID;
	const json_t *v = json_object_get(bb, "version");
	eth2_fork version;
	if (v == NULL || json_is_null(v))
		return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, "beacon_block.version",
			       "missing field");
	if (!fork_tag(v, &version))
		return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, "beacon_block.version",
			       FORK_TAG_EXPECTED);
	if (version <= ETH2_FORK_ALTAIR) {
		const json_t *blk = json_object_get(bb, "block");
		if (blk == NULL || json_is_null(blk))
			return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, "beacon_block.block",
				       "missing field (required for %s)", eth2_fork_name(version));
		return full_block(c, blk, "beacon_block.block", version);
	}
	/* Bellatrix on: the header only; htr(BeaconBlockHeader) == htr(BeaconBlock). */
	const json_t *h = json_object_get(bb, "block_header");
	if (h == NULL || json_is_null(h))
		return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, "beacon_block.block_header",
			       "missing field (required for %s)", eth2_fork_name(version));
	ss_err e = get_u64(c, h, "beacon_block.block_header", "slot", &c->out->slot);
	if (e != SS_OK)
		return e;
	if ((e = hash_json(c, &eth2_t_beacon_block_header, h, "beacon_block.block_header",
			   c->out->object_root)) != SS_OK)
		return e;
	uint64_t epoch = epoch_at_slot(c, c->out->slot);
	c->out->fork = eth2_network_fork_at_epoch(c->net, epoch);
	get_domain(c, ETH2_DOMAIN_BEACON_PROPOSER, epoch);
	return SS_OK;
}

static ss_err do_attestation(req_ctx *c, const json_t *root)
{
	const json_t *a = type_object(c, root, "attestation");
	if (a == NULL)
		return SS_ERR_INVALID;
	ss_err e = hash_json(c, &eth2_t_attestation_data, a, "attestation", c->out->object_root);
	if (e != SS_OK)
		return e;
	/* Values are known valid now: the walker checked them. */
	const json_t *src = json_object_get(a, "source"), *tgt = json_object_get(a, "target");
	if ((e = get_u64(c, a, "attestation", "slot", &c->out->slot)) != SS_OK ||
	    (e = get_u64(c, src, "attestation.source", "epoch", &c->out->source_epoch)) != SS_OK ||
	    (e = get_u64(c, tgt, "attestation.target", "epoch", &c->out->target_epoch)) != SS_OK)
		return e;
	/* get_attestation_signature: the domain's epoch is data.target.epoch. */
	c->out->fork = eth2_network_fork_at_epoch(c->net, c->out->target_epoch);
	get_domain(c, ETH2_DOMAIN_BEACON_ATTESTER, c->out->target_epoch);
	return SS_OK;
}

/* A bare uint64 (slot or epoch) signed under a domain at an epoch. */
static ss_err do_u64(req_ctx *c, const json_t *root, const char *key, const char *member,
		     const uint8_t domain[4], bool is_slot)
{
	const json_t *o = type_object(c, root, key);
	if (o == NULL)
		return SS_ERR_INVALID;
	uint64_t v;
	ss_err e = get_u64(c, o, key, member, &v);
	if (e != SS_OK)
		return e;
	ssz_uint64_root(c->out->object_root, v);
	uint64_t epoch = is_slot ? epoch_at_slot(c, v) : v;
	if (is_slot)
		c->out->slot = v;
	c->out->fork = eth2_network_fork_at_epoch(c->net, epoch);
	get_domain(c, domain, epoch);
	return SS_OK;
}

static ss_err do_aggregate_and_proof(req_ctx *c, const json_t *root)
{
	const json_t *ap = type_object(c, root, "aggregate_and_proof");
	if (ap == NULL)
		return SS_ERR_INVALID;
	/* Both type names accept both shapes: {version, data: AggregateAndProof} or the
	 * AggregateAndProof itself. The schema is the network's at aggregate.data.slot,
	 * whatever `version` says (as Web3Signer); the tag must still be a fork name. */
	const char *path = "aggregate_and_proof";
	const json_t *inner = ap;
	const json_t *ver = json_object_get(ap, "version");
	if (ver != NULL && !json_is_null(ver)) {
		eth2_fork f;
		if (!fork_tag(ver, &f))
			return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID,
				       "aggregate_and_proof.version", FORK_TAG_EXPECTED);
		inner = json_object_get(ap, "data");
		if (inner == NULL || json_is_null(inner))
			return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID,
				       "aggregate_and_proof.data", "missing field");
		path = "aggregate_and_proof.data";
	}
	ssz_error se;
	char p_agg[96], p_data[96];
	ssz_path_key(p_agg, sizeof p_agg, path, "aggregate");
	ssz_path_key(p_data, sizeof p_data, p_agg, "data");
	const json_t *agg = ssz_json_member(inner, path, "aggregate", &se);
	const json_t *data = agg ? ssz_json_member(agg, p_agg, "data", &se) : NULL;
	if (data == NULL)
		return ssz_fail(c, SS_ERR_INVALID, &se);
	uint64_t slot;
	ss_err e = get_u64(c, data, p_data, "slot", &slot);
	if (e != SS_OK)
		return e;
	uint64_t epoch = epoch_at_slot(c, slot);
	c->out->slot = slot;
	c->out->fork = eth2_network_fork_at_epoch(c->net, epoch);
	/* Gloas makes the Attestation a ProgressiveContainer (EIP-7495) with a progressive
	 * aggregation_bits (EIP-7916): a different root for the same JSON. */
	const ssz_type *t = c->out->fork >= ETH2_FORK_GLOAS     ? c->pt->aggregate_and_proof_gloas
			    : c->out->fork >= ETH2_FORK_ELECTRA ? c->pt->aggregate_and_proof_electra
								: &eth2_t_aggregate_and_proof;
	if ((e = hash_json(c, t, inner, path, c->out->object_root)) != SS_OK)
		return e;
	get_domain(c, ETH2_DOMAIN_AGGREGATE_AND_PROOF, epoch);
	return SS_OK;
}

static ss_err do_voluntary_exit(req_ctx *c, const json_t *root)
{
	const json_t *ve = type_object(c, root, "voluntary_exit");
	if (ve == NULL)
		return SS_ERR_INVALID;
	ss_err e = hash_json(c, &eth2_t_voluntary_exit, ve, "voluntary_exit", c->out->object_root);
	uint64_t epoch;
	if (e != SS_OK || (e = get_u64(c, ve, "voluntary_exit", "epoch", &epoch)) != SS_OK)
		return e;
	c->out->fork = eth2_network_fork_at_epoch(c->net, epoch);
	if (c->out->fork >= ETH2_FORK_DENEB) {
		/* EIP-7044 (deneb beacon-chain.md process_voluntary_exit): exits are signed
		 * with CAPELLA_FORK_VERSION whatever the current fork. The branch is chosen by
		 * the exit's epoch, as Web3Signer does. */
		eth2_compute_domain(c->out->domain, ETH2_DOMAIN_VOLUNTARY_EXIT,
				    c->net->versions[ETH2_FORK_CAPELLA], c->out->genesis_validators_root);
	} else {
		get_domain(c, ETH2_DOMAIN_VOLUNTARY_EXIT, epoch);
	}
	return SS_OK;
}

static ss_err do_deposit(req_ctx *c, const json_t *root)
{
	const json_t *d = type_object(c, root, "deposit");
	if (d == NULL)
		return SS_ERR_INVALID;
	ss_err e = hash_json(c, &eth2_t_deposit_message, d, "deposit", c->out->object_root);
	if (e != SS_OK)
		return e;
	ssz_error se;
	uint8_t gfv[4];
	const json_t *g = ssz_json_member(d, "deposit", "genesis_fork_version", &se);
	if (g == NULL)
		return ssz_fail(c, SS_ERR_INVALID, &se);
	if ((e = ssz_json_hex(g, "deposit.genesis_fork_version", gfv, 4, &se)) != SS_OK)
		return ssz_fail(c, e, &se);
	/* phase0 beacon-chain.md process_deposit: compute_domain(DOMAIN_DEPOSIT) uses a
	 * zero genesis_validators_root, so deposits are valid before genesis. */
	static const uint8_t zero[32] = { 0 };
	eth2_compute_domain(c->out->domain, ETH2_DOMAIN_DEPOSIT, gfv, zero);
	return SS_OK;
}

static ss_err do_sync_message(req_ctx *c, const json_t *root)
{
	const json_t *m = type_object(c, root, "sync_committee_message");
	if (m == NULL)
		return SS_ERR_INVALID;
	uint64_t slot;
	ss_err e = get_u64(c, m, "sync_committee_message", "slot", &slot);
	if (e != SS_OK)
		return e;
	ssz_error se;
	const json_t *r = ssz_json_member(m, "sync_committee_message", "beacon_block_root", &se);
	if (r == NULL)
		return ssz_fail(c, SS_ERR_INVALID, &se);
	/* get_sync_committee_message signs hash_tree_root(Root) = the root itself. */
	if ((e = ssz_json_hex(r, "sync_committee_message.beacon_block_root", c->out->object_root,
			      32, &se)) != SS_OK)
		return ssz_fail(c, e, &se);
	c->out->slot = slot;
	if ((e = need_altair(c, slot, "sync_committee_message.slot")) != SS_OK)
		return e;
	get_domain(c, ETH2_DOMAIN_SYNC_COMMITTEE, epoch_at_slot(c, slot));
	return SS_OK;
}

static ss_err do_sync_selection(req_ctx *c, const json_t *root)
{
	const char *key = "sync_aggregator_selection_data";
	const json_t *s = type_object(c, root, key);
	if (s == NULL)
		return SS_ERR_INVALID;
	ss_err e = hash_json(c, &eth2_t_sync_aggregator_selection_data, s, key, c->out->object_root);
	uint64_t slot;
	if (e != SS_OK || (e = get_u64(c, s, key, "slot", &slot)) != SS_OK)
		return e;
	c->out->slot = slot;
	if ((e = need_altair(c, slot, "sync_aggregator_selection_data.slot")) != SS_OK)
		return e;
	get_domain(c, ETH2_DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, epoch_at_slot(c, slot));
	return SS_OK;
}

static ss_err do_contribution(req_ctx *c, const json_t *root)
{
	const json_t *cp = type_object(c, root, "contribution_and_proof");
	if (cp == NULL)
		return SS_ERR_INVALID;
	ss_err e = hash_json(c, c->pt->contribution_and_proof, cp, "contribution_and_proof",
			     c->out->object_root);
	if (e != SS_OK)
		return e;
	uint64_t slot;
	const json_t *contrib = json_object_get(cp, "contribution");
	if ((e = get_u64(c, contrib, "contribution_and_proof.contribution", "slot", &slot)) != SS_OK)
		return e;
	c->out->slot = slot;
	if ((e = need_altair(c, slot, "contribution_and_proof.contribution.slot")) != SS_OK)
		return e;
	get_domain(c, ETH2_DOMAIN_CONTRIBUTION_AND_PROOF, epoch_at_slot(c, slot));
	return SS_OK;
}

static ss_err do_registration(req_ctx *c, const json_t *root)
{
	const json_t *r = type_object(c, root, "validator_registration");
	if (r == NULL)
		return SS_ERR_INVALID;
	ss_err e = hash_json(c, &eth2_t_validator_registration_v1, r, "validator_registration",
			     c->out->object_root);
	if (e != SS_OK)
		return e;
	/* builder-specs: compute_domain(DOMAIN_APPLICATION_BUILDER) with the network's
	 * GENESIS_FORK_VERSION and a zero root, whatever fork_info says. */
	static const uint8_t zero[32] = { 0 };
	eth2_compute_domain(c->out->domain, ETH2_DOMAIN_APPLICATION_BUILDER,
			    c->net->versions[ETH2_FORK_PHASE0], zero);
	return SS_OK;
}

/* ---- Gloas (remote-signing-api v1.4.0, signing-apis-2026.md §8.4) ---------------- */

/* The message of a Gloas type. keys[0] is the v1.4.0 body key, the others the
 * pre-standard keys clients send today (at most one may be present). The value is
 * version-wrapped, {"version": "GLOAS", "data": {…}}, or, as Lighthouse sends it, the
 * bare message. path receives the JSON path of the message. */
static const json_t *gloas_object(req_ctx *c, const json_t *root, const char *const *keys,
				  size_t nkeys, char *path, size_t cap)
{
	const json_t *v = NULL;
	const char *key = keys[0];
	for (size_t i = 0; i < nkeys; i++) {
		const json_t *o = json_object_get(root, keys[i]);
		if (o == NULL || json_is_null(o))
			continue;
		if (v != NULL) {
			set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, keys[i],
				"both %s and %s are present", key, keys[i]);
			return NULL;
		}
		v = o;
		key = keys[i];
	}
	if (v == NULL) {
		set_err(c, ETH2_ERR_SEMANTIC, SS_ERR_INVALID, keys[0], "%s must be specified for type %s",
			keys[0], eth2_sign_type_name(c->out->type));
		return NULL;
	}
	if (!json_is_object(v)) {
		set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, key, "expected an object");
		return NULL;
	}
	snprintf(path, cap, "%s", key);
	const json_t *ver = json_object_get(v, "version");
	if (ver == NULL || json_is_null(ver))
		return v;
	char vp[96];
	ssz_path_key(vp, sizeof vp, key, "version");
	eth2_fork f;
	if (!fork_tag(ver, &f)) {
		set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, vp, FORK_TAG_EXPECTED);
		return NULL;
	}
	if (f < ETH2_FORK_GLOAS) {
		set_err(c, ETH2_ERR_SEMANTIC, SS_ERR_UNSUPPORTED, vp,
			"type %s exists from GLOAS on, not at %s", eth2_sign_type_name(c->out->type),
			eth2_fork_name(f));
		return NULL;
	}
	const json_t *data = json_object_get(v, "data");
	ssz_path_key(path, cap, key, "data");
	if (data == NULL || json_is_null(data)) {
		set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, path, "missing field");
		return NULL;
	}
	return data;
}

/* The Gloas messages exist only from the network's Gloas fork: one dated before it is
 * refused, as sync-committee messages are before Altair. */
static ss_err need_gloas(req_ctx *c, uint64_t slot, const char *field)
{
	c->out->slot = slot;
	c->out->fork = eth2_network_fork_at_epoch(c->net, epoch_at_slot(c, slot));
	if (c->out->fork >= ETH2_FORK_GLOAS)
		return SS_OK;
	return set_err(c, ETH2_ERR_SEMANTIC, SS_ERR_UNSUPPORTED, field,
		       "slot is before the Gloas fork of network %s", c->net->name);
}

/* One Gloas message: hash it as t, read its slot at slot_path (members below the
 * message), check the fork and take the domain at the slot's epoch from fork_info, or,
 * for BUILDER_REQUEST_AUTH, from the genesis fork version and a zero root. */
static ss_err do_gloas(req_ctx *c, const json_t *root, const char *const *keys, size_t nkeys,
		       const ssz_type *t, const char *const *slot_path, size_t depth,
		       const uint8_t domain[4])
{
	char path[96];
	const json_t *m = gloas_object(c, root, keys, nkeys, path, sizeof path);
	if (m == NULL)
		return SS_ERR_INVALID;
	/* PAYLOAD_ATTESTATION_MESSAGE signs the PayloadAttestationData; accept the whole
	 * PayloadAttestationMessage too (its `data` member is the signed part). */
	if (t == &eth2_t_payload_attestation_data && json_object_get(m, "beacon_block_root") == NULL &&
	    json_is_object(json_object_get(m, "data"))) {
		char inner[96];
		ssz_path_key(inner, sizeof inner, path, "data");
		memcpy(path, inner, sizeof path);
		m = json_object_get(m, "data");
	}
	/* The slot first: it chooses the schema. A member on the way that is missing or
	 * not an object is reported by get_u64. */
	const json_t *o = m;
	char p[96];
	snprintf(p, sizeof p, "%s", path);
	for (size_t i = 0; i + 1 < depth; i++) {
		char q[96];
		o = json_object_get(o, slot_path[i]);
		ssz_path_key(q, sizeof q, p, slot_path[i]);
		memcpy(p, q, sizeof p);
	}
	uint64_t slot;
	ss_err e = get_u64(c, o, p, slot_path[depth - 1], &slot);
	if (e != SS_OK)
		return e;
	char sp[96];
	ssz_path_key(sp, sizeof sp, p, slot_path[depth - 1]);
	if ((e = need_gloas(c, slot, sp)) != SS_OK)
		return e;
	/* Heze adds inclusion_list_bits to the bid (EIP-7805); the other four are unchanged. */
	if (t == &eth2_t_execution_payload_bid && c->out->fork >= ETH2_FORK_HEZE)
		t = &eth2_t_execution_payload_bid_heze;
	if ((e = hash_json(c, t, m, path, c->out->object_root)) != SS_OK)
		return e;
	if (domain == ETH2_DOMAIN_BUILDER_REQUEST_AUTH) {
		static const uint8_t zero[32] = { 0 };
		eth2_compute_domain(c->out->domain, domain, c->net->versions[ETH2_FORK_PHASE0], zero);
		return SS_OK;
	}
	get_domain(c, domain, epoch_at_slot(c, slot));
	return SS_OK;
}

static ss_err do_gloas_type(req_ctx *c, const json_t *root)
{
	static const char *const bid_keys[] = { "execution_payload_bid" };
	static const char *const env_keys[] = { "execution_payload_envelope" };
	static const char *const pam_keys[] = { "payload_attestation_message",
						"payload_attestation_data" };
	static const char *const pref_keys[] = { "proposer_preferences" };
	static const char *const auth_keys[] = { "builder_request_auth", "request_auth" };
	static const char *const slot[] = { "slot" };
	static const char *const payload_slot[] = { "payload", "slot_number" };
	static const char *const proposal_slot[] = { "proposal_slot" };
#define N(a) (sizeof(a) / sizeof((a)[0]))
	switch (c->out->type) {
	case ETH2_SIGN_EXECUTION_PAYLOAD_BID:
		/* gloas builder.md get_execution_payload_bid_signature: BEACON_BUILDER at
		 * the bid's slot. */
		return do_gloas(c, root, bid_keys, N(bid_keys), &eth2_t_execution_payload_bid, slot,
				N(slot), ETH2_DOMAIN_BEACON_BUILDER);
	case ETH2_SIGN_EXECUTION_PAYLOAD_ENVELOPE:
		/* get_execution_payload_envelope_signature: BEACON_BUILDER; the envelope's
		 * slot is its payload's slot_number (EIP-7843). */
		return do_gloas(c, root, env_keys, N(env_keys), &eth2_t_execution_payload_envelope,
				payload_slot, N(payload_slot), ETH2_DOMAIN_BEACON_BUILDER);
	case ETH2_SIGN_PAYLOAD_ATTESTATION_MESSAGE:
		/* gloas validator.md get_payload_attestation_message_signature. */
		return do_gloas(c, root, pam_keys, N(pam_keys), &eth2_t_payload_attestation_data,
				slot, N(slot), ETH2_DOMAIN_PTC_ATTESTER);
	case ETH2_SIGN_PROPOSER_PREFERENCES:
		return do_gloas(c, root, pref_keys, N(pref_keys), &eth2_t_proposer_preferences,
				proposal_slot, N(proposal_slot), ETH2_DOMAIN_PROPOSER_PREFERENCES);
	case ETH2_SIGN_BUILDER_REQUEST_AUTH:
		/* Like VALIDATOR_REGISTRATION: genesis fork version, zero root (§8.4). */
		return do_gloas(c, root, auth_keys, N(auth_keys), &eth2_t_builder_request_auth, slot,
				N(slot), ETH2_DOMAIN_BUILDER_REQUEST_AUTH);
	default:
		return SS_ERR_INTERNAL;
	}
#undef N
}

/* GENERIC (remote-signing-api PR #29): {"signing_data": {"object_root", "domain"}}; the
 * signing root is recomputed as htr(SigningData). Whether the domain may be signed is
 * the signer's decision (eth2_generic_domain_protected). */
static ss_err do_generic(req_ctx *c, const json_t *root)
{
	const json_t *sd = type_object(c, root, "signing_data");
	if (sd == NULL)
		return SS_ERR_INVALID;
	ssz_error se;
	const json_t *o = ssz_json_member(sd, "signing_data", "object_root", &se);
	const json_t *d = o ? ssz_json_member(sd, "signing_data", "domain", &se) : NULL;
	if (d == NULL)
		return ssz_fail(c, SS_ERR_INVALID, &se);
	ss_err e;
	if ((e = ssz_json_hex(o, "signing_data.object_root", c->out->object_root, 32, &se)) != SS_OK ||
	    (e = ssz_json_hex(d, "signing_data.domain", c->out->domain, 32, &se)) != SS_OK)
		return ssz_fail(c, e, &se);
	return SS_OK;
}

/* The optional client-supplied root under either spelling. */
static ss_err client_root(req_ctx *c, const json_t *root, const char *key, bool *have,
			  uint8_t out[32])
{
	const json_t *v = json_object_get(root, key);
	if (v == NULL || json_is_null(v))
		return SS_OK;
	ssz_error se;
	uint8_t r[32];
	ss_err e = ssz_json_hex(v, key, r, 32, &se);
	if (e != SS_OK)
		return ssz_fail(c, e, &se);
	if (*have && memcmp(r, out, 32) != 0)
		return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, key,
			       "signing_root and signingRoot differ");
	memcpy(out, r, 32);
	*have = true;
	return SS_OK;
}

static ss_err parse(req_ctx *c, const json_t *root)
{
	if (!json_is_object(root))
		return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, "", "the body must be a JSON object");
	const json_t *ty = json_object_get(root, "type");
	if (ty == NULL || json_is_null(ty))
		return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, "type", "missing field");
	if (!json_is_string(ty))
		return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, "type", "expected a string");
	/* Case-insensitive, as Web3Signer. */
	int t = -1;
	for (int i = 0; i < ETH2_SIGN__COUNT && t < 0; i++)
		if (strcasecmp(json_string_value(ty), type_names[i]) == 0)
			t = i;
	for (size_t i = 0; i < sizeof type_aliases / sizeof type_aliases[0] && t < 0; i++)
		if (strcasecmp(json_string_value(ty), type_aliases[i].name) == 0)
			t = (int)type_aliases[i].type;
	if (t < 0)
		return set_err(c, ETH2_ERR_MALFORMED, SS_ERR_INVALID, "type",
			       "unknown signing type (expected one of BLOCK, BLOCK_V2, ATTESTATION, "
			       "AGGREGATION_SLOT, AGGREGATE_AND_PROOF, AGGREGATE_AND_PROOF_V2, "
			       "RANDAO_REVEAL, VOLUNTARY_EXIT, DEPOSIT, SYNC_COMMITTEE_*, "
			       "VALIDATOR_REGISTRATION, EXECUTION_PAYLOAD_BID, "
			       "EXECUTION_PAYLOAD_ENVELOPE, PAYLOAD_ATTESTATION_MESSAGE, "
			       "PROPOSER_PREFERENCES, BUILDER_REQUEST_AUTH, GENERIC)");
	c->out->type = (eth2_sign_type)t;

	bool have_root = false;
	uint8_t claimed[32] = { 0 };
	ss_err e;
	if ((e = client_root(c, root, "signing_root", &have_root, claimed)) != SS_OK ||
	    (e = client_root(c, root, "signingRoot", &have_root, claimed)) != SS_OK)
		return e;
	if ((e = parse_fork_info(c, root)) != SS_OK)
		return e;
	/* These domains use no fork_info: deposits and builder registrations and
	 * authentications are signed with fixed versions and a zero root, GENERIC with the
	 * client's domain. */
	bool no_fork = c->out->type == ETH2_SIGN_DEPOSIT ||
		       c->out->type == ETH2_SIGN_VALIDATOR_REGISTRATION ||
		       c->out->type == ETH2_SIGN_BUILDER_REQUEST_AUTH ||
		       c->out->type == ETH2_SIGN_GENERIC;
	if (!no_fork && (e = need_fork_info(c)) != SS_OK)
		return e;

	switch (c->out->type) {
	case ETH2_SIGN_BLOCK: e = do_block(c, root); break;
	case ETH2_SIGN_BLOCK_V2: e = do_block_v2(c, root); break;
	case ETH2_SIGN_ATTESTATION: e = do_attestation(c, root); break;
	case ETH2_SIGN_AGGREGATION_SLOT:
		/* get_slot_signature: SELECTION_PROOF at compute_epoch_at_slot(slot). */
		e = do_u64(c, root, "aggregation_slot", "slot", ETH2_DOMAIN_SELECTION_PROOF, true);
		break;
	case ETH2_SIGN_AGGREGATE_AND_PROOF:
	case ETH2_SIGN_AGGREGATE_AND_PROOF_V2: e = do_aggregate_and_proof(c, root); break;
	case ETH2_SIGN_RANDAO_REVEAL:
		/* get_epoch_signature: RANDAO at the revealed epoch. */
		e = do_u64(c, root, "randao_reveal", "epoch", ETH2_DOMAIN_RANDAO, false);
		break;
	case ETH2_SIGN_VOLUNTARY_EXIT: e = do_voluntary_exit(c, root); break;
	case ETH2_SIGN_DEPOSIT: e = do_deposit(c, root); break;
	case ETH2_SIGN_SYNC_COMMITTEE_MESSAGE: e = do_sync_message(c, root); break;
	case ETH2_SIGN_SYNC_COMMITTEE_SELECTION_PROOF: e = do_sync_selection(c, root); break;
	case ETH2_SIGN_SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF: e = do_contribution(c, root); break;
	case ETH2_SIGN_VALIDATOR_REGISTRATION: e = do_registration(c, root); break;
	case ETH2_SIGN_EXECUTION_PAYLOAD_BID:
	case ETH2_SIGN_EXECUTION_PAYLOAD_ENVELOPE:
	case ETH2_SIGN_PAYLOAD_ATTESTATION_MESSAGE:
	case ETH2_SIGN_PROPOSER_PREFERENCES:
	case ETH2_SIGN_BUILDER_REQUEST_AUTH: e = do_gloas_type(c, root); break;
	case ETH2_SIGN_GENERIC: e = do_generic(c, root); break;
	default: e = SS_ERR_INTERNAL; break;
	}
	if (e != SS_OK)
		return e;
	if (no_fork) {
		/* Their domains use no genesis_validators_root: none is reported for pinning. */
		c->out->has_gvr = false;
		memset(c->out->genesis_validators_root, 0, 32);
	}
	eth2_compute_signing_root(c->out->signing_root, c->out->object_root, c->out->domain);
	if (have_root && memcmp(claimed, c->out->signing_root, 32) != 0)
		return set_err(c, ETH2_ERR_ROOT_MISMATCH, SS_ERR_INVALID,
			       json_object_get(root, "signing_root") ? "signing_root" : "signingRoot",
			       "does not match the signing root computed from the request");
	return SS_OK;
}

ss_err eth2_parse_signing_request(const eth2_network *net, const char *body, size_t len,
				  eth2_signing_request *out, eth2_error *err)
{
	eth2_error scratch_err;
	if (err == NULL)
		err = &scratch_err;
	memset(err, 0, sizeof *err);
	memset(out, 0, sizeof *out);
	if (net == NULL || body == NULL) {
		err->kind = ETH2_ERR_MALFORMED;
		snprintf(err->message, sizeof err->message, "no network or no body");
		return SS_ERR_INVALID;
	}
	json_error_t je;
	/* Duplicate keys are refused: two readers of one body must never disagree. Without
	 * JSON_ALLOW_NUL jansson also refuses "\u0000", so no string read below can be cut
	 * short by a NUL (tests/eth2/test_requests.c type_names). */
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		err->kind = ETH2_ERR_MALFORMED;
		snprintf(err->message, sizeof err->message, "invalid JSON at line %d column %d: %s",
			 je.line, je.column, je.text);
		return SS_ERR_INVALID;
	}
	req_ctx c = { .net = net, .pt = eth2_preset_types_get(net->preset), .out = out, .err = err };
	ss_err e = parse(&c, root);
	json_decref(root);
	if (e != SS_OK) {
		memset(out, 0, sizeof *out);
		if (err->kind == ETH2_ERR_NONE)
			err->kind = ETH2_ERR_MALFORMED;
	}
	return e;
}
