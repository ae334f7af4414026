//! The table against a brute-force scan, in every layout.

use super::*;
use proptest::prelude::*;

fn n(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

const LAYOUTS: [Layout; 4] = [Layout::Trie8, Layout::Trie16, Layout::Dir16, Layout::Dir24];

/// The same table in every layout.
fn both(items: &[(&str, u32)]) -> [Lpm<u32>; 4] {
    let t = Lpm::from_prefixes(items.iter().map(|&(s, v)| (n(s), v)));
    LAYOUTS.map(|l| {
        let mut t = t.clone();
        t.set_layout(Some(l));
        assert_eq!(t.layout(), l);
        t
    })
}

/// `lookup_batch` agrees with `lookup_u32` on `addrs`, including a tail
/// shorter than a chunk.
fn batch_agrees(t: &Lpm<u32>, addrs: &[u32]) {
    let mut out = vec![Some(u32::MAX); addrs.len()];
    t.lookup_batch(addrs, &mut out);
    for (&a, &got) in addrs.iter().zip(&out) {
        assert_eq!(
            got,
            t.lookup_u32(a),
            "batch {} in {:?}",
            Ipv4Addr::from(a),
            t.layout()
        );
    }
}

fn brute(items: &[(Ipv4Net, u32)], addr: Ipv4Addr) -> Option<(Ipv4Net, u32)> {
    // Later duplicates win, as in from_prefixes.
    let mut best: Option<(Ipv4Net, u32)> = None;
    for &(net, v) in items {
        let net = net.trunc();
        if net.contains(&addr) && best.is_none_or(|(b, _)| net.prefix_len() >= b.prefix_len()) {
            best = Some((net, v));
        }
    }
    best
}

#[test]
fn empty() {
    let t: Lpm<u32> = Lpm::new();
    assert!(t.is_empty());
    assert_eq!(t.len(), 0);
    assert_eq!(t.lookup(a("1.2.3.4")), None);
    assert_eq!(t.lookup_u32(0), None);
    assert_eq!(t.lookup_u32(u32::MAX), None);
    assert_eq!(t.iter().count(), 0);
    assert_eq!(t.heap_bytes(), 0);
    let mut out = [Some(1); 3];
    t.lookup_batch(&[0, 1, u32::MAX], &mut out);
    assert_eq!(out, [None; 3]);
    let t: Lpm<u32> = Lpm::from_prefixes([]);
    assert_eq!(t.lookup(a("0.0.0.0")), None);
    assert_eq!(Lpm::<u8>::default().len(), 0);
}

#[test]
fn default_route() {
    for t in both(&[("0.0.0.0/0", 7)]) {
        for s in ["0.0.0.0", "10.0.0.1", "255.255.255.255", "128.0.0.0"] {
            assert_eq!(t.lookup(a(s)), Some((n("0.0.0.0/0"), 7)));
        }
    }
}

#[test]
fn host_route() {
    for t in both(&[("10.1.2.3/32", 1), ("255.255.255.255/32", 2)]) {
        assert_eq!(t.lookup(a("10.1.2.3")), Some((n("10.1.2.3/32"), 1)));
        assert_eq!(t.lookup(a("10.1.2.2")), None);
        assert_eq!(t.lookup(a("10.1.2.4")), None);
        assert_eq!(t.lookup_u32(u32::MAX), Some(2));
        assert_eq!(t.lookup_u32(u32::MAX - 1), None);
    }
}

#[test]
fn host_bits_ignored() {
    let mut t = Lpm::from_prefixes([(n("10.1.2.3/16"), 1)]);
    assert_eq!(t.lookup(a("10.1.200.1")), Some((n("10.1.0.0/16"), 1)));
    assert_eq!(t.insert(n("10.1.9.9/16"), 2), Some(1));
    assert_eq!(t.len(), 1);
    assert_eq!(t.remove(n("10.1.255.255/16")), Some(2));
    assert!(t.is_empty());
}

#[test]
fn overlapping() {
    let items = [
        ("0.0.0.0/0", 0),
        ("10.0.0.0/8", 8),
        ("10.0.0.0/16", 16),
        ("10.0.0.0/20", 20),
        ("10.0.1.0/24", 24),
        ("10.0.1.128/25", 25),
        ("10.0.1.129/32", 32),
        ("10.128.0.0/9", 9),
    ];
    for t in both(&items) {
        let cases = [
            ("11.0.0.0", 0),
            ("10.200.0.0", 9),
            ("10.1.0.0", 8),
            ("10.0.16.0", 16),
            ("10.0.0.5", 20),
            ("10.0.1.5", 24),
            ("10.0.1.130", 25),
            ("10.0.1.129", 32),
        ];
        for (s, v) in cases {
            assert_eq!(t.lookup(a(s)).map(|x| x.1), Some(v), "{s}");
            assert_eq!(t.lookup_u32(u32::from(a(s))), Some(v), "{s}");
        }
        let addrs: Vec<u32> = cases.iter().map(|&(s, _)| u32::from(a(s))).collect();
        batch_agrees(&t, &addrs);
    }
}

#[test]
fn replace() {
    let mut t = Lpm::from_prefixes([(n("10.0.0.0/8"), 1), (n("10.1.0.0/16"), 2)]);
    assert_eq!(t.insert(n("10.1.0.0/16"), 3), Some(2));
    assert_eq!(t.len(), 2);
    assert_eq!(t.lookup(a("10.1.1.1")), Some((n("10.1.0.0/16"), 3)));
    // The value alone is patched too.
    assert_eq!(t.lookup_u32(u32::from(a("10.1.1.1"))), Some(3));
    assert_eq!(t.lookup(a("10.2.1.1")), Some((n("10.0.0.0/8"), 1)));
    assert_eq!(t.insert(n("10.1.2.0/24"), 4), None);
    assert_eq!(t.lookup(a("10.1.2.1")), Some((n("10.1.2.0/24"), 4)));
    // Later duplicates win in from_prefixes.
    let t = Lpm::from_prefixes([(n("1.0.0.0/8"), 1), (n("1.0.0.0/8"), 2)]);
    assert_eq!(t.lookup_u32(u32::from(a("1.1.1.1"))), Some(2));
}

#[test]
fn remove_falls_back() {
    let mut t = Lpm::from_prefixes([
        (n("0.0.0.0/0"), 0),
        (n("10.0.0.0/8"), 8),
        (n("10.1.0.0/16"), 16),
        (n("10.1.1.0/24"), 24),
        (n("10.1.1.1/32"), 32),
    ]);
    let x = a("10.1.1.1");
    for (net, next) in [
        ("10.1.1.1/32", Some(24)),
        ("10.1.1.0/24", Some(16)),
        ("10.1.0.0/16", Some(8)),
        ("10.0.0.0/8", Some(0)),
        ("0.0.0.0/0", None),
    ] {
        assert!(t.remove(n(net)).is_some());
        assert_eq!(t.lookup(x).map(|x| x.1), next, "after removing {net}");
    }
    assert!(t.is_empty());
    assert_eq!(t.remove(n("10.0.0.0/8")), None);
}

#[test]
fn iter_order() {
    let t = Lpm::from_prefixes([
        (n("10.1.0.0/16"), 3),
        (n("10.0.0.0/8"), 2),
        (n("0.0.0.0/0"), 1),
        (n("10.0.0.0/16"), 4),
        (n("9.0.0.0/8"), 5),
    ]);
    let got: Vec<_> = t.iter().collect();
    assert_eq!(
        got,
        vec![
            (n("0.0.0.0/0"), 1),
            (n("9.0.0.0/8"), 5),
            (n("10.0.0.0/8"), 2),
            (n("10.0.0.0/16"), 4),
            (n("10.1.0.0/16"), 3),
        ]
    );
}

#[test]
fn table_size_picks_the_layout() {
    // DIR16_THRESHOLD /24s under 10.0.0.0/8: the 8-bit trie; one more
    // prefix: DIR-16-8-8.
    let items: Vec<(Ipv4Net, u32)> = (0..DIR16_THRESHOLD as u32)
        .map(|i| {
            (
                Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 | (i << 8)), 24).unwrap(),
                i,
            )
        })
        .collect();
    let mut t = Lpm::from_prefixes(items.iter().copied());
    assert_eq!(t.layout(), Layout::Trie8);
    assert_eq!(t.insert(n("10.0.0.128/25"), 99), None);
    assert_eq!(t.layout(), Layout::Dir16);
    assert_eq!(t.node_count(), 0);
    for (s, v) in [("10.0.0.1", 0), ("10.0.0.129", 99), ("10.0.31.255", 31)] {
        assert_eq!(t.lookup_u32(u32::from(a(s))), Some(v), "{s}");
    }
    assert_eq!(t.lookup(a("10.0.32.0")), None);
    assert!(t.remove(n("10.0.0.128/25")).is_some());
    assert_eq!(t.layout(), Layout::Trie8);

    // splitmix64-generated table of many overlapping prefixes: DIR-16-8-8.
    let mut s = 0x1234_5678_u64;
    let mut next = || {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut items = Vec::new();
    for i in 0..14_000 {
        let r = next();
        // Confine to 10.0.0.0/8 so that prefixes overlap a lot.
        let addr = 0x0a00_0000 | (r as u32 & 0x00ff_ffff);
        let len = if r >> 58 == 0 {
            8 + (r >> 40) as u8 % 8
        } else {
            16 + (r >> 40) as u8 % 17
        };
        items.push((Ipv4Net::new(Ipv4Addr::from(addr), len).unwrap().trunc(), i));
    }
    let t = Lpm::from_prefixes(items.iter().copied());
    assert!(t.len() > DIR16_THRESHOLD && t.len() <= DIR24_THRESHOLD);
    assert_eq!(t.layout(), Layout::Dir16);
    let others = [Layout::Trie8, Layout::Trie16, Layout::Dir24].map(|l| {
        let mut o = t.clone();
        o.set_layout(Some(l));
        o
    });
    let mut addrs = Vec::new();
    for _ in 0..2000 {
        let r = next();
        let addr = Ipv4Addr::from(0x0a00_0000 | (r as u32 & 0x00ff_ffff));
        addrs.push(u32::from(addr));
        let want = brute(&items, addr);
        assert_eq!(t.lookup(addr), want);
        for o in &others {
            assert_eq!(o.lookup(addr), want, "{:?}", o.layout());
        }
    }
    batch_agrees(&t, &addrs);
    for o in &others {
        batch_agrees(o, &addrs);
    }
}

