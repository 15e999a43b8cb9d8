#!/bin/sh
# `make install` with GNU directories: PREFIX=/usr and a DESTDIR stage put the binary in
# usr/bin, the configuration in etc/ (not usr/etc), the unit in lib/systemd/system with
# ExecStart naming the installed binary and configuration, the sysusers.d entry, the man
# page, the dashboard and rules; PREFIX=/opt/ss puts everything under opt/ss. The staged
# binary then runs. Uses `make install-files` (what `make install` does after building)
# on the test's own build tree, whatever its build type, and restores its install
# directories afterwards.
set -u
src="$1"; build="$2"
work=$(mktemp -d "${TMPDIR:-/tmp}/ss-install-XXXXXX")
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
restore="-DCMAKE_INSTALL_PREFIX=$(cache CMAKE_INSTALL_PREFIX) -DCMAKE_INSTALL_BINDIR=$(cache CMAKE_INSTALL_BINDIR)"
restore="$restore -DCMAKE_INSTALL_SYSCONFDIR=$(cache CMAKE_INSTALL_SYSCONFDIR)"
restore="$restore -DCMAKE_INSTALL_DATAROOTDIR=$(cache CMAKE_INSTALL_DATAROOTDIR) -DCMAKE_INSTALL_MANDIR=$(cache CMAKE_INSTALL_MANDIR)"
trap 'rm -rf "$work"; cmake -S "$src" -B "$build" $restore >/dev/null' EXIT
fail=0
check() { if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

make -s -C "$src" BUILD="$build" PREFIX=/usr DESTDIR="$work/usr-stage" install-files \
  >"$work/log" 2>&1
check "make install-files PREFIX=/usr DESTDIR=..." $?
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

make -s -C "$src" BUILD="$build" PREFIX=/opt/ss DESTDIR="$work/opt-stage" install-files \
  >>"$work/log" 2>&1
check "make install-files PREFIX=/opt/ss DESTDIR=..." $?
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
