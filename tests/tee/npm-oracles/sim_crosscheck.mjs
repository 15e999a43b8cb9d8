// Cross-check of the sim provider's evidence (issue 11 §1) with code that shares nothing
// with secure-signer's: @phala/dcap-qvl's pure-JS quote parser (Quote.parse) reads it as
// an SGX DCAP quote v3, and the signatures are checked with elliptic (pure-JS ECDSA P-256)
// over hash.js SHA-256 — the quote signature by the attestation key, the QE report
// signature by the simulation PCK certificate's key, the QE report's binding of the
// attestation key — and the chain with node's X509Certificate. Then `secure-signer
// evidence verify --allow-simulated` must agree: valid as produced, and refused (with
// the oracle refusing too) for a flipped bit in every part of the quote.
// Env: SS_BUILD_DIR (secure-signer and tests/tee/sim_evidence_tool).
import {spawnSync} from "node:child_process";
import {X509Certificate, randomBytes} from "node:crypto";
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {createRequire} from "node:module";
import {tmpdir} from "node:os";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? "node_modules", "x.js"));
const {Quote} = require("@phala/dcap-qvl");
const EC = require("elliptic").ec;
const hash = require("hash.js");

const build = process.env.SS_BUILD_DIR ?? "build";
const bin = `${build}/secure-signer`;
const tool = `${build}/tests/tee/sim_evidence_tool`;
const tmp = mkdtempSync(path.join(tmpdir(), "ss-sim-oracle-"));
let failures = 0, checks = 0;
function check(cond, msg) {
  checks++;
  if (!cond) {
    failures++;
    console.log(`FAIL ${msg}`);
  }
}
const p256 = new EC("p256");
const sha256 = (b) => Buffer.from(hash.sha256().update(b).digest());
const eq = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

function ecdsaOk(pubXY, msg, sig) {
  pubXY = Buffer.from(pubXY);
  sig = Buffer.from(sig);
  try {
    const key = p256.keyFromPublic({x: pubXY.subarray(0, 32).toString("hex"),
                                    y: pubXY.subarray(32, 64).toString("hex")});
    return key.verify(sha256(msg), {r: sig.subarray(0, 32).toString("hex"),
                                    s: sig.subarray(32, 64).toString("hex")});
  } catch {
    return false;
  }
}

// The oracle's verdict on a quote: every check of the simulated chain, independently.
function oracle(qb, wantRd) {
  let q;
  try {
    q = Quote.parse(qb);
  } catch (e) {
    return {ok: false, why: `parse: ${e.message}`};
  }
  const a0 = q.authData.intoV3();
  // dcap-qvl hands out Uint8Arrays: Buffers for hex, latin1 and comparisons
  const a = {ecdsaSignature: Buffer.from(a0.ecdsaSignature), qeReport: Buffer.from(a0.qeReport),
             ecdsaAttestationKey: Buffer.from(a0.ecdsaAttestationKey),
             qeReportSignature: Buffer.from(a0.qeReportSignature),
             qeAuthData: Buffer.from(a0.qeAuthData),
             certificationData: {certType: a0.certificationData.certType,
                                 body: Buffer.from(a0.certificationData.body)}};
  const why = [];
  if (q.header.version !== 3 || q.report.type !== "sgx") why.push("not an SGX v3 quote");
  if (!eq(q.header.qeVendorId, Buffer.from("ss-simulated-qe\0"))) why.push("vendor id");
  const body = q.report.data;
  if (!body || !eq(body.reportData, wantRd)) why.push("report data");
  const certData = a.certificationData;
  if (certData.certType !== 5) why.push("cert type");
  const pem = certData.body.toString("latin1").replace(/\0+$/, "");
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  let leaf, root;
  try {
    [leaf, root] = certs.map((c) => new X509Certificate(c));
  } catch {
    why.push("certificates");
  }
  if (!leaf || !root || certs.length !== 2) {
    why.push("chain length");
  } else {
    if (!leaf.verify(root.publicKey) || !root.verify(root.publicKey)) why.push("chain signatures");
    if (!/Secure-Signer Simulation Root CA/.test(root.subject)) why.push("root name");
    const jwk = leaf.publicKey.export({format: "jwk"});
    const leafXY = Buffer.concat([Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
    if (!ecdsaOk(leafXY, a.qeReport, a.qeReportSignature)) why.push("qe report signature");
  }
  const bind = sha256(Buffer.concat([a.ecdsaAttestationKey, a.qeAuthData]));
  const qeRd = a.qeReport.subarray(320, 384);
  if (!eq(qeRd.subarray(0, 32), bind) || !eq(qeRd.subarray(32), Buffer.alloc(32))) why.push("qe binding");
  if (!ecdsaOk(a.ecdsaAttestationKey, qb.subarray(0, 432), a.ecdsaSignature)) why.push("quote signature");
  return {ok: why.length === 0, why: why.join(", "), mrEnclave: body?.mrEnclave};
}

function ours(qb) {
  const f = path.join(tmp, "q.bin");
  writeFileSync(f, qb);
  const r = spawnSync(bin, ["evidence", "verify", "--allow-simulated", "--evidence", f], {encoding: "utf8"});
  return r.status;
}

try {
  const rd = randomBytes(64);
  const qf = path.join(tmp, "quote.bin"), cf = path.join(tmp, "certs.pem");
  mkdirSync(path.join(tmp, "data"));
  const t = spawnSync(tool, [path.join(tmp, "data"), rd.toString("hex"), qf, cf], {encoding: "utf8"});
  check(t.status === 0, `sim_evidence_tool: ${t.stderr}`);
  const qb = readFileSync(qf);
  const o = oracle(qb, rd);
  check(o.ok, `the oracle refuses the sim evidence: ${o.why}`);
  check(o.mrEnclave && eq(o.mrEnclave, sha256(Buffer.from("secure-signer/tee/sim/mrenclave/v1"))),
        "MRENCLAVE is SHA-256 of the documented label");
  check(ours(qb) === 0, "secure-signer evidence verify --allow-simulated refuses it");
  check(readFileSync(cf, "latin1") === qb.subarray(qb.length - 1 - readFileSync(cf).length, qb.length - 1).toString("latin1"),
        "the certs are the quote's chain");
  // Bit flips across the quote: header, body (measurement, report data), the signature,
  // the attestation key, the QE report, its signature, the auth data, the chain.
  const offsets = [0x0c, 112, 200, 368, 430, 436 + 5, 436 + 64 + 5, 436 + 128 + 64, 436 + 128 + 320,
                   436 + 128 + 384 + 10, 436 + 128 + 384 + 64 + 4];
  for (const off of offsets) {
    const t = Buffer.from(qb);
    t[off] ^= 0x04;
    const ov = oracle(t, rd).ok;
    const sv = ours(t);
    check(!ov, `oracle accepts a flip at ${off}`);
    check(sv !== 0, `secure-signer accepts a flip at ${off} (exit ${sv})`);
  }
} finally {
  rmSync(tmp, {recursive: true, force: true});
}
console.log(`${checks - failures}/${checks} checks agree`);
process.exit(failures ? 1 : 0);
