// LongTermMemoryStore through JS: add, access tracking, keyword / semantic / hybrid search,
// type and importance listings, purge of expired memories, error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full as wasm, openFullDb as openDb, throwsCode } from './helpers.mjs';

const mem = (id, type, content, extra = {}) => ({ memoryId: id, memoryType: type, content, createdAt: 1000, ...extra });
const f32 = (...xs) => new Float32Array(xs);
const hitIds = (hits) => hits.map((h) => h.entry.memoryId);

function seeded() {
  const m = openDb().memory();
  m.add(mem('pump', 'DeviceKnowledge', 'Pump 7 overheats above 80 °C', { embedding: f32(1, 0, 0), metadata: { keywords: ['cooling'], importance: 0.9, entities: ['pump-7'] } }));
  m.add(mem('pref', 'UserPreference', '客厅温度保持在22度', { embedding: f32(0, 1, 0), createdAt: 2000 }));
  m.addMany([
    mem('rule', 'RuleExplanation', 'The heat rule raises an alert when the pump is hot', { embedding: f32(0.8, 0.6, 0), metadata: { importance: 0.2 } }),
    mem('note', 'DeviceKnowledge', 'Thermometer 3 reads 1 degree high', { createdAt: 3000, metadata: { expiresAt: 5000 } }),
  ]);
  return m;
}

test('add fills the defaults; peek reads without an access, get records one', () => {
  const m = seeded();
  assert.ok(m instanceof wasm.LongTermMemoryStore);
  assert.equal(m.count(), 4);
  const pref = m.peek('pref');
  assert.deepEqual({ ...pref, embedding: [...pref.embedding] }, {
    memoryId: 'pref', memoryType: 'UserPreference', content: '客厅温度保持在22度', embedding: [0, 1, 0],
    metadata: { keywords: [], importance: 0.5, entities: [], expiresAt: null }, createdAt: 2000, lastAccessed: null, accessCount: 0,
  });
  assert.ok(pref.embedding instanceof Float32Array);
  assert.equal(m.peek('note').embedding, null);
  assert.deepEqual(m.peek('pump').metadata.entities, ['pump-7']);
  const got = m.get('pump', 7000);
  assert.deepEqual([got.accessCount, got.lastAccessed], [1, 7000]);
  assert.deepEqual([m.get('pump', 8000).accessCount, m.peek('pump').lastAccessed], [2, 8000]);
  assert.equal(m.get('none', 1), null);
  assert.equal(m.peek('none'), null);
});

test('keyword, semantic and hybrid search rank best first', () => {
  const m = seeded();
  assert.deepEqual(hitIds(m.searchKeywords('pump overheats', 5)), ['pump', 'rule']);
  assert.deepEqual(hitIds(m.searchKeywords('cooling', 5)), ['pump'], 'keywords are searched with the content');
  assert.deepEqual(hitIds(m.searchKeywords('客厅温度', 5)), ['pref']);
  assert.deepEqual(m.searchKeywords('zebra', 5), []);
  const kw = m.searchKeywords('pump', 1);
  assert.equal(kw.length, 1);
  assert.ok(kw[0].score > 0);

  const sem = m.searchSemantic(f32(1, 0.1, 0), 3);
  assert.deepEqual(hitIds(sem), ['pump', 'rule', 'pref']);
  assert.ok(sem[0].score > sem[1].score && sem[1].score > sem[2].score);
  assert.ok(sem[0].entry.embedding instanceof Float32Array);
  assert.deepEqual(hitIds(m.searchSemantic([0, 1, 0], 1)), ['pref'], 'a plain array of numbers works too');

  const hybrid = m.searchHybrid('heat rule', f32(0.8, 0.6, 0), 2);
  assert.equal(hybrid[0].entry.memoryId, 'rule', 'first in both rankings');
  assert.equal(hybrid.length, 2);
  assert.equal(m.peek('rule').accessCount, 0, 'searches record no access');
});

test('byType, byImportance, update, delete, purgeExpired', () => {
  const m = seeded();
  assert.deepEqual(m.byType('DeviceKnowledge', 10).map((e) => e.memoryId), ['note', 'pump'], 'newest first');
  assert.deepEqual(m.byType('device_knowledge', 1).map((e) => e.memoryId), ['note'], 'type names parse in any case');
  assert.deepEqual(m.byType('Other', 10), []);
  assert.deepEqual(m.byImportance(2).map((e) => e.memoryId), ['pump', 'pref']);
  m.update(mem('rule', 'RuleExplanation', 'The cold rule warns about frost', { metadata: { importance: 1 } }));
  assert.deepEqual(hitIds(m.searchKeywords('frost', 5)), ['rule']);
  assert.deepEqual(m.searchKeywords('heat', 5), [], 'old words left the index');
  assert.equal(m.peek('rule').embedding, null, 'update without embedding drops it');
  assert.equal(m.byImportance(1)[0].memoryId, 'rule');
  assert.equal(m.delete('pref'), true);
  assert.equal(m.delete('pref'), false);
  assert.equal(m.count(), 3);
  assert.equal(m.purgeExpired(5000), 0, 'expires_at 5000 is not before 5000');
  assert.equal(m.purgeExpired(5001), 1);
  assert.equal(m.peek('note'), null);
  assert.equal(m.count(), 2);
});

