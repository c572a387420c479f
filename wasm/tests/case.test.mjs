// Field names across the JS boundary: records come out with camelCase fields (like the
// methods), go in with either spelling, and the keys of free-form data and of maps are the
// caller's, unchanged (wasm/src/case.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, throwsCode } from './helpers.mjs';

/** Every key of `v`'s plain objects, recursively, except under the listed free-form keys. */
function recordKeys(v, freeForm, out = new Set()) {
  if (Array.isArray(v)) v.forEach((x) => recordKeys(x, freeForm, out));
  else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      if (!freeForm.includes(k)) recordKeys(x, freeForm, out);
    }
  }
  return out;
}

const snakeKeys = (v, freeForm = []) => [...recordKeys(v, freeForm)].filter((k) => k.includes('_'));

test('results name their fields in camelCase, nested records and enum variants too', () => {
  const db = openDb();
  db.timeseries().writeSeries('d', 'm', new Float64Array([1000, 2000]), new Float64Array([1, 2]));
  const [bucket] = db.timeseries().queryAggregated('d', 'm', 0, undefined, 60_000);
  assert.deepEqual(Object.keys(bucket), ['bucketStart', 'count', 'sum', 'min', 'max', 'avg', 'first', 'last']);
  db.ruleHistory().record({
    executionId: 'e1', ruleId: 'r', ruleName: 'R', triggeredAt: 5, result: { PartialSuccess: { failedActions: ['notify'] } },
    actions: [{ actionType: 'notify', actionData: null, success: false, error: 'down' }],
  });
  const run = db.ruleHistory().get('e1');
  assert.deepEqual(run.result, { PartialSuccess: { failedActions: ['notify'] } });
  assert.equal(run.actions[0].actionType, 'notify');
  assert.deepEqual(snakeKeys(run), []);
  assert.deepEqual(snakeKeys(db.stats(), ['tableStats']), [], 'stats');
  assert.deepEqual(snakeKeys(db.integrityReport()), []);
});

test('records go in with either spelling; both at once is a duplicate', () => {
  const db = openDb();
  db.devices().upsert({ deviceId: 'a', deviceType: 'thermo', lastSeen: 7 });
  db.devices().upsert({ device_id: 'b', device_type: 'thermo', last_seen: 8 });
  assert.deepEqual(db.devices().listDevices().map((d) => [d.deviceId, d.deviceType, d.lastSeen]), [['a', 'thermo', 7], ['b', 'thermo', 8]]);
  // Telemetry batches take another decoder (serde-wasm-bindgen): the same rule.
  db.timeseries().writeBatch([
    { deviceId: 'a', metric: 't', point: { timestamp: 1, value: 20 } },
    { device_id: 'b', metric: 't', point: { timestamp: 1, value: 21 } },
  ]);
  assert.equal(db.timeseries().queryLatest('b', 't').value, 21);
  throwsCode(() => db.devices().upsert({ deviceId: 'c', device_id: 'c', deviceType: 't' }), 'INVALID_INPUT', 'state', /duplicate field `device_id`/);
  throwsCode(
    () => db.timeseries().writeBatch([{ deviceId: 'c', device_id: 'c', metric: 't', point: { timestamp: 1, value: 1 } }]),
    'INVALID_INPUT', 'points', /duplicate field `device_id`/,
  );
});

test('an unknown field is refused under the name the caller wrote', () => {
  const db = openDb();
  throwsCode(() => db.devices().upsert({ deviceId: 'a', deviceType: 't', lastSeenAt: 1 }), 'INVALID_INPUT', 'state', /unknown field `lastSeenAt`/);
  throwsCode(
    () => db.timeseries().writeBatch([{ deviceId: 'a', metric: 't', point: { timestamp: 1, value: 1 }, deviceType: 'x' }]),
    'INVALID_INPUT', 'points', /unknown field `deviceType`/,
  );
});

test('free-form data and map keys come back exactly as given', () => {
  const db = openDb();
  const eventData = { device_id: 'a', readingValue: 1, nested: { snake_key: [{ camelKey: 2 }] } };
  db.events().append({ eventId: 'e', eventType: 't', eventData, metadata: { source: 's', timestamp: 1 } });
  assert.deepEqual(db.events().get('e').eventData, eventData);
  const config = { sample_rate: 2, ipAddress: '10.0.0.2' };
  db.devices().upsert({ deviceId: 'a', deviceType: 't', config });
  db.timeseries().write('a', 'cpu_temp', { timestamp: 5, value: 40 });
  db.flush();
  const device = db.devices().getDevice('a');
  assert.deepEqual(device.config, config);
  assert.deepEqual(Object.keys(device.metrics), ['cpu_temp'], 'metric names are map keys');
  assert.ok('ts_chunks' in db.stats().tableStats, 'table names are map keys');
});
