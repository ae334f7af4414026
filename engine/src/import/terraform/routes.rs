//! Routes of route tables (inline and `aws_route`), their targets and
//! destinations, and route table associations.

use serde_json::{Map, Value};

use super::super::NoteKind::{Approximated, Unknown, Unsupported};
use super::super::out;
use super::network::{SUBNET, TABLE, TARGETS, obj};
use super::{Conv, cidr};

/// Why a route has no target of the design, and what it names: the id the
/// resource it names would have (one left out), else the known value (an
/// AWS id no resource of the plan or state has).
struct NoTarget {
    why: String,
    names: Option<String>,
}

impl From<String> for NoTarget {
    fn from(why: String) -> Self {
        NoTarget { why, names: None }
    }
}

impl<'a> Conv<'a> {
    /// The target of a route given as an object of fields (`route` blocks
    /// and `aws_route`): the scenario id, or why there is none.
    fn route_target(
        &mut self,
        i: usize,
        fields: &Map<String, Value>,
        unknown: &Map<String, Value>,
        block: Option<&'a Value>,
        top_level: bool,
        table: &str,
    ) -> Result<Option<String>, NoTarget> {
        for (field, want) in TARGETS {
            let known = fields
                .get(*field)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            let is_unknown = unknown.get(*field) == Some(&Value::Bool(true));
            let expr = if top_level {
                self.world.config.expr(self.inst(i), field)
            } else {
                block.and_then(|b| b.get(*field))
            };
            let configured = expr.is_some_and(|e| !super::config::references(e).is_empty());
            if known.is_none() && !is_unknown && !configured {
                continue;
            }
            if known == Some("local") {
                return Ok(None);
            }
            if want.is_empty() {
                return Err(NoTarget {
                    why: format!("`{field}`: vpcsim cannot represent this target"),
                    names: known.map(str::to_string),
                });
            }
            let k = known.map(|s| Value::String(s.to_string()));
            let before = self.world.notes.len();
            let picks = self.world.names(i, field, want, false, expr, k.as_ref());
            let names = picks
                .first()
                .map(|p| self.ids[p.inst].clone())
                .or_else(|| known.map(str::to_string));
            return match picks
                .first()
                .and_then(|p| self.sid(p).map(|s| (p.clone(), s)))
            {
                Some((p, s)) => {
                    // A route to an instance goes to its network interface.
                    if self.inst(p.inst).rtype == "aws_network_interface" {
                        match self.eni_owner.get(&p.inst) {
                            Some(o) => Ok(Some(o.clone())),
                            None => Err(NoTarget {
                                why: format!(
                                    "`{field}`: a network interface of no instance of the design"
                                ),
                                names,
                            }),
                        }
                    } else {
                        Ok(Some(s))
                    }
                }
                None if self.inst(i).rtype != "aws_route"
                    && fields.get(*field).is_none()
                    && !is_unknown
                    && !configured =>
                {
                    continue;
                }
                None if known.is_none() && is_unknown && !configured => self
                    .unknown_target(i, field, table, before)
                    .map_err(NoTarget::from),
                None => Err(NoTarget {
                    why: format!("`{field}` names nothing in the design"),
                    names,
                }),
            };
        }
        Err(String::from("a route without a target").into())
    }

    /// A target attribute unknown until apply whose expression the
    /// configuration does not give (a `dynamic` block, a value built from
    /// functions): for `gateway_id` in a VPC with exactly one internet
    /// gateway, that gateway, noted as a heuristic (as for `vpc_id`);
    /// otherwise why the route has no target.
    fn unknown_target(
        &mut self,
        i: usize,
        field: &str,
        table: &str,
        before: usize,
    ) -> Result<Option<String>, String> {
        let unknown = format!(
            "`{field}` is unknown until apply and the configuration refers to nothing for it"
        );
        if field != "gateway_id" {
            return Err(unknown);
        }
        let Some(vpc) = self.out.route_tables.get(table).map(|t| t.vpc.clone()) else {
            return Err(unknown);
        };
        let igws: Vec<String> = self
            .out
            .igws
            .iter()
            .filter(|(_, g)| g.vpc == vpc)
            .map(|(id, _)| id.clone())
            .collect();
        let [igw] = igws.as_slice() else {
            return Err(unknown);
        };
        self.drop_unknown_since(before, i);
        self.note(
            Approximated,
            i,
            format!(
                "{unknown}; taken to be {igw}, the only internet gateway of {vpc} (a heuristic)"
            ),
        );
        Ok(Some(igw.clone()))
    }

