//! Invalid scenario files and the exact report the loader gives for each.
//!
//! Every case is a whole file (the text starts on line 1 at `[scenario]`; a
//! leading newline after `r#"` is dropped) and the complete list of report
//! lines expected for it, `line:column: severity: message`, in report order.
//! The rule ids in the messages are those of `aws-vpc-semantics.md`.

#[path = "cases/invalid.rs"]
mod cases;

use cases::{Case, INVALID, LOADS};
use vpcsim::model::load_str;

fn text_of(text: &str) -> &str {
    text.strip_prefix('\n').unwrap_or(text)
}

/// The report lines of a file, and whether it loaded.
fn report(name: &str, text: &str) -> (bool, Vec<String>) {
    let file = format!("{name}.toml");
    match load_str(&file, text_of(text)) {
        Ok(loaded) => (true, loaded.report.lines().collect()),
        Err(report) => (false, report.lines().collect()),
    }
}

fn expected_lines(name: &str, expected: &[&str]) -> Vec<String> {
    expected
        .iter()
        .map(|e| format!("{name}.toml:{e}"))
        .collect()
}

/// Checks every case and fails once, listing every case that differs, with
/// what it actually reported.
fn check_all(cases: &[Case], should_load: bool) {
    let mut failures = Vec::new();
    for c in cases {
        let (loaded, got) = report(c.name, c.text);
        let want = expected_lines(c.name, c.expected);
        if loaded != should_load || got != want {
            let shown: Vec<String> = got
                .iter()
                .map(|l| {
                    let rest = l.strip_prefix(&format!("{}.toml:", c.name)).unwrap_or(l);
                    format!("        {rest:?},")
                })
                .collect();
            failures.push(format!(
                "case `{}`: loaded = {loaded} (expected {should_load})\n    expected:\n{}\n    got:\n{}",
                c.name,
                want.iter()
                    .map(|l| format!("        {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                shown.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn invalid_files_report_exactly() {
    check_all(INVALID, false);
}

#[test]
fn valid_files_report_exactly_their_warnings() {
    check_all(LOADS, true);
}

// -- checks named one by one ------------------------------------------------

/// A design that loads with no problem: a private subnet reaching the
/// internet through `nat-a` (`nat-b` stands by), an instance `app` there,
/// and a UDP flow to an internet host. Tests add to it or change it.
const BASE: &str = r#"[scenario]
name = "base"
duration = "60s"

[[vpc]]
id = "vpc-main"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "vpc-main"
cidr = "10.0.0.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[subnet]]
id = "private-a"
vpc = "vpc-main"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-private"

[[route_table]]
id = "rt-public"
vpc = "vpc-main"
routes = [ { destination = "0.0.0.0/0", target = "igw-main" } ]

[[route_table]]
id = "rt-private"
vpc = "vpc-main"
routes = [ { destination = "0.0.0.0/0", target = "nat-a" } ]

[[internet_gateway]]
id = "igw-main"
vpc = "vpc-main"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"
public_ip = "3.35.0.10"

[[nat_gateway]]
id = "nat-b"
subnet = "public-a"
public_ip = "3.35.0.11"

[[security_group]]
id = "sg-app"
vpc = "vpc-main"
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "app"
subnet = "private-a"
security_groups = ["sg-app"]

[[external_host]]
id = "api-example"
ip = "93.184.216.34"
listen = [ { protocol = "udp", port = 53 } ]

[[traffic]]
id = "app-to-api"
from = "app"
to = "api-example"
pattern = "udp"
port = 53
rate = "10/s"
size = "512B"
"#;

/// `BASE` with `extra` after it: whether it loaded, and its report lines
/// without the file name.
fn base_with(extra: &str) -> (bool, Vec<String>) {
    let text = format!("{BASE}{extra}");
    let (loaded, lines) = report("base", &text);
    let lines = lines
        .into_iter()
        .map(|l| l.strip_prefix("base.toml:").unwrap_or(&l).to_string())
        .collect();
    (loaded, lines)
}

/// The line `BASE` plus `extra` has where `needle` first is in `extra`.
fn line_in(extra: &str, needle: &str) -> usize {
    let before = &extra[..extra.find(needle).expect("the needle is in the text")];
    BASE.lines().count() + before.matches('\n').count() + 1
}

#[test]
fn the_base_design_loads_without_a_problem() {
    assert_eq!(base_with(""), (true, vec![]));
}

#[test]
fn udp_size_above_one_ipv4_datagram_is_an_error_that_suggests_tcp() {
    let text = BASE.replace("size = \"512B\"", "size = \"65508B\"");
    let (loaded, lines) = report("udp", &text);
    assert!(!loaded, "{lines:?}");
    let line = text.lines().position(|l| l.starts_with("size =")).unwrap() + 1;
    assert_eq!(lines.len(), 1, "{lines:?}");
    let l = &lines[0];
    assert!(
        l.starts_with(&format!(
            "udp.toml:{line}:8: error: traffic `app-to-api`: `size` 65508 bytes"
        )),
        "{l}"
    );
    assert!(l.contains("at most 65507 bytes"), "{l}");
    assert!(l.contains("use TCP"), "{l}");
}

#[test]
fn udp_size_of_the_largest_datagram_loads() {
    let text = BASE.replace("size = \"512B\"", "size = 65507");
    let (loaded, lines) = report("udp", &text);
    assert!(loaded && lines.is_empty(), "{lines:?}");
}

#[test]
fn ids_with_whitespace_or_control_characters_are_errors_at_their_place() {
    let text = BASE
        .replace("id = \"nat-b\"", "id = \"nat b\"")
        .replace("id = \"app-to-api\"", "id = \"app\\nto-api\"")
        .replace("id = \"sg-app\"\nvpc", "id = \"sg-app\\t\"\nvpc")
        .replace("[\"sg-app\"]", "[\"sg-app\\t\"]");
    let (loaded, lines) = report("ids", &text);
    assert!(!loaded);
    let at = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert_eq!(
        lines,
        [
            format!(
                "ids.toml:{}:6: error: id `nat b` contains U+0020 SPACE: an id cannot hold whitespace, control or invisible characters (flow logs separate their fields with spaces, the summary and this report give each one line, and an invisible character makes two ids look the same); write it as `nat-b`",
                at("nat b")
            ),
            format!(
                "ids.toml:{}:6: error: id `sg-app\\t` contains U+0009 CHARACTER TABULATION: an id cannot hold whitespace, control or invisible characters (flow logs separate their fields with spaces, the summary and this report give each one line, and an invisible character makes two ids look the same); write it as `sg-app`",
                at("id = \"sg-app\\t\"")
            ),
            format!(
                "ids.toml:{}:6: error: traffic id `app\\nto-api` contains U+000A LINE FEED: an id cannot hold whitespace, control or invisible characters (flow logs separate their fields with spaces, the summary and this report give each one line, and an invisible character makes two ids look the same); write it as `app-to-api`",
                at("app\\nto-api")
            ),
        ]
    );
}

#[test]
fn quotes_and_other_visible_characters_stay_allowed_in_ids() {
    // Every output quotes or escapes them: CSV, JSON, DOT, JUnit, HTML.
    let id = r#"nat-\"a\",<b>/é🚀"#;
    let text = BASE.replace("\"nat-b\"", &format!("\"{id}\""));
    let (loaded, lines) = report("visible", &text);
    assert!(loaded && lines.is_empty(), "{lines:?}");
}

#[test]
fn an_invisible_character_in_a_reference_is_named() {
    let text = BASE.replace("target = \"nat-a\"", "target = \"nat\u{200B}-a\"");
    let (loaded, lines) = report("zw", &text);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with(
            "error: route table `rt-private`: `target` names `nat\\u{200B}-a`, which does not exist (it contains U+200B ZERO WIDTH SPACE); did you mean `nat-a`?"
        ),
        "{lines:?}"
    );
}

#[test]
fn an_invisible_character_in_an_id_is_named_where_it_is_suggested() {
    let text = BASE.replace("id = \"igw-main\"", "id = \"igw-main\u{200E}\"");
    let (loaded, lines) = report("zw", &text);
    assert!(!loaded);
    assert!(
        lines.iter().any(|l| l.ends_with(
            "`target` names `igw-main`, which does not exist; did you mean `igw-main\\u{200E}`, which contains U+200E LEFT-TO-RIGHT MARK?"
        )),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("error: id `igw-main\\u{200E}` contains U+200E LEFT-TO-RIGHT MARK")),
        "{lines:?}"
    );
}

#[test]
fn to_suggestions_name_only_what_a_to_can_name() {
    // `private-b` is one edit from subnet `private-a`, which a `to` cannot
    // name: nothing is suggested.
    let text = BASE.replace("to = \"api-example\"", "to = \"private-b\"");
    let (loaded, lines) = report("to", &text);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with("`to` names `private-b`, which is neither an id of this file nor a service name that resolves from the source (through a private-DNS interface endpoint of its VPC with DNS support and hostnames on, an [[aws_service]], or a `com.amazonaws.<region>.<service>` prefix list)"),
        "{lines:?}"
    );
    // A misspelt host is still suggested.
    let text = BASE.replace("to = \"api-example\"", "to = \"api-exmple\"");
    let (_, lines) = report("to", &text);
    assert!(
        lines[0].ends_with("did you mean `api-example`?"),
        "{lines:?}"
    );
}

#[test]
fn rt_10_delete_route_of_a_route_absent_at_that_time_is_an_error() {
    let extra = r#"
[[event]]
at = "45s"
delete_route = { route_table = "rt-private", destination = "10.9.0.0/16" }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}:60: error: event `delete_route`: route table `rt-private` has no route to 10.9.0.0/16 at 45s (its routes then go to 0.0.0.0/0); AWS refuses to delete a route that does not exist (RT-10)",
            line_in(extra, "delete_route")
        )]
    );
}

