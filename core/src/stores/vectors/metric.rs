//! Distance metrics and the scoring kernels of vector search.
//!
//! One rule for every metric: **a higher score is closer**.
//! - `Cosine`: cosine similarity, in `[-1, 1]`.
//! - `Euclidean`: the negated Euclidean distance, in `(-inf, 0]`.
//! - `DotProduct`: the dot product.
//!
//! The kernels walk the vectors in chunks of 16 `f32` with 16 independent accumulators, a
//! shape the compiler turns into SIMD lanes without needing to reorder float additions.

/// How two vectors of a collection are compared. See the module docs for score semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DistanceMetric {
    /// Cosine similarity (zero-length vectors are refused).
    Cosine,
    /// Euclidean distance; the score is its negation.
    Euclidean,
    /// Dot product.
    DotProduct,
}

crate::names::text_enum!(DistanceMetric, "metric", [Cosine, Euclidean, DotProduct]);

impl DistanceMetric {
    /// Stable lowercase name (`"cosine"`, `"euclidean"`, `"dot_product"`).
    pub fn as_str(self) -> &'static str {
        match self {
            DistanceMetric::Cosine => "cosine",
            DistanceMetric::Euclidean => "euclidean",
            DistanceMetric::DotProduct => "dot_product",
        }
    }

    /// The score of `stored` against `query` under this rule, computed plainly (no
    /// precomputed norms); the reference the search kernels must agree with.
    pub fn score(self, query: &[f32], stored: &[f32]) -> f32 {
        match self {
            DistanceMetric::Cosine => dot(query, stored) / (norm(query) * norm(stored)),
            DistanceMetric::Euclidean => -squared_l2(query, stored).sqrt(),
            DistanceMetric::DotProduct => dot(query, stored),
        }
    }
}

const LANES: usize = 16;

/// Dot product of two equally long slices.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let mut tail = 0f32;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    acc.iter().sum::<f32>() + tail
}

/// Squared Euclidean distance of two equally long slices.
#[inline]
pub(crate) fn squared_l2(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            let d = x[i] - y[i];
            acc[i] += d * d;
        }
    }
    let mut tail = 0f32;
    for (x, y) in ra.iter().zip(rb) {
        let d = x - y;
        tail += d * d;
    }
    acc.iter().sum::<f32>() + tail
}

/// Euclidean length.
#[inline]
pub(crate) fn norm(a: &[f32]) -> f32 {
    dot(a, a).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_plain_loops_for_every_length() {
        for len in [1usize, 3, 15, 16, 17, 31, 32, 33, 100] {
            let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..len).map(|i| (i as f32 * 0.11).cos()).collect();
            let d: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let l: f32 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
            assert!((dot(&a, &b) - d).abs() < 1e-4, "dot len {len}");
            assert!((squared_l2(&a, &b) - l).abs() < 1e-4, "l2 len {len}");
        }
    }

    #[test]
    fn higher_is_closer() {
        let q = [1.0, 0.0];
        let near = [0.9, 0.1];
        let far = [-1.0, 0.0];
        for m in [DistanceMetric::Cosine, DistanceMetric::Euclidean, DistanceMetric::DotProduct] {
            assert!(m.score(&q, &near) > m.score(&q, &far), "{m:?}");
        }
        assert_eq!(DistanceMetric::Euclidean.score(&q, &q), 0.0);
    }
}
