// DeviceStateStore: every method and its error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, throwsCode } from './helpers.mjs';

test('upsert with only id and type takes the defaults', () => {
  const devices = openDb().devices();
  devices.upsert({ deviceId: 'thermo-1', deviceType: 'thermometer' });
  assert.deepEqual(devices.getDevice('thermo-1'), {
    deviceId: 'thermo-1',
    deviceType: 'thermometer',
    name: 'thermo-1',
    online: true,
    lastSeen: 0,
    metrics: {},
    config: null,
    mdlDefinition: null,
    adapter: '',
  });
  assert.equal(devices.getDevice('nobody'), null);
});

test('upsert keeps every given field, MDL definition and snapshots included', () => {
  const devices = openDb().devices();
  const mdl = {
    typeId: 'plug-v1',
    name: 'Smart plug',
    metrics: [{ name: 'power', dataType: 'Float', unit: 'W' }],
    commands: [{ name: 'switch', parameters: [{ name: 'on', dataType: 'Boolean', required: true }] }],
  };
  devices.upsert({
    deviceId: 'plug-1', deviceType: 'plug', name: 'Kitchen plug', online: false, lastSeen: 500,
    metrics: { power: { value: 12.5, timestamp: 400, quality: null } },
    config: { intervalMs: 100 }, mdlDefinition: mdl, adapter: 'mqtt',
  });
  const d = devices.getDevice('plug-1');
  assert.equal(d.name, 'Kitchen plug');
  assert.equal(d.online, false);
  assert.equal(d.lastSeen, 500);
  assert.deepEqual(d.metrics, { power: { value: 12.5, timestamp: 400, quality: null } });
  assert.deepEqual(d.config, { intervalMs: 100 });
  assert.deepEqual(d.mdlDefinition, mdl);
  assert.equal(d.adapter, 'mqtt');
});

test('telemetry updates metric snapshots and last_seen, registering unknown devices', () => {
  const db = openDb();
  db.devices().upsert({ deviceId: 'hyg-1', deviceType: 'hygrometer' });
  db.timeseries().writeSeries('hyg-1', 'humidity', new Float64Array([1000, 2000]), new Float64Array([40, 42]));
  db.timeseries().writeSeries('stray', 'power', new Float64Array([5]), new Float64Array([1]));
  const d = db.devices().getDevice('hyg-1');
  assert.equal(d.lastSeen, 2000);
  assert.deepEqual(d.metrics.humidity, { value: 42, timestamp: 2000, quality: null });
  const stray = db.devices().getDevice('stray');
  assert.equal(stray.deviceType, 'unknown');
  assert.equal(stray.online, true);
});

test('list, listByType, listOnline, listOffline and setOnline', () => {
  const devices = openDb().devices();
  devices.upsert({ deviceId: 'b', deviceType: 'plug' });
  devices.upsert({ deviceId: 'a', deviceType: 'thermo' });
  devices.upsert({ deviceId: 'c', deviceType: 'plug' });
  assert.deepEqual(devices.listDevices().map((d) => d.deviceId), ['a', 'b', 'c']);
  assert.deepEqual(devices.listByType('plug').map((d) => d.deviceId), ['b', 'c']);
  assert.deepEqual(devices.listByType('none'), []);
  devices.setOnline('b', false);
  assert.deepEqual(devices.listOnline().map((d) => d.deviceId), ['a', 'c']);
  assert.deepEqual(devices.listOffline().map((d) => d.deviceId), ['b']);
  assert.equal(devices.getDevice('b').online, false);
  devices.setOnline('b', true);
  assert.deepEqual(devices.listOffline(), []);
  throwsCode(() => devices.setOnline('ghost', false), 'NOT_FOUND');
  throwsCode(() => devices.setOnline('', false), 'INVALID_INPUT', 'device_id');
  throwsCode(() => devices.listByType(''), 'INVALID_INPUT', 'device_type');
});

test('delete removes the device; unknown ids are NOT_FOUND', () => {
  const devices = openDb().devices();
  devices.upsert({ deviceId: 'x', deviceType: 't' });
  devices.delete('x');
  assert.equal(devices.getDevice('x'), null);
  assert.deepEqual(devices.listByType('t'), []);
  throwsCode(() => devices.delete('x'), 'NOT_FOUND');
  throwsCode(() => devices.delete(''), 'INVALID_INPUT', 'device_id');
});

test('bad device records are INVALID_INPUT', () => {
  const devices = openDb().devices();
  throwsCode(() => devices.upsert({ deviceId: 'x' }), 'INVALID_INPUT', 'state');
  throwsCode(() => devices.upsert('x'), 'INVALID_INPUT', 'state');
  throwsCode(() => devices.upsert({ deviceId: 'x', deviceType: 't', online: 'yes' }), 'INVALID_INPUT', 'state');
  throwsCode(() => devices.upsert({ deviceId: '', deviceType: 't' }), 'INVALID_INPUT', 'device_id');
  throwsCode(() => devices.upsert({ deviceId: 'x', deviceType: '' }), 'INVALID_INPUT', 'device_type');
  let deep = 1;
  for (let i = 0; i < 70; i++) deep = [deep];
  throwsCode(() => devices.upsert({ deviceId: 'x', deviceType: 't', config: deep }), 'INVALID_INPUT', 'config');
  throwsCode(() => devices.getDevice(''), 'INVALID_INPUT', 'device_id');
  assert.deepEqual(devices.listDevices(), []);
});

test('ids of the wrong JS type are INVALID_INPUT', () => {
  const devices = openDb().devices();
  throwsCode(() => devices.getDevice(1), 'INVALID_INPUT', 'device_id');
  throwsCode(() => devices.delete(undefined), 'INVALID_INPUT', 'device_id');
  throwsCode(() => devices.listByType({}), 'INVALID_INPUT', 'device_type');
  throwsCode(() => devices.setOnline(null, true), 'INVALID_INPUT', 'device_id');
  devices.upsert({ deviceId: 'ok', deviceType: 't' });
  assert.equal(devices.listDevices().length, 1);
});
