//! Benchmarks of the LLM stores: exact vector top-10, BM25 keyword search, context windows.
//!
//! `cargo bench -p neotalk-storage-bench --bench llm_stores` (add `-- --measurement-time 3` for a
//! quick run). Corpora are built once per benchmark, outside the timed loop, on the in-memory
//! backend (search itself never touches the backend for vectors; for keyword search and
//! context windows the memory backend measures the store's own work).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use neotalk_storage::{DistanceMetric, MemoryEntry, MemoryType, SessionMessage, StorageManager, VectorDocument};
use std::hint::black_box;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn f32(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
}

const DIM: usize = 384;

fn vector_search(c: &mut Criterion) {
    let mut group = c.benchmark_group("vector_top10_384d");
    group.sample_size(20);
    for n in [10_000usize, 100_000] {
        let db = StorageManager::in_memory().unwrap();
        let mut rng = Rng(42);
        for metric in [DistanceMetric::Cosine, DistanceMetric::Euclidean, DistanceMetric::DotProduct] {
            db.vectors().create_collection(metric.as_str(), DIM as u32, metric).unwrap();
        }
        // One set of vectors, stored in the three collections.
        for start in (0..n).step_by(5_000) {
            let docs: Vec<VectorDocument> = (start..(start + 5_000).min(n))
                .map(|i| {
                    let v = (0..DIM).map(|_| rng.f32()).collect();
                    VectorDocument::new(&format!("v{i}"), v, serde_json::json!({"shard": i % 4}))
                })
                .collect();
            for metric in [DistanceMetric::Cosine, DistanceMetric::Euclidean, DistanceMetric::DotProduct] {
                db.vectors().upsert_many(metric.as_str(), &docs).unwrap();
            }
        }
        let query: Vec<f32> = (0..DIM).map(|_| rng.f32()).collect();
        group.throughput(Throughput::Elements(n as u64));
        for metric in [DistanceMetric::Cosine, DistanceMetric::Euclidean, DistanceMetric::DotProduct] {
            let name = metric.as_str();
            db.vectors().search(name, &query, 10, None).unwrap(); // load the in-memory copy
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| black_box(db.vectors().search(name, black_box(&query), 10, None).unwrap()))
            });
        }
        let filter = neotalk_storage::VectorFilter::equals("shard", 1);
        group.bench_with_input(BenchmarkId::new("cosine_filtered_quarter", n), &n, |b, _| {
            b.iter(|| black_box(db.vectors().search("cosine", black_box(&query), 10, Some(&filter)).unwrap()))
        });
    }
    group.finish();
}

const WORDS: &[&str] = &[
    "pump",
    "valve",
    "sensor",
    "temperature",
    "humidity",
    "pressure",
    "alarm",
    "gateway",
    "firmware",
    "update",
    "living",
    "room",
    "kitchen",
    "light",
    "dimmed",
    "evening",
    "morning",
    "schedule",
    "maintenance",
    "monthly",
    "overheating",
    "fault",
    "restart",
    "battery",
    "low",
    "signal",
    "lost",
    "mqtt",
    "modbus",
    "rule",
    "threshold",
    "exceeded",
    "user",
    "prefers",
    "warm",
    "cool",
    "energy",
    "consumption",
    "peak",
    "report",
];
const ZH: &[&str] = &["客厅温度", "卧室湿度", "水泵故障", "网关离线", "灯光调暗", "能耗过高", "传感器电量低", "规则触发"];

fn memory_entry(rng: &mut Rng, i: usize) -> MemoryEntry {
    // Skewed word choice: low indexes are common, high ones rare, like real text.
    let mut words = Vec::new();
    for _ in 0..10 {
        let r = rng.below(WORDS.len() as u64) * rng.below(WORDS.len() as u64) / WORDS.len() as u64;
        words.push(WORDS[r as usize]);
    }
    let mut content = words.join(" ");
    content.push(' ');
    content.push_str(ZH[rng.below(ZH.len() as u64) as usize]);
    content.push_str(&format!(" device-{}", rng.below(5_000)));
    let mut e = MemoryEntry::new(&format!("m{i}"), MemoryType::DeviceKnowledge, &content, i as i64);
    e.metadata.keywords = vec![WORDS[rng.below(WORDS.len() as u64) as usize].to_string()];
    e
}

fn memory_keyword_search(c: &mut Criterion) {
    let mut group = c.benchmark_group("memory_keyword_search");
    group.sample_size(20);
    let n = 100_000;
    let db = StorageManager::in_memory().unwrap();
    let mut rng = Rng(7);
    for start in (0..n).step_by(2_000) {
        let batch: Vec<MemoryEntry> = (start..start + 2_000).map(|i| memory_entry(&mut rng, i)).collect();
        db.memory().add_many(&batch).unwrap();
    }
    for (label, query) in [("rare_terms", "overheating report device-42"), ("common_terms", "pump valve sensor"), ("chinese", "水泵故障")]
    {
        group.bench_with_input(BenchmarkId::new(label, n), &query, |b, q| {
            b.iter(|| black_box(db.memory().search_keywords(black_box(q), 10).unwrap()))
        });
    }
    group.finish();
}

fn context_window(c: &mut Criterion) {
    let mut group = c.benchmark_group("session_context_window");
    let db = StorageManager::in_memory().unwrap();
    let s = db.sessions();
    s.create_session("long", "bench", 0).unwrap();
    let mut rng = Rng(3);
    let mut msgs = Vec::new();
    let mut t = 0i64;
    while msgs.len() < 10_000 {
        t += 1;
        let text = "lorem ipsum ".repeat(rng.below(20) as usize + 1);
        match rng.below(5) {
            0 => {
                let id = format!("call-{t}");
                let call = serde_json::json!({"id": id, "type": "function", "function": {"name": "read", "arguments": "{}"}});
                msgs.push(SessionMessage::assistant_tool_calls("", vec![call], t));
                msgs.push(SessionMessage::tool_result(&id, &text, t));
            }
            1 | 2 => msgs.push(SessionMessage::assistant(&text, t)),
            _ => msgs.push(SessionMessage::user(&text, t)),
        }
    }
    s.append_messages("long", &msgs).unwrap();
    for budget in [4_000usize, 32_000] {
        group.bench_with_input(BenchmarkId::new("10k_messages_chars", budget), &budget, |b, &budget| {
            b.iter(|| black_box(s.context_window("long", black_box(budget)).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, vector_search, memory_keyword_search, context_window);
criterion_main!(benches);
