//! NAT gateways (NAT-1..NAT-9): source NAT with port allocation.
//!
//! A mapping ties an inside (address, port) talking to a destination
//! (address, port, protocol) to an outside port of the gateway's address.
//! Ports come from 1024-65535, at most 55,000 per destination (NAT-5). A new
//! mapping's port is drawn from the run's seed and the flow (NAT-5a): spread
//! over the whole range, not handed out upward, and the same for the same
//! seed and flow whatever the thread count; a port in use is passed over to
//! the next free one. Mappings idle
//! for 350 s expire (NAT-6); expiry is lazy, at the next packet of the flow,
//! which is exactly when AWS answers with a RST. A TCP mapping that has seen
//! a RST or both FINs is released after [`CLOSED_LINGER`] (unconfirmed in
//! AWS's documentation; documented in `docs/aws-differences.md`). For ICMP echo
//! the identifier plays the port (NAT-4). An ICMP error about a packet of
//! a connection is translated with the packet it quotes, found by the
//! quote's protocol, ports and remote address; one that quotes no live
//! connection is dropped (NAT-4a).
//!
//! A public NAT gateway lowers the MSS option of a TCP SYN it translates
//! out to 1460, what the internet gateway's 1500-byte link carries, the
//! checksum fixed (NAT-4b).
//!
//! Its capacity (NAT-8, [`CAPACITY`]) starts at 5 Gbps and 1 M packets/s
//! and scales up under sustained load to 100 Gbps and 10 M packets/s; the
//! engine's server of its ENI does the scaling.
//!
//! The peaks of mappings and of ports towards one destination are kept for
//! the whole run, and for each window an expectation bounds them over
//! ([`NatWindow`]): the table as it stands when the window opens (nothing
//! changed between its start and the first change after it), then each new
//! mapping made while it lasts.

use crate::hashing::FastMap;
use crate::packet::{FlowView, PROTO_ICMP, PROTO_TCP, tcp_flags};
use crate::units::Nanos;

pub const PORT_LO: u16 = 1024;
pub const PORT_HI: u16 = 65535;
/// Simultaneous connections per destination and address (NAT-5).
pub const PER_DESTINATION: u32 = 55_000;
/// Idle timeout (NAT-6).
pub const IDLE_TIMEOUT: Nanos = Nanos::from_secs(350);
/// How long a closed TCP mapping keeps its port.
pub const CLOSED_LINGER: Nanos = Nanos::from_secs(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatError {
    /// No free port towards that destination (`nat_port_exhausted`).
    PortsExhausted,
    /// The mapping was idle past its timeout, or a TCP packet that does not
    /// open a connection has no mapping (`nat_connection_expired`).
    Expired,
    /// An inbound packet that no mapping expects (NAT-3).
    Unsolicited,
}

const FIN_OUT: u8 = 1;
const FIN_IN: u8 = 2;
const CLOSED: u8 = 4;

/// A mapping's state as each direction keeps it: the outbound side in
/// `out` (with the outside port), the reply side in `inn` (with the inside
/// address and port). Each side refreshes only its own `last`, so a packet
/// of an active flow costs one lookup either way; the mapping was last used
/// at the later of the two. The flags change only with a FIN or a RST, and
/// are then written to both sides, so both always hold the same flags.
#[derive(Clone, Copy, Debug)]
struct Mapping {
    ext_port: u16,
    flags: u8,
    last: u64,
}

#[derive(Clone, Copy, Debug)]
struct Back {
    inside: u32,
    inside_port: u16,
    flags: u8,
    last: u64,
}

fn limit(flags: u8) -> Nanos {
    if flags & CLOSED != 0 {
        CLOSED_LINGER
    } else {
        IDLE_TIMEOUT
    }
}

/// Whether a mapping last used at `last`, with `flags`, has expired.
fn expired(flags: u8, last: u64, now: Nanos) -> bool {
    now.0.saturating_sub(last) > limit(flags).0
}

/// Whether the packet may change the flags (a TCP FIN or RST).
fn closes(p: &FlowView) -> bool {
    p.proto == PROTO_TCP && p.tcp_flags & (tcp_flags::FIN | tcp_flags::RST) != 0
}

/// The flags after a packet.
fn flags_after(mut flags: u8, p: &FlowView, outbound: bool) -> u8 {
    if p.proto == PROTO_TCP {
        if p.tcp_flags & tcp_flags::RST != 0 {
            flags |= CLOSED;
        }
        if p.tcp_flags & tcp_flags::FIN != 0 {
            flags |= if outbound { FIN_OUT } else { FIN_IN };
        }
        if flags & (FIN_OUT | FIN_IN) == FIN_OUT | FIN_IN {
            flags |= CLOSED;
        }
    }
    flags
}

#[derive(Clone, Copy, Debug, Default)]
struct Destination {
    in_use: u32,
}

/// SplitMix64's finaliser: a well-mixed 64-bit value from any input.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn ports_of(p: &FlowView) -> (u16, u16) {
    // For ICMP echo both "ports" are the identifier; the remote side has none.
    if p.proto == PROTO_ICMP {
        (p.src_port, 0)
    } else {
        (p.src_port, p.dst_port)
    }
}

