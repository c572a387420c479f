//! The JSON contract of every input record and of `StorageOptions`: defaults of omitted
//! fields, unknown fields refused naming them, enum spellings, free-form JSON key order, a
//! caller's bad JSON is `InvalidInput` (never `Corrupted`), and `append_batch`'s range.
use neotalk_storage::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Decodes `value` as a `T` through the one user-input path.
fn decode<T: DeserializeOwned>(value: Value) -> Result<T> {
    from_json_value("record", value)
}

/// `value` with `extra` added: decoding it must fail naming `extra`.
fn refuses_unknown<T: DeserializeOwned + std::fmt::Debug>(mut value: Value, extra: &str) {
    decode::<T>(value.clone()).unwrap_or_else(|e| panic!("{} does not decode without {extra}: {e}", std::any::type_name::<T>()));
    value.as_object_mut().unwrap().insert(extra.into(), json!(1));
    match decode::<T>(value) {
        Err(StorageError::InvalidInput { field: "record", reason }) => {
            assert!(reason.contains(&format!("unknown field `{extra}`")), "{reason}")
        }
        other => panic!("{}: expected InvalidInput naming {extra}, got {other:?}", std::any::type_name::<T>()),
    }
}

fn event_json() -> Value {
    json!({"event_id": "e1", "event_type": "device.online", "metadata": {"source": "mqtt", "timestamp": 5}})
}

#[test]
fn every_input_record_refuses_an_unknown_field_by_name() {
    refuses_unknown::<NewEvent>(event_json(), "sequnce");
    refuses_unknown::<EventMetadata>(json!({"source": "mqtt", "timestamp": 1}), "corelation_id");
    refuses_unknown::<DeviceState>(json!({"device_id": "d", "device_type": "t"}), "nmae");
    refuses_unknown::<MetricSnapshot>(json!({"value": 1.5, "timestamp": 1}), "qualty");
    refuses_unknown::<MdlDeviceType>(json!({"type_id": "t", "name": "T"}), "metric");
    refuses_unknown::<MdlMetric>(json!({"name": "m", "data_type": "Float"}), "units");
    refuses_unknown::<MdlCommand>(json!({"name": "c"}), "params");
    refuses_unknown::<MdlParameter>(json!({"name": "p", "data_type": "Integer"}), "requried");
    refuses_unknown::<AlertRecord>(json!({"alert_id": "a", "title": "t", "severity": "Info", "created_at": 1, "source": "rule"}), "mesage");
    refuses_unknown::<DecisionRecord>(json!({"decision_id": "d", "title": "t", "confidence": 0.5, "created_at": 1}), "reason");
    refuses_unknown::<ProposedAction>(json!({"action_type": "notify"}), "params");
    refuses_unknown::<UserResponse>(json!({"user_id": "u", "response": "ok", "responded_at": 1}), "comment");
    refuses_unknown::<RuleExecutionRecord>(
        json!({"execution_id": "x", "rule_id": "r", "rule_name": "R", "triggered_at": 1, "result": "Success"}),
        "duration",
    );
    refuses_unknown::<RuleActionRecord>(json!({"action_type": "LOG", "success": true}), "data");
    refuses_unknown::<WorkflowExecutionRecord>(
        json!({"execution_id": "x", "workflow_id": "w", "workflow_name": "W", "trigger_type": "cron", "started_at": 1}),
        "input",
    );
    refuses_unknown::<StepExecutionRecord>(json!({"step_id": "s", "step_name": "S", "step_type": "delay", "started_at": 1}), "inputs");
    refuses_unknown::<SessionMessage>(json!({"role": "user", "content": "hi", "timestamp": 1}), "tool_call");
    refuses_unknown::<MemoryEntry>(json!({"memory_id": "m", "memory_type": "Other", "content": "c", "created_at": 1}), "keywords");
    refuses_unknown::<MemoryMetadata>(json!({}), "importanse");
    refuses_unknown::<VectorDocument>(json!({"id": "v", "embedding": [1.0]}), "meta");
    refuses_unknown::<VectorFilter>(json!({"field": "f", "value": 1}), "op");
    refuses_unknown::<StorageOptions>(json!({}), "split_file");
    refuses_unknown::<WriteBufferOptions>(json!({}), "max_pionts");
    // Nested: the unknown field inside `write_buffer` is named too.
    let err = decode::<StorageOptions>(json!({"write_buffer": {"max_delay": 5}})).unwrap_err();
    assert!(err.to_string().contains("unknown field `max_delay`"), "{err}");
}

