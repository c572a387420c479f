//! Columnar telemetry: one series' timestamps and values as flat vectors, in and out.
//!
//! The value-type rule lives here, once for every language: a column holds one
//! [`ValueType`]. A float column takes floats only; integers, booleans and strings are
//! columns of their own; nothing is converted. Reading a range whose points have more than
//! one type through columns is refused (`InvalidInput` on `"value type"`, naming both
//! types and the timestamp of the first point that differs); `query_range` returns any mix.
//! Binary values have no column: they are large, few and read one by one (`query_range`),
//! so reading them through columns is refused the same way.

use super::point::{DataPoint, MetricValue};
use crate::error::{Result, StorageError};
use crate::limits::MAX_STRING_VALUE_BYTES;
use std::fmt;

/// The type of a telemetry value, as a column holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `f64` ([`MetricValue::Float`]).
    Float,
    /// `i64` ([`MetricValue::Integer`]).
    Integer,
    /// `bool` ([`MetricValue::Boolean`]).
    Boolean,
    /// UTF-8 text ([`MetricValue::String`]).
    String,
    /// Bytes ([`MetricValue::Binary`]); no column type carries them.
    Binary,
}

impl ValueType {
    /// The lower-case name used in error messages (`"float"`, `"integer"`, `"boolean"`,
    /// `"string"`, `"binary"`).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Float => "float",
            ValueType::Integer => "integer",
            ValueType::Boolean => "boolean",
            ValueType::String => "string",
            ValueType::Binary => "binary",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl MetricValue {
    /// The type of this value.
    pub fn value_type(&self) -> ValueType {
        match self {
            MetricValue::Float(_) => ValueType::Float,
            MetricValue::Integer(_) => ValueType::Integer,
            MetricValue::Boolean(_) => ValueType::Boolean,
            MetricValue::String(_) => ValueType::String,
            MetricValue::Binary(_) => ValueType::Binary,
        }
    }
}

impl MetricValue {
    /// The value of a float point; another type is `InvalidInput` on `"value type"`
    /// naming it, as [`Columns::into_floats`] (for bindings that hand out a bare `f64`).
    pub fn to_float(&self) -> Result<f64> {
        match self {
            MetricValue::Float(f) => Ok(*f),
            other => Err(not_of_type(ValueType::Float, other.value_type())),
        }
    }
}

/// The error of reading values of type `found` as a column of type `asked`.
fn not_of_type(asked: ValueType, found: ValueType) -> StorageError {
    StorageError::invalid(
        "value type",
        format!("the series holds {found} values; a {asked} column takes {asked} values only (read it as a {found} column)"),
    )
}

/// The values of a columnar write ([`TimeSeriesStore::write_columns`]), borrowed from the
/// caller: one value per timestamp, all of one type.
///
/// Borrowed slices rather than owned vectors: a binding hands over the buffer it already
/// has (a C array, a decoded byte buffer) and the store encodes chunks straight from it, so
/// a write costs no copy of the input (the peak stays within 2x the input columns).
/// Strings are `&[String]` because the bindings that carry text (uniffi, wasm) own
/// `String`s already.
///
/// [`TimeSeriesStore::write_columns`]: super::TimeSeriesStore::write_columns
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Column<'a> {
    /// Finite floats (NaN and infinities are refused).
    Float(&'a [f64]),
    /// Integers.
    Integer(&'a [i64]),
    /// Flags.
    Boolean(&'a [bool]),
    /// Text, each at most 64 KiB.
    String(&'a [String]),
}

impl<'a> Column<'a> {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Column::Float(v) => v.len(),
            Column::Integer(v) => v.len(),
            Column::Boolean(v) => v.len(),
            Column::String(v) => v.len(),
        }
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The type of every value in the column.
    pub fn value_type(&self) -> ValueType {
        match self {
            Column::Float(_) => ValueType::Float,
            Column::Integer(_) => ValueType::Integer,
            Column::Boolean(_) => ValueType::Boolean,
            Column::String(_) => ValueType::String,
        }
    }

    /// Values `range` of the column.
    pub(crate) fn slice(&self, range: std::ops::Range<usize>) -> Column<'a> {
        match *self {
            Column::Float(v) => Column::Float(&v[range]),
            Column::Integer(v) => Column::Integer(&v[range]),
            Column::Boolean(v) => Column::Boolean(&v[range]),
            Column::String(v) => Column::String(&v[range]),
        }
    }

    /// Value `i` as a [`MetricValue`] (for the few points that take the per-point path).
    pub(crate) fn value(&self, i: usize) -> MetricValue {
        match self {
            Column::Float(v) => MetricValue::Float(v[i]),
            Column::Integer(v) => MetricValue::Integer(v[i]),
            Column::Boolean(v) => MetricValue::Boolean(v[i]),
            Column::String(v) => MetricValue::String(v[i].clone()),
        }
    }

    /// The values as numbers, for the rollup tiers (`Float` and `Integer` only).
    pub(crate) fn numbers(&self) -> super::rollup::Numbers<'a> {
        match self {
            Column::Float(v) => super::rollup::Numbers::Floats(v),
            Column::Integer(v) => super::rollup::Numbers::Integers(v),
            Column::Boolean(_) | Column::String(_) => super::rollup::Numbers::Nothing,
        }
    }

    /// Rough raw size of value `i`, as `chunk::raw_bytes` counts a point.
    pub(crate) fn raw_bytes(&self, i: usize) -> usize {
        16 + match self {
            Column::String(v) => v[i].len(),
            _ => 0,
        }
    }

    /// Refuses a length other than `timestamps` (naming `values`), non-finite floats and
    /// oversized strings, before anything is written.
    pub(crate) fn validate(&self, timestamps: usize) -> Result<()> {
        if self.len() != timestamps {
            return Err(StorageError::invalid(
                "values",
                format!("{} values for {timestamps} timestamps; the counts must match", self.len()),
            ));
        }
        match self {
            Column::Float(v) => {
                if let Some((i, f)) = v.iter().enumerate().find(|(_, f)| !f.is_finite()) {
                    return Err(StorageError::invalid("values", format!("value {i} ({f}) is not a finite number")));
                }
            }
            Column::String(v) => {
                if let Some((i, s)) = v.iter().enumerate().find(|(_, s)| s.len() > MAX_STRING_VALUE_BYTES) {
                    return Err(StorageError::invalid(
                        "values",
                        format!("string {i} is {} bytes; the limit is {MAX_STRING_VALUE_BYTES}", s.len()),
                    ));
                }
            }
            Column::Integer(_) | Column::Boolean(_) => {}
        }
        Ok(())
    }
}

/// `ts` and `values` sorted by timestamp, keeping the last of equal timestamps (later
/// values win, as later points of a batch do). Costs one index per point while sorting and
/// the sorted copy (24 bytes per point for `i64` + `f64` at the peak).
pub(crate) fn sorted(ts: &[i64], values: Column<'_>) -> (Vec<i64>, ColumnValues) {
    let mut order: Vec<usize> = (0..ts.len()).collect();
    order.sort_unstable_by_key(|&i| (ts[i], i));
    let mut kept = 0;
    for k in 0..order.len() {
        if k + 1 < order.len() && ts[order[k + 1]] == ts[order[k]] {
            continue;
        }
        order[kept] = order[k];
        kept += 1;
    }
    order.truncate(kept);
    let sorted_ts = order.iter().map(|&i| ts[i]).collect();
    let values = match values {
        Column::Float(v) => ColumnValues::Float(order.iter().map(|&i| v[i]).collect()),
        Column::Integer(v) => ColumnValues::Integer(order.iter().map(|&i| v[i]).collect()),
        Column::Boolean(v) => ColumnValues::Boolean(order.iter().map(|&i| v[i]).collect()),
        Column::String(v) => ColumnValues::String(order.iter().map(|&i| v[i].clone()).collect()),
    };
    (sorted_ts, values)
}

/// The values of a columnar read ([`Columns`]), owned: one flat vector of one type.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Floats.
    Float(Vec<f64>),
    /// Integers.
    Integer(Vec<i64>),
    /// Flags.
    Boolean(Vec<bool>),
    /// Text.
    String(Vec<String>),
}

