#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| neotalk_storage_fuzz::json_records::check(data));
