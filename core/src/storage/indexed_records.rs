//! The shape shared by the stores of JSON records with an id and time-ordered indexes
//! (alerts, decisions, rule and workflow history): rows `id -> JSON` in one table, index
//! tables whose keys end in `(time, id)` written in the same batch as the row, reads that
//! follow an index to the rows, and bulk changes in bounded transactions.

use crate::error::{Result, StorageError};
use crate::limits::{check_id, CLEANUP_BATCH};
use crate::page::Page;
use crate::range::TimeRange;
use crate::storage::backend::{Direction, KeyRange, ReadView, Scan, WriteBatch};
use crate::storage::engine::Engine;
use crate::storage::key::{prefix_end, KeyBuilder, KeyReader};
use serde::de::DeserializeOwned;
use std::ops::Bound;

/// A record kept as a JSON row under its id, with index entries.
pub(crate) trait IndexedRecord: DeserializeOwned + Clone {
    /// Table of rows: id -> JSON.
    const TABLE: &'static str;
    /// What one record is called in errors (`"alert"`).
    const KIND: &'static str;
    /// Name of the id field in errors (`"alert_id"`).
    const ID_FIELD: &'static str;

    /// The record's id.
    fn id(&self) -> &str;

    /// Checks every field; returns the row to store.
    fn validate(&self) -> Result<Vec<u8>>;

    /// Every index entry of the record: (table, key, value).
    fn index_entries(&self) -> Vec<(&'static str, Vec<u8>, Vec<u8>)>;
}

/// Key of a row.
pub(crate) fn row_key(id: &str) -> Vec<u8> {
    KeyBuilder::new().str(id).finish()
}

/// Stages the row and every index entry of `r`.
pub(crate) fn stage_put<R: IndexedRecord>(batch: &mut WriteBatch, r: &R, row: Vec<u8>) {
    batch.put(R::TABLE, row_key(r.id()), row);
    for (table, key, value) in r.index_entries() {
        batch.put(table, key, value);
    }
}

/// Stages the removal of the row and every index entry of `r` (as it is stored).
pub(crate) fn stage_delete<R: IndexedRecord>(batch: &mut WriteBatch, r: &R) {
    batch.delete(R::TABLE, row_key(r.id()));
    for (table, key, _) in r.index_entries() {
        batch.delete(table, key);
    }
}

/// The record stored under `id`, if any.
pub(crate) fn load<R: IndexedRecord>(view: &dyn ReadView, id: &str) -> Result<Option<R>> {
    match view.get(R::TABLE, &row_key(id))? {
        Some(row) => Ok(Some(serde_json::from_slice(&row)?)),
        None => Ok(None),
    }
}

/// The record an entry of `index` names; a missing one means a damaged index.
pub(crate) fn load_indexed<R: IndexedRecord>(view: &dyn ReadView, index: &str, id: &str) -> Result<R> {
    load(view, id)?.ok_or_else(|| missing::<R>(index, id))
}

/// Checks `id`, then reads the record stored under it.
pub(crate) fn get<R: IndexedRecord>(engine: &Engine, id: &str) -> Result<Option<R>> {
    check_id(R::ID_FIELD, id)?;
    load(&*engine.read()?, id)
}

/// Stores new records (rows already validated) in one transaction; an id already stored
/// fails with `Conflict` and nothing is written.
pub(crate) fn insert<R: IndexedRecord>(engine: &Engine, records: Vec<(&R, Vec<u8>)>) -> Result<()> {
    let _w = engine.lock_writes();
    let view = engine.read()?;
    let mut batch = WriteBatch::new();
    for (r, row) in records {
        if view.get(R::TABLE, &row_key(r.id()))?.is_some() {
            return Err(StorageError::Conflict(format!("{} {:?} already exists", R::KIND, r.id())));
        }
        stage_put(&mut batch, r, row);
    }
    engine.commit(&batch)
}

/// Applies `change` to the stored record `id` and stores the result, moving its index
/// entries, in one transaction. Unknown ids fail with `NotFound`; a change of the id is
/// refused.
pub(crate) fn modify<R: IndexedRecord>(engine: &Engine, id: &str, change: impl FnOnce(&mut R) -> Result<()>) -> Result<R> {
    check_id(R::ID_FIELD, id)?;
    let _w = engine.lock_writes();
    let view = engine.read()?;
    let old: R = load(&*view, id)?.ok_or_else(|| StorageError::not_found(R::KIND, id))?;
    let mut new = old.clone();
    change(&mut new)?;
    if new.id() != old.id() {
        return Err(StorageError::invalid(R::ID_FIELD, "cannot be changed by an update"));
    }
    let row = new.validate()?;
    let mut batch = WriteBatch::new();
    stage_delete(&mut batch, &old);
    stage_put(&mut batch, &new, row);
    engine.commit(&batch)?;
    Ok(new)
}

/// Loads the records named by the entries of `index` in `range`; `id_of` reads the id from
/// an index key.
pub(crate) fn collect<R: IndexedRecord>(
    engine: &Engine,
    index: &str,
    range: &KeyRange,
    dir: Direction,
    page: Page,
    id_of: impl Fn(&[u8]) -> Result<String>,
) -> Result<Vec<R>> {
    let mut out = Vec::new();
    each_row::<R>(engine, index, range, dir, page, id_of, |row| {
        out.push(serde_json::from_slice(row)?);
        Ok(())
    })?;
    Ok(out)
}

/// Hands `visit` the stored row (the record's JSON text, as serde wrote it) of each entry of
/// `index` in `range`, paged, without decoding it; `id_of` reads the id from an index key.
pub(crate) fn each_row<R: IndexedRecord>(
    engine: &Engine,
    index: &str,
    range: &KeyRange,
    dir: Direction,
    page: Page,
    id_of: impl Fn(&[u8]) -> Result<String>,
    mut visit: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let view = engine.read()?;
    let mut pager = page.cursor();
    if pager.is_full() {
        return Ok(());
    }
    view.scan(index, range, dir, &mut |k, _| {
        if pager.admit() {
            let id = id_of(k)?;
            let row = view.get(R::TABLE, &row_key(&id))?;
            visit(&row.ok_or_else(|| missing::<R>(index, &id))?)?;
        }
        Ok(pager.step())
    })
}

/// The error of an index entry whose record is gone (a damaged index).
fn missing<R: IndexedRecord>(index: &str, id: &str) -> StorageError {
    StorageError::Corrupted(format!("index {index} names missing {} {id:?}", R::KIND))
}

/// Reads the id from an index key of `skip` prefix bytes, then (time, id).
pub(crate) fn id_after_time(key: &[u8], skip: usize) -> Result<String> {
    let mut r = KeyReader::new(key.get(skip..).ok_or_else(|| StorageError::Corrupted("index key too short".into()))?);
    r.i64()?;
    r.str()
}

/// Keys `prefix + (t, ..)` with `t` in `range` (every `i64`, the extremes included).
pub(crate) fn time_range(prefix: KeyBuilder, range: TimeRange) -> KeyRange {
    let Some((first, last)) = range.bounds() else {
        return KeyRange::half_open(Vec::new(), Vec::new());
    };
    let start = Bound::Included(prefix.clone().i64(first).finish());
    let end = match last.checked_add(1) {
        Some(next) => Bound::Excluded(prefix.i64(next).finish()),
        // Through i64::MAX: up to the end of the prefix.
        None => match prefix_end(&prefix.finish()) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        },
    };
    KeyRange { start, end }
}

