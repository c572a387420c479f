// ConfigStore through JS (the `full` entry point, built with the cargo feature `config`): sections as objects, YAML text in and out, validation errors,
// rule / workflow definitions, and the database's own tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full as wasm, openFullDb as openDb, throwsCode } from './helpers.mjs';

test('an empty tree reads the defaults; files given to the constructor are read', () => {
  const empty = new wasm.ConfigStore();
  assert.equal(empty.system().api.port, 8080);
  assert.equal(empty.system().storage.timeseriesRetentionDays, 30);
  assert.deepEqual(empty.system().backup.enabledBackups, [{ type: 'full' }]);
  assert.deepEqual(empty.system().maintenance, { flushIntervalSecs: 1, cleanupIntervalMinutes: 60, compactIntervalHours: 24 });
  assert.equal(empty.retention().alerts.keep, '365d');
  assert.equal(empty.retention().events.keep, '7d');
  assert.deepEqual(empty.adapters(), {});
  assert.deepEqual(empty.check(), []);
  assert.deepEqual(empty.definitionNames('Rule'), []);

  const cfg = new wasm.ConfigStore({
    'system.yaml': '# storage only\nstorage:\n  timeseries_retention_days: 14\n',
    'adapters.yaml': 'mqtt:\n  broker: tcp://localhost:1883\n  topics: [sensors/#]\n',
    'rules/heat.rule': 'when temperature > 30 then alert',
  });
  const system = cfg.system();
  assert.equal(system.storage.timeseriesRetentionDays, 14);
  assert.equal(system.api.host, '127.0.0.1', 'missing fields take their defaults');
  assert.deepEqual(cfg.adapters(), { mqtt: { broker: 'tcp://localhost:1883', topics: ['sensors/#'] } });
  assert.deepEqual(cfg.definitionNames('Rule'), ['heat.rule']);
  assert.deepEqual(cfg.definition('Rule', 'heat.rule'), { name: 'heat.rule', kind: 'Rule', text: 'when temperature > 30 then alert' });
  assert.deepEqual(cfg.definitionNames('Workflow'), []);
});

test('invalid files: reading throws with file, line and field; check() lists every problem', () => {
  const cfg = new wasm.ConfigStore({
    'system.yaml': 'api:\n  port: 0\n',
    'retention.yaml': 'retention:\n  alerts:\n    weeks: 3\n',
  });
  assert.throws(() => cfg.system(), (e) => e.code === 'INVALID_INPUT' && e.field === 'config' && e.message.includes('system.yaml:2:9: api.port'));
  throwsCode(() => cfg.retention(), 'INVALID_INPUT', 'config');
  const problems = cfg.check();
  assert.equal(problems.length, 2);
  assert.deepEqual({ ...problems[0], message: undefined }, { file: 'system.yaml', line: 2, column: 9, field: 'api.port', message: undefined });
  assert.match(problems[0].message, /at least 1/);
  assert.equal(problems[1].file, 'retention.yaml');
  assert.equal(problems[1].field, 'retention.alerts');
  assert.match(problems[1].message, /weeks/);
  assert.deepEqual(cfg.adapters(), {}, 'the valid file still reads');
});

test('constructor arguments are checked', () => {
  throwsCode(() => new wasm.ConfigStore({ 'secrets.txt': 'x' }), 'INVALID_INPUT', 'config path');
  throwsCode(() => new wasm.ConfigStore({ 'rules/../x': 'x' }), 'INVALID_INPUT', 'definition name');
  throwsCode(() => new wasm.ConfigStore({ 'system.yaml': 5 }), 'INVALID_INPUT', 'files');
  throwsCode(() => new wasm.ConfigStore('system.yaml'), 'INVALID_INPUT', 'files');
  throwsCode(() => new wasm.ConfigStore({ 'system.yaml': 'x'.repeat(1024 * 1024 + 1) }), 'INVALID_INPUT', 'config');
});

