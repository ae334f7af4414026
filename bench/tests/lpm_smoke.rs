//! Smoke-runs the LPM benchmark bodies on small inputs and checks that our
//! `Lpm`, the naive scan and `prefix-trie` agree.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use prefix_trie::PrefixMap;
use vpcsim::lpm::{Layout, Lpm};
use vpcsim_bench::{
    Naive, addresses, internet_table, lpm_lookups, lpm_lookups_addr, lpm_lookups_batch,
    naive_lookups, vpc_table,
};

fn check(table: &[(Ipv4Net, u32)], addrs: &[u32]) {
    let lpm = Lpm::from_prefixes(table.iter().copied());
    let mut lpm8 = lpm.clone();
    lpm8.set_layout(Some(Layout::Trie8));
    let mut dir = lpm.clone();
    dir.set_layout(Some(Layout::Dir24));
    let mut dir16 = lpm.clone();
    dir16.set_layout(Some(Layout::Dir16));
    let naive = Naive::from_prefixes(table);
    let mut pt = PrefixMap::<Ipv4Net, u32>::new();
    for &(p, v) in table {
        pt.insert(p, v);
    }
    for &a in addrs {
        let want = naive.lookup_u32(a);
        assert_eq!(lpm.lookup_u32(a), want, "{}", Ipv4Addr::from(a));
        assert_eq!(lpm8.lookup_u32(a), want, "{}", Ipv4Addr::from(a));
        assert_eq!(dir.lookup_u32(a), want, "{}", Ipv4Addr::from(a));
        assert_eq!(dir16.lookup_u32(a), want, "{}", Ipv4Addr::from(a));
        let got_pt = pt
            .get_lpm(&Ipv4Net::from(Ipv4Addr::from(a)))
            .map(|(_, &v)| v);
        assert_eq!(got_pt, want, "prefix-trie {}", Ipv4Addr::from(a));
    }
    let sum = naive_lookups(&naive, addrs);
    assert_eq!(lpm_lookups(&lpm, addrs), sum);
    assert_eq!(lpm_lookups_addr(&lpm, addrs), sum);
    assert_eq!(lpm_lookups(&lpm8, addrs), sum);
    assert_eq!(lpm_lookups(&dir, addrs), sum);
    assert_eq!(lpm_lookups(&dir16, addrs), sum);
    for t in [&lpm, &lpm8, &dir, &dir16] {
        assert_eq!(lpm_lookups_batch(t, addrs), sum, "{:?}", t.layout());
    }
}

#[test]
fn vpc_bodies_agree() {
    let table = vpc_table();
    check(&table, &addresses(&table, 2_000, 900, 1));
}

#[test]
fn internet_bodies_agree() {
    for n in [1_000, 12_000] {
        let table = internet_table(n, 42);
        check(&table, &addresses(&table, 1_000, 900, 2));
    }
}
