// StorageManager: construction, options, sizes, flush, close; every method after close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasm, full, openDb, throwsCode, methodsOf } from './helpers.mjs';

test('a new database is empty and in memory', () => {
  const db = openDb();
  assert.equal(db.backendKind(), 'memory');
  assert.deepEqual(db.devices().listDevices(), []);
  assert.equal(db.events().lastSequence(), 0);
  assert.ok(db.timeseries() instanceof wasm.TimeSeriesStore);
  assert.ok(db.devices() instanceof wasm.DeviceStateStore);
  assert.ok(db.events() instanceof wasm.EventLogStore);
  assert.ok(db.workflowHistory() instanceof wasm.WorkflowHistoryStore);
  assert.ok(db.decisions() instanceof wasm.DecisionStore);
  const more = new full.StorageManager();
  assert.ok(more.memory() instanceof full.LongTermMemoryStore);
  assert.ok(more.vectors() instanceof full.VectorStore);
  assert.ok(more.sessions() instanceof full.SessionStore);
  assert.ok(more.config() instanceof full.ConfigStore);
});

test('the default package leaves out config, vectors, memory and sessions; full has every class', () => {
  const only = { ConfigStore: 'config', VectorStore: 'vectors', LongTermMemoryStore: 'memory', SessionStore: 'sessions' };
  for (const [cls, accessor] of Object.entries(only)) {
    assert.equal(wasm[cls], undefined, cls);
    assert.equal(wasm.StorageManager.prototype[accessor], undefined, accessor);
    assert.equal(typeof full[cls], 'function', cls);
  }
  const classes = (mod) => Object.keys(mod).filter((k) => typeof mod[k] === 'function' && /^[A-Z]/.test(k)).sort();
  assert.deepEqual(classes(full).filter((k) => !(k in only)), classes(wasm));
  assert.deepEqual(methodsOf(full.StorageManager).filter((m) => !Object.values(only).includes(m)), methodsOf(wasm.StorageManager));
});

test('defaultOptions round-trips through the constructor; max_points 0 commits each write', () => {
  const opts = wasm.StorageManager.defaultOptions();
  assert.equal(opts.durability, 'Immediate');
  assert.equal(opts.writeBuffer.maxPoints, 4096);
  opts.writeBuffer.maxPoints = 0;
  const db = new wasm.StorageManager(opts);
  db.timeseries().write('d', 'm', { timestamp: 1, value: 1 });
  assert.equal(db.timeseries().bufferedPoints(), 0);
  const buffered = new wasm.StorageManager(null);
  buffered.timeseries().write('d', 'm', { timestamp: 1, value: 1 });
  assert.equal(buffered.timeseries().bufferedPoints(), 1);
  assert.equal(new wasm.StorageManager({ durability: 'Immediate' }).backendKind(), 'memory', 'omitted options take their defaults');
  throwsCode(() => new wasm.StorageManager({ durabilty: 'Immediate' }), 'INVALID_INPUT', 'options', /durabilty/);
  throwsCode(() => new wasm.StorageManager({ ...wasm.StorageManager.defaultOptions(), durability: 'Sometimes' }), 'INVALID_INPUT', 'options');
});

test('tableSizes counts what the stores wrote', () => {
  const db = openDb();
  db.timeseries().writeSeries('d', 'm', new Float64Array([1, 2, 3]), new Float64Array([1, 2, 3]));
  db.events().append({ eventId: 'e', eventType: 't', eventData: null, metadata: { source: 's', timestamp: 1 } });
  const sizes = Object.fromEntries(db.tableSizes().map((t) => [t.name, t]));
  assert.equal(sizes.ts_chunks.entries, 1, 'three points of one series share one chunk');
  assert.equal(sizes.events.entries, 1);
  assert.ok(sizes.ts_chunks.storedBytes > 0);
});

test('compact and checkIntegrity: nothing to release in memory, always sound', () => {
  const db = openDb();
  db.timeseries().write('d', 'm', { timestamp: 1, value: 1 });
  const report = db.compact();
  assert.equal(db.timeseries().bufferedPoints(), 0, 'compact commits the buffer first');
  assert.ok(report.beforeBytes > 0);
  assert.deepEqual(report, { beforeBytes: report.beforeBytes, afterBytes: report.beforeBytes });
  assert.equal(db.checkIntegrity(), true);
});

test('flush commits buffered telemetry', () => {
  const db = openDb();
  db.timeseries().write('d', 'm', { timestamp: 1, value: 1 });
  db.flush();
  assert.equal(db.timeseries().bufferedPoints(), 0);
});