test('set sections as objects; bad values are refused and leave the tree as it was', () => {
  const cfg = new wasm.ConfigStore();
  cfg.setSystem({ api: { port: 9090 }, llm: { model: 'qwen2.5:7b' } });
  assert.equal(cfg.system().api.port, 9090);
  assert.equal(cfg.system().api.host, '127.0.0.1');
  assert.equal(cfg.system().llm.model, 'qwen2.5:7b');
  throwsCode(() => cfg.setSystem({ api: { port: 0 } }), 'INVALID_INPUT', 'system');
  throwsCode(() => cfg.setSystem({ api: { port: 70000 } }), 'INVALID_INPUT', 'system');
  throwsCode(() => cfg.setSystem({ apii: {} }), 'INVALID_INPUT', 'system');
  throwsCode(() => cfg.setSystem('port: 1'), 'INVALID_INPUT', 'system');
  assert.equal(cfg.system().api.port, 9090, 'unchanged');

  cfg.setRetention({ alerts: { days: 30 }, timeseries: { byMetric: { power: 7, vibration: '36h' } }, decisions: { keep: 'forever' } });
  const r = cfg.retention();
  assert.equal(r.alerts.keep, '30d');
  assert.equal(r.ruleHistory.keep, '90d');
  assert.equal(r.decisions.keep, 'forever');
  assert.deepEqual(r.timeseries, { keep: '30d', byMetric: { power: '7d', vibration: '36h' }, byDeviceType: {} });
  throwsCode(() => cfg.setRetention({ alerts: { keep: '3 days' } }), 'INVALID_INPUT', 'retention');
  throwsCode(() => cfg.setRetention({ alerts: { days: 0 } }), 'INVALID_INPUT', 'retention');
  throwsCode(() => cfg.setRetention({ alerts: { days: 1.5 } }), 'INVALID_INPUT', 'retention');
  throwsCode(() => cfg.setRetention({ events: { byType: { '': 3 } } }), 'INVALID_INPUT', 'retention');
  assert.equal(cfg.retention().alerts.keep, '30d', 'unchanged');

  cfg.setAdapters({ modbus: { port: '/dev/ttyUSB0', baud: 9600 } });
  assert.deepEqual(cfg.adapters(), { modbus: { port: '/dev/ttyUSB0', baud: 9600 } });
  throwsCode(() => cfg.setAdapters([1, 2]), 'INVALID_INPUT', 'adapters');
});

test('YAML text out loads back to the same sections; YAML text in is validated', () => {
  const cfg = new wasm.ConfigStore();
  cfg.setSystem({ api: { port: 9000 }, events: { persist: false } });
  cfg.setRetention({ decisions: { days: 3 }, events: { byType: { 'device.online': 1 } } });
  cfg.setAdapters({ mqtt: { broker: 'tcp://b:1883' } });
  const files = { 'system.yaml': cfg.yaml('system.yaml'), 'retention.yaml': cfg.yaml('retention.yaml'), 'adapters.yaml': cfg.yaml('adapters.yaml') };
  assert.match(files['system.yaml'], /port: 9000/);
  assert.match(files['retention.yaml'], /^retention:\n/);
  assert.match(files['adapters.yaml'], /broker: tcp:\/\/b:1883/);
  const copy = new wasm.ConfigStore(files);
  assert.deepEqual(copy.system(), cfg.system());
  assert.deepEqual(copy.retention(), cfg.retention());
  assert.deepEqual(copy.adapters(), cfg.adapters());
  assert.deepEqual(copy.check(), []);

  const tree = new wasm.ConfigStore();
  tree.setYaml('retention.yaml', '# kept short\nretention:\n  alerts:\n    days: 10\n');
  assert.equal(tree.retention().alerts.keep, '10d');
  tree.setYaml('system.yaml', 'api:\n  host: 0.0.0.0\n');
  assert.equal(tree.system().api.host, '0.0.0.0');
  tree.setYaml('adapters.yaml', 'zigbee: {channel: 15}\n');
  assert.deepEqual(tree.adapters(), { zigbee: { channel: 15 } });
  assert.throws(() => tree.setYaml('system.yaml', 'api:\n  host: 0.0.0.0\n  port: 70000\n'), (e) => e.code === 'INVALID_INPUT' && e.field === 'config' && e.message.includes('system.yaml:3:9: api.port'));
  throwsCode(() => tree.setYaml('retention.yaml', 'alerts:\n  days: 5\n'), 'INVALID_INPUT', 'config');
  throwsCode(() => tree.setYaml('system.yaml', 'api: [unclosed'), 'INVALID_INPUT', 'config');
  assert.equal(tree.system().api.host, '0.0.0.0', 'a refused text changes nothing');
  assert.equal(tree.retention().alerts.keep, '10d');
  throwsCode(() => tree.setYaml('rules/a.rule', 'x'), 'INVALID_INPUT', 'file');
  throwsCode(() => tree.setYaml('system.yaml', 5), 'INVALID_INPUT', 'text');
  throwsCode(() => tree.yaml('config.yaml'), 'INVALID_INPUT', 'file');
  throwsCode(() => tree.yaml(null), 'INVALID_INPUT', 'file');
  throwsCode(() => new wasm.ConfigStore({ 'system.yaml': 'api: {port: 0}' }).yaml('system.yaml'), 'INVALID_INPUT', 'config');
});

