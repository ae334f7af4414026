//! In-place header rewrites for NAT and forwarding.
//!
//! Every function takes a buffer that [`super::parse`] accepted, changes a
//! few header fields and adjusts the affected checksums by RFC 1624
//! incremental update, so the cost does not depend on the payload size.
//! Given a buffer with correct checksums, the result has correct checksums
//! equal bit-for-bit to a full recomputation. Structural problems found on
//! the way are reported as [`Malformed`] before anything is written, so a
//! failed call leaves the buffer untouched.
//!
//! What gets updated:
//!
//! * The IPv4 header checksum, always.
//! * The TCP/UDP checksum, for unfragmented packets and first fragments:
//!   it covers the addresses through the pseudo-header and, being carried
//!   in the first fragment, can be fixed there for the whole datagram.
//!   A UDP checksum of 0 means "none" and stays 0.
//! * The ICMP checksum, only when an echo identifier changes: it has no
//!   pseudo-header, so address changes do not affect it.
//!
//! Later fragments carry no transport header; only their IPv4 header
//! changes and a requested port is ignored, as it is for any packet whose
//! [`super::FlowView`] reports no ports.
//!
//! ICMP error messages (destination unreachable, time exceeded) quote the
//! offending packet's IPv4 header and first 8 payload bytes. The rewrites
//! above leave the quote untouched. A NAT translates it too (RFC 5508):
//! [`icmp_error_quote`] reads the connection a quote is about, and
//! [`icmp_error_set_destination`] and [`icmp_error_set_source`] rewrite an
//! outer address together with the quoted address and port that stand for
//! the same endpoint, fixing the outer IPv4 header checksum, the quoted IPv4
//! header checksum, the quoted UDP checksum or echo checksum (TCP's is not
//! in the 8 quoted bytes) and the ICMP checksum, which is recomputed over
//! the message (errors are rare; no allocation).

use std::net::Ipv4Addr;

use super::checksum::{self, update16, update32};
use super::view::{IpLayout, Layout, Malformed, Transport, be16, be32, byte, is_echo};

/// Offsets within the IPv4 header.
const IP_TTL: usize = 8;
const IP_CHECKSUM: usize = 10;
const IP_SRC: usize = 12;
const IP_DST: usize = 16;

/// Offsets within the transport header.
const TCP_CHECKSUM: usize = 16;
const UDP_CHECKSUM: usize = 6;
const ICMP_CHECKSUM: usize = 2;
const ICMP_ECHO_IDENT: usize = 4;

/// Rewrites the source address and, if `port` is given, the TCP/UDP source
/// port or ICMP echo identifier.
pub fn set_source(buf: &mut [u8], addr: Ipv4Addr, port: Option<u16>) -> Result<(), Malformed> {
    set_endpoint(buf, Side::Source, addr, port)
}

/// Rewrites the destination address and, if `port` is given, the TCP/UDP
/// destination port or ICMP echo identifier.
pub fn set_destination(buf: &mut [u8], addr: Ipv4Addr, port: Option<u16>) -> Result<(), Malformed> {
    set_endpoint(buf, Side::Destination, addr, port)
}

/// The connection an ICMP error message is about: the protocol, addresses
/// and ports of the packet it quotes. For a quoted ICMP echo message both
/// ports are its identifier, as in [`super::FlowView`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpQuote {
    pub proto: u8,
    pub src: Ipv4Addr,
    pub src_port: u16,
    pub dst: Ipv4Addr,
    pub dst_port: u16,
}

/// Whether an ICMP type is an error that quotes a packet: destination
/// unreachable (type 3, "fragmentation needed" among them) or time
/// exceeded (type 11).
pub fn is_icmp_error(icmp_type: u8) -> bool {
    icmp_type == super::ICMP_DEST_UNREACHABLE || icmp_type == super::ICMP_TIME_EXCEEDED
}

/// Where the quote of an ICMP error lies in `buf`: the offset of the
/// quoted IPv4 header and its length.
struct QuoteAt {
    /// Offset of the ICMP message.
    icmp: usize,
    /// End of the ICMP message (the IPv4 total length).
    end: usize,
    /// Offset of the quoted IPv4 header.
    ip: usize,
    /// Its length (IHL * 4).
    ip_len: usize,
    proto: u8,
}

