//! The in-memory copy of one collection that search runs over.
//!
//! Rows live in one contiguous row-major `Vec<f32>` so a search is a single linear pass; a
//! delete moves the last row into the hole (swap-remove), so the matrix never has gaps.
//! With int8 quantisation on, a row-aligned int8 copy is kept beside it.
//!
//! Every path ranks by a *rank score* (cosine similarity, dot product, or `-d²` for
//! Euclidean) and the final scores always come from [`Matrix::exact_rank_score`]'s kernel,
//! so exact search, int8 search and batched search return bit-identical scores.

use super::kernel::{self, QueryI8};
use super::metric::{norm, DistanceMetric};
use super::quantized::{quantize, Int8Rows, Quantization};
use super::topk::{Candidate, TopK};
use std::collections::HashMap;
use std::sync::Arc;

/// Rows scored per kernel call (a block of scores stays in L1).
const BLOCK_ROWS: usize = 256;
/// Rows per matrix product in batched search: `queries x BATCH_ROWS` scores per block.
const BATCH_ROWS: usize = 1_024;

/// Keeps rows by metadata.
pub(crate) type Keep<'a> = Option<&'a dyn Fn(&serde_json::Value) -> bool>;

pub(crate) struct Matrix {
    dim: usize,
    metric: DistanceMetric,
    data: Vec<f32>,
    /// 1 / |row|, used by cosine only (rows of cosine collections are never zero-length).
    inv_norms: Vec<f32>,
    /// |row|², to rank Euclidean distance from dot products (int8 and batched search).
    sq_norms: Vec<f32>,
    ids: Vec<Arc<str>>,
    metadata: Vec<Arc<serde_json::Value>>,
    rows: HashMap<Arc<str>, usize>,
    int8: Option<Int8Rows>,
}

/// A search hit as the matrix sees it.
pub(crate) struct Hit {
    pub(crate) id: Arc<str>,
    pub(crate) score: f32,
    pub(crate) metadata: Arc<serde_json::Value>,
}