for (const [variant, mod] of [['default', wasm], ['full', full]]) test(`close flushes; every method afterwards throws CLOSED; closing twice is harmless (${variant})`, () => {
  const db = new mod.StorageManager();
  const ts = db.timeseries();
  const devices = db.devices();
  const events = db.events();
  const alerts = db.alerts();
  const rules = db.ruleHistory();
  // The stores of the `full` entry point are left out of the default package.
  const has = (accessor) => typeof db[accessor] === 'function';
  const vectors = has('vectors') ? db.vectors() : null;
  const sessions = has('sessions') ? db.sessions() : null;
  const workflows = db.workflowHistory();
  const decisions = db.decisions();
  const memory = has('memory') ? db.memory() : null;
  const cfg = mod.ConfigStore ? db.config() : null;
  const cleanup = new mod.DataCleanupTask(db);
  const snapshot = db.exportSnapshot(); // before the buffered write below
  devices.upsert({ deviceId: 'd', deviceType: 't' });
  ts.write('d', 'm', { timestamp: 1, value: 1 });
  events.append({ eventId: 'e', eventType: 't', eventData: null, metadata: { source: 's', timestamp: 1 } });
  db.close();
  assert.equal(ts.bufferedPoints(), 0, 'close flushed the buffer');
  db.close();

  const f64 = (...xs) => new Float64Array(xs);
  const run = { executionId: 'w', workflowId: 'w', workflowName: 'w', triggerType: 't', startedAt: 1 };
  const memo = { memoryId: 'm', memoryType: 'Other', content: 'text', createdAt: 1, embedding: new Float32Array([1, 0]) };
  const ev = { eventId: 'e2', eventType: 't', eventData: null, metadata: { source: 's', timestamp: 2 } };
  const calls = {
    StorageManager: {
      // close() dropped the database handle: the store accessors throw too.
      ...Object.fromEntries(['alerts', 'config', 'decisions', 'devices', 'events', 'memory', 'ruleHistory', 'sessions', 'timeseries', 'vectors', 'workflowHistory'].filter(has).map((m) => [m, () => db[m]()])),
      tableSizes: () => db.tableSizes(),
      flush: () => db.flush(),
      stats: () => db.stats(),
      exportSnapshot: () => db.exportSnapshot(),
      importSnapshot: () => db.importSnapshot(snapshot),
      compact: () => db.compact(),
      checkIntegrity: () => db.checkIntegrity(),
      integrityReport: () => db.integrityReport(),
    },
    TimeSeriesStore: {
      flush: () => ts.flush(),
      write: () => ts.write('d', 'm', { timestamp: 2, value: 2 }),
      writeBatch: () => ts.writeBatch([{ deviceId: 'd', metric: 'm', point: { timestamp: 2, value: 2 } }]),
      writeSeries: () => ts.writeSeries('d', 'm', f64(2), f64(2)),
      writePoints: () => ts.writePoints('d', 'm', [{ timestamp: 2, value: 2 }]),
      writeColumns: () => ts.writeColumns(['d'], ['m'], new Uint32Array([0]), f64(2), f64(2)),
      queryRange: () => ts.queryRange('d', 'm', 0, 10),
      queryRangePoints: () => ts.queryRangePoints('d', 'm', 0, 10),
      queryLatest: () => ts.queryLatest('d', 'm'),
      queryLatestBatch: () => ts.queryLatestBatch([['d', 'm']]),
      queryAggregated: () => ts.queryAggregated('d', 'm', 0, 10, 5),
      listDevicesWithData: () => ts.listDevicesWithData(),
      listMetrics: () => ts.listMetrics('d'),
      deleteRange: () => ts.deleteRange('d', 'm', 0, 10),
      deleteDevice: () => ts.deleteDevice('d'),
      deleteMetric: () => ts.deleteMetric('m'),
      aggregationTier: () => ts.aggregationTier('d', 'm', 0, 10, 5),
      rebuildRollups: () => ts.rebuildRollups(),
    },
    DeviceStateStore: {
      upsert: () => devices.upsert({ deviceId: 'd2', deviceType: 't' }),
      getDevice: () => devices.getDevice('d'),
      delete: () => devices.delete('d'),
      listDevices: () => devices.listDevices(),
      listByType: () => devices.listByType('t'),
      listOnline: () => devices.listOnline(),
      listOffline: () => devices.listOffline(),
      setOnline: () => devices.setOnline('d', false),
    },
    EventLogStore: {
      append: () => events.append(ev),
      appendBatch: () => events.appendBatch([ev]),
      get: () => events.get('e'),
      queryRange: () => events.queryRange(0, 10),
      queryByType: () => events.queryByType('t', 0, 10),
      queryByCorrelation: () => events.queryByCorrelation('c'),
      replay: () => events.replay(0, 10),
      lastSequence: () => events.lastSequence(),
      totalBytes: () => events.totalBytes(),
      cleanup: () => events.cleanup(10),
    },
    AlertStore: {
      create: () => alerts.create({ alertId: 'a', title: 't', severity: 'Info', source: 's', createdAt: 1 }),
      get: () => alerts.get('a'),
      delete: () => alerts.delete('a'),
      acknowledge: () => alerts.acknowledge('a', 'me', 1),
      resolve: () => alerts.resolve('a', 1),
      queryRange: () => alerts.queryRange(0, 10),
      queryBySeverity: () => alerts.queryBySeverity('Info', 0, 10),
      queryByEntity: () => alerts.queryByEntity('d', 0, 10),
      queryBySource: () => alerts.queryBySource('s', 0, 10),
      unacknowledged: () => alerts.unacknowledged(),
      unresolved: () => alerts.unresolved(),
      countBySeverity: () => alerts.countBySeverity(),
      countUnresolvedBySeverity: () => alerts.countUnresolvedBySeverity(),
      cleanup: () => alerts.cleanup(10),
    },
    RuleHistoryStore: {
      record: () => rules.record({ executionId: 'x', ruleId: 'r', ruleName: 'r', triggeredAt: 1, result: 'Success' }),
      recordBatch: () => rules.recordBatch([{ executionId: 'x', ruleId: 'r', ruleName: 'r', triggeredAt: 1, result: 'Success' }]),
      get: () => rules.get('x'),
      queryByRule: () => rules.queryByRule('r', 0, 10),
      queryRuleRange: () => rules.queryRuleRange('r', 0, 10),
      queryRange: () => rules.queryRange(0, 10),
      queryFailed: () => rules.queryFailed(0, 10),
      ruleStatistics: () => rules.ruleStatistics('r', 0, 10),
      statistics: () => rules.statistics(0, 10),
      cleanup: () => rules.cleanup(10),
    },
    VectorStore: vectors && {
      createCollection: () => vectors.createCollection('c', 2, 'Cosine'),
      collection: () => vectors.collection('c'),
      listCollections: () => vectors.listCollections(),
      dropCollection: () => vectors.dropCollection('c'),
      upsert: () => vectors.upsert('c', 'a', new Float32Array([1, 0]), null),
      upsertMany: () => vectors.upsertMany('c', ['a'], new Float32Array([1, 0])),
      delete: () => vectors.delete('c', 'a'),
      get: () => vectors.get('c', 'a'),
      count: () => vectors.count('c'),
      search: () => vectors.search('c', new Float32Array([1, 0]), 1),
    },
    SessionStore: sessions && {
      createSession: () => sessions.createSession('s', 't', 1),
      getSession: () => sessions.getSession('s'),
      listSessions: () => sessions.listSessions(),
      appendMessage: () => sessions.appendMessage('s', { role: 'user', content: 'c', timestamp: 1 }),
      appendMessages: () => sessions.appendMessages('s', [{ role: 'user', content: 'c', timestamp: 1 }]),
      loadMessages: () => sessions.loadMessages('s'),
      lastMessages: () => sessions.lastMessages('s', 1),
      messagesRange: () => sessions.messagesRange('s', 0, 10),
      contextWindow: () => sessions.contextWindow('s', 10),
      setSummary: () => sessions.setSummary('s', 'x', 1),
      getSummary: () => sessions.getSummary('s'),
      recentSummaries: () => sessions.recentSummaries(1),
      deleteSession: () => sessions.deleteSession('s'),
      cleanup: () => sessions.cleanup(10),
    },
    WorkflowHistoryStore: {
      start: () => workflows.start(run),
      update: () => workflows.update(run),
      recordStep: () => workflows.recordStep('w', { stepId: 's', stepName: 's', stepType: 't', startedAt: 1 }),
      finish: () => workflows.finish('w', 'Completed', 2),
      get: () => workflows.get('w'),
      queryByWorkflow: () => workflows.queryByWorkflow('w', 0, 10),
      queryRange: () => workflows.queryRange(0, 10),
      queryByStatus: () => workflows.queryByStatus('Running', 0, 10),
      running: () => workflows.running(),
      cleanup: () => workflows.cleanup(10),
    },
    DecisionStore: {
      create: () => decisions.create({ decisionId: 'd', title: 't', confidence: 1, createdAt: 1 }),
      get: () => decisions.get('d'),
      transition: () => decisions.transition('d', 'Expired'),
      approve: () => decisions.approve('d', { userId: 'u', response: 'ok', respondedAt: 2 }),
      reject: () => decisions.reject('d', { userId: 'u', response: 'no', respondedAt: 2 }),
      recordExecutionResult: () => decisions.recordExecutionResult('d', 'Success'),
      queryRange: () => decisions.queryRange(0, 10),
      queryByStatus: () => decisions.queryByStatus('Proposed', 0, 10),
      expireProposals: () => decisions.expireProposals(10, 1),
      cleanup: () => decisions.cleanup(10),
    },
    LongTermMemoryStore: memory && {
      add: () => memory.add(memo),
      addMany: () => memory.addMany([memo]),
      update: () => memory.update(memo),
      delete: () => memory.delete('m'),
      get: () => memory.get('m', 1),
      peek: () => memory.peek('m'),
      count: () => memory.count(),
      byType: () => memory.byType('Other', 10),
      byImportance: () => memory.byImportance(10),
      searchKeywords: () => memory.searchKeywords('text', 10),
      searchSemantic: () => memory.searchSemantic(new Float32Array([1, 0]), 10),
      searchHybrid: () => memory.searchHybrid('text', new Float32Array([1, 0]), 10),
      purgeExpired: () => memory.purgeExpired(10),
    },
    ConfigStore: cfg && {
      system: () => cfg.system(),
      retention: () => cfg.retention(),
      adapters: () => cfg.adapters(),
      setSystem: () => cfg.setSystem({}),
      setRetention: () => cfg.setRetention({}),
      setAdapters: () => cfg.setAdapters({}),
      yaml: () => cfg.yaml('system.yaml'),
      setYaml: () => cfg.setYaml('system.yaml', ''),
      check: () => cfg.check(),
      writeDefaults: () => cfg.writeDefaults(),
      definitionNames: () => cfg.definitionNames('Rule'),
      definition: () => cfg.definition('Rule', 'r'),
      definitions: () => cfg.definitions('Rule'),
      saveDefinition: () => cfg.saveDefinition('Rule', 'r', 'text'),
    },
    DataCleanupTask: { run: () => cleanup.run(10) },
  };
  // Methods that touch no stored data and so still work after close.
  const noData = {
    StorageManager: ['backendKind', 'close'],
    TimeSeriesStore: ['bufferedPoints'],
    DeviceStateStore: [],
    EventLogStore: [],
    AlertStore: [],
    RuleHistoryStore: [],
    VectorStore: [],
    SessionStore: [],
    WorkflowHistoryStore: [],
    DecisionStore: [],
    LongTermMemoryStore: [],
    ConfigStore: [],
    // The task's own retention settings, not the database's.
    DataCleanupTask: ['config'],
  };
  for (const [cls, byName] of Object.entries(calls)) {
    if (!byName) continue; // a store of the `full` entry point, in the default package
    // Every exported method is either checked here or listed as touching no data.
    assert.deepEqual([...Object.keys(byName), ...noData[cls]].sort(), methodsOf(mod[cls]), cls);
    for (const [name, call] of Object.entries(byName)) {
      assert.throws(call, (err) => err.code === 'CLOSED', `${cls}.${name} after close`);
    }
  }
  assert.equal(db.backendKind(), 'memory');
});

