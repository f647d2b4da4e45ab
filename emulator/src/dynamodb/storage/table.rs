//! One table: its ordered items, its change feed and the consumers that follow it.

use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard};

use super::locks::InFlight;

use super::collections::ItemCollections;
use super::feed::{Cause, Consumer, Feed, Stats};
use super::index::{Index, IndexSpec};
use super::keys::{encode_key, Span};
use super::tree::{KeyBytes, Range, Shard, Tree, BATCH};
use super::ttl::TtlIndex;
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

/// What UpdateTable and the tagging operations change after creation (the [`TableSpec`]
/// keeps what CreateTable chose).
#[derive(Clone, Debug)]
pub struct Settings {
    pub attribute_definitions: Vec<(String, KeyType)>,
    pub billing_mode: BillingMode,
    pub read_capacity: i64,
    pub write_capacity: i64,
    /// When the table last became on-demand (its creation time if created so).
    pub pay_per_request_since: f64,
    pub throughput_decreases: i64,
    /// While a stream is enabled: its view type and its label (the time it was enabled).
    pub stream: Option<(String, String)>,
    pub deletion_protection: bool,
    pub tags: std::collections::BTreeMap<String, String>,
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

/// Where a table is in its life. With the emulator's status delay at 0 (the default) a
/// table is ACTIVE from its creation answer on and gone at its deletion answer; with a
/// delay, creation, updates and deletion each take that long, as DynamoDB's do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Creating,
    Updating,
    Active,
    Deleting,
    /// Deleted, its delay over: no longer visible.
    Gone,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Creating => "CREATING",
            Status::Updating => "UPDATING",
            Status::Active => "ACTIVE",
            Status::Deleting | Status::Gone => "DELETING",
        }
    }
}