#[test]
fn a_large_table_is_dir24_and_shrinks_back_to_a_trie() {
    // /32s spread over 10.0.0.0/8 and a few covering prefixes.
    let mut items: Vec<(Ipv4Net, u32)> = (0..=DIR24_THRESHOLD as u32)
        .map(|i| {
            let addr = 0x0a00_0000 | (i.wrapping_mul(0x9e37_79b1) & 0x00ff_ffff);
            (Ipv4Net::new(Ipv4Addr::from(addr), 32).unwrap(), i)
        })
        .collect();
    items.sort();
    items.dedup_by_key(|x| x.0);
    items.push((n("10.0.0.0/8"), 1 << 30));
    items.push((n("0.0.0.0/0"), 1 << 29));
    let mut t = Lpm::from_prefixes(items.iter().copied());
    assert!(t.len() > DIR24_THRESHOLD, "{}", t.len());
    assert_eq!(t.layout(), Layout::Dir24);
    assert_eq!(t.node_count(), 0);
    for &(net, v) in items.iter().step_by(97) {
        assert_eq!(t.lookup(net.network()), Some((net, v)));
    }
    assert_eq!(t.lookup(a("11.0.0.1")), Some((n("0.0.0.0/0"), 1 << 29)));
    // Drop below the threshold: the trie comes back.
    for &(net, _) in &items[..items.len() - DIR24_THRESHOLD + 10] {
        t.remove(net);
        if t.len() <= DIR24_THRESHOLD {
            break;
        }
    }
    assert_eq!(t.layout(), Layout::Dir16);
    assert_eq!(t.node_count(), 0);
    assert_eq!(t.lookup(a("11.0.0.1")), Some((n("0.0.0.0/0"), 1 << 29)));
}

