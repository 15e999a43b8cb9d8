/* Networks: built-in fork schedules and consensus-layer config.yaml files.
 * Values and sources: ../shared/vectors/CONSTANTS.md §6 (mainnet: consensus-specs
 * configs/mainnet.yaml; sepolia, holesky, hoodi: eth-clients/<net> metadata/config.yaml
 * and Lighthouse's built-in configs for the later forks), consensus-specs
 * configs/minimal.yaml, gnosischain/configs mainnet/config.yaml.
 * Genesis validators roots: CONSTANTS.md §6.1 (eth-clients/<net> metadata), gnosis from
 * gnosischain/configs. Genesis times, as the beacon API's /eth/v1/beacon/genesis gives
 * them (and Lodestar's and Erigon's built-in genesis data): mainnet 1606824023
 * (MIN_GENESIS_TIME + 23 s), sepolia, holesky and hoodi MIN_GENESIS_TIME + GENESIS_DELAY,
 * gnosis 1638993340 with 5-second slots. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "eth2/eth2_internal.h"
#include "util/dec.h"
#include "util/hex.h"

#define FAR ETH2_FAR_FUTURE_EPOCH
#define V(a, b, c, d) { 0x##a, 0x##b, 0x##c, 0x##d }

/* Heze (the fork after Gloas) is scheduled nowhere and only mainnet (consensus-specs
 * configs/mainnet.yaml, 0x08000000) and minimal (0x08000001) publish its version. The
 * testnets carry what Lodestar 1.48 gives them, mainnet's version inherited: unused until
 * an operator's config.yaml schedules Heze with its own version. */
#define HEZE_UNPUBLISHED V(08, 00, 00, 00)

static const eth2_network builtins[] = {
	{ "mainnet", ETH2_PRESET_MAINNET, 32,
	  { V(00, 00, 00, 00), V(01, 00, 00, 00), V(02, 00, 00, 00), V(03, 00, 00, 00),
	    V(04, 00, 00, 00), V(05, 00, 00, 00), V(06, 00, 00, 00), V(07, 00, 00, 00),
	    V(08, 00, 00, 00) },
	  { 0, 74240, 144896, 194048, 269568, 364032, 411392, FAR, FAR }, true, 12000,
	  "4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95", true, 1606824023 },
	/* Sepolia: Gloas at epoch 353024 (2026-10-06 13:53:36 UTC), eth-clients/sepolia
	 * metadata/config.yaml; later than Lodestar 1.48's built-in config. */
	{ "sepolia", ETH2_PRESET_MAINNET, 32,
	  { V(90, 00, 00, 69), V(90, 00, 00, 70), V(90, 00, 00, 71), V(90, 00, 00, 72),
	    V(90, 00, 00, 73), V(90, 00, 00, 74), V(90, 00, 00, 75), V(90, 00, 00, 76),
	    HEZE_UNPUBLISHED },
	  { 0, 50, 100, 56832, 132608, 222464, 272640, 353024, FAR }, true, 12000,
	  "d8ea171f3c94aea21ebc42a1ed61052acf3f9209c00e4efbaaddac09ed9b8078", true, 1655733600 },
	{ "holesky", ETH2_PRESET_MAINNET, 32,
	  { V(01, 01, 70, 00), V(02, 01, 70, 00), V(03, 01, 70, 00), V(04, 01, 70, 00),
	    V(05, 01, 70, 00), V(06, 01, 70, 00), V(07, 01, 70, 00), V(08, 01, 70, 00),
	    HEZE_UNPUBLISHED },
	  { 0, 0, 0, 256, 29696, 115968, 165120, FAR, FAR }, true, 12000,
	  "9143aa7c615a7f7115e2b6aac319c03529df8242ae705fba9df39b79c59fa8b1", true, 1695902400 },
	{ "hoodi", ETH2_PRESET_MAINNET, 32,
	  { V(10, 00, 09, 10), V(20, 00, 09, 10), V(30, 00, 09, 10), V(40, 00, 09, 10),
	    V(50, 00, 09, 10), V(60, 00, 09, 10), V(70, 00, 09, 10), V(80, 00, 09, 10),
	    HEZE_UNPUBLISHED },
	  { 0, 0, 0, 0, 0, 2048, 50688, FAR, FAR }, true, 12000,
	  "212f13fc4df078b6cb7db228f1c8307566dcecf900867401a92023d7ba99cb5f", true, 1742213400 },
	/* Gnosis: PRESET_BASE 'gnosis' has the mainnet list limits and 16 slots per epoch.
	 * Electra 1337856 and Fulu 1714688 came after the stored gnosischain/configs
	 * snapshot (which still had them at FAR_FUTURE); they agree with Lodestar 1.48's
	 * built-in gnosis config, which the npm cross-check compares. */
	{ "gnosis", ETH2_PRESET_MAINNET, 16,
	  { V(00, 00, 00, 64), V(01, 00, 00, 64), V(02, 00, 00, 64), V(03, 00, 00, 64),
	    V(04, 00, 00, 64), V(05, 00, 00, 64), V(06, 00, 00, 64), V(07, 00, 00, 64),
	    HEZE_UNPUBLISHED },
	  { 0, 512, 385536, 648704, 889856, 1337856, 1714688, FAR, FAR }, true, 5000,
	  "f5dcb5564e829aab27264b9becd5dfaa017085611224cb3036f573368dbb9d47", true, 1638993340 },
	/* consensus-specs configs/minimal.yaml: every fork after phase0 unscheduled. A test
	 * network: no chain has its genesis, so neither root nor genesis time is known
	 * (the root is pinned by the first request, docs/slashing-protection.md). */
	{ "minimal", ETH2_PRESET_MINIMAL, 8,
	  { V(00, 00, 00, 01), V(01, 00, 00, 01), V(02, 00, 00, 01), V(03, 00, 00, 01),
	    V(04, 00, 00, 01), V(05, 00, 00, 01), V(06, 00, 00, 01), V(07, 00, 00, 01),
	    V(08, 00, 00, 01) },
	  { 0, FAR, FAR, FAR, FAR, FAR, FAR, FAR, FAR }, true, 6000, NULL, false, 0 },
};

