// Secure-Signer's own API (issue 13) against independent implementations, on the real
// binary over HTTP:
//   ecies    eciesjs (configured as ecies-rs 0.2: uncompressed ephemeral key, uncompressed
//            HKDF input, 16-byte nonce) and our crypto/ecies.c agree byte for byte both
//            ways: node encrypts → C decrypts, C encrypts → node decrypts (ecies_tool);
//   import   against --tee sim: the attested secp256k1 key from POST /eth/v1/keygen/
//            secp256k1, a password eciesjs encrypts to it, keystores of
//            @chainsafe/bls-keystore (scrypt and pbkdf2) imported through POST
//            /eth/v1/keystores (Keymanager body and the original's one-keystore body); the
//            keys sign; a wrong ciphertext, a key that is not ours and a wrong password are
//            refused and import nothing;
//   deposit  deposit data for 1 and for 100 keys: roots equal @lodestar/types'
//            DepositMessage / DepositData hashTreeRoot, signatures verify with
//            @chainsafe/blst over the deposit domain.
// Usage: crosscheck.mjs [ecies] [import] [deposit]   (all by default)
import {execFileSync, spawn, spawnSync} from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import {createRequire} from "node:module";
import os from "node:os";
import path from "node:path";
import {pathToFileURL} from "node:url";
import assert from "node:assert/strict";

const require = createRequire(path.join(process.env.NODE_PATH, "resolve.js"));
async function imp(spec) {
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const sub = "." + spec.slice(name.length);
  const dir = path.join(process.env.NODE_PATH ?? "node_modules", name);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  let entry = pkg.exports?.[sub] ?? (sub === "." ? pkg.exports ?? pkg.module ?? pkg.main : undefined);
  while (entry && typeof entry === "object") entry = entry.import ?? entry.default ?? entry["."];
  if (typeof entry !== "string") throw new Error(`cannot resolve ${spec}`);
  return import(pathToFileURL(path.join(dir, entry)).href);
}
const ecies = require("eciesjs");
const {create, defaultPbkdfModule, defaultScryptModule} = require("@chainsafe/bls-keystore");
const blst = (await imp("@chainsafe/blst")).default ?? (await imp("@chainsafe/blst"));
const {ssz} = await imp("@lodestar/types");

const build = process.env.SS_BUILD_DIR;
assert.ok(build, "SS_BUILD_DIR must point at the build tree");
const binary = path.join(build, "secure-signer");
const tool = path.join(build, "tests/api/ecies_tool");
const sections = process.argv.slice(2).length ? process.argv.slice(2) : ["ecies", "import", "deposit"];
const hex = (b) => Buffer.from(b).toString("hex");
const unhex = (s) => Buffer.from(s.replace(/^0x/, ""), "hex");

// The ecies-rs 0.2 format, said explicitly rather than trusted to eciesjs's defaults.
Object.assign(ecies.ECIES_CONFIG, {ellipticCurve: "secp256k1", isEphemeralKeyCompressed: false,
  isHkdfKeyCompressed: false, symmetricAlgorithm: "aes-256-gcm", symmetricNonceLength: 16});

