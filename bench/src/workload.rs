//! The workload every engine runs: random-walk sensor series at 1 s spacing.

/// Sizes of one benchmark run.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// Number of series (one device, one metric each).
    pub series: usize,
    /// Points per series.
    pub points: usize,
    /// Points per series in one ingest batch (one transaction of `series * batch` points).
    pub batch: usize,
    /// Points returned by one range query.
    pub range_points: usize,
    /// Random range queries run per engine.
    pub range_queries: usize,
    /// Latest-value lookups per engine.
    pub latest_queries: usize,
    /// Whole series aggregated (60 s buckets) per engine.
    pub aggregate_series: usize,
    /// Points written one transaction each, per engine.
    pub single_points: usize,
}

impl Workload {
    /// The workload: 100 series x 100k points.
    pub fn full() -> Self {
        Workload {
            series: 100,
            points: 100_000,
            batch: 1_000,
            range_points: 10_000,
            range_queries: 200,
            latest_queries: 10_000,
            aggregate_series: 20,
            single_points: 500,
        }
    }

    /// A smaller run for a quick look (about 1/25 of the points).
    pub fn quick() -> Self {
        Workload {
            series: 20,
            points: 20_000,
            batch: 1_000,
            range_points: 10_000,
            range_queries: 50,
            latest_queries: 2_000,
            aggregate_series: 5,
            single_points: 100,
        }
    }

    pub fn total_points(&self) -> u64 {
        (self.series * self.points) as u64
    }
}

/// Timestamp of point `i` (Unix ms, 1 s apart).
pub const BASE_TS: i64 = 1_700_000_000_000;
pub const STEP_MS: i64 = 1_000;

pub fn ts(i: usize) -> i64 {
    BASE_TS + i as i64 * STEP_MS
}

/// A small deterministic PRNG (xorshift64), so every engine gets the same data and queries.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Random-walk values with two decimals, like a real sensor (steps of at most 0.1).
pub fn walk(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let mut v = 20.0;
    (0..n)
        .map(|_| {
            v += (rng.unit() - 0.5) * 0.2;
            (v * 100.0f64).round() / 100.0
        })
        .collect()
}
