//! Boolean columns and presence bitmaps: one bit per value.

use super::ByteReader;
use crate::error::Result;

pub(crate) fn encode(values: impl ExactSizeIterator<Item = bool>, out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + values.len().div_ceil(8), 0);
    for (i, b) in values.enumerate() {
        if b {
            out[start + i / 8] |= 1 << (i % 8);
        }
    }
}

pub(crate) fn decode(r: &mut ByteReader<'_>, n: usize) -> Result<Vec<bool>> {
    let bytes = r.bytes(n.div_ceil(8))?;
    Ok((0..n).map(|i| bytes[i / 8] & (1 << (i % 8)) != 0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_flags_round_trip(values in proptest::collection::vec(any::<bool>(), 0..300)) {
            let mut out = Vec::new();
            encode(values.iter().copied(), &mut out);
            prop_assert_eq!(out.len(), values.len().div_ceil(8));
            prop_assert_eq!(decode(&mut ByteReader::new(&out), values.len()).unwrap(), values);
        }
    }

    #[test]
    fn short_input_is_an_error() {
        assert!(decode(&mut ByteReader::new(&[0xff]), 9).is_err());
    }
}
