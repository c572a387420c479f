use neotalk_storage::Quantization;
use neotalk_storage::*;
use serde_json::json;
use std::collections::BTreeMap;

const METRICS: [DistanceMetric; 3] = [DistanceMetric::Cosine, DistanceMetric::Euclidean, DistanceMetric::DotProduct];

/// Small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn f32(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
    fn vector(&mut self, dim: usize) -> Vec<f32> {
        (0..dim).map(|_| self.f32()).collect()
    }
    /// Approximately gaussian (sum of four uniforms).
    fn gauss(&mut self) -> f32 {
        (self.f32() + self.f32() + self.f32() + self.f32()) * 0.866
    }
}

/// `n` rows of `dim`: gaussian, or 40 gaussian centres with noise of half their scale (close
/// neighbours, as real embeddings have).
fn data_set(rng: &mut Rng, n: usize, dim: usize, clustered: bool) -> Vec<Vec<f32>> {
    let centres: Vec<Vec<f32>> = (0..40).map(|_| (0..dim).map(|_| rng.gauss()).collect()).collect();
    (0..n)
        .map(|_| {
            if clustered {
                centres[(rng.next() % 40) as usize].iter().map(|c| c + 0.5 * rng.gauss()).collect()
            } else {
                (0..dim).map(|_| rng.gauss()).collect()
            }
        })
        .collect()
}

fn pairs(found: &[VectorMatch]) -> Vec<(String, f32)> {
    found.iter().map(|m| (m.id.clone(), m.score)).collect()
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T>, field: &str) {
    match r {
        Err(StorageError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected InvalidInput({field}), got {other:?}"),
    }
}

fn assert_not_found<T: std::fmt::Debug>(r: Result<T>) {
    assert!(matches!(r, Err(StorageError::NotFound { .. })), "expected NotFound, got {r:?}");
}

/// Reference search: score everything with the plain formula, sort, take k.
fn naive(
    truth: &BTreeMap<String, (Vec<f32>, serde_json::Value)>,
    metric: DistanceMetric,
    q: &[f32],
    k: usize,
    filter: Option<&VectorFilter>,
) -> Vec<(String, f32)> {
    let mut all: Vec<(String, f32)> = truth
        .iter()
        .filter(|(_, (_, m))| filter.is_none_or(|f| f.matches(m)))
        .map(|(id, (v, _))| (id.clone(), metric.score(q, v)))
        .collect();
    all.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap().then_with(|| a.0.cmp(&b.0)));
    all.truncate(k);
    all
}

/// Same ids in the same order, up to swaps of entries whose scores agree within tolerance.
fn assert_same_ranking(
    got: &[VectorMatch],
    want: &[(String, f32)],
    truth: &BTreeMap<String, (Vec<f32>, serde_json::Value)>,
    metric: DistanceMetric,
    q: &[f32],
) {
    assert_eq!(got.len(), want.len(), "result count");
    let tol = |x: f32| 1e-4 * x.abs().max(1.0);
    for (i, (g, (wid, wscore))) in got.iter().zip(want).enumerate() {
        assert!((g.score - wscore).abs() <= tol(*wscore), "{metric:?} rank {i}: score {} vs reference {wscore}", g.score);
        if g.id != *wid {
            let own = metric.score(q, &truth[&g.id].0);
            assert!((own - wscore).abs() <= tol(*wscore), "{metric:?} rank {i}: got {} (score {own}), reference {wid} ({wscore})", g.id);
        }
        assert_eq!(g.metadata, truth[&g.id].1);
    }
}

