//! The C API's JSON and record-text inputs, called through the `nts_*` functions exactly as a
//! C program calls them.
//!
//! The first byte picks an entry point, the rest is its text argument. A C caller can only
//! pass bytes up to the first NUL, so the text is cut there and NUL-terminated; anything
//! else (invalid UTF-8, malformed or hostile JSON, wrong shapes) reaches the library. For
//! every call: no panic escapes and none is caught at the boundary (`NTS_PANIC` is a bug),
//! a failure carries a message, text that is not UTF-8 is `NTS_INVALID_UTF8`, text that
//! does not decode as the record is `NTS_INVALID_INPUT`, and what is accepted reads back
//! through the C API as it was given.

use neotalk_storage::{
    AlertRecord, AlertSeverity, BackupConfig, BackupType, DecisionRecord, DecisionStatus, DeviceState, EventLogEntry, ExecutionResult,
    MemoryEntry, NewEvent, RetentionConfig, RuleExecutionRecord, SequencedMessage, SessionMessage, StepExecutionRecord, TelemetryPoint,
    UserResponse, VectorDocument, VectorFilter, WorkflowExecutionRecord,
};
use neotalk_storage_ffi::nts_status::{self, *};
use neotalk_storage_ffi::*;
use serde::de::DeserializeOwned;
use std::ffi::{c_char, CStr, CString};
use std::ptr::{null, null_mut};

/// The fuzz bytes as a C caller passes them: up to the first NUL, NUL-terminated.
fn c_text(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).expect("no NUL before end")
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(nts_last_error_message()) }.to_string_lossy().into_owned()
}

/// Takes a library-owned JSON result and frees it.
fn take(out: *mut c_char) -> String {
    assert!(!out.is_null(), "OK status without a result");
    let text = unsafe { CStr::from_ptr(out) }.to_str().expect("results are UTF-8").to_owned();
    unsafe { strings::nts_string_free(out) };
    text
}

fn parse<T: DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("a result does not decode: {e}: {json}"))
}

/// What the library must answer for `text` as a `T` argument, from an independent decode.
enum Expect<T> {
    Utf8Error,
    Invalid,
    Valid(T),
}

fn expect<T: DeserializeOwned>(text: &CStr) -> Expect<T> {
    match text.to_str() {
        Err(_) => Expect::Utf8Error,
        Ok(s) => match serde_json::from_str(s) {
            Ok(v) => Expect::Valid(v),
            Err(_) => Expect::Invalid,
        },
    }
}

/// Checks a call's status against what the argument decodes to; returns the decoded record
/// when the call succeeded. A valid record may still be refused by the store (bad ids,
/// non-finite numbers, conflicts), with a message.
fn checked<T>(status: nts_status, expected: Expect<T>) -> Option<T> {
    assert_ne!(status, NTS_PANIC, "panic caught at the C boundary: {}", last_error());
    if status != NTS_OK {
        assert!(!last_error().is_empty(), "status {status:?} without a message");
    }
    match expected {
        Expect::Utf8Error => assert_eq!(status, NTS_INVALID_UTF8, "{}", last_error()),
        Expect::Invalid => assert_eq!(status, NTS_INVALID_INPUT, "{}", last_error()),
        Expect::Valid(v) => {
            assert!(!matches!(status, NTS_INVALID_UTF8 | NTS_NULL_POINTER), "{status:?}: {}", last_error());
            return (status == NTS_OK).then_some(v);
        }
    }
    None
}

fn ok(status: nts_status) {
    assert_eq!(status, NTS_OK, "setup call failed: {}", last_error());
}

struct Db(*mut nts_storage);

impl Db {
    fn in_memory() -> Db {
        let mut db = null_mut();
        // max_points 0: buffered telemetry commits at once.
        ok(unsafe { storage::nts_storage_open_in_memory(c"{\"write_buffer\":{\"max_points\":0}}".as_ptr(), &mut db) });
        Db(db)
    }

