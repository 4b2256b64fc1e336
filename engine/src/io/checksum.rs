//! An order-independent, composable checksum of an indexed array, so ranks can checksum their
//! own slabs and combine them with one integer sum: Σ_i mix(i, bits(v_i)) mod 2⁶⁴, with the
//! splitmix64 finaliser as the mixer. A flipped bit anywhere changes the sum with overwhelming
//! probability, whatever the partition the data were written from.

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Partial checksum of `values` stored at global positions `offset..offset+len`.
pub fn partial_f64(offset: u64, values: &[f64]) -> u64 {
    values.iter().enumerate().fold(0u64, |acc, (k, v)| {
        let i = offset + k as u64;
        acc.wrapping_add(mix(mix(i.wrapping_add(0x9e37_79b9_7f4a_7c15)) ^ v.to_bits()))
    })
}

/// Partial checksum of integer values.
pub fn partial_i64(offset: u64, values: &[i64]) -> u64 {
    values.iter().enumerate().fold(0u64, |acc, (k, v)| {
        let i = offset + k as u64;
        acc.wrapping_add(mix(mix(i.wrapping_add(0x9e37_79b9_7f4a_7c15)) ^ (*v as u64)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_over_slabs_and_detects_flips() {
        let v: Vec<f64> = (0..1000).map(|i| (i as f64).sin()).collect();
        let whole = partial_f64(0, &v);
        let split = partial_f64(0, &v[..317]).wrapping_add(partial_f64(317, &v[317..]));
        assert_eq!(whole, split);
        let mut w = v.clone();
        w[500] = f64::from_bits(w[500].to_bits() ^ 1);
        assert_ne!(whole, partial_f64(0, &w));
        // swapping two values changes it too (position matters)
        let mut s = v.clone();
        s.swap(1, 2);
        assert_ne!(whole, partial_f64(0, &s));
    }
}
