//! Text names of the public enums, shared by every binding and the CLI.
//!
//! `Display` gives the serialized name (`"AutoExecuted"`); `FromStr` accepts it ignoring case
//! and underscores (`"auto_executed"`, `"AUTOEXECUTED"`), and names the valid values when a
//! string is wrong, so no binding parses enums on its own.

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

/// Implements `Display` and `FromStr` for a fieldless enum from its variant list.
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
    };
}
pub(crate) use text_enum;
