//! Column encodings of telemetry chunks (see `super::chunk`).
//!
//! Every decoder reads through [`ByteReader`] / [`bits::BitReader`], which bound-check each
//! access, so arbitrary bytes decode to `StorageError::Corrupted`, never a panic.

pub(crate) mod bits;
pub(crate) mod booleans;
pub(crate) mod floats;
pub(crate) mod integers;
pub(crate) mod strings;
pub(crate) mod timestamps;

use crate::error::{Result, StorageError};

/// The error of every decoder: the stored bytes are not a valid chunk.
pub(crate) fn corrupted(what: &str) -> StorageError {
    StorageError::Corrupted(format!("telemetry chunk: {what}"))
}

/// Maps signed to unsigned so small magnitudes of either sign get small codes.
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Inverse of [`zigzag`].
pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends `v` as a LEB128 varint (1 to 10 bytes).
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a length-prefixed byte block.
pub(crate) fn put_block(out: &mut Vec<u8>, block: &[u8]) {
    put_varint(out, block.len() as u64);
    out.extend_from_slice(block);
}

/// A bounds-checked cursor over encoded bytes.
pub(crate) struct ByteReader<'a> {
    buf: &'a [u8],
}

impl<'a> ByteReader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        ByteReader { buf }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() < n {
            return Err(corrupted("truncated"));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    pub(crate) fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    pub(crate) fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.u8()?;
            if i == 9 && b > 1 {
                return Err(corrupted("varint overflows 64 bits"));
            }
            v |= ((b & 0x7f) as u64) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(corrupted("varint longer than 10 bytes"))
    }

    /// A varint that must fit in `usize` and be at most `max` (guards allocations).
    pub(crate) fn len(&mut self, max: usize) -> Result<usize> {
        let v = self.varint()?;
        if v > max as u64 {
            return Err(corrupted("length out of range"));
        }
        Ok(v as usize)
    }

    /// A block written by [`put_block`].
    pub(crate) fn block(&mut self) -> Result<&'a [u8]> {
        let n = self.len(self.buf.len())?;
        self.bytes(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varint_and_zigzag_round_trip(v in any::<i64>()) {
            let mut out = Vec::new();
            put_varint(&mut out, zigzag(v));
            let mut r = ByteReader::new(&out);
            prop_assert_eq!(unzigzag(r.varint().unwrap()), v);
            prop_assert!(r.is_empty());
        }
    }

    #[test]
    fn overlong_varints_are_corrupted() {
        assert!(ByteReader::new(&[0xff; 11]).varint().is_err());
        assert!(ByteReader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]).varint().is_err());
        assert!(ByteReader::new(&[0x80]).varint().is_err());
        assert_eq!(ByteReader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).varint().unwrap(), u64::MAX);
    }
}
