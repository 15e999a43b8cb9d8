/* DCAP quote parser: SGX v3 and v4, TDX v4 and v5 (TD 1.0 and TD 1.5 bodies).
 * Layouts: Intel SGXDataCenterAttestationPrimitives QuoteGeneration/quote_wrapper/common/
 * inc/sgx_quote_3.h, sgx_quote_4.h, sgx_quote_5.h; summarised in reference/tee.md §e.
 *
 * Every read is bounded by a length field of the quote itself (body_size,
 * signature_data_len, the certification-data sizes) and each of those by what the
 * enclosing field allows; the buffer length only has to be large enough. Real quotes
 * carry trailing padding (3065 zero bytes in go-tdx-guest's COS sample), so the file
 * size is never used as the quote's length. */
#include <string.h>

#include "tee/tee_internal.h"

/* Certification data types (sgx_quote_3.h sgx_ql_cert_key_type_t). */
#define CERT_TYPE_PCK_CHAIN 5
#define CERT_TYPE_QE_REPORT 6
#define ATT_KEY_ECDSA_P256 2

/* A bounded reader over [p, end). */
typedef struct {
	const uint8_t *p, *end;
} rd;

static bool rd_take(rd *r, size_t n, const uint8_t **out)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	*out = r->p;
	r->p += n;
	return true;
}

static bool rd_u16(rd *r, uint16_t *v)
{
	const uint8_t *p;
	if (!rd_take(r, 2, &p))
		return false;
	*v = tee_le16(p);
	return true;
}

static bool rd_u32(rd *r, uint32_t *v)
{
	const uint8_t *p;
	if (!rd_take(r, 4, &p))
		return false;
	*v = tee_le32(p);
	return true;
}

void tee_sgx_report_parse(const uint8_t *p, tee_sgx_report *r)
{
	/* sgx_report_body_t (linux-sgx sgx_report.h; reference/tee.md §e). */
	memcpy(r->cpu_svn, p + 0, 16);
	r->misc_select = tee_le32(p + 16);
	memcpy(r->isv_ext_prod_id, p + 32, 16);
	memcpy(r->attributes, p + 48, 16);
	memcpy(r->mr_enclave, p + 64, 32);
	memcpy(r->mr_signer, p + 128, 32);
	memcpy(r->config_id, p + 192, 64);
	r->isv_prod_id = tee_le16(p + 256);
	r->isv_svn = tee_le16(p + 258);
	r->config_svn = tee_le16(p + 260);
	memcpy(r->isv_family_id, p + 304, 16);
	memcpy(r->report_data, p + 320, 64);
}

static void td_report_parse(const uint8_t *p, bool td15, tee_td_report *t)
{
	/* sgx_report2_body_t / sgx_report2_body_v1_5_t (sgx_quote_4.h, sgx_quote_5.h). */
	memcpy(t->tee_tcb_svn, p + 0, 16);
	memcpy(t->mr_seam, p + 16, 48);
	memcpy(t->mrsigner_seam, p + 64, 48);
	t->seam_attributes = tee_le64(p + 112);
	t->td_attributes = tee_le64(p + 120);
	t->xfam = tee_le64(p + 128);
	memcpy(t->mr_td, p + 136, 48);
	memcpy(t->mr_config_id, p + 184, 48);
	memcpy(t->mr_owner, p + 232, 48);
	memcpy(t->mr_owner_config, p + 280, 48);
	for (int i = 0; i < 4; i++)
		memcpy(t->rtmr[i], p + 328 + 48 * i, 48);
	memcpy(t->report_data, p + 520, 64);
	t->is_td15 = td15;
	if (td15) {
		memcpy(t->tee_tcb_svn2, p + 584, 16);
		memcpy(t->mr_servicetd, p + 600, 48);
	}
}

/* The QE report certification data (v3: the tail of the signature data; v4/v5: the body
 * of certification type 6): QE report, its signature, QE auth data, then certification
 * data of type 5 (the PEM PCK chain). r is bounded by the enclosing size field. */
