// A Commit-Boost signer API v0.2.0 client written from reference/signing-apis-2026.md
// §8.1-8.2 (not from our C code): JWTs signed with jose (HS256, claims exp / module / route
// / payload_hash), keccak-256 from @noble/hashes, signing roots merkleised by hand with
// node:crypto's SHA-256. It drives every route of the real secure-signer binary over
// HTTP and checks:
//   - BLS signatures (consensus, proxy, delegations) verify with @chainsafe/blst;
//   - ECDSA proxy signatures recover (@noble/curves) to the proxy's 20-byte address;
//   - each authentication failure mode is 401 and changes nothing; 3 failures from one
//     address lock it out (429), also when they arrive at once, and the lock-out ends;
//   - the guards: allow-list, proxy-only, replay protection by nonce;
//   - a module never sees or uses another module's proxies; admin /reload, /revoke_jwt;
//   - the proxies of a consensus key deleted over the Keymanager API stop signing (404)
//     and drop out of get_pubkeys, in both dialects, and sign again once it is imported;
//   - proxies survive a restart and kill -9; `keys proxy list|delete` from the CLI;
//   - the legacy Web3Signer dialect (§8.5) with the same key store.
import {spawn, spawnSync, execFileSync} from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import assert from "node:assert/strict";
import {createRequire} from "node:module";

// ES module imports ignore NODE_PATH; CommonJS require honours it (run-npm-test sets it).
const require = createRequire(import.meta.url);
const blst = require("@chainsafe/blst");
const {keccak_256} = require("@noble/hashes/sha3");
const {secp256k1} = require("@noble/curves/secp256k1");
const jose = require("jose");

const buildDir = process.env.SS_BUILD_DIR;
assert.ok(buildDir, "SS_BUILD_DIR must point at the build tree");
const binary = path.join(buildDir, "secure-signer");
const LOCKOUT_S = 3;

const hex = (b) => "0x" + Buffer.from(b).toString("hex");
const unhex = (s) => Buffer.from(s.replace(/^0x/, ""), "hex");
const sha256 = (...parts) => crypto.createHash("sha256").update(Buffer.concat(parts)).digest();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let checks = 0;
function ok(cond, msg) {
  assert.ok(cond, msg);
  checks++;
}

// ---- signing roots (reference §8.2), written out from the text ----------------------
const MAINNET_GFV = Buffer.from("00000000", "hex");
function cbDomain(gfv) {
  const forkDataRoot = sha256(Buffer.concat([gfv, Buffer.alloc(28)]), Buffer.alloc(32));
  return Buffer.concat([Buffer.from("6d6d6f43", "hex"), forkDataRoot.subarray(0, 28)]);
}
const DOMAIN = cbDomain(MAINNET_GFV);
assert.equal(hex(DOMAIN), "0x6d6d6f43f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9");
const signingData = (root, domain) => sha256(root, domain);
function infoRoot(data, signingId, nonce, chainId) {
  const n = Buffer.alloc(32);
  n.writeBigUInt64LE(BigInt(nonce));
  const c = Buffer.alloc(32);
  c.writeBigUInt64LE(BigInt(chainId)); // chain ids here fit in 64 bits; le256
  return sha256(sha256(data, signingId), sha256(n, c));
}
const pad = (b, n) => Buffer.concat([b, Buffer.alloc(n - b.length)]);
function delegationRoot(delegator, proxy) {
  const d = sha256(delegator.subarray(0, 32), pad(delegator.subarray(32), 32));
  const p = proxy.length === 20 ? pad(proxy, 32) : sha256(proxy.subarray(0, 32), pad(proxy.subarray(32), 32));
  return sha256(d, p);
}
const blsVerify = (pk, msg, sig) =>
  blst.verify(msg, blst.PublicKey.fromBytes(unhex(pk), true), blst.Signature.fromBytes(unhex(sig), true), true, true);
function ecdsaRecoverAddress(root, sigHex) {
  const sig = unhex(sigHex);
  assert.equal(sig.length, 65);
  const v = sig[64];
  ok(v === 27 || v === 28, `v is 27/28, got ${v}`);
  const s = secp256k1.Signature.fromCompact(sig.subarray(0, 64)).addRecoveryBit(v - 27);
  const pub = s.recoverPublicKey(root).toRawBytes(false);
  return {address: hex(keccak_256(pub.subarray(1)).slice(12)), pub33: hex(s.recoverPublicKey(root).toRawBytes(true))};
}

// ---- the signer ---------------------------------------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-cb-"));
const keyDir = path.join(dir, "keys");
const dataDir = path.join(dir, "data");
fs.mkdirSync(keyDir);
const sks = [0, 1].map(() => blst.SecretKey.fromKeygen(crypto.randomBytes(32)));
const pks = sks.map((sk) => hex(sk.toPublicKey().toBytes()));
sks.forEach((sk, i) => fs.writeFileSync(path.join(keyDir, `k${i}.yaml`),
  `type: "file-raw"\nkeyType: "BLS"\nprivateKey: "${hex(sk.toBytes())}"\n`));
const SID = {A: hex(Buffer.alloc(32, 0xa1)), B: hex(Buffer.alloc(32, 0xb2)), C: hex(Buffer.alloc(32, 0xc3))};
const SECRET = {MOD_A: "secret-of-a", MOD_B: "secret-of-b", MOD_C: "inline-secret-c"};
const ADMIN = "admin-secret";
const INLINE_A = "inline-a-the-secrets-file-overrides"; // MOD_A's, overridden by jwt.secrets
fs.writeFileSync(path.join(dir, "modules.yaml"), `modules:
  - id: MOD_A
    signing_id: "${SID.A}"
    replay_protection: true
    jwt_secret: "${INLINE_A}"
  - id: MOD_B
    signing_id: "${SID.B}"
    proxy_only: true
    allowed_keys: ["${pks[0]}"]
  - id: MOD_C
    signing_id: "${SID.C}"
    jwt_secret: "${SECRET.MOD_C}"
`);
fs.writeFileSync(path.join(dir, "jwt.secrets"), `# module secrets\nMOD_A=${SECRET.MOD_A}\nMOD_B=${SECRET.MOD_B}\n`);
fs.writeFileSync(path.join(dir, "admin.secret"), ADMIN + "\n");