#[test]
fn options_take_their_defaults_field_by_field() {
    let o: StorageOptions = from_json("options", r#"{"durability": "eventual", "write_buffer": {"max_points": 0}}"#).unwrap();
    let d = StorageOptions::default();
    assert_eq!(o.durability, Durability::Eventual);
    assert_eq!(o.write_buffer.max_points, 0);
    assert_eq!(o.write_buffer.max_delay_ms, d.write_buffer.max_delay_ms);
    assert_eq!((o.device_cache_entries, o.page_cache_bytes, o.split_files), (d.device_cache_entries, d.page_cache_bytes, d.split_files));
    assert_eq!(from_json::<StorageOptions>("options", "{}").unwrap(), d);
    // The canonical names are what serialization writes.
    assert_eq!(serde_json::to_value(&o).unwrap()["durability"], json!("Eventual"));
}

#[test]
fn user_json_errors_are_invalid_input_naming_the_argument() {
    for bad in ["{", "[]", r#"{"event_id": 1}"#, r#"{"event_id": "e", "event_type": "t"}"#] {
        match from_json::<NewEvent>("event_json", bad) {
            Err(StorageError::InvalidInput { field: "event_json", .. }) => {}
            other => panic!("{bad}: {other:?}"),
        }
    }
    let missing = from_json::<NewEvent>("event", r#"{"event_id": "e", "event_type": "t"}"#).unwrap_err();
    assert!(missing.to_string().contains("missing field `metadata`"), "{missing}");
    let wrong_enum = decode::<AlertRecord>(json!({"alert_id": "a", "title": "t", "severity": "Severe", "created_at": 1, "source": "r"}));
    let msg = wrong_enum.unwrap_err().to_string();
    assert!(msg.contains("\"Severe\" is not one of Info, Warning, Error, Critical"), "{msg}");
}

#[test]
fn enum_names_in_json_accept_every_spelling_and_serialize_canonically() {
    let spellings: [(&str, DecisionStatus); 4] = [
        ("AutoExecuted", DecisionStatus::AutoExecuted),
        ("auto_executed", DecisionStatus::AutoExecuted),
        ("AUTOEXECUTED", DecisionStatus::AutoExecuted),
        ("expired", DecisionStatus::Expired),
    ];
    for (name, want) in spellings {
        let d: DecisionRecord =
            decode(json!({"decision_id": "d", "title": "t", "confidence": 0.5, "created_at": 1, "status": name})).unwrap();
        assert_eq!(d.status, want, "{name}");
        assert_eq!(serde_json::to_value(d.status).unwrap(), json!(want.to_string()));
        assert_eq!(name.parse::<DecisionStatus>().unwrap(), want, "FromStr agrees");
    }
    assert_eq!(decode::<AlertSeverity>(json!("critical")).unwrap(), AlertSeverity::Critical);
    assert_eq!(decode::<ExecutionStatus>(json!("CANCELLED")).unwrap(), ExecutionStatus::Cancelled);
    assert_eq!(decode::<MemoryType>(json!("device_knowledge")).unwrap(), MemoryType::DeviceKnowledge);
    assert_eq!(decode::<DistanceMetric>(json!("dot_product")).unwrap(), DistanceMetric::DotProduct);
    assert_eq!(decode::<MdlDataType>(json!("boolean")).unwrap(), MdlDataType::Boolean);
    assert_eq!(decode::<Durability>(json!("EVENTUAL")).unwrap(), Durability::Eventual);
    assert!(decode::<MdlDataType>(json!("double")).is_err());
    assert!(decode::<MdlDataType>(json!(1)).is_err());
}

on_both_backends! {
    fn omitted_fields_take_the_core_defaults(fx) {
        let db = &fx.db;
        db.devices().upsert(&decode(json!({"device_id": "pump-1", "device_type": "pump"})).unwrap()).unwrap();
        let dev = db.devices().get_device("pump-1").unwrap().unwrap();
        assert_eq!((dev.name.as_str(), dev.online, dev.last_seen, dev.config.clone()), ("pump-1", true, 0, Value::Null));
        db.devices().upsert(&decode(json!({"device_id": "pump-2", "device_type": "pump", "name": "Pump two"})).unwrap()).unwrap();
        assert_eq!(db.devices().get_device("pump-2").unwrap().unwrap().name, "Pump two");

        let alert: AlertRecord =
            decode(json!({"alert_id": "a1", "title": "hot", "severity": "warning", "created_at": 3, "source": "rule"})).unwrap();
        assert_eq!(alert, AlertRecord::new("a1", "hot", AlertSeverity::Warning, "", "rule", 3));
        db.alerts().create(&alert).unwrap();
        assert_eq!(db.alerts().get("a1").unwrap().unwrap(), alert);

        let decision: DecisionRecord = decode(json!({"decision_id": "d1", "title": "t", "confidence": 0.9, "created_at": 4,
            "proposed_actions": [{"action_type": "notify"}]}))
        .unwrap();
        let mut want = DecisionRecord::new("d1", "t", "", "", 0.9, 4);
        want.proposed_actions.push(ProposedAction { action_type: "notify".into(), description: String::new(), parameters: Value::Null });
        assert_eq!(decision, want);
        db.decisions().create(&decision).unwrap();
        assert_eq!(db.decisions().get("d1").unwrap().unwrap(), want);

        let rule: RuleExecutionRecord =
            decode(json!({"execution_id": "x1", "rule_id": "r", "rule_name": "R", "triggered_at": 5, "result": "Success"})).unwrap();
        assert_eq!(rule, RuleExecutionRecord::new("x1", "r", "R", 5, ExecutionResult::Success));
        db.rule_history().record(&rule).unwrap();
        assert_eq!(db.rule_history().get("x1").unwrap().unwrap(), rule);

        let run: WorkflowExecutionRecord =
            decode(json!({"execution_id": "w1", "workflow_id": "w", "workflow_name": "W", "trigger_type": "cron", "started_at": 6}))
                .unwrap();
        assert_eq!(run, WorkflowExecutionRecord::new("w1", "w", "W", "cron", 6));
        db.workflow_history().start(&run).unwrap();
        let step: StepExecutionRecord = decode(json!({"step_id": "s", "step_name": "S", "step_type": "delay", "started_at": 7})).unwrap();
        assert_eq!(step, StepExecutionRecord::new("s", "S", "delay", 7));
        assert_eq!(db.workflow_history().record_step("w1", &step).unwrap().steps, vec![step]);

        let memory: MemoryEntry =
            decode(json!({"memory_id": "m1", "memory_type": "user_preference", "content": "likes 21 C", "created_at": 8})).unwrap();
        assert_eq!(memory, MemoryEntry::new("m1", MemoryType::UserPreference, "likes 21 C", 8));
        let partial: MemoryEntry = decode(json!({"memory_id": "m2", "memory_type": "Other", "content": "c", "created_at": 8,
            "metadata": {"keywords": ["k"]}}))
        .unwrap();
        assert_eq!((partial.metadata.importance, partial.metadata.keywords.clone()), (0.5, vec!["k".to_string()]));
        db.memory().add(&memory).unwrap();

        let doc: VectorDocument = decode(json!({"id": "v1", "embedding": [1.0, 0.0]})).unwrap();
        assert_eq!(doc, VectorDocument::new("v1", vec![1.0, 0.0], Value::Null));

        let message: SessionMessage = decode(json!({"role": "user", "content": "hi", "timestamp": 9})).unwrap();
        assert_eq!(message, SessionMessage::user("hi", 9));

        let event: NewEvent = decode(event_json()).unwrap();
        assert_eq!(event, NewEvent::new("e1", "device.online", "mqtt", 5, Value::Null));
    }

    fn free_form_json_keeps_the_callers_key_order(fx) {
        let text = r#"{"event_id":"k1","event_type":"reading","event_data":{"device":"dev-00","value":20.01,"seq":1,"nested":{"z":1,"a":[{"y":2,"b":3}]}},"metadata":{"source":"s","timestamp":1}}"#;
        let event: NewEvent = from_json("event", text).unwrap();
        fx.db.events().append(&event).unwrap();
        let data = r#"{"device":"dev-00","value":20.01,"seq":1,"nested":{"z":1,"a":[{"y":2,"b":3}]}}"#;
        assert_eq!(fx.db.events().get("k1").unwrap().unwrap().event_data.to_string(), data);
        let fx = fx.reopen();
        let stored = fx.db.events().replay(0, 1).unwrap().remove(0);
        assert_eq!(stored.event_data.to_string(), data);
        // The whole entry serializes in field order, the payload in the caller's order.
        assert!(serde_json::to_string(&stored).unwrap().contains(&format!("\"event_data\":{data}")));

        let mut decision = DecisionRecord::new("d", "t", "", "", 0.5, 1);
        decision.proposed_actions.push(from_json("action", r#"{"action_type":"set","parameters":{"zeta":1,"alpha":2}}"#).unwrap());
        fx.db.decisions().create(&decision).unwrap();
        let got = fx.db.decisions().get("d").unwrap().unwrap();
        assert_eq!(got.proposed_actions[0].parameters.to_string(), r#"{"zeta":1,"alpha":2}"#);
    }

    fn append_batch_returns_the_assigned_range(fx) {
        let log = fx.db.events();
        let empty = log.append_batch(&[]).unwrap();
        assert_eq!((empty.first, empty.last, empty.len(), empty.is_empty()), (1, 0, 0, true));
        assert_eq!(empty.iter().count(), 0);
        let batch: Vec<NewEvent> = (0..5).map(|i| NewEvent::new(&format!("e{i}"), "t", "s", i, json!({"i": i}))).collect();
        let range = log.append_batch(&batch).unwrap();
        assert_eq!((range.first, range.last, range.len(), range.is_empty()), (1, 5, 5, false));
        let replayed = log.replay(range.first - 1, range.len() as usize).unwrap();
        let seqs: Vec<u64> = replayed.iter().map(|e| e.sequence).collect();
        assert_eq!(seqs, range.iter().collect::<Vec<_>>());
        assert_eq!(replayed.iter().map(|e| e.event_id.clone()).collect::<Vec<_>>(), ["e0", "e1", "e2", "e3", "e4"]);
        let single = log.append(&NewEvent::new("one", "t", "s", 9, Value::Null)).unwrap();
        assert_eq!(single.sequence, 6);
        let empty = log.append_batch(&[]).unwrap();
        assert_eq!((empty.first, empty.last), (7, 6), "an empty batch is the empty range at the next sequence");
        let more = log.append_batch(&[NewEvent::new("x", "t", "s", 1, Value::Null)]).unwrap();
        assert_eq!(std::ops::RangeInclusive::from(more), 7..=7);
        assert_eq!(log.last_sequence().unwrap(), 7);
    }

}

#[test]
fn stored_bytes_that_do_not_decode_are_corrupted_user_bytes_invalid_input() {
    // A bad row read back is Corrupted; the same bytes passed by a caller are InvalidInput.
    let bad = b"{\"event_id\": 5}";
    let stored: StorageError = serde_json::from_slice::<EventLogEntry>(bad).unwrap_err().into();
    assert_eq!(stored.code(), "CORRUPTED");
    let given = from_json::<NewEvent>("event", std::str::from_utf8(bad).unwrap()).unwrap_err();
    assert_eq!(given.code(), "INVALID_INPUT");
}
