// AlertStore through JS: create, acknowledge / resolve, queries, counts, enum strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasm, openDb, throwsCode } from './helpers.mjs';

const alert = (id, severity, created_at, extra = {}) => ({ alertId: id, title: `alert ${id}`, severity, source: 'rule', created_at, ...extra });

test('create fills the optional fields; get returns the plain record', () => {
  const alerts = openDb().alerts();
  assert.ok(alerts instanceof wasm.AlertStore);
  alerts.create(alert('a1', 'Warning', 1000, { entityId: 'thermo-1', entityType: 'device', message: '31 C' }));
  assert.deepEqual(alerts.get('a1'), {
    alertId: 'a1', title: 'alert a1', severity: 'Warning', message: '31 C', entityId: 'thermo-1', entityType: 'device',
    createdAt: 1000, acknowledged: false, acknowledgedBy: null, acknowledgedAt: null, resolvedAt: null, source: 'rule',
  });
  alerts.create(alert('a2', 'Info', 1001));
  assert.equal(alerts.get('a2').message, '');
  assert.equal(alerts.get('a2').entityId, null);
  assert.equal(alerts.get('missing'), null);
  throwsCode(() => alerts.create(alert('a1', 'Info', 5)), 'CONFLICT');
});

test('acknowledge and resolve change the state once; unknown ids are NOT_FOUND', () => {
  const alerts = openDb().alerts();
  alerts.create(alert('a1', 'Critical', 1000));
  alerts.create(alert('a2', 'Error', 2000));
  const acked = alerts.acknowledge('a1', 'operator', 1500);
  assert.equal(acked.acknowledged, true);
  assert.equal(acked.acknowledgedBy, 'operator');
  assert.equal(acked.acknowledgedAt, 1500);
  throwsCode(() => alerts.acknowledge('a1', 'someone', 1600), 'CONFLICT');
  assert.equal(alerts.get('a1').acknowledgedBy, 'operator', 'the first acknowledgement stays');
  assert.deepEqual(alerts.unacknowledged().map((a) => a.alertId), ['a2']);
  assert.equal(alerts.resolve('a2', 2500).resolvedAt, 2500);
  throwsCode(() => alerts.resolve('a2', 2600), 'CONFLICT');
  assert.deepEqual(alerts.unresolved().map((a) => a.alertId), ['a1']);
  throwsCode(() => alerts.acknowledge('nope', 'x', 1), 'NOT_FOUND');
  throwsCode(() => alerts.resolve('nope', 1), 'NOT_FOUND');
  throwsCode(() => alerts.acknowledge('a2', '', 1), 'INVALID_INPUT', 'acknowledged_by');
  throwsCode(() => alerts.acknowledge('a2', 'x', 1.5), 'INVALID_INPUT', 'at');
});

test('queries by time, severity, entity and source are half-open and ordered', () => {
  const alerts = openDb().alerts();
  alerts.create(alert('a1', 'Warning', 1000, { entityId: 'd1', entityType: 'device' }));
  alerts.create(alert('a2', 'Critical', 2000, { entityId: 'd2', entityType: 'device', source: 'llm' }));
  alerts.create(alert('a3', 'Warning', 3000, { entityId: 'd1', entityType: 'device' }));
  const ids = (xs) => xs.map((a) => a.alertId);
  assert.deepEqual(ids(alerts.queryRange(1000, 3000)), ['a1', 'a2']);
  assert.deepEqual(ids(alerts.queryRange(-Infinity, Infinity, 1)), ['a1']);
  assert.deepEqual(ids(alerts.queryBySeverity('Warning', -Infinity, Infinity)), ['a1', 'a3']);
  assert.deepEqual(ids(alerts.queryByEntity('d1', -Infinity, Infinity)), ['a1', 'a3']);
  assert.deepEqual(ids(alerts.queryBySource('llm', -Infinity, Infinity)), ['a2']);
  assert.deepEqual(ids(alerts.unacknowledged(2)), ['a3', 'a2'], 'newest first');
  assert.deepEqual(alerts.countBySeverity(), { info: 0, warning: 2, error: 0, critical: 1 });
  alerts.resolve('a2', 4000);
  assert.deepEqual(alerts.countUnresolvedBySeverity(), { info: 0, warning: 2, error: 0, critical: 0 });
  assert.equal(alerts.cleanup(2000), 1);
  assert.deepEqual(ids(alerts.queryRange(-Infinity, Infinity)), ['a2', 'a3']);
});

test('a wrong severity string or shape is INVALID_INPUT naming the accepted values', () => {
  const alerts = openDb().alerts();
  for (const bad of ['Severe', 'High', '', 3, null]) {
    assert.throws(() => alerts.create(alert('a', bad, 1)), (e) => e.code === 'INVALID_INPUT' && e.field === 'alert', `severity ${bad}`);
  }
  assert.deepEqual(alerts.queryBySeverity('warning', 0, 10), [], 'an argument name parses in any case (core FromStr)');
  throwsCode(() => alerts.queryBySeverity(2, 0, 10), 'INVALID_INPUT', 'severity');
  assert.throws(() => alerts.queryBySeverity('Severe', 0, 10), (e) => e.code === 'INVALID_INPUT' && e.field === 'severity' && /Info.*Warning.*Error.*Critical/.test(e.message));
  throwsCode(() => alerts.create({ alertId: 'a', title: 't', severity: 'Info', source: 'rule' }), 'INVALID_INPUT', 'alert');
  throwsCode(() => alerts.create(alert('', 'Info', 1)), 'INVALID_INPUT', 'alert_id');
  throwsCode(() => alerts.create(alert('a', 'Info', 1, { acknowledged: true })), 'INVALID_INPUT', 'acknowledged_at');
  throwsCode(() => alerts.create(alert('a', 'Info', 1.5)), 'INVALID_INPUT', 'alert');
  throwsCode(() => alerts.get(42), 'INVALID_INPUT', 'alert_id');
  throwsCode(() => alerts.queryRange(0.5, 10), 'INVALID_INPUT', 'start');
  throwsCode(() => alerts.unresolved(-1), 'INVALID_INPUT', 'limit');
  assert.equal(alerts.queryRange(-Infinity, Infinity).length, 0, 'nothing was stored');
  const other = openDb().alerts();
  other.create(alert('lower', 'warning', 1));
  assert.equal(other.get('lower').severity, 'Warning', 'a record enum parses in any case too');
});

test('alert methods throw CLOSED after close', () => {
  const db = openDb();
  const alerts = db.alerts();
  db.close();
  throwsCode(() => alerts.create(alert('a', 'Info', 1)), 'CLOSED');
  throwsCode(() => alerts.get('a'), 'CLOSED');
  throwsCode(() => alerts.countBySeverity(), 'CLOSED');
});