let child = null;
let base = null;
let tls = false; // the listener shares the signing listener's TLS settings
async function start(extra = []) {
  const log = fs.openSync(path.join(dir, "signer.log"), "a");
  const ports = path.join(dataDir, "secure-signer.ports");
  fs.rmSync(ports, {force: true});
  child = spawn(binary, ["run", "--http-listen-port=0", `--data-dir=${dataDir}`, `--key-config-path=${keyDir}`,
    "--network=mainnet", "--commit-boost-api-enabled", "--commit-boost-http-listen-port=0",
    `--commit-boost-modules-file=${dir}/modules.yaml`, `--commit-boost-jwt-secrets-file=${dir}/jwt.secrets`,
    `--commit-boost-admin-jwt-secret-file=${dir}/admin.secret`, `--Xcommit-boost-jwt-lockout-seconds=${LOCKOUT_S}`,
    ...extra], {stdio: ["ignore", log, log]});
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw Error(`secure-signer exited: see ${dir}/signer.log`);
    if (fs.existsSync(ports)) {
      const text = fs.readFileSync(ports, "utf8");
      const m = /commit-boost-port=(\d+)/.exec(text);
      if (m) {
        base = {port: Number(m[1]), main: Number(/http-port=(\d+)/.exec(text)[1])};
        return;
      }
    }
    await sleep(100);
  }
  throw Error("secure-signer did not start");
}
async function stop(signal = "SIGTERM") {
  const done = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await done;
  child = null;
}

