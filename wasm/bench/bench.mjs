// Ingest and range-query throughput of the wasm build in Node, for 100 series x 10k points,
// plus the bundle sizes. `node bench/bench.mjs [series] [pointsPerSeries]` after build.sh.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { StorageManager } = require('../pkg');
const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../pkg');

const SERIES = Number(process.argv[2] ?? 100);
const POINTS = Number(process.argv[3] ?? 10_000);
const BATCH = 1000; // points per write call
const T0 = 1_700_000_000_000;
const STEP = 1000; // one point per second

const fmt = (n) => Math.round(n).toLocaleString('en-US');
function timed(label, total, unit, fn) {
  const start = process.hrtime.bigint();
  fn();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(58)} ${fmt(total / s).padStart(12)} ${unit}/s  (${(s * 1000).toFixed(0)} ms)`);
  return s;
}

const ids = Array.from({ length: SERIES }, (_, i) => `dev-${String(i).padStart(3, '0')}`);
const value = (s, i) => 20 + Math.sin(i / 50 + s) * 5;
console.log(`workload: ${SERIES} series x ${POINTS.toLocaleString('en-US')} points, batches of ${BATCH}`);

// 1. Packed per-series ingest: writeSeries(Float64Array, Float64Array).
{
  const db = new StorageManager();
  const ts = db.timeseries();
  const t = new Float64Array(BATCH);
  const v = new Float64Array(BATCH);
  timed('ingest writeSeries (packed, one series per call)', SERIES * POINTS, 'points', () => {
    for (let b = 0; b < POINTS; b += BATCH) {
      for (let s = 0; s < SERIES; s++) {
        for (let i = 0; i < BATCH; i++) {
          t[i] = T0 + (b + i) * STEP;
          v[i] = value(s, b + i);
        }
        ts.writeSeries(ids[s], 'temperature', t, v);
      }
    }
  });

  // Range queries on the store just filled.
  const end = T0 + POINTS * STEP;
  let got = 0;
  timed('queryRange full series (packed Float64Array out)', SERIES * POINTS, 'points', () => {
    for (let s = 0; s < SERIES; s++) got += ts.queryRange(ids[s], 'temperature', T0, end).timestamps.length;
  });
  if (got !== SERIES * POINTS) throw new Error(`read ${got} points, expected ${SERIES * POINTS}`);
  const Q = 10_000;
  timed('queryRange 60-point windows (packed)', Q, 'queries', () => {
    for (let q = 0; q < Q; q++) {
      const s = q % SERIES;
      const start = T0 + ((q * 7919) % (POINTS - 60)) * STEP;
      if (ts.queryRange(ids[s], 'temperature', start, start + 60 * STEP).timestamps.length !== 60) throw new Error('window');
    }
  });
  const few = Math.min(SERIES, 10);
  timed(`queryRangePoints full series (objects), ${few} series`, few * POINTS, 'points', () => {
    for (let s = 0; s < few; s++) ts.queryRangePoints(ids[s], 'temperature', T0, end);
  });
  timed('queryAggregated full series, 1-minute buckets', SERIES * POINTS, 'points', () => {
    for (let s = 0; s < SERIES; s++) ts.queryAggregated(ids[s], 'temperature', T0, end, 60_000);
  });
  timed('queryLatest, every series', SERIES * 100, 'queries', () => {
    for (let k = 0; k < 100; k++) for (let s = 0; s < SERIES; s++) ts.queryLatest(ids[s], 'temperature');
  });
  db.close();
}

// 2. Packed multi-series ingest: writeColumns, each batch spanning every series.
{
  const db = new StorageManager();
  const ts = db.timeseries();
  const metrics = ids.map(() => 'temperature');
  const n = BATCH;
  const idx = new Uint32Array(n);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let written = 0;
  timed('ingest writeColumns (packed, all series per call)', SERIES * POINTS, 'points', () => {
    for (let p = 0; p < SERIES * POINTS; p += n) {
      for (let i = 0; i < n; i++) {
        const k = p + i;
        idx[i] = k % SERIES;
        t[i] = T0 + Math.floor(k / SERIES) * STEP;
        v[i] = value(k % SERIES, k);
      }
      ts.writeColumns(ids, metrics, idx, t, v);
      written += n;
    }
  });
  if (ts.queryRange(ids[0], 'temperature', -Infinity, Infinity).timestamps.length !== POINTS) throw new Error('writeColumns lost points');
  db.close();
}

// 3. Object ingest for comparison: writeBatch(TelemetryPoint[]) on a tenth of the workload.
{
  const db = new StorageManager();
  const ts = db.timeseries();
  const total = (SERIES * POINTS) / 10;
  timed('ingest writeBatch (objects), 1/10 of the workload', total, 'points', () => {
    for (let p = 0; p < total; p += BATCH) {
      const batch = [];
      for (let i = 0; i < BATCH; i++) {
        const k = p + i;
        batch.push({ deviceId: ids[k % SERIES], metric: 'temperature', point: { timestamp: T0 + Math.floor(k / SERIES) * STEP, value: value(k % SERIES, k) } });
      }
      ts.writeBatch(batch);
    }
  });
  db.close();
}

console.log('\nbundle sizes:');
for (const f of ['web/neotalk_storage_wasm_bg.wasm', 'web/neotalk_storage_wasm.js', 'node/neotalk_storage_wasm.js']) {
  const bytes = fs.readFileSync(path.join(PKG, f));
  console.log(`${f.padEnd(40)} ${fmt(bytes.length).padStart(10)} bytes raw ${fmt(zlib.gzipSync(bytes, { level: 9 }).length).padStart(10)} bytes gzip -9`);
}
