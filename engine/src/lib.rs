//! vpcsim: a packet-level simulator of AWS VPC networking.
pub mod lpm;
