/* Intel collateral: TCB Info (v3, SGX and TDX), QE Identity (v2), the Root CA CRL and
 * the PCK CRL, in dcap-qvl's QuoteCollateralV3 JSON shape (the shape of
 * collateral files of ../shared/vectors/tee/). reference/tee.md §e steps 5-7:
 *  - each signed JSON is checked over its exact bytes (the JSON string value as given,
 *    never re-serialised) by the "Intel SGX TCB Signing" certificate, whose chain must
 *    reach the pinned root, not be revoked, and be valid at the verification time;
 *  - issueDate <= now <= nextUpdate for TCB Info and QE Identity; the CRLs current;
 *  - the PCK leaf and its CA not revoked;
 *  - the platform TCB level (first level whose every component is <= the PCK's), the QE
 *    TCB level (first level with isvsvn <= the QE's), the TDX module identity, and the
 *    final status converged as Intel's QVL does, advisories merged.
 * The CRLs are strict: a CRL past its nextUpdate fails the check, as Intel's QVL
 * PckCertVerifier (STATUS_SGX_CRL_EXPIRED) and webpki (so dcap-qvl-web) do; the pure-JS
 * dcap-qvl ignores it. */
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tee/tee_internal.h"
#include "util/hex.h"

struct tee_collateral {
	char *tcb_info;
	size_t tcb_info_len;
	uint8_t tcb_info_sig[64];
	STACK_OF(X509) *tcb_chain;
	char *qe_identity;
	size_t qe_identity_len;
	uint8_t qe_identity_sig[64];
	STACK_OF(X509) *qe_chain;
	STACK_OF(X509_CRL) *crls; /* root CA CRL, PCK CRL */
};

void tee_collateral_free(tee_collateral *c)
{
	if (c == NULL)
		return;
	free(c->tcb_info);
	free(c->qe_identity);
	if (c->tcb_chain)
		sk_X509_pop_free(c->tcb_chain, X509_free);
	if (c->qe_chain)
		sk_X509_pop_free(c->qe_chain, X509_free);
	if (c->crls)
		sk_X509_CRL_pop_free(c->crls, X509_CRL_free);
	free(c);
}

STACK_OF(X509_CRL) *tee_collateral_crls(const tee_collateral *c)
{
	return c ? c->crls : NULL;
}

static const char *get_str(json_t *o, const char *key, size_t *len)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

/* A copy of a JSON string value with its exact length, the bytes the signature covers
 * (jansson refuses "\u0000" without JSON_ALLOW_NUL, so the length is also strlen's; the
 * copy does not depend on that). */
static char *dup_exact(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d != NULL) {
		memcpy(d, s, len);
		d[len] = 0;
	}
	return d;
}

static bool load_crl(json_t *o, const char *key, STACK_OF(X509_CRL) *crls)
{
	size_t len;
	const char *hex = get_str(o, key, &len);
	if (hex == NULL || len == 0 || len > 4u << 20)
		return false;
	uint8_t *der = malloc(len / 2 + 1);
	size_t n = 0;
	bool ok = der != NULL &&
		  hex_decode_var(der, len / 2 + 1, &n, hex, len, HEX_PREFIX_OPTIONAL) == SS_OK;
	X509_CRL *crl = NULL;
	if (ok) {
		const unsigned char *p = der;
		crl = d2i_X509_CRL(NULL, &p, (long)n);
		ok = crl != NULL && p == der + n && sk_X509_CRL_push(crls, crl) > 0;
	}
	if (!ok)
		X509_CRL_free(crl);
	ERR_clear_error();
	free(der);
	return ok;
}