// ---- ecies ---------------------------------------------------------------------------
function eciesSection() {
  const sk = new ecies.PrivateKey();
  const pk33 = sk.publicKey.toBytes(true), pk65 = sk.publicKey.toBytes(false);
  assert.equal(pk33.length, 33);
  const texts = ["", "a", "somepassword\n", "𝔱𝔢𝔰𝔱𝔭𝔞𝔰𝔰𝔴𝔬𝔯𝔡🔑", crypto.randomBytes(1000).toString("latin1")];
  for (const t of texts) {
    const pt = Buffer.from(t, "utf8");
    // node → C
    const ct = Buffer.from(ecies.encrypt(pk33, pt));
    assert.equal(ct.length, 65 + 16 + 16 + pt.length, "eciesjs layout");
    assert.equal(ct[0], 4, "eciesjs: uncompressed ephemeral key");
    const out = execFileSync(tool, ["decrypt", hex(sk.secret), hex(ct)]).toString().trim();
    assert.equal(out, hex(pt), "C decrypts what eciesjs encrypted");
    // C → node, to the compressed and the uncompressed key
    for (const pk of [pk33, pk65]) {
      const c = unhex(execFileSync(tool, ["encrypt", hex(pk), hex(pt) || "0x"]).toString().trim());
      assert.equal(c.length, 65 + 16 + 16 + pt.length, "C layout");
      assert.equal(hex(Buffer.from(ecies.decrypt(sk.secret, c))), hex(pt), "eciesjs decrypts what C encrypted");
    }
    // a changed byte anywhere (ephemeral key, nonce, tag, body) does not decrypt
    for (const at of [1, 70, 90, ct.length - 1]) {
      if (at >= ct.length) continue;
      const bad = Buffer.from(ct);
      bad[at] ^= 1;
      const r = spawnSync(tool, ["decrypt", hex(sk.secret), hex(bad)]);
      assert.equal(r.status, 1, `tampered byte ${at} must not decrypt`);
    }
  }
  // another key does not decrypt
  const other = new ecies.PrivateKey();
  const ct = Buffer.from(ecies.encrypt(pk33, Buffer.from("x")));
  assert.equal(spawnSync(tool, ["decrypt", hex(other.secret), hex(ct)]).status, 1);
  console.log("ok   ecies: eciesjs <-> crypto/ecies.c byte for byte, both ways");
}

