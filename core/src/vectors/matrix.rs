//! The in-memory copy of one collection that exact search runs over.
//!
//! Rows live in one contiguous row-major `Vec<f32>` so a search is a single linear pass; a
//! delete moves the last row into the hole (swap-remove), so the matrix never has gaps.

use super::metric::{dot, norm, squared_l2, DistanceMetric};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

pub(crate) struct Matrix {
    dim: usize,
    metric: DistanceMetric,
    data: Vec<f32>,
    /// 1 / |row|, used by cosine only (rows of cosine collections are never zero-length).
    inv_norms: Vec<f32>,
    ids: Vec<Arc<str>>,
    metadata: Vec<Arc<serde_json::Value>>,
    rows: HashMap<Arc<str>, usize>,
}

/// One search candidate kept in the bounded heap.
struct Candidate {
    score: f32,
    row: usize,
    id: Arc<str>,
}

impl Candidate {
    /// Better-first order: higher score, then smaller id (a deterministic tie-break).
    fn better(&self, other: &Candidate) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.id.cmp(&self.id))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.better(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    /// Reversed, so `BinaryHeap` (a max-heap) keeps the worst kept candidate on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other.better(self)
    }
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
            ids: Vec::new(),
            metadata: Vec::new(),
            rows: HashMap::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Inserts or replaces a row. The caller has checked the dimension.
    pub(crate) fn upsert(&mut self, id: &str, vector: &[f32], metadata: serde_json::Value) {
        debug_assert_eq!(vector.len(), self.dim);
        let inv = if self.metric == DistanceMetric::Cosine { 1.0 / norm(vector) } else { 1.0 };
        let metadata = Arc::new(metadata);
        match self.rows.get(id) {
            Some(&row) => {
                self.data[row * self.dim..(row + 1) * self.dim].copy_from_slice(vector);
                self.inv_norms[row] = inv;
                self.metadata[row] = metadata;
            }
            None => {
                let id: Arc<str> = Arc::from(id);
                self.rows.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.data.extend_from_slice(vector);
                self.inv_norms.push(inv);
                self.metadata.push(metadata);
            }
        }
    }

    /// Removes a row if present.
    pub(crate) fn remove(&mut self, id: &str) {
        let Some(row) = self.rows.remove(id) else { return };
        let last = self.ids.len() - 1;
        if row != last {
            let (head, tail) = self.data.split_at_mut(last * self.dim);
            head[row * self.dim..(row + 1) * self.dim].copy_from_slice(&tail[..self.dim]);
            self.ids.swap(row, last);
            self.inv_norms.swap(row, last);
            self.metadata.swap(row, last);
            self.rows.insert(self.ids[row].clone(), row);
        }
        self.data.truncate(last * self.dim);
        self.ids.pop();
        self.inv_norms.pop();
        self.metadata.pop();
    }

    /// Exact top-`k` by score (higher is closer), best first. `keep` filters rows by metadata.
    /// The query is already validated (dimension, finite, non-zero for cosine).
    pub(crate) fn top_k(&self, query: &[f32], k: usize, keep: Option<&dyn Fn(&serde_json::Value) -> bool>) -> Vec<Hit> {
        let k = k.min(self.ids.len());
        if k == 0 {
            return Vec::new();
        }
        let q_inv = if self.metric == DistanceMetric::Cosine { 1.0 / norm(query) } else { 1.0 };
        let mut heap: BinaryHeap<Candidate> = BinaryHeap::with_capacity(k + 1);
        for (row, vector) in self.data.chunks_exact(self.dim).enumerate() {
            let score = match self.metric {
                DistanceMetric::Cosine => dot(query, vector) * q_inv * self.inv_norms[row],
                DistanceMetric::DotProduct => dot(query, vector),
                // Ranked on -d²; converted to -d for the few hits returned.
                DistanceMetric::Euclidean => -squared_l2(query, vector),
            };
            if heap.len() == k {
                let worst = heap.peek().expect("heap is full");
                if score < worst.score || (score == worst.score && *self.ids[row] > *worst.id) {
                    continue;
                }
            }
            // The filter runs only for rows that would enter the heap: the scan stays a
            // sequential pass over the matrix instead of chasing a metadata pointer per row.
            if let Some(keep) = keep {
                if !keep(&self.metadata[row]) {
                    continue;
                }
            }
            heap.push(Candidate { score, row, id: self.ids[row].clone() });
            if heap.len() > k {
                heap.pop();
            }
        }
        let mut best = heap.into_vec();
        best.sort_by(|a, b| b.better(a));
        best.into_iter()
            .map(|c| Hit {
                score: if self.metric == DistanceMetric::Euclidean { -(-c.score).sqrt() } else { c.score },
                metadata: self.metadata[c.row].clone(),
                id: c.id,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_remove_keeps_rows_and_ids_aligned() {
        let mut m = Matrix::new(2, DistanceMetric::DotProduct);
        m.upsert("a", &[1.0, 0.0], serde_json::Value::Null);
        m.upsert("b", &[2.0, 0.0], serde_json::Value::Null);
        m.upsert("c", &[3.0, 0.0], serde_json::Value::Null);
        m.remove("a");
        m.upsert("b", &[5.0, 0.0], serde_json::json!({"x": 1}));
        let hits = m.top_k(&[1.0, 0.0], 10, None);
        let got: Vec<(&str, f32)> = hits.iter().map(|h| (&*h.id, h.score)).collect();
        assert_eq!(got, vec![("b", 5.0), ("c", 3.0)]);
        assert_eq!(m.len(), 2);
        m.remove("zzz");
        assert_eq!(m.len(), 2);
    }
}
