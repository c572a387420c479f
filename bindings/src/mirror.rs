//! uniffi mirrors of core records: one `mirror_record!` per record declares the uniffi Record
//! and converts it to and from the core type field by field.
//!
//! Why a macro here rather than `uniffi` derives on the core types behind a cargo feature:
//! derived core types would be a second uniffi component (its own namespace, generated module
//! and Kotlin package, all in one cdylib) and would make `neotalk-storage` depend on uniffi
//! for the other builds' features; the macro keeps uniffi in this crate. The conversion is
//! still checked against the core: it builds the core struct with every field named, so a
//! field added in core and not mirrored here fails to compile.
//!
//! Free-form JSON values (`serde_json::Value`: action parameters, tool calls, workflow
//! inputs) cross as JSON text and are parsed through the core's one input path, so a bad
//! one is `InvalidInput` naming its field.

use crate::error::{Result, StorageError};
use std::collections::HashMap;

/// A uniffi-side value and the core value `C` it stands for.
pub(crate) trait Mirror<C>: Sized {
    /// The uniffi form of a core value.
    fn from_core(core: C) -> Self;
    /// The core value of a caller's one; `field` names it in an error.
    fn into_core(self, field: &'static str) -> Result<C>;
}

/// Scalars cross unchanged.
macro_rules! same {
    ($($t:ty),+) => {$(
        impl Mirror<$t> for $t {
            fn from_core(core: $t) -> Self {
                core
            }
            fn into_core(self, _field: &'static str) -> Result<$t> {
                Ok(self)
            }
        }
    )+};
}

same!(String, bool, i64, f32, f64);

/// Counts, sizes, limits and sequences are unsigned in core and cross as `i64`: Kotlin code
/// works in `Long` (a `ULong` needs `0uL` literals and `.toLong()` at every use), and Python
/// ints don't mind. A caller's negative one is `InvalidInput` naming it; a core value above
/// `i64::MAX` (none is reachable: they count rows and bytes) saturates.
macro_rules! count {
    ($($t:ty),+) => {$(
        impl Mirror<$t> for i64 {
            fn from_core(core: $t) -> Self {
                i64::try_from(core).unwrap_or(i64::MAX)
            }
            fn into_core(self, field: &'static str) -> Result<$t> {
                if self < 0 {
                    return Err(StorageError::invalid(field, format!("{self} is negative")));
                }
                <$t>::try_from(self).map_err(|_| StorageError::invalid(field, format!("{self} is over {}", <$t>::MAX)))
            }
        }
    )+};
}

count!(u64, u32);

/// A limit or count the core takes as `usize`: as [`count!`], saturating where `usize` is
/// 32 bits (a limit of `Long.MAX_VALUE` means "all" on every CPU).
impl Mirror<usize> for i64 {
    fn from_core(core: usize) -> Self {
        i64::try_from(core).unwrap_or(i64::MAX)
    }
    fn into_core(self, field: &'static str) -> Result<usize> {
        let v: u64 = self.into_core(field)?;
        Ok(usize::try_from(v).unwrap_or(usize::MAX))
    }
}

impl<A: Mirror<C>, C> Mirror<Vec<C>> for Vec<A> {
    fn from_core(core: Vec<C>) -> Self {
        core.into_iter().map(A::from_core).collect()
    }
    fn into_core(self, field: &'static str) -> Result<Vec<C>> {
        self.into_iter().map(|a| a.into_core(field)).collect()
    }
}

impl<A: Mirror<C>, C> Mirror<Option<C>> for Option<A> {
    fn from_core(core: Option<C>) -> Self {
        core.map(A::from_core)
    }
    fn into_core(self, field: &'static str) -> Result<Option<C>> {
        self.map(|a| a.into_core(field)).transpose()
    }
}

impl<A: Mirror<C>, C> Mirror<HashMap<String, C>> for HashMap<String, A> {
    fn from_core(core: HashMap<String, C>) -> Self {
        core.into_iter().map(|(k, v)| (k, A::from_core(v))).collect()
    }
    fn into_core(self, field: &'static str) -> Result<HashMap<String, C>> {
        self.into_iter().map(|(k, v)| Ok((k, v.into_core(field)?))).collect()
    }
}

/// [`Mirror`] of a type whose conversions both ways are infallible `From`s (enums mirrored
/// variant by variant).
macro_rules! mirror_by_from {
    ($name:ty => $core:ty) => {
        impl $crate::mirror::Mirror<$core> for $name {
            fn from_core(core: $core) -> Self {
                core.into()
            }
            fn into_core(self, _field: &'static str) -> $crate::error::Result<$core> {
                Ok(self.into())
            }
        }
    };
}

pub(crate) use mirror_by_from;

/// A core `f32` crosses as the `f64` of its shortest decimal form, so a confidence stored as
/// `0.8` reads back as `0.8` in Python and Kotlin, not `0.800000011920929`.
impl Mirror<f32> for f64 {
    fn from_core(core: f32) -> Self {
        core.to_string().parse().unwrap_or(f64::from(core))
    }
    fn into_core(self, _field: &'static str) -> Result<f32> {
        // Out of f32's range becomes infinite, which the core's checks refuse by name.
        Ok(self as f32)
    }
}

/// A JSON value crosses as its text.
impl Mirror<serde_json::Value> for String {
    fn from_core(core: serde_json::Value) -> Self {
        core.to_string()
    }
    fn into_core(self, field: &'static str) -> Result<serde_json::Value> {
        crate::json::parse(field, &self)
    }
}

/// Declares a uniffi Record mirroring a core record, its [`Mirror`] conversion and the
/// infallible `From` of the core record. Field attributes (docs, `#[uniffi(default)]`) pass
/// through to the Record.
macro_rules! mirror_record {
    ($(#[$doc:meta])* $name:ident => $core:path {
        $($(#[$fattr:meta])* $field:ident: $ty:ty),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, uniffi::Record)]
        pub struct $name {
            $($(#[$fattr])* pub $field: $ty,)+
        }

        impl From<$core> for $name {
            fn from(core: $core) -> Self {
                $crate::mirror::Mirror::from_core(core)
            }
        }

        impl $crate::mirror::Mirror<$core> for $name {
            fn from_core(core: $core) -> Self {
                $name { $($field: $crate::mirror::Mirror::from_core(core.$field),)+ }
            }
            fn into_core(self, _field: &'static str) -> $crate::error::Result<$core> {
                // A struct literal needs a name, not a `path` fragment: the alias gives one.
                type Core = $core;
                Ok(Core { $($field: $crate::mirror::Mirror::into_core(self.$field, stringify!($field))?,)+ })
            }
        }
    };
}

pub(crate) use mirror_record;

/// Exports two functions that turn a mirrored record into the core's JSON form and back (the
/// form of the C API and the JS package, and what an LLM writes); `$field` names the text in
/// an error.
macro_rules! json_functions {
    ($name:ident => $core:path, $field:literal,
     $(#[$from_doc:meta])* fn $from:ident, $(#[$to_doc:meta])* fn $to:ident) => {
        $(#[$from_doc])*
        #[uniffi::export]
        pub fn $from(json: String) -> $crate::error::Result<$name> {
            let core: $core = $crate::json::record($field, &json)?;
            Ok($crate::mirror::Mirror::from_core(core))
        }

        $(#[$to_doc])*
        #[uniffi::export]
        pub fn $to(record: $name) -> $crate::error::Result<String> {
            let core: $core = $crate::mirror::Mirror::into_core(record, $field)?;
            $crate::json::text(&core)
        }
    };
}

pub(crate) use json_functions;

/// The core record of a caller's uniffi record.
pub(crate) fn to_core<A: Mirror<C>, C>(field: &'static str, value: A) -> Result<C> {
    value.into_core(field)
}

/// The uniffi form of a core value.
pub(crate) fn from_core<A: Mirror<C>, C>(value: C) -> A {
    A::from_core(value)
}

/// The uniffi records of core records.
pub(crate) fn from_core_all<A: Mirror<C>, C>(values: Vec<C>) -> Vec<A> {
    values.into_iter().map(A::from_core).collect()
}
