#![allow(clippy::reversed_empty_ranges)] // reversed ranges are tested as bad input
use neotalk_storage::*;
use serde_json::json;

fn ev(id: &str, ty: &str, ts: i64) -> NewEvent {
    NewEvent::new(id, ty, "test", ts, json!({"id": id}))
}

fn seqs(v: &[EventLogEntry]) -> Vec<u64> {
    v.iter().map(|e| e.sequence).collect()
}

const DAY: i64 = 86_400_000;

on_both_backends! {
    fn append_assigns_increasing_sequences_and_get_finds_by_id(fx) {
        let log = fx.db.events();
        assert_eq!(log.last_sequence().unwrap(), 0);
        let a = log.append(&ev("a", "t", 10)).unwrap();
        let b = log.append_batch(&[ev("b", "t", 5), ev("c", "u", 20)]).unwrap();
        assert_eq!((a.sequence, b.first, b.last, b.len()), (1, 2, 3, 2));
        let stored = log.get("b").unwrap().unwrap();
        assert_eq!((stored.sequence, stored.event_data.clone()), (2, json!({"id": "b"})));
        assert_eq!(log.replay(a.sequence, 10).unwrap(), vec![stored, log.get("c").unwrap().unwrap()]);
        assert_eq!(log.get("zz").unwrap(), None);
        assert_eq!(log.last_sequence().unwrap(), 3);
    }

    fn queries_by_time_type_and_correlation(fx) {
        let log = fx.db.events();
        log.append_batch(&[
            ev("1", "device.offline", 30),
            ev("2", "rule.triggered", 10).caused_by("chain-A", None),
            ev("3", "alert.raised", 20).caused_by("chain-A", Some("2")),
            ev("4", "rule.triggered", 40),
            ev("5", "notify.sent", 5).caused_by("chain-A", Some("3")),
        ]).unwrap();
        assert_eq!(seqs(&log.query_range(0..100, None).unwrap()), vec![5, 2, 3, 1, 4]);
        assert_eq!(seqs(&log.query_range(10..30, None).unwrap()), vec![2, 3]);
        assert_eq!(seqs(&log.query_range(0..100, Some(2)).unwrap()), vec![5, 2]);
        assert_eq!(seqs(&log.query_by_type("rule.triggered", 0..100, None).unwrap()), vec![2, 4]);
        assert_eq!(seqs(&log.query_by_type("rule.triggered", 11..100, None).unwrap()), vec![4]);
        let chain = log.query_by_correlation("chain-A").unwrap();
        assert_eq!(seqs(&chain), vec![2, 3, 5]);
        assert_eq!(chain[2].metadata.causation_id.as_deref(), Some("3"));
        assert!(log.query_by_correlation("none").unwrap().is_empty());
    }

    fn replay_is_a_cursor(fx) {
        let log = fx.db.events();
        let all: Vec<NewEvent> = (0..10).map(|i| ev(&format!("e{i}"), "t", i)).collect();
        log.append_batch(&all).unwrap();
        let first = log.replay(0, 4).unwrap();
        assert_eq!(seqs(&first), vec![1, 2, 3, 4]);
        let next = log.replay(first.last().unwrap().sequence, 100).unwrap();
        assert_eq!(seqs(&next), (5..=10).collect::<Vec<_>>());
        assert!(log.replay(10, 5).unwrap().is_empty());
        log.append(&ev("new", "t", 99)).unwrap();
        assert_eq!(seqs(&log.replay(10, 5).unwrap()), vec![11]);
    }

    fn sequences_are_never_reused_after_cleanup_or_reopen(fx) {
        let log = fx.db.events();
        log.append_batch(&[ev("a", "t", 0), ev("b", "t", 1)]).unwrap();
        let removed = log.cleanup(100 * DAY, &EventRetention::default()).unwrap();
        assert_eq!(removed.expired, 2);
        assert_eq!(log.append(&ev("c", "t", 100 * DAY)).unwrap().sequence, 3);
        let fx = fx.reopen();
        assert_eq!(fx.db.events().append(&ev("d", "t", 100 * DAY)).unwrap().sequence, 4);
        assert_eq!(seqs(&fx.db.events().replay(0, 10).unwrap()), vec![3, 4]);
    }

    fn retention_by_age_keeps_the_boundary_and_honours_type_overrides(fx) {
        let log = fx.db.events();
        let now = 1_000 * DAY;
        log.append_batch(&[
            ev("old", "t", now - 7 * DAY - 1),
            ev("edge", "t", now - 7 * DAY),
            ev("audit-old", "audit", now - 30 * DAY - 1),
            ev("audit-keep", "audit", now - 20 * DAY),
            ev("debug", "debug", now - DAY - 1),
            ev("fresh", "t", now),
        ]).unwrap();
        let mut r = EventRetention::default();
        r.by_type.insert("audit".into(), RetentionWindow::days(30));
        r.by_type.insert("debug".into(), RetentionWindow::days(1));
        let removed = log.cleanup(now, &r).unwrap();
        assert_eq!(removed, EventCleanup { expired: 3, over_size: 0 });
        let left: Vec<String> = log.replay(0, 100).unwrap().into_iter().map(|e| e.event_id).collect();
        assert_eq!(left, vec!["edge", "audit-keep", "fresh"]);
        assert_eq!(log.get("old").unwrap(), None);
        assert!(log.query_by_type("debug", (i64::MIN)..(i64::MAX), None).unwrap().is_empty());
    }

    fn retention_by_size_drops_oldest_first_in_batches(fx) {
        let log = fx.db.events();
        let big = json!("x".repeat(1000));
        let events: Vec<NewEvent> = (0..2_500).map(|i| NewEvent::new(&format!("e{i}"), "t", "s", i, big.clone())).collect();
        log.append_batch(&events).unwrap();
        let total = log.total_bytes().unwrap();
        assert!(total > 2_500_000, "{total}");
        let r = EventRetention { keep: RetentionWindow::days(100_000), max_size_mb: 1, by_type: Default::default() };
        let removed = log.cleanup(0, &r).unwrap();
        assert!(log.total_bytes().unwrap() <= 1024 * 1024);
        let left = log.replay(0, 10_000).unwrap();
        assert_eq!(left.len() as u64 + removed.over_size, 2_500);
        assert_eq!(left[0].sequence, removed.over_size + 1, "oldest dropped first");
        assert!(removed.over_size > 1_000, "needed more than one batch: {removed:?}");
    }

    fn bad_input_is_refused_and_changes_nothing(fx) {
        let log = fx.db.events();
        log.append(&ev("a", "t", 1)).unwrap();
        let conflict = log.append(&ev("a", "t", 2)).unwrap_err();
        assert!(matches!(conflict, StorageError::Conflict(_)), "{conflict}");
        assert!(matches!(log.append_batch(&[ev("x", "t", 1), ev("x", "t", 1)]), Err(StorageError::Conflict(_))));
        // A stored id inside a batch: the error names it, and the batch stores nothing.
        let stored = log.append_batch(&[ev("n1", "t", 1), ev("a", "t", 1), ev("n2", "t", 1)]).unwrap_err();
        assert_eq!(stored.to_string(), StorageError::Conflict("event id \"a\" already exists".into()).to_string());
        assert_eq!((log.get("n1").unwrap(), log.get("n2").unwrap()), (None, None));
        // A batch with one bad event stores none of it.
        assert!(matches!(log.append_batch(&[ev("ok", "t", 1), ev("", "t", 1)]), Err(StorageError::InvalidInput { field: "event_id", .. })));
        assert!(log.append(&ev("b", "", 1)).is_err());
        assert!(log.append(&NewEvent::new("b", "t", "", 1, json!(null))).is_err());
        assert!(log.append(&ev("b", "t", 1).caused_by("", None)).is_err());
        assert!(log.query_range(5..1, None).is_err());
        assert!(log.query_by_type("", 0..1, None).is_err());
        assert_eq!(log.last_sequence().unwrap(), 1);
        assert_eq!(log.get("ok").unwrap(), None);
        assert_eq!(log.replay(0, 10).unwrap().len(), 1);
    }
}

