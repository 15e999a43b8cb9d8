#!/bin/sh
# CLI test of `secure-signer signing-root`: output fields, refusal, usage errors,
# --network-config and --batch. Usage: cli_signing_root.sh /path/to/secure-signer
set -u
bin="$1"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # check DESCRIPTION COMMAND...: the command must succeed
	if ! "$@"; then echo "FAIL: $desc"; fail=1; else echo "ok   $desc"; fi
}

FI='"fork_info":{"fork":{"previous_version":"0x00000001","current_version":"0x00000001","epoch":"1"},"genesis_validators_root":"0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673"}'
ATT='{"type":"ATTESTATION",'"$FI"',"attestation":{"slot":"32","index":"0","beacon_block_root":"0xb2eedb01adbd02c828d5eec09b4c70cbba12ffffba525ebf48aca33028e8ad89","source":{"epoch":"0","root":"0x0000000000000000000000000000000000000000000000000000000000000000"},"target":{"epoch":"0","root":"0xb2eedb01adbd02c828d5eec09b4c70cbba12ffffba525ebf48aca33028e8ad89"}}}'
ROOT=0x548c9a015f4c96cb8b1ddbbdfca85846f85bf9f344a434c140f378cdfb5341f0  # sign.yaml ATTESTATION

printf '%s' "$ATT" | "$bin" signing-root --network minimal >"$tmp/out" 2>"$tmp/err"
rc=$?
desc="attestation: exit 0"; check test $rc -eq 0
desc="attestation: type"; check grep -qx 'type: ATTESTATION' "$tmp/out"
desc="attestation: slot"; check grep -qx 'slot: 32' "$tmp/out"
desc="attestation: source"; check grep -qx 'source_epoch: 0' "$tmp/out"
desc="attestation: target"; check grep -qx 'target_epoch: 0' "$tmp/out"
desc="attestation: signing root"; check grep -qx "signing_root: $ROOT" "$tmp/out"

# A different network changes nothing for an attestation (the domain is fork_info's),
# but the request's root must match: a wrong one is refused, naming the field.
printf '%s' "$ATT" | sed 's/"type":"ATTESTATION"/"type":"ATTESTATION","signingRoot":"0x'"$(printf '0%.0s' $(seq 64))"'"/' |
	"$bin" signing-root --network minimal >"$tmp/out" 2>"$tmp/err"
rc=$?
desc="mismatch: exit 1"; check test $rc -eq 1
desc="mismatch: names signingRoot"; check grep -q 'signingRoot' "$tmp/err"

printf '%s' "$ATT" | sed 's/"slot":"32"/"slot":"-32"/' | "$bin" signing-root >"$tmp/out" 2>"$tmp/err"
rc=$?
desc="bad slot: exit 1"; check test $rc -eq 1
desc="bad slot: names attestation.slot"; check grep -q 'attestation.slot' "$tmp/err"

"$bin" signing-root --help >"$tmp/out"; rc=$?
desc="--help: exit 0"; check test $rc -eq 0
desc="--help: mentions --network-config"; check grep -q -- '--network-config' "$tmp/out"
"$bin" signing-root --network nowhere </dev/null >/dev/null 2>&1; rc=$?
desc="unknown network: exit 2"; check test $rc -eq 2
"$bin" signing-root --network mainnet --network-config x </dev/null >/dev/null 2>&1; rc=$?
desc="both network options: exit 2"; check test $rc -eq 2

# --network-config: Altair from genesis makes a sync-committee message signable.
printf 'PRESET_BASE: minimal\nGENESIS_FORK_VERSION: 0x00000001\nALTAIR_FORK_VERSION: 0x01000001\nALTAIR_FORK_EPOCH: 0\n' >"$tmp/config.yaml"
SYNC='{"type":"SYNC_COMMITTEE_MESSAGE",'"$FI"',"sync_committee_message":{"beacon_block_root":"0x235bc3400c2839fd856a524871200bd5e362db615fc4565e1870ed9a2a936464","slot":"0"}}'
printf '%s' "$SYNC" | "$bin" signing-root --network-config "$tmp/config.yaml" >"$tmp/out" 2>"$tmp/err"; rc=$?
desc="config: exit 0"; check test $rc -eq 0
desc="config: sync root"; check grep -qx 'signing_root: 0xa6f60df2817ea5b52eed1fefebbad746ef64c6249fc05c90c9e0f520cc75bb95' "$tmp/out"
printf '%s' "$SYNC" | "$bin" signing-root --network minimal >"$tmp/out" 2>"$tmp/err"; rc=$?
desc="minimal: sync before Altair refused"; check test $rc -eq 1
desc="minimal: names the slot"; check grep -q 'sync_committee_message.slot' "$tmp/err"

# --batch: one line per request, errors inline, order kept.
{ printf '%s\n' "$ATT"; printf '{"type":"nope"}\n'; printf '%s\n' "$ATT"; } |
	"$bin" signing-root --batch --network minimal >"$tmp/out"; rc=$?
desc="batch: exit 0"; check test $rc -eq 0
desc="batch: three lines"; check test "$(wc -l <"$tmp/out")" -eq 3
desc="batch: line 1"; check test "$(sed -n 1p "$tmp/out")" = "$ROOT"
desc="batch: line 2 error"; check grep -q '^error type: ' "$tmp/out"
desc="batch: line 3"; check test "$(sed -n 3p "$tmp/out")" = "$ROOT"
"$bin" signing-root --show-network --network mainnet >"$tmp/out"; rc=$?
desc="show-network: exit 0"; check test $rc -eq 0
desc="show-network: altair"; check grep -qx 'fork: ALTAIR 0x01000000 74240' "$tmp/out"
desc="show-network: gloas unscheduled"; check grep -qx 'fork: GLOAS 0x07000000 far' "$tmp/out"
"$bin" signing-root --show-network --batch </dev/null >/dev/null 2>&1; rc=$?
desc="show-network with batch: exit 2"; check test $rc -eq 2
exit $fail