#[test]
fn rt_10_a_route_deleted_once_is_gone_for_the_next_delete_route() {
    let extra = r#"
[[event]]
at = "20s"
delete_route = { route_table = "rt-private", destination = "0.0.0.0/0" }

[[event]]
at = "40s"
delete_route = { route_table = "rt-private", destination = "0.0.0.0/0" }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!(
            "{}:60: error: event `delete_route`: route table `rt-private` has no route to 0.0.0.0/0 at 40s (it then holds only its local routes)",
            line_in(extra, "at = \"40s\"") + 1
        )),
        "{lines:?}"
    );
}

#[test]
fn rt_10_timelines_aws_accepts_load_without_a_problem() {
    // A route a `set` wrote is there to delete; a deleted NAT gateway's
    // route stays, a blackhole, until deleted; a route added to a gateway
    // is accepted before that gateway's deletion at the same time, in
    // file order; a route written as a blackhole may name what is gone.
    let extra = r#"
[[event]]
at = "10s"
set = { resource = "rt-public", routes = [ { destination = "0.0.0.0/0", target = "igw-main" }, { destination = "10.9.0.0/16", target = "igw-main" } ] }

[[event]]
at = "20s"
delete_route = { route_table = "rt-public", destination = "10.9.0.0/16" }

[[event]]
at = "30s"
delete = "nat-a"

[[event]]
at = "40s"
delete_route = { route_table = "rt-private", destination = "0.0.0.0/0" }

[[event]]
at = "45s"
add_route = { route_table = "rt-private", destination = "0.0.0.0/0", target = "nat-b" }

[[event]]
at = "45s"
delete = "nat-b"

[[event]]
at = "50s"
set = { resource = "rt-private", routes = [ { destination = "0.0.0.0/0", target = "nat-b", state = "blackhole" } ] }
"#;
    assert_eq!(base_with(extra), (true, vec![]));
}

#[test]
fn rt_10_timeline_checks_follow_time_not_file_order() {
    // Written first, run second: the route exists by then.
    let extra = r#"
[[event]]
at = "45s"
delete_route = { route_table = "rt-public", destination = "10.9.0.0/16" }

[[event]]
at = "30s"
add_route = { route_table = "rt-public", destination = "10.9.0.0/16", target = "igw-main" }
"#;
    assert_eq!(base_with(extra), (true, vec![]));
    // And the other way round: deleted at 30s, added only at 45s.
    let extra = r#"
[[event]]
at = "45s"
add_route = { route_table = "rt-public", destination = "10.9.0.0/16", target = "igw-main" }

[[event]]
at = "30s"
delete_route = { route_table = "rt-public", destination = "10.9.0.0/16" }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("has no route to 10.9.0.0/16 at 30s"),
        "{lines:?}"
    );
}

