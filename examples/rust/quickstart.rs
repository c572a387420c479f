//! Quick start: open a store, register a device, write telemetry, query it, follow events.
//! Run with `cargo run -p neotalk-storage --example quickstart`.

use neotalk_storage::{DataPoint, DeviceState, NewEvent, RangeOptions, StorageManager, TelemetryPoint};

fn main() -> neotalk_storage::Result<()> {
    let dir = std::env::temp_dir().join(format!("neotalk-quickstart-{}", std::process::id()));
    let db = StorageManager::open(&dir)?;

    db.devices().upsert(&DeviceState::new("thermo-1", "thermometer"))?;

    // Many points of many series in one transaction.
    let batch: Vec<TelemetryPoint> = (0..60)
        .flat_map(|s| {
            [
                TelemetryPoint::new("thermo-1", "temperature", s * 1_000, 21.0 + s as f64 / 100.0),
                TelemetryPoint::new("thermo-1", "humidity", s * 1_000, 40i64 + s % 3),
            ]
        })
        .collect();
    db.timeseries().write_batch(&batch)?;

    // Single points go through the group-commit buffer; reads see them at once.
    db.timeseries().write("thermo-1", "temperature", DataPoint::new(60_000, 22.0))?;

    let last3 =
        db.timeseries().query_range_with("thermo-1", "temperature", 0..61_000, RangeOptions { limit: Some(3), newest_first: true })?;
    println!("newest temperatures: {:?}", last3.iter().map(|p| (p.timestamp, p.value.clone())).collect::<Vec<_>>());

    let per_20s = db.timeseries().query_aggregated("thermo-1", "temperature", 0..61_000, 20_000)?;
    for b in &per_20s {
        println!("bucket {:>6}: count {:>2} avg {:.3}", b.bucket_start, b.count, b.avg.unwrap_or(f64::NAN));
    }

    let device = db.devices().get_device("thermo-1")?.expect("registered above");
    println!("thermo-1 last seen at {} with {} metrics", device.last_seen, device.metrics.len());

    db.events().append(&NewEvent::new("evt-1", "device.online", "mqtt", 0, serde_json::json!({"device_id": "thermo-1"})))?;
    for e in db.events().replay(0, 10)? {
        println!("event #{} {} from {}", e.sequence, e.event_type, e.metadata.source);
    }

    db.close()?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
