//! AWS-managed prefix lists that vpcsim ships, so that a file using a gateway
//! endpoint in these regions need not copy them out.
//!
//! Sources, by region:
//! - us-east-1: the output of `aws ec2 describe-prefix-lists` as recorded in a
//!   real account (see `docs/aws-differences.md`);
//! - us-east-2 S3: the IPv4 prefixes AWS publishes for service `S3` in region
//!   `us-east-2` in <https://ip-ranges.amazonaws.com/ip-ranges.json>, as of
//!   2026-02-06; the list's id is the one AWS gives the managed prefix list
//!   `com.amazonaws.us-east-2.s3` in every account.
//!
//! AWS changes these ranges over time; a file that declares its own
//! `[[prefix_list]]` with the same name wins over the built-in one, and
//! `import aws` copies an account's own `PrefixLists.json`.

use ipnet::Ipv4Net;

use super::Design;

pub struct BuiltinPrefixList {
    pub id: &'static str,
    pub name: &'static str,
    pub cidrs: &'static [&'static str],
}

pub const PREFIX_LISTS: &[BuiltinPrefixList] = &[
    BuiltinPrefixList {
        id: "pl-63a5400a",
        name: "com.amazonaws.us-east-1.s3",
        cidrs: &[
            "54.231.0.0/17",
            "52.216.0.0/15",
            "3.5.16.0/21",
            "3.5.0.0/20",
        ],
    },
    BuiltinPrefixList {
        id: "pl-02cd2c6b",
        name: "com.amazonaws.us-east-1.dynamodb",
        cidrs: &["52.94.0.0/22", "52.119.224.0/20"],
    },
    BuiltinPrefixList {
        id: "pl-7ba54012",
        name: "com.amazonaws.us-east-2.s3",
        cidrs: &[
            "1.178.8.0/24",
            "16.12.60.0/22",
            "16.12.64.0/22",
            "18.34.252.0/22",
            "18.34.72.0/21",
            "3.2.67.0/24",
            "3.5.128.0/22",
            "3.5.132.0/23",
            "3.5.88.0/22",
            "3.5.92.0/23",
            "52.219.141.0/24",
            "52.219.142.0/24",
            "52.219.143.0/24",
            "52.219.176.0/22",
            "52.219.212.0/22",
            "52.219.224.0/22",
            "52.219.228.0/22",
            "52.219.232.0/22",
            "52.219.80.0/20",
            "52.219.96.0/20",
        ],
    },
];

/// The Regions of the built-in lists, for messages: `us-east-1 and
/// us-east-2`.
pub fn shipped_regions() -> String {
    let mut rs: Vec<&str> = Vec::new();
    for b in PREFIX_LISTS {
        if let Some((r, _)) = split_list_name(b.name) {
            if !rs.contains(&r) {
                rs.push(r);
            }
        }
    }
    match rs.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The list AWS names `com.amazonaws.<region>.<service>`.
pub fn service_list_name(region: &str, service: &str) -> String {
    format!("com.amazonaws.{region}.{service}")
}

pub fn prefix_list(name: &str) -> Option<&'static BuiltinPrefixList> {
    PREFIX_LISTS.iter().find(|p| p.name == name)
}

/// A service's ranges in one Region, as the design gives them (OPEN-2).
#[derive(Clone, Debug)]
pub struct ServiceRanges {
    /// The Region whose service these are (GWE-1: a Region's endpoint
    /// serves its own Region's service only).
    pub region: String,
    /// The service's short name (`s3`, `dynamodb`).
    pub service: String,
    pub cidrs: Vec<Ipv4Net>,
}

/// The Region and service of a list named `com.amazonaws.<region>.<service>`.
pub fn split_list_name(list_name: &str) -> Option<(&str, &str)> {
    list_name.strip_prefix("com.amazonaws.")?.split_once('.')
}

/// The Regions of a design: its own, then those of its VPCs (an accepter's
/// `peer_region`, a transit gateway's), each once, in that order.
pub fn regions(d: &Design) -> Vec<&str> {
    let mut out: Vec<&str> = vec![d.region.as_str()];
    for v in &d.vpcs {
        if !out.contains(&v.region.as_str()) {
            out.push(v.region.as_str());
        }
    }
    out
}

