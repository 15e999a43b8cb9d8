// Cross-check of secure-signer's signing roots against Lodestar (a consensus client):
// random messages of every Web3Signer type on every fork of mainnet, hoodi, sepolia, a
// mainnet-preset network with Gloas scheduled and a minimal-preset network with every
// fork scheduled (both given as a config.yaml), fork boundaries included, the Gloas
// types of remote-signing-api v1.4.0 and their pre-standard aliases among them, are written as Web3Signer requests, signed-root by
// `secure-signer signing-root --batch` in one process, and compared with the root
// Lodestar computes from its own SSZ types and fork schedule:
//   computeSigningRoot(type, value, domain) = SigningData{htr(value), domain}.htr()
// (as @lodestar/state-transition does; that package is not installable on its own at
// 1.48.0, so the two-line function is restated here with Lodestar's SigningData type).
//
// Lodestar's uint64 fields are JS numbers, exact only below 2^53. To send values up to
// 2^64-1, each Lodestar type is rebuilt with the same fields, order and limits but
// bigint uint64s (`bigify`); the layout under test is still Lodestar's.
//
// Env: SS_BUILD_DIR (to find secure-signer). Args: [count per (network, fork, type)].
import {spawnSync} from "node:child_process";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import path from "node:path";
import {pathToFileURL} from "node:url";

// ES modules ignore NODE_PATH: resolve each pinned package (installed by
// scripts/run-npm-test into $NODE_PATH) through its package.json "exports"/"import".
async function imp(spec) {
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const sub = "." + spec.slice(name.length);
  const dir = path.join(process.env.NODE_PATH ?? "node_modules", name);
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  let entry = pkg.exports?.[sub] ?? (sub === "." ? pkg.exports ?? pkg.module ?? pkg.main : undefined);
  while (entry && typeof entry === "object") entry = entry.import ?? entry.default ?? entry["."];
  if (typeof entry !== "string") throw new Error(`cannot resolve ${spec}`);
  return import(pathToFileURL(path.join(dir, entry)).href);
}
const {createBeaconConfig} = await imp("@lodestar/config");
const {networksChainConfig} = await imp("@lodestar/config/networks");
const {minimalChainConfig} = await imp("@lodestar/config/configs");
const P = await imp("@lodestar/params");
const {ssz} = await imp("@lodestar/types");
const {
  BitArray, BitListType, BitVectorType, BooleanType, ByteListType, ByteVectorType, ContainerType,
  ListBasicType, ListCompositeType, ProgressiveBitListType, ProgressiveByteListType,
  ProgressiveContainerType, ProgressiveListBasicType, ProgressiveListCompositeType,
  UintBigintType, UintNumberType, VectorBasicType, VectorCompositeType,
} = await imp("@chainsafe/ssz");

// 100 per combination gives mainnet about 8,000 requests and hoodi about 3,500 (the
// issue asks for at least 2,000 on each, of every type on every fork; checked below).
const PER = Number(process.argv[2] ?? 100);
const bin = `${process.env.SS_BUILD_DIR ?? "build"}/secure-signer`;

