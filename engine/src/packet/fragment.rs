//! IPv4 fragmentation and reassembly (RFC 791).
//!
//! [`split`] cuts a datagram that does not fit a link into fragments, the
//! way a sender or a router does when DF is clear: every fragment but the
//! last carries a multiple of 8 payload bytes and MF, offsets count in
//! 8-byte units from the start of the original datagram (a fragment can be
//! fragmented again), and every IPv4 header checksum is valid. Options are
//! kept in the first fragment only (vpcsim's packets carry none).
//!
//! [`Reassembly`] is a receiver's queue of incomplete datagrams, keyed by
//! (source, destination, protocol, identification) as RFC 791 says. It is
//! bounded in time and memory the way Linux bounds it: a datagram not
//! complete [`REASSEMBLY_TIMEOUT_NS`] after its first fragment arrived is
//! dropped (`net.ipv4.ipfrag_time`, 30 s), and when the fragments held pass
//! [`REASSEMBLY_MEMORY`] bytes (`net.ipv4.ipfrag_high_thresh`, 4 MiB) the
//! oldest datagrams are dropped until they fit. Only the rare path allocates:
//! a datagram that fits its link never reaches this module.

use std::collections::BTreeMap;

use super::checksum;
use super::view::{IPV4_MIN_HEADER_LEN, IpLayout, Malformed, be16};

/// How long a receiver waits for the rest of a datagram (Linux's
/// `net.ipv4.ipfrag_time`), in nanoseconds of virtual time.
pub const REASSEMBLY_TIMEOUT_NS: u64 = 30_000_000_000;
/// The most bytes of fragments a receiver holds (Linux's
/// `net.ipv4.ipfrag_high_thresh`).
pub const REASSEMBLY_MEMORY: usize = 4 * 1024 * 1024;

const MF: u16 = 0x2000;
const DF: u16 = 0x4000;

/// Whether the packet has DF (don't fragment) set. A buffer too short to
/// say is taken as DF clear.
#[inline]
pub fn dont_fragment(buf: &[u8]) -> bool {
    buf.len() >= 8 && be16(buf, 6) & DF != 0
}

/// The IPv4 identification field.
pub fn ident(buf: &[u8]) -> u16 {
    if buf.len() >= 6 { be16(buf, 4) } else { 0 }
}

fn put16(buf: &mut [u8], off: usize, v: u16) {
    buf[off..off + 2].copy_from_slice(&v.to_be_bytes());
}

fn fix_header_checksum(header: &mut [u8]) {
    put16(header, 10, 0);
    let c = checksum::compute(header);
    put16(header, 10, c);
}

/// Cuts the datagram at the start of `buf` into fragments of at most `mtu`
/// bytes each. The first fragment is written over the start of `buf` and its
/// length returned; the others are returned in order. A packet that fits is
/// left alone (its length and no others). DF is not looked at: deciding to
/// fragment is the caller's.
pub fn split(buf: &mut [u8], mtu: u16) -> Result<(usize, Vec<Vec<u8>>), Malformed> {
    let ip = IpLayout::read(buf)?;
    let mtu = usize::from(mtu);
    if ip.total_len <= mtu {
        return Ok((ip.total_len, Vec::new()));
    }
    let hl = ip.header_len;
    // The first fragment keeps the whole header; later ones a 20-byte one.
    let first_room = mtu.saturating_sub(hl) / 8 * 8;
    let later_room = mtu.saturating_sub(IPV4_MIN_HEADER_LEN) / 8 * 8;
    if first_room == 0 || later_room == 0 {
        return Err(Malformed("MTU too small to fragment"));
    }
    let flags = be16(buf, 6);
    let base_offset = usize::from(flags & 0x1FFF) * 8;
    let more_after = flags & MF != 0;
    let payload_len = ip.total_len - hl;
    let mut rest = Vec::new();
    let mut pos = first_room;
    while pos < payload_len {
        let len = (payload_len - pos).min(later_room);
        let last = pos + len == payload_len;
        let mut f = vec![0u8; IPV4_MIN_HEADER_LEN + len];
        f[..IPV4_MIN_HEADER_LEN].copy_from_slice(&buf[..IPV4_MIN_HEADER_LEN]);
        f[0] = 0x45;
        put16(&mut f, 2, (IPV4_MIN_HEADER_LEN + len) as u16);
        let mf = if last && !more_after { 0 } else { MF };
        put16(&mut f, 6, mf | (((base_offset + pos) / 8) as u16 & 0x1FFF));
        f[IPV4_MIN_HEADER_LEN..].copy_from_slice(&buf[hl + pos..hl + pos + len]);
        fix_header_checksum(&mut f[..IPV4_MIN_HEADER_LEN]);
        rest.push(f);
        pos += len;
    }
    let first_len = hl + first_room;
    put16(buf, 2, first_len as u16);
    put16(
        buf,
        6,
        (flags & DF) | MF | ((base_offset / 8) as u16 & 0x1FFF),
    );
    fix_header_checksum(&mut buf[..hl]);
    Ok((first_len, rest))
}

