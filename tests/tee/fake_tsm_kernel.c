/* configfs-tsm and /dev/sev-guest played in software (fake_tsm_kernel.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_evidence.h"
#include "fake_tsm_kernel.h"
#include "test_file.h"

fake_tsm_kernel fake_tsm = {.lock = PTHREAD_MUTEX_INITIALIZER};
fake_sev_dev fake_sev;

/* ---- configfs-tsm ------------------------------------------------------------------ */

static bool in_base(const char *path)
{
	size_t n = strlen(fake_tsm.base);
	return n > 0 && strncmp(path, fake_tsm.base, n) == 0 && path[n] == '/' && !strchr(path + n + 1, '/');
}

static void put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[1200], tmp[1210];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (test_write_file(tmp, data, len))
		rename(tmp, path); /* a reader sees the old or the new value, never half */
}

int fake_tsm_mkdir(const char *path, mode_t mode, int (*real)(const char *, mode_t))
{
	pthread_mutex_lock(&fake_tsm.lock);
	if (!in_base(path)) {
		pthread_mutex_unlock(&fake_tsm.lock);
		return real(path, mode);
	}
	if (fake_tsm.enxio) {
		pthread_mutex_unlock(&fake_tsm.lock);
		errno = ENXIO; /* configfs-tsm with no tsm_ops registered */
		return -1;
	}
	int r = real(path, mode);
	if (r == 0) {
		put_file(path, "provider", fake_tsm.provider, strlen(fake_tsm.provider));
		put_file(path, "generation", "0\n", 2);
		put_file(path, "inblob", "", 0);
		if (strcmp(fake_tsm.provider, "sev_guest") == 0)
			put_file(path, "auxblob", "", 0);
		char fifo[1200];
		snprintf(fifo, sizeof fifo, "%s/outblob", path);
		mkfifo(fifo, 0600);
		if (fake_tsm.ndirs < FAKE_TSM_MAX_DIRS)
			snprintf(fake_tsm.dirs[fake_tsm.ndirs++], sizeof fake_tsm.dirs[0], "%s", path);
		fake_tsm.made++;
	}
	pthread_mutex_unlock(&fake_tsm.lock);
	return r;
}

int fake_tsm_rmdir(const char *path, int (*real)(const char *))
{
	pthread_mutex_lock(&fake_tsm.lock);
	if (in_base(path) && fake_tsm.rmdir_errno != 0) {
		errno = fake_tsm.rmdir_errno;
		pthread_mutex_unlock(&fake_tsm.lock);
		return -1;
	}
	if (in_base(path)) {
		static const char *const files[] = {"provider", "generation", "inblob", "outblob",
						    "auxblob"};
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
			char f[1200];
			snprintf(f, sizeof f, "%s/%s", path, files[i]);
			unlink(f);
		}
		for (int i = 0; i < fake_tsm.ndirs; i++)
			if (strcmp(fake_tsm.dirs[i], path) == 0) {
				memmove(fake_tsm.dirs[i], fake_tsm.dirs[i + 1], (size_t)(fake_tsm.ndirs - i - 1) * sizeof fake_tsm.dirs[0]);
				fake_tsm.ndirs--;
				break;
			}
		fake_tsm.removed++;
	}
	pthread_mutex_unlock(&fake_tsm.lock);
	return real(path);
}

/* Serves one outblob read in dir if a reader is waiting. */
static void serve(const char *dir)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/outblob", dir);
	int fd = open(path, O_WRONLY | O_NONBLOCK);
	if (fd < 0)
		return; /* ENXIO: nobody reads yet */
	/* one outblob per inblob write: the kernel regenerates only when generation moved,
	 * and a reader still draining the last answer must not get a second one */
	uint8_t rd[64] = {0};
	snprintf(path, sizeof path, "%s/inblob", dir);
	FILE *f = fopen(path, "rb");
	size_t got = 0;
	if (f) {
		got = fread(rd, 1, 64, f);
		fclose(f);
	}
	if (got != 64) {
		/* no fresh 64-byte inblob (the kernel's EINVAL for tdx_guest): an empty answer,
		 * so that a provider that wrote too little fails instead of waiting forever
		 * (also harmless to a reader still draining its answer) */
		close(fd);
		return;
	}
	if (truncate(path, 0) != 0) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFL, 0);
	char gen[32] = "0";
	snprintf(path, sizeof path, "%s/generation", dir);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(gen, sizeof gen, f))
			gen[0] = '0';
		fclose(f);
	}
	/* the kernel bumps generation on the inblob write; one more bump is another
	 * writer's write interleaved with ours */
	unsigned long g = strtoul(gen, NULL, 10) + 1;
	if (fake_tsm.races > 0) {
		fake_tsm.races--;
		g++;
	}
	snprintf(gen, sizeof gen, "%lu\n", g);
	put_file(dir, "generation", gen, strlen(gen));
	if (fake_tsm.aux)
		put_file(dir, "auxblob", fake_tsm.aux, fake_tsm.aux_len);
	uint8_t *b = malloc(fake_tsm.blob_len);
	memcpy(b, fake_tsm.blob, fake_tsm.blob_len);
	size_t off = fake_report_data_offset(b, fake_tsm.blob_len);
	memcpy(b + off, rd, 64);
	if (fake_tsm.hostile)
		b[off] ^= 0x80;
	size_t done = 0;
	while (done < fake_tsm.blob_len) {
		ssize_t w = write(fd, b + done, fake_tsm.blob_len - done);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	free(b);
	close(fd);
	fake_tsm.served++;
}

