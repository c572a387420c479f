// TimeSeriesStore: every method, packed and object paths, error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, throwsCode } from './helpers.mjs';

const f64 = (...xs) => new Float64Array(xs);

test('writeSeries and queryRange round-trip packed arrays over a half-open range', () => {
  const ts = openDb().timeseries();
  ts.writeSeries('thermo-1', 'temperature', f64(1000, 2000, 3000), f64(21.5, 22.5, 23.5));
  const r = ts.queryRange('thermo-1', 'temperature', 0, 3000);
  assert.ok(r.timestamps instanceof Float64Array);
  assert.ok(r.values instanceof Float64Array);
  assert.deepEqual([...r.timestamps], [1000, 2000]);
  assert.deepEqual([...r.values], [21.5, 22.5]);
  const all = ts.queryRange('thermo-1', 'temperature', -Infinity, Infinity);
  assert.deepEqual([...all.timestamps], [1000, 2000, 3000]);
  const newest = ts.queryRange('thermo-1', 'temperature', -Infinity, Infinity, 2, true);
  assert.deepEqual([...newest.timestamps], [3000, 2000]);
  assert.deepEqual([...newest.values], [23.5, 22.5]);
  const oldest = ts.queryRange('thermo-1', 'temperature', -Infinity, Infinity, 1);
  assert.deepEqual([...oldest.timestamps], [1000]);
  assert.equal(ts.queryRange('thermo-1', 'temperature', 0, Infinity, 0).timestamps.length, 0);
  const unknown = ts.queryRange('nope', 'temperature', 0, 10);
  assert.equal(unknown.timestamps.length, 0);
  assert.equal(unknown.values.length, 0);
});

test('negative timestamps sort before positive ones', () => {
  const ts = openDb().timeseries();
  ts.writeSeries('d', 'm', f64(5, -5, 0), f64(3, 1, 2));
  const r = ts.queryRange('d', 'm', -10, 10);
  assert.deepEqual([...r.timestamps], [-5, 0, 5]);
  assert.deepEqual([...r.values], [1, 2, 3]);
});

test('write buffers single points until a read, flush or size', () => {
  const ts = openDb().timeseries();
  ts.write('plug-1', 'power', { timestamp: 10, value: 1.25 });
  ts.write('plug-1', 'power', { timestamp: 20, value: 2.5, quality: 0.5, metadata: { src: 'sim' } });
  assert.equal(ts.bufferedPoints(), 2);
  ts.flush();
  assert.equal(ts.bufferedPoints(), 0);
  ts.write('plug-1', 'power', { timestamp: 30, value: 3.75 });
  assert.equal(ts.bufferedPoints(), 1);
  // A read sees buffered points.
  assert.deepEqual(ts.queryLatest('plug-1', 'power'), { timestamp: 30, value: 3.75, quality: null, metadata: null });
  assert.equal(ts.bufferedPoints(), 0);
  const pts = ts.queryRangePoints('plug-1', 'power', 0, 25);
  assert.deepEqual(pts, [
    { timestamp: 10, value: 1.25, quality: null, metadata: null },
    { timestamp: 20, value: 2.5, quality: 0.5, metadata: { src: 'sim' } },
  ]);
});