fn out_key(proto: u8, inside: u32, inside_port: u16, remote: u32, remote_port: u16) -> u128 {
    (u128::from(proto) << 96)
        | (u128::from(inside) << 64)
        | (u128::from(inside_port) << 48)
        | (u128::from(remote) << 16)
        | u128::from(remote_port)
}

fn in_key(proto: u8, ext_port: u16, remote: u32, remote_port: u16) -> u128 {
    (u128::from(proto) << 64)
        | (u128::from(ext_port) << 48)
        | (u128::from(remote) << 16)
        | u128::from(remote_port)
}

fn dest_key(proto: u8, remote: u32, remote_port: u16) -> u64 {
    (u64::from(proto) << 48) | (u64::from(remote) << 16) | u64::from(remote_port)
}

/// The translation state of one NAT gateway.
#[derive(Debug, Default)]
pub struct NatTable {
    out: FastMap<u128, Mapping>,
    inn: FastMap<u128, Back>,
    dests: FastMap<u64, Destination>,
    /// Peak of simultaneous mappings.
    pub peak: usize,
    /// Mappings created.
    pub created: u64,
    /// Peak of ports in use towards one destination.
    pub peak_ports: u32,
    /// The run's seed, from which ports are drawn (NAT-5a).
    seed: u64,
    /// The windows over which an expectation bounds the peaks.
    pub windows: Vec<NatWindow>,
}

/// The peaks of a NAT gateway over a window of the run, for the
/// `nat_connections` and `nat_ports` bounds of expectation `expect`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NatWindow {
    pub expect: u32,
    pub from: Nanos,
    pub until: Nanos,
    /// Whether the window has opened: the table as it was at `from` is
    /// counted.
    pub opened: bool,
    pub peak: usize,
    pub peak_ports: u32,
}

