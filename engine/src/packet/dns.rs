//! DNS messages (RFC 1035) of the lookups clients make: a query with one
//! question (type A, class IN, recursion desired) and the resolver's
//! response: the name's A records, or a negative answer (NXDOMAIN, or
//! NOERROR with no record of the type asked for) with the zone's SOA in
//! its authority section (RFC 2308).
//!
//! Invariants:
//! * Reading a message never allocates and never panics: a message that
//!   is not of the expected shape is `None`.
//! * Names are written as plain labels (no compression) in queries; a
//!   response repeats the question and points each answer's name at it
//!   (offset 12), and the SOA's owner at the question's name less its
//!   first label, as resolvers do.
//! * Names compare without regard to ASCII case (RFC 4343).

use std::net::Ipv4Addr;

/// The DNS port, UDP and TCP.
pub const PORT: u16 = 53;
/// Record type A (an IPv4 address).
pub const TYPE_A: u16 = 1;
/// Record type SOA (start of a zone of authority).
pub const TYPE_SOA: u16 = 6;
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

/// The SOA record a negative answer carries (RFC 2308 section 3): the
/// zone's primary name server and mailbox, its timers, and the record's own
/// TTL. A cache keeps the negative answer for the smaller of `ttl` and
/// `minimum` (RFC 2308 section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Soa<'a> {
    /// The TTL of the SOA record, in seconds.
    pub ttl: u32,
    /// MNAME and RNAME, as text.
    pub mname: &'a str,
    pub rname: &'a str,
    pub serial: u32,
    pub refresh: u32,
    pub retry: u32,
    pub expire: u32,
    /// The TTL of negative answers (RFC 2308's reading of MINIMUM).
    pub minimum: u32,
}

/// What the resolver answers a question with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer<'a> {
    /// NOERROR and one A record per address, in this order, each with
    /// the TTL in seconds.
    Records { ips: &'a [Ipv4Addr], ttl: u32 },
    /// NOERROR and no record of the type asked for (NODATA), with the
    /// zone's SOA.
    NoData(Soa<'a>),
    /// NXDOMAIN, with the zone's SOA.
    NxDomain(Soa<'a>),
}

/// The labels of `text` (a name without its trailing dot) appended to `m`,
/// with the root label; labels that cannot be written are left out.
fn put_name(m: &mut Vec<u8>, text: &str) {
    for label in text.split('.') {
        if !label.is_empty() && label.len() <= 63 && label.is_ascii() {
            m.push(label.len() as u8);
            m.extend_from_slice(label.as_bytes());
        }
    }
    m.push(0);
}

/// The response to `q` with `answer`. RA is set: the resolver recurses.
pub fn response(q: &Question<'_>, answer: Answer<'_>) -> Vec<u8> {
    let (rcode, ips, soa) = match answer {
        Answer::Records { ips, .. } => (RCODE_NOERROR, ips, None),
        Answer::NoData(soa) => (RCODE_NOERROR, &[][..], Some(soa)),
        Answer::NxDomain(soa) => (RCODE_NXDOMAIN, &[][..], Some(soa)),
    };
    let ttl = match answer {
        Answer::Records { ttl, .. } => ttl,
        _ => 0,
    };
    let rd = if q.recursion { RD } else { 0 };
    let flags = QR | RA | rd | u16::from(rcode);
    let ancount = ips.len().min(usize::from(u16::MAX)) as u16;
    let mut m = Vec::with_capacity(HEADER + q.name.len() + 4 + 16 * ips.len() + 96);
    m.extend_from_slice(&q.id.to_be_bytes());
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&1u16.to_be_bytes());
    m.extend_from_slice(&ancount.to_be_bytes());
    m.extend_from_slice(&u16::from(soa.is_some()).to_be_bytes());
    m.extend_from_slice(&0u16.to_be_bytes());
    m.extend_from_slice(q.name);
    m.extend_from_slice(&q.qtype.to_be_bytes());
    m.extend_from_slice(&q.qclass.to_be_bytes());
    for ip in &ips[..usize::from(ancount)] {
        // The name: a pointer to the question's, at offset 12.
        m.extend_from_slice(&[0xc0, HEADER as u8]);
        m.extend_from_slice(&TYPE_A.to_be_bytes());
        m.extend_from_slice(&CLASS_IN.to_be_bytes());
        m.extend_from_slice(&ttl.to_be_bytes());
        m.extend_from_slice(&4u16.to_be_bytes());
        m.extend_from_slice(&ip.octets());
    }
    if let Some(soa) = soa {
        // The owner: the question's name less its first label (its zone),
        // by a pointer; the root for a name of one label.
        match q.name.first() {
            Some(&first) if first != 0 && q.name.get(1 + usize::from(first)) != Some(&0) => {
                let at = HEADER + 1 + usize::from(first);
                m.extend_from_slice(&(0xc000 | at as u16).to_be_bytes());
            }
            _ => m.push(0),
        }
        m.extend_from_slice(&TYPE_SOA.to_be_bytes());
        m.extend_from_slice(&CLASS_IN.to_be_bytes());
        m.extend_from_slice(&soa.ttl.to_be_bytes());
        let len_at = m.len();
        m.extend_from_slice(&[0, 0]);
        put_name(&mut m, soa.mname);
        put_name(&mut m, soa.rname);
        for x in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] {
            m.extend_from_slice(&x.to_be_bytes());
        }
        let rdlen = (m.len() - len_at - 2) as u16;
        m[len_at..len_at + 2].copy_from_slice(&rdlen.to_be_bytes());
    }
    m
}

