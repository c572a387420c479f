//! `uniffi-bindgen`: generates the Python and Kotlin sources of `neotalk-storage-uniffi`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
