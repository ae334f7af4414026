//! A sending host's own interface, as its TCP sees it: the backlog of
//! packets its endpoints sent that have not yet left it, and the
//! bandwidth limits TCP Small Queues reads (BW-3, BW-4).
//!
//! Invariants:
//! - the backlog is served as the engine's capacity model serves the
//!   interface (the same capacity, times and sizes), so the two agree on
//!   when the host's own packets leave;
//! - a flow out of the Region also waits for the interface's internet
//!   share (BW-4), which takes each packet as the interface lets it go;
//! - only TCP reads the backlog, so it is kept only in a design with
//!   traffic that opens TCP connections (`requests` or `bulk`): in one of
//!   pings and datagrams alone nothing would ever read it.

use super::tcp::{self, Tcp};
use crate::dataplane::Host;
use crate::model::*;
use crate::scenario::raw::Pattern;
use crate::sparse::Sparse;
use crate::units::Nanos;

/// The backlog of each sending host's own interface: when the packets its
/// endpoints sent will have left it, served as the engine's capacity
/// model serves them (the same capacity, time and sizes, so the two
/// agree for the host's own packets), and when those of its flows out of
/// the Region will have left its internet share (BW-4), which takes each
/// as the interface lets it go. TCP Small Queues reads both.
#[derive(Clone, Debug, Default)]
pub struct Nics {
    free_at: Sparse<Nic>,
    /// Some traffic opens TCP connections, which read the backlog.
    kept: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct Nic {
    free_at: u64,
    credits: crate::dataplane::Credits,
    internet_free_at: u64,
    /// The last packet's size and time at the interface's full rate.
    sized: crate::dataplane::SizeTime,
}

impl Nics {
    /// The interfaces of design `d`: their backlog is kept when some
    /// traffic of it opens TCP connections (the server's side as well as
    /// the client's), the only readers of it.
    pub fn new(d: &Design) -> Nics {
        Nics {
            free_at: Sparse::default(),
            kept: d
                .traffic
                .iter()
                .any(|t| matches!(t.pattern, Pattern::Requests | Pattern::Bulk)),
        }
    }

    /// Whether the backlog is kept.
    #[cfg(test)]
    fn kept(&self) -> bool {
        self.kept
    }

    /// A packet of `bytes` that host `from` sends at `now` joins the
    /// backlog of the interface it leaves by, and its internet share's
    /// when `out_of_region`: nothing when the backlog is not kept (asked
    /// first, so that a design without TCP pays no lookup) or the host
    /// has no interface of its own.
    #[inline]
    pub(super) fn charge(
        &mut self,
        d: &Design,
        from: Host,
        now: Nanos,
        bytes: u64,
        out_of_region: bool,
    ) {
        if !self.kept {
            return;
        }
        if let Some(eni) = super::sending_eni(d, from) {
            self.charge_eni(d, eni, now, bytes, out_of_region);
        }
    }

    /// [`Nics::charge`] at interface `eni`.
    #[inline(never)]
    fn charge_eni(&mut self, d: &Design, eni: EniId, now: Nanos, bytes: u64, out_of_region: bool) {
        let cap = crate::dataplane::capacity_of(d, eni);
        let nic = self.free_at.get_or_insert_with(eni.0, Nic::default);
        let start = nic.free_at.max(now.0);
        let full = nic.sized.service_ns(&cap, bytes);
        nic.free_at = start + nic.credits.service_ns(&cap, start, bytes, full);
        if out_of_region {
            if let Some(cap) = crate::dataplane::internet_capacity(d, eni) {
                let start = nic.internet_free_at.max(nic.free_at);
                nic.internet_free_at = start + cap.service_ns(bytes);
            }
        }
    }

    /// When the interface of `eni` will have sent what it holds.
    pub fn free_at(&self, eni: EniId) -> Nanos {
        Nanos(self.free_at.get(eni.0).map_or(0, |f| f.free_at))
    }