/// When the table's transitions end (emulated milliseconds).
#[derive(Clone, Copy, Debug, Default)]
struct Lifecycle {
    created_until: i64,
    updated_until: i64,
    deleted_at: Option<i64>,
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
    /// Secondary indexes, in creation order; each is also a consumer of the feed.
    indexes: RwLock<Vec<Arc<Index>>>,
    lifecycle: parking_lot::Mutex<Lifecycle>,
    /// Item collection sizes, for a table with local indexes (set once, at creation).
    collections: std::sync::OnceLock<Arc<ItemCollections>>,
    settings: RwLock<Settings>,
    /// Keys claimed by in-flight transactions (the rule is in [`super::locks`]).
    in_flight: InFlight,
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
            tree: Tree::default(),
            feed,
            stats,
            ttl_index,
            ttl: RwLock::new(TtlState::default()),
            in_flight: InFlight::default(),
            commit_gate: RwLock::new(()),
            indexes: RwLock::new(Vec::new()),
            collections: std::sync::OnceLock::new(),
            lifecycle: Default::default(),
            settings: RwLock::new(Settings {
                attribute_definitions: spec.attribute_definitions.clone(),
                billing_mode: spec.billing_mode,
                read_capacity: spec.read_capacity,
                write_capacity: spec.write_capacity,
                pay_per_request_since: spec.created_at,
                throughput_decreases: 0,
                stream: None,
                deletion_protection: false,
                tags: Default::default(),
            }),
            spec,
        }
    }

    /// Adds a secondary index and fills it from the items already stored. It follows the
    /// feed before the walk starts, and the walk indexes each chunk under its shard's read
    /// lock, so no write is missed and none is overtaken by a stale copy.
    pub fn add_index(&self, spec: IndexSpec) -> Arc<Index> {
        let index = Arc::new(Index::new(spec, self.schema.clone()));
        index.set_backfilling(true);
        self.indexes.write().push(index.clone());
        self.feed.subscribe(index.clone());
        self.for_each_stored(|key, item| {
            index.apply(&super::feed::Change {
                seq: 0,
                key,
                old: None,
                new: Some(item),
                cause: Cause::Request,
            })
        });
        index.set_backfilling(false);
        index
    }

    /// The table's status at `now`.
    pub fn status(&self, now: i64) -> Status {
        let life = *self.lifecycle.lock();
        match life.deleted_at {
            Some(at) if now >= at => Status::Gone,
            Some(_) => Status::Deleting,
            None if now < life.created_until => Status::Creating,
            None if now < life.updated_until => Status::Updating,
            None => Status::Active,
        }
    }

    /// The table is being created until `until`.
    pub fn creating_until(&self, until: i64) {
        self.lifecycle.lock().created_until = until;
    }

    /// The table is being updated until `until`.
    pub fn updating_until(&self, until: i64) {
        self.lifecycle.lock().updated_until = until;
    }

    /// The table is being deleted and goes at `at`.
    pub fn deleted_at(&self, at: i64) {
        self.lifecycle.lock().deleted_at = Some(at);
    }

    /// Starts following item collection sizes, capped at `limit` bytes, if the table has
    /// local indexes. CreateTable calls it once its indexes are in, before any write.
    pub fn track_item_collections(&self, limit: u64) {
        let local = self
            .indexes()
            .into_iter()
            .filter(|i| !i.is_global())
            .collect();
        if let Some(collections) = ItemCollections::new(local, limit) {
            let collections = Arc::new(collections);
            if self.collections.set(collections.clone()).is_ok() {
                self.feed.subscribe(collections);
            }
        }
    }

    /// The size in bytes of the item collection of partition key `hash`; `None` for a
    /// table without local indexes (it has no item collections to report).
    pub fn item_collection_size(&self, hash: &crate::dynamodb::model::KeyValue) -> Option<u64> {
        Some(self.collections.get()?.size(hash))
    }

    /// Refuses a write of `new` over `old` that grows its item collection past the limit
    /// (`ItemCollectionSizeLimitExceededException`). Called under the item's shard lock.
    pub fn check_item_collection(
        &self,
        old: Option<&EncodedItem>,
        new: &EncodedItem,
    ) -> Result<()> {
        match self.collections.get() {
            Some(c) => c.check(old, new),
            None => Ok(()),
        }
    }

    /// Removes a secondary index; writes stop reaching it at once.
    pub fn remove_index(&self, name: &str) -> Option<Arc<Index>> {
        let mut indexes = self.indexes.write();
        let at = indexes.iter().position(|i| i.name() == name)?;
        let index = indexes.remove(at);
        let consumer: Arc<dyn Consumer> = index.clone();
        self.feed.unsubscribe(&consumer);
        Some(index)
    }

    pub fn index(&self, name: &str) -> Option<Arc<Index>> {
        self.indexes
            .read()
            .iter()
            .find(|i| i.name() == name)
            .cloned()
    }

    pub fn indexes(&self) -> Vec<Arc<Index>> {
        self.indexes.read().clone()
    }

    /// Refuses an item whose index key attributes do not fit the indexes (wrong type,
    /// empty value). Every writer of whole items calls it before writing. Global indexes
    /// are checked first: DynamoDB names the first global one that objects.
    pub fn check_index_keys(&self, item: &EncodedItem) -> Result<()> {
        let indexes = self.indexes.read();
        let global = indexes.iter().filter(|i| i.is_global());
        let local = indexes.iter().filter(|i| !i.is_global());
        global.chain(local).try_for_each(|i| i.check_item(item))
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().clone()
    }

    /// Changes the settings atomically (one UpdateTable or tagging request at a time).
    pub fn update_settings<R>(&self, change: impl FnOnce(&mut Settings) -> R) -> R {
        change(&mut self.settings.write())
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

    pub(super) fn in_flight(&self) -> &InFlight {
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
        if cause == Cause::Request && self.in_flight.contains(key.as_bytes()) {
            return Err(DynamoError::TransactionConflict);
        }
        let (write, extra) = decide(shard.get(key))?;
        if let Write::Put(item) = &write {
            self.check_index_keys(item)?;
            self.check_item_collection(shard.get(key), item)?;
        }
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

    /// Enables or disables TTL on `attribute`. Enabling indexes the items already stored
    /// (writes in between index themselves through the feed).
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
        self.for_each_stored(|key, item| self.ttl_index.insert(key, item));
    }

    /// Visits every stored item, a shard at a time in chunks under the shard's read lock:
    /// writes in between reach the feed's consumers, and no request waits for more than
    /// one chunk.
    fn for_each_stored(&self, mut visit: impl FnMut(&KeyBytes, &EncodedItem)) {
        const CHUNK: usize = 8 * BATCH;
        for index in 0..super::tree::SHARDS {
            let mut after: Bound<KeyBytes> = Bound::Unbounded;
            loop {
                let shard = self.tree.read_shard(index);
                let mut last = None;
                for (key, item) in shard.range((after.clone(), Bound::Unbounded)).take(CHUNK) {
                    visit(key, item);
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

    /// Deletes the items that are due at `now`, a shard at a time: under the shard's write
    /// lock, up to [`SWEEP_BATCH`] due keys come out of the TTL index and their items out
    /// of the tree, with no need to re-read them (see [`super::ttl`]). The lock is let go
    /// between batches, so requests never wait for more than one batch, and the core is
    /// offered to waiting workers every 350 µs ([`Pacer`]). The removed items
    /// are freed at the end, in address order (see [`Graveyard`]).
    pub fn sweep_expired(&self, now: i64) -> usize {
        let mut deleted = 0;
        let mut removed = Graveyard::default();
        let (mut due, mut taken) = (Vec::new(), Vec::new());
        let mut pacer = Pacer::new();
        for index in 0..super::tree::SHARDS {
            loop {
                let mut shard = self.tree.shard(index).write();
                self.ttl_index.take_due(index, now, SWEEP_BATCH, &mut due);
                if due.is_empty() {
                    break;
                }
                taken.extend(due.drain(..).filter_map(|k| shard.remove_entry(&k)));
                warm(&taken);
                for (key, item) in taken.drain(..) {
                    self.feed
                        .publish(&key, Some(&item), None, Cause::TimeToLive);
                    removed.push(item);
                    deleted += 1;
                }
                drop(shard);
                pacer.pause();
            }
        }
        removed.free(&mut pacer);
        deleted
    }
}

/// Reads the first bytes of every item in one tight loop before the change feed reads
/// them one by one. Swept items are cold (scattered over the heap, unread for a long
/// time): one by one, each item's cache miss waits for the previous one to be served,
/// while these loads do not depend on each other, so the processor has many in flight.
fn warm(taken: &[(KeyBytes, EncodedItem)]) {
    let sizes = taken
        .iter()
        .fold(0usize, |sum, (_, item)| sum ^ item.size());
    std::hint::black_box(sizes);
}

/// How long the sweeper works before it offers its core to whatever else is waiting.
const SWEEP_SLICE: std::time::Duration = std::time::Duration::from_micros(350);

/// Hands the core over every [`SWEEP_SLICE`] of sweeping.
///
/// A sweep of a million items is about half a second of work. Left to the scheduler,
/// the sweeper thread keeps a core for a whole time slice (milliseconds) while the
/// request workers sharing it wait: GetItem p99 during such a sweep was four to five
/// times its idle value. Yielding every 350 µs (between batches, with no lock held)
/// lets a waiting worker in soon and costs nothing when none waits. Under a saturating
/// GetItem load on two cores, a million items then take 1.5-1.7 s instead of 1.0-1.2 s,
/// with p99 during the sweep 1.4-1.9 times idle (500 µs: 1.25-1.5 s and 1.8-2.1 times).
struct Pacer {
    since: std::time::Instant,
}

impl Pacer {
    fn new() -> Pacer {
        Pacer {
            since: std::time::Instant::now(),
        }
    }

    fn pause(&mut self) {
        if self.since.elapsed() >= SWEEP_SLICE {
            std::thread::yield_now();
            self.since = std::time::Instant::now();
        }
    }
}

/// [`warm`] for the items about to be freed: each free reads the item's first bytes
/// (its count, and the allocator's header beside it).
fn warm_items(items: &[EncodedItem]) {
    let sizes = items.iter().fold(0usize, |sum, item| sum ^ item.size());
    std::hint::black_box(sizes);
}

/// Due keys the sweeper takes per shard lock: the lock is held for about a hundred
/// removals (tens of microseconds), and the items are many enough to be fetched from
/// memory together ([`warm`]).
const SWEEP_BATCH: usize = 128;

/// Items the sweeper removed, freed together in address order once the sweep is done.
///
/// Items of about 1 KB are too big for the allocator's (glibc's) per-thread caches, so
/// each free merges the chunk with free neighbours and files it for sorting into
/// size-ordered bins. Freed one by one in key order, which is random in memory, with
/// allocations in between, that filing cost more than everything else a sweep does (two
/// thirds of its time for a million items). In address order, neighbours merge as they
/// go; the items are already out of the table, so holding them a moment longer adds no
/// memory beyond what they held before the sweep.
#[derive(Default)]
struct Graveyard(Vec<EncodedItem>);

impl Graveyard {
    fn push(&mut self, item: EncodedItem) {
        self.0.push(item);
    }

    fn free(mut self, pacer: &mut Pacer) {
        self.0.sort_unstable_by_key(EncodedItem::address);
        let mut items = std::mem::take(&mut self.0).into_iter();
        while items.len() > 0 {
            let next = items.as_slice();
            warm_items(&next[..next.len().min(64)]);
            items.by_ref().take(64).for_each(drop);
            pacer.pause();
        }
    }
}
