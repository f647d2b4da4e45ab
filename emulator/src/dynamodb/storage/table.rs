//! One table: its ordered items, its change feed and the consumers that follow it.

use std::collections::HashSet;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock, RwLockReadGuard};

use super::feed::{Cause, Feed, Stats};
use super::keys::{encode_key, Span};
use super::tree::{shard_of, KeyBytes, Range, Shard, Tree, BATCH};
use super::ttl::{is_expired, TtlIndex};
use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::model::{EncodedItem, Item, KeySchema, KeyType, PrimaryKey};

/// What CreateTable fixed about a table; immutable for the table's life.
#[derive(Clone, Debug)]
pub struct TableSpec {
    pub attribute_definitions: Vec<(String, KeyType)>,
    pub billing_mode: BillingMode,
    pub read_capacity: i64,
    pub write_capacity: i64,
    pub created_at: f64,
    pub table_id: String,
    pub arn: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BillingMode {
    Provisioned,
    PayPerRequest,
}

impl BillingMode {
    pub fn name(self) -> &'static str {
        match self {
            BillingMode::Provisioned => "PROVISIONED",
            BillingMode::PayPerRequest => "PAY_PER_REQUEST",
        }
    }
}

/// The table's time-to-live setting.
#[derive(Clone, Debug, Default)]
pub struct TtlState {
    /// The attribute while TTL is enabled.
    pub attribute: Option<String>,
    /// The attribute last used, reported while disabled.
    pub last_attribute: Option<String>,
    /// Emulated time of the last change, for DynamoDB's one-change-per-hour rule.
    pub changed_at_millis: Option<i64>,
}

/// What an atomic write decided to do with the item it looked at.
pub enum Write {
    /// Store this item (encoded by the writer, measured for the 400 KB limit).
    Put(EncodedItem),
    Delete,
    Keep,
}

/// The outcome of [`Table::write`].
pub struct Written<T> {
    /// The item before the write, when there was one and the write changed it.
    pub old: Option<EncodedItem>,
    /// The item after the write (`None` after a delete or when nothing was written).
    pub new: Option<EncodedItem>,
    /// Whatever `decide` returned alongside its choice.
    pub extra: T,
}

impl<T> Written<T> {
    /// Sizes before and after (0 for no item), for capacity arithmetic.
    pub fn sizes(&self) -> (usize, usize) {
        let size = |i: &Option<EncodedItem>| i.as_ref().map_or(0, EncodedItem::size);
        (size(&self.old), size(&self.new))
    }
}

/// Gives every table a process-wide identity for the canonical lock order of
/// multi-table writes (names repeat across namespaces and after re-creation).
static NEXT_UID: AtomicU64 = AtomicU64::new(1);

pub struct Table {
    pub name: String,
    pub uid: u64,
    pub schema: KeySchema,
    pub spec: TableSpec,
    tree: Tree,
    feed: Feed,
    stats: Arc<Stats>,
    ttl_index: Arc<TtlIndex>,
    ttl: RwLock<TtlState>,
    /// Keys claimed by in-flight transactions (the rule is in [`super::locks`]).
    in_flight: Mutex<HashSet<Vec<u8>>>,
    /// Shared by Query and Scan pages, exclusive for a transaction's commit (see
    /// [`super::locks`]).
    commit_gate: RwLock<()>,
}

impl Table {
    pub fn new(name: String, schema: KeySchema, spec: TableSpec) -> Self {
        let stats = Arc::new(Stats::default());
        let ttl_index = Arc::new(TtlIndex::default());
        let feed = Feed::default();
        feed.subscribe(stats.clone());
        feed.subscribe(ttl_index.clone());
        Table {
            name,
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            schema,
            spec,
            tree: Tree::default(),
            feed,
            stats,
            ttl_index,
            ttl: RwLock::new(TtlState::default()),
            in_flight: Mutex::new(HashSet::new()),
            commit_gate: RwLock::new(()),
        }
    }

    pub fn item_count(&self) -> i64 {
        self.stats.item_count()
    }

    pub fn size_bytes(&self) -> i64 {
        self.stats.size_bytes()
    }

    pub fn feed(&self) -> &Feed {
        &self.feed
    }

    pub fn get(&self, key: &PrimaryKey) -> Option<EncodedItem> {
        self.tree.get(&KeyBytes::new(&encode_key(key)))
    }

