//! Generates `include/neotalk_storage.h` with cbindgen.
//!
//! The header is committed. The generated text always goes to `$OUT_DIR/neotalk_storage.h`;
//! the committed copy is rewritten when it differs, except when `NTS_HEADER_CHECK=1`
//! (what `ffi/test.sh` sets): then it is left alone and the `header_is_up_to_date` test
//! fails on any difference.

use std::path::PathBuf;

/// A decimal component of the package version.
fn number(text: &str) -> u64 {
    text.parse().expect("version components are decimal")
}

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=include/neotalk_storage.h");
    println!("cargo:rerun-if-env-changed=NTS_HEADER_CHECK");

    // Give the shared library a SONAME so installed copies can be versioned and found.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libneotalk_storage_ffi.so");
    }

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("ffi/cbindgen.toml is valid");
    // The header's version comes from Cargo.toml, so it cannot drift from nts_version().
    let env = |name: &str| std::env::var(name).expect("cargo sets the package version");
    let (major, minor, patch) = (env("CARGO_PKG_VERSION_MAJOR"), env("CARGO_PKG_VERSION_MINOR"), env("CARGO_PKG_VERSION_PATCH"));
    config.after_includes = Some(format!(
        "{}\n\n/* The version of this header; nts_version() and nts_version_string() give the library's. */\n\
         #define NTS_VERSION_MAJOR {major}\n#define NTS_VERSION_MINOR {minor}\n#define NTS_VERSION_PATCH {patch}\n\
         #define NTS_VERSION_STRING \"{}\"\n\
         /* NTS_VERSION_MAJOR * 1000000 + NTS_VERSION_MINOR * 1000 + NTS_VERSION_PATCH, as nts_version() returns it. */\n\
         #define NTS_VERSION_NUMBER {}",
        config.after_includes.as_deref().unwrap_or(""),
        env("CARGO_PKG_VERSION"),
        number(&major) * 1_000_000 + number(&minor) * 1_000 + number(&patch)
    ));
    let bindings = cbindgen::Builder::new().with_crate(&crate_dir).with_config(config).generate().expect("cbindgen generates the header");
    let mut text = Vec::new();
    bindings.write(&mut text);
    let new_text = c89_clean(&String::from_utf8(text).expect("cbindgen writes UTF-8")).into_bytes();
    let generated = out_dir.join("neotalk_storage.h");
    std::fs::write(&generated, &new_text).expect("write $OUT_DIR/neotalk_storage.h");

    let committed = crate_dir.join("include").join("neotalk_storage.h");
    let check_only = std::env::var("NTS_HEADER_CHECK").is_ok_and(|v| v == "1");
    if !check_only && std::fs::read(&committed).ok().as_deref() != Some(&new_text[..]) {
        std::fs::create_dir_all(committed.parent().expect("has a parent")).expect("create include/");
        std::fs::write(&committed, &new_text).expect("write include/neotalk_storage.h");
        println!("cargo:warning=updated ffi/include/neotalk_storage.h; commit it");
    }
}

/// Removes the two C99-isms cbindgen writes (`// comments` after `#endif` and `}`, a comma after
/// the last enumerator), so the header also compiles warning-free as C89 (`-std=c89
/// -pedantic`) for older firmware toolchains that ship stdint.h and stdbool.h.
fn c89_clean(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut lines = header.lines().peekable();
    while let Some(line) = lines.next() {
        let line = match line.split_once("//") {
            Some((code, comment)) if code.starts_with('#') || code.starts_with('}') => format!("{}/* {} */", code, comment.trim()),
            _ => line.to_string(),
        };
        let closes_enum = lines.peek().is_some_and(|next| next.starts_with('}'));
        let is_enumerator = line.starts_with("  ") && !line.trim_start().starts_with('*') && !line.trim_start().starts_with("/*");
        match line.strip_suffix(',') {
            Some(last) if closes_enum && is_enumerator => out.push_str(last),
            _ => out.push_str(&line),
        }
        out.push('\n');
    }
    out
}