/// The quote of an unfragmented ICMP error: a quoted IPv4 header with a
/// valid checksum (RFC 5508 has a NAT drop an error whose embedded header
/// fails it), not a later fragment, of TCP, UDP or ICMP echo, with the 8
/// transport bytes RFC 792 asks for.
fn quote_at(buf: &[u8]) -> Option<QuoteAt> {
    let layout = Layout::read(buf).ok()?;
    if layout.transport != Transport::Icmp || layout.ip.fragment != super::Fragment::None {
        return None;
    }
    let icmp = layout.ip.header_len;
    if !is_icmp_error(byte(buf, icmp)) {
        return None;
    }
    let end = layout.ip.total_len;
    let ip = icmp + ICMP_QUOTE;
    let ver_ihl = byte(buf, ip);
    let ip_len = usize::from(ver_ihl & 0x0F) * 4;
    if ver_ihl >> 4 != 4 || ip_len < 20 || ip + ip_len + QUOTED_TRANSPORT > end {
        return None;
    }
    if checksum::sum(buf.get(ip..ip + ip_len)?) != 0xFFFF {
        return None;
    }
    // A later fragment carries no ports to match.
    if be16(buf, ip + 6) & 0x1FFF != 0 {
        return None;
    }
    let proto = byte(buf, ip + 9);
    match proto {
        super::PROTO_TCP | super::PROTO_UDP => {}
        super::PROTO_ICMP if is_echo(byte(buf, ip + ip_len)) => {}
        _ => return None,
    }
    Some(QuoteAt {
        icmp,
        end,
        ip,
        ip_len,
        proto,
    })
}

/// The connection the ICMP error in `buf` quotes; `None` when `buf` is not
/// an ICMP error (type 3 or 11) or its quote is not one of TCP, UDP or ICMP
/// echo with a sound IPv4 header and 8 transport bytes.
pub fn icmp_error_quote(buf: &[u8]) -> Option<IcmpQuote> {
    let q = quote_at(buf)?;
    let t = q.ip + q.ip_len;
    let (src_port, dst_port) = if q.proto == super::PROTO_ICMP {
        let ident = be16(buf, t + ICMP_ECHO_IDENT);
        (ident, ident)
    } else {
        (be16(buf, t), be16(buf, t + 2))
    };
    Some(IcmpQuote {
        proto: q.proto,
        src: Ipv4Addr::from(be32(buf, q.ip + IP_SRC)),
        src_port,
        dst: Ipv4Addr::from(be32(buf, q.ip + IP_DST)),
        dst_port,
    })
}

/// Rewrites an ICMP error's destination address and, with it, the quoted
/// packet's source address and port (or echo identifier): the endpoint the
/// error goes back to. A NAT does this to an error from outside about a
/// packet it translated (RFC 5508).
pub fn icmp_error_set_destination(
    buf: &mut [u8],
    addr: Ipv4Addr,
    port: u16,
) -> Result<(), Malformed> {
    set_icmp_error_endpoint(buf, Side::Destination, addr, port)
}

/// Rewrites an ICMP error's source address and, with it, the quoted
/// packet's destination address and port (or echo identifier): the
/// endpoint that sends the error about a packet it received. A NAT does
/// this to an error from inside about a reply it translated (RFC 5508).
pub fn icmp_error_set_source(buf: &mut [u8], addr: Ipv4Addr, port: u16) -> Result<(), Malformed> {
    set_icmp_error_endpoint(buf, Side::Source, addr, port)
}

/// Bytes of the ICMP error header before the quote.
const ICMP_QUOTE: usize = 8;
/// Transport bytes an ICMP error quotes (RFC 792).
const QUOTED_TRANSPORT: usize = 8;

