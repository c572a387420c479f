//! MSB-first bit streams for the Gorilla-style and bit-packed columns.

use super::corrupted;
use crate::error::Result;

/// Where bit fields go: a [`BitWriter`], or a [`BitCounter`] that only measures.
pub(crate) trait BitSink {
    /// Writes the low `n` bits of `value` (`n <= 64`), most significant first.
    fn write(&mut self, value: u64, n: u32);

    fn bit(&mut self, b: bool) {
        self.write(b as u64, 1);
    }

    /// Whether the caller may stop: a counter past its limit.
    fn is_full(&self) -> bool {
        false
    }
}

/// Counts the bits an encoding would take, without writing them; full past `limit`.
pub(crate) struct BitCounter {
    pub(crate) bits: usize,
    pub(crate) limit: usize,
}

impl BitSink for BitCounter {
    fn write(&mut self, _value: u64, n: u32) {
        self.bits += n as usize;
    }

    fn is_full(&self) -> bool {
        self.bits > self.limit
    }
}

/// Appends bit fields to a byte buffer, eight bytes at a time.
#[derive(Default)]
pub(crate) struct BitWriter {
    out: Vec<u8>,
    /// Pending bits, left-aligned (the next bit goes below the `used` top bits).
    acc: u64,
    used: u32,
}

impl BitWriter {
    pub(crate) fn new() -> Self {
        BitWriter::default()
    }

    /// A writer whose buffer holds `bytes` without growing.
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        BitWriter { out: Vec::with_capacity(bytes), acc: 0, used: 0 }
    }

    /// The bytes, the last one zero-padded.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let tail = self.used.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.acc.to_be_bytes()[..tail]);
        self.out
    }
}

impl BitSink for BitWriter {
    fn write(&mut self, value: u64, n: u32) {
        debug_assert!(n <= 64);
        if n == 0 {
            return;
        }
        let v = if n == 64 { value } else { value & ((1u64 << n) - 1) };
        let free = 64 - self.used;
        if n < free {
            self.acc |= v << (free - n);
            self.used += n;
        } else {
            // Fill the word, emit it, keep the `n - free` low bits that did not fit.
            let rest = n - free;
            self.acc |= if rest == 64 { 0 } else { v >> rest };
            self.out.extend_from_slice(&self.acc.to_be_bytes());
            self.acc = if rest == 0 { 0 } else { v << (64 - rest) };
            self.used = rest;
        }
    }
}

/// Reads bit fields written by [`BitWriter`]; reading past the end is `Corrupted`.
pub(crate) struct BitReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        BitReader { buf, pos: 0 }
    }

    /// Reads `n <= 64` bits.
    pub(crate) fn read(&mut self, n: u32) -> Result<u64> {
        if n > 64 || self.pos + n as usize > self.buf.len() * 8 {
            return Err(corrupted("bit stream truncated"));
        }
        if n == 0 {
            return Ok(0);
        }
        let byte = self.pos / 8;
        let word = match self.buf.get(byte..byte + 16) {
            Some(w) => u128::from_be_bytes(w.try_into().expect("16 bytes")),
            None => {
                let mut w = [0u8; 16];
                w[..self.buf.len() - byte].copy_from_slice(&self.buf[byte..]);
                u128::from_be_bytes(w)
            }
        };
        let word = word << (self.pos % 8);
        self.pos += n as usize;
        Ok((word >> (128 - n)) as u64)
    }

    /// Skips consecutive zero bits, at most `max`, stopping before a one bit or at the end of
    /// the stream; returns how many were skipped (as many `bit()` calls returning `false`).
    pub(crate) fn zeros(&mut self, max: usize) -> usize {
        let mut n = 0;
        while n < max && self.pos < self.buf.len() * 8 {
            let byte = self.pos / 8;
            let take = (self.buf.len() - byte).min(8);
            let mut w = [0u8; 8];
            w[..take].copy_from_slice(&self.buf[byte..byte + take]);
            let shift = self.pos % 8;
            let word = u64::from_be_bytes(w) << shift;
            let limit = (take * 8 - shift).min(max - n);
            let run = (word.leading_zeros() as usize).min(limit);
            n += run;
            self.pos += run;
            if run < limit {
                break;
            }
        }
        n
    }

    pub(crate) fn bit(&mut self) -> Result<bool> {
        if self.pos >= self.buf.len() * 8 {
            return Err(corrupted("bit stream truncated"));
        }
        let b = self.buf[self.pos / 8] >> (7 - self.pos % 8) & 1;
        self.pos += 1;
        Ok(b == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fields_round_trip(fields in proptest::collection::vec((any::<u64>(), 0u32..=64), 0..64)) {
            let mut w = BitWriter::new();
            for (v, n) in &fields {
                w.write(*v, *n);
            }
            let bytes = w.finish();
            let mut r = BitReader::new(&bytes);
            for (v, n) in &fields {
                let mask = if *n == 64 { u64::MAX } else { (1u64 << n) - 1 };
                prop_assert_eq!(r.read(*n).unwrap(), v & mask);
            }
        }
    }

    proptest! {
        #[test]
        fn zeros_skips_like_single_bits(bytes in proptest::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 0..24), skip in 0u32..8, max in 0usize..200) {
            let (mut a, mut b) = (BitReader::new(&bytes), BitReader::new(&bytes));
            if a.read(skip).is_ok() {
                b.read(skip).unwrap();
                let n = a.zeros(max);
                let mut m = 0;
                while m < max && b.bit().ok() == Some(false) {
                    m += 1;
                }
                prop_assert_eq!(n, m);
                prop_assert_eq!(a.pos, skip as usize + n);
                // It stopped at a one bit, at the end, or at `max`.
                if n < max && a.pos < bytes.len() * 8 {
                    prop_assert!(a.bit().unwrap());
                }
            }
        }
    }

    #[test]
    fn reading_past_the_end_is_an_error() {
        let mut r = BitReader::new(&[0xff]);
        assert_eq!(r.read(5).unwrap(), 0b11111);
        assert!(r.read(4).is_err());
        assert!(BitReader::new(&[0; 16]).read(65).is_err());
    }
}
