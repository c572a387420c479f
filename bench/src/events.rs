//! The `events` suite: appending events in batches of 10,000 and replaying them, neotalk
//! (`EventLogStore::append_batch`, and the C entry point `nts_events_append_batch` with the
//! batch as one JSON text) against SQLite (a prepared INSERT in one transaction per batch),
//! interleaved batch by batch on the same events; then reads of everything by sequence, of
//! windows by time and by type, and of single events by id, each checked to return what
//! SQLite returns.
//!
//! Both sides keep the same indexes: by sequence (the row), unique event id, (timestamp,
//! sequence), (event type, timestamp, sequence) and (correlation id, sequence); both store the
//! payload as JSON text. Settings as in the telemetry suites: neotalk `Durability::Eventual`,
//! SQLite WAL with `synchronous=NORMAL`. Input is built outside the timed region (the
//! `NewEvent`s for neotalk, the payload text and fields for SQLite, the JSON text for C).

use crate::engines::Res;
use neotalk_storage::{Durability, NewEvent, StorageManager, StorageOptions};
use rusqlite::{params, Connection};
use std::ffi::CString;
use std::time::{Duration, Instant};

/// Events per batch (one transaction).
const BATCH: usize = 10_000;
const TYPES: [&str; 4] = ["device.reading", "device.offline", "rule.triggered", "alert.raised"];

/// The `i`-th event of the workload.
fn event(i: usize) -> NewEvent {
    let data = serde_json::json!({"device": format!("dev-{:02}", i % 50), "value": 20.0 + (i % 1000) as f64 / 100.0, "seq": i});
    let e = NewEvent::new(&format!("evt-{i:09}"), TYPES[i % TYPES.len()], "bench", 1_700_000_000_000 + i as i64, data);
    if i.is_multiple_of(4) {
        e.caused_by(&format!("chain-{}", i / 40), None)
    } else {
        e
    }
}

struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    fn open(path: &std::path::Path) -> Res<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL,
                 ts INTEGER NOT NULL, source TEXT NOT NULL, correlation_id TEXT, causation_id TEXT, data TEXT NOT NULL);
             CREATE INDEX events_by_time ON events (ts, seq);
             CREATE INDEX events_by_type ON events (event_type, ts, seq);
             CREATE INDEX events_by_correlation ON events (correlation_id, seq) WHERE correlation_id IS NOT NULL;",
        )?;
        Ok(Sqlite { conn })
    }

    /// One transaction, one cached prepared statement; the sequence is SQLite's rowid.
    fn append(&mut self, rows: &[(NewEvent, String)]) -> Res<(i64, i64)> {
        let tx = self.conn.transaction()?;
        let (mut first, mut last) = (0, 0);
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO events (event_id, event_type, ts, source, correlation_id, causation_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (k, (e, data)) in rows.iter().enumerate() {
                let m = &e.metadata;
                stmt.execute(params![e.event_id, e.event_type, m.timestamp, m.source, m.correlation_id, m.causation_id, data])?;
                last = tx.last_insert_rowid();
                if k == 0 {
                    first = last;
                }
            }
        }
        tx.commit()?;
        Ok((first, last))
    }

    /// The events with `ts` in `[from, to)` (of `event_type` when given), in (ts, seq) order,
    /// decoded as [`Self::replay`] does.
    fn query(&self, event_type: Option<&str>, from: i64, to: i64) -> Res<Vec<(String, serde_json::Value)>> {
        const COLUMNS: &str = "seq, event_id, event_type, ts, source, correlation_id, causation_id, data";
        let mut stmt = match event_type {
            None => self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE ts >= ?1 AND ts < ?2 ORDER BY ts, seq"))?,
            Some(_) => self
                .conn
                .prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE event_type = ?3 AND ts >= ?1 AND ts < ?2 ORDER BY ts, seq"))?,
        };
        let decode = |r: &rusqlite::Row<'_>| {
            let _: (i64, String, i64, String, Option<String>, Option<String>) =
                (r.get(0)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
            Ok((r.get::<_, String>(1)?, r.get::<_, String>(7)?))
        };
        let rows: Vec<(String, String)> = match event_type {
            None => stmt.query_map(params![from, to], decode)?.collect::<Result<_, _>>()?,
            Some(t) => stmt.query_map(params![from, to, t], decode)?.collect::<Result<_, _>>()?,
        };
        rows.into_iter().map(|(id, data)| Ok((id, serde_json::from_str(&data)?))).collect()
    }

    /// The event with this id (its id and payload, parsed), if any.
    fn get(&self, event_id: &str) -> Res<Option<(String, serde_json::Value)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, event_id, event_type, ts, source, correlation_id, causation_id, data FROM events WHERE event_id = ?1",
        )?;
        let mut rows = stmt.query(params![event_id])?;
        match rows.next()? {
            None => Ok(None),
            Some(r) => {
                let _: (i64, String, i64, String, Option<String>, Option<String>) =
                    (r.get(0)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
                Ok(Some((r.get(1)?, serde_json::from_str(&r.get::<_, String>(7)?)?)))
            }
        }
    }

    /// Up to `n` events after `after`, decoded back into their fields with the payload parsed.
    fn replay(&self, after: i64, n: usize) -> Res<Vec<(String, serde_json::Value)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, event_id, event_type, ts, source, correlation_id, causation_id, data FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, n as i64], |r| {
            let _: (i64, String, i64, String, Option<String>, Option<String>) =
                (r.get(0)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
            Ok((r.get::<_, String>(1)?, r.get::<_, String>(7)?))
        })?;
        let mut out = Vec::with_capacity(n);
        for row in rows {
            let (id, data) = row?;
            out.push((id, serde_json::from_str(&data)?));
        }
        Ok(out)
    }
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn row(label: &str, ours: f64, sqlite: f64) {
    println!("{label:<52} {:>12.0} {:>12.0} {:>9.2}x  events/s (higher is better)", ours, sqlite, ours / sqlite);
}