test('writeDefaults writes the missing files once', () => {
  const cfg = new wasm.ConfigStore({ 'adapters.yaml': 'mqtt: {}\n' });
  assert.deepEqual(cfg.writeDefaults(), ['system.yaml', 'retention.yaml']);
  assert.deepEqual(cfg.writeDefaults(), []);
  assert.deepEqual(cfg.adapters(), { mqtt: {} }, 'an existing file is left alone');
});

test('definitions: save, list, read; names and kinds are checked', () => {
  const cfg = new wasm.ConfigStore();
  cfg.saveDefinition('Workflow', 'morning.yaml', 'steps: []');
  cfg.saveDefinition('Workflow', 'evening.yaml', 'steps: [lights_off]');
  cfg.saveDefinition('Rule', 'heat.rule', 'v1');
  cfg.saveDefinition('Rule', 'heat.rule', 'v2');
  assert.deepEqual(cfg.definitionNames('Workflow'), ['evening.yaml', 'morning.yaml']);
  assert.deepEqual(cfg.definitions('Workflow').map((d) => [d.name, d.kind, d.text]), [['evening.yaml', 'Workflow', 'steps: [lights_off]'], ['morning.yaml', 'Workflow', 'steps: []']]);
  assert.equal(cfg.definition('Rule', 'heat.rule').text, 'v2');
  throwsCode(() => cfg.definition('Rule', 'cold.rule'), 'NOT_FOUND');
  throwsCode(() => cfg.saveDefinition('Rule', '../escape', 'x'), 'INVALID_INPUT', 'definition name');
  throwsCode(() => cfg.saveDefinition('Rule', '.hidden', 'x'), 'INVALID_INPUT', 'definition name');
  throwsCode(() => cfg.saveDefinition('Rule', 'a.rule', 7), 'INVALID_INPUT', 'text');
  throwsCode(() => cfg.saveDefinition('Rule', 'big.rule', 'x'.repeat(1024 * 1024 + 1)), 'INVALID_INPUT', 'config');
  throwsCode(() => cfg.definition('Rule', ''), 'INVALID_INPUT', 'definition name');
  throwsCode(() => cfg.definition('Rule', 3), 'INVALID_INPUT', 'name');
  throwsCode(() => cfg.definitionNames('Rules'), 'INVALID_INPUT', 'kind');
  throwsCode(() => cfg.definitions(undefined), 'INVALID_INPUT', 'kind');
  assert.deepEqual(cfg.definitionNames('Rule'), ['heat.rule']);
});

test("the database's tree: shared by every config() call, CLOSED after close, not in snapshots", () => {
  const db = openDb();
  const cfg = db.config();
  assert.ok(cfg instanceof wasm.ConfigStore);
  assert.equal(cfg.retention().alerts.keep, '365d');
  cfg.setRetention({ alerts: { days: 12 } });
  assert.equal(db.config().retention().alerts.keep, '12d');
  const copy = openDb();
  copy.importSnapshot(db.exportSnapshot());
  assert.equal(copy.config().retention().alerts.keep, '365d', 'config is not table data');
  db.close();
  throwsCode(() => cfg.retention(), 'CLOSED');
  throwsCode(() => cfg.saveDefinition('Rule', 'after.rule', 'too late'), 'CLOSED');
});