ss_err tee_collateral_parse(const char *json, size_t len, tee_collateral **out, const char **why)
{
	*out = NULL;
	json_error_t err;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(root)) {
		json_decref(root);
		*why = "collateral is not a JSON object";
		return SS_ERR_INVALID;
	}
	tee_collateral *c = calloc(1, sizeof(*c));
	ss_err rc = SS_ERR_INVALID;
	if (c == NULL) {
		json_decref(root);
		return SS_ERR_NOMEM;
	}
	size_t l;
	const char *s;
	if ((s = get_str(root, "tcb_info", &l)) == NULL || (c->tcb_info = dup_exact(s, l)) == NULL) {
		*why = "collateral: tcb_info (the signed TCB Info JSON string) missing";
		goto out;
	}
	c->tcb_info_len = l;
	if ((s = get_str(root, "qe_identity", &l)) == NULL ||
	    (c->qe_identity = dup_exact(s, l)) == NULL) {
		*why = "collateral: qe_identity (the signed QE Identity JSON string) missing";
		goto out;
	}
	c->qe_identity_len = l;
	if ((s = get_str(root, "tcb_info_signature", &l)) == NULL ||
	    hex_decode(c->tcb_info_sig, 64, s, l, HEX_PREFIX_OPTIONAL) != SS_OK) {
		*why = "collateral: tcb_info_signature must be 64 bytes of hex (r || s)";
		goto out;
	}
	if ((s = get_str(root, "qe_identity_signature", &l)) == NULL ||
	    hex_decode(c->qe_identity_sig, 64, s, l, HEX_PREFIX_OPTIONAL) != SS_OK) {
		*why = "collateral: qe_identity_signature must be 64 bytes of hex (r || s)";
		goto out;
	}
	if ((s = get_str(root, "tcb_info_issuer_chain", &l)) == NULL ||
	    (c->tcb_chain = tee_x509_load((const uint8_t *)s, l)) == NULL) {
		*why = "collateral: tcb_info_issuer_chain holds no PEM certificate";
		goto out;
	}
	if ((s = get_str(root, "qe_identity_issuer_chain", &l)) == NULL ||
	    (c->qe_chain = tee_x509_load((const uint8_t *)s, l)) == NULL) {
		*why = "collateral: qe_identity_issuer_chain holds no PEM certificate";
		goto out;
	}
	if ((c->crls = sk_X509_CRL_new_null()) == NULL) {
		rc = SS_ERR_NOMEM;
		goto out;
	}
	if (!load_crl(root, "root_ca_crl", c->crls) || !load_crl(root, "pck_crl", c->crls)) {
		*why = "collateral: root_ca_crl and pck_crl must be hex of DER CRLs";
		goto out;
	}
	rc = SS_OK;
out:
	json_decref(root);
	if (rc != SS_OK)
		tee_collateral_free(c);
	else
		*out = c;
	return rc;
}

/* ---- evaluation ------------------------------------------------------------------ */

static void add_advisories(tee_result *res, json_t *level)
{
	json_t *ids = json_object_get(level, "advisoryIDs");
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		const char *id = json_string_value(v);
		if (id == NULL || strlen(id) >= sizeof(res->advisories[0]))
			continue;
		bool dup = false;
		for (unsigned k = 0; k < res->n_advisories; k++)
			dup |= strcmp(res->advisories[k], id) == 0;
		if (!dup && res->n_advisories < TEE_MAX_ADVISORIES)
			strcpy(res->advisories[res->n_advisories++], id);
	}
}

static bool level_status(json_t *level, tee_tcb_status *st)
{
	json_t *s = json_object_get(level, "tcbStatus");
	return json_is_string(s) &&
	       tee_tcb_status_parse(json_string_value(s), json_string_length(s), st) &&
	       *st != TEE_TCB_UNKNOWN;
}

static bool json_time(json_t *o, const char *key, time_t *t)
{
	size_t l;
	const char *s = get_str(o, key, &l);
	return s != NULL && tee_parse_time(s, l, t);
}

/* issueDate <= now <= nextUpdate. */
static void check_window(json_t *o, const char *what, const char *check, time_t now,
			 tee_result *res)
{
	time_t a, b;
	if (!json_time(o, "issueDate", &a) || !json_time(o, "nextUpdate", &b))
		tee_fail(res, check, "%s has no valid issueDate/nextUpdate", what);
	else if (now < a)
		tee_fail(res, check, "%s is issued after the verification time", what);
	else if (now > b)
		tee_fail(res, check, "%s expired before the verification time (nextUpdate)", what);
}

/* A hex field of exactly n bytes. */
static bool json_hex(json_t *o, const char *key, uint8_t *out, size_t n)
{
	size_t l;
	const char *s = get_str(o, key, &l);
	return s != NULL && hex_decode(out, n, s, l, HEX_PREFIX_FORBIDDEN) == SS_OK;
}

static bool json_svn(json_t *o, const char *key, unsigned *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535)
		return false;
	*out = (unsigned)json_integer_value(v);
	return true;
}

/* The 16 "svn" values of a components array. */
static bool components(json_t *tcb, const char *key, unsigned svn[16])
{
	json_t *a = json_object_get(tcb, key);
	if (!json_is_array(a) || json_array_size(a) != 16)
		return false;
	for (size_t i = 0; i < 16; i++)
		if (!json_svn(json_array_get(a, i), "svn", &svn[i]))
			return false;
	return true;
}

/* Verifies a signed collateral JSON: the signing chain to the pinned root (with the Root
 * CA CRL), then ECDSA P-256 over the exact bytes. */
