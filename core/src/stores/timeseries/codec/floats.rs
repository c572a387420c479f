//! Float columns: Gorilla XOR coding or decimal scaling, whichever is smaller per chunk.
//!
//! Sensor values usually carry a few decimals (`21.37`). XOR of neighbouring doubles then still
//! leaves ~40 meaningful bits, so when every value of the chunk is exactly `m / 10^e` for an
//! integer `m` and `e <= 6` (the ALP / VictoriaMetrics idea), the integers `m` are stored
//! instead: first value, then zig-zag deltas bit-packed at the width of the largest. Both
//! codings are exact: decoding gives the same bits, `-0.0` included.

use super::bits::{BitCounter, BitReader, BitSink, BitWriter};
use super::{corrupted, put_block, put_varint, unzigzag, zigzag, ByteReader};
use crate::error::Result;

const GORILLA: u8 = 0;
const DECIMAL: u8 = 1;
/// Largest decimal exponent tried.
const MAX_EXPONENT: u32 = 6;
/// Integers up to 2^53 convert to f64 exactly.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

const POW10: [f64; MAX_EXPONENT as usize + 1] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

pub(crate) fn encode(values: &[f64], out: &mut Vec<u8>) {
    if values.is_empty() {
        return;
    }
    // Where the decimal coding applies, measure the XOR coding (only until it is certain to
    // lose) and write the smaller one; otherwise XOR is the only choice, written in one pass.
    if let Some(decimal) = decimal_encode(values) {
        let mut counter = BitCounter { bits: 0, limit: decimal.len() * 8 };
        gorilla_into(values, &mut counter);
        if decimal.len() < counter.bits.div_ceil(8) {
            out.push(DECIMAL);
            out.extend_from_slice(&decimal);
            return;
        }
    }
    out.push(GORILLA);
    let mut w = BitWriter::new();
    gorilla_into(values, &mut w);
    put_block(out, &w.finish());
}

pub(crate) fn decode(r: &mut ByteReader<'_>, n: usize) -> Result<Vec<f64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match r.u8()? {
        GORILLA => gorilla_decode(r.block()?, n),
        DECIMAL => decimal_decode(r, n),
        _ => Err(corrupted("unknown float coding")),
    }
}

/// `m` with `m / 10^e == v` bit for bit, if there is one.
fn scaled(v: f64, e: u32) -> Option<i64> {
    let p = POW10[e as usize];
    let x = v * p;
    // Also refuses NaN, which no comparison accepts.
    if x.is_nan() || x.abs() >= MAX_EXACT {
        return None;
    }
    // Round half away from zero with an inline cast (no libm call); a wrong neighbour at a
    // tie only fails the check below. The check goes through the integer as the decoder
    // computes it, so -0.0 is refused (0 / p is +0.0).
    let m = (x + 0.5f64.copysign(x)) as i64;
    ((m as f64 / p).to_bits() == v.to_bits()).then_some(m)
}

/// The smallest exponent that makes every value an exact integer, and those integers.
fn decimal_digits(values: &[f64]) -> Option<(u32, Vec<i64>)> {
    let mut e = 0;
    let mut ints = Vec::with_capacity(values.len());
    // One pass when the first values already show the exponent (the usual case); a value
    // that needs a larger one restarts the scaling from the first value.
    let mut i = 0;
    while i < values.len() {
        match scaled(values[i], e) {
            Some(m) => {
                ints.push(m);
                i += 1;
            }
            None => {
                e += 1;
                if e > MAX_EXPONENT {
                    return None;
                }
                ints.clear();
                i = 0;
            }
        }
    }
    Some((e, ints))
}

fn decimal_encode(values: &[f64]) -> Option<Vec<u8>> {
    let (e, ints) = decimal_digits(values)?;
    let delta = |w: &[i64]| zigzag(w[1].wrapping_sub(w[0]));
    let width = 64 - ints.windows(2).fold(0, |a, w| a | delta(w)).leading_zeros();
    let mut out = Vec::with_capacity(12 + (ints.len() * width as usize).div_ceil(8));
    out.push(e as u8);
    put_varint(&mut out, zigzag(ints[0]));
    out.push(width as u8);
    let mut w = BitWriter::with_capacity((ints.len() * width as usize).div_ceil(8) + 8);
    for pair in ints.windows(2) {
        w.write(delta(pair), width);
    }
    out.extend_from_slice(&w.finish());
    Some(out)
}

fn decimal_decode(r: &mut ByteReader<'_>, n: usize) -> Result<Vec<f64>> {
    let e = r.u8()? as u32;
    if e > MAX_EXPONENT {
        return Err(corrupted("decimal exponent out of range"));
    }
    let p = POW10[e as usize];
    let mut m = unzigzag(r.varint()?);
    let width = r.u8()? as u32;
    if width > 64 {
        return Err(corrupted("bit width out of range"));
    }
    let packed = ((n - 1) * width as usize).div_ceil(8);
    let mut bits = BitReader::new(r.bytes(packed)?);
    let mut out = Vec::with_capacity(n);
    out.push(m as f64 / p);
    for _ in 1..n {
        m = m.wrapping_add(unzigzag(bits.read(width)?));
        out.push(m as f64 / p);
    }
    Ok(out)
}

