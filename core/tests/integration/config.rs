//! ConfigStore: defaults, round trips, errors naming file / line / field, atomic saves.

use neotalk_storage::config::*;
use neotalk_storage::{BackupType, EventRetention, RetentionWindow, StorageError};

/// The seed's `config/retention.yaml`, verbatim, plus the new `by_device_type`.
const SEED_RETENTION: &str = "\
# config/retention.yaml

retention:
  # 时序数据
  timeseries:
    default_days: 30
    by_metric:
      temperature: 7
      humidity: 7
      power: 90
      energy_consumption: 365
    by_device_type:
      meter: 400

  # 事件日志
  events:
    days: 7
    max_size_mb: 1000

  rule_history:
    days: 90
  workflow_history:
    days: 90
  alerts:
    days: 365
  decisions:
    days: 90
  sessions:
    days: 365  # 永久保留但归档
";

fn problem(store: &ConfigStore) -> ConfigError {
    let mut p = store.check().unwrap();
    assert_eq!(p.len(), 1, "{p:?}");
    p.remove(0)
}

#[test]
fn missing_files_read_as_defaults() {
    let store = ConfigStore::in_memory();
    let c = store.load().unwrap();
    assert_eq!(c.system.storage.data_dir, "data");
    assert_eq!(c.system.storage.timeseries_retention_days, 30);
    assert_eq!(c.system.storage.event_log_retention_days, 7);
    assert_eq!(c.system.storage.alerts_retention_days, 365);
    assert!(!c.system.storage.split_files);
    assert_eq!((c.system.api.host.as_str(), c.system.api.port), ("127.0.0.1", 8080));
    assert_eq!(c.system.backup.retain_count, 7);
    assert_eq!(c.system.backup.enabled_backups, vec![BackupType::Full]);
    let r = &c.retention;
    assert_eq!((r.timeseries.keep, r.events.keep, r.events.max_size_mb), (RetentionWindow::days(30), RetentionWindow::days(7), 1000));
    let kept = [&r.rule_history, &r.workflow_history, &r.alerts, &r.decisions, &r.sessions].map(|r| r.keep.to_string());
    assert_eq!(kept, ["90d", "90d", "365d", "90d", "365d"]);
    assert!(c.adapters.adapters.is_empty() && c.rules.is_empty() && c.workflows.is_empty());
    assert!(store.check().unwrap().is_empty());

    // A dir that does not exist reads the same.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(ConfigStore::for_data_dir(dir.path()).load().unwrap(), c);
}

#[test]
fn partial_files_take_defaults_for_the_rest() {
    let store = ConfigStore::from_strings([
        ("system.yaml", "storage:\n  split_files: true\nllm:\n  model: llama3\n"),
        ("retention.yaml", "retention:\n  alerts:\n    days: 30\n"),
        ("adapters.yaml", ""),
    ])
    .unwrap();
    let s = store.system().unwrap();
    assert!(s.storage.split_files);
    assert_eq!(s.storage.timeseries_retention_days, 30);
    assert_eq!((s.llm.model.as_str(), s.llm.provider.as_str()), ("llama3", "ollama"));
    let r = store.retention().unwrap();
    assert_eq!(
        (r.alerts.keep, r.sessions.keep, r.timeseries.keep),
        (RetentionWindow::days(30), RetentionWindow::days(365), RetentionWindow::days(30))
    );
}

#[test]
fn seed_retention_file_loads() {
    let store = ConfigStore::from_strings([("retention.yaml", SEED_RETENTION)]).unwrap();
    let r = store.retention().unwrap();
    assert_eq!(r.timeseries.by_metric["energy_consumption"], RetentionWindow::days(365));
    assert_eq!(r.timeseries.by_metric.len(), 4);
    // Metric override beats device type, which beats the default.
    assert_eq!(r.timeseries.window_for("temperature", Some("meter")), RetentionWindow::days(7));
    assert_eq!(r.timeseries.window_for("voltage", Some("meter")), RetentionWindow::days(400));
    assert_eq!(r.timeseries.window_for("voltage", None), RetentionWindow::days(30));
    let ev: EventRetention = (&r.events).into();
    assert_eq!(ev, EventRetention { keep: RetentionWindow::days(7), max_size_mb: 1000, by_type: Default::default() });
}

