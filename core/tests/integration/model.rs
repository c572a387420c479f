//! Model-based tests: random operation sequences run on the redb backend, the memory backend
//! and a naive model (BTreeMaps); every query result must agree after every step.
//!
//! Small id pools and timestamps make duplicates, late points, conflicts and not-found cases
//! common. 256 cases by default; `PROPTEST_CASES=5000` for a longer run.

use crate::common;

use common::Fixture;
use neotalk_storage::{
    AlertRecord, AlertSeverity, DataPoint, DeviceState, Durability, EventLogEntry, MetricValue, NewEvent, Result, StorageManager,
    StorageOptions, TelemetryPoint,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

const DEVICES: [&str; 4] = ["d0", "d1", "d2", "dev\u{0}3"];
const METRICS: [&str; 2] = ["m0", "温度"];
const TYPES: [&str; 2] = ["t0", "t1"];
const EVENT_TYPES: [&str; 2] = ["x.a", "x.b"];
const SEVERITIES: [AlertSeverity; 4] = AlertSeverity::ALL;
/// Timestamps of generated records: a small window so duplicates and late points are common.
const T: i64 = 24;

#[derive(Debug, Clone)]
enum Op {
    Upsert { dev: usize, ty: usize, online: bool, last_seen: i64 },
    SetOnline { dev: usize, online: bool },
    DeleteDevice { dev: usize },
    Write { points: Vec<(usize, usize, i64, i64)> },
    DeleteRange { dev: usize, metric: usize, start: i64, end: i64 },
    Append { events: Vec<(usize, usize, i64)> },
    CreateAlert { id: usize, severity: usize, at: i64, entity: Option<usize> },
    Acknowledge { id: usize, at: i64 },
    Resolve { id: usize, at: i64 },
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    let ts = -2..T;
    prop_oneof![
        2 => (0..4usize, 0..2usize, any::<bool>(), ts.clone()).prop_map(|(dev, ty, online, last_seen)| Op::Upsert { dev, ty, online, last_seen }),
        1 => (0..4usize, any::<bool>()).prop_map(|(dev, online)| Op::SetOnline { dev, online }),
        1 => (0..4usize).prop_map(|dev| Op::DeleteDevice { dev }),
        4 => prop::collection::vec((0..4usize, 0..2usize, ts.clone(), -5..5i64), 1..8).prop_map(|points| Op::Write { points }),
        1 => (0..4usize, 0..2usize, ts.clone(), 0..T / 2).prop_map(|(dev, metric, start, len)| Op::DeleteRange { dev, metric, start, end: start + len - 1 }),
        2 => prop::collection::vec((0..10usize, 0..2usize, ts.clone()), 1..4).prop_map(|events| Op::Append { events }),
        2 => (0..6usize, 0..4usize, ts.clone(), prop::option::of(0..4usize)).prop_map(|(id, severity, at, entity)| Op::CreateAlert { id, severity, at, entity }),
        1 => (0..6usize, ts.clone()).prop_map(|(id, at)| Op::Acknowledge { id, at }),
        1 => (0..6usize, ts).prop_map(|(id, at)| Op::Resolve { id, at }),
        1 => Just(Op::Reopen),
    ]
}

#[derive(Debug, Clone, PartialEq)]
struct MDevice {
    ty: String,
    online: bool,
    last_seen: i64,
    /// metric -> (timestamp, value)
    metrics: BTreeMap<String, (i64, i64)>,
}

/// metric index -> (timestamp, value) of the newest point in a batch.
type NewestPerMetric = BTreeMap<usize, (i64, i64)>;

/// The naive model.
#[derive(Default)]
struct Model {
    devices: BTreeMap<String, MDevice>,
    /// (device, metric) -> timestamp -> value
    series: BTreeMap<(String, String), BTreeMap<i64, i64>>,
    /// In sequence order: (event_id, type, timestamp); sequence = index + 1.
    events: Vec<(String, String, i64)>,
    alerts: BTreeMap<String, AlertRecord>,
}

/// The outcome of an operation: `Ok` or the error's code.
type Outcome = std::result::Result<(), &'static str>;

fn code<T>(r: Result<T>) -> Outcome {
    r.map(|_| ()).map_err(|e| e.code())
}

fn alert_id(i: usize) -> String {
    format!("a{i}")
}

impl Model {
    fn apply(&mut self, op: &Op) -> Outcome {
        match op {
            Op::Upsert { dev, ty, online, last_seen } => {
                let d = self.devices.entry(DEVICES[*dev].into()).or_insert(MDevice {
                    ty: String::new(),
                    online: true,
                    last_seen: *last_seen,
                    metrics: BTreeMap::new(),
                });
                d.ty = TYPES[*ty].into();
                d.online = *online;
                d.last_seen = d.last_seen.max(*last_seen);
                Ok(())
            }
            Op::SetOnline { dev, online } => match self.devices.get_mut(DEVICES[*dev]) {
                Some(d) => {
                    d.online = *online;
                    Ok(())
                }
                None => Err("NOT_FOUND"),
            },
            Op::DeleteDevice { dev } => self.devices.remove(DEVICES[*dev]).map(|_| ()).ok_or("NOT_FOUND"),
            Op::Write { points } => {
                for &(dev, metric, ts, v) in points {
                    self.series.entry((DEVICES[dev].into(), METRICS[metric].into())).or_default().insert(ts, v);
                }
                // Device side: per device, the batch's newest timestamp and newest point per
                // metric (a later point wins a tie), registering unknown devices.
                let mut per_device: BTreeMap<usize, (i64, NewestPerMetric)> = BTreeMap::new();
                for &(dev, metric, ts, v) in points {
                    let e = per_device.entry(dev).or_insert((i64::MIN, BTreeMap::new()));
                    e.0 = e.0.max(ts);
                    let n = e.1.entry(metric).or_insert((ts, v));
                    if ts >= n.0 {
                        *n = (ts, v);
                    }
                }
                for (dev, (max_ts, newest)) in per_device {
                    let d = self.devices.entry(DEVICES[dev].into()).or_insert(MDevice {
                        ty: "unknown".into(),
                        online: true,
                        last_seen: max_ts,
                        metrics: BTreeMap::new(),
                    });
                    d.last_seen = d.last_seen.max(max_ts);
                    for (metric, (ts, v)) in newest {
                        let m = METRICS[metric].to_string();
                        if d.metrics.get(&m).is_none_or(|s| ts >= s.0) {
                            d.metrics.insert(m, (ts, v));
                        }
                    }
                }
                Ok(())
            }
            Op::DeleteRange { dev, metric, start, end } => {
                if start > end {
                    return Err("INVALID_INPUT");
                }
                let key = (DEVICES[*dev].to_string(), METRICS[*metric].to_string());
                let Some(points) = self.series.get_mut(&key) else { return Ok(()) };
                points.retain(|ts, _| !(*start..*end).contains(ts));
                let newest = points.iter().next_back().map(|(t, v)| (*t, *v));
                if let Some(d) = self.devices.get_mut(&key.0) {
                    if d.metrics.get(&key.1).is_some_and(|s| (*start..*end).contains(&s.0)) {
                        match newest {
                            Some(n) => d.metrics.insert(key.1.clone(), n),
                            None => d.metrics.remove(&key.1),
                        };
                    }
                }
                Ok(())
            }
            Op::Append { events } => {
                let mut ids: Vec<String> = events.iter().map(|e| format!("e{}", e.0)).collect();
                if ids.iter().any(|id| self.events.iter().any(|e| &e.0 == id)) {
                    return Err("CONFLICT");
                }
                ids.sort();
                ids.dedup();
                if ids.len() < events.len() {
                    return Err("CONFLICT");
                }
                for &(id, ty, ts) in events {
                    self.events.push((format!("e{id}"), EVENT_TYPES[ty].into(), ts));
                }
                Ok(())
            }
            Op::CreateAlert { id, severity, at, entity } => {
                let a = new_alert(*id, *severity, *at, *entity);
                if self.alerts.contains_key(&a.alert_id) {
                    return Err("CONFLICT");
                }
                self.alerts.insert(a.alert_id.clone(), a);
                Ok(())
            }
            Op::Acknowledge { id, at } => {
                let a = self.alerts.get_mut(&alert_id(*id)).ok_or("NOT_FOUND")?;
                if a.acknowledged {
                    return Err("CONFLICT");
                }
                a.acknowledged = true;
                a.acknowledged_by = Some("op".into());
                a.acknowledged_at = Some(*at);
                Ok(())
            }
            Op::Resolve { id, at } => {
                let a = self.alerts.get_mut(&alert_id(*id)).ok_or("NOT_FOUND")?;
                if a.resolved_at.is_some() {
                    return Err("CONFLICT");
                }
                a.resolved_at = Some(*at);
                Ok(())
            }
            Op::Reopen => Ok(()),
        }
    }
}

fn new_alert(id: usize, severity: usize, at: i64, entity: Option<usize>) -> AlertRecord {
    let a = AlertRecord::new(&alert_id(id), "t", SEVERITIES[severity], "m", if id % 2 == 0 { "rule" } else { "llm" }, at);
    match entity {
        Some(e) => a.for_entity(DEVICES[e], "device"),
        None => a,
    }
}

fn apply_db(db: &StorageManager, op: &Op) -> Outcome {
    match op {
        Op::Upsert { dev, ty, online, last_seen } => {
            let mut d = DeviceState::new(DEVICES[*dev], TYPES[*ty]);
            d.online = *online;
            d.last_seen = *last_seen;
            code(db.devices().upsert(&d))
        }
        Op::SetOnline { dev, online } => code(db.devices().set_online(DEVICES[*dev], *online)),
        Op::DeleteDevice { dev } => code(db.devices().delete(DEVICES[*dev])),
        Op::Write { points } => {
            let batch: Vec<TelemetryPoint> =
                points.iter().map(|&(d, m, ts, v)| TelemetryPoint::new(DEVICES[d], METRICS[m], ts, v)).collect();
            code(db.timeseries().write_batch(&batch))
        }
        Op::DeleteRange { dev, metric, start, end } => code(db.timeseries().delete_range(DEVICES[*dev], METRICS[*metric], *start..*end)),
        Op::Append { events } => {
            let batch: Vec<NewEvent> = events
                .iter()
                .map(|&(id, ty, ts)| NewEvent::new(&format!("e{id}"), EVENT_TYPES[ty], "model", ts, serde_json::json!({"id": id})))
                .collect();
            code(db.events().append_batch(&batch))
        }
        Op::CreateAlert { id, severity, at, entity } => code(db.alerts().create(&new_alert(*id, *severity, *at, *entity))),
        Op::Acknowledge { id, at } => code(db.alerts().acknowledge(&alert_id(*id), "op", *at)),
        Op::Resolve { id, at } => code(db.alerts().resolve(&alert_id(*id), *at)),
        Op::Reopen => Ok(()),
    }
}

fn device_view(d: &DeviceState) -> MDevice {
    MDevice {
        ty: d.device_type.clone(),
        online: d.online,
        last_seen: d.last_seen,
        metrics: d
            .metrics
            .iter()
            .map(|(m, s)| match s.value {
                MetricValue::Integer(v) => (m.clone(), (s.timestamp, v)),
                ref other => panic!("unexpected snapshot value {other:?}"),
            })
            .collect(),
    }
}

fn ints(points: Vec<DataPoint>) -> Vec<(i64, i64)> {
    points
        .into_iter()
        .map(|p| match p.value {
            MetricValue::Integer(v) => (p.timestamp, v),
            other => panic!("unexpected value {other:?}"),
        })
        .collect()
}

fn event_view(e: &[EventLogEntry]) -> Vec<(u64, String, String, i64)> {
    e.iter().map(|e| (e.sequence, e.event_id.clone(), e.event_type.clone(), e.metadata.timestamp)).collect()
}

/// Compares every query of `db` with the model; `what` names the backend in messages.
fn compare(db: &StorageManager, m: &Model, what: &str) {
    // Devices.
    for id in DEVICES {
        let got = db.devices().get_device(id).unwrap().map(|d| device_view(&d));
        assert_eq!(got.as_ref(), m.devices.get(id), "{what}: device {id:?}");
    }
    let ids = |v: Vec<DeviceState>| v.into_iter().map(|d| d.device_id).collect::<Vec<_>>();
    let want: Vec<String> = m.devices.keys().cloned().collect();
    assert_eq!(ids(db.devices().list_devices().unwrap()), want, "{what}: list_devices");
    for online in [true, false] {
        let want: Vec<String> = m.devices.iter().filter(|(_, d)| d.online == online).map(|(k, _)| k.clone()).collect();
        let got = if online { db.devices().list_online() } else { db.devices().list_offline() };
        assert_eq!(ids(got.unwrap()), want, "{what}: online={online}");
    }
    for ty in TYPES.iter().chain(&["unknown"]) {
        let want: Vec<String> = m.devices.iter().filter(|(_, d)| d.ty == *ty).map(|(k, _)| k.clone()).collect();
        assert_eq!(ids(db.devices().list_by_type(ty).unwrap()), want, "{what}: list_by_type {ty}");
    }

    // Telemetry.
    let ts = db.timeseries();
    for dev in DEVICES {
        for metric in METRICS {
            let empty = BTreeMap::new();
            let s = m.series.get(&(dev.to_string(), metric.to_string())).unwrap_or(&empty);
            let all: Vec<(i64, i64)> = s.iter().map(|(t, v)| (*t, *v)).collect();
            assert_eq!(ints(ts.query_range(dev, metric, i64::MIN..i64::MAX).unwrap()), all, "{what}: range {dev}/{metric}");
            let part: Vec<(i64, i64)> = s.range(3..11).map(|(t, v)| (*t, *v)).collect();
            assert_eq!(ints(ts.query_range(dev, metric, 3..11).unwrap()), part, "{what}: range [3, 11) {dev}/{metric}");
            let latest = ts.query_latest(dev, metric).unwrap().map(|p| ints(vec![p])[0]);
            assert_eq!(latest, all.last().copied(), "{what}: latest {dev}/{metric}");
        }
    }
    let with_data: Vec<String> = m
        .series
        .iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|((d, _), _)| d.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut got = ts.list_devices_with_data().unwrap();
    got.sort();
    assert_eq!(got, with_data, "{what}: list_devices_with_data");

    // Events.
    let want: Vec<(u64, String, String, i64)> =
        m.events.iter().enumerate().map(|(i, (id, ty, t))| (i as u64 + 1, id.clone(), ty.clone(), *t)).collect();
    assert_eq!(event_view(&db.events().replay(0, usize::MAX).unwrap()), want, "{what}: replay");
    assert_eq!(db.events().last_sequence().unwrap(), want.len() as u64, "{what}: last_sequence");
    let mut by_time = want.clone();
    by_time.sort_by_key(|e| (e.3, e.0));
    let in_range: Vec<_> = by_time.iter().filter(|e| (2..15).contains(&e.3)).cloned().collect();
    assert_eq!(event_view(&db.events().query_range(2..15, None).unwrap()), in_range, "{what}: events query_range");
    assert_eq!(
        event_view(&db.events().query_range((i64::MIN)..(i64::MAX), Some(2)).unwrap()),
        by_time.iter().take(2).cloned().collect::<Vec<_>>(),
        "{what}: events limit"
    );
    for ty in EVENT_TYPES {
        let of_type: Vec<_> = by_time.iter().filter(|e| e.2 == ty).cloned().collect();
        assert_eq!(event_view(&db.events().query_by_type(ty, (i64::MIN)..(i64::MAX), None).unwrap()), of_type, "{what}: by type {ty}");
    }
    for i in 0..10 {
        let id = format!("e{i}");
        let got = db.events().get(&id).unwrap().map(|e| event_view(&[e])[0].clone());
        assert_eq!(got, want.iter().find(|e| e.1 == id).cloned(), "{what}: get event {id}");
    }

    // Alerts.
    for i in 0..6 {
        assert_eq!(db.alerts().get(&alert_id(i)).unwrap().as_ref(), m.alerts.get(&alert_id(i)), "{what}: alert {i}");
    }
    let mut by_time: Vec<&AlertRecord> = m.alerts.values().collect();
    by_time.sort_by(|a, b| (a.created_at, &a.alert_id).cmp(&(b.created_at, &b.alert_id)));
    let owned = |v: Vec<&AlertRecord>| v.into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(db.alerts().query_range((i64::MIN)..(i64::MAX), None).unwrap(), owned(by_time.clone()), "{what}: alerts query_range");
    let part = owned(by_time.iter().copied().filter(|a| (0..12).contains(&a.created_at)).collect());
    assert_eq!(db.alerts().query_range(0..12, None).unwrap(), part, "{what}: alerts [0, 12)");
    let newest_first = |f: &dyn Fn(&AlertRecord) -> bool| owned(by_time.iter().rev().copied().filter(|a| f(a)).collect());
    assert_eq!(db.alerts().unacknowledged(None).unwrap(), newest_first(&|a| !a.acknowledged), "{what}: unacknowledged");
    assert_eq!(db.alerts().unresolved(None).unwrap(), newest_first(&|a| a.resolved_at.is_none()), "{what}: unresolved");
    let counts = db.alerts().count_by_severity().unwrap();
    let open = db.alerts().count_unresolved_by_severity().unwrap();
    for s in SEVERITIES {
        assert_eq!(counts.get(s), m.alerts.values().filter(|a| a.severity == s).count() as u64, "{what}: count {s:?}");
        assert_eq!(
            open.get(s),
            m.alerts.values().filter(|a| a.severity == s && a.resolved_at.is_none()).count() as u64,
            "{what}: open {s:?}"
        );
        let want = owned(by_time.iter().copied().filter(|a| a.severity == s).collect());
        assert_eq!(db.alerts().query_by_severity(s, (i64::MIN)..(i64::MAX), None).unwrap(), want, "{what}: by severity {s:?}");
    }
    for dev in DEVICES {
        let want = owned(by_time.iter().copied().filter(|a| a.entity_id.as_deref() == Some(dev)).collect());
        assert_eq!(db.alerts().query_by_entity(dev, (i64::MIN)..(i64::MAX), None).unwrap(), want, "{what}: by entity {dev:?}");
    }
}

/// redb without an fsync per commit: the same code paths and results, many times faster;
/// `Reopen` closes (which syncs) and reopens the file.
fn open_redb(dir: &std::path::Path) -> StorageManager {
    StorageManager::open_with(dir, StorageOptions { durability: Durability::Eventual, ..Default::default() }).unwrap()
}

fn run(ops: &[Op]) {
    let memory = Fixture::memory();
    let dir = tempfile::tempdir().unwrap();
    let mut redb = open_redb(dir.path());
    let mut model = Model::default();
    for (step, op) in ops.iter().enumerate() {
        let want = model.apply(op);
        assert_eq!(apply_db(&memory.db, op), want, "memory, step {step}: {op:?}");
        assert_eq!(apply_db(&redb, op), want, "redb, step {step}: {op:?}");
        if let Op::Reopen = op {
            redb.close().unwrap();
            drop(redb);
            redb = open_redb(dir.path());
        }
        compare(&memory.db, &model, &format!("memory after step {step} {op:?}"));
        compare(&redb, &model, &format!("redb after step {step} {op:?}"));
    }
}

proptest! {
    // 256 cases unless PROPTEST_CASES says otherwise.
    #[test]
    fn backends_and_model_agree(ops in prop::collection::vec(op(), 1..30)) {
        run(&ops);
    }
}

/// A fixed sequence covering every operation's error paths, so they run on every test run.
#[test]
fn error_paths_agree() {
    run(&[
        Op::SetOnline { dev: 0, online: false },
        Op::DeleteDevice { dev: 1 },
        Op::Acknowledge { id: 0, at: 1 },
        Op::Resolve { id: 0, at: 1 },
        Op::DeleteRange { dev: 0, metric: 0, start: 5, end: 4 },
        Op::Write { points: vec![(0, 0, 5, 1), (0, 0, 5, 2), (0, 0, 3, 3), (3, 1, -1, 4)] },
        Op::Append { events: vec![(1, 0, 3), (1, 1, 4)] },
        Op::Append { events: vec![(1, 0, 3), (2, 1, 4)] },
        Op::Append { events: vec![(2, 0, 3)] },
        Op::CreateAlert { id: 0, severity: 3, at: 2, entity: Some(0) },
        Op::CreateAlert { id: 0, severity: 1, at: 2, entity: None },
        Op::Acknowledge { id: 0, at: 3 },
        Op::Acknowledge { id: 0, at: 4 },
        Op::Resolve { id: 0, at: 5 },
        Op::Resolve { id: 0, at: 6 },
        Op::Reopen,
        Op::DeleteRange { dev: 0, metric: 0, start: 4, end: 6 },
        Op::DeleteDevice { dev: 0 },
        Op::Write { points: vec![(0, 0, 1, 9)] },
        Op::Upsert { dev: 0, ty: 1, online: false, last_seen: -1 },
        Op::Reopen,
    ]);
}
