/* Administration while the signer runs (issue 15 item 5): `keys list` (table and
 * --format json), `slashing export` and `slashing watermark get` read the data
 * directory beside the real running signer, without its lock; the writers (keys
 * import, generate, delete; slashing import, prune, watermark set) still refuse. The
 * export taken while the signer runs equals the one taken offline after it stopped, and
 * holds what the signer recorded for the requests this test sent. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../server/http_client.h"
#include "keys/keys.h"
#include "keys/keys_aux.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"

static char out_buf[1 << 17];

/* Runs the binary; stdout, "--stderr--", stderr in out_buf; the exit status. */
#define run(...) sp_run_shell(out_buf, sizeof out_buf, __VA_ARGS__)

/* out_buf up to the stderr marker, as a JSON value (NULL when it is not JSON). */
static json_t *stdout_json(void)
{
	char *m = strstr(out_buf, "--stderr--");
	size_t n = m ? (size_t)(m - out_buf) : strlen(out_buf);
	return json_loadb(out_buf, n, 0, NULL);
}

static int post(uint16_t port, const char *pk, const char *body)
{
	char path[200];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk);
	hc_response r;
	int st = hc_request(port, "POST", path, NULL, body, strlen(body), &r);
	hc_free(&r);
	return st;
}

/* The signed_blocks slots and signed_attestations (source, target) of pk in an EIP-3076
 * interchange, as a string "b:<slot>,...;a:<s>-<t>,..." to compare. */
static void history_of(json_t *ic, const char *pk, char *out, size_t cap)
{
	out[0] = '\0';
	json_t *data = json_object_get(ic, "data"), *v;
	size_t i;
	json_array_foreach(data, i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "pubkey")), pk) != 0)
			continue;
		size_t n = strlen(out), j;
		json_t *e;
		n += (size_t)snprintf(out + n, cap - n, "b:");
		json_array_foreach(json_object_get(v, "signed_blocks"), j, e)
			n += (size_t)snprintf(out + n, cap - n, "%s,",
					      json_string_value(json_object_get(e, "slot")));
		n += (size_t)snprintf(out + n, cap - n, ";a:");
		json_array_foreach(json_object_get(v, "signed_attestations"), j, e)
			n += (size_t)snprintf(out + n, cap - n, "%s-%s,",
					      json_string_value(json_object_get(e, "source_epoch")),
					      json_string_value(json_object_get(e, "target_epoch")));
	}
}