    fn on_disk(dir: &std::path::Path) -> Db {
        let mut db = null_mut();
        let path = CString::new(dir.to_str().expect("temp path is UTF-8")).unwrap();
        ok(unsafe { storage::nts_storage_open(path.as_ptr(), null(), &mut db) });
        Db(db)
    }

    /// Calls `f` with a result slot; returns the status and the JSON result when OK.
    fn get(&self, f: impl FnOnce(*const nts_storage, *mut *mut c_char) -> nts_status) -> (nts_status, Option<String>) {
        let mut out = null_mut();
        let status = f(self.0, &mut out);
        (status, (status == NTS_OK).then(|| take(out)))
    }

    fn must_get(&self, f: impl FnOnce(*const nts_storage, *mut *mut c_char) -> nts_status) -> String {
        let (status, out) = self.get(f);
        assert_eq!(status, NTS_OK, "read back failed: {}", last_error());
        out.unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        ok(unsafe { storage::nts_storage_close(self.0) });
        unsafe { storage::nts_storage_free(self.0) };
    }
}

fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

const DECISION: &CStr = c"{\"decision_id\":\"dec1\",\"title\":\"t\",\"description\":\"d\",\"reasoning\":\"r\",\"proposed_actions\":[],\"confidence\":0.5,\"created_at\":100,\"status\":\"Proposed\",\"user_response\":null,\"execution_result\":null,\"review_id\":null}";
const WORKFLOW: &CStr = c"{\"execution_id\":\"w1\",\"workflow_id\":\"wf\",\"workflow_name\":\"flow\",\"trigger_type\":\"manual\",\"trigger_data\":null,\"started_at\":100,\"finished_at\":null,\"status\":\"Running\",\"steps\":[],\"inputs\":null,\"outputs\":null,\"error\":null}";

