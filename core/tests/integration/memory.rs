use neotalk_storage::limits::MEMORY_PURGE_BATCH;
use neotalk_storage::*;

fn assert_invalid<T: std::fmt::Debug>(r: Result<T>, field: &str) {
    match r {
        Err(StorageError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected InvalidInput({field}), got {other:?}"),
    }
}

fn entry(id: &str, t: MemoryType, content: &str, created_at: i64) -> MemoryEntry {
    MemoryEntry::new(id, t, content, created_at)
}

fn with(mut e: MemoryEntry, f: impl FnOnce(&mut MemoryEntry)) -> MemoryEntry {
    f(&mut e);
    e
}

fn hit_ids(hits: &[MemoryHit]) -> Vec<&str> {
    hits.iter().map(|h| h.entry.memory_id.as_str()).collect()
}

fn entry_ids(list: &[MemoryEntry]) -> Vec<&str> {
    list.iter().map(|e| e.memory_id.as_str()).collect()
}

/// The hand-made corpus of the ranking tests: English and Chinese entries.
fn corpus() -> Vec<MemoryEntry> {
    use MemoryType::*;
    vec![
        entry("en-pump-alarm", DeviceKnowledge, "Pump overheating alarm: the pump stops above 80 degrees", 1),
        entry("en-pump-service", DeviceKnowledge, "Pump maintenance schedule is monthly", 2),
        entry("en-light", UserPreference, "The user likes the living room light dimmed in the evening", 3),
        entry("zh-sensor", DeviceKnowledge, "客厅温度传感器", 4),
        entry("zh-alarm", HistoricalEvent, "卧室温度过高报警", 5),
        entry("zh-light", UserPreference, "客厅灯光", 6),
        with(entry("kw-only", SystemKnowledge, "Gateway firmware notes", 7), |e| {
            e.metadata.keywords = vec!["水泵".into(), "firmware".into()]
        }),
    ]
}

/// BM25 as documented (k1 = 1.2, b = 0.75, Lucene idf), computed independently of the store.
fn bm25_reference(docs: &[MemoryEntry], query: &str) -> Vec<(String, f32)> {
    let terms_of = |e: &MemoryEntry| {
        let mut t = tokenize(&e.content);
        for k in &e.metadata.keywords {
            t.extend(tokenize(k));
        }
        t
    };
    let n = docs.len() as f64;
    let avgdl = docs.iter().map(|d| terms_of(d).len() as f64).sum::<f64>() / n;
    let mut q = tokenize(query);
    q.sort();
    q.dedup();
    let mut out: Vec<(String, f32)> = docs
        .iter()
        .filter_map(|d| {
            let t = terms_of(d);
            let mut score = 0.0;
            let mut matched = false;
            for term in &q {
                let tf = t.iter().filter(|x| *x == term).count() as f64;
                if tf == 0.0 {
                    continue;
                }
                matched = true;
                let df = docs.iter().filter(|o| terms_of(o).contains(term)).count() as f64;
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * t.len() as f64 / avgdl));
            }
            matched.then(|| (d.memory_id.clone(), score as f32))
        })
        .collect();
    out.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap().then_with(|| a.0.cmp(&b.0)));
    out
}

