// Cross-check of our BLS (bls_oracle, crypto/bls.h) against blst through
// @chainsafe/blst: public keys and signatures byte for byte over many random secret keys
// and messages (also through our fixed-base tables, 32 keys per message), aggregation, and Verify / FastAggregateVerify decisions on valid and
// corrupted inputs (flipped bits, wrong message, wrong key, swapped signatures, points
// on the curve but off the subgroup, infinity, non-canonical encodings).
//
// usage: node crosscheck.mjs ORACLE [--keys N] [--verify N] [--fav N] [--sets N] [--no-asm]
// (--sets: AggregateVerify and batch-verification sets, each tried with corruptions)
// The inputs come from a seeded generator (SS_BLST_SEED, printed), so a failure can be
// replayed. Exit 0 when everything agrees, 1 on any disagreement.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

// run-npm-test installs the packages in the build tree and points NODE_PATH there;
// ES module imports ignore NODE_PATH, CommonJS require honours it.
const blst = createRequire(import.meta.url)('@chainsafe/blst');

const { SecretKey, PublicKey, Signature, verify, fastAggregateVerify, aggregateVerify,
        verifyMultipleAggregateSignatures, aggregateSerializedSignatures } = blst;

// ---- arguments ----
const argv = process.argv.slice(2);
const oraclePath = argv[0];
function opt(name, dflt) {
  const i = argv.indexOf(name);
  return i < 0 ? dflt : Number(argv[i + 1]);
}
const N_KEYS = opt('--keys', 10000);
const N_VERIFY = opt('--verify', 1000);
const N_FAV = opt('--fav', 80);
const N_SETS = opt('--sets', 40);
const NO_ASM = argv.includes('--no-asm');
if (!oraclePath) {
  console.error('usage: crosscheck.mjs ORACLE [--keys N] [--verify N] [--fav N] [--no-asm]');
  process.exit(2);
}

// ---- deterministic randomness: SHA-256 in counter mode ----
const SEED = process.env.SS_BLST_SEED ?? 'secure-signer-blst-crosscheck-1';
let ctr = 0;
let pool = Buffer.alloc(0);
function randBytes(n) {
  while (pool.length < n) {
    const h = createHash('sha256').update(SEED).update(String(ctr++)).digest();
    pool = Buffer.concat([pool, h]);
  }
  const out = pool.subarray(0, n);
  pool = pool.subarray(n);
  return Buffer.from(out);
}
function randInt(n) { return randBytes(4).readUInt32LE(0) % n; }

// ---- constants ----
const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
const be = (x, len) => Buffer.from(x.toString(16).padStart(2 * len, '0'), 'hex');
const hex = (b) => (b.length === 0 ? '-' : Buffer.from(b).toString('hex'));

function randomSecretKey() {
  for (;;) {
    const b = randBytes(32);
    const v = BigInt('0x' + b.toString('hex'));
    if (v > 0n && v < R) return b;
  }
}
function randomMessage() {
  const shape = randInt(8);
  if (shape < 4) return randBytes(32); // signing roots: the common case
  if (shape === 4) return Buffer.alloc(0);
  if (shape === 5) return randBytes(1 + randInt(8));
  return randBytes(randInt(300));
}
function modpow(b, e, m) {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}
function g1PointOffSubgroup() {
  for (;;) {
    const x = BigInt('0x' + randBytes(48).toString('hex')) % P;
    const rhs = (x * x * x + 4n) % P;
    if (modpow(rhs, (P - 1n) / 2n, P) !== 1n) continue; // Euler: not a square
    const c = be(x, 48);
    c[0] |= 0x80 | (randInt(2) << 5); // compressed, either sign
    return c;
  }
}
// A G2 point on the curve but off the subgroup: random compressed x until blst decodes
// it without validation (decoding checks the curve equation), keeping it only if the
// subgroup check fails.
function g2PointOffSubgroup() {
  for (;;) {
    const c = randBytes(96);
    c[0] = (c[0] & 0x1f) | 0x80;
    try { Signature.fromBytes(c, false); } catch { continue; }
    try { Signature.fromBytes(c, true); } catch { return c; }
  }
}
// -P for a compressed finite G1 point: the same x with the other root (S flipped).
function negPk(b) {
  const c = Buffer.from(b);
  c[0] ^= 0x20;
  return c;
}
function flipBit(b) {
  const c = Buffer.from(b);
  const bit = randInt(c.length * 8);
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
}

