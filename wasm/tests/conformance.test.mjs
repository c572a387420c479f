// The Node runner of the shared conformance cases (tests/conformance/, see its README): every
// case of every cases/*.json runs on a fresh in-memory StorageManager of the package as the
// other Node tests load it (helpers.mjs): the default package, or `neotalk-storage-wasm/full`
// when the case uses vectors, memory or sessions. Results are compared as the core's JSON
// (tests/conformance/rust/conformance.rs is the reference runner; this one does the same per op), errors
// by `err.code`.
//
// Cases marked `"not": {"node": why}` are skipped with that reason. A case JS cannot express
// (see `inexpressible`) that the file does not mark fails, naming the entry it needs.
//
// NEOTALK_CONFORMANCE_CASES names another cases directory (the matcher's self-check uses it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasm, full } from './helpers.mjs';

const CASES_DIR = process.env.NEOTALK_CONFORMANCE_CASES ?? fileURLToPath(new URL('../../tests/conformance/cases/', import.meta.url));
const NOT_EXPRESSIBLE = 'not expressible in JS (wants a "not": {"node": ...} entry):';

// ---- Reading the case files -----------------------------------------------------------------

/**
 * JSON.parse, except that an integer literal outside the safe-integer range (which JS numbers
 * cannot hold: 9223372036854775807 would silently become 2^63) is read as
 * `{ $unsafeInt: "<digits>" }`, so a case using one is recognised instead of run with a
 * rounded number.
 */
export function parseCases(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // Copy a whole string literal, escapes included.
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
      const literal = m[0];
      const integer = m[1] === undefined && m[2] === undefined;
      const unsafe = integer && (BigInt(literal) > BigInt(Number.MAX_SAFE_INTEGER) || BigInt(literal) < BigInt(Number.MIN_SAFE_INTEGER));
      out += unsafe ? JSON.stringify({ $unsafeInt: literal }) : literal;
      i += literal.length;
    } else {
      out += c;
      i += 1;
    }
  }
  return JSON.parse(out);
}

function caseFiles(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, doc: parseCases(readFileSync(join(dir, f), 'utf8')) }));
}

function contains(value, pred) {
  if (pred(value)) return true;
  if (Array.isArray(value)) return value.some((v) => contains(v, pred));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => contains(v, pred));
  return false;
}

const isUnsafeInt = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && '$unsafeInt' in v;

/** Why JS cannot express `kase` at all, or undefined. */
export function inexpressible(kase) {
  for (const step of kase.steps) {
    const args = step.args ?? {};
    if (step.op === 'storage.open') {
      return `${NOT_EXPRESSIBLE} storage.open: the wasm build has no file store; StorageManager is in memory only and takes no path`;
    }
    if (contains(args, isUnsafeInt) || contains(step.expect, isUnsafeInt)) {
      return `${NOT_EXPRESSIBLE} a time beyond Number.MAX_SAFE_INTEGER (i64::MAX): JS numbers cannot hold it, and the wasm API takes times as safe-integer numbers`;
    }
    if (step.op === 'vectors.upsert' && args.doc && typeof args.doc === 'object') {
      const extra = Object.keys(args.doc).filter((k) => !['id', 'embedding', 'metadata'].includes(k));
      if (extra.length) {
        return `${NOT_EXPRESSIBLE} VectorStore.upsert takes id, embedding and metadata as separate arguments: there is no record to carry the unknown field ${extra.join(', ')}`;
      }
    }
  }
  return undefined;
}

/** Whether the case needs `neotalk-storage-wasm/full` (vectors, memory, sessions). */
const needsFull = (kase) => kase.steps.some((s) => /^(vectors|memory|sessions)\./.test(s.op));

// ---- Running an op --------------------------------------------------------------------------

/** A `{"$float": "NaN" | "Infinity" | "-Infinity"}` point value as that float (as the Rust
 * runner); a binary value's JSON, `{"base64": "..."}`, as the `Uint8Array` a JS caller passes. */
function point(args) {
  const p = args.point;
  const base64 = p && typeof p === 'object' && p.value && typeof p.value === 'object' ? p.value.base64 : undefined;
  if (typeof base64 === 'string') return { ...p, value: new Uint8Array(Buffer.from(base64, 'base64')) };
  const special = p && typeof p === 'object' && p.value && typeof p.value === 'object' ? p.value.$float : undefined;
  if (typeof special !== 'string') return p;
  const value = Number(special);
  assert.ok(special === 'NaN' || !Number.isNaN(value), `${special} is not a float name`);
  // Rust's runner builds DataPoint::new(timestamp, value): quality is not carried.
  return { timestamp: p.timestamp, value };
}

/** An optional argument: left out (or null) is `undefined`, the binding's "not given". */
const opt = (v) => (v === null ? undefined : v);
const f32 = (v) => (Array.isArray(v) ? Float32Array.from(v) : v);

