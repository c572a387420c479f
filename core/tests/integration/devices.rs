use neotalk_storage::*;
use std::collections::HashMap;

fn thermo(id: &str) -> DeviceState {
    DeviceState {
        device_id: id.into(),
        device_type: "thermometer".into(),
        name: format!("Thermo {id}"),
        online: true,
        last_seen: 100,
        metrics: HashMap::new(),
        config: serde_json::json!({"interval_s": 10}),
        mdl_definition: Some(MdlDeviceType {
            type_id: "thermometer".into(),
            name: "Thermometer".into(),
            metrics: vec![MdlMetric { name: "temperature".into(), data_type: MdlDataType::Float, unit: Some("°C".into()) }],
            commands: vec![MdlCommand {
                name: "set_interval".into(),
                parameters: vec![MdlParameter { name: "seconds".into(), data_type: MdlDataType::Integer, required: true }],
            }],
        }),
        adapter: "mqtt".into(),
    }
}

fn ids(devices: Vec<DeviceState>) -> Vec<String> {
    devices.into_iter().map(|d| d.device_id).collect()
}

on_both_backends! {
    fn upsert_get_and_every_field_round_trips(fx) {
        let devs = fx.db.devices();
        let d = thermo("t1");
        devs.upsert(&d).unwrap();
        assert_eq!(devs.get_device("t1").unwrap().unwrap(), d);
        assert_eq!(devs.get_device("nope").unwrap(), None);
        let fx = fx.reopen();
        assert_eq!(fx.db.devices().get_device("t1").unwrap().unwrap(), d);
    }

    fn telemetry_updates_snapshot_and_last_seen_in_the_same_commit(fx) {
        let devs = fx.db.devices();
        devs.upsert(&thermo("t1")).unwrap();
        fx.db.timeseries().write_batch(&[
            TelemetryPoint::new("t1", "temperature", 500, 21.5),
            TelemetryPoint::new("t1", "temperature", 400, 19.0),
            TelemetryPoint::new("t1", "humidity", 450, 40i64),
        ]).unwrap();
        let d = devs.get_device("t1").unwrap().unwrap();
        assert_eq!(d.last_seen, 500);
        assert_eq!(d.metrics["temperature"], MetricSnapshot { value: MetricValue::Float(21.5), timestamp: 500, quality: None, binary_bytes: None });
        assert_eq!(d.metrics["humidity"].value, MetricValue::Integer(40));
        // A late point does not move the snapshot or last_seen back.
        fx.db.timeseries().write_series("t1", "temperature", &[DataPoint::new(300, 1.0)]).unwrap();
        let d = devs.get_device("t1").unwrap().unwrap();
        assert_eq!((d.last_seen, d.metrics["temperature"].timestamp), (500, 500));
        // Registration fields survive telemetry.
        assert_eq!(d.name, "Thermo t1");
        let fx = fx.reopen();
        let d = fx.db.devices().get_device("t1").unwrap().unwrap();
        assert_eq!((d.last_seen, d.metrics.len()), (500, 2));
    }

    fn telemetry_for_an_unknown_device_registers_it(fx) {
        fx.db.timeseries().write_series("new-1", "power", &[DataPoint::new(-5, 3.0)]).unwrap();
        let d = fx.db.devices().get_device("new-1").unwrap().unwrap();
        assert_eq!((d.device_type.as_str(), d.online, d.last_seen), ("unknown", true, -5));
        assert_eq!(ids(fx.db.devices().list_by_type("unknown").unwrap()), vec!["new-1"]);
    }

    fn upsert_replaces_registration_and_merges_metrics(fx) {
        let devs = fx.db.devices();
        devs.upsert(&thermo("t1")).unwrap();
        fx.db.timeseries().write_series("t1", "temperature", &[DataPoint::new(1_000, 20.0)]).unwrap();
        let mut changed = thermo("t1");
        changed.device_type = "sensor".into();
        changed.online = false;
        changed.last_seen = 50;
        changed.metrics.insert("pressure".into(), MetricSnapshot { value: MetricValue::Float(1.0), timestamp: 10, quality: Some(0.9), binary_bytes: None });
        devs.upsert(&changed).unwrap();
        let d = devs.get_device("t1").unwrap().unwrap();
        assert_eq!((d.device_type.as_str(), d.online, d.last_seen), ("sensor", false, 1_000));
        assert_eq!(d.metrics.len(), 2);
        assert!(devs.list_by_type("thermometer").unwrap().is_empty(), "old type index entry removed");
        assert_eq!(ids(devs.list_by_type("sensor").unwrap()), vec!["t1"]);
        assert_eq!(ids(devs.list_offline().unwrap()), vec!["t1"]);
        assert!(devs.list_online().unwrap().is_empty());
    }

    fn listing_by_type_and_online_state(fx) {
        let devs = fx.db.devices();
        for (id, ty) in [("c", "meter"), ("a", "thermometer"), ("b", "thermometer"), ("设备", "meter")] {
            devs.upsert(&DeviceState::new(id, ty)).unwrap();
        }
        assert_eq!(ids(devs.list_devices().unwrap()), vec!["a", "b", "c", "设备"]);
        assert_eq!(ids(devs.list_by_type("meter").unwrap()), vec!["c", "设备"]);
        devs.set_online("b", false).unwrap();
        devs.set_online("b", false).unwrap();
        assert_eq!(ids(devs.list_offline().unwrap()), vec!["b"]);
        assert_eq!(ids(devs.list_online().unwrap()), vec!["a", "c", "设备"]);
        devs.set_online("b", true).unwrap();
        assert!(devs.list_offline().unwrap().is_empty());
        let fx = fx.reopen();
        assert_eq!(fx.db.devices().list_online().unwrap().len(), 4);
    }

    fn delete_removes_device_and_indexes(fx) {
        let devs = fx.db.devices();
        devs.upsert(&thermo("t1")).unwrap();
        fx.db.timeseries().write_series("t1", "temperature", &[DataPoint::new(1, 1.0)]).unwrap();
        devs.delete("t1").unwrap();
        assert_eq!(devs.get_device("t1").unwrap(), None);
        assert!(devs.list_devices().unwrap().is_empty());
        assert!(devs.list_by_type("thermometer").unwrap().is_empty());
        assert!(devs.list_online().unwrap().is_empty());
        assert!(matches!(devs.delete("t1"), Err(StorageError::NotFound { what: "device", .. })));
        // Telemetry stays; writing again re-registers the device with fresh snapshots.
        assert_eq!(fx.db.timeseries().query_range("t1", "temperature", 0..10).unwrap().len(), 1);
    }

    fn bad_input_is_refused_and_changes_nothing(fx) {
        let devs = fx.db.devices();
        devs.upsert(&thermo("t1")).unwrap();
        let before = devs.get_device("t1").unwrap();
        let invalid = |r: Result<()>| assert!(matches!(r, Err(StorageError::InvalidInput { .. })), "{r:?}");
        invalid(devs.upsert(&DeviceState::new("", "x")));
        invalid(devs.upsert(&DeviceState::new("t1", "")));
        invalid(devs.upsert(&DeviceState::new("x".repeat(300), "x")));
        let mut nan = thermo("t1");
        nan.metrics.insert("m".into(), MetricSnapshot { value: MetricValue::Float(f64::NAN), timestamp: 1, quality: None, binary_bytes: None });
        invalid(devs.upsert(&nan));
        let mut deep = thermo("t1");
        deep.config = (0..100).fold(serde_json::json!(0), |acc, _| serde_json::json!([acc]));
        invalid(devs.upsert(&deep));
        assert!(matches!(devs.set_online("ghost", true), Err(StorageError::NotFound { .. })));
        assert!(devs.get_device("").is_err());
        assert_eq!(devs.get_device("t1").unwrap(), before);
    }
}
