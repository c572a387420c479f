mod common;
use neotalk_storage::*;

on_both_backends! {
    fn write_then_read(fx) {
        let ts = fx.db.timeseries();
        ts.write("d1", "temp", DataPoint::new(5, 1.5)).unwrap();
        ts.write_series("d1", "temp", &[DataPoint::new(1, 1.0), DataPoint::new(3, 3.0)]).unwrap();
        let got = ts.query_range("d1", "temp", 0, 10).unwrap();
        assert_eq!(got.iter().map(|p| p.timestamp).collect::<Vec<_>>(), vec![1, 3, 5]);
        let d = fx.db.devices().get_device("d1").unwrap().unwrap();
        assert_eq!(d.last_seen, 5);
        assert_eq!(d.metrics["temp"].value, MetricValue::Float(1.5));
        let e = fx.db.events().append(&NewEvent::new("e1", "t", "s", 1, serde_json::json!({}))).unwrap();
        assert_eq!(e.sequence, 1);
    }
}
