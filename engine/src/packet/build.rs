//! Construction of fresh packets for simulated hosts and routers.
//!
//! These are packet sources, so unlike parsing and rewriting they allocate:
//! each function returns a new buffer holding exactly one IPv4 datagram with
//! a 20-byte header (no options) and correct checksums everywhere, which
//! [`super::parse`] accepts.
//!
//! Conventions, chosen to look like Linux: TCP is sent with DF set (path MTU
//! discovery), UDP and ICMP without. Payloads that would push the datagram
//! past the IPv4 maximum of 65 535 bytes are cut short rather than rejected;
//! a simulator never has a reason to produce them, and the functions stay
//! infallible.

use std::net::{Ipv4Addr, SocketAddrV4};

use bytes::{Bytes, BytesMut};
use smoltcp::wire::{Icmpv4Message, Icmpv4Packet};

use super::checksum;
use super::view::{ICMP_HEADER_LEN, IPV4_MIN_HEADER_LEN, TCP_MIN_HEADER_LEN, UDP_HEADER_LEN};
use super::{PROTO_ICMP, PROTO_TCP, PROTO_UDP};

/// The bytes of the offending datagram's payload that an ICMP error quotes
/// after its IPv4 header (RFC 792).
const ICMP_ERROR_QUOTED_PAYLOAD: usize = 8;

/// Header fields of a TCP segment without options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSpec {
    /// Source address and port.
    pub src: SocketAddrV4,
    /// Destination address and port.
    pub dst: SocketAddrV4,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number; sent as given, whether or not ACK is set.
    pub ack: u32,
    /// Flags octet, see [`super::tcp_flags`].
    pub flags: u8,
    /// Receive window.
    pub window: u16,
}

/// Header fields of an ICMP echo request or reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EchoSpec {
    /// IPv4 source address.
    pub src: Ipv4Addr,
    /// IPv4 destination address.
    pub dst: Ipv4Addr,
    /// Echo reply (type 0) rather than echo request (type 8).
    pub reply: bool,
    /// Echo identifier.
    pub ident: u16,
    /// Echo sequence number.
    pub seq: u16,
}

/// A TCP segment with a 20-byte header, DF set and IP identification `ident`.
pub fn tcp(spec: &TcpSpec, payload: &[u8], ttl: u8, ident: u16) -> Bytes {
    tcp_with(spec, &[], payload, ttl, ident)
}

/// A SYN or SYN-ACK carrying the maximum segment size option (kind 2,
/// RFC 9293), as every Linux handshake does: a 24-byte TCP header.
pub fn tcp_syn(spec: &TcpSpec, mss: u16, ttl: u8, ident: u16) -> Bytes {
    let [hi, lo] = mss.to_be_bytes();
    tcp_with(spec, &[2, 4, hi, lo], &[], ttl, ident)
}

/// A SYN or SYN-ACK as a current Linux sends it without timestamps: the
/// MSS option, a NOP and the window scale option (kind 3, RFC 7323) with
/// shift `wscale`: a 28-byte TCP header.
pub fn tcp_syn_scaled(spec: &TcpSpec, mss: u16, wscale: u8, ttl: u8, ident: u16) -> Bytes {
    let [hi, lo] = mss.to_be_bytes();
    tcp_with(spec, &[2, 4, hi, lo, 1, 3, 3, wscale], &[], ttl, ident)
}

/// A SYN or SYN-ACK with the options a current Linux sends without
/// timestamps, in its order (`tcp_options_write`): the MSS, then, where
/// offered, two NOPs and SACK-permitted (kind 4, RFC 2018), then a NOP and
/// the window scale option with shift `wscale`. With both, a 32-byte TCP
/// header; without either, [`tcp_syn`]'s.
pub fn tcp_syn_options(
    spec: &TcpSpec,
    mss: u16,
    wscale: Option<u8>,
    sack_permitted: bool,
    ttl: u8,
    ident: u16,
) -> Bytes {
    let [hi, lo] = mss.to_be_bytes();
    let mut opts = [0u8; 12];
    opts[..4].copy_from_slice(&[2, 4, hi, lo]);
    let mut n = 4;
    if sack_permitted {
        opts[n..n + 4].copy_from_slice(&[1, 1, 4, 2]);
        n += 4;
    }
    if let Some(shift) = wscale {
        opts[n..n + 4].copy_from_slice(&[1, 3, 3, shift]);
        n += 4;
    }
    tcp_with(spec, &opts[..n], &[], ttl, ident)
}

/// The most SACK blocks one segment carries: 4 + 8 x 4 = 36 of the 40
/// bytes of options (RFC 2018, without timestamps).
pub const MAX_SACK_BLOCKS: usize = 4;

/// The length of the SACK option (with its two leading NOPs, as Linux
/// writes it) for `blocks` blocks: 0 for none.
pub const fn tcp_sack_option_len(blocks: usize) -> usize {
    if blocks == 0 { 0 } else { 4 + 8 * blocks }
}

/// A TCP segment carrying the SACK option (kind 5, RFC 2018) with
/// `blocks` (left and right edges, at most [`MAX_SACK_BLOCKS`]; more are
/// left out), after two NOPs as Linux aligns it; no blocks, no option.
pub fn tcp_sack(
    spec: &TcpSpec,
    payload: &[u8],
    blocks: &[(u32, u32)],
    ttl: u8,
    ident: u16,
) -> Bytes {
    let (opts, len) = sack_option(blocks);
    tcp_with(spec, &opts[..len], payload, ttl, ident)
}

/// [`tcp_sack`] whose payload is `len` bytes that `fill(buf, n)` appends
/// to `buf` (`n` is `len`, less what does not fit in an IPv4 packet),
/// written straight into the segment, no copy of it made first. `fill`
/// returns their folded one's-complement sum, as `checksum::sum` of them
/// would give, so that a payload whose sum is known need not be read again.
pub fn tcp_sack_fill(
    spec: &TcpSpec,
    len: usize,
    fill: impl FnOnce(&mut Vec<u8>, usize) -> u16,
    blocks: &[(u32, u32)],
    ttl: u8,
    ident: u16,
) -> Bytes {
    let (opts, opts_len) = sack_option(blocks);
    let room = usize::from(u16::MAX) - IPV4_MIN_HEADER_LEN - TCP_MIN_HEADER_LEN - opts_len;
    let len = len.min(room);
    tcp_build(spec, &opts[..opts_len], len, ttl, ident, |buf| {
        let start = buf.len();
        let sum = fill(buf, len);
        debug_assert_eq!(buf.len() - start, len);
        debug_assert_eq!(sum, checksum::sum(&buf[start..]));
        Some(sum)
    })
}