static bool check_signed(const tee_collateral *c, STACK_OF(X509) *chain, const char *body,
			 size_t body_len, const uint8_t sig[64], const char *what,
			 const char *check, time_t now, tee_result *res)
{
	char why[256];
	X509 *leaf = sk_X509_value(chain, 0);
	/* Only Intel's TCB signing key speaks for TCB Info and QE Identity, and Intel issues it
	 * from the root directly (Intel PCS API v4 TCB-Info-Issuer-Chain). Any other
	 * certificate under the root will not do: a PCK certificate's key lives on a
	 * platform, and one extracted from a broken platform must not vouch for the TCB. */
	if (!tee_x509_cn_is(leaf, "Intel SGX TCB Signing") ||
	    !tee_x509_issuer_cn_is(leaf, "Intel SGX Root CA")) {
		tee_fail(res, check, "%s is not signed with the Intel SGX TCB Signing certificate",
			 what);
		return false;
	}
	if (!tee_x509_chain_verify(leaf, chain, TEE_ROOT_INTEL_SGX, now, c->crls, why, sizeof(why))) {
		tee_fail(res, check, "%s signing chain: %s", what, why);
		return false;
	}
	if (!tee_ecdsa_verify_raw(X509_get0_pubkey(leaf), EVP_sha256(), (const uint8_t *)body,
				  body_len, sig, sig + 32, 32)) {
		tee_fail(res, check, "%s is not signed by its issuer chain's leaf (Intel SGX TCB "
				     "Signing) over its exact bytes", what);
		return false;
	}
	return true;
}

static void check_tdx_module(json_t *ti, const tee_td_report *td, tee_tcb_status *module,
			     tee_result *res)
{
	/* Intel TDX TCB Info v3: TEE_TCB_SVN[1] is the TDX module's major version; 0 means
	 * the "tdxModule" entry applies, otherwise "tdxModuleIdentities" id TDX_<vv>, whose
	 * levels are selected by TEE_TCB_SVN[0] (go-tdx-guest testing/testdata/README.md). */
	*module = TEE_TCB_UP_TO_DATE;
	json_t *ident = NULL;
	if (td->tee_tcb_svn[1] == 0) {
		ident = json_object_get(ti, "tdxModule");
	} else {
		char id[8];
		snprintf(id, sizeof(id), "TDX_%02X", td->tee_tcb_svn[1]);
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(ti, "tdxModuleIdentities"), i, v) {
			json_t *s = json_object_get(v, "id");
			if (json_is_string(s) && strcasecmp(json_string_value(s), id) == 0)
				ident = v;
		}
		if (ident == NULL) {
			tee_fail(res, "tdx_module", "no TDX module identity %s in the TCB Info", id);
			return;
		}
	}
	uint8_t signer[48], attr[8], mask[8], seam[8];
	if (!json_is_object(ident) || !json_hex(ident, "mrsigner", signer, 48) ||
	    !json_hex(ident, "attributes", attr, 8) || !json_hex(ident, "attributesMask", mask, 8)) {
		tee_fail(res, "tdx_module", "the TCB Info's TDX module identity is malformed");
		return;
	}
	for (int i = 0; i < 8; i++)
		seam[i] = (uint8_t)(td->seam_attributes >> (8 * i));
	if (memcmp(signer, td->mrsigner_seam, 48) != 0)
		tee_fail(res, "tdx_module", "MRSIGNER_SEAM differs from the TDX module identity");
	for (int i = 0; i < 8; i++)
		if ((seam[i] & mask[i]) != (attr[i] & mask[i])) {
			tee_fail(res, "tdx_module", "SEAM attributes differ from the TDX module identity");
			break;
		}
	if (td->tee_tcb_svn[1] == 0)
		return;
	size_t i;
	json_t *lv;
	json_array_foreach(json_object_get(ident, "tcbLevels"), i, lv) {
		unsigned isvsvn;
		tee_tcb_status st;
		if (!json_svn(json_object_get(lv, "tcb"), "isvsvn", &isvsvn) || !level_status(lv, &st)) {
			tee_fail(res, "tdx_module", "malformed TDX module TCB level");
			return;
		}
		if (isvsvn <= td->tee_tcb_svn[0]) {
			*module = st;
			add_advisories(res, lv);
			return;
		}
	}
	tee_fail(res, "tdx_module", "no TDX module TCB level matches TEE_TCB_SVN[0] = %u",
		 td->tee_tcb_svn[0]);
}

/* Intel QVL's convergence of the platform and QE statuses
 * (QuoteVerification/QVL/Src/AttestationLibrary/src/Verifiers/QuoteVerifier.cpp
 * convergeTcbStatus): a revoked QE revokes; an out-of-date QE makes the result out of
 * date, keeping "ConfigurationNeeded" when the platform needs it. */
