/* Helpers of the TEE end-to-end tests (tee_run_util.h). */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "sign_bodies.h"
#include "tee/tee.h"
#include "tee_run_util.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

#define BODY(r) ((r).body ? (r).body : "")

char *web3signer_keystore(void)
{
	char kp[512];
	vectors_path(kp, sizeof kp, "eip2335-keystore/web3signer/valid/bls_keystore.json");
	char *ks = test_read_file(kp, NULL);
	CHECK_MSG(ks != NULL, "cannot read %s", kp);
	return ks;
}

/* POST body to pk's signing route; the HTTP status. */
static int post_sign(const signer_proc *p, const char *pk, const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk);
	hc_response r;
	int st = hc_request(p->port, "POST", path, "Accept: application/json\r\n", body,
			    strlen(body), &r);
	hc_free(&r);
	return st;
}

int sign_slot(const signer_proc *p, const char *pk, unsigned long slot)
{
	char body[1024];
	sb_aggregation_slot(body, sizeof body, slot);
	return post_sign(p, pk, body);
}

int sign_att(const signer_proc *p, const char *pk, unsigned long s, unsigned long t,
	     unsigned root)
{
	char body[2048];
	sb_attestation(body, sizeof body, s, t, root);
	return post_sign(p, pk, body);
}

/* POST /eth/v1/keystores with one keystore; the first item's status into st. */
int km_import(const signer_proc *p, const char *ks, const char *pw, char *st, size_t cap)
{
	json_t *req = json_pack("{s:[s],s:[s]}", "keystores", ks, "passwords", pw);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	char auth[160];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", p->token);
	hc_response r;
	int code = hc_request(p->port, "POST", "/eth/v1/keystores", auth, body, strlen(body), &r);
	free(body);
	json_t *o = json_loads(BODY(r), 0, NULL);
	const char *s = json_string_value(json_object_get(json_array_get(json_object_get(o, "data"), 0),
							  "status"));
	snprintf(st, cap, "%s", s ? s : BODY(r));
	json_decref(o);
	hc_free(&r);
	return code;
}


static void snap_add(snap *s, const void *d, size_t n)
{
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2 + 4096;
		s->b = realloc(s->b, s->cap);
	}
	memcpy(s->b + s->n, d, n);
	s->n += n;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

void snapshot(const char *dir, snap *s)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, cmp_names);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char p[1024];
		snprintf(p, sizeof p, "%s/%s", dir, name);
		struct stat st;
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
		    strcmp(name, "secure-signer.ports") != 0 && strstr(name, "lock") == NULL &&
		    lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				snapshot(p, s);
			} else {
				size_t len = 0;
				char *data = test_read_file(p, &len);
				char hdr[1100];
				int hl = snprintf(hdr, sizeof hdr, "%s\n%zu\n", p, len);
				snap_add(s, hdr, (size_t)hl);
				if (data)
					snap_add(s, data, len);
				free(data);
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

bool snap_equal(const snap *a, const snap *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->b, b->b, a->n) == 0);
}

bool log_has(const signer_proc *p, const char *text)
{
	char path[400];
	snprintf(path, sizeof path, "%s/signer.log", p->dir);
	char *log = test_read_file(path, NULL);
	bool found = log && strstr(log, text) != NULL;
	free(log);
	return found;
}

long km_count(const signer_proc *p)
{
	char auth[160];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", p->token);
	hc_response r;
	int code = hc_request(p->port, "GET", "/eth/v1/keystores", auth, NULL, 0, &r);
	json_t *o = code == 200 ? json_loads(BODY(r), 0, NULL) : NULL;
	long n = o ? (long)json_array_size(json_object_get(o, "data")) : -1;
	json_decref(o);
	hc_free(&r);
	return n;
}

