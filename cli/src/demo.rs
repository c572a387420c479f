//! The demo gateway: devices reporting telemetry, some going offline, events with causal chains.

use crate::output::show_value;
use crate::time::{number, show as show_time, TimeStyle};
use neotalk_storage::{
    AlertRecord, AlertSeverity, DeviceState, ExecutionResult, NewEvent, RangeOptions, RuleExecutionRecord, StorageManager, TelemetryPoint,
};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// Small deterministic generator (xorshift), so every demo run tells the same story.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A metric a simulated device reports: name, starting value, random-walk step.
type SimMetric = (&'static str, f64, f64);

const KINDS: [(&str, &[SimMetric]); 2] =
    [("thermometer", &[("temperature", 22.0, 0.05), ("humidity", 45.0, 0.1)]), ("power_meter", &[("power", 350.0, 4.0)])];
const HIGH_TEMPERATURE: f64 = 22.6;
/// Simulated seconds per committed batch (a gateway commits telemetry in groups).
const BATCH_SECONDS: i64 = 30;

/// Simulates `devices` devices for `minutes` into `dir`, then prints what was stored, with
/// times in `style`.
pub fn run(dir: &Path, devices: usize, minutes: i64, style: TimeStyle) -> Result<(), Box<dyn std::error::Error>> {
    if devices == 0 || minutes <= 0 {
        return Err("--devices and --minutes must be positive".into());
    }
    let db = StorageManager::open(dir)?;
    let run_id = neotalk_storage::unix_ms();
    let start = run_id - minutes * 60_000;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();

    let mut fleet = Vec::new();
    for i in 0..devices {
        let (kind, metrics) = KINDS[i % KINDS.len()];
        let mut d = DeviceState::new(format!("{kind}-{i:02}"), kind);
        d.name = format!("{} {i}", kind.replace('_', " "));
        d.adapter = if i % 3 == 0 { "modbus".into() } else { "mqtt".into() };
        d.config = json!({"sample_interval_s": 1});
        db.devices().upsert(&d)?;
        let values: Vec<f64> = metrics.iter().map(|m| m.1).collect();
        fleet.push((d.device_id, metrics, values));
    }

    let mut points = 0usize;
    let mut alerts = 0usize;
    let offline_at = minutes * 60 * 2 / 3;
    let mut batch = Vec::new();
    for second in 0..minutes * 60 {
        let ts = start + second * 1000;
        for (n, (id, metrics, values)) in fleet.iter_mut().enumerate() {
            // Every fifth device drops off the network two thirds of the way through.
            if n % 5 == 4 && second >= offline_at {
                continue;
            }
            for (m, (metric, _, step)) in metrics.iter().enumerate() {
                values[m] += (rng.next_f64() - 0.5) * step;
                batch.push(TelemetryPoint::new(id, metric, ts, (values[m] * 100.0).round() / 100.0));
                if *metric == "temperature" && values[m] > HIGH_TEMPERATURE {
                    values[m] -= 1.0;
                    alerts += 1;
                    raise_alert(&db, run_id, alerts, id, ts, values[m] + 1.0)?;
                }
            }
        }
        if second % BATCH_SECONDS == BATCH_SECONDS - 1 || second == offline_at {
            points += batch.len();
            db.timeseries().write_batch(&batch)?;
            batch.clear();
        }
        if second == offline_at {
            for (n, (id, _, _)) in fleet.iter().enumerate() {
                if n % 5 == 4 {
                    db.devices().set_online(id, false)?;
                    let e = NewEvent::new(&format!("{run_id}-offline-{id}"), "device.offline", "gateway", ts, json!({"device_id": id}));
                    db.events().append(&e)?;
                }
            }
        }
    }
    points += batch.len();
    db.timeseries().write_batch(&batch)?;
    db.flush()?;
    let elapsed = started.elapsed();

    println!("neotalk-storage demo: {devices} devices, {minutes} simulated minutes -> {}", dir.display());
    println!(
        "stored {points} telemetry points and {alerts} alert chains in {:.2} s ({:.0} points/s)\n",
        elapsed.as_secs_f64(),
        points as f64 / elapsed.as_secs_f64()
    );

    println!("{:<18} {:<12} {:<8} {:<7} latest values", "device", "type", "adapter", "online");
    for d in db.devices().list_devices()? {
        let mut latest: Vec<String> = d.metrics.iter().map(|(m, s)| format!("{m}={}", show_value(&s.value))).collect();
        latest.sort();
        println!("{:<18} {:<12} {:<8} {:<7} {}", d.device_id, d.device_type, d.adapter, d.online, latest.join(" "));
    }

    let probe = &fleet[0].0;
    let end = start + minutes * 60_000;
    println!("\nlast 5 temperature readings of {probe}:");
    for p in db.timeseries().query_range_with(probe, "temperature", start..end, RangeOptions { limit: Some(5), newest_first: true })? {
        println!("  {}  {}", show_time(p.timestamp, style), show_value(&p.value));
    }
    println!("\n10-minute buckets of {probe}/temperature:");
    println!("  {:<24} {:>6} {:>8} {:>8} {:>8}", "bucket start", "count", "min", "avg", "max");
    for b in db.timeseries().query_aggregated(probe, "temperature", start..end, 600_000)? {
        let n = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| number((v * 100.0).round() / 100.0));
        println!("  {:<24} {:>6} {:>8} {:>8} {:>8}", show_time(b.bucket_start, style), b.count, n(b.min), n(b.avg), n(b.max));
    }
    let offline: Vec<String> = db.devices().list_offline()?.into_iter().map(|d| d.device_id).collect();
    println!("\noffline devices: {}", if offline.is_empty() { "none".to_string() } else { offline.join(", ") });
    if alerts > 0 {
        println!("\nfirst alert chain (correlation {run_id}-chain-1):");
        for e in db.events().query_by_correlation(&format!("{run_id}-chain-1"))? {
            let cause =
                e.metadata.causation_id.as_deref().map_or_else(|| "nothing (first of the chain)".to_string(), |c| format!("event {c}"));
            println!("  #{:<6} {:<18} caused by {cause}", e.sequence, e.event_type);
        }
    }
    let open_alerts = db.alerts().unresolved(None)?;
    println!("\nunresolved alerts: {}", open_alerts.len());
    for a in open_alerts.iter().take(3) {
        println!("  {}  {:<8} {}", show_time(a.created_at, style), a.severity, a.message);
    }
    println!("\nevent log: {} events in total, last sequence {}", db.events().replay(0, None)?.len(), db.events().last_sequence()?);
    println!(
        "\ntry: neotalk-storage --dir {} query aggregated --device {probe} --metric temperature --last 1h --bucket 10m",
        dir.display()
    );
    db.close()?;
    Ok(())
}

