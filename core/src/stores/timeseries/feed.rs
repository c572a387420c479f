//! The telemetry change log, kept while a sink is registered: each commit of points appends
//! one entry naming, per series, the spans of timestamps it wrote (first, last, points,
//! bytes), in the same transaction. A sink reads the points of the spans after its cursor
//! as they are now stored, so late and overwritten points are delivered again, and a
//! redelivery sends the same rows (idempotent at the sink).
//!
//! Spans, not the points themselves: logging every timestamp would add 8 bytes per point
//! to every commit; a span costs 32 bytes. A series' points in one commit make one span,
//! cut where two consecutive points are more than [`SPAN_GAP_MS`] apart (at most
//! [`MAX_SPANS`] spans, cut at the widest gaps): a point written hours late beside fresh ones
//! would otherwise send the sink every stored point between them again. Within a span,
//! stored points that another commit wrote are delivered again, which a sink absorbs.
//!
//! Tables and meta keys (time-series file):
//! - `ts_feed`: sequence (u64) -> commit time (i64 LE), the sink it is for (u16 LE length,
//!   then UTF-8; empty: every sink), then per series (ascending id)
//!   `series u32, first i64, last i64, points u32, bytes u64`, all LE. A new sink's full
//!   copy is an entry for that sink alone, so the other sinks are not sent everything again.
//! - meta `ts.feed_next`: the next sequence; `ts.feed.<sink>`: a sink's [`FeedProgress`]

use super::{chunk::ChunkSummary, DataPoint, MetricValue, TimeSeriesStore, CHUNKS};
use crate::error::{Result, StorageError};
use crate::feed::{cursors, oldest_after, stage_prune, stored, Feed, FeedProgress, SeriesPoints, Within};
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::{Engine, META};
use crate::storage::key::{KeyBuilder, KeyReader};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Table of the log.
pub(crate) const LOG: &str = "ts_feed";
const NEXT_KEY: &[u8] = b"ts.feed_next";
const SPAN_BYTES: usize = 32;
/// Consecutive points of a commit further apart than this (ms) start a new span.
const SPAN_GAP_MS: i64 = 60_000;
/// The most spans one commit logs for one series.
const MAX_SPANS: usize = 8;

/// Whether the log is kept, and its next sequence (commits hold the writer lock, so an
/// atomic is enough; it advances only once a commit landed).
#[derive(Default)]
pub(crate) struct TelemetryLog {
    enabled: AtomicBool,
    next: AtomicU64,
}

/// What one commit wrote to one series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) series: u32,
    pub(crate) first: i64,
    pub(crate) last: i64,
    pub(crate) points: u32,
    pub(crate) bytes: u64,
}

/// The spans of one commit's points of `series`: `ts` sorted and not empty, `bytes(i)` the
/// size of point `i` as sent. Cut at the gaps wider than [`SPAN_GAP_MS`]; when there are
/// more than `MAX_SPANS - 1` of those, at the widest only (kept in a heap of that size, so a
/// write of millions of sparse points needs no list of every gap).
pub(crate) fn spans_of(series: u32, ts: &[i64], bytes: impl Fn(usize) -> u64) -> Vec<Span> {
    let mut widest = BinaryHeap::with_capacity(MAX_SPANS);
    for i in 1..ts.len() {
        let gap = ts[i].saturating_sub(ts[i - 1]);
        if gap > SPAN_GAP_MS {
            widest.push(Reverse((gap, i)));
            if widest.len() == MAX_SPANS {
                widest.pop();
            }
        }
    }
    let mut cuts: Vec<usize> = widest.into_iter().map(|Reverse((_, i))| i).collect();
    cuts.sort_unstable();
    let mut start = 0;
    let mut out = Vec::with_capacity(cuts.len() + 1);
    for end in cuts.into_iter().chain([ts.len()]) {
        let bytes = (start..end).map(&bytes).sum();
        out.push(Span { series, first: ts[start], last: ts[end - 1], points: (end - start) as u32, bytes });
        start = end;
    }
    out
}

/// Bytes a point takes as sent (timestamp and value), for `max_backlog_bytes`.
pub(crate) fn row_bytes(v: &MetricValue) -> u64 {
    8 + match v {
        MetricValue::Integer(_) | MetricValue::Float(_) => 8,
        MetricValue::Boolean(_) => 1,
        MetricValue::String(s) => s.len() as u64,
        MetricValue::Binary(b) => b.len() as u64,
    }
}

/// One decoded entry.
struct Entry {
    seq: u64,
    commit_ms: i64,
    /// The one sink it is for (a registration's full copy), or every sink.
    owner: Option<String>,
    spans: Vec<Span>,
}

