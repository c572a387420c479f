//! Block scoring kernels: one query against a block of contiguous rows.
//!
//! The x86_64 baseline is SSE2 only, so the portable loops of [`super::metric`] compile to
//! 4-lane SIMD. On CPUs that have AVX2 and FMA (checked at run time, once per block) the
//! same work runs in 8-lane fused multiply-add loops, which keeps the scan at the memory
//! bandwidth limit. Everywhere else (aarch64, wasm32, older x86) the portable loops run.

use super::metric;

/// Whether the AVX2 + FMA kernels can run on this CPU. `std` caches the CPUID answer, so
/// this is a load and a test.
#[cfg(target_arch = "x86_64")]
#[inline]
fn has_avx2_fma() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
}

/// `out[r] = query · rows[r]` for each row of `rows` (`out.len()` rows of `query.len()`).
pub(crate) fn dots(query: &[f32], rows: &[f32], out: &mut [f32]) {
    debug_assert_eq!(rows.len(), out.len() * query.len());
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked just above).
        unsafe { avx2::dots(query, rows, out) };
        return;
    }
    for (row, o) in rows.chunks_exact(query.len()).zip(out.iter_mut()) {
        *o = metric::dot(query, row);
    }
}

/// `out[r] = |query - rows[r]|²` for each row of `rows`.
pub(crate) fn squared_l2s(query: &[f32], rows: &[f32], out: &mut [f32]) {
    debug_assert_eq!(rows.len(), out.len() * query.len());
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked just above).
        unsafe { avx2::squared_l2s(query, rows, out) };
        return;
    }
    for (row, o) in rows.chunks_exact(query.len()).zip(out.iter_mut()) {
        *o = metric::squared_l2(query, row);
    }
}

/// A query quantised to int8, with `|q|` kept beside it (the AVX2 kernel multiplies
/// unsigned `|q|` by `x * sign(q)`, the form `maddubs` takes).
pub(crate) struct QueryI8 {
    pub(crate) values: Vec<i8>,
    // Read by the AVX2 kernel only.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    abs: Vec<u8>,
}

impl QueryI8 {
    pub(crate) fn new(values: Vec<i8>) -> Self {
        let abs = values.iter().map(|v| v.unsigned_abs()).collect();
        QueryI8 { values, abs }
    }
}

/// `out[r] = query · rows[r]` in exact integer arithmetic. Components are in `-127..=127`
/// (never -128), so no step overflows or saturates.
pub(crate) fn dots_i8(query: &QueryI8, rows: &[i8], out: &mut [i32]) {
    let dim = query.values.len();
    debug_assert_eq!(rows.len(), out.len() * dim);
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 (checked just above).
        unsafe { avx2::dots_i8(&query.values, &query.abs, rows, out) };
        return;
    }
    for (row, o) in rows.chunks_exact(dim).zip(out.iter_mut()) {
        *o = dot_i8(&query.values, row);
    }
}

