//! String columns: each value as a varint byte length and its UTF-8 bytes.

use super::{corrupted, put_block, ByteReader};
use crate::error::Result;

pub(crate) fn encode<'a>(values: impl Iterator<Item = &'a str>, out: &mut Vec<u8>) {
    for s in values {
        put_block(out, s.as_bytes());
    }
}

pub(crate) fn decode(r: &mut ByteReader<'_>, n: usize) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let bytes = r.block()?;
        out.push(String::from_utf8(bytes.to_vec()).map_err(|_| corrupted("string is not UTF-8"))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_strings_round_trip(values in proptest::collection::vec(".*", 0..50)) {
            let mut out = Vec::new();
            encode(values.iter().map(|s| s.as_str()), &mut out);
            let mut r = ByteReader::new(&out);
            prop_assert_eq!(decode(&mut r, values.len()).unwrap(), values);
            prop_assert!(r.is_empty());
        }
    }

    #[test]
    fn bad_bytes_are_errors() {
        assert!(decode(&mut ByteReader::new(&[2, 0xff, 0xfe]), 1).is_err());
        assert!(decode(&mut ByteReader::new(&[5, b'a']), 1).is_err());
    }
}
