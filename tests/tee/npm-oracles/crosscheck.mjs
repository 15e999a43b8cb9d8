// Cross-check of `secure-signer evidence verify` against two independent npm verifiers
// (reference/tee.md §g), on every evidence file of ../shared/vectors/tee/ and on
// tampered copies of them:
//  - @phala/dcap-qvl 0.3.9 (pure JS): verify(quote, collateral, nowSecs) for DCAP;
//  - @lit-protocol/sev-snp-utils-sdk 6.11.5 (WASM, its own Milan/Genoa ARK and ASK):
//    verify_attestation_report(base64(report), vcekDer) for SEV-SNP.
// Agreement means: the same TCB status and advisories when the oracle gives a status;
// a failure of the same kind when it refuses (no TCB level, debug, expired collateral);
// and the same accept/refuse verdict on every tampered copy. Where the two sides differ
// by design, the difference is named here and in docs/tee.md, and checked to be exactly
// that difference:
//  - CRL freshness: dcap-qvl does not enforce a CRL's nextUpdate, secure-signer does (as
//    dcap-qvl-web/webpki does). The mobilecoin collateral's PCK CRL expired before its TCB
//    Info was issued: the oracle gives SWHardeningNeeded, secure-signer the same status
//    and a pck_revocation failure, and nothing else.
//  - VLEK: the lit SDK handles VCEK-signed reports only; secure-signer verifies the VLEK
//    report through the ASVK chain. The oracle's refusal is checked to be that.
//  - The root certificate inside a quote's PCK chain: secure-signer requires it to be the
//    pinned Intel SGX Root CA byte for byte (as Intel's QVL compares it with its trusted
//    root); dcap-qvl uses only its key, so a flipped bit in the root's signature or in its
//    PEM armour passes there. A disagreement is allowed only for a flip inside that last
//    certificate, with secure-signer refusing for pck_chain.
// Env: SS_BUILD_DIR (to find secure-signer), SECURE_SIGNER_VECTORS or ../shared/vectors.
import {spawnSync} from "node:child_process";
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {createRequire} from "node:module";
import {tmpdir} from "node:os";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? "node_modules", "x.js"));
const {verify: dcapVerify} = require("@phala/dcap-qvl");
const lit = require("@lit-protocol/sev-snp-utils-sdk");

const src = process.env.SS_SOURCE_DIR ?? ".";
const vectors = process.env.SECURE_SIGNER_VECTORS ?? path.join(src, "..", "shared", "vectors");
const V = path.join(vectors, "tee");
if (!existsSync(path.join(V, "EXPECTED.json"))) {
  console.log(`SKIP: no TEE vectors at ${V}`);
  process.exit(77);
}
const bin = `${process.env.SS_BUILD_DIR ?? "build"}/secure-signer`;
const expected = JSON.parse(readFileSync(path.join(V, "EXPECTED.json"), "utf8"));
const tmp = mkdtempSync(path.join(tmpdir(), "ss-tee-oracles-"));
let failures = 0, checks = 0;
function check(cond, msg) {
  checks++;
  if (!cond) {
    failures++;
    console.log(`FAIL ${msg}`);
  }
}

// Accept every status the oracle can report as valid (policy is not what is compared).
const ACCEPT = "SWHardeningNeeded,ConfigurationNeeded,ConfigurationAndSWHardeningNeeded";
function ours(args) {
  const r = spawnSync(bin, ["evidence", "verify", ...args], {encoding: "utf8"});
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    throw new Error(`secure-signer printed no JSON for ${args.join(" ")}: ${r.stderr}`);
  }
  out.code = r.status;
  out.checks = (out.failures ?? []).map((f) => f.check);
  return out;
}
function oracleDcap(quote, collateral, when) {
  try {
    const r = dcapVerify(quote, collateral, Math.floor(Date.parse(when) / 1000));
    return {status: r.status, advisories: [...(r.advisory_ids ?? r.advisoryIds ?? [])]};
  } catch (e) {
    return {error: String(e.message ?? e)};
  }
}
const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));
const shift = (iso, days) => new Date(Date.parse(iso) + days * 86400e3).toISOString().replace(/\.000Z$/, "Z");