impl Entry {
    fn decode(key: &[u8], value: &[u8]) -> Result<Entry> {
        let seq = KeyReader::new(key).u64()?;
        let bad = || StorageError::Corrupted(format!("{LOG} entry {seq} has {} bytes", value.len()));
        let owner_len = u16::from_le_bytes(value.get(8..10).ok_or_else(bad)?.try_into().expect("2 bytes")) as usize;
        let owner = value.get(10..10 + owner_len).ok_or_else(bad)?;
        let owner = (!owner.is_empty()).then(|| String::from_utf8_lossy(owner).into_owned());
        let body = &value[10 + owner_len..];
        if body.len() % SPAN_BYTES != 0 {
            return Err(bad());
        }
        let le = |b: &[u8]| -> [u8; 8] { b.try_into().expect("8 bytes") };
        let spans = body
            .chunks_exact(SPAN_BYTES)
            .map(|s| Span {
                series: u32::from_le_bytes(s[..4].try_into().expect("4 bytes")),
                first: i64::from_le_bytes(le(&s[4..12])),
                last: i64::from_le_bytes(le(&s[12..20])),
                points: u32::from_le_bytes(s[20..24].try_into().expect("4 bytes")),
                bytes: u64::from_le_bytes(le(&s[24..32])),
            })
            .collect();
        Ok(Entry { seq, commit_ms: i64::from_le_bytes(le(&value[..8])), owner, spans })
    }

    fn encode(commit_ms: i64, owner: &str, spans: &[Span]) -> Vec<u8> {
        let mut v = Vec::with_capacity(10 + owner.len() + spans.len() * SPAN_BYTES);
        v.extend_from_slice(&commit_ms.to_le_bytes());
        // Sink names are ids: at most MAX_ID_BYTES (256), which a u16 holds.
        v.extend_from_slice(&(owner.len() as u16).to_le_bytes());
        v.extend_from_slice(owner.as_bytes());
        for s in spans {
            v.extend_from_slice(&s.series.to_le_bytes());
            v.extend_from_slice(&s.first.to_le_bytes());
            v.extend_from_slice(&s.last.to_le_bytes());
            v.extend_from_slice(&s.points.to_le_bytes());
            v.extend_from_slice(&s.bytes.to_le_bytes());
        }
        v
    }

    /// The spans `sink` still has to receive when its cursor is `within` this entry (none
    /// of an entry for another sink).
    fn remaining<'a>(&'a self, sink: &'a str, within: Option<Within>) -> impl Iterator<Item = Span> + 'a {
        let foreign = self.owner.as_deref().is_some_and(|o| o != sink);
        self.spans.iter().filter(move |_| !foreign).filter_map(move |s| match within {
            Some(w) if s.series < w.series => None,
            Some(w) if s.series == w.series => (w.from_ts <= s.last).then_some(Span { first: s.first.max(w.from_ts), ..*s }),
            _ => Some(*s),
        })
    }

    /// Points and bytes `sink` has to receive of it.
    fn size_for(&self, sink: &str, within: Option<Within>) -> (u64, u64) {
        self.remaining(sink, within).fold((0, 0), |(p, b), s| (p + s.points as u64, b + s.bytes))
    }
}

/// What [`TimeSeriesStore::feed_read`] found.
pub(crate) struct FeedRead {
    pub(crate) series: Vec<SeriesPoints>,
    pub(crate) progress: FeedProgress,
}

/// Undelivered changes of a sink.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Backlog {
    pub(crate) changes: u64,
    pub(crate) points: u64,
    pub(crate) oldest_ms: Option<i64>,
}

fn entries_after(view: &dyn ReadView, after: u64, visit: &mut dyn FnMut(Entry) -> Result<Scan>) -> Result<()> {
    view.scan(LOG, &crate::feed::entries_after(after), Direction::Forward, &mut |k, v| visit(Entry::decode(k, v)?))
}

impl TimeSeriesStore {
    /// Starts (`true`, resuming the stored sequence) or stops keeping the log.
    pub(crate) fn feed_keep(&self, on: bool) -> Result<()> {
        if on {
            let view = self.inner.engine.read()?;
            self.inner.feed.next.store(Engine::meta_u64(&*view, NEXT_KEY)?.max(1), Ordering::Release);
        }
        self.inner.feed.enabled.store(on, Ordering::Release);
        Ok(())
    }

