//! The JSON that the AWS CLI prints, as far as the import reads it.
//!
//! Field names are the API's (PascalCase); everything an account may leave out
//! is optional, and fields the import does not use are not declared (serde
//! skips them). Addresses and CIDRs are parsed while reading, so that a bad
//! one is reported with its JSON path like any other malformed value.

mod gateways;
mod transit_gateway;
mod vpc;
mod workloads;

pub use gateways::*;
pub use transit_gateway::*;
pub use vpc::*;
pub use workloads::*;

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected};

/// Parses a string in the visitor itself, so that serde_json places the error
/// at the value (a check after deserializing would be placed at the end of
/// the enclosing object).
struct Parsed<T> {
    expected: &'static str,
    parse: fn(&str) -> Option<T>,
}

impl<T> de::Visitor<'_> for Parsed<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.expected)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        (self.parse)(s.trim()).ok_or_else(|| E::invalid_value(Unexpected::Str(s), &self))
    }
}

/// An IPv4 CIDR; host bits are accepted here (and cleared on output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr(pub Ipv4Net);

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Parsed {
            expected: "a string: an IPv4 CIDR like \"10.0.0.0/16\"",
            parse: |s| s.parse().ok().map(Cidr),
        })
    }
}

/// An IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ip(pub Ipv4Addr);

impl<'de> Deserialize<'de> for Ip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Parsed {
            expected: "a string: an IPv4 address like \"10.0.1.5\"",
            parse: |s| s.parse().ok().map(Ip),
        })
    }
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// The `Name` tag, if any.
pub fn name_tag(tags: &[Tag]) -> Option<String> {
    tags.iter()
        .find(|t| t.key == "Name" && !t.value.trim().is_empty())
        .map(|t| t.value.clone())
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct StateObj {
    pub state: String,
}
