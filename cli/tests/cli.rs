//! Runs the `neotalk-storage` binary as a user would.

use std::process::Command;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neotalk-storage"))
}

#[test]
fn demo_then_stats() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli().args(["demo", "--devices", "5", "--minutes", "3", "--dir"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("stored 1320 telemetry points"), "{text}");
    assert!(text.contains("offline devices: [\"thermometer-04\"]"), "{text}");

    let out = cli().args(["stats", "--dir"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let points = text.lines().find(|l| l.starts_with("ts_points")).expect("ts_points row");
    assert_eq!(points.split_whitespace().nth(1), Some("1320"), "{text}");
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli().args(["stats", "--dir"]).arg(dir.path().join("missing")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database in"));
    let out = cli().args(["demo", "--devices", "0", "--dir"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = cli().args(["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "clap usage errors exit 2");
}