/// Runs one fuzz input; panics when the contract above does not hold.
pub fn check(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else { return };
    let text = c_text(rest);
    let arg = text.as_ptr();
    let db = Db::in_memory();
    let h = db.0;
    unsafe {
        match which % 29 {
            0 => {
                let e = expect::<AlertRecord>(&text);
                if let Some(a) = checked(alerts::nts_alerts_create(h, arg), e) {
                    let id = cs(&a.alert_id);
                    let got: AlertRecord = parse(&db.must_get(|d, o| alerts::nts_alerts_get(d, id.as_ptr(), o)));
                    assert_eq!(got, a);
                }
            }
            1 => {
                let e = expect::<DecisionRecord>(&text);
                if let Some(r) = checked(decisions::nts_decisions_create(h, arg), e) {
                    let id = cs(&r.decision_id);
                    let got: DecisionRecord = parse(&db.must_get(|d, o| decisions::nts_decisions_get(d, id.as_ptr(), o)));
                    assert_eq!(got, r);
                }
            }
            2 => {
                let e = expect::<DeviceState>(&text);
                if let Some(s) = checked(devices::nts_devices_upsert(h, arg), e) {
                    let id = cs(&s.device_id);
                    let got: DeviceState = parse(&db.must_get(|d, o| devices::nts_devices_get(d, id.as_ptr(), o)));
                    assert_eq!((got.device_type, got.online, got.last_seen, got.config), (s.device_type, s.online, s.last_seen, s.config));
                }
            }
            3 => {
                let e = expect::<NewEvent>(&text);
                let (status, out) = db.get(|d, o| events::nts_events_append(d, arg, o));
                if let Some(ev) = checked(status, e) {
                    let stored: EventLogEntry = parse(&out.unwrap());
                    assert_eq!((&stored.event_id, &stored.event_type, &stored.event_data), (&ev.event_id, &ev.event_type, &ev.event_data));
                    let id = cs(&ev.event_id);
                    let got: EventLogEntry = parse(&db.must_get(|d, o| events::nts_events_get(d, id.as_ptr(), o)));
                    assert_eq!(got, stored);
                }
            }
            4 => {
                let e = expect::<Vec<NewEvent>>(&text);
                let mut range = events::nts_sequence_range { first: 0, last: 0 };
                let status = events::nts_events_append_batch(db.0, arg, &mut range);
                if let Some(evs) = checked(status, e) {
                    assert_eq!(range.last + 1 - range.first, evs.len() as u64);
                    let all: Vec<EventLogEntry> = parse(&db.must_get(|d, o| events::nts_events_replay(d, 0, args::NTS_NO_LIMIT, o)));
                    let stored: Vec<(&str, &serde_json::Value)> =
                        all.iter().filter(|s| (range.first..=range.last).contains(&s.sequence)).map(|s| (&s.event_id[..], &s.event_data)).collect();
                    assert_eq!(stored, evs.iter().map(|e| (&e.event_id[..], &e.event_data)).collect::<Vec<_>>());
                }
            }
            5 => {
                let e = expect::<MemoryEntry>(&text);
                if let Some(m) = checked(memory::nts_memory_add(h, arg), e) {
                    let id = cs(&m.memory_id);
                    let got: MemoryEntry = parse(&db.must_get(|d, o| memory::nts_memory_peek(d, id.as_ptr(), o)));
                    assert_eq!((got.memory_type, got.content, got.embedding), (m.memory_type, m.content, m.embedding));
                }
            }
            6 => {
                let e = expect::<Vec<MemoryEntry>>(&text);
                if let Some(ms) = checked(memory::nts_memory_add_many(h, arg), e) {
                    let mut n = 0u64;
                    ok(memory::nts_memory_count(h, &mut n));
                    let distinct: std::collections::HashSet<_> = ms.iter().map(|m| &m.memory_id).collect();
                    assert_eq!(n, distinct.len() as u64);
                }
            }
            7 => {
                ok(memory::nts_memory_add(h, c"{\"memory_id\":\"m1\",\"memory_type\":\"DeviceKnowledge\",\"content\":\"c\",\"embedding\":null,\"metadata\":{\"keywords\":[],\"importance\":0.5,\"entities\":[],\"expires_at\":null},\"created_at\":1,\"last_accessed\":null,\"access_count\":0}".as_ptr()));
                let e = expect::<MemoryEntry>(&text);
                if let Some(m) = checked(memory::nts_memory_update(h, arg), e) {
                    let id = cs(&m.memory_id);
                    let got: MemoryEntry = parse(&db.must_get(|d, o| memory::nts_memory_peek(d, id.as_ptr(), o)));
                    assert_eq!(got.content, m.content);
                }
            }
            8 => {
                let e = expect::<RuleExecutionRecord>(&text);
                if let Some(r) = checked(rules::nts_rules_record(h, arg), e) {
                    let id = cs(&r.execution_id);
                    let got: RuleExecutionRecord = parse(&db.must_get(|d, o| rules::nts_rules_get(d, id.as_ptr(), o)));
                    assert_eq!(got, r);
                }
            }
            9 => {
                let e = expect::<Vec<RuleExecutionRecord>>(&text);
                if let Some(rs) = checked(rules::nts_rules_record_batch(h, arg), e) {
                    for r in &rs {
                        let id = cs(&r.execution_id);
                        let got: RuleExecutionRecord = parse(&db.must_get(|d, o| rules::nts_rules_get(d, id.as_ptr(), o)));
                        assert_eq!(got.execution_id, r.execution_id);
                    }
                }
            }
            10 => {
                db.must_get(|d, o| sessions::nts_sessions_create(d, c"s".as_ptr(), c"t".as_ptr(), 0, o));
                let e = expect::<SessionMessage>(&text);
                let mut seq = 0u64;
                if let Some(m) = checked(sessions::nts_sessions_append_message(h, c"s".as_ptr(), arg, &mut seq), e) {
                    let got: Vec<SequencedMessage> = parse(&db.must_get(|d, o| sessions::nts_sessions_load_messages(d, c"s".as_ptr(), o)));
                    assert_eq!(got.len(), 1);
                    assert_eq!((got[0].sequence, &got[0].message), (seq, &m));
                }
            }
            11 => {
                db.must_get(|d, o| sessions::nts_sessions_create(d, c"s".as_ptr(), c"t".as_ptr(), 0, o));
                let e = expect::<Vec<SessionMessage>>(&text);
                let (status, out) = db.get(|d, o| sessions::nts_sessions_append_messages(d, c"s".as_ptr(), arg, o));
                if let Some(ms) = checked(status, e) {
                    let seqs: Vec<u64> = parse(&out.unwrap());
                    let got: Vec<SequencedMessage> = parse(&db.must_get(|d, o| sessions::nts_sessions_load_messages(d, c"s".as_ptr(), o)));
                    assert_eq!(got.iter().map(|m| m.sequence).collect::<Vec<_>>(), seqs);
                    assert_eq!(got.into_iter().map(|m| m.message).collect::<Vec<_>>(), ms);
                }
            }
            12 => {
                let e = expect::<Vec<TelemetryPoint>>(&text);
                if let Some(points) = checked(timeseries::nts_ts_write_batch_json(h, arg), e) {
                    for p in &points {
                        let (dev, metric) = (cs(&p.device_id), cs(&p.metric));
                        let t = p.point.timestamp;
                        let got: Vec<serde_json::Value> =
                            parse(&db.must_get(|d, o| {
                                query::nts_query_device_data(d, dev.as_ptr(), metric.as_ptr(), t, t.saturating_add(1), o)
                            }));
                        assert_eq!(got.len(), usize::from(t != i64::MAX), "point {p:?}");
                    }
                }
            }
            13 | 14 | 15 => {
                ok(vectors::nts_vectors_create_collection(h, c"c".as_ptr(), 2, c"Euclidean".as_ptr(), null_mut()));
                let v = [1.0f32, 2.0];
                match which % 29 {
                    13 => {
                        let e = expect::<serde_json::Value>(&text);
                        if let Some(meta) = checked(vectors::nts_vectors_upsert(h, c"c".as_ptr(), c"v".as_ptr(), v.as_ptr(), 2, arg), e) {
                            let got: VectorDocument =
                                parse(&db.must_get(|d, o| vectors::nts_vectors_get(d, c"c".as_ptr(), c"v".as_ptr(), o)));
                            assert_eq!((got.embedding, got.metadata), (v.to_vec(), meta));
                        }
                    }
                    14 => {
                        let e = expect::<Vec<VectorDocument>>(&text);
                        if let Some(docs) = checked(vectors::nts_vectors_upsert_many(h, c"c".as_ptr(), arg), e) {
                            // A repeated id: the last one wins.
                            for doc in docs.iter().rev() {
                                let id = cs(&doc.id);
                                let got: VectorDocument =
                                    parse(&db.must_get(|d, o| vectors::nts_vectors_get(d, c"c".as_ptr(), id.as_ptr(), o)));
                                let last = docs.iter().rev().find(|x| x.id == doc.id).unwrap();
                                assert_eq!(&got, last);
                            }
                        }
                    }
                    _ => {
                        ok(vectors::nts_vectors_upsert(h, c"c".as_ptr(), c"v".as_ptr(), v.as_ptr(), 2, c"{\"kind\":\"a\"}".as_ptr()));
                        let e = expect::<VectorFilter>(&text);
                        let (status, out) = db.get(|d, o| vectors::nts_vectors_search(d, c"c".as_ptr(), v.as_ptr(), 2, 5, arg, o));
                        if let Some(f) = checked(status, e) {
                            let hits: Vec<serde_json::Value> = parse(&out.unwrap());
                            let matches = f.field == "kind" && f.value == serde_json::json!("a");
                            assert_eq!(hits.len(), usize::from(matches), "filter {f:?}");
                        }
                    }
                }
            }
            16 => {
                let e = expect::<WorkflowExecutionRecord>(&text);
                if let Some(w) = checked(workflows::nts_workflows_start(h, arg), e) {
                    let id = cs(&w.execution_id);
                    let got: WorkflowExecutionRecord = parse(&db.must_get(|d, o| workflows::nts_workflows_get(d, id.as_ptr(), o)));
                    assert_eq!(got, w);
                }
            }
            17 => {
                ok(workflows::nts_workflows_start(h, WORKFLOW.as_ptr()));
                let e = expect::<WorkflowExecutionRecord>(&text);
                let (status, out) = db.get(|d, o| workflows::nts_workflows_update(d, arg, o));
                if checked(status, e).is_some() {
                    let stored: WorkflowExecutionRecord = parse(&out.unwrap());
                    let id = cs(&stored.execution_id);
                    let got: WorkflowExecutionRecord = parse(&db.must_get(|d, o| workflows::nts_workflows_get(d, id.as_ptr(), o)));
                    assert_eq!(got, stored);
                }
            }
            18 => {
                ok(workflows::nts_workflows_start(h, WORKFLOW.as_ptr()));
                let e = expect::<StepExecutionRecord>(&text);
                let (status, _) = db.get(|d, o| workflows::nts_workflows_record_step(d, c"w1".as_ptr(), arg, o));
                if let Some(step) = checked(status, e) {
                    let got: WorkflowExecutionRecord = parse(&db.must_get(|d, o| workflows::nts_workflows_get(d, c"w1".as_ptr(), o)));
                    assert_eq!(got.steps, vec![step]);
                }
            }
            19 => {
                ok(workflows::nts_workflows_start(h, WORKFLOW.as_ptr()));
                let e = expect::<serde_json::Value>(&text);
                let (status, _) =
                    db.get(|d, o| workflows::nts_workflows_finish(d, c"w1".as_ptr(), c"Completed".as_ptr(), 200, arg, null(), o));
                if let Some(outputs) = checked(status, e) {
                    let got: WorkflowExecutionRecord = parse(&db.must_get(|d, o| workflows::nts_workflows_get(d, c"w1".as_ptr(), o)));
                    assert_eq!(got.outputs, Some(outputs));
                }
            }
            20 | 21 => {
                ok(decisions::nts_decisions_create(h, DECISION.as_ptr()));
                let e = expect::<UserResponse>(&text);
                let f = if which % 29 == 20 { decisions::nts_decisions_approve } else { decisions::nts_decisions_reject };
                let (status, _) = db.get(|d, o| f(d, c"dec1".as_ptr(), arg, o));
                if let Some(r) = checked(status, e) {
                    let got: DecisionRecord = parse(&db.must_get(|d, o| decisions::nts_decisions_get(d, c"dec1".as_ptr(), o)));
                    assert_eq!(got.user_response, Some(r));
                }
            }
            22 => {
                ok(decisions::nts_decisions_create(h, DECISION.as_ptr()));
                let (status, _) = db.get(|d, o| {
                    decisions::nts_decisions_approve(
                        d,
                        c"dec1".as_ptr(),
                        c"{\"user_id\":\"u\",\"response\":\"approved\",\"responded_at\":150,\"comments\":null}".as_ptr(),
                        o,
                    )
                });
                ok(status);
                let e = expect::<ExecutionResult>(&text);
                let (status, _) = db.get(|d, o| decisions::nts_decisions_record_execution_result(d, c"dec1".as_ptr(), arg, o));
                if let Some(result) = checked(status, e) {
                    let got: DecisionRecord = parse(&db.must_get(|d, o| decisions::nts_decisions_get(d, c"dec1".as_ptr(), o)));
                    assert_eq!(got.execution_result, Some(result));
                }
            }
            23 => {
                let e = expect::<RetentionConfig>(&text);
                let (status, out) = db.get(|d, o| maintenance::nts_storage_cleanup(d, arg, 1_000_000, o));
                if checked(status, e).is_some() {
                    let report: serde_json::Value = parse(&out.unwrap());
                    assert!(report.get("removed").is_some(), "{report}");
                }
            }
            24 => {
                // Options merge over the defaults, so any object of known fields decodes.
                let mut other = null_mut();
                let status = storage::nts_storage_open_in_memory(arg, &mut other);
                assert_ne!(status, NTS_PANIC, "{}", last_error());
                if text.to_str().is_err() {
                    assert_eq!(status, NTS_INVALID_UTF8);
                }
                if status == NTS_OK {
                    assert!(text
                        .to_str()
                        .ok()
                        .and_then(|s| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s).ok())
                        .is_some());
                    ok(alerts::nts_alerts_create(other, c"{\"alert_id\":\"a\",\"title\":\"t\",\"severity\":\"Info\",\"message\":\"m\",\"entity_id\":null,\"entity_type\":null,\"created_at\":1,\"acknowledged\":false,\"acknowledged_by\":null,\"acknowledged_at\":null,\"resolved_at\":null,\"source\":\"s\"}".as_ptr()));
                    ok(storage::nts_storage_close(other));
                    storage::nts_storage_free(other);
                } else {
                    assert!(other.is_null() && !last_error().is_empty());
                }
            }
            25 | 26 => {
                // Enum names as text: accepted exactly when the core's FromStr accepts them.
                let (status, out) = if which % 29 == 25 {
                    let e = match text.to_str() {
                        Err(_) => Expect::Utf8Error,
                        Ok(s) => s.parse::<AlertSeverity>().map_or(Expect::Invalid, Expect::Valid),
                    };
                    let (status, out) = db.get(|d, o| alerts::nts_alerts_query_by_severity(d, arg, 0, 10, 0, o));
                    (checked(status, e).map(|_| ()), out)
                } else {
                    let e = match text.to_str() {
                        Err(_) => Expect::Utf8Error,
                        Ok(s) => s.parse::<DecisionStatus>().map_or(Expect::Invalid, Expect::Valid),
                    };
                    let (status, out) = db.get(|d, o| decisions::nts_decisions_query_by_status(d, arg, 0, 10, 0, o));
                    (checked(status, e).map(|_| ()), out)
                };
                if status.is_some() {
                    assert_eq!(parse::<Vec<serde_json::Value>>(&out.unwrap()).len(), 0);
                }
            }
            27 => {
                // kind_json, with a config that keeps the backups in a temporary directory.
                drop(db);
                let dir = tempfile::tempdir().expect("temp dir");
                let file_db = Db::on_disk(&dir.path().join("data"));
                let config = cs(&serde_json::json!({ "backup_dir": dir.path().join("b") }).to_string());
                let e = expect::<BackupType>(&text);
                let (status, out) = file_db.get(|d, o| backup::nts_backup_create(d, config.as_ptr(), arg, o));
                if checked(status, e).is_some() {
                    let info: serde_json::Value = parse(&out.unwrap());
                    let id = cs(info["id"].as_str().expect("backup id"));
                    let verdict: serde_json::Value =
                        parse(&file_db.must_get(|d, o| backup::nts_backup_verify(d, config.as_ptr(), id.as_ptr(), o)));
                    assert_eq!(verdict["ok"], serde_json::json!(true), "{verdict}");
                }
            }
            _ => {
                // Backups need a file database; backup_dir is taken from the config, so only
                // configs that keep it inside the temporary data directory are passed on.
                drop(db);
                let dir = tempfile::tempdir().expect("temp dir");
                let file_db = Db::on_disk(dir.path());
                let e = expect::<BackupConfig>(&text);
                if let Expect::Valid(cfg) = &e {
                    let inside = std::path::Path::new(&cfg.backup_dir).components().all(|c| matches!(c, std::path::Component::Normal(_)));
                    if !inside {
                        return;
                    }
                }
                let (status, out) = file_db.get(|d, o| backup::nts_backup_create(d, arg, c"{\"type\":\"full\"}".as_ptr(), o));
                if let Some(cfg) = checked(status, e) {
                    let info: serde_json::Value = parse(&out.unwrap());
                    let id = cs(info["id"].as_str().expect("backup id"));
                    let (status, out) = file_db.get(|d, o| backup::nts_backup_verify(d, arg, id.as_ptr(), o));
                    assert_eq!(status, NTS_OK, "{}", last_error());
                    let verdict: serde_json::Value = parse(&out.unwrap());
                    assert_eq!(verdict["ok"], serde_json::json!(true), "{verdict} for {cfg:?}");
                    let listed: Vec<serde_json::Value> = parse(&file_db.must_get(|d, o| backup::nts_backup_list(d, arg, o)));
                    assert_eq!(listed.len(), 1);
                }
            }
        }
    }
}
