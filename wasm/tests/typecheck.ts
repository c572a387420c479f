// Compiled (not run) by types.test.mjs with `tsc --strict`: the generated declarations must
// type the public API, records included, and reject misuse (the @ts-expect-error lines).
import { StorageManager, DataCleanupTask, type WorkflowExecutionRecord, type DecisionRecord, type RetentionConfig, type CleanupReport, type CompactionReport, type DataPoint, type DeviceState, type EventLogEntry, type PackedSeries, type StorageError, type AggregateBucket, type TableSize, type EventCleanup, type AlertRecord, type SeverityCounts, type RuleExecutionRecord, type RuleStatistics, type ImportedSnapshot, type StorageStats } from '../pkg/node/neotalk_storage_wasm.js';
import * as full from '../pkg/full/node/neotalk_storage_wasm.js';
import { ConfigStore, type SystemConfig, type ConfigError, type Definition, type MemoryEntry, type MemoryHit, type VectorMatch, type CollectionInfo, type SequencedMessage, type SessionInfo } from '../pkg/full/node/neotalk_storage_wasm.js';

/** A database of the `full` entry point (vectors, sessions, memory, config). */
const fullDb = new full.StorageManager();

const options = StorageManager.defaultOptions();
options.writeBuffer.maxPoints = 0;
const db = new StorageManager(options);
const ts = db.timeseries();
ts.writeSeries('d', 'm', new Float64Array([1]), new Float64Array([2]));
ts.writeColumns(['d'], ['m'], new Uint32Array([0]), new Float64Array([1]), new Float64Array([2]));
ts.write('d', 'm', { timestamp: 1, value: true });
ts.writeBatch([{ deviceId: 'd', metric: 'm', point: { timestamp: 2, value: 'on', quality: 0.5 } }]);
ts.writePoints('d', 'm', [{ timestamp: 3, value: 21.5 }, { timestamp: 4, value: 22 }]);
// @ts-expect-error points carry a timestamp
ts.writePoints('d', 'm', [{ value: 1 }]);
const reopened: StorageManager = StorageManager.fromSnapshot(db.exportSnapshot());
const packed: PackedSeries = ts.queryRange('d', 'm', 0, Infinity, 10, true);
const t: Float64Array = packed.timestamps;
const points: DataPoint[] = ts.queryRangePoints('d', 'm', 0, 10);
const latest: DataPoint | null = ts.queryLatest('d', 'm');
const batch: (DataPoint | null)[] = ts.queryLatestBatch([['d', 'm']]);
const buckets: AggregateBucket[] = ts.queryAggregated('d', 'm', 0, 10, 5);
const removed: number = ts.deleteRange('d', 'm', 0, 1);
const names: string[] = ts.listMetrics('d');

const devices = db.devices();
devices.upsert({ deviceId: 'd', deviceType: 't', online: false });
const dev: DeviceState | null = devices.getDevice('d');
const temp: number | undefined = dev?.metrics['m']?.timestamp;
// @ts-expect-error device_type is required
devices.upsert({ deviceId: 'd' });

const events = db.events();
const e: EventLogEntry = events.append({ eventId: 'e', eventType: 'x', eventData: {}, metadata: { source: 's', timestamp: 1 } });
const seq: number = e.sequence;
const cleaned: EventCleanup = events.cleanup(Date.now());
const sizes: TableSize[] = db.tableSizes();
// @ts-expect-error metadata is required
events.append({ eventId: 'e', eventType: 'x', eventData: {} });

const alerts = db.alerts();
alerts.create({ alertId: 'a', title: 't', severity: 'Critical', source: 'rule', createdAt: 1 });
const acked: AlertRecord = alerts.acknowledge('a', 'me', 2);
const counts: SeverityCounts = alerts.countBySeverity();
const bySeverity: AlertRecord[] = alerts.queryBySeverity('Warning', 0, Infinity);
// @ts-expect-error severity is one of four strings
alerts.create({ alertId: 'b', title: 't', severity: 'High', source: 'rule', createdAt: 1 });

const rules = db.ruleHistory();
rules.record({ executionId: 'x', ruleId: 'r', ruleName: 'r', triggeredAt: 1, result: { Failed: { error: 'e' } } });
const runs: RuleExecutionRecord[] = rules.queryByRule('r', 0, 10);
const stats: RuleStatistics = rules.ruleStatistics('r', 0, Infinity);
// @ts-expect-error result is required
rules.record({ executionId: 'y', ruleId: 'r', ruleName: 'r', triggeredAt: 1 });

const snapshot: Uint8Array = db.exportSnapshot();
const restored: ImportedSnapshot = db.importSnapshot(snapshot);
const dbStats: StorageStats = db.stats();
const alertCount: number | undefined = dbStats.tableStats['alerts']?.count;

