//! The Rust runner of the shared conformance cases (`tests/conformance/`, see its README):
//! every case runs on the memory and on the redb backend, straight on the core API, and
//! its results are compared as the core's serde JSON, the reference the other four
//! languages are held to.

use std::path::{Path, PathBuf};

use neotalk_storage::{
    from_json_value, AlertRecord, DataCleanupTask, DataPoint, DecisionRecord, DecisionStatus, DeviceState, DistanceMetric, EventText,
    ExecutionResult, MemoryEntry, NewEvent, Page, Result, RetentionConfig, RuleExecutionRecord, SessionMessage, StorageManager,
    StorageOptions, TelemetryPoint, UserResponse, VectorDocument, WorkflowExecutionRecord,
};
use neotalk_storage_replicate::{Replicator, Target};
use serde::Serialize;
use serde_json::{json, Value};
use tempfile::TempDir;

/// The store a case runs on; `storage.open` replaces it.
struct Subject {
    db: StorageManager,
    dirs: Vec<TempDir>,
    /// The case's directory for `DIR` in replication targets.
    replica: TempDir,
}

impl Subject {
    fn new(redb: bool) -> Subject {
        if redb {
            let dir = tempfile::tempdir().unwrap();
            Subject { db: StorageManager::open(dir.path()).unwrap(), dirs: vec![dir], replica: tempfile::tempdir().unwrap() }
        } else {
            Subject { db: StorageManager::in_memory().unwrap(), dirs: Vec::new(), replica: tempfile::tempdir().unwrap() }
        }
    }

    /// The `target` argument, `DIR` replaced by the case's directory.
    fn target(&self, args: &Value) -> Result<Target> {
        let text = self::text(args, "target").replace("DIR", &self.replica.path().display().to_string());
        Ok(text.parse::<Target>()?)
    }
}

fn arg<'a>(args: &'a Value, name: &str) -> &'a Value {
    args.get(name).unwrap_or_else(|| panic!("the case gives no `{name}`"))
}

fn text<'a>(args: &'a Value, name: &str) -> &'a str {
    arg(args, name).as_str().unwrap_or_else(|| panic!("`{name}` is not a string"))
}

/// A string argument that may be absent (or null).
fn opt_text<'a>(args: &'a Value, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

fn int(args: &Value, name: &str) -> i64 {
    arg(args, name).as_i64().unwrap_or_else(|| panic!("`{name}` is not an integer"))
}

fn uint(args: &Value, name: &str) -> u64 {
    arg(args, name).as_u64().unwrap_or_else(|| panic!("`{name}` is not a non-negative integer"))
}

fn opt_int(args: &Value, name: &str) -> Option<i64> {
    args.get(name).filter(|v| !v.is_null()).map(|_| int(args, name))
}

fn limit(args: &Value) -> Page {
    Page::from(args.get("limit").filter(|v| !v.is_null()).map(|_| uint(args, "limit") as usize))
}

/// `start` .. `end?`: an absent end is open (`start..`).
fn range(args: &Value) -> (std::ops::Bound<i64>, std::ops::Bound<i64>) {
    use std::ops::Bound::*;
    let end = opt_int(args, "end").map_or(Unbounded, Excluded);
    (Included(int(args, "start")), end)
}

/// A record argument, decoded by core's serde as every JSON-taking binding does.
fn record<T: serde::de::DeserializeOwned>(args: &Value, name: &'static str) -> Result<T> {
    from_json_value(name, arg(args, name).clone())
}

/// A point argument; `{"$float": "NaN"}` (or `"Infinity"`, `"-Infinity"`) stands for the
/// floats JSON cannot write.
fn point(args: &Value) -> Result<DataPoint> {
    let special = args.pointer("/point/value/$float").and_then(Value::as_str);
    match special {
        Some(name) => {
            let value: f64 = name.parse().unwrap_or_else(|_| panic!("{name:?} is not a float name"));
            Ok(DataPoint::new(int(arg(args, "point"), "timestamp"), value))
        }
        None => record(args, "point"),
    }
}

fn floats(args: &Value, name: &str) -> Vec<f32> {
    let items = arg(args, name).as_array().unwrap_or_else(|| panic!("`{name}` is not an array"));
    items.iter().map(|v| v.as_f64().expect("a number") as f32).collect()
}

