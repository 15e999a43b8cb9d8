/* `secure-signer evidence verify` run as a program over every evidence file of
 * ../shared/vectors/tee/, table-driven by EXPECTED.json (its recorded oracle results,
 * collateral, verification instant and parsed fields): the outcome, the TCB status and
 * advisories, and the measurements the command prints must be the recorded ones. A case
 * is named by its file ("test_tee_vectors vectors_dcap sgx/phala-dcap-qvl/sgx_quote"). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_json.h"
#include "test.h"
#include "vectors.h"

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static bool has_failure(json_t *out, const char *check)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(out, "failures"), i, f)
		if (strcmp(str(f, "check"), check) == 0)
			return true;
	return false;
}

static size_t n_failures(json_t *out)
{
	return json_array_size(json_object_get(out, "failures"));
}

/* The advisory lists are equal as sets. */
static bool same_advisories(json_t *a, json_t *b)
{
	if (json_array_size(a) != json_array_size(b))
		return false;
	size_t i, j;
	json_t *x, *y;
	json_array_foreach(a, i, x) {
		bool found = false;
		json_array_foreach(b, j, y)
			found |= json_equal(x, y);
		if (!found)
			return false;
	}
	return true;
}

/* A time one day after an RFC 3339 instant with "+00:00" (EXPECTED's certificate
 * dates), as "YYYY-MM-DDT12:00:00Z" on the next day, good enough inside a 7-year PCK. */
static void day_after(const char *t, char *out, size_t cap)
{
	int y, m, d;
	if (sscanf(t, "%d-%d-%d", &y, &m, &d) != 3) {
		snprintf(out, cap, "invalid");
		return;
	}
	d = d >= 28 ? 1 : d + 1;
	if (d == 1)
		m = m == 12 ? 1 : m + 1;
	if (d == 1 && m == 1)
		y++;
	snprintf(out, cap, "%04d-%02d-%02dT12:00:00Z", y, m, d);
}

static void check_measurements(json_t *out, json_t *e)
{
	json_t *m = json_object_get(out, "measurements");
	json_t *enc = json_object_get(e, "enclave"), *td = json_object_get(e, "td");
	if (enc != NULL) {
		CHECK(strcmp(str(m, "mr_enclave"), str(enc, "mr_enclave")) == 0);
		CHECK(strcmp(str(m, "mr_signer"), str(enc, "mr_signer")) == 0);
		CHECK(strcmp(str(out, "report_data"), str(enc, "report_data")) == 0);
		CHECK(json_is_true(json_object_get(out, "debug")) ==
		      json_is_true(json_object_get(enc, "debug")));
		CHECK(strcmp(str(out, "tee"), "sgx") == 0);
	}
	if (td != NULL) {
		CHECK(strcmp(str(m, "mr_td"), str(td, "mr_td")) == 0);
		for (int i = 0; i < 4; i++) {
			char k[8];
			snprintf(k, sizeof k, "rtmr%d", i);
			CHECK(strcmp(str(m, k), str(td, k)) == 0);
		}
		CHECK(strcmp(str(out, "report_data"), str(td, "report_data")) == 0);
		CHECK(json_is_true(json_object_get(out, "debug")) ==
		      json_is_true(json_object_get(td, "debug")));
		CHECK(strcmp(str(out, "tee"), "tdx") == 0);
	}
	CHECK(json_integer_value(json_object_get(out, "quote_version")) ==
	      json_integer_value(json_object_get(e, "quote_version")));
}

