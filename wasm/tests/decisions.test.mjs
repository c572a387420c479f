// DecisionStore through JS: create, status transitions, responses, results, queries, expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasm, openDb, throwsCode } from './helpers.mjs';

const decision = (id, at, extra = {}) => ({ decisionId: id, title: `decision ${id}`, confidence: 0.75, createdAt: at, ...extra });
const response = (user, at, extra = {}) => ({ userId: user, response: 'approved', respondedAt: at, ...extra });
const ids = (xs) => xs.map((d) => d.decisionId);

test('create fills the defaults; approve stores the response; the result is recorded once', () => {
  const d = openDb().decisions();
  assert.ok(d instanceof wasm.DecisionStore);
  d.create(decision('d1', 1000, {
    description: 'Room 3 is hot', reasoning: 'Trend up 2 °C/h',
    proposedActions: [{ actionType: 'control_device', parameters: { device: 'ac-3', setpoint: 22 } }, { actionType: 'notify_user', description: 'tell Alice' }],
  }));
  assert.deepEqual(d.get('d1'), {
    decisionId: 'd1', title: 'decision d1', description: 'Room 3 is hot', reasoning: 'Trend up 2 °C/h',
    proposedActions: [
      { actionType: 'control_device', description: '', parameters: { device: 'ac-3', setpoint: 22 } },
      { actionType: 'notify_user', description: 'tell Alice', parameters: null },
    ],
    confidence: 0.75, createdAt: 1000, status: 'Proposed', userResponse: null, executionResult: null, reviewId: null,
  });
  const approved = d.approve('d1', response('alice', 1500, { comments: 'go' }));
  assert.equal(approved.status, 'Approved');
  assert.deepEqual(approved.userResponse, { userId: 'alice', response: 'approved', respondedAt: 1500, comments: 'go' });
  const done = d.recordExecutionResult('d1', { PartialSuccess: { failedActions: ['notify_user'] } });
  assert.deepEqual(done.executionResult, { PartialSuccess: { failedActions: ['notify_user'] } });
  assert.deepEqual(d.get('d1'), done);
  throwsCode(() => d.recordExecutionResult('d1', 'Success'), 'CONFLICT');
  assert.equal(d.get('missing'), null);
  assert.equal(d.get('d1').confidence, 0.75);
});

test('reject, transition (any case), the final statuses, and status queries', () => {
  const d = openDb().decisions();
  d.create(decision('a', 100, { confidence: 0.5 }));
  d.create(decision('b', 200));
  d.create(decision('c', 300));
  assert.equal(d.reject('a', response('bob', 150, { response: 'rejected' })).status, 'Rejected');
  assert.equal(d.transition('b', 'auto_executed').status, 'AutoExecuted');
  assert.equal(d.recordExecutionResult('b', 'Success').executionResult, 'Success');
  throwsCode(() => d.transition('a', 'Approved'), 'CONFLICT');
  throwsCode(() => d.approve('a', response('x', 1)), 'CONFLICT');
  throwsCode(() => d.recordExecutionResult('a', 'Success'), 'CONFLICT');
  throwsCode(() => d.recordExecutionResult('c', 'Success'), 'CONFLICT');
  throwsCode(() => d.transition('c', 'Proposed'), 'CONFLICT');
  assert.deepEqual(ids(d.queryRange(-Infinity, Infinity)), ['a', 'b', 'c']);
  assert.deepEqual(ids(d.queryRange(150, 300)), ['b']);
  assert.deepEqual(ids(d.queryRange(-Infinity, Infinity, 1)), ['a']);
  assert.deepEqual(ids(d.queryByStatus('Rejected', -Infinity, Infinity)), ['a']);
  assert.deepEqual(ids(d.queryByStatus('PROPOSED', -Infinity, Infinity)), ['c']);
  assert.deepEqual(d.queryByStatus('Expired', -Infinity, Infinity), []);
});