// ---- deterministic randomness (xorshift64*), so a failure is reproducible ----------
let seed = 0x9e3779b97f4a7c15n;
function rnd64() {
  seed ^= seed >> 12n; seed ^= (seed << 25n) & 0xffffffffffffffffn; seed ^= seed >> 27n;
  return (seed * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
}
const rndInt = (n) => Number(rnd64() % BigInt(n));
const rndBytes = (n) => Uint8Array.from({length: n}, () => rndInt(256));
const TWO53 = 2n ** 53n, MAX = 2n ** 64n - 1n;
// uint64 values: small, around 2^53 (where JS numbers stop being exact), huge, max.
function rndU64() {
  switch (rndInt(5)) {
    case 0: return BigInt(rndInt(1000));
    case 1: return TWO53 - 2n + BigInt(rndInt(5));
    case 2: return rnd64();
    case 3: return MAX - BigInt(rndInt(3));
    default: return BigInt(rndInt(2 ** 31));
  }
}

// ---- Lodestar's types with bigint uint64s -------------------------------------------
const cache = new Map();
function bigify(t) {
  if (cache.has(t)) return cache.get(t);
  let r = t;
  if (t instanceof UintNumberType && t.byteLength === 8) r = new UintBigintType(8);
  else if (t instanceof ContainerType) {
    const f = {};
    for (const [k, v] of Object.entries(t.fields)) f[k] = bigify(v);
    r = new ContainerType(f, {typeName: t.typeName, jsonCase: "eth2"});
  } else if (t instanceof ProgressiveContainerType) {
    const f = {};
    for (const [k, v] of Object.entries(t.fields)) f[k] = bigify(v);
    r = new ProgressiveContainerType(f, t.activeFields, {typeName: t.typeName, jsonCase: "eth2"});
  } else if (t instanceof ProgressiveListCompositeType)
    r = new ProgressiveListCompositeType(bigify(t.elementType), {typeName: t.typeName, limit: t.limit});
  else if (t instanceof ProgressiveListBasicType)
    r = new ProgressiveListBasicType(bigify(t.elementType), {typeName: t.typeName, limit: t.limit});
  else if (t instanceof ListCompositeType) r = new ListCompositeType(bigify(t.elementType), t.limit);
  else if (t instanceof ListBasicType) r = new ListBasicType(bigify(t.elementType), t.limit);
  else if (t instanceof VectorCompositeType) r = new VectorCompositeType(bigify(t.elementType), t.length);
  else if (t instanceof VectorBasicType) r = new VectorBasicType(bigify(t.elementType), t.length);
  else if (!(t instanceof ByteVectorType || t instanceof BitListType || t instanceof BitVectorType ||
             t instanceof BooleanType || t instanceof UintBigintType || t instanceof ByteListType ||
             t instanceof ProgressiveByteListType || t instanceof ProgressiveBitListType))
    throw new Error(`bigify: unexpected type ${t.typeName ?? t.constructor.name}`);
  cache.set(t, r);
  return r;
}

// Lengths of progressive lists: empty, each subtree of 1, 4, 16, 64 chunks just filled
// and just started (EIP-7916), and small ones.
const PROGRESSIVE_LENGTHS = [0, 1, 2, 5, 6, 21, 22, 85, 86, 3];
function progressiveLength(limit, perChunk) {
  const chunks = PROGRESSIVE_LENGTHS[rndInt(PROGRESSIVE_LENGTHS.length)];
  const n = rndInt(3) === 0 ? chunks * perChunk - rndInt(perChunk) : chunks * perChunk;
  return Math.max(0, Math.min(n, limit));
}

function randomValue(t) {
  if (t instanceof UintBigintType)
    return t.byteLength === 8 ? rndU64() : BigInt(hex(rndBytes(t.byteLength)));
  if (t instanceof BooleanType) return rndInt(2) === 1;
  if (t instanceof ByteVectorType) return rndBytes(t.lengthBytes);
  if (t instanceof ByteListType) return rndBytes(rndInt(Math.min(t.limitBytes, 40) + 1));
  if (t instanceof ProgressiveByteListType) return rndBytes(progressiveLength(t.limitBytes, 32));
  if (t instanceof ProgressiveBitListType) {
    const bits = BitArray.fromBitLen(progressiveLength(t.limitBits, 256));
    for (let i = 0; i < bits.bitLen; i++) if (rndInt(3) === 0) bits.set(i, true);
    return bits;
  }
  if (t instanceof BitVectorType || t instanceof BitListType) {
    const len = t instanceof BitVectorType ? t.lengthBits
      : [0, 1, 7, 8, 9, 255, 256, 2048, t.limitBits][rndInt(9)] ?? 0;
    const bits = BitArray.fromBitLen(Math.min(len, t.limitBits ?? len));
    for (let i = 0; i < bits.bitLen; i++) if (rndInt(3) === 0) bits.set(i, true);
    return bits;
  }
  if (t instanceof ProgressiveListCompositeType)
    return Array.from({length: progressiveLength(Math.min(t.limit, 30), 1)}, () => randomValue(t.elementType));
  if (t instanceof ProgressiveListBasicType)
    return Array.from({length: progressiveLength(t.limit, 32 / t.elementType.byteLength)}, () => randomValue(t.elementType));
  if (t instanceof ListCompositeType) return Array.from({length: rndInt(Math.min(3, t.limit + 1))}, () => randomValue(t.elementType));
  if (t instanceof ListBasicType) return Array.from({length: rndInt(Math.min(6, t.limit + 1))}, () => randomValue(t.elementType));
  if (t instanceof VectorCompositeType || t instanceof VectorBasicType) return Array.from({length: t.length}, () => randomValue(t.elementType));
  if (t instanceof ContainerType || t instanceof ProgressiveContainerType) {
    const v = {};
    for (const [k, ft] of Object.entries(t.fields)) v[k] = randomValue(ft);
    return v;
  }
  throw new Error(`randomValue: ${t.typeName}`);
}

const hex = (b) => "0x" + Buffer.from(b).toString("hex");
const SigningData = ssz.phase0.SigningData;
const signingRoot = (objectRoot, domain) => SigningData.hashTreeRoot({objectRoot, domain});

// ---- the messages -------------------------------------------------------------------
const UPPER = (f) => f.toUpperCase();

function makeCases(netName, chain) {
  const gvr = rndBytes(32);
  const config = createBeaconConfig(chain, gvr);
  const zeroCfg = createBeaconConfig(chain, new Uint8Array(32));
  const SPE = BigInt(P.SLOTS_PER_EPOCH);
  const forks = Object.values(config.forks).filter((f) => Number.isFinite(f.epoch));
  const cases = [];

  // Fork ranges actually in effect (hoodi starts several forks at epoch 0).
  const active = forks.filter((f, i) => !forks.slice(i + 1).some((g) => g.epoch === f.epoch));
  for (let fi = 0; fi < active.length; fi++) {
    const fork = active[fi];
    const next = active[fi + 1];
    const lo = BigInt(fork.epoch);
    const hi = next ? BigInt(next.epoch) - 1n : MAX / SPE; // last fork: to the end of uint64 slots
    const prev = fi > 0 ? active[fi - 1] : fork;
    // Epochs in this fork: its first, its last, and random ones in between.
    const epochIn = () => {
      const r = rndInt(4);
      if (r === 0) return lo;
      if (r === 1) return hi;
      return lo + (rnd64() % (hi - lo + 1n));
    };
    // The state's fork is `fork`, so fork_info is {previous: prev, current: fork,
    // epoch: fork.epoch}, as a validator client would send at this fork.
    const forkInfo = {
      fork: {previous_version: hex(prev.version), current_version: hex(fork.version), epoch: String(fork.epoch)},
      genesis_validators_root: hex(gvr),
    };
    // Lodestar's domain for a message at messageEpoch seen from a state in `fork`.
    const stateSlot = Number(lo * SPE);
    const domainAt = (type, msgEpoch) => config.getDomain(stateSlot, type, Number(msgEpoch * SPE));
    const slotOf = (e) => e * SPE + BigInt(rndInt(Number(SPE)));
    const seq = P.ForkSeq[fork.name];

    const add = (type, body, objectRoot, domain, label) =>
      cases.push({net: netName, fork: fork.name, label, request: {type, fork_info: forkInfo, ...body},
                  want: hex(signingRoot(objectRoot, domain))});

    for (let i = 0; i < PER; i++) {
      // Message epochs mostly in this fork; now and then the last epoch of the previous
      // fork (attestations and exits straddle boundaries), which get_domain maps to the
      // previous version.
      const e = (i % 5 === 4 && fi > 0) ? lo - 1n : epochIn();

      // BLOCK_V2 (and BLOCK for phase0/altair): schema by the network's fork at the slot.
      const be = epochIn();
      const bslot = slotOf(be);
      if (seq <= P.ForkSeq.altair) {
        const T = bigify(ssz[fork.name].BeaconBlock);
        const blk = randomValue(T);
        blk.slot = bslot;
        const dom = domainAt(P.DOMAIN_BEACON_PROPOSER, be);
        const json = T.toJson(blk);
        add("BLOCK_V2", {beacon_block: {version: UPPER(fork.name), block: json}}, T.hashTreeRoot(blk), dom, "block_v2");
        add(i % 2 ? "BLOCK" : "block", {block: json}, T.hashTreeRoot(blk), dom, "block");
      } else {
        const T = bigify(ssz.phase0.BeaconBlockHeader);
        const h = randomValue(T);
        h.slot = bslot;
        add("BLOCK_V2", {beacon_block: {version: UPPER(fork.name), block_header: T.toJson(h)}},
            T.hashTreeRoot(h), domainAt(P.DOMAIN_BEACON_PROPOSER, be), "block_v2_header");
      }
      // ATTESTATION: domain at target.epoch.
      {
        const T = bigify(ssz.phase0.AttestationData);
        const a = randomValue(T);
        a.target.epoch = e;
        add("ATTESTATION", {attestation: T.toJson(a)}, T.hashTreeRoot(a), domainAt(P.DOMAIN_BEACON_ATTESTER, e), "attestation");
      }
      // AGGREGATION_SLOT and RANDAO_REVEAL: bare uint64s.
      {
        const U = new UintBigintType(8);
        const s = slotOf(e);
        add("AGGREGATION_SLOT", {aggregation_slot: {slot: String(s)}}, U.hashTreeRoot(s), domainAt(P.DOMAIN_SELECTION_PROOF, e), "aggregation_slot");
        add("RANDAO_REVEAL", {randao_reveal: {epoch: String(e)}}, U.hashTreeRoot(e), domainAt(P.DOMAIN_RANDAO, e), "randao_reveal");
      }
      // AGGREGATE_AND_PROOF(_V2): Lodestar's type for the fork at the aggregate's slot;
      // both request shapes under both type names.
      {
        const msgFork = config.getForkName(Number(slotOf(e)));
        const T = bigify(ssz[msgFork].AggregateAndProof);
        const ap = randomValue(T);
        ap.aggregate.data.slot = slotOf(e);
        const json = T.toJson(ap);
        const wrapped = i % 2 === 0;
        const body = wrapped ? {aggregate_and_proof: {version: UPPER(msgFork), data: json}} : {aggregate_and_proof: json};
        add(i % 4 < 2 ? "AGGREGATE_AND_PROOF_V2" : "AGGREGATE_AND_PROOF", body, T.hashTreeRoot(ap),
            domainAt(P.DOMAIN_AGGREGATE_AND_PROOF, e), `aggregate_${msgFork}`);
      }
      // VOLUNTARY_EXIT: EIP-7044 from Deneb (Lodestar: getDomainForVoluntaryExit).
      {
        const T = bigify(ssz.phase0.VoluntaryExit);
        const x = randomValue(T);
        x.epoch = e;
        const dom = config.getDomainForVoluntaryExit(Number(e * SPE), Number(e * SPE));
        add("VOLUNTARY_EXIT", {voluntary_exit: T.toJson(x)}, T.hashTreeRoot(x), dom, "voluntary_exit");
      }
      // Sync committee types, from Altair.
      if (seq >= P.ForkSeq.altair && e >= BigInt(config.forks.altair.epoch)) {
        const root = rndBytes(32);
        const s = slotOf(e);
        add("SYNC_COMMITTEE_MESSAGE", {sync_committee_message: {beacon_block_root: hex(root), slot: String(s)}},
            root, domainAt(P.DOMAIN_SYNC_COMMITTEE, e), "sync_committee_message");
        const TS = bigify(ssz.altair.SyncAggregatorSelectionData);
        const sd = randomValue(TS);
        sd.slot = s;
        add("SYNC_COMMITTEE_SELECTION_PROOF", {sync_aggregator_selection_data: TS.toJson(sd)}, TS.hashTreeRoot(sd),
            domainAt(P.DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, e), "sync_selection");
        const TC = bigify(ssz.altair.ContributionAndProof);
        const cp = randomValue(TC);
        cp.contribution.slot = s;
        add("SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF", {contribution_and_proof: TC.toJson(cp)}, TC.hashTreeRoot(cp),
            domainAt(P.DOMAIN_CONTRIBUTION_AND_PROOF, e), "contribution");
      }
      // DEPOSIT: the request's genesis_fork_version with a zero root (Lodestar: the
      // deposit domain of a config whose GENESIS_FORK_VERSION is that version).
      if (i % 3 === 0) {
        const T = bigify(ssz.phase0.DepositMessage);
        const m = randomValue(T);
        const gfv = i % 2 ? rndBytes(4) : chain.GENESIS_FORK_VERSION;
        const dcfg = createBeaconConfig({...chain, GENESIS_FORK_VERSION: gfv}, new Uint8Array(32));
        add("DEPOSIT", {deposit: {...T.toJson(m), genesis_fork_version: hex(gfv)}}, T.hashTreeRoot(m),
            dcfg.getDomainAtFork("phase0", P.DOMAIN_DEPOSIT), "deposit");
      }
      // VALIDATOR_REGISTRATION: the network's genesis version with a zero root.
      if (i % 3 === 1) {
        const T = bigify(ssz.bellatrix.ValidatorRegistrationV1);
        const r = randomValue(T);
        add("VALIDATOR_REGISTRATION", {validator_registration: T.toJson(r)}, T.hashTreeRoot(r),
            zeroCfg.getDomainAtFork("phase0", P.DOMAIN_APPLICATION_BUILDER), "validator_registration");
      }
      // GENERIC (remote-signing-api PR #29): Lodestar's SigningData over the request's
      // object root and domain, whatever the domain (the signer, not eth2/, refuses the
      // protected ones).
      if (i % 3 === 2) {
        const objectRoot = rndBytes(32), domain = rndBytes(32);
        cases.push({net: netName, fork: fork.name, label: "generic",
                    request: {type: "GENERIC", signing_data: {object_root: hex(objectRoot), domain: hex(domain)}},
                    want: hex(signingRoot(objectRoot, domain))});
      }
      // The Gloas types (remote-signing-api v1.4.0), on forks from Gloas, at slots of
      // this fork: version-wrapped, and now and then in the pre-standard form. Two rounds
      // per iteration: they are the newest code and the largest containers.
      for (let g = 0; g < 2 && seq >= P.ForkSeq.gloas; g++) {
        const ge = epochIn();
        const s = slotOf(ge);
        // Lighthouse sends the envelope and the preferences bare, without {version, data}.
        const wrap = (v) => (i % 3 === 2 ? v : {version: UPPER(fork.name), data: v});
        {
          const T = bigify(ssz[fork.name].ExecutionPayloadBid);
          const b = randomValue(T);
          b.slot = s;
          add("EXECUTION_PAYLOAD_BID", {execution_payload_bid: wrap(T.toJson(b))}, T.hashTreeRoot(b),
              domainAt(P.DOMAIN_BEACON_BUILDER, ge), "execution_payload_bid");
        }
        if (i % 2 === 0) { // large: every other iteration
          const T = bigify(ssz[fork.name].ExecutionPayloadEnvelope);
          const env = randomValue(T);
          env.payload.slotNumber = s;
          add("EXECUTION_PAYLOAD_ENVELOPE", {execution_payload_envelope: wrap(T.toJson(env))}, T.hashTreeRoot(env),
              domainAt(P.DOMAIN_BEACON_BUILDER, ge), "execution_payload_envelope");
        }
        {
          const T = bigify(ssz[fork.name].PayloadAttestationData);
          const d = randomValue(T);
          d.slot = s;
          const dom = domainAt(P.DOMAIN_PTC_ATTESTER, ge);
          add("PAYLOAD_ATTESTATION_MESSAGE", {payload_attestation_message: wrap(T.toJson(d))}, T.hashTreeRoot(d),
              dom, "payload_attestation_message");
          // Lighthouse: PAYLOAD_ATTESTATION with the bare data under payload_attestation_data.
          add("PAYLOAD_ATTESTATION", {payload_attestation_data: T.toJson(d)}, T.hashTreeRoot(d), dom,
              "payload_attestation_alias");
        }
        {
          const T = bigify(ssz[fork.name].ProposerPreferences);
          const p = randomValue(T);
          p.proposalSlot = s;
          add("PROPOSER_PREFERENCES", {proposer_preferences: wrap(T.toJson(p))}, T.hashTreeRoot(p),
              domainAt(P.DOMAIN_PROPOSER_PREFERENCES, ge), "proposer_preferences");
        }
        {
          const T = bigify(ssz[fork.name].BuilderRequestAuth);
          const a = randomValue(T);
          a.slot = s;
          const dom = zeroCfg.getDomainAtFork("phase0", P.DOMAIN_BUILDER_REQUEST_AUTH);
          add("BUILDER_REQUEST_AUTH", {builder_request_auth: wrap(T.toJson(a))}, T.hashTreeRoot(a), dom,
              "builder_request_auth");
          // Lighthouse (web3signer.rs @00c1b56): REQUEST_AUTH with the bare message under
          // request_auth.
          add("REQUEST_AUTH", {request_auth: T.toJson(a)}, T.hashTreeRoot(a), dom, "request_auth_alias");
        }
      }
    }
  }
  return cases;
}

// ---- fork schedules: our built-in networks against Lodestar's ------------------------
// Sepolia forked to Gloas at epoch 353024 (2026-10-06; eth-clients/sepolia
// metadata/config.yaml). Lodestar 1.48, the newest @lodestar/config, was released before
// that was scheduled and still has GLOAS_FORK_EPOCH: Infinity there; the value is
// restated here so the comparison checks everything else against Lodestar.
const CHAINS = {
  mainnet: networksChainConfig.mainnet,
  sepolia: {...networksChainConfig.sepolia, GLOAS_FORK_EPOCH: 353024},
  hoodi: networksChainConfig.hoodi,
  gnosis: networksChainConfig.gnosis,
};
let failures = 0, total = 0;
for (const net of ["mainnet", "sepolia", "hoodi", "gnosis"]) {
  const r = spawnSync(bin, ["signing-root", "--show-network", "--network", net]);
  const ours = new Map(r.stdout.toString().split("\n").filter((l) => l.startsWith("fork: "))
    .map((l) => l.slice(6).split(" ")).map(([f, v, e]) => [f, [v, e]]));
  const chain = CHAINS[net];
  const spe = r.stdout.toString().match(/slots_per_epoch: (\d+)/)?.[1];
  const want = new Map([["PHASE0", [hex(chain.GENESIS_FORK_VERSION), "0"]]]);
  for (const f of ["ALTAIR", "BELLATRIX", "CAPELLA", "DENEB", "ELECTRA", "FULU", "GLOAS", "HEZE"]) {
    const e = chain[`${f}_FORK_EPOCH`];
    want.set(f, [hex(chain[`${f}_FORK_VERSION`]), Number.isFinite(e) ? String(e) : "far"]);
  }
  const wantSpe = chain.PRESET_BASE === "gnosis" ? "16" : "32";
  for (const [f, w] of want) {
    total++;
    const o = ours.get(f);
    if (!o || o[0] !== w[0] || o[1] !== w[1]) {
      failures++;
      console.error(`FORK TABLE ${net} ${f}: ours ${o} lodestar ${w}`);
    }
  }
  total++;
  if (spe !== wantSpe) {
    failures++;
    console.error(`FORK TABLE ${net}: slots per epoch ${spe}, lodestar ${wantSpe}`);
  }
}

// ---- run ----------------------------------------------------------------------------
// The minimal preset is process-wide in Lodestar (LODESTAR_PRESET, read when
// @lodestar/params loads), so it runs in a child process: a minimal-preset network with
// every fork scheduled (two epochs apart), given to secure-signer as a config.yaml.
const MINIMAL = process.argv[3] === "minimal";
const MINIMAL_FORKS = {ALTAIR: 2, BELLATRIX: 4, CAPELLA: 6, DENEB: 8, ELECTRA: 10, FULU: 12, GLOAS: 14, HEZE: 16};

// A consensus config.yaml for a chain: its preset, genesis version and every fork's
// version and epoch (the keys secure-signer reads; FAR_FUTURE for Infinity).
function configYaml(name, preset, chain) {
  let yaml = `PRESET_BASE: '${preset}'\nCONFIG_NAME: '${name}'\nGENESIS_FORK_VERSION: ${hex(chain.GENESIS_FORK_VERSION)}\n`;
  for (const f of ["ALTAIR", "BELLATRIX", "CAPELLA", "DENEB", "ELECTRA", "FULU", "GLOAS", "HEZE"]) {
    const e = chain[`${f}_FORK_EPOCH`];
    yaml += `${f}_FORK_VERSION: ${hex(chain[`${f}_FORK_VERSION`])}\n${f}_FORK_EPOCH: ${Number.isFinite(e) ? e : "18446744073709551615"}\n`;
  }
  return yaml;
}

// Every type must be covered on every fork in effect: the labels makeCases gives a
// (network, fork) pair, each at least PER/5 times (DEPOSIT and VALIDATOR_REGISTRATION
// take a third of the iterations, BLOCK and BLOCK_V2 half each).
function expectedLabels(forkName) {
  const seq = P.ForkSeq[forkName];
  const l = ["attestation", "aggregation_slot", "randao_reveal", `aggregate_${forkName}`,
             "voluntary_exit", "deposit", "validator_registration", "generic"];
  if (seq <= P.ForkSeq.altair) l.push("block_v2", "block");
  else l.push("block_v2_header");
  if (seq >= P.ForkSeq.altair) l.push("sync_committee_message", "sync_selection", "contribution");
  if (seq >= P.ForkSeq.gloas)
    l.push("execution_payload_bid", "execution_payload_envelope", "payload_attestation_message",
           "payload_attestation_alias", "proposer_preferences", "builder_request_auth", "request_auth_alias");
  return l;
}

function checkCoverage(label, chain) {
  const config = createBeaconConfig(chain, new Uint8Array(32));
  const forks = Object.values(config.forks).filter((f) => Number.isFinite(f.epoch));
  const active = forks.filter((f, i) => !forks.slice(i + 1).some((g) => g.epoch === f.epoch));
  let n = 0;
  for (const [k, c] of perKind) if (k.startsWith(label + "/")) n += c;
  console.log(`${label}: ${n} requests, forks ${active.map((f) => f.name).join(" ")}`);
  for (const f of active)
    for (const l of expectedLabels(f.name)) {
      const c = perKind.get(`${label}/${f.name}/${l}`) ?? 0;
      if (c < PER / 5) {
        failures++;
        console.error(`COVERAGE ${label}/${f.name}/${l}: ${c} requests, want at least ${PER / 5}`);
      }
    }
  return n;
}

function runNetwork(label, chain, args) {
  const cases = makeCases(label, chain);
  const input = cases.map((c) => JSON.stringify(c.request)).join("\n") + "\n";
  const r = spawnSync(bin, ["signing-root", "--batch", ...args], {input, maxBuffer: 1 << 30});
  if (r.status !== 0) {
    console.error(`secure-signer exited ${r.status}: ${r.stderr}`);
    process.exit(1);
  }
  const lines = r.stdout.toString().trimEnd().split("\n");
  if (lines.length !== cases.length) {
    console.error(`${label}: ${lines.length} answers for ${cases.length} requests`);
    process.exit(1);
  }
  cases.forEach((c, i) => {
    total++;
    const key = `${c.net}/${c.fork}/${c.label}`;
    perKind.set(key, (perKind.get(key) ?? 0) + 1);
    if (lines[i] !== c.want) {
      failures++;
      if (failures <= 10)
        console.error(`MISMATCH ${key}: ours ${lines[i]} lodestar ${c.want}\n  ${JSON.stringify(c.request).slice(0, 600)}`);
    }
  });
}

const perKind = new Map();
if (MINIMAL) {
  if (P.SLOTS_PER_EPOCH !== 8) throw new Error("LODESTAR_PRESET=minimal did not take effect");
  failures = total = 0;
  const chain = {...minimalChainConfig};
  for (const [f, e] of Object.entries(MINIMAL_FORKS)) chain[`${f}_FORK_EPOCH`] = e;
  const yaml = configYaml("minimal-all-forks", "minimal", chain);
  const dir = mkdtempSync(path.join(tmpdir(), "ss-lodestar-"));
  writeFileSync(path.join(dir, "config.yaml"), yaml);
  runNetwork("minimal", chain, ["--network-config", path.join(dir, "config.yaml")]);
  rmSync(dir, {recursive: true});
  checkCoverage("minimal", chain);
  console.log(`minimal: ${total} requests over ${perKind.size} combinations; ${failures} failures`);
  process.exit(failures ? 1 : 0);
}
for (const net of ["mainnet", "hoodi", "sepolia"]) {
  runNetwork(net, CHAINS[net], ["--network", net]);
  const n = checkCoverage(net, CHAINS[net]);
  if (net !== "sepolia" && n < 2000) {
    failures++;
    console.error(`${net}: ${n} requests, fewer than 2,000`);
  }
}
// A mainnet-preset network past Gloas and Heze, as an operator would pass it: mainnet's
// config with GLOAS_FORK_EPOCH and HEZE_FORK_EPOCH set, given to secure-signer as a
// config.yaml (Heze's containers as @lodestar/types 1.48 defines them).
{
  const chain = {...networksChainConfig.mainnet, GLOAS_FORK_EPOCH: 420000, HEZE_FORK_EPOCH: 430000};
  const dir = mkdtempSync(path.join(tmpdir(), "ss-lodestar-"));
  writeFileSync(path.join(dir, "config.yaml"), configYaml("mainnet-gloas", "mainnet", chain));
  runNetwork("mainnet-gloas", chain, ["--network-config", path.join(dir, "config.yaml")]);
  rmSync(dir, {recursive: true});
  checkCoverage("mainnet-gloas", chain);
}
// The Gloas types, counted over the Gloas networks (the issue asks for thousands).
let gloasN = 0;
for (const [k, c] of perKind) if (/\/(GLOAS|HEZE)\/(execution|payload|proposer|builder|request)/i.test(k)) gloasN += c;
console.log(`Gloas types: ${gloasN} requests`);
if (gloasN < 2000) {
  failures++;
  console.error(`Gloas types: ${gloasN} requests, fewer than 2,000`);
}
console.log(`${total} requests over ${perKind.size} (network, fork, type) combinations; ${failures} failures`);
const child = spawnSync(process.execPath, [process.argv[1], String(PER), "minimal"],
                        {env: {...process.env, LODESTAR_PRESET: "minimal"}, stdio: "inherit"});
process.exit(failures || child.status !== 0 ? 1 : 0);
