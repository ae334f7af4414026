//! What a packet met on its way: one [`Hop`] per decision.
//!
//! The data plane reports every decision to a [`Trace`]. `explain` keeps the
//! hops and prints them; the engine keeps only what its metrics need
//! (`via`, drops), and [`NoTrace`] keeps nothing, at no cost.

use crate::model::{Component, NaclId, OnpremNetId, RouteTableId, SgId};
use crate::packet::FlowView;

/// Where a decision was taken: a component of the design, or the networks
/// outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    Component(Component),
    /// The public internet (routing between public addresses).
    Internet,
    /// An on-premises network.
    Onprem(OnpremNetId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Forward,
    Deliver,
    Drop,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Decision::Forward => "forward",
            Decision::Deliver => "deliver",
            Decision::Drop => "drop",
        }
    }
}

/// The rule or route that decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    None,
    /// Entry `entry` of the compiled route table `table`.
    Route {
        table: RouteTableId,
        entry: u32,
    },
    /// A NACL rule number (`None`: the final `*` rule).
    Nacl {
        nacl: NaclId,
        ingress: bool,
        number: Option<u16>,
    },
    /// Rule `index` of security group `group`.
    Sg {
        group: SgId,
        ingress: bool,
        index: u16,
    },
    /// No rule of the ENI's groups allows it.
    SgNoMatch {
        ingress: bool,
    },
    /// Part of a flow the ENI tracks (SG-3).
    Tracked,
    Text(&'static str),
}

#[derive(Clone, Copy, Debug)]
pub struct Hop {
    pub place: Place,
    pub decision: Decision,
    pub rule: Rule,
    /// The packet's addresses and ports as they are after this hop.
    pub view: FlowView,
}

pub trait Trace {
    fn hop(&mut self, hop: Hop);

    /// Whether [`Trace::arrive`] and [`Trace::leave`] want the packet's
    /// bytes (pcap files and flow logs do; metrics do not).
    fn wants_bytes(&self) -> bool {
        false
    }

    /// The packet, as it is when a step at `loc` begins.
    fn arrive(&mut self, _loc: super::Loc, _buf: &[u8]) {}

    /// The packet, as it is when the step at `loc` ends, and how it ended.
    fn leave(&mut self, _loc: super::Loc, _buf: &[u8], _step: &super::Step) {}
}

/// Records nothing.
pub struct NoTrace;

impl Trace for NoTrace {
    #[inline]
    fn hop(&mut self, _: Hop) {}
}

impl Trace for Vec<Hop> {
    fn hop(&mut self, hop: Hop) {
        self.push(hop);
    }
}
