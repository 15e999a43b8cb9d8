// blst's raw sign rate for bench_server (docs/benchmarks.md "The signer service over
// HTTP"): the issue's yardstick is blst, measured in the same run as the HTTP rows.
// Runs THREADS worker threads, each signing a new 32-byte message with
// @chainsafe/blst's SecretKey.sign for SECONDS of wall time (sign(msg).toBytes(): what a
// blst-based signer pays per signature, hash_to_G2 included), and prints one line:
//
//   blst threads=T seconds=S signatures=N rate=R us_per_sign_cpu=U
//
// rate is signatures per wall second of all threads together (comparable with
// bench_server's raw 2-thread rates); us_per_sign_cpu is one thread's CPU time per
// signature (comparable with a single request's latency).
//
// usage: node blst-rate.mjs THREADS SECONDS   (NODE_PATH must reach @chainsafe/blst)
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);

if (isMainThread) {
  const threads = Number(process.argv[2] || 2);
  const seconds = Number(process.argv[3] || 1.5);
  if (!(threads >= 1 && threads <= 64) || !(seconds > 0)) {
    console.error('usage: blst-rate.mjs THREADS SECONDS');
    process.exit(2);
  }
  // Workers start together: each waits for the shared start flag, so thread start-up
  // (loading the addon) is not counted.
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const ready = [];
  const done = [];
  for (let i = 0; i < threads; i++) {
    const w = new Worker(new URL(import.meta.url), { workerData: { i, seconds, flag } });
    ready.push(new Promise((res) => w.once('message', res)));
    done.push(new Promise((res, rej) => {
      w.on('message', (m) => { if (m.count !== undefined) res(m); });
      w.on('error', rej);
    }));
  }
  await Promise.all(ready);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const results = await Promise.all(done);
  const n = results.reduce((a, r) => a + r.count, 0);
  const wall = Math.max(...results.map((r) => r.wall));
  const cpu = results.reduce((a, r) => a + r.cpu, 0);
  console.log(`blst threads=${threads} seconds=${wall.toFixed(3)} signatures=${n} ` +
              `rate=${(n / wall).toFixed(1)} us_per_sign_cpu=${(cpu / n).toFixed(1)}`);
} else {
  const { SecretKey } = require('@chainsafe/blst');
  const { i, seconds, flag } = workerData;
  const seed = createHash('sha256').update(`bench_server blst ${i}`).digest();
  const sk = SecretKey.deriveMasterEip2333(seed);
  const msg = Buffer.from(createHash('sha256').update(`message ${i}`).digest());
  let sink = sk.sign(msg).toBytes()[0]; // warm up
  parentPort.postMessage({ ready: true });
  Atomics.wait(flag, 0, 0);
  const t0 = performance.now();
  const tc0 = threadCpu();
  let count = 0;
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 16; k++) {
      msg[0]++;
      if (msg[0] === 0) msg[1]++;
      sink ^= sk.sign(msg).toBytes()[1];
      count++;
    }
  }
  const wall = (performance.now() - t0) / 1000;
  parentPort.postMessage({ count, wall, cpu: threadCpu() - tc0, sink });
}

// This thread's CPU time in µs (Linux: /proc/thread-self/stat fields 14 and 15, in
// clock ticks), so that one signature's cost is not inflated by waiting for a core.
function threadCpu() {
  const fs = require('node:fs');
  const f = fs.readFileSync('/proc/thread-self/stat', 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]);
  return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
}
