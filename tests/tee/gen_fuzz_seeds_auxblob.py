#!/usr/bin/env python3
"""Writes fuzz_corpus_snp_certs, the seed corpus of fuzz_snp_certs: GHCB certificate
tables (SEV-ES GHCB spec 4.1.8.1: {GUID, offset u32, length u32} entries ended by a zero
entry) holding certificates generated here (never copied from ../shared/vectors), plus
truncated, unterminated, out-of-bounds and non-DER variants. Run from this folder; needs
pyca/cryptography."""
import datetime, os, struct, uuid
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_corpus_snp_certs")
VCEK = uuid.UUID("63da758d-e664-4564-adc5-f4b93be8accd").bytes
VLEK = uuid.UUID("a8074bc2-a25a-483e-aae6-39c045a0b8a1").bytes
ASK = uuid.UUID("4ab7b379-bbac-4fe4-a02f-05aef327c782").bytes
ARK = uuid.UUID("c0b406a4-a803-4952-9743-3fb6014cd0ae").bytes
CRL = uuid.UUID("92f81bc3-5811-4d3d-97ff-d19f88dc67ea").bytes


def der(cn):
    key = ec.generate_private_key(ec.SECP384R1())
    now = datetime.datetime(2025, 1, 1)
    c = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .public_key(key.public_key()).serial_number(1)
         .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
         .sign(key, hashes.SHA384()))
    return c.public_bytes(serialization.Encoding.DER)


def table(entries, terminate=True):
    n = len(entries) + (1 if terminate else 0)
    head, body, off = b"", b"", 24 * n
    for guid, data in entries:
        head += guid + struct.pack("<II", off + len(body), len(data))
        body += data
    if terminate:
        head += bytes(24)
    return head + body


def write(name, data):
    os.makedirs(HERE, exist_ok=True)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


vcek, ask, ark = der("Seed VCEK"), der("SEV-Seed"), der("ARK-Seed")
full = table([(ARK, ark), (ASK, ask), (VCEK, vcek)])
write("full", full)
write("vlek", table([(VLEK, vcek), (ASK, ask)]))
write("with_crl", table([(CRL, b"not a certificate"), (VCEK, vcek)]))
write("empty_table", bytes(24))
write("unterminated", table([(VCEK, vcek)], terminate=False))
write("truncated", full[:len(full) // 2])
write("out_of_bounds", VCEK + struct.pack("<II", 48, 0xFFFFFF00) + bytes(24))
write("zero_length", VCEK + struct.pack("<II", 48, 0) + bytes(24))
write("not_der", table([(VCEK, b"\x30\x82\x01\x00" + b"\x00" * 32)]))
write("short", b"\x63\xda")
