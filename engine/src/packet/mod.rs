//! IPv4 packets as the simulated data plane sees them.
//!
//! A packet is a plain byte buffer holding one IPv4 datagram (no link-layer
//! header). The module is split the way a forwarding path uses it:
//!
//! * [`parse`] validates the IPv4 header the way a router does and returns a
//!   [`FlowView`], the handful of fields that route tables, security groups,
//!   network ACLs and NAT decide on.
//! * [`set_source`], [`set_destination`] and [`decrement_ttl`] rewrite a
//!   parsed packet in place, keeping every checksum valid by incremental
//!   update (RFC 1624); [`icmp_error_set_source`] and
//!   [`icmp_error_set_destination`] translate an ICMP error together with
//!   the packet it quotes, as a NAT does (RFC 5508).
//! * [`build`] constructs fresh packets for traffic sources and ICMP errors.
//! * [`checksum`] holds the RFC 1071 / RFC 1624 arithmetic.
//! * [`fragment`] cuts a datagram that does not fit a link into fragments
//!   and puts them back together at the receiver (RFC 791).
//!
//! Invariants shared by the whole module:
//!
//! * Nothing here panics, whatever the input bytes: malformed input is
//!   reported as [`Malformed`].
//! * Parsing and rewriting never allocate and do no I/O; only [`build`]
//!   allocates, because it creates packets.
//! * Bytes beyond the IPv4 total length are ignored and never modified.
//! * A rewrite keeps a checksum valid if it was valid before, and does not
//!   repair one that was already wrong: like a router, this module does not
//!   verify transport checksums on the forwarding path
//!   ([`transport_checksum_ok`] exists for endpoints and tests).

pub mod build;
pub mod checksum;
pub mod dns;
pub mod fragment;
mod rewrite;
#[cfg(test)]
mod testutil;
mod view;

#[cfg(test)]
pub(crate) use view::test_flow;

pub use rewrite::{
    IcmpQuote, clamp_mss, decrement_ttl, icmp_error_quote, icmp_error_set_destination,
    icmp_error_set_source, is_icmp_error, set_destination, set_source,
};
pub(crate) use view::parse_inlined;
pub use view::{FlowView, Fragment, Malformed, parse, transport_checksum_ok};

/// IP protocol number of ICMP.
pub const PROTO_ICMP: u8 = 1;
/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;

/// The largest UDP payload one IPv4 datagram carries: 65,535 bytes, the
/// most an IPv4 total length can say, less a 20-byte IPv4 header and an
/// 8-byte UDP header.
pub const MAX_UDP_PAYLOAD: usize = 65_507;

/// ICMP type of an echo reply.
pub const ICMP_ECHO_REPLY: u8 = 0;
/// ICMP type of a destination-unreachable error.
pub const ICMP_DEST_UNREACHABLE: u8 = 3;
/// ICMP type of an echo request.
pub const ICMP_ECHO_REQUEST: u8 = 8;
/// ICMP type of a time-exceeded error.
pub const ICMP_TIME_EXCEEDED: u8 = 11;

/// Bits of the TCP flags octet (byte 13 of the TCP header).
pub mod tcp_flags {
    /// No more data from sender.
    pub const FIN: u8 = 0x01;
    /// Synchronize sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push function.
    pub const PSH: u8 = 0x08;
    /// Acknowledgment field is significant.
    pub const ACK: u8 = 0x10;
    /// Urgent pointer field is significant.
    pub const URG: u8 = 0x20;
    /// ECN echo (RFC 3168).
    pub const ECE: u8 = 0x40;
    /// Congestion window reduced (RFC 3168).
    pub const CWR: u8 = 0x80;
}