// ---- a running signer ----------------------------------------------------------------
async function startSigner(dir, sks, extra = []) {
  const keyDir = path.join(dir, "keys");
  fs.mkdirSync(keyDir, {recursive: true});
  sks.forEach((sk, i) => fs.writeFileSync(path.join(keyDir, `k${i}.yaml`),
    `type: "file-raw"\nkeyType: "BLS"\nprivateKey: "0x${hex(sk.toBytes())}"\n`));
  const dataDir = path.join(dir, "data");
  const log = fs.openSync(path.join(dir, "signer.log"), "a");
  const child = spawn(binary, ["run", "--http-listen-port=0", `--data-dir=${dataDir}`,
    `--key-config-path=${keyDir}`, "--network=mainnet", "--key-manager-api-enabled", ...extra],
    {stdio: ["ignore", log, log]});
  const ports = path.join(dataDir, "secure-signer.ports");
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw Error(`secure-signer exited: ${fs.readFileSync(path.join(dir, "signer.log"), "utf8")}`);
    if (fs.existsSync(ports)) {
      const m = /http-port=(\d+)/.exec(fs.readFileSync(ports, "utf8"));
      if (m) {
        const token = fs.readFileSync(path.join(dataDir, "keymanager.token"), "utf8").trim();
        return {child, url: `http://127.0.0.1:${m[1]}`, token};
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw Error("secure-signer did not start");
}
async function stop(s) {
  s.child.kill("SIGTERM");
  await new Promise((r) => s.child.exitCode !== null ? r() : s.child.on("exit", r));
}
async function call(s, method, p, body) {
  const res = await fetch(s.url + p, {method, headers: {"Authorization": `Bearer ${s.token}`,
    "Content-Type": "application/json", "Accept": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return {status: res.status, json, text};
}

// DOMAIN_DEPOSIT with fork version v and a zero genesis validators root (compute_domain).
function depositDomain(v) {
  const forkDataRoot = ssz.phase0.ForkData.hashTreeRoot({currentVersion: v, genesisValidatorsRoot: new Uint8Array(32)});
  return Uint8Array.from([3, 0, 0, 0, ...forkDataRoot.slice(0, 28)]);
}
function checkDeposit(d, want, fork) {
  assert.equal(d.pubkey, want.pubkey);
  assert.equal(d.withdrawal_credentials, want.wc);
  assert.equal(d.amount, want.amount);
  assert.equal(d.fork_version, hex(fork));
  const msg = {pubkey: unhex(d.pubkey), withdrawalCredentials: unhex(d.withdrawal_credentials), amount: d.amount};
  assert.equal(d.deposit_message_root, hex(ssz.phase0.DepositMessage.hashTreeRoot(msg)), "deposit_message_root");
  assert.equal(d.deposit_data_root, hex(ssz.phase0.DepositData.hashTreeRoot({...msg, signature: unhex(d.signature)})), "deposit_data_root");
  const root = ssz.phase0.SigningData.hashTreeRoot({objectRoot: ssz.phase0.DepositMessage.hashTreeRoot(msg), domain: depositDomain(fork)});
  assert.ok(blst.verify(root, blst.PublicKey.fromBytes(unhex(d.pubkey)), blst.Signature.fromBytes(unhex(d.signature))),
    `deposit signature of ${d.pubkey} does not verify`);
}

// ---- deposit -------------------------------------------------------------------------
async function depositSection() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-ssapi-dep-"));
  const sks = Array.from({length: 100}, () => blst.SecretKey.fromKeygen(crypto.randomBytes(32)));
  const s = await startSigner(dir, sks);
  try {
    const addr = crypto.randomBytes(20);
    const wc = (i) => i % 3 === 0 ? "00" + hex(crypto.randomBytes(31))
      : (i % 3 === 1 ? "01" : "02") + "00".repeat(11) + hex(addr);
    for (const n of [1, 100]) {
      const want = sks.slice(0, n).map((sk, i) => ({pubkey: hex(sk.toPublicKey().toBytes()), wc: wc(i + n),
        amount: 32000000000 + i * 1000000000}));
      const hoodi = Uint8Array.from([0x10, 0x00, 0x09, 0x10]);
      const r = await call(s, "POST", "/api/v1/eth2/deposit", {genesis_fork_version: "0x" + hex(hoodi),
        deposits: want.map((w) => ({pubkey: "0x" + w.pubkey, withdrawal_credentials: "0x" + w.wc, amount: String(w.amount)}))});
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.length, n);
      r.json.forEach((d, i) => { checkDeposit(d, want[i], hoodi); assert.equal(d.network_name, "hoodi"); });
      console.log(`ok   deposit: ${n} key(s) match @lodestar/types roots and verify with @chainsafe/blst`);
    }
  } finally {
    await stop(s);
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

// ---- import --------------------------------------------------------------------------
async function importSection() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ss-ssapi-imp-"));
  const s = await startSigner(dir, [], ["--tee=sim"]);
  try {
    const k = await call(s, "POST", "/eth/v1/keygen/secp256k1", {nonce: "0x" + "ab".repeat(32)});
    assert.equal(k.status, 200, k.text);
    assert.match(k.json.pk_hex, /^0x0[23][0-9a-f]{64}$/);
    assert.equal(k.json.evidence.binding, "secure-signer/keygen/secp256k1/v1");
    const list = await call(s, "GET", "/eth/v1/keygen/secp256k1");
    assert.deepEqual(list.json.data, [{pubkey: k.json.pk_hex}]);
    const enc = unhex(k.json.pk_hex);

    const kdfs = {
      scrypt: () => ({...defaultScryptModule(), params: {...defaultScryptModule().params, n: 16384}}),
      pbkdf2: () => ({...defaultPbkdfModule(), params: {...defaultPbkdfModule().params, c: 4096}}),
    };
    const keystores = {};
    for (const kdf of ["scrypt", "pbkdf2"]) {
      const sk = blst.SecretKey.fromKeygen(crypto.randomBytes(32));
      const pk = sk.toPublicKey().toBytes();
      const pw = `pässword-${kdf}`;
      keystores[kdf] = {sk, pk: "0x" + hex(pk), pw,
        json: JSON.stringify(await create(pw, sk.toBytes(), pk, "m/12381/3600/0/0/0", null, kdfs[kdf]()))};
    }
    const listed = async () => (await call(s, "GET", "/eth/v1/keystores")).json.data.map((d) => d.validating_pubkey);
    const ct = (pw, to = enc) => "0x" + hex(ecies.encrypt(to, Buffer.from(pw, "utf8")));

    // refused whole, nothing imported: a ciphertext changed in transit, a key that is not
    // the signer's, and (per keystore) a wrong password
    const bad = Buffer.from(unhex(ct(keystores.scrypt.pw)));
    bad[bad.length - 1] ^= 1;
    let r = await call(s, "POST", "/eth/v1/keystores", {keystores: [keystores.scrypt.json, keystores.pbkdf2.json],
      encrypted_passwords: [ct(keystores.scrypt.pw), "0x" + hex(bad)], encrypting_pk: k.json.pk_hex});
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.message, /encrypted_passwords\[1\] does not decrypt/);
    const stranger = new ecies.PrivateKey();
    r = await call(s, "POST", "/eth/v1/keystores", {keystores: [keystores.scrypt.json],
      encrypted_passwords: [ct(keystores.scrypt.pw, stranger.publicKey.toBytes(true))],
      encrypting_pk: "0x" + hex(stranger.publicKey.toBytes(true))});
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.message, /not an attested secp256k1 key/);
    r = await call(s, "POST", "/eth/v1/keystores", {keystore: keystores.pbkdf2.json,
      ct_password_hex: ct("wrong password"), encrypting_pk_hex: k.json.pk_hex, slashing_protection: null});
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.data[0].status, "error");
    assert.deepEqual(await listed(), [], "nothing imported");

    // the Keymanager body with encrypted passwords (scrypt), the original's body (pbkdf2)
    r = await call(s, "POST", "/eth/v1/keystores", {keystores: [keystores.scrypt.json],
      encrypted_passwords: [ct(keystores.scrypt.pw)], encrypting_pk: k.json.pk_hex});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data, [{status: "imported"}]);
    r = await call(s, "POST", "/eth/v1/keystores", {keystore: keystores.pbkdf2.json,
      ct_password_hex: ct(keystores.pbkdf2.pw).slice(2), encrypting_pk_hex: k.json.pk_hex.slice(2),
      slashing_protection: null});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data, [{status: "imported", message: keystores.pbkdf2.pk}]);
    assert.deepEqual((await listed()).sort(), [keystores.scrypt.pk, keystores.pbkdf2.pk].sort());

    // both keys sign, with the keystores' secrets
    const fork = Uint8Array.from([0, 0, 0, 0]);
    for (const kdf of ["scrypt", "pbkdf2"]) {
      const ks = keystores[kdf];
      const w = {pubkey: ks.pk.slice(2), wc: "00" + "11".repeat(31), amount: 32000000000};
      r = await call(s, "POST", "/api/v1/eth2/deposit", {deposits: [{pubkey: ks.pk, withdrawal_credentials: "0x" + w.wc, amount: w.amount}]});
      assert.equal(r.status, 200, r.text);
      checkDeposit(r.json[0], w, fork);
      const expect = hex(ks.sk.sign(ssz.phase0.SigningData.hashTreeRoot({
        objectRoot: ssz.phase0.DepositMessage.hashTreeRoot({pubkey: unhex(w.pubkey), withdrawalCredentials: unhex(w.wc), amount: w.amount}),
        domain: depositDomain(fork)})).toBytes());
      assert.equal(r.json[0].signature, expect, `${kdf}: signed with the keystore's key`);
    }
    console.log("ok   import: eciesjs-encrypted passwords import scrypt and pbkdf2 keystores; refusals import nothing");
  } finally {
    await stop(s);
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

if (sections.includes("ecies")) eciesSection();
if (sections.includes("deposit")) await depositSection();
if (sections.includes("import")) await importSection();