// ---- the oracle process: commands in, one answer line each ----
const env = { ...process.env };
if (NO_ASM) env.SECURE_SIGNER_NO_ASM = '1';
const child = spawn(oraclePath, [], { env, stdio: ['pipe', 'pipe', 'inherit'] });
const waiting = [];
const early = [];
createInterface({ input: child.stdout }).on('line', (line) => {
  const w = waiting.shift();
  if (w) w(line); else early.push(line);
});
child.on('exit', (code) => {
  if (waiting.length > 0) {
    console.error(`bls_oracle exited (code ${code}) with ${waiting.length} answers pending`);
    process.exit(1);
  }
});
// Sends all commands at once (the oracle answers in order) and waits for every answer.
function ask(cmds) {
  const answers = cmds.map(() => new Promise((res) => waiting.push(res)));
  child.stdin.write(cmds.join('\n') + '\n');
  return Promise.all(answers);
}

// ---- bookkeeping ----
let checks = 0;
let failures = 0;
function expectSame(what, ours, theirs, detail) {
  checks++;
  if (ours === theirs) return;
  failures++;
  if (failures <= 20) {
    console.error(`MISMATCH ${what}: ours=${ours} blst=${theirs}`);
    if (detail) console.error('  ' + detail);
  }
}
function expectTrue(what, cond, detail) {
  checks++;
  if (cond) return;
  failures++;
  if (failures <= 20) console.error(`FAIL ${what}${detail ? ': ' + detail : ''}`);
}

// blst's decisions, with full validation as Ethereum requires: KeyValidate on public
// keys, subgroup checks on signatures; any decoding error means "invalid".
function blstVerify(pk, msg, sig) {
  try {
    return verify(msg, PublicKey.fromBytes(pk, true), Signature.fromBytes(sig, true), true, true);
  } catch {
    return false;
  }
}
function blstFav(pks, msg, sig) {
  try {
    if (pks.length === 0) return false;
    return fastAggregateVerify(msg, pks.map((p) => PublicKey.fromBytes(p, true)),
                               Signature.fromBytes(sig, true), true);
  } catch {
    return false;
  }
}
function blstAgg(sigs) {
  try {
    return hex(aggregateSerializedSignatures(sigs, true).toBytes());
  } catch {
    return 'err';
  }
}

// The off-subgroup points must decode (on the curve) and fail validation, or the
// nonsubgroup_pk cases would test nothing beyond decoding.
for (let i = 0; i < 3; i++) {
  const b = g1PointOffSubgroup();
  let decodes = true;
  let validates = true;
  try { PublicKey.fromBytes(b, false); } catch { decodes = false; }
  try { PublicKey.fromBytes(b, true); } catch { validates = false; }
  expectTrue('off-subgroup G1 point decodes but fails KeyValidate in blst', decodes && !validates,
             hex(b));
}

// ---- phase 0: backend ----
const [backend] = await ask(['backend']);
console.log(`seed "${SEED}", backend ${backend}, keys ${N_KEYS}, verify ${N_VERIFY}, fav ${N_FAV}`);
if (NO_ASM) expectTrue('SECURE_SIGNER_NO_ASM=1 selects the portable backend', backend === 'portable');

// ---- phase 1: SkToPk and Sign over random keys and messages ----
const keys = [];
{
  const edge = [1n, 2n, R - 1n, R - 2n, 1n << 254n].map((v) => be(v, 32));
  for (let i = 0; i < N_KEYS; i++) {
    const sk = i < edge.length ? edge[i] : randomSecretKey();
    keys.push({ sk, msg: randomMessage() });
  }
  const t0 = performance.now();
  const answers = await ask(keys.map((k) => `ps ${hex(k.sk)} ${hex(k.msg)}`));
  const t1 = performance.now();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const s = SecretKey.fromBytes(k.sk);
    k.pk = Buffer.from(s.toPublicKey().toBytes());
    k.sig = Buffer.from(s.sign(k.msg).toBytes());
    expectSame(`pk+sig #${i}`, answers[i], `${hex(k.pk)} ${hex(k.sig)}`,
               `sk=${hex(k.sk)} msg=${hex(k.msg)}`);
  }
  console.log(`keys: ${keys.length} pk+sign compared (ours ${((t1 - t0) * 1000 / keys.length).toFixed(0)} µs per pair incl. I/O)`);

  // Secret keys outside [1, r) are refused by both.
  const bad = [0n, R, R + 1n, (1n << 256n) - 1n].map((v) => be(v, 32));
  const badAns = await ask(bad.map((b) => `pk ${hex(b)}`));
  bad.forEach((b, i) => {
    let theirs;
    try { SecretKey.fromBytes(b); theirs = 'ok'; } catch { theirs = 'err'; }
    expectSame(`invalid sk ${hex(b)}`, badAns[i] === 'err' ? 'err' : 'ok', theirs);
    expectTrue(`invalid sk ${hex(b)} refused`, badAns[i] === 'err');
  });
}

