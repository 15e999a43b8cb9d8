#!/usr/bin/env bash
# TLS versions and cipher suites, end to end through the binary with the openssl CLI as
# the client: by default TLS 1.0/1.1, RSA key exchange and CBC suites are refused and
# TLS 1.2 ECDHE-AEAD and TLS 1.3 work; --tls-protocols and --tls-cipher-suites narrow
# that; unknown or weak names stop the start; --metrics-tls-enabled serves metrics
# with the same policy. The server certificate is RSA, so that an RSA key exchange is
# possible at all and its refusal means something.
# usage: tls_versions_test.sh SECURE_SIGNER_BINARY
set -euo pipefail
bin="$1"
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/ss-tlsv-XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
fail=0
q() { openssl "$@" >/dev/null 2>&1; }
q req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout rsa.key -out rsa.pem
q req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout ec.key -out ec.pem

start() { # data-dir extra-args...
  local dd="$1"; shift
  "$bin" run --http-listen-port=0 --data-dir="$dd" --tls-allow-any-client "$@" >>signer.log 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    [ -f "$dd/secure-signer.ports" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "FAIL secure-signer exited"; cat signer.log; exit 1; }
    sleep 0.1
  done
  port=$(sed -n 's/^http-port=//p' "$dd/secure-signer.ports")
  mport=$(sed -n 's/^metrics-port=//p' "$dd/secure-signer.ports")
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }
# handshake NAME accepted|refused PORT openssl-s_client-args...: SECLEVEL=0 lets the
# client offer the legacy versions and suites, so a refusal is the server's.
handshake() {
  local name="$1" want="$2" p="$3"; shift 3
  local got=refused
  if openssl s_client -connect "127.0.0.1:$p" "$@" </dev/null >hs.out 2>&1 &&
     grep -q "Cipher is " hs.out && ! grep -q "Cipher is (NONE)" hs.out; then
    got=accepted
  fi
  if [ "$got" = "$want" ]; then echo "ok   $name: $got"; else
    echo "FAIL $name: expected $want, got $got"; sed 's/^/     /' hs.out | head -20; fail=1; fi
}
legacy="DEFAULT:@SECLEVEL=0"

start d1 --tls-cert-file=rsa.pem --tls-key-file=rsa.key
handshake "TLS 1.0 refused" refused "$port" -tls1 -cipher "$legacy"
handshake "TLS 1.1 refused" refused "$port" -tls1_1 -cipher "$legacy"
handshake "RSA key exchange refused" refused "$port" -tls1_2 -cipher "AES128-GCM-SHA256:@SECLEVEL=0"
handshake "RSA key exchange CBC-SHA1 refused" refused "$port" -tls1_2 -cipher "AES128-SHA:@SECLEVEL=0"
handshake "ECDHE CBC-SHA1 refused" refused "$port" -tls1_2 -cipher "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"
handshake "ECDHE CBC-SHA256 refused" refused "$port" -tls1_2 -cipher "ECDHE-RSA-AES128-SHA256:@SECLEVEL=0"
handshake "TLS 1.2 ECDHE-RSA-AES128-GCM" accepted "$port" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
handshake "TLS 1.2 ECDHE-RSA-CHACHA20" accepted "$port" -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
handshake "TLS 1.3" accepted "$port" -tls1_3
stop

start d2 --tls-cert-file=ec.pem --tls-key-file=ec.key
handshake "TLS 1.2 ECDHE-ECDSA-AES256-GCM (EC certificate)" accepted "$port" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
handshake "TLS 1.1 refused (EC certificate)" refused "$port" -tls1_1 -cipher "$legacy"
stop

# A configured restriction is honoured.
start d3 --tls-cert-file=rsa.pem --tls-key-file=rsa.key --tls-protocols=TLSv1.3
handshake "--tls-protocols=TLSv1.3: TLS 1.2 refused" refused "$port" -tls1_2
handshake "--tls-protocols=TLSv1.3: TLS 1.3 accepted" accepted "$port" -tls1_3
stop
start d4 --tls-cert-file=rsa.pem --tls-key-file=rsa.key --tls-protocols=TLSv1.2 \
  --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
handshake "suite list: the listed suite" accepted "$port" -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
handshake "suite list: an unlisted AEAD suite refused" refused "$port" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
handshake "suite list: TLS 1.3 not enabled" refused "$port" -tls1_3
stop
start d5 --tls-cert-file=rsa.pem --tls-key-file=rsa.key --tls-protocols=TLSv1.3 \
  --tls-cipher-suites="TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256"
handshake "TLS 1.3 suite list: the listed suite" accepted "$port" -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384
handshake "TLS 1.3 suite list: an unlisted suite refused" refused "$port" -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
stop

# Metrics over TLS, with the same policy.
start d6 --tls-cert-file=rsa.pem --tls-key-file=rsa.key --metrics-enabled --metrics-port=0 \
  --metrics-tls-enabled
handshake "metrics TLS 1.3" accepted "$mport" -tls1_3
handshake "metrics TLS 1.1 refused" refused "$mport" -tls1_1 -cipher "$legacy"
stop

# Unknown or weak names stop the start with a message naming them.
refused_start() { # name expected-text args...
  local name="$1" text="$2"; shift 2
  if "$bin" run --http-listen-port=0 --data-dir=dx --tls-cert-file=rsa.pem --tls-key-file=rsa.key \
       --tls-allow-any-client "$@" >start.out 2>&1; then
    echo "FAIL $name: the signer started"; fail=1
  elif grep -q -- "$text" start.out; then echo "ok   $name refused"
  else echo "FAIL $name: no message naming '$text'"; cat start.out; fail=1; fi
}
refused_start "--tls-protocols=TLSv1.1" "TLSv1.1" --tls-protocols=TLSv1.1
refused_start "--tls-protocols=SSLv3" "SSLv3" --tls-protocols=TLSv1.3,SSLv3
refused_start "RSA key-exchange suite" "TLS_RSA_WITH_AES_128_GCM_SHA256" --tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256
refused_start "CBC suite" "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
if "$bin" run --http-listen-port=0 --data-dir=dy --metrics-enabled --metrics-port=0 \
     --metrics-tls-enabled >start.out 2>&1; then
  echo "FAIL metrics TLS without a certificate: the signer started"; fail=1
elif grep -q -- "--metrics-tls-enabled" start.out; then echo "ok   metrics TLS without a certificate refused"
else echo "FAIL metrics TLS without a certificate: no message"; cat start.out; fail=1; fi
[ $fail -eq 0 ] || { cat signer.log; exit 1; }
echo "all TLS version and suite checks passed"