fn out(value: impl Serialize) -> Result<Value> {
    Ok(serde_json::to_value(value).expect("core types serialize"))
}

/// Runs one operation; its result as core's JSON.
fn run(subject: &mut Subject, op: &str, args: &Value) -> Result<Value> {
    let db = &subject.db;
    let (device, metric) = (|| text(args, "device"), || text(args, "metric"));
    match op {
        "storage.open" => {
            let path = text(args, "path");
            let dir = tempfile::tempdir().unwrap();
            let target: PathBuf = if path.is_empty() { PathBuf::new() } else { dir.path().join(path) };
            let opened = StorageManager::open(&target)?;
            subject.db = opened;
            subject.dirs.push(dir);
            out(())
        }
        "storage.open_memory" => {
            subject.db = StorageManager::in_memory_with(record::<StorageOptions>(args, "options")?)?;
            out(())
        }
        "storage.close" => out(db.close()?),
        "storage.flush" => out(db.flush()?),
        "storage.integrity_report" => out(db.integrity_report()?),
        "storage.salvage" => {
            let from = db.path().expect("storage.salvage follows storage.open").to_path_buf();
            let into = match text(args, "into") {
                "itself" => from.clone(),
                _ => {
                    let dir = tempfile::tempdir().unwrap();
                    let into = dir.path().join("salvaged");
                    subject.dirs.push(dir);
                    into
                }
            };
            out(StorageManager::salvage(&from, &into)?)
        }
        "replicate.run_once" => {
            let target = subject.target(args)?;
            out(Replicator::new(db.clone(), &target, text(args, "gateway_id"))?.run_once()?)
        }
        "replicate.status" => out(db.feed().status(&subject.target(args)?.sink_name())?),
        "ts.write" => out(db.timeseries().write(device(), metric(), point(args)?)?),
        "ts.write_batch" => out(db.timeseries().write_batch(&record::<Vec<TelemetryPoint>>(args, "points")?)?),
        "ts.query_range" => out(db.timeseries().query_range(device(), metric(), range(args))?),
        "ts.query_latest" => out(db.timeseries().query_latest(device(), metric())?),
        "ts.delete_range" => out(db.timeseries().delete_range(device(), metric(), range(args))?),
        "ts.delete_device" => out(db.timeseries().delete_device(device())?),
        "ts.delete_metric" => out(db.timeseries().delete_metric(metric())?),
        "ts.aggregation_tier" => out(db.timeseries().aggregation_tier(device(), metric(), range(args), int(args, "bucket_ms"))?),
        "ts.rebuild_rollups" => out(db.timeseries().rebuild_rollups()?),
        "ts.query_aggregated" => out(db.timeseries().query_aggregated(device(), metric(), range(args), int(args, "bucket_ms"))?),
        "events.append" => out(db.events().append(&record::<NewEvent>(args, "event")?)?),
        "events.append_batch" => out(db.events().append_batch(&record::<Vec<NewEvent>>(args, "events")?)?),
        "events.get" => out(db.events().get(text(args, "event_id"))?),
        "events.replay" => out(db.events().replay(uint(args, "after"), limit(args))?),
        "events.query_range" => out(db.events().query_range(range(args), limit(args))?),
        "events.last_sequence" => out(db.events().last_sequence()?),
        "events.append_text" => {
            let items = arg(args, "events").as_array().expect("`events` is an array");
            let events: Vec<EventText<'_>> = items
                .iter()
                .map(|e| EventText {
                    event_id: opt_text(e, "event_id").unwrap_or_default(),
                    event_type: opt_text(e, "event_type").unwrap_or_default(),
                    data: opt_text(e, "data").unwrap_or("null"),
                    correlation_id: opt_text(e, "correlation_id"),
                    causation_id: opt_text(e, "causation_id"),
                    source: opt_text(e, "source").unwrap_or_default(),
                    timestamp: int(e, "timestamp"),
                })
                .collect();
            out(db.events().append_text(&events)?)
        }
        "events.replay_text" => {
            let mut found = Vec::new();
            db.events().replay_text(uint(args, "after"), limit(args), |sequence, e| {
                found.push(serde_json::json!({"sequence": sequence, "event_id": e.event_id, "event_type": e.event_type,
                    "data": e.data, "correlation_id": e.correlation_id, "causation_id": e.causation_id,
                    "source": e.source, "timestamp": e.timestamp}));
                Ok(())
            })?;
            out(found)
        }
        "devices.upsert" => out(db.devices().upsert(&record::<DeviceState>(args, "state")?)?),
        "devices.get" => out(db.devices().get_device(text(args, "device_id"))?),
        "devices.list" => out(db.devices().list_devices()?),
        "devices.delete" => out(db.devices().delete(text(args, "device_id"))?),
        "devices.delete_with_telemetry" => out(db.devices().delete_with_telemetry(text(args, "device_id"))?),
        "devices.set_online" => {
            let online = arg(args, "online").as_bool().expect("`online` is a boolean");
            out(db.devices().set_online(text(args, "device_id"), online)?)
        }
        "alerts.create" => out(db.alerts().create(&record::<AlertRecord>(args, "alert")?)?),
        "alerts.get" => out(db.alerts().get(text(args, "alert_id"))?),
        "alerts.delete" => out(db.alerts().delete(text(args, "alert_id"))?),
        "alerts.acknowledge" => out(db.alerts().acknowledge(text(args, "alert_id"), text(args, "by"), int(args, "at"))?),
        "alerts.resolve" => out(db.alerts().resolve(text(args, "alert_id"), int(args, "at"))?),
        "alerts.query_range" => out(db.alerts().query_range(range(args), limit(args))?),
        "alerts.unresolved" => out(db.alerts().unresolved(limit(args))?),
        "decisions.create" => out(db.decisions().create(&record::<DecisionRecord>(args, "decision")?)?),
        "decisions.get" => out(db.decisions().get(text(args, "decision_id"))?),
        "decisions.transition" => {
            let to: DecisionStatus = record(args, "to")?;
            out(db.decisions().transition(text(args, "decision_id"), to)?)
        }
        "decisions.approve" => out(db.decisions().approve(text(args, "decision_id"), &record::<UserResponse>(args, "response")?)?),
        "decisions.record_execution_result" => {
            out(db.decisions().record_execution_result(text(args, "decision_id"), &record::<ExecutionResult>(args, "result")?)?)
        }
        "rules.record" => out(db.rule_history().record(&record::<RuleExecutionRecord>(args, "record")?)?),
        "rules.get" => out(db.rule_history().get(text(args, "execution_id"))?),
        "rules.query_by_rule" => {
            let page = Page { offset: uint(args, "offset") as usize, limit: limit(args).limit };
            out(db.rule_history().query_by_rule(text(args, "rule_id"), page)?)
        }
        "workflows.start" => out(db.workflow_history().start(&record::<WorkflowExecutionRecord>(args, "record")?)?),
        "workflows.get" => out(db.workflow_history().get(text(args, "execution_id"))?),
        "sessions.create" => out(db.sessions().create_session(text(args, "session_id"), text(args, "title"), int(args, "created_at"))?),
        "sessions.append_message" => {
            out(db.sessions().append_message(text(args, "session_id"), &record::<SessionMessage>(args, "message")?)?)
        }
        "sessions.load_messages" => out(db.sessions().load_messages(text(args, "session_id"))?),
        "sessions.delete" => out(db.sessions().delete_session(text(args, "session_id"))?),
        "memory.add" => out(db.memory().add(&record::<MemoryEntry>(args, "entry")?)?),
        "memory.peek" => out(db.memory().peek(text(args, "memory_id"))?),
        "memory.count" => out(db.memory().count()?),
        "vectors.create_collection" => {
            let metric: DistanceMetric = record(args, "metric")?;
            let dimension = u32::try_from(uint(args, "dimension")).unwrap_or(u32::MAX);
            out(db.vectors().create_collection(text(args, "name"), dimension, metric)?)
        }
        "vectors.upsert" => out(db.vectors().upsert(text(args, "collection"), &record::<VectorDocument>(args, "doc")?)?),
        "vectors.get" => out(db.vectors().get(text(args, "collection"), text(args, "id"))?),
        "vectors.search" => out(db.vectors().search(text(args, "collection"), &floats(args, "query"), uint(args, "k") as usize, None)?),
        "vectors.count" => out(db.vectors().count(text(args, "collection"))?),
        "cleanup.run" => {
            let retention = match args.get("retention").filter(|v| !v.is_null()) {
                Some(_) => record::<RetentionConfig>(args, "retention")?,
                None => RetentionConfig::default(),
            };
            out(DataCleanupTask::new(db, retention).run(int(args, "now"))?)
        }
        other => panic!("unknown op {other:?}: add it to tests/conformance/README.md and every runner"),
    }
}

