//! One paging rule for every listing query: a number is a limit, 0 returns nothing, `None`
//! returns everything, and `Page::next` walks the pages without gaps or repeats.
use neotalk_storage::*;

/// Walks `query` page by page (pages of 3) and returns every id seen, in order.
fn walk(mut query: impl FnMut(Page) -> Vec<String>) -> Vec<String> {
    let mut page = Page::first(3);
    let mut seen = Vec::new();
    loop {
        let got = query(page);
        let last = got.len() < 3;
        seen.extend(got);
        if last {
            return seen;
        }
        page = page.next();
    }
}

on_both_backends! {
    fn every_listing_query_pages_the_same_way(fx) {
        let db = &fx.db;
        for i in 0..8i64 {
            db.events().append(&NewEvent::new(&format!("e{i}"), "tick", "test", i, serde_json::json!({}))).unwrap();
            db.alerts().create(&AlertRecord::new(&format!("a{i}"), "t", AlertSeverity::Info, "m", "s", i)).unwrap();
            db.rule_history().record(&RuleExecutionRecord::new(&format!("r{i}"), "rule", "Rule", i, ExecutionResult::Success)).unwrap();
            db.sessions().create_session(&format!("s{i}"), "t", i).unwrap();
        }
        let events: Vec<String> = (0..8).map(|i| format!("e{i}")).collect();

        // Limits: a number, 0, None.
        assert_eq!(db.events().replay(0, 3).unwrap().len(), 3);
        assert!(db.events().replay(0, 0).unwrap().is_empty());
        assert_eq!(db.events().replay(0, None).unwrap().len(), 8);
        assert!(db.alerts().query_range(0..100, 0).unwrap().is_empty());
        assert_eq!(db.alerts().query_range(0..100, None).unwrap().len(), 8);
        assert!(db.sessions().list_sessions(0).unwrap().is_empty());
        assert_eq!(db.sessions().list_sessions(None).unwrap().len(), 8);

        // Pages cover every record exactly once, in the query's order.
        let ids = |v: Vec<EventLogEntry>| v.into_iter().map(|e| e.event_id).collect::<Vec<_>>();
        assert_eq!(walk(|p| ids(db.events().replay(0, p).unwrap())), events);
        assert_eq!(walk(|p| ids(db.events().query_range(0..100, p).unwrap())), events);
        assert_eq!(walk(|p| ids(db.events().query_by_type("tick", 0..100, p).unwrap())), events);
        let alerts: Vec<String> = (0..8).map(|i| format!("a{i}")).collect();
        assert_eq!(walk(|p| db.alerts().query_range(0..100, p).unwrap().into_iter().map(|a| a.alert_id).collect()), alerts);
        let newest_first: Vec<String> = (0..8).rev().map(|i| format!("r{i}")).collect();
        assert_eq!(walk(|p| db.rule_history().query_by_rule("rule", p).unwrap().into_iter().map(|r| r.execution_id).collect()), newest_first);
        let sessions: Vec<String> = (0..8).rev().map(|i| format!("s{i}")).collect();
        assert_eq!(walk(|p| db.sessions().list_sessions(p).unwrap().into_iter().map(|s| s.session_id).collect()), sessions);

        // A page past the end is empty, not an error; the page after "all" is empty too.
        assert!(db.events().replay(0, Page { offset: 100, limit: Some(3) }).unwrap().is_empty());
        assert!(db.events().replay(0, Page::ALL.next()).unwrap().is_empty());
    }
}