/// The key of a datagram's fragments: source, destination, protocol and
/// identification.
pub fn key(buf: &[u8]) -> u128 {
    if buf.len() < IPV4_MIN_HEADER_LEN {
        return 0;
    }
    let src = u128::from(u32::from_be_bytes([buf[12], buf[13], buf[14], buf[15]]));
    let dst = u128::from(u32::from_be_bytes([buf[16], buf[17], buf[18], buf[19]]));
    (src << 96) | (dst << 64) | (u128::from(buf[9]) << 16) | u128::from(be16(buf, 4))
}

#[derive(Clone, Debug)]
struct Partial {
    /// When the first fragment to arrive arrived.
    since: u64,
    /// The first fragment's header (offset 0), once it arrived.
    header: Option<Vec<u8>>,
    /// Payload bytes by offset.
    pieces: BTreeMap<usize, Vec<u8>>,
    /// The payload's length, once the last fragment arrived.
    total: Option<usize>,
    bytes: usize,
}

impl Partial {
    fn complete(&self) -> Option<Vec<u8>> {
        let total = self.total?;
        let header = self.header.as_ref()?;
        let mut out = vec![0u8; header.len() + total];
        out[..header.len()].copy_from_slice(header);
        let mut have = 0usize;
        for (&off, piece) in &self.pieces {
            if off > have {
                return None; // a hole
            }
            let end = (off + piece.len()).min(total);
            if end > have {
                out[header.len() + off..header.len() + end].copy_from_slice(&piece[..end - off]);
                have = end;
            }
        }
        if have < total {
            return None;
        }
        let hl = header.len();
        put16(&mut out, 2, (hl + total) as u16);
        let df = be16(&out, 6) & DF;
        put16(&mut out, 6, df);
        fix_header_checksum(&mut out[..hl]);
        Some(out)
    }
}

/// What a receiver holds of datagrams not yet whole.
#[derive(Clone, Debug, Default)]
pub struct Reassembly {
    partial: BTreeMap<u128, Partial>,
    bytes: usize,
    /// Datagrams given up: timed out or pushed out by the memory bound.
    pub dropped: u64,
}

impl Reassembly {
    pub fn new() -> Reassembly {
        Reassembly::default()
    }

    /// Datagrams waiting for more fragments.
    pub fn pending(&self) -> usize {
        self.partial.len()
    }

    /// Bytes of fragments held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Takes fragment `buf` at time `now` (ns); returns the whole datagram
    /// when this fragment completes it. A buffer that is not a fragment is
    /// returned as it is.
    pub fn add(&mut self, buf: &[u8], now: u64) -> Option<Vec<u8>> {
        self.expire(now);
        let ip = IpLayout::read(buf).ok()?;
        let flags = be16(buf, 6);
        let offset = usize::from(flags & 0x1FFF) * 8;
        let more = flags & MF != 0;
        if offset == 0 && !more {
            return Some(buf[..ip.total_len].to_vec());
        }
        let payload = &buf[ip.header_len..ip.total_len];
        let k = key(buf);
        let p = self.partial.entry(k).or_insert_with(|| Partial {
            since: now,
            header: None,
            pieces: BTreeMap::new(),
            total: None,
            bytes: 0,
        });
        if offset == 0 {
            p.header = Some(buf[..ip.header_len].to_vec());
        }
        if !more {
            p.total = Some(offset + payload.len());
        }
        if let std::collections::btree_map::Entry::Vacant(e) = p.pieces.entry(offset) {
            e.insert(payload.to_vec());
            p.bytes += payload.len();
            self.bytes += payload.len();
        }
        if let Some(whole) = p.complete() {
            let freed = p.bytes;
            self.partial.remove(&k);
            self.bytes -= freed;
            return Some(whole);
        }
        while self.bytes > REASSEMBLY_MEMORY {
            let Some(oldest) = self
                .partial
                .iter()
                .min_by_key(|(k, p)| (p.since, **k))
                .map(|(k, _)| *k)
            else {
                break;
            };
            self.give_up(oldest);
        }
        None
    }

    /// Drops every datagram whose first fragment arrived more than the
    /// timeout before `now`.
    pub fn expire(&mut self, now: u64) {
        if self.partial.is_empty() {
            return;
        }
        let old: Vec<u128> = self
            .partial
            .iter()
            .filter(|(_, p)| now.saturating_sub(p.since) > REASSEMBLY_TIMEOUT_NS)
            .map(|(k, _)| *k)
            .collect();
        for k in old {
            self.give_up(k);
        }
    }