test('bad entries, queries, embeddings, type names and ids are refused; a failing batch stores nothing', () => {
  const m = openDb().memory();
  throwsCode(() => m.add({ memoryId: 'x', memoryType: 'Other', createdAt: 1 }), 'INVALID_INPUT', 'entry');
  throwsCode(() => m.add(mem('x', 'Gossip', 'text')), 'INVALID_INPUT', 'entry');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { mood: 'happy' })), 'INVALID_INPUT', 'entry');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { embedding: 'vector' })), 'INVALID_INPUT', 'embedding');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { embedding: f32(1, 0), mood: 'happy' })), 'INVALID_INPUT', 'entry');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { metadata: { importance: NaN } })), 'INVALID_INPUT', 'entry');
  throwsCode(() => m.add('pump'), 'INVALID_INPUT', 'entry');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { metadata: { importance: 'high' } })), 'INVALID_INPUT', 'entry');
  throwsCode(() => m.add(mem('', 'Other', 'text')), 'INVALID_INPUT', 'memory_id');
  throwsCode(() => m.add(mem('x', 'Other', '   ')), 'INVALID_INPUT', 'content');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { metadata: { importance: 1.5 } })), 'INVALID_INPUT', 'importance');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { metadata: { keywords: [''] } })), 'INVALID_INPUT', 'keywords');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { embedding: f32(0, 0) })), 'INVALID_INPUT', 'embedding');
  throwsCode(() => m.add(mem('x', 'Other', 'text', { embedding: f32(NaN, 1) })), 'INVALID_INPUT', 'embedding');
  throwsCode(() => m.addMany([mem('a', 'Other', 'one'), mem('a', 'Other', 'two')]), 'CONFLICT');
  throwsCode(() => m.addMany([mem('a', 'Other', 'one'), mem('b', 'Other', '')]), 'INVALID_INPUT', 'content');
  throwsCode(() => m.addMany({}), 'INVALID_INPUT', 'entries');
  assert.equal(m.count(), 0, 'nothing was stored');

  m.add(mem('a', 'Other', 'alpha', { embedding: f32(1, 0) }));
  throwsCode(() => m.add(mem('a', 'Other', 'again')), 'CONFLICT');
  throwsCode(() => m.add(mem('b', 'Other', 'beta', { embedding: f32(1, 0, 0) })), 'INVALID_INPUT', 'embedding');
  throwsCode(() => m.update(mem('ghost', 'Other', 'boo')), 'NOT_FOUND');
  throwsCode(() => m.searchKeywords('  ...  ', 5), 'INVALID_INPUT', 'query');
  throwsCode(() => m.searchKeywords(5, 5), 'INVALID_INPUT', 'query');
  throwsCode(() => m.searchKeywords('alpha', -1), 'INVALID_INPUT', 'limit');
  throwsCode(() => m.searchSemantic(f32(1, 0, 0), 5), 'INVALID_INPUT', 'embedding');
  throwsCode(() => m.searchSemantic('v', 5), 'INVALID_INPUT', 'embedding');
  throwsCode(() => m.searchHybrid('alpha', f32(), 5), 'INVALID_INPUT', 'embedding');
  throwsCode(() => m.searchHybrid('', f32(1, 0), 5), 'INVALID_INPUT', 'query');
  assert.throws(() => m.byType('Gossip', 5), (e) => e.code === 'INVALID_INPUT' && e.field === 'memory_type' && /DeviceKnowledge.*Other/.test(e.message));
  throwsCode(() => m.byImportance(0.5), 'INVALID_INPUT', 'n');
  throwsCode(() => m.get('a', 1.5), 'INVALID_INPUT', 'now_ms');
  throwsCode(() => m.get('', 1), 'INVALID_INPUT', 'memory_id');
  throwsCode(() => m.peek(null), 'INVALID_INPUT', 'memory_id');
  throwsCode(() => m.delete(''), 'INVALID_INPUT', 'memory_id');
  throwsCode(() => m.purgeExpired('now'), 'INVALID_INPUT', 'now_ms');
  assert.equal(m.peek('a').accessCount, 0);
});
