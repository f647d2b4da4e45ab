//! Keys in the engine's ordered byte form.
//!
//! Every stored item sits in one ordered map under a byte string built so that plain
//! bytewise order is the order DynamoDB needs:
//!
//! `[partition hash: u64 big-endian][partition key][sort key]`
//!
//! - The stable hash of the partition key comes first, so a table's total order (Scan's
//!   order) spreads partitions evenly, and a parallel scan's segments are contiguous
//!   ranges of the hash space: every item is in exactly one segment, on every page.
//! - All items of one partition are contiguous, ordered by sort key, so a Query is one
//!   range and runs forwards or backwards.
//! - Each component is prefix-free: strings and binaries escape `0x00` as `0x00 0xFF` and
//!   end with `0x00 0x00` (bytewise order, as DynamoDB orders S by UTF-8 bytes and B by
//!   bytes); numbers use [`Number::write_order_key`] (numeric order). So no partition's
//!   prefix is a prefix of another's, even when two partition keys share a hash.
//!
//! The hash is FNV-1a over the partition key's encoded bytes with a 64-bit finaliser:
//! fixed forever (no per-process seed), so orders and segments are the same in every run.

use std::ops::Bound;

use crate::dynamodb::model::{KeyValue, PrimaryKey};

/// Appends one key component in its ordered, prefix-free form.
fn write_component(value: &KeyValue, out: &mut Vec<u8>) {
    match value {
        KeyValue::S(s) => write_escaped(s.as_bytes(), out, true),
        KeyValue::B(b) => write_escaped(b, out, true),
        KeyValue::N(n) => n.write_order_key(out),
    }
}

fn write_escaped(bytes: &[u8], out: &mut Vec<u8>, terminate: bool) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    if terminate {
        out.extend_from_slice(&[0, 0]);
    }
}

fn partition_hash(component: &[u8]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in component {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    // FNV alone leaves the high bits (which pick segments) poorly mixed for short keys.
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// `[hash][partition key]`: the prefix every key of the partition starts with.
pub fn partition_prefix(hash: &KeyValue) -> Vec<u8> {
    // The component is written after room for the hash, then hashed in place: one
    // buffer per key, as every request that names a key builds one.
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&[0; 8]);
    write_component(hash, &mut out);
    let h = partition_hash(&out[8..]);
    out[..8].copy_from_slice(&h.to_be_bytes());
    out
}

/// The ordered byte form of a table key.
pub fn encode_key(key: &PrimaryKey) -> Vec<u8> {
    let mut out = partition_prefix(&key.hash);
    if let Some(range) = &key.range {
        write_component(range, &mut out);
    }
    out
}

/// The smallest byte string greater than every string that starts with `prefix`, or
/// `None` when there is none (the prefix is all `0xFF`).
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut out = prefix.to_vec();
    while let Some(last) = out.pop() {
        if last < 0xFF {
            out.push(last + 1);
            return Some(out);
        }
    }
    None
}

fn after_prefix(prefix: &[u8]) -> Bound<Vec<u8>> {
    prefix_successor(prefix).map_or(Bound::Unbounded, Bound::Excluded)
}

/// Which sort keys of one partition a Query reads (its key condition on the sort key).
#[derive(Clone, Debug, PartialEq)]
pub enum SortCondition {
    Any,
    Eq(KeyValue),
    Lt(KeyValue),
    Le(KeyValue),
    Gt(KeyValue),
    Ge(KeyValue),
    Between(KeyValue, KeyValue),
    /// Only for S and B sort keys (DynamoDB refuses it on N before reading).
    BeginsWith(KeyValue),
}

/// A range of the ordered key space: what a Query or a Scan (segment) reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub lo: Bound<Vec<u8>>,
    pub hi: Bound<Vec<u8>>,
}

impl Span {
    /// Every item of the table.
    pub fn all() -> Span {
        Span {
            lo: Bound::Unbounded,
            hi: Bound::Unbounded,
        }
    }

