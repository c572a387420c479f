//! The `vectors` suite: exact f32 top-10, int8 + f32 re-rank (with recall@10 against exact)
//! and batched search over 100k x 384 vectors, on a gaussian and a clustered data set, with
//! the time to read the matrix once (the memory-bandwidth bound) as the reference.
//! numpy's figures on the same data come from `bindings/bench_vectors.sh` (same process as
//! ours there).

use crate::engines::Res;
use neotalk_storage::Quantization;
use neotalk_storage::{DistanceMetric, StorageManager, VectorDocument};
use std::collections::HashSet;
use std::time::Instant;

const DIM: usize = 384;
const K: usize = 10;
/// Interleaved rounds per mode; the best counts.
const ROUNDS: usize = 3;

/// xorshift64* with Box-Muller gaussians; seeded, so runs are comparable.
struct Gauss(u64);
impl Gauss {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }
    fn next(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
    fn vector(&mut self, dim: usize) -> Vec<f32> {
        (0..dim).map(|_| self.next()).collect()
    }
}

/// `n` rows: plain gaussian, or 1,000 gaussian centres with gaussian noise of 0.5 times
/// their scale around them (neighbours are close together, as in real embeddings).
fn data(n: usize, clustered: bool, rng: &mut Gauss) -> Vec<Vec<f32>> {
    if !clustered {
        return (0..n).map(|_| rng.vector(DIM)).collect();
    }
    let centres: Vec<Vec<f32>> = (0..1_000).map(|_| rng.vector(DIM)).collect();
    (0..n)
        .map(|_| {
            let c = &centres[(rng.uniform() * 1_000.0) as usize % 1_000];
            c.iter().map(|x| x + 0.5 * rng.next()).collect()
        })
        .collect()
}

/// Milliseconds to read `rows` once (wrapping integer sum of the bit patterns: vectorised,
/// so it is bound by memory bandwidth only).
fn read_once_ms(rows: &[f32]) -> f64 {
    let t = Instant::now();
    let mut acc = [0u32; 16];
    for c in rows.chunks_exact(16) {
        for i in 0..16 {
            acc[i] = acc[i].wrapping_add(c[i].to_bits());
        }
    }
    std::hint::black_box(acc);
    t.elapsed().as_secs_f64() * 1e3
}

fn ids(found: &[neotalk_storage::VectorMatch]) -> HashSet<String> {
    found.iter().map(|m| m.id.clone()).collect()
}

/// Runs the suite; `quick` uses 10k vectors and 20 queries.
pub fn run(quick: bool) -> Res<()> {
    let (n, nq) = if quick { (10_000, 20) } else { (100_000, 100) };
    println!(
        "neotalk-storage-bench vectors{}: {n} x {DIM} f32, top-{K}, {nq} queries, cosine, single thread",
        if quick { " --quick" } else { "" }
    );
    println!("machine: {}\n", crate::machine());
    println!(
        "{:<10} {:>10} {:>12} {:>12} {:>10} {:>12} {:>10} {:>10}",
        "data", "read-once", "f32 exact", "x bound", "int8", "int8 speedup", "recall@10", "batch"
    );
    for clustered in [false, true] {
        let mut rng = Gauss(if clustered { 0xC1C1 } else { 0x6A55 });
        let rows = data(n, clustered, &mut rng);
        let queries: Vec<Vec<f32>> = if clustered {
            // Queries near stored rows, as a real query is near the documents it asks for.
            (0..nq).map(|i| rows[(i * 7_919) % n].iter().map(|x| x + 0.2 * rng.next()).collect()).collect()
        } else {
            (0..nq).map(|_| rng.vector(DIM)).collect()
        };
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        let db = StorageManager::in_memory()?;
        let v = db.vectors();
        // The same vectors twice: exact f32, and int8 + f32 re-rank.
        v.create_collection("exact", DIM as u32, DistanceMetric::Cosine)?;
        v.create_collection_with("int8", DIM as u32, DistanceMetric::Cosine, Quantization::int8())?;
        for (c, chunk) in rows.chunks(5_000).enumerate() {
            let docs: Vec<VectorDocument> = chunk
                .iter()
                .enumerate()
                .map(|(i, r)| VectorDocument::new(&format!("v{}", c * 5_000 + i), r.clone(), serde_json::Value::Null))
                .collect();
            v.upsert_many("exact", &docs)?;
            v.upsert_many("int8", &docs)?;
        }
        drop(rows);
        v.search("exact", &queries[0], K, None)?; // loads the in-memory copies
        v.search("int8", &queries[0], K, None)?;

        // Rounds run every mode in turn, so a busy machine slows all of them alike; the best
        // round of each counts.
        let (mut bound, mut f32_ms, mut int8_ms, mut batch_ms) = (f64::MAX, f64::MAX, f64::MAX, f64::MAX);
        let (mut exact, mut approx, mut batch) = (Vec::new(), Vec::new(), Vec::new());
        let per_query = |t: Instant| t.elapsed().as_secs_f64() * 1e3 / nq as f64;
        for _ in 0..ROUNDS {
            bound = bound.min(read_once_ms(&flat));
            let t = Instant::now();
            exact = queries.iter().map(|q| v.search("exact", q, K, None)).collect::<Result<_, _>>()?;
            f32_ms = f32_ms.min(per_query(t));
            let t = Instant::now();
            approx = queries.iter().map(|q| v.search("int8", q, K, None)).collect::<Result<_, _>>()?;
            int8_ms = int8_ms.min(per_query(t));
            let t = Instant::now();
            batch = v.search_batch("exact", &queries, K, None)?;
            batch_ms = batch_ms.min(per_query(t));
        }
        assert_eq!(
            batch.iter().map(|b| ids(b)).collect::<Vec<_>>(),
            exact.iter().map(|e| ids(e)).collect::<Vec<_>>(),
            "batch equals exact"
        );
        let hits: usize = approx.iter().zip(&exact).map(|(a, e)| ids(a).intersection(&ids(e)).count()).sum();
        let recall = hits as f64 / (nq * K) as f64;

        println!(
            "{:<10} {:>8.2}ms {:>10.2}ms {:>11.2}x {:>8.2}ms {:>11.2}x {:>10.4} {:>8.2}ms",
            if clustered { "clustered" } else { "gaussian" },
            bound,
            f32_ms,
            f32_ms / bound,
            int8_ms,
            f32_ms / int8_ms,
            recall,
            batch_ms
        );
    }
    println!("\nms per query, best of {ROUNDS} interleaved rounds.");
    println!("read-once: one pass over the f32 matrix (the memory-bandwidth bound of an exact scan);");
    println!("x bound: f32 exact / read-once (1.00 = at the bound); int8 speedup: f32 exact / int8;");
    println!("batch: search_batch of all queries in one call, per query; its results equal f32 exact (checked).");
    Ok(())
}
