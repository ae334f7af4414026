//! vpcsim: a packet-level simulator of AWS VPC networking.

pub mod cli;
pub mod dataplane;
pub mod explain;
pub mod hashing;
pub mod import;
pub mod lpm;
pub mod model;
pub mod packet;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod sparse;
pub mod traffic;
pub mod units;
