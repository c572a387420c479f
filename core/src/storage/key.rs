//! Order-preserving tuple key encoding shared by every table.
//!
//! A key is a tuple of strings and integers. Encoded keys compare (as bytes) exactly as the
//! tuples compare element by element, so prefix scans and range scans are correct for any
//! Unicode id and for negative timestamps.
//!
//! - strings: every `0x00` byte is escaped as `0x00 0xFF`, and the string ends with `0x00 0x01`.
//!   The terminator sorts below every escaped or ordinary byte, so `"a" < "a\0" < "ab"` holds
//!   whatever element follows (the escape scheme of Google's ordered-code).
//! - unsigned integers: big-endian.
//! - signed integers: big-endian with the sign bit flipped, so negatives sort first.

use crate::error::{Result, StorageError};

const ESCAPE: u8 = 0x00;
const ESCAPED_NUL: u8 = 0xFF;
const TERMINATOR: u8 = 0x01;

/// Builds an encoded key element by element.
#[derive(Debug, Default, Clone)]
pub struct KeyBuilder {
    buf: Vec<u8>,
}

impl KeyBuilder {
    /// An empty key.
    pub fn new() -> Self {
        KeyBuilder { buf: Vec::with_capacity(32) }
    }

    /// Appends a string element.
    pub fn str(mut self, s: &str) -> Self {
        for &b in s.as_bytes() {
            self.buf.push(b);
            if b == ESCAPE {
                self.buf.push(ESCAPED_NUL);
            }
        }
        self.buf.extend_from_slice(&[ESCAPE, TERMINATOR]);
        self
    }

    /// Appends a signed 64-bit integer element.
    pub fn i64(mut self, v: i64) -> Self {
        self.buf.extend_from_slice(&((v as u64) ^ (1 << 63)).to_be_bytes());
        self
    }

    /// Appends an unsigned 64-bit integer element.
    pub fn u64(mut self, v: u64) -> Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends an unsigned 32-bit integer element.
    pub fn u32(mut self, v: u32) -> Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends a single byte element (flags, small enums).
    pub fn u8(mut self, v: u8) -> Self {
        self.buf.push(v);
        self
    }

    /// The encoded key.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Decodes the elements of an encoded key in order.
#[derive(Debug, Clone)]
pub struct KeyReader<'a> {
    buf: &'a [u8],
}

impl<'a> KeyReader<'a> {
    /// Reads from the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        KeyReader { buf }
    }

    fn take<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        if self.buf.len() < N {
            return Err(StorageError::Corrupted(format!("key too short for {what}")));
        }
        let (head, rest) = self.buf.split_at(N);
        self.buf = rest;
        Ok(head.try_into().expect("length checked"))
    }

    /// Reads a string element.
    pub fn str(&mut self) -> Result<String> {
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            let b = *self.buf.get(i).ok_or_else(|| StorageError::Corrupted("unterminated string in key".into()))?;
            if b != ESCAPE {
                out.push(b);
                i += 1;
                continue;
            }
            match self.buf.get(i + 1) {
                Some(&TERMINATOR) => {
                    self.buf = &self.buf[i + 2..];
                    break;
                }
                Some(&ESCAPED_NUL) => {
                    out.push(0);
                    i += 2;
                }
                _ => return Err(StorageError::Corrupted("bad escape in key string".into())),
            }
        }
        String::from_utf8(out).map_err(|_| StorageError::Corrupted("key string is not UTF-8".into()))
    }

    /// Reads a signed 64-bit integer element.
    pub fn i64(&mut self) -> Result<i64> {
        Ok((u64::from_be_bytes(self.take::<8>("i64")?) ^ (1 << 63)) as i64)
    }

    /// Reads an unsigned 64-bit integer element.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.take::<8>("u64")?))
    }

    /// Reads an unsigned 32-bit integer element.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.take::<4>("u32")?))
    }

    /// Reads a single byte element.
    #[cfg_attr(not(feature = "fuzzing"), allow(dead_code))] // symmetric with `KeyBuilder::u8`; the fuzzer decodes it
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take::<1>("u8")?[0])
    }

    /// Whether every element has been read.
    #[cfg_attr(not(any(test, feature = "fuzzing")), allow(dead_code))] // the fuzzer checks decoding consumed everything
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

/// The smallest key greater than every key that starts with `prefix`, or `None` when no such
/// key exists (the prefix is all `0xFF`). `[prefix, prefix_end(prefix))` is the prefix's range.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last != 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// A key as hex, for messages.
pub(crate) fn hex(key: &[u8]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc(s: &str, i: i64, u: u64) -> Vec<u8> {
        KeyBuilder::new().str(s).i64(i).u64(u).finish()
    }

    fn any_string() -> impl Strategy<Value = String> {
        prop_oneof![".*", "[a\\x00\\x01\\u{FF}]{0,6}", "[温度湿度功率🌡️😀]{0,4}", Just(String::new()),]
    }

    fn any_i64() -> impl Strategy<Value = i64> {
        prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), Just(0), Just(-1), -3i64..3]
    }

    fn any_u64() -> impl Strategy<Value = u64> {
        prop_oneof![any::<u64>(), Just(u64::MAX), Just(0), 0u64..3]
    }

    proptest! {
        #[test]
        fn encoded_order_equals_tuple_order(
            a in (any_string(), any_i64(), any_u64()),
            b in (any_string(), any_i64(), any_u64()),
        ) {
            let ea = enc(&a.0, a.1, a.2);
            let eb = enc(&b.0, b.1, b.2);
            prop_assert_eq!(ea.cmp(&eb), a.cmp(&b));
        }

        #[test]
        fn two_strings_order(a in (any_string(), any_string()), b in (any_string(), any_string())) {
            let ea = KeyBuilder::new().str(&a.0).str(&a.1).finish();
            let eb = KeyBuilder::new().str(&b.0).str(&b.1).finish();
            prop_assert_eq!(ea.cmp(&eb), a.cmp(&b));
        }

        #[test]
        fn decode_round_trips(s in any_string(), i in any_i64(), u in any_u64(), x in any::<u32>()) {
            let k = KeyBuilder::new().str(&s).i64(i).u64(u).u32(x).finish();
            let mut r = KeyReader::new(&k);
            prop_assert_eq!(r.str().unwrap(), s);
            prop_assert_eq!(r.i64().unwrap(), i);
            prop_assert_eq!(r.u64().unwrap(), u);
            prop_assert_eq!(r.u32().unwrap(), x);
            prop_assert!(r.is_empty());
        }

        #[test]
        fn prefix_range_contains_exactly_the_prefixed_keys(p in any_string(), s in any_string(), i in any_i64()) {
            let prefix = KeyBuilder::new().str(&p).finish();
            let key = KeyBuilder::new().str(&s).i64(i).finish();
            let end = prefix_end(&prefix).unwrap();
            let inside = key >= prefix && key < end;
            prop_assert_eq!(inside, s == p);
        }

        #[test]
        fn reader_never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut r = KeyReader::new(&bytes);
            let _ = r.str();
            let _ = r.i64();
            let _ = r.u32();
        }
    }

    #[test]
    fn known_orderings() {
        assert!(enc("a", 0, 0) < enc("a\0", 0, 0));
        assert!(enc("a", i64::MAX, u64::MAX) < enc("a\0", i64::MIN, 0));
        assert!(enc("a\0", 0, 0) < enc("ab", 0, 0));
        assert!(enc("", 0, 0) < enc("\0", 0, 0));
        assert!(enc("x", i64::MIN, 0) < enc("x", -1, 0));
        assert!(enc("x", -1, 0) < enc("x", 0, 0));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
    }
}
