//! Bounded top-k selection: a heap of the `k` best candidates seen so far, so a scan never
//! sorts everything; only the `k` kept are sorted at the end.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

/// One kept candidate.
pub(crate) struct Candidate {
    pub(crate) score: f32,
    pub(crate) row: usize,
    pub(crate) id: Arc<str>,
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

/// The `k` best candidates offered so far.
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Candidate>,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        TopK { k, heap: BinaryHeap::with_capacity(k + 1) }
    }

    /// Whether a candidate with this score and id would be kept (checked before anything
    /// costlier, such as a metadata filter, runs for it).
    #[inline]
    pub(crate) fn admits(&self, score: f32, id: &str) -> bool {
        if self.k == 0 {
            return false;
        }
        if self.heap.len() < self.k {
            return true;
        }
        let worst = self.heap.peek().expect("heap holds k > 0 candidates");
        score > worst.score || (score == worst.score && id < &*worst.id)
    }

    /// Keeps a candidate that [`Self::admits`] accepted, dropping the worst if over `k`.
    pub(crate) fn push(&mut self, score: f32, row: usize, id: Arc<str>) {
        self.heap.push(Candidate { score, row, id });
        if self.heap.len() > self.k {
            self.heap.pop();
        }
    }

    /// The kept candidates, best first.
    pub(crate) fn into_sorted(self) -> Vec<Candidate> {
        let mut best = self.heap.into_vec();
        best.sort_by(|a, b| b.better(a));
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_k_with_id_tie_break() {
        let mut t = TopK::new(3);
        for (i, s) in [1.0f32, 5.0, 3.0, 5.0, 0.5, 4.0].iter().enumerate() {
            let id: Arc<str> = Arc::from(format!("id{i}"));
            if t.admits(*s, &id) {
                t.push(*s, i, id);
            }
        }
        let got: Vec<(f32, usize)> = t.into_sorted().iter().map(|c| (c.score, c.row)).collect();
        assert_eq!(got, vec![(5.0, 1), (5.0, 3), (4.0, 5)]);
        assert!(!TopK::new(0).admits(1.0, "a"));
    }
}
