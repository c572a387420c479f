use neotalk_storage::*;
use serde_json::json;

fn assert_invalid<T: std::fmt::Debug>(r: Result<T>, field: &str) {
    match r {
        Err(StorageError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected InvalidInput({field}), got {other:?}"),
    }
}

fn assert_not_found<T: std::fmt::Debug>(r: Result<T>) {
    assert!(matches!(r, Err(StorageError::NotFound { .. })), "expected NotFound, got {r:?}");
}

fn seqs(m: &[SequencedMessage]) -> Vec<u64> {
    m.iter().map(|m| m.sequence).collect()
}

fn ids(list: &[SessionInfo]) -> Vec<&str> {
    list.iter().map(|s| s.session_id.as_str()).collect()
}

fn call(id: &str) -> serde_json::Value {
    json!({"id": id, "type": "function", "function": {"name": "read_sensor", "arguments": "{}"}})
}

/// Reference for `context_window`: split the log into units (an assistant message with tool
/// calls plus the tool results right after it; everything else alone), then take whole units
/// from the newest end while they fit.
fn reference_window(log: &[SequencedMessage], max_chars: usize) -> Vec<u64> {
    let mut units: Vec<Vec<&SequencedMessage>> = Vec::new();
    for m in log {
        let joins = m.message.tool_call_id.is_some()
            && units.last().is_some_and(|u| u[0].message.tool_calls.is_some() || u[0].message.tool_call_id.is_some());
        if joins {
            units.last_mut().unwrap().push(m);
        } else {
            units.push(vec![m]);
        }
    }
    let mut used = 0;
    let mut taken: Vec<u64> = Vec::new();
    for u in units.iter().rev() {
        let c: usize = u.iter().map(|m| m.message.context_chars()).sum();
        if used + c > max_chars {
            break;
        }
        used += c;
        taken.splice(0..0, u.iter().map(|m| m.sequence));
    }
    taken
}

on_both_backends! {
    fn create_list_get(fx) {
        let s = fx.db.sessions();
        s.create_session("a", "First", 100).unwrap();
        s.create_session("b", "", 300).unwrap();
        s.create_session("c", "会话三", 200).unwrap();
        assert!(matches!(s.create_session("a", "again", 1), Err(StorageError::Conflict(_))));
        let list = s.list_sessions(None).unwrap();
        assert_eq!(ids(&list), vec!["b", "c", "a"]);
        assert_eq!(list[1].title, "会话三");
        assert_eq!(ids(&s.list_sessions(Some(2)).unwrap()), vec!["b", "c"]);
        assert!(s.list_sessions(Some(0)).unwrap().is_empty());
        let a = s.get_session("a").unwrap().unwrap();
        assert_eq!((a.created_at, a.updated_at, a.message_count, a.last_sequence), (100, 100, 0, 0));
        assert_eq!(s.get_session("zz").unwrap(), None);
        // A message moves a session to the front of the list.
        s.append_message("a", &SessionMessage::user("hi", 400)).unwrap();
        let list = s.list_sessions(None).unwrap();
        assert_eq!(ids(&list), vec!["a", "b", "c"]);
        assert_eq!((list[0].updated_at, list[0].message_count), (400, 1));
        // An older message does not move updated_at back.
        s.append_message("a", &SessionMessage::user("late", 50)).unwrap();
        assert_eq!(s.get_session("a").unwrap().unwrap().updated_at, 400);
    }

    fn session_bad_input(fx) {
        let s = fx.db.sessions();
        assert_invalid(s.create_session("", "t", 0), "session_id");
        assert_invalid(s.create_session(&"x".repeat(257), "t", 0), "session_id");
        assert_invalid(s.create_session("a", &"t".repeat(2_000), 0), "title");
        assert!(s.list_sessions(None).unwrap().is_empty());
        assert_invalid(s.get_session(""), "session_id");
    }

    fn append_and_load(fx) {
        let s = fx.db.sessions();
        s.create_session("s", "t", 0).unwrap();
        assert_eq!(s.append_message("s", &SessionMessage::system("be brief", 1)).unwrap(), 1);
        let batch: Vec<SessionMessage> = (2..=10).map(|i| SessionMessage::user(&format!("m{i}"), i)).collect();
        assert_eq!(s.append_messages("s", &batch).unwrap(), (2..=10).collect::<Vec<u64>>());
        assert!(s.append_messages("s", &[]).unwrap().is_empty());
        let all = s.load_messages("s").unwrap();
        assert_eq!(seqs(&all), (1..=10).collect::<Vec<u64>>());
        assert_eq!(all[0].message, SessionMessage::system("be brief", 1));
        assert_eq!(all[4].message.content, "m5");
        assert_eq!(seqs(&s.last_messages("s", 3).unwrap()), vec![8, 9, 10]);
        assert_eq!(seqs(&s.last_messages("s", 50).unwrap()).len(), 10);
        assert!(s.last_messages("s", 0).unwrap().is_empty());
        assert_eq!(seqs(&s.messages_range("s", 3, 6).unwrap()), vec![3, 4, 5]);
        assert!(s.messages_range("s", 4, 4).unwrap().is_empty());
        assert_eq!(seqs(&s.messages_range("s", 9, 100).unwrap()), vec![9, 10]);
        let mut with_thinking = SessionMessage::assistant("ok", 11);
        with_thinking.thinking = Some("reasoning…".into());
        s.append_message("s", &with_thinking).unwrap();
        let info = s.get_session("s").unwrap().unwrap();
        assert_eq!((info.message_count, info.last_sequence, info.updated_at), (11, 11, 11));
        let fx = fx.reopen();
        let s = fx.db.sessions();
        assert_eq!(s.last_messages("s", 1).unwrap()[0].message, with_thinking);
        assert_eq!(s.append_message("s", &SessionMessage::user("after reopen", 12)).unwrap(), 12);
        assert_eq!(s.get_session("s").unwrap().unwrap().message_count, 12);
    }

    fn message_bad_input(fx) {
        let s = fx.db.sessions();
        s.create_session("s", "t", 0).unwrap();
        let mut m = SessionMessage::user("x", 1);
        m.role = "robot".into();
        assert_invalid(s.append_message("s", &m), "role");
        let mut m = SessionMessage::tool_result("c1", "42", 1);
        m.tool_call_id = None;
        assert_invalid(s.append_message("s", &m), "tool_call_id");
        assert_invalid(s.append_message("s", &SessionMessage::tool_result("", "42", 1)), "tool_call_id");
        let mut m = SessionMessage::user("x", 1);
        m.tool_call_id = Some("c1".into());
        assert_invalid(s.append_message("s", &m), "tool_call_id");
        let mut m = SessionMessage::user("x", 1);
        m.tool_calls = Some(vec![call("c1")]);
        assert_invalid(s.append_message("s", &m), "tool_calls");
        assert_invalid(s.append_message("s", &SessionMessage::user(&"x".repeat(1024 * 1024 + 1), 1)), "content");
        let mut m = SessionMessage::assistant("x", 1);
        m.thinking = Some("y".repeat(1024 * 1024 + 1));
        assert_invalid(s.append_message("s", &m), "thinking");
        // One bad message: none of the batch is stored.
        let mut bad = SessionMessage::user("x", 2);
        bad.role = String::new();
        assert_invalid(s.append_messages("s", &[SessionMessage::user("ok", 1), bad]), "role");
        assert_eq!(s.get_session("s").unwrap().unwrap().message_count, 0);
        assert_not_found(s.append_message("nope", &SessionMessage::user("x", 1)));
        assert_not_found(s.load_messages("nope"));
        assert_not_found(s.last_messages("nope", 3));
        assert_not_found(s.messages_range("nope", 0, 3));
        assert_not_found(s.context_window("nope", 100));
        assert_invalid(s.messages_range("s", 5, 2), "sequence range");
        assert_invalid(s.load_messages(""), "session_id");
        assert_invalid(s.append_message("", &SessionMessage::user("x", 1)), "session_id");
    }

    fn context_window_budget(fx) {
        let s = fx.db.sessions();
        s.create_session("s", "t", 0).unwrap();
        s.append_messages("s", &[
            SessionMessage::system("0123456789", 1),  // 10
            SessionMessage::user("abcde", 2),          // 5
            SessionMessage::assistant("温度是21度", 3), // 6 characters, more bytes
        ]).unwrap();
        assert_eq!(seqs(&s.context_window("s", 100).unwrap()), vec![1, 2, 3]);
        assert_eq!(seqs(&s.context_window("s", 11).unwrap()), vec![2, 3]);
        assert_eq!(seqs(&s.context_window("s", 10).unwrap()), vec![3]);
        assert_eq!(seqs(&s.context_window("s", 6).unwrap()), vec![3]);
        assert!(s.context_window("s", 5).unwrap().is_empty());
        s.create_session("empty", "", 0).unwrap();
        assert!(s.context_window("empty", 100).unwrap().is_empty());
    }

    fn context_window_keeps_tool_calls_with_results(fx) {
        let s = fx.db.sessions();
        s.create_session("s", "t", 0).unwrap();
        let calls = vec![call("c1"), call("c2")];
        let calls_chars: usize = calls.iter().map(|c| c.to_string().chars().count()).sum();
        s.append_messages("s", &[
            SessionMessage::user("temp?", 1),                         // 1: 5
            SessionMessage::assistant_tool_calls("", calls, 2),       // 2: calls_chars
            SessionMessage::tool_result("c1", "21.5", 3),             // 3: 4
            SessionMessage::tool_result("c2", "40%", 4),              // 4: 3
            SessionMessage::assistant("21.5 °C, 40 %", 5),            // 5: 13
        ]).unwrap();
        // Enough for 5, 4 and 3 but not for the call: the results are left out with it.
        assert_eq!(seqs(&s.context_window("s", 13 + 3 + 4 + calls_chars - 1).unwrap()), vec![5]);
        assert_eq!(seqs(&s.context_window("s", 13 + 3 + 4 + calls_chars).unwrap()), vec![2, 3, 4, 5]);
        assert_eq!(seqs(&s.context_window("s", 13 + 3 + 4 + calls_chars + 5).unwrap()), vec![1, 2, 3, 4, 5]);
    }

    fn context_window_matches_reference_on_random_logs(fx) {
        let s = fx.db.sessions();
        let mut x: u64 = 0x1234_5678;
        let mut rnd = |n: u64| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x % n };
        for round in 0..6 {
            let id = format!("s{round}");
            s.create_session(&id, "", 0).unwrap();
            let mut msgs = Vec::new();
            // Starts with orphan tool results now and then (their call was never stored).
            if round % 2 == 1 {
                msgs.push(SessionMessage::tool_result("lost", "orphan", 0));
            }
            for t in 0..60 {
                let text = "w".repeat(rnd(20) as usize + 1);
                match rnd(4) {
                    0 => {
                        let n = rnd(3) + 1;
                        let calls: Vec<_> = (0..n).map(|i| call(&format!("{t}-{i}"))).collect();
                        msgs.push(SessionMessage::assistant_tool_calls(&text, calls, t));
                        for i in 0..n {
                            msgs.push(SessionMessage::tool_result(&format!("{t}-{i}"), &"r".repeat(rnd(30) as usize), t));
                        }
                    }
                    1 => msgs.push(SessionMessage::assistant(&text, t)),
                    _ => msgs.push(SessionMessage::user(&text, t)),
                }
            }
            s.append_messages(&id, &msgs).unwrap();
            let log = s.load_messages(&id).unwrap();
            let total: usize = log.iter().map(|m| m.message.context_chars()).sum();
            for budget in (0..total + 50).step_by(37) {
                let got = s.context_window(&id, budget).unwrap();
                assert_eq!(seqs(&got), reference_window(&log, budget), "round {round} budget {budget}");
                assert!(got.iter().map(|m| m.message.context_chars()).sum::<usize>() <= budget);
                // Never starts with a tool result whose call is in the log: walking back over
                // tool results from the first message must not reach an assistant call.
                if let Some(first) = got.first() {
                    let mut before = log.iter().rev().skip_while(|m| m.sequence >= first.sequence);
                    let caller = before.find(|m| m.message.tool_call_id.is_none());
                    if first.message.tool_call_id.is_some() {
                        assert!(caller.is_none_or(|m| m.message.tool_calls.is_none()), "round {round} budget {budget}: split tool call");
                    }
                }
            }
        }
    }

    fn summaries(fx) {
        let s = fx.db.sessions();
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            s.create_session(id, "", i as i64).unwrap();
        }
        assert_eq!(s.get_summary("a").unwrap(), None);
        s.set_summary("a", "talked about pumps", 10).unwrap();
        s.set_summary("b", "温室温度", 20).unwrap();
        s.set_summary("c", "lights", 5).unwrap();
        let recent: Vec<String> = s.recent_summaries(10).unwrap().into_iter().map(|x| x.session_id).collect();
        assert_eq!(recent, vec!["b", "a", "c"]);
        // Replacing moves it and leaves no stale index entry.
        s.set_summary("c", "lights and heaters", 30).unwrap();
        let recent = s.recent_summaries(2).unwrap();
        assert_eq!(recent.iter().map(|x| x.session_id.as_str()).collect::<Vec<_>>(), vec!["c", "b"]);
        assert_eq!(recent[0].summary, "lights and heaters");
        assert_eq!(s.recent_summaries(10).unwrap().len(), 3);
        assert!(s.recent_summaries(0).unwrap().is_empty());
        assert_not_found(s.set_summary("nope", "x", 1));
        assert_not_found(s.get_summary("nope"));
        assert_invalid(s.set_summary("a", &"x".repeat(1024 * 1024 + 1), 1), "summary");
        assert_invalid(s.set_summary("", "x", 1), "session_id");
        let fx = fx.reopen();
        let got = fx.db.sessions().get_summary("b").unwrap().unwrap();
        assert_eq!(got, SessionSummary { session_id: "b".into(), summary: "温室温度".into(), updated_at: 20 });
    }

    fn delete_large_session_in_batches(fx) {
        let s = fx.db.sessions();
        s.create_session("big", "", 0).unwrap();
        s.create_session("keep", "", 0).unwrap();
        let msgs: Vec<SessionMessage> = (0..2_500).map(|i| SessionMessage::user(&format!("m{i}"), i)).collect();
        s.append_messages("big", &msgs).unwrap();
        s.append_message("keep", &SessionMessage::user("stay", 1)).unwrap();
        s.set_summary("big", "long", 5).unwrap();
        assert!(s.delete_session("big").unwrap());
        assert!(!s.delete_session("big").unwrap());
        assert_eq!(s.get_session("big").unwrap(), None);
        assert_not_found(s.load_messages("big"));
        assert_eq!(ids(&s.list_sessions(None).unwrap()), vec!["keep"]);
        assert!(s.recent_summaries(10).unwrap().is_empty());
        // The id can be reused and starts empty.
        s.create_session("big", "again", 9).unwrap();
        assert!(s.load_messages("big").unwrap().is_empty());
        assert_eq!(s.append_message("big", &SessionMessage::user("new", 10)).unwrap(), 1);
        assert_invalid(s.delete_session(""), "session_id");
        let fx = fx.reopen();
        assert_eq!(fx.db.sessions().load_messages("big").unwrap().len(), 1);
        assert_eq!(fx.db.sessions().load_messages("keep").unwrap().len(), 1);
    }

    fn cleanup_removes_sessions_not_updated_since(fx) {
        let s = fx.db.sessions();
        s.create_session("old", "", 100).unwrap();
        s.append_message("old", &SessionMessage::user("x", 150)).unwrap();
        s.create_session("edge", "", 200).unwrap();
        s.create_session("revived", "", 50).unwrap();
        s.append_message("revived", &SessionMessage::user("back", 300)).unwrap();
        s.set_summary("old", "gone soon", 160).unwrap();
        assert_eq!(s.cleanup(200).unwrap(), 1);
        assert_eq!(ids(&s.list_sessions(None).unwrap()), vec!["revived", "edge"]);
        assert!(s.recent_summaries(5).unwrap().is_empty());
        assert_eq!(s.cleanup(200).unwrap(), 0);
        assert_eq!(s.cleanup(i64::MAX).unwrap(), 2);
        assert!(s.list_sessions(None).unwrap().is_empty());
    }
}
