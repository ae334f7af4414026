//! `[scenario] include = ["design.toml"]`: a scenario made of several files.
//!
//! The included files' resources join the scenario as if they were written
//! after the including file's own. An included file holds resources only
//! (network resources, workloads, outside hosts); its `[scenario]` table may
//! be omitted, and of it only `region` (which must agree with the scenario's)
//! and `include` are used. Paths are relative to the file that names them; a
//! file included twice is read once; a cycle is an error.
//!
//! Every file is parsed at its own offset of one byte space (see
//! [`Sources`]): the text is preceded by as many newlines as the files before
//! it hold bytes, so that every span of the raw scenario is unique and says
//! which file, line and column it comes from.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::diag::{Diags, Sources};
use super::raw::Raw;
use super::reader::Sp;
use super::{MAX_FILE_BYTES, Part, parse_part, read_bounded};

/// The most files one scenario may be made of.
pub const MAX_FILES: usize = 64;

/// Parses a scenario's text and the files it includes, found next to `file`
/// (the name it is shown by, a path). The merged scenario and its files.
pub fn parse_with_includes(file: &str, text: &str, d: &mut Diags) -> (Raw, Sources) {
    let mut l = Loader {
        sources: Sources::default(),
        d,
        stack: Vec::new(),
        seen: BTreeSet::new(),
        regions: Vec::new(),
    };
    let path = Path::new(file);
    if let Ok(c) = path.canonicalize() {
        l.stack.push(c.clone());
        l.seen.insert(c);
    }
    let raw = l.part(file, path, text, Part::Whole);
    // An included file's region must be the scenario's.
    let own = raw.scenario.as_ref().and_then(|h| h.region.as_ref());
    let region = own.map_or("us-east-1", |r| r.v.as_str());
    for (r, name) in std::mem::take(&mut l.regions) {
        if r.v != region {
            let file = l.sources.file_of(r.span.start);
            l.sources.wrong_region.push(file);
            let said = match own {
                Some(o) => l.sources.line_from(o.span.start, r.span.start),
                None => "the default".to_string(),
            };
            l.d.error(
                r.span.clone(),
                format!(
                    "the region of the included file `{name}` is \"{}\", but the scenario's \
                     is \"{region}\" ({said}); a scenario models one region",
                    r.v
                ),
            );
        }
    }
    (raw, l.sources)
}

/// The files a scenario is read from: `path` itself, then every file it
/// includes, as far as they can be read (nothing is reported: the load
/// that follows reports what is wrong). The command line keeps its outputs
/// off these files.
pub fn files(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![path.to_path_buf()];
    let Ok(bytes) = read_bounded(path, MAX_FILE_BYTES) else {
        return out;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return out;
    };
    let mut d = Diags::default();
    let (_, sources) = parse_with_includes(&path.display().to_string(), &text, &mut d);
    out.extend(sources.files.iter().skip(1).map(|f| PathBuf::from(&f.name)));
    out
}

struct Loader<'d> {
    sources: Sources,
    d: &'d mut Diags,
    /// The files being read, outermost first (canonical paths).
    stack: Vec<PathBuf>,
    /// Every file read so far.
    seen: BTreeSet<PathBuf>,
    /// The regions the included files give, with their names.
    regions: Vec<(Sp<String>, String)>,
}

