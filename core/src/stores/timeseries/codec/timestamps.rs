//! Delta-of-delta timestamps (Gorilla paper, section 4.1.1).
//!
//! The first timestamp is a zig-zag varint; each later one is coded by the change of its delta
//! in a bit stream: `0` for no change (regular sampling: one bit per point), otherwise a
//! prefix choosing 7, 9, 12, 32 or 64 bits of the zig-zagged change. Arithmetic wraps, so any
//! `i64` sequence round-trips, sorted or not.

use super::bits::{BitReader, BitSink, BitWriter};
use super::{put_block, put_varint, unzigzag, zigzag, ByteReader};
use crate::error::Result;

/// (prefix, prefix bits, payload bits) for codes that do not fit the previous class.
const CLASSES: [(u64, u32, u32); 5] = [(0b10, 2, 7), (0b110, 3, 9), (0b1110, 4, 12), (0b11110, 5, 32), (0b11111, 5, 64)];

pub(crate) fn encode(ts: &[i64], out: &mut Vec<u8>) {
    let Some(&first) = ts.first() else { return };
    put_varint(out, zigzag(first));
    // Regular sampling takes one bit per point.
    let mut w = BitWriter::with_capacity(ts.len() / 8 + 16);
    let (mut prev, mut prev_delta) = (first, 0i64);
    for &t in &ts[1..] {
        let delta = t.wrapping_sub(prev);
        let code = zigzag(delta.wrapping_sub(prev_delta));
        if code == 0 {
            w.bit(false);
        } else {
            let (prefix, plen, bits) =
                *CLASSES.iter().find(|(_, _, bits)| *bits == 64 || code < 1u64 << bits).expect("the last class holds any code");
            w.write(prefix, plen);
            w.write(code, bits);
        }
        prev = t;
        prev_delta = delta;
    }
    put_block(out, &w.finish());
}

pub(crate) fn decode(r: &mut ByteReader<'_>, n: usize) -> Result<Vec<i64>> {
    let mut ts = Vec::with_capacity(n);
    if n == 0 {
        return Ok(ts);
    }
    let first = unzigzag(r.varint()?);
    ts.push(first);
    let mut bits = BitReader::new(r.block()?);
    let (mut prev, mut prev_delta) = (first, 0i64);
    while ts.len() < n {
        // Runs of unchanged deltas (regular sampling) are skipped a word at a time.
        for _ in 0..bits.zeros(n - ts.len()) {
            prev = prev.wrapping_add(prev_delta);
            ts.push(prev);
        }
        if ts.len() == n {
            break;
        }
        // Not a zero bit, so a one bit or the end of the stream (an error).
        bits.bit()?;
        let mut class = 0;
        while class < 4 && bits.bit()? {
            class += 1;
        }
        let code = bits.read(CLASSES[class].2)?;
        let delta = prev_delta.wrapping_add(unzigzag(code));
        prev = prev.wrapping_add(delta);
        prev_delta = delta;
        ts.push(prev);
    }
    Ok(ts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(ts: &[i64]) -> Vec<i64> {
        let mut out = Vec::new();
        encode(ts, &mut out);
        let mut r = ByteReader::new(&out);
        let back = decode(&mut r, ts.len()).unwrap();
        assert!(r.is_empty());
        back
    }

    proptest! {
        #[test]
        fn any_timestamps_round_trip(ts in proptest::collection::vec(any::<i64>(), 0..300)) {
            prop_assert_eq!(round_trip(&ts), ts);
        }

        #[test]
        fn jittered_sorted_timestamps_round_trip(start in any::<i64>(), jitter in proptest::collection::vec(0i64..5_000, 1..1024)) {
            let ts: Vec<i64> = jitter.iter().scan(start, |t, j| { *t = t.saturating_add(1000 + j); Some(*t) }).collect();
            prop_assert_eq!(round_trip(&ts), ts);
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), n in 0usize..2000) {
            let _ = decode(&mut ByteReader::new(&bytes), n);
        }
    }

    #[test]
    fn extremes_and_regular_spacing() {
        let ts = [i64::MIN, i64::MAX, i64::MIN, 0, -1, i64::MAX];
        assert_eq!(round_trip(&ts), ts);
        let regular: Vec<i64> = (0..1024).map(|i| 1_700_000_000_000 + i * 1000).collect();
        let mut out = Vec::new();
        encode(&regular, &mut out);
        assert_eq!(round_trip(&regular), regular);
        // 6-byte first value, 1 bit per later point after the first delta.
        assert!(out.len() < 6 + 2 + 3 + 1024 / 8 + 2, "{} bytes", out.len());
    }

    #[test]
    fn truncated_streams_are_corrupted() {
        let ts: Vec<i64> = (0..100).map(|i| i * i).collect();
        let mut out = Vec::new();
        encode(&ts, &mut out);
        for cut in 0..out.len() {
            assert!(decode(&mut ByteReader::new(&out[..cut]), ts.len()).is_err(), "cut at {cut}");
        }
    }
}
