// VectorStore through JS: collections, Float32Array vectors (packed batches), search, filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full as wasm, openFullDb as openDb, throwsCode } from './helpers.mjs';

const f32 = (...xs) => new Float32Array(xs);

test('collections: create, get, list, drop; a wrong metric string is INVALID_INPUT', () => {
  const vectors = openDb().vectors();
  assert.ok(vectors instanceof wasm.VectorStore);
  assert.deepEqual(vectors.createCollection('docs', 3, 'Cosine'), { name: 'docs', dimension: 3, metric: 'Cosine' });
  vectors.createCollection('points', 2, 'Euclidean');
  assert.deepEqual(vectors.collection('points'), { name: 'points', dimension: 2, metric: 'Euclidean' });
  assert.equal(vectors.collection('none'), null);
  assert.deepEqual(vectors.listCollections().map((c) => c.name).sort(), ['docs', 'points']);
  throwsCode(() => vectors.createCollection('docs', 3, 'Cosine'), 'CONFLICT');
  assert.throws(() => vectors.createCollection('x', 3, 'Cosinus'), (e) => e.code === 'INVALID_INPUT' && e.field === 'metric' && /Cosine.*Euclidean.*DotProduct/.test(e.message));
  throwsCode(() => vectors.createCollection('x', 3, 7), 'INVALID_INPUT', 'metric');
  assert.equal(vectors.createCollection('lower', 2, 'dot_product').metric, 'DotProduct', 'names parse in any case (core FromStr)');
  throwsCode(() => vectors.createCollection('x', 1.5, 'Cosine'), 'INVALID_INPUT', 'dimension');
  throwsCode(() => vectors.createCollection('x', -1, 'Cosine'), 'INVALID_INPUT', 'dimension');
  vectors.dropCollection('points');
  assert.equal(vectors.collection('points'), null);
  throwsCode(() => vectors.dropCollection('points'), 'NOT_FOUND');
});

test('upsert / get return Float32Arrays; upsertMany takes one packed array', () => {
  const vectors = openDb().vectors();
  vectors.createCollection('docs', 3, 'Cosine');
  vectors.upsert('docs', 'a', f32(1, 0, 0), { lang: 'en' });
  const a = vectors.get('docs', 'a');
  assert.ok(a.embedding instanceof Float32Array);
  assert.deepEqual(Array.from(a.embedding), [1, 0, 0]);
  assert.deepEqual(a.metadata, { lang: 'en' });
  vectors.upsertMany('docs', ['b', 'c', 'd'], f32(0, 1, 0, 0, 0, 1, 0.9, 0.1, 0), [{ lang: 'zh' }, { lang: 'en' }, { lang: 'en' }]);
  assert.equal(vectors.count('docs'), 4);
  assert.deepEqual(Array.from(vectors.get('docs', 'c').embedding), [0, 0, 1]);
  vectors.upsertMany('docs', ['e'], [0, 0.5, 0.5]);
  assert.equal(vectors.get('docs', 'e').metadata, null);
  assert.equal(vectors.get('docs', 'none'), null);
  assert.equal(vectors.delete('docs', 'e'), true);
  assert.equal(vectors.delete('docs', 'e'), false);
  assert.equal(vectors.count('docs'), 4);
});

test('search ranks by the metric, honours k and the metadata filter', () => {
  const vectors = openDb().vectors();
  vectors.createCollection('docs', 3, 'Cosine');
  vectors.upsertMany('docs', ['x', 'y', 'z'], f32(1, 0, 0, 0.8, 0.2, 0, 0, 0, 1), [{ lang: 'en' }, { lang: 'zh' }, { lang: 'en' }]);
  const hits = vectors.search('docs', f32(1, 0, 0), 2);
  assert.deepEqual(hits.map((h) => h.id), ['x', 'y']);
  assert.ok(Math.abs(hits[0].score - 1) < 1e-6);
  assert.ok(hits[0].score > hits[1].score);
  assert.deepEqual(hits[0].metadata, { lang: 'en' });
  assert.deepEqual(vectors.search('docs', f32(1, 0, 0), 5, { field: 'lang', value: 'en' }).map((h) => h.id), ['x', 'z']);
  assert.deepEqual(vectors.search('docs', f32(1, 0, 0), 0), []);
});

test('bad vectors and arguments are INVALID_INPUT and store nothing', () => {
  const vectors = openDb().vectors();
  vectors.createCollection('docs', 3, 'Cosine');
  throwsCode(() => vectors.upsert('docs', 'a', f32(1, 0), null), 'INVALID_INPUT');
  throwsCode(() => vectors.upsert('docs', 'a', f32(0, 0, 0), null), 'INVALID_INPUT');
  throwsCode(() => vectors.upsert('docs', 'a', f32(NaN, 0, 1), null), 'INVALID_INPUT');
  throwsCode(() => vectors.upsert('docs', 'a', 'not a vector', null), 'INVALID_INPUT', 'embedding');
  throwsCode(() => vectors.upsert('docs', '', f32(1, 0, 0), null), 'INVALID_INPUT');
  throwsCode(() => vectors.upsertMany('docs', ['a', 'b'], f32(1, 0, 0, 1, 0), undefined), 'INVALID_INPUT', 'embeddings');
  throwsCode(() => vectors.upsertMany('docs', ['a', 'b'], f32(1, 0, 0, 0, 0, 0), undefined), 'INVALID_INPUT');
  throwsCode(() => vectors.upsertMany('docs', ['a'], f32(1, 0, 0), [{}, {}]), 'INVALID_INPUT', 'metadata');
  throwsCode(() => vectors.upsert('nope', 'a', f32(1, 0, 0), null), 'NOT_FOUND');
  throwsCode(() => vectors.search('docs', f32(1, 0), 3), 'INVALID_INPUT');
  throwsCode(() => vectors.search('docs', f32(1, 0, 0), -1), 'INVALID_INPUT', 'k');
  throwsCode(() => vectors.search('docs', f32(1, 0, 0), 1, { value: 1 }), 'INVALID_INPUT', 'filter');
  assert.equal(vectors.count('docs'), 0);
});

test('vectors survive a snapshot round trip', () => {
  const src = openDb();
  src.vectors().createCollection('docs', 2, 'DotProduct');
  src.vectors().upsertMany('docs', ['a', 'b'], f32(1, 2, 3, 4), [{ n: 1 }, { n: 2 }]);
  src.vectors().search('docs', f32(1, 0), 1); // loads the collection into memory first
  const dst = openDb();
  dst.vectors().createCollection('other', 2, 'Cosine');
  dst.importSnapshot(src.exportSnapshot());
  assert.deepEqual(dst.vectors().listCollections().map((c) => c.name), ['docs']);
  assert.deepEqual(dst.vectors().search('docs', f32(0, 1), 2).map((h) => [h.id, h.score]), [['b', 4], ['a', 2]]);
});
