/* `secure-signer signing-root`: reads a Web3Signer signing-request body on stdin and
 * prints its type, the fields slashing protection checks and the signing root the
 * signer would sign, computed by eth2/ exactly as the HTTP API does. An operator's
 * debugging tool and the hook for cross-checks (--batch: one request per line, one
 * result per line, so a test can run thousands of requests in one process). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "eth2/eth2.h"
#include "util/hex.h"

/* A request body is at most this large (a phase0 block with every list full is well
 * under 1 MiB of JSON). */
#define MAX_BODY (4u << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: secure-signer signing-root [--network NAME | --network-config PATH]\n"
		"                                  [--batch | --show-network]\n"
		"\n"
		"Reads a Web3Signer signing request (the JSON body of POST /api/v1/eth2/sign/KEY)\n"
		"on stdin and prints its type, slashing-relevant fields and signing root.\n"
		"\n"
		"Options:\n"
		"  --network NAME         mainnet (default), sepolia, holesky, hoodi, gnosis, minimal\n"
		"  --network-config PATH  a consensus-layer config.yaml instead of a built-in network\n"
		"                         (both resolved as `run` resolves --network: else\n"
		"                         SECURE_SIGNER_NETWORK, else --config-file's, else mainnet)\n"
		"  --batch                read one request per line; print one line per request:\n"
		"                         the 0x signing root, or 'error FIELD: MESSAGE'\n"
		"  --show-network         print the network's fork schedule and exit\n"
		"  -h, --help             show this help\n"
		"\n"
		"Exit status: 0 success, 1 the request was refused, 2 usage error. With --batch a\n"
		"refused request is an 'error' line and the status is 0 unless reading or writing\n"
		"fails.\n");
}

/* Reads stdin up to MAX_BODY bytes; NULL (and a message) if larger or unreadable. */
static char *read_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t r = fread(buf + n, 1, cap - n, stdin);
		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			if (cap >= MAX_BODY) {
				fprintf(stderr, "secure-signer signing-root: request larger than %u bytes\n",
					MAX_BODY);
				free(buf);
				return NULL;
			}
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	if (buf == NULL)
		fprintf(stderr, "secure-signer signing-root: out of memory\n");
	*len = n;
	return buf;
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
	char h[2 * 32 + 3];
	hex_encode(h, b, n, true);
	printf("%s: %s\n", label, h);
}

static void print_request(const eth2_signing_request *r)
{
	printf("type: %s\n", eth2_sign_type_name(r->type));
	printf("fork: %s\n", eth2_fork_name(r->fork));
	switch (r->type) {
	case ETH2_SIGN_BLOCK:
	case ETH2_SIGN_BLOCK_V2:
		printf("slot: %llu\n", (unsigned long long)r->slot);
		break;
	case ETH2_SIGN_ATTESTATION:
		printf("slot: %llu\n", (unsigned long long)r->slot);
		printf("source_epoch: %llu\n", (unsigned long long)r->source_epoch);
		printf("target_epoch: %llu\n", (unsigned long long)r->target_epoch);
		break;
	default:
		break;
	}
	if (r->has_gvr)
		print_hex("genesis_validators_root", r->genesis_validators_root, 32);
	print_hex("domain", r->domain, 32);
	print_hex("object_root", r->object_root, 32);
	print_hex("signing_root", r->signing_root, 32);
}

/* The fork table, one fork per line: NAME VERSION EPOCH ("far" when unscheduled). */
static void show_network(const eth2_network *net)
{
	printf("network: %s\n", eth2_network_name(net));
	printf("slots_per_epoch: %llu\n", (unsigned long long)eth2_network_slots_per_epoch(net));
	printf("slot_duration_ms: %llu\n", (unsigned long long)eth2_network_slot_duration_ms(net));
	uint8_t gvr[ETH2_ROOT_BYTES];
	char gh[2 * ETH2_ROOT_BYTES + 3] = "unknown";
	if (eth2_network_genesis_validators_root(net, gvr))
		hex_encode(gh, gvr, sizeof gvr, true);
	printf("genesis_validators_root: %s\n", gh);
	uint64_t gt;
	if (eth2_network_genesis_time(net, &gt))
		printf("genesis_time: %llu\n", (unsigned long long)gt);
	else
		printf("genesis_time: unknown\n");
	for (int f = 0; f < ETH2_FORK__COUNT; f++) {
		uint8_t v[ETH2_VERSION_BYTES];
		char h[2 * ETH2_VERSION_BYTES + 3];
		eth2_network_fork_version(net, (eth2_fork)f, v);
		hex_encode(h, v, sizeof v, true);
		uint64_t e = eth2_network_fork_epoch(net, (eth2_fork)f);
		if (e == ETH2_FAR_FUTURE_EPOCH)
			printf("fork: %s %s far\n", eth2_fork_name((eth2_fork)f), h);
		else
			printf("fork: %s %s %llu\n", eth2_fork_name((eth2_fork)f), h, (unsigned long long)e);
	}
}

