// Runs our BLS (bench_bls --serve) and blst (@chainsafe/blst, the package pinned in
// tests/crypto_blst) on the same operations, interleaved round by round so that both
// see the same load on a shared machine, and prints µs/op and the ratio ours/blst
// (best of the rounds for each side).
//
// usage: node compare-blst.mjs BENCH_BLS [--backend adx|portable|both] [--rounds N]
//                              [--ms N] [--markdown]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const blst = createRequire(import.meta.url)('@chainsafe/blst');
const { SecretKey, PublicKey, Signature, verify, fastAggregateVerify,
        aggregateSerializedSignatures } = blst;

const argv = process.argv.slice(2);
const benchPath = argv[0];
const opt = (name, dflt) => { const i = argv.indexOf(name); return i < 0 ? dflt : argv[i + 1]; };
const BACKEND = opt('--backend', 'both');
const ROUNDS = Number(opt('--rounds', 3));
const MS = Number(opt('--ms', 250)); // time per operation per round and side
const MARKDOWN = argv.includes('--markdown');
if (!benchPath) {
  console.error('usage: compare-blst.mjs BENCH_BLS [--backend adx|portable|both] [--rounds N] [--ms N] [--markdown]');
  process.exit(2);
}

// ---- blst's side: the same inputs shapes as bench_bls (32-byte messages, bytes in) ----
const seed = createHash('sha256').update('bench seed').digest();
const sk = SecretKey.deriveMasterEip2333(seed);
const msg = createHash('sha256').update('bench message').digest();
const msgVar = Buffer.from(msg);
const pk = sk.toPublicKey().toBytes();
const sig = sk.sign(msg).toBytes();
const signers = Array.from({ length: 64 }, (_, i) => sk.deriveChildEip2333(i));
const pks = signers.map((s) => s.toPublicKey().toBytes());
const agg = aggregateSerializedSignatures(signers.map((s) => s.sign(msg).toBytes()), true).toBytes();
let sink = 0;

const BLST_OPS = {
  keygen: () => { seed[0]++; sink += SecretKey.deriveMasterEip2333(seed).toPublicKey().toBytes()[1]; },
  sk_to_pk: () => { sink += sk.toPublicKey().toBytes()[1]; },
  hash_to_g2: null, // not exposed by the binding
  sign: () => { msgVar[0]++; sink += sk.sign(msgVar).toBytes()[1]; },
  // Decode without validation, then let verify do KeyValidate and the subgroup check
  // once (validating in fromBytes as well would check twice).
  verify: () => {
    if (!verify(msg, PublicKey.fromBytes(pk), Signature.fromBytes(sig), true, true))
      throw new Error('blst verify failed');
  },
  sig_decompress_check: () => { Signature.fromBytes(sig, true); },
  pk_decompress_check: () => { PublicKey.fromBytes(pk, true); },
  fast_aggregate_verify_64: () => {
    if (!fastAggregateVerify(msg, pks.map((p) => PublicKey.fromBytes(p, true)),
                             Signature.fromBytes(agg), true))
      throw new Error('blst fast_aggregate_verify failed');
  },
};
// Fixed-base signing (bench_bls's sign_hashed, fixed_base_* rows): blst has no
// counterpart, so these rows are set against blst's sign of the same run, the cost of a
// signature for any signer that uses blst.
const VS_BLST_SIGN = ['sign_hashed', 'fixed_base_build', 'sign_fixed_base',
                      'sign_many_fixed_base_4', 'sign_many_fixed_base_8', 'fixed_base_1_key',
                      'fixed_base_8_keys', 'fixed_base_64_keys', 'fixed_base_1024_keys'];
for (const op of VS_BLST_SIGN) BLST_OPS[op] = null;
// bench_bls answers these rows per signature; one call makes this many.
const PER_CALL = { sign_many_fixed_base_4: 4, sign_many_fixed_base_8: 8,
                   fixed_base_8_keys: 8, fixed_base_64_keys: 64, fixed_base_1024_keys: 1024 };