impl NatTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// A table whose ports are drawn from `seed` (NAT-5a).
    pub fn with_seed(seed: u64) -> Self {
        NatTable {
            seed: mix(seed ^ 0x4e41_5447_5750_4f52),
            ..Self::default()
        }
    }

    /// Forgets every mapping (the gateway was deleted), keeping the counters.
    pub fn clear(&mut self) {
        self.out.clear();
        self.inn.clear();
        self.dests.clear();
    }

    /// Watches the peaks over `[from, until]` for expectation `expect`.
    pub fn watch_window(&mut self, expect: u32, from: Nanos, until: Nanos) {
        self.windows.push(NatWindow {
            expect,
            from,
            until,
            ..NatWindow::default()
        });
    }

    /// Before the table changes at `now`: the windows that started since
    /// the last change count the table as it stands, which is how it was
    /// when they started.
    pub fn open_windows(&mut self, now: Nanos) {
        if self.windows.iter().all(|w| w.opened || now < w.from) {
            return;
        }
        let (len, ports) = (self.out.len(), self.max_ports_per_destination());
        for w in &mut self.windows {
            if !w.opened && now >= w.from {
                w.opened = true;
                w.peak = w.peak.max(len);
                w.peak_ports = w.peak_ports.max(ports);
            }
        }
    }

    /// Live mappings (some may be idle past their timeout until touched).
    pub fn len(&self) -> usize {
        self.out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    fn release(
        &mut self,
        p_proto: u8,
        inside: u32,
        inside_port: u16,
        remote: u32,
        remote_port: u16,
    ) {
        let key = out_key(p_proto, inside, inside_port, remote, remote_port);
        if let Some(m) = self.out.remove(&key) {
            self.inn
                .remove(&in_key(p_proto, m.ext_port, remote, remote_port));
            if let Some(d) = self.dests.get_mut(&dest_key(p_proto, remote, remote_port)) {
                d.in_use = d.in_use.saturating_sub(1);
            }
        }
    }

    /// The state of the mapping `out_key` as both sides see it, after
    /// `p` (outbound or not) at `now`: `None` when it has expired, in which
    /// case nothing was changed. Otherwise both sides now carry the flags
    /// and this side's `last` is `now`.
    fn touch_both(
        &mut self,
        key: u128,
        back_key: u128,
        p: &FlowView,
        outbound: bool,
        now: Nanos,
    ) -> Option<()> {
        let m = self.out.get(&key)?;
        let b = self.inn.get(&back_key)?;
        let (flags, last) = (m.flags | b.flags, m.last.max(b.last));
        if expired(flags, last, now) {
            return None;
        }
        let flags = flags_after(flags, p, outbound);
        if let Some(m) = self.out.get_mut(&key) {
            m.flags = flags;
            if outbound {
                m.last = now.0;
            }
        }
        if let Some(b) = self.inn.get_mut(&back_key) {
            b.flags = flags;
            if !outbound {
                b.last = now.0;
            }
        }
        Some(())
    }

    /// Translates an outbound packet: returns the outside port to use.
    pub fn outbound(&mut self, p: &FlowView, now: Nanos) -> Result<u16, NatError> {
        let (inside_port, remote_port) = ports_of(p);
        let (inside, remote) = (u32::from(p.src), u32::from(p.dst));
        let key = out_key(p.proto, inside, inside_port, remote, remote_port);
        if let Some(m) = self.out.get_mut(&key) {
            // An active flow: this side alone shows the mapping is alive.
            if !closes(p) && !expired(m.flags, m.last, now) {
                m.last = now.0;
                return Ok(m.ext_port);
            }
            let port = m.ext_port;
            let back_key = in_key(p.proto, port, remote, remote_port);
            if self.touch_both(key, back_key, p, true, now).is_some() {
                return Ok(port);
            }
            let was_tcp = p.proto == PROTO_TCP;
            let opens = p.tcp_flags & tcp_flags::SYN != 0 && p.tcp_flags & tcp_flags::ACK == 0;
            self.open_windows(now);
            self.release(p.proto, inside, inside_port, remote, remote_port);
            if was_tcp && !opens {
                return Err(NatError::Expired);
            }
        } else if p.proto == PROTO_TCP
            && !(p.tcp_flags & tcp_flags::SYN != 0 && p.tcp_flags & tcp_flags::ACK == 0)
        {
            return Err(NatError::Expired);
        }
        let dk = dest_key(p.proto, remote, remote_port);
        let d = self.dests.entry(dk).or_default();
        if d.in_use >= PER_DESTINATION {
            return Err(NatError::PortsExhausted);
        }
        let span = u32::from(PORT_HI - PORT_LO) + 1;
        // NAT-5a: a start drawn from the seed and the flow, then the next
        // free port.
        let start = (mix(self.seed ^ (key as u64) ^ ((key >> 64) as u64).rotate_left(17))
            % u64::from(span)) as u32;
        let mut found = None;
        for step in 0..span {
            let port = PORT_LO + ((start + step) % span) as u16;
            if !self
                .inn
                .contains_key(&in_key(p.proto, port, remote, remote_port))
            {
                found = Some(port);
                break;
            }
        }
        let Some(port) = found else {
            return Err(NatError::PortsExhausted);
        };
        if !self.windows.is_empty() {
            self.open_windows(now);
        }
        let d = self.dests.entry(dk).or_default();
        d.in_use += 1;
        let in_use = d.in_use;
        let flags = flags_after(0, p, true);
        self.out.insert(
            key,
            Mapping {
                ext_port: port,
                flags,
                last: now.0,
            },
        );
        self.inn.insert(
            in_key(p.proto, port, remote, remote_port),
            Back {
                inside,
                inside_port,
                flags,
                last: now.0,
            },
        );
        self.created += 1;
        self.peak = self.peak.max(self.out.len());
        self.peak_ports = self.peak_ports.max(in_use);
        for w in &mut self.windows {
            if w.opened && now <= w.until {
                w.peak = w.peak.max(self.out.len());
                w.peak_ports = w.peak_ports.max(in_use);
            }
        }
        Ok(port)
    }

    /// Translates a packet coming back: returns the inside (address, port).
    pub fn inbound(&mut self, p: &FlowView, now: Nanos) -> Result<(u32, u16), NatError> {
        let remote = u32::from(p.src);
        let (ext_port, remote_port) = if p.proto == PROTO_ICMP {
            (p.dst_port, 0)
        } else {
            (p.dst_port, p.src_port)
        };
        let back_key = in_key(p.proto, ext_port, remote, remote_port);
        let Some(b) = self.inn.get_mut(&back_key) else {
            return Err(NatError::Unsolicited);
        };
        let (inside, inside_port) = (b.inside, b.inside_port);
        // An active flow: this side alone shows the mapping is alive.
        if !closes(p) && !expired(b.flags, b.last, now) {
            b.last = now.0;
            return Ok((inside, inside_port));
        }
        let key = out_key(p.proto, inside, inside_port, remote, remote_port);
        if !self.out.contains_key(&key) {
            return Err(NatError::Unsolicited);
        }
        if self.touch_both(key, back_key, p, false, now).is_none() {
            self.open_windows(now);
            self.release(p.proto, inside, inside_port, remote, remote_port);
            return Err(NatError::Expired);
        }
        Ok((inside, inside_port))
    }

    /// The inside (address, port) of the live mapping that sent a packet of
    /// `proto` from outside port `ext_port` to `remote`:`remote_port` (0
    /// for ICMP echo): what an ICMP error from outside quotes (NAT-4a). It
    /// only looks: an error neither refreshes nor closes the mapping (RFC
    /// 5508).
    pub fn error_inbound(
        &self,
        proto: u8,
        ext_port: u16,
        remote: u32,
        remote_port: u16,
        now: Nanos,
    ) -> Option<(u32, u16)> {
        let b = self
            .inn
            .get(&in_key(proto, ext_port, remote, remote_port))?;
        let m = self.out.get(&out_key(
            proto,
            b.inside,
            b.inside_port,
            remote,
            remote_port,
        ))?;
        (!expired(m.flags | b.flags, m.last.max(b.last), now)).then_some((b.inside, b.inside_port))
    }

    /// The outside port of the live mapping of `inside`:`inside_port`
    /// towards `remote`:`remote_port` (0 for ICMP echo): what an ICMP error
    /// from inside about a reply quotes (NAT-4a). It only looks, as
    /// [`Self::error_inbound`].
    pub fn error_outbound(
        &self,
        proto: u8,
        inside: u32,
        inside_port: u16,
        remote: u32,
        remote_port: u16,
        now: Nanos,
    ) -> Option<u16> {
        let m = self
            .out
            .get(&out_key(proto, inside, inside_port, remote, remote_port))?;
        let b = self
            .inn
            .get(&in_key(proto, m.ext_port, remote, remote_port))?;
        (!expired(m.flags | b.flags, m.last.max(b.last), now)).then_some(m.ext_port)
    }

    /// Bytes per mapping in the tables (its entry in the outbound map and
    /// in the inbound map, without the maps' slack or the per-destination
    /// counters).
    pub const MAPPING_BYTES: usize =
        std::mem::size_of::<(u128, Mapping)>() + std::mem::size_of::<(u128, (u32, u16))>();

    /// Ports in use towards the busiest destination.
    pub fn max_ports_per_destination(&self) -> u32 {
        self.dests.values().map(|d| d.in_use).max().unwrap_or(0)
    }

    /// Drops expired mappings (so that counts reflect live ones).
    pub fn sweep(&mut self, now: Nanos) {
        self.open_windows(now);
        let dead: Vec<u128> = self
            .out
            .iter()
            .filter(|(k, m)| {
                expired(m.flags, m.last, now) && {
                    // The reply side may have been used since.
                    let back = in_key((*k >> 96) as u8, m.ext_port, (*k >> 16) as u32, **k as u16);
                    self.inn
                        .get(&back)
                        .is_none_or(|b| expired(m.flags | b.flags, m.last.max(b.last), now))
                }
            })
            .map(|(k, _)| *k)
            .collect();
        for k in dead {
            let proto = (k >> 96) as u8;
            let inside = (k >> 64) as u32;
            let inside_port = (k >> 48) as u16;
            let remote = (k >> 16) as u32;
            let remote_port = k as u16;
            self.release(proto, inside, inside_port, remote, remote_port);
        }
    }
}

