//! Backup and restore: round trips (full, selective, incremental chains), damage detection,
//! cross-backend portability, pruning and hostile ids.

use crate::common;
use common::Fixture;
use neotalk_storage::backup::*;
use neotalk_storage::*;
use std::collections::BTreeMap;

type Dump = BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>>;

/// Every non-empty table, key by key (from a verified full export).
fn dump(db: &StorageManager) -> Dump {
    let bytes = db.export_snapshot().unwrap();
    let snap = Snapshot::read_from(&bytes).unwrap();
    assert_eq!(snap.manifest.kind, SnapshotKind::Full);
    let mut out = Dump::new();
    for t in snap.tables {
        if !t.entries.is_empty() {
            out.insert(t.name, t.entries.into_iter().map(|(k, v)| (k.to_vec(), v.unwrap().to_vec())).collect());
        }
    }
    out
}

fn alert(id: &str, at: i64) -> AlertRecord {
    AlertRecord::new(id, "overheat", AlertSeverity::Warning, "too hot", "rule", at).for_entity("pump-1", "device")
}

/// Writes data into several stores; `round` makes each call add and change different things.
fn populate(db: &StorageManager, round: i64) {
    let ts = db.timeseries();
    let points: Vec<TelemetryPoint> = (0..50)
        .flat_map(|i| {
            let t = round * 1_000_000 + i * 1_000;
            [
                TelemetryPoint::new("pump-1", "power", t, 1.5 + i as f64),
                TelemetryPoint::new(&format!("thermo-{round}"), "temperature", t, 20i64 + i),
            ]
        })
        .collect();
    ts.write_batch(&points).unwrap();
    db.devices().upsert(&DeviceState::new(format!("thermo-{round}"), "thermometer")).unwrap();
    db.events()
        .append(&NewEvent::new(&format!("ev-{round}"), "device.online", "gateway", round * 1_000, serde_json::json!({"round": round})))
        .unwrap();
    db.alerts().create(&alert(&format!("al-{round}"), round * 1_000)).unwrap();
}

fn backup_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn managers(db: &StorageManager, dir: &std::path::Path, retain_count: u32) -> (BackupManager, RestoreManager) {
    let config = BackupConfig { backup_dir: dir.to_str().unwrap().to_string(), retain_count, ..Default::default() };
    (BackupManager::new(db, config).unwrap(), RestoreManager::new(db, dir))
}

fn assert_err<T: std::fmt::Debug>(r: Result<T>, code: &str) {
    match r {
        Err(e) if e.code() == code => {}
        other => panic!("expected {code}, got {other:?}"),
    }
}

