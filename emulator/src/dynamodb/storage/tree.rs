//! The ordered map under every table and every secondary index: encoded keys
//! to encoded items, split into shards by the top bits of the partition hash.
//!
//! Sharding by the hash's top bits keeps the whole key space in order (shard `i` holds
//! exactly the keys whose first byte is in `[16 i, 16 i + 16)`), so walking the shards in
//! order is walking the table in order, while writers to different shards never wait for
//! each other.
//!
//! Locking rules:
//! - A shard lock is held only for a bounded amount of work: one write (its decision,
//!   its application and the change-feed consumers), or copying out one batch of at most
//!   [`BATCH`] entries for a reader. Readers then work on shared `Arc`s without any lock.
//! - Several shards are locked only through [`super::locks`], in ascending
//!   (table uid, shard index) order, so multi-key writers cannot deadlock.
//! - Nothing that holds a shard lock takes another shard lock outside that order; the
//!   change-feed consumers called under a shard lock only take their own inner locks.
//! - A table's commit gate, when taken, is taken before any shard lock (see
//!   [`super::locks`] for the whole order).

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::keys::Span;
use crate::dynamodb::model::EncodedItem;

/// An encoded key: short ones held inline, longer ones shared (by `Arc`) between the
/// tree and the indexes that point into it.
///
/// Short keys (up to [`INLINE`] bytes with the hash, so string partition keys of up to
/// 20 bytes) need no allocation of their own. A separate one
/// per key cost a cache miss to compare the bytes and another to drop the count, and a
/// million small chunks for the allocator to consolidate after a big TTL sweep: together
/// two fifths of the sweep's time.
///
/// The partition hash, the key's first eight bytes, is at hand without following a
/// pointer: B-tree searches compare keys many times per lookup, and comparing hashes
/// first settles almost every comparison. The order is exactly the bytewise order of the
/// whole key, since the bytes start with the hash, big-endian; so the tree can also be
/// searched by plain byte slices ([`Borrow<[u8]>`]) for ranges.
#[derive(Clone, Debug)]
pub struct KeyBytes(Repr);

/// The most key bytes held inline: 30 keeps a `KeyBytes` at 32 bytes, what a shared one
/// takes without the 48 of its allocation. (38, at 40 bytes, would hold 28-byte keys,
/// but the bigger tree and TTL-index nodes took 4 % more memory for 1,000,000 items.)
pub const INLINE: usize = 30;

#[derive(Clone, Debug)]
enum Repr {
    /// Unused bytes after `len` are zero, so the hash reads straight from the front.
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Shared {
        hash: u64,
        bytes: Arc<[u8]>,
    },
}

impl KeyBytes {
    pub fn new(key: &[u8]) -> KeyBytes {
        KeyBytes(if key.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..key.len()].copy_from_slice(key);
            Repr::Inline {
                len: key.len() as u8,
                bytes,
            }
        } else {
            Repr::Shared {
                hash: super::keys::hash_of(key),
                bytes: Arc::from(key),
            }
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Shared { bytes, .. } => bytes,
        }
    }

    fn hash(&self) -> u64 {
        match &self.0 {
            Repr::Inline { bytes, .. } => u64::from_be_bytes([
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            ]),
            Repr::Shared { hash, .. } => *hash,
        }
    }

    /// The shard this key lives in, from the hash (no pointer to follow).
    pub fn shard(&self) -> usize {
        (self.hash() >> 60) as usize
    }

    /// The bytes' order, settled without reading them when both share one allocation (an
    /// index or the TTL index holding a clone of a long stored key).
    fn cmp_bytes(&self, other: &Self) -> std::cmp::Ordering {
        match (&self.0, &other.0) {
            (Repr::Shared { bytes: a, .. }, Repr::Shared { bytes: b, .. }) if Arc::ptr_eq(a, b) => {
                std::cmp::Ordering::Equal
            }
            _ => self.as_bytes().cmp(other.as_bytes()),
        }
    }
}

impl PartialEq for KeyBytes {
    fn eq(&self, other: &Self) -> bool {
        self.hash() == other.hash() && self.cmp_bytes(other).is_eq()
    }
}

impl Eq for KeyBytes {}

impl Ord for KeyBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.hash()
            .cmp(&other.hash())
            .then_with(|| self.cmp_bytes(other))
    }
}

