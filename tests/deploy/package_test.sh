#!/bin/sh
# The Debian package, end to end: dpkg-buildpackage builds it from debian/ in a scratch
# copy of the source tree, lintian finds nothing to report, and the package unpacked into
# a scratch root (dpkg -x; installing into the machine would need root and change it)
# holds the binary, unit, configuration, user creation and man page, and its binary runs:
# --version, then a start on port 0 that answers /upcheck.
# SKIP (77) when dpkg-buildpackage, debhelper or lintian are absent (scripts/setup test
# installs them).
set -u
src="$1"
for t in dpkg-buildpackage dh lintian fakeroot curl; do
  command -v "$t" >/dev/null || { echo "SKIP: $t missing (scripts/setup test)"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/ss-deb-XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail=0
check() { # name condition-exit-status
  if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

# A copy of the tracked and new source files, without build trees.
mkdir "$work/secure-signer"
(cd "$src" && tar --exclude='./build*' --exclude=./.git -cf - .) | (cd "$work/secure-signer" && tar -xf -)
cd "$work/secure-signer"
jobs=$(nproc 2>/dev/null || echo 2)
DEB_BUILD_OPTIONS="parallel=$jobs nocheck" dpkg-buildpackage -b -uc -us >"$work/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -b" $rc
[ $rc -eq 0 ] || { tail -40 "$work/build.log"; exit 1; }
deb=$(ls "$work"/secure-signer_*.deb)

# lintian: no error, warning or info tag (pedantic and experimental ones aside).
lintian --fail-on error,warning,info --display-info "$deb" "$work"/secure-signer_*.changes >"$work/lintian.log" 2>&1
rc=$?
check "lintian clean" $rc
[ $rc -eq 0 ] || cat "$work/lintian.log"

root="$work/root"
dpkg -x "$deb" "$root"
for f in usr/bin/secure-signer lib/systemd/system/secure-signer.service \
         etc/secure-signer/config.yaml usr/share/man/man1/secure-signer.1.gz \
         usr/share/secure-signer/grafana/secure-signer-dashboard.json \
         usr/share/secure-signer/prometheus/secure-signer.rules.yml \
         usr/share/doc/secure-signer/operations.md.gz; do
  test -f "$root/$f"; check "package holds /$f" $?
done
# the unit names the installed binary and configuration, runs as its own user
unit="$root/lib/systemd/system/secure-signer.service"
grep -q '^ExecStart=/usr/bin/secure-signer run --config-file=/etc/secure-signer/config.yaml ' "$unit"
check "unit ExecStart is /usr/bin/secure-signer with /etc/secure-signer/config.yaml" $?
grep -q '^User=secure-signer$' "$unit"; check "unit User=secure-signer" $?
# the configuration file is a conffile, the user is created by the maintainer script
mkdir "$work/ctl" && dpkg-deb -e "$deb" "$work/ctl"
grep -qx /etc/secure-signer/config.yaml "$work/ctl/conffiles"; check "config.yaml is a conffile" $?
grep -q 'adduser --system --group' "$work/ctl/postinst"; check "postinst creates the system user" $?
if grep -q 'systemctl.*start' "$work/ctl/postinst"; then r=1; else r=0; fi
check "postinst does not start the service" $r

# The installed binary runs.
bin="$root/usr/bin/secure-signer"
v=$("$bin" --version); check "installed --version ($v)" $([ "$v" = "secure-signer 0.1.0" ]; echo $?)
data="$work/data"
"$bin" run --config-file="$root/etc/secure-signer/config.yaml" --data-dir="$data" \
  --http-listen-port=0 --metrics-port=0 >"$work/run.log" 2>&1 &
pid=$!
port=""
i=0
while [ $i -lt 300 ] && [ -z "$port" ]; do
  port=$(sed -n 's/^http-port=//p' "$data/secure-signer.ports" 2>/dev/null)
  [ -n "$port" ] || sleep 0.1
  i=$((i + 1))
done
up=$(curl -s "http://127.0.0.1:$port/upcheck" 2>/dev/null)
check "installed binary started with the packaged config answers /upcheck" $([ "$up" = OK ]; echo $?)
kill "$pid"; wait "$pid"; rc=$?
pid=""
check "installed binary stops cleanly on SIGTERM" $rc
[ $fail -eq 0 ] || { echo "--- run log"; cat "$work/run.log"; }
exit $fail
