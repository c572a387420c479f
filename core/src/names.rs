//! Text names of the public enums, shared by every binding and the CLI.
//!
//! `Display` gives the serialized name (`"AutoExecuted"`); `FromStr` accepts it ignoring case
//! and underscores (`"auto_executed"`, `"AUTOEXECUTED"`), and names the valid values when a
//! string is wrong, so no binding parses enums on its own.
//!
//! The same macro gives the enums their serde form: `Serialize` writes the canonical name and
//! `Deserialize` accepts every spelling `FromStr` accepts, so an enum inside a JSON record
//! (C JSON, a Python dict, a JS object) reads exactly as an enum argument does.

use crate::error::StorageError;

/// Lowercase without underscores: the form names are compared in.
fn fold(s: &str) -> String {
    s.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect()
}

/// Finds the variant whose name folds to the same text as `s`.
pub(crate) fn parse<T: Copy>(field: &'static str, s: &str, variants: &[(&'static str, T)]) -> Result<T, StorageError> {
    let wanted = fold(s);
    variants.iter().find(|(name, _)| fold(name) == wanted).map(|(_, v)| *v).ok_or_else(|| {
        let names: Vec<&str> = variants.iter().map(|(n, _)| *n).collect();
        StorageError::invalid(field, format!("{s:?} is not one of {}", names.join(", ")))
    })
}

/// Serde visitor of a text enum: a string in any spelling [`parse`] accepts.
pub(crate) struct NameVisitor<T: 'static> {
    field: &'static str,
    variants: &'static [(&'static str, T)],
}

impl<T: 'static> NameVisitor<T> {
    pub(crate) fn new(field: &'static str, variants: &'static [(&'static str, T)]) -> Self {
        NameVisitor { field, variants }
    }
}

impl<T: Copy + 'static> serde::de::Visitor<'_> for NameVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.variants.iter().map(|(n, _)| *n).collect();
        write!(f, "{} as one of {}", self.field, names.join(", "))
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
        parse(self.field, s, self.variants).map_err(|e| match e {
            StorageError::InvalidInput { field, reason } => E::custom(format!("{field} {reason}")),
            other => E::custom(other),
        })
    }
}

/// Implements `Display`, `FromStr`, `Serialize` (the canonical name) and `Deserialize` (any
/// spelling `FromStr` accepts) for a fieldless enum from its variant list.
macro_rules! text_enum {
    ($ty:ident, $field:literal, [$($variant:ident),+ $(,)?]) => {
        impl $ty {
            /// Every variant with its name, in declaration order.
            pub const NAMES: &'static [(&'static str, $ty)] = &[$((stringify!($variant), $ty::$variant)),+];
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let name = match self {
                    $($ty::$variant => stringify!($variant)),+
                };
                f.write_str(name)
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::error::StorageError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                crate::names::parse($field, s, $ty::NAMES)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.to_string())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(crate::names::NameVisitor::<$ty>::new($field, $ty::NAMES))
            }
        }
    };
}
pub(crate) use text_enum;