    /// Stops keeping the log (the last sink is gone) and removes its entries.
    pub(crate) fn feed_clear(&self) -> Result<()> {
        let _w = self.inner.engine.lock_writes();
        self.inner.feed.enabled.store(false, Ordering::Release);
        let view = self.inner.engine.read()?;
        let mut batch = WriteBatch::new();
        stage_prune(&*view, &mut batch, LOG, None)?;
        drop(view);
        self.inner.engine.commit(&batch)
    }

    /// Whether the log is kept (a sink is registered).
    pub(crate) fn feed_on(&self) -> bool {
        crate::feed::ENABLED && self.inner.feed.enabled.load(Ordering::Acquire)
    }

    /// Stages the log entry of a commit writing `spans`; returns the sequence to pass to
    /// [`Self::feed_landed`] once the commit landed (`None`: no sink, nothing logged).
    pub(crate) fn feed_stage(&self, batch: &mut WriteBatch, spans: &mut [Span]) -> Option<u64> {
        self.feed_stage_for(batch, "", spans)
    }

    /// [`Self::feed_stage`] of an entry for `owner` alone (`""`: every sink).
    fn feed_stage_for(&self, batch: &mut WriteBatch, owner: &str, spans: &mut [Span]) -> Option<u64> {
        if !self.feed_on() || spans.is_empty() {
            return None;
        }
        // By series, and a series' spans in time order (the cursor's `Within` relies on both).
        spans.sort_unstable_by_key(|s| (s.series, s.first));
        let seq = self.inner.feed.next.load(Ordering::Acquire);
        batch.put(LOG, KeyBuilder::new().u64(seq).finish(), Entry::encode(crate::storage::clock::unix_ms(), owner, spans));
        batch.put(META, NEXT_KEY.to_vec(), (seq + 1).to_le_bytes().to_vec());
        Some(seq)
    }

    pub(crate) fn feed_landed(&self, seq: Option<u64>) {
        if let Some(seq) = seq {
            self.inner.feed.next.store(seq + 1, Ordering::Release);
        }
    }

    /// Registers `sink` (or updates its options): stores its cursor just before one new
    /// entry that spans every stored point, so a new sink first receives a full copy.
    /// An existing cursor keeps its position.
    pub(crate) fn feed_register(&self, sink: &str, options: &crate::feed::SinkOptions) -> Result<()> {
        let _w = self.inner.engine.lock_writes();
        self.flush_locked()?;
        self.feed_keep(true)?;
        let view = self.inner.engine.read()?;
        let key = Feed::Telemetry.cursor_key(sink);
        let mut batch = WriteBatch::new();
        let mut seq = None;
        let progress = match stored(&*view, Feed::Telemetry, sink)? {
            Some(p) => FeedProgress { options: options.clone(), ..p },
            None => {
                let after = self.inner.feed.next.load(Ordering::Acquire) - 1;
                seq = self.feed_stage_for(&mut batch, sink, &mut stored_spans(&*view)?);
                FeedProgress { after, options: options.clone(), ..Default::default() }
            }
        };
        batch.put(META, key, progress.encode());
        drop(view);
        self.inner.engine.commit(&batch)?;
        self.feed_landed(seq);
        Ok(())
    }

    /// Reads the next changes for a sink at `progress`: at most about `max_points` points
    /// (whole entries, or slices of one entry larger than that), after dropping what the
    /// sink's options say to drop. Nothing is changed until the sink acknowledges.
    pub(crate) fn feed_read(&self, sink: &str, progress: &FeedProgress, max_points: usize, now_ms: i64) -> Result<FeedRead> {
        let view = self.read_view()?;
        let mut next = progress.clone();
        self.feed_drop(&*view, sink, &mut next, now_ms)?;
        let budget = max_points.max(1) as u64;
        let mut whole: BTreeMap<u32, Vec<(i64, i64)>> = BTreeMap::new();
        let mut taken = 0u64;
        let mut sliced: Option<Entry> = None;
        entries_after(&*view, next.after, &mut |entry| {
            let points = entry.size_for(sink, next.within).0;
            if taken > 0 && taken + points > budget {
                return Ok(Scan::Stop);
            }
            if points > budget {
                sliced = Some(entry);
                return Ok(Scan::Stop);
            }
            for s in entry.remaining(sink, next.within) {
                whole.entry(s.series).or_default().push((s.first, s.last));
            }
            taken += points;
            next.after = entry.seq;
            next.within = None;
            Ok(Scan::Continue)
        })?;
        let mut out = Vec::new();
        for (series, spans) in whole {
            let points = self.read_spans(&*view, series, spans)?;
            self.push_series(&mut out, series, points);
        }
        if let Some(entry) = sliced {
            let mut left = budget;
            let mut done = true;
            for s in entry.remaining(sink, next.within).collect::<Vec<_>>() {
                let points = self.read_points(&*view, s.series, s.first, s.last, left as usize)?;
                left -= points.len() as u64;
                let last = points.last().map(|p| p.timestamp);
                self.push_series(&mut out, s.series, points);
                if left == 0 {
                    // Stop inside this span, or right after it (the series may have a later span).
                    let resume = last.filter(|&t| t < s.last).unwrap_or(s.last).checked_add(1);
                    next.within = match resume {
                        Some(from_ts) => Some(Within { series: s.series, from_ts }),
                        None => s.series.checked_add(1).map(|series| Within { series, from_ts: i64::MIN }),
                    };
                    done = false;
                    break;
                }
            }
            if done || next.within.is_none() {
                next.after = entry.seq;
                next.within = None;
            }
        }
        next.delivered += out.iter().map(|s: &SeriesPoints| s.points.len() as u64).sum::<u64>();
        Ok(FeedRead { series: out, progress: next })
    }

