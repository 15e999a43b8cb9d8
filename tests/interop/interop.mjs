// Interoperability with a real consensus client's remote-signer code: Lodestar 1.5.1's
// ValidatorStore with Remote signers (and its externalSignerPostSignature for DEPOSIT)
// asks a running secure-signer for every duty it knows, phase0 to capella, and every
// signature is verified with @chainsafe/blst. Lodestar sends its own signingRoot, so a
// disagreement on any signing root is a 400 from the signer and fails this test.
import {spawn} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import assert from "node:assert/strict";
import {pathToFileURL} from "node:url";

// run-npm-test installs the pinned packages in the build tree and sets NODE_PATH; ES
// module imports ignore NODE_PATH, so packages are imported by their resolved file.
function pkgUrl(spec) {
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const sub = "." + spec.slice(name.length);
  const root = path.join(process.env.NODE_PATH || "node_modules", name);
  const pj = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  let entry = pj.exports ? pj.exports[sub] ?? (sub === "." ? pj.exports : undefined) : undefined;
  if (entry && typeof entry === "object") entry = entry.import ?? entry.default ?? entry.require;
  if (!entry) entry = pj.main || "index.js";
  return pathToFileURL(path.join(root, entry)).href;
}
const imp = (spec) => import(pkgUrl(spec));

const blst = (await imp("@chainsafe/blst")).default;
const {ValidatorStore, SignerType, externalSignerPostSignature, externalSignerGetKeys} =
  await imp("@lodestar/validator");
const {createIChainConfig, createIBeaconConfig} = await imp("@lodestar/config");
const {chainConfig: mainnetPreset} = await imp("@lodestar/config/default");
const {ssz} = await imp("@lodestar/types");
const {computeStartSlotAtEpoch, computeDomain, computeSigningRoot, ZERO_HASH} = await imp("@lodestar/state-transition");
const {DOMAIN_DEPOSIT} = await imp("@lodestar/params");
const {fromHexString, toHexString} = await imp("@chainsafe/ssz");

const buildDir = process.env.SS_BUILD_DIR;
assert.ok(buildDir, "SS_BUILD_DIR must point at the build tree");
const binary = path.join(buildDir, "secure-signer");

// Mainnet as our --network mainnet knows it; Lodestar 1.5.1 predates Capella's date.
const GVR = fromHexString("0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95");
const chainConfig = createIChainConfig({...mainnetPreset, CAPELLA_FORK_EPOCH: 194048});
const config = createIBeaconConfig(chainConfig, GVR);
const FORK_SLOT = {
  phase0: 100,
  altair: 74240 * 32 + 5,
  bellatrix: 144896 * 32 + 5,
  capella: 194048 * 32 + 5,
};

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "ss-interop-"));
}

