#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| neotalk_storage_fuzz::c_api_json::check(data));
