//! The library's version, so a host can check that the header it compiled against
//! (`NTS_VERSION_*`, written into the header by `build.rs` from Cargo.toml) matches the
//! library it runs with.

use std::ffi::c_char;

/// `major * 1000000 + minor * 1000 + patch`, the encoding of NTS_VERSION_NUMBER.
const fn number(major: &str, minor: &str, patch: &str) -> u32 {
    parse(major) * 1_000_000 + parse(minor) * 1_000 + parse(patch)
}

/// A decimal component of the Cargo version, parsed at compile time.
const fn parse(text: &str) -> u32 {
    let bytes = text.as_bytes();
    let mut value = 0;
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii_digit(), "version components are decimal");
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    value
}

const NUMBER: u32 = number(env!("CARGO_PKG_VERSION_MAJOR"), env!("CARGO_PKG_VERSION_MINOR"), env!("CARGO_PKG_VERSION_PATCH"));

/// The version of the library as `major * 1000000 + minor * 1000 + patch` (0.1.0 is 1000).
/// Compare with NTS_VERSION_NUMBER, the version of the header: a different major version
/// (or, before 1.0, a different minor version) is not compatible.
#[no_mangle]
pub extern "C" fn nts_version() -> u32 {
    NUMBER
}

/// The version of the library as text ("0.1.0"), as NTS_VERSION_STRING is for the header.
/// The string is static: do not free it.
#[no_mangle]
pub extern "C" fn nts_version_string() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_and_string_agree() {
        let text = unsafe { std::ffi::CStr::from_ptr(nts_version_string()) }.to_str().unwrap();
        assert_eq!(text, env!("CARGO_PKG_VERSION"));
        let parts: Vec<u32> = text.split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(nts_version(), parts[0] * 1_000_000 + parts[1] * 1_000 + parts[2]);
    }

    #[test]
    fn the_header_defines_the_same_version() {
        let header = include_str!("../include/neotalk_storage.h");
        let defined = |name: &str| {
            let line = header.lines().find(|l| l.starts_with(&format!("#define {name} "))).unwrap_or_else(|| panic!("{name} missing"));
            line.split_whitespace().nth(2).unwrap().to_string()
        };
        assert_eq!(defined("NTS_VERSION_MAJOR"), env!("CARGO_PKG_VERSION_MAJOR"));
        assert_eq!(defined("NTS_VERSION_MINOR"), env!("CARGO_PKG_VERSION_MINOR"));
        assert_eq!(defined("NTS_VERSION_PATCH"), env!("CARGO_PKG_VERSION_PATCH"));
        assert_eq!(defined("NTS_VERSION_STRING"), format!("\"{}\"", env!("CARGO_PKG_VERSION")));
    }
}