static ss_err parse_qe_part(rd *r, tee_dcap_quote *q, const char **why)
{
	uint16_t auth_len, cert_type;
	uint32_t cert_size;
	if (!rd_take(r, TEE_SGX_REPORT_BYTES, &q->qe_report_raw) ||
	    !rd_take(r, 64, &q->qe_report_sig)) {
		*why = "QE report truncated";
		return SS_ERR_INVALID;
	}
	tee_sgx_report_parse(q->qe_report_raw, &q->qe_report);
	if (!rd_u16(r, &auth_len) || !rd_take(r, auth_len, &q->qe_auth)) {
		*why = "QE authentication data truncated";
		return SS_ERR_INVALID;
	}
	q->qe_auth_len = auth_len;
	if (!rd_u16(r, &cert_type) || !rd_u32(r, &cert_size)) {
		*why = "certification data header truncated";
		return SS_ERR_INVALID;
	}
	if (cert_type != CERT_TYPE_PCK_CHAIN) {
		/* Types 1-4 (PPID, PCK leaf alone) need the PCK fetched from Intel: an online
		 * step this offline verifier does not take. */
		*why = "certification data is not a PCK certificate chain (type 5)";
		return SS_ERR_UNSUPPORTED;
	}
	if (!rd_take(r, cert_size, &q->pck_chain)) {
		*why = "PCK certificate chain truncated (certification data size exceeds its container)";
		return SS_ERR_INVALID;
	}
	q->pck_chain_len = cert_size;
	if (r->p != r->end) {
		*why = "unexpected bytes after the PCK certificate chain inside the signature data";
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

ss_err tee_dcap_parse(const uint8_t *buf, size_t len, tee_dcap_quote *q, const char **why)
{
	memset(q, 0, sizeof(*q));
	*why = NULL;
	if (buf == NULL || len < TEE_QUOTE_HEADER_BYTES) {
		*why = "shorter than a quote header (48 bytes)";
		return SS_ERR_INVALID;
	}
	q->raw = buf;
	q->version = tee_le16(buf);
	q->att_key_type = tee_le16(buf + 2);
	memcpy(q->qe_vendor_id, buf + 12, 16);
	if (q->version != 3 && q->version != 4 && q->version != 5) {
		*why = "unsupported quote version (3, 4 and 5 are known)";
		return SS_ERR_UNSUPPORTED;
	}
	if (q->att_key_type != ATT_KEY_ECDSA_P256) {
		*why = "unsupported attestation key type (only ECDSA-256 with P-256)";
		return SS_ERR_UNSUPPORTED;
	}
	if (q->version == 3) {
		/* v3 is SGX only; bytes 4..7 are reserved (att_key_data_0). */
		q->tee_type = TEE_TYPE_SGX;
		q->qe_svn = tee_le16(buf + 8);
		q->pce_svn = tee_le16(buf + 10);
	} else {
		q->tee_type = tee_le32(buf + 4);
		if (q->tee_type != TEE_TYPE_SGX && q->tee_type != TEE_TYPE_TDX) {
			*why = "unknown TEE type in quote header (0x0 SGX, 0x81 TDX)";
			return SS_ERR_INVALID;
		}
	}

	rd r = { buf + TEE_QUOTE_HEADER_BYTES, buf + len };
	const uint8_t *body;
	size_t body_len;
	if (q->version == 5) {
		uint16_t bt;
		uint32_t bs;
		if (!rd_u16(&r, &bt) || !rd_u32(&r, &bs)) {
			*why = "v5 body descriptor truncated";
			return SS_ERR_INVALID;
		}
		q->body_type = bt;
		size_t want = bt == 1 ? TEE_SGX_REPORT_BYTES :
			      bt == 2 ? TEE_TD10_REPORT_BYTES :
			      bt == 3 ? TEE_TD15_REPORT_BYTES : 0;
		if (want == 0) {
			*why = "unknown v5 body type (1 SGX, 2 TD 1.0, 3 TD 1.5)";
			return SS_ERR_INVALID;
		}
		if (bs != want) {
			*why = "v5 body size does not match its body type";
			return SS_ERR_INVALID;
		}
		if ((bt == 1) != (q->tee_type == TEE_TYPE_SGX)) {
			*why = "v5 body type does not match the header's TEE type";
			return SS_ERR_INVALID;
		}
		body_len = bs;
	} else {
		q->body_type = q->tee_type == TEE_TYPE_SGX ? 1 : 2;
		body_len = q->tee_type == TEE_TYPE_SGX ? TEE_SGX_REPORT_BYTES : TEE_TD10_REPORT_BYTES;
	}
	if (!rd_take(&r, body_len, &body)) {
		*why = "report body truncated";
		return SS_ERR_INVALID;
	}
	if (q->body_type == 1)
		tee_sgx_report_parse(body, &q->sgx);
	else
		td_report_parse(body, q->body_type == 3, &q->td);
	q->signed_len = (size_t)(r.p - buf);

	uint32_t sig_len;
	const uint8_t *sig_data;
	if (!rd_u32(&r, &sig_len)) {
		*why = "signature data length truncated";
		return SS_ERR_INVALID;
	}
	if (!rd_take(&r, sig_len, &sig_data)) {
		*why = "signature data truncated (signature_data_len exceeds the input)";
		return SS_ERR_INVALID;
	}
	q->quote_len = (size_t)(r.p - buf);

	rd s = { sig_data, sig_data + sig_len };
	if (!rd_take(&s, 64, &q->signature) || !rd_take(&s, 64, &q->att_key)) {
		*why = "quote signature or attestation key truncated";
		return SS_ERR_INVALID;
	}
	if (q->version == 3)
		return parse_qe_part(&s, q, why);

	/* v4/v5: one certification data of type 6 wraps the QE part. */
	uint16_t ct;
	uint32_t cs;
	const uint8_t *inner;
	if (!rd_u16(&s, &ct) || !rd_u32(&s, &cs)) {
		*why = "certification data header truncated";
		return SS_ERR_INVALID;
	}
	if (ct != CERT_TYPE_QE_REPORT) {
		*why = "v4/v5 certification data is not QE report certification data (type 6)";
		return SS_ERR_UNSUPPORTED;
	}
	if (!rd_take(&s, cs, &inner)) {
		*why = "QE report certification data truncated";
		return SS_ERR_INVALID;
	}
	if (s.p != s.end) {
		*why = "unexpected bytes after the certification data inside the signature data";
		return SS_ERR_INVALID;
	}
	rd in = { inner, inner + cs };
	return parse_qe_part(&in, q, why);
}