static tee_tcb_status converge(tee_tcb_status platform, tee_tcb_status qe)
{
	if (qe == TEE_TCB_REVOKED || platform == TEE_TCB_REVOKED)
		return TEE_TCB_REVOKED;
	if (qe == TEE_TCB_OUT_OF_DATE || qe == TEE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED) {
		if (platform == TEE_TCB_CONFIGURATION_NEEDED ||
		    platform == TEE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED ||
		    platform == TEE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED)
			return TEE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
		return TEE_TCB_OUT_OF_DATE;
	}
	return platform;
}

static void check_tcb_info(json_t *ti, const tee_dcap_quote *q, const tee_pck_ext *pck,
			   time_t now, tee_result *res)
{
	bool tdx = q->tee_type == TEE_TYPE_TDX;
	json_t *id = json_object_get(ti, "id");
	json_t *ver = json_object_get(ti, "version");
	if (!json_is_string(id) || strcmp(json_string_value(id), tdx ? "TDX" : "SGX") != 0 ||
	    !json_is_integer(ver) || json_integer_value(ver) != 3) {
		tee_fail(res, "tcb_info", "the TCB Info is not a version 3 %s TCB Info",
			 tdx ? "TDX" : "SGX");
		return;
	}
	check_window(ti, "the TCB Info", "tcb_info_window", now, res);
	uint8_t fmspc[6], pceid[2];
	if (!json_hex(ti, "fmspc", fmspc, 6) || memcmp(fmspc, pck->fmspc, 6) != 0 ||
	    !json_hex(ti, "pceId", pceid, 2) || memcmp(pceid, pck->pceid, 2) != 0) {
		tee_fail(res, "tcb_info", "the TCB Info is for another platform (FMSPC/PCEID differ "
					  "from the PCK certificate's)");
		return;
	}
	/* The first level whose every SGX component and PCESVN (and, for TDX, every one of
	 * the 16 TDX components against TEE_TCB_SVN) is <= the platform's is its level; TCB
	 * Info lists them best first (Intel QVL QuoteVerifier.cpp getMatchingTcbLevel,
	 * isCpuSvnHigherOrEqual, isTdxTcbHigherOrEqual). The TDX module is judged on top of
	 * this by its identity (check_tdx_module). */
	size_t i;
	json_t *lv;
	json_array_foreach(json_object_get(ti, "tcbLevels"), i, lv) {
		json_t *tcb = json_object_get(lv, "tcb");
		unsigned sgx[16], tdxc[16], pcesvn;
		tee_tcb_status st;
		if (!components(tcb, "sgxtcbcomponents", sgx) || !json_svn(tcb, "pcesvn", &pcesvn) ||
		    (tdx && !components(tcb, "tdxtcbcomponents", tdxc)) || !level_status(lv, &st)) {
			tee_fail(res, "tcb_info", "malformed TCB level %zu in the TCB Info", i);
			return;
		}
		bool ok = pcesvn <= pck->pcesvn;
		for (int k = 0; k < 16; k++)
			ok &= sgx[k] <= pck->comp_svn[k];
		if (tdx)
			for (int k = 0; k < 16; k++)
				ok &= tdxc[k] <= q->td.tee_tcb_svn[k];
		if (ok) {
			res->platform_tcb_status = st;
			add_advisories(res, lv);
			return;
		}
	}
	tee_fail(res, "tcb_level", "TCB level not supported: no level of the TCB Info matches "
				   "this platform's SVNs");
}

