// EventLogStore: every method and its error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, throwsCode } from './helpers.mjs';

const ev = (id, type, timestamp, extra = {}) => ({
  eventId: id,
  eventType: type,
  eventData: { id },
  metadata: { source: 'test', timestamp, ...extra },
});

test('append assigns sequences; get finds events by id', () => {
  const events = openDb().events();
  assert.equal(events.lastSequence(), 0);
  const e1 = events.append(ev('e1', 'device.online', 1000));
  assert.deepEqual(e1, {
    eventId: 'e1', eventType: 'device.online', eventData: { id: 'e1' },
    metadata: { correlationId: null, causationId: null, source: 'test', timestamp: 1000 },
    sequence: 1,
  });
  assert.equal(events.append(ev('e2', 'device.offline', 2000)).sequence, 2);
  assert.deepEqual(events.get('e1'), e1);
  assert.equal(events.get('missing'), null);
  assert.equal(events.lastSequence(), 2);
  assert.ok(events.totalBytes() > 0);
});

test('event data keeps the caller\'s key order; omitted fields take the core defaults', () => {
  const events = openDb().events();
  const data = { device: 'dev-00', value: 20.01, seq: 1, nested: { z: 1, a: 2 } };
  events.append({ eventId: 'k1', eventType: 'reading', eventData: data, metadata: { source: 's', timestamp: 1 } });
  const got = events.get('k1');
  assert.equal(JSON.stringify(got.eventData), JSON.stringify(data));
  assert.deepEqual(Object.keys(events.replay(0, 1)[0].eventData), ['device', 'value', 'seq', 'nested']);
  const bare = events.append({ eventId: 'k2', eventType: 'reading', metadata: { source: 's', timestamp: 2 } });
  assert.equal(bare.eventData, null);
  assert.deepEqual(events.appendBatch([]), { first: 3, last: 2 });
  throwsCode(() => events.append({ ...ev('k3', 't', 3), sequnce: 1 }), 'INVALID_INPUT', 'event', /unknown field `sequnce`/);
  throwsCode(() => events.append({ ...ev('k4', 't', 3), metadata: { source: 's', timestamp: 3, corelationId: 'c' } }),
    'INVALID_INPUT', 'event', /unknown field `corelationId`/);
});

test('appendBatch is all or nothing; duplicates are CONFLICT', () => {
  const events = openDb().events();
  const out = events.appendBatch([ev('a', 't', 1), ev('b', 't', 2)]);
  assert.deepEqual(out, { first: 1, last: 2 });
  assert.deepEqual(events.replay(out.first - 1, out.last - out.first + 1).map((e) => e.eventId), ['a', 'b']);
  throwsCode(() => events.append(ev('a', 't', 3)), 'CONFLICT');
  throwsCode(() => events.appendBatch([ev('c', 't', 3), ev('c', 't', 4)]), 'CONFLICT');
  throwsCode(() => events.appendBatch([ev('d', 't', 3), ev('a', 't', 4)]), 'CONFLICT');
  assert.equal(events.get('c'), null);
  assert.equal(events.get('d'), null);
  assert.equal(events.lastSequence(), 2);
});

test('queryRange, queryByType and queryByCorrelation', () => {
  const events = openDb().events();
  events.appendBatch([
    ev('r1', 'alert.raised', 100, { correlationId: 'chain-1' }),
    ev('x', 'device.online', 150),
    ev('r2', 'alert.raised', 200),
    ev('k1', 'alert.acknowledged', 300, { correlationId: 'chain-1', causationId: 'r1' }),
  ]);
  assert.deepEqual(events.queryRange(100, 300).map((e) => e.eventId), ['r1', 'x', 'r2']);
  assert.deepEqual(events.queryRange(-Infinity, Infinity, 2).map((e) => e.eventId), ['r1', 'x']);
  assert.deepEqual(events.queryRange(0, 100), []);
  assert.deepEqual(events.queryByType('alert.raised', -Infinity, Infinity).map((e) => e.eventId), ['r1', 'r2']);
  assert.deepEqual(events.queryByType('alert.raised', 150, Infinity).map((e) => e.eventId), ['r2']);
  assert.deepEqual(events.queryByType('alert.raised', -Infinity, Infinity, 1).map((e) => e.eventId), ['r1']);
  const chain = events.queryByCorrelation('chain-1');
  assert.deepEqual(chain.map((e) => e.eventId), ['r1', 'k1']);
  assert.equal(chain[1].metadata.causationId, 'r1');
  assert.deepEqual(events.queryByCorrelation('none'), []);
});