on_both_backends! {
    fn full_backup_round_trip_and_caches_reload(fx) {
        populate(&fx.db, 1);
        populate(&fx.db, 2);
        let before = dump(&fx.db);
        let dir = backup_dir();
        let (backups, restore) = managers(&fx.db, dir.path(), 5);
        let info = backups.backup(&BackupType::Full).unwrap();
        let m = info.manifest.clone().unwrap();
        assert_eq!((m.kind, m.source_format_version, m.base_id.as_deref()), (SnapshotKind::Full, FORMAT_VERSION, None));
        let chunks = m.tables.iter().find(|t| t.name == "ts_chunks").unwrap();
        assert_eq!(chunks.entries, 4, "pump-1's two 50-point writes: a compressed chunk and a head; 1 each for the others");
        assert!(info.path.starts_with(dir.path()) && info.path.is_file());

        // Change everything, and warm the caches with the changed values.
        populate(&fx.db, 3);
        fx.db.timeseries().write_series("pump-1", "power", &[DataPoint::new(9_000_000, 99.0)]).unwrap();
        fx.db.alerts().resolve("al-1", 5_000).unwrap();
        fx.db.devices().delete("thermo-1").unwrap();
        assert_eq!(fx.db.timeseries().query_latest("pump-1", "power").unwrap().unwrap().timestamp, 9_000_000);
        assert!(fx.db.devices().get_device("thermo-3").unwrap().is_some());
        assert_ne!(dump(&fx.db), before);

        let report = restore.verify(&info.id).unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.chain, vec![info.id.clone()]);
        let result = restore.restore(&info.id).unwrap();
        assert_eq!(result.entries, before.values().map(|t| t.len() as u64).sum::<u64>());
        assert_eq!(dump(&fx.db), before);
        // The stores see the restored data, not their caches.
        assert_eq!(fx.db.timeseries().query_latest("pump-1", "power").unwrap().unwrap().timestamp, 2_049_000);
        assert!(fx.db.devices().get_device("thermo-3").unwrap().is_none());
        assert!(fx.db.devices().get_device("thermo-1").unwrap().is_some());
        assert_eq!(fx.db.alerts().get("al-1").unwrap().unwrap().resolved_at, None);
        assert!(fx.db.timeseries().query_range("thermo-3", "temperature", i64::MIN..i64::MAX).unwrap().is_empty());
        // Writing after a restore continues from the restored counters and series ids.
        populate(&fx.db, 4);
        assert_eq!(fx.db.timeseries().query_range("thermo-4", "temperature", i64::MIN..i64::MAX).unwrap().len(), 50);
        assert_eq!(fx.db.timeseries().query_range("thermo-2", "temperature", i64::MIN..i64::MAX).unwrap().len(), 50);
        assert_eq!(fx.db.events().last_sequence().unwrap(), 3);

        // And it all persists.
        let after = dump(&fx.db);
        let fx = fx.reopen();
        assert_eq!(dump(&fx.db), after);
    }

    fn selective_backup_replaces_only_its_tables(fx) {
        populate(&fx.db, 1);
        let alert_tables: Vec<String> = ["alerts", "alerts_by_time", "alerts_by_severity", "alerts_by_entity", "alerts_by_source", "alerts_unacknowledged", "alerts_unresolved"]
            .iter().map(|s| s.to_string()).collect();
        let dir = backup_dir();
        let (backups, restore) = managers(&fx.db, dir.path(), 5);
        let info = backups.backup(&BackupType::Selective { tables: alert_tables.clone() }).unwrap();
        let m = info.manifest.clone().unwrap();
        assert_eq!(m.kind, SnapshotKind::Selective);
        assert_eq!(m.tables.iter().map(|t| t.name.clone()).collect::<Vec<_>>(), alert_tables);
        let saved = dump(&fx.db);

        populate(&fx.db, 2);
        fx.db.alerts().acknowledge("al-1", "op", 7).unwrap();
        let changed = dump(&fx.db);
        restore.restore(&info.id).unwrap();
        let now = dump(&fx.db);
        for (name, table) in &now {
            if name.starts_with("alerts") {
                assert_eq!(Some(table), saved.get(name), "{name}");
            } else {
                assert_eq!(Some(table), changed.get(name), "{name}");
            }
        }
        assert!(!fx.db.alerts().get("al-1").unwrap().unwrap().acknowledged);
        assert!(fx.db.alerts().get("al-2").unwrap().is_none());
        assert!(fx.db.events().get("ev-2").unwrap().is_some());

        // Unknown or repeated tables are refused, and nothing is written.
        assert_err(backups.backup(&BackupType::Selective { tables: vec!["nope".into()] }), "NOT_FOUND");
        assert_err(backups.backup(&BackupType::Selective { tables: vec!["alerts".into(), "alerts".into()] }), "INVALID_INPUT");
        assert_err(backups.backup(&BackupType::Selective { tables: vec![] }), "INVALID_INPUT");
        assert_eq!(restore.list_backups().unwrap().len(), 1);
    }

    fn full_and_two_incrementals_restore_each_state_exactly(fx) {
        let dir = backup_dir();
        let (backups, restore) = managers(&fx.db, dir.path(), 10);
        populate(&fx.db, 1);
        let state0 = dump(&fx.db);
        let full = backups.backup(&BackupType::Full).unwrap();

        populate(&fx.db, 2);
        fx.db.alerts().acknowledge("al-1", "op", 5).unwrap();
        fx.db.timeseries().delete_range("pump-1", "power", 0..1_010_000).unwrap();
        let state1 = dump(&fx.db);
        let inc1 = backups.backup(&BackupType::Incremental).unwrap();

        fx.db.devices().delete("thermo-1").unwrap();
        fx.db.alerts().resolve("al-2", 9).unwrap();
        let state2 = dump(&fx.db);
        let inc2 = backups.backup(&BackupType::Incremental).unwrap();

        let m1 = inc1.manifest.clone().unwrap();
        let m2 = inc2.manifest.clone().unwrap();
        assert_eq!((m1.kind, m1.base_id.as_deref()), (SnapshotKind::Incremental, Some(full.id.as_str())));
        assert_eq!((m2.kind, m2.base_id.as_deref()), (SnapshotKind::Incremental, Some(inc1.id.as_str())));
        // Tables nobody touched since the base are stored as unchanged, so incrementals are small.
        let mode = |m: &Manifest, t: &str| m.tables.iter().find(|x| x.name == t).map(|x| x.mode);
        assert_eq!(mode(&m2, "ts_chunks"), Some(TableMode::Same));
        assert_eq!(mode(&m2, "events"), Some(TableMode::Same));
        assert_eq!(mode(&m2, "alerts"), Some(TableMode::Delta));
        // Compressed telemetry keeps the full backup small too, so only "smaller" is asserted.
        assert!(inc2.size_bytes < full.size_bytes, "{} vs {}", inc2.size_bytes, full.size_bytes);
        assert_eq!(restore.verify(&inc2.id).unwrap().chain, vec![full.id.clone(), inc1.id.clone(), inc2.id.clone()]);

        populate(&fx.db, 3);
        for (id, expected) in [(&inc1.id, &state1), (&full.id, &state0), (&inc2.id, &state2), (&inc1.id, &state1)] {
            restore.restore(id).unwrap();
            assert_eq!(&dump(&fx.db), expected, "restoring {id}");
        }
        assert!(fx.db.devices().get_device("thermo-1").unwrap().is_some());
        restore.restore(&inc2.id).unwrap();
        assert!(fx.db.devices().get_device("thermo-1").unwrap().is_none());
        assert_eq!(fx.db.alerts().get("al-2").unwrap().unwrap().resolved_at, Some(9));
    }

    fn damaged_files_are_reported_and_never_restored(fx) {
        let dir = backup_dir();
        let (backups, restore) = managers(&fx.db, dir.path(), 10);
        populate(&fx.db, 1);
        let good = backups.backup(&BackupType::Full).unwrap();
        let bytes = std::fs::read(&good.path).unwrap();
        populate(&fx.db, 2);
        let live = dump(&fx.db);

        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x10;
        let truncated = bytes[..bytes.len() - 100].to_vec();
        let mut wrong_version = bytes.clone();
        wrong_version[8..12].copy_from_slice(&(SNAPSHOT_VERSION + 1).to_le_bytes());
        let cases = [("flipped", flipped, "CORRUPTED"), ("truncated", truncated, "CORRUPTED"), ("version", wrong_version, "VERSION_MISMATCH")];
        for (name, damaged, code) in cases {
            let id = format!("damaged-{name}");
            std::fs::write(dir.path().join(format!("{id}.{BACKUP_EXTENSION}")), &damaged).unwrap();
            let report = restore.verify(&id).unwrap();
            assert!(!report.ok && report.problem.is_some(), "{name}: {report:?}");
            assert_err(restore.restore(&id), code);
            assert_err(fx.db.import_snapshot(&damaged), code);
            assert_eq!(dump(&fx.db), live, "{name} touched live data");
        }
        // An incremental whose base is damaged (or gone) fails verification too.
        let inc = backups.backup(&BackupType::Incremental).unwrap();
        assert!(restore.verify(&inc.id).unwrap().ok);
        let mut base = bytes.clone();
        base[mid] ^= 0x01;
        std::fs::write(&good.path, &base).unwrap();
        let report = restore.verify(&inc.id).unwrap();
        assert!(!report.ok, "{report:?}");
        assert_err(restore.restore(&inc.id), "CORRUPTED");
        std::fs::remove_file(&good.path).unwrap();
        assert!(restore.verify(&inc.id).unwrap().problem.unwrap().contains("missing"));
        assert_eq!(dump(&fx.db), live);
        // Listing shows damaged files with their problem instead of hiding them.
        let listed = restore.list_backups().unwrap();
        let v = listed.iter().find(|b| b.id == "damaged-version").unwrap();
        assert!(v.manifest.is_none() && v.problem.is_some());
    }

    fn manifest_counts_must_match_contents(fx) {
        populate(&fx.db, 1);
        let bytes = fx.db.export_snapshot().unwrap();
        let (mut manifest, start) = Snapshot::read_manifest(&bytes).unwrap();
        let t = manifest.tables.iter_mut().find(|t| t.name == "ts_chunks").unwrap();
        t.entries += 1;
        // Re-seal the file with valid checksums, so only the count is wrong.
        let json = serde_json::to_vec(&manifest).unwrap();
        let mut forged = bytes[..12].to_vec();
        forged.extend_from_slice(&(json.len() as u32).to_le_bytes());
        forged.extend_from_slice(&json);
        forged.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&json).to_le_bytes());
        forged.extend_from_slice(&bytes[start..bytes.len() - 8]);
        let hash = xxhash_rust::xxh3::xxh3_64(&forged);
        forged.extend_from_slice(&hash.to_le_bytes());
        let err = Snapshot::read_from(&forged).unwrap_err();
        assert!(matches!(&err, StorageError::Corrupted(m) if m.contains("entries")), "{err}");
        let live = dump(&fx.db);
        assert_err(fx.db.import_snapshot(&forged), "CORRUPTED");
        assert_err(fx.db.import_snapshot(b"NEOTSNAP"), "CORRUPTED");
        assert_err(fx.db.import_snapshot(&[0u8; 64]), "CORRUPTED");
        assert_eq!(dump(&fx.db), live);
    }

    fn retain_count_prunes_but_keeps_bases_of_kept_incrementals(fx) {
        let dir = backup_dir();
        let (backups, restore) = managers(&fx.db, dir.path(), 2);
        let ids = |r: &RestoreManager| r.list_backups().unwrap().into_iter().map(|b| b.id).collect::<Vec<_>>();
        populate(&fx.db, 1);
        let f1 = backups.backup(&BackupType::Full).unwrap().id;
        populate(&fx.db, 2);
        let i1 = backups.backup(&BackupType::Incremental).unwrap().id;
        populate(&fx.db, 3);
        let i2 = backups.backup(&BackupType::Incremental).unwrap().id;
        // Retaining 2 keeps i2 and i1, and f1 because i1 builds on it.
        assert_eq!(ids(&restore), vec![f1.clone(), i1.clone(), i2.clone()]);
        assert!(restore.verify(&i2).unwrap().ok);
        let f2 = backups.backup(&BackupType::Full).unwrap().id;
        // Now the newest two are i2 and f2: f1 and i1 are still i2's chain.
        assert_eq!(ids(&restore), vec![f1.clone(), i1.clone(), i2.clone(), f2.clone()]);
        populate(&fx.db, 4);
        let i3 = backups.backup(&BackupType::Incremental).unwrap().id;
        assert_eq!(ids(&restore), vec![f2.clone(), i3.clone()]);
        assert_eq!(restore.verify(&i3).unwrap().chain, vec![f2, i3.clone()]);
        assert_eq!(restore.newest().unwrap().unwrap().id, i3);
    }

    fn a_safety_copy_undoes_a_restore_and_is_never_pruned(fx) {
        let dir = backup_dir();
        let (backups, restore) = managers(&fx.db, dir.path(), 1);
        populate(&fx.db, 1);
        let before = dump(&fx.db);
        let full = backups.backup(&BackupType::Full).unwrap().id;
        populate(&fx.db, 2);
        let live = dump(&fx.db);
        let safety = backups.safety_backup().unwrap();
        assert!(safety.is_safety_copy() && safety.id.ends_with("Z-pre-restore"), "{}", safety.id);
        // The safety copy is not "the newest", does not count towards retain_count (1) and is
        // no base for incrementals.
        assert_eq!(restore.newest().unwrap().unwrap().id, full);
        restore.restore(&full).unwrap();
        assert_eq!(dump(&fx.db), before);
        restore.restore(&safety.id).unwrap();
        assert_eq!(dump(&fx.db), live, "the safety copy undoes the restore");
        let incremental = backups.backup(&BackupType::Incremental).unwrap();
        assert_eq!(incremental.manifest.unwrap().base_id.as_deref(), Some(full.as_str()));
        let kept: Vec<_> = restore.list_backups().unwrap().into_iter().map(|b| (b.id.clone(), b.is_safety_copy())).collect();
        assert!(kept.contains(&(safety.id.clone(), true)), "{kept:?}");
        let second = backups.safety_backup().unwrap();
        assert_ne!(second.id, safety.id);
        assert!(backups.backup(&BackupType::Full).is_ok());
        let ids: Vec<_> = restore.list_backups().unwrap().into_iter().filter(|b| b.is_safety_copy()).map(|b| b.id).collect();
        assert_eq!(ids.len(), 2, "pruning leaves safety copies alone: {ids:?}");
    }

    fn hostile_ids_are_rejected(fx) {
        let dir = backup_dir();
        let (_, restore) = managers(&fx.db, dir.path(), 2);
        // A file outside the backup dir that a traversal would reach.
        std::fs::write(dir.path().join("secret.ntsnap"), fx.db.export_snapshot().unwrap()).unwrap();
        let inner = dir.path().join("inner");
        std::fs::create_dir(&inner).unwrap();
        let restore_inner = RestoreManager::new(&fx.db, &inner);
        for id in ["../secret", "..", "/etc/passwd", "a/b", "a\\b", "C:\\x", ".hidden", "", "a b", "ok..no", &"x".repeat(200)] {
            assert_err(restore_inner.verify(id), "INVALID_INPUT");
            assert_err(restore_inner.restore(id), "INVALID_INPUT");
            assert_err(restore.verify(id), "INVALID_INPUT");
        }
        assert_err(restore.verify("no-such-backup"), "NOT_FOUND");
        assert_err(restore.restore("no-such-backup"), "NOT_FOUND");
        assert!(restore.verify("secret").unwrap().problem.is_some(), "an export has no backup id: not a backup file");

        // A file over the size limit is refused before it is read (a sparse file: no disk used).
        let huge = std::fs::File::create(dir.path().join("huge.ntsnap")).unwrap();
        huge.set_len(limits::MAX_SNAPSHOT_BYTES + 1).unwrap();
        let live = dump(&fx.db);
        assert_err(restore.restore("huge"), "INVALID_INPUT");
        assert_eq!(dump(&fx.db), live);
    }

    fn backup_is_one_consistent_snapshot_while_writes_go_on(fx) {
        let dir = backup_dir();
        let (backups, restore) = managers(&fx.db, dir.path(), 10_000);
        let (started_tx, started) = std::sync::mpsc::channel();
        let writer = {
            let db = fx.db.clone();
            std::thread::spawn(move || {
                for b in 0..200i64 {
                    let batch: Vec<DataPoint> = (0..10).map(|i| DataPoint::new(b * 10 + i, i as f64)).collect();
                    db.timeseries().write_series("meter", "energy", &batch).unwrap();
                    if b == 0 {
                        started_tx.send(()).unwrap();
                    }
                }
            })
        };
        started.recv().unwrap();
        let mut infos = Vec::new();
        while !writer.is_finished() || infos.is_empty() {
            infos.push(backups.backup(&BackupType::Full).unwrap());
        }
        writer.join().unwrap();
        let other = StorageManager::in_memory().unwrap();
        let other_restore = RestoreManager::new(&other, dir.path());
        for info in infos {
            other_restore.restore(&info.id).unwrap();
            let pts = other.timeseries().query_range("meter", "energy", i64::MIN..i64::MAX).unwrap();
            // Whole batches only, and no gaps: the backup saw a committed prefix.
            assert_eq!(pts.len() % 10, 0);
            assert!(pts.iter().enumerate().all(|(i, p)| p.timestamp == i as i64));
            let _ = restore.verify(&info.id).unwrap();
        }
    }

    fn import_refuses_incrementals_and_foreign_databases(fx) {
        let dir = backup_dir();
        let (backups, _) = managers(&fx.db, dir.path(), 10);
        populate(&fx.db, 1);
        backups.backup(&BackupType::Full).unwrap();
        populate(&fx.db, 2);
        let inc = backups.backup(&BackupType::Incremental).unwrap();
        let live = dump(&fx.db);
        assert_err(fx.db.import_snapshot(&std::fs::read(&inc.path).unwrap()), "INVALID_INPUT");
        assert_eq!(dump(&fx.db), live);
    }
}