on_both_backends! {
    fn collections_create_list_drop(fx) {
        let v = fx.db.vectors();
        assert!(v.list_collections().unwrap().is_empty());
        let a = v.create_collection("a", 3, DistanceMetric::Cosine).unwrap();
        assert_eq!(a, CollectionInfo { name: "a".into(), dimension: 3, metric: DistanceMetric::Cosine });
        v.create_collection("b", 2, DistanceMetric::Euclidean).unwrap();
        assert!(matches!(v.create_collection("a", 3, DistanceMetric::Cosine), Err(StorageError::Conflict(_))));
        let names: Vec<String> = v.list_collections().unwrap().into_iter().map(|c| c.name).collect();
        assert_eq!(names, vec!["a", "b"]);
        v.drop_collection("a").unwrap();
        assert_eq!(v.collection("a").unwrap(), None);
        assert_not_found(v.drop_collection("a"));
        assert_eq!(v.collection("b").unwrap().unwrap().metric, DistanceMetric::Euclidean);
    }

    fn collection_bad_input(fx) {
        let v = fx.db.vectors();
        assert_invalid(v.create_collection("", 3, DistanceMetric::Cosine), "collection");
        assert_invalid(v.create_collection(&"x".repeat(300), 3, DistanceMetric::Cosine), "collection");
        assert_invalid(v.create_collection("z", 0, DistanceMetric::Cosine), "dimension");
        assert_invalid(v.create_collection("z", 65_537, DistanceMetric::Cosine), "dimension");
        assert_invalid(v.create_collection("__mine", 3, DistanceMetric::Cosine), "collection");
        assert_invalid(v.drop_collection("__memory"), "collection");
        assert_invalid(v.drop_collection(""), "collection");
        assert_invalid(v.collection(""), "collection");
        assert_invalid(v.count(""), "collection");
        assert_invalid(v.search("", &[1.0], 1, None), "collection");
        assert_invalid(v.upsert("", &VectorDocument::new("a", vec![1.0], json!({}))), "collection");
        assert!(v.list_collections().unwrap().is_empty());
    }

    fn upsert_get_delete_count_and_reopen(fx) {
        let v = fx.db.vectors();
        v.create_collection("c", 4, DistanceMetric::DotProduct).unwrap();
        v.upsert("c", &VectorDocument::new("x", vec![1.0, 2.0, 3.0, 4.0], json!({"k": 1}))).unwrap();
        v.upsert_many("c", &[
            VectorDocument::new("y", vec![0.5, 0.0, -1.0, 2.0], json!(null)),
            VectorDocument::new("z", vec![0.0, 0.0, 0.0, 0.0], json!({"k": 2})),
        ]).unwrap();
        assert_eq!(v.count("c").unwrap(), 3);
        assert_eq!(v.get("c", "x").unwrap().unwrap(), VectorDocument::new("x", vec![1.0, 2.0, 3.0, 4.0], json!({"k": 1})));
        assert_eq!(v.get("c", "nope").unwrap(), None);
        // Replacing keeps the count and changes the result.
        v.upsert("c", &VectorDocument::new("x", vec![-1.0, 0.0, 0.0, 0.0], json!({"k": 3}))).unwrap();
        assert_eq!(v.count("c").unwrap(), 3);
        let hits = v.search("c", &[1.0, 0.0, 0.0, 0.0], 3, None).unwrap();
        assert_eq!(hits.iter().map(|h| (h.id.as_str(), h.score)).collect::<Vec<_>>(), vec![("y", 0.5), ("z", 0.0), ("x", -1.0)]);
        assert!(v.delete("c", "y").unwrap());
        assert!(!v.delete("c", "y").unwrap());
        assert_eq!(v.count("c").unwrap(), 2);
        let fx = fx.reopen();
        let v = fx.db.vectors();
        assert_eq!(v.count("c").unwrap(), 2);
        assert_eq!(v.get("c", "x").unwrap().unwrap().metadata, json!({"k": 3}));
        let hits = v.search("c", &[1.0, 0.0, 0.0, 0.0], 10, None).unwrap();
        assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), vec!["z", "x"]);
        assert!(v.search("c", &[1.0, 0.0, 0.0, 0.0], 0, None).unwrap().is_empty());
        assert!(v.search("c", &[1.0, 0.0, 0.0, 0.0], 10, Some(&VectorFilter::equals("missing", 1))).unwrap().is_empty());
    }

    fn bad_vectors_and_unknown_collections(fx) {
        let v = fx.db.vectors();
        v.create_collection("cos", 3, DistanceMetric::Cosine).unwrap();
        v.create_collection("l2", 3, DistanceMetric::Euclidean).unwrap();
        let doc = |id: &str, e: Vec<f32>| VectorDocument::new(id, e, json!({}));
        assert_invalid(v.upsert("cos", &doc("a", vec![1.0, 2.0])), "embedding");
        assert_invalid(v.upsert("cos", &doc("a", vec![1.0, f32::NAN, 0.0])), "embedding");
        assert_invalid(v.upsert("cos", &doc("a", vec![1.0, f32::INFINITY, 0.0])), "embedding");
        assert_invalid(v.upsert("cos", &doc("a", vec![0.0, 0.0, 0.0])), "embedding");
        assert_invalid(v.upsert("cos", &doc("a", vec![1e-30, 0.0, 0.0])), "embedding"); // length underflows
        assert_invalid(v.upsert("l2", &doc("a", vec![1e20, 0.0, 0.0])), "embedding"); // length overflows
        v.upsert("l2", &doc("zero", vec![0.0, 0.0, 0.0])).unwrap(); // fine for Euclidean
        assert_invalid(v.upsert("cos", &doc("", vec![1.0, 0.0, 0.0])), "id");
        let mut deep = json!(1);
        for _ in 0..70 { deep = json!([deep]); }
        assert_invalid(v.upsert("cos", &VectorDocument::new("a", vec![1.0, 0.0, 0.0], deep)), "metadata");
        // One bad document: nothing of the batch is stored.
        assert_invalid(v.upsert_many("cos", &[doc("ok", vec![1.0, 0.0, 0.0]), doc("bad", vec![1.0])]), "embedding");
        assert_eq!(v.count("cos").unwrap(), 0);
        assert_invalid(v.search("cos", &[1.0, 0.0], 5, None), "query");
        assert_invalid(v.search("cos", &[f32::NAN, 0.0, 0.0], 5, None), "query");
        assert_invalid(v.search("cos", &[0.0, 0.0, 0.0], 5, None), "query");
        assert_invalid(v.search("cos", &[1.0, 0.0, 0.0], 5, Some(&VectorFilter::equals("", 1))), "filter field");
        assert_not_found(v.upsert("nope", &doc("a", vec![1.0, 0.0, 0.0])));
        assert_not_found(v.get("nope", "a"));
        assert_not_found(v.delete("nope", "a"));
        assert_not_found(v.count("nope"));
        assert_not_found(v.search("nope", &[1.0, 0.0, 0.0], 5, None));
        assert_invalid(v.get("cos", ""), "id");
        assert_invalid(v.delete("cos", ""), "id");
        assert_invalid(v.upsert("__memory", &doc("a", vec![1.0, 0.0, 0.0])), "collection");
        assert_invalid(v.delete("__memory", "a"), "collection");
    }

    fn search_equals_naive_reference_for_every_metric(fx) {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let dim = 37; // not a multiple of the kernel's 16 lanes
        for metric in METRICS {
            let name = metric.as_str();
            fx.db.vectors().create_collection(name, dim as u32, metric).unwrap();
            let mut truth = BTreeMap::new();
            let docs: Vec<VectorDocument> = (0..600)
                .map(|i| {
                    let meta = json!({"group": i % 3, "even": i % 2 == 0});
                    let d = VectorDocument::new(&format!("doc-{i:04}"), rng.vector(dim), meta);
                    truth.insert(d.id.clone(), (d.embedding.clone(), d.metadata.clone()));
                    d
                })
                .collect();
            fx.db.vectors().upsert_many(name, &docs).unwrap();
            let check = |db: &StorageManager, truth: &BTreeMap<String, (Vec<f32>, serde_json::Value)>, rng: &mut Rng| {
                for (k, filter) in [(10, None), (25, Some(VectorFilter::equals("group", 1))), (7, Some(VectorFilter::equals("even", true))), (1000, None)] {
                    let q = rng.vector(dim);
                    let got = db.vectors().search(name, &q, k, filter.as_ref()).unwrap();
                    let want = naive(truth, metric, &q, k, filter.as_ref());
                    assert_same_ranking(&got, &want, truth, metric, &q);
                }
            };
            check(&fx.db, &truth, &mut rng);
            // Writes after the first search keep the in-memory copy in step.
            for i in (0..600).step_by(7) {
                let id = format!("doc-{i:04}");
                assert!(fx.db.vectors().delete(name, &id).unwrap());
                truth.remove(&id);
            }
            let changed: Vec<VectorDocument> = (590..640)
                .map(|i| VectorDocument::new(&format!("doc-{i:04}"), rng.vector(dim), json!({"group": 1, "even": false})))
                .collect();
            for d in &changed {
                truth.insert(d.id.clone(), (d.embedding.clone(), d.metadata.clone()));
            }
            fx.db.vectors().upsert_many(name, &changed).unwrap();
            assert_eq!(fx.db.vectors().count(name).unwrap(), truth.len() as u64);
            check(&fx.db, &truth, &mut rng);
            fx = fx.reopen();
            check(&fx.db, &truth, &mut rng);
        }
    }

    fn drop_large_collection_in_batches(fx) {
        let v = fx.db.vectors();
        v.create_collection("big", 2, DistanceMetric::Euclidean).unwrap();
        let docs: Vec<VectorDocument> = (0..2_500).map(|i| VectorDocument::new(&format!("{i}"), vec![i as f32, 0.0], json!({}))).collect();
        v.upsert_many("big", &docs).unwrap();
        assert_eq!(v.count("big").unwrap(), 2_500);
        v.create_collection("other", 2, DistanceMetric::Euclidean).unwrap();
        v.upsert("other", &VectorDocument::new("keep", vec![1.0, 1.0], json!({}))).unwrap();
        v.drop_collection("big").unwrap();
        assert_not_found(v.count("big"));
        v.create_collection("big", 3, DistanceMetric::Cosine).unwrap();
        assert_eq!(v.count("big").unwrap(), 0);
        assert_eq!(v.get("big", "5").unwrap(), None);
        assert_eq!(v.count("other").unwrap(), 1);
        let fx = fx.reopen();
        assert_eq!(fx.db.vectors().count("big").unwrap(), 0);
        assert_eq!(fx.db.vectors().count("other").unwrap(), 1);
    }

    fn closed_store_refuses(fx) {
        let v = fx.db.vectors().clone();
        v.create_collection("c", 2, DistanceMetric::DotProduct).unwrap();
        v.upsert("c", &VectorDocument::new("a", vec![1.0, 1.0], json!({}))).unwrap();
        assert_eq!(v.count("c").unwrap(), 1);
        fx.db.close().unwrap();
        assert_eq!(v.search("c", &[1.0, 1.0], 1, None), Err(StorageError::Closed));
        assert_eq!(v.upsert("c", &VectorDocument::new("b", vec![1.0, 1.0], json!({}))), Err(StorageError::Closed));
    }

    fn concurrent_writes_keep_search_in_step(fx) {
        let dim = 20;
        fx.db.vectors().create_collection("c", dim as u32, DistanceMetric::Euclidean).unwrap();
        fx.db.vectors().upsert("c", &VectorDocument::new("seed", vec![0.5; dim], json!({}))).unwrap();
        fx.db.vectors().search("c", &[0.0; 20], 1, None).unwrap(); // in-memory copy loaded before the writers start
        let writers: Vec<_> = (0..2u64)
            .map(|w| {
                let db = fx.db.clone();
                std::thread::spawn(move || {
                    let mut rng = Rng(w + 11);
                    let mut mine = BTreeMap::new();
                    for round in 0..40 {
                        let docs: Vec<VectorDocument> = (0..5)
                            .map(|i| VectorDocument::new(&format!("w{w}-{}", (round * 5 + i) % 60), rng.vector(dim), json!({"w": w})))
                            .collect();
                        db.vectors().upsert_many("c", &docs).unwrap();
                        for d in docs {
                            mine.insert(d.id.clone(), (d.embedding, d.metadata));
                        }
                        if round % 3 == 0 {
                            let id = format!("w{w}-{}", round % 60);
                            if db.vectors().delete("c", &id).unwrap() {
                                mine.remove(&id);
                            }
                        }
                    }
                    mine
                })
            })
            .collect();
        let reader = {
            let db = fx.db.clone();
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let hits = db.vectors().search("c", &[0.0; 20], 5, None).unwrap();
                    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
                }
            })
        };
        let mut truth: BTreeMap<String, (Vec<f32>, serde_json::Value)> = BTreeMap::new();
        truth.insert("seed".into(), (vec![0.5; dim], json!({})));
        for w in writers {
            truth.extend(w.join().unwrap());
        }
        reader.join().unwrap();
        assert_eq!(fx.db.vectors().count("c").unwrap(), truth.len() as u64);
        let mut rng = Rng(5);
        for _ in 0..5 {
            let q = rng.vector(dim);
            let got = fx.db.vectors().search("c", &q, 1000, None).unwrap();
            assert_same_ranking(&got, &naive(&truth, DistanceMetric::Euclidean, &q, 1000, None), &truth, DistanceMetric::Euclidean, &q);
        }
    }

    fn int8_search_equals_naive_reference_for_every_metric(fx) {
        let mut rng = Rng(0x5EED_1234);
        let dim = 37;
        for metric in METRICS {
            let name = metric.as_str();
            fx.db.vectors().create_collection_with(name, dim as u32, metric, Quantization::int8()).unwrap();
            let mut truth = BTreeMap::new();
            let docs: Vec<VectorDocument> = (0..600)
                .map(|i| {
                    let d = VectorDocument::new(&format!("doc-{i:04}"), rng.vector(dim), json!({"group": i % 3}));
                    truth.insert(d.id.clone(), (d.embedding.clone(), d.metadata.clone()));
                    d
                })
                .collect();
            fx.db.vectors().upsert_many(name, &docs).unwrap();
            // Seeded data: the int8 candidates (k * 10) hold the exact top-k here, and the
            // scores returned are the f32 ones.
            let check = |db: &StorageManager, truth: &BTreeMap<String, (Vec<f32>, serde_json::Value)>, rng: &mut Rng| {
                for (k, filter) in [(10, None), (5, Some(VectorFilter::equals("group", 2))), (1000, None)] {
                    let q = rng.vector(dim);
                    let got = db.vectors().search(name, &q, k, filter.as_ref()).unwrap();
                    assert_same_ranking(&got, &naive(truth, metric, &q, k, filter.as_ref()), truth, metric, &q);
                }
            };
            check(&fx.db, &truth, &mut rng);
            // Upserts, replacements and deletes keep the int8 copy row-aligned.
            for i in (0..600).step_by(5) {
                let id = format!("doc-{i:04}");
                assert!(fx.db.vectors().delete(name, &id).unwrap());
                truth.remove(&id);
            }
            let changed: Vec<VectorDocument> = (580..650).map(|i| VectorDocument::new(&format!("doc-{i:04}"), rng.vector(dim), json!({"group": 2}))).collect();
            for d in &changed {
                truth.insert(d.id.clone(), (d.embedding.clone(), d.metadata.clone()));
            }
            fx.db.vectors().upsert_many(name, &changed).unwrap();
            check(&fx.db, &truth, &mut rng);
            fx = fx.reopen();
            assert_eq!(fx.db.vectors().quantization(name).unwrap(), Quantization::int8());
            check(&fx.db, &truth, &mut rng);
        }
    }

    fn int8_recall_at_10_is_at_least_0_99(fx) {
        let (n, dim, queries) = (3_000, 96, 40);
        for clustered in [false, true] {
            let mut rng = Rng(if clustered { 77 } else { 78 });
            let rows = data_set(&mut rng, n, dim, clustered);
            for metric in METRICS {
                let name = format!("{}-{clustered}", metric.as_str());
                let v = fx.db.vectors();
                v.create_collection(&name, dim as u32, metric).unwrap();
                let docs: Vec<VectorDocument> = rows.iter().enumerate().map(|(i, r)| VectorDocument::new(&format!("{i}"), r.clone(), json!(null))).collect();
                v.upsert_many(&name, &docs).unwrap();
                // Queries near stored rows, as real queries are near what they look for.
                let qs: Vec<Vec<f32>> = (0..queries).map(|i| rows[(i * 71) % n].iter().map(|x| x + 0.3 * rng.gauss()).collect()).collect();
                let exact: Vec<Vec<VectorMatch>> = qs.iter().map(|q| v.search(&name, q, 10, None).unwrap()).collect();
                v.set_quantization(&name, Quantization::int8()).unwrap();
                let mut found = 0;
                for (q, want) in qs.iter().zip(&exact) {
                    let got = v.search(&name, q, 10, None).unwrap();
                    for g in &got {
                        // A found document carries its exact f32 score.
                        let w = want.iter().find(|w| w.id == g.id);
                        if let Some(w) = w {
                            assert_eq!(g.score, w.score, "{name}: re-ranked score is the f32 score");
                            found += 1;
                        }
                    }
                }
                let recall = found as f64 / (queries * 10) as f64;
                assert!(recall >= 0.99, "{name}: recall@10 {recall}");
            }
        }
    }

    fn quantization_setting_persists_switches_and_checks_input(fx) {
        let v = fx.db.vectors();
        let info = v.create_collection_with("q", 3, DistanceMetric::Euclidean, Quantization::Int8 { oversampling: 3 }).unwrap();
        assert_eq!(info, CollectionInfo { name: "q".into(), dimension: 3, metric: DistanceMetric::Euclidean });
        v.create_collection("plain", 3, DistanceMetric::Cosine).unwrap();
        assert_eq!(v.quantization("plain").unwrap(), Quantization::None);
        v.upsert_many("q", &[
            VectorDocument::new("a", vec![1.0, 0.0, 0.0], json!({})),
            VectorDocument::new("b", vec![0.0, 2.0, 0.0], json!({})),
            VectorDocument::new("c", vec![0.0, 0.0, 0.0], json!({})),
        ]).unwrap();
        assert_eq!(pairs(&v.search("q", &[0.0, 2.0, 0.0], 2, None).unwrap()), vec![("b".into(), 0.0), ("c".into(), -2.0)]);
        assert_invalid(v.create_collection_with("z", 3, DistanceMetric::Cosine, Quantization::Int8 { oversampling: 0 }), "oversampling");
        assert_invalid(v.create_collection_with("z", 3, DistanceMetric::Cosine, Quantization::Int8 { oversampling: 1_001 }), "oversampling");
        assert_invalid(v.create_collection_with("__z", 3, DistanceMetric::Cosine, Quantization::int8()), "collection");
        assert_eq!(v.collection("z").unwrap(), None);
        assert_invalid(v.set_quantization("q", Quantization::Int8 { oversampling: 0 }), "oversampling");
        assert_invalid(v.set_quantization("", Quantization::int8()), "collection");
        assert_invalid(v.set_quantization("__memory", Quantization::int8()), "collection");
        assert_not_found(v.set_quantization("nope", Quantization::int8()));
        assert_not_found(v.quantization("nope"));
        assert_invalid(v.quantization(""), "collection");
        // Bad documents and queries are refused as without quantisation.
        assert_invalid(v.upsert("q", &VectorDocument::new("d", vec![1.0, 2.0], json!({}))), "embedding");
        assert_invalid(v.upsert("q", &VectorDocument::new("d", vec![1.0, f32::NAN, 0.0], json!({}))), "embedding");
        assert_invalid(v.search("q", &[1.0, 2.0], 1, None), "query");
        assert_invalid(v.search("q", &[f32::INFINITY, 0.0, 0.0], 1, None), "query");
        assert_eq!(v.quantization("q").unwrap(), Quantization::Int8 { oversampling: 3 });
        let fx = fx.reopen();
        let v = fx.db.vectors();
        assert_eq!(v.quantization("q").unwrap(), Quantization::Int8 { oversampling: 3 });
        assert_eq!(v.collection("q").unwrap().unwrap().metric, DistanceMetric::Euclidean);
        assert_eq!(pairs(&v.search("q", &[1.0, 0.0, 0.0], 3, None).unwrap()), vec![("a".into(), 0.0), ("c".into(), -1.0), ("b".into(), -5f32.sqrt())]);
        // Switching on a loaded collection rebuilds its copy; the switch persists.
        v.set_quantization("q", Quantization::None).unwrap();
        v.set_quantization("plain", Quantization::Int8 { oversampling: 7 }).unwrap();
        v.upsert("plain", &VectorDocument::new("p", vec![0.0, 1.0, 0.0], json!({}))).unwrap();
        assert_eq!(v.search("plain", &[0.0, 1.0, 0.0], 1, None).unwrap()[0].score, 1.0);
        assert_eq!(pairs(&v.search("q", &[1.0, 0.0, 0.0], 1, None).unwrap()), vec![("a".into(), 0.0)]);
        let fx = fx.reopen();
        assert_eq!(fx.db.vectors().quantization("q").unwrap(), Quantization::None);
        assert_eq!(fx.db.vectors().quantization("plain").unwrap(), Quantization::Int8 { oversampling: 7 });
        let names: Vec<String> = fx.db.vectors().list_collections().unwrap().into_iter().map(|c| c.name).collect();
        assert_eq!(names, vec!["plain", "q"]);
    }

    fn search_batch_equals_per_query_search(fx) {
        let mut rng = Rng(0xBA7C);
        let dim = 45;
        for metric in METRICS {
            for quantization in [Quantization::None, Quantization::int8()] {
                let name = format!("{}-{quantization:?}", metric.as_str());
                let v = fx.db.vectors();
                v.create_collection(&name, dim as u32, metric).unwrap();
                let docs: Vec<VectorDocument> = (0..2_100) // two full blocks of rows and a partial one
                    .map(|i| VectorDocument::new(&format!("d{i}"), rng.vector(dim), json!({"g": i % 4})))
                    .collect();
                v.upsert_many(&name, &docs).unwrap();
                let queries: Vec<Vec<f32>> = (0..13).map(|_| rng.vector(dim)).collect();
                for (k, filter) in [(10, None), (3, Some(VectorFilter::equals("g", 1))), (1, None), (5000, Some(VectorFilter::equals("g", 3)))] {
                    let batch = v.search_batch(&name, &queries, k, filter.as_ref()).unwrap();
                    assert_eq!(batch.len(), queries.len());
                    // Exact per-query search is the reference, also for an int8 collection.
                    v.set_quantization(&name, Quantization::None).unwrap();
                    for (q, got) in queries.iter().zip(&batch) {
                        let want = v.search(&name, q, k, filter.as_ref()).unwrap();
                        assert_eq!(pairs(got), pairs(&want), "{name} k={k} filter={filter:?}");
                        assert_eq!(got.iter().map(|m| &m.metadata).collect::<Vec<_>>(), want.iter().map(|m| &m.metadata).collect::<Vec<_>>());
                    }
                    v.set_quantization(&name, quantization).unwrap();
                }
                let one = v.search_batch(&name, &[queries[0].as_slice()], 10, None).unwrap();
                assert_eq!(one.len(), 1);
                assert!(v.search_batch(&name, &[&queries[0]], 0, None).unwrap()[0].is_empty());
                assert!(v.search_batch::<Vec<f32>>(&name, &[], 10, None).unwrap().is_empty());
            }
        }
        let v = fx.db.vectors();
        v.create_collection("empty", 2, DistanceMetric::Cosine).unwrap();
        assert!(v.search_batch("empty", &[vec![1.0, 0.0]], 5, None).unwrap()[0].is_empty());
        assert_invalid(v.search_batch("empty", &[vec![1.0, 0.0], vec![1.0]], 5, None), "queries");
        assert_invalid(v.search_batch("empty", &[vec![1.0, f32::NAN]], 5, None), "queries");
        assert_invalid(v.search_batch("empty", &[vec![0.0, 0.0]], 5, None), "queries");
        assert_invalid(v.search_batch("empty", &[vec![1.0, 0.0]], 5, Some(&VectorFilter::equals("", 1))), "filter field");
        assert_invalid(v.search_batch("", &[vec![1.0, 0.0]], 5, None), "collection");
        assert_not_found(v.search_batch("nope", &[vec![1.0, 0.0]], 5, None));
        match v.search_batch("empty", &[vec![1.0, 0.0], vec![1.0]], 5, None) {
            Err(StorageError::InvalidInput { reason, .. }) => assert!(reason.starts_with("query 1 "), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
