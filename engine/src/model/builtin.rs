//! AWS-managed prefix lists that vpcsim ships, so that a file using a gateway
//! endpoint in these regions need not copy them out.
//!
//! Source: the output of `aws ec2 describe-prefix-lists` in us-east-1 as
//! recorded in a real account (see `docs/aws-differences.md`). AWS changes these
//! ranges over time; a file that declares its own `[[prefix_list]]` with the
//! same name wins over the built-in one.

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
];

/// The list AWS names `com.amazonaws.<region>.<service>`.
pub fn service_list_name(region: &str, service: &str) -> String {
    format!("com.amazonaws.{region}.{service}")
}

pub fn prefix_list(name: &str) -> Option<&'static BuiltinPrefixList> {
    PREFIX_LISTS.iter().find(|p| p.name == name)
}
