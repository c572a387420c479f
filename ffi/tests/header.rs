//! The committed header equals what cbindgen generates from the current sources.
//!
//! `build.rs` writes the generated header to `$OUT_DIR`; under `NTS_HEADER_CHECK=1` it leaves
//! the committed `include/neotalk_storage.h` alone, so this test sees any difference.

#[test]
fn header_is_up_to_date() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/neotalk_storage.h"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/neotalk_storage.h");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(generated == committed, "{path} is stale: rebuild without NTS_HEADER_CHECK=1 (build.rs rewrites it) and commit it");
}
