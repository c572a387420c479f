// The web build (ES module glue, used by the simulator page) loads in Node with initSync
// and serves the same API as the nodejs build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { initSync, StorageManager } from '../pkg/web/neotalk_storage_wasm.js';

test('web build: initSync, write and read back packed telemetry', () => {
  const bytes = fs.readFileSync(new URL('../pkg/web/neotalk_storage_wasm_bg.wasm', import.meta.url));
  initSync({ module: bytes });
  const db = new StorageManager();
  db.timeseries().writeSeries('d', 'm', new Float64Array([1, 2]), new Float64Array([0.5, 1.5]));
  const r = db.timeseries().queryRange('d', 'm', -Infinity, Infinity);
  assert.deepEqual([...r.values], [0.5, 1.5]);
  assert.throws(() => db.timeseries().queryRange('d', 'm', 2, 1), (e) => e.code === 'INVALID_INPUT');
  db.close();
});
