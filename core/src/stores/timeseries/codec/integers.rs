//! Integer columns: the first value, then wrapping deltas, each as a zig-zag varint.

use super::{put_varint, unzigzag, zigzag, ByteReader};
use crate::error::Result;

pub(crate) fn encode(values: &[i64], out: &mut Vec<u8>) {
    let mut prev = 0i64;
    for &v in values {
        put_varint(out, zigzag(v.wrapping_sub(prev)));
        prev = v;
    }
}

pub(crate) fn decode(r: &mut ByteReader<'_>, n: usize) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(n);
    let mut prev = 0i64;
    for _ in 0..n {
        prev = prev.wrapping_add(unzigzag(r.varint()?));
        out.push(prev);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_integers_round_trip(values in proptest::collection::vec(any::<i64>(), 0..300)) {
            let mut out = Vec::new();
            encode(&values, &mut out);
            let mut r = ByteReader::new(&out);
            prop_assert_eq!(decode(&mut r, values.len()).unwrap(), values);
            prop_assert!(r.is_empty());
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), n in 0usize..100) {
            let _ = decode(&mut ByteReader::new(&bytes), n);
        }
    }

    #[test]
    fn slow_counters_take_one_byte_per_value() {
        let values: Vec<i64> = (1_000_000..1_001_000).collect();
        let mut out = Vec::new();
        encode(&values, &mut out);
        assert!(out.len() <= 3 + 999);
        assert!(decode(&mut ByteReader::new(&out[..out.len() - 1]), values.len()).is_err());
    }
}
