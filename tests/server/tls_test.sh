#!/usr/bin/env bash
# TLS end to end: secure-signer with a PEM certificate and key, client certificates
# checked against a known-clients fingerprint file (Web3Signer's format) or a CA.
# Certificates are made here with the openssl CLI; requests are made with curl.
# usage: tls_test.sh SECURE_SIGNER_BINARY
set -euo pipefail
bin="$1"
command -v openssl >/dev/null && command -v curl >/dev/null || { echo "SKIP: openssl/curl missing"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/ss-tls-XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
fail=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected $2, got $3"; fail=1; fi
}
q() { openssl "$@" >/dev/null 2>&1; }
# A CA, a server certificate for 127.0.0.1 signed by it, a client signed by it, and a
# self-signed client nobody knows.
q req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem
q req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr
printf "subjectAltName=IP:127.0.0.1\n" > san.ext
q x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem
q req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=client1 -keyout client1.key -out client1.csr
q x509 -req -in client1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client1.pem
q req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=client2 -keyout client2.key -out client2.pem
fp=$(openssl x509 -noout -fingerprint -sha256 -in client1.pem | cut -d= -f2)
printf "# name fingerprint\nclient1 %s\n" "$fp" > known_clients.txt

start() { # data-dir extra-args...
  local dd="$1"; shift
  rm -f "$dd/secure-signer.ports"
  "$bin" run --http-listen-port=0 --data-dir="$dd" --tls-cert-file=server.pem --tls-key-file=server.key "$@" >>signer.log 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    [ -f "$dd/secure-signer.ports" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "FAIL secure-signer exited"; cat signer.log; exit 1; }
    sleep 0.1
  done
  port=$(sed -n 's/^http-port=//p' "$dd/secure-signer.ports")
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }
status() { # curl args... -> HTTP status (000 when the connection failed)
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert ca.pem "$@" "https://127.0.0.1:$port/upcheck" || true
}

start data1 --tls-known-clients-file=known_clients.txt
check "known client by fingerprint" 200 "$(status --cert client1.pem --key client1.key)"
check "unknown client certificate" 403 "$(status --cert client2.pem --key client2.key)"
check "no client certificate" 403 "$(status)"
check "plain HTTP to the TLS port" 000 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/upcheck" || true)"
stop

start data2 --tls-ca-clients-file=ca.pem
check "client signed by the CA" 200 "$(status --cert client1.pem --key client1.key)"
check "self-signed client under CA mode" 403 "$(status --cert client2.pem --key client2.key)"
stop

start data3 --tls-allow-any-client
check "any client allowed" 200 "$(status)"
stop

# Web3Signer's TLS input: a PKCS#12 keystore and a password file.
q pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -out server.p12 -passout pass:p12-secret
printf "p12-secret\n" > p12.pass
printf "wrong\n" > p12.wrong
start_p12() { # data-dir extra-args...
  local dd="$1"; shift
  "$bin" run --http-listen-port=0 --data-dir="$dd" "$@" >>signer.log 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    [ -f "$dd/secure-signer.ports" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "FAIL secure-signer exited"; cat signer.log; exit 1; }
    sleep 0.1
  done
  port=$(sed -n 's/^http-port=//p' "$dd/secure-signer.ports")
}
start_p12 data6 --tls-keystore-file=server.p12 --tls-keystore-password-file=p12.pass --tls-known-clients-file=known_clients.txt
check "PKCS#12 keystore, known client" 200 "$(status --cert client1.pem --key client1.key)"
check "PKCS#12 keystore, unknown client" 403 "$(status --cert client2.pem --key client2.key)"
stop
if "$bin" run --data-dir=data7 --http-listen-port=0 --tls-keystore-file=server.p12 \
     --tls-keystore-password-file=p12.wrong --tls-allow-any-client >>signer.log 2>&1; then
  echo "FAIL a wrong PKCS#12 password was accepted"; fail=1
else
  echo "ok   wrong PKCS#12 password refused"
fi

# Refused configurations.
if "$bin" run --data-dir=data4 --http-listen-port=0 --tls-cert-file=server.pem --tls-key-file=server.key \
     --tls-allow-any-client --tls-known-clients-file=known_clients.txt >>signer.log 2>&1; then
  echo "FAIL allow-any with known clients was accepted"; fail=1
else
  echo "ok   allow-any with known clients refused"
fi
if "$bin" run --data-dir=data8 --http-listen-port=0 --tls-cert-file=server.pem --tls-key-file=server.key \
     >>signer.log 2>&1; then
  echo "FAIL TLS without a client policy was accepted"; fail=1
else
  echo "ok   TLS without a client policy refused"
fi
printf "client1 not-a-fingerprint\n" > bad_clients.txt
if "$bin" run --data-dir=data5 --http-listen-port=0 --tls-cert-file=server.pem --tls-key-file=server.key \
     --tls-known-clients-file=bad_clients.txt >>signer.log 2>&1; then
  echo "FAIL malformed known-clients file was accepted"; fail=1
else
  echo "ok   malformed known-clients file refused"
fi
[ $fail -eq 0 ] || { cat signer.log; exit 1; }
echo "all TLS checks passed"
