//! The Internet checksum: RFC 1071 sums and RFC 1624 incremental updates.
//!
//! All sums here are *folded* one's-complement sums, kept in a `u16` with the
//! end-around carry already applied. A folded sum is `0x0000` only when every
//! input word is zero; otherwise one's-complement zero shows up as `0xFFFF`.
//! That asymmetry is why a checksum field computed over data that is not all
//! zero is never `0xFFFF`, and why the incremental updates below agree
//! bit-for-bit with a full recomputation for IPv4 headers and for TCP/UDP
//! (whose pseudo-header always contains a non-zero protocol number).
//!
//! A region with a correct checksum field in it sums to `0xFFFF`.
//!
//! UDP is special (RFC 768): a transmitted checksum of `0` means "no
//! checksum", so a computed `0` is sent as `0xFFFF`, and a packet carrying
//! `0` must be left at `0` by rewrites. The helpers here do not know which
//! protocol they are serving; callers apply [`udp_wire`] themselves.

use std::net::Ipv4Addr;

/// One's-complement addition of two 16-bit words (end-around carry).
#[inline]
pub fn add(a: u16, b: u16) -> u16 {
    let (sum, carry) = a.overflowing_add(b);
    sum.wrapping_add(u16::from(carry))
}

/// Folded one's-complement sum of `data` read as big-endian 16-bit words.
/// An odd trailing byte is padded with a zero byte on the right (RFC 1071).
///
/// The words are added eight bytes at a time in the machine's own byte
/// order, with the end-around carry, and the folded result is swapped back
/// (RFC 1071 section 2(B): the sum does not depend on byte order). Every
/// step keeps the sum's value modulo `0xFFFF` and whether it is zero, so
/// the result is the one a sum of 16-bit words gives.
#[inline]
pub fn sum(data: &[u8]) -> u16 {
    let mut acc: u64 = 0;
    let mut carries: u64 = 0;
    let mut chunks = data.chunks_exact(8);
    for c in chunks.by_ref() {
        let w = u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        carries += add_wrapping(&mut acc, w);
    }
    let mut rest = chunks.remainder();
    if let [a, b, c, d, tail @ ..] = rest {
        carries += add_wrapping(&mut acc, u64::from(u32::from_ne_bytes([*a, *b, *c, *d])));
        rest = tail;
    }
    if let [a, b, tail @ ..] = rest {
        carries += add_wrapping(&mut acc, u64::from(u16::from_ne_bytes([*a, *b])));
        rest = tail;
    }
    if let [last] = rest {
        // The pad byte is on the right in network order.
        carries += add_wrapping(&mut acc, u64::from(u16::from_ne_bytes([*last, 0])));
    }
    // A carry out of 64 bits is worth 1 (2^64 = 1 modulo 2^16 - 1).
    let (s, carry) = acc.overflowing_add(carries);
    let folded = fold(u64::from(s as u32) + (s >> 32) + u64::from(carry));
    u16::from_be(folded)
}

/// Adds `w` to `acc`, returning the carry out of 64 bits.
#[inline]
fn add_wrapping(acc: &mut u64, w: u64) -> u64 {
    let (s, carry) = acc.overflowing_add(w);
    *acc = s;
    u64::from(carry)
}

/// [`sum`] of a 20-byte IPv4 header without options, which is `0xFFFF`
/// when its checksum is right.
#[inline]
pub fn sum20(h: &[u8; 20]) -> u16 {
    let w = |i: usize| u64::from(u32::from_ne_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]));
    let acc = w(0) + w(4) + w(8) + w(12) + w(16);
    u16::from_be(fold(acc))
}

/// Folded sum of several partial sums.
pub fn combine(parts: &[u16]) -> u16 {
    parts.iter().fold(0, |acc, &p| add(acc, p))
}

/// Folded sum of the TCP/UDP pseudo-header (RFC 793 / RFC 768).
pub fn pseudo_header(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, len: u16) -> u16 {
    let [s0, s1, s2, s3] = src.octets();
    let [d0, d1, d2, d3] = dst.octets();
    combine(&[
        u16::from_be_bytes([s0, s1]),
        u16::from_be_bytes([s2, s3]),
        u16::from_be_bytes([d0, d1]),
        u16::from_be_bytes([d2, d3]),
        u16::from(proto),
        len,
    ])
}