#[test]
fn a_trie_past_stopping_nodes_walks_with_stops_and_agrees() {
    // /25s at scattered addresses, each opening its own /24 node, under a
    // few shorter prefixes; more than STOPPING_NODES nodes in both tries.
    let mut items: Vec<(Ipv4Net, u32)> = (0..20_000u32)
        .map(|i| {
            let addr = i.wrapping_mul(0x9e37_79b1) & 0xffff_ff80;
            (Ipv4Net::new(Ipv4Addr::from(addr), 25).unwrap(), i)
        })
        .collect();
    items.extend([(n("0.0.0.0/0"), 1 << 30), (n("10.0.0.0/8"), 1 << 29)]);
    let table = Lpm::from_prefixes(items.iter().copied());
    let mut dir = table.clone();
    dir.set_layout(Some(Layout::Dir16));
    let addrs: Vec<u32> = (0..65_536u32)
        .map(|i| i.wrapping_mul(0x85eb_ca6b) ^ (i << 7))
        .chain(items.iter().map(|(p, _)| u32::from(p.network()) | 0x45))
        .collect();
    for layout in [Layout::Trie8, Layout::Trie16] {
        let mut t = table.clone();
        t.set_layout(Some(layout));
        assert!(
            t.node_count() > STOPPING_NODES,
            "{layout:?}: {}",
            t.node_count()
        );
        for &a in &addrs {
            let (stop, free) = match layout {
                Layout::Trie8 => (
                    trie::walk::<24, true>(&t.nodes, a),
                    trie::walk::<24, false>(&t.nodes, a),
                ),
                _ => (
                    trie::walk::<16, true>(&t.nodes, a),
                    trie::walk::<16, false>(&t.nodes, a),
                ),
            };
            assert_eq!(stop, free, "{layout:?} {}", Ipv4Addr::from(a));
            let a = Ipv4Addr::from(a);
            assert_eq!(t.lookup(a), dir.lookup(a), "{layout:?} {a}");
        }
        batch_agrees(&t, &addrs);
    }
}