    fn give_up(&mut self, k: u128) {
        if let Some(p) = self.partial.remove(&k) {
            self.bytes -= p.bytes;
            self.dropped += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{Fragment, build, parse, transport_checksum_ok};
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn datagram(size: usize, ident: u16) -> Vec<u8> {
        let payload: Vec<u8> = (0..size).map(|i| (i * 7) as u8).collect();
        build::udp(
            SocketAddrV4::new(Ipv4Addr::new(10, 0, 1, 5), 40000),
            SocketAddrV4::new(Ipv4Addr::new(10, 0, 2, 9), 5000),
            &payload,
            64,
            ident,
        )
        .to_vec()
    }

    fn split_all(original: &[u8], mtu: u16) -> Vec<Vec<u8>> {
        let mut buf = original.to_vec();
        let (first, rest) = split(&mut buf, mtu).unwrap();
        let mut all = vec![buf[..first].to_vec()];
        all.extend(rest);
        all
    }

    #[test]
    fn mtu_3_a_4000_byte_datagram_over_1500_is_three_fragments() {
        let d = datagram(4000, 7);
        assert_eq!(d.len(), 4028);
        let frags = split_all(&d, 1500);
        let lens: Vec<usize> = frags.iter().map(Vec::len).collect();
        assert_eq!(lens, [1500, 1500, 1068]);
        let kinds: Vec<Fragment> = frags.iter().map(|f| parse(f).unwrap().fragment).collect();
        assert_eq!(kinds, [Fragment::First, Fragment::Later, Fragment::Later]);
        // Offsets in 8-byte units; MF on all but the last.
        let fo: Vec<u16> = frags.iter().map(|f| be16(f, 6)).collect();
        assert_eq!(fo, [0x2000, 0x2000 | 185, 370]);
        for f in &frags {
            assert_eq!(checksum::sum(&f[..20]), 0xFFFF, "header checksum");
            assert_eq!(ident(f), 7);
        }
    }

    #[test]
    fn mtu_3_reassembly_gives_back_the_datagram_in_any_order() {
        let d = datagram(4000, 9);
        let frags = split_all(&d, 1500);
        let mut r = Reassembly::new();
        assert_eq!(r.add(&frags[2], 0), None);
        assert_eq!(r.add(&frags[0], 1), None);
        assert_eq!(r.pending(), 1);
        let whole = r.add(&frags[1], 2).unwrap();
        assert_eq!(whole, d);
        assert!(transport_checksum_ok(&whole));
        assert_eq!((r.pending(), r.bytes()), (0, 0));
    }

    #[test]
    fn mtu_3_a_fragment_is_fragmented_again() {
        // A sender cuts 12,000 bytes to 9001; a 1500 link cuts again.
        let d = datagram(12_000, 3);
        let mut all = Vec::new();
        for f in split_all(&d, 9001) {
            all.extend(split_all(&f, 1500));
        }
        assert!(all.iter().all(|f| f.len() <= 1500));
        let mut r = Reassembly::new();
        let mut whole = None;
        for f in all.iter().rev() {
            whole = r.add(f, 0).or(whole);
        }
        assert_eq!(whole.unwrap(), d);
    }

    #[test]
    fn mtu_3_a_lost_fragment_loses_the_datagram_after_the_timeout() {
        let d = datagram(4000, 1);
        let frags = split_all(&d, 1500);
        let mut r = Reassembly::new();
        assert_eq!(r.add(&frags[0], 0), None);
        assert_eq!(r.add(&frags[2], 0), None);
        // The middle one never comes: after 30 s the datagram is dropped.
        r.expire(REASSEMBLY_TIMEOUT_NS);
        assert_eq!(r.pending(), 1, "not before the timeout");
        r.expire(REASSEMBLY_TIMEOUT_NS + 1);
        assert_eq!((r.pending(), r.bytes(), r.dropped), (0, 0, 1));
        // A late fragment starts a new wait, not the old datagram.
        assert_eq!(r.add(&frags[1], REASSEMBLY_TIMEOUT_NS + 2), None);
    }

    #[test]
    fn mtu_3_memory_is_bounded() {
        let mut r = Reassembly::new();
        // First fragments of 4,000 datagrams of 4,000 bytes, never whole.
        for i in 0..4000u16 {
            let d = datagram(4000, i);
            let f = &split_all(&d, 1500)[0];
            r.add(f, u64::from(i));
        }
        assert!(r.bytes() <= REASSEMBLY_MEMORY, "{}", r.bytes());
        assert!(r.dropped > 0);
    }

    #[test]
    fn a_packet_that_fits_is_left_alone() {
        let d = datagram(100, 1);
        let mut buf = d.clone();
        assert_eq!(split(&mut buf, 1500).unwrap(), (128, vec![]));
        assert_eq!(buf, d);
        assert!(!dont_fragment(&d));
    }
}
