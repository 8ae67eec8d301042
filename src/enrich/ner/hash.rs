//! Stable 64-bit hashing of feature strings, so tagging never builds feature strings and a model
//! file stays valid across platforms and Rust versions (std's hashers make no such promise).

/// The murmur3 finaliser: cheap, and every input bit reaches every output bit.
#[inline]
pub(crate) fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// Hashes `bytes` under a `seed` (a template id), little-endian 8-byte chunks.
#[inline]
pub(crate) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = mix(seed.wrapping_add(0x9e37_79b9_7f4a_7c15));
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = mix(h ^ u64::from_le_bytes(b)).wrapping_add(0x2545_f491_4f6c_dd1d);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = mix(h ^ u64::from_le_bytes(b));
    }
    mix(h ^ (bytes.len() as u64).wrapping_mul(0x1000_0000_01b3))
}

#[inline]
pub(crate) fn hash_str(seed: u64, s: &str) -> u64 {
    hash_bytes(seed, s.as_bytes())
}

/// Combines a feature hash with a small value (an offset, a type id, a flag set).
#[inline]
pub(crate) fn with(h: u64, v: u64) -> u64 {
    mix(h ^ mix(v.wrapping_add(0x632b_e59b_d9b4_e019)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_differ_by_seed_content_and_length() {
        let cases = [
            (0, "berlin"),
            (1, "berlin"),
            (0, "berlin\0"),
            (0, "Berlin"),
            (0, ""),
            (0, "abcdefgh"),
            (0, "abcdefghi"),
        ];
        let hs: Vec<u64> = cases.iter().map(|(s, w)| hash_str(*s, w)).collect();
        for i in 0..hs.len() {
            for j in i + 1..hs.len() {
                assert_ne!(hs[i], hs[j], "{:?} vs {:?}", cases[i], cases[j]);
            }
        }
        // Stable across runs and platforms: model files depend on it.
        assert_eq!(hash_str(0, "berlin"), hash_str(0, "berlin"));
    }
}