/// A random prefix; its address is drawn from a small pool of bases so
/// that prefixes nest and addresses hit them.
fn arb_net() -> impl Strategy<Value = Ipv4Net> {
    let bases = [0x0a00_0000u32, 0x0a01_0200, 0xc0a8_0100, 0x3400_0000, 0];
    (0..bases.len(), any::<u32>(), 0u8..=32, any::<u8>()).prop_map(move |(b, r, len, mode)| {
        // Half the time keep the base's top 20 bits, otherwise random.
        let addr = if mode & 1 == 0 {
            bases[b] ^ (r & 0x0000_0fff)
        } else {
            r
        };
        Ipv4Net::new(Ipv4Addr::from(addr), len).unwrap().trunc()
    })
}

fn arb_addr() -> impl Strategy<Value = Ipv4Addr> {
    let bases = [0x0a00_0000u32, 0x0a01_0200, 0xc0a8_0100, 0x3400_0000, 0];
    (0..bases.len(), any::<u32>(), any::<bool>()).prop_map(move |(b, r, near)| {
        Ipv4Addr::from(if near {
            bases[b] ^ (r & 0x0000_0fff)
        } else {
            r
        })
    })
}

#[derive(Debug, Clone)]
enum Op {
    Insert(Ipv4Net, u32),
    Remove(usize),
}

fn check(t: &Lpm<u32>, items: &[(Ipv4Net, u32)], addrs: &[Ipv4Addr]) {
    let raw: Vec<u32> = addrs.iter().map(|&a| u32::from(a)).collect();
    batch_agrees(t, &raw);
    for &addr in addrs {
        let want = brute(items, addr);
        assert_eq!(t.lookup(addr), want, "lookup {addr}");
        assert_eq!(t.lookup_u32(u32::from(addr)), want.map(|x| x.1));
    }
    // Also probe the edges of every prefix.
    for &(net, _) in items {
        for addr in [net.network(), net.broadcast()] {
            assert_eq!(t.lookup(addr), brute(items, addr), "edge {addr}");
        }
    }
    let mut dedup: BTreeMap<(u32, u8), u32> = BTreeMap::new();
    for &(net, v) in items {
        dedup.insert(key(net), v);
    }
    assert_eq!(t.len(), dedup.len());
    let listed: Vec<_> = t.iter().map(|(n, v)| (key(n), v)).collect();
    assert_eq!(listed, dedup.into_iter().collect::<Vec<_>>());
}