    /// Reads the items of `span` in key order (`forward`) or reverse key order. Between
    /// batches of [`BATCH`] items other writes may land, as between DynamoDB's pages.
    pub fn range(&self, span: Span, forward: bool) -> Range<'_> {
        self.tree.range(span, forward)
    }

    /// The key attributes of a stored item, as an item (`LastEvaluatedKey`).
    pub fn key_item(&self, item: &EncodedItem) -> Item {
        self.schema
            .key_names()
            .filter_map(|name| Some((name.to_owned(), item.get(name)?)))
            .collect()
    }

    /// Holds off transaction commits on this table while a Query or Scan page is read, so
    /// that a page sees each transaction whole or not at all (see [`super::locks`]).
    pub fn read_page_gate(&self) -> RwLockReadGuard<'_, ()> {
        self.commit_gate.read()
    }

    pub(super) fn commit_gate(&self) -> &RwLock<()> {
        &self.commit_gate
    }

    pub(super) fn in_flight(&self) -> &Mutex<HashSet<Vec<u8>>> {
        &self.in_flight
    }

    /// Atomically reads the item at `key`, lets `decide` choose a write, and applies it
    /// under the item's shard lock; the change feed hears of it before the lock is freed.
    /// A key an in-flight transaction holds is refused with `TransactionConflictException`.
    pub fn write<T>(
        &self,
        key: &PrimaryKey,
        decide: impl FnOnce(Option<&EncodedItem>) -> Result<(Write, T)>,
    ) -> Result<Written<T>> {
        self.write_encoded(&KeyBytes::new(&encode_key(key)), Cause::Request, decide)
    }

    fn write_encoded<T>(
        &self,
        key: &KeyBytes,
        cause: Cause,
        decide: impl FnOnce(Option<&EncodedItem>) -> Result<(Write, T)>,
    ) -> Result<Written<T>> {
        let mut shard = self.tree.write_shard(key);
        // TTL deletions are the service's own: they never conflict, and the shard lock
        // already keeps them out of a transaction's decision.
        if cause == Cause::Request && self.in_flight.lock().contains(key.as_bytes()) {
            return Err(DynamoError::TransactionConflict);
        }
        let (write, extra) = decide(shard.get(key))?;
        let (old, new) = self.apply_locked(&mut shard, key, write, cause);
        Ok(Written { old, new, extra })
    }

    /// Applies a decided write to a shard its caller has locked, and publishes it.
    /// Returns the old and new items when something changed.
    pub(super) fn apply_locked(
        &self,
        shard: &mut Shard,
        key: &KeyBytes,
        write: Write,
        cause: Cause,
    ) -> (Option<EncodedItem>, Option<EncodedItem>) {
        match write {
            Write::Keep => (None, None),
            Write::Put(item) => {
                // Replacing keeps the stored key allocation; a new key stores the caller's.
                let (stored_key, old) = match shard.get_key_value(key) {
                    Some((k, _)) => {
                        let k = k.clone();
                        let old = shard.insert(k.clone(), item.clone());
                        (k, old)
                    }
                    None => {
                        shard.insert(key.clone(), item.clone());
                        (key.clone(), None)
                    }
                };
                self.feed
                    .publish(&stored_key, old.as_ref(), Some(&item), cause);
                (old, Some(item))
            }
            Write::Delete => match shard.remove_entry(key) {
                Some((stored_key, old)) => {
                    self.feed.publish(&stored_key, Some(&old), None, cause);
                    (Some(old), None)
                }
                None => (None, None),
            },
        }
    }

    pub(super) fn tree(&self) -> &Tree {
        &self.tree
    }

    // ---- TTL ----

    pub fn ttl_state(&self) -> TtlState {
        self.ttl.read().clone()
    }

    /// Enables or disables TTL on `attribute`. Enabling indexes the items already stored,
    /// a shard at a time in chunks under the shard's read lock: writes in between index
    /// themselves through the feed, and no request waits for more than one chunk.
    pub fn set_ttl(&self, attribute: Option<String>, now_millis: i64) {
        {
            let mut ttl = self.ttl.write();
            if let Some(a) = &attribute {
                ttl.last_attribute = Some(a.clone());
            }
            ttl.attribute = attribute.clone();
            ttl.changed_at_millis = Some(now_millis);
        }
        let enabled = attribute.is_some();
        self.ttl_index.reset(attribute);
        if !enabled {
            return;
        }
        const CHUNK: usize = 8 * BATCH;
        for index in 0..super::tree::SHARDS {
            let mut after: Bound<KeyBytes> = Bound::Unbounded;
            loop {
                let shard = self.tree.read_shard(index);
                let mut last = None;
                for (key, item) in shard.range((after.clone(), Bound::Unbounded)).take(CHUNK) {
                    self.ttl_index.insert(key, item);
                    last = Some(key.clone());
                }
                drop(shard);
                match last {
                    Some(key) => after = Bound::Excluded(key),
                    None => break,
                }
            }
        }
    }

    /// Deletes the items that are due at `now`. Due keys come from the index in small
    /// batches; each batch is sorted by key so that every shard is locked once per batch
    /// and its B-tree walked in order, and each item is re-checked under the lock, so a
    /// write that moved the TTL meanwhile wins. No lock is held between batches, so
    /// requests never wait for more than one shard's share of a batch.
    pub fn sweep_expired(&self, now: i64) -> usize {
        let mut deleted = 0;
        loop {
            let mut batch = self.ttl_index.take_due(now, 256);
            if batch.is_empty() {
                return deleted;
            }
            batch.sort_unstable();
            for group in batch.chunk_by(|a, b| shard_of(a) == shard_of(b)) {
                let mut shard = self.tree.write_shard(&group[0]);
                for key in group {
                    let expired = shard
                        .get(key)
                        .and_then(|i| self.ttl_index.due_of(i))
                        .is_some_and(|due| is_expired(due, now));
                    if expired {
                        self.apply_locked(&mut shard, key, Write::Delete, Cause::TimeToLive);
                        deleted += 1;
                    }
                }
            }
        }
    }
}