static const char *const fork_names[ETH2_FORK__COUNT] = {
	"PHASE0", "ALTAIR", "BELLATRIX", "CAPELLA", "DENEB", "ELECTRA", "FULU", "GLOAS", "HEZE",
};

const char *eth2_fork_name(eth2_fork f)
{
	return (unsigned)f < ETH2_FORK__COUNT ? fork_names[f] : "UNKNOWN";
}

bool eth2_fork_from_name(const char *name, eth2_fork *out)
{
	for (int i = 0; i < ETH2_FORK__COUNT; i++)
		if (strcmp(name, fork_names[i]) == 0) {
			*out = (eth2_fork)i;
			return true;
		}
	return false;
}

const eth2_network *eth2_network_builtin(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcasecmp(name, builtins[i].name) == 0)
			return &builtins[i];
	return NULL;
}

void eth2_network_free(eth2_network *net)
{
	if (net != NULL && !net->builtin)
		free(net);
}

const char *eth2_network_name(const eth2_network *net)
{
	return net->name;
}

uint64_t eth2_network_slots_per_epoch(const eth2_network *net)
{
	return net->slots_per_epoch;
}

void eth2_network_genesis_fork_version(const eth2_network *net, uint8_t out[ETH2_VERSION_BYTES])
{
	memcpy(out, net->versions[ETH2_FORK_PHASE0], ETH2_VERSION_BYTES);
}

eth2_fork eth2_network_fork_at_epoch(const eth2_network *net, uint64_t epoch)
{
	eth2_fork f = ETH2_FORK_PHASE0;
	for (int i = 1; i < ETH2_FORK__COUNT; i++)
		if (net->epochs[i] != FAR && epoch >= net->epochs[i])
			f = (eth2_fork)i;
	return f;
}

void eth2_network_fork_version(const eth2_network *net, eth2_fork f,
			       uint8_t out[ETH2_VERSION_BYTES])
{
	memcpy(out, net->versions[(unsigned)f < ETH2_FORK__COUNT ? f : 0], ETH2_VERSION_BYTES);
}

