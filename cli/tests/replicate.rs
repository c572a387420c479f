//! `neotalk-storage replicate` into a real PostgreSQL server: after `demo`, the demo's
//! 61,200 points arrive; a replicator SIGKILLed in the middle of its batches 20 times, with
//! writes between the kills, still leaves every point in PostgreSQL exactly once.

#[path = "../../replicate/tests/support/pg.rs"]
mod pg;
use neotalk_storage::{StorageManager, TelemetryPoint};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn cli(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_neotalk-storage"));
    c.arg("--dir").arg(dir).args(args);
    c
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Per series: point count and first / last timestamps, on the gateway.
fn source(dir: &Path) -> BTreeMap<(String, String), (i64, i64, i64)> {
    let db = StorageManager::open(dir).unwrap();
    let mut out = BTreeMap::new();
    for d in db.timeseries().list_devices_with_data().unwrap() {
        for m in db.timeseries().list_metrics(&d).unwrap() {
            let p = db.timeseries().query_range(&d, &m, ..).unwrap();
            out.insert((d.clone(), m), (p.len() as i64, p[0].timestamp, p[p.len() - 1].timestamp));
        }
    }
    db.close().unwrap();
    out
}

fn sink(c: &mut postgres::Client) -> BTreeMap<(String, String), (i64, i64, i64)> {
    let rows = c.query("SELECT device_id, metric, count(*), min(ts_ms), max(ts_ms) FROM nts_telemetry GROUP BY 1, 2", &[]).unwrap();
    rows.iter().map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3), r.get(4)))).collect()
}

#[test]
fn demo_then_replicate_killed_twenty_times() {
    let pg = pg::PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    ok(cli(dir.path(), &["demo"]).output().unwrap());
    let url = pg.url();
    let report = ok(cli(dir.path(), &["--format", "json", "replicate", "--to", &url, "--gateway-id", "gw-1", "--once"]).output().unwrap());
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["points"], 61_200, "{report}");
    let mut c = pg.client();
    assert_eq!(sink(&mut c), source(dir.path()));

    for round in 0..20i64 {
        // New points for the next run, some late ones among them: 300 s back reaches into
        // the previous round's points, which were delivered already. (Each is a span of its
        // own in the feed, which cuts a commit's points where they are more than a minute
        // apart, so a batch does not carry the delivered points between it and the fresh ones.)
        let db = StorageManager::open(dir.path()).unwrap();
        let points: Vec<TelemetryPoint> = (0..20_000i64)
            .map(|i| {
                TelemetryPoint::new(&format!("kill-{}", i % 4), "v", (round * 20_000 + i) * 10 - (i % 997 == 0) as i64 * 300_000, i as f64)
            })
            .collect();
        db.timeseries().write_batch(&points).unwrap();
        db.close().unwrap();
        let mut child = cli(dir.path(), &["replicate", "--to", &url, "--gateway-id", "gw-1", "--follow", "--poll", "10ms"])
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(fastrand::u64(20..400)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    ok(cli(dir.path(), &["replicate", "--to", &url, "--gateway-id", "gw-1", "--once"]).output().unwrap());
    assert_eq!(sink(&mut c), source(dir.path()), "no point missing, none duplicated");
    let stats = ok(cli(dir.path(), &["stats"]).output().unwrap());
    assert!(stats.contains("replication sink") && stats.contains("postgres:127.0.0.1:"), "{stats}");
}

#[test]
fn backlog_options_and_unregister() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    ok(cli(dir.path(), &["demo", "--devices", "2", "--minutes", "2"]).output().unwrap());
    let target = format!("parquet:{}", out.path().display());
    let run = |extra: &[&str]| {
        let mut args = vec!["--format", "json", "replicate", "--to", &target, "--gateway-id", "gw-1"];
        args.extend_from_slice(extra);
        ok(cli(dir.path(), &args).output().unwrap())
    };
    let first: serde_json::Value = serde_json::from_str(&run(&["--max-lag", "forever", "--max-backlog-bytes", "0"])).unwrap();
    assert!(first["points"].as_u64().unwrap() > 0, "{first}");
    let stats: serde_json::Value = serde_json::from_str(&ok(cli(dir.path(), &["--format", "json", "stats"]).output().unwrap())).unwrap();
    let sink = &stats["replication"][0];
    assert_eq!((sink["options"]["max_lag"].as_str(), sink["options"]["max_backlog_bytes"].as_u64()), (Some("forever"), Some(0)), "{sink}");
    // A later run without the flags keeps them.
    run(&[]);
    let stats = ok(cli(dir.path(), &["--format", "json", "stats"]).output().unwrap());
    assert!(stats.contains("\"max_lag\":\"forever\""), "{stats}");
    let bad = cli(dir.path(), &["replicate", "--to", &target, "--max-lag", "soon"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "a bad duration is bad usage");
    let gone = ok(cli(dir.path(), &["replicate", "--to", &target, "--unregister"]).output().unwrap());
    assert!(gone.contains("unregistered"), "{gone}");
    let again = ok(cli(dir.path(), &["replicate", "--to", &target, "--unregister"]).output().unwrap());
    assert!(again.contains("was not registered"), "{again}");
    let stats = ok(cli(dir.path(), &["stats"]).output().unwrap());
    assert!(!stats.contains("replication sink"), "{stats}");
}
