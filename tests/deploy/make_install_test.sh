#!/bin/sh
# `make install` with GNU directories: PREFIX=/usr and a DESTDIR stage put the binary in
# usr/bin, the configuration in etc/ (not usr/etc), the unit in lib/systemd/system with
# ExecStart naming the installed binary and configuration, the sysusers.d entry, the man
# page, the dashboard and rules; PREFIX=/opt/ss puts everything under opt/ss. The staged
# binary then runs. Uses the test's build tree (BUILD=...) and leaves its install
# directories as `make build` sets them.
set -u
src="$1"; build="$2"
work=$(mktemp -d "${TMPDIR:-/tmp}/ss-install-XXXXXX")
trap 'rm -rf "$work"; make -s -C "$src" BUILD="$build" JOBS=2 build >/dev/null 2>&1' EXIT
fail=0
check() { if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

make -s -C "$src" BUILD="$build" JOBS=2 PREFIX=/usr DESTDIR="$work/usr-stage" install \
  >"$work/log" 2>&1
check "make install PREFIX=/usr DESTDIR=..." $?
s="$work/usr-stage"
for f in usr/bin/secure-signer etc/secure-signer/config.yaml \
         usr/lib/systemd/system/secure-signer.service usr/lib/sysusers.d/secure-signer.conf \
         usr/share/man/man1/secure-signer.1 usr/share/secure-signer/grafana/secure-signer-dashboard.json \
         usr/share/secure-signer/prometheus/secure-signer.rules.yml \
         usr/share/doc/secure-signer/operations.md; do
  test -f "$s/$f"; check "/usr: $f" $?
done
unit="$s/usr/lib/systemd/system/secure-signer.service"
grep -q '^ExecStart=/usr/bin/secure-signer run --config-file=/etc/secure-signer/config.yaml ' "$unit"
check "/usr: unit runs /usr/bin/secure-signer with /etc/secure-signer/config.yaml" $?
grep -q '^EnvironmentFile=-/etc/default/secure-signer$' "$unit"; check "/usr: EnvironmentFile" $?
check "/usr: no unsubstituted variable" $(grep -v '^#\|^SystemCallFilter' "$unit" | grep -q '@[A-Z_]*@'; [ $? -ne 0 ]; echo $?)
v=$("$s/usr/bin/secure-signer" --version); check "staged binary runs ($v)" $([ "$v" = "secure-signer 0.1.0" ]; echo $?)

make -s -C "$src" BUILD="$build" JOBS=2 PREFIX=/opt/ss DESTDIR="$work/opt-stage" install \
  >>"$work/log" 2>&1
check "make install PREFIX=/opt/ss DESTDIR=..." $?
o="$work/opt-stage/opt/ss"
for f in bin/secure-signer etc/secure-signer/config.yaml lib/systemd/system/secure-signer.service; do
  test -f "$o/$f"; check "/opt/ss: $f" $?
done
grep -q '^ExecStart=/opt/ss/bin/secure-signer run --config-file=/opt/ss/etc/secure-signer/config.yaml ' \
  "$o/lib/systemd/system/secure-signer.service"
check "/opt/ss: unit names /opt/ss/bin and /opt/ss/etc" $?
n=$(find "$work/opt-stage" -mindepth 1 -maxdepth 1 | wc -l)
check "/opt/ss: nothing outside the prefix" $([ "$n" -eq 1 ]; echo $?)
[ $fail -eq 0 ] || cat "$work/log"
exit $fail