impl PartialOrd for KeyBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::borrow::Borrow<[u8]> for KeyBytes {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::ops::Deref for KeyBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

pub type Shard = BTreeMap<KeyBytes, EncodedItem>;

pub const SHARDS: usize = 16;

/// Entries a reader copies out per shard lock.
pub const BATCH: usize = 128;

pub fn shard_of(key: &[u8]) -> usize {
    key.first().map_or(0, |b| usize::from(*b >> 4))
}

pub struct Tree {
    shards: Box<[RwLock<Shard>]>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            shards: (0..SHARDS).map(|_| RwLock::new(Shard::new())).collect(),
        }
    }
}

impl Tree {
    pub fn get(&self, key: &KeyBytes) -> Option<EncodedItem> {
        self.shards[shard_of(key)].read().get(key).cloned()
    }

    pub fn shard(&self, index: usize) -> &RwLock<Shard> {
        &self.shards[index]
    }

    pub fn write_shard(&self, key: &[u8]) -> RwLockWriteGuard<'_, Shard> {
        self.shards[shard_of(key)].write()
    }

    pub fn read_shard(&self, index: usize) -> RwLockReadGuard<'_, Shard> {
        self.shards[index].read()
    }

    /// Reads `span` in order (or in reverse), a batch at a time.
    pub fn range(&self, span: Span, forward: bool) -> Range<'_> {
        let start = if forward { &span.lo } else { &span.hi };
        let shard = match start {
            Bound::Included(k) | Bound::Excluded(k) => shard_of(k),
            Bound::Unbounded if forward => 0,
            Bound::Unbounded => SHARDS - 1,
        };
        Range {
            tree: self,
            span,
            forward,
            shard,
            buffer: Vec::new(),
            done: false,
        }
    }
}

/// A resumable walk over a span. Each batch is a consistent copy of part of one shard;
/// between batches other writers may run, as between DynamoDB's pages. Every key is
/// produced at most once, in order, because the span is narrowed past each batch.
pub struct Range<'t> {
    tree: &'t Tree,
    span: Span,
    forward: bool,
    /// The shard being read; the span alone cannot tell (an exclusive upper bound at a
    /// shard's first key belongs to the shard before it).
    shard: usize,
    /// The current batch, reversed so `pop` yields it in reading order.
    buffer: Vec<(KeyBytes, EncodedItem)>,
    done: bool,
}

impl Range<'_> {
    fn refill(&mut self) {
        while self.buffer.is_empty() && !self.done {
            if self.span.is_empty() {
                self.done = true;
                return;
            }
            let shard_index = self.shard;
            {
                let shard = self.tree.shards[shard_index].read();
                let range = shard.range::<[u8], _>((as_ref(&self.span.lo), as_ref(&self.span.hi)));
                if self.forward {
                    self.buffer
                        .extend(range.take(BATCH).map(|(k, v)| (k.clone(), v.clone())));
                } else {
                    self.buffer
                        .extend(range.rev().take(BATCH).map(|(k, v)| (k.clone(), v.clone())));
                }
            }
            // Narrow the span past this batch, or past this shard when it had no more.
            let full = self.buffer.len() == BATCH;
            match (self.buffer.last(), full) {
                (Some((last, _)), true) => {
                    let past = Bound::Excluded(last.to_vec());
                    if self.forward {
                        self.span.lo = past;
                    } else {
                        self.span.hi = past;
                    }
                }
                _ => self.leave_shard(shard_index),
            }
            self.buffer.reverse();
        }
    }

    /// Moves on to the next shard in reading direction, or ends the walk when no key of
    /// the span can be there.
    fn leave_shard(&mut self, shard_index: usize) {
        if self.forward {
            let next_start = [((shard_index + 1) << 4) as u8];
            let beyond = match &self.span.hi {
                Bound::Unbounded => false,
                Bound::Included(b) | Bound::Excluded(b) => b.as_slice() < next_start.as_slice(),
            };
            if shard_index + 1 >= SHARDS || beyond {
                self.done = true;
            } else {
                self.shard = shard_index + 1;
                self.span.lo = Bound::Included(next_start.to_vec());
            }
        } else {
            let start = [(shard_index << 4) as u8];
            let beyond = match &self.span.lo {
                Bound::Unbounded => false,
                Bound::Included(b) | Bound::Excluded(b) => b.as_slice() >= start.as_slice(),
            };
            if shard_index == 0 || beyond {
                self.done = true;
            } else {
                self.shard = shard_index - 1;
                self.span.hi = Bound::Excluded(start.to_vec());
            }
        }
    }
}

