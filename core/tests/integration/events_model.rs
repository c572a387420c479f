//! The event log against a plain list of events: random appends (in and out of time order,
//! large payloads, far-apart timestamps, so blocks are cut every way), cleanups by age, by
//! type and by size, and after each step every read (replay, time, type, correlation, by
//! id, with pages) compared with the list.
use crate::common::seed;
use neotalk_storage::*;
use serde_json::json;
use std::collections::BTreeMap;

const HOUR: i64 = 3_600_000;
const TYPES: [&str; 4] = ["a", "b", "c", "d"];

struct Model {
    events: Vec<EventLogEntry>,
    next_id: u64,
    next_seq: u64,
}

impl Model {
    fn keep(&mut self, keep: impl Fn(&EventLogEntry) -> bool) {
        self.events.retain(keep);
    }

    /// Sequences of the events `keep` picks, in (timestamp, sequence) order, one page.
    fn by_time(&self, keep: impl Fn(&EventLogEntry) -> bool, page: Page) -> Vec<u64> {
        let mut v: Vec<&EventLogEntry> = self.events.iter().filter(|e| keep(e)).collect();
        v.sort_by_key(|e| (e.metadata.timestamp, e.sequence));
        v.into_iter().skip(page.offset).take(page.limit.unwrap_or(usize::MAX)).map(|e| e.sequence).collect()
    }
}

fn seqs(v: &[EventLogEntry]) -> Vec<u64> {
    v.iter().map(|e| e.sequence).collect()
}

fn random_event(rng: &mut fastrand::Rng, model: &mut Model, now: i64) -> NewEvent {
    let id = format!("e{}", model.next_id);
    model.next_id += 1;
    let ts = match rng.u8(..10) {
        0 => now - rng.i64(0..48 * HOUR), // late, hours back
        1 => now + rng.i64(0..3 * HOUR),  // far ahead
        _ => now + rng.i64(0..1_000),
    };
    let data = if rng.u8(..30) == 0 { json!({"blob": "x".repeat(rng.usize(1_000..40_000))}) } else { json!({"id": id, "n": rng.u32(..)}) };
    let e = NewEvent::new(&id, TYPES[rng.usize(..TYPES.len())], "model", ts, data);
    match rng.u8(..3) {
        0 => e.caused_by(&format!("chain-{}", rng.u8(..12)), None),
        _ => e,
    }
}

fn check(log: &EventLogStore, model: &Model, rng: &mut fastrand::Rng, now: i64) {
    let all = log.replay(0, None).unwrap();
    assert_eq!(all, model.events, "replay of everything");
    let after = rng.u64(0..=model.next_seq);
    let page = rng.usize(..50);
    let expected: Vec<u64> = model.events.iter().filter(|e| e.sequence > after).take(page).map(|e| e.sequence).collect();
    assert_eq!(seqs(&log.replay(after, page).unwrap()), expected, "replay({after}, {page})");
    let a = now - rng.i64(0..50 * HOUR);
    let b = a + rng.i64(0..54 * HOUR);
    let page = Page { offset: rng.usize(..20), limit: if rng.bool() { None } else { Some(rng.usize(..200)) } };
    let in_range = |e: &EventLogEntry| (a..b).contains(&e.metadata.timestamp);
    assert_eq!(seqs(&log.query_range(a..b, page).unwrap()), model.by_time(in_range, page), "query_range({a}..{b}, {page:?})");
    assert_eq!(seqs(&log.query_range(.., None).unwrap()), model.by_time(|_| true, Page::ALL));
    let t = TYPES[rng.usize(..TYPES.len())];
    let of_type = |e: &EventLogEntry| e.event_type == t && e.metadata.timestamp >= a;
    assert_eq!(seqs(&log.query_by_type(t, a.., page).unwrap()), model.by_time(of_type, page), "query_by_type({t}, {a}.., {page:?})");
    let mut texts = Vec::new();
    log.query_by_type_text(t, a.., page, |seq, e| {
        assert_eq!(e.event_type, t);
        texts.push(seq);
        Ok(())
    })
    .unwrap();
    assert_eq!(texts, model.by_time(of_type, page));
    let chain = format!("chain-{}", rng.u8(..12));
    let in_chain: Vec<u64> =
        model.events.iter().filter(|e| e.metadata.correlation_id.as_deref() == Some(&chain)).map(|e| e.sequence).collect();
    assert_eq!(seqs(&log.query_by_correlation(&chain).unwrap()), in_chain, "chain {chain}");
    for _ in 0..5 {
        let id = format!("e{}", rng.u64(..model.next_id.max(1)));
        let stored = model.events.iter().find(|e| e.event_id == id);
        assert_eq!(log.get(&id).unwrap().as_ref(), stored, "get({id})");
    }
    assert_eq!(log.total_bytes().unwrap() == 0, model.events.is_empty(), "bytes of an empty log");
}