/// What a response says, as the client reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response<'a> {
    pub id: u16,
    pub rcode: u8,
    /// The first A record of the answer section, with its TTL in seconds.
    pub answer: Option<(Ipv4Addr, u32)>,
    /// How many A records of class IN the answer section holds.
    pub a_records: u16,
    /// The smallest TTL of those A records, in seconds.
    pub ttl: Option<u32>,
    /// For a negative answer (NXDOMAIN, or NOERROR without an A record),
    /// how long a cache keeps it, in seconds: the smaller of the authority
    /// section's SOA TTL and its MINIMUM (RFC 2308 section 5); `None`
    /// without an SOA, which RFC 2308 says not to cache.
    pub negative_ttl: Option<u32>,
    /// The message and where its answer section starts, for `addresses`.
    msg: &'a [u8],
    answers_at: usize,
    ancount: u16,
}

impl<'a> Response<'a> {
    /// The addresses of the A records (class IN), in the answer's order.
    pub fn addresses(&self) -> impl Iterator<Item = Ipv4Addr> + 'a {
        let m = self.msg;
        let mut i = self.answers_at;
        let mut left = self.ancount;
        std::iter::from_fn(move || {
            while left > 0 {
                left -= 1;
                let r = record(m, i)?;
                i = r.end;
                if r.rtype == TYPE_A && r.class == CLASS_IN && r.rdata.len() == 4 {
                    let d = r.rdata;
                    return Some(Ipv4Addr::new(d[0], d[1], d[2], d[3]));
                }
            }
            None
        })
    }
}

/// The length of the name at `start`: labels, ending with the root label
/// or a pointer (RFC 1035 section 4.1.4).
fn skip_name(m: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        let len = *m.get(i)?;
        if len & 0xc0 == 0xc0 {
            m.get(i + 1)?;
            return Some(i + 2 - start);
        }
        if len == 0 {
            return Some(i + 1 - start).filter(|n| *n <= 255);
        }
        if len > 63 {
            return None;
        }
        i += 1 + usize::from(len);
    }
}

/// One resource record, as read.
struct Record<'a> {
    rtype: u16,
    class: u16,
    ttl: u32,
    rdata: &'a [u8],
    /// Where the next record starts.
    end: usize,
}

fn record(m: &[u8], at: usize) -> Option<Record<'_>> {
    let i = at + skip_name(m, at)?;
    let rtype = u16_at(m, i)?;
    let class = u16_at(m, i + 2)?;
    let ttl = m
        .get(i + 4..i + 8)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))?;
    let rdlen = usize::from(u16_at(m, i + 8)?);
    let rdata = m.get(i + 10..i + 10 + rdlen)?;
    Some(Record {
        rtype,
        class,
        ttl,
        rdata,
        end: i + 10 + rdlen,
    })
}