impl Loader<'_> {
    /// Reads one file and, first, the files it includes.
    fn part(&mut self, shown: &str, path: &Path, text: &str, part: Part) -> Raw {
        let base = self.sources.push(shown, text);
        let mut padded = String::with_capacity(base + text.len());
        padded.extend(std::iter::repeat_n('\n', base));
        padded.push_str(text);

        let mut included = Raw::default();
        for inc in include_list(&padded) {
            if let Some(raw) = self.include(shown, path, &inc) {
                append_resources(&mut included, raw);
            }
        }
        let mut raw = parse_part(&padded, self.d, part, &included);
        if part == Part::Included {
            if let Some(r) = raw.scenario.as_ref().and_then(|h| h.region.clone()) {
                self.regions.push((r, shown.to_string()));
            }
        }
        append_resources(&mut raw, included);
        raw
    }

    /// Reads the file that `inc` names in the file `from`; `None` when it
    /// cannot be read (reported at `inc`) or was read already.
    fn include(&mut self, from_shown: &str, from: &Path, inc: &Sp<String>) -> Option<Raw> {
        let dir = |p: &Path| p.parent().map(Path::to_path_buf).unwrap_or_default();
        let path = dir(from).join(&inc.v);
        let shown = dir(Path::new(from_shown))
            .join(&inc.v)
            .display()
            .to_string();
        // The file is not read: what it holds is missing, and what names
        // it is not checked (a cycle reads nothing new, and misses nothing).
        let fail = |l: &mut Self, why: String| {
            l.sources.incomplete = true;
            l.d.error(
                inc.span.clone(),
                format!("cannot include `{}`: {why}", inc.v),
            );
            None
        };
        if inc.v.trim().is_empty() {
            return fail(self, "the path is empty".into());
        }
        let canon = match path.canonicalize() {
            Ok(c) => c,
            Err(e) => return fail(self, format!("{shown}: {e}")),
        };
        if let Some(at) = self.stack.iter().position(|p| *p == canon) {
            let mut chain: Vec<String> = self.stack[at..]
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            chain.push(canon.display().to_string());
            self.d.error(
                inc.span.clone(),
                format!(
                    "cannot include `{}`: an include cycle: {}",
                    inc.v,
                    chain.join(" -> ")
                ),
            );
            return None;
        }
        if !self.seen.insert(canon.clone()) {
            return None; // read once, by an earlier include
        }
        if self.sources.files.len() >= MAX_FILES {
            return fail(
                self,
                format!("a scenario is made of at most {MAX_FILES} files"),
            );
        }
        let bytes = match read_bounded(&path, MAX_FILE_BYTES) {
            Ok(b) => b,
            Err(e) => return fail(self, format!("{shown}: {e}")),
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                return fail(
                    self,
                    format!("{shown} is not UTF-8 text: byte {at} is invalid"),
                );
            }
        };
        self.stack.push(canon);
        let raw = self.part(&shown, &path, &text, Part::Included);
        self.stack.pop();
        Some(raw)
    }
}

/// The paths of `[scenario] include`, as far as they can be read; whatever
/// is wrong with the file is reported by the full parse.
fn include_list(text: &str) -> Vec<Sp<String>> {
    let (root, _) = DeTable::parse_recoverable(text);
    let Some(head) = root.get_ref().get("scenario") else {
        return Vec::new();
    };
    let DeValue::Table(head) = head.get_ref() else {
        return Vec::new();
    };
    let Some(list) = head.get("include") else {
        return Vec::new();
    };
    let DeValue::Array(items) = list.get_ref() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match i.get_ref() {
            DeValue::String(s) => Some(Sp::new(i.span(), s.to_string())),
            _ => None,
        })
        .collect()
}

/// Moves the resources of `from` to the end of `into`. The scenario table,
/// prices, latencies, traffic, timeline and expectations of `from` are not
/// resources (an included file that has them was reported).
pub fn append_resources(into: &mut Raw, from: Raw) {
    // Every field is named, so that a new kind of resource cannot be
    // forgotten here.
    let Raw {
        scenario: _,
        pricing: _,
        latency: _,
        vpcs,
        subnets,
        route_tables,
        internet_gateways,
        nat_gateways,
        prefix_lists,
        vpc_endpoints,
        security_groups,
        network_acls,
        vpc_peerings,
        vpn_gateways,
        onprem_networks,
        instances,
        lambdas,
        external_hosts,
        aws_services,
        onprem_hosts,
        transit_gateways,
        tgw_attachments,
        tgw_route_tables,
        traffic: _,
        events: _,
        expects: _,
    } = from;
    into.vpcs.extend(vpcs);
    into.subnets.extend(subnets);
    into.route_tables.extend(route_tables);
    into.internet_gateways.extend(internet_gateways);
    into.nat_gateways.extend(nat_gateways);
    into.prefix_lists.extend(prefix_lists);
    into.vpc_endpoints.extend(vpc_endpoints);
    into.security_groups.extend(security_groups);
    into.network_acls.extend(network_acls);
    into.vpc_peerings.extend(vpc_peerings);
    into.vpn_gateways.extend(vpn_gateways);
    into.onprem_networks.extend(onprem_networks);
    into.instances.extend(instances);
    into.lambdas.extend(lambdas);
    into.external_hosts.extend(external_hosts);
    into.aws_services.extend(aws_services);
    into.onprem_hosts.extend(onprem_hosts);
    into.transit_gateways.extend(transit_gateways);
    into.tgw_attachments.extend(tgw_attachments);
    into.tgw_route_tables.extend(tgw_route_tables);
}