pub fn run(quick: bool) -> Res<()> {
    let batches = if quick { 5 } else { 20 };
    println!(
        "neotalk-storage-bench events{}: {batches} batches of {BATCH} events, interleaved; SQLite {}",
        if quick { " --quick" } else { "" },
        rusqlite::version()
    );
    println!("neotalk: redb, Durability::Eventual; SQLite: WAL, synchronous=NORMAL, prepared INSERT, one transaction per batch");
    println!("machine: {}\n", crate::machine());
    println!("{:<52} {:>12} {:>12} {:>10}", "figure", "neotalk", "SQLite", "neo/SQL");
    let dir = tempfile::tempdir()?;
    let options = StorageOptions { durability: Durability::Eventual, ..Default::default() };
    let db = StorageManager::open_with(dir.path().join("neotalk"), options.clone())?;
    let c_db = open_c(&dir.path().join("neotalk-c"))?;
    let mut sqlite = Sqlite::open(&dir.path().join("sqlite.db"))?;
    let (mut ours, mut c_path, mut theirs) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for b in 0..batches {
        let events: Vec<NewEvent> = (b * BATCH..(b + 1) * BATCH).map(event).collect();
        let rows: Vec<(NewEvent, String)> = events.iter().map(|e| (e.clone(), e.event_data.to_string())).collect();
        let text = CString::new(serde_json::to_string(&events)?)?;
        // Rotate who goes first, so none always meets a warm or a cold cache.
        for k in 0..3 {
            match (b + k) % 3 {
                0 => {
                    let t = Instant::now();
                    let range = db.events().append_batch(&events)?;
                    ours += t.elapsed();
                    assert_eq!(range.len(), BATCH as u64);
                }
                1 => {
                    let t = Instant::now();
                    let (first, last) = sqlite.append(&rows)?;
                    theirs += t.elapsed();
                    assert_eq!((last - first + 1) as usize, BATCH);
                }
                _ => {
                    let t = Instant::now();
                    let range = append_c(c_db, &text)?;
                    c_path += t.elapsed();
                    assert_eq!(range.last + 1 - range.first, BATCH as u64);
                }
            }
        }
    }
    let n = batches * BATCH;
    row(&format!("append_batch ({BATCH} events/txn)"), rate(n, ours), rate(n, theirs));
    row(&format!("C nts_events_append_batch ({BATCH} events as JSON)"), rate(n, c_path), rate(n, theirs));

    // Replay everything in pages of BATCH, checking both return the same events.
    let (mut ours, mut theirs) = (Duration::ZERO, Duration::ZERO);
    let mut after = 0u64;
    while (after as usize) < n {
        let t = Instant::now();
        let page = db.events().replay(after, BATCH)?;
        ours += t.elapsed();
        let t = Instant::now();
        let theirs_page = sqlite.replay(after as i64, BATCH)?;
        theirs += t.elapsed();
        assert_eq!(page.len(), theirs_page.len());
        assert!(page.iter().zip(&theirs_page).all(|(a, (id, data))| &a.event_id == id && &a.event_data == data), "engines disagree");
        after = page.last().map(|e| e.sequence).ok_or("replay returned nothing")?;
    }
    row(&format!("replay (pages of {BATCH}, payload parsed)"), rate(n, ours), rate(n, theirs));

    // Windows of 1,000 events by time, and the events of one type (a quarter of them) in
    // windows of 4,000, at spread-out places of the log; both engines must return the same.
    let windows = if quick { 50 } else { 200 };
    for (label, event_type, width) in
        [("query_range, windows of 1,000 events", None, 1_000), ("query_by_type, windows of 4,000 events", Some(TYPES[1]), 4_000)]
    {
        let (mut ours, mut theirs, mut seen) = (Duration::ZERO, Duration::ZERO, 0);
        for w in 0..windows {
            let from = 1_700_000_000_000 + ((w * 7_919) % (n - width)) as i64;
            let to = from + width as i64;
            let t = Instant::now();
            let page = match event_type {
                None => db.events().query_range(from..to, None)?,
                Some(ty) => db.events().query_by_type(ty, from..to, None)?,
            };
            ours += t.elapsed();
            let t = Instant::now();
            let theirs_page = sqlite.query(event_type, from, to)?;
            theirs += t.elapsed();
            assert_eq!(page.len(), theirs_page.len());
            assert!(page.iter().zip(&theirs_page).all(|(a, (id, data))| &a.event_id == id && &a.event_data == data), "engines disagree");
            seen += page.len();
        }
        row(&format!("{label} ({} queries)", windows), rate(seen, ours), rate(seen, theirs));
    }

    // Single events by id, spread over the log: a read of one event reads its block.
    let lookups = if quick { 2_000 } else { 10_000 };
    let (mut ours, mut theirs) = (Duration::ZERO, Duration::ZERO);
    for k in 0..lookups {
        let id = format!("evt-{:09}", (k * 7_919) % n);
        let t = Instant::now();
        let found = db.events().get(&id)?.ok_or("a stored event is missing")?;
        ours += t.elapsed();
        let t = Instant::now();
        let (their_id, data) = sqlite.get(&id)?.ok_or("SQLite lost an event")?;
        theirs += t.elapsed();
        assert!(found.event_id == their_id && found.event_data == data, "engines disagree");
    }
    row(&format!("get by id ({lookups} lookups)"), rate(lookups, ours), rate(lookups, theirs));
    unsafe {
        neotalk_storage_ffi::storage::nts_storage_close(c_db);
        neotalk_storage_ffi::storage::nts_storage_free(c_db);
    }
    Ok(())
}

fn open_c(path: &std::path::Path) -> Res<*mut neotalk_storage_ffi::storage::nts_storage> {
    let path = CString::new(path.to_str().ok_or("path is not UTF-8")?)?;
    let options = CString::new(r#"{"durability": "Eventual"}"#)?;
    let mut db = std::ptr::null_mut();
    let status = unsafe { neotalk_storage_ffi::storage::nts_storage_open(path.as_ptr(), options.as_ptr(), &mut db) };
    if status != neotalk_storage_ffi::status::nts_status::NTS_OK {
        return Err(format!("nts_storage_open: {status:?}").into());
    }
    Ok(db)
}

fn append_c(db: *mut neotalk_storage_ffi::storage::nts_storage, text: &CString) -> Res<neotalk_storage_ffi::events::nts_sequence_range> {
    let mut range = neotalk_storage_ffi::events::nts_sequence_range { first: 0, last: 0 };
    let status = unsafe { neotalk_storage_ffi::events::nts_events_append_batch(db, text.as_ptr(), &mut range) };
    if status != neotalk_storage_ffi::status::nts_status::NTS_OK {
        return Err(format!("nts_events_append_batch: {status:?}").into());
    }
    Ok(range)
}