static bool dcap_case(const char *name, json_t *e, void *ctx)
{
	(void)ctx;
	char ev[1024], coll[1024];
	vectors_path(ev, sizeof ev, name);
	const char *coll_rel = json_string_value(json_object_get(e, "collateral"));
	json_t *out = NULL;
	int rc;
	if (coll_rel == NULL) {
		/* No collateral exists: chain and signatures only, at a time inside the PCK's
		 * validity; the TCB status must say Unknown. */
		char now[40];
		day_after(str(json_object_get(e, "pck"), "not_before"), now, sizeof now);
		rc = run_json(&out, "evidence verify --evidence %s --now %s", ev, now);
		if (out == NULL)
			return false;
		check_measurements(out, e);
		CHECK(strcmp(str(out, "tcb_status"), "Unknown") == 0);
		bool debug = json_is_true(json_object_get(out, "debug"));
		CHECK(rc == (debug ? 1 : 0));
		CHECK(n_failures(out) == (debug ? 1u : 0u));
		CHECK(!debug || has_failure(out, "debug"));
		json_decref(out);
		return true;
	}
	vectors_path(coll, sizeof coll, coll_rel);
	const char *at = str(e, "verify_at");
	json_t *oracle = json_object_get(e, "oracle_result");
	const char *status = json_string_value(json_object_get(oracle, "status"));
	const char *error = json_string_value(json_object_get(oracle, "error"));
	/* Accept whatever status the oracle reports, so that the run shows whether anything
	 * else fails. */
	rc = run_json(&out, "evidence verify --evidence %s --collateral %s --now %s%s%s", ev, coll, at,
		 status && strcmp(status, "UpToDate") != 0 ? " --accept-tcb " : "",
		 status && strcmp(status, "UpToDate") != 0 ? status : "");
	if (out == NULL)
		return false;
	check_measurements(out, e);
	/* The PCK CRL of the mobilecoin collateral expired before its TCB Info was issued
	 * (vectors/tee/README.md §2.2): CRLs are enforced, so that case is invalid with a
	 * pck_revocation failure whatever else holds. */
	json_t *win = json_object_get(json_object_get(e, "collateral_window"), "pck_crl");
	const char *crl_end = json_string_value(json_array_get(win, 1));
	bool crl_expired = crl_end != NULL && strncmp(crl_end, at, 19) < 0;
	if (crl_expired)
		CHECK(has_failure(out, "pck_revocation"));
	if (status != NULL) {
		CHECK_MSG(strcmp(str(out, "tcb_status"), status) == 0, "%s: status %s, oracle %s",
			  name, str(out, "tcb_status"), status);
		CHECK(same_advisories(json_object_get(out, "advisory_ids"),
				      json_object_get(oracle, "advisory_ids")));
		CHECK(rc == (crl_expired ? 1 : 0));
		CHECK(n_failures(out) == (crl_expired ? 1u : 0u));
	} else if (error != NULL && strstr(error, "No matching TCB level")) {
		CHECK(rc == 1 && has_failure(out, "tcb_level"));
		CHECK(strcmp(str(out, "tcb_status"), "Unknown") == 0);
	} else if (error != NULL && strstr(error, "Debug mode")) {
		CHECK(rc == 1 && has_failure(out, "debug"));
		CHECK(json_is_true(json_object_get(out, "debug")));
	} else {
		CHECK_MSG(false, "%s: unexpected oracle result", name);
	}
	/* No signature of real evidence may fail. */
	CHECK(!has_failure(out, "quote_signature") && !has_failure(out, "qe_report_signature") &&
	      !has_failure(out, "qe_report_data") && !has_failure(out, "pck_chain") &&
	      !has_failure(out, "tcb_info_signature") && !has_failure(out, "qe_identity_signature"));
	json_decref(out);

	/* The oracle's expiry and not-yet-issued results: collateral outside its window. */
	const char *after = json_string_value(json_object_get(json_object_get(e, "oracle_after_tcb_or_qe_expiry"), "error"));
	if (after != NULL) {
		json_t *w = json_object_get(e, "collateral_window");
		const char *end_ti = json_string_value(json_array_get(json_object_get(w, "tcb_info"), 1));
		const char *end_qe = json_string_value(json_array_get(json_object_get(w, "qe_identity"), 1));
		const char *end = strcmp(end_ti, end_qe) < 0 ? end_ti : end_qe;
		char later[40];
		day_after(end, later, sizeof later);
		rc = run_json(&out, "evidence verify --evidence %s --collateral %s --now %s", ev, coll, later);
		if (out == NULL)
			return false;
		CHECK(rc == 1);
		CHECK(has_failure(out, strstr(after, "QE Identity") ? "qe_identity_window"
								      : "tcb_info_window"));
		json_decref(out);
	}
	return true;
}

TEST(vectors_dcap)
{
	if (!vectors_require())
		return;
	json_t *root = vectors_load_json("tee/EXPECTED.json");
	if (root == NULL)
		return;
	/* Paths are relative to tee/. */
	json_t *arr = json_object_get(root, "dcap");
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		char rel[512];
		snprintf(rel, sizeof rel, "tee/%s", str(e, "file"));
		json_object_set_new(e, "file", json_string(rel));
		const char *c = json_string_value(json_object_get(e, "collateral"));
		if (c != NULL) {
			snprintf(rel, sizeof rel, "tee/%s", c);
			json_object_set_new(e, "collateral", json_string(rel));
		}
	}
	CHECK(vectors_for_each_element(arr, "file", dcap_case, NULL) > 0 ||
	      test_selected_case() != NULL);
	json_decref(root);
}