/** Runs one op on `subject.db`; its raw JS result. */
function run(subject, op, args) {
  const db = subject.db;
  const a = args;
  switch (op) {
    case 'storage.open_memory': {
      const opened = new subject.pkg.StorageManager(a.options);
      subject.db.free();
      subject.db = opened;
      return null;
    }
    case 'storage.close': return db.close();
    case 'storage.flush': return db.flush();
    case 'storage.integrity_report': return db.integrityReport();
    case 'ts.write': return db.timeseries().write(a.device, a.metric, point(a));
    case 'ts.write_batch': return db.timeseries().writeBatch(a.points);
    case 'ts.query_range': return db.timeseries().queryRangePoints(a.device, a.metric, a.start, opt(a.end));
    case 'ts.query_latest': return db.timeseries().queryLatest(a.device, a.metric);
    case 'ts.delete_range': return db.timeseries().deleteRange(a.device, a.metric, a.start, opt(a.end));
    case 'ts.delete_device': return db.timeseries().deleteDevice(a.device);
    case 'ts.delete_metric': return db.timeseries().deleteMetric(a.metric);
    case 'ts.aggregation_tier': return db.timeseries().aggregationTier(a.device, a.metric, a.start, opt(a.end), a.bucket_ms);
    case 'ts.rebuild_rollups': return db.timeseries().rebuildRollups();
    case 'ts.query_aggregated': return db.timeseries().queryAggregated(a.device, a.metric, a.start, opt(a.end), a.bucket_ms);
    case 'events.append': return db.events().append(a.event);
    case 'events.append_batch': return db.events().appendBatch(a.events);
    case 'events.get': return db.events().get(a.event_id);
    case 'events.replay': return db.events().replay(a.after, opt(a.limit));
    case 'events.query_range': return db.events().queryRange(a.start, opt(a.end), opt(a.limit));
    case 'events.last_sequence': return db.events().lastSequence();
    case 'devices.upsert': return db.devices().upsert(a.state);
    case 'devices.get': return db.devices().getDevice(a.device_id);
    case 'devices.list': return db.devices().listDevices();
    case 'devices.delete': return db.devices().delete(a.device_id);
    case 'devices.delete_with_telemetry': return db.devices().delete(a.device_id, true);
    case 'devices.set_online': return db.devices().setOnline(a.device_id, a.online);
    case 'alerts.create': return db.alerts().create(a.alert);
    case 'alerts.get': return db.alerts().get(a.alert_id);
    case 'alerts.delete': return db.alerts().delete(a.alert_id);
    case 'alerts.acknowledge': return db.alerts().acknowledge(a.alert_id, a.by, a.at);
    case 'alerts.resolve': return db.alerts().resolve(a.alert_id, a.at);
    case 'alerts.query_range': return db.alerts().queryRange(a.start, opt(a.end), opt(a.limit));
    case 'alerts.unresolved': return db.alerts().unresolved(opt(a.limit));
    case 'decisions.create': return db.decisions().create(a.decision);
    case 'decisions.get': return db.decisions().get(a.decision_id);
    case 'decisions.transition': return db.decisions().transition(a.decision_id, a.to);
    case 'decisions.approve': return db.decisions().approve(a.decision_id, a.response);
    case 'decisions.record_execution_result': return db.decisions().recordExecutionResult(a.decision_id, a.result);
    case 'rules.record': return db.ruleHistory().record(a.record);
    case 'rules.get': return db.ruleHistory().get(a.execution_id);
    case 'rules.query_by_rule': return db.ruleHistory().queryByRule(a.rule_id, a.offset, opt(a.limit));
    case 'workflows.start': return db.workflowHistory().start(a.record);
    case 'workflows.get': return db.workflowHistory().get(a.execution_id);
    case 'sessions.create': return db.sessions().createSession(a.session_id, a.title, a.created_at);
    case 'sessions.append_message': return db.sessions().appendMessage(a.session_id, a.message);
    case 'sessions.load_messages': return db.sessions().loadMessages(a.session_id);
    case 'sessions.delete': return db.sessions().deleteSession(a.session_id);
    case 'memory.add': return db.memory().add(a.entry);
    case 'memory.peek': return db.memory().peek(a.memory_id);
    case 'memory.count': return db.memory().count();
    case 'vectors.create_collection': return db.vectors().createCollection(a.name, a.dimension, a.metric);
    case 'vectors.upsert': return db.vectors().upsert(a.collection, a.doc?.id, f32(a.doc?.embedding), opt(a.doc?.metadata));
    case 'vectors.get': return db.vectors().get(a.collection, a.id);
    case 'vectors.search': return db.vectors().search(a.collection, f32(a.query), a.k, undefined);
    case 'vectors.count': return db.vectors().count(a.collection);
    case 'cleanup.run': return new wasm.DataCleanupTask(db, opt(a.retention)).run(a.now);
    default:
      throw new Error(`unknown op ${JSON.stringify(op)}: add it to tests/conformance/README.md and every runner`);
  }
}