/// The checksum to store over `data` whose checksum field is zeroed.
#[inline]
pub fn compute(data: &[u8]) -> u16 {
    !sum(data)
}

/// Maps a computed UDP checksum to its transmitted form: `0` would read as
/// "no checksum", so it is sent as the equivalent `0xFFFF`.
#[inline]
pub fn udp_wire(csum: u16) -> u16 {
    if csum == 0 { 0xFFFF } else { csum }
}

/// RFC 1624 eqn. 3: the checksum after one covered 16-bit word changes from
/// `old` to `new`, `HC' = ~(~HC + ~m + m')`.
///
/// Eqn. 3 rather than eqn. 2 because it never yields `0xFFFF` unless the old
/// checksum already was, so the result matches a full recomputation.
#[inline]
pub fn update16(old_csum: u16, old: u16, new: u16) -> u16 {
    !add(add(!old_csum, !old), new)
}

/// [`update16`] for a covered 32-bit field, e.g. an IPv4 address.
#[inline]
pub fn update32(old_csum: u16, old: u32, new: u32) -> u16 {
    let [o0, o1, o2, o3] = old.to_be_bytes();
    let [n0, n1, n2, n3] = new.to_be_bytes();
    !combine(&[
        !old_csum,
        !u16::from_be_bytes([o0, o1]),
        !u16::from_be_bytes([o2, o3]),
        u16::from_be_bytes([n0, n1]),
        u16::from_be_bytes([n2, n3]),
    ])
}