#[test]
fn rt_2_delete_route_of_the_local_route_is_an_error() {
    let extra = r#"
[[event]]
at = "10s"
delete_route = { route_table = "rt-private", destination = "10.0.0.0/16" }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}:60: error: event `delete_route`: the route to 10.0.0.0/16 in route table `rt-private` is the local route of its VPC, which cannot be deleted (RT-2)",
            line_in(extra, "delete_route")
        )]
    );
}

#[test]
fn rt_10_deleting_a_resource_twice_is_an_error() {
    let extra = r#"
[[event]]
at = "30s"
delete = "nat-a"

[[event]]
at = "45s"
delete = "nat-a"
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}:10: error: event `delete`: `nat-a` was deleted at 30s (line {}); it cannot be deleted again (RT-10)",
            line_in(extra, "at = \"45s\"") + 1,
            line_in(extra, "[[event]]")
        )]
    );
}

#[test]
fn rt_10_an_instance_and_its_interface_are_deleted_together() {
    let text = BASE.replace(
        "security_groups = [\"sg-app\"]\n",
        "security_groups = [\"sg-app\"]\neni = \"eni-app\"\n",
    );
    let text = format!(
        "{text}\n[[event]]\nat = \"10s\"\ndelete = \"app\"\n\n[[event]]\nat = \"20s\"\ndelete = \"eni-app\"\n"
    );
    let (loaded, lines) = report("eni", &text);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("`eni-app` was deleted at 10s"),
        "{lines:?}"
    );
}

#[test]
fn rt_10_add_route_to_a_target_deleted_earlier_is_an_error() {
    let extra = r#"
[[event]]
at = "30s"
delete = "nat-a"

[[event]]
at = "45s"
add_route = { route_table = "rt-private", destination = "0.0.0.0/0", target = "nat-a" }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}:79: error: event `add_route` at 45s: the route's target `nat-a` was deleted at 30s (line {}); AWS creates no route to a target that does not exist (RT-10): route to one that exists then, or change the route before the deletion",
            line_in(extra, "add_route"),
            line_in(extra, "[[event]]")
        )]
    );
    // To the gateway that still exists, the same change loads (RT-5: the
    // route to the deleted one was a blackhole until then).
    assert_eq!(
        base_with(&extra.replace("target = \"nat-a\"", "target = \"nat-b\"")),
        (true, vec![])
    );
}

#[test]
fn rt_10_set_routes_to_a_deleted_target_is_an_error_unless_a_blackhole() {
    let extra = r#"
[[event]]
at = "30s"
delete = "nat-a"

[[event]]
at = "45s"
set = { resource = "rt-private", routes = [ { destination = "0.0.0.0/0", target = "nat-a" } ] }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("event `set` at 45s: the route's target `nat-a` was deleted at 30s"),
        "{lines:?}"
    );
    let blackhole = extra.replace(
        "target = \"nat-a\" }",
        "target = \"nat-a\", state = \"blackhole\" }",
    );
    assert_eq!(base_with(&blackhole), (true, vec![]));
}

#[test]
fn rt_10_set_on_a_deleted_instance_is_an_error() {
    let extra = r#"
[[event]]
at = "30s"
delete = "app"

[[event]]
at = "45s"
set = { resource = "app", source_dest_check = false }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("event `set` on `app`: it was deleted at 30s"),
        "{lines:?}"
    );
}

#[test]
fn tgw_2_rt_10_no_route_to_or_association_of_a_deleted_attachment() {
    let design = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/tgw-shared-services.toml"
    ))
    .expect("the shipped scenario");
    let extra = r#"
[[event]]
at = "5s"
delete = "att-spoke-c"

[[event]]
at = "8s"
add_route = { route_table = "rt-spoke-c", destination = "10.9.0.0/16", target = "tgw-hub" }

[[event]]
at = "9s"
set = { resource = "tgw-rt-shared", propagations = ["att-spoke-a", "att-spoke-c"] }
"#;
    let text = format!("{design}{extra}");
    let (loaded, lines) = report("tgw", &text);
    assert!(!loaded);
    let first = design.lines().count() + 1;
    let line = |needle: &str| first + extra[..extra.find(needle).unwrap()].matches('\n').count();
    assert_eq!(
        lines,
        [
            format!(
                "tgw.toml:{}:81: error: event `add_route` at 8s: VPC `vpc-spoke-c` has no attachment to transit gateway `tgw-hub` then: `att-spoke-c` was deleted at 5s (line {}); AWS creates no route to a transit gateway the VPC is not attached to (TGW-2, RT-10)",
                line("add_route"),
                line("[[event]]")
            ),
            format!(
                "tgw.toml:{}:68: error: event `set` at 9s: transit gateway attachment `att-spoke-c` was deleted at 5s (line {}); what no longer exists cannot be associated or propagate (RT-10)",
                line("set ="),
                line("[[event]]")
            ),
        ]
    );
    // Before the deletion both changes load.
    let earlier = extra.replace("at = \"5s\"", "at = \"10s\"");
    let (loaded, lines) = report("tgw", &format!("{design}{earlier}"));
    assert!(loaded, "{lines:?}");
    // A `set` of the table's routes to the transit gateway is refused the
    // same way; as a blackhole it loads.
    let set = r#"
[[event]]
at = "5s"
delete = "att-spoke-c"

[[event]]
at = "8s"
set = { resource = "rt-spoke-c", routes = [ { destination = "10.0.0.0/8", target = "tgw-hub" } ] }
"#;
    let (loaded, lines) = report("tgw", &format!("{design}{set}"));
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("error: event `set` at 8s: VPC `vpc-spoke-c` has no attachment to transit gateway `tgw-hub` then"),
        "{lines:?}"
    );
    let hole = set.replace(
        "target = \"tgw-hub\" }",
        "target = \"tgw-hub\", state = \"blackhole\" }",
    );
    let (loaded, lines) = report("tgw", &format!("{design}{hole}"));
    assert!(loaded, "{lines:?}");
}

/// `line:column` in `BASE` plus `extra` of the first `needle` in `extra`.
fn place_of(extra: &str, needle: &str) -> String {
    let at = extra.find(needle).expect("the needle is in the text");
    let line_start = extra[..at].rfind('\n').map_or(0, |n| n + 1);
    format!(
        "{}:{}",
        line_in(extra, needle),
        extra[line_start..at].chars().count() + 1
    )
}

/// A second VPC with its own route table and network ACL.
const OTHER_VPC: &str = r#"
[[vpc]]
id = "vpc-other"
cidrs = ["10.8.0.0/16"]