test('expireProposals expires old proposals only; cleanup removes old decisions', () => {
  const d = openDb().decisions();
  d.create(decision('old', 1000));
  d.create(decision('edge', 5000));
  d.create(decision('new', 9000));
  d.create(decision('answered', 500));
  d.approve('answered', response('a', 600));
  assert.equal(d.expireProposals(10000, 5000), 1, 'created before 10000 - 5000');
  assert.deepEqual(ids(d.queryByStatus('Expired', -Infinity, Infinity)), ['old']);
  assert.equal(d.get('answered').status, 'Approved');
  assert.equal(d.expireProposals(10000, 5000), 0);
  throwsCode(() => d.expireProposals(10000, -1), 'INVALID_INPUT', 'max_age_ms');
  throwsCode(() => d.expireProposals(Infinity, 1), 'INVALID_INPUT', 'now_ms');
  assert.equal(d.cleanup(5000), 2, 'answered and old');
  assert.deepEqual(ids(d.queryRange(-Infinity, Infinity)), ['edge', 'new']);
});

test('bad decisions, responses, results, status names and ids are INVALID_INPUT; nothing is stored', () => {
  const d = openDb().decisions();
  throwsCode(() => d.create({ decisionId: 'x', title: 't', createdAt: 1 }), 'INVALID_INPUT', 'decision');
  throwsCode(() => d.create(decision('x', 1, { status: 'Maybe' })), 'INVALID_INPUT', 'decision');
  throwsCode(() => d.create(decision('x', 1, { extra: true })), 'INVALID_INPUT', 'decision');
  throwsCode(() => d.create(decision('x', 1, { proposedActions: [{ description: 'no type' }] })), 'INVALID_INPUT', 'decision');
  throwsCode(() => d.create(null), 'INVALID_INPUT', 'decision');
  throwsCode(() => d.create(decision('', 1)), 'INVALID_INPUT', 'decision_id');
  throwsCode(() => d.create(decision('x', 1, { confidence: 1.5 })), 'INVALID_INPUT', 'confidence');
  throwsCode(() => d.create(decision('x', 1, { status: 'Approved' })), 'INVALID_INPUT', 'status');
  throwsCode(() => d.create(decision('x', 1, { userResponse: response('a', 1) })), 'INVALID_INPUT', 'user_response');
  throwsCode(() => d.create(decision('x', 1, { executionResult: 'Success' })), 'INVALID_INPUT', 'execution_result');
  throwsCode(() => d.create(decision('x', 1, { proposedActions: [{ actionType: '' }] })), 'INVALID_INPUT', 'action_type');
  assert.deepEqual(d.queryRange(-Infinity, Infinity), []);

  d.create(decision('d', 1));
  throwsCode(() => d.create(decision('d', 2)), 'CONFLICT');
  throwsCode(() => d.approve('d', { userId: 'a' }), 'INVALID_INPUT', 'response');
  throwsCode(() => d.approve('d', response('', 1)), 'INVALID_INPUT', 'user_id');
  throwsCode(() => d.approve('ghost', response('a', 1)), 'NOT_FOUND');
  throwsCode(() => d.reject(7, response('a', 1)), 'INVALID_INPUT', 'decision_id');
  assert.throws(() => d.transition('d', 'Done'), (e) => e.code === 'INVALID_INPUT' && e.field === 'status' && /Proposed.*Approved.*Rejected.*AutoExecuted.*Expired/.test(e.message));
  throwsCode(() => d.transition('d', null), 'INVALID_INPUT', 'status');
  throwsCode(() => d.transition('ghost', 'Approved'), 'NOT_FOUND');
  throwsCode(() => d.recordExecutionResult('d', 'Done'), 'INVALID_INPUT', 'result');
  throwsCode(() => d.queryByStatus('Pending', 0, 10), 'INVALID_INPUT', 'status');
  throwsCode(() => d.queryRange(5, 1), 'INVALID_INPUT');
  throwsCode(() => d.get(''), 'INVALID_INPUT', 'decision_id');
  assert.equal(d.get('d').status, 'Proposed', 'failed calls changed nothing');
});
