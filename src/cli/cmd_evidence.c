/* `secure-signer evidence verify`: checks attestation evidence offline with tee/ (issue
 * 12 §5) and prints one JSON object: whether it is valid under the policy, what the
 * evidence says (TEE, quote version, measurements, debug, report data), the TCB status
 * and advisories when collateral was given, and every check that failed and why. Exit
 * status 0 valid, 1 not valid, 2 usage error or unreadable input. */
#include <errno.h>
#include <stdint.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "tee/tee.h"
#include "util/file.h"
#include "util/hex.h"

/* A keygen object binding 1000 keys (POST /eth/v1/keygen/bls, count 1000) is about 220 KiB:
 * the keys twice, in evidence.pubkeys and data. */
#define MAX_EVIDENCE (1u << 20)
#define MAX_COLLATERAL (4u << 20)
#define MAX_CERT_FILE (256u << 10)
#define MAX_CERT_FILES 8

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: secure-signer evidence verify --evidence FILE [--certs FILE]...\n"
		"           [--collateral FILE] [--now RFC3339] [--accept-tcb STATUS,...]\n"
		"           [--allow-debug] [--require-collateral] [--allow-simulated]\n"
		"           [--expect-report-data HEX] [--expect-mrenclave HEX]\n"
		"           [--expect-mrsigner HEX] [--expect-isvprodid N] [--min-isvsvn N]\n"
		"           [--expect-mrtd HEX] [--expect-rtmr I:HEX]... [--expect-measurement HEX]\n"
		"           [--expect-snp-policy HEX]\n"
		"\n"
		"Verifies attestation evidence offline: an Intel SGX or TDX DCAP quote (v3, v4,\n"
		"v5) or an AMD SEV-SNP report, as raw bytes, hex, or inside the JSON evidence\n"
		"object of attested keygen. Prints one JSON object.\n"
		"\n"
		"Options:\n"
		"  --evidence FILE          the quote or report, or the JSON evidence object of\n"
		"                           attested keygen (its keys' binding is then checked)\n"
		"  --certs FILE             SEV-SNP: the VCEK or VLEK and the AMD CA chain (ASK or\n"
		"                           ASVK, ARK), PEM or DER; may be repeated\n"
		"  --collateral FILE        Intel collateral JSON (TCB Info, QE Identity, CRLs, in\n"
		"                           the QuoteCollateralV3 shape); without it the TCB\n"
		"                           status is Unknown and only the chain and signatures\n"
		"                           are checked\n"
		"  --now RFC3339            verify as of this UTC instant (default: now)\n"
		"  --accept-tcb LIST        TCB statuses accepted besides UpToDate, comma\n"
		"                           separated: SWHardeningNeeded, ConfigurationNeeded,\n"
		"                           ConfigurationAndSWHardeningNeeded (OutOfDate,\n"
		"                           OutOfDateConfigurationNeeded and Revoked never are)\n"
		"  --require-collateral     refuse a DCAP quote verified without collateral\n"
		"  --allow-debug            accept debug enclaves, TDs and guests (never in production)\n"
		"  --allow-simulated        accept simulated evidence (a signer run with --tee sim:\n"
		"                           no hardware, development and tests only), checked\n"
		"                           against the simulation chain it carries\n"
		"  --expect-report-data HEX the report data (up to 64 bytes; the rest zero)\n"
		"  --expect-mrenclave HEX   SGX MRENCLAVE (32 bytes)\n"
		"  --expect-mrsigner HEX    SGX MRSIGNER (32 bytes)\n"
		"  --expect-isvprodid N     SGX ISVPRODID\n"
		"  --min-isvsvn N           SGX: the lowest acceptable ISVSVN\n"
		"  --expect-mrtd HEX        TDX MRTD (48 bytes)\n"
		"  --expect-rtmr I:HEX      TDX RTMR I (0-3, 48 bytes); may be repeated\n"
		"  --expect-measurement HEX SEV-SNP launch measurement (48 bytes)\n"
		"  --expect-snp-policy HEX  SEV-SNP guest policy (64-bit, e.g. 0x30000)\n"
		"  -h, --help               show this help\n"
		"\n"
		"Exit status: 0 valid under the policy, 1 not valid, 2 usage error or unreadable\n"
		"input.\n");
}

static void hexput(json_t *o, const char *key, const uint8_t *b, size_t n)
{
	char h[2 * 128 + 1];
	hex_encode(h, b, n, false);
	json_object_set_new(o, key, json_string(h));
}