#[test]
fn retention_windows_are_durations_or_forever() {
    let yaml = "retention:\n  timeseries:\n    keep: 36h\n    by_metric:\n      vibration: 15m\n      energy: forever\n  events:\n    days: 2\n  alerts:\n    keep: forever\n";
    let store = ConfigStore::from_strings([("retention.yaml", yaml)]).unwrap();
    let r = store.retention().unwrap();
    assert_eq!(r.timeseries.keep, RetentionWindow::hours(36));
    assert_eq!(r.timeseries.by_metric["vibration"].as_millis(), Some(900_000));
    assert_eq!(r.timeseries.by_metric["energy"], RetentionWindow::FOREVER);
    assert_eq!(r.events.keep, RetentionWindow::days(2));
    assert_eq!(r.alerts.keep, RetentionWindow::FOREVER);
    // Saved in canonical spelling, and loaded back the same.
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::for_data_dir(dir.path());
    store.save_retention(&r).unwrap();
    let text = std::fs::read_to_string(dir.path().join("config").join(RETENTION_FILE)).unwrap();
    assert!(text.contains("keep: 36h") && text.contains("energy: forever") && text.contains("keep: 2d"), "{text}");
    assert_eq!(store.retention().unwrap(), r);

    for (bad, field) in [("3 days", "retention.alerts.keep"), ("1mo", "retention.alerts.keep"), ("0h", "retention.alerts.keep")] {
        let store = ConfigStore::from_strings([("retention.yaml", format!("retention:\n  alerts:\n    keep: {bad}\n").as_str())]).unwrap();
        let p = problem(&store);
        assert_eq!((p.line, p.field.as_str()), (3, field), "{bad}: {p}");
    }
}

#[test]
fn round_trip_on_disk_and_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let disk = ConfigStore::for_data_dir(dir.path());
    let mem = ConfigStore::in_memory();
    let mut system = SystemConfig::default();
    system.api.port = 9443;
    system.storage.split_files = true;
    system.llm.endpoint = Some("http://10.0.0.2:11434".into());
    system.backup.enabled_backups = vec![BackupType::Full, BackupType::Selective { tables: vec!["alerts".into()] }];
    let mut retention = RetentionConfig::default();
    retention.timeseries.by_device_type.insert("meter".into(), RetentionWindow::days(400));
    retention.events.by_type.insert("heartbeat".into(), RetentionWindow::hours(6));
    retention.alerts.keep = RetentionWindow::FOREVER;
    let adapters = AdaptersConfig {
        adapters: [("mqtt".to_string(), serde_json::json!({"broker": "tcp://localhost:1883", "topics": ["a/#"], "qos": 1}))].into(),
    };
    for store in [&disk, &mem] {
        store.save_system(&system).unwrap();
        store.save_retention(&retention).unwrap();
        store.save_adapters(&adapters).unwrap();
        store.save_definition(DefinitionKind::Rule, "heat.rule", "when t > 30 then alert").unwrap();
        store.save_definition(DefinitionKind::Rule, "automation_rules.yaml", "rules: []").unwrap();
        store.save_definition(DefinitionKind::Workflow, "daily_backup.workflow", "steps: [backup]").unwrap();
    }
    let reopened = ConfigStore::open(dir.path().join("config"));
    for store in [&reopened, &mem] {
        let c = store.load().unwrap();
        assert_eq!(c.system, system);
        assert_eq!(c.retention, retention);
        assert_eq!(c.adapters, adapters);
        assert_eq!(c.rules.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["automation_rules.yaml", "heat.rule"]);
        assert_eq!(c.rules[1].text, "when t > 30 then alert");
        assert_eq!(
            c.workflows[0],
            Definition { name: "daily_backup.workflow".into(), kind: DefinitionKind::Workflow, text: "steps: [backup]".into() }
        );
    }
    assert!(dir.path().join("config/system.yaml").is_file());
    assert!(dir.path().join("config/rules/heat.rule").is_file());
    // No temp files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("config"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // write_defaults keeps existing files.
    assert!(disk.write_defaults().unwrap().is_empty());
    assert_eq!(disk.system().unwrap(), system);
    let fresh = ConfigStore::in_memory();
    assert_eq!(fresh.write_defaults().unwrap(), ["system.yaml", "retention.yaml", "adapters.yaml"]);
    assert_eq!(fresh.load().unwrap(), Config::default());
}

