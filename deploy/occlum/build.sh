#!/bin/sh
# Builds an Occlum instance running Secure-Signer (docs/tee.md "Occlum"). Needs the Occlum
# toolchain (occlum new/build/run; its Docker image occlum/occlum) on an SGX machine with
# the DCAP driver. NOT RUN HERE: Occlum is not packaged for Debian and there is no SGX.
# Occlum was archived by the CCC on 2026-07-28: prefer Gramine (deploy/gramine/).
#
#   deploy/occlum/build.sh build/secure-signer [instance-dir]
#   cd instance-dir && occlum run /bin/secure-signer run --tee=occlum --kek-source=tee \
#       --data-dir=/data --http-listen-host=0.0.0.0
#
# Occlum's own encrypted file system (the RW SEFS layer, ./run/mount) is keyed by
# MRSIGNER + ProdID + CPU, not by MRENCLAVE; --kek-source tee adds the MRENCLAVE-bound
# seal (the occlum provider's SGXIOC_GET_KEY with key_policy MRENCLAVE) to the key store.
set -eu
bin=$1
inst=${2:-occlum-secure-signer}
here=$(cd "$(dirname "$0")" && pwd)
occlum new "$inst"
cp "$here/Occlum.json" "$inst/Occlum.json"
mkdir -p "$inst/image/bin" "$inst/image/data" "$inst/image/lib"
cp "$bin" "$inst/image/bin/secure-signer"
# every library the binary links (Occlum runs glibc binaries from /lib)
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r lib; do
	cp -L "$lib" "$inst/image/lib/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$inst/image/lib/"
cd "$inst"
occlum build --sgx-mode HW
# MRENCLAVE of the instance, to publish for verifiers (`evidence verify --expect-mrenclave`)
occlum print mrenclave
