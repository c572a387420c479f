// DataCleanupTask through JS: one retention run over every store, per-store counts,
// the retention argument (or the database's config), failures after close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// Against the `full` package: the seeded database has sessions and memories.
import { wasm as lite, full as wasm, openFullDb as openDb, throwsCode } from './helpers.mjs';

const DAY = 86_400_000;
const NOW = 100 * DAY;

/** A database with one old and one recent record in every store. */
function seeded() {
  const db = openDb();
  const old = NOW - 50 * DAY;
  const recent = NOW - 1000;
  db.timeseries().writeSeries('d', 'temperature', new Float64Array([old, old + 1, old + 2, recent]), new Float64Array([1, 2, 3, 4]));
  const ev = (id, at) => ({ eventId: id, eventType: 't', eventData: null, metadata: { source: 's', timestamp: at } });
  db.events().appendBatch([ev('e-old', old), ev('e-new', recent)]);
  const rule = (id, at) => ({ executionId: id, ruleId: 'r', ruleName: 'r', triggeredAt: at, result: 'Success' });
  db.ruleHistory().recordBatch([rule('x-old', old), rule('x-new', recent)]);
  const run = (id, at) => ({ executionId: id, workflowId: 'w', workflowName: 'w', triggerType: 'cron', startedAt: at });
  db.workflowHistory().start(run('w-old', old));
  db.workflowHistory().start(run('w-new', recent));
  const alert = (id, at) => ({ alertId: id, title: 't', severity: 'Info', source: 'rule', createdAt: at });
  db.alerts().create(alert('a-old', old));
  db.alerts().create(alert('a-new', recent));
  const decision = (id, at) => ({ decisionId: id, title: 't', confidence: 0.5, createdAt: at });
  db.decisions().create(decision('d-old', old));
  db.decisions().create(decision('d-new', recent));
  db.sessions().createSession('s-old', 'old chat', old);
  db.memory().add({ memoryId: 'm-expired', memoryType: 'Other', content: 'stale fact', createdAt: old, metadata: { expiresAt: old + 1 } });
  db.memory().add({ memoryId: 'm-kept', memoryType: 'Other', content: 'lasting fact', createdAt: old });
  return db;
}

test('run removes what each retention window says has expired and reports it per store', () => {
  const db = seeded();
  const task = new wasm.DataCleanupTask(db, { timeseries: { defaultDays: 10 }, ruleHistory: { days: 10 }, workflowHistory: { keep: '240h' }, alerts: { keep: 10 }, decisions: { keep: '10d' } });
  const report = task.run(NOW);
  assert.deepEqual(report, {
    removed: { timeseries: 3, events: 1, rule_history: 1, workflow_history: 1, alerts: 1, decisions: 1, sessions: 0, memory: 1 },
    failed: {},
  });
  assert.deepEqual([...db.timeseries().queryRange('d', 'temperature', -Infinity, Infinity).values], [4]);
  assert.equal(db.events().get('e-old'), null);
  assert.notEqual(db.events().get('e-new'), null);
  assert.equal(db.ruleHistory().get('x-old'), null);
  assert.equal(db.workflowHistory().get('w-old'), null);
  assert.notEqual(db.workflowHistory().get('w-new'), null);
  assert.equal(db.alerts().get('a-old'), null);
  assert.equal(db.decisions().get('d-old'), null);
  assert.notEqual(db.sessions().getSession('s-old'), null, 'sessions keep 365 days by default');
  assert.equal(db.memory().peek('m-expired'), null);
  assert.notEqual(db.memory().peek('m-kept'), null);
  assert.equal(task.run(NOW).removed.alerts, 0, 'a second run finds nothing more');
});

test('the defaults keep 90 days of history; config() shows the full retention', () => {
  const db = seeded();
  const task = new wasm.DataCleanupTask(db, {});
  const config = task.config();
  assert.equal(config.ruleHistory.keep, '90d');
  assert.equal(config.sessions.keep, '365d');
  assert.equal(config.timeseries.keep, '30d');
  assert.deepEqual(config.events, { keep: '7d', maxSizeMb: 1000, byType: {} });
  const report = task.run(NOW);
  assert.equal(report.removed.rule_history, 0);
  assert.equal(report.removed.timeseries, 3, '50 days is past the 30-day default');
  assert.equal(report.removed.events, 1);
});

test("left out, the retention is the database's config().retention() (full package)", () => {
  const db = seeded();
  assert.equal(new wasm.DataCleanupTask(db).config().alerts.keep, '365d');
  db.config().setRetention({ alerts: { keep: '10d' } });
  const task = new wasm.DataCleanupTask(db, null);
  assert.equal(task.config().alerts.keep, '10d');
  assert.equal(task.run(NOW).removed.alerts, 1);
  db.config().setYaml('retention.yaml', 'retention:\n  sessions:\n    days: 1\n');
  assert.equal(new wasm.DataCleanupTask(db).run(NOW).removed.sessions, 1);
});

test('left out in the default package (no config tree), the retention is the default one', () => {
  const db = new lite.StorageManager();
  assert.equal(db.config, undefined);
  const old = NOW - 50 * DAY;
  db.timeseries().writeSeries('d', 'temperature', new Float64Array([old, NOW - 1000]), new Float64Array([1, 2]));
  const task = new lite.DataCleanupTask(db);
  assert.deepEqual(task.config(), new wasm.DataCleanupTask(openDb()).config());
  const report = task.run(NOW);
  assert.equal(report.removed.timeseries, 1, '50 days is past the 30-day default');
  assert.deepEqual(report.failed, {});
});

test('a bad retention or time is INVALID_INPUT; a closed database is CLOSED', () => {
  const db = seeded();
  throwsCode(() => new wasm.DataCleanupTask(db, { alerts: { days: 0 } }), 'INVALID_INPUT', 'retention');
  throwsCode(() => new wasm.DataCleanupTask(db, { alerts: { keep: '1mo' } }), 'INVALID_INPUT', 'retention', /unknown unit/);
  throwsCode(() => new wasm.DataCleanupTask(db, { alerts: { weeks: 2 } }), 'INVALID_INPUT', 'retention');
  throwsCode(() => new wasm.DataCleanupTask(db, { events: { byType: { x: -1 } } }), 'INVALID_INPUT', 'retention');
  throwsCode(() => new wasm.DataCleanupTask(db, 'forever'), 'INVALID_INPUT', 'retention');
  assert.throws(() => new wasm.DataCleanupTask({}, {}), Error, 'the database must be a StorageManager');
  const task = new wasm.DataCleanupTask(db);
  throwsCode(() => task.run(NOW + 0.5), 'INVALID_INPUT', 'now_ms');
  throwsCode(() => task.run(Infinity), 'INVALID_INPUT', 'now_ms');
  assert.equal(db.alerts().queryRange(-Infinity, Infinity).length, 2, 'nothing was removed');

  db.close();
  throwsCode(() => task.run(NOW), 'CLOSED');
  assert.equal(task.config().alerts.keep, '365d', 'config() needs no database');
});
