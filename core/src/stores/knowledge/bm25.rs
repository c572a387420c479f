//! Okapi BM25 scoring for keyword search over long-term memory.
//!
//! For a query of distinct terms `t` and a document `d` of length `|d|` terms:
//!
//! `score(d) = Σ idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))`
//!
//! with `k1 = 1.2`, `b = 0.75`, `idf(t) = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))` (the
//! non-negative form used by Lucene), `N` the number of entries, `n(t)` the entries that
//! contain `t`, and `avgdl` the mean entry length. A term repeated in the query counts once.

use crate::error::{Result, StorageError};
use std::collections::BTreeMap;

/// Term-frequency saturation.
pub const K1: f32 = 1.2;
/// Length normalisation.
pub const B: f32 = 0.75;

/// Inverse document frequency of a term found in `df` of `n` entries.
pub(crate) fn idf(n: u64, df: u64) -> f32 {
    let (n, df) = (n as f64, df as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln() as f32
}

/// One term's contribution to a document's score.
pub(crate) fn term_score(idf: f32, tf: u32, doc_len: u32, avgdl: f32) -> f32 {
    let tf = tf as f32;
    let norm = if avgdl > 0.0 { doc_len as f32 / avgdl } else { 1.0 };
    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * norm))
}

/// Term frequencies of a token list.
pub(crate) fn term_frequencies(tokens: Vec<String>) -> BTreeMap<String, u32> {
    let mut tf = BTreeMap::new();
    for t in tokens {
        *tf.entry(t).or_insert(0u32) += 1;
    }
    tf
}

/// A posting's value: term frequency and document length, so scoring needs no other read.
pub(crate) fn encode_posting(tf: u32, doc_len: u32) -> Vec<u8> {
    let mut v = tf.to_le_bytes().to_vec();
    v.extend_from_slice(&doc_len.to_le_bytes());
    v
}

pub(crate) fn decode_posting(v: &[u8]) -> Result<(u32, u32)> {
    if v.len() != 8 {
        return Err(StorageError::Corrupted("memory posting is not 8 bytes".into()));
    }
    Ok((u32::from_le_bytes([v[0], v[1], v[2], v[3]]), u32::from_le_bytes([v[4], v[5], v[6], v[7]])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarer_terms_and_higher_frequency_score_higher() {
        assert!(idf(100, 1) > idf(100, 50));
        assert!(idf(100, 100) > 0.0);
        let i = idf(10, 2);
        assert!(term_score(i, 3, 10, 10.0) > term_score(i, 1, 10, 10.0));
        // Same tf, shorter document wins.
        assert!(term_score(i, 1, 5, 10.0) > term_score(i, 1, 20, 10.0));
        // Saturation: tf -> inf approaches idf * (k1 + 1).
        assert!(term_score(i, 1_000_000, 10, 10.0) < i * (K1 + 1.0) + 1e-3);
    }

    #[test]
    fn postings_round_trip_and_reject_garbage() {
        assert_eq!(decode_posting(&encode_posting(3, 17)).unwrap(), (3, 17));
        assert!(decode_posting(&[1, 2, 3]).is_err());
    }
}
