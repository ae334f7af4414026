//! The bytes of a connection's stream: a fixed pseudo-random table, read
//! from a point keyed by the connection.
//!
//! Invariants:
//! - The byte at stream offset `o` of a connection keyed `salt` is
//!   `TABLE[(o + salt) mod PERIOD]`, so it depends on the connection and the
//!   offset alone; a segment written and a segment checked agree byte for
//!   byte whatever paths and retransmissions lie between.
//! - `PERIOD` is prime and the table has no shorter period, so data placed
//!   at the wrong offset (by any distance that is not a multiple of the
//!   period) compares unequal.
//! - The table holds two periods, so any run of at most one period is one
//!   slice: a segment is written with a few `memcpy`s and checked with a
//!   few slice comparisons, not byte by byte.
//! - [`sum`] gives a run's one's-complement sum (RFC 1071) from prefix
//!   sums, without reading the run, equal to `checksum::sum` of its bytes.

/// The pattern's period in bytes: the Mersenne prime 2^13 - 1.
pub const PERIOD: usize = 8191;

const LEN: usize = 2 * PERIOD;

/// Two periods of the pattern.
static TABLE: [u8; LEN] = table();

/// `EVEN[k]` and `ODD[k]`: the sums of the table's bytes before index `k`
/// at even and at odd indices.
static EVEN: [u32; LEN + 1] = prefix(0);
static ODD: [u32; LEN + 1] = prefix(1);

/// splitmix64's outputs' low bytes, one per step.
const fn table() -> [u8; LEN] {
    let mut t = [0u8; LEN];
    let mut x: u64 = 0x5EED_CAFE_F00D_D00D;
    let mut i = 0;
    while i < PERIOD {
        let z = crate::traffic::rng::splitmix(&mut x);
        t[i] = z as u8;
        t[i + PERIOD] = z as u8;
        i += 1;
    }
    t
}

const fn prefix(parity: usize) -> [u32; LEN + 1] {
    let t = table();
    let mut p = [0u32; LEN + 1];
    let mut k = 0;
    while k < LEN {
        p[k + 1] = p[k] + if k % 2 == parity { t[k] as u32 } else { 0 };
        k += 1;
    }
    p
}

/// Where offset `offset` of the stream keyed `salt` starts in the table.
#[inline]
fn start(salt: u32, offset: u64) -> usize {
    ((offset % PERIOD as u64) as usize + salt as usize % PERIOD) % PERIOD
}

/// The runs of the table that make `len` bytes of the stream from
/// `offset`, in order: (index into the table, length), each at most one
/// period long.
#[inline]
fn runs(salt: u32, offset: u64, len: usize) -> impl Iterator<Item = (usize, usize)> {
    let at = start(salt, offset);
    let mut left = len;
    // After a whole period the next run starts where this one did.
    std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let n = left.min(PERIOD);
        left -= n;
        Some((at, n))
    })
}

/// Appends `len` bytes of the stream from `offset` to `buf`.
#[inline]
pub fn fill(salt: u32, offset: u64, len: usize, buf: &mut Vec<u8>) {
    for (at, n) in runs(salt, offset, len) {
        buf.extend_from_slice(&TABLE[at..at + n]);
    }
}

/// The folded one's-complement sum of `len` bytes of the stream from
/// `offset`, read as big-endian 16-bit words from the first byte (an odd
/// last byte padded with zero): what `checksum::sum` gives for them.
#[inline]
pub fn sum(salt: u32, offset: u64, len: usize) -> u16 {
    let mut total: u64 = 0;
    let mut high_first = true;
    for (at, n) in runs(salt, offset, len) {
        let (even, odd) = (EVEN[at + n] - EVEN[at], ODD[at + n] - ODD[at]);
        // The run's first byte is a word's high byte when `high_first`;
        // bytes at the same table parity as it are high bytes too.
        let (hi, lo) = if (at % 2 == 0) == high_first {
            (even, odd)
        } else {
            (odd, even)
        };
        total += (u64::from(hi) << 8) + u64::from(lo);
        if n % 2 == 1 {
            high_first = !high_first;
        }
    }
    crate::packet::checksum::fold(total)
}

/// How many bytes of `data` differ from the stream keyed `salt` from
/// `offset`.
#[inline]
pub fn mismatches(salt: u32, offset: u64, data: &[u8]) -> u64 {
    let mut wrong = 0;
    let mut rest = data;
    for (at, n) in runs(salt, offset, data.len()) {
        let (here, after) = rest.split_at(n);
        let want = &TABLE[at..at + n];
        if here != want {
            wrong += here.iter().zip(want).filter(|(a, b)| a != b).count() as u64;
        }
        rest = after;
    }
    wrong
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::checksum;
    use proptest::prelude::*;

    /// The byte at stream offset `offset` of the connection keyed `salt`.
    fn byte(salt: u32, offset: u64) -> u8 {
        TABLE[start(salt, offset)]
    }

    fn bytes(salt: u32, offset: u64, len: usize) -> Vec<u8> {
        (0..len as u64).map(|i| byte(salt, offset + i)).collect()
    }

    #[test]
    fn the_pattern_has_no_period_shorter_than_its_own() {
        // A shift by d < PERIOD leaves some byte of a segment-long run
        // different: misplaced data cannot pass the check.
        let run = bytes(0, 0, 1500);
        for d in 1..PERIOD as u64 {
            assert_ne!(bytes(0, d, 1500), run, "shift {d}");
        }
        assert_eq!(bytes(0, PERIOD as u64, 1500), run);
    }

    proptest! {
        #[test]
        fn fill_sum_and_check_agree_with_the_bytes_one_by_one(
            salt in any::<u32>(), offset in 0u64..1 << 62, len in 0usize..20_000,
        ) {
            let want = bytes(salt, offset, len);
            let mut buf = vec![7u8; 3];
            fill(salt, offset, len, &mut buf);
            prop_assert_eq!(&buf[3..], &want[..]);
            prop_assert_eq!(sum(salt, offset, len), checksum::sum(&want));
            prop_assert_eq!(mismatches(salt, offset, &want), 0);
        }

        #[test]
        fn every_changed_byte_is_counted(
            salt in any::<u32>(), offset in 0u64..1 << 40, len in 1usize..20_000,
            flips in proptest::collection::btree_set(any::<usize>(), 1..20),
        ) {
            let mut data = bytes(salt, offset, len);
            let flips: std::collections::BTreeSet<usize> = flips.iter().map(|f| f % len).collect();
            for &f in &flips {
                data[f] ^= 0x5A;
            }
            prop_assert_eq!(mismatches(salt, offset, &data), flips.len() as u64);
        }
    }
}
