//! Backup ids: generated from the clock, checked so they can never leave the backup directory.

use crate::error::{Result, StorageError};
use crate::limits::MAX_BACKUP_ID_BYTES;

/// Checks a backup id: 1..=128 bytes of `[A-Za-z0-9._-]`, not starting with `.`, no `..`.
/// So an id names a file directly inside the backup directory: no `/`, `\`, drive letters,
/// absolute paths or parent references.
pub fn check_backup_id(id: &str) -> Result<()> {
    let bad = |why: &str| Err(StorageError::invalid("backup id", format!("{id:?} {why}")));
    if id.is_empty() || id.len() > MAX_BACKUP_ID_BYTES {
        return bad(&format!("must be 1 to {MAX_BACKUP_ID_BYTES} bytes long"));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
        return bad("may only hold letters, digits, '.', '_' and '-'");
    }
    if id.starts_with('.') || id.contains("..") {
        return bad("must not start with '.' or contain '..'");
    }
    Ok(())
}

#[cfg(any(test, not(target_arch = "wasm32")))]
/// `20261127T104410123Z-full`: the UTC time of `ms` and the backup kind.
pub(crate) fn generate(ms: i64, kind: &str) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}{millis:03}Z-{kind}", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(any(test, not(target_arch = "wasm32")))]
/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_valid_and_dated() {
        assert_eq!(generate(0, "full"), "19700101T000000000Z-full");
        assert_eq!(generate(1_795_775_050_123, "incremental"), "20261127T102410123Z-incremental");
        assert_eq!(generate(951_782_400_000, "full"), "20000229T000000000Z-full");
        check_backup_id(&generate(1_795_775_050_123, "full")).unwrap();
    }

    #[test]
    fn hostile_ids() {
        for id in ["", "..", "../x", "a/b", "a\\b", "/etc/passwd", "C:x", ".hidden", "a..b", "a b", "ü", &"x".repeat(129)] {
            assert!(check_backup_id(id).is_err(), "{id:?} accepted");
        }
        check_backup_id("2026-11-27_full.1").unwrap();
    }
}
