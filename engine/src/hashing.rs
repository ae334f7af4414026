//! The hash maps and sets of the engine: `foldhash`'s fast hasher with its
//! fixed seed.
//!
//! Invariants:
//!
//! * The seed is fixed, so a map is laid out the same way on every run.
//!   No result depends on a map's iteration order anyway: whatever is
//!   reported from a map is sorted first.
//! * Every bit of a key reaches both parts of the hash that the table uses:
//!   the low bits, which pick the bucket, and the top seven, which tag it.
//!   Keys here pack several fields into one integer (a connection is its
//!   host, local port, remote address and remote port in a `u128`), and a
//!   field may be the only one that varies. A `u128` key costs one folded
//!   multiply (64 × 64 → 128 bits, the halves combined by exclusive or).
//!
//! Why not FxHash, the common choice for integer keys: it multiplies and
//! rotates, and a change in a key's bit carries only towards the higher
//! bits of the product. Keys that differ only in bits 48-63 of their low
//! half (a client's ephemeral port in a connection key) all get the same
//! low ten bits and the same tag, so in a table of up to 1,024 buckets
//! they fall into one probe sequence, and each insert or lookup compares
//! its key with every key there (docs/performance.md, "Hash maps").

/// A hash map with the engine's hasher.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// A hash set with the engine's hasher.
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    /// Keys that differ only in bits 48-63 (a connection key's local port)
    /// spread over the buckets of a small table and over the tags.
    #[test]
    fn keys_differing_in_high_bits_spread_over_buckets_and_tags() {
        let state = foldhash::fast::FixedState::default();
        let mut buckets = FastSet::default();
        let mut tags = FastSet::default();
        for port in 32_768u128..33_792 {
            let key = (7u128 << 64) | (port << 48) | (0x0a00_0005 << 16) | 443;
            let h = state.hash_one(key);
            buckets.insert(h & 1023);
            tags.insert(h >> 57);
        }
        // 1,024 keys into 1,024 buckets: about 1 - 1/e of them used when
        // the hash is uniform, and most of the 128 tags. FxHash gives these
        // keys one bucket and one tag.
        assert!(buckets.len() > 550, "{} buckets used", buckets.len());
        assert!(tags.len() > 64, "{} tags of 128 used", tags.len());
    }

    #[test]
    fn the_same_key_hashes_the_same_in_every_map() {
        let a = foldhash::fast::FixedState::default().hash_one(42u128 << 64);
        let b = foldhash::fast::FixedState::default().hash_one(42u128 << 64);
        assert_eq!(a, b);
        let mut m: FastMap<u128, u32> = FastMap::default();
        m.insert(1, 2);
        assert_eq!(m.get(&1), Some(&2));
    }
}