static int run_batch(const eth2_network *net)
{
	size_t cap = 65536;
	char *line = malloc(cap);
	if (line == NULL)
		return 1;
	for (;;) {
		/* getline would grow without bound; lines are capped at MAX_BODY. */
		size_t n = 0;
		int ch;
		bool too_long = false;
		while ((ch = getchar()) != EOF && ch != '\n') {
			if (n + 1 >= cap) {
				if (cap >= MAX_BODY) {
					too_long = true;
					continue;
				}
				char *nl = realloc(line, cap * 2);
				if (nl == NULL) {
					free(line);
					return 1;
				}
				line = nl;
				cap *= 2;
			}
			line[n++] = (char)ch;
		}
		if (ch == EOF && n == 0)
			break;
		if (too_long) {
			printf("error : request larger than %u bytes\n", MAX_BODY);
			continue;
		}
		eth2_signing_request r;
		eth2_error err;
		if (eth2_parse_signing_request(net, line, n, &r, &err) == SS_OK) {
			char h[67];
			hex_encode(h, r.signing_root, 32, true);
			printf("%s\n", h);
		} else {
			printf("error %s: %s\n", err.field, err.message);
		}
		if (ch == EOF)
			break;
	}
	free(line);
	return fflush(stdout) == 0 ? 0 : 1;
}

enum { SR_NETWORK = 1, SR_NETWORK_CONFIG, SR_BATCH, SR_SHOW };

/* Its options, read by the offline commands' one parser (cli/common_options.h); the
 * shared options (--config-file, --genesis-validators-root, ...) are resolved as `run`
 * resolves them. --network is its own entry so that it excludes --network-config. */
static const cli_opt sr_table[] = {
	{ "network", SR_NETWORK, true, "NAME|PATH", "the network (as `run --network`)" },
	{ "network-config", SR_NETWORK_CONFIG, true, "FILE", "a consensus config.yaml" },
	{ "batch", SR_BATCH, false, NULL, "read requests line by line" },
	{ "show-network", SR_SHOW, false, NULL, "print the network's parameters" },
};

typedef struct {
	const char *network, *config;
	bool batch, show;
} sr_opts;

static bool sr_on(void *ctx, int id, const char *v)
{
	sr_opts *o = ctx;
	switch (id) {
	case SR_NETWORK: o->network = v; return true;
	case SR_NETWORK_CONFIG: o->config = v; return true;
	case SR_BATCH: o->batch = true; return true;
	case SR_SHOW: o->show = true; return true;
	}
	return false;
}

int cli_cmd_signing_root(int argc, char **argv)
{
	sr_opts o = { 0 };
	cli_common_args ca = { 0 };
	bool help = false;
	int npos = 0;
	int prc = cli_opts_parse("secure-signer signing-root", sr_table,
				 sizeof sr_table / sizeof sr_table[0], argc - 1, argv + 1, sr_on, &o,
				 &ca, NULL, 0, &npos, &help);
	if (help || prc == 2 || (o.network && o.config) || (o.batch && o.show)) {
		cli_common_args_free(&ca);
		usage(help ? stdout : stderr);
		return help ? 0 : 2;
	}
	const char *network = o.network, *config = o.config;
	bool batch = o.batch, show = o.show;
	/* --network, SECURE_SIGNER_NETWORK, --config-file, default: as `run` finds it
	 * (cli/common_options.h); --network-config is a config.yaml given as --network. */
	if (network || config)
		cli_common_take(&ca, CLI_OPT_NETWORK, network ? network : config);
	run_config cfg;
	cli_network cn;
	if (cli_common_resolve(&cfg, "secure-signer signing-root", &ca) != 0 ||
	    cli_network_open(&cfg, "secure-signer signing-root", &cn) != 0) {
		run_config_free(&cfg);
		return 2;
	}
	run_config_free(&cfg);
	const eth2_network *net = cn.net;
	int rc;
	if (show) {
		show_network(net);
		rc = 0;
	} else if (batch) {
		rc = run_batch(net);
	} else {
		size_t len;
		char *body = read_stdin(&len);
		if (body == NULL) {
			cli_network_close(&cn);
			return 1;
		}
		eth2_signing_request r;
		eth2_error err;
		if (eth2_parse_signing_request(net, body, len, &r, &err) == SS_OK) {
			print_request(&r);
			rc = 0;
		} else {
			fprintf(stderr, "secure-signer signing-root: %s%s%s\n", err.field,
				err.field[0] ? ": " : "", err.message);
			rc = 1;
		}
		free(body);
	}
	cli_network_close(&cn);
	return rc;
}
