//! Hosts: where packets start and end. Workloads in a VPC send through
//! their ENI; hosts outside every VPC (outside hosts on the internet, AWS
//! services, Lambda functions outside any VPC, on-premises hosts) into
//! their own network.
//!
//! Invariants:
//! - A host's decisions are charged to the component of the design it is.
//! - A host listens only on its `listen` ports; a Lambda function accepts
//!   no inbound connection (LAM-2).

use super::forward::Cx;
use super::{Host, Loc, Place, Step, Trace};
use crate::model::*;
use crate::packet::FlowView;
use crate::units::Nanos;

impl<T: Trace> Cx<'_, T> {
    /// Host `h` sends the packet.
    pub(super) fn host_out(&mut self, p: FlowView, h: Host) -> Step {
        let d = self.d;
        match h {
            Host::Instance(i) => Step::Next {
                loc: Loc::EniOut(d.instances[i.idx()].eni),
                delay: Nanos::ZERO,
            },
            Host::LambdaEni(x) | Host::Endpoint(_, x) => Step::Next {
                loc: Loc::EniOut(x),
                delay: Nanos::ZERO,
            },
            Host::External(_) => Step::Next {
                loc: Loc::Internet,
                delay: d.latency.beyond_edge(),
            },
            Host::LambdaOutside(_) => Step::Next {
                loc: Loc::Internet,
                delay: d.latency.aws_service,
            },
            Host::AwsService(_) => self.service_out(p),
            Host::Onprem(oh) => self.onprem_out(p, oh),
        }
    }
}

/// Where a host's decisions are charged: the component of the design it is.
pub fn host_place(d: &Design, h: Host) -> Place {
    let c = match h {
        Host::Instance(i) => Component::Instance(i),
        Host::LambdaEni(e) => d.eni_workload(e),
        Host::LambdaOutside(l) => Component::Lambda(l),
        Host::Endpoint(e, _) => Component::Endpoint(e),
        Host::External(h) => Component::ExternalHost(h),
        Host::AwsService(s) => Component::AwsService(s),
        Host::Onprem(h) => Component::OnpremHost(h),
    };
    Place::Component(c)
}

/// Whether host `h` listens on `port` for protocol `proto`.
pub fn host_listens(d: &Design, h: Host, proto: u8, port: u16) -> bool {
    let listen: &[Listen] = match h {
        Host::Instance(i) => &d.instances[i.idx()].listen,
        Host::Endpoint(e, _) => &d.endpoints[e.idx()].listen,
        Host::External(x) => &d.external_hosts[x.idx()].listen,
        Host::AwsService(s) => &d.aws_services[s.idx()].listen,
        Host::Onprem(o) => &d.onprem_hosts[o.idx()].listen,
        Host::LambdaEni(_) | Host::LambdaOutside(_) => &[],
    };
    listen
        .iter()
        .any(|l| l.protocol == proto && l.port.is_none_or(|p| p == port))
}
