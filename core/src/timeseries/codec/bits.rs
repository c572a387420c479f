//! MSB-first bit streams for the Gorilla-style and bit-packed columns.

use super::corrupted;
use crate::error::Result;

/// Appends bit fields to a byte buffer.
#[derive(Default)]
pub(crate) struct BitWriter {
    out: Vec<u8>,
    cur: u8,
    used: u32,
}

impl BitWriter {
    pub(crate) fn new() -> Self {
        BitWriter::default()
    }

    /// Writes the low `n` bits of `value` (`n <= 64`), most significant first.
    pub(crate) fn write(&mut self, value: u64, n: u32) {
        debug_assert!(n <= 64);
        let mut remaining = n;
        while remaining > 0 {
            let space = 8 - self.used;
            let take = space.min(remaining);
            let shift = remaining - take;
            let bits = ((value >> shift) & ((1u64 << take) - 1)) as u8;
            self.cur |= bits << (space - take);
            self.used += take;
            remaining -= take;
            if self.used == 8 {
                self.out.push(self.cur);
                self.cur = 0;
                self.used = 0;
            }
        }
    }

    pub(crate) fn bit(&mut self, b: bool) {
        self.write(b as u64, 1);
    }

    /// The bytes, the last one zero-padded.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        if self.used > 0 {
            self.out.push(self.cur);
        }
        self.out
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
        let mut v = 0u64;
        let mut remaining = n;
        while remaining > 0 {
            let byte = self.buf[self.pos / 8];
            let offset = (self.pos % 8) as u32;
            let avail = 8 - offset;
            let take = avail.min(remaining);
            let bits = (byte >> (avail - take)) as u64 & ((1u64 << take) - 1);
            v = (v << take) | bits;
            self.pos += take as usize;
            remaining -= take;
        }
        Ok(v)
    }

    pub(crate) fn bit(&mut self) -> Result<bool> {
        Ok(self.read(1)? == 1)
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

    #[test]
    fn reading_past_the_end_is_an_error() {
        let mut r = BitReader::new(&[0xff]);
        assert_eq!(r.read(5).unwrap(), 0b11111);
        assert!(r.read(4).is_err());
        assert!(BitReader::new(&[0; 16]).read(65).is_err());
    }
}