[[route_table]]
id = "rt-other"
vpc = "vpc-other"

[[network_acl]]
id = "acl-other"
vpc = "vpc-other"

[[security_group]]
id = "sg-other"
vpc = "vpc-other"
"#;

#[test]
fn rt_1_a_set_moving_a_subnet_to_another_vpcs_route_table_is_an_error() {
    let extra = format!(
        r#"{OTHER_VPC}
[[event]]
at = "10s"
set = {{ resource = "private-a", route_table = "rt-other" }}
"#
    );
    let (loaded, lines) = base_with(&extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}: error: event `set` on `private-a`: route table `rt-other` belongs to another VPC",
            place_of(&extra, "\"rt-other\" }")
        )]
    );
}

#[test]
fn nacl_3_a_set_moving_a_subnet_to_another_vpcs_network_acl_is_an_error() {
    let extra = format!(
        r#"{OTHER_VPC}
[[event]]
at = "10s"
set = {{ resource = "private-a", network_acl = "acl-other" }}
"#
    );
    let (loaded, lines) = base_with(&extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}: error: event `set` on `private-a`: network ACL `acl-other` belongs to another VPC",
            place_of(&extra, "\"acl-other\" }")
        )]
    );
}

#[test]
fn sg_1_a_set_naming_another_vpcs_group_reports_only_that() {
    let extra = format!(
        r#"{OTHER_VPC}
[[event]]
at = "10s"
set = {{ resource = "app", security_groups = ["sg-other"] }}
"#
    );
    let (loaded, lines) = base_with(&extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}: error: event `set` on `app`: security group `sg-other` belongs to VPC `vpc-other`, not `vpc-main`",
            place_of(&extra, "\"sg-other\"]")
        )]
    );
}

#[test]
fn sg_1_a_set_of_no_security_groups_on_an_instance_is_an_error() {
    let extra = r#"
[[event]]
at = "10s"
set = { resource = "app", security_groups = [] }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("an ENI keeps at least one security group (SG-1)"),
        "{lines:?}"
    );
}

#[test]
fn ife_1_a_set_of_route_tables_on_an_interface_endpoint_is_an_error() {
    let extra = r#"
[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "vpc-main"
service = "sqs"
subnets = ["private-a"]
security_groups = ["sg-app"]
private_dns = false

[[event]]
at = "10s"
set = { resource = "vpce-sqs", route_tables = ["rt-private"] }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}: error: event `set` on `vpce-sqs`: an interface endpoint has no `route_tables`; it has an ENI in each of its `subnets`",
            place_of(extra, "\"rt-private\"]")
        )]
    );
}

#[test]
fn rt_10_a_set_of_routes_with_two_routes_to_one_destination_is_an_error() {
    let extra = r#"
[[event]]
at = "10s"
set = { resource = "rt-private", routes = [ { destination = "0.0.0.0/0", target = "nat-a" }, { destination = "0.0.0.0/0", target = "nat-b" } ] }
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}: error: event `set` on `rt-private`: a route to this destination already exists on line {}",
            place_of(extra, "{ destination = \"0.0.0.0/0\", target = \"nat-b\""),
            line_in(extra, "set = ")
        )]
    );
}

#[test]
fn an_event_a_nanosecond_past_the_end_is_named_in_seconds() {
    let extra = r#"
[[event]]
at = "60000000001ns"
delete = "nat-b"
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}: error: an event at 60.000000001s is after the end of the run (60s)",
            place_of(extra, "\"60000000001ns\"")
        )]
    );
}