    /// `progress` after the drops its options call for at `now_ms`, nothing read.
    pub(crate) fn feed_expired(&self, progress: &FeedProgress, sink: &str, now_ms: i64) -> Result<FeedProgress> {
        let mut next = progress.clone();
        self.feed_drop(&*self.read_view()?, sink, &mut next, now_ms)?;
        Ok(next)
    }

    /// Skips the entries `progress`'s options drop: older than `max_lag`, then the oldest
    /// while the backlog is over `max_backlog_bytes`. Counts their points as dropped.
    fn feed_drop(&self, view: &dyn ReadView, sink: &str, progress: &mut FeedProgress, now_ms: i64) -> Result<()> {
        let cutoff = progress.options.lag_cutoff(now_ms);
        let mut headers: Vec<(u64, i64, u64, u64)> = Vec::new();
        let within = progress.within;
        entries_after(view, progress.after, &mut |e| {
            let (points, bytes) = e.size_for(sink, if headers.is_empty() { within } else { None });
            headers.push((e.seq, e.commit_ms, points, bytes));
            Ok(Scan::Continue)
        })?;
        let mut backlog: u64 = headers.iter().map(|h| h.3).sum();
        let max = progress.options.max_backlog_bytes;
        for (seq, commit_ms, points, bytes) in headers {
            let too_old = cutoff.is_some_and(|c| commit_ms < c);
            if !too_old && (max == 0 || backlog <= max) {
                break;
            }
            progress.after = seq;
            progress.within = None;
            progress.dropped += points;
            backlog -= bytes;
        }
        Ok(())
    }

    /// Undelivered changes after `progress`.
    pub(crate) fn feed_backlog(&self, sink: &str, progress: &FeedProgress) -> Result<Backlog> {
        let view = self.inner.engine.read()?;
        let mut b = Backlog::default();
        let mut within = progress.within;
        entries_after(&*view, progress.after, &mut |e| {
            let mut spans = e.remaining(sink, within.take()).peekable();
            if spans.peek().is_some() {
                b.changes += 1;
                b.points += spans.map(|s| s.points as u64).sum::<u64>();
                b.oldest_ms = Some(b.oldest_ms.map_or(e.commit_ms, |o| o.min(e.commit_ms)));
            }
            Ok(Scan::Continue)
        })?;
        Ok(b)
    }

    /// Stages `progress` as `sink`'s cursor and removes the entries every sink has passed.
    /// Call with the writer lock held.
    pub(crate) fn feed_stage_ack(&self, view: &dyn ReadView, batch: &mut WriteBatch, sink: &str, progress: &FeedProgress) -> Result<()> {
        batch.put(META, Feed::Telemetry.cursor_key(sink), progress.encode());
        let oldest = oldest_after(view, &[Feed::Telemetry], sink, Feed::Telemetry, progress.after)?;
        stage_prune(view, batch, LOG, Some(oldest))
    }

    /// Per series, the oldest timestamp a sink has not received and still holds (retention
    /// keeps it and everything after).
    pub(crate) fn feed_holds(&self, now_ms: i64) -> Result<HashMap<u32, i64>> {
        if !crate::feed::ENABLED {
            return Ok(HashMap::new());
        }
        let view = self.inner.engine.read()?;
        let sinks = cursors(&*view, Feed::Telemetry)?;
        let mut holds: HashMap<u32, i64> = HashMap::new();
        let Some(oldest) = sinks.iter().map(|(_, p)| p.after).min() else { return Ok(holds) };
        entries_after(&*view, oldest, &mut |e| {
            for (sink, p) in &sinks {
                if e.seq <= p.after || p.options.lag_cutoff(now_ms).is_some_and(|c| e.commit_ms < c) {
                    continue;
                }
                let within = if e.seq == p.after + 1 { p.within } else { None };
                for s in e.remaining(sink, within) {
                    let h = holds.entry(s.series).or_insert(s.first);
                    *h = (*h).min(s.first);
                }
            }
            Ok(Scan::Continue)
        })?;
        Ok(holds)
    }

