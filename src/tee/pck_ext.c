/* The SGX extension of a PCK certificate (Intel "SGX PCK Certificate and Certificate
 * Revocation List Profile Specification" §1.3.5): OID 1.2.840.113741.1.13.1, a SEQUENCE
 * of SEQUENCE { OID, value }. Under it .2 (TCB) holds .2.1–.2.16 (the SGX TCB component
 * SVNs, INTEGER), .2.17 (PCESVN, INTEGER) and .2.18 (CPUSVN, OCTET STRING 16); .3 is the
 * PCEID (OCTET STRING 2), .4 the FMSPC (OCTET STRING 6). These select the TCB Info and
 * its level (reference/tee.md §e step 6). A small bounded DER walker: the extension is
 * certificate content, verified by the chain before this runs, but parsed defensively. */
#include <openssl/x509v3.h>
#include <string.h>

#include "tee/tee_internal.h"

/* 1.2.840.113741.1.13.1 */
static const uint8_t SGX_OID[] = { 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01 };

/* Reads one DER TLV from [*p, end): tag, content pointer and length. */
static bool der_next(const uint8_t **p, const uint8_t *end, uint8_t *tag,
		     const uint8_t **val, size_t *len)
{
	const uint8_t *q = *p;
	if (end - q < 2)
		return false;
	*tag = *q++;
	size_t l = *q++;
	if (l & 0x80) {
		size_t nb = l & 0x7f;
		if (nb == 0 || nb > 3 || (size_t)(end - q) < nb)
			return false;
		l = 0;
		while (nb--)
			l = (l << 8) | *q++;
	}
	if ((size_t)(end - q) < l)
		return false;
	*val = q;
	*len = l;
	*p = q + l;
	return true;
}

/* A small non-negative INTEGER (SVNs are 0..65535). */
static bool der_small_int(const uint8_t *v, size_t len, uint32_t max, uint32_t *out)
{
	if (len == 0 || len > 3 || (v[0] & 0x80))
		return false;
	uint32_t x = 0;
	for (size_t i = 0; i < len; i++)
		x = (x << 8) | v[i];
	if (x > max)
		return false;
	*out = x;
	return true;
}

/* Is oid (content bytes) SGX_OID followed by exactly the arcs in tail? */
static bool oid_is(const uint8_t *oid, size_t len, const uint8_t *tail, size_t tail_len)
{
	return len == sizeof(SGX_OID) + tail_len && memcmp(oid, SGX_OID, sizeof(SGX_OID)) == 0 &&
	       memcmp(oid + sizeof(SGX_OID), tail, tail_len) == 0;
}

static bool parse_tcb(const uint8_t *p, const uint8_t *end, tee_pck_ext *out)
{
	unsigned seen = 0;
	while (p < end) {
		uint8_t tag, otag, vtag;
		const uint8_t *seq, *oid, *val;
		size_t seql, oidl, vall;
		if (!der_next(&p, end, &tag, &seq, &seql) || tag != 0x30)
			return false;
		const uint8_t *q = seq, *qe = seq + seql;
		if (!der_next(&q, qe, &otag, &oid, &oidl) || otag != 0x06 ||
		    !der_next(&q, qe, &vtag, &val, &vall))
			return false;
		for (uint8_t i = 1; i <= 16; i++) {
			const uint8_t tail[] = { 0x02, i };
			uint32_t v;
			if (oid_is(oid, oidl, tail, 2)) {
				if (vtag != 0x02 || !der_small_int(val, vall, 255, &v))
					return false;
				out->comp_svn[i - 1] = (uint8_t)v;
				seen |= 1u << (i - 1);
			}
		}
		const uint8_t pcesvn[] = { 0x02, 17 }, cpusvn[] = { 0x02, 18 };
		if (oid_is(oid, oidl, pcesvn, 2)) {
			uint32_t v;
			if (vtag != 0x02 || !der_small_int(val, vall, 65535, &v))
				return false;
			out->pcesvn = (uint16_t)v;
			seen |= 1u << 16;
		} else if (oid_is(oid, oidl, cpusvn, 2)) {
			if (vtag != 0x04 || vall != 16)
				return false;
			memcpy(out->cpusvn, val, 16);
		}
	}
	return seen == 0x1ffff;
}

bool tee_pck_ext_parse(X509 *pck, tee_pck_ext *out)
{
	memset(out, 0, sizeof(*out));
	ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
	if (obj == NULL)
		return false;
	int idx = X509_get_ext_by_OBJ(pck, obj, -1);
	ASN1_OBJECT_free(obj);
	if (idx < 0)
		return false;
	X509_EXTENSION *ext = X509_get_ext(pck, idx);
	ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(ext);
	const uint8_t *p = ASN1_STRING_get0_data(os);
	const uint8_t *end = p + ASN1_STRING_length(os);
	uint8_t tag;
	const uint8_t *top;
	size_t topl;
	if (!der_next(&p, end, &tag, &top, &topl) || tag != 0x30 || p != end)
		return false;
	p = top;
	end = top + topl;
	while (p < end) {
		uint8_t stag, otag, vtag;
		const uint8_t *seq, *oid, *val;
		size_t seql, oidl, vall;
		if (!der_next(&p, end, &stag, &seq, &seql) || stag != 0x30)
			return false;
		const uint8_t *q = seq, *qe = seq + seql;
		if (!der_next(&q, qe, &otag, &oid, &oidl) || otag != 0x06 ||
		    !der_next(&q, qe, &vtag, &val, &vall))
			return false;
		const uint8_t t_tcb[] = { 0x02 }, t_pceid[] = { 0x03 }, t_fmspc[] = { 0x04 };
		if (oid_is(oid, oidl, t_tcb, 1)) {
			if (vtag != 0x30 || !parse_tcb(val, val + vall, out))
				return false;
			out->have_tcb = true;
		} else if (oid_is(oid, oidl, t_pceid, 1)) {
			if (vtag != 0x04 || vall != 2)
				return false;
			memcpy(out->pceid, val, 2);
			out->have_pceid = true;
		} else if (oid_is(oid, oidl, t_fmspc, 1)) {
			if (vtag != 0x04 || vall != 6)
				return false;
			memcpy(out->fmspc, val, 6);
			out->have_fmspc = true;
		}
	}
	return out->have_tcb && out->have_fmspc && out->have_pceid;
}