/// Keys `(t, ..)` with `t < before_ms`.
pub(crate) fn before(before_ms: i64) -> KeyRange {
    KeyRange { start: Bound::Unbounded, end: Bound::Excluded(KeyBuilder::new().i64(before_ms).finish()) }
}

/// Calls `stage` for each entry `(key, value)` of `index` in `range`, oldest first, in
/// transactions of at most [`CLEANUP_BATCH`] entries, each under the write lock from a fresh
/// snapshot; `finish` adds what the batch needs besides (counters) before it commits. The
/// staged changes must take the entries out of `range`, or the loop would see them again.
/// Returns how many entries were staged.
pub(crate) fn in_batches<S: Default>(
    engine: &Engine,
    index: &str,
    range: &KeyRange,
    mut stage: impl FnMut(&mut S, &dyn ReadView, &[u8], &[u8], &mut WriteBatch) -> Result<()>,
    mut finish: impl FnMut(S, &dyn ReadView, &mut WriteBatch) -> Result<()>,
) -> Result<u64> {
    let mut total = 0;
    loop {
        let _w = engine.lock_writes();
        let view = engine.read()?;
        let mut batch = WriteBatch::new();
        let mut state = S::default();
        let mut staged = 0;
        view.scan(index, range, Direction::Forward, &mut |k, v| {
            stage(&mut state, &*view, k, v, &mut batch)?;
            staged += 1;
            Ok(if staged >= CLEANUP_BATCH { Scan::Stop } else { Scan::Continue })
        })?;
        finish(state, &*view, &mut batch)?;
        engine.commit(&batch)?;
        total += staged as u64;
        if staged < CLEANUP_BATCH {
            return Ok(total);
        }
    }
}

/// [`in_batches`] removing every record whose `index` entry (key `(time, id)`) is in
/// `range`.
pub(crate) fn remove_in_batches<R: IndexedRecord>(engine: &Engine, index: &str, range: &KeyRange) -> Result<u64> {
    in_batches(
        engine,
        index,
        range,
        |_: &mut (), view, k, _, batch| {
            let r: R = load_indexed(view, index, &id_after_time(k, 0)?)?;
            stage_delete(batch, &r);
            Ok(())
        },
        |_, _, _| Ok(()),
    )
}