// One HTTP request from a chosen loopback address (the lock-out is per client address).
let nextAddr = 10;
const freshAddr = () => `127.0.0.${nextAddr++}`;
function request(method, route, {body, token, from = "127.0.0.1"} = {}) {
  return new Promise((resolve, reject) => {
    const headers = {Host: `127.0.0.1:${base.port}`};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = Buffer.byteLength(body);
    }
    const opts = {host: "127.0.0.1", port: base.port, method, path: route, headers, localAddress: from};
    if (tls) opts.ca = fs.readFileSync(path.join(dir, "cert.pem"));
    const req = (tls ? https : http).request(opts, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({status: res.statusCode, text: data, type: res.headers["content-type"] || ""}));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// The JWT as Commit-Boost's create_jwt makes it (reference §8.1).
async function jwt(module, route, body, {secret, exp, omitHash, hash, admin} = {}) {
  const claims = admin ? {admin: true, route} : {module, route};
  if (body !== undefined && !omitHash) claims.payload_hash = hex(keccak_256(Buffer.from(body)));
  if (hash !== undefined) claims.payload_hash = hash;
  const key = new TextEncoder().encode(secret ?? (admin ? ADMIN : SECRET[module]));
  return new jose.SignJWT(claims).setProtectedHeader({alg: "HS256", typ: "JWT"})
    .setExpirationTime(exp ?? Math.floor(Date.now() / 1000) + 300).sign(key);
}
async function call(module, method, route, obj, opts = {}) {
  const body = obj === undefined ? undefined : typeof obj === "string" ? obj : JSON.stringify(obj);
  const token = opts.token ?? (await jwt(module, route, body, opts));
  const r = await request(method, route, {body, token, from: opts.from});
  r.json = r.type.startsWith("application/json") && r.text ? JSON.parse(r.text) : undefined;
  return r;
}
const objRoot = () => crypto.randomBytes(32);

// The Keymanager API on the signing listener (--key-manager-api-enabled): its bearer
// token is in <data-dir>/keymanager.token.
function keymanager(method, obj) {
  const body = JSON.stringify(obj);
  const token = fs.readFileSync(path.join(dataDir, "keymanager.token"), "utf8").trim();
  return new Promise((resolve, reject) => {
    const req = http.request({host: "127.0.0.1", port: base.main, method, path: "/eth/v1/keystores",
      headers: {Host: `127.0.0.1:${base.main}`, Authorization: `Bearer ${token}`, "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(body)}}, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({status: res.statusCode, json: data ? JSON.parse(data) : undefined}));
    });
    req.on("error", reject);
    req.end(body);
  });
}
// An EIP-2335 keystore of the shared vectors (web3signer/valid/bls_keystore.json,
// password "somepassword"), for a key the Keymanager API may delete and import again
// (keys of --key-config-path files follow their files and cannot be deleted).
const vectorsDir = process.env.SECURE_SIGNER_VECTORS || path.join(process.env.SS_SOURCE_DIR || ".", "../shared/vectors");
const KS_FILE = path.join(vectorsDir, "eip2335-keystore/web3signer/valid/bls_keystore.json");
const KS_PK = "0x98d083489b3b06b8740da2dfec5cc3c01b2086363fe023a9d7dc1f907633b1ff11f7b99b19e0533e969862270061d884";
const haveKeystore = fs.existsSync(KS_FILE);
const importKs = () => keymanager("POST", {keystores: [fs.readFileSync(KS_FILE, "utf8")], passwords: ["somepassword"]});
const deleteKs = () => keymanager("DELETE", {pubkeys: [KS_PK]});

// A configuration that cannot work stops the start with a message naming the problem.
function refusedStart(modulesYaml, extra, want) {
  const f = path.join(dir, "bad-modules.yaml");
  fs.writeFileSync(f, modulesYaml);
  const r = spawnSync(binary, ["run", "--http-listen-port=0", `--data-dir=${path.join(dir, "bad-data")}`,
    "--network=mainnet", "--commit-boost-api-enabled", "--commit-boost-http-listen-port=0",
    `--commit-boost-modules-file=${f}`, ...extra], {encoding: "utf8", timeout: 30000});
  ok(r.status !== 0 && (r.stdout + r.stderr).includes(want), `start refused (${want}): ${r.status} ${r.stderr}`);
}

try {
  const sid = (b) => `"${hex(Buffer.alloc(32, b))}"`;
  refusedStart(`modules:\n  - id: A\n    signing_id: ${sid(1)}\n  - id: B\n    signing_id: ${sid(1)}\n`, [], "share a signing_id");
  refusedStart(`modules:\n  - id: A\n    signing_id: ${sid(0)}\n`, [], "not zero");
  refusedStart(`modules:\n  - id: A\n`, [], "signing_id is missing");
  refusedStart(`modules:\n  - id: A\n    signing_id: ${sid(1)}\n    proxy_onyl: true\n`, [], "unknown key proxy_onyl");
  refusedStart(`modules:\n  - id: A\n    signing_id: ${sid(1)}\n  - id: A\n    signing_id: ${sid(2)}\n`, [], "listed twice");
  // the owner of the unauthenticated legacy dialect's proxies is no module's id
  refusedStart(`modules:\n  - id: legacy\n    signing_id: ${sid(1)}\n`, [], "id legacy is reserved");
  fs.writeFileSync(path.join(dir, "stray.secrets"), "A=x\nGHOST=y\n");
  refusedStart(`modules:\n  - id: A\n    signing_id: ${sid(1)}\n`, [`--commit-boost-jwt-secrets-file=${dir}/stray.secrets`],
    "entry 2 names no module");
  // a line that is a secret alone (base64 with '=' padding, its MODULE_ID= forgotten):
  // refused by line number, the text before '=' (the secret) appears nowhere
  {
    const secret = "c2VjcmV0LW9mLWEtbW9kdWxl";
    fs.writeFileSync(path.join(dir, "noid.secrets"), `A=x\n${secret}==\n`);
    const r = spawnSync(binary, ["run", "--http-listen-port=0", `--data-dir=${path.join(dir, "bad-data")}`,
      "--network=mainnet", "--commit-boost-api-enabled", "--commit-boost-http-listen-port=0",
      `--commit-boost-modules-file=${path.join(dir, "bad-modules.yaml")}`,
      `--commit-boost-jwt-secrets-file=${dir}/noid.secrets`], {encoding: "utf8", timeout: 30000});
    const out = r.stdout + r.stderr;
    ok(r.status !== 0 && out.includes("entry 2 names no module") && !out.includes(secret.slice(0, 12)),
      `a secret-only line is refused without showing it: ${out}`);
  }
  refusedStart(`modules:\n  - id: A\n    signing_id: ${sid(1)}\n`, ["--commit-boost-chain-id=0xzz"], "--commit-boost-chain-id");
  // `config check` reads the same files and reports the same problem without starting.
  const check = (extra) => spawnSync(binary, ["config", "check", "--http-listen-port=0", `--data-dir=${path.join(dir, "bad-data")}`,
    "--network=mainnet", "--commit-boost-api-enabled", "--commit-boost-http-listen-port=0",
    `--commit-boost-modules-file=${dir}/bad-modules.yaml`, ...extra], {encoding: "utf8", timeout: 30000});
  let cc = check([`--commit-boost-jwt-secrets-file=${dir}/stray.secrets`]);
  ok(cc.status === 1 && cc.stdout.includes("problem: Commit-Boost API:") && cc.stdout.includes("entry 2 names no module"),
    `config check reports the modules problem: ${cc.stdout}`);
  cc = check([]);
  ok(cc.status === 0 && cc.stdout.includes("configuration OK"), `config check accepts a good modules file: ${cc.stdout}`);
  await start();

  // ---- /status, get_pubkeys ---------------------------------------------------------
  let r = await request("GET", "/status");
  ok(r.status === 200 && r.text === "", "GET /status is 200 with an empty body");
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys");
  ok(r.status === 200, `get_pubkeys: ${r.status} ${r.text}`);
  ok(r.json.keys.length === 2 && r.json.keys.every((k) => pks.includes(k.consensus) &&
    k.proxy_bls.length === 0 && k.proxy_ecdsa.length === 0), "MOD_A sees both keys and no proxies");
  r = await call("MOD_B", "GET", "/signer/v1/get_pubkeys");
  ok(r.json.keys.length === 1 && r.json.keys[0].consensus === pks[0], "MOD_B sees only its allowed key");
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined,
    {secret: INLINE_A, from: freshAddr()});
  ok(r.status === 401, "the secrets file wins over an inline jwt_secret");

  // ---- request_signature/bls --------------------------------------------------------
  async function signBls(module, pk, nonce, extra = {}) {
    const o = objRoot();
    const r = await call(module, "POST", "/signer/v1/request_signature/bls", {pubkey: pk, object_root: hex(o), nonce}, extra);
    return {r, o};
  }
  let {r: rb, o} = await signBls("MOD_A", pks[1], 1);
  ok(rb.status === 200, `bls: ${rb.status} ${rb.text}`);
  ok(rb.json.pubkey === pks[1] && rb.json.object_root === hex(o) && rb.json.module_signing_id === SID.A &&
     rb.json.nonce === 1 && rb.json.chain_id === "0x1", `bls answer fields: ${rb.text}`);
  let root = signingData(infoRoot(o, unhex(SID.A), 1, 1), DOMAIN);
  ok(blsVerify(pks[1], root, rb.json.signature), "consensus signature verifies with blst over the CB root");

  // Bodies of every keccak padding class (around the 136-byte rate) hash alike here and there.
  for (const len of [135, 136, 137, 272, 300]) {
    const o2 = objRoot();
    let body = JSON.stringify({pubkey: pks[0], object_root: hex(o2), nonce: 0});
    body = body.slice(0, -1) + " ".repeat(Math.max(0, len - body.length)) + "}";
    const rr = await call("MOD_C", "POST", "/signer/v1/request_signature/bls", body);
    ok(rr.status === 200 && blsVerify(pks[0], signingData(infoRoot(o2, unhex(SID.C), 0, 1), DOMAIN), rr.json.signature),
      `payload_hash over a ${body.length}-byte body`);
  }

  // The nonce's whole range, 0..2^64-2, is exact (a JSON number; written by hand here,
  // since JSON.stringify has no 64-bit integers).
  const MAXN = (1n << 64n) - 2n;
  {
    const o2 = objRoot();
    const body = `{"pubkey":"${pks[0]}","object_root":"${hex(o2)}","nonce":${MAXN}}`;
    const rr = await call("MOD_C", "POST", "/signer/v1/request_signature/bls", body);
    ok(rr.status === 200 && rr.text.includes(`"nonce":${MAXN},`), `nonce 2^64-2 echoed exactly: ${rr.text}`);
    ok(blsVerify(pks[0], signingData(infoRoot(o2, unhex(SID.C), MAXN, 1), DOMAIN), rr.json.signature),
      "nonce 2^64-2 is in the signing root");
    for (const bad of [`${MAXN + 1n}`, `${MAXN + 2n}`, "-1", "1.5", "1e3", '"7"', "07", "null"]) {
      const b = `{"pubkey":"${pks[0]}","object_root":"${hex(o2)}","nonce":${bad}}`;
      const r2 = await call("MOD_C", "POST", "/signer/v1/request_signature/bls", b);
      ok(r2.status === 400 && r2.text.startsWith("bad request"), `nonce ${bad} refused: ${r2.status} ${r2.text}`);
    }
    const r3 = await call("MOD_C", "POST", "/signer/v1/request_signature/bls", {pubkey: pks[0], object_root: hex(o2)});
    ok(r3.status === 400 && r3.text === "bad request: missing field nonce", "a missing nonce is 400");
  }

  // ---- guards -------------------------------------------------------------------------
  r = (await signBls("MOD_A", pks[1], 1)).r;
  ok(r.status === 409, `replay: reused nonce refused (${r.status} ${r.text})`);
  r = (await signBls("MOD_A", pks[1], 0)).r;
  ok(r.status === 409, "replay: a lower nonce is refused");
  r = (await signBls("MOD_A", pks[1], 2)).r;
  ok(r.status === 200, "replay: the next nonce is signed");
  r = (await signBls("MOD_A", pks[0], 1)).r;
  ok(r.status === 200, "replay: nonces are per key");
  for (let i = 0; i < 2; i++) {
    r = (await signBls("MOD_C", pks[1], 0)).r;
    ok(r.status === 200, "nonce 0 is always allowed for a module without replay protection");
  }
  r = (await signBls("MOD_B", pks[0], 0)).r;
  ok(r.status === 403 && r.type.startsWith("text/plain"), `proxy-only module gets no consensus signature (${r.status} ${r.text})`);
  r = await call("MOD_B", "POST", "/signer/v1/generate_proxy_key", {pubkey: pks[1], scheme: "bls"});
  ok(r.status === 403, `allow-list: MOD_B cannot delegate from a key outside allowed_keys (${r.status})`);
  r = (await signBls("MOD_A", hex(Buffer.alloc(48, 7)), 9)).r;
  ok(r.status === 404 && r.text.startsWith("unknown consensus signer: 0x"), `unknown key: ${r.status} ${r.text}`);
  r = await call("MOD_A", "POST", "/signer/v1/request_signature/bls", {pubkey: pks[0], object_root: "0x12"});
  ok(r.status === 400 && r.text.startsWith("bad request"), `malformed body: ${r.status} ${r.text}`);
  r = await call("MOD_A", "POST", "/signer/v1/generate_proxy_key", {pubkey: pks[0], scheme: "BLS"});
  ok(r.status === 400, "scheme is lower-case in v0.2.0");

  // ---- proxies ------------------------------------------------------------------------
  async function genProxy(module, pk, scheme) {
    const r = await call(module, "POST", "/signer/v1/generate_proxy_key", {pubkey: pk, scheme});
    ok(r.status === 200, `generate_proxy_key ${scheme}: ${r.status} ${r.text}`);
    ok(r.json.message.delegator === pk, "delegation names the consensus key");
    const proxy = unhex(r.json.message.proxy);
    ok(proxy.length === (scheme === "bls" ? 48 : 20), "proxy is a 48-byte key or a 20-byte address");
    ok(blsVerify(pk, signingData(delegationRoot(unhex(pk), proxy), DOMAIN), r.json.signature),
      `the ${scheme} delegation verifies with blst`);
    return r.json.message.proxy;
  }
  const aBls = await genProxy("MOD_A", pks[0], "bls");
  const aEcdsa = await genProxy("MOD_A", pks[0], "ecdsa");
  const bBls = await genProxy("MOD_B", pks[0], "bls");

  async function signProxyBls(module, proxy, nonce, from) {
    const o = objRoot();
    const r = await call(module, "POST", "/signer/v1/request_signature/proxy-bls", {proxy, object_root: hex(o), nonce}, {from});
    return {r, o};
  }
  async function signProxyEcdsa(module, proxy, nonce) {
    const o = objRoot();
    const r = await call(module, "POST", "/signer/v1/request_signature/proxy-ecdsa", {proxy, object_root: hex(o), nonce});
    return {r, o};
  }
  let pb = await signProxyBls("MOD_A", aBls, 5);
  ok(pb.r.status === 200 && pb.r.json.pubkey === aBls && pb.r.json.module_signing_id === SID.A, `proxy-bls: ${pb.r.text}`);
  ok(blsVerify(aBls, signingData(infoRoot(pb.o, unhex(SID.A), 5, 1), DOMAIN), pb.r.json.signature),
    "proxy BLS signature verifies with blst");
  let pe = await signProxyEcdsa("MOD_A", aEcdsa, 5);
  ok(pe.r.status === 200 && pe.r.json.address === aEcdsa && pe.r.json.chain_id === "0x1", `proxy-ecdsa: ${pe.r.text}`);
  ok(ecdsaRecoverAddress(signingData(infoRoot(pe.o, unhex(SID.A), 5, 1), DOMAIN), pe.r.json.signature).address === aEcdsa,
    "ECDSA signature recovers (@noble/curves) to the proxy address");
  ok((await signProxyEcdsa("MOD_A", aEcdsa, 5)).r.status === 409, "replay protection covers proxies");
  pb = await signProxyBls("MOD_B", bBls, 0);
  ok(pb.r.status === 200, "a proxy-only module signs with its proxy");

  // A module never sees or uses another module's proxies.
  r = await call("MOD_C", "GET", "/signer/v1/get_pubkeys");
  ok(r.json.keys.every((k) => k.proxy_bls.length === 0 && k.proxy_ecdsa.length === 0), "MOD_C sees no proxies");
  r = await call("MOD_B", "GET", "/signer/v1/get_pubkeys");
  ok(JSON.stringify(r.json.keys[0].proxy_bls) === JSON.stringify([bBls]) && r.json.keys[0].proxy_ecdsa.length === 0,
    "MOD_B sees only its own proxy");
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys");
  const aKey0 = r.json.keys.find((k) => k.consensus === pks[0]);
  ok(JSON.stringify(aKey0.proxy_bls) === JSON.stringify([aBls]) && JSON.stringify(aKey0.proxy_ecdsa) === JSON.stringify([aEcdsa]),
    "MOD_A sees its two proxies under their delegator");
  ok((await signProxyBls("MOD_C", aBls, 0)).r.status === 404, "MOD_C cannot sign with MOD_A's BLS proxy");
  ok((await signProxyEcdsa("MOD_B", aEcdsa, 0)).r.status === 404, "MOD_B cannot sign with MOD_A's ECDSA proxy");

  // ---- authentication failures: each 401, nothing signed or changed ------------------
  const route = "/signer/v1/request_signature/bls";
  const failures = {
    "bad signature": {secret: "wrong-secret"},
    "expired": {exp: Math.floor(Date.now() / 1000) - 60},
    "wrong route": {route: "/signer/v1/request_signature/proxy-bls"},
    "missing payload_hash": {omitHash: true},
    "wrong payload_hash": {hash: hex(keccak_256(Buffer.from("another body")))},
    "unknown module": {module: "MOD_X", secret: "whatever"},
    "no token": {token: ""},
    "alg none": {token: "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." +
      Buffer.from(JSON.stringify({module: "MOD_A", route, exp: 9e9})).toString("base64url") + "."},
  };
  for (const [name, f] of Object.entries(failures)) {
    const body = JSON.stringify({pubkey: pks[0], object_root: hex(objRoot()), nonce: 100});
    const token = f.token !== undefined ? f.token : await jwt(f.module ?? "MOD_A", f.route ?? route, body, f);
    const rr = await request("POST", route, {body, token: token || undefined, from: freshAddr()});
    ok(rr.status === 401 && rr.text === "unauthorized", `${name}: ${rr.status} ${rr.text}`);
  }
  // payload_hash on a request without a body
  r = await request("GET", "/signer/v1/get_pubkeys",
    {token: await jwt("MOD_A", "/signer/v1/get_pubkeys", "", {}), from: freshAddr()});
  ok(r.status === 401, "payload_hash without a body is 401");
  // within the leeway (exp 5 s ago) a token still passes
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {exp: Math.floor(Date.now() / 1000) - 5});
  ok(r.status === 200, "exp within the 10 s leeway is accepted");
  // exp is any integer (Commit-Boost's is a u64): the largest jansson reads, written by
  // hand since JS numbers stop at 2^53, is far in the future, not an overflow into the past
  {
    const part = (t) => Buffer.from(t).toString("base64url");
    const signed = part(JSON.stringify({alg: "HS256", typ: "JWT"})) + "." +
      part('{"module":"MOD_A","route":"/signer/v1/get_pubkeys","exp":9223372036854775807}');
    const token = signed + "." + crypto.createHmac("sha256", SECRET.MOD_A).update(signed).digest("base64url");
    r = await request("GET", "/signer/v1/get_pubkeys", {token, from: freshAddr()});
    ok(r.status === 200, `exp 2^63-1 is accepted, not taken as expired (${r.status})`);
  }
  // nothing of the refused requests was recorded: nonce 100 is still free for pks[0]
  ok((await signBls("MOD_A", pks[0], 100)).r.status === 200, "refused requests consumed no nonce");
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys");
  ok(r.json.keys.find((k) => k.consensus === pks[0]).proxy_bls.length === 1, "a refused generate_proxy_key made no key");
  for (const [name, f] of Object.entries({"bad signature": {secret: "nope"}, "expired": {exp: 1}})) {
    const body = JSON.stringify({pubkey: pks[0], scheme: "bls"});
    const rr = await request("POST", "/signer/v1/generate_proxy_key",
      {body, token: await jwt("MOD_A", "/signer/v1/generate_proxy_key", body, f), from: freshAddr()});
    ok(rr.status === 401, `generate_proxy_key, ${name}: 401`);
  }
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys");
  ok(r.json.keys.find((k) => k.consensus === pks[0]).proxy_bls.length === 1, "no proxy generated by refused requests");

  // ---- lock-out: 3 failures from one address, then 429 even with a good token; it ends
  const bad = freshAddr();
  for (let i = 0; i < 3; i++) {
    const rr = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {secret: "bad", from: bad});
    ok(rr.status === 401, "failure before the lock-out is 401");
  }
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {from: bad});
  ok(r.status === 429, `locked out after 3 failures (${r.status})`);
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {from: freshAddr()});
  ok(r.status === 200, "other addresses are not locked out");
  // bad tokens sent at once from one address: 3 of them are told 401, the others 429
  {
    const racer = freshAddr();
    const all = await Promise.all(Array.from({length: 24}, (_, i) =>
      call("MOD_A", "POST", "/signer/v1/request_signature/bls", {pubkey: pks[0], object_root: hex(objRoot()), nonce: i},
        {secret: "bad", from: racer})));
    const n401 = all.filter((x) => x.status === 401).length, n429 = all.filter((x) => x.status === 429).length;
    ok(n401 === 3 && n429 === 21, `concurrent failures from one address: ${n401} x 401, ${n429} x 429`);
    r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {from: racer});
    ok(r.status === 429, "the racing address is locked out");
  }
  // failures older than the lock-out period are forgotten (Commit-Boost's rule)
  const slow = freshAddr();
  for (let i = 0; i < 2; i++)
    await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {secret: "bad", from: slow});
  await sleep((LOCKOUT_S + 1) * 1000);
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {from: bad});
  ok(r.status === 200, `the lock-out ends (${r.status})`);
  for (let i = 0; i < 2; i++) {
    r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {secret: "bad", from: slow});
    ok(r.status === 401, `old failures do not count toward the limit (${r.status})`);
  }
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys", undefined, {from: slow});
  ok(r.status === 200, "two recent failures do not lock out");

  // ---- admin routes -------------------------------------------------------------------
  r = await call(null, "POST", "/revoke_jwt", {module_id: "MOD_C"}, {admin: true});
  ok(r.status === 200, `revoke_jwt: ${r.status} ${r.text}`);
  r = await call("MOD_C", "GET", "/signer/v1/get_pubkeys", undefined, {from: freshAddr()});
  ok(r.status === 401, "a revoked module is 401");
  r = await call(null, "POST", "/revoke_jwt", {module_id: "MOD_NOPE"}, {admin: true});
  ok(r.status === 404, `revoking an unknown module is 404 (${r.status} ${r.text})`);
  r = await call("MOD_A", "POST", "/revoke_jwt", {module_id: "MOD_B"}, {from: freshAddr()});
  ok(r.status === 401, "a module token does not open admin routes");
  r = await call(null, "POST", "/reload", {jwt_secrets: `MOD_A=${SECRET.MOD_A},MOD_B=${SECRET.MOD_B},MOD_C=new-c`}, {admin: true});
  ok(r.status === 200, `reload: ${r.status} ${r.text}`);
  r = await call("MOD_C", "GET", "/signer/v1/get_pubkeys", undefined, {secret: "new-c"});
  ok(r.status === 200, "reload installs the new secret");
  r = await call(null, "POST", "/reload", {jwt_secrets: "MOD_Z=zzz"}, {admin: true});
  ok(r.status === 400, "reload naming a module without a signing_id is refused");
  r = await call("MOD_C", "GET", "/signer/v1/get_pubkeys", undefined, {secret: "new-c"});
  ok(r.status === 200, "a refused reload changes nothing");
  r = await call(null, "POST", "/reload", undefined, {admin: true});
  ok(r.status === 200, "reload from the files");
  r = await call("MOD_C", "GET", "/signer/v1/get_pubkeys");
  ok(r.status === 200, "the modules file's secret is back after a reload from the files");

  // ---- restart and kill -9 ---------------------------------------------------------
  await stop("SIGTERM");
  await start();
  pb = await signProxyBls("MOD_A", aBls, 6);
  ok(pb.r.status === 200 && blsVerify(aBls, signingData(infoRoot(pb.o, unhex(SID.A), 6, 1), DOMAIN), pb.r.json.signature),
    "the BLS proxy signs after a restart");
  ok((await signBls("MOD_A", pks[1], 2)).r.status === 409, "nonces survive a restart");
  const aBls2 = await genProxy("MOD_A", pks[1], "bls");
  const aEcdsa2 = await genProxy("MOD_A", pks[1], "ecdsa");
  ok((await signBls("MOD_A", pks[1], 50)).r.status === 200, "nonce 50 signed just before kill -9");
  await stop("SIGKILL");
  await start();
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys");
  const aKey1 = r.json.keys.find((k) => k.consensus === pks[1]);
  ok(aKey1.proxy_bls.includes(aBls2) && aKey1.proxy_ecdsa.includes(aEcdsa2), "proxies made just before kill -9 are there");
  pe = await signProxyEcdsa("MOD_A", aEcdsa2, 1);
  ok(pe.r.status === 200 && ecdsaRecoverAddress(signingData(infoRoot(pe.o, unhex(SID.A), 1, 1), DOMAIN),
    pe.r.json.signature).address === aEcdsa2, "the ECDSA proxy made before kill -9 signs");
  ok((await signBls("MOD_A", pks[1], 50)).r.status === 409, "a nonce answered before kill -9 is remembered");

  // ---- the operator's CLI: keys proxy list | delete -----------------------------------
  const cli = (...a) => execFileSync(binary, ["keys", "proxy", ...a, `--data-dir=${dataDir}`], {encoding: "utf8"});
  // list reads beside the running signer; delete needs it stopped (the data directory lock)
  ok(cli("list").includes(`bls ${aBls2} MOD_A ${pks[1]}`), "keys proxy list works while the signer runs");
  const del = spawnSync(binary, ["keys", "proxy", "delete", aBls2, `--data-dir=${dataDir}`], {encoding: "utf8"});
  ok(del.status !== 0 && del.stderr.includes("in use by a running signer"),
    `keys proxy delete is refused while the signer runs (${del.status} ${del.stderr})`);
  await stop("SIGTERM");
  let listing = cli("list");
  ok(listing.includes(`bls ${aBls} MOD_A ${pks[0]}`) && listing.includes(`ecdsa ${aEcdsa} MOD_A ${pks[0]}`) &&
     listing.includes(`bls ${bBls} MOD_B ${pks[0]}`) && listing.includes(aBls2), `keys proxy list:\n${listing}`);
  cli("delete", aBls);
  cli("delete", aEcdsa);
  listing = cli("list");
  ok(!listing.includes(aBls) && !listing.includes(aEcdsa) && listing.includes(bBls), "keys proxy delete removed both");
  await start();
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys");
  ok(r.json.keys.find((k) => k.consensus === pks[0]).proxy_bls.length === 0, "a deleted proxy is gone after restart");
  ok((await signProxyBls("MOD_A", aBls, 90)).r.status === 404, "a deleted proxy no longer signs");
  // replay protection compares the whole uint64 (the store keeps the bit pattern)
  const big = (n) => `{"pubkey":"${pks[1]}","object_root":"${hex(objRoot())}","nonce":${n}}`;
  const bls = "/signer/v1/request_signature/bls";
  ok((await call("MOD_A", "POST", bls, big((1n << 63n) + 5n))).status === 200, "nonce 2^63+5 is signed");
  ok((await call("MOD_A", "POST", bls, big((1n << 63n) + 4n))).status === 409, "nonce 2^63+4 after it is refused");
  ok((await call("MOD_A", "POST", bls, big(51))).status === 409, "a small nonce after 2^63+5 is refused");
  ok((await call("MOD_A", "POST", bls, big((1n << 64n) - 2n))).status === 200, "nonce 2^64-2 after it is signed");
  await stop("SIGTERM");

  // ---- deleting a consensus key stops its proxies; importing it again restores them ---
  if (!haveKeystore) {
    console.log(`skipped the key-deletion checks: no ${KS_FILE} (set SECURE_SIGNER_VECTORS)`);
  } else {
    await start(["--key-manager-api-enabled"]);
    r = await importKs();
    ok(r.status === 200 && r.json.data[0].status === "imported", `keystore imported: ${JSON.stringify(r.json)}`);
    const kBls = await genProxy("MOD_C", KS_PK, "bls");
    const kEcdsa = await genProxy("MOD_C", KS_PK, "ecdsa");
    ok((await signProxyBls("MOD_C", kBls, 0)).r.status === 200, "the new key's BLS proxy signs");
    ok((await signProxyEcdsa("MOD_C", kEcdsa, 0)).r.status === 200, "the new key's ECDSA proxy signs");
    r = await deleteKs();
    ok(r.status === 200 && r.json.data[0].status === "deleted", `keystore deleted: ${JSON.stringify(r.json)}`);
    pb = await signProxyBls("MOD_C", kBls, 0);
    ok(pb.r.status === 404 && pb.r.text === `unknown proxy signer: ${kBls}`,
      `a BLS proxy of a deleted key is an unknown proxy (${pb.r.status} ${pb.r.text})`);
    pe = await signProxyEcdsa("MOD_C", kEcdsa, 0);
    ok(pe.r.status === 404 && pe.r.text === `unknown proxy signer: ${kEcdsa}`,
      `an ECDSA proxy of a deleted key is an unknown proxy (${pe.r.status} ${pe.r.text})`);
    r = await call("MOD_C", "GET", "/signer/v1/get_pubkeys");
    ok(r.status === 200 && !r.text.includes(KS_PK.slice(2)) && !r.text.includes(kBls.slice(2)) &&
       !r.text.includes(kEcdsa.slice(2)), `get_pubkeys lists neither the deleted key nor its proxies: ${r.text}`);
    r = await call("MOD_C", "POST", "/signer/v1/generate_proxy_key", {pubkey: KS_PK, scheme: "bls"});
    ok(r.status === 404 && r.text.startsWith("unknown consensus signer"), `no proxy for a deleted key (${r.status} ${r.text})`);
    // the proxies stay sealed: the operator still sees them, and the key's return restores them
    ok(cli("list").includes(`bls ${kBls} MOD_C ${KS_PK}`), "the deleted key's proxy is still in the sealed store");
    r = await importKs();
    ok(r.status === 200 && r.json.data[0].status === "imported", `keystore imported again: ${JSON.stringify(r.json)}`);
    pb = await signProxyBls("MOD_C", kBls, 0);
    ok(pb.r.status === 200 && blsVerify(kBls, signingData(infoRoot(pb.o, unhex(SID.C), 0, 1), DOMAIN), pb.r.json.signature),
      "the BLS proxy signs again once its key is imported again");
    pe = await signProxyEcdsa("MOD_C", kEcdsa, 0);
    ok(pe.r.status === 200 && ecdsaRecoverAddress(signingData(infoRoot(pe.o, unhex(SID.C), 0, 1), DOMAIN),
      pe.r.json.signature).address === kEcdsa, "the ECDSA proxy signs again once its key is imported again");
    r = await call("MOD_C", "GET", "/signer/v1/get_pubkeys");
    const back = r.json.keys.find((k) => k.consensus === KS_PK);
    ok(back && back.proxy_bls.includes(kBls) && back.proxy_ecdsa.includes(kEcdsa), "get_pubkeys lists them again");
    ok((await deleteKs()).status === 200, "the keystore deleted again (the checks below count two keys)");
    await stop("SIGTERM");
  }

  // ---- TLS: the Commit-Boost listener takes the signing listener's certificate --------
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1"], {stdio: "ignore"});
  await start([`--tls-cert-file=${dir}/cert.pem`, `--tls-key-file=${dir}/key.pem`, "--tls-allow-any-client",
    "--commit-boost-chain-id=560048"]);
  r = await request("GET", "/status").catch((e) => ({status: 0, text: String(e)}));
  ok(r.status === 0, "plain HTTP is not served when TLS is on");
  tls = true;
  r = await call("MOD_A", "GET", "/signer/v1/get_pubkeys");
  ok(r.status === 200 && r.json.keys.length === 2, `get_pubkeys over TLS: ${r.status}`);
  pb = await signProxyBls("MOD_B", bBls, 1);
  ok(pb.r.status === 200 && pb.r.json.chain_id === "0x88bb0" &&
     blsVerify(bBls, signingData(infoRoot(pb.o, unhex(SID.B), 1, 560048), DOMAIN), pb.r.json.signature),
    `a proxy signature over TLS verifies, with --commit-boost-chain-id=560048 in its root: ${pb.r.text}`);
  tls = false;
  await stop("SIGTERM");
  await start(["--commit-boost-chain-id=0x4268"]);
  pb = await signProxyBls("MOD_B", bBls, 2);
  ok(pb.r.status === 200 && pb.r.json.chain_id === "0x4268" &&
     blsVerify(bBls, signingData(infoRoot(pb.o, unhex(SID.B), 2, 17000), DOMAIN), pb.r.json.signature),
    "--commit-boost-chain-id in hex");
  await stop("SIGTERM");

  // ---- legacy Web3Signer dialect (§8.5), same key store -----------------------------
  await start(["--commit-boost-legacy-api-enabled"]);
  r = await request("POST", "/signer/v1/request_signature/bls", {body: "{}"});
  ok(r.status === 404, "legacy mode has no v0.2.0 routes");
  const legacy = async (method, route, obj) => {
    const rr = await request(method, route, {body: obj && JSON.stringify(obj)});
    rr.json = rr.text ? JSON.parse(rr.text) : undefined;
    return rr;
  };
  r = await legacy("POST", "/signer/v1/generate_proxy_key", {pubkey: pks[0], scheme: "BLS"});
  ok(r.status === 200 && blsVerify(pks[0], signingData(delegationRoot(unhex(pks[0]), unhex(r.json.message.proxy)), DOMAIN),
    r.json.signature), `legacy BLS delegation: ${r.text}`);
  const lBls = r.json.message.proxy;
  r = await legacy("POST", "/signer/v1/generate_proxy_key", {pubkey: pks[0], scheme: "ECDSA"});
  const lEcdsa = r.json.message.proxy;
  ok(r.status === 200 && unhex(lEcdsa).length === 33 &&
     blsVerify(pks[0], signingData(delegationRoot(unhex(pks[0]), unhex(lEcdsa)), DOMAIN), r.json.signature),
    "legacy ECDSA delegation names the 33-byte key (Bytes33) and verifies");
  r = await legacy("GET", "/signer/v1/get_pubkeys");
  const lk = r.json.keys.find((k) => k.consensus === pks[0]);
  ok(JSON.stringify(lk.proxy_bls) === JSON.stringify([lBls]) && JSON.stringify(lk.proxy_ecdsa) === JSON.stringify([lEcdsa]),
    "legacy get_pubkeys lists only legacy proxies, ECDSA as 33-byte keys");
  for (const [type, pk] of [["CONSENSUS", pks[1]], ["PROXY_BLS", lBls], ["PROXY_ECDSA", lEcdsa]]) {
    const o2 = objRoot();
    r = await legacy("POST", "/signer/v1/request_signature", {type, pubkey: pk, object_root: hex(o2)});
    ok(r.status === 200 && typeof r.json === "string", `legacy ${type}: ${r.status} ${r.text}`);
    const root2 = signingData(o2, DOMAIN);
    if (type === "PROXY_ECDSA") ok(ecdsaRecoverAddress(root2, r.json).pub33 === pk, "legacy ECDSA recovers to the proxy key");
    else ok(blsVerify(pk, root2, r.json), `legacy ${type} verifies with blst`);
  }
  r = await legacy("POST", "/signer/v1/request_signature", {type: "PROXY_BLS", pubkey: bBls, object_root: hex(objRoot())});
  ok(r.status === 404 && r.json.code === 404, "legacy mode cannot reach a v0.2.0 module's proxy");
  await stop("SIGTERM");

  // the legacy dialect's proxies of a deleted consensus key stop too, and come back with it
  if (haveKeystore) {
    await start(["--commit-boost-legacy-api-enabled", "--key-manager-api-enabled"]);
    ok((await importKs()).json.data[0].status === "imported", "keystore imported (legacy)");
    const lk2 = {};
    for (const scheme of ["BLS", "ECDSA"]) {
      r = await legacy("POST", "/signer/v1/generate_proxy_key", {pubkey: KS_PK, scheme});
      ok(r.status === 200, `legacy ${scheme} proxy of the imported key: ${r.status}`);
      lk2[scheme] = r.json.message.proxy;
    }
    const legacySign = async (type, pubkey) =>
      (await legacy("POST", "/signer/v1/request_signature", {type, pubkey, object_root: hex(objRoot())})).status;
    ok(await legacySign("PROXY_BLS", lk2.BLS) === 200 && await legacySign("PROXY_ECDSA", lk2.ECDSA) === 200,
      "legacy proxies of the imported key sign");
    ok((await deleteKs()).json.data[0].status === "deleted", "keystore deleted (legacy)");
    ok(await legacySign("PROXY_BLS", lk2.BLS) === 404, "legacy PROXY_BLS of a deleted key is 404");
    ok(await legacySign("PROXY_ECDSA", lk2.ECDSA) === 404, "legacy PROXY_ECDSA of a deleted key is 404");
    r = await legacy("GET", "/signer/v1/get_pubkeys");
    ok(r.status === 200 && !r.text.includes(KS_PK.slice(2)) && !r.text.includes(lk2.BLS.slice(2)) &&
       !r.text.includes(lk2.ECDSA.slice(2)), `legacy get_pubkeys lists neither the deleted key nor its proxies: ${r.text}`);
    r = await legacy("POST", "/signer/v1/generate_proxy_key", {pubkey: KS_PK, scheme: "BLS"});
    ok(r.status === 404, `legacy: no proxy for a deleted key (${r.status})`);
    ok((await importKs()).json.data[0].status === "imported", "keystore imported again (legacy)");
    ok(await legacySign("PROXY_BLS", lk2.BLS) === 200 && await legacySign("PROXY_ECDSA", lk2.ECDSA) === 200,
      "legacy proxies sign again once their key is back");
    await stop("SIGTERM");
  }
  // Secrets never reach the log: no module or admin secret, no token.
  const logText = fs.readFileSync(path.join(dir, "signer.log"), "utf8");
  for (const secret of [...Object.values(SECRET), ADMIN, INLINE_A, "new-c", "eyJ"])
    ok(!logText.includes(secret), `the log does not contain ${secret === "eyJ" ? "a JWT" : "a secret"}`);
  ok(logText.includes("unauthorized (bad signature, module MOD_A)"), "auth failures are logged with their reason");
  ok(logText.includes("module MOD_B: consensus-key signature refused (proxy_only)") &&
     logText.includes(`module MOD_B: ${pks[1]} refused (not in allowed_keys)`) &&
     logText.includes("module MOD_A: nonce 1 refused"), "guard refusals are logged");
  console.log(`commit-boost client: ${checks} checks passed`);
} catch (e) {
  console.error(e);
  console.error(`signer log: ${dir}/signer.log`);
  if (child) child.kill("SIGKILL");
  process.exit(1);
}
if (process.env.SS_KEEP_TMP) console.log(`kept ${dir}`);
else fs.rmSync(dir, {recursive: true, force: true});