/// Whether `actual` matches `expected` by the README's rules; the reason when it does not.
fn matches(expected: &Value, actual: &Value, at: &str) -> std::result::Result<(), String> {
    let differ = || Err(format!("{at}: expected {expected}, got {actual}"));
    match expected {
        Value::Object(fields) if fields.len() == 1 && fields.contains_key("$len") => {
            let n = fields["$len"].as_u64().expect("$len is a count");
            match actual.as_array() {
                Some(items) if items.len() as u64 == n => Ok(()),
                _ => differ(),
            }
        }
        Value::Object(fields) => {
            let Some(got) = actual.as_object() else { return differ() };
            fields.iter().try_for_each(|(key, want)| matches(want, got.get(key).unwrap_or(&Value::Null), &format!("{at}.{key}")))
        }
        Value::Array(items) => match actual.as_array() {
            Some(got) if got.len() == items.len() => {
                items.iter().zip(got).enumerate().try_for_each(|(i, (want, got))| matches(want, got, &format!("{at}[{i}]")))
            }
            _ => differ(),
        },
        Value::Number(want) => match actual.as_f64() {
            Some(got) if got == want.as_f64().expect("finite") => Ok(()),
            _ => differ(),
        },
        _ if expected == actual => Ok(()),
        _ => differ(),
    }
}

