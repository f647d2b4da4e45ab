use parking_lot::{Mutex, RwLock};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicI64, Ordering};

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;

use super::ttl::{due_millis, is_expired};
use crate::dynamodb::error::Result;
use crate::dynamodb::model::{item_size, Item, KeySchema, KeyType, KeyValue, PrimaryKey};

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
    /// Store `item`; `size` is its [`item_size`], which every writer has already measured
    /// for the 400 KB limit, so the table does not measure it again.
    Put {
        item: Item,
        size: usize,
    },
    Delete,
    Keep,
}

/// The outcome of [`Table::write`].
pub struct Written<T> {
    /// The previous item, when it was replaced or deleted.
    pub old: Option<Item>,
    /// Sizes before and after (0 for no item), for capacity arithmetic.
    pub old_size: usize,
    pub new_size: usize,
    /// Whatever `decide` returned alongside its choice.
    pub extra: T,
}

/// Items of one partition (hash key), ordered by range key; hash-only tables use `None`.
type Partition = BTreeMap<Option<KeyValue>, Item>;

pub struct Table {
    pub name: String,
    pub schema: KeySchema,
    pub spec: TableSpec,
    items: DashMap<KeyValue, Partition>,
    item_count: AtomicI64,
    size_bytes: AtomicI64,
    ttl: RwLock<TtlState>,
    /// (due epoch millis, key) for every item with a usable TTL value while TTL is enabled.
    ttl_index: Mutex<BTreeSet<(i64, PrimaryKey)>>,
}

impl Table {
    pub fn new(name: String, schema: KeySchema, spec: TableSpec) -> Self {
        Table {
            name,
            schema,
            spec,
            items: DashMap::new(),
            item_count: AtomicI64::new(0),
            size_bytes: AtomicI64::new(0),
            ttl: RwLock::new(TtlState::default()),
            ttl_index: Mutex::new(BTreeSet::new()),
        }
    }

    pub fn item_count(&self) -> i64 {
        self.item_count.load(Ordering::Relaxed)
    }

    pub fn size_bytes(&self) -> i64 {
        self.size_bytes.load(Ordering::Relaxed)
    }

    pub fn get(&self, key: &PrimaryKey) -> Option<Item> {
        self.items.get(&key.hash)?.get(&key.range).cloned()
    }

    /// Reads the item under its partition's lock without cloning it.
    pub fn with_item<T>(&self, key: &PrimaryKey, f: impl FnOnce(Option<&Item>) -> T) -> T {
        match self.items.get(&key.hash) {
            Some(partition) => f(partition.get(&key.range)),
            None => f(None),
        }
    }

    /// Atomically reads the item at `key`, lets `decide` choose a write, and applies it,
    /// all under the partition's lock; item count, size and the TTL index follow.
    pub fn write<T>(
        &self,
        key: &PrimaryKey,
        decide: impl FnOnce(Option<&Item>) -> Result<(Write, T)>,
    ) -> Result<Written<T>> {
        let unchanged = |extra| Written {
            old: None,
            old_size: 0,
            new_size: 0,
            extra,
        };
        let (old, new_size, extra) = match self.items.entry(key.hash.clone()) {
            Entry::Occupied(mut entry) => {
                let partition = entry.get_mut();
                let (write, extra) = decide(partition.get(&key.range))?;
                match write {
                    Write::Keep => return Ok(unchanged(extra)),
                    Write::Put { item, size } => {
                        let due = self.ttl_due(&item);
                        let old = partition.insert(key.range.clone(), item);
                        self.reindex(key, old.as_ref(), due);
                        (old, Some(size), extra)
                    }
                    Write::Delete => {
                        let old = partition.remove(&key.range);
                        self.reindex(key, old.as_ref(), None);
                        if partition.is_empty() {
                            entry.remove();
                        }
                        (old, None, extra)
                    }
                }
            }
            Entry::Vacant(entry) => {
                let (write, extra) = decide(None)?;
                let Write::Put { item, size } = write else {
                    return Ok(unchanged(extra));
                };
                let due = self.ttl_due(&item);
                entry.insert(BTreeMap::from([(key.range.clone(), item)]));
                self.reindex(key, None, due);
                (None, Some(size), extra)
            }
        };
        let old_size = old.as_ref().map(item_size);
        self.account(old_size, new_size);
        Ok(Written {
            old,
            old_size: old_size.unwrap_or(0),
            new_size: new_size.unwrap_or(0),
            extra,
        })
    }