/// Portable int8 dot product; integer sums may be reordered, so the compiler vectorises it.
#[inline]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum()
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! AVX2 + FMA versions. Every function here requires those CPU features: callers check
    //! them first. Slices are read through raw pointers only below their checked lengths.
    use std::arch::x86_64::*;

    /// Horizontal sum of 8 lanes.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum_ps(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps::<0b01>(s, s));
        _mm_cvtss_f32(s)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum_epi32(v: __m256i) -> i32 {
        let s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
        _mm_cvtsi128_si32(s)
    }

    /// Dot product of `n` floats at `a` and `b`: four 8-lane FMA chains hide FMA latency.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn dot(a: *const f32, b: *const f32, n: usize) -> f32 {
        let mut acc = [_mm256_setzero_ps(); 4];
        let mut i = 0;
        while i + 32 <= n {
            for (j, acc) in acc.iter_mut().enumerate() {
                *acc = _mm256_fmadd_ps(_mm256_loadu_ps(a.add(i + 8 * j)), _mm256_loadu_ps(b.add(i + 8 * j)), *acc);
            }
            i += 32;
        }
        while i + 8 <= n {
            acc[0] = _mm256_fmadd_ps(_mm256_loadu_ps(a.add(i)), _mm256_loadu_ps(b.add(i)), acc[0]);
            i += 8;
        }
        let mut sum = hsum_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
        while i < n {
            sum += *a.add(i) * *b.add(i);
            i += 1;
        }
        sum
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn squared_l2(a: *const f32, b: *const f32, n: usize) -> f32 {
        let mut acc = [_mm256_setzero_ps(); 4];
        let mut i = 0;
        while i + 32 <= n {
            for (j, acc) in acc.iter_mut().enumerate() {
                let d = _mm256_sub_ps(_mm256_loadu_ps(a.add(i + 8 * j)), _mm256_loadu_ps(b.add(i + 8 * j)));
                *acc = _mm256_fmadd_ps(d, d, *acc);
            }
            i += 32;
        }
        while i + 8 <= n {
            let d = _mm256_sub_ps(_mm256_loadu_ps(a.add(i)), _mm256_loadu_ps(b.add(i)));
            acc[0] = _mm256_fmadd_ps(d, d, acc[0]);
            i += 8;
        }
        let mut sum = hsum_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
        while i < n {
            let d = *a.add(i) - *b.add(i);
            sum += d * d;
            i += 1;
        }
        sum
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dots(query: &[f32], rows: &[f32], out: &mut [f32]) {
        let dim = query.len();
        for (row, o) in rows.chunks_exact(dim).zip(out.iter_mut()) {
            *o = dot(query.as_ptr(), row.as_ptr(), dim);
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn squared_l2s(query: &[f32], rows: &[f32], out: &mut [f32]) {
        let dim = query.len();
        for (row, o) in rows.chunks_exact(dim).zip(out.iter_mut()) {
            *o = squared_l2(query.as_ptr(), row.as_ptr(), dim);
        }
    }

    /// Int8 dot products. Per 32 components: `x * sign(q)` (`sign_epi8`), times `|q|` summed
    /// in pairs to i16 (`maddubs`: at most 2 * 127 * 127, below i16::MAX), then pairs of
    /// i16 summed to i32 (`madd` with ones).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dots_i8(q: &[i8], q_abs: &[u8], rows: &[i8], out: &mut [i32]) {
        let dim = q.len();
        let ones = _mm256_set1_epi16(1);
        for (row, o) in rows.chunks_exact(dim).zip(out.iter_mut()) {
            let (qp, ap, xp) = (q.as_ptr(), q_abs.as_ptr(), row.as_ptr());
            let mut acc = [_mm256_setzero_si256(); 2];
            let mut i = 0;
            while i + 64 <= dim {
                for (j, acc) in acc.iter_mut().enumerate() {
                    let off = i + 32 * j;
                    let qv = _mm256_loadu_si256(qp.add(off) as *const __m256i);
                    let av = _mm256_loadu_si256(ap.add(off) as *const __m256i);
                    let xv = _mm256_loadu_si256(xp.add(off) as *const __m256i);
                    let pairs = _mm256_maddubs_epi16(av, _mm256_sign_epi8(xv, qv));
                    *acc = _mm256_add_epi32(*acc, _mm256_madd_epi16(pairs, ones));
                }
                i += 64;
            }
            while i + 32 <= dim {
                let qv = _mm256_loadu_si256(qp.add(i) as *const __m256i);
                let av = _mm256_loadu_si256(ap.add(i) as *const __m256i);
                let xv = _mm256_loadu_si256(xp.add(i) as *const __m256i);
                let pairs = _mm256_maddubs_epi16(av, _mm256_sign_epi8(xv, qv));
                acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(pairs, ones));
                i += 32;
            }
            let mut sum = hsum_epi32(_mm256_add_epi32(acc[0], acc[1]));
            while i < dim {
                sum += i32::from(*qp.add(i)) * i32::from(*xp.add(i));
                i += 1;
            }
            *o = sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(len: usize, seed: f32) -> Vec<f32> {
        (0..len).map(|i| ((i as f32 + seed) * 0.37).sin() * 3.0).collect()
    }

    /// The dispatched kernels (AVX2 on this CPU if it has it) agree with plain loops for
    /// lengths that exercise every loop tail.
    #[test]
    fn block_kernels_match_plain_loops() {
        for dim in [1usize, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 384] {
            let q = values(dim, 0.5);
            let rows: Vec<f32> = (0..3).flat_map(|r| values(dim, r as f32 * 11.0)).collect();
            let mut d = vec![0f32; 3];
            let mut l = vec![0f32; 3];
            dots(&q, &rows, &mut d);
            squared_l2s(&q, &rows, &mut l);
            for (r, row) in rows.chunks_exact(dim).enumerate() {
                let pd: f32 = q.iter().zip(row).map(|(a, b)| a * b).sum();
                let pl: f32 = q.iter().zip(row).map(|(a, b)| (a - b) * (a - b)).sum();
                assert!((d[r] - pd).abs() <= 1e-4 * pd.abs().max(1.0), "dot dim {dim}: {} vs {pd}", d[r]);
                assert!((l[r] - pl).abs() <= 1e-4 * pl.abs().max(1.0), "l2 dim {dim}: {} vs {pl}", l[r]);
            }
        }
    }

    #[test]
    fn int8_kernel_is_exact_at_the_extremes() {
        for dim in [1usize, 31, 32, 33, 64, 65, 100, 384] {
            let q: Vec<i8> = (0..dim).map(|i| [127i8, -127, 0, 5, -3][i % 5]).collect();
            let rows: Vec<i8> = (0..2 * dim).map(|i| [-127i8, 127, 127, -1, 0, 64][i % 6]).collect();
            let mut out = vec![0i32; 2];
            dots_i8(&QueryI8::new(q.clone()), &rows, &mut out);
            for (r, row) in rows.chunks_exact(dim).enumerate() {
                let want: i32 = q.iter().zip(row).map(|(&a, &b)| i32::from(a) * i32::from(b)).sum();
                assert_eq!(out[r], want, "dim {dim} row {r}");
            }
        }
    }
}