void check_health_tee(const signer_proc *p, const char *platform, const char *provider,
		      const char *measurement_hex, bool can_seal)
{
	hc_response r;
	CHECK_EQ_U64(hc_request(p->port, "GET", "/healthcheck", NULL, NULL, 0, &r), 200);
	json_t *h = json_loads(BODY(r), 0, NULL);
	json_t *tee = json_object_get(h, "tee");
	const char *plat = json_string_value(json_object_get(tee, "platform"));
	const char *prov = json_string_value(json_object_get(tee, "provider"));
	const char *meas = json_string_value(json_object_get(tee, "measurement"));
	CHECK_MSG(plat && strcmp(plat, platform) == 0, "%s", BODY(r));
	CHECK_MSG(prov && strcmp(prov, provider) == 0, "%s", BODY(r));
	CHECK_MSG(meas && strcmp(meas, measurement_hex) == 0, "measurement %s, want %s",
		  meas ? meas : "-", measurement_hex);
	CHECK(json_is_false(json_object_get(tee, "simulated")));
	CHECK(json_is_true(json_object_get(tee, "can_attest")));
	CHECK_MSG(json_is_boolean(json_object_get(tee, "can_seal")) &&
			  json_is_true(json_object_get(tee, "can_seal")) == can_seal,
		  "%s", BODY(r));
	json_decref(h);
	hc_free(&r);
}

/* The report data and measurement of evidence of the given type; false when it does not
 * parse as that type. */
static bool evidence_fields(const char *type, const uint8_t *ev, size_t len, uint8_t rd[64],
			    uint8_t meas[48], size_t *meas_len)
{
	const char *perr = NULL;
	bool ok = false;
	if (strcmp(type, "sev-snp-report") == 0) {
		tee_snp_report r;
		ok = tee_snp_parse(ev, len, &r, &perr) == SS_OK;
		if (ok) {
			memcpy(rd, r.report_data, 64);
			memcpy(meas, r.measurement, 48);
			*meas_len = 48;
		}
	} else {
		tee_dcap_quote *q = calloc(1, sizeof(*q));
		ok = q && tee_dcap_parse(ev, len, q, &perr) == SS_OK;
		if (ok && strcmp(type, "tdx-quote") == 0) {
			ok = q->tee_type == TEE_TYPE_TDX;
			memcpy(rd, q->td.report_data, 64);
			memcpy(meas, q->td.mr_td, 48);
			*meas_len = 48;
		} else if (ok) {
			ok = q->tee_type == TEE_TYPE_SGX;
			memcpy(rd, q->sgx.report_data, 64);
			memcpy(meas, q->sgx.mr_enclave, 32);
			*meas_len = 32;
		}
		free(q);
	}
	CHECK_MSG(ok, "the %s does not parse: %s", type, perr ? perr : "wrong TEE type");
	return ok;
}

void keygen_checks(const signer_proc *p, const char *type, char pks[2][99], char meas_hex[97],
		   bool *has_certs)
{
	meas_hex[0] = '\0';
	pks[0][0] = pks[1][0] = '\0';
	uint8_t nonce[TEE_KEYGEN_NONCE_BYTES];
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)(0xC0 + i);
	char nonce_hex[2 * sizeof nonce + 3], body[200], auth[160];
	hex_encode(nonce_hex, nonce, sizeof nonce, true);
	snprintf(body, sizeof body, "{\"count\": 2, \"nonce\": \"%s\"}", nonce_hex);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
		 p->token);
	hc_response r;
	int code = hc_request(p->port, "POST", "/eth/v1/keygen/bls", auth, body, strlen(body), &r);
	CHECK_MSG(code == 200, "keygen: %d %s", code, BODY(r));
	json_t *o = json_loads(BODY(r), 0, NULL);
	json_t *ev = json_object_get(o, "evidence"), *data = json_object_get(o, "data");
	const char *got_type = json_string_value(json_object_get(ev, "type"));
	CHECK_MSG(got_type && strcmp(got_type, type) == 0, "type %s, want %s",
		  got_type ? got_type : "(none)", type);
	if (has_certs)
		*has_certs = json_is_string(json_object_get(ev, "certs"));
	CHECK_EQ_U64(json_array_size(data), 2);
	uint8_t pub[2][TEE_BLS_PUBKEY_BYTES];
	memset(pub, 0, sizeof pub);
	for (size_t i = 0; i < 2; i++) {
		const char *pk = json_string_value(json_object_get(json_array_get(data, i), "pubkey"));
		CHECK(pk && hex_decode(pub[i], sizeof pub[i], pk, strlen(pk), HEX_PREFIX_REQUIRED) ==
				    SS_OK);
		snprintf(pks[i], 99, "%s", pk ? pk : "");
	}
	/* the answer as a verifier reads it (evidence_object.c): its keys and nonce, and
	 * the quote's report data checked as their binding */
	tee_evidence_object *eo = calloc(1, sizeof *eo);
	const char *why = NULL;
	bool parsed = eo && tee_evidence_object_parse(BODY(r), strlen(BODY(r)), eo, &why) == SS_OK;
	CHECK_MSG(parsed, "the keygen answer is not an evidence object: %s", why ? why : "");
	uint8_t rd[64], meas[48];
	size_t meas_len = 0;
	if (parsed) {
		CHECK_EQ_U64(eo->n_pubkeys, 2);
		CHECK_MEM(eo->pubkeys, pub, sizeof pub);
		CHECK_MEM(eo->nonce, nonce, sizeof nonce);
		if (evidence_fields(type, eo->quote, eo->quote_len, rd, meas, &meas_len)) {
			tee_result res;
			memset(&res, 0, sizeof res);
			tee_check_key_binding(eo, rd, &res);
			CHECK_MSG(res.n_failures == 0, "the report data is not the keys' binding");
			hex_encode(meas_hex, meas, meas_len, false);
		}
		tee_evidence_object_free(eo);
	}
	free(eo);
	json_decref(o);
	hc_free(&r);
}

