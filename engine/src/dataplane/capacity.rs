//! What components can carry: each component's capacity as a serializing
//! server with a bounded queue (served by the engine's `sim::capacity`), an
//! instance's network I/O credits (BW-2), and where a packet takes which
//! server.
//!
//! Invariants:
//! - A packet takes a server only at the places `capacity_at` names; every
//!   other step of the data plane is free of queueing.
//! - An instance's interface serves at its type's bandwidth (BW-1), at its
//!   burst while credits last and at its baseline after (BW-2).

use super::*;

/// What a component can carry: a serializing server with a bounded queue
/// (the engine's `sim::capacity`). Each component states its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Capacity {
    pub bits_per_sec: u64,
    pub packets_per_sec: u64,
    pub queue: u32,
    /// With network I/O credits (BW-2): the rate once they are spent,
    /// `bits_per_sec` being the burst rate; 0 without credits.
    pub baseline_bps: u64,
    /// The credits when full, in bits; 0 without credits.
    pub burst_bits: u64,
}

impl Capacity {
    /// A capacity without credits.
    pub const fn fixed(bits_per_sec: u64, packets_per_sec: u64, queue: u32) -> Capacity {
        Capacity {
            bits_per_sec,
            packets_per_sec,
            queue,
            baseline_bps: 0,
            burst_bits: 0,
        }
    }

    /// As [`Capacity::service_ns`] at `bits_per_sec` instead.
    #[inline]
    fn service_ns_at(&self, bytes: u64, bits_per_sec: u64) -> u64 {
        let by_bits = (bytes * 8).saturating_mul(1_000_000_000) / bits_per_sec.max(1);
        let by_packets = 1_000_000_000 / self.packets_per_sec.max(1);
        by_bits.max(by_packets).max(1)
    }

    /// How long a packet of `bytes` takes to serve, in nanoseconds: the
    /// longer of its bits at the bandwidth and one packet at the packet
    /// rate, at least 1.
    #[inline]
    pub fn service_ns(&self, bytes: u64) -> u64 {
        self.service_ns_at(bytes, self.bits_per_sec)
    }
}

/// Network I/O credits of an interface that bursts above its baseline
/// (BW-2): a token bucket of `burst_bits`, full at the start, earning at
/// the baseline rate. A packet that the credits cover is sent at the burst
/// rate and spends its bits; one they do not is sent at the baseline,
/// which what it earns while it is sent pays for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Credits {
    /// Bits below full.
    spent: u64,
    /// Until when earnings are counted.
    at: u64,
}

impl Credits {
    /// How long a packet of `bytes` whose sending starts at `start` (ns)
    /// takes to send, spending credits.
    #[inline]
    pub fn service_ns(&mut self, cap: &Capacity, start: u64, bytes: u64) -> u64 {
        if cap.burst_bits == 0 {
            return cap.service_ns(bytes);
        }
        let earned = u128::from(start.saturating_sub(self.at)) * u128::from(cap.baseline_bps)
            / 1_000_000_000;
        self.spent = self
            .spent
            .saturating_sub(earned.min(u128::from(u64::MAX)) as u64);
        let bits = bytes * 8;
        if self.spent + bits <= cap.burst_bits {
            self.spent += bits;
            self.at = self.at.max(start);
            cap.service_ns(bytes)
        } else {
            let s = cap.service_ns_at(bytes, cap.baseline_bps);
            self.at = start + s;
            s
        }
    }
}

/// The capacity an ENI serves packets with: a NAT gateway's, an interface
/// endpoint's, else the ENI's own.
pub fn capacity_of(d: &Design, eni: EniId) -> Capacity {
    match d.enis[eni.idx()].owner {
        EniOwner::Nat(_) => nat_gateway::CAPACITY,
        EniOwner::Endpoint(_) => interface_endpoint::CAPACITY,
        EniOwner::TgwAttachment(_) => transit_gateway::CAPACITY,
        _ => match d.enis[eni.idx()].bandwidth {
            // BW-1: an instance's interface sends at its type's bandwidth.
            Some(p) => Capacity {
                bits_per_sec: p.burst_bps,
                baseline_bps: p.baseline_bps,
                burst_bits: p.burst_bits,
                ..eni::CAPACITY
            },
            None => eni::CAPACITY,
        },
    }
}

/// A capacity server of the engine (`sim::capacity`): an ENI's, one
/// direction of a tunnel of a VPN connection behind a transit gateway's
/// VPN attachment (TGW-13), or what a transit gateway peering carries into
/// one side (TGW-14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerId {
    Eni(EniId),
    VpnTunnel {
        net: OnpremNetId,
        tunnel: u8,
        to_onprem: bool,
    },
    TgwPeering(TgwAttachmentId),
}

impl ServerId {
    /// Its index among a design's servers: the ENIs first, then two
    /// tunnels in two directions per on-premises network, then one per
    /// transit gateway attachment.
    #[inline]
    pub fn index(self, d: &Design) -> usize {
        match self {
            ServerId::Eni(e) => e.idx(),
            ServerId::VpnTunnel {
                net,
                tunnel,
                to_onprem,
            } => d.enis.len() + 4 * net.idx() + 2 * usize::from(tunnel) + usize::from(to_onprem),
            ServerId::TgwPeering(a) => d.enis.len() + 4 * d.onprem_nets.len() + a.idx(),
        }
    }

    /// Where a packet it has no room for is dropped (`queue_overflow`).
    pub fn place(self, d: &Design) -> Place {
        match self {
            ServerId::Eni(e) => Place::Component(d.eni_workload(e)),
            ServerId::VpnTunnel { net, .. } => match d.onprem_nets[net.idx()].via {
                OnpremVia::TgwAttachment(a) => Place::Component(Component::TgwAttachment(a)),
                OnpremVia::Vgw(g) => Place::Component(Component::Vgw(g)),
            },
            ServerId::TgwPeering(a) => Place::Component(Component::TgwAttachment(a)),
        }
    }

    /// What it carries.
    pub fn capacity(self, d: &Design) -> Capacity {
        match self {
            ServerId::Eni(e) => capacity_of(d, e),
            ServerId::VpnTunnel { .. } => transit_gateway::VPN_TUNNEL,
            ServerId::TgwPeering(a) => transit_gateway::peering_capacity(d, a),
        }
    }
}

/// The server whose capacity a packet at `loc` passes, if any: a NAT
/// gateway's, an interface endpoint's or a transit gateway attachment's
/// ENI on the way in, any ENI's on the way out, a VPN tunnel of a transit
/// gateway's VPN attachment (TGW-13), a transit gateway peering (TGW-14).
#[inline]
pub fn capacity_at(d: &Design, loc: Loc) -> Option<ServerId> {
    match loc {
        Loc::EniIn { eni, .. } => matches!(
            d.enis[eni.idx()].owner,
            EniOwner::Nat(_) | EniOwner::Endpoint(_) | EniOwner::TgwAttachment(_)
        )
        .then_some(ServerId::Eni(eni)),
        Loc::EniOut(eni) | Loc::TgwExit { eni, .. } => Some(ServerId::Eni(eni)),
        Loc::VpnTunnel {
            net,
            tunnel,
            to_onprem,
        } => Some(ServerId::VpnTunnel {
            net,
            tunnel,
            to_onprem,
        }),
        Loc::TgwPeering { attachment } => Some(ServerId::TgwPeering(attachment)),
        _ => None,
    }
}
