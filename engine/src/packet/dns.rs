//! DNS messages (RFC 1035) of the lookups clients make: a query with one
//! question (type A, class IN, recursion desired) and the resolver's
//! response, with one A record or none (NXDOMAIN).
//!
//! Invariants:
//! * Reading a message never allocates and never panics: a message that
//!   is not of the expected shape is `None`.
//! * Names are written as plain labels (no compression) in queries; a
//!   response repeats the question and points its answer's name at it
//!   (offset 12), as resolvers do.
//! * Names compare without regard to ASCII case (RFC 4343).

use std::net::Ipv4Addr;

/// The DNS port, UDP and TCP.
pub const PORT: u16 = 53;
/// Record type A (an IPv4 address).
pub const TYPE_A: u16 = 1;
/// Class IN.
pub const CLASS_IN: u16 = 1;
/// Response code: no error.
pub const RCODE_NOERROR: u8 = 0;
/// Response code: the name does not exist.
pub const RCODE_NXDOMAIN: u8 = 3;

const HEADER: usize = 12;
const QR: u16 = 0x8000;
const OPCODE: u16 = 0x7800;
const RD: u16 = 0x0100;
const RA: u16 = 0x0080;

/// `name` as DNS labels, ending with the root's empty label, lower case;
/// `None` when a label is empty or longer than 63 bytes, or the whole is
/// longer than 255.
pub fn encode_name(name: &str) -> Option<Vec<u8>> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let mut out = Vec::with_capacity(name.len() + 2);
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 || !label.is_ascii() {
            return None;
        }
        out.push(label.len() as u8);
        out.extend(label.bytes().map(|b| b.to_ascii_lowercase()));
    }
    out.push(0);
    (out.len() <= 255).then_some(out)
}

/// The labels of a wire name as text, `a.b.c`.
pub fn name_text(wire: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while let Some(&len) = wire.get(i) {
        if len == 0 {
            break;
        }
        let Some(label) = wire.get(i + 1..i + 1 + usize::from(len)) else {
            break;
        };
        if !out.is_empty() {
            out.push('.');
        }
        out.extend(label.iter().map(|&b| char::from(b)));
        i += 1 + usize::from(len);
    }
    out
}

/// Whether two wire names are the same name (ASCII case aside).
pub fn same_name(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// A query: header with `id` and RD set, one question for `name` (wire
/// form), type A, class IN.
pub fn query(id: u16, name: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(HEADER + name.len() + 4);
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&RD.to_be_bytes());
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    m.extend_from_slice(name);
    m.extend_from_slice(&TYPE_A.to_be_bytes());
    m.extend_from_slice(&CLASS_IN.to_be_bytes());
    m
}

/// The question of a query, as read from its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question<'a> {
    pub id: u16,
    /// Whether the query asked for recursion (RD).
    pub recursion: bool,
    /// The name in wire form, root label included.
    pub name: &'a [u8],
    pub qtype: u16,
    pub qclass: u16,
}

fn u16_at(m: &[u8], i: usize) -> Option<u16> {
    m.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

/// The length of the uncompressed name at `start`, root label included.
fn name_len(m: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        let len = usize::from(*m.get(i)?);
        if len == 0 {
            return Some(i + 1 - start).filter(|n| *n <= 255);
        }
        if len > 63 {
            return None;
        }
        i += 1 + len;
    }
}

/// A standard query (QR clear, opcode 0) with one question and nothing
/// else; `None` for any other message.
pub fn parse_query(m: &[u8]) -> Option<Question<'_>> {
    let id = u16_at(m, 0)?;
    let flags = u16_at(m, 2)?;
    if flags & (QR | OPCODE) != 0 {
        return None;
    }
    if u16_at(m, 4)? != 1 || u16_at(m, 6)? != 0 || u16_at(m, 8)? != 0 {
        return None;
    }
    let n = name_len(m, HEADER)?;
    let name = &m[HEADER..HEADER + n];
    let qtype = u16_at(m, HEADER + n)?;
    let qclass = u16_at(m, HEADER + n + 2)?;
    Some(Question {
        id,
        recursion: flags & RD != 0,
        name,
        qtype,
        qclass,
    })
}

