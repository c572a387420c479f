// SessionStore through JS: sessions, messages (roles, tool calls), context windows, summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full as wasm, openFullDb as openDb, throwsCode } from './helpers.mjs';

const msg = (role, content, timestamp, extra = {}) => ({ role, content, timestamp, ...extra });

test('sessions and messages: create, append, load, list', () => {
  const sessions = openDb().sessions();
  assert.ok(sessions instanceof wasm.SessionStore);
  const info = sessions.createSession('chat-1', 'Greenhouse', 1000);
  assert.deepEqual(info, { sessionId: 'chat-1', title: 'Greenhouse', createdAt: 1000, updatedAt: 1000, messageCount: 0, lastSequence: 0 });
  throwsCode(() => sessions.createSession('chat-1', 'again', 1), 'CONFLICT');
  const first = sessions.appendMessage('chat-1', msg('user', 'How warm is it?', 1001));
  const seqs = sessions.appendMessages('chat-1', [
    msg('assistant', '', 1002, { toolCalls: [{ id: 'c1', name: 'read_sensor' }] }),
    msg('tool', '21.5', 1003, { toolCallId: 'c1' }),
    msg('assistant', '21.5 °C', 1004, { thinking: 'read it' }),
  ]);
  assert.deepEqual(seqs, [first + 1, first + 2, first + 3]);
  const all = sessions.loadMessages('chat-1');
  assert.deepEqual(all.map((m) => m.message.role), ['user', 'assistant', 'tool', 'assistant']);
  assert.deepEqual(all[0].message, { role: 'user', content: 'How warm is it?', toolCalls: null, toolCallId: null, thinking: null, timestamp: 1001 });
  assert.deepEqual(all[1].message.toolCalls, [{ id: 'c1', name: 'read_sensor' }]);
  assert.deepEqual(sessions.lastMessages('chat-1', 1).map((m) => m.message.content), ['21.5 °C']);
  assert.deepEqual(sessions.messagesRange('chat-1', seqs[0], Infinity).map((m) => m.sequence), seqs);
  assert.equal(sessions.getSession('chat-1').messageCount, 4);
  sessions.createSession('chat-2', 'Other', 2000);
  assert.deepEqual(sessions.listSessions().map((s) => s.sessionId), ['chat-2', 'chat-1']);
  assert.deepEqual(sessions.listSessions(1).map((s) => s.sessionId), ['chat-2']);
  assert.equal(sessions.getSession('none'), null);
});

test('context window keeps tool calls with their results', () => {
  const sessions = openDb().sessions();
  sessions.createSession('s', 't', 1);
  sessions.appendMessages('s', [
    msg('user', 'aaaaaaaaaa', 2),
    msg('assistant', 'x', 3, { toolCalls: [{ id: 'c' }] }),
    msg('tool', 'yyyy', 4, { toolCallId: 'c' }),
    msg('assistant', 'zz', 5),
  ]);
  // Costs: user 10, assistant call 1 + 10 ({"id":"c"}) with its tool result 4 as one unit of 15, zz 2.
  const seqs = (n) => sessions.contextWindow('s', n).map((m) => m.sequence);
  assert.deepEqual(seqs(16), [4], 'the call and its result do not fit: neither is taken');
  assert.deepEqual(seqs(17), [2, 3, 4]);
  assert.deepEqual(seqs(26), [2, 3, 4]);
  assert.deepEqual(seqs(27), [1, 2, 3, 4]);
  assert.deepEqual(seqs(0), []);
});

test('summaries, delete and cleanup', () => {
  const sessions = openDb().sessions();
  sessions.createSession('a', 'A', 1000);
  sessions.createSession('b', 'B', 2000);
  assert.equal(sessions.getSummary('a'), null);
  assert.deepEqual(sessions.setSummary('a', 'talked about heat', 3000), { sessionId: 'a', summary: 'talked about heat', updatedAt: 3000 });
  sessions.setSummary('b', 'talked about light', 4000);
  assert.deepEqual(sessions.recentSummaries(5).map((s) => s.sessionId), ['b', 'a']);
  throwsCode(() => sessions.getSummary('none'), 'NOT_FOUND');
  assert.equal(sessions.deleteSession('b'), true);
  assert.equal(sessions.deleteSession('b'), false);
  assert.equal(sessions.cleanup(Infinity), 1);
  assert.deepEqual(sessions.listSessions(), []);
});

test('bad messages and arguments are INVALID_INPUT; unknown sessions NOT_FOUND', () => {
  const sessions = openDb().sessions();
  sessions.createSession('s', 't', 1);
  throwsCode(() => sessions.appendMessage('s', msg('robot', 'hi', 1)), 'INVALID_INPUT');
  throwsCode(() => sessions.appendMessage('s', msg('tool', 'hi', 1)), 'INVALID_INPUT');
  throwsCode(() => sessions.appendMessage('s', msg('user', 'hi', 1, { toolCalls: [{}] })), 'INVALID_INPUT');
  throwsCode(() => sessions.appendMessage('s', { role: 'user', content: 'no time' }), 'INVALID_INPUT', 'message');
  throwsCode(() => sessions.appendMessages('s', [msg('user', 'ok', 1), msg('robot', 'bad', 2)]), 'INVALID_INPUT');
  throwsCode(() => sessions.appendMessage('none', msg('user', 'hi', 1)), 'NOT_FOUND');
  throwsCode(() => sessions.createSession('', 't', 1), 'INVALID_INPUT', 'session_id');
  throwsCode(() => sessions.createSession('x', 't', 0.5), 'INVALID_INPUT', 'created_at');
  throwsCode(() => sessions.lastMessages('s', -1), 'INVALID_INPUT', 'n');
  assert.deepEqual(sessions.loadMessages('s'), [], 'nothing was stored');
});
