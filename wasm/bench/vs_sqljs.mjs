// Object-path ingest side by side with sql.js (SQLite compiled to wasm), in one Node process:
// `TimeSeriesStore.writePoints(deviceId, metric, [{ timestamp, value }, ...])` against
// prepared-statement inserts of the same rows, one transaction per batch on both sides.
//
//   node bench/vs_sqljs.mjs [series] [pointsPerSeries] [rounds]     (after build.sh, in wasm/)
//
// SQLite gets the table a time-series user would make: one row per point, keyed by
// (device_id, metric, timestamp) so a rewrite of a timestamp replaces it, as the store does
// (`INSERT OR REPLACE`, `WITHOUT ROWID`). Every batch is built before the clock starts, and
// both sides read the same arrays of `{ timestamp, value }` objects. Rounds alternate between
// the two (fresh databases each round) and the median round is reported.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { StorageManager } = require('../pkg');
const initSqlJs = require('sql.js');

const SERIES = Number(process.argv[2] ?? 100);
const POINTS = Number(process.argv[3] ?? 10_000);
const ROUNDS = Number(process.argv[4] ?? 5);
const BATCH = 1000; // points per call / per transaction
const T0 = 1_700_000_000_000;
const STEP = 1000;

const ids = Array.from({ length: SERIES }, (_, i) => `dev-${String(i).padStart(3, '0')}`);
/** batches[b] = { device, points: [{ timestamp, value }] }: series-major, in time order. */
const batches = [];
for (let b = 0; b < POINTS; b += BATCH) {
  for (let s = 0; s < SERIES; s++) {
    const points = [];
    for (let i = b; i < Math.min(b + BATCH, POINTS); i++) points.push({ timestamp: T0 + i * STEP, value: 20 + Math.sin(i / 50 + s) * 5 });
    batches.push({ device: ids[s], points });
  }
}
const TOTAL = SERIES * POINTS;

function neotalk() {
  const db = new StorageManager();
  const ts = db.timeseries();
  const start = process.hrtime.bigint();
  for (const { device, points } of batches) ts.writePoints(device, 'temperature', points);
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  // Every point is there (and nothing was left in a buffer).
  let n = 0;
  for (const d of ids) n += ts.queryRange(d, 'temperature', -Infinity, Infinity).timestamps.length;
  if (n !== TOTAL) throw new Error(`neotalk stored ${n} points, expected ${TOTAL}`);
  db.close();
  return s;
}

function sqljs(SQL) {
  const db = new SQL.Database();
  db.run('CREATE TABLE telemetry (device_id TEXT NOT NULL, metric TEXT NOT NULL, timestamp INTEGER NOT NULL, value REAL, PRIMARY KEY (device_id, metric, timestamp)) WITHOUT ROWID');
  const insert = db.prepare('INSERT OR REPLACE INTO telemetry (device_id, metric, timestamp, value) VALUES (?, ?, ?, ?)');
  const start = process.hrtime.bigint();
  for (const { device, points } of batches) {
    db.run('BEGIN');
    for (const p of points) insert.run([device, 'temperature', p.timestamp, p.value]);
    db.run('COMMIT');
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  insert.free();
  const n = db.exec('SELECT count(*) FROM telemetry')[0].values[0][0];
  if (n !== TOTAL) throw new Error(`sql.js stored ${n} rows, expected ${TOTAL}`);
  db.close();
  return s;
}

const SQL = await initSqlJs();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours = [];
const theirs = [];
for (let r = 0; r < ROUNDS; r++) {
  ours.push(neotalk());
  theirs.push(sqljs(SQL));
}
const rate = (s) => Math.round(TOTAL / s).toLocaleString('en-US');
const [a, b] = [median(ours), median(theirs)];
console.log(`workload: ${SERIES} series x ${POINTS.toLocaleString('en-US')} points = ${TOTAL.toLocaleString('en-US')} points, ${BATCH} per call / transaction, median of ${ROUNDS} rounds`);
console.log(`neotalk writePoints (objects)          ${rate(a).padStart(12)} points/s  (${(a * 1000).toFixed(0)} ms)`);
console.log(`sql.js prepared INSERT, one txn/batch  ${rate(b).padStart(12)} rows/s    (${(b * 1000).toFixed(0)} ms)`);
console.log(`ratio: ${(b / a).toFixed(2)}x sql.js`);