async function startSigner(dir, keys) {
  const keyDir = path.join(dir, "keys");
  fs.mkdirSync(keyDir, {recursive: true});
  keys.forEach((sk, i) => {
    fs.writeFileSync(path.join(keyDir, `k${i}.yaml`),
      `type: "file-raw"\nkeyType: "BLS"\nprivateKey: "${toHexString(sk.toBytes())}"\n`);
  });
  const dataDir = path.join(dir, "data");
  const log = fs.openSync(path.join(dir, "signer.log"), "a");
  const child = spawn(binary, ["run", "--http-listen-port=0", `--data-dir=${dataDir}`,
    `--key-config-path=${keyDir}`, "--network=mainnet"], {stdio: ["ignore", log, log]});
  const ports = path.join(dataDir, "secure-signer.ports");
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw Error(`secure-signer exited: see ${dir}/signer.log`);
    if (fs.existsSync(ports)) {
      const m = /http-port=(\d+)/.exec(fs.readFileSync(ports, "utf8"));
      if (m) return {child, url: `http://127.0.0.1:${m[1]}`};
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw Error("secure-signer did not start");
}

function verify(root, pk, sigBytes, what) {
  const ok = blst.verify(root, blst.PublicKey.fromBytes(pk), blst.Signature.fromBytes(sigBytes));
  assert.ok(ok, `${what}: signature does not verify`);
}

const results = [];
async function duty(name, fn) {
  try {
    await fn();
    results.push([name, "ok"]);
  } catch (e) {
    results.push([name, `FAIL ${e.message}`]);
  }
}

const dir = tmpdir();
const sks = [0, 1, 2].map(() => blst.SecretKey.fromKeygen(crypto.randomBytes(32)));
const pks = sks.map((sk) => sk.toPublicKey().toBytes());
const pkHex = pks.map((pk) => toHexString(pk));
const {child, url} = await startSigner(dir, sks);
let failed = false;
try {
  await duty("GET /upcheck", async () => {
    // Web3Signer >= 23.9 answers text/plain "OK" (reference/web3signer.md §1.3), as we do.
    // Lodestar 1.5.1's externalSignerUpCheck() still parses the older JSON answer, so
    // it is not used here; its validator never calls it while signing.
    const res = await fetch(`${url}/upcheck`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "OK");
    assert.match(res.headers.get("content-type"), /^text\/plain/);
  });
  await duty("GET /api/v1/eth2/publicKeys (externalSignerGetKeys)", async () => {
    const listed = await externalSignerGetKeys(url);
    assert.deepEqual([...listed].sort(), [...pkHex].sort());
  });

  const slashingProtection = {
    checkAndInsertBlockProposal: async () => {},
    checkAndInsertAttestation: async () => {},
  };
  const signers = pkHex.map((pubkey) => ({type: SignerType.Remote, pubkey, url}));
  const store = new ValidatorStore(config, slashingProtection, {}, null, null, signers, undefined, GVR);
  const [pk0, pk1, pk2] = pkHex;

  for (const [fork, slot] of Object.entries(FORK_SLOT)) {
    const epoch = Math.floor(slot / 32);
    await duty(`${fork} BLOCK_V2`, async () => {
      const block = ssz[fork].BeaconBlock.defaultValue();
      block.slot = slot;
      block.proposerIndex = 7;
      block.parentRoot = crypto.randomBytes(32);
      const signed = await store.signBlock(fromHexString(pk0), block, slot);
      const root = computeSigningRoot(ssz[fork].BeaconBlock, block, config.getDomain(slot, Uint8Array.from([0, 0, 0, 0])));
      verify(root, pks[0], signed.signature, `${fork} block`);
    });
    await duty(`${fork} RANDAO_REVEAL`, async () => {
      const sig = await store.signRandao(fromHexString(pk1), slot);
      const root = computeSigningRoot(ssz.Epoch, epoch, config.getDomain(slot, Uint8Array.from([2, 0, 0, 0])));
      verify(root, pks[1], sig, `${fork} randao`);
    });
    const data = {
      slot, index: 3, beaconBlockRoot: crypto.randomBytes(32),
      source: {epoch: epoch - 1, root: crypto.randomBytes(32)},
      target: {epoch, root: crypto.randomBytes(32)},
    };
    const dutyObj = {pubkey: fromHexString(pk1), validatorIndex: 9, committeeIndex: 3, committeeLength: 128,
      committeesAtSlot: 4, validatorCommitteeIndex: 5, slot};
    await duty(`${fork} ATTESTATION`, async () => {
      const att = await store.signAttestation(dutyObj, data, epoch);
      const root = computeSigningRoot(ssz.phase0.AttestationData, data,
        config.getDomain(computeStartSlotAtEpoch(epoch), Uint8Array.from([1, 0, 0, 0])));
      verify(root, pks[1], att.signature, `${fork} attestation`);
    });
    await duty(`${fork} AGGREGATION_SLOT`, async () => {
      const sig = await store.signAttestationSelectionProof(fromHexString(pk2), slot);
      const root = computeSigningRoot(ssz.Slot, slot, config.getDomain(slot, Uint8Array.from([5, 0, 0, 0])));
      verify(root, pks[2], sig, `${fork} selection proof`);
    });
    await duty(`${fork} AGGREGATE_AND_PROOF`, async () => {
      const aggregate = ssz.phase0.Attestation.defaultValue();
      aggregate.data = data;
      const selectionProof = crypto.randomBytes(96);
      const aap = await store.signAggregateAndProof(dutyObj, selectionProof, aggregate);
      const root = computeSigningRoot(ssz.phase0.AggregateAndProof, aap.message,
        config.getDomain(slot, Uint8Array.from([6, 0, 0, 0])));
      verify(root, pks[1], aap.signature, `${fork} aggregate and proof`);
    });
    await duty(`${fork} VOLUNTARY_EXIT`, async () => {
      const exit = await store.signVoluntaryExit(fromHexString(pk2), 11, epoch);
      const root = computeSigningRoot(ssz.phase0.VoluntaryExit, exit.message,
        config.getDomain(computeStartSlotAtEpoch(epoch), Uint8Array.from([4, 0, 0, 0])));
      verify(root, pks[2], exit.signature, `${fork} voluntary exit`);
    });
    if (fork === "phase0") continue;
    await duty(`${fork} SYNC_COMMITTEE_MESSAGE`, async () => {
      const blockRoot = crypto.randomBytes(32);
      const msg = await store.signSyncCommitteeSignature(fromHexString(pk0), 4, slot, blockRoot);
      const root = computeSigningRoot(ssz.Root, blockRoot, config.getDomain(slot, Uint8Array.from([7, 0, 0, 0])));
      verify(root, pks[0], msg.signature, `${fork} sync committee message`);
    });
    await duty(`${fork} SYNC_COMMITTEE_SELECTION_PROOF`, async () => {
      const sig = await store.signSyncCommitteeSelectionProof(fromHexString(pk0), slot, 2);
      const root = computeSigningRoot(ssz.altair.SyncAggregatorSelectionData, {slot, subcommitteeIndex: 2},
        config.getDomain(slot, Uint8Array.from([8, 0, 0, 0])));
      verify(root, pks[0], sig, `${fork} sync selection proof`);
    });
    await duty(`${fork} SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF`, async () => {
      const contribution = ssz.altair.SyncCommitteeContribution.defaultValue();
      contribution.slot = slot;
      contribution.subcommitteeIndex = 1;
      contribution.beaconBlockRoot = crypto.randomBytes(32);
      const dutyS = {pubkey: pk0, validatorIndex: 4};
      const signed = await store.signContributionAndProof(dutyS, crypto.randomBytes(96), contribution);
      const root = computeSigningRoot(ssz.altair.ContributionAndProof, signed.message,
        config.getDomain(slot, Uint8Array.from([9, 0, 0, 0])));
      verify(root, pks[0], signed.signature, `${fork} contribution and proof`);
    });
  }
  await duty("VALIDATOR_REGISTRATION", async () => {
    const reg = await store.signValidatorRegistration(pk1,
      {feeRecipient: "0x" + "ab".repeat(20), gasLimit: 30000000}, 0);
    const root = computeSigningRoot(ssz.bellatrix.ValidatorRegistrationV1, reg.message,
      computeDomain(Uint8Array.from([0, 0, 0, 1]), chainConfig.GENESIS_FORK_VERSION, ZERO_HASH));
    verify(root, pks[1], reg.signature, "validator registration");
  });
  await duty("DEPOSIT", async () => {
    const data = {pubkey: pks[2], withdrawalCredentials: crypto.randomBytes(32), amount: 32000000000,
      genesisForkVersion: chainConfig.GENESIS_FORK_VERSION};
    const root = computeSigningRoot(ssz.phase0.DepositMessage,
      {pubkey: data.pubkey, withdrawalCredentials: data.withdrawalCredentials, amount: data.amount},
      computeDomain(DOMAIN_DEPOSIT, chainConfig.GENESIS_FORK_VERSION, ZERO_HASH));
    const sig = await externalSignerPostSignature(config, url, pk2, root, 0, {type: "DEPOSIT", data});
    verify(root, pks[2], fromHexString(sig), "deposit");
  });
  // The signer's own slashing protection, seen through Lodestar: a second, different
  // block at a signed slot is refused (412) and Lodestar raises it.
  await duty("double proposal refused", async () => {
    const block = ssz.capella.BeaconBlock.defaultValue();
    block.slot = FORK_SLOT.capella;
    block.proposerIndex = 7;
    block.parentRoot = crypto.randomBytes(32);
    await assert.rejects(store.signBlock(fromHexString(pk0), block, block.slot), /Slashing protection/);
  });
  await duty("double vote refused", async () => {
    const slot = FORK_SLOT.capella;
    const epoch = Math.floor(slot / 32);
    const data = {
      slot, index: 3, beaconBlockRoot: crypto.randomBytes(32),
      source: {epoch: epoch - 1, root: crypto.randomBytes(32)},
      target: {epoch, root: crypto.randomBytes(32)},
    };
    const dutyObj = {pubkey: fromHexString(pk1), validatorIndex: 9, committeeIndex: 3, committeeLength: 128,
      committeesAtSlot: 4, validatorCommitteeIndex: 5, slot};
    await assert.rejects(store.signAttestation(dutyObj, data, epoch), /Slashing protection/);
  });
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  for (const [name, res] of results) {
    console.log(`${res === "ok" ? "ok  " : "FAIL"} ${name}${res === "ok" ? "" : ": " + res}`);
    if (res !== "ok") failed = true;
  }
  if (!failed && results.length > 0) fs.rmSync(dir, {recursive: true, force: true});
  else console.log(`signer log: ${dir}/signer.log`);
}
const total = results.length;
console.log(`${results.filter((r) => r[1] === "ok").length} passed, ${results.filter((r) => r[1] !== "ok").length} failed`);
process.exit(failed || total < 39 ? 1 : 0);