#[test]
fn redb_backup_restores_into_memory_and_back() {
    let native = Fixture::redb();
    populate(&native.db, 1);
    populate(&native.db, 2);
    let dir = backup_dir();
    let (backups, _) = managers(&native.db, dir.path(), 3);
    let info = backups.backup(&BackupType::Full).unwrap();
    let original = dump(&native.db);

    let browser = StorageManager::in_memory().unwrap();
    RestoreManager::new(&browser, dir.path()).restore(&info.id).unwrap();
    assert_eq!(dump(&browser), original);
    assert_eq!(browser.timeseries().query_range("thermo-2", "temperature", i64::MIN..i64::MAX).unwrap().len(), 50);
    // The simulator changes state; its export restores on the gateway.
    populate(&browser, 3);
    browser.alerts().resolve("al-1", 77).unwrap();
    let simulated = dump(&browser);
    let exported = browser.export_snapshot().unwrap();
    native.db.import_snapshot(&exported).unwrap();
    assert_eq!(dump(&native.db), simulated);
    let native = native.reopen();
    assert_eq!(dump(&native.db), simulated);
    assert_eq!(native.db.alerts().get("al-1").unwrap().unwrap().resolved_at, Some(77));
    assert_eq!(native.db.backend_kind(), "redb");
}

