//! vpcsim: a packet-level simulator of AWS VPC networking.

pub mod cli;
pub mod model;
pub mod packet;
pub mod scenario;
pub mod units;