// ---- DCAP: every quote with collateral, at its time and outside its window ----------
for (const e of expected.dcap) {
  if (!e.collateral) continue;
  const qPath = path.join(V, e.file), cPath = path.join(V, e.collateral);
  const quote = readFileSync(qPath);
  const coll = JSON.parse(readFileSync(cPath, "utf8"));
  const staleCrl = e.collateral_window.pck_crl[1] < e.verify_at;
  const w = e.collateral_window;
  const end = [w.tcb_info[1], w.qe_identity[1]].sort()[0];
  const start = [w.tcb_info[0], w.qe_identity[0]].sort().reverse()[0];
  for (const when of [e.verify_at, shift(end, 1), shift(start, -1)]) {
    const o = oracleDcap(quote, coll, when);
    const s = ours(["--evidence", qPath, "--collateral", cPath, "--now", when, "--accept-tcb", ACCEPT]);
    const tag = `${e.file} at ${when}`;
    if (o.status) {
      check(s.tcb_status === o.status, `${tag}: status ${s.tcb_status}, oracle ${o.status}`);
      check(sameSet(s.advisory_ids, o.advisories), `${tag}: advisories ${s.advisory_ids} vs ${o.advisories}`);
      if (staleCrl)
        check(s.code === 1 && s.checks.join() === "pck_revocation", `${tag}: stale CRL must be the only failure: ${s.checks}`);
      else
        check(s.code === 0, `${tag}: oracle accepts, secure-signer refuses: ${s.checks}`);
    } else if (/No matching TCB level/.test(o.error)) {
      check(s.code === 1 && s.checks.includes("tcb_level"), `${tag}: oracle "${o.error}", ours ${s.checks}`);
    } else if (/Debug mode/.test(o.error)) {
      check(s.code === 1 && s.checks.includes("debug"), `${tag}: oracle "${o.error}", ours ${s.checks}`);
    } else if (/expired|in the future/.test(o.error)) {
      check(s.code === 1 && s.checks.some((c) => /_window$/.test(c)), `${tag}: oracle "${o.error}", ours ${s.checks}`);
    } else {
      check(false, `${tag}: unexpected oracle error "${o.error}"`);
    }
  }
}

// ---- DCAP tampering: the same verdict on single-bit flips all over the quotes -------
let rootCopyFlips = 0;
function* positions(len, n, seed) {
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x % len;
  }
}
for (const e of expected.dcap.filter((d) => d.oracle_result?.status && d.collateral_window.pck_crl[1] >= d.verify_at)) {
  const qPath = path.join(V, e.file), cPath = path.join(V, e.collateral);
  const quote = readFileSync(qPath);
  const coll = JSON.parse(readFileSync(cPath, "utf8"));
  const signedEnd = e.size - e.trailing_bytes_after_signature_data;
  for (const pos of positions(signedEnd, 40, 7 + e.size)) {
    const t = Buffer.from(quote);
    t[pos] ^= 1 << (pos % 8);
    const f = path.join(tmp, "q");
    writeFileSync(f, t);
    const o = oracleDcap(t, coll, e.verify_at);
    const s = ours(["--evidence", f, "--collateral", cPath, "--now", e.verify_at, "--accept-tcb", ACCEPT]);
    // A flip that leaves the quote unparseable is exit 2 for secure-signer (unreadable
    // input); any refusal counts as agreement with an oracle error.
    const oracleOk = !o.error, oursOk = s.code === 0;
    const rootCopy = pos >= quote.lastIndexOf("-----BEGIN CERTIFICATE-----") && oracleOk && !oursOk &&
      s.checks.includes("pck_chain");
    if (rootCopy) rootCopyFlips++;
    check(oracleOk === oursOk || rootCopy, `${e.file} bit ${pos}: oracle ${o.error ?? o.status}, ours ${s.code} ${s.checks ?? s.error}`);
  }
}

// ---- SEV-SNP: every report, and tampered copies --------------------------------------
await lit.initWasmSevSnpUtilsSdk();
async function litVerify(report, vek) {
  try {
    await lit.verify_attestation_report(lit.uint8ArrayToBase64(report), new Uint8Array(vek));
    return {ok: true};
  } catch (e) {
    return {ok: false, error: String(e?.message ?? e)};
  }
}
for (const e of expected.sev_snp) {
  const rPath = path.join(V, e.file), vPath = path.join(V, e.vek_file), cPath = path.join(V, e.ca_chain_file);
  const report = readFileSync(rPath), vek = readFileSync(vPath);
  const when = shift(e.vek.nb, 1);
  const vlek = e.vek.subject.includes("SEV-VLEK");
  const args = (f) => ["--evidence", f, "--certs", vPath, "--certs", cPath, "--now", when, "--allow-debug"];
  const o = await litVerify(report, vek);
  const s = ours(args(rPath));
  if (vlek) {
    // The documented difference: the SDK knows no VLEK chain.
    check(!o.ok && s.code === 0, `${e.file}: VLEK report: lit ${o.ok ? "accepts" : "refuses"}, ours ${s.code} ${s.checks}`);
    continue;
  }
  check(o.ok && s.code === 0, `${e.file}: lit ${o.ok ? "ok" : o.error}, ours ${s.code} ${s.checks}`);
  for (const pos of positions(0x2a0 + 96, 30, 11 + e.guest_svn)) {
    const t = Buffer.from(report);
    t[pos] ^= 1 << (pos % 8);
    const f = path.join(tmp, "r");
    writeFileSync(f, t);
    const ot = await litVerify(t, vek);
    const st = ours(args(f));
    check(ot.ok === (st.code === 0), `${e.file} bit ${pos}: lit ${ot.ok ? "ok" : ot.error}, ours ${st.code} ${st.checks ?? st.error}`);
  }
}

rmSync(tmp, {recursive: true, force: true});
console.log(`${checks - failures} of ${checks} checks agree (${rootCopyFlips} flips in a quote's copy of ` +
  "the Intel root refused by secure-signer only, as documented)");
process.exit(failures ? 1 : 0);