uint64_t eth2_network_fork_epoch(const eth2_network *net, eth2_fork f)
{
	return (unsigned)f < ETH2_FORK__COUNT ? net->epochs[f] : FAR;
}

uint64_t eth2_network_slot_duration_ms(const eth2_network *net)
{
	return net->slot_duration_ms;
}

bool eth2_network_genesis_validators_root(const eth2_network *net, uint8_t out[ETH2_ROOT_BYTES])
{
	if (net->gvr_hex == NULL)
		return false;
	/* the table's own constants: a failure is our bug, not input */
	ss_err e = hex_decode(out, ETH2_ROOT_BYTES, net->gvr_hex, strlen(net->gvr_hex),
			      HEX_PREFIX_OPTIONAL);
	assert(e == SS_OK);
	return e == SS_OK;
}

bool eth2_network_genesis_time(const eth2_network *net, uint64_t *out)
{
	*out = net->genesis_time;
	return net->has_genesis_time;
}

/* ---- config.yaml ------------------------------------------------------------------- */

#define CONFIG_MAX_BYTES (1u << 20)

typedef struct {
	eth2_network *net;
	bool have_version[ETH2_FORK__COUNT], have_epoch[ETH2_FORK__COUNT];
	bool have_preset, have_slots, have_slot_s, have_slot_ms;
	char *err;
	size_t errcap;
} loader;

