//! Validation of IPv4 datagrams and the flow fields the data plane decides on.
//!
//! [`parse`] accepts exactly the packets a router would forward: a well-formed
//! IPv4 header with a correct header checksum (options are allowed and
//! skipped), a total length that fits the buffer, and, when the packet
//! carries the start of a TCP, UDP or ICMP message, a transport header that
//! fits. Transport checksums are not checked on this path; see
//! [`transport_checksum_ok`].
//!
//! [`Layout`] is the structural part of that validation, shared with the
//! rewrite functions so that they can locate fields without re-verifying the
//! header checksum. Once a `Layout` has been built for a buffer, every offset
//! it implies lies inside the buffer.

use std::net::Ipv4Addr;

use super::checksum;
use super::{ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, PROTO_ICMP, PROTO_TCP, PROTO_UDP};

/// Where a packet sits in a fragmented datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fragment {
    /// Not fragmented: MF clear and offset zero.
    None,
    /// First fragment: MF set and offset zero. It carries the transport header.
    First,
    /// Any fragment with a non-zero offset. It carries no transport header.
    Later,
}

/// The fields of an IPv4 packet that forwarding decisions depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowView {
    /// IPv4 source address.
    pub src: Ipv4Addr,
    /// IPv4 destination address.
    pub dst: Ipv4Addr,
    /// IP protocol number.
    pub proto: u8,
    /// Time to live.
    pub ttl: u8,
    /// TCP/UDP source port; for ICMP echo request/reply the echo identifier
    /// (so that it can key NAT state like a port); otherwise 0.
    pub src_port: u16,
    /// TCP/UDP destination port; for ICMP echo request/reply the echo
    /// identifier, as in `src_port`; otherwise 0.
    pub dst_port: u16,
    /// ICMP type; 0 when not ICMP or a later fragment.
    pub icmp_type: u8,
    /// ICMP code; 0 when not ICMP or a later fragment.
    pub icmp_code: u8,
    /// TCP flags octet (see [`super::tcp_flags`]); 0 when not TCP.
    pub tcp_flags: u8,
    /// Fragment classification.
    pub fragment: Fragment,
    /// IPv4 total length.
    pub total_len: u16,
    /// Transport payload bytes in this packet: TCP data after the TCP header,
    /// UDP data, ICMP data after the 8-byte ICMP header. For later fragments
    /// and protocols this module does not know, the IP payload length.
    pub payload_len: u16,
    /// IPv4 header length in bytes (IHL * 4).
    pub header_len: u8,
}