on_both_backends! {
    fn add_get_peek_update_delete(fx) {
        let m = fx.db.memory();
        let e = with(entry("m1", MemoryType::DeviceKnowledge, "Pump 7 overheats", 1_000), |e| {
            e.metadata.keywords = vec!["pump".into()];
            e.metadata.entities = vec!["pump-7".into()];
            e.metadata.importance = 0.9;
        });
        m.add(&e).unwrap();
        assert!(matches!(m.add(&e), Err(StorageError::Conflict(_))));
        assert_eq!(m.peek("m1").unwrap().unwrap(), e);
        let got = m.get("m1", 5_000).unwrap().unwrap();
        assert_eq!((got.access_count, got.last_accessed), (1, Some(5_000)));
        let got = m.get("m1", 6_000).unwrap().unwrap();
        assert_eq!((got.access_count, got.last_accessed), (2, Some(6_000)));
        assert_eq!(m.peek("m1").unwrap().unwrap().access_count, 2);
        assert_eq!(m.get("nope", 1).unwrap(), None);
        let mut changed = got.clone();
        changed.content = "Pump 7 was replaced".into();
        changed.memory_type = MemoryType::HistoricalEvent;
        m.update(&changed).unwrap();
        assert_eq!(m.peek("m1").unwrap().unwrap(), changed);
        assert!(m.by_type(MemoryType::DeviceKnowledge, 10).unwrap().is_empty());
        assert_eq!(entry_ids(&m.by_type(MemoryType::HistoricalEvent, 10).unwrap()), vec!["m1"]);
        assert_eq!(hit_ids(&m.search_keywords("replaced", 5).unwrap()), vec!["m1"]);
        assert!(m.search_keywords("overheats", 5).unwrap().is_empty());
        assert!(matches!(m.update(&entry("zz", MemoryType::Other, "x", 1)), Err(StorageError::NotFound { .. })));
        assert_eq!(m.count().unwrap(), 1);
        let fx = fx.reopen();
        let m = fx.db.memory();
        assert_eq!(m.peek("m1").unwrap().unwrap(), changed);
        assert!(m.delete("m1").unwrap());
        assert!(!m.delete("m1").unwrap());
        assert_eq!(m.peek("m1").unwrap(), None);
        assert_eq!(m.count().unwrap(), 0);
        assert!(m.search_keywords("replaced", 5).unwrap().is_empty());
        assert!(m.by_importance(5).unwrap().is_empty());
    }

    fn bad_input(fx) {
        let m = fx.db.memory();
        let ok = entry("ok", MemoryType::Other, "fine", 1);
        assert_invalid(m.add(&entry("", MemoryType::Other, "x", 1)), "memory_id");
        assert_invalid(m.add(&entry("e", MemoryType::Other, "  ", 1)), "content");
        assert_invalid(m.add(&entry("e", MemoryType::Other, &"x".repeat(1024 * 1024 + 1), 1)), "content");
        for bad in [1.5, -0.1, f32::NAN, f32::INFINITY] {
            assert_invalid(m.add(&with(ok.clone(), |e| e.metadata.importance = bad)), "importance");
        }
        assert_invalid(m.add(&with(ok.clone(), |e| e.metadata.keywords = vec![String::new()])), "keywords");
        assert_invalid(m.add(&with(ok.clone(), |e| e.metadata.entities = vec!["x".repeat(300)])), "entities");
        assert_invalid(m.add(&with(ok.clone(), |e| e.embedding = Some(vec![]))), "embedding");
        assert_invalid(m.add(&with(ok.clone(), |e| e.embedding = Some(vec![1.0, f32::NAN]))), "embedding");
        assert_invalid(m.add(&with(ok.clone(), |e| e.embedding = Some(vec![0.0, 0.0]))), "embedding");
        // The first embedding fixes the dimension.
        m.add(&with(entry("v1", MemoryType::Other, "vector one", 1), |e| e.embedding = Some(vec![1.0, 0.0, 0.0]))).unwrap();
        assert_invalid(m.add(&with(ok.clone(), |e| e.embedding = Some(vec![1.0, 0.0]))), "embedding");
        assert_invalid(m.update(&with(entry("v1", MemoryType::Other, "vector one", 1), |e| e.embedding = Some(vec![1.0]))), "embedding");
        // A bad entry or a repeated id fails the whole batch.
        assert_invalid(m.add_many(&[ok.clone(), entry("", MemoryType::Other, "x", 1)]), "memory_id");
        assert!(matches!(m.add_many(&[ok.clone(), ok.clone()]), Err(StorageError::Conflict(_))));
        assert!(matches!(m.add_many(&[ok.clone(), entry("v1", MemoryType::Other, "dup", 1)]), Err(StorageError::Conflict(_))));
        assert_eq!(m.count().unwrap(), 1);
        assert_eq!(m.peek("ok").unwrap(), None);
        assert_invalid(m.get("", 1), "memory_id");
        assert_invalid(m.peek(""), "memory_id");
        assert_invalid(m.delete(""), "memory_id");
        assert_invalid(m.search_keywords("  !! ", 5), "query");
        assert_invalid(m.search_keywords(&"a ".repeat(40_000), 5), "query");
        assert_invalid(m.search_semantic(&[1.0, 0.0], 5), "embedding");
        assert_invalid(m.search_semantic(&[f32::NAN, 0.0, 0.0], 5), "embedding");
        assert_invalid(m.search_hybrid("", &[1.0, 0.0, 0.0], 5), "query");
        assert_invalid(m.search_hybrid("vector", &[1.0], 5), "embedding");
        // The reserved collection is not writable through the vector store.
        let doc = VectorDocument::new("x", vec![1.0, 0.0, 0.0], serde_json::json!({}));
        assert_invalid(fx.db.vectors().upsert(MEMORY_COLLECTION, &doc), "collection");
    }

    fn by_type_and_importance(fx) {
        let m = fx.db.memory();
        let mk = |id: &str, t, at, imp| with(entry(id, t, "text", at), |e| e.metadata.importance = imp);
        m.add_many(&[
            mk("a", MemoryType::UserPreference, 30, 0.2),
            mk("b", MemoryType::UserPreference, 10, 1.0),
            mk("c", MemoryType::DeviceKnowledge, 20, 0.0),
            mk("d", MemoryType::UserPreference, 20, 0.7),
            mk("e", MemoryType::RuleExplanation, -5, 0.7),
        ]).unwrap();
        assert_eq!(entry_ids(&m.by_type(MemoryType::UserPreference, 10).unwrap()), vec!["a", "d", "b"]);
        assert_eq!(entry_ids(&m.by_type(MemoryType::UserPreference, 2).unwrap()), vec!["a", "d"]);
        assert!(m.by_type(MemoryType::Other, 10).unwrap().is_empty());
        assert_eq!(entry_ids(&m.by_importance(3).unwrap()), vec!["b", "e", "d"]);
        assert_eq!(entry_ids(&m.by_importance(10).unwrap()), vec!["b", "e", "d", "a", "c"]);
        assert!(m.by_importance(0).unwrap().is_empty());
        m.update(&mk("c", MemoryType::DeviceKnowledge, 20, 0.95)).unwrap();
        assert_eq!(entry_ids(&m.by_importance(2).unwrap()), vec!["b", "c"]);
    }

    fn bm25_ranks_english_and_chinese(fx) {
        let m = fx.db.memory();
        let docs = corpus();
        m.add_many(&docs).unwrap();
        // Hand-checked expectations.
        assert_eq!(hit_ids(&m.search_keywords("pump", 10).unwrap()), vec!["en-pump-alarm", "en-pump-service"]);
        assert_eq!(hit_ids(&m.search_keywords("客厅温度", 10).unwrap()), vec!["zh-sensor", "zh-light", "zh-alarm"]);
        assert_eq!(hit_ids(&m.search_keywords("温度过高", 10).unwrap())[0], "zh-alarm");
        assert_eq!(hit_ids(&m.search_keywords("水泵", 10).unwrap()), vec!["kw-only"]);
        assert_eq!(hit_ids(&m.search_keywords("LIVING-room", 10).unwrap()), vec!["en-light"]);
        assert_eq!(hit_ids(&m.search_keywords("pump 客厅", 1).unwrap()).len(), 1);
        assert!(m.search_keywords("zebra", 10).unwrap().is_empty());
        assert!(m.search_keywords("pump", 0).unwrap().is_empty());
        // Scores equal the documented formula, computed independently.
        let fx = fx.reopen();
        for q in ["pump", "客厅温度", "the pump alarm", "温度 light firmware", "Pump maintenance 卧室"] {
            let got = fx.db.memory().search_keywords(q, 10).unwrap();
            let want = bm25_reference(&docs, q);
            assert_eq!(hit_ids(&got), want.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), "query {q}");
            for (g, (_, s)) in got.iter().zip(&want) {
                assert!((g.score - s).abs() < 1e-4, "query {q}: {} vs {s}", g.score);
            }
        }
        // Searching does not count as an access.
        assert_eq!(fx.db.memory().peek("en-light").unwrap().unwrap().access_count, 0);
        // Entries added after reopening get fresh document numbers: nothing is confused.
        let mut docs = docs;
        let late = entry("en-pump-late", MemoryType::HistoricalEvent, "pump alarm cleared", 8);
        fx.db.memory().add(&late).unwrap();
        docs.push(late);
        for q in ["pump alarm", "客厅 pump"] {
            let got = fx.db.memory().search_keywords(q, 10).unwrap();
            let want = bm25_reference(&docs, q);
            assert_eq!(hit_ids(&got), want.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), "query {q}");
        }
    }

    fn index_follows_updates_and_deletes(fx) {
        let m = fx.db.memory();
        let mut docs = corpus();
        m.add_many(&docs).unwrap();
        let mut e = docs.remove(1);
        e.content = "Pump pump pump maintenance".into();
        m.update(&e).unwrap();
        docs.push(e);
        assert!(m.delete("en-pump-alarm").unwrap());
        docs.retain(|d| d.memory_id != "en-pump-alarm");
        for q in ["pump", "maintenance monthly", "客厅"] {
            let got = m.search_keywords(q, 10).unwrap();
            let want = bm25_reference(&docs, q);
            assert_eq!(hit_ids(&got), want.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), "query {q}");
            for (g, (_, s)) in got.iter().zip(&want) {
                assert!((g.score - s).abs() < 1e-4, "query {q}");
            }
        }
        assert!(m.search_keywords("monthly", 10).unwrap().is_empty());
    }

    fn semantic_and_hybrid_search(fx) {
        let m = fx.db.memory();
        assert!(m.search_semantic(&[1.0, 0.0, 0.0], 5).unwrap().is_empty());
        let emb = |id: &str, content: &str, v: [f32; 3]| with(entry(id, MemoryType::Other, content, 1), |e| e.embedding = Some(v.to_vec()));
        m.add_many(&[
            emb("north", "pump in the north field", [1.0, 0.0, 0.0]),
            emb("north-east", "valve report", [0.7, 0.7, 0.0]),
            emb("south", "pump in the south field", [-1.0, 0.1, 0.0]),
            entry("plain", MemoryType::Other, "pump without embedding", 1),
        ]).unwrap();
        assert_eq!(fx.db.vectors().count(MEMORY_COLLECTION).unwrap(), 3);
        // The memory's collection is the SDK's: it answers by name but is not listed.
        assert!(fx.db.vectors().collection(MEMORY_COLLECTION).unwrap().is_some());
        assert!(fx.db.vectors().list_collections().unwrap().is_empty());
        let hits = m.search_semantic(&[0.9, 0.1, 0.0], 10).unwrap();
        assert_eq!(hit_ids(&hits), vec!["north", "north-east", "south"]);
        assert_eq!(hits[0].entry.embedding, Some(vec![1.0, 0.0, 0.0]));
        let expected = DistanceMetric::Cosine.score(&[0.9, 0.1, 0.0], &[1.0, 0.0, 0.0]);
        assert!((hits[0].score - expected).abs() < 1e-6);
        // Hybrid: "north" is first in both rankings, so it leads with 2 / (RRF_K + 1).
        let hybrid = m.search_hybrid("north pump", &[0.9, 0.1, 0.0], 10).unwrap();
        assert_eq!(hybrid[0].entry.memory_id, "north");
        assert!((hybrid[0].score - 2.0 / (RRF_K + 1.0)).abs() < 1e-6);
        assert_eq!(hybrid.len(), 4); // keyword-only "plain" and vector-only "north-east" are both fused in
        assert_eq!(m.search_hybrid("north pump", &[0.9, 0.1, 0.0], 2).unwrap().len(), 2);
        // Removing an embedding takes the entry out of semantic search; deleting removes its vector.
        let mut south = m.peek("south").unwrap().unwrap();
        south.embedding = None;
        m.update(&south).unwrap();
        assert_eq!(hit_ids(&m.search_semantic(&[-1.0, 0.0, 0.0], 10).unwrap()), vec!["north-east", "north"]);
        assert!(m.delete("north").unwrap());
        assert_eq!(fx.db.vectors().count(MEMORY_COLLECTION).unwrap(), 1);
        let fx = fx.reopen();
        let m = fx.db.memory();
        assert_eq!(hit_ids(&m.search_semantic(&[1.0, 0.0, 0.0], 10).unwrap()), vec!["north-east"]);
        assert_eq!(m.peek("north-east").unwrap().unwrap().embedding, Some(vec![0.7, 0.7, 0.0]));
        assert_eq!(m.get("north-east", 9).unwrap().unwrap().embedding, Some(vec![0.7, 0.7, 0.0]));
    }

    fn purge_expired_in_batches(fx) {
        let m = fx.db.memory();
        let n = MEMORY_PURGE_BATCH * 2 + 37;
        let expiring: Vec<MemoryEntry> = (0..n)
            .map(|i| with(entry(&format!("tmp-{i}"), MemoryType::HistoricalEvent, "transient reading", i as i64), |e| {
                e.metadata.expires_at = Some(1_000 + (i % 10) as i64);
                e.embedding = Some(vec![1.0, i as f32]);
            }))
            .collect();
        m.add_many(&expiring).unwrap();
        m.add(&with(entry("at-now", MemoryType::Other, "transient boundary", 0), |e| e.metadata.expires_at = Some(2_000))).unwrap();
        m.add(&entry("forever", MemoryType::Other, "transient but permanent", 0)).unwrap();
        assert_eq!(m.purge_expired(1_000).unwrap(), 0);
        assert_eq!(m.purge_expired(2_000).unwrap(), n as u64);
        assert_eq!(m.purge_expired(2_000).unwrap(), 0);
        assert_eq!(m.count().unwrap(), 2);
        assert_eq!(fx.db.vectors().count(MEMORY_COLLECTION).unwrap(), 0);
        let hits = m.search_keywords("transient", 10).unwrap();
        assert_eq!(hit_ids(&hits), vec!["at-now", "forever"]);
        assert!(m.by_type(MemoryType::HistoricalEvent, 10).unwrap().is_empty());
        let fx = fx.reopen();
        assert_eq!(fx.db.memory().purge_expired(2_001).unwrap(), 1);
        assert_eq!(entry_ids(&fx.db.memory().by_importance(10).unwrap()), vec!["forever"]);
    }

    fn concurrent_gets_count_every_access(fx) {
        fx.db.memory().add(&entry("hot", MemoryType::SystemKnowledge, "read by many threads", 0)).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let db = fx.db.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        db.memory().get("hot", t * 100 + i).unwrap().unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let e = fx.db.memory().peek("hot").unwrap().unwrap();
        assert_eq!(e.access_count, 100);
        assert!(e.last_accessed.is_some_and(|t| (0..400).contains(&t)));
        assert_eq!(hit_ids(&fx.db.memory().search_keywords("threads", 3).unwrap()), vec!["hot"]);
    }
}
