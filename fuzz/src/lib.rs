//! The fuzz targets' checks, one module per target. Each `fuzz_targets/<name>.rs` hands its
//! input to `<name>::check`; the seed test below runs every committed seed in
//! `seeds/<name>/` through the same check in an ordinary test build, so the test command
//! replays the corpora without the fuzzing toolchain (`fuzz/run.sh` fuzzes for real).

pub mod c_api_json;
pub mod chunk_codec;
pub mod json_records;
pub mod key_codec;
pub mod open_file;
pub mod point_codec;

#[cfg(test)]
mod seeds {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::path::Path;

    /// Runs every seed of `target` through `check`; fails naming each seed that panics.
    fn replay(target: &str, check: fn(&[u8])) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
        let mut seeds: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("seed entry").path())
            .collect();
        seeds.sort();
        assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
        let failed: Vec<String> = seeds
            .iter()
            .filter(|path| {
                let data = std::fs::read(path).expect("read seed");
                catch_unwind(AssertUnwindSafe(|| check(&data))).is_err()
            })
            .map(|path| path.display().to_string())
            .collect();
        assert!(failed.is_empty(), "{} of {} seeds of {target} failed: {failed:?}", failed.len(), seeds.len());
    }

    #[test]
    fn c_api_json() {
        replay("c_api_json", super::c_api_json::check);
    }

    #[test]
    fn chunk_codec() {
        replay("chunk_codec", super::chunk_codec::check);
    }

    #[test]
    fn json_records() {
        replay("json_records", super::json_records::check);
    }

    #[test]
    fn key_codec() {
        replay("key_codec", super::key_codec::check);
    }

    #[test]
    fn open_file() {
        replay("open_file", super::open_file::check);
    }

    #[test]
    fn point_codec() {
        replay("point_codec", super::point_codec::check);
    }
}