static void check_qe_identity(json_t *qi, const tee_dcap_quote *q, time_t now, tee_result *res)
{
	bool tdx = q->tee_type == TEE_TYPE_TDX;
	const tee_sgx_report *qe = &q->qe_report;
	json_t *id = json_object_get(qi, "id");
	json_t *ver = json_object_get(qi, "version");
	if (!json_is_string(id) || strcmp(json_string_value(id), tdx ? "TD_QE" : "QE") != 0 ||
	    !json_is_integer(ver) || json_integer_value(ver) != 2) {
		tee_fail(res, "qe_identity", "the QE Identity is not a version 2 %s identity",
			 tdx ? "TD_QE" : "QE");
		return;
	}
	check_window(qi, "the QE Identity", "qe_identity_window", now, res);
	uint8_t mrsigner[32], misc[4], miscmask[4], attr[16], attrmask[16];
	unsigned prodid;
	if (!json_hex(qi, "mrsigner", mrsigner, 32) || !json_hex(qi, "miscselect", misc, 4) ||
	    !json_hex(qi, "miscselectMask", miscmask, 4) || !json_hex(qi, "attributes", attr, 16) ||
	    !json_hex(qi, "attributesMask", attrmask, 16) || !json_svn(qi, "isvprodid", &prodid)) {
		tee_fail(res, "qe_identity", "the QE Identity is malformed");
		return;
	}
	if (memcmp(mrsigner, qe->mr_signer, 32) != 0)
		tee_fail(res, "qe_identity", "the QE's MRSIGNER is not Intel's");
	if (prodid != qe->isv_prod_id)
		tee_fail(res, "qe_identity", "the QE's ISVPRODID is %u, the identity says %u",
			 qe->isv_prod_id, prodid);
	/* miscselect is written as a big-endian 32-bit number. */
	uint32_t m = (uint32_t)misc[0] << 24 | misc[1] << 16 | misc[2] << 8 | misc[3];
	uint32_t mm = (uint32_t)miscmask[0] << 24 | miscmask[1] << 16 | miscmask[2] << 8 | miscmask[3];
	if ((qe->misc_select & mm) != (m & mm))
		tee_fail(res, "qe_identity", "the QE's MISCSELECT does not match its identity");
	for (int k = 0; k < 16; k++)
		if ((qe->attributes[k] & attrmask[k]) != (attr[k] & attrmask[k])) {
			tee_fail(res, "qe_identity", "the QE's attributes do not match its identity");
			break;
		}
	size_t i;
	json_t *lv;
	json_array_foreach(json_object_get(qi, "tcbLevels"), i, lv) {
		unsigned isvsvn;
		tee_tcb_status st;
		if (!json_svn(json_object_get(lv, "tcb"), "isvsvn", &isvsvn) || !level_status(lv, &st)) {
			tee_fail(res, "qe_identity", "malformed QE TCB level %zu", i);
			return;
		}
		if (isvsvn <= qe->isv_svn) {
			res->qe_tcb_status = st;
			add_advisories(res, lv);
			return;
		}
	}
	tee_fail(res, "qe_tcb_level", "no QE Identity TCB level matches the QE's ISVSVN %u",
		 qe->isv_svn);
}

void tee_collateral_check(const tee_collateral *c, const tee_dcap_quote *q,
			  const tee_pck_ext *pck, X509 *pck_leaf, STACK_OF(X509) *pck_pool,
			  time_t now, tee_result *res)
{
	char why[256];
	/* Revocation of the PCK leaf and its CA, with both CRLs current. */
	if (!tee_x509_chain_verify(pck_leaf, pck_pool, TEE_ROOT_INTEL_SGX, now, c->crls, why,
				   sizeof(why)))
		tee_fail(res, "pck_revocation", "%s", why);

	bool ti_ok = check_signed(c, c->tcb_chain, c->tcb_info, c->tcb_info_len, c->tcb_info_sig,
				  "the TCB Info", "tcb_info_signature", now, res);
	bool qi_ok = check_signed(c, c->qe_chain, c->qe_identity, c->qe_identity_len,
				  c->qe_identity_sig, "the QE Identity", "qe_identity_signature",
				  now, res);
	/* The contents are evaluated only once their signatures hold: an unsigned TCB Info
	 * must not produce a status. */
	json_error_t err;
	json_t *ti = ti_ok ? json_loadb(c->tcb_info, c->tcb_info_len, JSON_REJECT_DUPLICATES, &err)
			   : NULL;
	json_t *qi = qi_ok ? json_loadb(c->qe_identity, c->qe_identity_len,
					JSON_REJECT_DUPLICATES, &err) : NULL;
	if (ti_ok && !json_is_object(ti))
		tee_fail(res, "tcb_info", "the TCB Info is not a JSON object");
	if (qi_ok && !json_is_object(qi))
		tee_fail(res, "qe_identity", "the QE Identity is not a JSON object");
	tee_tcb_status module = TEE_TCB_UP_TO_DATE;
	if (json_is_object(ti)) {
		check_tcb_info(ti, q, pck, now, res);
		if (q->tee_type == TEE_TYPE_TDX)
			check_tdx_module(ti, &q->td, &module, res);
	}
	if (json_is_object(qi))
		check_qe_identity(qi, q, now, res);
	if (res->platform_tcb_status != TEE_TCB_UNKNOWN && res->qe_tcb_status != TEE_TCB_UNKNOWN) {
		tee_tcb_status st = converge(res->platform_tcb_status, res->qe_tcb_status);
		/* A TDX module level worse than the platform's decides (OutOfDate, Revoked). */
		res->tcb_status = module > st ? module : st;
	}
	json_decref(ti);
	json_decref(qi);
}