/// The AWS services a design's packets can reach by address, one entry per
/// Region and service: every prefix list of the design named
/// `com.amazonaws.<region>.<service>`, then the built-in lists of the
/// design's Regions (its own and its VPCs') that the design does not
/// declare (dated above), in that order.
pub fn service_ranges(d: &Design) -> Vec<ServiceRanges> {
    let mut out: Vec<ServiceRanges> = Vec::new();
    let mut add = |list_name: &str, cidrs: Vec<Ipv4Net>| {
        let Some((region, service)) = split_list_name(list_name) else {
            return;
        };
        if !out
            .iter()
            .any(|s| s.service == service && s.region == region)
        {
            out.push(ServiceRanges {
                region: region.to_string(),
                service: service.to_string(),
                cidrs,
            });
        }
    };
    for p in &d.prefix_lists {
        add(&p.list_name, p.cidrs.clone());
    }
    let regions = regions(d);
    for b in PREFIX_LISTS {
        if split_list_name(b.name).is_some_and(|(r, _)| regions.contains(&r)) {
            add(
                b.name,
                b.cidrs.iter().filter_map(|c| c.parse().ok()).collect(),
            );
        }
    }
    out
}

/// Whether the design gives service `service` of `region` an address: a
/// declared front door of that Region or ranges of that Region (OPEN-2).
pub fn has_public_address(d: &Design, region: &str, service: &str) -> bool {
    d.aws_services
        .iter()
        .any(|s| s.service == service && s.region == region)
        || service_ranges(d)
            .iter()
            .any(|s| s.service == service && s.region == region)
}

/// Whether any Region's service `service` has an address in the design.
pub fn known_anywhere(d: &Design, service: &str) -> bool {
    d.aws_services.iter().any(|s| s.service == service)
        || service_ranges(d).iter().any(|s| s.service == service)
}