/// One threshold crossing: a rule execution, an alert, and a chain of three events sharing a
/// correlation id.
fn raise_alert(db: &StorageManager, run_id: i64, n: usize, device: &str, ts: i64, value: f64) -> neotalk_storage::Result<()> {
    let chain = format!("{run_id}-chain-{n}");
    let id = |step: &str| format!("{run_id}-{n}-{step}");
    let mut execution = RuleExecutionRecord::new(&id("exec"), "high_temperature", "High temperature", ts, ExecutionResult::Success);
    execution.trigger_value = Some(value);
    execution.condition_met = true;
    db.rule_history().record(&execution)?;
    let alert =
        AlertRecord::new(&id("alert"), "High temperature", AlertSeverity::Warning, &format!("{device} reported {value:.2} °C"), "rule", ts)
            .for_entity(device, "device");
    db.alerts().create(&alert)?;
    db.events().append_batch(&[
        NewEvent::new(
            &id("rule"),
            "rule.triggered",
            "rule_engine",
            ts,
            json!({"rule": "high_temperature", "device_id": device, "value": value}),
        )
        .caused_by(&chain, None),
        NewEvent::new(&id("alert"), "alert.raised", "rule_engine", ts, json!({"severity": "warning", "device_id": device}))
            .caused_by(&chain, Some(&id("rule"))),
        NewEvent::new(&id("notify"), "notification.sent", "notifier", ts + 5, json!({"channel": "llm"}))
            .caused_by(&chain, Some(&id("alert"))),
    ])?;
    Ok(())
}
