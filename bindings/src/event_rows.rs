//! Events as one JSON text for the bulk reads of the Python layer: a list of uniffi records
//! costs a foreign call's worth of lifting per field (two records per event), while one
//! string decodes with one `json.loads` in C. The payload is spliced in as the stored text.

use neotalk_storage::EventText;
use neotalk_storage::{Result, StorageError};

/// A JSON array of events, each the row
/// `[sequence, event_id, event_type, data, source, timestamp, correlation_id, causation_id]`.
pub(crate) struct EventRows(Vec<u8>);

impl EventRows {
    pub(crate) fn new() -> Self {
        EventRows(vec![b'['])
    }

    /// Appends one event whose payload is JSON text.
    pub(crate) fn push(&mut self, sequence: u64, e: EventText<'_>) -> Result<()> {
        if self.0.len() > 1 {
            self.0.push(b',');
        }
        self.0.push(b'[');
        self.0.extend_from_slice(sequence.to_string().as_bytes());
        for text in [e.event_id, e.event_type] {
            self.0.push(b',');
            self.json(&text)?;
        }
        self.0.push(b',');
        self.0.extend_from_slice(e.data.as_bytes());
        self.0.push(b',');
        self.json(&e.source)?;
        self.0.push(b',');
        self.0.extend_from_slice(e.timestamp.to_string().as_bytes());
        for link in [e.correlation_id, e.causation_id] {
            self.0.push(b',');
            self.json(&link)?;
        }
        self.0.push(b']');
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<String> {
        self.0.push(b']');
        // Every piece is UTF-8: JSON printed by serde_json and payload text checked on append.
        String::from_utf8(self.0).map_err(|e| StorageError::Corrupted(format!("event rows are not UTF-8: {e}")))
    }

    fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        serde_json::to_writer(&mut self.0, value).map_err(not_printable)
    }
}

fn not_printable(e: serde_json::Error) -> StorageError {
    StorageError::Corrupted(format!("event does not print as JSON: {e}"))
}