// A series read before close is cached; after close it must still throw CLOSED.
test('queryLatest of a cached series throws CLOSED after close', () => {
  const db = openDb();
  const ts = db.timeseries();
  ts.writeSeries('d', 'm', new Float64Array([1]), new Float64Array([2]));
  assert.equal(ts.queryLatest('d', 'm').value, 2);
  db.close();
  throwsCode(() => ts.queryLatest('d', 'm'), 'CLOSED');
});

test('fromSnapshot opens a new database holding a snapshot; bad bytes are refused', () => {
  const src = openDb();
  src.timeseries().writeSeries('d', 'm', new Float64Array([1, 2]), new Float64Array([10, 20]));
  src.devices().upsert({ deviceId: 'd', deviceType: 't' });
  const copy = wasm.StorageManager.fromSnapshot(src.exportSnapshot(), { writeBuffer: { maxPoints: 0 } });
  assert.deepEqual([...copy.timeseries().queryRange('d', 'm', -Infinity, Infinity).values], [10, 20]);
  assert.equal(copy.devices().getDevice('d').deviceType, 't');
  copy.timeseries().write('d', 'm', { timestamp: 3, value: 1 });
  assert.equal(copy.timeseries().bufferedPoints(), 0, 'options apply');
  const buf = src.exportSnapshot().buffer;
  assert.equal(wasm.StorageManager.fromSnapshot(buf).devices().listDevices().length, 1, 'an ArrayBuffer works too');
  throwsCode(() => wasm.StorageManager.fromSnapshot('nope'), 'INVALID_INPUT', 'snapshot');
  throwsCode(() => wasm.StorageManager.fromSnapshot(new Uint8Array([1, 2, 3])), 'CORRUPTED');
  throwsCode(() => wasm.StorageManager.fromSnapshot(src.exportSnapshot(), [1]), 'INVALID_INPUT', 'options');
});

test('close drops the database: a cleanup task cannot be made on it, close twice is harmless', () => {
  const db = openDb();
  db.close();
  db.close();
  throwsCode(() => new wasm.DataCleanupTask(db), 'CLOSED');
  throwsCode(() => db.timeseries(), 'CLOSED');
  assert.equal(db.backendKind(), 'memory');
});