impl ColumnValues {
    /// An empty column of `ty` (`None` for binary, which has no column).
    pub fn empty(ty: ValueType) -> Option<Self> {
        match ty {
            ValueType::Float => Some(ColumnValues::Float(Vec::new())),
            ValueType::Integer => Some(ColumnValues::Integer(Vec::new())),
            ValueType::Boolean => Some(ColumnValues::Boolean(Vec::new())),
            ValueType::String => Some(ColumnValues::String(Vec::new())),
            ValueType::Binary => None,
        }
    }

    /// The type of every value.
    pub fn value_type(&self) -> ValueType {
        match self {
            ColumnValues::Float(_) => ValueType::Float,
            ColumnValues::Integer(_) => ValueType::Integer,
            ColumnValues::Boolean(_) => ValueType::Boolean,
            ColumnValues::String(_) => ValueType::String,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.as_column().len()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values borrowed as a [`Column`], e.g. to write them to another series.
    pub fn as_column(&self) -> Column<'_> {
        match self {
            ColumnValues::Float(v) => Column::Float(v),
            ColumnValues::Integer(v) => Column::Integer(v),
            ColumnValues::Boolean(v) => Column::Boolean(v),
            ColumnValues::String(v) => Column::String(v),
        }
    }

    fn push(&mut self, v: MetricValue) {
        match (self, v) {
            (ColumnValues::Float(c), MetricValue::Float(x)) => c.push(x),
            (ColumnValues::Integer(c), MetricValue::Integer(x)) => c.push(x),
            (ColumnValues::Boolean(c), MetricValue::Boolean(x)) => c.push(x),
            (ColumnValues::String(c), MetricValue::String(x)) => c.push(x),
            _ => unreachable!("the builder checks the type first"),
        }
    }
}

/// Points of one series as columns: `timestamps[i]` and value `i` form point `i`.
///
/// Returned by [`TimeSeriesStore::query_range_columns`]; quality and metadata are not
/// carried (read them with `query_range`). An empty result is an empty float column.
///
/// [`TimeSeriesStore::query_range_columns`]: super::TimeSeriesStore::query_range_columns
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Unix milliseconds, in the order asked.
    pub timestamps: Vec<i64>,
    /// One value per timestamp, all of one type.
    pub values: ColumnValues,
}

