//! Misaligned array and output pointers are refused with NTS_INVALID_INPUT, never dereferenced.
//! (A C program cannot form such pointers without undefined behaviour, so this lives in Rust.)

use neotalk_storage_ffi::*;
use std::ffi::CStr;

fn message() -> String {
    unsafe { CStr::from_ptr(nts_last_error_message()) }.to_str().unwrap().to_string()
}

#[test]
fn misaligned_pointers_are_invalid_input() {
    let mut db = std::ptr::null_mut();
    unsafe {
        assert_eq!(storage::nts_storage_open_in_memory(std::ptr::null(), &mut db), nts_status::NTS_OK);
        let ts = [1i64, 2];
        let vs = [1.0f64, 2.0];
        assert_eq!(timeseries::nts_ts_write_series(db, c"d".as_ptr(), c"m".as_ptr(), ts.as_ptr(), vs.as_ptr(), 2), nts_status::NTS_OK);

        let mut raw = [0u64; 8];
        let odd = raw.as_mut_ptr().cast::<u8>().add(1);
        let mut n = 0usize;
        let mut out_ts = [0i64; 4];
        let mut out_vs = [0f64; 4];

        let status = timeseries::nts_ts_query_range(
            db,
            c"d".as_ptr(),
            c"m".as_ptr(),
            0,
            9,
            std::ptr::null(),
            odd.cast(),
            out_vs.as_mut_ptr(),
            4,
            &mut n,
        );
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert!(message().contains("out_timestamps"), "{}", message());

        let status = timeseries::nts_ts_query_range(
            db,
            c"d".as_ptr(),
            c"m".as_ptr(),
            0,
            9,
            std::ptr::null(),
            out_ts.as_mut_ptr(),
            out_vs.as_mut_ptr(),
            4,
            odd.cast(),
        );
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert!(message().contains("out_count"), "{}", message());

        let status = timeseries::nts_ts_write_series(db, c"d".as_ptr(), c"m".as_ptr(), odd.cast(), vs.as_ptr(), 2);
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert!(message().contains("timestamps"), "{}", message());

        let mut t = 0i64;
        let status = timeseries::nts_ts_query_latest(db, c"d".as_ptr(), c"m".as_ptr(), &mut t, odd.cast());
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert!(message().contains("out_value"), "{}", message());

        let mut json = std::ptr::null_mut();
        let status = devices::nts_devices_list(db, odd.cast());
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert_eq!(devices::nts_devices_list(db, &mut json), nts_status::NTS_OK);
        strings::nts_string_free(json);

        assert!(raw.iter().all(|w| *w == 0), "nothing was written through a misaligned pointer");
        storage::nts_storage_free(db);
    }
}

#[test]
fn misaligned_vectors_and_counts_are_invalid_input() {
    let mut db = std::ptr::null_mut();
    unsafe {
        assert_eq!(storage::nts_storage_open_in_memory(std::ptr::null(), &mut db), nts_status::NTS_OK);
        assert_eq!(
            vectors::nts_vectors_create_collection(db, c"c".as_ptr(), 2, c"Cosine".as_ptr(), std::ptr::null_mut()),
            nts_status::NTS_OK
        );
        let mut raw = [0u64; 8];
        let odd = raw.as_mut_ptr().cast::<u8>().add(1);

        let status = vectors::nts_vectors_upsert(db, c"c".as_ptr(), c"v".as_ptr(), odd.cast::<f32>(), 2, std::ptr::null());
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert!(message().contains("embedding"), "{}", message());

        let mut json = std::ptr::null_mut();
        let status = vectors::nts_vectors_search(db, c"c".as_ptr(), odd.cast::<f32>(), 2, 1, std::ptr::null(), &mut json);
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert!(message().contains("query"), "{}", message());
        assert!(json.is_null());

        let status = memory::nts_memory_search_semantic(db, odd.cast::<f32>(), 2, 1, &mut json);
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);

        let status = vectors::nts_vectors_count(db, c"c".as_ptr(), odd.cast::<u64>());
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert!(message().contains("out_count"), "{}", message());

        let mut data = std::ptr::null_mut();
        let status = maintenance::nts_storage_export_snapshot(db, &mut data, odd.cast::<usize>());
        assert_eq!(status, nts_status::NTS_INVALID_INPUT);
        assert!(message().contains("out_len"), "{}", message());
        assert!(data.is_null());

        assert!(raw.iter().all(|w| *w == 0), "nothing was written through a misaligned pointer");
        storage::nts_storage_free(db);
    }
}