on_both_backends! {
    fn the_event_log_answers_as_a_list_of_events_does(fx) {
        let s = seed("NTS_EVENTS_SEED");
        let mut rng = fastrand::Rng::with_seed(s);
        let mut model = Model { events: Vec::new(), next_id: 0, next_seq: 1 };
        let mut now = 100 * HOUR;
        for step in 0..40 {
            now += rng.i64(0..HOUR);
            let log = fx.db.events();
            match rng.u8(..10) {
                0..=5 => {
                    let n = if rng.bool() { rng.usize(1..5) } else { rng.usize(5..1_200) };
                    let batch: Vec<NewEvent> = (0..n).map(|_| random_event(&mut rng, &mut model, now)).collect();
                    let range = log.append_batch(&batch).unwrap();
                    assert_eq!((range.first, range.len()), (model.next_seq, n as u64), "seed {s}, step {step}");
                    for (seq, e) in range.iter().zip(batch) {
                        model.events.push(EventLogEntry {
                            event_id: e.event_id,
                            event_type: e.event_type,
                            event_data: e.event_data,
                            metadata: e.metadata,
                            sequence: seq,
                        });
                    }
                    model.next_seq = range.last + 1;
                }
                6 => {
                    let e = random_event(&mut rng, &mut model, now);
                    let stored = log.append(&e).unwrap();
                    assert_eq!(stored.sequence, model.next_seq);
                    model.next_seq += 1;
                    model.events.push(stored);
                }
                7 | 8 => {
                    let keep = RetentionWindow::hours(rng.u32(1..30));
                    let by_type: BTreeMap<String, RetentionWindow> = match rng.u8(..3) {
                        0 => BTreeMap::from([("b".to_string(), RetentionWindow::hours(rng.u32(1..5)))]),
                        1 => BTreeMap::from([("c".to_string(), RetentionWindow::FOREVER)]),
                        _ => BTreeMap::new(),
                    };
                    let window = |t: &str| by_type.get(t).copied().unwrap_or(keep);
                    let before = model.events.len();
                    model.keep(|e| window(&e.event_type).cutoff(now).is_none_or(|c| e.metadata.timestamp >= c));
                    let r = log.cleanup(now, &EventRetention { keep, max_size_mb: 1_000, by_type: by_type.clone() }).unwrap();
                    assert_eq!((r.expired, r.over_size), ((before - model.events.len()) as u64, 0), "seed {s}, step {step}");
                }
                _ => {
                    // A size cap of 0 drops every event, oldest first.
                    let r = log.cleanup(now, &EventRetention { keep: RetentionWindow::FOREVER, max_size_mb: 0, ..Default::default() }).unwrap();
                    assert_eq!(r.over_size, model.events.len() as u64, "seed {s}, step {step}");
                    model.events.clear();
                }
            }
            check(fx.db.events(), &model, &mut rng, now);
            if step % 20 == 19 && fx.is_redb() {
                fx = fx.reopen();
                check(fx.db.events(), &model, &mut rng, now);
            }
        }
        assert_eq!(fx.db.events().last_sequence().unwrap(), model.next_seq - 1);
    }
}