    /// Adds a route to a table, keeping one per destination.
    fn add_route(
        &mut self,
        table: &str,
        dest: String,
        target: Result<Option<String>, NoTarget>,
        i: usize,
    ) {
        // A route to a transit gateway needs the VPC attached to it: AWS
        // refuses the route otherwise (TGW-2).
        let target = match target {
            Ok(Some(t)) if self.out.tgws.contains_key(&t) => {
                let vpc = self.out.route_tables.get(table).map(|r| r.vpc.clone());
                let attached = self
                    .out
                    .tgw_attachments
                    .values()
                    .any(|a| a.tgw == t && a.vpn.is_none() && Some(&a.vpc) == vpc.as_ref());
                if attached {
                    Ok(Some(t))
                } else {
                    Err(NoTarget::from(format!(
                        "`transit_gateway_id`: {} is not attached to {t} in the design, and AWS refuses a route to a transit gateway the VPC is not attached to",
                        vpc.unwrap_or_default()
                    )))
                }
            }
            other => other,
        };
        let (target, blackhole) = match target {
            Ok(None) => return, // local
            Ok(Some(t)) => (t, false),
            Err(NoTarget { why, names }) => {
                let kind = if why.contains("cannot represent") {
                    Unsupported
                } else {
                    Unknown
                };
                self.note(
                    kind,
                    i,
                    format!("route to {dest}: {why}; kept as a blackhole"),
                );
                // The blackhole names what the route names, when that is
                // no id of the file (the loader would judge a route to it)
                // and fit for an id.
                let in_file = |t: &str| {
                    self.out.ids().iter().any(|(id, _)| *id == t)
                        || self.made.iter().any(|&m| self.ids[m] == t)
                };
                let target = names
                    .filter(|t| {
                        t != "local"
                            && crate::scenario::diag::unfit_chars(t).is_none()
                            && !in_file(t)
                    })
                    .unwrap_or_else(|| format!("unresolved:{}", self.inst(i).address));
                (target, true)
            }
        };
        let Some(t) = self.out.route_tables.get_mut(table) else {
            return;
        };
        if t.routes.iter().any(|r| r.destination == dest) {
            self.note(
                Approximated,
                i,
                format!("a second route to {dest} in {table}; the first is kept"),
            );
            return;
        }
        t.routes.push(out::Route {
            destination: dest,
            target,
            blackhole,
        });
    }