/// The SACK option for `blocks` and its length.
fn sack_option(blocks: &[(u32, u32)]) -> ([u8; tcp_sack_option_len(MAX_SACK_BLOCKS)], usize) {
    let blocks = &blocks[..blocks.len().min(MAX_SACK_BLOCKS)];
    let len = tcp_sack_option_len(blocks.len());
    let mut opts = [0u8; tcp_sack_option_len(MAX_SACK_BLOCKS)];
    if len > 0 {
        opts[..4].copy_from_slice(&[1, 1, 5, (len - 2) as u8]);
        for (i, (left, right)) in blocks.iter().enumerate() {
            opts[4 + 8 * i..8 + 8 * i].copy_from_slice(&left.to_be_bytes());
            opts[8 + 8 * i..12 + 8 * i].copy_from_slice(&right.to_be_bytes());
        }
    }
    (opts, len)
}

/// Whether a TCP header carries the SACK-permitted option (RFC 2018,
/// kind 4).
pub fn tcp_sack_permitted_option(tcp: &[u8]) -> bool {
    matches!(tcp_option(tcp, 4), Some([]))
}

/// The blocks of a TCP header's SACK option (RFC 2018, kind 5), the
/// first [`MAX_SACK_BLOCKS`] of them, and how many there are; none when it
/// has no option or a malformed one.
pub fn tcp_sack_option(tcp: &[u8]) -> ([(u32, u32); MAX_SACK_BLOCKS], usize) {
    let mut blocks = [(0, 0); MAX_SACK_BLOCKS];
    let Some(data) = tcp_option(tcp, 5) else {
        return (blocks, 0);
    };
    if data.is_empty() || data.len() % 8 != 0 {
        return (blocks, 0);
    }
    let mut n = 0;
    for (block, b) in blocks.iter_mut().zip(data.chunks_exact(8)) {
        let left = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let right = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
        *block = (left, right);
        n += 1;
    }
    (blocks, n)
}

/// The data of option `want` of a TCP header (`tcp` is the TCP header and
/// what follows), if it has one.
fn tcp_option(tcp: &[u8], want: u8) -> Option<&[u8]> {
    let hl = usize::from(tcp.get(12)? >> 4) * 4;
    let mut opts = tcp.get(TCP_MIN_HEADER_LEN..hl)?;
    while let [kind, rest @ ..] = opts {
        match kind {
            0 => return None,
            1 => opts = rest,
            _ => {
                let len = usize::from(*rest.first()?);
                if len < 2 {
                    return None;
                }
                if *kind == want {
                    return opts.get(2..len);
                }
                opts = opts.get(len..)?;
            }
        }
    }
    None
}