void keygen_hostile_host_keeps_nothing(const signer_proc *p, const char *marker)
{
	char auth[160];
	CHECK(test_write_text(marker, ""));
	long before = km_count(p);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
		 p->token);
	static const char body[] = "{\"count\": 3}";
	hc_response r;
	int code = hc_request(p->port, "POST", "/eth/v1/keygen/bls", auth, body, strlen(body), &r);
	CHECK_MSG(code == 500 && strstr(BODY(r), "no key was kept") && !strstr(BODY(r), "quote"),
		  "keygen under a hostile host: %d %s", code, BODY(r));
	hc_free(&r);
	CHECK_MSG(before > 0 && km_count(p) == before, "keys before %ld, after %ld", before,
		  km_count(p));
	unlink(marker);
}

void check_refused_restart(signer_proc *p, const char *const *flags, const char *preload,
			   const char *meas_old, const char *meas_new)
{
	snap before = { 0 }, after = { 0 };
	snapshot(p->data_dir, &before);
	if (preload ? sp_start_preloaded(p, flags, preload) : sp_start(p, flags)) {
		CHECK_MSG(0, "a signer as another TEE measurement started");
		sp_stop(p);
	}
	char m[160];
	snprintf(m, sizeof m, "measurement %s", meas_old);
	CHECK_MSG(log_has(p, m), "the log does not name %s", m);
	snprintf(m, sizeof m, "measurement %s", meas_new);
	CHECK_MSG(log_has(p, m), "the log does not name %s", m);
	CHECK(log_has(p, "no key loaded or changed"));
	snapshot(p->data_dir, &after);
	CHECK_MSG(snap_equal(&before, &after),
		  "the data directory changed under a refused start (%zu vs %zu bytes)", before.n,
		  after.n);
	free(before.b);
	free(after.b);
}

void tee_first_run(signer_proc *p, const tee_run_expect *e, const char *ks, char gen[2][99])
{
	char st[512];
	CHECK_EQ_U64(km_import(p, ks, "somepassword", st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "import: %s", st);
	CHECK_EQ_U64(sign_slot(p, WEB3SIGNER_KEYSTORE_PK, 100), 200);
	check_health_tee(p, e->platform, e->provider, e->measurement, e->can_seal);
	char m[97];
	keygen_checks(p, e->evidence_type, gen, m, e->has_certs);
	CHECK_MSG(strcmp(m, e->measurement) == 0, "keygen evidence measurement %s, want %s", m,
		  e->measurement);
	keygen_hostile_host_keeps_nothing(p, e->hostile_marker);
	CHECK_EQ_U64(sign_slot(p, gen[0], 100), 200);
	CHECK_EQ_U64(sign_slot(p, gen[1], 100), 200);
	CHECK_EQ_U64(sp_stop(p), 0);
}

void check_seal_record(const signer_proc *p, const tee_run_expect *e)
{
	char path[400], platform[64], provider[64];
	snprintf(path, sizeof path, "%s/keys/tee-seal", p->data_dir);
	snprintf(platform, sizeof platform, "platform=%s", e->platform);
	snprintf(provider, sizeof provider, "provider=%s", e->provider);
	char *rec = test_read_file(path, NULL);
	CHECK_MSG(rec && strstr(rec, platform) && strstr(rec, provider) &&
			  strstr(rec, e->measurement),
		  "seal record: %s", rec ? rec : "(none)");
	free(rec);
}