fn run_case(case: &Value, redb: bool) -> std::result::Result<(), String> {
    let mut subject = Subject::new(redb);
    let steps = case["steps"].as_array().expect("a case has steps");
    for (i, step) in steps.iter().enumerate() {
        let op = step["op"].as_str().expect("a step has an op");
        let args = step.get("args").cloned().unwrap_or_else(|| json!({}));
        let at = format!("step {i} ({op})");
        match (run(&mut subject, op, &args), step.get("error"), step.get("expect")) {
            (Err(e), Some(code), _) if e.code() == code => {}
            (Err(e), Some(code), _) => return Err(format!("{at}: expected {code}, got {}: {e}", e.code())),
            (Ok(got), Some(code), _) => return Err(format!("{at}: expected {code}, got success {got}")),
            (Err(e), None, _) => return Err(format!("{at}: failed with {}: {e}", e.code())),
            (Ok(got), None, Some(want)) => matches(want, &got, &at)?,
            (Ok(_), None, None) => {}
        }
    }
    Ok(())
}

fn case_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_case_passes_on_both_backends() {
    let (mut passed, mut failures) = (0, Vec::new());
    for file in case_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        for case in doc["cases"].as_array().expect("a file has cases") {
            assert!(case.pointer("/not/rust").is_none(), "{name}: every case runs in Rust, the reference");
            for (backend, redb) in [("memory", false), ("redb", true)] {
                match run_case(case, redb) {
                    Ok(()) => passed += 1,
                    Err(why) => failures.push(format!("{name} / {} / {backend}: {why}", case["name"])),
                }
            }
        }
    }
    println!("conformance: {passed} case runs passed");
    assert!(failures.is_empty(), "{} failed:\n{}", failures.len(), failures.join("\n"));
    assert!(passed > 0, "no cases found");
}

#[test]
fn the_matcher_refuses_what_differs() {
    assert!(matches(&json!({"a": 1}), &json!({"a": 1.0, "b": 2}), "").is_ok());
    assert!(matches(&json!({"a": 1}), &json!({"a": 2}), "").is_err());
    assert!(matches(&json!({"a": null}), &json!({}), "").is_ok());
    assert!(matches(&json!([1, 2]), &json!([1]), "").is_err());
    assert!(matches(&json!({"$len": 2}), &json!([7, 8]), "").is_ok());
    assert!(matches(&json!({"$len": 2}), &json!([7]), "").is_err());
    assert!(matches(&json!("a"), &json!("b"), "").is_err());
    assert!(matches(&json!(true), &json!(1), "").is_err());
}