/// Up to `max` inserts and removals after the build.
fn arb_ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            (arb_net(), any::<u32>()).prop_map(|(n, v)| Op::Insert(n, v)),
            any::<usize>().prop_map(Op::Remove),
        ],
        0..max,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn matches_brute_force(
        items in prop::collection::vec((arb_net(), any::<u32>()), 0..200),
        addrs in prop::collection::vec(arb_addr(), 1..64),
        ops in arb_ops(24),
        layout in prop_oneof![Just(Layout::Trie8), Just(Layout::Trie16), Just(Layout::Dir16)],
    ) {
        run_ops(layout, &items, &addrs, ops)?;
    }

    /// DIR-24-8 rebuilds 64 MiB on every change: fewer, shorter cases.
    #[test]
    fn dir24_matches_brute_force(
        items in prop::collection::vec((arb_net(), any::<u32>()), 0..200),
        addrs in prop::collection::vec(arb_addr(), 1..64),
        ops in arb_ops(4),
    ) {
        run_ops(Layout::Dir24, &items, &addrs, ops)?;
    }
}

fn run_ops(
    layout: Layout,
    items: &[(Ipv4Net, u32)],
    addrs: &[Ipv4Addr],
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    {
        let mut t = Lpm::from_prefixes(items.iter().copied());
        t.set_layout(Some(layout));
        // Model: deduplicated, last value wins.
        let mut model: Vec<(Ipv4Net, u32)> = Vec::new();
        for &(net, v) in items {
            match model.iter_mut().find(|(m, _)| *m == net) {
                Some(e) => e.1 = v,
                None => model.push((net, v)),
            }
        }
        check(&t, &model, addrs);
        for op in ops {
            match op {
                Op::Insert(net, v) => {
                    let old = model.iter().position(|(m, _)| *m == net);
                    let want_old = old.map(|i| model[i].1);
                    prop_assert_eq!(t.insert(net, v), want_old);
                    match old {
                        Some(i) => model[i].1 = v,
                        None => model.push((net, v)),
                    }
                }
                Op::Remove(i) => {
                    if model.is_empty() {
                        prop_assert_eq!(t.remove(n("1.2.3.0/24")), None);
                        continue;
                    }
                    let (net, v) = model.remove(i % model.len());
                    prop_assert_eq!(t.remove(net), Some(v));
                    prop_assert_eq!(t.remove(net), None);
                }
            }
            check(&t, &model, addrs);
        }
    }
    Ok(())
}

#[test]
#[should_panic(expected = "one output per address")]
fn batch_needs_one_output_per_address() {
    let t = Lpm::from_prefixes([(n("10.0.0.0/8"), 1)]);
    t.lookup_batch(&[1, 2], &mut [None]);
}

/// A batch longer than a chunk, with a tail, over prefixes of every depth
/// of DIR-16-8-8 (/0, /16, /24, /32 under one /24, /25 beside it).
#[test]
fn batch_spans_chunks() {
    let items = [
        ("0.0.0.0/0", 0),
        ("10.1.0.0/16", 16),
        ("10.1.2.0/24", 24),
        ("10.1.2.3/32", 32),
        ("10.1.3.128/25", 25),
        ("255.255.255.255/32", 1),
    ];
    let addrs: Vec<u32> = (0..BATCH as u32 * 3 + 5)
        .map(|i| 0x0a01_0200u32.wrapping_add(i.wrapping_mul(0x61)) ^ (i << 28))
        .chain([0x0a01_0203, u32::MAX, 0x0a01_0380, 0x0a01_037f])
        .collect();
    let owned: Vec<(Ipv4Net, u32)> = items.iter().map(|&(s, v)| (n(s), v)).collect();
    for t in both(&items) {
        batch_agrees(&t, &addrs);
        for &x in &addrs {
            let want = brute(&owned, Ipv4Addr::from(x)).map(|w| w.1);
            assert_eq!(
                t.lookup_u32(x),
                want,
                "{} in {:?}",
                Ipv4Addr::from(x),
                t.layout()
            );
        }
    }
}
