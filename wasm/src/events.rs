//! JS class `EventLogStore`: the append-only, sequenced event log.

use crate::convert::{count, int, limit, record, string, time_range, to_js};
use crate::error::{IntoJs, JsResult};
use neotalk_storage::{EventLogStore, EventRetention, NewEvent};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// An `EventRetention` object (fields may be left out), typed for the optional argument
    /// of `cleanup`.
    #[wasm_bindgen(typescript_type = "EventRetentionInput")]
    pub type EventRetentionArg;
}

/// The event log. Obtain it from `StorageManager.events()`.
#[wasm_bindgen(js_name = EventLogStore)]
pub struct JsEventLogStore {
    pub(crate) inner: EventLogStore,
}

#[wasm_bindgen(js_class = EventLogStore)]
impl JsEventLogStore {
    /// Appends one event; returns it with its sequence. A duplicate `event_id` is `CONFLICT`.
    #[wasm_bindgen(unchecked_return_type = "EventLogEntry")]
    pub fn append(&self, #[wasm_bindgen(unchecked_param_type = "NewEvent")] event: JsValue) -> JsResult<JsValue> {
        let event: NewEvent = record("event", event)?;
        to_js(&self.inner.append(&event).js()?)
    }

    /// Appends events in one transaction, in order; all or none are stored. Returns the
    /// sequences assigned (`{ first, last }`; an empty batch gives `last === first - 1`); read
    /// the entries back with `replay(first - 1, last - first + 1)`.
    #[wasm_bindgen(js_name = appendBatch, unchecked_return_type = "SequenceRange")]
    pub fn append_batch(&self, #[wasm_bindgen(unchecked_param_type = "NewEvent[]")] events: JsValue) -> JsResult<JsValue> {
        let events: Vec<NewEvent> = record("events", events)?;
        to_js(&self.inner.append_batch(&events).js()?)
    }

    /// The event with this id, or `null`.
    #[wasm_bindgen(unchecked_return_type = "EventLogEntry | null")]
    pub fn get(&self, #[wasm_bindgen(js_name = eventId, unchecked_param_type = "string")] event_id: JsValue) -> JsResult<JsValue> {
        to_js(&self.inner.get(&string("event_id", &event_id)?).js()?)
    }

    /// Events with `start <= timestamp < end` in time order, at most `limit`.
    #[wasm_bindgen(js_name = queryRange, unchecked_return_type = "EventLogEntry[]")]
    pub fn query_range(&self, start: f64, end: Option<f64>, #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>) -> JsResult<JsValue> {
        to_js(&self.inner.query_range(time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Events of one type with `start <= timestamp < end` in time order, at most `limit`.
    #[wasm_bindgen(js_name = queryByType, unchecked_return_type = "EventLogEntry[]")]
    pub fn query_by_type(
        &self,
        #[wasm_bindgen(js_name = eventType, unchecked_param_type = "string")] event_type: JsValue,
        start: f64,
        end: Option<f64>,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.query_by_type(&string("event_type", &event_type)?, time_range(start, end)?, limit(limit_arg)?).js()?)
    }

    /// Every event of a correlation chain, in sequence order.
    #[wasm_bindgen(js_name = queryByCorrelation, unchecked_return_type = "EventLogEntry[]")]
    pub fn query_by_correlation(
        &self,
        #[wasm_bindgen(js_name = correlationId, unchecked_param_type = "string")] correlation_id: JsValue,
    ) -> JsResult<JsValue> {
        to_js(&self.inner.query_by_correlation(&string("correlation_id", &correlation_id)?).js()?)
    }

    /// Up to `limit` events (`undefined`: all) with a sequence above `afterSequence`, in
    /// sequence order.
    #[wasm_bindgen(unchecked_return_type = "EventLogEntry[]")]
    pub fn replay(
        &self,
        #[wasm_bindgen(js_name = afterSequence)] after_sequence: f64,
        #[wasm_bindgen(js_name = limit)] limit_arg: Option<f64>,
    ) -> JsResult<JsValue> {
        let after = count("after_sequence", after_sequence)?;
        to_js(&self.inner.replay(after, limit(limit_arg)?).js()?)
    }

    /// The highest sequence ever assigned (0 before the first append).
    #[wasm_bindgen(js_name = lastSequence)]
    pub fn last_sequence(&self) -> JsResult<f64> {
        Ok(self.inner.last_sequence().js()? as f64)
    }

    /// Total bytes of stored events.
    #[wasm_bindgen(js_name = totalBytes)]
    pub fn total_bytes(&self) -> JsResult<f64> {
        Ok(self.inner.total_bytes().js()? as f64)
    }

    /// Removes events past their retention window (default: 7 days, 1000 MB), relative to
    /// `nowMs`; returns `{ expired, over_size }`.
    #[wasm_bindgen(unchecked_return_type = "EventCleanup")]
    pub fn cleanup(&self, #[wasm_bindgen(js_name = nowMs)] now_ms: f64, retention: Option<EventRetentionArg>) -> JsResult<JsValue> {
        let retention: EventRetention = match retention {
            Some(r) => record("retention", r.into())?,
            None => EventRetention::default(),
        };
        to_js(&self.inner.cleanup(int("now_ms", now_ms)?, &retention).js()?)
    }
}
