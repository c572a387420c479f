//! JSON record decoding and the stores behind it: the path of the bindings' JSON inputs
//! (C API, wasm) and of stored JSON rows.
//!
//! The first byte picks a record type, the rest is its JSON. Whatever decodes is written to
//! a fresh in-memory database: the store accepts it or refuses it with an error, never
//! panics, and what it accepts reads back as written. Stored-row types must also survive
//! a serialize / deserialize round trip unchanged.

use neotalk_storage::{
    AlertRecord, DecisionRecord, DeviceState, EventLogEntry, MemoryEntry, NewEvent, RuleExecutionRecord, SessionMessage, StorageManager,
    StorageOptions, TelemetryPoint, WorkflowExecutionRecord,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn decode<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(json: &[u8]) -> Option<T> {
    let v: T = serde_json::from_slice(json).ok()?;
    // A stored row must read back as it was written.
    let row = serde_json::to_vec(&v).expect("a decoded record serializes");
    let back: T = serde_json::from_slice(&row).expect("a serialized record decodes");
    assert_eq!(back, v, "JSON round trip changed the record");
    Some(v)
}

/// Runs one fuzz input; panics when the contract above does not hold.
pub fn check(data: &[u8]) {
    let Some((&kind, json)) = data.split_first() else { return };
    // max_points 0: every buffered write commits at once.
    let options =
        StorageOptions { write_buffer: neotalk_storage::WriteBufferOptions { max_points: 0, max_delay_ms: 1000 }, ..Default::default() };
    let db = StorageManager::in_memory_with(options).expect("in-memory database");
    match kind % 10 {
        0 => {
            if let Some(e) = decode::<NewEvent>(json) {
                if let Ok(stored) = db.events().append(&e) {
                    assert_eq!(db.events().get(&e.event_id).unwrap(), Some(stored));
                }
            }
        }
        1 => {
            let _ = decode::<EventLogEntry>(json);
        }
        2 => {
            if let Some(a) = decode::<AlertRecord>(json) {
                if db.alerts().create(&a).is_ok() {
                    assert_eq!(db.alerts().get(&a.alert_id).unwrap(), Some(a.clone()));
                    let _ = db.alerts().acknowledge(&a.alert_id, "fuzz", 1);
                    let _ = db.alerts().resolve(&a.alert_id, 2);
                    assert_eq!(db.alerts().query_range(.., None).unwrap().len(), 1);
                }
            }
        }
        3 => {
            if let Some(d) = decode::<DeviceState>(json) {
                if db.devices().upsert(&d).is_ok() {
                    let got = db.devices().get_device(&d.device_id).unwrap().expect("upserted device exists");
                    assert_eq!((got.device_type, got.online, got.last_seen), (d.device_type.clone(), d.online, d.last_seen));
                    let _ = db.devices().list_by_type(&d.device_type);
                }
            }
        }
        4 => {
            if let Some(points) = decode::<Vec<TelemetryPoint>>(json) {
                if db.timeseries().write_batch(&points).is_ok() {
                    for p in &points {
                        let got = db
                            .timeseries()
                            .query_range(&p.device_id, &p.metric, p.point.timestamp..=p.point.timestamp)
                            .unwrap();
                        assert_eq!(got.len(), 1, "every timestamp, i64::MAX included, reads back: {p:?}");
                    }
                }
            }
        }
        5 => {
            if let Some(m) = decode::<SessionMessage>(json) {
                db.sessions().create_session("s", "fuzz", 0).unwrap();
                if db.sessions().append_message("s", &m).is_ok() {
                    assert_eq!(db.sessions().load_messages("s").unwrap().len(), 1);
                    let _ = db.sessions().context_window("s", 1000);
                }
            }
        }
        6 => {
            if let Some(d) = decode::<DecisionRecord>(json) {
                if db.decisions().create(&d).is_ok() {
                    assert!(db.decisions().get(&d.decision_id).unwrap().is_some());
                }
            }
        }
        7 => {
            if let Some(r) = decode::<RuleExecutionRecord>(json) {
                if db.rule_history().record(&r).is_ok() {
                    assert!(db.rule_history().get(&r.execution_id).unwrap().is_some());
                }
            }
        }
        8 => {
            if let Some(w) = decode::<WorkflowExecutionRecord>(json) {
                if db.workflow_history().start(&w).is_ok() {
                    assert!(db.workflow_history().get(&w.execution_id).unwrap().is_some());
                }
            }
        }
        _ => {
            if let Some(m) = decode::<MemoryEntry>(json) {
                let _ = db.memory().add(&m);
            }
        }
    }
    db.close().unwrap();
}
