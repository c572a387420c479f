//! `store_object!`: the uniffi Object that wraps one core store. Every store of the bindings
//! is this shape (a clone of the core store handle, made by `StorageManager`), followed by
//! its own `#[uniffi::export] impl` of calls.

/// Declares a uniffi Object wrapping the core store `$core` in a field `inner`, and the
/// `new` that `StorageManager` calls.
macro_rules! store_object {
    ($(#[$doc:meta])* $name:ident => $core:path) => {
        $(#[$doc])*
        #[derive(uniffi::Object)]
        pub struct $name {
            inner: $core,
        }

        impl $name {
            pub(crate) fn new(inner: $core) -> std::sync::Arc<Self> {
                std::sync::Arc::new($name { inner })
            }
        }
    };
}

pub(crate) use store_object;
