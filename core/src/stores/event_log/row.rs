//! The stored row of an event (table `events`, keyed by sequence).
//!
//! Written rows are binary: a format byte, the id, type and source as length-prefixed
//! strings, the timestamp, which causal links follow, and last the payload's JSON text as it
//! was given. Appending then prints the payload once (or, for text from C, not at all) and a
//! replay as text hands it out without parsing it; the JSON row of before parsed and printed
//! the whole entry both ways, which was most of a replay's time.
//!
//! Rows of the first format, the JSON of an [`EventLogEntry`] (they start with `{`), are
//! still read.

use super::{EventLogEntry, EventMetadata, EventText};
use crate::error::{Result, StorageError};
use crate::stores::timeseries::codec::{put_block, ByteReader};

/// The format byte of a binary row (a JSON row starts with `{`).
const BINARY: u8 = 2;
const HAS_CORRELATION: u8 = 1;
const HAS_CAUSATION: u8 = 2;

/// Appends the row of `e` to `out`.
pub(super) fn encode(e: &EventText<'_>, out: &mut Vec<u8>) {
    out.push(BINARY);
    put_block(out, e.event_id.as_bytes());
    put_block(out, e.event_type.as_bytes());
    put_block(out, e.source.as_bytes());
    out.extend_from_slice(&e.timestamp.to_le_bytes());
    let flags = if e.correlation_id.is_some() { HAS_CORRELATION } else { 0 } | if e.causation_id.is_some() { HAS_CAUSATION } else { 0 };
    out.push(flags);
    for link in [e.correlation_id, e.causation_id].into_iter().flatten() {
        put_block(out, link.as_bytes());
    }
    out.extend_from_slice(e.data.as_bytes());
}

/// The bytes [`encode`] writes for `e`.
pub(super) fn encoded_len(e: &EventText<'_>) -> usize {
    let block = |s: &str| s.len() + 10;
    1 + block(e.event_id)
        + block(e.event_type)
        + block(e.source)
        + 9
        + e.correlation_id.map_or(0, block)
        + e.causation_id.map_or(0, block)
        + e.data.len()
}

/// A stored row, either format: a binary row is borrowed, a JSON row decoded.
pub(super) enum Row<'a> {
    Binary(EventText<'a>),
    Json(EventLogEntry),
}