/// Why a buffer is not an acceptable IPv4 packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed IPv4 packet: {0}")]
pub struct Malformed(pub &'static str);

/// Parses and validates the IPv4 packet at the start of `buf`.
///
/// Bytes beyond the IPv4 total length (e.g. link-layer padding) are ignored.
pub fn parse(buf: &[u8]) -> Result<FlowView, Malformed> {
    parse_inlined(buf)
}

/// [`parse`], inlined into its caller: the data plane's step, which parses
/// every packet it moves. Out of line, the view is returned through memory
/// a field at a time and read back in wider pieces, which the processor
/// cannot forward from its store buffer.
#[inline(always)]
pub(crate) fn parse_inlined(buf: &[u8]) -> Result<FlowView, Malformed> {
    let (ip, fixed) = IpLayout::read_fixed(buf)?;
    let header_sum = if ip.header_len == IPV4_MIN_HEADER_LEN {
        checksum::sum20(fixed)
    } else {
        checksum::sum(ip.header(buf))
    };
    if header_sum != 0xFFFF {
        return Err(Malformed("bad header checksum"));
    }
    let layout = Layout::complete(buf, ip)?;
    let seg = layout.segment(buf);

    // Every field is worked out before the view is made, once, rather than
    // zeros mended afterwards: fewer stores on every packet's path.
    let (src_port, dst_port, icmp_type, icmp_code, tcp_flags, payload_len) = match layout.transport
    {
        Transport::Tcp { header_len } => (
            be16(seg, 0),
            be16(seg, 2),
            0,
            0,
            byte(seg, 13),
            seg.len().saturating_sub(header_len),
        ),
        Transport::Udp { len } => (
            be16(seg, 0),
            be16(seg, 2),
            0,
            0,
            0,
            len.saturating_sub(UDP_HEADER_LEN),
        ),
        Transport::Icmp => {
            let (t, c) = (byte(seg, 0), byte(seg, 1));
            let ident = if is_echo(t) { be16(seg, 4) } else { 0 };
            (
                ident,
                ident,
                t,
                c,
                0,
                seg.len().saturating_sub(ICMP_HEADER_LEN),
            )
        }
        Transport::Opaque => (0, 0, 0, 0, 0, seg.len()),
    };
    Ok(FlowView {
        src: Ipv4Addr::new(fixed[12], fixed[13], fixed[14], fixed[15]),
        dst: Ipv4Addr::new(fixed[16], fixed[17], fixed[18], fixed[19]),
        proto: layout.ip.proto,
        ttl: fixed[8],
        src_port,
        dst_port,
        icmp_type,
        icmp_code,
        tcp_flags,
        fragment: layout.ip.fragment,
        total_len: len_u16(layout.ip.total_len),
        payload_len: len_u16(payload_len),
        header_len: u8::try_from(layout.ip.header_len).unwrap_or(u8::MAX),
    })
}

/// Whether the transport checksum of an unfragmented TCP, UDP or ICMP packet
/// is correct (TCP/UDP including the pseudo-header; a UDP checksum of 0 means
/// "none" and is accepted).
///
/// Fragments cannot be checked without reassembly and other protocols have
/// nothing to check, so both return `true`; a structurally malformed buffer
/// returns `false`. The IPv4 header checksum is not looked at.
pub fn transport_checksum_ok(buf: &[u8]) -> bool {
    let Ok(layout) = Layout::read(buf) else {
        return false;
    };
    if layout.ip.fragment != Fragment::None {
        return true;
    }
    let seg = layout.segment(buf);
    let (src, dst) = (addr_at(buf, 12), addr_at(buf, 16));
    match layout.transport {
        Transport::Tcp { .. } => {
            let pseudo = checksum::pseudo_header(src, dst, PROTO_TCP, len_u16(seg.len()));
            checksum::combine(&[pseudo, checksum::sum(seg)]) == 0xFFFF
        }
        Transport::Udp { len } => {
            if be16(seg, 6) == 0 {
                return true;
            }
            let pseudo = checksum::pseudo_header(src, dst, PROTO_UDP, len_u16(len));
            let covered = seg.get(..len).unwrap_or(seg);
            checksum::combine(&[pseudo, checksum::sum(covered)]) == 0xFFFF
        }
        Transport::Icmp => checksum::sum(seg) == 0xFFFF,
        Transport::Opaque => true,
    }
}

pub(crate) const IPV4_MIN_HEADER_LEN: usize = 20;
pub(crate) const TCP_MIN_HEADER_LEN: usize = 20;
pub(crate) const UDP_HEADER_LEN: usize = 8;
pub(crate) const ICMP_HEADER_LEN: usize = 8;

/// Echo request and reply carry an identifier that NAT treats as a port.
pub(crate) fn is_echo(icmp_type: u8) -> bool {
    icmp_type == ICMP_ECHO_REQUEST || icmp_type == ICMP_ECHO_REPLY
}

/// Structurally valid IPv4 header; the header checksum is not verified.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IpLayout {
    /// IHL * 4; at least 20 and within the buffer.
    pub header_len: usize,
    /// IPv4 total length; at least `header_len` and within the buffer.
    pub total_len: usize,
    pub proto: u8,
    pub fragment: Fragment,
}

impl IpLayout {
    #[inline]
    pub fn read(buf: &[u8]) -> Result<Self, Malformed> {
        Self::read_fixed(buf).map(|(ip, _)| ip)
    }