    /// Item count and table size follow every write (`None`: no item).
    fn account(&self, old_size: Option<usize>, new_size: Option<usize>) {
        let count_delta = i64::from(new_size.is_some()) - i64::from(old_size.is_some());
        if count_delta != 0 {
            self.item_count.fetch_add(count_delta, Ordering::Relaxed);
        }
        let size_delta = new_size.unwrap_or(0) as i64 - old_size.unwrap_or(0) as i64;
        if size_delta != 0 {
            self.size_bytes.fetch_add(size_delta, Ordering::Relaxed);
        }
    }

    // ---- TTL ----

    pub fn ttl_state(&self) -> TtlState {
        self.ttl.read().clone()
    }

    fn ttl_due(&self, item: &Item) -> Option<i64> {
        let ttl = self.ttl.read();
        due_millis(item, ttl.attribute.as_deref()?)
    }

    /// Keeps the expiry index in step with a write. Called under the partition lock, so
    /// index entries for one key change in the same order as the item itself.
    fn reindex(&self, key: &PrimaryKey, old: Option<&Item>, new_due: Option<i64>) {
        let old_due = old.and_then(|o| self.ttl_due(o));
        if old_due == new_due {
            return;
        }
        let mut index = self.ttl_index.lock();
        if let Some(due) = old_due {
            index.remove(&(due, key.clone()));
        }
        if let Some(due) = new_due {
            index.insert((due, key.clone()));
        }
    }

    /// Enables or disables TTL on `attribute`. Enabling indexes the items already stored.
    pub fn set_ttl(&self, attribute: Option<String>, now_millis: i64) {
        {
            let mut ttl = self.ttl.write();
            if let Some(a) = &attribute {
                ttl.last_attribute = Some(a.clone());
            }
            ttl.attribute = attribute.clone();
            ttl.changed_at_millis = Some(now_millis);
        }
        self.ttl_index.lock().clear();
        let Some(attribute) = attribute else {
            return;
        };
        // Each partition is read under its own lock; writes that land after the TTL
        // attribute was set index themselves, so nothing is missed.
        for partition in self.items.iter() {
            for (range, item) in partition.value() {
                if let Some(due) = due_millis(item, &attribute) {
                    let key = PrimaryKey {
                        hash: partition.key().clone(),
                        range: range.clone(),
                    };
                    self.ttl_index.lock().insert((due, key));
                }
            }
        }
    }

    /// Deletes the items that are due at `now`. Due keys are taken from the index in
    /// small batches and each is re-checked under its partition lock, so a write that
    /// moved the TTL meanwhile wins, and requests are never blocked for long.
    pub fn sweep_expired(&self, now: i64) -> usize {
        const BATCH: usize = 256;
        let mut deleted = 0;
        loop {
            let batch: Vec<PrimaryKey> = {
                let mut index = self.ttl_index.lock();
                let mut keys = Vec::new();
                while keys.len() < BATCH {
                    match index.first() {
                        Some((due, _)) if *due <= now => {
                            if let Some((_, key)) = index.pop_first() {
                                keys.push(key);
                            }
                        }
                        _ => break,
                    }
                }
                keys
            };
            if batch.is_empty() {
                return deleted;
            }
            for key in batch {
                let outcome = self.write(&key, |item| {
                    let expired = item
                        .and_then(|i| self.ttl_due(i))
                        .is_some_and(|due| is_expired(due, now));
                    Ok((if expired { Write::Delete } else { Write::Keep }, ()))
                });
                if outcome.is_ok_and(|w| w.old.is_some()) {
                    deleted += 1;
                }
            }
        }
    }
}