test('value types survive queryRangePoints; packed output is a float column, nothing converted', () => {
  const ts = openDb().timeseries();
  ts.writeBatch([
    { deviceId: 'd', metric: 'm', point: { timestamp: 1, value: 7 } },
    { deviceId: 'd', metric: 'm', point: { timestamp: 2, value: true } },
    { deviceId: 'd', metric: 'm', point: { timestamp: 3, value: false } },
    { deviceId: 'd', metric: 'm', point: { timestamp: 4, value: 'on' } },
    { deviceId: 'd', metric: 'm', point: { timestamp: 5, value: -0.5 } },
  ]);
  const pts = ts.queryRangePoints('d', 'm', 0, 10);
  assert.deepEqual(pts.map((p) => p.value), [7, true, false, 'on', -0.5]);
  // A packed read returns floats only: the integer, booleans and text are refused by name.
  throwsCode(() => ts.queryRange('d', 'm', 0, 10), 'INVALID_INPUT', 'value type');
  throwsCode(() => ts.queryRange('d', 'm', 0, 2), 'INVALID_INPUT', 'value type', /integer/);
  throwsCode(() => ts.queryRange('d', 'm', 2, 4), 'INVALID_INPUT', 'value type', /boolean/);
  throwsCode(() => ts.queryRange('d', 'm', 4, 5), 'INVALID_INPUT', 'value type', /string/);
  assert.deepEqual([...ts.queryRange('d', 'm', 5, 10).values], [-0.5]);
  assert.deepEqual(ts.queryRangePoints('d', 'm', 0, 10, 2, true).map((p) => p.timestamp), [5, 4]);
});

test('an open end (undefined or Infinity) reaches the largest timestamp; packed writes refuse non-floats', () => {
  const ts = openDb().timeseries();
  // Timestamps cross as JS numbers: the largest safe integer stands in for the far end.
  const far = Number.MAX_SAFE_INTEGER;
  ts.writeSeries('d', 'm', new Float64Array([-far, 0, far]), new Float64Array([1, 2, 3]));
  assert.deepEqual([...ts.queryRange('d', 'm', 1).timestamps], [far]);
  assert.deepEqual([...ts.queryRange('d', 'm', 1, undefined).timestamps], [far]);
  assert.deepEqual([...ts.queryRange('d', 'm', -Infinity, Infinity).timestamps], [-far, 0, far]);
  assert.deepEqual([...ts.queryRange('d', 'm', 1, far).timestamps], []);
  assert.deepEqual(ts.queryAggregated('d', 'm', 1, undefined, 1000).map((b) => b.count), [1]);
  assert.equal(ts.deleteRange('d', 'm', 1, undefined), 1);
  assert.equal(ts.queryLatest('d', 'm').timestamp, 0);
  // An array holding a boolean or a string is not a float column.
  throwsCode(() => ts.writeSeries('d', 'm', [1, 2], [1.5, true]), 'INVALID_INPUT', 'values');
  throwsCode(() => ts.writeSeries('d', 'm', [1], ['on']), 'INVALID_INPUT', 'values');
  throwsCode(() => ts.writeSeries('d', 'm', f64(1, 2), f64(1)), 'INVALID_INPUT', 'values');
  assert.equal(ts.queryRange('d', 'm', -Infinity).timestamps.length, 2, 'nothing was written');
});

test('writeBatch spans series and devices in one call', () => {
  const ts = openDb().timeseries();
  ts.writeBatch([
    { deviceId: 'a', metric: 'x', point: { timestamp: 1, value: 1.5 } },
    { deviceId: 'b', metric: 'y', point: { timestamp: 2, value: 2.5 } },
  ]);
  assert.deepEqual(ts.listDevicesWithData(), ['a', 'b']);
  assert.equal(ts.queryLatest('b', 'y').value, 2.5);
});

test('writeColumns writes many series from packed columns', () => {
  const ts = openDb().timeseries();
  ts.writeColumns(['dev-1', 'dev-2'], ['temp', 'hum'], new Uint32Array([0, 1, 0, 1]), f64(100, 100, 200, 200), f64(20, 40, 21, 41));
  assert.deepEqual([...ts.queryRange('dev-1', 'temp', -Infinity, Infinity).values], [20, 21]);
  assert.deepEqual([...ts.queryRange('dev-2', 'hum', -Infinity, Infinity).values], [40, 41]);
  assert.deepEqual([...ts.queryRange('dev-2', 'hum', -Infinity, Infinity).timestamps], [100, 200]);
  assert.deepEqual(ts.queryRange('dev-1', 'hum', -Infinity, Infinity).timestamps.length, 0);
});