    /// [`Self::read`], and the first 20 bytes of the header.
    #[inline]
    fn read_fixed(buf: &[u8]) -> Result<(Self, &[u8; IPV4_MIN_HEADER_LEN]), Malformed> {
        let Some(h) = buf.first_chunk::<IPV4_MIN_HEADER_LEN>() else {
            return Err(Malformed("truncated"));
        };
        let ver_ihl = h[0];
        if ver_ihl >> 4 != 4 {
            return Err(Malformed("bad version"));
        }
        let header_len = usize::from(ver_ihl & 0x0F) * 4;
        if header_len < IPV4_MIN_HEADER_LEN {
            return Err(Malformed("ihl < 5"));
        }
        if header_len > buf.len() {
            return Err(Malformed("header beyond buffer"));
        }
        let total_len = usize::from(u16::from_be_bytes([h[2], h[3]]));
        if total_len < header_len {
            return Err(Malformed("total length < header length"));
        }
        if total_len > buf.len() {
            return Err(Malformed("total length beyond buffer"));
        }
        let flags_offset = u16::from_be_bytes([h[6], h[7]]);
        let more_fragments = flags_offset & 0x2000 != 0;
        let fragment = match (flags_offset & 0x1FFF, more_fragments) {
            (0, false) => Fragment::None,
            (0, true) => Fragment::First,
            _ => Fragment::Later,
        };
        let ip = Self {
            header_len,
            total_len,
            proto: h[9],
            fragment,
        };
        Ok((ip, h))
    }

    pub fn header<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(..self.header_len).unwrap_or_default()
    }
}

/// What the IP payload starts with, as far as this module cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    /// TCP header of `header_len` bytes (data offset * 4), inside the segment.
    Tcp { header_len: usize },
    /// UDP header; `len` is the UDP length field for unfragmented packets and
    /// the bytes present for first fragments. At least 8, within the segment.
    Udp { len: usize },
    /// ICMP message with at least the 8-byte header present.
    Icmp,
    /// Later fragment or another protocol: no header this module interprets.
    Opaque,
}

/// Structurally valid IPv4 packet and transport header.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    pub ip: IpLayout,
    pub transport: Transport,
}

impl Layout {
    pub fn read(buf: &[u8]) -> Result<Self, Malformed> {
        Self::complete(buf, IpLayout::read(buf)?)
    }

    #[inline]
    fn complete(buf: &[u8], ip: IpLayout) -> Result<Self, Malformed> {
        let mut layout = Self {
            ip,
            transport: Transport::Opaque,
        };
        if ip.fragment == Fragment::Later {
            return Ok(layout);
        }
        let seg = layout.segment(buf);
        layout.transport = match ip.proto {
            PROTO_TCP => {
                if seg.len() < TCP_MIN_HEADER_LEN {
                    return Err(Malformed("truncated transport header"));
                }
                let header_len = usize::from(byte(seg, 12) >> 4) * 4;
                if header_len < TCP_MIN_HEADER_LEN {
                    return Err(Malformed("tcp data offset < 5"));
                }
                if header_len > seg.len() {
                    return Err(Malformed("truncated transport header"));
                }
                Transport::Tcp { header_len }
            }
            PROTO_UDP => {
                if seg.len() < UDP_HEADER_LEN {
                    return Err(Malformed("truncated transport header"));
                }
                let len = if ip.fragment == Fragment::None {
                    // The UDP length may be shorter than the IP payload (the
                    // rest is padding) but never longer.
                    let len = usize::from(be16(seg, 4));
                    if len < UDP_HEADER_LEN || len > seg.len() {
                        return Err(Malformed("bad udp length"));
                    }
                    len
                } else {
                    // The length field describes the whole datagram, most of
                    // which is in later fragments.
                    seg.len()
                };
                Transport::Udp { len }
            }
            PROTO_ICMP => {
                if seg.len() < ICMP_HEADER_LEN {
                    return Err(Malformed("truncated transport header"));
                }
                Transport::Icmp
            }
            _ => Transport::Opaque,
        };
        Ok(layout)
    }

