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

/// The list AWS names `com.amazonaws.<region>.<service>`.
pub fn service_list_name(region: &str, service: &str) -> String {
    format!("com.amazonaws.{region}.{service}")
}

pub fn prefix_list(name: &str) -> Option<&'static BuiltinPrefixList> {
    PREFIX_LISTS.iter().find(|p| p.name == name)
}

/// A service's ranges, as the design gives them (OPEN-2).
#[derive(Clone, Debug)]
pub struct ServiceRanges {
    /// The service's short name (`s3`, `dynamodb`).
    pub service: String,
    pub cidrs: Vec<Ipv4Net>,
}

/// The AWS services a design's packets can reach by address: every prefix
/// list of the design named `com.amazonaws.<region>.<service>`, then the
/// built-in lists of the design's region that the design does not declare
/// (dated above), in that order.
pub fn service_ranges(d: &Design) -> Vec<ServiceRanges> {
    let mut out: Vec<ServiceRanges> = Vec::new();
    let mut add = |list_name: &str, cidrs: Vec<Ipv4Net>| {
        let Some(service) = list_name
            .strip_prefix("com.amazonaws.")
            .and_then(|rest| rest.split_once('.'))
            .map(|(_, svc)| svc.to_string())
        else {
            return;
        };
        if !out.iter().any(|s| s.service == service) {
            out.push(ServiceRanges { service, cidrs });
        }
    };
    for p in &d.prefix_lists {
        add(&p.list_name, p.cidrs.clone());
    }
    for b in PREFIX_LISTS {
        let region_of = b
            .name
            .strip_prefix("com.amazonaws.")
            .and_then(|r| r.split('.').next());
        if region_of == Some(d.region.as_str()) {
            add(
                b.name,
                b.cidrs.iter().filter_map(|c| c.parse().ok()).collect(),
            );
        }
    }
    out
}

/// The short names of AWS services that interface endpoints reach
/// (`com.amazonaws.<region>.<name>`), from the AWS PrivateLink guide's
/// "AWS services that integrate with AWS PrivateLink"; a file may name
/// another service by declaring it (an `[[aws_service]]`, or a
/// `com.amazonaws.<region>.<name>` prefix list), and an endpoint service of
/// its own by its `vpce-svc-` id (IFE-8).
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