/// A sum of 16-bit words folded to 16 bits with the end-around carry
/// (zero only when the sum is).
///
/// A fixed four steps, without a loop: how many folds a sum needs depends
/// on its value, and a loop that stops when done mispredicts its exit on
/// packets that differ (addresses, ports), on every parse and rewrite. The
/// steps bound it: after the first `acc < 2^33`, after the second
/// `< 2^18`, after the third `<= 0xFFFF + 3`, after the fourth `<=
/// 0xFFFF`; a step changes nothing once `acc <= 0xFFFF`, and each keeps
/// `acc` modulo `0xFFFF` (`2^16` and `2^32` are 1) and positive when it
/// was, so the result is the one folding until done gives.
#[inline]
pub fn fold(acc: u64) -> u16 {
    let acc = (acc & 0xFFFF_FFFF) + (acc >> 32);
    let acc = (acc & 0xFFFF) + (acc >> 16);
    let acc = (acc & 0xFFFF) + (acc >> 16);
    let acc = (acc & 0xFFFF) + (acc >> 16);
    // The steps leave acc <= 0xFFFF, so the conversion is lossless.
    u16::try_from(acc).unwrap_or(0xFFFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 section 3: words 0001 f203 f4f5 f6f7 sum to ddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(sum(&data), 0xddf2);
        assert_eq!(compute(&data), !0xddf2);
    }

    #[test]
    fn odd_length_pads_right() {
        assert_eq!(sum(&[0xab]), 0xab00);
        assert_eq!(sum(&[0x12, 0x34, 0x56]), 0x1234 + 0x5600);
    }

    #[test]
    fn zero_and_negative_zero() {
        assert_eq!(sum(&[]), 0);
        assert_eq!(sum(&[0, 0, 0, 0]), 0);
        assert_eq!(sum(&[0xff, 0xff, 0x00, 0x00]), 0xffff);
        assert_eq!(add(0x8000, 0x8000), 0x0001);
        assert_eq!(add(0x1234, !0x1234), 0xffff);
    }

    #[test]
    fn rfc1624_section4_example() {
        // RFC 1624 section 4: m = 0x5555 -> m' = 0x3285 with the rest of the
        // header summing to 0xCD7A; recomputation gives 0x0000, and eqn. 3
        // must agree (eqn. 2 would give 0xFFFF).
        let hc = !add(0xcd7a, 0x5555);
        assert_eq!(hc, 0xdd2f);
        assert_eq!(update16(hc, 0x5555, 0x3285), 0x0000);
    }

    #[test]
    fn udp_wire_maps_zero() {
        assert_eq!(udp_wire(0), 0xffff);
        assert_eq!(udp_wire(0x1234), 0x1234);
        assert_eq!(udp_wire(0xffff), 0xffff);
    }

    /// RFC 1071's fold: the carries added back until none is left.
    fn fold_until_done(mut acc: u64) -> u16 {
        while acc > 0xFFFF {
            acc = (acc & 0xFFFF) + (acc >> 16);
        }
        acc as u16
    }

    /// RFC 1071 as written: 16-bit big-endian words, the odd byte padded
    /// on the right, carries folded at the end.
    fn sum_by_words(data: &[u8]) -> u16 {
        let mut acc: u64 = 0;
        for w in data.chunks(2) {
            acc += u64::from(u16::from_be_bytes([w[0], w.get(1).copied().unwrap_or(0)]));
        }
        fold_until_done(acc)
    }

    #[test]
    fn fold_at_the_edges() {
        for acc in [
            0,
            1,
            0xFFFF,
            0x1_0000,
            0x1_FFFE,
            0xFFFF_FFFF,
            0x1_0000_0000,
            0x2_FFFF_FFFD,
            u64::MAX,
            u64::MAX - 1,
        ] {
            assert_eq!(fold(acc), fold_until_done(acc), "{acc:#x}");
        }
    }

    #[test]
    fn sum_of_all_ones_and_carries_out_of_64_bits() {
        // Every word 0xFFFF: negative zero, whatever the length.
        for len in [2, 8, 10, 64, 1500] {
            assert_eq!(sum(&vec![0xff; len]), 0xffff, "len {len}");
        }
        // Words that carry out of the eight-byte accumulator.
        let data = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe].repeat(5);
        assert_eq!(sum(&data), sum_by_words(&data));
    }

    proptest! {
        #[test]
        fn sum_matches_rfc1071_words(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(sum(&data), sum_by_words(&data));
        }

        #[test]
        fn fold_matches_folding_until_done(acc in any::<u64>(), small in 0u64..(1 << 20)) {
            prop_assert_eq!(fold(acc), fold_until_done(acc));
            prop_assert_eq!(fold(small), fold_until_done(small));
        }

        #[test]
        fn sum20_matches_sum(h in any::<[u8; 20]>()) {
            prop_assert_eq!(sum20(&h), sum(&h));
        }

        #[test]
        fn update16_matches_recompute(
            mut words in proptest::collection::vec(any::<u16>(), 2..32),
            idx in any::<prop::sample::Index>(),
            new in any::<u16>(),
        ) {
            // Word 0 plays the role of a non-zero version field so the data
            // is never all zero, the case RFC 1624 excludes.
            words[0] |= 0x4000;
            let i = 1 + idx.index(words.len() - 1);
            let bytes = |w: &[u16]| w.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<u8>>();
            let before = compute(&bytes(&words));
            let old = words[i];
            words[i] = new;
            prop_assert_eq!(update16(before, old, new), compute(&bytes(&words)));
        }

        #[test]
        fn update32_matches_two_update16(csum in any::<u16>(), old in any::<u32>(), new in any::<u32>()) {
            let hi = update16(csum, (old >> 16) as u16, (new >> 16) as u16);
            let both = update16(hi, old as u16, new as u16);
            // Equal as one's-complement numbers; the encodings of zero may differ.
            let norm = |x: u16| if x == 0xffff { 0 } else { x };
            prop_assert_eq!(norm(update32(csum, old, new)), norm(both));
        }

        #[test]
        fn pseudo_header_matches_bytes(src in any::<u32>(), dst in any::<u32>(), proto in any::<u8>(), len in any::<u16>()) {
            let (src, dst) = (Ipv4Addr::from(src), Ipv4Addr::from(dst));
            let mut b = Vec::new();
            b.extend_from_slice(&src.octets());
            b.extend_from_slice(&dst.octets());
            b.extend_from_slice(&[0, proto]);
            b.extend_from_slice(&len.to_be_bytes());
            prop_assert_eq!(pseudo_header(src, dst, proto, len), sum(&b));
        }
    }
}