// ---- phase 1b: fixed-base signing (one table per message, many keys) ----
// The keys of phase 1 in groups of 32, each group signing one random message through
// our fixed-base table (bls_sign_fixed_base): blst's sign of the same key and message.
{
  const GROUP = 32;
  const groups = [];
  for (let i = 0; i + GROUP <= keys.length; i += GROUP)
    groups.push({ msg: randomMessage(), members: keys.slice(i, i + GROUP) });
  const answers = await ask(groups.map((g) => `fb ${hex(g.msg)} ${GROUP} ${g.members.map((k) => hex(k.sk)).join(' ')}`));
  let n = 0;
  groups.forEach((g, gi) => {
    const theirs = g.members.map((k) => hex(SecretKey.fromBytes(k.sk).sign(g.msg).toBytes())).join(' ');
    expectSame(`fixed-base group #${gi}`, answers[gi], theirs, `msg=${hex(g.msg)}`);
    n += GROUP;
  });
  console.log(`fixed-base: ${n} signatures in ${groups.length} tables compared`);
}

// ---- phase 2: Verify on valid and corrupted triples ----
const INF_PK = Buffer.concat([Buffer.from([0xc0]), Buffer.alloc(47)]);
const INF_SIG = Buffer.concat([Buffer.from([0xc0]), Buffer.alloc(95)]);
const corruptions = {
  valid: (k) => [k.pk, k.msg, k.sig],
  sig_bitflip: (k) => [k.pk, k.msg, flipBit(k.sig)],
  pk_bitflip: (k) => [flipBit(k.pk), k.msg, k.sig],
  wrong_msg: (k) => [k.pk, k.msg.length > 0 ? flipBit(k.msg) : Buffer.from([0]), k.sig],
  msg_extended: (k) => [k.pk, Buffer.concat([k.msg, Buffer.from([0])]), k.sig],
  wrong_key: (k, o) => [o.pk, k.msg, k.sig],
  swapped_sig: (k, o) => [k.pk, k.msg, o.sig],
  infinity_pk: (k) => [INF_PK, k.msg, k.sig],
  infinity_sig: (k) => [k.pk, k.msg, INF_SIG],
  // A random x with the compression flag: often on the curve but (almost surely) not in
  // the prime-order subgroup, so this exercises the subgroup checks.
  random_sig: (k) => {
    const s = randBytes(96); s[0] = (s[0] & 0x1f) | 0x80; return [k.pk, k.msg, s];
  },
  random_pk: (k) => {
    const p = randBytes(48); p[0] = (p[0] & 0x1f) | 0x80; return [p, k.msg, k.sig];
  },
  // A point certainly on E1 (x^3 + 4 is a square) and, with overwhelming probability
  // (cofactor ~2^126), outside the r-order subgroup: only KeyValidate's subgroup check
  // can refuse it.
  nonsubgroup_pk: (k) => [g1PointOffSubgroup(), k.msg, k.sig],
  nonsubgroup_sig: (k) => [k.pk, k.msg, g2PointOffSubgroup()],
  // x >= p: a non-canonical encoding, refused.
  noncanonical_pk: (k) => {
    const x = BigInt('0x' + Buffer.from(k.pk).toString('hex')) & ((1n << 381n) - 1n);
    // x + P is the same field element (a lax decoder would accept it); when it does not
    // fit in 381 bits, another value in [P, 2^381) is just as non-canonical.
    const y = x + P < (1n << 381n) ? x + P : P + BigInt(randInt(1000));
    const c = be(y, 48);
    c[0] |= k.pk[0] & 0xe0;
    return [c, k.msg, k.sig];
  },
  uncompressed_flag: (k) => { const p = Buffer.from(k.pk); p[0] &= 0x7f; return [p, k.msg, k.sig]; },
};
{
  const names = Object.keys(corruptions);
  const cases = [];
  for (let i = 0; i < N_VERIFY; i++) {
    const kind = names[i % names.length];
    const k = keys[randInt(keys.length)];
    let o = keys[randInt(keys.length)];
    if (o === k) o = keys[(keys.indexOf(k) + 1) % keys.length];
    cases.push({ kind, args: corruptions[kind](k, o) });
  }
  const t0 = performance.now();
  const answers = await ask(cases.map((c) => `verify ${hex(c.args[0])} ${hex(c.args[1])} ${hex(c.args[2])}`));
  const t1 = performance.now();
  const tally = {};
  cases.forEach((c, i) => {
    const ours = answers[i];
    const theirs = blstVerify(...c.args) ? '1' : '0';
    expectSame(`verify/${c.kind}`, ours, theirs,
               `pk=${hex(c.args[0])} msg=${hex(c.args[1])} sig=${hex(c.args[2])}`);
    if (c.kind === 'valid') expectTrue('valid signature verifies', ours === '1');
    tally[c.kind] = (tally[c.kind] ?? 0) + (ours === '1' ? 1 : 0);
  });
  console.log(`verify: ${cases.length} decisions compared (ours ${((t1 - t0) * 1000 / cases.length).toFixed(0)} µs each); accepted per kind:`,
              JSON.stringify(tally));
}