static json_t *sgx_json(const tee_sgx_report *r)
{
	json_t *m = json_object();
	hexput(m, "mr_enclave", r->mr_enclave, 32);
	hexput(m, "mr_signer", r->mr_signer, 32);
	json_object_set_new(m, "isv_prod_id", json_integer(r->isv_prod_id));
	json_object_set_new(m, "isv_svn", json_integer(r->isv_svn));
	hexput(m, "attributes", r->attributes, 16);
	json_object_set_new(m, "misc_select", json_integer(r->misc_select));
	hexput(m, "cpu_svn", r->cpu_svn, 16);
	hexput(m, "config_id", r->config_id, 64);
	return m;
}

static json_t *td_json(const tee_td_report *t)
{
	json_t *m = json_object();
	hexput(m, "mr_td", t->mr_td, 48);
	for (int i = 0; i < 4; i++) {
		char k[8];
		snprintf(k, sizeof(k), "rtmr%d", i);
		hexput(m, k, t->rtmr[i], 48);
	}
	hexput(m, "mr_config_id", t->mr_config_id, 48);
	hexput(m, "mr_owner", t->mr_owner, 48);
	hexput(m, "mr_owner_config", t->mr_owner_config, 48);
	hexput(m, "mr_seam", t->mr_seam, 48);
	hexput(m, "tee_tcb_svn", t->tee_tcb_svn, 16);
	char a[19];
	snprintf(a, sizeof(a), "0x%016llx", (unsigned long long)t->td_attributes);
	json_object_set_new(m, "td_attributes", json_string(a));
	snprintf(a, sizeof(a), "0x%016llx", (unsigned long long)t->xfam);
	json_object_set_new(m, "xfam", json_string(a));
	if (t->is_td15)
		hexput(m, "mr_servicetd", t->mr_servicetd, 48);
	return m;
}

static json_t *tcb_json(const tee_snp_tcb *t)
{
	return json_pack("{s:i,s:i,s:i,s:i}", "bootloader", t->bootloader, "tee", t->tee, "snp",
			 t->snp, "microcode", t->microcode);
}

static json_t *snp_json(const tee_snp_report *r)
{
	json_t *m = json_object();
	hexput(m, "measurement", r->measurement, 48);
	char a[19];
	snprintf(a, sizeof(a), "0x%llx", (unsigned long long)r->policy);
	json_object_set_new(m, "policy", json_string(a));
	json_object_set_new(m, "vmpl", json_integer(r->vmpl));
	json_object_set_new(m, "guest_svn", json_integer(r->guest_svn));
	hexput(m, "host_data", r->host_data, 32);
	hexput(m, "id_key_digest", r->id_key_digest, 48);
	hexput(m, "family_id", r->family_id, 16);
	hexput(m, "image_id", r->image_id, 16);
	hexput(m, "chip_id", r->chip_id, 64);
	json_object_set_new(m, "reported_tcb", tcb_json(&r->reported_tcb));
	json_object_set_new(m, "signing_key",
			    json_string(((r->signer_info >> 2) & 7) == TEE_SNP_SIGNER_VLEK ? "vlek"
											  : "vcek"));
	return m;
}

static void result_json(json_t *o, const tee_result *res)
{
	json_object_set_new(o, "valid", json_boolean(res->valid));
	json_object_set_new(o, "debug", json_boolean(res->debug));
	json_object_set_new(o, "collateral", json_boolean(res->collateral_used));
	json_object_set_new(o, "tcb_status", json_string(tee_tcb_status_name(res->tcb_status)));
	if (res->collateral_used) {
		json_object_set_new(o, "platform_tcb_status",
				    json_string(tee_tcb_status_name(res->platform_tcb_status)));
		json_object_set_new(o, "qe_tcb_status",
				    json_string(tee_tcb_status_name(res->qe_tcb_status)));
	}
	if (res->fmspc[0])
		json_object_set_new(o, "fmspc", json_string(res->fmspc));
	if (res->pck_issuer[0])
		json_object_set_new(o, "pck_issuer", json_string(res->pck_issuer));
	json_t *adv = json_array();
	for (unsigned i = 0; i < res->n_advisories; i++)
		json_array_append_new(adv, json_string(res->advisories[i]));
	json_object_set_new(o, "advisory_ids", adv);
	json_t *fails = json_array();
	for (unsigned i = 0; i < res->n_failures; i++)
		json_array_append_new(fails, json_pack("{s:s,s:s}", "check", res->failures[i].check,
						       "reason", res->failures[i].why));
	json_object_set_new(o, "failures", fails);
}

