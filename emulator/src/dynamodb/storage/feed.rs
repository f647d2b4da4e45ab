//! The change feed: the one place every committed write is announced.
//!
//! Each committed write of a table (PutItem, UpdateItem, DeleteItem, batch writes,
//! transactions, TTL deletions) gets the table's next sequence number and one [`Change`]:
//! the key, the old and new images, and the cause. Whatever must follow the data (the
//! item count and size, the TTL index, the secondary indexes, and later streams and a
//! write-ahead log) is a [`Consumer`] of this feed; none of them hooks into a write path
//! of its own, so a new write path cannot forget one.
//!
//! Consumers are called synchronously while the writer still holds the item's shard lock,
//! so for any one key they see changes in commit order, and a reader of a consumer's state
//! (an index) never sees it behind a write that already answered. Consequently a consumer
//! must be quick, must not take shard locks, and must not fail: a change is already
//! committed when it is announced.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use super::tree::KeyBytes;
use crate::dynamodb::model::EncodedItem;

/// Why an item changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A client's request.
    Request,
    /// The TTL sweeper deleted an expired item (streams report these as done by the
    /// service principal `dynamodb.amazonaws.com`).
    TimeToLive,
}

/// One committed write.
#[derive(Debug)]
pub struct Change<'a> {
    /// Per table, strictly increasing in commit order of each key.
    pub seq: u64,
    pub key: &'a KeyBytes,
    pub old: Option<&'a EncodedItem>,
    pub new: Option<&'a EncodedItem>,
    pub cause: Cause,
}

pub trait Consumer: Send + Sync {
    fn apply(&self, change: &Change<'_>);
}

#[derive(Default)]
pub struct Feed {
    seq: AtomicU64,
    consumers: RwLock<Vec<Arc<dyn Consumer>>>,
}

impl Feed {
    pub fn subscribe(&self, consumer: Arc<dyn Consumer>) {
        self.consumers.write().push(consumer);
    }

    /// Stops announcing to `consumer` (a deleted index); later writes no longer reach it.
    pub fn unsubscribe(&self, consumer: &Arc<dyn Consumer>) {
        self.consumers
            .write()
            .retain(|c| !std::ptr::addr_eq(Arc::as_ptr(c), Arc::as_ptr(consumer)));
    }

    /// Numbers and announces a committed change. Called under the key's shard lock.
    pub fn publish(
        &self,
        key: &KeyBytes,
        old: Option<&EncodedItem>,
        new: Option<&EncodedItem>,
        cause: Cause,
    ) -> u64 {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let change = Change {
            seq,
            key,
            old,
            new,
            cause,
        };
        for consumer in self.consumers.read().iter() {
            consumer.apply(&change);
        }
        seq
    }

    /// The sequence number of the last committed change.
    pub fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
    }
}

/// Item count and total item size, as DescribeTable reports them.
#[derive(Default)]
pub struct Stats {
    count: AtomicI64,
    bytes: AtomicI64,
}

impl Stats {
    pub fn item_count(&self) -> i64 {
        self.count.load(Ordering::Relaxed)
    }

    pub fn size_bytes(&self) -> i64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Counts one item replaced by another (either may be absent).
    pub fn record(&self, old: Option<&EncodedItem>, new: Option<&EncodedItem>) {
        let count = i64::from(new.is_some()) - i64::from(old.is_some());
        if count != 0 {
            self.count.fetch_add(count, Ordering::Relaxed);
        }
        let size = |i: Option<&EncodedItem>| i.map_or(0, |i| i.size() as i64);
        let bytes = size(new) - size(old);
        if bytes != 0 {
            self.bytes.fetch_add(bytes, Ordering::Relaxed);
        }
    }
}

impl Consumer for Stats {
    fn apply(&self, change: &Change<'_>) {
        self.record(change.old, change.new);
    }
}
