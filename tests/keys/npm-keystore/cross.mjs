// Cross-check of keys/ (EIP-2335) against @chainsafe/bls-keystore (pinned in
// package-lock.json): keystores it writes (scrypt and pbkdf2, passwords with non-ASCII
// characters, ligatures and control characters) decrypt with ours to the same secret,
// and keystores ours writes decrypt with it. One of its keystores is also imported
// through `secure-signer keys import` and listed.
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

// ES modules ignore NODE_PATH: resolve the pinned package from the folder that
// scripts/run-npm-test installed (npm ci) and exported as NODE_PATH.
const require = createRequire(path.join(process.env.NODE_PATH, "resolve.js"));
const { create, decrypt, defaultPbkdfModule, defaultScryptModule } = require("@chainsafe/bls-keystore");

const build = process.env.SS_BUILD_DIR;
const tool = path.join(build, "tests/keys/keystore_tool");
const cli = path.join(build, "secure-signer");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ss-npm-keystore-"));

const passwords = [
  "testpassword",
  "\u{1D531}\u{1D522}\u{1D530}\u{1D531}\u{1D52D}\u{1D51E}\u{1D530}\u{1D530}\u{1D534}\u{1D52C}\u{1D52F}\u{1D521}\u{1F511}",
  "\uFB01nance \uFB02ow \u01C6", // ligatures fi, fl, dž
  "pass\u0007word\u0080x\u009F\u007Fend\n", // C0, C1, DEL
  "caf\u00E9 \u212B \uFF54\uFF45\uFF53\uFF54", // é, Angstrom sign, fullwidth
  "\u00A0nbsp and spaces  ",
];

let failures = 0, checks = 0;
function check(cond, what) {
  checks++;
  if (!cond) {
    failures++;
    console.error("FAIL", what);
  }
}

function randomSecret() {
  const s = crypto.randomBytes(32);
  s[0] &= 0x3f; // below the group order r
  return s;
}

const hex = (b) => Buffer.from(b).toString("hex");
const kdfs = {
  scrypt: () => ({ ...defaultScryptModule(), params: { ...defaultScryptModule().params, n: 16384 } }),
  pbkdf2: () => ({ ...defaultPbkdfModule(), params: { ...defaultPbkdfModule().params, c: 4096 } }),
};

let first = null;
for (const [i, pw] of passwords.entries()) {
  for (const kdf of ["scrypt", "pbkdf2"]) {
    const name = `${kdf}-${i}`;
    const secret = randomSecret();
    const pubkey = execFileSync(tool, ["pubkey", hex(secret)]).toString().trim();
    const pwFile = path.join(tmp, `${name}.pw`);
    fs.writeFileSync(pwFile, Buffer.from(pw, "utf8"));

    // theirs -> ours
    const theirs = await create(pw, secret, Buffer.from(pubkey, "hex"), `m/12381/3600/${i}/0/0`, null, kdfs[kdf]());
    const theirFile = path.join(tmp, `${name}.theirs.json`);
    fs.writeFileSync(theirFile, JSON.stringify(theirs));
    const r = spawnSync(tool, ["decrypt", theirFile, pwFile]);
    check(r.status === 0 && r.stdout.toString().trim() === hex(secret), `${name}: ours decrypts theirs (${r.stderr})`);
    if (!first) first = { theirFile, pwFile, pubkey };

    // ours -> theirs
    const ours = JSON.parse(execFileSync(tool, ["encrypt", hex(secret), pwFile, kdf, kdf === "scrypt" ? "16384" : "4096"]).toString());
    check(ours.version === 4 && ours.pubkey === pubkey && ours.crypto.kdf.function === kdf, `${name}: our keystore fields`);
    const back = await decrypt(ours, pw);
    check(hex(back) === hex(secret), `${name}: theirs decrypts ours`);

    // a wrong password is refused by both
    const wrongFile = path.join(tmp, `${name}.wrong`);
    fs.writeFileSync(wrongFile, Buffer.from(pw + "x", "utf8"));
    check(spawnSync(tool, ["decrypt", theirFile, wrongFile]).status === 1, `${name}: ours refuses a wrong password`);
    let refused = false;
    try { await decrypt(ours, pw + "x"); } catch { refused = true; }
    check(refused, `${name}: theirs refuses a wrong password`);
  }
}

// the CLI imports one of their keystores and lists its key
const dd = path.join(tmp, "data");
const imp = spawnSync(cli, ["keys", "import", "--keystore", first.theirFile, "--password-file", first.pwFile, "--data-dir", dd]);
check(imp.status === 0 && imp.stdout.toString().includes("imported 0x" + first.pubkey), `CLI import: ${imp.stdout}${imp.stderr}`);
const list = spawnSync(cli, ["keys", "list", "--data-dir", dd]);
check(list.status === 0 && list.stdout.toString().includes("0x" + first.pubkey + " imported m/12381/3600/0/0/0"), `CLI list: ${list.stdout}`);

fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${checks - failures}/${checks} checks passed`);
process.exit(failures ? 1 : 0);
