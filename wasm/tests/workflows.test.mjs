// WorkflowHistoryStore through JS: start, steps, finish, queries, cleanup, error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasm, openDb, throwsCode } from './helpers.mjs';

const run = (id, workflow, at, extra = {}) => ({ executionId: id, workflowId: workflow, workflowName: `wf ${workflow}`, triggerType: 'manual', startedAt: at, ...extra });
const step = (id, at, extra = {}) => ({ stepId: id, stepName: `step ${id}`, stepType: 'device_command', startedAt: at, ...extra });
const ids = (xs) => xs.map((r) => r.executionId);

test('start fills the defaults; steps are added and replaced; finish ends the run', () => {
  const wf = openDb().workflowHistory();
  assert.ok(wf instanceof wasm.WorkflowHistoryStore);
  wf.start(run('r1', 'morning', 1000, { triggerData: { cron: '0 7 * * *' }, inputs: { room: 'kitchen' } }));
  assert.deepEqual(wf.get('r1'), {
    executionId: 'r1', workflowId: 'morning', workflowName: 'wf morning', triggerType: 'manual', triggerData: { cron: '0 7 * * *' },
    startedAt: 1000, finishedAt: null, status: 'Running', steps: [], inputs: { room: 'kitchen' }, outputs: null, error: null,
  });
  let r = wf.recordStep('r1', step('lights', 1010, { input: { on: true } }));
  assert.deepEqual(r.steps, [{ stepId: 'lights', stepName: 'step lights', stepType: 'device_command', startedAt: 1010, finishedAt: null, status: 'Running', input: { on: true }, output: null, error: null }]);
  wf.recordStep('r1', step('coffee', 1020));
  r = wf.recordStep('r1', step('lights', 1010, { status: 'Completed', finishedAt: 1015, output: { ok: true } }));
  assert.deepEqual(r.steps.map((s) => [s.stepId, s.status]), [['lights', 'Completed'], ['coffee', 'Running']], 'same step_id replaces in place');
  assert.deepEqual(ids(wf.running()), ['r1']);
  const done = wf.finish('r1', 'completed', 1500, { brewed: 1 });
  assert.equal(done.status, 'Completed', 'status names parse in any case');
  assert.equal(done.finishedAt, 1500);
  assert.deepEqual(done.outputs, { brewed: 1 });
  assert.equal(done.error, null);
  assert.deepEqual(wf.get('r1'), done);
  assert.deepEqual(wf.running(), []);
  assert.equal(wf.get('nope'), null);
});

test('update replaces a running run and moves it in the indexes', () => {
  const wf = openDb().workflowHistory();
  wf.start(run('r1', 'a', 1000));
  const updated = wf.update(run('r1', 'b', 2000, { inputs: [1, 2] }));
  assert.equal(updated.workflowId, 'b');
  assert.deepEqual(wf.queryByWorkflow('a', 0, 10), []);
  assert.deepEqual(ids(wf.queryByWorkflow('b', 0, 10)), ['r1']);
  assert.deepEqual(ids(wf.queryRange(2000, 2001)), ['r1']);
  assert.deepEqual(wf.get('r1').inputs, [1, 2]);
});

test('queries by workflow (newest first, paged), time range, status; cleanup', () => {
  const wf = openDb().workflowHistory();
  wf.start(run('r1', 'a', 1000));
  wf.start(run('r2', 'a', 2000));
  wf.start(run('r3', 'b', 1500));
  wf.start(run('r4', 'a', 3000));
  wf.finish('r1', 'Failed', 1100, null, 'pump offline');
  wf.finish('r3', 'Cancelled', 1600);
  assert.deepEqual(ids(wf.queryByWorkflow('a', 0, 2)), ['r4', 'r2']);
  assert.deepEqual(ids(wf.queryByWorkflow('a', 2, 2)), ['r1']);
  assert.deepEqual(ids(wf.queryRange(1000, 3000)), ['r1', 'r3', 'r2']);
  assert.deepEqual(ids(wf.queryRange(-Infinity, Infinity, 2)), ['r1', 'r3']);
  assert.deepEqual(ids(wf.queryByStatus('Failed', -Infinity, Infinity)), ['r1']);
  assert.equal(wf.get('r1').error, 'pump offline');
  assert.deepEqual(ids(wf.queryByStatus('RUNNING', -Infinity, Infinity)), ['r2', 'r4']);
  assert.deepEqual(ids(wf.running()), ['r2', 'r4']);
  assert.equal(wf.cleanup(2000), 2, 'r1 and r3 started before 2000');
  assert.deepEqual(ids(wf.queryRange(-Infinity, Infinity)), ['r2', 'r4']);
  assert.equal(wf.cleanup(2000), 0);
});

