/* SEV-SNP attestation report parser (AMD SEV-SNP ABI, Table 22 "ATTESTATION_REPORT
 * structure"; go-sev-guest abi/abi.go ReportToProto; reference/tee.md §d). 0x4A0 bytes,
 * little-endian; versions 2 and 3 (3 adds CPUID family/model/stepping in reserved
 * bytes). Also the hex-text decoding shared by every evidence kind. */
#include <ctype.h>
#include <string.h>

#include "tee/tee_internal.h"
#include "util/hex.h"

static void tcb_parse(const uint8_t *p, tee_snp_tcb *t)
{
	/* TCB_VERSION (SNP ABI Table 3, Milan/Genoa): byte 0 boot loader, 1 TEE, 6 SNP,
	 * 7 microcode; bytes 2..5 reserved. */
	t->raw = tee_le64(p);
	t->bootloader = p[0];
	t->tee = p[1];
	t->snp = p[6];
	t->microcode = p[7];
}

ss_err tee_snp_parse(const uint8_t *buf, size_t len, tee_snp_report *r, const char **why)
{
	memset(r, 0, sizeof(*r));
	*why = NULL;
	if (buf == NULL || len < TEE_SNP_REPORT_BYTES) {
		*why = "SNP report shorter than 1184 bytes";
		return SS_ERR_INVALID;
	}
	for (size_t i = TEE_SNP_REPORT_BYTES; i < len; i++)
		if (buf[i] != 0) {
			*why = "unexpected non-zero bytes after the SNP report";
			return SS_ERR_INVALID;
		}
	const uint8_t *p = buf;
	r->version = tee_le32(p + 0x00);
	if (r->version != 2 && r->version != 3) {
		*why = "unsupported SNP report version (2 and 3 are known)";
		return SS_ERR_UNSUPPORTED;
	}
	r->guest_svn = tee_le32(p + 0x04);
	r->policy = tee_le64(p + 0x08);
	memcpy(r->family_id, p + 0x10, 16);
	memcpy(r->image_id, p + 0x20, 16);
	r->vmpl = tee_le32(p + 0x30);
	r->signature_algo = tee_le32(p + 0x34);
	if (r->signature_algo != 1) {
		*why = "unsupported SNP signature algorithm (1 = ECDSA P-384 with SHA-384)";
		return SS_ERR_UNSUPPORTED;
	}
	tcb_parse(p + 0x38, &r->current_tcb);
	r->platform_info = tee_le64(p + 0x40);
	r->signer_info = tee_le32(p + 0x48);
	memcpy(r->report_data, p + 0x50, 64);
	memcpy(r->measurement, p + 0x90, 48);
	memcpy(r->host_data, p + 0xC0, 32);
	memcpy(r->id_key_digest, p + 0xE0, 48);
	memcpy(r->author_key_digest, p + 0x110, 48);
	memcpy(r->report_id, p + 0x140, 32);
	memcpy(r->report_id_ma, p + 0x160, 32);
	tcb_parse(p + 0x180, &r->reported_tcb);
	memcpy(r->chip_id, p + 0x1A0, 64);
	tcb_parse(p + 0x1E0, &r->committed_tcb);
	tcb_parse(p + 0x1F0, &r->launch_tcb);
	memcpy(r->sig_r, p + 0x2A0, 72);
	memcpy(r->sig_s, p + 0x2E8, 72);
	/* r and s are P-384 scalars: 48 significant bytes, the rest of each 72-byte field
	 * and of the signature block (to 0x4A0) is zero (SNP ABI Table 134). */
	for (size_t i = 48; i < 72; i++)
		if (r->sig_r[i] != 0 || r->sig_s[i] != 0) {
			*why = "SNP signature r or s wider than 48 bytes";
			return SS_ERR_INVALID;
		}
	r->raw = buf;
	return SS_OK;
}

ss_err tee_evidence_unhex(uint8_t *buf, size_t *len, const char **why)
{
	size_t n = *len, a = 0;
	*why = NULL;
	while (a < n && isspace(buf[a]))
		a++;
	while (n > a && isspace(buf[n - 1]))
		n--;
	if (n - a >= 2 && buf[a] == '0' && (buf[a + 1] == 'x' || buf[a + 1] == 'X'))
		a += 2;
	/* Binary evidence starts with a little-endian version (02/03/04/05 00): only text
	 * made entirely of hex digits is taken for hex. */
	if (n == a)
		return SS_OK;
	for (size_t i = a; i < n; i++)
		if (!isxdigit(buf[i]))
			return SS_OK;
	if ((n - a) % 2 != 0) {
		*why = "hex evidence has an odd number of digits";
		return SS_ERR_INVALID;
	}
	size_t out_len = 0;
	/* Decoded into a bounded copy: evidence is small (a DCAP quote is under 8 KiB,
	 * Gramine's QUOTE_MAX_SIZE; an SNP report 1184 bytes). */
	size_t digits = n - a;
	uint8_t tmp[16384];
	if (digits / 2 > sizeof(tmp)) {
		*why = "hex evidence too large";
		return SS_ERR_RANGE;
	}
	if (hex_decode_var(tmp, sizeof(tmp), &out_len, (const char *)buf + a, digits,
			   HEX_PREFIX_FORBIDDEN) != SS_OK) {
		*why = "invalid hex evidence";
		return SS_ERR_INVALID;
	}
	memcpy(buf, tmp, out_len);
	*len = out_len;
	return SS_OK;
}
