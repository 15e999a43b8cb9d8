#!/bin/sh
# deploy/docker/Dockerfile, checked without building it (this machine has no registry to
# pull debian:12-slim from, and hadolint is not packaged for Debian): its key
# instructions, and that the runtime stage's packages (with their dependencies, as apt
# resolves them here on Debian 12) provide every shared library the built binary
# links against, so the image would start.
set -u
src="$1"; bin="$2"
df="$src/deploy/docker/Dockerfile"
fail=0
check() { if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
has() { grep -Eq "$1" "$df"; }

n_from=$(grep -Ec '^FROM debian:12-slim( AS [a-z]+)?$' "$df")
check "every stage FROM debian:12-slim (2 stages)" $([ "$n_from" -eq 2 ] && [ "$(grep -c '^FROM ' "$df")" -eq 2 ]; echo $?)
last_user=$(grep '^USER ' "$df" | tail -1 | awk '{print $2}')
u=${last_user%%:*}
check "runs as a non-root user ($last_user)" $([ -n "$u" ] && [ "$u" != root ] && [ "$u" != 0 ]; echo $?)
# the user is set after the last RUN that needs root, and nothing resets it
check "USER comes after every RUN of the runtime stage" \
  $(awk '/^FROM /{s++} s==2 && /^RUN /{r=NR} s==2 && /^USER /{u=NR} END{exit !(u>r)}' "$df"; echo $?)
check "HEALTHCHECK probes /healthcheck" $(has '^HEALTHCHECK .*' && grep -A1 '^HEALTHCHECK' "$df" | grep -q '/healthcheck'; echo $?)
check "ENTRYPOINT is the signer" $(has '^ENTRYPOINT \["/usr/bin/secure-signer"\]$'; echo $?)
check "the data directory is a volume" $(has '^VOLUME \["/var/lib/secure-signer"\]$'; echo $?)
check "EXPOSE 9000 9001" $(has '^EXPOSE 9000 9001$'; echo $?)
check "no ADD (remote or archive sources)" $(if has '^ADD '; then echo 1; else echo 0; fi)
check "apt lists removed after install" $([ "$(grep -c 'rm -rf /var/lib/apt/lists' "$df")" -eq 2 ]; echo $?)

# The runtime stage's packages: the words after "apt-get install ... --no-install-recommends"
# up to the "&&", in the second stage.
pkgs=$(awk '/^FROM /{s++} s==2' "$df" | tr '\\\n' '  ' |
       sed -n 's/.*--no-install-recommends \([^&]*\)&&.*/\1/p')
check "runtime packages listed ($pkgs)" $([ -n "$pkgs" ]; echo $?)
if command -v apt-cache >/dev/null && command -v dpkg >/dev/null && command -v ldd >/dev/null; then
  for p in $pkgs; do
    apt-cache show "$p" >/dev/null 2>&1; check "Debian 12 has package $p" $?
  done
  closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
            --no-breaks --no-replaces --no-enhances $pkgs 2>/dev/null | grep -E '^[a-z0-9]' | sed 's/:.*//' | sort -u)
  for lib in $(ldd "$bin" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    real=$(readlink -f "$lib")
    pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null)
    pkg=$(echo "$pkg" | head -1 | cut -d: -f1)
    if [ -z "$pkg" ]; then echo "FAIL $lib belongs to no package"; fail=1; continue; fi
    if echo "$closure" | grep -qx "$pkg"; then echo "ok   $lib ($pkg)"
    else echo "FAIL $lib: package $pkg is not installed by the runtime stage"; fail=1; fi
  done
else
  echo "SKIP: library check (apt-cache, dpkg or ldd missing)"
fi
exit $fail