test('bad records, wrong status names, bad ids and numbers are INVALID_INPUT; finished runs are CONFLICT', () => {
  const wf = openDb().workflowHistory();
  throwsCode(() => wf.start({ executionId: 'x', workflowId: 'w', triggerType: 't', startedAt: 1 }), 'INVALID_INPUT', 'record');
  throwsCode(() => wf.start(run('x', 'w', 1, { status: 'Done' })), 'INVALID_INPUT', 'record');
  throwsCode(() => wf.start(run('x', 'w', 1, { typoField: 1 })), 'INVALID_INPUT', 'record');
  throwsCode(() => wf.start(run('x', 'w', 1.5)), 'INVALID_INPUT', 'record');
  throwsCode(() => wf.start('run'), 'INVALID_INPUT', 'record');
  throwsCode(() => wf.start(run('', 'w', 1)), 'INVALID_INPUT', 'execution_id');
  throwsCode(() => wf.start(run('x', 'w', 1, { status: 'Completed', finishedAt: 2 })), 'INVALID_INPUT', 'status');
  throwsCode(() => wf.start(run('x', 'w', 1, { finishedAt: 2 })), 'INVALID_INPUT', 'finished_at');
  assert.deepEqual(wf.queryRange(-Infinity, Infinity), [], 'nothing was stored');

  wf.start(run('r', 'w', 100));
  throwsCode(() => wf.start(run('r', 'w', 100)), 'CONFLICT');
  throwsCode(() => wf.recordStep('r', { stepId: 's' }), 'INVALID_INPUT', 'step');
  throwsCode(() => wf.recordStep('r', step('', 1)), 'INVALID_INPUT', 'step_id');
  throwsCode(() => wf.recordStep('r', step('s', 10, { status: 'Failed' })), 'INVALID_INPUT', 'step finished_at');
  throwsCode(() => wf.recordStep('missing', step('s', 1)), 'NOT_FOUND');
  throwsCode(() => wf.recordStep(5, step('s', 1)), 'INVALID_INPUT', 'execution_id');
  assert.throws(() => wf.finish('r', 'Finished', 200), (e) => e.code === 'INVALID_INPUT' && e.field === 'status' && /Running.*Completed.*Failed.*Cancelled/.test(e.message));
  throwsCode(() => wf.finish('r', 'Running', 200), 'INVALID_INPUT', 'status');
  throwsCode(() => wf.finish('r', 3, 200), 'INVALID_INPUT', 'status');
  throwsCode(() => wf.finish('r', 'Completed', 50), 'INVALID_INPUT', 'finished_at');
  throwsCode(() => wf.finish('r', 'Completed', 200.5), 'INVALID_INPUT', 'finished_at');
  throwsCode(() => wf.finish('r', 'Completed', 200, undefined, 42), 'INVALID_INPUT', 'error');
  throwsCode(() => wf.finish('missing', 'Completed', 200), 'NOT_FOUND');
  assert.equal(wf.get('r').status, 'Running', 'failed finishes changed nothing');
  wf.finish('r', 'Completed', 200);
  throwsCode(() => wf.finish('r', 'Failed', 300), 'CONFLICT');
  throwsCode(() => wf.recordStep('r', step('late', 300)), 'CONFLICT');
  throwsCode(() => wf.update(run('r', 'w', 100)), 'CONFLICT');
  throwsCode(() => wf.update(run('ghost', 'w', 100)), 'NOT_FOUND');
  throwsCode(() => wf.queryByStatus('Paused', 0, 10), 'INVALID_INPUT', 'status');
  throwsCode(() => wf.queryByWorkflow('w', -1, 10), 'INVALID_INPUT', 'offset');
  throwsCode(() => wf.queryByWorkflow('w', 0, 1.5), 'INVALID_INPUT', 'limit');
  throwsCode(() => wf.queryByWorkflow('', 0, 10), 'INVALID_INPUT', 'workflow_id');
  throwsCode(() => wf.queryRange(10, 5), 'INVALID_INPUT');
  throwsCode(() => wf.queryRange(0, 10, -1), 'INVALID_INPUT', 'limit');
  throwsCode(() => wf.get(''), 'INVALID_INPUT', 'execution_id');
  throwsCode(() => wf.cleanup(NaN), 'INVALID_INPUT', 'before_ms');
});