#[test]
fn in_memory_database_needs_an_absolute_backup_dir() {
    let db = StorageManager::in_memory().unwrap();
    assert_err(BackupManager::new(&db, BackupConfig::default()).map(|m| m.dir().to_path_buf()), "INVALID_INPUT");
    // A file database resolves it under the data directory.
    let fx = Fixture::redb();
    let b = BackupManager::new(&fx.db, BackupConfig::default()).unwrap();
    assert_eq!(b.dir(), fx.dir().unwrap().join("backups"));
}

/// Throughput of export, verify and import (run in release with `--ignored --nocapture`).
#[test]
#[ignore]
fn snapshot_throughput() {
    for fx in [Fixture::memory(), Fixture::redb()] {
        let ts = fx.db.timeseries();
        for b in 0..100i64 {
            let batch: Vec<DataPoint> = (0..10_000).map(|i| DataPoint::new(b * 10_000 + i, i as f64)).collect();
            ts.write_series("meter", "energy", &batch).unwrap();
        }
        let t = std::time::Instant::now();
        let bytes = fx.db.export_snapshot().unwrap();
        let export = t.elapsed();
        let t = std::time::Instant::now();
        let snap = Snapshot::read_from(&bytes).unwrap();
        let verify = t.elapsed();
        assert_eq!(snap.manifest.tables.iter().find(|t| t.name == "ts_points").unwrap().entries, 1_000_000);
        let target = StorageManager::in_memory().unwrap();
        let t = std::time::Instant::now();
        target.import_snapshot(&bytes).unwrap();
        let import = t.elapsed();
        assert_eq!(target.timeseries().query_range("meter", "energy", i64::MIN..i64::MAX).unwrap().len(), 1_000_000);
        println!(
            "{}: 1M points, snapshot {:.1} MB; export {:?}, verify+decode {:?}, import into memory {:?}",
            fx.db.backend_kind(),
            bytes.len() as f64 / 1e6,
            export,
            verify,
            import
        );
    }
}