/// An interface endpoint with private DNS for `sqs`, a traffic to `sqs`,
/// and the endpoint's deletion at 10s.
const SQS_ENDPOINT_DELETED: &str = r#"
[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "vpc-main"
service = "sqs"
subnets = ["private-a"]
security_groups = ["sg-app"]
private_dns = true

[[traffic]]
id = "to-sqs"
from = "app"
to = "sqs"
port = 443
rate = "1/s"

[[event]]
at = "10s"
delete = "vpce-sqs"
"#;

#[test]
fn ife_2_deleting_the_endpoint_of_a_service_with_no_public_address_warns() {
    let (loaded, lines) = base_with(SQS_ENDPOINT_DELETED);
    assert!(loaded, "{lines:?}");
    let warned: Vec<&String> = lines.iter().filter(|l| l.contains("NXDOMAIN")).collect();
    assert_eq!(
        warned,
        [&format!(
            "{}:10: warning: event `delete`: traffic `to-sqs` names `sqs`, which resolves through this endpoint's private DNS; the file gives `sqs` no public address (an `[[aws_service]]` or a `com.amazonaws.<region>.sqs` prefix list), so after this deletion its name gets NXDOMAIN once cached answers expire; declare an `[[aws_service]]` with `service = \"sqs\"` for its public front door",
            line_in(SQS_ENDPOINT_DELETED, "delete = ")
        )],
        "{lines:?}"
    );
    // With a public front door declared, the name resolves there again.
    let front = format!(
        "{SQS_ENDPOINT_DELETED}\n[[aws_service]]\nid = \"sqs-front\"\nservice = \"sqs\"\nips = [\"3.218.180.10\"]\n"
    );
    let (loaded, lines) = base_with(&front);
    assert!(loaded, "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("NXDOMAIN")), "{lines:?}");
}

/// A us-west-2 accepter VPC with a NAT-less instance asking for `s3`: the
/// file gives us-west-2's S3 no address.
const WEST_S3: &str = r#"[scenario]
name = "t"
duration = "5s"
region = "us-east-1"

[[vpc]]
id = "vpc-east"
cidrs = ["10.0.0.0/16"]

[[vpc]]
id = "vpc-west"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "w-s"
vpc = "vpc-west"
cidr = "10.1.1.0/24"
az = "us-west-2a"

[[vpc_peering]]
id = "pcx"
requester = "vpc-east"
accepter = "vpc-west"
peer_region = "us-west-2"

[[instance]]
id = "w1"
subnet = "w-s"

[[traffic]]
id = "west-to-s3"
from = "w1"
to = "s3"
port = 443
rate = "1/s"
"#;

#[test]
fn gwe_1_a_service_name_from_a_region_without_its_addresses_warns_and_suggests_a_front_door() {
    let (loaded, lines) = report("west", WEST_S3);
    assert!(loaded, "{lines:?}");
    assert_eq!(
        lines,
        [
            "west.toml:33:6: warning: traffic `west-to-s3`: `to` names `s3`, which from the source's Region, us-west-2, is `s3.us-west-2.amazonaws.com`; vpcsim has no address range for s3 in us-west-2 and the file declares none, so its lookups get NXDOMAIN (another Region's addresses are not an answer); declare [[aws_service]] with `service = \"s3\"`, `region = \"us-west-2\"` and its `ips`, or a [[prefix_list]] named `com.amazonaws.us-west-2.s3` with its CIDRs"
        ],
    );
    let d = vpcsim::model::load_str("west.toml", WEST_S3)
        .unwrap()
        .design;
    let t = &d.traffic[0];
    assert_eq!(
        vpcsim::dataplane::resolve::destination(&d, t.from, &t.to),
        None
    );

    // A front door of that Region answers; one of the scenario's Region
    // does not.
    let east = format!(
        "{WEST_S3}\n[[aws_service]]\nid = \"s3-east\"\nservice = \"s3\"\nips = [\"54.231.1.10\"]\n"
    );
    let (loaded, lines) = report("west", &east);
    assert!(loaded && lines.len() == 1, "{lines:?}");
    let west = format!(
        "{WEST_S3}\n[[aws_service]]\nid = \"s3-west\"\nservice = \"s3\"\nregion = \"us-west-2\"\nips = [\"52.218.128.10\"]\n"
    );
    let (loaded, lines) = report("west", &west);
    assert!(loaded && lines.is_empty(), "{lines:?}");
    let d = vpcsim::model::load_str("west.toml", &west).unwrap().design;
    let t = &d.traffic[0];
    assert_eq!(
        vpcsim::dataplane::resolve::destination(&d, t.from, &t.to),
        Some("52.218.128.10".parse().unwrap())
    );
}

#[test]
fn ife_7_private_dns_only_for_inbound_resolver_endpoint_needs_private_dns_and_a_gateway_endpoint() {
    let text = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/explain/endpoints-both.toml"),
    )
    .expect("fixture");
    let key = "private_dns_only_for_inbound_resolver_endpoint";
    let errors = |t: &str| -> Vec<String> {
        let (loaded, lines) = report("both", t);
        assert!(!loaded, "{lines:?}");
        lines
            .into_iter()
            .map(|l| {
                l.split_once(": error: ")
                    .map_or(l.clone(), |(_, m)| m.to_string())
            })
            .collect()
    };
    // Without the gateway endpoint, AWS refuses the option.
    let no_gateway = text
        .replace(
            "type = \"gateway\"\nvpc = \"vpc\"\nservice = \"s3\"",
            "type = \"gateway\"\nvpc = \"vpc\"\nservice = \"dynamodb\"",
        )
        .replace(
            "private_dns = true\n",
            &format!("private_dns = true\n{key} = true\n"),
        );
    assert_eq!(
        errors(&no_gateway),
        [format!(
            "VPC endpoint `vpce-s3-if`: `{key}` needs a gateway endpoint for s3 in VPC `vpc`, which in-VPC traffic then takes; declare one, or set `{key} = false` for the interface endpoint to answer in the VPC (IFE-7)"
        )]
    );
    // Without it and unset, the endpoint's private DNS answers in the VPC.
    let unset = no_gateway.replace(&format!("{key} = true\n"), "");
    let (loaded, lines) = report("both", &unset);
    assert!(loaded && lines.is_empty(), "{lines:?}");
    let no_dns = text.replace(
        "private_dns = true\n",
        &format!("private_dns = false\n{key} = true\n"),
    );
    assert_eq!(
        errors(&no_dns),
        [format!(
            "VPC endpoint `vpce-s3-if`: `{key}` needs `private_dns = true` (IFE-7)"
        )]
    );
    let on_gateway = text.replace(
        "route_tables = [\"rt-priv\"]\n",
        &format!("route_tables = [\"rt-priv\"]\n{key} = true\n"),
    );
    assert_eq!(
        errors(&on_gateway),
        [format!(
            "VPC endpoint `vpce-s3-gw`: a gateway endpoint has no private DNS; `{key}` belongs on the interface endpoint of the service"
        )]
    );
}

/// Two overlapping VPCs peered to one: 10.1.5.10 is `b1` in vpc-b and `c1`
/// in vpc-c, and the longer route of `rt-a` takes it to vpc-c.
const OVERLAPPING_PEERS: &str = r#"[scenario]
name = "Peering to two overlapping VPCs, longest prefix decides"
duration = "5s"
seed = 3

[[vpc]]
id = "vpc-a"
cidrs = ["10.0.0.0/16"]

[[vpc]]
id = "vpc-b"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-c"
cidrs = ["10.1.5.0/24"]

[[subnet]]
id = "a-s"
vpc = "vpc-a"
cidr = "10.0.1.0/24"
route_table = "rt-a"

[[subnet]]
id = "b-s"
vpc = "vpc-b"
cidr = "10.1.5.0/24"
route_table = "rt-b"

[[subnet]]
id = "c-s"
vpc = "vpc-c"
cidr = "10.1.5.0/24"
route_table = "rt-c"

[[route_table]]
id = "rt-a"
vpc = "vpc-a"
routes = [
  { destination = "10.1.0.0/16", target = "pcx-ab" },
  { destination = "10.1.5.0/24", target = "pcx-ac" },
]

[[route_table]]
id = "rt-b"
vpc = "vpc-b"
routes = [ { destination = "10.0.0.0/16", target = "pcx-ab" } ]

[[route_table]]
id = "rt-c"
vpc = "vpc-c"
routes = [ { destination = "10.0.0.0/16", target = "pcx-ac" } ]

[[vpc_peering]]
id = "pcx-ab"
requester = "vpc-a"
accepter = "vpc-b"

[[vpc_peering]]
id = "pcx-ac"
requester = "vpc-a"
accepter = "vpc-c"

[[security_group]]
id = "sg-a"
vpc = "vpc-a"

[[security_group]]
id = "sg-b"
vpc = "vpc-b"
ingress = [ { protocol = "tcp", ports = "443", source_group = "sg-a" } ]

[[security_group]]
id = "sg-c"
vpc = "vpc-c"
ingress = [ { protocol = "tcp", ports = "443", source_group = "sg-a" } ]

[[instance]]
id = "a1"
subnet = "a-s"
security_groups = ["sg-a"]

[[instance]]
id = "b1"
subnet = "b-s"
private_ip = "10.1.5.10"
security_groups = ["sg-b"]
listen = [ { protocol = "tcp", port = 443 } ]

[[instance]]
id = "c1"
subnet = "c-s"
private_ip = "10.1.5.10"
security_groups = ["sg-c"]
listen = [ { protocol = "tcp", port = 443 } ]

[[traffic]]
id = "a-to-b1"
from = "a1"
to = "b1"
port = 443
rate = "5/s"

[[traffic]]
id = "a-to-c1"
from = "a1"
to = "c1"
port = 443
rate = "5/s"
"#;

#[test]
fn rt_3_dns_1_an_instance_whose_address_the_senders_routes_take_to_another_host_warns() {
    let (loaded, lines) = report("lpm", OVERLAPPING_PEERS);
    assert!(loaded, "{lines:?}");
    let line = OVERLAPPING_PEERS[..OVERLAPPING_PEERS.find("to = \"b1\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    // Only the traffic to `b1`: `c1` is where the route goes.
    assert_eq!(
        lines,
        [format!(
            "lpm.toml:{line}:6: warning: traffic `a-to-b1`: `to` names instance `b1` (10.1.5.10 in VPC `vpc-b`), but route 10.1.5.0/24 -> pcx-ac of `rt-a` takes 10.1.5.10 to VPC `vpc-c`, where `c1` has it (RT-3): packets reach `c1`, not `b1`"
        )]
    );
}

/// The report lines of `text` (a whole file) without the file name, and
/// whether it loaded.
fn whole(text: &str) -> (bool, Vec<String>) {
    let (loaded, lines) = report("t", text);
    let lines = lines
        .into_iter()
        .map(|l| l.strip_prefix("t.toml:").unwrap_or(&l).to_string())
        .collect();
    (loaded, lines)
}

/// The line of the first `needle` in `text` (1-based).
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).expect("the needle is in the text")]
        .matches('\n')
        .count()
        + 1
}