test('queryLatest and queryLatestBatch return the newest point or null', () => {
  const ts = openDb().timeseries();
  ts.writeSeries('d', 'm', f64(3, 1, 2), f64(30, 10, 20));
  assert.deepEqual(ts.queryLatest('d', 'm'), { timestamp: 3, value: 30, quality: null, metadata: null });
  assert.equal(ts.queryLatest('d', 'other'), null);
  const batch = ts.queryLatestBatch([['d', 'm'], ['x', 'y']]);
  assert.equal(batch.length, 2);
  assert.equal(batch[0].timestamp, 3);
  assert.equal(batch[1], null);
});

test('queryAggregated folds epoch-aligned buckets', () => {
  const ts = openDb().timeseries();
  ts.writeSeries('d', 'm', f64(0, 500, 1000, 1500, 2500), f64(1, 3, 5, 7, 9));
  const b = ts.queryAggregated('d', 'm', 0, 3000, 1000);
  assert.deepEqual(b, [
    { bucketStart: 0, count: 2, sum: 4, min: 1, max: 3, avg: 2, first: 1, last: 3 },
    { bucketStart: 1000, count: 2, sum: 12, min: 5, max: 7, avg: 6, first: 5, last: 7 },
    { bucketStart: 2000, count: 1, sum: 9, min: 9, max: 9, avg: 9, first: 9, last: 9 },
  ]);
  assert.deepEqual(ts.queryAggregated('d', 'm', 1000, 2000, 1000).map((x) => x.count), [2]);
  assert.deepEqual(ts.queryAggregated('nope', 'm', 0, 10, 5), []);
});

test('listMetrics lists series with points; unknown devices are NOT_FOUND', () => {
  const ts = openDb().timeseries();
  ts.writeSeries('d', 'temperature', f64(1), f64(1));
  ts.writeSeries('d', 'humidity', f64(1), f64(1));
  assert.deepEqual(ts.listMetrics('d'), ['humidity', 'temperature']);
  throwsCode(() => ts.listMetrics('ghost'), 'NOT_FOUND');
  throwsCode(() => ts.listMetrics(''), 'INVALID_INPUT', 'device_id');
});

test('deleteRange removes a half-open range and reports the count', () => {
  const ts = openDb().timeseries();
  ts.writeSeries('d', 'm', f64(1, 2, 3, 4), f64(1, 2, 3, 4));
  assert.equal(ts.deleteRange('d', 'm', 2, 4), 2);
  assert.deepEqual([...ts.queryRange('d', 'm', -Infinity, Infinity).timestamps], [1, 4]);
  assert.equal(ts.deleteRange('d', 'm', -Infinity, Infinity), 2);
  assert.equal(ts.deleteRange('unknown', 'm', 0, 1), 0);
  assert.deepEqual(ts.listDevicesWithData(), []);
  throwsCode(() => ts.deleteRange('d', 'm', 5, 1), 'INVALID_INPUT', 'time range');
});