static int print_and_free(json_t *o, int code)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s != NULL) {
		puts(s);
		free(s);
	}
	json_decref(o);
	return fflush(stdout) == 0 ? code : 2;
}

/* A usage or input error: a message on stderr, and the JSON object on stdout says so
 * too, so that a script reading stdout never sees nothing. */
static int input_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int input_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "secure-signer evidence verify: %s\n", msg);
	return print_and_free(json_pack("{s:b,s:s}", "valid", 0, "error", msg), 2);
}

static bool parse_hex_opt(const char *arg, uint8_t *out, size_t want, size_t *got)
{
	size_t n = 0;
	if (hex_decode_var(out, want, &n, arg, strlen(arg), HEX_PREFIX_OPTIONAL) != SS_OK)
		return false;
	if (got != NULL) {
		*got = n;
		return n > 0;
	}
	return n == want;
}

/* A decimal or 0x-hexadecimal number up to max, nothing else. */
static bool parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno != 0 || *end != '\0' || end == s || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_accept(const char *list, unsigned *mask)
{
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		tee_tcb_status st;
		if (!tee_tcb_status_parse(p, n, &st) || st == TEE_TCB_UNKNOWN ||
		    st == TEE_TCB_OUT_OF_DATE || st == TEE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED ||
		    st == TEE_TCB_REVOKED)
			return false;
		*mask |= 1u << st;
		p += n + (e != NULL);
	}
	return true;
}

enum {
	O_EVIDENCE = 1, O_CERTS, O_COLLATERAL, O_NOW, O_ACCEPT, O_ALLOW_DEBUG,
	O_REQ_COLL, O_RD, O_MRENCLAVE, O_MRSIGNER, O_MRTD, O_MEAS,
	O_PRODID, O_MINSVN, O_RTMR, O_SNP_POLICY, O_ALLOW_SIM
};

/* The options of `evidence verify`, read by the offline commands' one parser (usage()
 * describes them). */
static const cli_opt verify_table[] = {
	{ "evidence", O_EVIDENCE, true, "FILE", "" },
	{ "certs", O_CERTS, true, "FILE", "" },
	{ "collateral", O_COLLATERAL, true, "FILE", "" },
	{ "now", O_NOW, true, "TIME", "" },
	{ "accept-tcb", O_ACCEPT, true, "LIST", "" },
	{ "allow-debug", O_ALLOW_DEBUG, false, NULL, "" },
	{ "allow-simulated", O_ALLOW_SIM, false, NULL, "" },
	{ "require-collateral", O_REQ_COLL, false, NULL, "" },
	{ "expect-report-data", O_RD, true, "HEX", "" },
	{ "expect-mrenclave", O_MRENCLAVE, true, "HEX", "" },
	{ "expect-mrsigner", O_MRSIGNER, true, "HEX", "" },
	{ "expect-mrtd", O_MRTD, true, "HEX", "" },
	{ "expect-measurement", O_MEAS, true, "HEX", "" },
	{ "expect-isvprodid", O_PRODID, true, "N", "" },
	{ "min-isvsvn", O_MINSVN, true, "N", "" },
	{ "expect-rtmr", O_RTMR, true, "I:HEX", "" },
	{ "expect-snp-policy", O_SNP_POLICY, true, "N", "" },
};

typedef struct {
	const char *evidence_path, *coll_path, *cert_paths[MAX_CERT_FILES];
	size_t n_certs;
	bool allow_sim;
	tee_policy pol;
	uint8_t rd[64], mrenclave[32], mrsigner[32], mrtd[48], meas[48], rtmr[4][48];
} verify_opts;

