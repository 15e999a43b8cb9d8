/* Helpers of the TEE end-to-end tests (tee_run_util.h). */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../server/http_client.h"
#include "sign_bodies.h"
#include "tee_run_util.h"
#include "test.h"
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