test('bad ids, numbers and shapes are INVALID_INPUT and store nothing', () => {
  const ts = openDb().timeseries();
  throwsCode(() => ts.writeSeries('', 'm', f64(1), f64(1)), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.writeSeries('d', '', f64(1), f64(1)), 'INVALID_INPUT', 'metric');
  throwsCode(() => ts.writeSeries('x'.repeat(257), 'm', f64(1), f64(1)), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.writeSeries('d', 'm', f64(1, 2), f64(NaN, 1)), 'INVALID_INPUT', 'values', /value 0 \(NaN\)/);
  throwsCode(() => ts.writeSeries('d', 'm', f64(1), f64(Infinity)), 'INVALID_INPUT', 'values');
  throwsCode(() => ts.writeSeries('d', 'm', f64(NaN), f64(1)), 'INVALID_INPUT', 'timestamps');
  throwsCode(() => ts.writeSeries('d', 'm', f64(1.5), f64(1)), 'INVALID_INPUT', 'timestamps');
  throwsCode(() => ts.writeSeries('d', 'm', f64(2 ** 60), f64(1)), 'INVALID_INPUT', 'timestamps');
  throwsCode(() => ts.writeSeries('d', 'm', f64(1, 2), f64(1)), 'INVALID_INPUT', 'values');
  throwsCode(() => ts.write('d', 'm', { timestamp: 'soon', value: 1 }), 'INVALID_INPUT', 'point');
  throwsCode(() => ts.write('d', 'm', { timestamp: 1 }), 'INVALID_INPUT', 'point');
  throwsCode(() => ts.write('d', 'm', { timestamp: 1, value: NaN }), 'INVALID_INPUT', 'value');
  throwsCode(() => ts.write('d', 'm', { timestamp: 1, value: 1, quality: NaN }), 'INVALID_INPUT', 'quality');
  throwsCode(() => ts.write('', 'm', { timestamp: 1, value: 1 }), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.writeBatch('not an array'), 'INVALID_INPUT', 'points');
  // One bad point refuses the whole batch.
  throwsCode(() => ts.writeBatch([
    { deviceId: 'd', metric: 'm', point: { timestamp: 1, value: 1 } },
    { deviceId: 'd', metric: '', point: { timestamp: 2, value: 2 } },
  ]), 'INVALID_INPUT', 'metric');
  const cols = (ids, ms, idx, t, v) => () => ts.writeColumns(ids, ms, new Uint32Array(idx), f64(...t), f64(...v));
  throwsCode(cols(['d'], ['m', 'n'], [0], [1], [1]), 'INVALID_INPUT', 'metrics');
  throwsCode(cols(['d'], ['m'], [0, 0], [1], [1]), 'INVALID_INPUT', 'seriesIndex');
  throwsCode(cols(['d'], ['m'], [1], [1], [1]), 'INVALID_INPUT', 'seriesIndex');
  throwsCode(cols(['d'], ['m'], [0], [1], [1, 2]), 'INVALID_INPUT', 'values');
  throwsCode(cols([''], ['m'], [0], [1], [1]), 'INVALID_INPUT', 'device_id');
  ts.flush();
  assert.deepEqual(ts.listDevicesWithData(), []);
  assert.equal(ts.bufferedPoints(), 0);
});

test('query arguments are checked: start > end, NaN bounds, bucket <= 0, bad limits', () => {
  const ts = openDb().timeseries();
  ts.writeSeries('d', 'm', f64(1), f64(1));
  throwsCode(() => ts.queryRange('d', 'm', 10, 5), 'INVALID_INPUT', 'time range');
  throwsCode(() => ts.queryRange('d', 'm', NaN, 5), 'INVALID_INPUT', 'start');
  throwsCode(() => ts.queryRange('d', 'm', 0, NaN), 'INVALID_INPUT', 'end');
  throwsCode(() => ts.queryRange('d', 'm', 0, 5, -1), 'INVALID_INPUT', 'limit');
  throwsCode(() => ts.queryRange('d', 'm', 0, 5, 1.5), 'INVALID_INPUT', 'limit');
  throwsCode(() => ts.queryRange('', 'm', 0, 5), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.queryRangePoints('d', 'm', 10, 5), 'INVALID_INPUT', 'time range');
  throwsCode(() => ts.queryAggregated('d', 'm', 0, 10, 0), 'INVALID_INPUT', 'bucket_ms');
  throwsCode(() => ts.queryAggregated('d', 'm', 0, 10, -1000), 'INVALID_INPUT', 'bucket_ms');
  throwsCode(() => ts.queryAggregated('d', 'm', 0, 10, NaN), 'INVALID_INPUT', 'bucket_ms');
  throwsCode(() => ts.queryAggregated('d', 'm', 10, 0, 5), 'INVALID_INPUT', 'time range');
  throwsCode(() => ts.queryLatest('d', ''), 'INVALID_INPUT', 'metric');
  throwsCode(() => ts.queryLatestBatch([['d']]), 'INVALID_INPUT', 'series');
  throwsCode(() => ts.queryLatestBatch([['', 'm']]), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.deleteRange('d', 'm', NaN, 1), 'INVALID_INPUT', 'start');
});