/* One option (cli_opts_parse's callback); a bad value is reported as input_error does. */
static bool on_verify_opt(void *ctx, int c, const char *v)
{
	verify_opts *o = ctx;
	tee_policy *pol = &o->pol;
	unsigned long long num;
	switch (c) {
	case O_EVIDENCE: o->evidence_path = v; return true;
	case O_CERTS:
		if (o->n_certs == MAX_CERT_FILES) {
			fprintf(stderr, "secure-signer evidence verify: at most %d --certs\n",
				MAX_CERT_FILES);
			return false;
		}
		o->cert_paths[o->n_certs++] = v;
		return true;
	case O_COLLATERAL: o->coll_path = v; return true;
	case O_NOW:
		if (!tee_parse_time(v, strlen(v), &pol->now))
			return !input_error("--now: '%s' is not an RFC 3339 UTC time "
					    "(2025-07-04T00:00:00Z)", v);
		return true;
	case O_ACCEPT:
		if (!parse_accept(v, &pol->accept_tcb))
			return !input_error("--accept-tcb: '%s' is not a list of acceptable "
					    "statuses (OutOfDate and Revoked are never "
					    "acceptable)", v);
		return true;
	case O_ALLOW_DEBUG: pol->allow_debug = true; return true;
	case O_ALLOW_SIM: o->allow_sim = true; return true;
	case O_REQ_COLL: pol->require_collateral = true; return true;
	case O_RD:
		if (!parse_hex_opt(v, o->rd, 64, &pol->expect_report_data_len))
			return !input_error("--expect-report-data: '%s' is not 1 to 64 bytes "
					    "of hex", v);
		pol->expect_report_data = o->rd;
		return true;
	case O_MRENCLAVE:
	case O_MRSIGNER:
		if (!parse_hex_opt(v, c == O_MRENCLAVE ? o->mrenclave : o->mrsigner, 32, NULL))
			return !input_error("%s: expected 32 bytes of hex",
					    c == O_MRENCLAVE ? "--expect-mrenclave"
							     : "--expect-mrsigner");
		if (c == O_MRENCLAVE)
			pol->expect_mrenclave = o->mrenclave;
		else
			pol->expect_mrsigner = o->mrsigner;
		return true;
	case O_MRTD:
	case O_MEAS:
		if (!parse_hex_opt(v, c == O_MRTD ? o->mrtd : o->meas, 48, NULL))
			return !input_error("%s: expected 48 bytes of hex",
					    c == O_MRTD ? "--expect-mrtd" : "--expect-measurement");
		if (c == O_MRTD)
			pol->expect_mrtd = o->mrtd;
		else
			pol->expect_measurement = o->meas;
		return true;
	case O_PRODID:
	case O_MINSVN:
		if (!parse_u64(v, 65535, &num))
			return !input_error("%s: '%s' is not a number from 0 to 65535",
					    c == O_PRODID ? "--expect-isvprodid" : "--min-isvsvn", v);
		if (c == O_PRODID) {
			pol->check_isv_prod_id = true;
			pol->expect_isv_prod_id = (uint16_t)num;
		} else {
			pol->check_min_isv_svn = true;
			pol->min_isv_svn = (uint16_t)num;
		}
		return true;
	case O_RTMR:
		if (v[0] < '0' || v[0] > '3' || v[1] != ':' ||
		    !parse_hex_opt(v + 2, o->rtmr[v[0] - '0'], 48, NULL))
			return !input_error("--expect-rtmr: '%s' is not I:HEX with I from 0 to 3 "
					    "and 48 bytes of hex", v);
		pol->expect_rtmr[v[0] - '0'] = o->rtmr[v[0] - '0'];
		return true;
	case O_SNP_POLICY:
		if (!parse_u64(v, UINT64_MAX, &num))
			return !input_error("--expect-snp-policy: '%s' is not a 64-bit number", v);
		pol->check_snp_policy = true;
		pol->expect_snp_policy = num;
		return true;
	}
	return false;
}

/* Parses the options of `evidence verify` (argv[0] is "verify") into vo. -1 to go on;
 * otherwise the exit status (0 after --help, 2 after a bad option). */
static int parse_verify_opts(int argc, char **argv, verify_opts *vo)
{
	tee_policy_default(&vo->pol, time(NULL));
	const char *pos[1];
	int n_pos = 0;
	bool help = false;
	int prc = cli_opts_parse("secure-signer evidence verify", verify_table,
				sizeof verify_table / sizeof verify_table[0], argc - 1, argv + 1,
				on_verify_opt, vo, NULL, pos, 0, &n_pos, &help);
	if (help) {
		usage(stdout);
		return 0;
	}
	return prc >= 0 ? prc : -1;
}

/* Verifies the evidence in ev[0..ev_len) (NUL-terminated; hex evidence is decoded in
 * place) under vo, naming it label in messages, and prints the report: the exit status
 * of `evidence verify`. */