static ss_err fail(loader *L, ss_err e, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ss_err fail(loader *L, ss_err e, unsigned long line, const char *fmt, ...)
{
	if (L->err && L->errcap) {
		/* line 0: a whole-file problem, no line to name */
		int n = line ? snprintf(L->err, L->errcap, "line %lu: ", line) : 0;
		if (n >= 0 && (size_t)n < L->errcap) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(L->err + n, L->errcap - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return e;
}

/* One top-level `KEY: scalar` pair. Unknown keys are ignored (a config carries many
 * values a signer does not use). */
static ss_err config_pair(loader *L, const char *key, const char *val, size_t vlen,
			  unsigned long line)
{
	eth2_network *n = L->net;
	if (strcmp(key, "PRESET_BASE") == 0) {
		if (strcmp(val, "mainnet") == 0 || strcmp(val, "gnosis") == 0) {
			n->preset = ETH2_PRESET_MAINNET;
			if (!L->have_slots)
				n->slots_per_epoch = strcmp(val, "gnosis") == 0 ? 16 : 32;
		} else if (strcmp(val, "minimal") == 0) {
			n->preset = ETH2_PRESET_MINIMAL;
			if (!L->have_slots)
				n->slots_per_epoch = 8;
		} else {
			return fail(L, SS_ERR_UNSUPPORTED, line, "PRESET_BASE '%s' is not mainnet, gnosis or minimal", val);
		}
		L->have_preset = true;
		return SS_OK;
	}
	if (strcmp(key, "CONFIG_NAME") == 0) {
		snprintf(n->name, sizeof n->name, "%s", val);
		return SS_OK;
	}
	if (strcmp(key, "SLOTS_PER_EPOCH") == 0) {
		uint64_t v;
		if (dec_parse_u64(val, vlen, &v) != SS_OK || v == 0 || v > (1u << 20))
			return fail(L, SS_ERR_INVALID, line, "SLOTS_PER_EPOCH '%s' is not a positive integer", val);
		n->slots_per_epoch = v;
		L->have_slots = true;
		return SS_OK;
	}
	/* The slot time: SECONDS_PER_SLOT (phase0) or SLOT_DURATION_MS, which replaced it in
	 * consensus-specs' configs (mainnet.yaml has only SLOT_DURATION_MS now). Both present
	 * must agree: a config where they differ runs differently in different clients. */
	if (strcmp(key, "SECONDS_PER_SLOT") == 0 || strcmp(key, "SLOT_DURATION_MS") == 0) {
		bool ms = key[0] == 'S' && key[1] == 'L';
		uint64_t v, max = ms ? 3600000u : 3600u;
		if (dec_parse_u64(val, vlen, &v) != SS_OK || v == 0 || v > max)
			return fail(L, SS_ERR_INVALID, line, "%s '%s' is not an integer in 1..%llu", key, val,
				    (unsigned long long)max);
		v = ms ? v : v * 1000;
		if ((L->have_slot_ms || L->have_slot_s) && v != n->slot_duration_ms)
			return fail(L, SS_ERR_INVALID, line,
				    "%s disagrees with the slot time given before (%llu ms)", key,
				    (unsigned long long)n->slot_duration_ms);
		if (ms ? L->have_slot_ms : L->have_slot_s)
			return fail(L, SS_ERR_INVALID, line, "duplicate key %s", key);
		*(ms ? &L->have_slot_ms : &L->have_slot_s) = true;
		n->slot_duration_ms = v;
		return SS_OK;
	}
	/* phase0 is_valid_genesis_state: genesis_time >= MIN_GENESIS_TIME. The lower bound,
	 * not MIN_GENESIS_TIME + GENESIS_DELAY: that sum is 7 days after mainnet's real
	 * genesis (1606824023), and an estimate later than the truth would refuse current
	 * messages as "future" (a lock-out); an earlier one only loosens the check. */
	if (strcmp(key, "MIN_GENESIS_TIME") == 0) {
		if (dec_parse_u64(val, vlen, &n->genesis_time) != SS_OK)
			return fail(L, SS_ERR_INVALID, line, "MIN_GENESIS_TIME '%s' is not a decimal time", val);
		n->has_genesis_time = true;
		return SS_OK;
	}
	int fork = -1;
	bool is_version = false;
	if (strcmp(key, "GENESIS_FORK_VERSION") == 0) {
		fork = ETH2_FORK_PHASE0;
		is_version = true;
	} else {
		for (int i = 1; i < ETH2_FORK__COUNT; i++) {
			size_t nl = strlen(fork_names[i]);
			if (strncmp(key, fork_names[i], nl) != 0)
				continue;
			if (strcmp(key + nl, "_FORK_VERSION") == 0) {
				fork = i;
				is_version = true;
			} else if (strcmp(key + nl, "_FORK_EPOCH") == 0) {
				fork = i;
			}
		}
	}
	if (fork < 0)
		return SS_OK;
	if (is_version) {
		if (L->have_version[fork])
			return fail(L, SS_ERR_INVALID, line, "duplicate key %s", key);
		if (hex_decode(n->versions[fork], 4, val, vlen, HEX_PREFIX_OPTIONAL) != SS_OK)
			return fail(L, SS_ERR_INVALID, line, "%s must be 4 bytes of hex (0x12345678)", key);
		L->have_version[fork] = true;
	} else {
		if (L->have_epoch[fork])
			return fail(L, SS_ERR_INVALID, line, "duplicate key %s", key);
		ss_err e = dec_parse_u64(val, vlen, &n->epochs[fork]);
		if (e != SS_OK)
			return fail(L, e, line, "%s must be a decimal epoch up to 2^64-1", key);
		L->have_epoch[fork] = true;
	}
	return SS_OK;
}

static ss_err config_parse(loader *L, FILE *f)
{
	yaml_parser_t p;
	yaml_event_t ev;
	if (!yaml_parser_initialize(&p))
		return SS_ERR_NOMEM;
	yaml_parser_set_input_file(&p, f);
	ss_err rc = SS_OK;
	int depth = 0; /* nesting of mappings/sequences */
	char key[128];
	bool have_key = false;
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = fail(L, SS_ERR_INVALID, (unsigned long)p.problem_mark.line + 1, "YAML syntax error: %s", p.problem ? p.problem : "unknown");
			break;
		}
		yaml_event_type_t t = ev.type;
		unsigned long line = (unsigned long)ev.start_mark.line + 1;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
			/* Top level: a mapping of scalar keys. A nested value (BLOB_SCHEDULE) is
			 * skipped; a nested key would shift every pair after it, so it is refused. */
			if (depth == 1 && !have_key)
				rc = fail(L, SS_ERR_INVALID, line, "%s", "keys must be plain scalars");
			if (depth == 0 && t == YAML_SEQUENCE_START_EVENT)
				rc = fail(L, SS_ERR_INVALID, line, "%s", "the config must be a mapping");
			if (depth == 1)
				have_key = false;
			depth++;
		} else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
			depth--;
		} else if (t == YAML_SCALAR_EVENT && depth == 1) {
			const char *v = (const char *)ev.data.scalar.value;
			size_t vlen = ev.data.scalar.length;
			if (!have_key) {
				if (vlen >= sizeof key) {
					snprintf(key, sizeof key, "%s", "");
				} else {
					memcpy(key, v, vlen);
					key[vlen] = '\0';
				}
				have_key = true;
			} else {
				if (strlen(v) != vlen)
					rc = fail(L, SS_ERR_INVALID, line, "value of %s contains a NUL byte", key);
				else
					rc = config_pair(L, key, v, vlen, line);
				have_key = false;
			}
		} else if (t == YAML_ALIAS_EVENT && depth == 1) {
			rc = fail(L, SS_ERR_INVALID, line, "%s", "YAML aliases are not supported here");
		}
		yaml_event_delete(&ev);
		if (rc != SS_OK)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

ss_err eth2_network_load(const char *path, eth2_network **out, char *err, size_t errcap)
{
	*out = NULL;
	if (err && errcap)
		err[0] = '\0';
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		if (err && errcap)
			snprintf(err, errcap, "cannot open %s: %s", path, strerror(errno));
		return SS_ERR_IO;
	}
	ss_err rc = eth2_network_load_stream(f, out, err, errcap);
	fclose(f);
	return rc;
}

