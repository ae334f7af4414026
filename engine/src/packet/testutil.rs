//! Fixtures and reference implementations shared by the unit tests.
//!
//! The reference checksum code here deliberately goes through smoltcp's own
//! `fill_checksum` routines, so that the incremental updates under test are
//! compared with an independent full recomputation.

use smoltcp::wire::{Icmpv4Packet, IpAddress, Ipv4Packet, TcpPacket, UdpPacket};

use super::{PROTO_ICMP, PROTO_TCP, PROTO_UDP};

/// A TCP SYN with an MSS option, checksums computed independently:
/// 192.168.1.10:51514 -> 93.184.216.34:443, IP ident 0x1c46, DF, TTL 64,
/// IP checksum 0x26f9, TCP checksum 0xd510.
pub const SYN_HEX: &str = "4500002c1c464000400626f9c0a8010a5db8d822c93a01bb\
                           3b9aca07000000006002faf0d5100000020405b4";

/// The IPv4 header checksum example from Wikipedia: a UDP packet header,
/// total length 115, checksum 0xb861.
pub const WIKI_HEADER_HEX: &str = "4500007300004000 4011b861c0a80001c0a800c7";

pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|c| match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => c - b'A' + 10,
        })
        .collect();
    digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
}

/// Recomputes the IPv4 header checksum from scratch.
pub fn fix_ip_checksum(buf: &mut [u8]) {
    Ipv4Packet::new_unchecked(buf).fill_checksum();
}

/// A copy of a well-formed, unfragmented packet with every checksum
/// recomputed from scratch. A UDP checksum of 0 ("none") stays 0.
pub fn recomputed(buf: &[u8]) -> Vec<u8> {
    let mut out = buf.to_vec();
    fix_ip_checksum(&mut out);
    let ip = Ipv4Packet::new_unchecked(&out[..]);
    let (src, dst) = (
        IpAddress::Ipv4(ip.src_addr()),
        IpAddress::Ipv4(ip.dst_addr()),
    );
    let (hl, total, proto) = (
        usize::from(ip.header_len()),
        usize::from(ip.total_len()),
        u8::from(ip.next_header()),
    );
    let seg = &mut out[hl..total];
    match proto {
        PROTO_TCP => TcpPacket::new_unchecked(seg).fill_checksum(&src, &dst),
        PROTO_UDP => {
            let mut udp = UdpPacket::new_unchecked(seg);
            if udp.checksum() != 0 {
                udp.fill_checksum(&src, &dst);
            }
        }
        PROTO_ICMP => Icmpv4Packet::new_unchecked(seg).fill_checksum(),
        _ => {}
    }
    out
}