// ---- phase 3: Aggregate and FastAggregateVerify ----
{
  const sets = [];
  for (let i = 0; i < N_FAV; i++) {
    const n = i % 10 === 0 ? 64 : 1 + randInt(16);
    const msg = randBytes(32);
    const members = [];
    for (let j = 0; j < n; j++) members.push(keys[randInt(keys.length)]);
    const sigs = members.map((k) => Buffer.from(SecretKey.fromBytes(k.sk).sign(msg).toBytes()));
    sets.push({ pks: members.map((k) => k.pk), msg, sigs });
  }
  // Aggregate: byte-identical aggregates; a corrupted member makes both refuse.
  const aggCmds = [];
  const aggWant = [];
  for (const s of sets) {
    aggCmds.push(`agg ${s.sigs.length} ${s.sigs.map(hex).join(' ')}`);
    aggWant.push(blstAgg(s.sigs));
    const bad = s.sigs.slice();
    bad[randInt(bad.length)] = flipBit(bad[0]);
    aggCmds.push(`agg ${bad.length} ${bad.map(hex).join(' ')}`);
    aggWant.push(blstAgg(bad));
    const off = s.sigs.slice();
    off[randInt(off.length)] = g2PointOffSubgroup();
    aggCmds.push(`agg ${off.length} ${off.map(hex).join(' ')}`);
    aggWant.push(blstAgg(off));
  }
  const aggAns = await ask(aggCmds);
  aggAns.forEach((a, i) => expectSame(`aggregate #${i}`, a, aggWant[i]));
  sets.forEach((s, i) => { s.agg = Buffer.from(aggWant[3 * i], 'hex'); });
  for (let i = 0; i < sets.length; i++) {
    expectTrue(`aggregate #${3 * i} valid`, aggWant[3 * i] !== 'err');
    expectTrue(`aggregate #${3 * i + 2} with an off-subgroup member refused`,
               aggAns[3 * i + 2] === 'err');
  }

  const favKinds = {
    valid: (s) => [s.pks, s.msg, s.agg],
    wrong_msg: (s) => [s.pks, flipBit(s.msg), s.agg],
    dropped_pk: (s) => [s.pks.slice(1), s.msg, s.agg],
    extra_pk: (s, o) => [[...s.pks, o.pks[0]], s.msg, s.agg],
    replaced_pk: (s, o) => [[o.pks[0], ...s.pks.slice(1)], s.msg, s.agg],
    sig_bitflip: (s) => [s.pks, s.msg, flipBit(s.agg)],
    swapped_sig: (s, o) => [s.pks, s.msg, o.agg],
    infinity_pk: (s) => [[...s.pks, INF_PK], s.msg, s.agg],
    nonsubgroup_pk: (s) => [[...s.pks, g1PointOffSubgroup()], s.msg, s.agg],
    nonsubgroup_sig: (s) => [s.pks, s.msg, g2PointOffSubgroup()],
    member_sig: (s) => [s.pks, s.msg, s.sigs[0]],
    // {pk, -pk} sums to infinity: FastAggregateVerify's KeyValidate of the aggregate
    // refuses it whatever the signature; next to the set's own keys it changes nothing
    cancelling_pks_infinity_sig: (s) => [[s.pks[0], negPk(s.pks[0])], s.msg, INF_SIG],
    cancelling_pks_added: (s) => [[...s.pks, s.pks[0], negPk(s.pks[0])], s.msg, s.agg],
  };
  const cases = [];
  sets.forEach((s, i) => {
    const o = sets[(i + 1) % sets.length];
    for (const [kind, f] of Object.entries(favKinds)) cases.push({ kind, args: f(s, o) });
  });
  cases.push({ kind: 'empty', args: [[], sets[0].msg, sets[0].agg] });
  const t0 = performance.now();
  const answers = await ask(cases.map((c) =>
    `fav ${c.args[0].length} ${c.args[0].map(hex).join(' ')} ${hex(c.args[1])} ${hex(c.args[2])}`));
  const t1 = performance.now();
  const tally = {};
  cases.forEach((c, i) => {
    const theirs = blstFav(...c.args) ? '1' : '0';
    expectSame(`fav/${c.kind} n=${c.args[0].length}`, answers[i], theirs);
    if (c.kind === 'valid') expectTrue('valid aggregate verifies', answers[i] === '1');
    tally[c.kind] = (tally[c.kind] ?? 0) + (answers[i] === '1' ? 1 : 0);
  });
  console.log(`fast_aggregate_verify: ${cases.length} decisions compared (ours ${((t1 - t0) * 1000 / cases.length).toFixed(0)} µs each); accepted per kind:`,
              JSON.stringify(tally));
}