impl Iterator for Range<'_> {
    type Item = (KeyBytes, EncodedItem);

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() {
            self.refill();
        }
        self.buffer.pop()
    }
}

fn as_ref(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(b) => Bound::Included(b.as_slice()),
        Bound::Excluded(b) => Bound::Excluded(b.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::model::Item;

    fn tree_with(keys: &[Vec<u8>]) -> Tree {
        let tree = Tree::default();
        let item = EncodedItem::encode(&Item::new());
        for k in keys {
            tree.write_shard(k).insert(KeyBytes::new(k), item.clone());
        }
        tree
    }

    #[test]
    fn keys_order_and_compare_alike_inline_or_shared() {
        assert_eq!(std::mem::size_of::<KeyBytes>(), 32);
        // Around the inline limit, with equal hashes (the first eight bytes) and not.
        let mut keys: Vec<Vec<u8>> = [0, 3, 7, 8, 9, INLINE - 1, INLINE, INLINE + 1, 80]
            .iter()
            .flat_map(|&n| {
                (0..3u8).map(move |last| {
                    let mut k = vec![0x5A; n];
                    if let Some(b) = k.last_mut() {
                        *b = last;
                    }
                    k
                })
            })
            .collect();
        keys.sort();
        keys.dedup();
        let wrapped: Vec<KeyBytes> = keys.iter().map(|k| KeyBytes::new(k)).collect();
        for (a, ka) in keys.iter().zip(&wrapped) {
            assert_eq!(ka.as_bytes(), a.as_slice());
            assert_eq!(ka.shard(), shard_of(a));
            assert_eq!(ka.hash(), super::super::keys::hash_of(a));
            for (b, kb) in keys.iter().zip(&wrapped) {
                assert_eq!(ka.cmp(kb), a.cmp(b), "{a:?} against {b:?}");
                assert_eq!(ka == kb, a == b);
                assert_eq!(ka.cmp(&kb.clone()), a.cmp(b));
            }
        }
    }

    #[test]
    fn walks_every_shard_in_order_both_ways() {
        // Keys in every shard, more than a batch in some.
        let mut keys: Vec<Vec<u8>> = (0..=255u8)
            .flat_map(|first| (0..3u8).map(move |i| vec![first, i]))
            .chain((0..300u16).map(|i| vec![0x42, 0x01, (i >> 8) as u8, i as u8]))
            .collect();
        keys.sort();
        keys.dedup();
        let tree = tree_with(&keys);
        let forward: Vec<Vec<u8>> = tree
            .range(Span::all(), true)
            .map(|(k, _)| k.to_vec())
            .collect();
        assert_eq!(forward, keys);
        let mut backward: Vec<Vec<u8>> = tree
            .range(Span::all(), false)
            .map(|(k, _)| k.to_vec())
            .collect();
        backward.reverse();
        assert_eq!(backward, keys);
        let span = Span {
            lo: Bound::Excluded(vec![0x42, 0x01]),
            hi: Bound::Included(vec![0x90]),
        };
        let expected: Vec<&Vec<u8>> = keys
            .iter()
            .filter(|k| {
                k.as_slice() > [0x42u8, 0x01].as_slice() && k.as_slice() <= [0x90u8].as_slice()
            })
            .collect();
        let got: Vec<Vec<u8>> = tree
            .range(span.clone(), true)
            .map(|(k, _)| k.to_vec())
            .collect();
        assert_eq!(got.iter().collect::<Vec<_>>(), expected);
        let mut got_back: Vec<Vec<u8>> = tree.range(span, false).map(|(k, _)| k.to_vec()).collect();
        got_back.reverse();
        assert_eq!(got_back.iter().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn empty_and_inverted_spans_yield_nothing() {
        let tree = tree_with(&[vec![1], vec![2]]);
        let inverted = Span {
            lo: Bound::Included(vec![2]),
            hi: Bound::Excluded(vec![2]),
        };
        assert_eq!(tree.range(inverted, true).count(), 0);
        assert_eq!(Tree::default().range(Span::all(), false).count(), 0);
    }
}