#[test]
fn every_truncation_and_every_flipped_byte_is_refused() {
    let db = StorageManager::in_memory().unwrap();
    db.alerts().create(&alert("a", 1)).unwrap();
    db.timeseries().write_series("d", "m", &[DataPoint::new(1, 2.0)]).unwrap();
    let bytes = db.export_snapshot().unwrap();
    assert!(Snapshot::read_from(&bytes).is_ok());
    for len in 0..bytes.len() {
        assert!(Snapshot::read_from(&bytes[..len]).is_err(), "truncated to {len} accepted");
    }
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x04;
        assert!(Snapshot::read_from(&b).is_err(), "flip at {i} accepted");
    }
    // Trailing garbage is refused too.
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Snapshot::read_from(&longer).is_err());
}

#[test]
fn vector_search_follows_an_import() {
    let src = StorageManager::in_memory().unwrap();
    src.vectors().create_collection("docs", 2, DistanceMetric::Cosine).unwrap();
    src.vectors().upsert("docs", &VectorDocument::new("a", vec![1.0, 0.0], serde_json::json!({}))).unwrap();
    let snap = src.export_snapshot().unwrap();
    let dst = StorageManager::in_memory().unwrap();
    dst.vectors().create_collection("docs", 2, DistanceMetric::Cosine).unwrap();
    dst.vectors().upsert("docs", &VectorDocument::new("b", vec![0.0, 1.0], serde_json::json!({}))).unwrap();
    // Load dst's matrix, then replace the data underneath it.
    assert_eq!(dst.vectors().search("docs", &[0.0, 1.0], 5, None).unwrap()[0].id, "b");
    dst.import_snapshot(&snap).unwrap();
    let hits = dst.vectors().search("docs", &[0.0, 1.0], 5, None).unwrap();
    assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), vec!["a"]);
}
