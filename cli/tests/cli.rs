//! Runs the `neotalk-storage` binary as a user would.

use std::path::Path;
use std::process::{Command, Output};

fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_neotalk-storage")).arg("--dir").arg(dir).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A data directory after a short demo: 5 devices, 3 minutes.
fn demo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout(&cli(dir.path(), &["demo", "--devices", "5", "--minutes", "3"]));
    // 3 thermometers x 2 metrics + 2 power meters, 180 s, minus device 4 for its last 60 s.
    assert!(text.contains("stored 1320 telemetry points"), "{text}");
    assert!(text.contains("offline devices: thermometer-04\n"), "{text}");
    for debug in ["Some(", "None", "[\"", "caused by \""] {
        assert!(!text.contains(debug), "no Rust debug text ({debug}) in: {text}");
    }
    dir
}

#[test]
fn stats_queries_export_and_compact() {
    let dir = demo_dir();
    let text = stdout(&cli(dir.path(), &["stats"]));
    let chunks = text.lines().find(|l| l.starts_with("ts_chunks")).expect("ts_chunks row");
    // Written in small batches: each series is a compressed chunk and a raw head of at most
    // 64 points.
    assert_eq!(chunks.split_whitespace().nth(1), Some("16"), "8 series, two chunks each: {text}");

    let last_write = chunks.split_whitespace().nth(3).unwrap();
    assert!(last_write.starts_with("20") && last_write.ends_with('Z'), "ISO 8601 UTC by default: {text}");

    let json = stdout(&cli(dir.path(), &["--format", "json", "stats"]));
    let stats: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(stats["table_stats"]["devices"]["count"], 5);

    let lines = stdout(&cli(dir.path(), &["--format", "json", "query", "range", "--device", "thermometer-00", "--metric", "temperature"]));
    assert_eq!(lines.lines().count(), 180);
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert!(first["value"].is_f64() && first["timestamp"].is_i64(), "{first}");

    let limited = stdout(&cli(
        dir.path(),
        &["query", "range", "--device", "thermometer-00", "--metric", "temperature", "--limit", "3", "--newest-first"],
    ));
    assert_eq!(limited.lines().count(), 4, "header + 3 rows: {limited}");
    let row = limited.lines().nth(1).unwrap();
    assert!(row.starts_with("20") && row.split_whitespace().next().unwrap().ends_with('Z'), "{limited}");
    let ms = stdout(&cli(
        dir.path(),
        &["--time", "ms", "query", "range", "--device", "thermometer-00", "--metric", "temperature", "--limit", "1"],
    ));
    assert!(ms.lines().nth(1).unwrap().split_whitespace().next().unwrap().parse::<i64>().is_ok(), "{ms}");
    let local = stdout(&cli(
        dir.path(),
        &["--time", "local", "query", "range", "--device", "thermometer-00", "--metric", "temperature", "--limit", "1"],
    ));
    assert!(local.lines().nth(1).unwrap().contains(['+', '-']), "an offset: {local}");

    // Relative and ISO 8601 time arguments: the demo wrote the last 3 minutes.
    let range = |args: &[&str]| {
        let mut all = vec!["--format", "json", "query", "range", "--device", "thermometer-00", "--metric", "temperature"];
        all.extend_from_slice(args);
        stdout(&cli(dir.path(), &all)).lines().count()
    };
    assert_eq!(range(&["--since", "10m"]), 180);
    assert_eq!(range(&["--since", "2000-01-01"]), 180);
    assert_eq!(range(&["--start", "2000-01-01T00:00:00Z", "--end", "2000-01-02"]), 0);
    let last_minute = range(&["--last", "1m"]);
    assert!((55..=61).contains(&last_minute), "{last_minute}");

    let latest = stdout(&cli(dir.path(), &["query", "latest", "--device", "power_meter-01", "--metric", "power"]));
    assert_eq!(latest.lines().count(), 2, "{latest}");

    let agg = stdout(&cli(
        dir.path(),
        &["--format", "json", "query", "aggregated", "--device", "thermometer-00", "--metric", "temperature", "--bucket-ms", "60000"],
    ));
    let counts: u64 = agg.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["count"].as_u64().unwrap()).sum();
    assert_eq!(counts, 180);
    let first: serde_json::Value = serde_json::from_str(agg.lines().next().unwrap()).unwrap();
    assert!(first["bucket_start"].is_i64() && first["avg"].is_f64(), "JSON keeps epoch ms and full precision: {first}");
    let table =
        stdout(&cli(dir.path(), &["query", "aggregated", "--device", "thermometer-00", "--metric", "temperature", "--bucket", "1m"]));
    for row in table.lines().skip(1) {
        let avg = row.split_whitespace().nth(3).unwrap();
        assert!(avg.len() <= 8 && avg.parse::<f64>().is_ok(), "six significant digits: {table}");
    }

    let events = stdout(&cli(dir.path(), &["--format", "json", "query", "events", "--type", "device.offline"]));
    assert_eq!(events.lines().count(), 1, "{events}");

    stdout(&cli(dir.path(), &["query", "alerts", "--severity", "warning"]));

    let csv = stdout(&cli(dir.path(), &["export"]));
    assert_eq!(csv.lines().count(), 1 + 1320);
    assert_eq!(csv.lines().next(), Some("device_id,metric,timestamp,value,quality"));
    let out = dir.path().join("power.jsonl");
    let done = cli(dir.path(), &["export", "--device", "power_meter-01", "--as", "jsonl", "--out", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&done.stderr).contains("exported 180 points"), "{}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 180);

    let compact = stdout(&cli(dir.path(), &["compact"]));
    assert!(compact.starts_with("compacted "), "{compact}");
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let out = cli(&missing, &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database in"));
    assert!(!missing.exists(), "operator commands never create a database");

    let out = cli(dir.path(), &["demo", "--devices", "0"]);
    assert_eq!(out.status.code(), Some(1));

    let dir = demo_dir();
    let out = cli(dir.path(), &["query", "range", "--device", "thermometer-00", "--metric", "temperature", "--start", "10", "--end", "5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("start 10 is after end 5"));
    let out = cli(dir.path(), &["query", "aggregated", "--device", "d", "--metric", "m", "--bucket-ms", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bucket_ms"));
    let out = cli(dir.path(), &["query", "alerts", "--severity", "fatal"]);
    assert_eq!(out.status.code(), Some(2), "clap rejects a bad severity as usage");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not one of"));
    let out = cli(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = cli(dir.path(), &["query", "events", "--start", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"yesterday\" is not a time"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli(dir.path(), &["query", "events", "--last", "0s"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("positive"));

    // A second process cannot open a directory in use.
    let _held = neotalk_storage::StorageManager::open(dir.path()).unwrap();
    let out = cli(dir.path(), &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn backup_verify_restore_cleanup_and_config_check() {
    let dir = demo_dir();
    let full = stdout(&cli(dir.path(), &["backup"]));
    assert!(full.starts_with("full backup "), "{full}");
    let incr = stdout(&cli(dir.path(), &["backup", "--incremental"]));
    assert!(incr.starts_with("incremental backup "), "{incr}");
    let list = stdout(&cli(dir.path(), &["--format", "json", "backups"]));
    assert_eq!(list.lines().count(), 2, "{list}");
    let ok = stdout(&cli(dir.path(), &["verify"]));
    assert!(ok.contains("is intact"), "{ok}");

    // Remove data, then restore the newest backup (the incremental on its full base).
    let cleaned = stdout(&cli(dir.path(), &["--format", "json", "cleanup", "--now", "9000000000000"]));
    assert!(cleaned.contains("[\"timeseries\",\"1320\"]"), "{cleaned}");
    let after_cleanup = stdout(&cli(dir.path(), &["--format", "json", "stats"]));
    let stats: serde_json::Value = serde_json::from_str(after_cleanup.trim()).unwrap();
    assert_eq!(stats["table_stats"]["ts_chunks"]["count"], 0);
    let chunk_count = || {
        let stats: serde_json::Value = serde_json::from_str(stdout(&cli(dir.path(), &["--format", "json", "stats"])).trim()).unwrap();
        stats["table_stats"]["ts_chunks"]["count"].as_u64().unwrap()
    };
    let restored = stdout(&cli(dir.path(), &["restore"]));
    let safety = restored.lines().next().unwrap().strip_prefix("safety backup ").expect(&restored).split(' ').next().unwrap().to_string();
    assert!(safety.ends_with("Z-pre-restore"), "{restored}");
    assert!(restored.lines().nth(1).unwrap().starts_with("restored "), "{restored}");
    assert_eq!(chunk_count(), 16);
    let csv = stdout(&cli(dir.path(), &["export"]));
    assert_eq!(csv.lines().count(), 1 + 1320, "every point is back");

    // `backups` marks the safety copy; restoring it undoes the restore.
    let list = stdout(&cli(dir.path(), &["--format", "json", "backups"]));
    let rows: Vec<serde_json::Value> = list.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.iter().map(|r| r["safety_copy"].as_bool().unwrap()).collect::<Vec<_>>(), [false, false, true], "{list}");
    assert!(stdout(&cli(dir.path(), &["backups"])).contains("yes (pre-restore)"));
    let undo = stdout(&cli(dir.path(), &["restore", &safety, "--no-safety-backup"]));
    assert!(undo.starts_with(&format!("restored {safety}")), "no new safety copy: {undo}");
    assert_eq!(chunk_count(), 0, "back to the cleaned data");
    assert_eq!(stdout(&cli(dir.path(), &["--format", "json", "backups"])).lines().count(), 3);
    // "The newest" is still the incremental, not the safety copy.
    assert!(stdout(&cli(dir.path(), &["restore", "--no-safety-backup"])).contains("-incremental"));
    assert_eq!(chunk_count(), 16);

    // A damaged backup: verify exits 3, restore refuses and leaves the data.
    let backups = dir.path().join("backups");
    let newest = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_str().unwrap().contains("pre-restore"))
        .max()
        .unwrap();
    let mut bytes = std::fs::read(&newest).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&newest, bytes).unwrap();
    let bad = cli(dir.path(), &["verify"]);
    assert_eq!(bad.status.code(), Some(3), "{}", String::from_utf8_lossy(&bad.stderr));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is damaged"));
    let refused = cli(dir.path(), &["restore"]);
    assert_eq!(refused.status.code(), Some(1));
    let bad_id = cli(dir.path(), &["restore", "../etc/passwd"]);
    assert_eq!(bad_id.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_id.stderr).contains("invalid"), "{}", String::from_utf8_lossy(&bad_id.stderr));

    // Config check: valid by default, then a bad value named by file, line and field.
    assert!(stdout(&cli(dir.path(), &["config", "check"])).contains("is valid"));
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("retention.yaml"), "retention:\n  timeseries:\n    default_days: 0\n").unwrap();
    let out = cli(dir.path(), &["config", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("retention.yaml:3") && err.contains("default_days"), "{err}");
}

#[test]
fn demo_prints_readable_times_and_causes() {
    let dir = tempfile::tempdir().unwrap();
    // Long enough for the temperature to cross the alert threshold.
    let text = stdout(&cli(dir.path(), &["demo", "--devices", "12", "--minutes", "60"]));
    assert!(text.contains("first alert chain"), "{text}");
    assert!(text.contains("caused by nothing (first of the chain)") && text.contains("caused by event "), "{text}");
    let bucket = text.lines().skip_while(|l| !l.contains("10-minute buckets")).nth(2).unwrap();
    assert!(bucket.trim_start().starts_with("20") && bucket.contains("Z "), "{text}");
    for debug in ["Some(", "None", "[\"", "?}"] {
        assert!(!text.contains(debug), "no Rust debug text ({debug}) in: {text}");
    }
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&cli(dir.path(), &["completions", shell]));
        assert!(script.contains("neotalk-storage") && script.contains("restore"), "{shell}: {script}");
    }
    assert_eq!(cli(dir.path(), &["completions", "tcsh"]).status.code(), Some(2));
    let man = stdout(&cli(dir.path(), &["man"]));
    assert!(man.starts_with(".ie") || man.contains(".TH neotalk-storage"), "{man}");
    assert!(!dir.path().join("storage.redb").exists(), "no database is created");
}

#[test]
fn export_then_import_into_an_empty_directory_gives_the_same_data() {
    let dir = demo_dir();
    for (format, file) in [("csv", "all.csv"), ("jsonl", "all.jsonl")] {
        let out = dir.path().join(file);
        stdout(&cli(dir.path(), &["export", "--as", format, "--out", out.to_str().unwrap()]));
        let copy = tempfile::tempdir().unwrap();
        let target = copy.path().join("fresh");
        let text = stdout(&cli(&target, &["import", out.to_str().unwrap()]));
        assert_eq!(text.trim(), format!("imported 1320 points into 8 series from {}", out.display()));
        for as_format in ["csv", "jsonl"] {
            let before = stdout(&cli(dir.path(), &["export", "--as", as_format]));
            assert_eq!(stdout(&cli(&target, &["export", "--as", as_format])), before, "{format} -> {as_format}");
        }
    }
}

#[test]
fn import_keeps_types_reads_wide_csv_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typed.csv");
    std::fs::write(
        &file,
        "timestamp,device_id,metric,value,quality\n\
         1000,d,f,21.5,0.5\n\
         2026-12-05T10:00:00Z,d,i,3,\n\
         3000,d,b,true,\n\
         4000,d,s,\"\"\"on\"\"\",\n\
         5000,d,s,off,\n\
         soon,d,f,1,\n\
         6000,d,,1,\n\
         7000,d,f,NaN,\n\
         8000,d,f,1,high\n\
         9000,d,img,\"{\"\"base64\"\": \"\"AAEC\"\"}\",\n",
    )
    .unwrap();
    let out = cli(dir.path(), &["import", file.to_str().unwrap()]);
    let (text, err) = (stdout(&out), String::from_utf8_lossy(&out.stderr).to_string());
    assert!(text.contains("imported 6 points into 5 series"), "{text}");
    assert!(err.contains("rejected 4 rows:"), "{err}");
    for expected in [
        "line 7: \"soon\" is not a time",
        "line 8: invalid metric: must not be empty",
        "line 9: value NaN is not a finite number",
        "line 10: quality \"high\" is not a number",
    ] {
        assert!(err.contains(expected), "{expected} in {err}");
    }
    let rows = stdout(&cli(dir.path(), &["--format", "json", "query", "range", "--device", "d", "--metric", "s"]));
    let values: Vec<serde_json::Value> =
        rows.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["value"].clone()).collect();
    assert_eq!(values, [serde_json::json!("on"), serde_json::json!("off")]);
    let int = stdout(&cli(dir.path(), &["--format", "json", "query", "latest", "--device", "d", "--metric", "i"]));
    let int: serde_json::Value = serde_json::from_str(int.trim()).unwrap();
    assert_eq!((int["timestamp"].as_i64(), int["value"].is_i64()), (Some(1_796_464_800_000), true), "{int}");
    // Bytes: JSON output keeps them as base64, tables show their size.
    let img = stdout(&cli(dir.path(), &["--format", "json", "query", "latest", "--device", "d", "--metric", "img"]));
    assert_eq!(serde_json::from_str::<serde_json::Value>(img.trim()).unwrap()["value"], serde_json::json!({"base64": "AAEC"}));
    assert!(stdout(&cli(dir.path(), &["query", "latest", "--device", "d", "--metric", "img"])).contains("<3 bytes>"));

    // Wide CSV: one column per metric, an empty cell is no sample.
    let wide = dir.path().join("logger.csv");
    std::fs::write(&wide, "time,temperature,humidity\n2026-12-05T10:00:00Z,21.5,40\n2026-12-05T10:00:01Z,,41\n").unwrap();
    let text = stdout(&cli(dir.path(), &["import", wide.to_str().unwrap(), "--device", "logger", "--time-column", "time"]));
    assert!(text.contains("imported 3 points into 2 series"), "{text}");
    let missing = cli(dir.path(), &["import", wide.to_str().unwrap(), "--device", "logger"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no time column \"timestamp\""));

    // A dry run checks and counts, and writes nothing (not even a database).
    let empty = dir.path().join("empty");
    let text = stdout(&cli(&empty, &["import", file.to_str().unwrap(), "--dry-run"]));
    assert!(text.contains("dry run, nothing written: would import 6 points into 5 series"), "{text}");
    assert!(!empty.exists());

    let unknown = dir.path().join("data.txt");
    std::fs::write(&unknown, "x").unwrap();
    let out = cli(dir.path(), &["import", unknown.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --as csv|jsonl|wide"));
    let out = cli(dir.path(), &["import", dir.path().join("nope.csv").to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
    let no_columns = dir.path().join("no_columns.csv");
    std::fs::write(&no_columns, "a,b\n1,2\n").unwrap();
    let out = cli(dir.path(), &["import", no_columns.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no \"device_id\" column"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn check_reports_a_damaged_chunk_and_exits_3() {
    let dir = demo_dir();
    let clean = cli(dir.path(), &["check"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&clean.stdout).starts_with("database is intact: "));
    {
        // One damaged byte in the middle of a stored telemetry chunk.
        use redb::ReadableTable;
        let db = redb::Database::open(dir.path().join("storage.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new("ts_chunks")).unwrap();
            let (k, mut v) = t.first().unwrap().map(|(k, v)| (k.value().to_vec(), v.value().to_vec())).unwrap();
            let mid = v.len() / 2;
            v[mid] ^= 1;
            t.insert(k.as_slice(), v.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let damaged = cli(dir.path(), &["check"]);
    assert_eq!(damaged.status.code(), Some(3));
    let text = String::from_utf8_lossy(&damaged.stdout);
    assert!(text.starts_with("database is damaged: 1 of ") && text.contains("ts_chunks") && text.contains("checksum mismatch"), "{text}");
    let json = cli(dir.path(), &["--format", "json", "check"]);
    let report: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&json.stdout).trim()).unwrap();
    assert_eq!((report["ok"].as_bool(), report["damaged_count"].as_u64()), (Some(false), Some(1)));
    assert!(report["damaged"][0]["what"].as_str().unwrap().starts_with("telemetry "), "{report}");

    // Salvage copies the rest into a new directory, lists the skipped chunk and exits 3.
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("saved");
    let salvaged = cli(dir.path(), &["salvage", "--out", target.to_str().unwrap()]);
    assert_eq!(salvaged.status.code(), Some(3), "{}", String::from_utf8_lossy(&salvaged.stderr));
    let text = String::from_utf8_lossy(&salvaged.stdout);
    assert!(text.starts_with("copied ") && text.contains("skipped 1 damaged entries") && text.contains("ts_chunks"), "{text}");
    assert!(stdout(&cli(&target, &["check"])).starts_with("database is intact: "));
    let again = cli(dir.path(), &["salvage", "--out", target.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a database"));
    let json = cli(&target, &["--format", "json", "salvage", "--out", out.path().join("again").to_str().unwrap()]);
    assert_eq!(json.status.code(), Some(0), "the salvaged copy is sound");
    let report: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&json.stdout).trim()).unwrap();
    assert_eq!(report["damaged_count"], 0, "{report}");
}

#[test]
fn delete_telemetry_devices_and_alerts() {
    let dir = demo_dir();
    let text = stdout(&cli(dir.path(), &["delete", "telemetry", "--device", "thermometer-00", "--metric", "humidity"]));
    assert_eq!(text.trim(), "deleted 180 points of thermometer-00/humidity");
    let text = stdout(&cli(dir.path(), &["delete", "telemetry", "--metric", "humidity"]));
    assert_eq!(text.trim(), "deleted 300 points of metric humidity (every device)", "two more thermometers: 180 + 120");
    let text = stdout(&cli(dir.path(), &["delete", "telemetry", "--device", "thermometer-02"]));
    assert_eq!(text.trim(), "deleted 180 points of device thermometer-02 (every metric)", "its humidity is gone already");
    let text = stdout(&cli(dir.path(), &["delete", "device", "power_meter-01", "--with-telemetry"]));
    assert_eq!(text.trim(), "deleted device power_meter-01 and its 180 telemetry points");
    let text = stdout(&cli(dir.path(), &["delete", "device", "thermometer-02"]));
    assert!(text.contains("deleted device thermometer-02 (its telemetry stays"), "{text}");
    let text = stdout(&cli(dir.path(), &["delete", "alert", "no-such-alert"]));
    assert_eq!(text.trim(), "no alert no-such-alert: nothing deleted");
    let stats: serde_json::Value = serde_json::from_str(stdout(&cli(dir.path(), &["--format", "json", "stats"])).trim()).unwrap();
    assert_eq!(stats["table_stats"]["devices"]["count"], 3);

    let missing = cli(dir.path(), &["delete", "device", "power_meter-01"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("power_meter-01"));
    let usage = cli(dir.path(), &["delete", "telemetry"]);
    assert_eq!(usage.status.code(), Some(2), "--device or --metric is required");
}

#[test]
fn read_only_reads_and_refuses_writes() {
    let dir = demo_dir();
    let text = stdout(&cli(dir.path(), &["--read-only", "check"]));
    assert!(text.starts_with("database is intact: "), "{text}");
    let rows = stdout(&cli(
        dir.path(),
        &["--read-only", "--format", "json", "query", "range", "--device", "thermometer-00", "--metric", "temperature"],
    ));
    assert_eq!(rows.lines().count(), 180);
    let refused = cli(dir.path(), &["--read-only", "delete", "telemetry", "--device", "thermometer-00"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("read-only"), "{}", String::from_utf8_lossy(&refused.stderr));
    let refused = cli(dir.path(), &["--read-only", "demo"]);
    assert_eq!(refused.status.code(), Some(1));
    // Nothing was deleted.
    let rows = stdout(&cli(dir.path(), &["--format", "json", "query", "range", "--device", "thermometer-00", "--metric", "temperature"]));
    assert_eq!(rows.lines().count(), 180);
}

#[test]
fn rollup_tiers_come_from_retention_yaml_and_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("points.csv");
    std::fs::write(&file, "device_id,metric,timestamp,value,quality\nd,m,0,1.0,\nd,m,1800000,3.0,\nd,m,3600000,5.0,\n").unwrap();
    stdout(&cli(&data, &["import", file.to_str().unwrap()]));
    let aggregate = |data: &std::path::Path| {
        let out = cli(data, &["query", "aggregated", "--device", "d", "--metric", "m", "--bucket-ms", "3600000"]);
        (stdout(&out), String::from_utf8_lossy(&out.stderr).to_string())
    };
    assert!(aggregate(&data).1.contains("from the raw points"));
    // Tiers configured after the data came in: stale until rebuilt, then they answer.
    std::fs::create_dir_all(data.join("config")).unwrap();
    std::fs::write(data.join("config").join("retention.yaml"), "retention:\n  rollups: [{every: 1h, keep: 5y}]\n").unwrap();
    assert!(aggregate(&data).1.contains("from the raw points"));
    assert_eq!(stdout(&cli(&data, &["rebuild-rollups"])).trim(), "rebuilt the rollup tiers: 2 buckets written");
    let (table, note) = aggregate(&data);
    assert!(note.contains("from the rollup tier of 1h"), "{note}");
    assert!(table.contains("2") && table.contains("5"), "{table}");
}