#[test]
fn bad_values_name_file_line_and_field() {
    let store = ConfigStore::from_strings([("system.yaml", "api:\n  host: 0.0.0.0\n  port: 0\n")]).unwrap();
    let p = problem(&store);
    assert_eq!((p.file.as_str(), p.line, p.field.as_str()), ("system.yaml", 3, "api.port"), "{p}");
    let err = store.system().unwrap_err();
    assert!(
        matches!(&err, StorageError::InvalidInput { field: "config", reason } if reason.contains("system.yaml:3:") && reason.contains("api.port")),
        "{err}"
    );

    let store =
        ConfigStore::from_strings([("system.yaml", "storage:\n  data_dir: /var/lib/neotalk\n  timeseries_retention_days: forever\n")])
            .unwrap();
    let p = problem(&store);
    assert_eq!((p.line, p.field.as_str()), (3, "storage.timeseries_retention_days"), "{p}");
    assert!(p.message.contains("invalid"), "{p}");

    // A per-metric override of 0 days, deep in the seed's file.
    let bad = SEED_RETENTION.replace("power: 90", "power: 0");
    let store = ConfigStore::from_strings([("retention.yaml", bad.as_str())]).unwrap();
    let p = problem(&store);
    let line = bad.lines().position(|l| l.contains("power: 0")).unwrap() + 1;
    assert_eq!((p.file.as_str(), p.line, p.field.as_str()), ("retention.yaml", line, "retention.timeseries.by_metric.power"), "{p}");
    assert!(p.message.contains("longer than 0"), "{p}");

    // A typo is reported, not silently ignored.
    let store = ConfigStore::from_strings([("system.yaml", "api:\n  port: 80\nstorage:\n  splitfiles: true\n")]).unwrap();
    let p = problem(&store);
    assert_eq!((p.line, p.field.as_str()), (4, "storage"), "{p}");
    assert!(p.message.contains("splitfiles"), "{p}");

    // Broken YAML syntax still names the file and a line.
    let store = ConfigStore::from_strings([("adapters.yaml", "mqtt:\n  broker: [unclosed\n")]).unwrap();
    let p = problem(&store);
    assert_eq!(p.file, "adapters.yaml");
    assert!(p.line >= 2, "{p}");

    // Saving a value the loader would refuse is refused, and nothing is written.
    let store = ConfigStore::in_memory();
    let mut s = SystemConfig::default();
    s.backup.retain_count = 0;
    assert!(store.save_system(&s).is_err());
    assert_eq!(store.system().unwrap(), SystemConfig::default());
}

#[test]
fn failed_save_leaves_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::open(dir.path());
    let mut old = SystemConfig::default();
    old.api.port = 1111;
    store.save_system(&old).unwrap();
    let before = std::fs::read(dir.path().join("system.yaml")).unwrap();
    // Block the temp file the save writes first (as if the disk refused it mid-save).
    let tmp = dir.path().join(format!(".system.yaml.tmp-{}", std::process::id()));
    std::fs::create_dir(&tmp).unwrap();
    let mut new = old.clone();
    new.api.port = 2222;
    assert!(matches!(store.save_system(&new), Err(StorageError::Io { .. })));
    assert_eq!(std::fs::read(dir.path().join("system.yaml")).unwrap(), before);
    assert_eq!(store.system().unwrap().api.port, 1111);
    std::fs::remove_dir(&tmp).unwrap();
    // A stale temp file of a crashed save is ignored by loads and listings, and overwritten.
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/.a.rule.tmp-1"), "half written").unwrap();
    std::fs::write(&tmp, "api: {port: 3").unwrap();
    assert!(store.definition_names(DefinitionKind::Rule).unwrap().is_empty());
    store.save_system(&new).unwrap();
    assert_eq!(store.system().unwrap().api.port, 2222);
    assert!(!tmp.exists());
}