/// Two VPCs peered across Regions (`vpc-west` in eu-west-1), a group of
/// each; `RULE` is replaced by a rule of `sg-west`.
const PEERED_ACROSS_REGIONS: &str = r#"[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "vpc-east"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-west"
cidrs = ["10.2.0.0/16"]

[[subnet]]
id = "east-a"
vpc = "vpc-east"
cidr = "10.1.1.0/24"

[[subnet]]
id = "west-a"
vpc = "vpc-west"
cidr = "10.2.1.0/24"

[[vpc_peering]]
id = "pcx"
requester = "vpc-east"
accepter = "vpc-west"
peer_region = "eu-west-1"

[[security_group]]
id = "sg-east"
vpc = "vpc-east"

[[security_group]]
id = "sg-west"
vpc = "vpc-west"
RULE
"#;

#[test]
fn pcx_3_a_group_of_a_peer_vpc_in_another_region_is_an_error() {
    for (rule, key) in [
        (
            r#"ingress = [ { protocol = "tcp", ports = "443", source_group = "sg-east" } ]"#,
            "source_group",
        ),
        (
            r#"egress = [ { protocol = "tcp", ports = "443", dest_group = "sg-east" } ]"#,
            "dest_group",
        ),
    ] {
        let text = PEERED_ACROSS_REGIONS.replace("RULE", rule);
        let (loaded, lines) = whole(&text);
        assert!(!loaded, "{lines:?}");
        let col = rule.find("\"sg-east\"").expect("the group") + 1;
        assert_eq!(
            lines,
            [format!(
                "{}:{col}: error: security group `sg-west`: `{key}` names `sg-east` of VPC `vpc-east`, peered from another Region (eu-west-1 and us-east-1); AWS does not let a rule reference a security group of a peer VPC in a different Region (PCX-3); write the peer VPC's CIDR instead (`cidr = \"10.1.0.0/16\"`)",
                line_of(&text, key)
            )]
        );
    }
    // Within one Region the same reference loads.
    let text = PEERED_ACROSS_REGIONS
        .replace("peer_region = \"eu-west-1\"\n", "")
        .replace(
            "RULE",
            r#"ingress = [ { protocol = "tcp", ports = "443", source_group = "sg-east" } ]"#,
        );
    assert_eq!(whole(&text), (true, vec![]));
}

#[test]
fn pcx_3_a_timeline_set_naming_a_group_across_regions_is_an_error() {
    let text = format!(
        "{}\n[[event]]\nat = \"5s\"\nset = {{ resource = \"sg-west\", ingress = [ {{ protocol = \"tcp\", ports = \"443\", source_group = \"sg-east\" }} ] }}\n",
        PEERED_ACROSS_REGIONS.replace("RULE", "")
    );
    let (loaded, lines) = whole(&text);
    assert!(!loaded, "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{}:", line_of(&text, "set = ")))
            && lines[0].contains("peered from another Region")
            && lines[0].contains("(PCX-3)"),
        "{lines:?}"
    );
}

#[test]
fn igw_5_deleting_an_internet_gateway_while_public_addresses_are_mapped_is_an_error() {
    let extra = r#"
[[event]]
at = "20s"
delete = "igw-main"
"#;
    let (loaded, lines) = base_with(extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}:10: error: event `delete`: at 20s, VPC `vpc-main` still has public addresses mapped through internet gateway `igw-main`: NAT gateway `nat-a` (3.35.0.10), NAT gateway `nat-b` (3.35.0.11); AWS refuses to detach an internet gateway while instances or NAT gateways of its VPC hold public IPv4 or Elastic IP addresses (IGW-5); to model losing the internet, delete the routes to it (`delete_route`), or delete those instances and NAT gateways first",
            line_in(extra, "delete = ")
        )]
    );
    // An instance's public IP holds it too.
    let text = BASE.replace(
        "security_groups = [\"sg-app\"]\n\n[[external_host]]",
        "security_groups = [\"sg-app\"]\npublic_ip = \"3.35.0.20\"\n\n[[external_host]]",
    );
    let text = format!("{text}{extra}");
    let (loaded, lines) = report("base", &text);
    assert!(!loaded);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("instance `app` (3.35.0.20)")),
        "{lines:?}"
    );
    // With the NAT gateways deleted first, AWS detaches it.
    let extra = r#"
[[event]]
at = "10s"
delete = "nat-a"

[[event]]
at = "10s"
delete = "nat-b"

