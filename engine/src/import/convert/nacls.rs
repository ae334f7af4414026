//! Network ACLs and their numbered rules.

use super::*;

impl Cx<'_> {
    pub(super) fn nacls(&mut self) {
        for (&id, a) in &self.input.nacls {
            if !self.scenario.vpcs.contains_key(&a.vpc_id) {
                self.notes.left_out_with(
                    &a.vpc_id,
                    "VPC",
                    in_files(&self.input, "VPC", &a.vpc_id),
                    format!("network ACL {id}"),
                );
                continue;
            }
            let mut ingress = Vec::new();
            let mut egress = Vec::new();
            let mut ipv6 = 0;
            for e in &a.entries {
                if e.rule_number == 32767 {
                    continue; // the final `*` rule, implicit in vpcsim
                }
                let dir = if e.egress { "outbound" } else { "inbound" };
                let Some(cidr) = e.cidr_block else {
                    if e.ipv6_cidr_block.is_some() {
                        ipv6 += 1;
                    }
                    continue;
                };
                let Some(rule) = u16::try_from(e.rule_number)
                    .ok()
                    .filter(|r| (1..=32766).contains(r))
                else {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!(
                            "{dir} rule number {} left out: rules are numbered 1 to 32766 (NACL-2)",
                            e.rule_number
                        ),
                    );
                    continue;
                };
                let protocol = match aws_protocol(&e.protocol) {
                    Ok(p) => p,
                    Err(what) => {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("{dir} rule {rule} for {what} left out"),
                        );
                        continue;
                    }
                };
                let allow = match e.rule_action.to_ascii_lowercase().as_str() {
                    "allow" => true,
                    "deny" => false,
                    other => {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("{dir} rule {rule} with action `{other}` left out"),
                        );
                        continue;
                    }
                };
                let (mut ports, mut icmp_type, mut icmp_code) = (None, None, None);
                if protocol.has_ports() {
                    let pr = e.port_range.as_ref();
                    match aws_ports(pr.and_then(|p| p.from), pr.and_then(|p| p.to)) {
                        Ok(x) => ports = Some(x),
                        Err(what) => {
                            self.notes.add(
                                Unsupported,
                                id,
                                format!("{dir} rule {rule} with {what} left out"),
                            );
                            continue;
                        }
                    }
                } else if protocol == Protocol::ICMP {
                    let tc = e.icmp_type_code.as_ref();
                    icmp_type = icmp_value(tc.and_then(|t| t.icmp_type));
                    icmp_code = icmp_type.and(icmp_value(tc.and_then(|t| t.code)));
                }
                let r = out::NaclRule {
                    rule,
                    protocol,
                    ports,
                    icmp_type,
                    icmp_code,
                    cidr: trunc_noted(
                        &mut self.notes,
                        id,
                        &format!("{dir} rule {rule} CIDR"),
                        cidr,
                    ),
                    allow,
                };
                if e.egress {
                    egress.push(r);
                } else {
                    ingress.push(r);
                }
            }
            if ipv6 > 0 {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("{ipv6} IPv6 rules left out (IPv6 is not supported)"),
                );
            }
            ingress.sort_by_key(|r| r.rule);
            egress.sort_by_key(|r| r.rule);
            // AWS keeps rule numbers unique per direction; files that repeat
            // one would not validate (NACL-2): the first in the file is kept.
            for (rules, dir) in [(&mut ingress, "inbound"), (&mut egress, "outbound")] {
                let mut repeated = Vec::new();
                rules.dedup_by(|later, first| {
                    let same = later.rule == first.rule;
                    if same {
                        repeated.push(later.rule);
                    }
                    same
                });
                for n in repeated {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("{dir} rule {n} appears more than once; the first kept"),
                    );
                }
            }
            let standard = |rules: &[out::NaclRule]| matches!(rules, [r] if r.protocol == Protocol::All && r.cidr == any() && r.allow);
            let associated = a
                .associations
                .iter()
                .any(|s| self.scenario.subnets.contains_key(&s.subnet_id));
            if a.is_default && !associated && standard(&ingress) && standard(&egress) {
                // vpcsim's implicit default NACL is the same.
                continue;
            }
            self.scenario.nacls.insert(
                id.to_string(),
                out::Nacl {
                    head: head(&a.tags),
                    vpc: a.vpc_id.clone(),
                    default: a.is_default,
                    ingress,
                    egress,
                },
            );
        }
    }
}