#[test]
fn yaml_text_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::open(dir.path());
    store.save_yaml("retention.yaml", "# a comment\nretention:\n  alerts:\n    days: 10\n").unwrap();
    assert_eq!(store.retention().unwrap().alerts.keep, RetentionWindow::days(10));
    let text = store.yaml("retention.yaml").unwrap();
    assert!(text.starts_with("retention:") && text.contains("keep: 10d") && !text.contains("comment"), "{text}");
    // What yaml() gives loads back to the same section, every file.
    let copy = |file: &str| ConfigStore::from_strings([(file, store.yaml(file).unwrap().as_str())]).unwrap();
    assert_eq!(copy("system.yaml").system().unwrap(), store.system().unwrap());
    assert_eq!(copy("retention.yaml").retention().unwrap(), store.retention().unwrap());
    assert_eq!(copy("adapters.yaml").adapters().unwrap(), store.adapters().unwrap());
    // A bad value names file, line and field, and the tree keeps what it had.
    let bad = store.save_yaml("retention.yaml", "retention:\n  alerts:\n    days: 0\n").unwrap_err();
    assert!(matches!(&bad, StorageError::InvalidInput { field: "config", reason } if reason.contains("retention.yaml:3")), "{bad}");
    assert_eq!(store.retention().unwrap().alerts.keep, RetentionWindow::days(10));
    for file in ["rules/a.rule", "secrets.yaml", "../system.yaml"] {
        assert!(matches!(store.save_yaml(file, "{}"), Err(StorageError::InvalidInput { field: "file", .. })), "{file}");
        assert!(matches!(store.yaml(file), Err(StorageError::InvalidInput { field: "file", .. })), "{file}");
    }
}

#[test]
fn definitions_and_paths_are_checked() {
    let store = ConfigStore::in_memory();
    for name in ["../system.yaml", "a/b.rule", "a\\b", ".hidden", "", "x y"] {
        assert!(matches!(store.save_definition(DefinitionKind::Rule, name, "x"), Err(StorageError::InvalidInput { .. })), "{name:?}");
        assert!(matches!(store.definition(DefinitionKind::Rule, name), Err(StorageError::InvalidInput { .. })), "{name:?}");
    }
    assert!(matches!(store.definition(DefinitionKind::Workflow, "none.workflow"), Err(StorageError::NotFound { .. })));
    for rel in ["other.yaml", "rules/../x", "/etc/passwd", "rules/a/b"] {
        assert!(ConfigStore::from_strings([(rel, "x")]).is_err(), "{rel:?}");
    }
    let big = "#".repeat(neotalk_storage::limits::MAX_CONFIG_FILE_BYTES + 1);
    assert!(store.save_definition(DefinitionKind::Rule, "big.rule", &big).is_err());
    assert!(ConfigStore::from_strings([("system.yaml", big.as_str())]).is_err());

    // An oversized file on disk is refused without being loaded.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("system.yaml"), &big).unwrap();
    assert!(matches!(ConfigStore::open(dir.path()).system(), Err(StorageError::InvalidInput { .. })));
}

#[test]
fn storage_manager_hands_out_its_config_tree() {
    let dir = tempfile::tempdir().unwrap();
    let db = neotalk_storage::StorageManager::open(dir.path()).unwrap();
    let mut s = SystemConfig::default();
    s.storage.data_dir = dir.path().to_string_lossy().into_owned();
    db.config().save_system(&s).unwrap();
    assert_eq!(db.config().path(), Some(dir.path().join("config").as_path()));
    assert_eq!(ConfigStore::open(dir.path().join("config")).system().unwrap(), s);
    let mem = neotalk_storage::StorageManager::in_memory().unwrap();
    assert_eq!(mem.config().path(), None);
    assert_eq!(mem.config().system().unwrap(), SystemConfig::default());
}