/// A response (QR set) with one question: its A records of class IN and,
/// for a negative answer, the SOA's negative TTL. `None` for any other
/// message.
pub fn parse_response(m: &[u8]) -> Option<Response<'_>> {
    let id = u16_at(m, 0)?;
    let flags = u16_at(m, 2)?;
    if flags & QR == 0 || flags & OPCODE != 0 {
        return None;
    }
    if u16_at(m, 4)? != 1 {
        return None;
    }
    let ancount = u16_at(m, 6)?;
    let nscount = u16_at(m, 8)?;
    let answers_at = HEADER + name_len(m, HEADER)? + 4;
    if answers_at > m.len() {
        return None;
    }
    let mut i = answers_at;
    let (mut answer, mut a_records, mut ttl) = (None, 0u16, None::<u32>);
    for _ in 0..ancount {
        let r = record(m, i)?;
        i = r.end;
        if r.rtype == TYPE_A && r.class == CLASS_IN && r.rdata.len() == 4 {
            let d = r.rdata;
            answer = answer.or(Some((Ipv4Addr::new(d[0], d[1], d[2], d[3]), r.ttl)));
            a_records += 1;
            ttl = Some(ttl.map_or(r.ttl, |t| t.min(r.ttl)));
        }
    }
    let rcode = (flags & 0x000f) as u8;
    let mut negative_ttl = None;
    for _ in 0..nscount {
        let r = record(m, i)?;
        i = r.end;
        // MINIMUM: the last 4 bytes of the SOA's data, after two names
        // (at least 2 bytes) and four other numbers.
        if r.rtype == TYPE_SOA && r.class == CLASS_IN && r.rdata.len() >= 22 {
            let d = &r.rdata[r.rdata.len() - 4..];
            let minimum = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
            negative_ttl = negative_ttl.or(Some(r.ttl.min(minimum)));
        }
    }
    let negative = rcode == RCODE_NXDOMAIN || (rcode == RCODE_NOERROR && a_records == 0);
    Some(Response {
        id,
        rcode,
        answer,
        a_records,
        ttl,
        negative_ttl: negative_ttl.filter(|_| negative),
        msg: m,
        answers_at,
        ancount,
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
        let ips = [Ipv4Addr::new(52, 216, 0, 1)];
        let r = response(&parsed, Answer::Records { ips: &ips, ttl: 60 });
        assert!(parse_query(&r).is_none(), "a response is not a query");
        let back = parse_response(&r).unwrap();
        assert_eq!(back.id, 0x1234);
        assert_eq!(back.rcode, RCODE_NOERROR);
        assert_eq!(back.answer, Some((Ipv4Addr::new(52, 216, 0, 1), 60)));
        assert_eq!(
            (back.a_records, back.ttl, back.negative_ttl),
            (1, Some(60), None)
        );
        let nx = response(&parsed, Answer::NxDomain(SOA));
        let nx = parse_response(&nx).unwrap();
        assert_eq!((nx.rcode, nx.answer), (RCODE_NXDOMAIN, None));
    }

    const SOA: Soa<'static> = Soa {
        ttl: 900,
        mname: "ns-0.example.net",
        rname: "hostmaster.example.com",
        serial: 1,
        refresh: 7200,
        retry: 900,
        expire: 1_209_600,
        minimum: 86_400,
    };

    #[test]
    fn dns_5_an_answer_carries_every_address_in_its_order() {
        let q = query(9, &encode_name("vpce.example.com").unwrap());
        let q = parse_query(&q).unwrap();
        let ips = [
            Ipv4Addr::new(10, 0, 2, 7),
            Ipv4Addr::new(10, 0, 1, 7),
            Ipv4Addr::new(10, 0, 3, 7),
        ];
        let m = response(&q, Answer::Records { ips: &ips, ttl: 30 });
        let r = parse_response(&m).unwrap();
        assert_eq!((r.rcode, r.a_records, r.ttl), (RCODE_NOERROR, 3, Some(30)));
        assert_eq!(r.addresses().collect::<Vec<_>>(), ips);
        assert_eq!(r.answer, Some((ips[0], 30)));
        for cut in 0..m.len() {
            assert!(parse_response(&m[..cut]).is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn dns_5_a_negative_answer_carries_the_zone_soa_and_is_cached_for_the_smaller_ttl() {
        let q = query(9, &encode_name("ip-10-0-0-9.ec2.internal").unwrap());
        let q = parse_query(&q).unwrap();
        for (answer, rcode) in [
            (Answer::NxDomain(SOA), RCODE_NXDOMAIN),
            (Answer::NoData(SOA), RCODE_NOERROR),
        ] {
            let m = response(&q, answer);
            let r = parse_response(&m).unwrap();
            assert_eq!((r.rcode, r.a_records, r.answer), (rcode, 0, None));
            // RFC 2308 section 5: min(SOA TTL, MINIMUM).
            assert_eq!(r.negative_ttl, Some(900));
            assert_eq!(r.addresses().count(), 0);
            // The SOA's owner points at `ec2.internal`, the question's
            // name less its first label.
            let owner = q.name.len() + HEADER + 4;
            let at = 12 + 1 + 11;
            assert_eq!(&m[owner..owner + 2], &[0xc0, at as u8]);
            assert_eq!(name_text(&m[at..]), "ec2.internal");
            for cut in 0..m.len() {
                assert!(parse_response(&m[..cut]).is_none(), "cut at {cut}");
            }
        }
        let short = Soa { minimum: 5, ..SOA };
        let r = response(&q, Answer::NxDomain(short));
        assert_eq!(parse_response(&r).unwrap().negative_ttl, Some(5));
        // Without an SOA a negative answer is not to be cached.
        let bare = response(&q, Answer::Records { ips: &[], ttl: 60 });
        let r = parse_response(&bare).unwrap();
        assert_eq!(
            (r.rcode, r.a_records, r.negative_ttl),
            (RCODE_NOERROR, 0, None)
        );
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
        let r = response(
            &parsed,
            Answer::Records {
                ips: &[Ipv4Addr::LOCALHOST],
                ttl: 5,
            },
        );
        for cut in 0..r.len() {
            assert!(parse_response(&r[..cut]).is_none(), "cut at {cut}");
        }
    }
}