// @ts-expect-error the default package has no vector store
db.vectors();
const vectors = fullDb.vectors();
const info: CollectionInfo = vectors.createCollection('v', 2, 'Cosine');
vectors.upsertMany('v', ['a'], new Float32Array([1, 0]), [{ k: 1 }]);
const emb: Float32Array | undefined = vectors.get('v', 'a')?.embedding;
const hits: VectorMatch[] = vectors.search('v', new Float32Array([1, 0]), 3, { field: 'k', value: 1 });
// @ts-expect-error metric is one of three strings
vectors.createCollection('w', 2, 'cosine');

const sessions = fullDb.sessions();
const session: SessionInfo = sessions.createSession('s', 'title', 1);
const seqNo: number = sessions.appendMessage('s', { role: 'user', content: 'hi', timestamp: 2 });
const window: SequencedMessage[] = sessions.contextWindow('s', 100);
// @ts-expect-error role is one of four strings
sessions.appendMessage('s', { role: 'robot', content: 'hi', timestamp: 2 });

const workflows = db.workflowHistory();
workflows.start({ executionId: 'w', workflowId: 'wf', workflowName: 'Morning', triggerType: 'cron', startedAt: 1, inputs: { room: 'k' } });
const withStep: WorkflowExecutionRecord = workflows.recordStep('w', { stepId: 's', stepName: 'S', stepType: 'delay', startedAt: 2 });
const finished: WorkflowExecutionRecord = workflows.finish('w', 'Completed', 3, { ok: true }, null);
const runningRuns: WorkflowExecutionRecord[] = workflows.queryByStatus('Running', 0, Infinity, 10);
const stepStatus: string = withStep.steps[0]!.status;
// @ts-expect-error workflow_name is required
workflows.start({ executionId: 'w2', workflowId: 'wf', triggerType: 'cron', startedAt: 1 });
// @ts-expect-error status is one of four strings
workflows.finish('w', 'Done', 3);

const decisions = db.decisions();
decisions.create({ decisionId: 'd', title: 'Cool down', confidence: 0.8, createdAt: 1, proposedActions: [{ actionType: 'control_device', parameters: { on: false } }] });
const approved: DecisionRecord = decisions.approve('d', { userId: 'u', response: 'approved', respondedAt: 2 });
const executed: DecisionRecord = decisions.recordExecutionResult('d', 'Success');
const proposed: DecisionRecord[] = decisions.queryByStatus('Proposed', 0, Infinity);
const expired: number = decisions.expireProposals(10, 5);
// @ts-expect-error confidence is required
decisions.create({ decisionId: 'd2', title: 't', createdAt: 1 });
// @ts-expect-error status is one of five strings
decisions.transition('d', 'Accepted');

const memory = fullDb.memory();
memory.add({ memoryId: 'm', memoryType: 'DeviceKnowledge', content: 'pump 7 runs hot', createdAt: 1, embedding: new Float32Array([1, 0]), metadata: { importance: 0.9 } });
const entry: MemoryEntry | null = memory.get('m', 2);
const vector: Float32Array | null | undefined = entry?.embedding;
const keywordHits: MemoryHit[] = memory.searchKeywords('pump', 5);
const hybridHits: MemoryHit[] = memory.searchHybrid('pump', new Float32Array([1, 0]), 5);
const purged: number = memory.purgeExpired(10);
// @ts-expect-error memory_type is one of six strings
memory.add({ memoryId: 'x', memoryType: 'Fact', content: 'c', createdAt: 1 });

// @ts-expect-error the default package has no config store
db.config();
const config: ConfigStore = fullDb.config();
config.setRetention({ alerts: { days: 30 } });
config.setRetention({ alerts: { keep: '36h' }, timeseries: { default_days: 7, byMetric: { vibration: '15m', power: 90 } } });
const kept: string = config.retention().alerts.keep;
const retention: RetentionConfig = config.retention();
const system: SystemConfig = new ConfigStore({ 'system.yaml': 'api:\n  port: 9000\n' }).system();
const port: number = system.api.port;
const yamlText: string = config.yaml('retention.yaml');
config.setYaml('system.yaml', 'api:\n  port: 9001\n');
const problems: ConfigError[] = config.check();
config.saveDefinition('Rule', 'heat.rule', 'when t > 30');
const definition: Definition = config.definition('Rule', 'heat.rule');
// @ts-expect-error only the three YAML files
config.yaml('rules/heat.rule');
// @ts-expect-error days is a number
config.setRetention({ alerts: { days: '30' } });

const cleanupTask = new DataCleanupTask(db, { events: { days: 3 } });
const report: CleanupReport = cleanupTask.run(Date.now());
const removedEvents: number | undefined = report.removed['events'];
const compacted: CompactionReport = db.compact();
const sound: boolean = db.checkIntegrity();

try {
  ts.queryRange('d', 'm', 5, 1);
} catch (err) {
  const code: StorageError['code'] = (err as StorageError).code;
  void code;
}
void [finished, runningRuns, stepStatus, approved, executed, proposed, expired, vector, keywordHits, hybridHits, purged, retention, port, yamlText, problems, definition, removedEvents, compacted, sound, session, seqNo, window, info, emb, hits, acked, counts, bySeverity, runs, stats, restored, alertCount, t, points, latest, batch, buckets, removed, names, temp, seq, cleaned, sizes];
db.close();
