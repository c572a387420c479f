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
      event_id: `ev-${i}`, event_type: 'device.online', event_data: { n: i },
      metadata: { correlation_id: 'chain-1', causation_id: null, source: 'sim', timestamp: T0 + i },
    });
  }
  const alerts = db.alerts();
  alerts.create({ alert_id: 'alert-1', title: 'Hot', severity: 'Warning', message: '31 C', source: 'rule', created_at: T0, entity_id: 'thermo-1', entity_type: 'device' });
  alerts.create({ alert_id: 'alert-2', title: 'Overload', severity: 'Critical', message: '1700 W', source: 'rule', created_at: T0 + 1 });
  alerts.acknowledge('alert-1', 'operator', T0 + 10);
  const rules = db.ruleHistory();
  rules.record({ execution_id: 'exec-1', rule_id: 'temp-high', rule_name: 'Temperature high', triggered_at: T0, trigger_value: 31, result: 'Success' });
  rules.record({ execution_id: 'exec-2', rule_id: 'temp-high', rule_name: 'Temperature high', triggered_at: T0 + 5, result: { Failed: { error: 'no actuator' } } });
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
    alerts: db.alerts().queryRange(-Infinity, Infinity).map((a) => [a.alert_id, a.acknowledged]),
    rule_runs: [stats.triggers, stats.success, stats.failed],
    last_sequence: db.events().lastSequence(),
    devices: db.devices().listDevices().map((d) => d.device_id).sort(),
  };
}
