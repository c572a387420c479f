// StorageManager.exportSnapshot / importSnapshot: round trip, refusal of damaged or foreign
// files with the data left as it was, and snapshots crossing between the native and wasm
// builds (examples/native_snapshot.rs; NEOTALK_SNAPSHOT_TOOL names its binary, set by test.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, throwsCode } from './helpers.mjs';
import { writeDataset, summary } from './snapshot_dataset.mjs';

const FIXTURE = new URL('./fixtures/native.ntbk', import.meta.url);
const TOOL = process.env.NEOTALK_SNAPSHOT_TOOL;

function datasetDb() {
  const db = openDb();
  writeDataset(db);
  return db;
}

/** A database with other data than the dataset, to see that a refused import keeps it. */
function otherDb() {
  const db = openDb();
  db.timeseries().writeSeries('other', 'm', new Float64Array([1, 2]), new Float64Array([5, 6]));
  db.alerts().create({ alertId: 'mine', title: 't', severity: 'Info', source: 'manual', createdAt: 1 });
  db.devices().upsert({ deviceId: 'mine', deviceType: 'plug' });
  db.flush();
  return db;
}

function tableCounts(db) {
  return Object.fromEntries(Object.entries(db.stats().tableStats).map(([name, t]) => [name, t.count]));
}

/** Asserts that importing `bytes` into `db` throws a StorageError and leaves `db` unchanged. */
function refused(db, bytes, label) {
  const before = summary(db);
  assert.throws(() => db.importSnapshot(bytes), (err) => {
    assert.equal(err.name, 'StorageError', `${label}: ${err.message}`);
    assert.ok(['CORRUPTED', 'VERSION_MISMATCH', 'INVALID_INPUT'].includes(err.code), `${label}: code ${err.code}`);
    return true;
  }, `${label}: accepted`);
  assert.deepEqual(summary(db), before, `${label}: data changed`);
}

/** Deterministic pseudo-random bytes (xorshift32). */
function randomBytes(n, seed) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

test('exportSnapshot / importSnapshot round trip to the same records and table counts', () => {
  const src = datasetDb();
  const bytes = src.exportSnapshot();
  assert.ok(bytes instanceof Uint8Array && bytes.length > 100);
  const dst = otherDb();
  const restored = dst.importSnapshot(bytes);
  assert.equal(restored.kind, 'full');
  assert.equal(restored.totalEntries, restored.tables.reduce((s, t) => s + t.entries, 0));
  assert.deepEqual(summary(dst), summary(src));
  assert.deepEqual(tableCounts(dst), tableCounts(src));
  assert.equal(dst.alerts().get('mine'), null, 'the previous data is replaced');
  assert.deepEqual(dst.alerts().countBySeverity(), { info: 0, warning: 1, error: 0, critical: 1 });
  // The restored stores keep working: appends continue the sequence, acknowledge sees the alert.
  assert.equal(dst.events().append({ eventId: 'ev-new', eventType: 't', eventData: null, metadata: { source: 's', timestamp: 1 } }).sequence, 6);
  assert.equal(dst.alerts().acknowledge('alert-2', 'me', 5).acknowledged, true);
  // An ArrayBuffer works as well as a Uint8Array.
  const again = openDb();
  again.importSnapshot(bytes.slice().buffer);
  assert.deepEqual(summary(again), summary(src));
});

test('buffered telemetry is in the export', () => {
  const db = openDb();
  db.timeseries().write('d', 'm', { timestamp: 1, value: 2.5 });
  assert.equal(db.timeseries().bufferedPoints(), 1);
  const copy = openDb();
  copy.importSnapshot(db.exportSnapshot());
  assert.deepEqual(Array.from(copy.timeseries().queryRange('d', 'm', -Infinity, Infinity).values), [2.5]);
});

test('an empty database round-trips to an empty one', () => {
  const dst = otherDb();
  dst.importSnapshot(openDb().exportSnapshot());
  assert.deepEqual(summary(dst), summary(openDb()));
});