const OPS = Object.keys(BLST_OPS);

// Process CPU time (µs), like bench_bls's thread CPU time: on a shared machine, time
// spent descheduled would otherwise count against whichever side was unlucky.
function cpuNow() {
  const u = process.cpuUsage();
  return u.user + u.system;
}
function timeBlst(fn, n) {
  const t0 = cpuNow();
  for (let i = 0; i < n; i++) fn();
  return (cpuNow() - t0) / n;
}

// ---- our side: bench_bls --serve answers "OP µs" per request ----
const child = spawn(benchPath, ['--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
const waiting = [];
createInterface({ input: child.stdout }).on('line', (l) => { const w = waiting.shift(); if (w) w(l); });
child.on('exit', (code) => { if (waiting.length) { console.error(`bench_bls exited (${code})`); process.exit(1); } });
function ask(line) {
  const p = new Promise((res) => waiting.push(res));
  child.stdin.write(line + '\n');
  return p;
}
async function timeOurs(op, n) {
  const ans = await ask(`${op} ${n}`);
  const [name, us] = ans.split(' ');
  if (name !== op) throw new Error(`bench_bls: ${ans}`);
  return Number(us);
}

const tableBytes = (await ask('table_bytes')).split(' ')[1];
const backends = BACKEND === 'both' ? ['adx', 'portable'] : [BACKEND];
const results = {};
for (const b of backends) {
  const ans = await ask(`backend ${b}`);
  if (ans !== `backend ${b}`) { console.error(`backend ${b} unavailable`); continue; }
  const best = {};
  // iteration counts sized from one warm-up call of each side
  const iters = {};
  for (const op of OPS) {
    const oursOnce = await timeOurs(op, 1);
    const blstOnce = BLST_OPS[op] ? timeBlst(BLST_OPS[op], 1) : 0;
    iters[op] = {
      ours: Math.max(2, Math.round((MS * 1000) / Math.max(oursOnce * (PER_CALL[op] ?? 1), 1))),
      blst: BLST_OPS[op] ? Math.max(2, Math.round((MS * 1000) / Math.max(blstOnce, 1))) : 0,
    };
    best[op] = { ours: Infinity, blst: Infinity };
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const op of OPS) {
      best[op].ours = Math.min(best[op].ours, await timeOurs(op, iters[op].ours));
      if (BLST_OPS[op]) best[op].blst = Math.min(best[op].blst, timeBlst(BLST_OPS[op], iters[op].blst));
    }
  }
  results[b] = best;
}
child.stdin.end();

// ---- the table ----
const TARGETS = { sign: { adx: 1.3, portable: 3.5 }, verify: { adx: 1.5, portable: 3.5 },
                  sign_fixed_base: { adx: 0.35 } };
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const rows = [];
for (const b of Object.keys(results)) {
  for (const op of OPS) {
    const { ours } = results[b][op];
    const theirs = VS_BLST_SIGN.includes(op) ? results[b].sign.blst : results[b][op].blst;
    const ratio = Number.isFinite(theirs) ? ours / theirs : NaN;
    const target = TARGETS[op]?.[b];
    rows.push([b, VS_BLST_SIGN.includes(op) ? `${op} (vs blst sign)` : op, fmt(ours), fmt(theirs), Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a',
               target ? `<= ${target} ${ratio <= target ? 'met' : 'MISSED'}` : '']);
  }
}
const head = ['backend', 'operation', 'ours µs', 'blst µs', 'ours/blst', 'target'];
if (MARKDOWN) {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
} else {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
console.log(`(fixed-base table: ${tableBytes} bytes per message)`);
console.log(`(CPU time; ${ROUNDS} interleaved rounds, ~${MS} ms per operation per round; best round shown; sink ${sink & 1})`);
