//! `[scenario] include`: a design in one file, the questions asked of it in
//! another. The included resources join the scenario; problems are placed in
//! the file they are in; duplicates, cycles, a different region and traffic
//! in a design file are errors; `validate`, `check`, `explain` and `graph`
//! read the included files.

use std::path::{Path, PathBuf};
use std::process::Command;

use vpcsim::explain::{self, Query};
use vpcsim::model::{Loaded, load_file};
use vpcsim::scenario::Report;
use vpcsim::units::Nanos;

/// A fresh folder for one test, holding the given files.
fn folder(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("include-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    dir
}

const DESIGN: &str = r#"# a design only: no traffic
[scenario]
name = "the design"
duration = "60s"
region = "us-east-1"

[[vpc]]
id = "vpc-a"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "vpc-a"
cidr = "10.0.0.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[subnet]]
id = "private-a"
vpc = "vpc-a"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-private"

[[route_table]]
id = "rt-public"
vpc = "vpc-a"
routes = [ { destination = "0.0.0.0/0", target = "igw-a" } ]

[[route_table]]
id = "rt-private"
vpc = "vpc-a"
routes = [ { destination = "0.0.0.0/0", target = "nat-a" } ]

[[internet_gateway]]
id = "igw-a"
vpc = "vpc-a"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"
public_ip = "3.3.3.3"

[[security_group]]
id = "sg-app"
vpc = "vpc-a"
egress = [ { protocol = "all", cidr = "0.0.0.0/0" } ]
"#;

const SCENARIO: &str = r#"[scenario]
name = "app reaches the internet"
duration = "8s"
include = ["design/vpc.toml"]

[[instance]]
id = "app"
subnet = "private-a"
security_groups = ["sg-app"]

[[external_host]]
id = "api"
ip = "93.184.216.34"
listen = [ { protocol = "tcp", port = 443 } ]

[[traffic]]
id = "app-to-api"
from = "app"
to = "api"
protocol = "tcp"
port = 443
pattern = "requests"
rate = "5/s"
arrivals = "fixed"
timeout = "1s"

[[event]]
at = "3s"
delete = "nat-a"

[[expect]]
traffic = "app-to-api"
window = ["0s", "2s"]
delivered = "100%"
via = ["nat-a", "igw-a"]

[[expect]]
traffic = "app-to-api"
window = ["4s", "6s"]
delivered = "0%"
drop_reason = "route_blackhole"
drop_at = "rt-private"
"#;

fn load(p: &Path) -> Result<Loaded, Report> {
    load_file(p)
}

fn errors(p: &Path) -> String {
    match load(p) {
        Ok(_) => panic!("{} loads, but should not", p.display()),
        Err(r) => r.to_string(),
    }
}

fn vpcsim(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_included_resources_join_the_scenario() {
    let dir = folder(
        "join",
        &[("design/vpc.toml", DESIGN), ("scenario.toml", SCENARIO)],
    );
    let loaded = load(&dir.join("scenario.toml")).unwrap_or_else(|r| panic!("{r}"));
    let d = &loaded.design;
    assert_eq!(d.name, "app reaches the internet");
    assert_eq!(d.duration, Nanos::from_secs(8));
    assert_eq!(d.vpcs.len(), 1);
    assert_eq!(d.subnets.len(), 2);
    assert_eq!(d.instances.len(), 1);
    let q = Query {
        from: "app".into(),
        to: "api".into(),
        protocol: 6,
        port: Some(443),
        icmp_type: None,
        icmp_code: None,
        at: Nanos::ZERO,
        enter: None,
    };
    let e = explain::explain(loaded.design, &q).expect("explains");
    assert_eq!(e.verdict, explain::Verdict::Delivered);
    let via: Vec<&str> = e.hops.iter().map(|h| h.component.as_str()).collect();
    assert!(
        via.contains(&"nat-a") && via.contains(&"rt-private"),
        "{via:?}"
    );

    // The commands read the included file: relative to the including one,
    // whatever the working folder.
    let (code, out, err) = vpcsim(&dir, &["validate", "scenario.toml"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, err) = vpcsim(&dir, &["check", "scenario.toml", "--quiet"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let root = dir.parent().unwrap();
    let inside = "include-join/scenario.toml";
    let (code, out, err) = vpcsim(
        root,
        &[
            "explain",
            inside,
            "--from",
            "app",
            "--to",
            "api",
            "--protocol",
            "tcp",
            "--port",
            "443",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("nat-a"), "{out}");
    let (code, out, err) = vpcsim(&dir, &["graph", "scenario.toml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("igw-a") && out.contains("app"), "{out}");
    // The design alone is a valid scenario too.
    let (code, out, err) = vpcsim(&dir, &["validate", "design/vpc.toml"]);
    assert_eq!(code, Some(0), "{out}{err}");
}

#[test]
fn a_duplicate_id_names_both_files_and_lines() {
    let scenario = SCENARIO.replace(
        "[[external_host]]",
        "[[security_group]]\nid = \"sg-app\"\nvpc = \"vpc-a\"\n\n[[external_host]]",
    );
    let dir = folder(
        "duplicate",
        &[("design/vpc.toml", DESIGN), ("scenario.toml", &scenario)],
    );
    let e = errors(&dir.join("scenario.toml"));
    let design = dir.join("design/vpc.toml");
    // The line of the design's `sg-app`, and of the scenario's.
    let d_line = DESIGN.lines().position(|l| l == "id = \"sg-app\"").unwrap() + 1;
    let s_line = scenario
        .lines()
        .position(|l| l == "id = \"sg-app\"")
        .unwrap()
        + 1;
    let shown = dir.join("scenario.toml").display().to_string();
    let want = format!(
        "{}:{d_line}:6: error: duplicate id `sg-app`: already used by a security group on line {s_line} of {shown}",
        design.display()
    );
    assert!(e.contains(&want), "{e}\nwanted: {want}");
}

#[test]
fn problems_in_an_included_file_carry_its_name_line_and_column() {
    let design = DESIGN.replace("cidr = \"10.0.1.0/24\"", "cidr = \"10.0.1.0/33\"")
        + "\n[[nat_gateway]]\nid = \"nat-b\"\nsubnet = \"private-a\"\nbandwidth = 5\n";
    let dir = folder(
        "located",
        &[("design/vpc.toml", &design), ("scenario.toml", SCENARIO)],
    );
    let e = errors(&dir.join("scenario.toml"));
    let file = dir.join("design/vpc.toml").display().to_string();
    let cidr_line = design.lines().position(|l| l.contains("/33")).unwrap() + 1;
    assert!(e.contains(&format!("{file}:{cidr_line}:8: error:")), "{e}");
    let key_line = design
        .lines()
        .position(|l| l.starts_with("bandwidth"))
        .unwrap()
        + 1;
    assert!(
        e.contains(&format!(
            "{file}:{key_line}:1: error: unknown key `bandwidth`"
        )),
        "{e}"
    );
    // A syntax error, too.
    let dir = folder(
        "syntax",
        &[
            (
                "design/vpc.toml",
                "[[vpc]]\nid = \"vpc-a\"\ncidrs = [\"10.0.0.0/16\"\n",
            ),
            ("scenario.toml", SCENARIO),
        ],
    );
    let e = errors(&dir.join("scenario.toml"));
    let file = dir.join("design/vpc.toml").display().to_string();
    assert!(
        e.contains(&format!("{file}:")) && e.contains("TOML syntax"),
        "{e}"
    );
    assert!(!e.contains("scenario.toml:1:1"), "{e}");
}

#[test]
fn cycles_missing_files_and_a_second_region_are_errors() {
    // a -> b -> a
    let a = SCENARIO.replace("design/vpc.toml", "b.toml");
    let b = "[scenario]\ninclude = [\"design/vpc.toml\", \"a.toml\"]\n";
    let dir = folder(
        "cycle",
        &[("a.toml", &a), ("b.toml", b), ("design/vpc.toml", DESIGN)],
    );
    let e = errors(&dir.join("a.toml"));
    assert!(
        e.contains("b.toml:2:31: error: cannot include `a.toml`: an include cycle: "),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");

    let dir = folder(
        "missing",
        &[(
            "scenario.toml",
            &SCENARIO.replace("design/vpc.toml", "nowhere.toml"),
        )],
    );
    let e = errors(&dir.join("scenario.toml"));
    assert!(
        e.contains("scenario.toml:4:12: error: cannot include `nowhere.toml`: "),
        "{e}"
    );
    // Only the root cause: what names the file's resources is not checked.
    assert_eq!(e.lines().count(), 1, "{e}");

    let dir = folder(
        "region",
        &[
            ("design/vpc.toml", &DESIGN.replace("us-east-1", "eu-west-1")),
            ("scenario.toml", SCENARIO),
        ],
    );
    let e = errors(&dir.join("scenario.toml"));
    assert!(
        e.contains("vpc.toml:5:10: error: the region of the included file")
            && e.contains("is \"eu-west-1\", but the scenario's is \"us-east-1\" (the default)"),
        "{e}"
    );
    // Not its zones, each in the file's own region, too.
    assert_eq!(e.lines().count(), 1, "{e}");
}

#[test]
fn an_included_file_holds_resources_only() {
    let design = format!("{DESIGN}\n[[traffic]]\nid = \"t\"\nfrom = \"a\"\nto = \"b\"\n");
    let dir = folder(
        "only",
        &[("design/vpc.toml", &design), ("scenario.toml", SCENARIO)],
    );
    let e = errors(&dir.join("scenario.toml"));
    assert!(
        e.contains(
            "an included file holds resources only: `traffic` belongs in the file that includes it"
        ),
        "{e}"
    );
}

#[test]
fn a_file_included_twice_is_read_once_and_events_name_included_resources() {
    // scenario -> (vpc, extra); extra -> vpc: the design is read once.
    let extra = "include = [\"vpc.toml\"]\n";
    let extra =
        format!("[scenario]\n{extra}\n[[security_group]]\nid = \"sg-more\"\nvpc = \"vpc-a\"\n");
    let scenario = SCENARIO.replace(
        "include = [\"design/vpc.toml\"]",
        "include = [\"design/vpc.toml\", \"design/extra.toml\"]",
    ) + "\n[[event]]\nat = \"1s\"\nset = { resource = \"sg-more\", ingress = [] }\n";
    let dir = folder(
        "twice",
        &[
            ("design/vpc.toml", DESIGN),
            ("design/extra.toml", &extra),
            ("scenario.toml", &scenario),
        ],
    );
    let loaded = load(&dir.join("scenario.toml")).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(loaded.design.vpcs.len(), 1);
    assert!(loaded.design.names.contains_key("sg-more"));
}

/// The output of `vpcsim import aws` is a design file like any other.
#[test]
fn an_imported_aws_design_can_be_included() {
    let snap =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-snapshots/test-nat-gateway");
    if !snap.is_dir() {
        eprintln!("note: {} not found; skipped", snap.display());
        return;
    }
    let dir = folder("aws", &[]);
    std::fs::create_dir_all(dir.join("design")).unwrap();
    let (code, _, err) = vpcsim(
        &dir,
        &[
            "import",
            "aws",
            snap.to_str().unwrap(),
            "-o",
            "design/nat.toml",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let scenario = r#"[scenario]
name = "the private instance reaches the internet"
duration = "3s"
region = "us-east-2"
include = ["design/nat.toml"]

[[traffic]]
id = "out"
from = "i-0a128d26e59be60f3"
to = "93.184.216.34"
protocol = "tcp"
port = 443
pattern = "requests"
rate = "2/s"
arrivals = "fixed"

[[expect]]
traffic = "out"
delivered = "100%"
via = ["nat-07ab4846da51f4612", "igw-071753b9c23d8a9b2"]
"#;
    std::fs::write(dir.join("scenario.toml"), scenario).unwrap();
    let (code, out, err) = vpcsim(&dir, &["check", "scenario.toml", "--quiet"]);
    assert_eq!(code, Some(0), "{out}{err}");
}