fn set_icmp_error_endpoint(
    buf: &mut [u8],
    side: Side,
    addr: Ipv4Addr,
    port: u16,
) -> Result<(), Malformed> {
    let q = quote_at(buf).ok_or(Malformed("not an ICMP error quoting TCP, UDP or echo"))?;
    // The outer address changes on `side`; in the quote, the same endpoint
    // is on the other side.
    let (outer_off, quoted_off, port_off) = match side {
        Side::Destination => (IP_DST, q.ip + IP_SRC, 0),
        Side::Source => (IP_SRC, q.ip + IP_DST, 2),
    };
    let new_addr = u32::from(addr);
    let old_outer = be32(buf, outer_off);
    let outer_csum = update32(be16(buf, IP_CHECKSUM), old_outer, new_addr);
    let old_quoted = be32(buf, quoted_off);
    let quoted_csum = update32(be16(buf, q.ip + IP_CHECKSUM), old_quoted, new_addr);
    let t = q.ip + q.ip_len;
    // The quoted transport field that holds the port, and its checksum
    // when the 8 quoted bytes hold one.
    let (port_at, transport_csum) = match q.proto {
        super::PROTO_UDP => {
            let at = t + port_off;
            let old = be16(buf, t + UDP_CHECKSUM);
            let csum = if old == 0 {
                0
            } else {
                let c = update32(old, old_quoted, new_addr);
                checksum::udp_wire(update16(c, be16(buf, at), port))
            };
            (at, Some((t + UDP_CHECKSUM, csum)))
        }
        super::PROTO_ICMP => {
            let at = t + ICMP_ECHO_IDENT;
            let csum = update16(be16(buf, t + ICMP_CHECKSUM), be16(buf, at), port);
            (at, Some((t + ICMP_CHECKSUM, csum)))
        }
        // TCP's checksum is at offset 16, beyond the quoted 8 bytes.
        _ => (t + port_off, None),
    };
    put32(buf, outer_off, new_addr)?;
    put16(buf, IP_CHECKSUM, outer_csum)?;
    put32(buf, quoted_off, new_addr)?;
    put16(buf, q.ip + IP_CHECKSUM, quoted_csum)?;
    put16(buf, port_at, port)?;
    if let Some((at, csum)) = transport_csum {
        put16(buf, at, csum)?;
    }
    // The ICMP checksum covers the whole quote.
    put16(buf, q.icmp + ICMP_CHECKSUM, 0)?;
    let csum = checksum::compute(buf.get(q.icmp..q.end).unwrap_or_default());
    put16(buf, q.icmp + ICMP_CHECKSUM, csum)
}

/// Decrements the TTL and returns the new value.
///
/// A result of 0 means the packet must not be forwarded (its TTL was 1); a
/// packet that already has TTL 0 is left unchanged and also yields 0.
pub fn decrement_ttl(buf: &mut [u8]) -> Result<u8, Malformed> {
    // Only the IPv4 header is touched, so only it needs to be sound.
    IpLayout::read(buf)?;
    let ttl = byte(buf, IP_TTL);
    if ttl == 0 {
        return Ok(0);
    }
    let new_ttl = ttl - 1;
    // TTL shares its checksummed 16-bit word with the protocol number.
    let proto = byte(buf, IP_TTL + 1);
    let old_word = u16::from_be_bytes([ttl, proto]);
    let new_word = u16::from_be_bytes([new_ttl, proto]);
    let csum = update16(be16(buf, IP_CHECKSUM), old_word, new_word);
    put8(buf, IP_TTL, new_ttl)?;
    put16(buf, IP_CHECKSUM, csum)?;
    Ok(new_ttl)
}

/// Lowers the MSS option of a TCP SYN (or SYN-ACK) to `max` where it offers
/// more, fixing the TCP checksum; returns whether it changed. Anything else
/// (no SYN, no MSS option, a fragment) is left as it is.
pub fn clamp_mss(buf: &mut [u8], max: u16) -> Result<bool, Malformed> {
    let layout = Layout::read(buf)?;
    let Transport::Tcp { header_len } = layout.transport else {
        return Ok(false);
    };
    let tcp = layout.ip.header_len;
    if byte(buf, tcp + 13) & super::tcp_flags::SYN == 0 {
        return Ok(false);
    }
    // Walk the options for kind 2 (MSS, length 4).
    let mut at = tcp + 20;
    let end = tcp + header_len;
    while at < end {
        match byte(buf, at) {
            0 => break,
            1 => at += 1,
            kind => {
                let len = usize::from(*buf.get(at + 1).ok_or(Malformed("truncated"))?);
                if len < 2 || at + len > end {
                    return Err(Malformed("bad tcp option"));
                }
                if kind == 2 && len == 4 {
                    let mss = be16(buf, at + 2);
                    if mss <= max {
                        return Ok(false);
                    }
                    // The sum counts 16-bit words from the header's start:
                    // a field at an odd offset (after one NOP) straddles two
                    // of them, and adds in with its bytes swapped.
                    let (old, new) = if (at + 2 - tcp) % 2 == 0 {
                        (mss, max)
                    } else {
                        (mss.swap_bytes(), max.swap_bytes())
                    };
                    let csum = update16(be16(buf, tcp + TCP_CHECKSUM), old, new);
                    put16(buf, at + 2, max)?;
                    put16(buf, tcp + TCP_CHECKSUM, csum)?;
                    return Ok(true);
                }
                at += len;
            }
        }
    }
    Ok(false)
}