impl<'a> Row<'a> {
    /// Reads the row of event `seq`; damage is `Corrupted` naming the event.
    pub(super) fn read(row: &'a [u8], seq: u64) -> Result<Self> {
        let damaged = || StorageError::Corrupted(format!("event {seq}: the stored row is damaged"));
        if row.first() != Some(&BINARY) {
            return serde_json::from_slice(row).map(Row::Json).map_err(|_| damaged());
        }
        let text = |bytes: &'a [u8]| std::str::from_utf8(bytes).map_err(|_| damaged());
        let mut r = ByteReader::new(&row[1..]);
        let mut next = || r.block().map_err(|_| damaged()).and_then(text);
        let (event_id, event_type, source) = (next()?, next()?, next()?);
        let timestamp = i64::from_le_bytes(r.array().map_err(|_| damaged())?);
        let flags = r.u8().map_err(|_| damaged())?;
        let mut link = |bit: u8| -> Result<Option<&'a str>> {
            if flags & bit == 0 {
                return Ok(None);
            }
            r.block().map_err(|_| damaged()).and_then(text).map(Some)
        };
        let (correlation_id, causation_id) = (link(HAS_CORRELATION)?, link(HAS_CAUSATION)?);
        let data = text(r.bytes(r.remaining()).map_err(|_| damaged())?)?;
        Ok(Row::Binary(EventText { event_id, event_type, data, correlation_id, causation_id, source, timestamp }))
    }

    /// The event as text: a JSON row's payload is printed (old rows only).
    pub(super) fn with_text<T>(&self, f: impl FnOnce(&EventText<'_>) -> T) -> T {
        match self {
            Row::Binary(e) => f(e),
            Row::Json(e) => f(&EventText::of(&e.event_id, &e.event_type, &e.event_data.to_string(), &e.metadata)),
        }
    }

    /// The fields the indexes are keyed by: (event id, type, timestamp, correlation id).
    pub(super) fn keys(&self) -> (&str, &str, i64, Option<&str>) {
        match self {
            Row::Binary(e) => (e.event_id, e.event_type, e.timestamp, e.correlation_id),
            Row::Json(e) => (&e.event_id, &e.event_type, e.metadata.timestamp, e.metadata.correlation_id.as_deref()),
        }
    }

    /// The timestamp of the event.
    pub(super) fn timestamp(&self) -> i64 {
        self.keys().2
    }

    /// The stored entry (`seq` is the row's key), its payload parsed.
    pub(super) fn into_entry(self, seq: u64) -> Result<EventLogEntry> {
        match self {
            Row::Json(e) => Ok(e),
            Row::Binary(e) => Ok(EventLogEntry {
                event_id: e.event_id.into(),
                event_type: e.event_type.into(),
                event_data: serde_json::from_str(e.data)
                    .map_err(|err| StorageError::Corrupted(format!("event {seq}: the stored payload is not JSON ({err})")))?,
                metadata: EventMetadata {
                    correlation_id: e.correlation_id.map(Into::into),
                    causation_id: e.causation_id.map(Into::into),
                    source: e.source.into(),
                    timestamp: e.timestamp,
                },
                sequence: seq,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(data: &'a str, correlation_id: Option<&'a str>, causation_id: Option<&'a str>) -> EventText<'a> {
        EventText { event_id: "e-1", event_type: "device.offline", data, correlation_id, causation_id, source: "mqtt", timestamp: -5 }
    }

    #[test]
    fn binary_rows_round_trip_with_and_without_links() {
        for (c, k) in [(None, None), (Some("chain"), None), (None, Some("cause")), (Some("chain"), Some("cause"))] {
            let e = sample(r#"{"b": 1, "a": [true]}"#, c, k);
            let mut row = Vec::new();
            encode(&e, &mut row);
            assert!(row.len() <= encoded_len(&e));
            match Row::read(&row, 7).unwrap() {
                Row::Binary(back) => assert_eq!(back, e, "the payload text is kept as given"),
                Row::Json(_) => panic!("read as JSON"),
            }
            let entry = Row::read(&row, 7).unwrap().into_entry(7).unwrap();
            assert_eq!((entry.sequence, entry.metadata.correlation_id.as_deref()), (7, c));
        }
    }

    #[test]
    fn json_rows_of_the_first_format_still_read() {
        let json = r#"{"event_id":"old","event_type":"t","event_data":{"x":1},"metadata":{"correlation_id":"c","causation_id":null,"source":"s","timestamp":9},"sequence":3}"#;
        let row = Row::read(json.as_bytes(), 3).unwrap();
        assert_eq!(row.keys(), ("old", "t", 9, Some("c")));
        row.with_text(|e| assert_eq!(e.data, r#"{"x":1}"#));
        assert_eq!(row.into_entry(3).unwrap().event_data, serde_json::json!({"x": 1}));
    }

    #[test]
    fn damaged_rows_are_corrupted_naming_the_event() {
        let mut row = Vec::new();
        encode(&sample("null", Some("c"), None), &mut row);
        for cut in 1..row.len() {
            match Row::read(&row[..cut], 42) {
                Err(StorageError::Corrupted(m)) => assert!(m.contains("event 42"), "{m}"),
                Err(e) => panic!("cut at {cut}: {e:?}"),
                // A cut inside the payload leaves a shorter text: the payload parse finds it.
                Ok(r) => assert!(r.into_entry(42).is_err(), "cut at {cut}"),
            }
        }
        assert!(matches!(Row::read(&[BINARY, 0xff], 1), Err(StorageError::Corrupted(_))));
        assert!(matches!(Row::read(b"not json", 1), Err(StorageError::Corrupted(_))));
    }
}