    /// Parallel scan segment `segment` of `total` (`segment < total`): the hash space cut
    /// into `total` equal contiguous parts.
    pub fn segment(segment: u32, total: u32) -> Span {
        let total = u128::from(total.max(1));
        let edge = |s: u128| -> Bound<Vec<u8>> {
            let start = (s << 64).div_ceil(total);
            if start >= 1 << 64 {
                Bound::Unbounded
            } else {
                Bound::Included((start as u64).to_be_bytes().to_vec())
            }
        };
        let s = u128::from(segment);
        let hi = match edge(s + 1) {
            Bound::Included(b) => Bound::Excluded(b),
            other => other,
        };
        let lo = if s == 0 { Bound::Unbounded } else { edge(s) };
        Span { lo, hi }
    }

    /// The items of the partition `hash` whose sort key meets `condition`.
    pub fn partition(hash: &KeyValue, condition: &SortCondition) -> Span {
        let prefix = partition_prefix(hash);
        let key = |v: &KeyValue| {
            let mut k = prefix.clone();
            write_component(v, &mut k);
            k
        };
        let (lo, hi) = match condition {
            SortCondition::Any => (Bound::Included(prefix.clone()), after_prefix(&prefix)),
            SortCondition::Eq(v) => (Bound::Included(key(v)), Bound::Included(key(v))),
            SortCondition::Lt(v) => (Bound::Included(prefix.clone()), Bound::Excluded(key(v))),
            SortCondition::Le(v) => (Bound::Included(prefix.clone()), Bound::Included(key(v))),
            SortCondition::Gt(v) => (Bound::Excluded(key(v)), after_prefix(&prefix)),
            SortCondition::Ge(v) => (Bound::Included(key(v)), after_prefix(&prefix)),
            SortCondition::Between(a, b) => (Bound::Included(key(a)), Bound::Included(key(b))),
            SortCondition::BeginsWith(v) => {
                let mut start = prefix.clone();
                match v {
                    KeyValue::S(s) => write_escaped(s.as_bytes(), &mut start, false),
                    KeyValue::B(b) => write_escaped(b, &mut start, false),
                    KeyValue::N(n) => n.write_order_key(&mut start),
                }
                let end = after_prefix(&start);
                (Bound::Included(start), end)
            }
        };
        Span { lo, hi }
    }

    /// Narrows the span to what follows `key` in the direction of reading: paging's
    /// `ExclusiveStartKey`.
    pub fn resume_after(self, key: &PrimaryKey, forward: bool) -> Span {
        self.resume_after_bytes(encode_key(key), forward)
    }

    /// [`Self::resume_after`] for a key already in ordered form (an index entry's key).
    pub fn resume_after_bytes(mut self, k: Vec<u8>, forward: bool) -> Span {
        if forward {
            if bound_above(&self.lo, &k) {
                self.lo = Bound::Excluded(k);
            }
        } else if bound_below(&self.hi, &k) {
            self.hi = Bound::Excluded(k);
        }
        self
    }

    /// The span of a secondary index that holds what this table span selects: index entry
    /// keys carry the table key after the index key, so a bound that stops exactly at a
    /// key must move past every entry that starts with it.
    pub fn suffixed(mut self) -> Span {
        if let Bound::Excluded(k) = &self.lo {
            if let Some(next) = prefix_successor(k) {
                self.lo = Bound::Included(next);
            }
        }
        if let Bound::Included(k) = &self.hi {
            self.hi = after_prefix(k);
        }
        self
    }

    /// Whether any byte string lies inside the span (`BTreeMap::range` panics otherwise).
    pub fn is_empty(&self) -> bool {
        match (&self.lo, &self.hi) {
            (Bound::Unbounded, _) | (_, Bound::Unbounded) => false,
            (Bound::Included(a), Bound::Included(b)) => a > b,
            (Bound::Included(a), Bound::Excluded(b))
            | (Bound::Excluded(a), Bound::Included(b))
            | (Bound::Excluded(a), Bound::Excluded(b)) => a >= b,
        }
    }
}

/// Whether the lower bound `lo` lets `k` or something before it through, i.e. moving it
/// up to `k` (exclusive) narrows it.
fn bound_above(lo: &Bound<Vec<u8>>, k: &[u8]) -> bool {
    match lo {
        Bound::Unbounded => true,
        Bound::Included(b) => b.as_slice() <= k,
        Bound::Excluded(b) => b.as_slice() < k,
    }
}