test('arguments of the wrong JS type are INVALID_INPUT, not a wasm trap', () => {
  const ts = openDb().timeseries();
  throwsCode(() => ts.writeSeries(5, 'm', f64(1), f64(1)), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.writeSeries('d', null, f64(1), f64(1)), 'INVALID_INPUT', 'metric');
  throwsCode(() => ts.writeSeries('d', 'm', 5, f64(1)), 'INVALID_INPUT', 'timestamps');
  throwsCode(() => ts.writeSeries('d', 'm', f64(1), ['x']), 'INVALID_INPUT', 'values');
  throwsCode(() => ts.writeColumns([1], ['m'], new Uint32Array([0]), f64(1), f64(1)), 'INVALID_INPUT', 'deviceIds');
  throwsCode(() => ts.writeColumns(['d'], 'm', new Uint32Array([0]), f64(1), f64(1)), 'INVALID_INPUT', 'metrics');
  throwsCode(() => ts.writeColumns(['d'], ['m'], [-1], f64(1), f64(1)), 'INVALID_INPUT', 'seriesIndex');
  throwsCode(() => ts.write(undefined, 'm', { timestamp: 1, value: 1 }), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.queryRange({}, 'm', 0, 1), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.queryLatest('d', 7), 'INVALID_INPUT', 'metric');
  throwsCode(() => ts.listMetrics(null), 'INVALID_INPUT', 'device_id');
  // Plain number arrays are accepted where typed arrays are expected.
  ts.writeSeries('d', 'm', [1, 2], [10, 20]);
  ts.writeColumns(['d'], ['m'], [0], [3], [30]);
  assert.deepEqual([...ts.queryRange('d', 'm', -Infinity, Infinity).values], [10, 20, 30]);
});

test('writePoints: one series from point objects, numbers as floats, all or nothing', () => {
  const ts = openDb().timeseries();
  // Plain { timestamp, value } numbers: the column path; whole numbers are floats too.
  ts.writePoints('d', 'm', [{ timestamp: 2000, value: 21.5 }, { timestamp: 1000, value: 20 }, { timestamp: 3000, value: 22 }]);
  const r = ts.queryRange('d', 'm', -Infinity, Infinity);
  assert.deepEqual([...r.timestamps], [1000, 2000, 3000]);
  assert.deepEqual([...r.values], [20, 21.5, 22]);
  // Equal timestamps: the later value wins.
  ts.writePoints('d', 'm', [{ timestamp: 1000, value: 1 }, { timestamp: 1000, value: 2 }]);
  assert.equal(ts.queryRangePoints('d', 'm', 1000, 1001)[0].value, 2);
  ts.writePoints('d', 'm', []);
  // Quality, metadata, booleans and text take the general path and keep what they carry.
  ts.writePoints('e', 'm', [{ timestamp: 1, value: 7, quality: 0.5, metadata: { src: 'x' } }, { timestamp: 2, value: true }, { timestamp: 3, value: 'on', quality: null }]);
  assert.deepEqual(ts.queryRangePoints('e', 'm', -Infinity, Infinity), [
    { timestamp: 1, value: 7, quality: 0.5, metadata: { src: 'x' } },
    { timestamp: 2, value: true, quality: null, metadata: null },
    { timestamp: 3, value: 'on', quality: null, metadata: null },
  ]);
  assert.deepEqual([...ts.queryRange('e', 'm', 1, 2).values], [7], 'a number on the general path is a float as well');
});

