//! Lambda functions (LAM-1..LAM-5).
//!
//! Invariants:
//! - A function outside any VPC sends from an AWS-managed address on the
//!   internet (LAM-1).
//! - A function in a VPC sends through Hyperplane ENIs shared by every
//!   function with the same subnet and security groups (LAM-2); it never has
//!   a public IP, so it reaches the internet only through a NAT gateway
//!   (LAM-3).
//! - A function's ENI accepts replies to its own connections and no inbound
//!   connection (LAM-2); its flows are tracked (SG-4a).
//! - Functions use ephemeral ports 1024-65535 (LAM-5).

use std::net::Ipv4Addr;

use super::forward::{Cx, comp};
use super::{Host, Rule, Step, Trace};
use crate::model::*;
use crate::packet::FlowView;

/// AWS-managed addresses of Lambda functions outside any VPC (LAM-1).
pub const LAMBDA_OUTSIDE_BASE: Ipv4Addr = Ipv4Addr::new(3, 208, 0, 10);

/// The AWS-managed address a function outside any VPC sends from.
pub fn lambda_outside_ip(l: LambdaId) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(LAMBDA_OUTSIDE_BASE) + l.0)
}

impl<T: Trace> Cx<'_, T> {
    /// A packet admitted by a function's Hyperplane ENI `x`.
    pub(super) fn lambda_eni(&mut self, p: FlowView, x: EniId, rule: Rule) -> Step {
        let who = comp(self.d.eni_workload(x));
        self.hop(who, super::Decision::Deliver, rule, p);
        Step::Deliver(Host::LambdaEni(x))
    }
}