fn gorilla_into(values: &[f64], w: &mut impl BitSink) {
    let mut prev = values[0].to_bits();
    w.write(prev, 64);
    // The meaningful-bit window of the previous XOR: (leading zeros, trailing zeros).
    let mut window: Option<(u32, u32)> = None;
    for v in &values[1..] {
        if w.is_full() {
            return;
        }
        let bits = v.to_bits();
        let xor = bits ^ prev;
        prev = bits;
        if xor == 0 {
            w.bit(false);
            continue;
        }
        w.bit(true);
        let lead = xor.leading_zeros().min(31);
        let trail = xor.trailing_zeros();
        match window {
            Some((l, t)) if lead >= l && trail >= t => {
                w.bit(false);
                w.write(xor >> t, 64 - l - t);
            }
            _ => {
                let len = 64 - lead - trail;
                w.bit(true);
                w.write(lead as u64, 5);
                w.write((len - 1) as u64, 6);
                w.write(xor >> trail, len);
                window = Some((lead, trail));
            }
        }
    }
}

fn gorilla_decode(block: &[u8], n: usize) -> Result<Vec<f64>> {
    let mut r = BitReader::new(block);
    let mut prev = r.read(64)?;
    let mut out = Vec::with_capacity(n);
    out.push(f64::from_bits(prev));
    let mut window: Option<(u32, u32)> = None;
    for _ in 1..n {
        if r.bit()? {
            let (lead, trail) = if r.bit()? {
                let lead = r.read(5)? as u32;
                let len = r.read(6)? as u32 + 1;
                if lead + len > 64 {
                    return Err(corrupted("XOR window out of range"));
                }
                let w = (lead, 64 - lead - len);
                window = Some(w);
                w
            } else {
                window.ok_or_else(|| corrupted("XOR window reused before it was set"))?
            };
            prev ^= r.read(64 - lead - trail)? << trail;
        }
        out.push(f64::from_bits(prev));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(values: &[f64]) -> (Vec<f64>, usize) {
        let mut out = Vec::new();
        encode(values, &mut out);
        let mut r = ByteReader::new(&out);
        let back = decode(&mut r, values.len()).unwrap();
        assert!(r.is_empty());
        (back, out.len())
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|f| f.to_bits()).collect()
    }

    /// Random-walk values with two decimals, like the benchmark's sensors.
    fn walk(n: usize) -> Vec<f64> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut v = 20.0;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                v += ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.2;
                (v * 100.0f64).round() / 100.0
            })
            .collect()
    }

    proptest! {
        #[test]
        fn finite_floats_round_trip_bit_exactly(values in proptest::collection::vec(any::<f64>().prop_filter("finite", |f| f.is_finite()), 1..300)) {
            prop_assert_eq!(bits(&round_trip(&values).0), bits(&values));
        }

        #[test]
        fn decimal_values_round_trip(ints in proptest::collection::vec(-10_000_000i64..10_000_000, 1..300), e in 0usize..=6) {
            let values: Vec<f64> = ints.iter().map(|&m| m as f64 / POW10[e]).collect();
            prop_assert_eq!(bits(&round_trip(&values).0), bits(&values));
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), n in 0usize..2000) {
            let _ = decode(&mut ByteReader::new(&bytes), n);
        }
    }

    #[test]
    fn special_values_round_trip() {
        let values = [0.0, -0.0, f64::MIN, f64::MAX, f64::MIN_POSITIVE, -f64::MIN_POSITIVE, 5e-324, 0.1, -0.0, 1e300];
        assert_eq!(bits(&round_trip(&values).0), bits(&values));
        // -0.0 is not decimal (0 / 1 is +0.0), so the chunk falls back to XOR coding.
        assert_eq!(decimal_digits(&[1.5, -0.0]), None);
        assert_eq!(decimal_digits(&[1.5, 0.25, -3.0]), Some((2, vec![150, 25, -300])));
        assert_eq!(decimal_digits(&[0.1234567]), None);
    }

    #[test]
    fn two_decimal_random_walk_packs_below_one_byte_per_value() {
        let values = walk(1024);
        let (back, len) = round_trip(&values);
        assert_eq!(bits(&back), bits(&values));
        assert!(len < 1024, "{len} bytes");
        let mut xor = BitCounter { bits: 0, limit: usize::MAX };
        gorilla_into(&values, &mut xor);
        assert!(len < xor.bits / 8 / 4, "{len} bytes against {} of XOR coding", xor.bits / 8);
    }

    #[test]
    fn corrupted_codings_are_errors() {
        assert!(decode(&mut ByteReader::new(&[7]), 3).is_err());
        assert!(decode(&mut ByteReader::new(&[DECIMAL, 9, 0, 0]), 2).is_err());
        assert!(decode(&mut ByteReader::new(&[DECIMAL, 0, 0, 65]), 2).is_err());
        let mut out = Vec::new();
        encode(&[1.5, 2.75, 3.0, -1e10], &mut out);
        for cut in 0..out.len() {
            assert!(decode(&mut ByteReader::new(&out[..cut]), 4).is_err(), "cut at {cut}");
        }
    }
}