#[derive(Clone, Copy)]
enum Side {
    Source,
    Destination,
}

fn set_endpoint(
    buf: &mut [u8],
    side: Side,
    addr: Ipv4Addr,
    port: Option<u16>,
) -> Result<(), Malformed> {
    let layout = Layout::read(buf)?;
    let (addr_off, port_off) = match side {
        Side::Source => (IP_SRC, 0),
        Side::Destination => (IP_DST, 2),
    };
    let old_addr = be32(buf, addr_off);
    let new_addr = u32::from(addr);
    let ip_csum = update32(be16(buf, IP_CHECKSUM), old_addr, new_addr);

    let l4 = layout.ip.header_len;
    // Every update is derived from the old field values, so all of them are
    // computed before the first write.
    let transport = match layout.transport {
        Transport::Tcp { .. } => {
            let csum = update32(be16(buf, l4 + TCP_CHECKSUM), old_addr, new_addr);
            let (csum, port) = port_update(buf, l4 + port_off, port, csum);
            Some((l4 + TCP_CHECKSUM, csum, port))
        }
        Transport::Udp { .. } => {
            let old_csum = be16(buf, l4 + UDP_CHECKSUM);
            let csum = if old_csum == 0 {
                // No checksum: stays absent, whatever else changes.
                0
            } else {
                let csum = update32(old_csum, old_addr, new_addr);
                checksum::udp_wire(port_update(buf, l4 + port_off, port, csum).0)
            };
            let port = port.map(|p| (l4 + port_off, p));
            Some((l4 + UDP_CHECKSUM, csum, port))
        }
        // Without a new identifier nothing the ICMP checksum covers changes.
        Transport::Icmp if port.is_some() && is_echo(byte(buf, l4)) => {
            let csum = be16(buf, l4 + ICMP_CHECKSUM);
            let (csum, port) = port_update(buf, l4 + ICMP_ECHO_IDENT, port, csum);
            Some((l4 + ICMP_CHECKSUM, csum, port))
        }
        Transport::Icmp | Transport::Opaque => None,
    };

    put32(buf, addr_off, new_addr)?;
    put16(buf, IP_CHECKSUM, ip_csum)?;
    if let Some((csum_off, csum, port)) = transport {
        if let Some((port_off, port)) = port {
            put16(buf, port_off, port)?;
        }
        put16(buf, csum_off, csum)?;
        if layout.transport == Transport::Icmp && csum == 0 {
            fix_all_zero_icmp(buf, &layout);
        }
    }
    Ok(())
}

/// Folds an optional change of the 16-bit field at `off` into `csum`, and
/// returns the write to make.
fn port_update(
    buf: &[u8],
    off: usize,
    port: Option<u16>,
    csum: u16,
) -> (u16, Option<(usize, u16)>) {
    match port {
        Some(new) => (update16(csum, be16(buf, off), new), Some((off, new))),
        None => (csum, None),
    }
}

/// RFC 1624's incremental update can produce `0x0000` where recomputation
/// gives `0xFFFF` only when the covered data is entirely zero. That cannot
/// happen for IPv4 or TCP/UDP (version and protocol numbers are non-zero),
/// but an echo reply with identifier, sequence number and data all zero is
/// exactly that; receivers reject such a message carrying `0x0000`.
/// The scan stops at the first non-zero byte, so it is cheap even when the
/// checksum is 0 for the ordinary reason.
fn fix_all_zero_icmp(buf: &mut [u8], layout: &Layout) {
    let seg = layout.segment(buf);
    if seg.iter().all(|&b| b == 0) {
        let _ = put16(buf, layout.ip.header_len + ICMP_CHECKSUM, 0xFFFF);
    }
}

fn put8(buf: &mut [u8], off: usize, value: u8) -> Result<(), Malformed> {
    put(buf, off, &[value])
}

fn put16(buf: &mut [u8], off: usize, value: u16) -> Result<(), Malformed> {
    put(buf, off, &value.to_be_bytes())
}

fn put32(buf: &mut [u8], off: usize, value: u32) -> Result<(), Malformed> {
    put(buf, off, &value.to_be_bytes())
}

fn put(buf: &mut [u8], off: usize, bytes: &[u8]) -> Result<(), Malformed> {
    buf.get_mut(off..off.saturating_add(bytes.len()))
        .ok_or(Malformed("truncated"))?
        .copy_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
#[path = "rewrite_tests.rs"]
mod tests;
