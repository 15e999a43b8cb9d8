#!/usr/bin/env python3
"""Writes a Prysm wallet's direct/accounts/all-accounts.keystore.json for the layout
tests, independently of the signer's C code: Python's hashlib (PBKDF2-HMAC-SHA256,
SHA-256) and the openssl command (AES-128-CTR; a test dependency already), following EIP-2335's crypto
section and Prysm's account store (validator/keymanager/local: accountStore marshalled
by Go's encoding/json, so [][]byte as padded standard base64, indented with tabs;
AccountsKeystoreRepresentation {crypto, uuid, version, name}).

No Prysm binary or package is available to the tests, so this script is the generator;
it is written from the formats above, not from the signer's reader.

usage: prysm_wallet.py WALLET_DIR PASSWORD SECRET_HEX:PUBKEY_HEX..."""
import base64
import hashlib
import json
import os
import subprocess
import sys
import uuid


def main():
    wallet_dir, password = sys.argv[1], sys.argv[2]
    sks, pks = [], []
    for arg in sys.argv[3:]:
        sk, pk = arg.split(":")
        sks.append(base64.b64encode(bytes.fromhex(sk)).decode())
        pks.append(base64.b64encode(bytes.fromhex(pk)).decode())
    store = json.dumps({"private_keys": sks, "public_keys": pks}, indent="\t").encode()
    salt, iv = os.urandom(32), os.urandom(16)
    c = 4096  # keystorev4 writes c=262144; a small count keeps the test fast
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, c, 32)
    ct = subprocess.run(["openssl", "enc", "-aes-128-ctr", "-K", dk[:16].hex(), "-iv", iv.hex()],
                        input=store, capture_output=True, check=True).stdout
    assert len(ct) == len(store)
    checksum = hashlib.sha256(dk[16:32] + ct).hexdigest()
    wallet = {
        "crypto": {
            "checksum": {"function": "sha256", "message": checksum, "params": {}},
            "cipher": {"function": "aes-128-ctr", "message": ct.hex(),
                       "params": {"iv": iv.hex()}},
            "kdf": {"function": "pbkdf2", "message": "",
                    "params": {"c": c, "dklen": 32, "prf": "hmac-sha256",
                               "salt": salt.hex()}},
        },
        "uuid": str(uuid.uuid4()),
        "version": 4,
        "name": "keystore",
    }
    accounts = os.path.join(wallet_dir, "direct", "accounts")
    os.makedirs(accounts, exist_ok=True)
    with open(os.path.join(accounts, "all-accounts.keystore.json"), "w") as f:
        json.dump(wallet, f, indent="\t")
    with open(os.path.join(wallet_dir, "direct", "keymanageropts.json"), "w") as f:
        json.dump({"direct_eip_version": "EIP-2335"}, f)


if __name__ == "__main__":
    main()
