#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| neotalk_storage_fuzz::chunk_codec::check(data));