[[event]]
at = "20s"
delete = "igw-main"
"#;
    assert_eq!(base_with(extra), (true, vec![]));
}

#[test]
fn addr_7_vpc_cidrs_aws_assigns_to_no_vpc_are_errors() {
    for (cidr, range) in [
        ("169.254.0.0/16", "169.254.0.0/16 (link-local)"),
        ("127.0.0.0/16", "127.0.0.0/8 (loopback)"),
        ("224.0.0.0/16", "224.0.0.0/4 (multicast)"),
        ("0.0.0.0/16", "0.0.0.0/8 (\"this network\")"),
        ("240.0.0.0/16", "240.0.0.0/4 (reserved)"),
    ] {
        let text = format!(
            "[scenario]\nname = \"t\"\nduration = \"10s\"\n\n[[vpc]]\nid = \"v\"\ncidrs = [\"{cidr}\"]\n"
        );
        let (loaded, lines) = whole(&text);
        assert!(!loaded, "{cidr}");
        assert_eq!(
            lines,
            [format!(
                "7:10: error: VPC `v`: CIDR `{cidr}` is in {range}, which AWS does not assign to a VPC (ADDR-7); use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), 100.64.0.0/10, or a public range you own"
            )]
        );
    }
}

#[test]
fn addr_7_secondary_cidrs_aws_restricts_next_to_the_primary_are_errors() {
    let refused = [
        ("10.0.0.0/16", "192.168.0.0/16"),
        ("10.0.0.0/16", "172.20.0.0/16"),
        ("10.0.0.0/16", "198.19.0.0/16"),
        ("172.20.0.0/16", "172.31.0.0/16"),
        ("172.20.0.0/16", "10.1.0.0/16"),
        ("192.168.0.0/16", "10.1.0.0/16"),
        ("100.64.0.0/16", "10.1.0.0/16"),
        ("54.10.0.0/16", "192.168.0.0/16"),
        ("198.19.0.0/16", "172.20.0.0/16"),
    ];
    for (primary, secondary) in refused {
        let text = format!(
            "[scenario]\nname = \"t\"\nduration = \"10s\"\n\n[[vpc]]\nid = \"v\"\ncidrs = [\"{primary}\", \"{secondary}\"]\n"
        );
        let (loaded, lines) = whole(&text);
        assert!(!loaded, "{primary} + {secondary}");
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with(&format!(
                "7:{}: error: VPC `v`: secondary CIDR `{secondary}` cannot be added to a VPC whose primary CIDR is `{primary}`: ",
                14 + primary.len()
            )) && lines[0].ends_with("(ADDR-7)"),
            "{lines:?}"
        );
    }
    let permitted = [
        ("10.0.0.0/16", "10.1.0.0/16"),
        ("10.0.0.0/16", "100.64.0.0/16"),
        ("10.0.0.0/16", "54.10.0.0/16"),
        ("172.20.0.0/16", "172.21.0.0/16"),
        ("192.168.0.0/16", "100.64.0.0/16"),
        ("100.64.0.0/16", "54.10.0.0/16"),
        ("198.19.0.0/16", "100.64.0.0/16"),
    ];
    for (primary, secondary) in permitted {
        let text = format!(
            "[scenario]\nname = \"t\"\nduration = \"10s\"\n\n[[vpc]]\nid = \"v\"\ncidrs = [\"{primary}\", \"{secondary}\"]\n"
        );
        assert_eq!(whole(&text), (true, vec![]), "{primary} + {secondary}");
    }
}

#[test]
fn addr_8_a_public_ip_in_a_range_aws_never_assigns_is_an_error() {
    for ip in [
        "127.0.0.1",
        "10.9.0.1",
        "100.64.0.1",
        "169.254.169.254",
        "224.0.0.1",
    ] {
        let text = BASE.replace(
            "public_ip = \"3.35.0.10\"",
            &format!("public_ip = \"{ip}\""),
        );
        let (loaded, lines) = report("base", &text);
        assert!(!loaded, "{ip}");
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains(&format!(
                ": error: NAT gateway `nat-a`: public IP {ip} is in "
            )) && lines[0].contains("AWS assigns public IPv4 addresses and Elastic IPs only from publicly routable ranges (ADDR-8)"),
            "{lines:?}"
        );
    }
    // An instance's too.
    let text = BASE.replace(
        "security_groups = [\"sg-app\"]\n\n[[external_host]]",
        "security_groups = [\"sg-app\"]\npublic_ip = \"192.168.7.7\"\n\n[[external_host]]",
    );
    let (loaded, lines) = report("base", &text);
    assert!(!loaded);
    assert!(
        lines[0].contains(
            "instance `app`: public IP 192.168.7.7 is in 192.168.0.0/16 (private, RFC 1918)"
        ),
        "{lines:?}"
    );
}

#[test]
fn open_1_an_external_host_no_internet_host_could_be_is_an_error() {
    for ip in ["255.255.255.255", "127.0.0.1", "172.16.5.5", "0.0.0.0"] {
        let text = BASE.replace("93.184.216.34", ip);
        let (loaded, lines) = report("base", &text);
        assert!(!loaded, "{ip}");
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains(&format!(
                ":6: error: external host `api-example`: {ip} is in "
            )) && lines[0].contains(
                "an address no internet host can have, so nothing could reach it (OPEN-1)"
            ),
            "{lines:?}"
        );
    }
    // The documentation blocks stay usable.
    let text = BASE.replace("93.184.216.34", "203.0.113.9");
    assert_eq!(report("base", &text), (true, vec![]));
}

/// An interface endpoint for `SERVICE` in `vpc-main`, with private DNS as
/// `PRIVATE_DNS` says.
const INTERFACE_ENDPOINT: &str = r#"
[[vpc_endpoint]]
id = "vpce-1"
type = "interface"
vpc = "vpc-main"
service = "SERVICE"
subnets = ["private-a"]
security_groups = ["sg-app"]
PRIVATE_DNS
"#;

fn endpoint(service: &str, private_dns: &str) -> String {
    INTERFACE_ENDPOINT
        .replace("SERVICE", service)
        .replace("PRIVATE_DNS", private_dns)
}