fn bound_below(hi: &Bound<Vec<u8>>, k: &[u8]) -> bool {
    match hi {
        Bound::Unbounded => true,
        Bound::Included(b) => b.as_slice() >= k,
        Bound::Excluded(b) => b.as_slice() > k,
    }
}

/// The partition hash of an encoded key (its first eight bytes), for segment arithmetic.
pub fn hash_of(encoded: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    let n = encoded.len().min(8);
    bytes[..n].copy_from_slice(&encoded[..n]);
    u64::from_be_bytes(bytes)
}

/// Which of `total` segments an encoded key belongs to.
pub fn segment_of(encoded: &[u8], total: u32) -> u32 {
    ((u128::from(hash_of(encoded)) * u128::from(total.max(1))) >> 64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> KeyValue {
        KeyValue::S(v.into())
    }

    fn contains(span: &Span, k: &[u8]) -> bool {
        let lo = match &span.lo {
            Bound::Unbounded => true,
            Bound::Included(b) => b.as_slice() <= k,
            Bound::Excluded(b) => b.as_slice() < k,
        };
        lo && bound_below(&span.hi, k)
            && !matches!(&span.hi, Bound::Excluded(b) if b.as_slice() == k)
    }

    fn key(h: &str, r: KeyValue) -> Vec<u8> {
        encode_key(&PrimaryKey {
            hash: s(h),
            range: Some(r),
        })
    }

    #[test]
    fn sort_keys_order_within_a_partition() {
        let ordered = ["", "\0", "\0\0", "a", "a\0", "a\0b", "ab", "b", "\u{e9}"];
        let keys: Vec<Vec<u8>> = ordered.iter().map(|r| key("p", s(r))).collect();
        for pair in keys.windows(2) {
            assert!(pair[0] < pair[1]);
        }
    }

    #[test]
    fn partitions_are_contiguous_and_prefix_free() {
        for (a, b) in [("a", "a\0"), ("a", "ab"), ("", "\0")] {
            let pa = partition_prefix(&s(a));
            let kb = key(b, s("\u{ff}"));
            assert!(!kb.starts_with(&pa));
        }
    }

    #[test]
    fn begins_with_covers_exactly_the_prefixed_keys() {
        let span = Span::partition(&s("p"), &SortCondition::BeginsWith(s("a\0")));
        for (r, inside) in [
            ("a\0", true),
            ("a\0z", true),
            ("a\0\0", true),
            ("a", false),
            ("a\u{1}", false),
            ("b", false),
        ] {
            assert_eq!(contains(&span, &key("p", s(r))), inside, "{r:?}");
        }
        // Other partitions are never inside.
        assert!(!contains(&span, &key("q", s("a\0"))));
    }

    #[test]
    fn segments_partition_the_hash_space() {
        for total in [1u32, 2, 3, 7, 8, 1000] {
            for h in [0u64, 1, u64::MAX / 3, u64::MAX / 2, u64::MAX - 1, u64::MAX] {
                let k = h.to_be_bytes();
                let inside: Vec<u32> = (0..total)
                    .filter(|&seg| contains(&Span::segment(seg, total), &k))
                    .collect();
                assert_eq!(
                    inside,
                    vec![segment_of(&k, total)],
                    "total {total} hash {h}"
                );
            }
        }
    }

    #[test]
    fn resume_after_narrows_in_the_reading_direction() {
        let all = Span::partition(&s("p"), &SortCondition::Any);
        let k = PrimaryKey {
            hash: s("p"),
            range: Some(s("m")),
        };
        let fwd = all.clone().resume_after(&k, true);
        assert!(!contains(&fwd, &key("p", s("m"))));
        assert!(contains(&fwd, &key("p", s("n"))));
        assert!(!contains(&fwd, &key("p", s("a"))));
        let back = all.resume_after(&k, false);
        assert!(contains(&back, &key("p", s("a"))));
        assert!(!contains(&back, &key("p", s("m"))));
    }
}