    /// The destination of a route: a CIDR or a prefix list id.
    fn route_dest(
        &mut self,
        i: usize,
        fields: &Map<String, Value>,
        top_level: bool,
    ) -> Option<String> {
        let (cidr_key, pl_key, v6_key) = if top_level {
            (
                "destination_cidr_block",
                "destination_prefix_list_id",
                "destination_ipv6_cidr_block",
            )
        } else {
            (
                "cidr_block",
                "destination_prefix_list_id",
                "ipv6_cidr_block",
            )
        };
        if let Some(c) = fields.get(cidr_key).and_then(Value::as_str).and_then(cidr) {
            return Some(c.to_string());
        }
        if fields
            .get(v6_key)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            self.note(Unsupported, i, "an IPv6 route; left out");
            return None;
        }
        let known = fields.get(pl_key).cloned();
        let picks = if top_level
            || known
                .as_ref()
                .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        {
            self.world.names(
                i,
                pl_key,
                &["aws_ec2_managed_prefix_list"],
                false,
                None,
                known.as_ref(),
            )
        } else {
            Vec::new()
        };
        if let Some(id) = picks.first().and_then(|p| self.sid(p)) {
            return Some(id);
        }
        self.note(
            Unknown,
            i,
            "a route whose destination is not known; left out",
        );
        None
    }

    pub(super) fn routes(&mut self) {
        // Inline routes.
        for i in self.of(&["aws_route_table", "aws_default_route_table"]) {
            if !self.made.contains(&i) {
                continue;
            }
            let table = self.ids[i].clone();
            let x = self.inst(i);
            let routes: Vec<Value> = x
                .values
                .get("route")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let unknowns: Vec<Value> = x
                .unknown
                .get("route")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let blocks: Vec<&'a Value> = self
                .world
                .config
                .expr(x, "route")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            for (n, r) in routes.iter().enumerate() {
                let fields = obj(r);
                let unknown = unknowns.get(n).map(obj).unwrap_or_default();
                let Some(dest) = self.route_dest(i, &fields, false) else {
                    continue;
                };
                // The configuration block of this route: the one with its
                // destination, or the one at its place.
                let block = blocks
                    .iter()
                    .copied()
                    .find(|b| {
                        b.pointer("/cidr_block/constant_value")
                            .and_then(Value::as_str)
                            == fields.get("cidr_block").and_then(Value::as_str)
                    })
                    .or_else(|| blocks.get(n).copied());
                let target = self.route_target(i, &fields, &unknown, block, false, &table);
                self.add_route(&table, dest, target, i);
            }
        }
        for i in self.of(&["aws_route"]) {
            let Some(table) = self
                .world
                .one(i, "route_table_id", TABLE)
                .and_then(|p| self.sid(&p))
                .filter(|t| self.out.route_tables.contains_key(t) || t.ends_with("/main-rt"))
            else {
                self.note(Unknown, i, "its route table is not in the design; left out");
                continue;
            };
            if !self.out.route_tables.contains_key(&table) {
                // The implicit main table of a VPC, named through the VPC.
                let vpc = table.trim_end_matches("/main-rt").to_string();
                let head = self.head(i);
                self.out.route_tables.insert(
                    table.clone(),
                    out::RouteTable {
                        head: out::Head {
                            name: None,
                            comments: vec![format!(
                                "The main route table of {vpc}; routes from {}",
                                head.comments.join(" ")
                            )],
                        },
                        vpc,
                        main: true,
                        routes: Vec::new(),
                    },
                );
            }
            let x = self.inst(i);
            let fields = x.values.clone();
            let unknown = obj(&x.unknown);
            let Some(dest) = self.route_dest(i, &fields, true) else {
                continue;
            };
            let target = self.route_target(i, &fields, &unknown, None, true, &table);
            self.add_route(&table, dest, target, i);
            self.made.insert(i);
        }
    }

    pub(super) fn associations(&mut self) {
        for i in self.of(&["aws_route_table_association"]) {
            let x = self.inst(i);
            if x.str("gateway_id").is_some() || self.world.config.expr(x, "gateway_id").is_some() {
                self.note(
                    Unsupported,
                    i,
                    "an edge association (gateway route table); left out",
                );
                continue;
            }
            let s = self
                .world
                .one(i, "subnet_id", SUBNET)
                .and_then(|p| self.sid(&p));
            let t = self
                .world
                .one(i, "route_table_id", TABLE)
                .and_then(|p| self.sid(&p));
            match (s, t) {
                (Some(s), Some(t)) if self.out.subnets.contains_key(&s) => {
                    self.out.subnets.get_mut(&s).expect("checked").route_table = Some(t);
                    self.made.insert(i);
                }
                _ => self.note(
                    Unknown,
                    i,
                    "its subnet or route table is not in the design; left out",
                ),
            }
        }
        for i in self.of(&["aws_main_route_table_association"]) {
            let t = self
                .world
                .one(i, "route_table_id", TABLE)
                .and_then(|p| self.sid(&p));
            let Some(t) = t.filter(|t| self.out.route_tables.contains_key(t)) else {
                self.note(Unknown, i, "its route table is not in the design; left out");
                continue;
            };
            let vpc = self.out.route_tables[&t].vpc.clone();
            // One main table per VPC: the association replaces the first.
            for (k, rt) in self.out.route_tables.iter_mut() {
                if rt.vpc == vpc {
                    rt.main = *k == t;
                }
            }
            self.made.insert(i);
        }
    }
}
