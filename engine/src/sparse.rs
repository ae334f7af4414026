//! A map from an index of the design (a traffic's, an ENI's, in a design
//! of many) to what one part of a run keeps of it, for those it has seen.
//!
//! Invariants:
//! - A key's value is found without a search that branches on the keys'
//!   order: a key under [`DENSE`] by its place in a small array, any
//!   other with one hash probe of a small index (`u32` to `u32`). The
//!   metrics of every delivered packet are found this way.
//! - Memory grows with the keys inserted, not with the highest key,
//!   beyond the array of at most [`DENSE`] slots (4 KiB): a logical
//!   process keeps the traffic it has, not every traffic of the design.
//! - Iteration is in key order, whatever the order of insertion, so that
//!   what is read from it does not depend on how the run went.

use crate::hashing::FastMap;

/// Keys below this find their value's slot in an array, without hashing.
pub const DENSE: u32 = 1024;

/// No value in a slot of the array.
const NONE: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub struct Sparse<T> {
    /// The slots of keys under [`DENSE`], by key, up to the highest
    /// inserted ([`NONE`]: no value).
    dense: Vec<u32>,
    /// The slots of the other keys.
    slot: FastMap<u32, u32>,
    values: Vec<T>,
}

impl<T> Default for Sparse<T> {
    fn default() -> Self {
        Sparse {
            dense: Vec::new(),
            slot: FastMap::default(),
            values: Vec::new(),
        }
    }
}

impl<T> Sparse<T> {
    pub fn new() -> Sparse<T> {
        Sparse::default()
    }

    /// How many keys have a value.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// A key's slot: inlined as far as the array, the hash probe of a
    /// key past it out of line.
    #[inline(always)]
    fn slot_of(&self, k: u32) -> Option<u32> {
        if k < DENSE {
            self.dense.get(k as usize).copied().filter(|&i| i != NONE)
        } else {
            self.far_slot(k)
        }
    }

    #[inline(never)]
    fn far_slot(&self, k: u32) -> Option<u32> {
        self.slot.get(&k).copied()
    }

    #[inline(always)]
    pub fn get(&self, k: u32) -> Option<&T> {
        self.slot_of(k).map(|i| &self.values[i as usize])
    }

    /// Key `k`'s value, made by `make` if it has none. Inlined where it is
    /// called: a delivered packet's metrics are found this way, and a
    /// call cost as much as the lookup.
    #[inline(always)]
    pub fn get_or_insert_with(&mut self, k: u32, make: impl FnOnce() -> T) -> &mut T {
        let i = match self.slot_of(k) {
            Some(i) => i,
            None => self.make_new(k, make),
        };
        &mut self.values[i as usize]
    }

    /// Makes key `k`'s value: once per key, out of the callers' code, so
    /// that a lookup stays small enough to be inlined.
    #[cold]
    #[inline(never)]
    fn make_new(&mut self, k: u32, make: impl FnOnce() -> T) -> u32 {
        self.insert_new(k, make())
    }

    #[cold]
    #[inline(never)]
    fn insert_new(&mut self, k: u32, v: T) -> u32 {
        let i = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push(v);
        if k < DENSE {
            if self.dense.len() <= k as usize {
                // Doubling, but never past [`DENSE`] slots.
                let len = self.dense.len();
                let cap = (2 * len).clamp(k as usize + 1, DENSE as usize);
                self.dense.reserve_exact(cap - len);
                self.dense.resize(k as usize + 1, NONE);
            }
            self.dense[k as usize] = i;
        } else {
            self.slot.insert(k, i);
        }
        i
    }

    /// The keys with a value and their values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter(|&(_, &i)| i != NONE)
            .map(|(k, &i)| (k as u32, i));
        let mut far: Vec<(u32, u32)> = self.slot.iter().map(|(&k, &i)| (k, i)).collect();
        far.sort_unstable();
        dense.chain(far).map(|(k, i)| (k, &self.values[i as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Whatever the order of insertion, it holds what a `BTreeMap`
        /// holds and iterates in the same (key) order.
        #[test]
        fn sparse_agrees_with_an_ordered_map(ops in proptest::collection::vec((prop_oneof![0u32..300, DENSE - 40..DENSE + 40, any::<u32>()], any::<u16>()), 0..200)) {
            let mut s = Sparse::new();
            let mut m = BTreeMap::new();
            for (k, v) in ops {
                *s.get_or_insert_with(k, || 0u32) += u32::from(v);
                *m.entry(k).or_insert(0u32) += u32::from(v);
                prop_assert_eq!(s.get(k), m.get(&k));
            }
            prop_assert_eq!(s.len(), m.len());
            let a: Vec<(u32, u32)> = s.iter().map(|(k, v)| (k, *v)).collect();
            let b: Vec<(u32, u32)> = m.iter().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(a, b);
            for k in (0..310).chain(DENSE - 50..DENSE + 50) {
                prop_assert_eq!(s.get(k), m.get(&k));
            }
        }
    }

    #[test]
    fn a_key_never_inserted_has_no_value() {
        let mut s: Sparse<u8> = Sparse::new();
        assert!(s.get(0).is_none());
        *s.get_or_insert_with(5, || 1) += 1;
        assert_eq!(s.get(5), Some(&2));
        assert!(s.get(4).is_none() && s.get(6).is_none() && s.get(u32::MAX).is_none());
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![(5, &2)]);
    }
}