    /// The stored points of `series` inside any of `spans`, read in one pass over their
    /// whole extent.
    fn read_spans(&self, view: &dyn ReadView, series: u32, mut spans: Vec<(i64, i64)>) -> Result<Vec<DataPoint>> {
        spans.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
        for (a, b) in spans {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        // Spans less than a gap apart are read in one range, the stored points between them
        // filtered out; a wider gap is skipped, not read.
        let mut points = Vec::new();
        for group in merged.chunk_by(|a, b| b.0 <= a.1.saturating_add(SPAN_GAP_MS)) {
            let mut read = self.read_points(view, series, group[0].0, group[group.len() - 1].1, usize::MAX)?;
            if group.len() > 1 {
                read.retain(|p| {
                    let i = group.partition_point(|s| s.1 < p.timestamp);
                    group.get(i).is_some_and(|s| s.0 <= p.timestamp)
                });
            }
            points.append(&mut read);
        }
        Ok(points)
    }

    fn push_series(&self, out: &mut Vec<SeriesPoints>, series: u32, mut points: Vec<DataPoint>) {
        if points.is_empty() {
            return;
        }
        // A series whose names are gone (its device was deleted) has nothing to send.
        if let Some((device_id, metric)) = self.inner.series.read().by_id.get(&series).cloned() {
            match out.last_mut() {
                // A later span of the series read just before joins its points.
                Some(last)
                    if last.device_id == device_id
                        && last.metric == metric
                        && last.points.last().map(|p| p.timestamp) < Some(points[0].timestamp) =>
                {
                    last.points.append(&mut points)
                }
                _ => out.push(SeriesPoints { device_id, metric, points }),
            }
        }
    }
}

/// One span per stored series covering all its points (a new sink's full copy).
fn stored_spans(view: &dyn ReadView) -> Result<Vec<Span>> {
    let mut spans: BTreeMap<u32, Span> = BTreeMap::new();
    view.scan(CHUNKS, &KeyRange::all(), Direction::Forward, &mut |k, v| {
        let series = KeyReader::new(k).u32()?;
        let s = ChunkSummary::read(v)?;
        let span = spans.entry(series).or_insert(Span { series, first: s.min_ts, last: s.max_ts, points: 0, bytes: 0 });
        span.first = span.first.min(s.min_ts);
        span.last = span.last.max(s.max_ts);
        span.points = span.points.saturating_add(s.count as u32);
        // Sizes are not in the summary: count numbers, which most points are.
        span.bytes += 16 * s.count;
        Ok(Scan::Continue)
    })?;
    Ok(spans.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(ts: &[i64]) -> Vec<(i64, i64, u32, u64)> {
        spans_of(7, ts, |i| i as u64).iter().map(|s| (s.first, s.last, s.points, s.bytes)).collect()
    }

    #[test]
    fn spans_are_cut_at_the_widest_gaps_only() {
        // 1 Hz points and a minute-wide gap: one span; a wider one cuts.
        assert_eq!(cut(&[0, 1_000, 61_000]), vec![(0, 61_000, 3, 3)]);
        assert_eq!(cut(&[0, 1_000, 61_001]), vec![(0, 1_000, 2, 1), (61_001, 61_001, 1, 2)]);
        // Twelve sparse points: the seven widest gaps cut, into eight spans.
        let sparse: Vec<i64> = (0..12).map(|i| i * 3_600_000 + i * i).collect();
        let spans = cut(&sparse);
        assert_eq!(spans.len(), MAX_SPANS);
        assert_eq!(spans.iter().map(|s| s.2).sum::<u32>(), 12);
        assert_eq!((spans[0].0, spans[MAX_SPANS - 1].1), (0, sparse[11]));
        assert_eq!(spans[0].2, 5, "the narrowest gaps, at the start, are not cut");
        // The extremes do not overflow.
        assert_eq!(cut(&[i64::MIN, i64::MAX]), vec![(i64::MIN, i64::MIN, 1, 0), (i64::MAX, i64::MAX, 1, 1)]);
    }
}
