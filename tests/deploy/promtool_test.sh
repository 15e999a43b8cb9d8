#!/bin/sh
# The alert rules shipped in deploy/prometheus are valid for Prometheus: promtool's own
# check (syntax, PromQL, templates), and a rule unit test that an alert fires on the
# metrics the signer exports (tests/deploy/rules_test.yml). SKIP (77) without promtool
# (Debian package prometheus; scripts/setup test installs it).
set -u
src="$1"
command -v promtool >/dev/null || { echo "SKIP: promtool missing (apt-get install prometheus)"; exit 77; }
fail=0
for f in "$src"/deploy/prometheus/*.yml; do
  promtool check rules "$f" || fail=1
done
work=$(mktemp -d "${TMPDIR:-/tmp}/ss-promtool-XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$src"/deploy/prometheus/*.yml "$src/tests/deploy/rules_test.yml" "$work/"
(cd "$work" && promtool test rules rules_test.yml) || fail=1
exit $fail