static void *kernel_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&fake_tsm.lock);
		if (fake_tsm.stop) {
			pthread_mutex_unlock(&fake_tsm.lock);
			return NULL;
		}
		for (int i = 0; i < fake_tsm.ndirs; i++)
			serve(fake_tsm.dirs[i]);
		pthread_mutex_unlock(&fake_tsm.lock);
		usleep(200);
	}
}

void fake_tsm_start(const char *base, const char *provider, uint8_t *blob, size_t blob_len)
{
	pthread_mutex_lock(&fake_tsm.lock);
	snprintf(fake_tsm.base, sizeof fake_tsm.base, "%s", base);
	fake_tsm.provider = provider;
	free(fake_tsm.blob);
	free(fake_tsm.aux);
	fake_tsm.blob = blob;
	fake_tsm.blob_len = blob_len;
	fake_tsm.aux = NULL;
	fake_tsm.aux_len = 0;
	fake_tsm.enxio = fake_tsm.hostile = false;
	fake_tsm.races = fake_tsm.served = fake_tsm.made = fake_tsm.removed = 0;
	fake_tsm.rmdir_errno = 0;
	fake_tsm.ndirs = 0;
	fake_tsm.stop = false;
	fake_tsm.running = pthread_create(&fake_tsm.thread, NULL, kernel_main, NULL) == 0;
	pthread_mutex_unlock(&fake_tsm.lock);
}

void fake_tsm_stop(void)
{
	pthread_mutex_lock(&fake_tsm.lock);
	fake_tsm.stop = true;
	bool running = fake_tsm.running;
	fake_tsm.running = false;
	pthread_mutex_unlock(&fake_tsm.lock);
	if (running)
		pthread_join(fake_tsm.thread, NULL);
}

/* ---- /dev/sev-guest ---------------------------------------------------------------- */

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void fake_sev_from_report(const uint8_t *report)
{
	memset(&fake_sev, 0, sizeof fake_sev);
	memcpy(fake_sev.measurement, report + 0x90, 48);
	fake_sev.policy = le64(report + 0x08);
	fake_sev.vmpl = (uint32_t)le64(report + 0x30) & 0xffffffffu;
	fake_sev.guest_svn = (uint32_t)le64(report + 0x04) & 0xffffffffu;
	fake_sev.committed_tcb = le64(report + 0x1E0);
}

int fake_sev_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd < 0 || req != SEV_SNP_GET_DERIVED_KEY) {
		errno = ENOTTY;
		return -1;
	}
	sev_guest_request_ioctl *io = arg;
	const sev_derived_key_req *r = (const sev_derived_key_req *)(uintptr_t)io->req_data;
	sev_derived_key_resp *resp = (sev_derived_key_resp *)(uintptr_t)io->resp_data;
	fake_sev.calls++;
	fake_sev.last = *r;
	fake_sev.request_ok = io->msg_version == 1 && r->root_key_select == 0 && r->rsvd == 0 &&
			 r->guest_field_select == 0x3F && r->vmpl == fake_sev.vmpl &&
			 r->guest_svn == fake_sev.guest_svn;
	if (!fake_sev.request_ok) {
		io->fw_error = 0x16; /* INVALID_PARAM */
		errno = EIO;
		return -1;
	}
	for (int i = 0; i < 8; i++)
		if (((r->tcb_version >> (8 * i)) & 0xff) > ((fake_sev.committed_tcb >> (8 * i)) & 0xff)) {
			io->fw_error = 0x16;
			errno = EIO;
			return -1;
		}
	/* the firmware's derivation: VCEK secret and the selected guest fields */
	uint8_t msg[48 + 8 + 8 + 4], mac[32];
	unsigned mac_len = 32;
	memcpy(msg, fake_sev.measurement, 48);
	memcpy(msg + 48, &fake_sev.policy, 8);
	memcpy(msg + 56, &r->tcb_version, 8);
	memcpy(msg + 64, &r->guest_svn, 4);
	HMAC(EVP_sha256(), "fake vcek secret", 16, msg, sizeof msg, mac, &mac_len);
	memset(resp, 0, sizeof *resp);
	memcpy(resp->data + 32, mac, 32);
	return 0;
}