/**
 * A JS result as core's JSON: `undefined` (a void method) and missing values are `null`,
 * typed arrays (embeddings) are arrays of numbers, bytes (`Uint8Array`, a binary telemetry
 * value) are core's `{"base64": "..."}`, maps are objects, BigInts are numbers.
 * Keys are kept as they are: the binding returns a record's fields in camelCase, and
 * renaming every key back would also rename the keys of user data (metadata, event
 * payloads); `matches` finds a case's snake_case field under its camelCase name instead.
 */
export function normalize(v) {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v)) return Array.from(v, Number);
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), normalize(x)]));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `bucket_start` -> `bucketStart`: the name under which JS returns a record's field. */
export const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** `actual[key]`: a case names fields as the core does (snake_case), JS returns a record's
 * fields in camelCase and user data's keys as they were given. */
function member(actual, key) {
  if (Object.hasOwn(actual, key)) return actual[key];
  return Object.hasOwn(actual, camel(key)) ? actual[camel(key)] : null;
}

/** Whether `actual` matches `expected` by the README's rules; throws the reason when not. */
export function matches(expected, actual, at = '') {
  const differ = () => {
    throw new Error(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  if (isPlainObject(expected) && Object.keys(expected).length === 1 && '$len' in expected) {
    if (!Array.isArray(actual) || actual.length !== expected.$len) differ();
  } else if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) differ();
    for (const [key, want] of Object.entries(expected)) {
      matches(want, member(actual, key), `${at}.${key}`);
    }
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) differ();
    expected.forEach((want, i) => matches(want, actual[i], `${at}[${i}]`));
  } else if (typeof expected === 'number') {
    if (typeof actual !== 'number' || actual !== expected) differ();
  } else if (expected !== actual) {
    differ();
  }
}

/** Runs a case's steps on a fresh database; throws at the first step that differs. */
function runCase(kase) {
  const pkg = needsFull(kase) ? full : wasm;
  const subject = { pkg, db: new pkg.StorageManager() };
  try {
    kase.steps.forEach((step, i) => {
      const at = `step ${i} (${step.op})`;
      let result;
      let error;
      try {
        result = normalize(run(subject, step.op, step.args ?? {}));
      } catch (e) {
        error = e;
      }
      if (error !== undefined && (typeof error?.code !== 'string' || error.name !== 'StorageError')) {
        // Not a StorageError (a TypeError, a wasm trap): a binding or runner bug whatever the case says.
        throw new Error(`${at}: threw ${error?.name}: ${error?.message} (no StorageError code)`, { cause: error });
      }
      if ('error' in step) {
        if (error === undefined) throw new Error(`${at}: expected ${step.error}, got success ${JSON.stringify(result)}`);
        if (error.code !== step.error) throw new Error(`${at}: expected ${step.error}, got ${error.code}: ${error.message}`);
      } else if (error !== undefined) {
        throw new Error(`${at}: failed with ${error.code}: ${error.message}`);
      } else if ('expect' in step) {
        matches(step.expect, result, at);
      }
    });
  } finally {
    subject.db.free();
  }
}

// ---- One test per case ----------------------------------------------------------------------

const files = caseFiles(CASES_DIR);

test('the case files hold cases', () => {
  assert.ok(files.length > 0, `no *.json in ${CASES_DIR}`);
  for (const { file, doc } of files) assert.ok(Array.isArray(doc.cases) && doc.cases.length > 0, `${file} has no cases`);
});

test('the matcher refuses what differs (the reference runner\'s checks)', () => {
  const ok = (e, a) => assert.doesNotThrow(() => matches(e, a));
  const bad = (e, a) => assert.throws(() => matches(e, a));
  ok({ a: 1 }, { a: 1.0, b: 2 });
  bad({ a: 1 }, { a: 2 });
  ok({ a: null }, {});
  ok({ bucket_start: 1 }, { bucketStart: 1 });
  bad({ bucket_start: 1 }, { bucketStart: 2 });
  bad([1, 2], [1]);
  ok({ $len: 2 }, [7, 8]);
  bad({ $len: 2 }, [7]);
  bad('a', 'b');
  bad(true, 1);
  bad(1, true);
  bad({ a: 1 }, [1]);
  bad([], {});
  bad(null, 0);
  bad(0, null);
  ok({ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'x', d: 0 }] } });
  bad({ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'y' }] } });
  assert.deepEqual(normalize({ e: new Float32Array([1, 0.5]), n: undefined, m: new Map([['k', 1n]]) }), { e: [1, 0.5], n: null, m: { k: 1 } });
  assert.deepEqual(parseCases('{"a": 9223372036854775807, "b": "9223372036854775807", "c": -1.5e3, "d": 9007199254740991}'), {
    a: { $unsafeInt: '9223372036854775807' },
    b: '9223372036854775807',
    c: -1500,
    d: 9007199254740991,
  });
});

for (const { file, doc } of files) {
  for (const kase of doc.cases) {
    const skip = kase.not?.node;
    test(`${file}: ${kase.name}`, skip === undefined ? {} : { skip }, () => {
      const why = inexpressible(kase);
      if (why !== undefined) assert.fail(why);
      return runCase(kase);
    });
  }
}
