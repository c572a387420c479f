// The dataset of the cross-build snapshot test, record for record the one
// examples/native_snapshot.rs writes natively, and the summary both sides compare.
const T0 = 1_700_000_000_000;

/** Writes the shared dataset into `db`. */
export function writeDataset(db) {
  const times = Float64Array.from({ length: 50 }, (_, i) => T0 + i * 1000);
  db.timeseries().writeSeries('thermo-1', 'temperature', times, times.map((_, i) => 20 + i * 0.25));
  db.timeseries().writeSeries('plug-1', 'power', times, times.map((_, i) => 100 + i));
  for (let i = 0; i < 5; i++) {
    db.events().append({
      eventId: `ev-${i}`, eventType: 'device.online', eventData: { n: i },
      metadata: { correlationId: 'chain-1', causationId: null, source: 'sim', timestamp: T0 + i },
    });
  }
  const alerts = db.alerts();
  alerts.create({ alertId: 'alert-1', title: 'Hot', severity: 'Warning', message: '31 C', source: 'rule', createdAt: T0, entityId: 'thermo-1', entityType: 'device' });
  alerts.create({ alertId: 'alert-2', title: 'Overload', severity: 'Critical', message: '1700 W', source: 'rule', createdAt: T0 + 1 });
  alerts.acknowledge('alert-1', 'operator', T0 + 10);
  const rules = db.ruleHistory();
  rules.record({ executionId: 'exec-1', ruleId: 'temp-high', ruleName: 'Temperature high', triggeredAt: T0, triggerValue: 31, result: 'Success' });
  rules.record({ executionId: 'exec-2', ruleId: 'temp-high', ruleName: 'Temperature high', triggeredAt: T0 + 5, result: { Failed: { error: 'no actuator' } } });
  db.flush();
}

/** Table counts and some records of every store written (the native tool prints the same).
 *  `meta` is left out: its bookkeeping (last write time per table) is native-only. */
export function summary(db) {
  const tables = Object.fromEntries(db.tableSizes().filter((t) => t.entries > 0 && t.name !== 'meta').map((t) => [t.name, t.entries]));
  const stats = db.ruleHistory().ruleStatistics('temp-high', -Infinity, Infinity);
  return {
    tables,
    temperatures: Array.from(db.timeseries().queryRange('thermo-1', 'temperature', -Infinity, Infinity).values),
    alerts: db.alerts().queryRange(-Infinity, Infinity).map((a) => [a.alertId, a.acknowledged]),
    rule_runs: [stats.triggers, stats.success, stats.failed],
    last_sequence: db.events().lastSequence(),
    devices: db.devices().listDevices().map((d) => d.deviceId).sort(),
  };
}