static bool snp_case(const char *name, json_t *e, void *ctx)
{
	(void)ctx;
	char ev[1024], vek[1024], ca[1024], rel[512];
	vectors_path(ev, sizeof ev, name);
	snprintf(rel, sizeof rel, "tee/%s", str(e, "vek_file"));
	vectors_path(vek, sizeof vek, rel);
	snprintf(rel, sizeof rel, "tee/%s", str(e, "ca_chain_file"));
	vectors_path(ca, sizeof ca, rel);
	/* One day after the VEK's notBefore: inside every VEK's window. */
	char now[40];
	day_after(str(json_object_get(e, "vek"), "nb"), now, sizeof now);
	json_t *out = NULL;
	int rc = run_json(&out, "evidence verify --evidence %s --certs %s --certs %s --now %s", ev, vek,
		     ca, now);
	if (out == NULL)
		return false;
	bool debug = json_is_true(json_object_get(e, "debug"));
	json_t *m = json_object_get(out, "measurements");
	CHECK(strcmp(str(out, "tee"), "sev-snp") == 0);
	CHECK(strcmp(str(m, "measurement"), str(e, "measurement")) == 0);
	CHECK(strcmp(str(out, "report_data"), str(e, "report_data")) == 0);
	CHECK(strcmp(str(m, "chip_id"), str(e, "chip_id")) == 0);
	CHECK(json_is_true(json_object_get(out, "debug")) == debug);
	CHECK(rc == (debug ? 1 : 0));
	CHECK(n_failures(out) == (debug ? 1u : 0u));
	CHECK(!debug || has_failure(out, "debug"));
	json_decref(out);
	/* The same report as hex text (0x prefix, trailing newline): the same verdict. */
	size_t rl;
	uint8_t *raw = (uint8_t *)test_read_file(ev, &rl);
	CHECK(raw != NULL);
	if (raw != NULL) {
		char hexpath[] = "/tmp/ss-tee-hex-XXXXXX";
		int fd = mkstemp(hexpath);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		CHECK(f != NULL);
		if (f != NULL) {
			fputs("0x", f);
			for (size_t i = 0; i < rl; i++)
				fprintf(f, "%02x", raw[i]);
			fputs("\n", f);
			fclose(f);
			rc = run_json(&out, "evidence verify --evidence %s --certs %s --certs %s --now %s",
				 hexpath, vek, ca, now);
			CHECK(out && rc == (debug ? 1 : 0));
			CHECK(out && strcmp(str(json_object_get(out, "measurements"), "measurement"),
					    str(e, "measurement")) == 0);
			json_decref(out);
		}
		unlink(hexpath);
		free(raw);
	}
	/* After the VEK's notAfter the chain is refused (the VLEK has expired by now). */
	char late[40];
	day_after(str(json_object_get(e, "vek"), "na"), late, sizeof late);
	rc = run_json(&out, "evidence verify --evidence %s --certs %s --certs %s --now %s --allow-debug",
		 ev, vek, ca, late);
	if (out == NULL)
		return false;
	CHECK(rc == 1 && has_failure(out, "vek_chain"));
	json_decref(out);
	return true;
}

TEST(vectors_snp)
{
	if (!vectors_require())
		return;
	json_t *root = vectors_load_json("tee/EXPECTED.json");
	if (root == NULL)
		return;
	json_t *arr = json_object_get(root, "sev_snp");
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		char rel[512];
		snprintf(rel, sizeof rel, "tee/%s", str(e, "file"));
		json_object_set_new(e, "file", json_string(rel));
	}
	CHECK(vectors_for_each_element(arr, "file", snp_case, NULL) > 0 ||
	      test_selected_case() != NULL);
	json_decref(root);
}

/* Usage and unreadable input exit 2 with a JSON error. */
TEST(cli_usage_errors)
{
	json_t *out = NULL;
	CHECK(run_json(&out, "evidence verify --evidence /nonexistent/quote") == 2);
	CHECK(out && strstr(str(out, "error"), "cannot read"));
	json_decref(out);
	CHECK(run_json(&out, "evidence verify --evidence /dev/null --now yesterday") == 2);
	CHECK(out && strstr(str(out, "error"), "--now"));
	json_decref(out);
	CHECK(run_json(&out, "evidence verify --evidence /dev/null --accept-tcb OutOfDate") == 2);
	CHECK(out && strstr(str(out, "error"), "--accept-tcb"));
	json_decref(out);
}

/* The policy flags, on real evidence: expected measurements and report data (matching
 * and not), a measurement of another TEE, --allow-debug, and options that do not apply
 * to the evidence given. */