#[test]
fn ife_2_private_dns_in_a_vpc_without_both_dns_attributes_is_an_error() {
    for (attr, off) in [
        ("enable_dns_hostnames = false", "`enable_dns_hostnames`"),
        (
            "enable_dns_support = false\nenable_dns_hostnames = false",
            "`enable_dns_support`",
        ),
    ] {
        let base = BASE.replace(
            "cidrs = [\"10.0.0.0/16\"]",
            &format!("cidrs = [\"10.0.0.0/16\"]\n{attr}"),
        );
        // By default, at the endpoint's id; written, at `private_dns`.
        for (dns, needle, how) in [
            ("", "id = \"vpce-1\"", "by default"),
            ("private_dns = true", "private_dns", "here"),
        ] {
            let extra = endpoint("sqs", dns);
            let text = format!("{base}{extra}");
            let (loaded, lines) = report("base", &text);
            assert!(!loaded, "{attr} {dns}");
            assert_eq!(
                lines,
                [format!(
                    "base.toml:{}:{}: error: VPC endpoint `vpce-1`: private DNS (on {how}) needs VPC `vpc-main`'s `enable_dns_support` and `enable_dns_hostnames` both true, and {off} is false; AWS refuses to create the endpoint (IFE-2); set `private_dns = false`, or turn both attributes on",
                    line_of(&text, needle),
                    if how == "here" { 15 } else { 6 }
                )]
            );
        }
        // Without private DNS it loads.
        let text = format!("{base}{}", endpoint("sqs", "private_dns = false"));
        let (loaded, lines) = report("base", &text);
        assert!(loaded, "{lines:?}");
    }
}

#[test]
fn ife_9_a_second_private_dns_endpoint_for_one_service_in_a_vpc_is_an_error() {
    let second = endpoint("sqs", "private_dns = true").replace("vpce-1", "vpce-2");
    let extra = format!("{}{second}", endpoint("sqs", ""));
    let (loaded, lines) = base_with(&extra);
    assert!(!loaded);
    assert_eq!(
        lines,
        [format!(
            "{}:15: error: VPC endpoint `vpce-2`: VPC `vpc-main` already has interface endpoint `vpce-1` (line {}) with private DNS for `sqs`; AWS refuses a second, whose private DNS domain would conflict (IFE-9); set `private_dns = false` here, or give the VPC one endpoint for `sqs`",
            line_in(&extra, "private_dns = true"),
            line_in(&extra, "id = \"vpce-1\"")
        )]
    );
    // The second without private DNS loads; so do two services.
    let second = endpoint("sqs", "private_dns = false").replace("vpce-1", "vpce-2");
    assert_eq!(
        base_with(&format!("{}{second}", endpoint("sqs", ""))),
        (true, vec![])
    );
    let other = endpoint("sns", "").replace("vpce-1", "vpce-2");
    assert_eq!(
        base_with(&format!("{}{other}", endpoint("sqs", ""))),
        (true, vec![])
    );
}

#[test]
fn ife_10_an_unknown_service_name_is_an_error_with_a_suggestion() {
    for (name, hint) in [
        ("sqs-typo", "did you mean `sqs`?"),
        ("secretsmanger", "did you mean `secretsmanager`?"),
        (
            "nothing-like-it",
            "write the short name AWS gives it (`sqs` for `com.amazonaws.us-east-1.sqs`)",
        ),
    ] {
        let extra = endpoint(name, "");
        let (loaded, lines) = base_with(&extra);
        assert!(!loaded, "{name}");
        assert_eq!(
            lines,
            [format!(
                "{}:11: error: VPC endpoint `vpce-1`: `{name}` is not an AWS service vpcsim knows, and the file declares no `[[aws_service]]` or `com.amazonaws.us-east-1.{name}` prefix list for it; AWS refuses an endpoint for a service it does not offer (IFE-10); {hint}",
                line_in(&extra, "service = ")
            )]
        );
    }
    // Known, declared, or an endpoint service's id: loads.
    for extra in [
        endpoint("ecr.dkr", ""),
        endpoint("vpce-svc-0abc123", ""),
        format!(
            "{}\n[[aws_service]]\nid = \"own\"\nservice = \"my-service\"\nips = [\"3.35.9.9\"]\n",
            endpoint("my-service", "")
        ),
    ] {
        let (loaded, lines) = base_with(&extra);
        assert!(loaded, "{lines:?}");
    }
}

#[test]
fn nat_2_a_private_nat_gateway_routed_to_an_internet_gateway_warns() {
    let text = BASE.replace(
        "id = \"nat-b\"\nsubnet = \"public-a\"\npublic_ip = \"3.35.0.11\"",
        "id = \"nat-b\"\nsubnet = \"public-a\"\nconnectivity = \"private\"",
    );
    let (loaded, lines) = report("base", &text);
    assert!(loaded, "{lines:?}");
    assert_eq!(
        lines,
        [format!(
            "base.toml:{}:6: warning: NAT gateway `nat-b` is private, but its subnet `public-a` sends 0.0.0.0/0 to an internet gateway (route table `rt-public`); a private NAT gateway has no Elastic IP, and the internet gateway drops what it forwards there (NAT-2); for internet access make it public (`connectivity = \"public\"` with a `public_ip`)",
            line_of(&text, "id = \"nat-b\"")
        )]
    );
}

#[test]
fn a_listener_on_port_0_is_an_error() {
    let text = BASE.replace(
        "listen = [ { protocol = \"udp\", port = 53 } ]",
        "listen = [ { protocol = \"udp\", port = 53 }, { protocol = \"tcp\", port = 0 } ]",
    );
    let (loaded, lines) = report("base", &text);
    assert!(!loaded);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with("error: a tcp listener on port 0: no connection can reach port 0; a listener's port is 1 to 65535"),
        "{lines:?}"
    );
}

#[test]
fn addr_6_a_zone_the_region_does_not_have_warns() {
    let text = BASE.replacen("az = \"us-east-1a\"", "az = \"us-east-1z\"", 1);
    let (loaded, lines) = report("base", &text);
    assert!(loaded, "{lines:?}");
    assert_eq!(
        lines,
        [format!(
            "base.toml:{}:6: warning: subnet `public-a`: availability zone `us-east-1z` does not exist in region `us-east-1`, whose zones are `us-east-1a` to `us-east-1f` (ADDR-6)",
            line_of(&text, "us-east-1z")
        )]
    );
    // A zone it has, and a Local Zone, do not.
    for az in ["us-east-1f", "us-east-1-bos-1a"] {
        let text = BASE.replacen("az = \"us-east-1a\"", &format!("az = \"{az}\""), 1);
        assert_eq!(report("base", &text), (true, vec![]), "{az}");
    }
}