    /// When the internet share of `eni` (BW-4) will have sent what it
    /// holds.
    pub fn internet_free_at(&self, eni: EniId) -> Nanos {
        Nanos(self.free_at.get(eni.0).map_or(0, |f| f.internet_free_at))
    }
}

/// BW-3: a single flow of an instance is limited to 5 Gbps (vpcsim has no
/// cluster placement groups). A TCP connection's share is kept as TCP
/// Small Queues keeps the interface's: the connection may have at most its
/// small-queue limit, in the flow's time, not yet sent at 5 Gbps.
pub(super) fn flow_limited(h: Host) -> bool {
    matches!(h, Host::Instance(_))
}

/// The time `bytes` take at a flow's 5 Gbps (BW-3).
#[inline]
pub(super) fn flow_ns(bytes: u64) -> u64 {
    bytes * 8 * 1_000_000_000 / crate::model::instance_type::FLOW_BPS
}

/// The small-queue limit of `tcp` in its flow's time (BW-3), and the
/// time of one full segment at 5 Gbps.
pub(super) fn flow_limit_ns(tcp: &Tcp) -> (u64, u64) {
    let wire = u64::from(tcp.mss) + tcp::HEADERS;
    let seg_ns = flow_ns(wire);
    ((tcp.tsq_limit() / wire * seg_ns).max(2 * seg_ns), seg_ns)
}

/// TCP Small Queues against the sending host's interface: how long, at
/// most, a socket keeps queued in it (`tcp_small_queue_check`'s limit in
/// that interface's time), and the time one full segment takes there.
/// The limit is also at most half the interface queue in its smallest
/// packets, so that the host's own ACKs and other packets behind a full
/// limit still fit: a sender never overflows its own ENI.
pub(super) fn tsq_limit_ns(d: &Design, eni: EniId, tcp: &Tcp) -> (u64, u64) {
    tsq_limit_at(&crate::dataplane::capacity_of(d, eni), tcp)
}

/// [`tsq_limit_ns`] in the time of capacity `cap`: the interface's own, or
/// its internet share's (BW-4) for a flow out of the Region.
pub(super) fn tsq_limit_at(cap: &crate::dataplane::Capacity, tcp: &Tcp) -> (u64, u64) {
    let wire = u64::from(tcp.mss) + tcp::HEADERS;
    let seg_ns = cap.service_ns(wire);
    let linux = tcp.tsq_limit() / wire * seg_ns;
    let queue = u64::from(cap.queue / 2) * cap.service_ns(tcp::HEADERS);
    (linux.min(queue).max(2 * seg_ns), seg_ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(pattern: &str) -> Design {
        let port = match pattern {
            "ping" => "",
            "bulk" => "port = 443\nsize = \"1MB\"\n",
            _ => "port = 443\n",
        };
        let text = format!(
            "[scenario]\nname = \"x\"\nduration = \"1s\"\n\
            [[vpc]]\nid = \"v\"\ncidrs = [\"10.0.0.0/24\"]\n\
            [[subnet]]\nid = \"s\"\nvpc = \"v\"\ncidr = \"10.0.0.0/25\"\naz = \"us-east-1a\"\n\
            [[instance]]\nid = \"a\"\nsubnet = \"s\"\n\
            [[instance]]\nid = \"b\"\nsubnet = \"s\"\n\
            [[traffic]]\nid = \"p\"\nfrom = \"a\"\nto = \"b\"\npattern = \"{pattern}\"\nrate = \"10/s\"\n{port}"
        );
        crate::model::load_str("x.toml", &text)
            .expect("valid")
            .design
    }

    /// BW-3: TCP Small Queues reads the interface's backlog, so a design
    /// with TCP traffic keeps it, packet by packet, as the interface
    /// serves them; one of pings alone, which nothing reads it in, does
    /// not.
    #[test]
    fn the_backlog_is_kept_where_tcp_reads_it() {
        let now = Nanos::from_micros(10);
        for (pattern, kept) in [
            ("requests", true),
            ("bulk", true),
            ("ping", false),
            ("udp", false),
        ] {
            let d = design(pattern);
            let a = Host::Instance(InstanceId::from_idx(0));
            let eni = d.instances[0].eni;
            let mut nics = Nics::new(&d);
            assert_eq!(nics.kept(), kept, "{pattern}");
            nics.charge(&d, a, now, 1500, false);
            let one = nics.free_at(eni).0.saturating_sub(now.0);
            nics.charge(&d, a, now, 1500, false);
            let two = nics.free_at(eni).0.saturating_sub(now.0);
            if kept {
                assert!(one > 0 && two > one, "{pattern}: {one} ns, then {two} ns");
            } else {
                assert_eq!((one, two), (0, 0), "{pattern}");
            }
        }
    }
}
