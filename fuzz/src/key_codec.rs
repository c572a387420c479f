//! The order-preserving key codec (through `neotalk_storage::fuzzing`).
//!
//! - Any bytes read with any element sequence: `KeyReader` returns errors, never panics, and
//!   what it decodes re-encodes to exactly the bytes it consumed (one encoding per tuple).
//! - Any two tuples of the same shape: they round-trip, and their encodings compare as the
//!   tuples do.

use arbitrary::{Result, Unstructured};
use neotalk_storage::fuzzing::{KeyBuilder, KeyReader};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Elem {
    Str(String),
    I64(i64),
    U64(u64),
    U32(u32),
    U8(u8),
}

fn encode(t: &[Elem]) -> Vec<u8> {
    t.iter()
        .fold(KeyBuilder::new(), |k, e| match e {
            Elem::Str(s) => k.str(s),
            Elem::I64(v) => k.i64(*v),
            Elem::U64(v) => k.u64(*v),
            Elem::U32(v) => k.u32(*v),
            Elem::U8(v) => k.u8(*v),
        })
        .finish()
}

/// Reads one element of `kind` (0..5).
fn read(r: &mut KeyReader<'_>, kind: u8) -> neotalk_storage::Result<Elem> {
    Ok(match kind % 5 {
        0 => Elem::Str(r.str()?),
        1 => Elem::I64(r.i64()?),
        2 => Elem::U64(r.u64()?),
        3 => Elem::U32(r.u32()?),
        _ => Elem::U8(r.u8()?),
    })
}

fn elem(u: &mut Unstructured<'_>, kind: u8) -> Result<Elem> {
    Ok(match kind % 5 {
        0 => {
            // Bias towards NUL, 0x01 and 0xFF: the bytes the escaping is about.
            let len = u.int_in_range(0..=6)?;
            let mut s = String::new();
            for _ in 0..len {
                s.push(*u.choose(&['\0', '\u{1}', 'a', 'b', '\u{ff}', '温'])?);
            }
            if u.arbitrary()? {
                s.push_str(&u.arbitrary::<String>()?);
            }
            Elem::Str(s)
        }
        1 => Elem::I64(u.arbitrary()?),
        2 => Elem::U64(u.arbitrary()?),
        3 => Elem::U32(u.arbitrary()?),
        _ => Elem::U8(u.arbitrary()?),
    })
}

fn structured(u: &mut Unstructured<'_>) -> Result<()> {
    let shape: Vec<u8> = (0..u.int_in_range(1..=4)?).map(|_| u.arbitrary()).collect::<Result<_>>()?;
    let a: Vec<Elem> = shape.iter().map(|k| elem(u, *k)).collect::<Result<_>>()?;
    let b: Vec<Elem> = shape.iter().map(|k| elem(u, *k)).collect::<Result<_>>()?;
    let (ka, kb) = (encode(&a), encode(&b));
    assert_eq!(ka.cmp(&kb), a.cmp(&b), "encodings must compare as the tuples: {a:?} vs {b:?}");
    let mut r = KeyReader::new(&ka);
    let back: Vec<Elem> = shape.iter().map(|k| read(&mut r, *k).expect("own encoding decodes")).collect();
    assert!(r.is_empty(), "decoding {a:?} left bytes over");
    assert_eq!(back, a);
    Ok(())
}

/// Runs one fuzz input; panics when the contract above does not hold.
pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode & 1 == 0 {
        let _ = structured(&mut Unstructured::new(rest));
        return;
    }
    // Raw bytes: the first few bytes pick the element kinds, the rest is the key.
    let n = (mode >> 1) as usize % 6;
    let (kinds, key) = rest.split_at(n.min(rest.len()));
    let mut r = KeyReader::new(key);
    let mut read_ok = Vec::new();
    for &k in kinds {
        match read(&mut r, k) {
            Ok(e) => read_ok.push(e),
            Err(_) => break,
        }
    }
    let again = encode(&read_ok);
    assert!(key.starts_with(&again), "decoded {read_ok:?} re-encodes to bytes that are not the consumed prefix");
}