test('a flipped byte anywhere is refused and the data is unchanged', () => {
  const bytes = datasetDb().exportSnapshot();
  const db = otherDb();
  const stride = Math.max(1, Math.floor(bytes.length / 400));
  const positions = new Set([0, 8, 12, 15, 16, bytes.length - 1]);
  for (let i = 0; i < bytes.length; i += stride) positions.add(i);
  for (const pos of positions) {
    for (const mask of [0x01, 0x80]) {
      const bad = bytes.slice();
      bad[pos] ^= mask;
      refused(db, bad, `byte ${pos} ^ ${mask}`);
    }
  }
});

test('a truncated or extended file is refused and the data is unchanged', () => {
  const bytes = datasetDb().exportSnapshot();
  const db = otherDb();
  for (const n of [0, 1, 8, 15, 16, 17, 64, bytes.length >> 1, bytes.length - 8, bytes.length - 1]) {
    refused(db, bytes.slice(0, n), `first ${n} bytes`);
  }
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  refused(db, longer, 'one byte appended');
});

test('random bytes and foreign files are refused and the data is unchanged', () => {
  const db = otherDb();
  for (const [n, seed] of [[16, 1], [100, 2], [4096, 3], [100_000, 4]]) refused(db, randomBytes(n, seed), `${n} random bytes`);
  refused(db, new TextEncoder().encode('{"tables": []}'), 'a JSON file');
  refused(db, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...randomBytes(64, 5)]), 'a PNG header');
  // A snapshot's magic followed by garbage.
  const magic = datasetDb().exportSnapshot().slice(0, 8);
  refused(db, Uint8Array.from([...magic, ...randomBytes(256, 6)]), 'magic then random bytes');
});

test('importSnapshot rejects arguments that are not bytes; a closed database throws CLOSED', () => {
  const db = openDb();
  throwsCode(() => db.importSnapshot('snapshot'), 'INVALID_INPUT', 'snapshot');
  throwsCode(() => db.importSnapshot([1, 2, 3]), 'INVALID_INPUT', 'snapshot');
  throwsCode(() => db.importSnapshot(undefined), 'INVALID_INPUT', 'snapshot');
  const bytes = db.exportSnapshot();
  db.close();
  throwsCode(() => db.exportSnapshot(), 'CLOSED');
  throwsCode(() => db.importSnapshot(bytes), 'CLOSED');
  throwsCode(() => db.stats(), 'CLOSED');
});

test('stats() counts per table what the stores wrote', () => {
  const db = datasetDb();
  const stats = db.stats();
  assert.equal(stats.tableStats.alerts.count, 2);
  assert.equal(stats.tableStats.events.count, 5);
  assert.equal(stats.tableStats.ts_chunks.count, 2, 'one chunk per series');
  assert.ok(stats.databaseSizeBytes > 0);
});

test('a snapshot exported by the native build (committed fixture) restores in wasm', () => {
  const db = otherDb();
  db.importSnapshot(new Uint8Array(readFileSync(FIXTURE)));
  assert.deepEqual(summary(db), summary(datasetDb()));
});

test('native -> wasm and wasm -> native with the native tool', { skip: TOOL ? false : 'NEOTALK_SNAPSHOT_TOOL not set (test.sh sets it)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'neotalk-snapshot-'));
  const nativeFile = join(dir, 'native.ntbk');
  execFileSync(TOOL, ['export', nativeFile]);
  const db = otherDb();
  db.importSnapshot(new Uint8Array(readFileSync(nativeFile)));
  const expected = summary(datasetDb());
  assert.deepEqual(summary(db), expected);

  const wasmFile = join(dir, 'wasm.ntbk');
  writeFileSync(wasmFile, datasetDb().exportSnapshot());
  assert.deepEqual(JSON.parse(execFileSync(TOOL, ['summary', wasmFile], { encoding: 'utf8' })), expected);

  // The native build refuses a damaged wasm export too.
  const bad = readFileSync(wasmFile);
  bad[bad.length >> 1] ^= 0x10;
  writeFileSync(wasmFile, bad);
  assert.throws(() => execFileSync(TOOL, ['summary', wasmFile], { stdio: 'pipe' }), /CORRUPTED/);
});
