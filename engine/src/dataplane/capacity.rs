//! What components can carry: each component's capacity as a serializing
//! server with a bounded queue (served by the engine's `sim::capacity`), an
//! instance's network I/O credits (BW-2), and where a packet takes which
//! server.
//!
//! Invariants:
//! - A packet takes a server only at the places `capacity_at` names, and
//!   at an instance's internet share as it leaves the instance towards an
//!   internet gateway or another Region (`internet_shaped`); every other
//!   step of the data plane is free of queueing.
//! - An instance's interface serves at its type's bandwidth (BW-1), at its
//!   burst while credits last and at its baseline after (BW-2).
//! - What an instance with an `instance_type` sends through an internet
//!   gateway or over an inter-Region peering, all flows together, is served
//!   at its type's internet bandwidth (BW-4) after its interface's own
//!   server, both at the sender: its TCP Small Queues sees both.
//! - A NAT gateway's capacity starts at 5 Gbps and 1 M packets/s and
//!   doubles after each second whose offered load reached 80 % of it, up
//!   to 100 Gbps and 10 M packets/s (NAT-8, `Scaling`).

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
    /// How it grows under sustained load (NAT-8); `None`: it does not.
    pub scaling: Option<Scaling>,
}

/// How a capacity grows under sustained load (NAT-8): it starts at its
/// `bits_per_sec` and `packets_per_sec`; at the end of each `window` in
/// which what arrived (served or dropped) would have kept it busy for at
/// least `busy_percent` of the window, both double, up to `max_bps` and
/// `max_pps`. It never shrinks within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scaling {
    pub max_bps: u64,
    pub max_pps: u64,
    pub window: crate::units::Nanos,
    pub busy_percent: u64,
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
            scaling: None,
        }
    }

    /// One step up under sustained load (NAT-8): twice the bandwidth and
    /// packet rate, up to the scaling's maximum. Whether it grew.
    pub fn scale_up(&mut self) -> bool {
        let Some(s) = self.scaling else {
            return false;
        };
        let (bps, pps) = (
            self.bits_per_sec.saturating_mul(2).min(s.max_bps),
            self.packets_per_sec.saturating_mul(2).min(s.max_pps),
        );
        let grew = (bps, pps) != (self.bits_per_sec, self.packets_per_sec);
        (self.bits_per_sec, self.packets_per_sec) = (bps, pps);
        grew
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

/// A packet size and its service time at a capacity's full rate
/// ([`Capacity::service_ns`]), kept for the next packet of that size.
#[derive(Clone, Copy, Debug, Default)]
pub struct SizeTime {
    /// The size, plus one: 0 when nothing is kept.
    bytes: u64,
    ns: u64,
}

impl SizeTime {
    /// The time of `bytes` at `cap`'s full rate, from the last packet's
    /// when it had that size; `cap` must be the capacity it was kept for.
    #[inline]
    pub fn service_ns(&mut self, cap: &Capacity, bytes: u64) -> u64 {
        if self.bytes != bytes.wrapping_add(1) {
            self.bytes = bytes.wrapping_add(1);
            self.ns = cap.service_ns(bytes);
        }
        self.ns
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
    /// takes to send, spending credits; `full` is its time at the full
    /// rate, [`Capacity::service_ns`].
    #[inline]
    pub fn service_ns(&mut self, cap: &Capacity, start: u64, bytes: u64, full: u64) -> u64 {
        if cap.burst_bits == 0 {
            return full;
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
            full
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

/// BW-4: what an instance with an `instance_type` sends through an
/// internet gateway or over an inter-Region peering, all flows together,
/// when its type's internet bandwidth is below its interface's; `None`
/// where that share binds nothing.
#[inline]
pub fn internet_capacity(d: &Design, eni: EniId) -> Option<Capacity> {
    let e = &d.enis[eni.idx()];
    if !matches!(e.owner, EniOwner::Instance(_)) {
        return None;
    }
    let p = e.bandwidth?;
    (p.internet_bps < p.burst_bps).then_some(Capacity::fixed(
        p.internet_bps,
        eni::CAPACITY.packets_per_sec,
        eni::CAPACITY.queue,
    ))
}

/// Whether a packet leaving `from` for `next` leaves the Region's own
/// network as AWS counts it for an instance's aggregate bandwidth (BW-4):
/// out through an internet gateway, or over an inter-Region peering.
#[inline]
pub fn leaves_region(d: &Design, next: Loc) -> bool {
    match next {
        Loc::Igw { outbound, .. } => outbound,
        Loc::Peering { peering, .. } => d.peerings[peering.idx()].inter_region,
        _ => false,
    }
}

/// The ENI whose internet share (BW-4) a packet stepping from `loc` to
/// `next` takes: an instance's, with an `instance_type` whose internet
/// bandwidth binds, sending it out of the Region ([`leaves_region`]).
#[inline]
pub fn internet_shaped(d: &Design, loc: Loc, next: Loc) -> Option<EniId> {
    let Loc::EniOut(eni) = loc else {
        return None;
    };
    d.enis[eni.idx()].bandwidth?;
    (leaves_region(d, next) && internet_capacity(d, eni).is_some()).then_some(eni)
}

impl Network {
    /// Whether what `eni` sends to `dst` leaves the Region's own network
    /// (BW-4): the route its subnet's table has for `dst` now goes to an
    /// internet gateway or an inter-Region peering. Asked once per flow
    /// by the sending host (TCP Small Queues sees the internet share).
    pub fn sends_out_of_region(&self, eni: EniId, dst: Ipv4Addr) -> bool {
        let d = &*self.design;
        let s = d.enis[eni.idx()].subnet;
        if d.subnets[s.idx()].cidr.contains(&dst) {
            return false;
        }
        let table = &self.st.tables[self.st.subnet_rt[s.idx()].idx()];
        let Some(i) = table.lookup(u32::from(dst)) else {
            return false;
        };
        match table.entry(i).target {
            Target::Igw(_) => true,
            Target::Peering(p) => d.peerings[p.idx()].inter_region,
            _ => false,
        }
    }
}

/// A capacity server of the engine (`sim::capacity`): an ENI's, one
/// direction of a tunnel of a VPN connection behind a transit gateway's
/// VPN attachment (TGW-13), what a transit gateway peering carries into
/// one side (TGW-14), or an instance's share out of the Region (BW-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerId {
    Eni(EniId),
    VpnTunnel {
        net: OnpremNetId,
        tunnel: u8,
        to_onprem: bool,
    },
    TgwPeering(TgwAttachmentId),
    Internet(EniId),
}

impl ServerId {
    /// Its index among a design's servers: the ENIs first, then two
    /// tunnels in two directions per on-premises network, then one per
    /// transit gateway attachment, then the ENIs' internet shares.
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
            ServerId::Internet(e) => {
                d.enis.len() + 4 * d.onprem_nets.len() + d.tgw_attachments.len() + e.idx()
            }
        }
    }

    /// Where a packet it has no room for is dropped (`queue_overflow`).
    pub fn place(self, d: &Design) -> Place {
        match self {
            ServerId::Eni(e) | ServerId::Internet(e) => Place::Component(d.eni_workload(e)),
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
            ServerId::Internet(e) => internet_capacity(d, e).unwrap_or(eni::CAPACITY),
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
