//! The native side of the cross-build snapshot test (`tests/snapshot.test.mjs`):
//!
//! - `native_snapshot export FILE` writes the shared dataset (the same records
//!   `tests/snapshot_dataset.mjs` writes through the wasm API) in a native in-memory
//!   database and saves its `export_snapshot()` to FILE;
//! - `native_snapshot summary FILE` imports FILE (e.g. one exported by wasm) into a fresh
//!   native database and prints the summary the Node test compares with the wasm side's.
//!
//! `cargo run -p neotalk-storage-wasm --example native_snapshot -- export tests/fixtures/native.ntbk`

use neotalk_storage::{
    AlertRecord, AlertSeverity, DataPoint, EventMetadata, ExecutionResult, NewEvent, RuleExecutionRecord, StorageManager,
};
use serde_json::{json, Value};
use std::process::ExitCode;

const T0: i64 = 1_700_000_000_000;

/// The dataset of `tests/snapshot_dataset.mjs`, record for record.
fn write_dataset(db: &StorageManager) -> neotalk_storage::Result<()> {
    let ts = db.timeseries();
    for i in 0..50i64 {
        ts.write("thermo-1", "temperature", DataPoint::new(T0 + i * 1000, 20.0 + i as f64 * 0.25))?;
        ts.write("plug-1", "power", DataPoint::new(T0 + i * 1000, 100.0 + i as f64))?;
    }
    for i in 0..5i64 {
        let mut e = NewEvent::new(&format!("ev-{i}"), "device.online", "sim", T0 + i, json!({ "n": i }));
        e.metadata = EventMetadata { correlation_id: Some("chain-1".into()), causation_id: None, source: "sim".into(), timestamp: T0 + i };
        db.events().append(&e)?;
    }
    let alerts = db.alerts();
    alerts.create(&AlertRecord::new("alert-1", "Hot", AlertSeverity::Warning, "31 C", "rule", T0).for_entity("thermo-1", "device"))?;
    alerts.create(&AlertRecord::new("alert-2", "Overload", AlertSeverity::Critical, "1700 W", "rule", T0 + 1))?;
    alerts.acknowledge("alert-1", "operator", T0 + 10)?;
    let rules = db.rule_history();
    let mut run = RuleExecutionRecord::new("exec-1", "temp-high", "Temperature high", T0, ExecutionResult::Success);
    run.trigger_value = Some(31.0);
    rules.record(&run)?;
    rules.record(&RuleExecutionRecord::new(
        "exec-2",
        "temp-high",
        "Temperature high",
        T0 + 5,
        ExecutionResult::Failed { error: "no actuator".into() },
    ))?;
    db.flush()
}

/// What the Node test compares: table counts, some records of every store written. `meta`
/// is left out: its bookkeeping (last write time per table) is native-only.
fn summary(db: &StorageManager) -> neotalk_storage::Result<Value> {
    let tables: serde_json::Map<String, Value> =
        db.table_sizes()?.into_iter().filter(|t| t.entries > 0 && t.name != "meta").map(|t| (t.name, json!(t.entries))).collect();
    let temps: Vec<f64> = db
        .timeseries()
        .query_range("thermo-1", "temperature", i64::MIN..i64::MAX)?
        .iter()
        .map(|p| p.value.as_f64().unwrap_or(f64::NAN))
        .collect();
    let alerts: Vec<Value> = db.alerts().query_range(.., None)?.into_iter().map(|a| json!([a.alert_id, a.acknowledged])).collect();
    let stats = db.rule_history().rule_statistics("temp-high", ..)?;
    let mut devices: Vec<String> = db.devices().list_devices()?.into_iter().map(|d| d.device_id).collect();
    devices.sort();
    Ok(json!({
        "tables": tables,
        "temperatures": temps,
        "alerts": alerts,
        "rule_runs": [stats.triggers, stats.success, stats.failed],
        "last_sequence": db.events().last_sequence()?,
        "devices": devices,
    }))
}

fn run(args: &[String]) -> Result<(), String> {
    let db = StorageManager::in_memory().map_err(|e| e.to_string())?;
    match args {
        [cmd, file] if cmd == "export" => {
            write_dataset(&db).map_err(|e| e.to_string())?;
            std::fs::write(file, db.export_snapshot().map_err(|e| e.to_string())?).map_err(|e| format!("{file}: {e}"))
        }
        [cmd, file] if cmd == "summary" => {
            let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
            db.import_snapshot(&bytes).map_err(|e| format!("{}: {e}", e.code()))?;
            println!("{}", summary(&db).map_err(|e| e.to_string())?);
            Ok(())
        }
        _ => Err("usage: native_snapshot export FILE | native_snapshot summary FILE".into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