// ---- phase 4: AggregateVerify (distinct signers, their own messages) and batch ----
function blstAv(pks, msgs, sig) {
  try {
    if (pks.length === 0) return false;
    return aggregateVerify(msgs, pks.map((p) => PublicKey.fromBytes(p)), Signature.fromBytes(sig),
                           true, true);
  } catch {
    return false;
  }
}
function blstBv(triples) {
  try {
    if (triples.length === 0) return false;
    return verifyMultipleAggregateSignatures(
      triples.map(([pk, msg, sig]) => ({ msg, pk: PublicKey.fromBytes(pk), sig: Signature.fromBytes(sig) })),
      true, true);
  } catch {
    return false;
  }
}
// Two triples whose signatures are shifted by +X and -X (X another valid signature;
// flipping the sign flag of a compressed point negates it): each is invalid, their sum
// is unchanged, so only the random linear combination of batch verification rejects.
function cancelling(triples) {
  const c = triples.map((t) => t.slice());
  const x = keys[randInt(keys.length)].sig;
  const negX = Buffer.from(x);
  negX[0] ^= 0x20;
  c[0][2] = Buffer.from(aggregateSerializedSignatures([c[0][2], x], true).toBytes());
  c[1][2] = Buffer.from(aggregateSerializedSignatures([c[1][2], negX], true).toBytes());
  return c;
}
const swapTwo = (arr) => {
  const c = arr.slice();
  if (c.length >= 2) { const t = c[0]; c[0] = c[1]; c[1] = t; }
  return c;
};
const alterOne = (msgs) => {
  const c = msgs.slice();
  c[0] = c[0].length > 0 ? flipBit(c[0]) : Buffer.from([0]);
  return c;
};
{
  const avCases = [];
  const bvCases = [];
  for (let i = 0; i < N_SETS; i++) {
    const n = 1 + randInt(8);
    const members = [];
    for (let j = 0; j < n; j++) members.push(keys[randInt(keys.length)]);
    const pks = members.map((k) => k.pk);
    const msgs = members.map((k) => k.msg);
    const sigs = members.map((k) => k.sig);
    const agg = Buffer.from(aggregateSerializedSignatures(sigs, true).toBytes());
    const other = keys[randInt(keys.length)];
    // POP allows repeated messages: two signers of one message, valid.
    const common = randBytes(32);
    const dupSigs = [Buffer.from(SecretKey.fromBytes(members[0].sk).sign(common).toBytes()),
                     Buffer.from(SecretKey.fromBytes(other.sk).sign(common).toBytes())];
    const dupAgg = Buffer.from(aggregateSerializedSignatures(dupSigs, true).toBytes());
    avCases.push(
      { kind: 'valid', args: [pks, msgs, agg] },
      { kind: 'repeated_msg_valid', args: [[members[0].pk, other.pk], [common, common], dupAgg] },
      { kind: 'msgs_swapped', args: [pks, n >= 2 && !msgs[0].equals(msgs[1]) ? swapTwo(msgs) : alterOne(msgs), agg] },
      { kind: 'msg_altered', args: [pks, alterOne(msgs), agg] },
      { kind: 'pk_replaced', args: [[other.pk, ...pks.slice(1)], msgs, agg] },
      { kind: 'pair_dropped', args: [pks.slice(1), msgs.slice(1), agg] },
      { kind: 'sig_bitflip', args: [pks, msgs, flipBit(agg)] },
      { kind: 'infinity_pk', args: [[...pks, INF_PK], [...msgs, common], agg] },
      { kind: 'nonsubgroup_sig', args: [pks, msgs, g2PointOffSubgroup()] },
    );
    const triples = members.map((k) => [k.pk, k.msg, k.sig]);
    const withOne = (f) => { const c = triples.map((t) => t.slice()); f(c[0], c); return c; };
    bvCases.push(
      { kind: 'valid', args: [triples] },
      { kind: 'sigs_swapped', args: [withOne((t, c) => { if (c.length >= 2) { const x = t[2]; t[2] = c[1][2]; c[1][2] = x; } else { t[2] = flipBit(t[2]); } })] },
      { kind: 'msg_altered', args: [withOne((t) => { t[1] = t[1].length > 0 ? flipBit(t[1]) : Buffer.from([0]); })] },
      { kind: 'pk_replaced', args: [withOne((t) => { t[0] = other.pk; })] },
      { kind: 'sig_bitflip', args: [withOne((t) => { t[2] = flipBit(t[2]); })] },
      { kind: 'nonsubgroup_sig', args: [withOne((t) => { t[2] = g2PointOffSubgroup(); })] },
      { kind: 'infinity_sig', args: [withOne((t) => { t[2] = INF_SIG; })] },
      { kind: 'cancelling_sigs', args: [cancelling(triples.length >= 2 ? triples
                                                    : [...triples, [other.pk, other.msg, other.sig]])] },
    );
  }
  avCases.push({ kind: 'empty', args: [[], [], INF_SIG] });
  bvCases.push({ kind: 'empty', args: [[]] });
  const avAns = await ask(avCases.map((c) => {
    const [pks, msgs, sig] = c.args;
    return `av ${pks.length} ${pks.map((p, i) => `${hex(p)} ${hex(msgs[i])}`).join(' ')} ${hex(sig)}`;
  }));
  const bvAns = await ask(bvCases.map((c) => {
    const [triples] = c.args;
    return `bv ${triples.length} ${triples.map((t) => t.map(hex).join(' ')).join(' ')}`;
  }));
  const avTally = {};
  avCases.forEach((c, i) => {
    const theirs = blstAv(...c.args) ? '1' : '0';
    expectSame(`aggregate_verify/${c.kind} n=${c.args[0].length}`, avAns[i], theirs);
    if (c.kind.endsWith('valid')) expectTrue(`aggregate_verify/${c.kind} accepted`, avAns[i] === '1');
    avTally[c.kind] = (avTally[c.kind] ?? 0) + (avAns[i] === '1' ? 1 : 0);
  });
  const bvTally = {};
  bvCases.forEach((c, i) => {
    const theirs = blstBv(...c.args) ? '1' : '0';
    expectSame(`batch_verify/${c.kind} n=${c.args[0].length}`, bvAns[i], theirs);
    if (c.kind === 'valid') expectTrue('batch_verify/valid accepted', bvAns[i] === '1');
    if (c.kind === 'cancelling_sigs') expectTrue('batch_verify/cancelling_sigs refused', bvAns[i] === '0');
    bvTally[c.kind] = (bvTally[c.kind] ?? 0) + (bvAns[i] === '1' ? 1 : 0);
  });
  console.log(`aggregate_verify: ${avCases.length} decisions compared; accepted per kind:`, JSON.stringify(avTally));
  console.log(`batch_verify: ${bvCases.length} decisions compared; accepted per kind:`, JSON.stringify(bvTally));
}

child.stdin.end();
const bad = early.length;
expectTrue('no unsolicited oracle output', bad === 0, early.slice(0, 3).join(' | '));
console.log(`${checks} checks, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