fn text<'a>(id: &'a str, data: &'a str) -> EventText<'a> {
    EventText { event_id: id, event_type: "t", data, correlation_id: Some("chain"), causation_id: None, source: "c", timestamp: 7 }
}

/// A visitor of events as text.
type Visit<'v> = dyn FnMut(u64, EventText<'_>) -> Result<()> + 'v;

/// `(sequence, payload text)` of every event a text read hands out.
fn payloads(read: impl FnOnce(&mut Visit) -> Result<()>) -> Vec<(u64, String)> {
    let mut seen = Vec::new();
    read(&mut |seq, e| {
        seen.push((seq, e.data.to_string()));
        Ok(())
    })
    .unwrap();
    seen
}

on_both_backends! {
    fn events_appended_as_text_keep_their_payload_text(fx) {
        let log = fx.db.events();
        let payload = "{ \"b\": [1, 2.50],\n  \"a\": \"\\u00e9\" }";
        let range = log.append_text(&[text("x", payload), text("y", "null")]).unwrap();
        assert_eq!((range.first, range.last), (1, 2));
        log.append(&ev("z", "u", 9)).unwrap();
        let mut seen = Vec::new();
        log.replay_text(0, None, |seq, e| {
            seen.push((seq, e.event_id.to_string(), e.data.to_string(), e.correlation_id.map(String::from)));
            Ok(())
        }).unwrap();
        assert_eq!(seen, [
            (1, "x".into(), payload.to_string(), Some("chain".into())),
            (2, "y".into(), "null".into(), Some("chain".into())),
            (3, "z".into(), r#"{"id":"z"}"#.into(), None),
        ]);
        // Read as values, the text is parsed; every index knows the events.
        assert_eq!(log.get("x").unwrap().unwrap().event_data, json!({"a": "é", "b": [1, 2.5]}));
        assert_eq!(seqs(&log.query_by_type("t", .., None).unwrap()), [1, 2]);
        assert_eq!(seqs(&log.query_by_correlation("chain").unwrap()), [1, 2]);
        assert_eq!(seqs(&log.query_range(7..8, None).unwrap()), [1, 2]);
        // The time and type indexes hand out the stored text too, paged like their record forms.
        assert_eq!(payloads(|v| log.query_range_text(7..8, None, v)), [(1, payload.to_string()), (2, "null".into())]);
        assert_eq!(payloads(|v| log.query_range_text(.., Page { offset: 1, limit: Some(1) }, v)), [(2, "null".to_string())]);
        assert_eq!(payloads(|v| log.query_by_type_text("u", .., None, v)), [(3, r#"{"id":"z"}"#.to_string())]);
        assert!(log.query_by_type_text("", .., None, |_, _| Ok(())).is_err());
        assert!(log.query_range_text(5..1, None, |_, _| Ok(())).is_err());
        // Paging, and an error of the visitor stops the replay and is returned.
        let mut n = 0;
        log.replay_text(1, 1, |_, _| {
            n += 1;
            Ok(())
        }).unwrap();
        assert_eq!(n, 1);
        let stopped = log.replay_text(0, None, |_, _| Err(StorageError::Conflict("enough".into())));
        assert!(matches!(stopped, Err(StorageError::Conflict(m)) if m == "enough"));
        // Cleanup removes text-appended events with their index entries.
        let removed = log.cleanup(DAY, &EventRetention { keep: RetentionWindow::hours(1), ..Default::default() }).unwrap();
        assert_eq!(removed.expired, 3);
        assert_eq!((log.replay(0, None).unwrap().len(), log.total_bytes().unwrap()), (0, 0));
        assert!(log.query_by_correlation("chain").unwrap().is_empty());
    }

    fn bad_payload_text_is_refused_naming_the_field(fx) {
        let log = fx.db.events();
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        let big = format!("\"{}\"", "x".repeat(limits::MAX_JSON_BYTES));
        let nested_ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        for (data, says) in [("", "malformed"), ("{", "malformed"), ("1 2", "trailing"), (deep.as_str(), "deeper than 64"), (big.as_str(), "limit is")] {
            match log.append_text(&[text("a", data)]) {
                Err(StorageError::InvalidInput { field, reason }) => assert!(field == "event_data" && reason.contains(says), "{data:.20}: {reason}"),
                other => panic!("{data:.20}: {other:?}"),
            }
        }
        // Brackets inside strings do not count as nesting.
        log.append_text(&[text("a", &format!("[\"{}\\\"\"]", "[".repeat(100))), text("b", &nested_ok)]).unwrap();
        assert!(matches!(log.append_text(&[text("c", "1"), text("c", "2")]), Err(StorageError::Conflict(_))));
        assert!(matches!(log.append_text(&[text("a", "1")]), Err(StorageError::Conflict(_))));
        assert!(matches!(log.append_text(&[EventText { source: "", ..text("d", "1") }]), Err(StorageError::InvalidInput { field: "source", .. })));
        assert_eq!(log.last_sequence().unwrap(), 2, "a refused batch stores nothing");
    }
}

/// Reference answer of an index read: the replayed events with `keep`, in (timestamp,
/// sequence) order.
fn expected(log: &EventLogStore, keep: impl Fn(&EventLogEntry) -> bool) -> Vec<u64> {
    let mut all: Vec<EventLogEntry> = log.replay(0, None).unwrap().into_iter().filter(keep).collect();
    all.sort_by_key(|e| (e.metadata.timestamp, e.sequence));
    seqs(&all)
}

on_both_backends! {
    // Index reads scan the event table when the index names mostly consecutive sequences
    // and look rows up one by one otherwise: both give the same answers.
    fn index_reads_answer_alike_by_scan_and_by_lookup(fx) {
        let log = fx.db.events();
        let in_order: Vec<NewEvent> =
            (0..300).map(|i| ev(&format!("e{i}"), if i % 10 == 0 { "rare" } else { "common" }, 1_000 + i)).collect();
        log.append_batch(&in_order).unwrap();
        log.append_batch(&[ev("late-1", "common", 1_050), ev("late-2", "rare", 500)]).unwrap();
        let is = |ty: &'static str| move |e: &EventLogEntry| e.event_type == ty;
        // In time order except the two late events: a scan up to them, lookups for the rest.
        assert_eq!(seqs(&log.query_range(1_100..1_200, None).unwrap()), expected(log, |e| (1_100..1_200).contains(&e.metadata.timestamp)));
        assert_eq!(seqs(&log.query_range(.., None).unwrap()), expected(log, |_| true));
        assert_eq!(seqs(&log.query_by_type("rare", .., None).unwrap()), expected(log, is("rare")));
        assert_eq!(seqs(&log.query_by_type("common", 1_000..1_300, None).unwrap()),
            expected(log, |e| e.event_type == "common" && e.metadata.timestamp >= 1_000));
        // Pages of a scan.
        let page: Vec<u64> = expected(log, |e| e.metadata.timestamp >= 1_200).into_iter().take(7).collect();
        assert_eq!(seqs(&log.query_range(1_200.., 7).unwrap()), page);
        // The text forms name the same events.
        let mut texts = Vec::new();
        log.query_by_type_text("common", 1_000..1_300, None, |seq, _| {
            texts.push(seq);
            Ok(())
        }).unwrap();
        assert_eq!(texts, seqs(&log.query_by_type("common", 1_000..1_300, None).unwrap()));
    }
}

/// An index entry whose block of events is gone is reported as damage, by every index
/// read that reaches it, never skipped silently.
#[test]
fn an_index_entry_without_its_event_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    let many: Vec<NewEvent> = (0..20).map(|i| ev(&format!("e{i}"), if i == 5 || i == 19 { "rare" } else { "t" }, i)).collect();
    // Two appends: blocks under sequences 1 (events 1..=5) and 6 (events 6..=20).
    db.events().append_batch(&many[..5]).unwrap();
    db.events().append_batch(&many[5..]).unwrap();
    db.close().unwrap();
    drop(db);
    let file = redb::Database::open(dir.path().join(DATABASE_FILE)).unwrap();
    let txn = file.begin_write().unwrap();
    txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new("events")).unwrap().remove(6u64.to_be_bytes().as_slice()).unwrap();
    txn.commit().unwrap();
    drop(file);
    let db = StorageManager::open(dir.path()).unwrap();
    let log = db.events();
    for read in [log.query_range(.., None), log.query_by_type("rare", .., None), log.get("e7").map(|e| e.into_iter().collect())] {
        match read {
            Err(StorageError::Corrupted(m)) => assert!(m.contains("missing event sequence"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(log.query_range(..5, None).unwrap().len(), 5, "reads that do not reach it still work");
    assert_eq!(log.get("e2").unwrap().unwrap().sequence, 3);
}