/// The response to `q`: one A record for `answer` (its address and TTL in
/// seconds) with NOERROR, or none with NXDOMAIN. RA is set: the resolver
/// recurses.
pub fn response(q: &Question<'_>, answer: Option<(Ipv4Addr, u32)>) -> Vec<u8> {
    let rcode = if answer.is_some() {
        RCODE_NOERROR
    } else {
        RCODE_NXDOMAIN
    };
    let rd = if q.recursion { RD } else { 0 };
    let flags = QR | RA | rd | u16::from(rcode);
    let mut m = Vec::with_capacity(HEADER + q.name.len() + 4 + 16);
    m.extend_from_slice(&q.id.to_be_bytes());
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&[0, 1, 0, u8::from(answer.is_some()), 0, 0, 0, 0]);
    m.extend_from_slice(q.name);
    m.extend_from_slice(&q.qtype.to_be_bytes());
    m.extend_from_slice(&q.qclass.to_be_bytes());
    if let Some((ip, ttl)) = answer {
        // The name: a pointer to the question's, at offset 12.
        m.extend_from_slice(&[0xc0, HEADER as u8]);
        m.extend_from_slice(&TYPE_A.to_be_bytes());
        m.extend_from_slice(&CLASS_IN.to_be_bytes());
        m.extend_from_slice(&ttl.to_be_bytes());
        m.extend_from_slice(&4u16.to_be_bytes());
        m.extend_from_slice(&ip.octets());
    }
    m
}

/// What a response says, as the client reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    pub id: u16,
    pub rcode: u8,
    /// The first A record of the answer section, with its TTL in seconds.
    pub answer: Option<(Ipv4Addr, u32)>,
}

/// A response (QR set) with one question; its first A record of class IN,
/// if any. `None` for any other message.
pub fn parse_response(m: &[u8]) -> Option<Response> {
    let id = u16_at(m, 0)?;
    let flags = u16_at(m, 2)?;
    if flags & QR == 0 || flags & OPCODE != 0 {
        return None;
    }
    if u16_at(m, 4)? != 1 {
        return None;
    }
    let ancount = u16_at(m, 6)?;
    let mut i = HEADER + name_len(m, HEADER)? + 4;
    if i > m.len() {
        return None;
    }
    let mut answer = None;
    for _ in 0..ancount {
        // A name: a pointer, or labels.
        let first = *m.get(i)?;
        i += if first & 0xc0 == 0xc0 {
            2
        } else {
            name_len(m, i)?
        };
        let rtype = u16_at(m, i)?;
        let class = u16_at(m, i + 2)?;
        let ttl = m
            .get(i + 4..i + 8)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))?;
        let rdlen = usize::from(u16_at(m, i + 8)?);
        let rdata = m.get(i + 10..i + 10 + rdlen)?;
        if answer.is_none() && rtype == TYPE_A && class == CLASS_IN && rdlen == 4 {
            answer = Some((Ipv4Addr::new(rdata[0], rdata[1], rdata[2], rdata[3]), ttl));
        }
        i += 10 + rdlen;
    }
    Some(Response {
        id,
        rcode: (flags & 0x000f) as u8,
        answer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_back_and_its_response_carries_the_address() {
        let name = encode_name("S3.us-east-1.amazonaws.com").unwrap();
        assert_eq!(name_text(&name), "s3.us-east-1.amazonaws.com");
        let q = query(0x1234, &name);
        let parsed = parse_query(&q).unwrap();
        assert_eq!(parsed.id, 0x1234);
        assert!(parsed.recursion);
        assert_eq!((parsed.qtype, parsed.qclass), (TYPE_A, CLASS_IN));
        assert!(same_name(
            parsed.name,
            &encode_name("s3.US-EAST-1.amazonaws.com").unwrap()
        ));
        let r = response(&parsed, Some((Ipv4Addr::new(52, 216, 0, 1), 60)));
        assert!(parse_query(&r).is_none(), "a response is not a query");
        let back = parse_response(&r).unwrap();
        assert_eq!(back.id, 0x1234);
        assert_eq!(back.rcode, RCODE_NOERROR);
        assert_eq!(back.answer, Some((Ipv4Addr::new(52, 216, 0, 1), 60)));
        let nx = parse_response(&response(&parsed, None)).unwrap();
        assert_eq!((nx.rcode, nx.answer), (RCODE_NXDOMAIN, None));
    }

    #[test]
    fn messages_of_other_shapes_are_refused_without_panicking() {
        assert!(encode_name("a..b").is_none());
        assert!(encode_name(&"x".repeat(64)).is_none());
        assert!(parse_query(&[]).is_none());
        assert!(parse_query(&[0xa5; 512]).is_none());
        assert!(parse_response(&[0xa5; 40]).is_none());
        let q = query(7, &encode_name("a.b").unwrap());
        for cut in 0..q.len() {
            assert!(parse_query(&q[..cut]).is_none(), "cut at {cut}");
        }
        let parsed = parse_query(&q).unwrap();
        let r = response(&parsed, Some((Ipv4Addr::LOCALHOST, 5)));
        for cut in 0..r.len() {
            assert!(parse_response(&r[..cut]).is_none(), "cut at {cut}");
        }
    }
}
