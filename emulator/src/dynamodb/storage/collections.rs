//! Item collections: for a table with local secondary indexes, the size of every
//! partition (its items plus their local index entries), kept as a change-feed consumer so
//! that `ItemCollectionMetrics` and the collection size limit never scan anything.
//!
//! DynamoDB caps such a collection at 10 GB (the emulator's limit is configurable, so the
//! refusal can be tested without writing gigabytes). Sizes are item sizes as the emulator
//! measures them, plus for each local index entry its projected size and the 100 bytes of
//! overhead DynamoDB documents per index entry.
//!
//! All keys of a partition share its hash and so one tree shard: a writer holding that
//! shard's lock sees its partition's size settle only under that lock (the consumer runs
//! under it too), so the check before a write and the update after it cannot interleave
//! with another write of the same partition. The per-shard maps are leaves, taken briefly.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::feed::{Change, Consumer};
use super::index::Index;
use super::keys::partition_prefix;
use super::tree::{shard_of, SHARDS};
use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::model::{EncodedItem, KeyValue};

/// DynamoDB's documented overhead of one index entry.
const INDEX_ENTRY_OVERHEAD: u64 = 100;

pub struct ItemCollections {
    limit: u64,
    /// The table's local indexes (fixed at creation); never empty.
    local: Vec<Arc<Index>>,
    /// Per tree shard: partition prefix to collection size in bytes.
    sizes: Vec<Mutex<HashMap<Vec<u8>, u64>>>,
}

impl ItemCollections {
    /// `None` when there is no local index: such a table has no item collections to watch.
    pub fn new(local: Vec<Arc<Index>>, limit: u64) -> Option<ItemCollections> {
        (!local.is_empty()).then(|| ItemCollections {
            limit,
            local,
            sizes: (0..SHARDS).map(|_| Mutex::default()).collect(),
        })
    }

    /// The bytes an item adds to its collection: itself and its local index entries.
    fn footprint(&self, item: &EncodedItem) -> u64 {
        let entries: u64 = self
            .local
            .iter()
            .filter(|i| i.index_key(item).is_some())
            .map(|i| i.entry(item).size() as u64 + INDEX_ENTRY_OVERHEAD)
            .sum();
        item.size() as u64 + entries
    }

    fn partition_of(&self, item: &EncodedItem) -> Option<Vec<u8>> {
        let key = self.local.first()?.table_key(item)?;
        Some(partition_prefix(&key.hash))
    }

    /// The size of the collection of partition key `hash`, in bytes.
    pub fn size(&self, hash: &KeyValue) -> u64 {
        let prefix = partition_prefix(hash);
        let sizes = self.sizes[shard_of(&prefix)].lock();
        sizes.get(&prefix).copied().unwrap_or(0)
    }

    /// Refuses replacing `old` by `new` when that grows their collection past the limit.
    /// Called under the partition's shard lock, before the write.
    pub fn check(&self, old: Option<&EncodedItem>, new: &EncodedItem) -> Result<()> {
        let added = self.footprint(new);
        let removed = old.map_or(0, |o| self.footprint(o));
        if added <= removed {
            return Ok(());
        }
        let Some(prefix) = self.partition_of(new) else {
            return Ok(());
        };
        let current = self.sizes[shard_of(&prefix)]
            .lock()
            .get(&prefix)
            .copied()
            .unwrap_or(0);
        if current.saturating_sub(removed) + added > self.limit {
            return Err(DynamoError::ItemCollectionSizeLimitExceeded);
        }
        Ok(())
    }
}

impl Consumer for ItemCollections {
    fn apply(&self, change: &Change<'_>) {
        let Some(prefix) = change.new.or(change.old).and_then(|i| self.partition_of(i)) else {
            return;
        };
        let added = change.new.map_or(0, |n| self.footprint(n));
        let removed = change.old.map_or(0, |o| self.footprint(o));
        let mut sizes = self.sizes[shard_of(&prefix)].lock();
        let next = (sizes.get(&prefix).copied().unwrap_or(0) + added).saturating_sub(removed);
        if next == 0 {
            sizes.remove(&prefix);
        } else {
            sizes.insert(prefix, next);
        }
    }
}