impl Matrix {
    pub(crate) fn new(dim: usize, metric: DistanceMetric) -> Self {
        Matrix {
            dim,
            metric,
            data: Vec::new(),
            inv_norms: Vec::new(),
            sq_norms: Vec::new(),
            ids: Vec::new(),
            metadata: Vec::new(),
            rows: HashMap::new(),
            int8: None,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Builds or drops the int8 copy.
    pub(crate) fn set_quantization(&mut self, q: Quantization) {
        self.int8 = match q {
            Quantization::None => None,
            Quantization::Int8 { oversampling } => {
                let mut data = Vec::with_capacity(self.data.len());
                let scales = self.data.chunks_exact(self.dim).map(|row| quantize(row, &mut data)).collect();
                Some(Int8Rows { oversampling: oversampling as usize, data, scales })
            }
        };
    }

    /// Inserts or replaces a row. The caller has checked the dimension.
    pub(crate) fn upsert(&mut self, id: &str, vector: &[f32], metadata: serde_json::Value) {
        debug_assert_eq!(vector.len(), self.dim);
        let n2 = norm(vector);
        let inv = if self.metric == DistanceMetric::Cosine { 1.0 / n2 } else { 1.0 };
        let metadata = Arc::new(metadata);
        let dim = self.dim;
        match self.rows.get(id) {
            Some(&row) => {
                self.data[row * dim..(row + 1) * dim].copy_from_slice(vector);
                self.inv_norms[row] = inv;
                self.sq_norms[row] = n2 * n2;
                self.metadata[row] = metadata;
                if let Some(q) = &mut self.int8 {
                    let mut v = Vec::with_capacity(dim);
                    q.scales[row] = quantize(vector, &mut v);
                    q.data[row * dim..(row + 1) * dim].copy_from_slice(&v);
                }
            }
            None => {
                let id: Arc<str> = Arc::from(id);
                self.rows.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.data.extend_from_slice(vector);
                self.inv_norms.push(inv);
                self.sq_norms.push(n2 * n2);
                self.metadata.push(metadata);
                if let Some(q) = &mut self.int8 {
                    let s = quantize(vector, &mut q.data);
                    q.scales.push(s);
                }
            }
        }
    }

    /// Removes a row if present.
    pub(crate) fn remove(&mut self, id: &str) {
        let Some(row) = self.rows.remove(id) else { return };
        let last = self.ids.len() - 1;
        let dim = self.dim;
        if row != last {
            self.data.copy_within(last * dim..(last + 1) * dim, row * dim);
            self.ids.swap(row, last);
            self.inv_norms.swap(row, last);
            self.sq_norms.swap(row, last);
            self.metadata.swap(row, last);
            if let Some(q) = &mut self.int8 {
                q.data.copy_within(last * dim..(last + 1) * dim, row * dim);
                q.scales.swap(row, last);
            }
            self.rows.insert(self.ids[row].clone(), row);
        }
        self.data.truncate(last * dim);
        self.ids.pop();
        self.inv_norms.pop();
        self.sq_norms.pop();
        self.metadata.pop();
        if let Some(q) = &mut self.int8 {
            q.data.truncate(last * dim);
            q.scales.pop();
        }
    }

    fn query_inv_norm(&self, query: &[f32]) -> f32 {
        if self.metric == DistanceMetric::Cosine {
            1.0 / norm(query)
        } else {
            1.0
        }
    }

    /// The rank score of `row` from its kernel output (`q·x`, or `|q-x|²` for Euclidean).
    #[inline]
    fn rank_score(&self, kernel_out: f32, q_inv: f32, row: usize) -> f32 {
        match self.metric {
            DistanceMetric::Cosine => kernel_out * q_inv * self.inv_norms[row],
            DistanceMetric::DotProduct => kernel_out,
            DistanceMetric::Euclidean => -kernel_out,
        }
    }

    /// The exact rank score of one row, by the same kernel the exact scan uses.
    fn exact_rank_score(&self, query: &[f32], q_inv: f32, row: usize) -> f32 {
        let vector = &self.data[row * self.dim..(row + 1) * self.dim];
        let mut out = [0f32];
        match self.metric {
            DistanceMetric::Euclidean => kernel::squared_l2s(query, vector, &mut out),
            _ => kernel::dots(query, vector, &mut out),
        }
        self.rank_score(out[0], q_inv, row)
    }

    /// Offers `row` to `top`; the filter runs only for rows that would be kept, so the scan
    /// stays a sequential pass instead of chasing a metadata pointer per row.
    #[inline]
    fn offer(&self, top: &mut TopK, score: f32, row: usize, keep: Keep) {
        if !top.admits(score, &self.ids[row]) {
            return;
        }
        if let Some(keep) = keep {
            if !keep(&self.metadata[row]) {
                return;
            }
        }
        top.push(score, row, self.ids[row].clone());
    }

    /// Re-scores `candidates` exactly and keeps the best `k` (candidates passed the filter).
    fn rerank(&self, query: &[f32], q_inv: f32, candidates: Vec<Candidate>, k: usize) -> Vec<Hit> {
        let mut top = TopK::new(k);
        for c in candidates {
            let score = self.exact_rank_score(query, q_inv, c.row);
            if top.admits(score, &c.id) {
                top.push(score, c.row, c.id);
            }
        }
        self.hits(top)
    }

    fn hits(&self, top: TopK) -> Vec<Hit> {
        top.into_sorted()
            .into_iter()
            .map(|c| Hit {
                score: if self.metric == DistanceMetric::Euclidean { -(-c.score).sqrt() } else { c.score },
                metadata: self.metadata[c.row].clone(),
                id: c.id,
            })
            .collect()
    }

    /// Top-`k` by score (higher is closer), best first, by the collection's quantisation
    /// setting. The query is already validated (dimension, finite, non-zero for cosine).
    pub(crate) fn top_k(&self, query: &[f32], k: usize, keep: Keep) -> Vec<Hit> {
        match &self.int8 {
            Some(q) => self.top_k_int8(q, query, k, keep),
            None => self.top_k_exact(query, k, keep),
        }
    }

    /// Exact top-`k`: every row scored in f32.
    pub(crate) fn top_k_exact(&self, query: &[f32], k: usize, keep: Keep) -> Vec<Hit> {
        let k = k.min(self.len());
        if k == 0 {
            return Vec::new();
        }
        let q_inv = self.query_inv_norm(query);
        let mut top = TopK::new(k);
        let mut out = [0f32; BLOCK_ROWS];
        for (b, block) in self.data.chunks(BLOCK_ROWS * self.dim).enumerate() {
            let out = &mut out[..block.len() / self.dim];
            match self.metric {
                DistanceMetric::Euclidean => kernel::squared_l2s(query, block, out),
                _ => kernel::dots(query, block, out),
            }
            for (i, &o) in out.iter().enumerate() {
                let row = b * BLOCK_ROWS + i;
                self.offer(&mut top, self.rank_score(o, q_inv, row), row, keep);
            }
        }
        self.hits(top)
    }

    /// Int8 scan for the best `k * oversampling` candidates, re-ranked in exact f32.
    fn top_k_int8(&self, q8: &Int8Rows, query: &[f32], k: usize, keep: Keep) -> Vec<Hit> {
        let k = k.min(self.len());
        if k == 0 {
            return Vec::new();
        }
        let q_inv = self.query_inv_norm(query);
        let mut qv = Vec::with_capacity(self.dim);
        let q_scale = quantize(query, &mut qv);
        let qv = QueryI8::new(qv);
        let mut top = TopK::new(k.saturating_mul(q8.oversampling).min(self.len()));
        let mut out = [0i32; BLOCK_ROWS];
        for (b, block) in q8.data.chunks(BLOCK_ROWS * self.dim).enumerate() {
            let out = &mut out[..block.len() / self.dim];
            kernel::dots_i8(&qv, block, out);
            for (i, &o) in out.iter().enumerate() {
                let row = b * BLOCK_ROWS + i;
                // q·x ≈ o * q_scale * scale[row]; positive per-query factors are dropped
                // where they do not change the order.
                let approx = o as f32 * q8.scales[row];
                let score = match self.metric {
                    DistanceMetric::Cosine => approx * self.inv_norms[row],
                    DistanceMetric::DotProduct => approx,
                    // -|q-x|² + |q|² = 2 q·x - |x|²
                    DistanceMetric::Euclidean => 2.0 * q_scale * approx - self.sq_norms[row],
                };
                self.offer(&mut top, score, row, keep);
            }
        }
        self.rerank(query, q_inv, top.into_sorted(), k)
    }

    /// Top-`k` for each of `queries.len() / dim` queries (row-major), ranked from one matrix
    /// product per block of rows, then the best `2k + 8` per query re-ranked by the exact
    /// kernel: the same results and scores as [`Self::top_k_exact`] per query (barring
    /// scores that differ only in their last bits).
    pub(crate) fn top_k_batch(&self, queries: &[f32], k: usize, keep: Keep) -> Vec<Vec<Hit>> {
        let nq = queries.len() / self.dim;
        let k = k.min(self.len());
        if k == 0 || nq == 0 {
            return (0..nq).map(|_| Vec::new()).collect();
        }
        let q_inv: Vec<f32> = queries.chunks_exact(self.dim).map(|q| self.query_inv_norm(q)).collect();
        let mut tops: Vec<TopK> = (0..nq).map(|_| TopK::new((2 * k + 8).min(self.len()))).collect();
        // Filter verdicts per row, computed on first need and shared by all queries:
        // 0 = not yet asked, 1 = kept, 2 = dropped.
        let mut verdicts = vec![0u8; if keep.is_some() { self.len() } else { 0 }];
        let mut scores = vec![0f32; nq * BATCH_ROWS];
        for (b, block) in self.data.chunks(BATCH_ROWS * self.dim).enumerate() {
            let n = block.len() / self.dim;
            gemm_nt(queries, block, self.dim, nq, n, &mut scores[..nq * n]);
            for (qi, top) in tops.iter_mut().enumerate() {
                for (i, &d) in scores[qi * n..(qi + 1) * n].iter().enumerate() {
                    let row = b * BATCH_ROWS + i;
                    let score = match self.metric {
                        DistanceMetric::Cosine => d * q_inv[qi] * self.inv_norms[row],
                        DistanceMetric::DotProduct => d,
                        DistanceMetric::Euclidean => 2.0 * d - self.sq_norms[row],
                    };
                    if !top.admits(score, &self.ids[row]) {
                        continue;
                    }
                    if let Some(keep) = keep {
                        if verdicts[row] == 0 {
                            verdicts[row] = if keep(&self.metadata[row]) { 1 } else { 2 };
                        }
                        if verdicts[row] == 2 {
                            continue;
                        }
                    }
                    top.push(score, row, self.ids[row].clone());
                }
            }
        }
        tops.into_iter()
            .enumerate()
            .map(|(qi, top)| self.rerank(&queries[qi * self.dim..(qi + 1) * self.dim], q_inv[qi], top.into_sorted(), k))
            .collect()
    }
}

/// `out (m x n) = queries (m x dim) · rows (n x dim)ᵀ`, by `matrixmultiply`'s blocked,
/// SIMD-dispatched sgemm (the rows are read transposed through strides, never copied).
fn gemm_nt(queries: &[f32], rows: &[f32], dim: usize, m: usize, n: usize, out: &mut [f32]) {
    assert!(queries.len() >= m * dim && rows.len() >= n * dim && out.len() >= m * n, "gemm_nt shapes");
    // SAFETY: the assert above guarantees every element the strides address lies inside
    // the slices: A[i][p] = queries[i*dim + p], B[p][j] = rows[j*dim + p], C[i][j] =
    // out[i*n + j] for i < m, p < dim, j < n; `out` is exclusively borrowed.
    unsafe {
        matrixmultiply::sgemm(
            m,
            dim,
            n,
            1.0,
            queries.as_ptr(),
            dim as isize,
            1,
            rows.as_ptr(),
            1,
            dim as isize,
            0.0,
            out.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_remove_keeps_rows_and_ids_aligned() {
        for q in [Quantization::None, Quantization::Int8 { oversampling: 2 }] {
            let mut m = Matrix::new(2, DistanceMetric::DotProduct);
            m.set_quantization(q);
            m.upsert("a", &[1.0, 0.0], serde_json::Value::Null);
            m.upsert("b", &[2.0, 0.0], serde_json::Value::Null);
            m.upsert("c", &[3.0, 0.0], serde_json::Value::Null);
            m.remove("a");
            m.upsert("b", &[5.0, 0.0], serde_json::json!({"x": 1}));
            for hits in [m.top_k(&[1.0, 0.0], 10, None), m.top_k_batch(&[1.0, 0.0], 10, None).remove(0)] {
                let got: Vec<(&str, f32)> = hits.iter().map(|h| (&*h.id, h.score)).collect();
                assert_eq!(got, vec![("b", 5.0), ("c", 3.0)], "{q:?}");
            }
            assert_eq!(m.len(), 2);
            m.remove("zzz");
            assert_eq!(m.len(), 2);
        }
    }

    #[test]
    fn gemm_nt_matches_dot_products() {
        let (m, n, dim) = (3, 5, 7);
        let q: Vec<f32> = (0..m * dim).map(|i| (i as f32 * 0.3).sin()).collect();
        let r: Vec<f32> = (0..n * dim).map(|i| (i as f32 * 0.7).cos()).collect();
        let mut out = vec![0f32; m * n];
        gemm_nt(&q, &r, dim, m, n, &mut out);
        for i in 0..m {
            for j in 0..n {
                let want: f32 = (0..dim).map(|p| q[i * dim + p] * r[j * dim + p]).sum();
                assert!((out[i * n + j] - want).abs() < 1e-5);
            }
        }
    }
}
