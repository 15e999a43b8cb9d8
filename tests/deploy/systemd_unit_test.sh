#!/bin/sh
# deploy/systemd/secure-signer.service as systemd reads it: `systemd-analyze verify` (no
# unknown key, a valid ExecStart), the settings the service relies on, and the offline
# security assessment's exposure score (0 best, 10 worst) at most 2.0.
# SKIP (77) without systemd-analyze.
set -u
src="$1"; bin="$2"
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ss-unit-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
check() { if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
u="$work/secure-signer.service"
# the paths make install fills in: the binary under test, /etc for the configuration
sed -e "s#@CMAKE_INSTALL_FULL_BINDIR@/secure-signer#$bin#" \
    -e 's#@CMAKE_INSTALL_FULL_SYSCONFDIR@#/etc#g' "$src/deploy/systemd/secure-signer.service" >"$u"
systemd-analyze verify --man=no "$u"; check "systemd-analyze verify" $?
for kv in Type=notify NotifyAccess=main User=secure-signer StateDirectory=secure-signer \
          ProtectSystem=strict NoNewPrivileges=yes MemoryDenyWriteExecute=yes \
          LockPersonality=yes LimitCORE=0 LimitMEMLOCK=infinity KillSignal=SIGTERM; do
  grep -qx "$kv" "$u"; check "$kv" $?
done
score=$(systemd-analyze security --offline=true "$u" 2>/dev/null |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check "exposure level ${score:-?} <= 2.0" $(awk -v s="${score:-99}" 'BEGIN{exit !(s <= 2.0)}'; echo $?)
exit $fail