// -- the NAT gateway step ---------------------------------------------------

use std::net::{Ipv4Addr, SocketAddrV4};

use super::forward::{Cx, comp};
use super::{AwsRule, Capacity, Entry, Gateway, Loc, Place, Rule, Scaling, Seen, Step, Trace};
use crate::model::{Component, DropReason, NatId};
use crate::packet::{self, PROTO_UDP};

/// NAT-8: 5 Gbps and 1 million packets per second at first, doubling
/// after each second whose offered load reached 80 % of the capacity of
/// the time, up to 100 Gbps and 10 million packets per second; a
/// 1,024-packet queue. AWS documents the figures, not how fast it scales:
/// the window and the threshold are vpcsim's (docs/aws-differences.md).
pub const CAPACITY: Capacity = Capacity {
    scaling: Some(Scaling {
        max_bps: 100_000_000_000,
        max_pps: 10_000_000,
        window: Nanos::from_secs(1),
        busy_percent: 80,
    }),
    ..Capacity::fixed(5_000_000_000, 1_000_000, 1024)
};

impl<T: Trace> Cx<'_, T> {
    /// A packet at the NAT gateway's ENI, past its subnet's NACL: a reply
    /// translated back (NAT-3), or a new or known connection translated to
    /// the gateway's address (NAT-1, NAT-4, NAT-5, NAT-6, NAT-9).
    pub(super) fn nat_gateway(
        &mut self,
        buf: &mut [u8],
        p: FlowView,
        n: NatId,
        from: Entry,
    ) -> Step {
        let d = self.d;
        let nat = &d.nats[n.idx()];
        let place = comp(Component::Nat(n));
        let nat_ip = d.enis[nat.eni.idx()].ip;
        let reply = p.dst == nat_ip;
        self.seen_gateway(Gateway::Nat(n), false, !reply, buf);
        if p.proto == PROTO_ICMP && packet::is_icmp_error(p.icmp_type) {
            // Rare: only ICMP errors take this way (NAT-4a).
            return self.nat_icmp_error(buf, p, n, reply, from);
        }
        if reply {
            // A reply, translated back by its mapping (NAT-3).
            return match self.st.nats[n.idx()].inbound(&p, self.now) {
                Ok((ip, port)) => {
                    // A router both ways: the reply's TTL drops by one too.
                    if let Some(drop) = self.nat_hop(buf, place, p) {
                        return drop;
                    }
                    let port = (p.proto != PROTO_ICMP || p.icmp_type == 0).then_some(port);
                    if packet::set_destination(buf, Ipv4Addr::from(ip), port).is_err() {
                        return self.drop(place, Rule::None, p, DropReason::Malformed);
                    }
                    let q = packet::parse(buf).unwrap_or(p);
                    self.forward(place, Rule::Aws(AwsRule::NatReverse), q);
                    self.leave_nat(buf, n, false, q)
                }
                Err(NatError::Expired) => self.drop(
                    place,
                    Rule::Aws(AwsRule::NatIdle),
                    p,
                    DropReason::NatConnectionExpired,
                ),
                Err(_) => self.drop(
                    place,
                    Rule::Aws(AwsRule::NatNoConnection),
                    p,
                    DropReason::PortUnreachable,
                ),
            };
        }
        match from {
            Entry::Subnet(_) | Entry::Forwarded(_) | Entry::Transit { .. } => {}
            Entry::Peering(_) => {
                return self.drop(
                    place,
                    Rule::Aws(AwsRule::NatOwnVpcOnly),
                    p,
                    DropReason::PeeringNotTransitive,
                );
            }
            _ => {
                return self.drop(
                    place,
                    Rule::Aws(AwsRule::NatEnteredFromOutside),
                    p,
                    DropReason::NoRoute,
                );
            }
        }
        let echo = p.proto == PROTO_ICMP
            && (p.icmp_type == packet::ICMP_ECHO_REQUEST || p.icmp_type == packet::ICMP_ECHO_REPLY);
        let supported = match p.proto {
            PROTO_UDP => true,
            PROTO_TCP => p.fragment == packet::Fragment::None,
            PROTO_ICMP => echo && p.fragment == packet::Fragment::None,
            _ => false,
        };
        if !supported {
            return self.drop(
                place,
                Rule::Aws(AwsRule::NatProtocol),
                p,
                DropReason::ProtocolNotSupported,
            );
        }
        let port = if p.fragment == packet::Fragment::Later {
            None // later UDP fragments carry no ports
        } else {
            match self.st.nats[n.idx()].outbound(&p, self.now) {
                Ok(port) => Some(port),
                Err(NatError::PortsExhausted) => {
                    return self.drop(
                        place,
                        Rule::Aws(AwsRule::NatPortsExhausted),
                        p,
                        DropReason::NatPortExhausted,
                    );
                }
                Err(_) => {
                    self.nat_rst(&p, n);
                    return self.drop(
                        place,
                        Rule::Aws(AwsRule::NatIdleRst),
                        p,
                        DropReason::NatConnectionExpired,
                    );
                }
            }
        };
        if let Some(drop) = self.nat_hop(buf, place, p) {
            return drop;
        }
        // MSS clamping: a public NAT gateway's way out is the internet
        // gateway's 1500-byte link (NAT-4b).
        if nat.public && p.proto == PROTO_TCP && p.tcp_flags & tcp_flags::SYN != 0 {
            let _ = packet::clamp_mss(buf, crate::model::mtu::INTERNET - 40);
        }
        if packet::set_source(buf, nat_ip, port).is_err() {
            return self.drop(place, Rule::None, p, DropReason::Malformed);
        }
        let q = packet::parse(buf).unwrap_or(p);
        let public = nat.public;
        self.forward(place, Rule::Aws(AwsRule::NatSource { public }), q);
        self.leave_nat(buf, n, true, q)
    }

    /// NAT-4a: an ICMP error (destination unreachable, "fragmentation
    /// needed" among them, or time exceeded) about a packet of one of the
    /// gateway's connections. From outside, to the gateway's address, it
    /// quotes the translated packet: it goes back to the inside host, with
    /// the quote's source the inside host's address and port again. From
    /// inside, about a reply the gateway translated, it leaves from the
    /// gateway's address, with the quote's destination the gateway's
    /// address and port. An error that quotes no live connection of the
    /// gateway is dropped; none refreshes a mapping (RFC 5508).
    fn nat_icmp_error(
        &mut self,
        buf: &mut [u8],
        p: FlowView,
        n: NatId,
        reply: bool,
        from: Entry,
    ) -> Step {
        let d = self.d;
        let place = comp(Component::Nat(n));
        let nat_ip = d.enis[d.nats[n.idx()].eni.idx()].ip;
        let quote = packet::icmp_error_quote(buf);
        // The remote's port as the mapping keys it: none for ICMP echo.
        let port_of = |q: &packet::IcmpQuote, port: u16| {
            if q.proto == PROTO_ICMP { 0 } else { port }
        };
        if reply {
            let table = &self.st.nats[n.idx()];
            let inside = quote.and_then(|q| {
                table.error_inbound(
                    q.proto,
                    q.src_port,
                    u32::from(q.dst),
                    port_of(&q, q.dst_port),
                    self.now,
                )
            });
            let Some((ip, port)) = inside else {
                return self.drop(
                    place,
                    Rule::Aws(AwsRule::NatIcmpNoConnection),
                    p,
                    DropReason::PortUnreachable,
                );
            };
            if let Some(drop) = self.nat_hop(buf, place, p) {
                return drop;
            }
            if packet::icmp_error_set_destination(buf, Ipv4Addr::from(ip), port).is_err() {
                return self.drop(place, Rule::None, p, DropReason::Malformed);
            }
            let q = packet::parse(buf).unwrap_or(p);
            self.forward(place, Rule::Aws(AwsRule::NatIcmpBack), q);
            return self.leave_nat(buf, n, false, q);
        }
        if !matches!(
            from,
            Entry::Subnet(_) | Entry::Forwarded(_) | Entry::Transit { .. }
        ) {
            return self.drop(
                place,
                Rule::Aws(AwsRule::NatEnteredFromOutside),
                p,
                DropReason::NoRoute,
            );
        }
        let table = &self.st.nats[n.idx()];
        let ext = quote.and_then(|q| {
            table.error_outbound(
                q.proto,
                u32::from(q.dst),
                q.dst_port,
                u32::from(q.src),
                port_of(&q, q.src_port),
                self.now,
            )
        });
        let Some(ext) = ext else {
            return self.drop(
                place,
                Rule::Aws(AwsRule::NatIcmpInsideNoConnection),
                p,
                DropReason::ProtocolNotSupported,
            );
        };
        if let Some(drop) = self.nat_hop(buf, place, p) {
            return drop;
        }
        if packet::icmp_error_set_source(buf, nat_ip, ext).is_err() {
            return self.drop(place, Rule::None, p, DropReason::Malformed);
        }
        let q = packet::parse(buf).unwrap_or(p);
        self.forward(place, Rule::Aws(AwsRule::NatIcmpOut), q);
        self.leave_nat(buf, n, true, q)
    }

    /// The gateway is a hop, each way (RT-9): the TTL drops by one, and a
    /// packet whose TTL runs out is dropped here (`ttl_expired`).
    #[inline]
    fn nat_hop(&mut self, buf: &mut [u8], place: Place, p: FlowView) -> Option<Step> {
        match packet::decrement_ttl(buf) {
            Ok(0) | Err(_) => Some(self.drop(
                place,
                Rule::Aws(AwsRule::TtlExpired),
                p,
                DropReason::TtlExpired,
            )),
            Ok(_) => None,
        }
    }

    /// A packet the gateway sends on its own (a RST, NAT-6), routed from
    /// its subnet.
    pub(super) fn nat_out(&mut self, buf: &mut [u8], p: FlowView, n: NatId) -> Step {
        self.leave_nat(buf, n, false, p)
    }

    /// A packet leaves the gateway, translated: routed from its subnet,
    /// seen departing the gateway and leaving its ENI (NAT-1).
    fn leave_nat(&mut self, buf: &[u8], n: NatId, outbound: bool, q: FlowView) -> Step {
        let nat = &self.d.nats[n.idx()];
        let (subnet, eni) = (nat.subnet, nat.eni);
        let step = self.route(subnet, q, false);
        self.seen_gateway(Gateway::Nat(n), true, outbound, buf);
        self.seen(|| Seen::EniOut {
            eni,
            bytes: buf,
            reject: super::eni::nacl_dropped(&step),
            next: super::eni::next_of(&step),
        });
        step
    }

    /// NAT-6: a TCP packet of an expired connection is answered with a RST.
    fn nat_rst(&mut self, p: &FlowView, n: NatId) {
        if p.proto != PROTO_TCP || p.tcp_flags & tcp_flags::RST != 0 {
            return;
        }
        let spec = packet::build::TcpSpec {
            src: SocketAddrV4::new(p.dst, p.dst_port),
            dst: SocketAddrV4::new(p.src, p.src_port),
            seq: 0,
            ack: 0,
            flags: tcp_flags::RST,
            window: 0,
        };
        self.emit(Loc::NatOut(n), || packet::build::tcp(&spec, &[], 64, 0));
    }
}

#[cfg(test)]
#[path = "nat_gateway_tests.rs"]
mod tests;