TEST(readers_work_and_writers_refuse_while_running)
{
	signer_proc p;
	CHECK(sp_init(&p));
	/* two sealed keys and one from a key file; a high watermark set offline */
	CHECK(run("keys generate --count 2 --data-dir %s", p.data_dir) == 0);
	char pk[100], pk2[100];
	CHECK(sscanf(out_buf, "%98s %98s", pk, pk2) == 2);
	CHECK(sp_add_raw_key(&p, "raw",
			     "0x3d7f2a1c0b9e8d7c6b5a49382716050403020100f0e0d0c0b0a0908070605040"));
	CHECK(run("slashing watermark set --epoch 900000 --slot 28800000 --data-dir %s",
		  p.data_dir) == 0);
	/* a Commit-Boost proxy key of module "mod-a", sealed offline (keys_aux.h) */
	char proxy_hex[80];
	{
		keys_kek_provider kek;
		keys_store *ks = NULL;
		keys_error kerr = { "" };
		keys_aux_info info;
		CHECK(keys_kek_file(&kek, NULL) == SS_OK);
		CHECK_MSG(keys_store_open(&ks, p.data_dir, &kek, NULL, &kerr) == SS_OK, "%s", kerr.msg);
		CHECK(ks && keys_aux_generate(ks, KEYS_AUX_PROXY_ECDSA, "mod-a", NULL, &info, &kerr) ==
				    SS_OK);
		for (size_t i = 0; i < info.pub_len; i++)
			snprintf(proxy_hex + 2 * i, 3, "%02x", info.pub[i]);
		keys_store_close(ks);
	}
	CHECK(sp_start(&p, NULL));

	/* the signer records a block and two attestations */
	char body[8192];
	sb_block(body, sizeof body, 4000, 1);
	CHECK(post(p.port, pk, body) == 200);
	sb_attestation(body, sizeof body, 100, 101, 1);
	CHECK(post(p.port, pk, body) == 200);
	sb_attestation(body, sizeof body, 101, 102, 2);
	CHECK(post(p.port, pk, body) == 200);

	/* keys list, both formats, while it runs */
	CHECK_MSG(run("keys list --data-dir %s", p.data_dir) == 0, "%s", out_buf);
	CHECK(strstr(out_buf, pk) && strstr(out_buf, pk2) && strstr(out_buf, "key-config"));
	CHECK(run("keys list --format json --data-dir %s", p.data_dir) == 0);
	json_t *list = stdout_json();
	CHECK_MSG(json_is_array(list) && json_array_size(list) == 3, "%s", out_buf);
	size_t i, generated = 0;
	json_t *v;
	const char *prev = "";
	json_array_foreach(list, i, v)
	{
		const char *o = json_string_value(json_object_get(v, "origin"));
		generated += o && strcmp(o, "generated") == 0;
		CHECK(json_is_boolean(json_object_get(v, "readonly")));
		CHECK(json_string_length(json_object_get(v, "pubkey")) == 98);
		/* sorted by pubkey (lowercase hex sorts as the bytes do) */
		const char *cur = json_string_value(json_object_get(v, "pubkey"));
		CHECK_MSG(cur && strcmp(prev, cur) < 0, "%s after %s", cur ? cur : "?", prev);
		prev = cur ? cur : prev;
	}
	CHECK(generated == 2);
	json_decref(list);
	CHECK(run("keys list --format yaml --data-dir %s", p.data_dir) == 2);

	/* slashing export and watermark get, while it runs */
	CHECK_MSG(run("slashing export --to - --data-dir %s", p.data_dir) == 0, "%s", out_buf);
	json_t *live = stdout_json();
	CHECK(live != NULL);
	char hist[512];
	history_of(live, pk, hist, sizeof hist);
	CHECK_MSG(strcmp(hist, "b:4000,;a:100-101,101-102,") == 0, "%s", hist);
	CHECK(run("slashing watermark get --data-dir %s", p.data_dir) == 0);
	CHECK_MSG(strstr(out_buf, "high watermark: epoch 900000, slot 28800000") != NULL, "%s", out_buf);
	hc_response r;
	CHECK(hc_request(p.port, "GET", "/api/v1/eth2/highWatermark", NULL, NULL, 0, &r) == 200);
	CHECK(strstr(r.body, "900000") && strstr(r.body, "28800000"));
	hc_free(&r);

	/* keys proxy list reads the sealed store beside the signer too */
	CHECK_MSG(run("keys proxy list --data-dir %s", p.data_dir) == 0 && strstr(out_buf, "mod-a") &&
			  strstr(out_buf, proxy_hex),
		  "%s", out_buf);

	/* the writers refuse, naming the running signer, and change nothing */
	char del[200];
	snprintf(del, sizeof del, "keys delete %s", pk2);
	char pdel[200];
	snprintf(pdel, sizeof pdel, "keys proxy delete %s", proxy_hex);
	const char *const writers[] = {
		"keys generate --count 1", del, pdel, "slashing prune",
		"slashing watermark set --epoch 1 --slot 32", "slashing watermark clear",
	};
	for (size_t w = 0; w < sizeof writers / sizeof writers[0]; w++) {
		const char *cmd = writers[w];
		CHECK_MSG(run("%s --data-dir %s", cmd, p.data_dir) == 1 && strstr(out_buf, "in use"),
			  "%s: %s", cmd, out_buf);
	}
	char ic_path[400];
	snprintf(ic_path, sizeof ic_path, "%s/ic.json", p.dir);
	FILE *f = fopen(ic_path, "w");
	CHECK(f && json_dumpf(live, f, 0) == 0 && fclose(f) == 0);
	CHECK(run("slashing import --from %s --data-dir %s", ic_path, p.data_dir) == 1);
	CHECK(strstr(out_buf, "in use") != NULL);
	CHECK(run("keys import --keystore %s --password-file %s --data-dir %s", ic_path, ic_path,
		  p.data_dir) == 1);
	CHECK(strstr(out_buf, "in use") != NULL);

	/* the signer signed on throughout, and still does */
	sb_attestation(body, sizeof body, 102, 103, 3);
	CHECK(post(p.port, pk, body) == 200);
	CHECK(sp_stop(&p) == 0);

	/* offline, after the stop: the same history plus the last attestation, and the
	 * same for every other key */
	CHECK(run("slashing export --to - --data-dir %s", p.data_dir) == 0);
	json_t *offline = stdout_json();
	CHECK(offline != NULL);
	history_of(offline, pk, hist, sizeof hist);
	CHECK_MSG(strcmp(hist, "b:4000,;a:100-101,101-102,102-103,") == 0, "%s", hist);
	json_t *d1 = json_object_get(live, "data"), *d2 = json_object_get(offline, "data");
	CHECK(json_array_size(d1) == json_array_size(d2));
	json_array_foreach(d1, i, v)
	{
		const char *k = json_string_value(json_object_get(v, "pubkey"));
		if (strcmp(k, pk) != 0) {
			json_t *u;
			size_t j;
			bool same = false;
			json_array_foreach(d2, j, u) same = same || json_equal(u, v);
			CHECK_MSG(same, "history of %s differs", k);
		}
	}
	CHECK(json_equal(json_object_get(live, "metadata"), json_object_get(offline, "metadata")));
	json_decref(live);
	json_decref(offline);
	sp_cleanup(&p);
}

/* A reader on a data directory that does not exist takes the ordinary path, which
 * reports it. */
TEST(readers_on_a_missing_directory_fail_cleanly)
{
	CHECK(run("keys list --data-dir /nonexistent/ss-admin") == 1);
	CHECK_MSG(strstr(out_buf, "cannot use the data directory") != NULL, "%s", out_buf);
	CHECK(run("slashing export --to - --data-dir /nonexistent/ss-admin") == 1);
	CHECK_MSG(strstr(out_buf, "cannot use the data directory") != NULL, "%s", out_buf);
}
