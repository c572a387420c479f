//! Value checksums of the redb file: every stored value ends with a checksum of its table,
//! key and value, verified on every read, so a damaged byte is `Corrupted` naming the table
//! and key instead of a plausible wrong value.
//!
//! redb checks its own page checksums only in `check_integrity`, not on reads; a flipped byte
//! inside a value (a telemetry chunk, a record) otherwise decodes as a different value. The
//! checksum covers the key too, so a value that a damaged page shows under another key fails
//! as well. It is 32 bits of xxh3: enough to catch damage (a random corruption passes with
//! probability 2^-32) at 4 bytes per entry, which matters for index entries whose values are
//! empty. The in-memory backend has no checksums: its values never touch a disk.

use crate::error::{Result, StorageError};
use crate::storage::key::hex;
use xxhash_rust::xxh3::Xxh3;

/// Bytes appended to every value.
pub(crate) const CHECKSUM_BYTES: usize = 4;

fn checksum(table: &str, key: &[u8], value: &[u8]) -> [u8; CHECKSUM_BYTES] {
    let mut h = Xxh3::new();
    // Lengths first, so (table, key, value) splits are unambiguous.
    h.update(&(table.len() as u32).to_le_bytes());
    h.update(table.as_bytes());
    h.update(&(key.len() as u32).to_le_bytes());
    h.update(key);
    h.update(value);
    (h.digest() as u32).to_le_bytes()
}

/// The stored form of `value`: the value, then its checksum.
pub(crate) fn seal(table: &str, key: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + CHECKSUM_BYTES);
    seal_into(table, key, value, &mut out);
    out
}

/// [`seal`] into `out` (cleared first), so a commit reuses one buffer for all its values.
pub(crate) fn seal_into(table: &str, key: &[u8], value: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(value);
    out.extend_from_slice(&checksum(table, key, value));
}

/// The value of a stored entry after checking its checksum; a mismatch is `Corrupted`
/// naming the table and the key.
pub(crate) fn open<'a>(table: &str, key: &[u8], stored: &'a [u8]) -> Result<&'a [u8]> {
    let damaged = |why: &str| StorageError::Corrupted(format!("table {table}, key {}: {why}", hex(key)));
    if stored.len() < CHECKSUM_BYTES {
        return Err(damaged("the stored value is shorter than its checksum"));
    }
    let (value, sum) = stored.split_at(stored.len() - CHECKSUM_BYTES);
    if sum != checksum(table, key, value) {
        return Err(damaged("checksum mismatch (the stored value or key is damaged)"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flipped_bit_of_value_key_or_table_is_caught() {
        let sealed = seal("ts_chunks", b"key", b"value");
        assert_eq!(open("ts_chunks", b"key", &sealed).unwrap(), b"value");
        for i in 0..sealed.len() * 8 {
            let mut bad = sealed.clone();
            bad[i / 8] ^= 1 << (i % 8);
            let err = open("ts_chunks", b"key", &bad).unwrap_err();
            assert!(err.to_string().contains("table ts_chunks, key 6b6579: checksum mismatch"), "{err}");
        }
        assert!(open("ts_chunks", b"kez", &sealed).is_err());
        assert!(open("ts_series", b"key", &sealed).is_err());
        assert!(open("t", b"k", &[1, 2]).unwrap_err().to_string().contains("shorter than its checksum"));
        assert_eq!(open("t", b"", &seal("t", b"", b"")).unwrap(), b"");
    }
}