test('replay follows the log after a sequence', () => {
  const events = openDb().events();
  events.appendBatch([ev('1', 't', 1), ev('2', 't', 2), ev('3', 't', 3)]);
  assert.deepEqual(events.replay(0, 2).map((e) => e.sequence), [1, 2]);
  assert.deepEqual(events.replay(2, 10).map((e) => e.sequence), [3]);
  assert.deepEqual(events.replay(3, 10), []);
  assert.deepEqual(events.replay(0, 0), []);
  assert.deepEqual(events.replay(0).map((e) => e.sequence), [1, 2, 3], 'undefined: no limit');
});

test('cleanup removes expired events with default and explicit retention', () => {
  const events = openDb().events();
  const day = 86_400_000;
  const now = 100 * day;
  events.appendBatch([ev('old', 'debug', now - 8 * day), ev('mid', 'debug', now - 2 * day), ev('new', 'alert', now)]);
  assert.deepEqual(events.cleanup(now), { expired: 1, overSize: 0 });
  assert.equal(events.get('old'), null);
  assert.deepEqual(events.cleanup(now, { keep: '7d', maxSizeMb: 1000, byType: { debug: '36h' } }), { expired: 1, overSize: 0 });
  assert.deepEqual(events.queryRange(-Infinity, Infinity).map((e) => e.eventId), ['new']);
  assert.deepEqual(events.cleanup(now, { days: 7, maxSizeMb: 0, byType: {} }), { expired: 0, overSize: 1 });
  assert.equal(events.totalBytes(), 0);
  assert.equal(events.lastSequence(), 3);
});

test('bad events and arguments are INVALID_INPUT and store nothing', () => {
  const events = openDb().events();
  throwsCode(() => events.append(ev('', 't', 1)), 'INVALID_INPUT', 'event_id');
  throwsCode(() => events.append(ev('e', '', 1)), 'INVALID_INPUT', 'event_type');
  throwsCode(() => events.append({ ...ev('e', 't', 1), metadata: { source: '', timestamp: 1 } }), 'INVALID_INPUT', 'source');
  throwsCode(() => events.append({ ...ev('e', 't', 1), metadata: undefined }), 'INVALID_INPUT', 'event');
  throwsCode(() => events.append(ev('e', 't', 1.5)), 'INVALID_INPUT', 'event');
  throwsCode(() => events.append(ev('e', 't', 1, { correlationId: '' })), 'INVALID_INPUT', 'correlation_id');
  throwsCode(() => events.appendBatch({}), 'INVALID_INPUT', 'events');
  throwsCode(() => events.appendBatch([ev('ok', 't', 1), ev('', 't', 1)]), 'INVALID_INPUT', 'event_id');
  assert.equal(events.lastSequence(), 0);
  throwsCode(() => events.get(''), 'INVALID_INPUT', 'event_id');
  throwsCode(() => events.queryRange(5, 1), 'INVALID_INPUT', 'time range');
  throwsCode(() => events.queryRange(NaN, 1), 'INVALID_INPUT', 'start');
  throwsCode(() => events.queryRange(0, 1, -2), 'INVALID_INPUT', 'limit');
  throwsCode(() => events.queryByType('', 0, 1), 'INVALID_INPUT', 'event_type');
  throwsCode(() => events.queryByType('t', 9, 1), 'INVALID_INPUT', 'time range');
  throwsCode(() => events.queryByCorrelation(''), 'INVALID_INPUT', 'correlation_id');
  throwsCode(() => events.replay(-1, 10), 'INVALID_INPUT', 'after_sequence');
  throwsCode(() => events.replay(0, NaN), 'INVALID_INPUT', 'limit');
  throwsCode(() => events.cleanup(NaN), 'INVALID_INPUT', 'now_ms');
  throwsCode(() => events.cleanup(0, { weeks: 1 }), 'INVALID_INPUT', 'retention', /weeks/);
  assert.deepEqual(events.cleanup(0, { days: 1 }), { expired: 0, overSize: 0 }, 'omitted retention fields take their defaults');
  throwsCode(() => events.cleanup(0, { keep: '3 days' }), 'INVALID_INPUT', 'retention', /3 days/);
  throwsCode(() => events.cleanup(0, { keep: 0 }), 'INVALID_INPUT', 'retention');
  assert.deepEqual(events.cleanup(0, { keep: 'forever' }), { expired: 0, overSize: 0 });
});

test('ids of the wrong JS type are INVALID_INPUT', () => {
  const events = openDb().events();
  throwsCode(() => events.get(3), 'INVALID_INPUT', 'event_id');
  throwsCode(() => events.queryByType(null, 0, 1), 'INVALID_INPUT', 'event_type');
  throwsCode(() => events.queryByCorrelation([]), 'INVALID_INPUT', 'correlation_id');
  assert.equal(events.append(ev('fine', 't', 1)).sequence, 1);
});