test('writePoints: bad input is INVALID_INPUT naming the field and stores nothing', () => {
  const ts = openDb().timeseries();
  throwsCode(() => ts.writePoints('', 'm', [{ timestamp: 1, value: 1 }]), 'INVALID_INPUT', 'device_id');
  throwsCode(() => ts.writePoints('d', 7, [{ timestamp: 1, value: 1 }]), 'INVALID_INPUT', 'metric');
  throwsCode(() => ts.writePoints('d', 'm', { timestamp: 1, value: 1 }), 'INVALID_INPUT', 'points');
  throwsCode(() => ts.writePoints('d', 'm', null), 'INVALID_INPUT', 'points');
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 1, value: 1 }, { timestamp: 2, value: NaN }]), 'INVALID_INPUT', 'values');
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 1.5, value: 1 }]), 'INVALID_INPUT', 'timestamp');
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 2 ** 60, value: 1 }]), 'INVALID_INPUT', 'timestamp');
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 1, value: 1 }, 5]), 'INVALID_INPUT', 'points');
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 1 }]), 'INVALID_INPUT', 'points');
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 'soon', value: 1 }]), 'INVALID_INPUT', 'points');
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 1, value: 1, quality: 0.5 }, { timestamp: 2, value: NaN }]), 'INVALID_INPUT', 'value');
  // An unknown field is refused on the fast path (plain numbers) and the general one.
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 1, value: 1, unit: 'C' }]), 'INVALID_INPUT', 'points', /unknown field `unit`/);
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 1, value: 'on', unit: 'C' }]), 'INVALID_INPUT', 'points', /unknown field `unit`/);
  throwsCode(() => ts.writePoints('d', 'm', [{ timestamp: 1, value: 1, metadata: { a: 1 }, extra: 1 }]), 'INVALID_INPUT', 'points');
  throwsCode(() => ts.write('d', 'm', { timestamp: 1, value: 1, unit: 'C' }), 'INVALID_INPUT', 'point', /unknown field `unit`/);
  throwsCode(() => ts.writeBatch([{ deviceId: 'd', metric: 'm', point: { timestamp: 1, value: 1, unit: 'C' } }]), 'INVALID_INPUT', 'points');
  assert.deepEqual(ts.listDevicesWithData(), []);
  // `undefined` members count as absent, and free-form metadata keeps any key.
  ts.writePoints('d', 'm', [{ timestamp: 1, value: 1, unit: undefined, metadata: { anything: 1 } }]);
  assert.equal(ts.queryRangePoints('d', 'm', 0).length, 1);
});

test('binary values are Uint8Arrays: a 1 MB camera image round-trips; the device snapshot keeps its size', () => {
  const db = openDb();
  const ts = db.timeseries();
  const image = Uint8Array.from({ length: 1_000_000 }, (_, i) => (i * 31 + 1) & 0xff);
  ts.write('cam-1', 'snapshot', { timestamp: 1000, value: image, metadata: { format: 'jpeg' } });
  ts.writePoints('cam-1', 'snapshot', [{ timestamp: 2000, value: Uint8Array.of(0, 255) }]);
  const points = ts.queryRangePoints('cam-1', 'snapshot', 0);
  assert.equal(points.length, 2);
  assert.ok(points[0].value instanceof Uint8Array);
  assert.deepEqual(points[0].value, image);
  assert.deepEqual(points[0].metadata, { format: 'jpeg' });
  assert.deepEqual(ts.queryLatest('cam-1', 'snapshot').value, Uint8Array.of(0, 255));
  const device = db.devices().getDevice('cam-1');
  assert.deepEqual(device.metrics.snapshot, { value: new Uint8Array(0), timestamp: 2000, quality: null, binaryBytes: 2 });
  // Read, renamed and written back, the snapshot keeps its size.
  db.devices().upsert({ ...device, name: 'Door camera' });
  assert.equal(db.devices().getDevice('cam-1').metrics.snapshot.binaryBytes, 2);
  // Packed reads carry floats only, and say where to read bytes.
  throwsCode(() => ts.queryRange('cam-1', 'snapshot', 0), 'INVALID_INPUT');
});

test('binary values over max_binary_value_bytes are INVALID_INPUT', () => {
  const ts = openDb({ maxBinaryValueBytes: 4 }).timeseries();
  ts.writePoints('cam', 'm', [{ timestamp: 1, value: new Uint8Array(4) }]);
  throwsCode(() => ts.writePoints('cam', 'm', [{ timestamp: 2, value: new Uint8Array(5) }]), 'INVALID_INPUT', 'value', /binary value is 5 bytes; the limit is 4/);
});
