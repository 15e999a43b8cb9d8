#!/usr/bin/env python3
"""Writes the synthetic seed corpora of the tee/ fuzz targets (fuzz_corpus_dcap,
fuzz_corpus_snp, fuzz_corpus_collateral, fuzz_corpus_object). Every seed is made here:
structurally valid quotes, reports, collateral and evidence objects whose keys and
certificates are generated on the spot (never copied from ../shared/vectors), plus
truncated and inconsistent variants that steer the fuzzer to each length check. Run from this folder; needs pyca/cryptography."""
import base64, datetime, json, os, struct
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))


def write(folder, name, data):
    d = os.path.join(HERE, folder)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def cert(cn, key, issuer_cn=None, issuer_key=None, ca=False):
    now = datetime.datetime(2025, 1, 1)
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn or cn)]))
         .public_key(key.public_key()).serial_number(1)
         .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return b.sign(issuer_key or key, hashes.SHA256())


root_key = ec.generate_private_key(ec.SECP256R1())
leaf_key = ec.generate_private_key(ec.SECP256R1())
root = cert("Seed Root", root_key, ca=True)
leaf = cert("Seed Leaf", leaf_key, "Seed Root", root_key)
pem = (leaf.public_bytes(serialization.Encoding.PEM) +
       root.public_bytes(serialization.Encoding.PEM) + b"\0")


def qe_part(chain=pem):
    return (bytes(384) + bytes(64) + struct.pack("<H", 32) + bytes(32) +
            struct.pack("<HI", 5, len(chain)) + chain)


def quote(version, tee_type, body_type, body_len):
    hdr = struct.pack("<HHI", version, 2, tee_type) + bytes(4) + bytes.fromhex(
        "939a7233f79c4ca9940a0db3957f0607") + bytes(20)
    body = bytes(body_len)
    if version == 5:
        body = struct.pack("<HI", body_type, body_len) + body
    sig = bytes(64) + bytes(64)
    if version == 3:
        sig += qe_part()
    else:
        inner = qe_part()
        sig += struct.pack("<HI", 6, len(inner)) + inner
    return hdr + body + struct.pack("<I", len(sig)) + sig


seeds = {
    "sgx_v3": quote(3, 0, 1, 384),
    "sgx_v4": quote(4, 0, 1, 384),
    "tdx_v4": quote(4, 0x81, 2, 584),
    "tdx_v5_td15": quote(5, 0x81, 3, 648),
    "tdx_v5_td10": quote(5, 0x81, 2, 584),
    "sgx_v5": quote(5, 0, 1, 384),
}
for name, q in seeds.items():
    write("fuzz_corpus_dcap", name, q)
write("fuzz_corpus_dcap", "tdx_v4_padded", seeds["tdx_v4"] + bytes(100))
write("fuzz_corpus_dcap", "sgx_v3_truncated", seeds["sgx_v3"][:-10])
write("fuzz_corpus_dcap", "header_only", seeds["sgx_v3"][:48])
bad = bytearray(seeds["tdx_v5_td15"])
bad[50] = 0x49  # body_size that does not match the body type
write("fuzz_corpus_dcap", "tdx_v5_bad_size", bytes(bad))

report = bytearray(0x4A0)
struct.pack_into("<I", report, 0, 2)
struct.pack_into("<Q", report, 8, 0x30000)
struct.pack_into("<I", report, 0x34, 1)
write("fuzz_corpus_snp", "v2", bytes(report))
struct.pack_into("<I", report, 0, 3)
struct.pack_into("<I", report, 0x48, 4)
write("fuzz_corpus_snp", "v3_vlek", bytes(report))
write("fuzz_corpus_snp", "v3_hex", b"0x" + bytes(report).hex().encode() + b"\n")
write("fuzz_corpus_snp", "short", bytes(report[:100]))
write("fuzz_corpus_snp", "odd_hex", b"abc")

tcb_info = json.dumps({"id": "SGX", "version": 3, "issueDate": "2025-01-01T00:00:00Z",
                       "nextUpdate": "2025-02-01T00:00:00Z", "fmspc": "000000000000",
                       "pceId": "0000", "tcbLevels": []}, separators=(",", ":"))
qe = json.dumps({"id": "QE", "version": 2, "issueDate": "2025-01-01T00:00:00Z",
                 "nextUpdate": "2025-02-01T00:00:00Z", "tcbLevels": []}, separators=(",", ":"))
crl = (x509.CertificateRevocationListBuilder()
       .issuer_name(root.subject).last_update(datetime.datetime(2025, 1, 1))
       .next_update(datetime.datetime(2025, 2, 1)).sign(root_key, hashes.SHA256()))
chain = pem[:-1].decode()
coll = {"pck_crl_issuer_chain": chain, "root_ca_crl": crl.public_bytes(
    serialization.Encoding.DER).hex(), "pck_crl": crl.public_bytes(serialization.Encoding.DER).hex(),
    "tcb_info_issuer_chain": chain, "tcb_info": tcb_info, "tcb_info_signature": "00" * 64,
    "qe_identity_issuer_chain": chain, "qe_identity": qe, "qe_identity_signature": "00" * 64}
write("fuzz_corpus_collateral", "complete", json.dumps(coll).encode())
del coll["pck_crl"]
write("fuzz_corpus_collateral", "no_pck_crl", json.dumps(coll).encode())
write("fuzz_corpus_collateral", "not_object", b"[1,2,3]")

pk = "0x" + "a1" * 48
obj = {"pk_hex": pk, "evidence": {"type": "sgx-dcap-quote", "quote": base64.b64encode(
    seeds["sgx_v3"]).decode(), "binding": "secure-signer/keygen/bls/v1",
    "nonce": "0x" + "0102" * 16}}
write("fuzz_corpus_object", "pk_hex", json.dumps(obj).encode())
obj2 = dict(obj)
keys = [pk, "0x" + "b2" * 48]
obj2["evidence"] = dict(obj["evidence"], type="sev-snp-report", quote=base64.b64encode(
    bytes(report)).decode(), certs=chain, pubkeys=keys)
obj2["data"] = [{"pubkey": k} for k in keys]
write("fuzz_corpus_object", "pubkeys_snp", json.dumps(obj2).encode())
write("fuzz_corpus_object", "empty_evidence", b'{"pk_hex":"0x00","evidence":{}}')