impl Columns {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// The type of the values.
    pub fn value_type(&self) -> ValueType {
        self.values.value_type()
    }

    /// Timestamps and integer values; a column of another type is `InvalidInput` on
    /// `"value type"` naming the type found (an empty result gives empty vectors).
    pub fn into_integers(self) -> Result<(Vec<i64>, Vec<i64>)> {
        match self.values {
            ColumnValues::Integer(v) => Ok((self.timestamps, v)),
            ColumnValues::Float(v) if v.is_empty() => Ok((self.timestamps, Vec::new())),
            other => Err(not_of_type(ValueType::Integer, other.value_type())),
        }
    }

    /// Timestamps and float values; a column of another type is `InvalidInput` on
    /// `"value type"` naming the type found (no conversion: integers, booleans and strings
    /// are read as their own column types). An empty result is an empty float column.
    ///
    /// ```
    /// use neotalk_storage::{Column, StorageManager};
    /// let db = StorageManager::in_memory().unwrap();
    /// let ts = db.timeseries();
    /// ts.write_columns("d", "count", &[1, 2], Column::Integer(&[7, 8])).unwrap();
    /// let err = ts.query_range_columns("d", "count", ..).unwrap().into_floats().unwrap_err();
    /// assert!(err.to_string().contains("integer"));
    /// ```
    pub fn into_floats(self) -> Result<(Vec<i64>, Vec<f64>)> {
        match self.values {
            ColumnValues::Float(v) => Ok((self.timestamps, v)),
            other => Err(not_of_type(ValueType::Float, other.value_type())),
        }
    }
}