    /// The IP payload: from the end of the IP header to the total length.
    pub fn segment<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(self.ip.header_len..self.ip.total_len)
            .unwrap_or_default()
    }
}

// Bounds-checked field readers. Callers only use offsets that a `Layout`
// has shown to be in range; the fallbacks exist so that a logic error
// yields a wrong value rather than a panic.

#[inline]
pub(crate) fn byte(buf: &[u8], off: usize) -> u8 {
    buf.get(off).copied().unwrap_or(0)
}

#[inline]
pub(crate) fn be16(buf: &[u8], off: usize) -> u16 {
    match buf.get(off..off.saturating_add(2)) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

#[inline]
pub(crate) fn be32(buf: &[u8], off: usize) -> u32 {
    match buf.get(off..off.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

fn addr_at(buf: &[u8], off: usize) -> Ipv4Addr {
    Ipv4Addr::from(be32(buf, off))
}

/// Lengths inside a validated packet are bounded by the 16-bit total length.
fn len_u16(len: usize) -> u16 {
    u16::try_from(len).unwrap_or(u16::MAX)
}

/// A flow summary for unit tests of the components that decide on one.
#[cfg(test)]
pub(crate) fn test_flow(
    src: [u8; 4],
    sp: u16,
    dst: [u8; 4],
    dp: u16,
    proto: u8,
    flags: u8,
) -> FlowView {
    FlowView {
        src: Ipv4Addr::from(src),
        dst: Ipv4Addr::from(dst),
        proto,
        ttl: 64,
        src_port: sp,
        dst_port: dp,
        icmp_type: 0,
        icmp_code: 0,
        tcp_flags: flags,
        fragment: Fragment::None,
        total_len: 40,
        payload_len: 0,
        header_len: 20,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::tcp_flags::{ACK, SYN};
    use crate::packet::testutil::{SYN_HEX, WIKI_HEADER_HEX, fix_ip_checksum, hex};
    use proptest::prelude::*;

    #[test]
    fn real_tcp_syn() {
        let buf = hex(SYN_HEX);
        assert_eq!(buf.len(), 44);
        let v = parse(&buf).unwrap();
        assert_eq!(
            v,
            FlowView {
                src: Ipv4Addr::new(192, 168, 1, 10),
                dst: Ipv4Addr::new(93, 184, 216, 34),
                proto: PROTO_TCP,
                ttl: 64,
                src_port: 51514,
                dst_port: 443,
                icmp_type: 0,
                icmp_code: 0,
                tcp_flags: SYN,
                fragment: Fragment::None,
                total_len: 44,
                payload_len: 0,
                header_len: 20,
            }
        );
        assert!(transport_checksum_ok(&buf));
        assert_eq!(v.tcp_flags & ACK, 0);
    }

    #[test]
    fn real_tcp_syn_corrupted_payload_still_parses() {
        // Routers do not check transport checksums: parse accepts, the
        // separate check rejects.
        let mut buf = hex(SYN_HEX);
        buf[42] ^= 0x01;
        assert!(parse(&buf).is_ok());
        assert!(!transport_checksum_ok(&buf));
    }

    #[test]
    fn wikipedia_header_checksum() {
        let mut buf = hex(WIKI_HEADER_HEX);
        buf.resize(0x73, 0);
        // UDP length 95 = 115 - 20, checksum 0 ("none").
        buf[24..26].copy_from_slice(&95u16.to_be_bytes());
        let v = parse(&buf).unwrap();
        assert_eq!(v.proto, PROTO_UDP);
        assert_eq!(v.src, Ipv4Addr::new(192, 168, 0, 1));
        assert_eq!(v.dst, Ipv4Addr::new(192, 168, 0, 199));
        assert_eq!(v.payload_len, 87);
        assert!(transport_checksum_ok(&buf));
    }

    #[test]
    fn trailing_bytes_are_ignored() {
        let mut buf = hex(SYN_HEX);
        buf.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        let v = parse(&buf).unwrap();
        assert_eq!(v.total_len, 44);
        assert_eq!(v.payload_len, 0);
        assert!(transport_checksum_ok(&buf));
    }

    fn expect(buf: &[u8], reason: &'static str) {
        assert_eq!(parse(buf), Err(Malformed(reason)), "buffer {buf:02x?}");
    }

    #[test]
    fn malformed_ip_header() {
        let syn = hex(SYN_HEX);
        expect(&[], "truncated");
        expect(&syn[..19], "truncated");

        let mut b = syn.clone();
        b[0] = 0x65;
        expect(&b, "bad version");

        let mut b = syn.clone();
        b[0] = 0x44;
        expect(&b, "ihl < 5");

        let mut b = syn.clone();
        b[0] = 0x4f; // 60-byte header in a 44-byte buffer
        expect(&b, "header beyond buffer");

        let mut b = syn.clone();
        b[2..4].copy_from_slice(&19u16.to_be_bytes());
        expect(&b, "total length < header length");

        let mut b = syn.clone();
        b[2..4].copy_from_slice(&45u16.to_be_bytes());
        expect(&b, "total length beyond buffer");

        expect(&syn[..43], "total length beyond buffer");

        let mut b = syn.clone();
        b[8] = 63; // TTL changed without checksum update
        expect(&b, "bad header checksum");
    }

    #[test]
    fn malformed_transport_header() {
        let syn = hex(SYN_HEX);

        // TCP segment shorter than 20 bytes.
        let mut b = syn[..30].to_vec();
        b[2..4].copy_from_slice(&30u16.to_be_bytes());
        fix_ip_checksum(&mut b);
        expect(&b, "truncated transport header");

        // Data offset below 5.
        let mut b = syn.clone();
        b[32] = 0x40;
        expect(&b, "tcp data offset < 5");

        // Data offset past the end of the packet.
        let mut b = syn.clone();
        b[32] = 0xf0;
        expect(&b, "truncated transport header");

        // UDP with only 4 bytes of header.
        let mut b = syn[..24].to_vec();
        b[2..4].copy_from_slice(&24u16.to_be_bytes());
        b[9] = PROTO_UDP;
        fix_ip_checksum(&mut b);
        expect(&b, "truncated transport header");

        // UDP length beyond the IP payload, and below the header size.
        let mut b = syn.clone();
        b[9] = PROTO_UDP;
        fix_ip_checksum(&mut b);
        b[24..26].copy_from_slice(&25u16.to_be_bytes());
        expect(&b, "bad udp length");
        b[24..26].copy_from_slice(&7u16.to_be_bytes());
        expect(&b, "bad udp length");
        b[24..26].copy_from_slice(&24u16.to_be_bytes());
        assert!(parse(&b).is_ok());

        // ICMP with a 4-byte header.
        let mut b = syn[..24].to_vec();
        b[2..4].copy_from_slice(&24u16.to_be_bytes());
        b[9] = PROTO_ICMP;
        fix_ip_checksum(&mut b);
        expect(&b, "truncated transport header");
    }

    #[test]
    fn unknown_protocol_needs_no_transport_header() {
        let mut b = hex(SYN_HEX)[..20].to_vec();
        b[2..4].copy_from_slice(&20u16.to_be_bytes());
        b[9] = 47; // GRE
        fix_ip_checksum(&mut b);
        let v = parse(&b).unwrap();
        assert_eq!((v.proto, v.src_port, v.payload_len), (47, 0, 0));
        assert!(transport_checksum_ok(&b));
    }

    #[test]
    fn ip_options_are_skipped() {
        // Insert a 4-byte Router Alert option: IHL 6.
        let syn = hex(SYN_HEX);
        let mut b = syn[..20].to_vec();
        b.extend_from_slice(&[0x94, 0x04, 0x00, 0x00]);
        b.extend_from_slice(&syn[20..]);
        b[0] = 0x46;
        b[2..4].copy_from_slice(&48u16.to_be_bytes());
        fix_ip_checksum(&mut b);
        let v = parse(&b).unwrap();
        assert_eq!(v.header_len, 24);
        assert_eq!(v.total_len, 48);
        assert_eq!((v.src_port, v.dst_port, v.tcp_flags), (51514, 443, SYN));
        assert!(transport_checksum_ok(&b));

        // The option bytes are covered by the header checksum.
        b[22] ^= 0xff;
        expect(&b, "bad header checksum");
    }

    #[test]
    fn fragments_are_classified() {
        let syn = hex(SYN_HEX);
        let set_frag = |b: &mut Vec<u8>, v: u16| {
            b[6..8].copy_from_slice(&v.to_be_bytes());
            fix_ip_checksum(b);
        };

        let mut first = syn.clone();
        set_frag(&mut first, 0x2000); // MF, offset 0
        let v = parse(&first).unwrap();
        assert_eq!(v.fragment, Fragment::First);
        assert_eq!((v.src_port, v.dst_port, v.tcp_flags), (51514, 443, SYN));
        assert!(transport_checksum_ok(&first));

        // Later fragments carry no transport header, so a short one is fine.
        let mut later = syn[..28].to_vec();
        later[2..4].copy_from_slice(&28u16.to_be_bytes());
        set_frag(&mut later, 0x2000 | 185); // MF, offset 1480
        let v = parse(&later).unwrap();
        assert_eq!(v.fragment, Fragment::Later);
        assert_eq!((v.src_port, v.dst_port, v.tcp_flags), (0, 0, 0));
        assert_eq!(v.payload_len, 8);
        assert!(transport_checksum_ok(&later));

        let mut last = later.clone();
        set_frag(&mut last, 185); // final fragment: MF clear, offset > 0
        assert_eq!(parse(&last).unwrap().fragment, Fragment::Later);

        // DF alone is not fragmentation.
        let mut df = syn.clone();
        set_frag(&mut df, 0x4000);
        assert_eq!(parse(&df).unwrap().fragment, Fragment::None);

        // A first fragment must still hold the whole TCP header.
        let mut short_first = syn[..30].to_vec();
        short_first[2..4].copy_from_slice(&30u16.to_be_bytes());
        set_frag(&mut short_first, 0x2000);
        expect(&short_first, "truncated transport header");
    }

    #[test]
    fn udp_first_fragment_payload_is_what_is_present() {
        let mut b = hex(WIKI_HEADER_HEX);
        b.resize(0x73, 0);
        b[6..8].copy_from_slice(&0x2000u16.to_be_bytes());
        // UDP length of the whole datagram, larger than this fragment.
        b[24..26].copy_from_slice(&3000u16.to_be_bytes());
        fix_ip_checksum(&mut b);
        let v = parse(&b).unwrap();
        assert_eq!(v.fragment, Fragment::First);
        assert_eq!(v.payload_len, 95 - 8);
        assert!(transport_checksum_ok(&b));
    }

    #[test]
    fn transport_checksum_rejects_malformed() {
        assert!(!transport_checksum_ok(&[]));
        assert!(!transport_checksum_ok(&hex(SYN_HEX)[..30]));
    }

    proptest! {
        #[test]
        fn parse_never_panics(buf in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = parse(&buf);
            let _ = transport_checksum_ok(&buf);
        }

        #[test]
        fn parse_never_panics_on_plausible_headers(
            mut buf in proptest::collection::vec(any::<u8>(), 20..128),
            ihl in 5u8..=15,
            proto in prop::sample::select(vec![PROTO_ICMP, PROTO_TCP, PROTO_UDP, 47]),
        ) {
            // Random bytes almost never get past the version and checksum
            // checks; force them through to exercise the transport paths.
            let total = u16::try_from(buf.len()).unwrap();
            buf[0] = 0x40 | ihl;
            buf[2..4].copy_from_slice(&total.to_be_bytes());
            buf[9] = proto;
            if usize::from(ihl) * 4 <= buf.len() {
                fix_ip_checksum(&mut buf);
            }
            let _ = parse(&buf);
            let _ = transport_checksum_ok(&buf);
        }
    }
}
