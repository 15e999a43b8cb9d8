/* SEV-SNP report verification (reference/tee.md §d): the report signed with ECDSA
 * P-384/SHA-384 over bytes [0, 0x2A0) by the VCEK (or VLEK); VCEK <- ASK <- ARK, or
 * VLEK <- ASVK <- ARK, all RSA-PSS SHA-384, the ARK pinned; the VCEK's TCB extensions
 * (AMD "Versioned Chip Endorsement Key (VCEK) Certificate and KDS Interface
 * Specification" §3.1, OIDs 1.3.6.1.4.1.3704.1.3.x) equal to the report's reported_tcb
 * and its hwID (1.3.6.1.4.1.3704.1.4) equal to chip_id, as trustee's verify_report_tcb
 * does. */
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tee/tee_internal.h"

/* The extension with dotted OID txt, or NULL. */
static ASN1_OCTET_STRING *ext_data(X509 *x, const char *txt)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(txt, 1);
	if (obj == NULL)
		return NULL;
	int idx = X509_get_ext_by_OBJ(x, obj, -1);
	ASN1_OBJECT_free(obj);
	return idx < 0 ? NULL : X509_EXTENSION_get_data(X509_get_ext(x, idx));
}

/* An SPL extension: a DER INTEGER 0..255. */
static bool ext_spl(X509 *x, const char *txt, uint8_t *out)
{
	ASN1_OCTET_STRING *os = ext_data(x, txt);
	if (os == NULL)
		return false;
	const uint8_t *p = ASN1_STRING_get0_data(os);
	int n = ASN1_STRING_length(os);
	if (n < 3 || p[0] != 0x02 || p[1] != n - 2 || p[1] > 2 || (p[2] & 0x80))
		return false;
	unsigned v = p[1] == 1 ? p[2] : (unsigned)(p[2] << 8 | p[3]);
	if (v > 255)
		return false;
	*out = (uint8_t)v;
	return true;
}

static void check_vcek_tcb(X509 *vek, const tee_snp_report *r, bool vlek, tee_result *res)
{
	if (ext_data(vek, "1.3.6.1.4.1.3704.1.3.9") != NULL) {
		/* Turin adds an FMC SPL and moves the TCB bytes; not supported yet. */
		tee_fail(res, "vcek_tcb", "Turin-layout TCB extensions are not supported yet");
		return;
	}
	uint8_t bl, tee, snp, uc;
	if (!ext_spl(vek, "1.3.6.1.4.1.3704.1.3.1", &bl) ||
	    !ext_spl(vek, "1.3.6.1.4.1.3704.1.3.2", &tee) ||
	    !ext_spl(vek, "1.3.6.1.4.1.3704.1.3.3", &snp) ||
	    !ext_spl(vek, "1.3.6.1.4.1.3704.1.3.8", &uc)) {
		tee_fail(res, "vcek_tcb", "the VEK certificate lacks readable TCB extensions");
		return;
	}
	const tee_snp_tcb *t = &r->reported_tcb;
	if (bl != t->bootloader || tee != t->tee || snp != t->snp || uc != t->microcode)
		tee_fail(res, "vcek_tcb",
			 "the VEK certificate is for TCB bl %u tee %u snp %u ucode %u, the report "
			 "says bl %u tee %u snp %u ucode %u", bl, tee, snp, uc, t->bootloader,
			 t->tee, t->snp, t->microcode);
	if (vlek)
		return; /* a VLEK is not chip-specific: it has no hwID, chip_id is zero */
	ASN1_OCTET_STRING *hw = ext_data(vek, "1.3.6.1.4.1.3704.1.4");
	const uint8_t *p = hw ? ASN1_STRING_get0_data(hw) : NULL;
	int n = hw ? ASN1_STRING_length(hw) : 0;
	if (n == 66 && p[0] == 0x04 && p[1] == 64) { /* DER OCTET STRING wrapped */
		p += 2;
		n = 64;
	}
	if (n != 64)
		tee_fail(res, "vcek_chip_id", "the VCEK certificate has no readable hwID");
	else if (memcmp(p, r->chip_id, 64) != 0)
		tee_fail(res, "vcek_chip_id", "the VCEK certificate is for another chip (hwID != chip_id)");
}

ss_err tee_snp_verify(const tee_snp_report *r, const tee_blob *certs, size_t n_certs,
		      const tee_policy *policy, tee_result *res)
{
	memset(res, 0, sizeof(*res));
	res->valid = true;
	res->kind = TEE_KIND_SNP;
	res->tcb_status = res->platform_tcb_status = res->qe_tcb_status = TEE_TCB_UNKNOWN;
	char why[256];

	STACK_OF(X509) *pool = sk_X509_new_null();
	if (pool == NULL)
		return SS_ERR_NOMEM;
	for (size_t i = 0; i < n_certs; i++) {
		STACK_OF(X509) *sk = tee_x509_load(certs[i].data, certs[i].len);
		if (sk == NULL) {
			tee_fail(res, "certificates", "certificate file %zu holds no certificate", i + 1);
			continue;
		}
		X509 *x;
		while ((x = sk_X509_shift(sk)) != NULL)
			if (sk_X509_push(pool, x) <= 0)
				X509_free(x);
		sk_X509_free(sk);
	}

	/* SNP ABI Table 22 SIGNER_INFO bits 4:2: which key signed the report. */
	unsigned signing_key = (r->signer_info >> 2) & 7;
	bool vlek = signing_key == TEE_SNP_SIGNER_VLEK;
	X509 *vek = NULL;
	if (signing_key > TEE_SNP_SIGNER_VLEK) {
		tee_fail(res, "signing_key", "the report is signed by neither a VCEK nor a VLEK");
	} else {
		for (int i = 0; i < sk_X509_num(pool) && vek == NULL; i++)
			if (tee_x509_cn_is(sk_X509_value(pool, i), vlek ? "SEV-VLEK" : "SEV-VCEK"))
				vek = sk_X509_value(pool, i);
		if (vek == NULL)
			tee_fail(res, "vek_chain", "no %s certificate given (--certs)",
				 vlek ? "VLEK" : "VCEK");
	}
	if (vek != NULL) {
		if (!tee_x509_chain_verify(vek, pool, TEE_ROOT_AMD_ARK, policy->now, NULL, why,
					   sizeof(why)))
			tee_fail(res, "vek_chain", "%s", why);
		EVP_PKEY *k = X509_get0_pubkey(vek);
		uint8_t rb[48], sb[48];
		/* r and s are stored little-endian (SNP ABI Table 134); OpenSSL wants
		 * big-endian. */
		for (int i = 0; i < 48; i++) {
			rb[i] = r->sig_r[47 - i];
			sb[i] = r->sig_s[47 - i];
		}
		if (k == NULL || !EVP_PKEY_is_a(k, "EC") || EVP_PKEY_get_bits(k) != 384)
			tee_fail(res, "report_signature", "the VEK key is not an ECDSA P-384 key");
		else if (!tee_ecdsa_verify_raw(k, EVP_sha384(), r->raw, TEE_SNP_SIGNED_BYTES, rb, sb,
					       48))
			tee_fail(res, "report_signature", "the report is not signed by the %s",
				 vlek ? "VLEK" : "VCEK");
		check_vcek_tcb(vek, r, vlek, res);
	}
	tee_policy_apply_snp(policy, r, res);
	sk_X509_pop_free(pool, X509_free);
	return SS_OK;
}
