//! The `[scenario]` table and its settings: name, seed, duration, region,
//! and the `[pricing]` and `[latency]` overrides.

use super::*;

impl Builder<'_> {
    pub(super) fn head(&mut self) {
        let raw = self.raw;
        if let Some(h) = &raw.scenario {
            if let Some(n) = &h.name {
                self.design.name = n.v.clone();
            }
            if let Some(dsc) = &h.description {
                self.design.description = dsc.v.clone();
            }
            self.design.seed = h.seed.as_ref().map_or(0, |s| s.v);
            if let Some(dur) = &h.duration {
                if dur.v == Nanos::ZERO {
                    self.err(&dur.span, "`duration` must be more than 0s");
                }
                self.duration = dur.v;
            }
            if let Some(r) = &h.region {
                let ok = !r.v.is_empty()
                    && r.v
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !ok {
                    self.err(
                        &r.span,
                        format!(
                            "`region` `{}` is not an AWS region name like \"us-east-1\"",
                            r.v
                        ),
                    );
                }
                self.region = r.v.clone();
            }
            self.design.account_id = h
                .account_id
                .as_ref()
                .map_or_else(|| "123456789012".to_string(), |a| a.v.clone());
        }
        self.design.duration = self.duration;
        self.design.region = self.region.clone();
        if let Some(p) = &raw.pricing {
            let pr = &mut self.design.pricing;
            let fields = [
                (&p.nat_gateway_hour, &mut pr.nat_gateway_hour),
                (&p.nat_gateway_gb, &mut pr.nat_gateway_gb),
                (&p.interface_endpoint_hour, &mut pr.interface_endpoint_hour),
                (&p.interface_endpoint_gb, &mut pr.interface_endpoint_gb),
                (&p.internet_out_gb, &mut pr.internet_out_gb),
                (&p.cross_az_gb, &mut pr.cross_az_gb),
                (
                    &p.transit_gateway_attachment_hour,
                    &mut pr.transit_gateway_attachment_hour,
                ),
                (&p.transit_gateway_gb, &mut pr.transit_gateway_gb),
                (&p.inter_region_gb, &mut pr.inter_region_gb),
                (&p.regional_public_ip_gb, &mut pr.regional_public_ip_gb),
                (&p.vpn_connection_hour, &mut pr.vpn_connection_hour),
            ];
            let mut negative = Vec::new();
            for (given, slot) in fields {
                if let Some(v) = given {
                    if v.v < 0.0 {
                        negative.push(v.span.clone());
                    }
                    *slot = v.v;
                }
            }
            for s in negative {
                self.err(&s, "a price cannot be negative");
            }
        }
        if let Some(l) = &raw.latency {
            let lat = &mut self.latency;
            for (given, slot) in [
                (&l.same_az, &mut lat.same_az),
                (&l.cross_az, &mut lat.cross_az),
                (&l.internet, &mut lat.internet),
                (&l.aws_service, &mut lat.aws_service),
                (&l.vpn, &mut lat.vpn),
                (&l.inter_region, &mut lat.inter_region),
            ] {
                if let Some(v) = given {
                    *slot = dist(&v.v);
                }
            }
            // LAT-2: a fixed `internet` is fixed end to end. The edge is
            // part of it (`Latency::edge`); left at its default
            // distribution, its jitter would ride on the fixed delay, so it
            // is fixed at its median. A fixed `internet` with a written
            // distribution for the edge cannot be fixed: said so.
            if let Some(i) = l.internet.as_ref().filter(|v| v.v.min == v.v.p99) {
                match &l.aws_service {
                    None => self.latency.aws_service = Dist::fixed(self.latency.aws_service.p50),
                    Some(a) if a.v.min != a.v.p99 => {
                        let span = i.span.clone();
                        self.warn(
                            &span,
                            "`internet` is a fixed delay but `aws_service` a distribution: the internet path includes the edge, so its delay varies with the edge's jitter; give `aws_service` a single value to fix it",
                        );
                    }
                    Some(_) => {}
                }
            }
            let lat = &mut self.latency;
            if let Some(x) = &l.internet_loss {
                lat.internet_loss = x.v.0;
            }
            if let Some(x) = &l.vpn_loss {
                lat.vpn_loss = x.v.0;
            }
            let zero: Vec<Span> = [
                &l.same_az,
                &l.cross_az,
                &l.internet,
                &l.aws_service,
                &l.vpn,
                &l.inter_region,
            ]
            .into_iter()
            .flatten()
            .filter(|v| v.v.min == Nanos::ZERO)
            .map(|v| v.span.clone())
            .collect();
            for s in zero {
                self.err(&s, "a latency must be more than 0s");
            }
        }
        let lat = &self.latency;
        self.design.links = vec![
            Link {
                dist: lat.same_az,
                loss: 0.0,
                onprem: None,
            },
            Link {
                dist: lat.cross_az,
                loss: 0.0,
                onprem: None,
            },
            Link {
                dist: lat.edge(),
                loss: 0.0,
                onprem: None,
            },
            Link {
                dist: lat.beyond_edge(),
                loss: lat.internet_loss,
                onprem: None,
            },
        ];
        self.design.latency = self.latency.clone();
    }
}

/// A latency as written, as the model keeps it.
pub(super) fn dist(v: &crate::scenario::raw::LatencyValue) -> Dist {
    Dist {
        min: v.min,
        p50: v.p50,
        p99: v.p99,
    }
}