ss_err eth2_network_load_stream(FILE *f, eth2_network **out, char *err, size_t errcap)
{
	*out = NULL;
	if (err && errcap)
		err[0] = '\0';
	/* Bound the work: a network config is a few kilobytes. */
	if (fseek(f, 0, SEEK_END) != 0 || ftell(f) < 0 || ftell(f) > (long)CONFIG_MAX_BYTES ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (err && errcap)
			snprintf(err, errcap, "not a readable file of at most 1 MiB");
		return SS_ERR_INVALID;
	}
	eth2_network *n = calloc(1, sizeof *n);
	if (n == NULL)
		return SS_ERR_NOMEM;
	n->preset = ETH2_PRESET_MAINNET;
	n->slots_per_epoch = 32;
	n->slot_duration_ms = 12000; /* configs/mainnet.yaml */
	snprintf(n->name, sizeof n->name, "%s", "custom");
	for (int i = 1; i < ETH2_FORK__COUNT; i++)
		n->epochs[i] = FAR;
	loader L = { .net = n, .err = err, .errcap = errcap };
	ss_err rc = config_parse(&L, f);
	if (rc == SS_OK && !L.have_version[ETH2_FORK_PHASE0])
		rc = fail(&L, SS_ERR_INVALID, 0, "%s", "GENESIS_FORK_VERSION is missing");
	for (int i = 1; rc == SS_OK && i < ETH2_FORK__COUNT; i++) {
		if (L.have_epoch[i] && n->epochs[i] != FAR && !L.have_version[i]) {
			if (err && errcap)
				snprintf(err, errcap, "%s_FORK_EPOCH is set but %s_FORK_VERSION is missing",
					 fork_names[i], fork_names[i]);
			rc = SS_ERR_INVALID;
		}
		/* Forks activate in order; a schedule that goes backwards is a typo. */
		if (rc == SS_OK && n->epochs[i] != FAR && n->epochs[i] < n->epochs[i - 1]) {
			if (err && errcap)
				snprintf(err, errcap, "%s_FORK_EPOCH is before the previous fork's epoch",
					 fork_names[i]);
			rc = SS_ERR_INVALID;
		}
		if (rc == SS_OK && n->epochs[i] != FAR && n->epochs[i - 1] == FAR && i > 1) {
			if (err && errcap)
				snprintf(err, errcap, "%s_FORK_EPOCH is scheduled but %s is not",
					 fork_names[i], fork_names[i - 1]);
			rc = SS_ERR_INVALID;
		}
	}
	if (rc != SS_OK) {
		free(n);
		return rc;
	}
	*out = n;
	return SS_OK;
}
