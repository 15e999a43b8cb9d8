/* `secure-signer config check`: a configuration that would start is OK (exit 0) and
 * nothing is created; one with problems lists every one (exit 1) without starting; the
 * port and data directory of a running signer are reported in use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_proc.h"
#include "signer_proc.h"
#include "test.h"

static int check(const signer_proc *d, char *const *argv, char log[420])
{
	snprintf(log, 420, "%s/check.log", d->dir);
	proc p;
	if (!spawn(&p, d->dir, log, argv, NULL))
		return -1;
	return wait_exit(&p);
}

TEST(config_check_passes_a_good_configuration_and_creates_nothing)
{
	signer_proc d;
	if (!sp_init(&d)) {
		CHECK(0);
		return;
	}
	char dd[420], kc[420], log[420];
	snprintf(dd, sizeof dd, "--data-dir=%s/not-yet", d.dir);
	snprintf(kc, sizeof kc, "--key-config-path=%s", d.key_dir);
	char *argv[] = { "secure-signer", "config", "check", "--http-listen-port=0", dd, kc,
			 "--network=hoodi", NULL };
	CHECK_EQ_U64(check(&d, argv, log), 0);
	CHECK(count_in(log, "configuration OK") == 1);
	char nd[440];
	snprintf(nd, sizeof nd, "%s/not-yet", d.dir);
	CHECK_MSG(access(nd, F_OK) != 0, "config check created %s", nd);
	sp_cleanup(&d);
}

TEST(config_check_lists_every_problem)
{
	signer_proc d;
	if (!sp_init(&d)) {
		CHECK(0);
		return;
	}
	char log[420], kc[420];
	snprintf(kc, sizeof kc, "--key-config-path=%s/missing-dir", d.dir);
	char *argv[] = { "secure-signer", "config", "check", "--http-listen-port=0",
			 "--tls-cert-file=/nonexistent/cert.pem", "--tls-key-file=/nonexistent/key.pem",
			 "--tls-allow-any-client", kc, "--network=no-such-network",
			 "--keystores-passwords-path=/tmp", "--keystores-password-file=/etc/hostname",
			 "--http-listen-host=not-an-address", NULL };
	CHECK_EQ_U64(check(&d, argv, log), 1);
	static const char *const expected[] = {
		"mutually exclusive", "/nonexistent/cert.pem", "/nonexistent/key.pem",
		"missing-dir", "no-such-network", "not-an-address", "problem(s)",
	};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		CHECK_MSG(count_in(log, expected[i]) >= 1, "'%s' not reported (see %s)", expected[i],
			  log);
	CHECK(count_in(log, "listening") == 0);
	/* a usage error is 2, as for run */
	char *bad[] = { "secure-signer", "config", "check", "--no-such-option", NULL };
	CHECK_EQ_U64(check(&d, bad, log), 2);
	sp_cleanup(&d);
}

TEST(config_check_sees_a_running_signer)
{
	signer_proc d;
	if (!sp_init(&d) || !sp_start(&d, NULL)) {
		CHECK_MSG(0, "the signer did not start");
		sp_cleanup(&d);
		return;
	}
	char dd[420], port[64], log[420];
	snprintf(dd, sizeof dd, "--data-dir=%s", d.data_dir);
	snprintf(port, sizeof port, "--http-listen-port=%u", d.port);
	char *argv[] = { "secure-signer", "config", "check", dd, port, NULL };
	CHECK_EQ_U64(check(&d, argv, log), 1);
	CHECK_MSG(count_in(log, "in use by a running secure-signer") == 1, "see %s", log);
	CHECK_MSG(count_in(log, "problem: --http-listen-host/--http-listen-port: cannot listen") == 1, "see %s", log);
	CHECK(sp_stop(&d) == 0);
	sp_cleanup(&d);
}
