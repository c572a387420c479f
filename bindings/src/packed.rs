//! Packed little-endian `f32` buffers (embeddings): one copy for a whole batch instead of a
//! per-element conversion. Only the byte layout is checked here; values (NaN, dimension) are
//! the core's to judge.

use crate::error::{Result, StorageError};

/// The `f32` items of a little-endian buffer; a length that is not a multiple of 4 is
/// `InvalidInput` naming `field`.
pub(crate) fn f32s(field: &str, bytes: &[u8]) -> Result<Vec<f32>> {
    if bytes.len() % 4 != 0 {
        return Err(StorageError::invalid(field, format!("{} bytes is not a whole number of 4-byte floats", bytes.len())));
    }
    Ok(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// Splits a buffer of `rows` vectors into rows of equal length; the byte length must be
/// `rows x dim x 4`.
pub(crate) fn rows(field: &str, bytes: &[u8], rows: usize) -> Result<Vec<Vec<f32>>> {
    let all = f32s(field, bytes)?;
    if rows == 0 {
        return if all.is_empty() { Ok(Vec::new()) } else { Err(StorageError::invalid(field, format!("{} floats for 0 ids", all.len()))) };
    }
    if all.len() % rows != 0 {
        return Err(StorageError::invalid(field, format!("{} floats do not split into {rows} vectors of one dimension", all.len())));
    }
    if all.is_empty() {
        // Zero-length vectors: the core refuses them with its own message.
        return Ok(vec![Vec::new(); rows]);
    }
    Ok(all.chunks_exact(all.len() / rows).map(<[f32]>::to_vec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn splits_rows_and_refuses_bad_lengths() {
        let buf = bytes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(rows("v", &buf, 2).unwrap(), vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]);
        assert_eq!(rows("v", &buf, 3).unwrap().len(), 3);
        assert!(rows("v", &buf, 4).is_err());
        assert!(rows("v", &buf[..5], 1).is_err());
        assert!(rows("v", &buf, 0).is_err());
        assert_eq!(rows("v", &[], 0).unwrap(), Vec::<Vec<f32>>::new());
        assert_eq!(rows("v", &[], 2).unwrap(), vec![Vec::<f32>::new(), Vec::new()]);
    }
}