TEST(cli_policy_flags)
{
	if (!vectors_require())
		return;
	json_t *root = vectors_load_json("tee/EXPECTED.json");
	if (root == NULL)
		return;
	json_t *sgx = json_array_get(json_object_get(root, "dcap"), 0);
	json_t *tdx = json_array_get(json_object_get(root, "dcap"), 4);
	json_t *dbg = json_array_get(json_object_get(root, "dcap"), 8);
	CHECK(strcmp(str(sgx, "file"), "sgx/phala-dcap-qvl/sgx_quote") == 0);
	CHECK(strcmp(str(tdx, "file"), "tdx/phala-dcap-qvl/tdx_quote") == 0);
	CHECK(strcmp(str(dbg, "file"), "tdx/trustee/tdx_quote_4.dat") == 0);
	char ev[1024], coll[1024], rel[512], base[3072];
	snprintf(rel, sizeof rel, "tee/%s", str(sgx, "file"));
	vectors_path(ev, sizeof ev, rel);
	snprintf(rel, sizeof rel, "tee/%s", str(sgx, "collateral"));
	vectors_path(coll, sizeof coll, rel);
	snprintf(base, sizeof base, "evidence verify --evidence %s --collateral %s --now %s "
		 "--accept-tcb %s", ev, coll, str(sgx, "verify_at"),
		 str(json_object_get(sgx, "oracle_result"), "status"));
	const char *mre = str(json_object_get(sgx, "enclave"), "mr_enclave");
	json_t *out;
	CHECK(run_json(&out, "%s --expect-mrenclave %s --expect-mrsigner %s", base, mre,
		  str(json_object_get(sgx, "enclave"), "mr_signer")) == 0);
	json_decref(out);
	/* "Hello, world!" is the report data's prefix; the rest must be zero. */
	CHECK(run_json(&out, "%s --expect-report-data 0x48656c6c6f2c20776f726c6421", base) == 0);
	json_decref(out);
	CHECK(run_json(&out, "%s --expect-report-data 48656c6c6f2c20776f726c64", base) == 1);
	CHECK(out && has_failure(out, "report_data"));
	json_decref(out);
	char wrong[65];
	snprintf(wrong, sizeof wrong, "%s", mre);
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	CHECK(run_json(&out, "%s --expect-mrenclave %s", base, wrong) == 1);
	CHECK(out && has_failure(out, "mrenclave") && n_failures(out) == 1);
	json_decref(out);
	CHECK(run_json(&out, "%s --expect-mrtd %s", base, str(json_object_get(tdx, "td"), "mr_td")) == 1);
	CHECK(out && has_failure(out, "mrtd"));
	json_decref(out);
	CHECK(run_json(&out, "%s --expect-mrenclave 00", base) == 2);
	json_decref(out);
	/* ISVPRODID and the minimum ISVSVN, from EXPECTED's values. */
	long long prodid = json_integer_value(json_object_get(json_object_get(sgx, "enclave"), "isv_prod_id"));
	long long svn = json_integer_value(json_object_get(json_object_get(sgx, "enclave"), "isv_svn"));
	CHECK(run_json(&out, "%s --expect-isvprodid %lld --min-isvsvn %lld", base, prodid, svn) == 0);
	json_decref(out);
	CHECK(run_json(&out, "%s --expect-isvprodid %lld", base, prodid + 1) == 1);
	CHECK(out && has_failure(out, "isv_prod_id") && n_failures(out) == 1);
	json_decref(out);
	CHECK(run_json(&out, "%s --min-isvsvn %lld", base, svn + 1) == 1);
	CHECK(out && has_failure(out, "isv_svn") && n_failures(out) == 1);
	json_decref(out);
	CHECK(run_json(&out, "%s --expect-snp-policy 0x30000", base) == 1);
	CHECK(out && has_failure(out, "measurement"));
	json_decref(out);
	/* Without --accept-tcb the same quote's status is refused. */
	CHECK(run_json(&out, "evidence verify --evidence %s --collateral %s --now %s", ev, coll,
		  str(sgx, "verify_at")) == 1);
	CHECK(out && has_failure(out, "tcb_status") && n_failures(out) == 1);
	json_decref(out);
	/* --certs does not apply to a DCAP quote. */
	CHECK(run_json(&out, "evidence verify --evidence %s --certs %s", ev, coll) == 2);
	json_decref(out);

	/* TDX: MRTD as expected. */
	snprintf(rel, sizeof rel, "tee/%s", str(tdx, "file"));
	vectors_path(ev, sizeof ev, rel);
	snprintf(rel, sizeof rel, "tee/%s", str(tdx, "collateral"));
	vectors_path(coll, sizeof coll, rel);
	CHECK(run_json(&out, "evidence verify --evidence %s --collateral %s --now %s --expect-mrtd %s", ev,
		  coll, str(tdx, "verify_at"), str(json_object_get(tdx, "td"), "mr_td")) == 0);
	json_decref(out);
	/* RTMRs: 0 and 2 as recorded pass; RTMR3 expected equal to RTMR2 fails. */
	json_t *td = json_object_get(tdx, "td");
	CHECK(run_json(&out, "evidence verify --evidence %s --collateral %s --now %s --expect-rtmr 0:%s "
		  "--expect-rtmr 2:%s", ev, coll, str(tdx, "verify_at"), str(td, "rtmr0"),
		  str(td, "rtmr2")) == 0);
	json_decref(out);
	CHECK(run_json(&out, "evidence verify --evidence %s --collateral %s --now %s --expect-rtmr 3:%s",
		  ev, coll, str(tdx, "verify_at"), str(td, "rtmr2")) == 1);
	CHECK(out && has_failure(out, "rtmr3") && n_failures(out) == 1);
	json_decref(out);
	CHECK(run_json(&out, "evidence verify --evidence %s --expect-rtmr 4:%s", ev, str(td, "rtmr0")) == 2);
	json_decref(out);
	/* A debug TD: refused, accepted with --allow-debug (its only failure). */
	snprintf(rel, sizeof rel, "tee/%s", str(dbg, "file"));
	vectors_path(ev, sizeof ev, rel);
	snprintf(rel, sizeof rel, "tee/%s", str(dbg, "collateral"));
	vectors_path(coll, sizeof coll, rel);
	CHECK(run_json(&out, "evidence verify --evidence %s --collateral %s --now %s", ev, coll,
		  str(dbg, "verify_at")) == 1);
	CHECK(out && has_failure(out, "debug") && n_failures(out) == 1);
	json_decref(out);
	CHECK(run_json(&out, "evidence verify --evidence %s --collateral %s --now %s --allow-debug", ev,
		  coll, str(dbg, "verify_at")) == 0);
	json_decref(out);

	/* SNP: --collateral does not apply; the guest policy as recorded passes, another
	 * fails. */
	json_t *snp = json_array_get(json_object_get(root, "sev_snp"), 1);
	snprintf(rel, sizeof rel, "tee/%s", str(snp, "file"));
	vectors_path(ev, sizeof ev, rel);
	CHECK(run_json(&out, "evidence verify --evidence %s --collateral %s", ev, coll) == 2);
	json_decref(out);
	char vek[1024], ca[1024];
	snprintf(rel, sizeof rel, "tee/%s", str(snp, "vek_file"));
	vectors_path(vek, sizeof vek, rel);
	snprintf(rel, sizeof rel, "tee/%s", str(snp, "ca_chain_file"));
	vectors_path(ca, sizeof ca, rel);
	CHECK(run_json(&out, "evidence verify --evidence %s --certs %s --certs %s --now 2025-01-01T00:00:00Z "
		  "--expect-snp-policy %s --expect-measurement %s", ev, vek, ca, str(snp, "policy"),
		  str(snp, "measurement")) == 0);
	json_decref(out);
	CHECK(run_json(&out, "evidence verify --evidence %s --certs %s --certs %s --now 2025-01-01T00:00:00Z "
		  "--expect-snp-policy 0x30000", ev, vek, ca) == 1);
	CHECK(out && has_failure(out, "snp_policy") && n_failures(out) == 1);
	json_decref(out);
	/* The ARK is compiled in: the VCEK and the ASK alone suffice (the ASK is the first
	 * certificate of the CA file, which also holds the ARK and the ASVK); the VCEK alone
	 * does not. */
	size_t cl;
	char *cas = test_read_file(ca, &cl);
	char *second = cas ? strstr(cas + 1, "-----BEGIN CERTIFICATE-----") : NULL;
	CHECK(second != NULL);
	if (second != NULL) {
		char ask[] = "/tmp/ss-tee-ask-XXXXXX";
		int fd = mkstemp(ask);
		size_t n = (size_t)(second - cas);
		CHECK(fd >= 0 && write(fd, cas, n) == (ssize_t)n);
		close(fd);
		CHECK(run_json(&out, "evidence verify --evidence %s --certs %s --certs %s "
			  "--now 2025-01-01T00:00:00Z", ev, vek, ask) == 0);
		json_decref(out);
		unlink(ask);
	}
	free(cas);
	CHECK(run_json(&out, "evidence verify --evidence %s --certs %s --now 2025-01-01T00:00:00Z", ev,
		  vek) == 1);
	CHECK(out && has_failure(out, "vek_chain"));
	json_decref(out);
	json_decref(root);
}
