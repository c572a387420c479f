//! Entry points for the cargo-fuzz targets in `fuzz/`: thin wrappers over crate-private
//! codecs, so the targets keep compiling when a codec is replaced (only this file changes).
//! Not a stable API.

use crate::error::Result;
use crate::timeseries::point;
use crate::timeseries::DataPoint;

/// Decodes the stored bytes of one telemetry point (the timestamp lives in the key).
pub fn decode_point(timestamp: i64, bytes: &[u8]) -> Result<DataPoint> {
    point::decode(timestamp, bytes)
}

/// Encodes one telemetry point as the store writes it (without the timestamp).
pub fn encode_point(p: &DataPoint) -> Vec<u8> {
    point::encode(p)
}