/// The MSS option of a TCP header (`tcp` is the TCP header and what
/// follows), if it has one.
pub fn tcp_mss_option(tcp: &[u8]) -> Option<u16> {
    match tcp_option(tcp, 2)? {
        [hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
        _ => None,
    }
}

/// The window scale option's shift (RFC 7323, kind 3), if the header
/// carries one; a shift above 14 counts as 14, as the RFC says.
pub fn tcp_wscale_option(tcp: &[u8]) -> Option<u8> {
    match tcp_option(tcp, 3)? {
        [shift] => Some((*shift).min(14)),
        _ => None,
    }
}

/// A TCP segment whose header carries `options` (a multiple of 4 bytes).
///
/// The header is written field by field (smoltcp's `TcpRepr` models a
/// connection's segments, one control flag and ACK implied by an ack
/// number, not an arbitrary flags octet), straight into a buffer of the
/// datagram's size that is filled once, never zeroed first.
fn tcp_with(spec: &TcpSpec, options: &[u8], payload: &[u8], ttl: u8, ident: u16) -> Bytes {
    let payload = clamp(payload, TCP_MIN_HEADER_LEN + options.len());
    tcp_build(spec, options, payload.len(), ttl, ident, |buf| {
        buf.extend_from_slice(payload);
        None
    })
}

/// [`tcp_with`] whose `payload_len` bytes of payload `payload` appends to
/// the buffer, which holds the headers; `payload` returns their folded sum
/// when it knows it, and the checksum then reads only the headers.
fn tcp_build(
    spec: &TcpSpec,
    options: &[u8],
    payload_len: usize,
    ttl: u8,
    ident: u16,
    payload: impl FnOnce(&mut Vec<u8>) -> Option<u16>,
) -> Bytes {
    let header_len = TCP_MIN_HEADER_LEN + options.len();
    let seg_len = header_len + payload_len;
    let total = IPV4_MIN_HEADER_LEN + seg_len;
    let (src, dst) = (*spec.src.ip(), *spec.dst.ip());
    let mut buf = Vec::with_capacity(total);
    buf.extend_from_slice(&ip_header(src, dst, PROTO_TCP, total, ttl, ident, true));
    let mut tcp = [0u8; TCP_MIN_HEADER_LEN];
    tcp[0..2].copy_from_slice(&spec.src.port().to_be_bytes());
    tcp[2..4].copy_from_slice(&spec.dst.port().to_be_bytes());
    tcp[4..8].copy_from_slice(&spec.seq.to_be_bytes());
    tcp[8..12].copy_from_slice(&spec.ack.to_be_bytes());
    // Data offset in 32-bit words; the three reserved bits and NS are 0.
    tcp[12] = ((header_len / 4) as u8) << 4;
    tcp[13] = spec.flags;
    tcp[14..16].copy_from_slice(&spec.window.to_be_bytes());
    buf.extend_from_slice(&tcp);
    buf.extend_from_slice(options);
    let known = payload(&mut buf);
    debug_assert_eq!(buf.len(), total);
    let pseudo = checksum::pseudo_header(src, dst, PROTO_TCP, seg_len as u16);
    let seg = &mut buf[IPV4_MIN_HEADER_LEN..];
    // The headers are a whole number of 16-bit words (options come in
    // 4-byte units), so the payload's words line up with the segment's.
    let covered = match known {
        Some(sum) => checksum::add(checksum::sum(&seg[..header_len]), sum),
        None => checksum::sum(seg),
    };
    let c = !checksum::combine(&[pseudo, covered]);
    seg[16..18].copy_from_slice(&c.to_be_bytes());
    Bytes::from(buf)
}

/// A UDP datagram with a checksum and IP identification `ident`.
pub fn udp(src: SocketAddrV4, dst: SocketAddrV4, payload: &[u8], ttl: u8, ident: u16) -> Bytes {
    let payload = clamp(payload, UDP_HEADER_LEN);
    let seg_len = UDP_HEADER_LEN + payload.len();
    let total = IPV4_MIN_HEADER_LEN + seg_len;
    let (s, d) = (*src.ip(), *dst.ip());
    let mut buf = Vec::with_capacity(total);
    buf.extend_from_slice(&ip_header(s, d, PROTO_UDP, total, ttl, ident, false));
    let [s0, s1] = src.port().to_be_bytes();
    let [d0, d1] = dst.port().to_be_bytes();
    // `clamp` keeps the datagram, and so its UDP length, within 16 bits.
    let [l0, l1] = (seg_len as u16).to_be_bytes();
    buf.extend_from_slice(&[s0, s1, d0, d1, l0, l1, 0, 0]);
    buf.extend_from_slice(payload);
    let pseudo = checksum::pseudo_header(s, d, PROTO_UDP, seg_len as u16);
    let seg = &mut buf[IPV4_MIN_HEADER_LEN..];
    let c = checksum::udp_wire(!checksum::combine(&[pseudo, checksum::sum(seg)]));
    seg[6..8].copy_from_slice(&c.to_be_bytes());
    Bytes::from(buf)
}

/// An IPv4 packet of another protocol (GRE, ESP, ...) carrying `payload`
/// as it is.
pub fn raw_ip(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: u8,
    payload: &[u8],
    ttl: u8,
    ident: u16,
) -> Bytes {
    let payload = clamp(payload, 0);
    let mut buf = vec![0; IPV4_MIN_HEADER_LEN + payload.len()];
    let (ip, seg) = buf.split_at_mut(IPV4_MIN_HEADER_LEN);
    seg.copy_from_slice(payload);
    IpHeader {
        src,
        dst,
        proto,
        payload_len: seg.len(),
        ttl,
        ident,
        dont_frag: false,
    }
    .emit(ip);
    Bytes::from(buf)
}

/// An ICMP echo request or reply with IP identification `ip_ident`.
pub fn icmp_echo(spec: &EchoSpec, payload: &[u8], ttl: u8, ip_ident: u16) -> Bytes {
    icmp_echo_into(BytesMut::new(), spec, payload, ttl, ip_ident).freeze()
}

/// [`icmp_echo`] written into `buf`, whose contents it replaces, as a host
/// hands it to its interface: a buffer the engine is done with is used
/// again, without an allocation when it is large enough.
pub fn icmp_echo_into(
    mut buf: BytesMut,
    spec: &EchoSpec,
    payload: &[u8],
    ttl: u8,
    ip_ident: u16,
) -> BytesMut {
    let data = clamp(payload, ICMP_HEADER_LEN);
    let total = IPV4_MIN_HEADER_LEN + ICMP_HEADER_LEN + data.len();
    let kind = if spec.reply {
        super::ICMP_ECHO_REPLY
    } else {
        super::ICMP_ECHO_REQUEST
    };
    let mut head = [0u8; IPV4_MIN_HEADER_LEN + ICMP_HEADER_LEN];
    let (ip, icmp) = head.split_at_mut(IPV4_MIN_HEADER_LEN);
    ip.copy_from_slice(&ip_header(
        spec.src, spec.dst, PROTO_ICMP, total, ttl, ip_ident, false,
    ));
    let [i0, i1] = spec.ident.to_be_bytes();
    let [s0, s1] = spec.seq.to_be_bytes();
    icmp.copy_from_slice(&[kind, 0, 0, 0, i0, i1, s0, s1]);
    // The ICMP header is a whole number of 16-bit words: its sum and the
    // data's add up to the message's.
    let c = !checksum::add(checksum::sum(icmp), checksum::sum(data));
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    buf.clear();
    buf.reserve(total);
    buf.extend_from_slice(&head);
    buf.extend_from_slice(data);
    buf
}

/// The data of the echo requests and replies the traffic endpoints send:
/// 56 bytes, as Linux's `ping` sends by default.
pub const ECHO_DATA: [u8; 56] = [0x5a; 56];

/// The length of an echo message with [`ECHO_DATA`].
const ECHO_LEN: usize = IPV4_MIN_HEADER_LEN + ICMP_HEADER_LEN + ECHO_DATA.len();

/// An echo message with [`ECHO_DATA`] as [`icmp_echo_into`] writes it, but
/// for the fields of [`host_echo_into`]'s arguments and the checksums.
const ECHO_TEMPLATE: [u8; ECHO_LEN] = {
    let mut p = [0u8; ECHO_LEN];
    p[0] = 0x45;
    p[2] = (ECHO_LEN >> 8) as u8;
    p[3] = ECHO_LEN as u8;
    p[9] = PROTO_ICMP;
    let mut i = 0;
    while i < ECHO_DATA.len() {
        p[IPV4_MIN_HEADER_LEN + ICMP_HEADER_LEN + i] = ECHO_DATA[i];
        i += 1;
    }
    p
};

/// [`checksum::sum`] of [`ECHO_DATA`] (a whole number of 16-bit words).
const ECHO_DATA_SUM: u16 = {
    let mut acc: u32 = 0;
    let mut i = 0;
    while i + 1 < ECHO_DATA.len() {
        acc += ((ECHO_DATA[i] as u32) << 8) | ECHO_DATA[i + 1] as u32;
        i += 2;
    }
    while acc > 0xFFFF {
        acc = (acc & 0xFFFF) + (acc >> 16);
    }
    acc as u16
};

/// [`icmp_echo_into`] with [`ECHO_DATA`], byte for byte, for the traffic
/// endpoints' pings and their replies: the message is copied whole from a
/// template and its fields filled in, and the checksums are summed from
/// the fields (the data's sum is a constant). A one's-complement sum that
/// is not zero has one form, whatever the order of its words. Inlined
/// into its two callers, where the buffer and the fields stay in
/// registers rather than move through a call.
#[inline(always)]
pub fn host_echo_into(mut buf: BytesMut, spec: &EchoSpec, ttl: u8, ip_ident: u16) -> BytesMut {
    let kind = if spec.reply {
        super::ICMP_ECHO_REPLY
    } else {
        super::ICMP_ECHO_REQUEST
    };
    let (src, dst) = (u32::from(spec.src), u32::from(spec.dst));
    // The header's words: version and length, total length, ident, flags
    // (none), TTL and protocol, the checksum (zero), the addresses.
    let ip = 0x4500
        + ECHO_LEN as u64
        + u64::from(ip_ident)
        + (u64::from(ttl) << 8 | u64::from(PROTO_ICMP))
        + u64::from(src >> 16)
        + u64::from(src & 0xFFFF)
        + u64::from(dst >> 16)
        + u64::from(dst & 0xFFFF);
    let ip_sum = !checksum::fold(ip);
    let icmp_sum = !checksum::add(
        checksum::add(checksum::add(u16::from(kind) << 8, spec.ident), spec.seq),
        ECHO_DATA_SUM,
    );
    buf.clear();
    buf.extend_from_slice(&ECHO_TEMPLATE);
    let p = &mut buf[..ECHO_LEN];
    p[4..6].copy_from_slice(&ip_ident.to_be_bytes());
    p[8] = ttl;
    p[10..12].copy_from_slice(&ip_sum.to_be_bytes());
    p[12..16].copy_from_slice(&spec.src.octets());
    p[16..20].copy_from_slice(&spec.dst.octets());
    p[20] = kind;
    p[22..24].copy_from_slice(&icmp_sum.to_be_bytes());
    p[24..26].copy_from_slice(&spec.ident.to_be_bytes());
    p[26..28].copy_from_slice(&spec.seq.to_be_bytes());
    buf
}

/// An ICMP error from `src` about `original`, sent back to `original`'s
/// source, quoting its IPv4 header (options included) and the first 8 bytes
/// of its payload (RFC 792); e.g. type 3 code 3 (port unreachable) or type 11
/// code 0 (TTL exceeded in transit).
///
/// The 4 bytes after the ICMP checksum are zero: a next-hop MTU (type 3
/// code 4) or parameter-problem pointer (type 12) is not filled in.
///
/// Deciding whether an error may be sent at all (never about another ICMP
/// error, a later fragment or a broadcast; RFC 1812 section 4.3.2.7) is the
/// caller's job. `original` should be a packet [`super::parse`] accepted;
/// for anything else the quote is whatever prefix of it is available and
/// an unreadable source address becomes 0.0.0.0.
pub fn icmp_error(src: Ipv4Addr, original: &[u8], icmp_type: u8, code: u8, ttl: u8) -> Bytes {
    let header_len = original.first().map_or(0, |b| usize::from(b & 0x0F) * 4);
    // Quote no further than the total length, so link-layer padding after
    // the datagram is not mistaken for its payload.
    let total_len = match original.get(2..4) {
        Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
        _ => 0,
    };
    let quote_len = (header_len + ICMP_ERROR_QUOTED_PAYLOAD)
        .min(total_len)
        .min(original.len());
    let quote = original.get(..quote_len).unwrap_or_default();
    let dst = match original.get(12..16) {
        Some(&[a, b, c, d]) => Ipv4Addr::new(a, b, c, d),
        _ => Ipv4Addr::UNSPECIFIED,
    };

    let mut buf = vec![0; IPV4_MIN_HEADER_LEN + ICMP_HEADER_LEN + quote.len()];
    let (ip, seg) = buf.split_at_mut(IPV4_MIN_HEADER_LEN);
    // Icmpv4Repr would re-emit the quoted header from a parsed Ipv4Repr,
    // dropping options, identification and flags; the quote must be verbatim
    // so the receiver can match it to its socket.
    let mut packet = Icmpv4Packet::new_unchecked(&mut *seg);
    packet.set_msg_type(Icmpv4Message::from(icmp_type));
    packet.set_msg_code(code);
    packet.data_mut().copy_from_slice(quote);
    packet.fill_checksum();

    IpHeader {
        src,
        dst,
        proto: PROTO_ICMP,
        payload_len: seg.len(),
        ttl,
        ident: 0,
        dont_frag: false,
    }
    .emit(ip);
    Bytes::from(buf)
}

/// An ICMP "fragmentation needed and DF set" (type 3 code 4) from `src`
/// about `original`, with the next-hop MTU filled in (RFC 1191), which is
/// what path MTU discovery reads.
pub fn icmp_frag_needed(src: Ipv4Addr, original: &[u8], next_hop_mtu: u16, ttl: u8) -> Bytes {
    let b = icmp_error(src, original, super::ICMP_DEST_UNREACHABLE, 4, ttl);
    let mut buf = b.to_vec();
    let icmp = IPV4_MIN_HEADER_LEN;
    buf[icmp + 6..icmp + 8].copy_from_slice(&next_hop_mtu.to_be_bytes());
    buf[icmp + 2..icmp + 4].copy_from_slice(&[0, 0]);
    let c = super::checksum::compute(&buf[icmp..]);
    buf[icmp + 2..icmp + 4].copy_from_slice(&c.to_be_bytes());
    Bytes::from(buf)
}

/// A 20-byte IPv4 header for a datagram of `total_len` bytes: version 4,
/// no options, DSCP and ECN 0, not a fragment (DF as given), its checksum
/// filled.
fn ip_header(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: u8,
    total_len: usize,
    ttl: u8,
    ident: u16,
    dont_frag: bool,
) -> [u8; IPV4_MIN_HEADER_LEN] {
    let mut h = [0u8; IPV4_MIN_HEADER_LEN];
    h[0] = 0x45;
    // `clamp` keeps every datagram within the 16-bit total length.
    h[2..4].copy_from_slice(&(total_len as u16).to_be_bytes());
    h[4..6].copy_from_slice(&ident.to_be_bytes());
    h[6] = if dont_frag { 0x40 } else { 0 };
    h[8] = ttl;
    h[9] = proto;
    h[12..16].copy_from_slice(&src.octets());
    h[16..20].copy_from_slice(&dst.octets());
    let c = !checksum::sum20(&h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h
}

/// Writes the header of a datagram whose payload (`payload_len` bytes)
/// follows the 20 bytes of `buf`.
struct IpHeader {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: u8,
    payload_len: usize,
    ttl: u8,
    ident: u16,
    dont_frag: bool,
}

impl IpHeader {
    /// Writes the header into `buf`, which is exactly 20 bytes long.
    fn emit(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&ip_header(
            self.src,
            self.dst,
            self.proto,
            IPV4_MIN_HEADER_LEN + self.payload_len,
            self.ttl,
            self.ident,
            self.dont_frag,
        ));
    }
}

/// The prefix of `payload` that fits in one IPv4 datagram after a 20-byte
/// IPv4 header and a transport header of `transport_header_len` bytes.
fn clamp(payload: &[u8], transport_header_len: usize) -> &[u8] {
    let room = usize::from(u16::MAX) - IPV4_MIN_HEADER_LEN - transport_header_len;
    payload.get(..room).unwrap_or(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::tcp_flags::{ACK, SYN};
    use crate::packet::testutil::{SYN_HEX, fix_ip_checksum, hex, recomputed};
    use crate::packet::{
        FlowView, Fragment, ICMP_DEST_UNREACHABLE, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST,
        ICMP_TIME_EXCEEDED, parse, transport_checksum_ok,
    };
    use proptest::prelude::*;
    use smoltcp::phy::ChecksumCapabilities;
    use smoltcp::wire::{IpAddress, UdpPacket, UdpRepr};

    const A: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 5);
    const B: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 9);
    const ROUTER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

    fn flags_word(buf: &[u8]) -> u16 {
        u16::from_be_bytes([buf[6], buf[7]])
    }

    #[test]
    fn rebuilds_the_real_syn() {
        // Same fields as the captured SYN except for its MSS option.
        let spec = TcpSpec {
            src: SocketAddrV4::new(Ipv4Addr::new(192, 168, 1, 10), 51514),
            dst: SocketAddrV4::new(Ipv4Addr::new(93, 184, 216, 34), 443),
            seq: 0x3b9a_ca07,
            ack: 0,
            flags: SYN,
            window: 64240,
        };
        let built = tcp(&spec, &[], 64, 0x1c46);
        let syn = hex(SYN_HEX);
        assert_eq!(built.len(), 40);
        // IP header identical apart from total length and checksum.
        assert_eq!(built[4..10], syn[4..10]);
        assert_eq!(built[12..20], syn[12..20]);
        // TCP header identical apart from data offset and checksum.
        assert_eq!(built[20..32], syn[20..32]);
        assert_eq!(built[33..36], syn[33..36]);
        assert_eq!(built[32], 0x50);
        assert_eq!(&built[..], &recomputed(&built)[..]);
    }

    #[test]
    fn header_conventions() {
        let spec = TcpSpec {
            src: SocketAddrV4::new(A, 1),
            dst: SocketAddrV4::new(B, 2),
            seq: 0,
            ack: 0,
            flags: ACK,
            window: 0,
        };
        let t = tcp(&spec, b"", 64, 0xbeef);
        assert_eq!(flags_word(&t), 0x4000, "TCP sets DF");
        assert_eq!(t[4..6], [0xbe, 0xef]);
        let u = udp(SocketAddrV4::new(A, 1), SocketAddrV4::new(B, 2), b"", 64, 7);
        assert_eq!(flags_word(&u), 0, "UDP leaves DF clear");
        assert_eq!(u[4..6], [0, 7]);
        let echo = EchoSpec {
            src: A,
            dst: B,
            reply: false,
            ident: 1,
            seq: 1,
        };
        let e = icmp_echo(&echo, b"", 64, 9);
        assert_eq!(flags_word(&e), 0);
        assert_eq!(e[4..6], [0, 9]);
        assert_eq!(e[20], ICMP_ECHO_REQUEST);
    }

    #[test]
    fn oversized_payload_is_cut_to_fit() {
        let big = vec![0xa5; 70_000];
        let u = udp(
            SocketAddrV4::new(A, 1),
            SocketAddrV4::new(B, 2),
            &big,
            64,
            0,
        );
        assert_eq!(u.len(), 65_535);
        let v = parse(&u).unwrap();
        assert_eq!((v.total_len, v.payload_len), (65_535, 65_535 - 28));
        assert!(transport_checksum_ok(&u));

        let spec = EchoSpec {
            src: A,
            dst: B,
            reply: true,
            ident: 1,
            seq: 1,
        };
        let e = icmp_echo(&spec, &big, 64, 0);
        assert_eq!(parse(&e).unwrap().total_len, 65_535);
        assert!(transport_checksum_ok(&e));
    }

    #[test]
    fn port_unreachable_quotes_header_and_8_bytes() {
        let original = udp(
            SocketAddrV4::new(A, 33434),
            SocketAddrV4::new(B, 9),
            b"a payload longer than eight bytes",
            63,
            0x55,
        );
        let err = icmp_error(B, &original, ICMP_DEST_UNREACHABLE, 3, 64);
        let v = parse(&err).unwrap();
        assert_eq!((v.src, v.dst, v.proto), (B, A, PROTO_ICMP));
        assert_eq!((v.icmp_type, v.icmp_code), (ICMP_DEST_UNREACHABLE, 3));
        assert_eq!((v.src_port, v.dst_port), (0, 0));
        assert_eq!(v.payload_len, 28);
        assert_eq!(err[24..28], [0, 0, 0, 0]);
        assert_eq!(err[28..], original[..28]);
        assert!(transport_checksum_ok(&err));
        assert_eq!(&err[..], &recomputed(&err)[..]);
    }

    #[test]
    fn ttl_exceeded_quotes_options_and_ignores_padding() {
        let syn = hex(SYN_HEX);
        let mut original = syn[..20].to_vec();
        original.extend_from_slice(&[0x94, 0x04, 0x00, 0x00]);
        original.extend_from_slice(&syn[20..]);
        original[0] = 0x46;
        original[2..4].copy_from_slice(&48u16.to_be_bytes());
        fix_ip_checksum(&mut original);
        let mut padded = original.clone();
        padded.extend_from_slice(&[0xee; 16]);

        let err = icmp_error(ROUTER, &padded, ICMP_TIME_EXCEEDED, 0, 255);
        let v = parse(&err).unwrap();
        assert_eq!(v.dst, Ipv4Addr::new(192, 168, 1, 10));
        assert_eq!(v.ttl, 255);
        assert_eq!(v.payload_len, 24 + 8);
        assert_eq!(err[28..], original[..32]);
        assert!(transport_checksum_ok(&err));

        // A short original is quoted only as far as it goes.
        let tiny = {
            let mut t = syn[..20].to_vec();
            t[2..4].copy_from_slice(&24u16.to_be_bytes());
            t[9] = 47;
            t.extend_from_slice(&[1, 2, 3, 4]);
            fix_ip_checksum(&mut t);
            t
        };
        let err = icmp_error(ROUTER, &tiny, ICMP_TIME_EXCEEDED, 0, 64);
        assert_eq!(err[28..], tiny[..]);
    }

    #[test]
    fn icmp_error_of_garbage_does_not_panic() {
        let err = icmp_error(ROUTER, &[], ICMP_DEST_UNREACHABLE, 1, 64);
        let v = parse(&err).unwrap();
        assert_eq!((v.dst, v.payload_len), (Ipv4Addr::UNSPECIFIED, 0));
    }

    fn addr() -> impl Strategy<Value = Ipv4Addr> {
        any::<u32>().prop_map(Ipv4Addr::from)
    }

    fn sock() -> impl Strategy<Value = SocketAddrV4> {
        (addr(), any::<u16>()).prop_map(|(a, p)| SocketAddrV4::new(a, p))
    }

    fn payload() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..256)
    }

    fn assert_built_ok(buf: &[u8]) -> Result<FlowView, TestCaseError> {
        let v = parse(buf).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(transport_checksum_ok(buf));
        prop_assert_eq!(buf, &recomputed(buf)[..]);
        prop_assert_eq!(v.fragment, Fragment::None);
        prop_assert_eq!(usize::from(v.total_len), buf.len());
        prop_assert_eq!(v.header_len, 20);
        Ok(v)
    }

    /// A TCP segment as smoltcp's wire types write it, the way the
    /// builders wrote it before they wrote the bytes themselves.
    fn tcp_by_smoltcp(
        spec: &TcpSpec,
        options: &[u8],
        payload: &[u8],
        ttl: u8,
        ident: u16,
    ) -> Vec<u8> {
        use crate::packet::tcp_flags::{CWR, ECE, FIN, PSH, RST, URG};
        use smoltcp::wire::{TcpPacket, TcpSeqNumber};
        let header_len = TCP_MIN_HEADER_LEN + options.len();
        let mut buf = vec![0; IPV4_MIN_HEADER_LEN + header_len + payload.len()];
        let (ip, seg) = buf.split_at_mut(IPV4_MIN_HEADER_LEN);
        let mut packet = TcpPacket::new_unchecked(&mut *seg);
        packet.set_src_port(spec.src.port());
        packet.set_dst_port(spec.dst.port());
        packet.set_seq_number(TcpSeqNumber(i32::from_be_bytes(spec.seq.to_be_bytes())));
        packet.set_ack_number(TcpSeqNumber(i32::from_be_bytes(spec.ack.to_be_bytes())));
        packet.set_header_len(header_len as u8);
        let has = |bit: u8| spec.flags & bit != 0;
        packet.set_fin(has(FIN));
        packet.set_syn(has(SYN));
        packet.set_rst(has(RST));
        packet.set_psh(has(PSH));
        packet.set_ack(has(ACK));
        packet.set_urg(has(URG));
        packet.set_ece(has(ECE));
        packet.set_cwr(has(CWR));
        packet.set_window_len(spec.window);
        packet.set_urgent_at(0);
        seg[TCP_MIN_HEADER_LEN..header_len].copy_from_slice(options);
        let mut packet = TcpPacket::new_unchecked(&mut *seg);
        packet.payload_mut().copy_from_slice(payload);
        packet.fill_checksum(
            &IpAddress::Ipv4(*spec.src.ip()),
            &IpAddress::Ipv4(*spec.dst.ip()),
        );
        let header = IpHeader {
            src: *spec.src.ip(),
            dst: *spec.dst.ip(),
            proto: PROTO_TCP,
            payload_len: seg.len(),
            ttl,
            ident,
            dont_frag: true,
        };
        ip_by_smoltcp(ip, &header);
        buf
    }

    /// A UDP datagram as smoltcp's `UdpRepr` writes it.
    fn udp_by_smoltcp(
        src: SocketAddrV4,
        dst: SocketAddrV4,
        payload: &[u8],
        ttl: u8,
        ident: u16,
    ) -> Vec<u8> {
        let payload = clamp(payload, UDP_HEADER_LEN);
        let mut buf = vec![0; IPV4_MIN_HEADER_LEN + UDP_HEADER_LEN + payload.len()];
        let (ip, seg) = buf.split_at_mut(IPV4_MIN_HEADER_LEN);
        let repr = UdpRepr {
            src_port: src.port(),
            dst_port: dst.port(),
        };
        repr.emit(
            &mut UdpPacket::new_unchecked(&mut *seg),
            &IpAddress::Ipv4(*src.ip()),
            &IpAddress::Ipv4(*dst.ip()),
            payload.len(),
            |out| out.copy_from_slice(payload),
            &ChecksumCapabilities::default(),
        );
        let header = IpHeader {
            src: *src.ip(),
            dst: *dst.ip(),
            proto: PROTO_UDP,
            payload_len: seg.len(),
            ttl,
            ident,
            dont_frag: false,
        };
        ip_by_smoltcp(ip, &header);
        buf
    }

    /// An ICMP echo as smoltcp's `Icmpv4Repr` writes it.
    fn echo_by_smoltcp(spec: &EchoSpec, data: &[u8], ttl: u8, ip_ident: u16) -> Vec<u8> {
        use smoltcp::wire::Icmpv4Repr;
        let repr = if spec.reply {
            Icmpv4Repr::EchoReply {
                ident: spec.ident,
                seq_no: spec.seq,
                data,
            }
        } else {
            Icmpv4Repr::EchoRequest {
                ident: spec.ident,
                seq_no: spec.seq,
                data,
            }
        };
        let mut buf = vec![0; IPV4_MIN_HEADER_LEN + repr.buffer_len()];
        let (ip, seg) = buf.split_at_mut(IPV4_MIN_HEADER_LEN);
        repr.emit(
            &mut Icmpv4Packet::new_unchecked(&mut *seg),
            &ChecksumCapabilities::default(),
        );
        let header = IpHeader {
            src: spec.src,
            dst: spec.dst,
            proto: PROTO_ICMP,
            payload_len: seg.len(),
            ttl,
            ident: ip_ident,
            dont_frag: false,
        };
        ip_by_smoltcp(ip, &header);
        buf
    }

    /// The header `h` describes as smoltcp's `Ipv4Repr` writes it, with the
    /// identification and DF set afterwards.
    fn ip_by_smoltcp(buf: &mut [u8], h: &IpHeader) {
        use smoltcp::wire::{IpProtocol, Ipv4Packet, Ipv4Repr};
        let repr = Ipv4Repr {
            src_addr: h.src,
            dst_addr: h.dst,
            next_header: IpProtocol::from(h.proto),
            payload_len: h.payload_len,
            hop_limit: h.ttl,
        };
        let mut packet = Ipv4Packet::new_unchecked(buf);
        repr.emit(&mut packet, &ChecksumCapabilities::ignored());
        packet.set_ident(h.ident);
        packet.set_dont_frag(h.dont_frag);
        packet.fill_checksum();
    }

    proptest! {
        #[test]
        fn tcp_is_byte_for_byte_smoltcps(
            src in sock(), dst in sock(), seq in any::<u32>(), ack in any::<u32>(),
            flags in any::<u8>(), window in any::<u16>(), payload in payload(),
            blocks in proptest::collection::vec(any::<(u32, u32)>(), 0..5),
            ttl in any::<u8>(), ident in any::<u16>(),
        ) {
            let spec = TcpSpec { src, dst, seq, ack, flags, window };
            let built = tcp_sack(&spec, &payload, &blocks, ttl, ident);
            let n = blocks.len().min(MAX_SACK_BLOCKS);
            let len = tcp_sack_option_len(n);
            let options = &built[40..40 + len];
            prop_assert_eq!(&built[..], &tcp_by_smoltcp(&spec, options, &payload, ttl, ident)[..]);
            let syn = tcp_syn_options(&spec, 1460, Some(7), true, ttl, ident);
            prop_assert_eq!(&syn[..], &tcp_by_smoltcp(&spec, &syn[40..], &[], ttl, ident)[..]);
        }

        #[test]
        fn tcp_sack_fill_is_tcp_sack_of_the_same_bytes(
            src in sock(), dst in sock(), seq in any::<u32>(), len in 0usize..3000,
            salt in any::<u8>(), blocks in proptest::collection::vec(any::<(u32, u32)>(), 0..5),
        ) {
            let spec = TcpSpec { src, dst, seq, ack: 1, flags: 0x18, window: 512 };
            let byte = |i: u64| (i as u8).wrapping_mul(31) ^ salt;
            let payload: Vec<u8> = (0..len as u64).map(byte).collect();
            let fill = |buf: &mut Vec<u8>, n: usize| {
                buf.extend((0..n as u64).map(byte));
                checksum::sum(&buf[buf.len() - n..])
            };
            let filled = tcp_sack_fill(&spec, len, fill, &blocks, 64, 0);
            prop_assert_eq!(&filled[..], &tcp_sack(&spec, &payload, &blocks, 64, 0)[..]);
        }

        #[test]
        fn udp_is_byte_for_byte_smoltcps(
            src in sock(), dst in sock(), payload in payload(), ttl in any::<u8>(),
            ident in any::<u16>(),
        ) {
            let built = udp(src, dst, &payload, ttl, ident);
            prop_assert_eq!(&built[..], &udp_by_smoltcp(src, dst, &payload, ttl, ident)[..]);
        }

        #[test]
        fn icmp_echo_is_byte_for_byte_smoltcps(
            src in addr(), dst in addr(), reply in any::<bool>(), id in any::<u16>(),
            seq in any::<u16>(), payload in payload(), ttl in any::<u8>(), ip_ident in any::<u16>(),
        ) {
            let spec = EchoSpec { src, dst, reply, ident: id, seq };
            let built = icmp_echo(&spec, &payload, ttl, ip_ident);
            prop_assert_eq!(&built[..], &echo_by_smoltcp(&spec, &payload, ttl, ip_ident)[..]);
        }

        #[test]
        fn host_echo_is_icmp_echo_of_its_data(
            src in addr(), dst in addr(), reply in any::<bool>(), id in any::<u16>(),
            seq in any::<u16>(), ttl in any::<u8>(), ip_ident in any::<u16>(),
            old in payload(),
        ) {
            let spec = EchoSpec { src, dst, reply, ident: id, seq };
            // Into a buffer that held another packet, as a spare one did.
            let built = host_echo_into(BytesMut::from(&old[..]), &spec, ttl, ip_ident);
            let want = icmp_echo_into(BytesMut::new(), &spec, &ECHO_DATA, ttl, ip_ident);
            prop_assert_eq!(&built[..], &want[..]);
        }
    }

    #[test]
    fn host_echo_at_the_edges_is_icmp_echo_of_its_data() {
        assert_eq!(ECHO_DATA_SUM, checksum::sum(&ECHO_DATA));
        let addrs = [Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST, A, B];
        for (src, dst) in addrs
            .iter()
            .flat_map(|&s| addrs.iter().map(move |&d| (s, d)))
        {
            for reply in [false, true] {
                for (id, seq) in [(0, 0), (0xFFFF, 0xFFFF), (0, 0xFFFF), (0xA5A5, 0x5A5A)] {
                    for (ttl, ip_ident) in [(0, 0), (255, 0xFFFF), (64, 0)] {
                        let spec = EchoSpec {
                            src,
                            dst,
                            reply,
                            ident: id,
                            seq,
                        };
                        let built = host_echo_into(BytesMut::new(), &spec, ttl, ip_ident);
                        let want = icmp_echo(&spec, &ECHO_DATA, ttl, ip_ident);
                        assert_eq!(&built[..], &want[..], "{spec:?} {ttl} {ip_ident}");
                    }
                }
            }
        }
        // The identifier and sequence that make the message's sum all
        // ones, so that its checksum is zero, or (with the data's sum in
        // the identifier) zero, so that it is all ones.
        let ident = !ECHO_DATA_SUM;
        for seq in [0, 1, 0xFFFF] {
            for reply in [false, true] {
                let spec = EchoSpec {
                    src: A,
                    dst: B,
                    reply,
                    ident,
                    seq,
                };
                let built = host_echo_into(BytesMut::new(), &spec, 64, 0);
                assert_eq!(&built[..], &icmp_echo(&spec, &ECHO_DATA, 64, 0)[..]);
            }
        }
    }

    #[test]
    fn udp_whose_sum_is_zero_carries_negative_zero() {
        // RFC 768: a computed checksum of zero is sent as all ones, as
        // smoltcp sends it; zero would mean "no checksum".
        let (src, dst) = (SocketAddrV4::new(A, 53), SocketAddrV4::new(B, 40_000));
        let zeros = udp(src, dst, &[0, 0], 64, 0);
        // A payload word equal to the checksum of the zero payload makes
        // the sum all ones, and the checksum zero.
        let word = [zeros[26], zeros[27]];
        let built = udp(src, dst, &word, 64, 0);
        assert_eq!(built[26..28], [0xff, 0xff]);
        assert_eq!(&built[..], &udp_by_smoltcp(src, dst, &word, 64, 0)[..]);
    }

    #[test]
    fn udp_at_and_past_the_largest_datagram_is_smoltcps() {
        // Odd lengths, and payloads at and past what fits in 65,535 bytes,
        // which are cut to 65,507.
        let (src, dst) = (SocketAddrV4::new(A, 53), SocketAddrV4::new(B, 40_000));
        for len in [1, 3, 65_505, 65_507, 65_508, 70_001] {
            let data: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(37)).collect();
            let built = udp(src, dst, &data, 64, 1);
            assert_eq!(built.len(), (28 + len).min(65_535), "{len}");
            assert_eq!(
                &built[..],
                &udp_by_smoltcp(src, dst, &data, 64, 1)[..],
                "{len}"
            );
        }
    }

    #[test]
    fn icmp_echo_of_zeros_carries_negative_zero() {
        // An echo reply with identifier, sequence and data all zero sums to
        // zero: its checksum is 0xFFFF, as smoltcp writes it.
        let spec = EchoSpec {
            src: A,
            dst: B,
            reply: true,
            ident: 0,
            seq: 0,
        };
        let built = icmp_echo(&spec, &[0; 8], 64, 0);
        assert_eq!(built[22..24], [0xff, 0xff]);
        assert_eq!(&built[..], &echo_by_smoltcp(&spec, &[0; 8], 64, 0)[..]);
    }

    proptest! {
        #[test]
        fn tcp_round_trip(
            src in sock(), dst in sock(), seq in any::<u32>(), ack in any::<u32>(),
            flags in any::<u8>(), window in any::<u16>(), data in payload(),
            ttl in any::<u8>(), ident in any::<u16>(),
        ) {
            let spec = TcpSpec { src, dst, seq, ack, flags, window };
            let buf = tcp(&spec, &data, ttl, ident);
            let v = assert_built_ok(&buf)?;
            prop_assert_eq!((v.src, v.src_port), (*src.ip(), src.port()));
            prop_assert_eq!((v.dst, v.dst_port), (*dst.ip(), dst.port()));
            prop_assert_eq!((v.proto, v.ttl, v.tcp_flags), (PROTO_TCP, ttl, flags));
            prop_assert_eq!(usize::from(v.payload_len), data.len());
            prop_assert_eq!(&buf[4..6], &ident.to_be_bytes());
            prop_assert_eq!(&buf[24..28], &seq.to_be_bytes());
            prop_assert_eq!(&buf[28..32], &ack.to_be_bytes());
            prop_assert_eq!(&buf[34..36], &window.to_be_bytes());
            prop_assert_eq!(&buf[40..], &data[..]);
        }

        #[test]
        fn udp_round_trip(
            src in sock(), dst in sock(), data in payload(), ttl in any::<u8>(), ident in any::<u16>(),
        ) {
            let buf = udp(src, dst, &data, ttl, ident);
            let v = assert_built_ok(&buf)?;
            prop_assert_eq!((v.src, v.src_port), (*src.ip(), src.port()));
            prop_assert_eq!((v.dst, v.dst_port), (*dst.ip(), dst.port()));
            prop_assert_eq!((v.proto, v.ttl, v.tcp_flags), (PROTO_UDP, ttl, 0));
            prop_assert_eq!(usize::from(v.payload_len), data.len());
            prop_assert_ne!(&buf[26..28], &[0, 0]);
            prop_assert_eq!(&buf[28..], &data[..]);
        }

        #[test]
        fn icmp_echo_round_trip(
            src in addr(), dst in addr(), reply in any::<bool>(), ident in any::<u16>(),
            seq in any::<u16>(), data in payload(), ttl in any::<u8>(), ip_ident in any::<u16>(),
        ) {
            let spec = EchoSpec { src, dst, reply, ident, seq };
            let buf = icmp_echo(&spec, &data, ttl, ip_ident);
            let v = assert_built_ok(&buf)?;
            let ty = if reply { ICMP_ECHO_REPLY } else { ICMP_ECHO_REQUEST };
            prop_assert_eq!((v.src, v.dst, v.proto, v.ttl), (src, dst, PROTO_ICMP, ttl));
            prop_assert_eq!((v.icmp_type, v.icmp_code), (ty, 0));
            prop_assert_eq!((v.src_port, v.dst_port), (ident, ident));
            prop_assert_eq!(usize::from(v.payload_len), data.len());
            prop_assert_eq!(&buf[26..28], &seq.to_be_bytes());
            prop_assert_eq!(&buf[4..6], &ip_ident.to_be_bytes());
        }

        #[test]
        fn icmp_error_never_panics(
            original in proptest::collection::vec(any::<u8>(), 0..96),
            ty in any::<u8>(), code in any::<u8>(),
        ) {
            let err = icmp_error(ROUTER, &original, ty, code, 64);
            let v = parse(&err).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(transport_checksum_ok(&err));
            prop_assert_eq!((v.icmp_type, v.icmp_code), (ty, code));
            prop_assert!(usize::from(v.payload_len) <= original.len().min(68));
        }
    }
}
