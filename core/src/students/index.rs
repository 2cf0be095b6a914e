//! Compact lookups over a roster: 4 bytes per table slot (at most two slots per
//! student) and 4 per student, where a `HashMap<i64, &Student>` costs 17 bytes per
//! slot and a map from email to a `Vec` of ids 49 bytes per slot and an allocation per
//! email.
//!
//! A table slot holds the first roster index of one distinct key; the other indices
//! with that key follow it in a chain. Students sharing a key therefore take one slot,
//! so many students with one email (or one id) make a long chain, never a long run of
//! probes for every other key; and the first of them is found without walking it.

const NONE: u32 = u32::MAX;

pub struct Index {
    /// Open addressing, linear probing; never more than two thirds full.
    table: Vec<u32>,
    /// Per roster index, the next index in its key's chain.
    next: Vec<u32>,
}

/// What `Index::build` found besides the index.
pub struct Built {
    pub index: Index,
    /// Per roster index: another index before it has the same key.
    pub repeated: Vec<bool>,
}

impl Index {
    /// Indexes `0..n`, skipping indices `include` refuses. `hash(i)` must agree with
    /// `same(i, j)`: equal keys hash alike.
    pub fn build(
        n: usize,
        include: impl Fn(usize) -> bool,
        hash: impl Fn(usize) -> u64,
        same: impl Fn(usize, usize) -> bool,
    ) -> Built {
        let size = (n.saturating_add(n / 2).saturating_add(1)).next_power_of_two();
        let mask = size - 1;
        let mut table = vec![NONE; size];
        let mut next = vec![NONE; n];
        let mut repeated = vec![false; n];
        for i in (0..n).filter(|&i| include(i)) {
            let mut pos = (hash(i) as usize) & mask;
            // The table has more slots than indices: an empty one is always found.
            while let Some(slot) = table.get_mut(pos) {
                let head = *slot;
                if head == NONE {
                    *slot = i as u32;
                    break;
                }
                if same(head as usize, i) {
                    // Right after the first: first, then the others newest first.
                    let after = next.get(head as usize).copied().unwrap_or(NONE);
                    if let Some(link) = next.get_mut(i) {
                        *link = after;
                    }
                    if let Some(link) = next.get_mut(head as usize) {
                        *link = i as u32;
                    }
                    if let Some(r) = repeated.get_mut(i) {
                        *r = true;
                    }
                    break;
                }
                pos = (pos + 1) & mask;
            }
        }
        Built {
            index: Index { table, next },
            repeated,
        }
    }

    /// The indices whose key `is_key` accepts (it is asked about one index per
    /// distinct key met while probing): the first indexed, then the others newest
    /// first. `hash` is the key's hash.
    pub fn find(&self, hash: u64, is_key: impl Fn(usize) -> bool) -> Chain<'_> {
        let mask = self.table.len().wrapping_sub(1);
        let mut pos = (hash as usize) & mask;
        while let Some(&head) = self.table.get(pos) {
            if head == NONE {
                break;
            }
            if is_key(head as usize) {
                return Chain {
                    next: &self.next,
                    at: head,
                };
            }
            pos = (pos + 1) & mask;
        }
        Chain {
            next: &self.next,
            at: NONE,
        }
    }
}

/// The indices of one key: the first indexed, then the others newest first.
pub struct Chain<'a> {
    next: &'a [u32],
    at: u32,
}

impl Iterator for Chain<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.at == NONE {
            return None;
        }
        let at = self.at as usize;
        self.at = self.next.get(at).copied().unwrap_or(NONE);
        Some(at)
    }
}

/// A well-mixed hash of an integer key: a multiply, its high half folded into the low
/// bits the table uses.
pub fn hash_id(id: i64) -> u64 {
    let h = (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

/// A hash of a string key.
pub fn hash_str(key: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_index_of_a_key_newest_first() {
        let keys = [5i64, 7, 5, 9, 5, 7, 11];
        let built = Index::build(
            keys.len(),
            |i| i != 6,
            |i| hash_id(keys[i]),
            |i, j| keys[i] == keys[j],
        );
        let find =
            |k: i64| -> Vec<usize> { built.index.find(hash_id(k), |i| keys[i] == k).collect() };
        assert_eq!(find(5), [0, 4, 2]);
        assert_eq!(find(7), [1, 5]);
        assert_eq!(find(9), [3]);
        assert_eq!(find(11), Vec::<usize>::new(), "excluded");
        assert_eq!(find(4), Vec::<usize>::new());
        assert_eq!(
            built.repeated,
            [false, false, true, false, true, true, false]
        );
    }

    #[test]
    fn many_students_with_one_key_take_one_slot() {
        // 50,000 with one key, 50,000 distinct: every lookup of a distinct key probes a
        // few slots, not the 50,000 (which took minutes when they filled the table).
        let n = 100_000;
        let key = |i: usize| if i.is_multiple_of(2) { 0 } else { i as i64 };
        let built = Index::build(n, |_| true, |i| hash_id(key(i)), |i, j| key(i) == key(j));
        let start = std::time::Instant::now();
        for i in (1..n).step_by(2) {
            assert_eq!(
                built
                    .index
                    .find(hash_id(i as i64), |j| key(j) == i as i64)
                    .next(),
                Some(i)
            );
        }
        assert!(start.elapsed().as_secs() < 5);
        assert_eq!(built.index.find(hash_id(0), |j| key(j) == 0).count(), n / 2);
        let empty = Index::build(0, |_| true, |_| 0, |_, _| true);
        assert_eq!(empty.index.find(1, |_| true).next(), None);
    }
}
