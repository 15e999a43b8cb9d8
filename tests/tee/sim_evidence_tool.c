/* Test helper for the npm cross-check of simulated evidence (npm-oracles/sim_crosscheck.mjs):
 * opens the sim provider on DATA_DIR and writes the evidence for REPORT_DATA (128 hex
 * digits) as asked through tee_provider_evidence: the quote to OUT_QUOTE, the PEM chain to
 * OUT_CERTS. Exit 0, or 1 with the reason on stderr. */
#include <stdio.h>
#include <string.h>

#include "tee/tee_provider.h"
#include "test_file.h"
#include "util/hex.h"

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: sim_evidence_tool DATA_DIR REPORT_DATA_HEX OUT_QUOTE OUT_CERTS\n");
		return 1;
	}
	uint8_t rd[64];
	if (hex_decode(rd, sizeof rd, argv[2], strlen(argv[2]), HEX_PREFIX_OPTIONAL) != SS_OK) {
		fprintf(stderr, "report data: 64 bytes of hex\n");
		return 1;
	}
	tee_open_options o = { .data_dir = argv[1] };
	tee_provider *p = NULL;
	char why[TEE_WHY_MAX];
	tee_evidence ev;
	if (tee_provider_open("sim", &o, &p, why) != SS_OK ||
	    tee_provider_evidence(p, rd, &ev, why) != SS_OK) {
		fprintf(stderr, "sim: %s\n", why);
		tee_provider_close(p);
		return 1;
	}
	int rc = !test_write_file(argv[3], ev.quote, ev.quote_len) ||
		 !test_write_file(argv[4], ev.certs, ev.certs_len);
	tee_evidence_free(&ev);
	tee_provider_close(p);
	return rc;
}