/// The short names of AWS services that interface endpoints reach
/// (`com.amazonaws.<region>.<name>`), from the AWS PrivateLink guide's
/// "AWS services that integrate with AWS PrivateLink"; a file may name
/// another service by declaring it (an `[[aws_service]]`, or a
/// `com.amazonaws.<region>.<name>` prefix list), and an endpoint service of
/// its own by its `vpce-svc-` id (IFE-10).
pub const INTERFACE_SERVICES: &[&str] = &[
    "access-analyzer",
    "account",
    "acm-pca",
    "airflow.api",
    "airflow.env",
    "airflow.ops",
    "aoss",
    "app-integrations",
    "appconfig",
    "appconfigdata",
    "application-autoscaling",
    "applicationinsights",
    "appmesh",
    "appmesh-envoy-management",
    "apprunner",
    "apprunner.requests",
    "appstream.api",
    "appstream.streaming",
    "appsync-api",
    "aps",
    "aps-workspaces",
    "athena",
    "auditmanager",
    "autoscaling",
    "autoscaling-plans",
    "backup",
    "backup-gateway",
    "batch",
    "bedrock",
    "bedrock-agent",
    "bedrock-agent-runtime",
    "bedrock-runtime",
    "billing",
    "braket",
    "cassandra",
    "cassandra-fips",
    "cloud9",
    "cloudcontrolapi",
    "cloudcontrolapi-fips",
    "cloudformation",
    "cloudhsmv2",
    "cloudtrail",
    "codeartifact.api",
    "codeartifact.repositories",
    "codebuild",
    "codebuild-fips",
    "codecommit",
    "codecommit-fips",
    "codedeploy",
    "codedeploy-commands-secure",
    "codeguru-profiler",
    "codeguru-reviewer",
    "codepipeline",
    "codestar-connections.api",
    "codewhisperer",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "config",
    "connect-campaigns",
    "databrew",
    "dataexchange",
    "datasync",
    "datazone",
    "devops-guru",
    "dms",
    "dms-fips",
    "ds",
    "dynamodb",
    "ebs",
    "ec2",
    "ec2-fips",
    "ec2messages",
    "ecr.api",
    "ecr.dkr",
    "ecs",
    "ecs-agent",
    "ecs-telemetry",
    "eks",
    "eks-auth",
    "elasticache",
    "elasticache-fips",
    "elasticbeanstalk",
    "elasticbeanstalk-health",
    "elasticfilesystem",
    "elasticfilesystem-fips",
    "elasticloadbalancing",
    "elasticmapreduce",
    "email-smtp",
    "emr-containers",
    "emr-serverless",
    "emrwal.prod",
    "entityresolution",
    "es",
    "events",
    "execute-api",
    "finspace",
    "finspace-api",
    "fis",
    "forecast",
    "forecastquery",
    "frauddetector",
    "fsx",
    "fsx-fips",
    "git-codecommit",
    "git-codecommit-fips",
    "glue",
    "grafana",
    "grafana-workspace",
    "greengrass",
    "groundstation",
    "guardduty-data",
    "healthlake",
    "iam",
    "identitystore",
    "imagebuilder",
    "inspector2",
    "iot.credentials",
    "iot.data",
    "iot.fleethub.api",
    "iotfleetwise",
    "iotroborunner",
    "iotsitewise.api",
    "iotsitewise.data",
    "iottwinmaker.api",
    "iottwinmaker.data",
    "kafka",
    "kafka-fips",
    "kendra",
    "kendra-ranking",
    "kinesis-firehose",
    "kinesis-streams",
    "kms",
    "kms-fips",
    "lakeformation",
    "lambda",
    "license-manager",
    "license-manager-fips",
    "logs",
    "lookoutequipment",
    "lookoutmetrics",
    "lookoutvision",
    "m2",
    "macie2",
    "mediaconnect",
    "memory-db",
    "memorydb-fips",
    "mgn",
    "migrationhub-orchestrator",
    "migrationhub-strategy",
    "models-v2-lex",
    "monitoring",
    "mq",
    "neptune-graph",
    "network-firewall",
    "network-firewall-fips",
    "nimble",
    "notebook",
    "omics.analytics",
    "omics.control-storage",
    "omics.storage",
    "omics.tags",
    "omics.workflows",
    "panorama",
    "pca-connector-ad",
    "pinpoint",
    "pinpoint-sms-voice-v2",
    "pipes",
    "pipes-data",
    "polly",
    "private-networks",
    "profile",
    "proton",
    "qldb.session",
    "rbin",
    "rds",
    "rds-data",
    "redshift",
    "redshift-data",
    "redshift-fips",
    "redshift-serverless",
    "refactor-spaces",
    "rekognition",
    "rekognition-fips",
    "resource-groups",
    "robomaker",
    "rolesanywhere",
    "route53resolver",
    "rum",
    "rum-dataplane",
    "runtime-v2-lex",
    "s3",
    "s3-outposts",
    "s3express",
    "sagemaker.api",
    "sagemaker.featurestore-runtime",
    "sagemaker.metrics",
    "sagemaker.runtime",
    "sagemaker.runtime-fips",
    "scheduler",
    "schemas",
    "sdb",
    "secretsmanager",
    "securityhub",
    "securitylake",
    "servicecatalog",
    "servicecatalog-appregistry",
    "servicediscovery",
    "servicediscovery-fips",
    "signin",
    "simspaceweaver",
    "sms",
    "sms-fips",
    "snow-device-management",
    "sns",
    "sqs",
    "ssm",
    "ssm-contacts",
    "ssm-incidents",
    "ssmmessages",
    "states",
    "storagegateway",
    "sts",
    "swf",
    "swf-fips",
    "sync-states",
    "synthetics",
    "tagging",
    "textract",
    "textract-fips",
    "timestream-influxdb",
    "transcribe",
    "transcribestreaming",
    "transfer",
    "transfer.server",
    "translate",
    "verifiedpermissions",
    "vpc-lattice",
    "wisdom",
    "workspaces",
    "workspaces-web",
    "xray",
];
