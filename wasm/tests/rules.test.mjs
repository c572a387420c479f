// RuleHistoryStore through JS: record, queries, statistics, ExecutionResult shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasm, openDb, throwsCode } from './helpers.mjs';

const run = (id, rule, at, result = 'Success', extra = {}) => ({ executionId: id, ruleId: rule, ruleName: `rule ${rule}`, triggeredAt: at, result, ...extra });

test('record fills the optional fields; get returns the plain record', () => {
  const rules = openDb().ruleHistory();
  assert.ok(rules instanceof wasm.RuleHistoryStore);
  rules.record(run('e1', 'hot', 1000, 'Success', {
    triggerValue: 31.5, durationMs: 12,
    actions: [{ actionType: 'alert', actionData: { alertId: 'a1' }, success: true }],
  }));
  assert.deepEqual(rules.get('e1'), {
    executionId: 'e1', ruleId: 'hot', ruleName: 'rule hot', triggeredAt: 1000, triggerValue: 31.5, conditionMet: true,
    actions: [{ actionType: 'alert', actionData: { alertId: 'a1' }, success: true, error: null }], result: 'Success', durationMs: 12,
  });
  rules.record(run('e2', 'hot', 2000, { PartialSuccess: { failedActions: ['notify'] } }));
  assert.deepEqual(rules.get('e2').result, { PartialSuccess: { failedActions: ['notify'] } });
  assert.equal(rules.get('e2').triggerValue, null);
  assert.deepEqual(rules.get('e2').actions, []);
  assert.equal(rules.get('missing'), null);
  throwsCode(() => rules.record(run('e1', 'hot', 5)), 'CONFLICT');
});

test('queries, failures and statistics', () => {
  const rules = openDb().ruleHistory();
  rules.recordBatch([
    run('e1', 'hot', 1000, 'Success', { durationMs: 10 }),
    run('e2', 'hot', 2000, { Failed: { error: 'no actuator' } }, { durationMs: 30 }),
    run('e3', 'cold', 1500, { PartialSuccess: { failedActions: ['x'] } }),
    run('e4', 'hot', 3000, 'Success', { conditionMet: false }),
  ]);
  const ids = (xs) => xs.map((r) => r.executionId);
  assert.deepEqual(ids(rules.queryRange(1000, 3000)), ['e1', 'e3', 'e2']);
  assert.deepEqual(ids(rules.queryRuleRange('hot', -Infinity, Infinity)), ['e1', 'e2', 'e4']);
  assert.deepEqual(ids(rules.queryByRule('hot', 0, 2)), ['e4', 'e2'], 'newest first');
  assert.deepEqual(ids(rules.queryByRule('hot', 2, 2)), ['e1']);
  assert.deepEqual(ids(rules.queryFailed(-Infinity, Infinity)), ['e2']);
  const hot = rules.ruleStatistics('hot', -Infinity, Infinity);
  assert.equal(hot.triggers, 3);
  assert.equal(hot.conditionMet, 2);
  assert.equal(hot.success, 2);
  assert.equal(hot.failed, 1);
  assert.equal(hot.maxDurationMs, 30);
  assert.deepEqual(rules.statistics(-Infinity, Infinity).map((s) => [s.ruleId, s.triggers]), [['cold', 1], ['hot', 3]]);
  assert.equal(rules.ruleStatistics('never', 0, 10).triggers, 0);
  assert.equal(rules.cleanup(2000), 2);
  assert.deepEqual(ids(rules.queryRange(-Infinity, Infinity)), ['e2', 'e4']);
});

test('a wrong result or bad fields are INVALID_INPUT; a failing batch stores nothing', () => {
  const rules = openDb().ruleHistory();
  for (const bad of ['success', 'Failed', { Failed: {} }, { Broken: { error: 'x' } }, 1]) {
    throwsCode(() => rules.record(run('e', 'r', 1, bad)), 'INVALID_INPUT', 'record');
  }
  assert.throws(() => rules.record(run('e', 'r', 1, 'Done')), (e) => /Success.*PartialSuccess.*Failed/.test(e.message));
  throwsCode(() => rules.record(run('', 'r', 1)), 'INVALID_INPUT', 'execution_id');
  throwsCode(() => rules.record(run('e', 'r', 1, 'Success', { actions: [{ actionType: 'a', success: true, retries: 2 }] })), 'INVALID_INPUT', 'record');
  throwsCode(() => rules.recordBatch([run('ok', 'r', 1), run('', 'r', 2)]), 'INVALID_INPUT', 'execution_id');
  throwsCode(() => rules.recordBatch('nope'), 'INVALID_INPUT', 'records');
  throwsCode(() => rules.queryByRule('r', -1, 10), 'INVALID_INPUT', 'offset');
  throwsCode(() => rules.queryByRule(7, 0, 10), 'INVALID_INPUT', 'rule_id');
  assert.deepEqual(rules.queryRange(-Infinity, Infinity), [], 'nothing was stored');
});