static int verify_text(verify_opts *vo, char *ev, size_t ev_len, const char *label)
{
	const char *why = NULL;
	/* The JSON evidence object of attested keygen, or raw/hex evidence. */
	tee_evidence_object obj;
	bool have_obj = false;
	size_t first = strspn(ev, " \t\r\n");
	if (first < ev_len && ev[first] == '{') {
		if (tee_evidence_object_parse_ex(ev, ev_len, vo->allow_sim, &obj, &why) != SS_OK)
			return input_error("%s: %s", label, why ? why : "out of memory");
		have_obj = true;
	} else if (tee_evidence_unhex((uint8_t *)ev, &ev_len, &why) != SS_OK) {
		return input_error("%s: %s", label, why);
	}
	const uint8_t *b = have_obj ? obj.quote : (const uint8_t *)ev;
	if (have_obj)
		ev_len = obj.quote_len;
	json_t *out = json_object();
	tee_result res;
	int code = 2;
	/* An SNP report starts with a 32-bit version (2 or 3); a DCAP quote with a 16-bit
	 * version (3, 4, 5) followed by the 16-bit key type 2, never zero. */
	bool snp = ev_len >= 4 && b[1] == 0 && b[2] == 0 && b[3] == 0 && (b[0] == 2 || b[0] == 3);
	/* An input that does not apply to this kind of evidence is a usage error rather
	 * than silently ignored: the operator believes it was checked. */
	if (snp && (vo->coll_path != NULL || vo->pol.require_collateral)) {
		input_error("--collateral and --require-collateral apply to Intel DCAP quotes, "
			    "and %s is an SEV-SNP report", label);
		goto done_quiet;
	}
	if (have_obj && (obj.kind == TEE_KIND_SNP) != snp) {
		input_error("%s: evidence.type does not match the evidence it carries", label);
		goto done_quiet;
	}
	if (!snp && vo->n_certs > 0) {
		input_error("--certs applies to SEV-SNP reports (a DCAP quote carries its PCK "
			    "chain), and %s is not one", label);
		goto done_quiet;
	}
	if (snp) {
		tee_snp_report r;
		tee_blob blobs[MAX_CERT_FILES + 1];
		char *bufs[MAX_CERT_FILES] = { 0 };
		size_t nb = 0;
		if (tee_snp_parse(b, ev_len, &r, &why) != SS_OK) {
			input_error("%s: %s", label, why);
			goto done_quiet;
		}
		for (; nb < vo->n_certs; nb++) {
			size_t l;
			if (file_read_all(vo->cert_paths[nb], MAX_CERT_FILE, &bufs[nb], &l) != SS_OK) {
				input_error("cannot read certificate file %s", vo->cert_paths[nb]);
				for (size_t i = 0; i < nb; i++)
					free(bufs[i]);
				goto done_quiet;
			}
			blobs[nb].data = (const uint8_t *)bufs[nb];
			blobs[nb].len = l;
		}
		if (have_obj && obj.certs != NULL) {
			blobs[nb].data = (const uint8_t *)obj.certs;
			blobs[nb].len = obj.certs_len;
		}
		ss_err rc = tee_snp_verify(&r, blobs, nb + (have_obj && obj.certs != NULL), &vo->pol,
					   &res);
		for (size_t i = 0; i < nb; i++)
			free(bufs[i]);
		if (rc != SS_OK) {
			input_error("%s", "out of memory");
			goto done_quiet;
		}
		json_object_set_new(out, "valid", json_false());
		json_object_set_new(out, "tee", json_string("sev-snp"));
		json_object_set_new(out, "report_version", json_integer(r.version));
		hexput(out, "report_data", r.report_data, 64);
		json_object_set_new(out, "measurements", snp_json(&r));
		if (have_obj)
			tee_check_key_binding(&obj, r.report_data, &res);
	} else {
		tee_dcap_quote q;
		tee_collateral *coll = NULL;
		if (tee_dcap_parse(b, ev_len, &q, &why) != SS_OK) {
			input_error("%s: %s", label, why);
			goto done_quiet;
		}
		/* What the quote is: simulated (the sim provider's QE vendor id), TDX or SGX;
		 * the object must say the same. */
		bool sim = tee_dcap_is_simulated(&q), tdx = q.tee_type == TEE_TYPE_TDX;
		tee_kind kind = sim ? TEE_KIND_SIM : tdx ? TEE_KIND_TDX : TEE_KIND_SGX;
		if (have_obj && obj.kind != kind) {
			input_error("%s: evidence.type does not match the quote it carries", label);
			goto done_quiet;
		}
		if (sim && !vo->allow_sim) {
			input_error("%s is simulated evidence from a development signer (--tee sim), "
				    "not from TEE hardware; refused unless --allow-simulated is given",
				    label);
			goto done_quiet;
		}
		if (sim && vo->coll_path != NULL) {
			input_error("--collateral applies to Intel DCAP quotes; %s is simulated "
				    "evidence, which has none", label);
			goto done_quiet;
		}
		if (vo->coll_path != NULL) {
			char *cj = NULL;
			size_t cl = 0;
			if (file_read_all(vo->coll_path, MAX_COLLATERAL, &cj, &cl) != SS_OK) {
				input_error("cannot read collateral file %s", vo->coll_path);
				goto done_quiet;
			}
			ss_err rc = tee_collateral_parse(cj, cl, &coll, &why);
			free(cj);
			if (rc != SS_OK) {
				input_error("%s: %s", vo->coll_path, why ? why : "out of memory");
				goto done_quiet;
			}
		}
		/* The same steps either way; a simulated quote's chain is the simulation's. */
		ss_err rc = sim ? tee_sim_verify(&q, have_obj ? obj.certs : NULL,
						 have_obj ? obj.certs_len : 0, &vo->pol, &res)
				: tee_dcap_verify(&q, coll, &vo->pol, &res);
		tee_collateral_free(coll);
		if (rc != SS_OK) {
			input_error("%s", "out of memory");
			goto done_quiet;
		}
		const uint8_t *rd = tdx ? q.td.report_data : q.sgx.report_data;
		if (have_obj)
			tee_check_key_binding(&obj, rd, &res);
		json_object_set_new(out, "valid", json_false());
		json_object_set_new(out, "tee", json_string(sim ? "sim" : tdx ? "tdx" : "sgx"));
		if (sim) {
			json_object_set_new(out, "simulated", json_true());
			hexput(out, "sim_root_sha256", res.sim_root_sha256, 32);
		}
		json_object_set_new(out, "quote_version", json_integer(q.version));
		if (!sim)
			json_object_set_new(out, "body_type", json_integer(q.body_type));
		hexput(out, "report_data", rd, 64);
		json_object_set_new(out, "measurements", tdx ? td_json(&q.td) : sgx_json(&q.sgx));
		if (!sim)
			json_object_set_new(out, "qe_svn", json_integer(q.qe_report.isv_svn));
	}
	if (have_obj) {
		json_t *pks = json_array();
		for (size_t i = 0; i < obj.n_pubkeys; i++) {
			char h[2 * TEE_BLS_PUBKEY_BYTES + 3];
			hex_encode(h, obj.pubkeys[i], TEE_BLS_PUBKEY_BYTES, true);
			json_array_append_new(pks, json_string(h));
		}
		if (obj.k1) {
			char h[2 * TEE_K1_PUBKEY_BYTES + 3];
			hex_encode(h, obj.k1_pub, TEE_K1_PUBKEY_BYTES, true);
			json_array_append_new(pks, json_string(h));
		}
		json_object_set_new(out, "pubkeys", pks);
		json_object_set_new(out, "binding", json_string(obj.k1 ? TEE_KEYGEN_K1_BINDING
								      : TEE_KEYGEN_BINDING));
	}
	result_json(out, &res);
	if (have_obj)
		tee_evidence_object_free(&obj);
	return print_and_free(out, res.valid ? 0 : 1);
done_quiet:
	json_decref(out);
	if (have_obj)
		tee_evidence_object_free(&obj);
	return code;
}

static int verify(int argc, char **argv)
{
	verify_opts vo = { 0 };
	int rc = parse_verify_opts(argc, argv, &vo);
	if (rc >= 0)
		return rc;
	if (vo.evidence_path == NULL) {
		usage(stderr);
		return 2;
	}
	char *ev = NULL;
	size_t ev_len = 0;
	if (file_read_all(vo.evidence_path, MAX_EVIDENCE, &ev, &ev_len) != SS_OK)
		return input_error("cannot read evidence file %s", vo.evidence_path);
	rc = verify_text(&vo, ev, ev_len, vo.evidence_path);
	free(ev);
	return rc;
}

int cli_evidence_verify_text(char *ev, size_t ev_len, const char *label, int argc, char **argv)
{
	verify_opts vo = { 0 };
	int rc = parse_verify_opts(argc, argv, &vo);
	if (rc >= 0)
		return rc;
	/* the bound a file gets from file_read_all in verify() */
	if (ev_len > MAX_EVIDENCE)
		return input_error("%s is larger than %u bytes", label, MAX_EVIDENCE);
	return verify_text(&vo, ev, ev_len, label);
}

int cli_cmd_evidence(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
