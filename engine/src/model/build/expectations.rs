//! Expectations: what the run must show for a flow.

use super::*;

impl Builder<'_> {
    pub(super) fn expects(&mut self) {
        let raw = self.raw;
        // The first valid traffic of each id (a duplicate id is reported).
        let mut valid: BTreeMap<String, TrafficId> = BTreeMap::new();
        for (i, t) in self.design.traffic.iter().enumerate() {
            valid
                .entry(t.name.clone())
                .or_insert(TrafficId::from_idx(i));
        }
        let written: std::collections::BTreeSet<&str> =
            raw.traffic.iter().map(|t| t.id.v.as_str()).collect();
        // A misspelt `[[traffic]]` (`[[trafic]]`) is reported once, with
        // the key it stands for: the traffic it holds is not reported
        // missing again by each expectation that names it.
        let traffic_misspelt = self.d.is_unreadable(0, "traffic");
        for e in &raw.expects {
            let line = self.line(&e.span);
            let owner = format!("expectation on line {line}");
            let traffic = e.traffic.as_ref().and_then(|t| {
                match valid.get(t.v.as_str()) {
                    Some(i) => Some(*i),
                    None if written.contains(t.v.as_str()) => None, // invalid traffic, reported
                    None if traffic_misspelt => None,
                    None => {
                        let names = raw.traffic.iter().map(|x| x.id.v.as_str());
                        let mut msg = format!(
                            "{owner}: `traffic` names `{}`, which is not a [[traffic]] of this file{}",
                            shown_id(&t.v),
                            hidden_note(&t.v)
                        );
                        if let Some(s) = self.suggest(&t.v, names) {
                            msg.push_str(&did_you_mean_id(s));
                        }
                        self.err(&t.span, msg);
                        None
                    }
                }
            });
            if let Some(w) = &e.window {
                if w.v.0 >= self.duration && self.duration > Nanos::ZERO {
                    self.err(
                        &w.span,
                        format!(
                            "{owner}: the window starts at or after the end of the run ({})",
                            self.duration
                        ),
                    );
                }
            }
            let path_kinds = [
                Kind::RouteTable,
                Kind::Igw,
                Kind::Nat,
                Kind::Endpoint,
                Kind::Peering,
                Kind::Vgw,
                Kind::Tgw,
                Kind::TgwRouteTable,
                Kind::TgwAttachment,
                Kind::Instance,
                Kind::Eni,
            ];
            let mut via = Vec::new();
            for v in &e.via {
                via.extend(self.reference(&owner, "via", v, &path_kinds));
            }
            let mut not_via = Vec::new();
            for v in &e.not_via {
                not_via.extend(self.reference(&owner, "not_via", v, &path_kinds));
            }
            let drop_reason =
                e.drop_reason
                    .as_ref()
                    .and_then(|r| match DropReason::from_name(&r.v) {
                        Some(x) => Some(x),
                        None => {
                            let mut msg =
                                format!("{owner}: `drop_reason` `{}` is not a drop reason", r.v);
                            if let Some(s) =
                                did_you_mean(&r.v, DropReason::ALL.iter().map(|d| d.name()))
                            {
                                msg.push_str(&format!("; did you mean `{s}`?"));
                            }
                            self.err(&r.span, msg);
                            None
                        }
                    });
            let drop_kinds = [
                Kind::Subnet,
                Kind::RouteTable,
                Kind::Nacl,
                Kind::Igw,
                Kind::Nat,
                Kind::Endpoint,
                Kind::Peering,
                Kind::Vgw,
                Kind::Tgw,
                Kind::TgwRouteTable,
                Kind::TgwAttachment,
                Kind::Instance,
                Kind::Lambda,
                Kind::Eni,
                Kind::ExternalHost,
                Kind::AwsService,
                Kind::OnpremHost,
                Kind::OnpremNet,
            ];
            let drop_at = e.drop_at.as_ref().and_then(|d| {
                if d.v == "internet" && !self.names.contains_key("internet") {
                    return Some(DropAt::Internet);
                }
                self.reference(&owner, "drop_at", d, &drop_kinds)
                    .map(DropAt::Component)
            });
            let measures = crate::scenario::bound::Measure::ALL;
            let stated = ["delivered", "via", "not_via", "drop_reason", "drop_at"]
                .iter()
                .copied()
                .chain(measures.iter().map(|m| m.key()))
                .any(|k| self.unreadable(&e.span, k));
            if e.delivered.is_none()
                && e.via.is_empty()
                && e.not_via.is_empty()
                && e.drop_reason.is_none()
                && e.drop_at.is_none()
                && e.bounds.is_empty()
                && !stated
            {
                self.err(&e.span, format!("{owner} states nothing: give `delivered`, `via`, `not_via`, `drop_reason`, `drop_at` or a bound (`p99`, `throughput`, `failures`, `nat_ports`, `bytes`, `cost_per_month`, ...)"));
            }
            // What speaks of a traffic needs one.
            let of_traffic: Vec<&str> = [
                ("delivered", e.delivered.is_some()),
                ("via", !e.via.is_empty()),
                ("not_via", !e.not_via.is_empty()),
                ("drop_reason", e.drop_reason.is_some()),
                ("drop_at", e.drop_at.is_some()),
            ]
            .into_iter()
            .filter(|(_, x)| *x)
            .map(|(k, _)| k)
            .chain(
                e.bounds
                    .iter()
                    .filter(|b| b.v.measure.of_traffic())
                    .map(|b| b.v.measure.key()),
            )
            .collect();
            // A window speaks of a traffic, or of the component and cost
            // bounds over it.
            let over_window = e.bounds.iter().any(|b| !b.v.measure.of_traffic());
            if e.traffic.is_none()
                && (!of_traffic.is_empty() || (e.window.is_some() && !over_window))
            {
                let what = if of_traffic.is_empty() {
                    "`window`".to_string()
                } else {
                    format!("`{}`", of_traffic.join("`, `"))
                };
                self.err(
                    &e.span,
                    format!("{owner} is missing the required key `traffic`: {what} speak of a traffic; add `traffic = \"<id of a [[traffic]]>\"`"),
                );
                continue;
            }
            let of_component: Vec<&Sp<crate::scenario::bound::Bound>> = e
                .bounds
                .iter()
                .filter(|b| b.v.measure.of_component())
                .collect();
            let component_kinds = [
                Kind::Nat,
                Kind::Igw,
                Kind::Endpoint,
                Kind::Peering,
                Kind::Vgw,
                Kind::Tgw,
                Kind::TgwAttachment,
                Kind::RouteTable,
                Kind::Instance,
                Kind::Eni,
            ];
            let component = match &e.component {
                Some(c) => self.reference(&owner, "component", c, &component_kinds),
                None => None,
            };
            if let (Some(c), None) = (&e.component, of_component.first()) {
                self.err(
                    &c.span,
                    format!("{owner}: `component` is for `nat_ports`, `nat_connections` and `bytes`; none is stated"),
                );
            }
            if let (None, Some(b)) = (&e.component, of_component.first()) {
                self.err(
                    &b.span,
                    format!("{owner}: `{}` speaks of a component: add `component = \"<id>\"`, like `component = \"nat-a\"`", b.v.measure.key()),
                );
            }
            if let Some(c) = component.filter(|c| !matches!(c, Component::Nat(_))) {
                for b in &of_component {
                    if b.v.measure != crate::scenario::bound::Measure::Bytes {
                        self.err(
                            &b.span,
                            format!("{owner}: `{}` speaks of a NAT gateway, and `component` names `{}`, which is not one", b.v.measure.key(), self.design.name_of(c)),
                        );
                    }
                }
            }
            let bounds: Vec<_> = e.bounds.iter().map(|b| b.v.clone()).collect();
            let latency = bounds.iter().any(|b| b.measure.quantile().is_some());
            if traffic.is_none() && e.traffic.is_some() {
                continue;
            }
            self.design.expects.push(Expect {
                traffic,
                window: e.window.as_ref().map(|w| w.v),
                delivered: e.delivered.as_ref().map(|d| d.v),
                via,
                not_via,
                drop_reason,
                drop_at,
                component,
                bounds,
                latency,
                line,
            });
        }
    }
}