/// Collects decoded values into [`Columns`], enforcing one type per column.
pub(crate) struct ColumnsBuilder {
    pub(crate) timestamps: Vec<i64>,
    values: Option<ColumnValues>,
    pub(crate) limit: usize,
}

impl ColumnsBuilder {
    pub(crate) fn new(limit: usize) -> Self {
        ColumnsBuilder { timestamps: Vec::new(), values: None, limit }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.timestamps.len() >= self.limit
    }

    pub(crate) fn room(&self) -> usize {
        self.limit.saturating_sub(self.timestamps.len())
    }

    /// The values column, which must be of type `ty`; `at` is the timestamp of the first
    /// value of that type, for the error.
    pub(crate) fn values(&mut self, ty: ValueType, at: i64) -> Result<&mut ColumnValues> {
        let Some(empty) = ColumnValues::empty(ty) else {
            return Err(StorageError::invalid(
                "value type",
                format!(
                    "the range holds binary values (the first at timestamp {at}), which columns do not carry: read them with query_range"
                ),
            ));
        };
        let values = self.values.get_or_insert(empty);
        if values.value_type() != ty {
            return Err(StorageError::invalid(
                "value type",
                format!(
                    "the range holds {} values and {ty} values (the first at timestamp {at}); a column holds one type: read mixed series with query_range",
                    values.value_type()
                ),
            ));
        }
        Ok(values)
    }

    /// Appends one decoded point (the per-point path: raw heads, mixed chunks).
    pub(crate) fn push_point(&mut self, p: DataPoint) -> Result<()> {
        self.values(p.value.value_type(), p.timestamp)?.push(p.value);
        self.timestamps.push(p.timestamp);
        Ok(())
    }

    pub(crate) fn finish(self) -> Columns {
        Columns { timestamps: self.timestamps, values: self.values.unwrap_or(ColumnValues::Float(Vec::new())) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_field() {
        let bad = |c: Column<'_>, n| match c.validate(n) {
            Err(StorageError::InvalidInput { field, reason }) => format!("{field}: {reason}"),
            other => panic!("{other:?}"),
        };
        assert!(bad(Column::Float(&[1.0]), 2).contains("1 values for 2 timestamps"));
        assert!(bad(Column::Float(&[1.0, f64::NAN]), 2).contains("value 1 (NaN)"));
        assert!(bad(Column::Float(&[f64::INFINITY]), 1).contains("not a finite number"));
        assert!(bad(Column::String(&["x".repeat(MAX_STRING_VALUE_BYTES + 1)]), 1).contains("string 0"));
        assert!(Column::Integer(&[i64::MIN, i64::MAX]).validate(2).is_ok());
        assert!(Column::Boolean(&[]).validate(0).is_ok());
    }

    #[test]
    fn the_builder_refuses_a_second_type() {
        let mut b = ColumnsBuilder::new(usize::MAX);
        b.push_point(DataPoint::new(1, 1.5)).unwrap();
        let err = b.push_point(DataPoint::new(2, 3i64)).unwrap_err().to_string();
        assert!(err.contains("float values and integer values (the first at timestamp 2)"), "{err}");
        assert_eq!(ColumnsBuilder::new(1).finish().values, ColumnValues::Float(Vec::new()));
        let err = ColumnsBuilder::new(9).push_point(DataPoint::new(4, vec![1u8])).unwrap_err().to_string();
        assert!(err.contains("binary values (the first at timestamp 4), which columns do not carry"), "{err}");
    }
}
