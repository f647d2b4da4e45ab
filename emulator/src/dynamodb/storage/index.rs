//! Secondary indexes: each one a change-feed [`Consumer`] with its own ordered [`Tree`].
//!
//! An index entry's key is `[hash(index pk)][index pk][index sk][table pk][table sk]`: the
//! index key in the table's own ordered form (so Query ranges, Scan order and parallel-scan
//! segments work on an index exactly as on a table), followed by the table key without
//! its hash. The table key makes every entry unique, and breaks ties between items with
//! the same index key in table-key order. The value is the item as projected.
//!
//! Because the feed announces every committed write (requests, batches, transactions, TTL
//! deletions) with its old and new images, an index needs no code in any write path.
//! Sparse: an item lacking any index key attribute (or, only possible for an index added
//! to a table with data, holding one of the wrong type) has no entry.

use std::sync::atomic::{AtomicBool, Ordering};

use super::feed::{Change, Consumer, Stats};
use super::keys::{encode_key, Span};
use super::tree::{shard_of, KeyBytes, Range, Tree};
use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::model::{
    AttributeValue, EncodedItem, Item, KeyAttribute, KeySchema, KeyType, KeyValue, PrimaryKey,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexKind {
    Global,
    Local,
}

/// Which attributes an index holds besides the table and index keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Projection {
    KeysOnly,
    Include(Vec<String>),
    All,
}

impl Projection {
    pub fn type_name(&self) -> &'static str {
        match self {
            Projection::KeysOnly => "KEYS_ONLY",
            Projection::Include(_) => "INCLUDE",
            Projection::All => "ALL",
        }
    }
}

/// What CreateTable or UpdateTable declared about an index.
#[derive(Clone, Debug)]
pub struct IndexSpec {
    pub name: String,
    pub kind: IndexKind,
    pub schema: KeySchema,
    pub projection: Projection,
    /// Provisioned capacity of a global index (0 on on-demand tables and for local ones).
    pub read_capacity: i64,
    pub write_capacity: i64,
    pub arn: String,
}

pub struct Index {
    pub spec: IndexSpec,
    table_schema: KeySchema,
    tree: Tree,
    stats: Stats,
    /// True while an index added to a table with data is being filled (UpdateTable).
    backfilling: AtomicBool,
    /// With a status delay, when an index UpdateTable added stops reporting CREATING
    /// (emulated milliseconds; it is usable at once either way).
    creating_until: std::sync::atomic::AtomicI64,
    /// Provisioned read and write units of a global index (UpdateTable changes them).
    capacity: parking_lot::RwLock<(i64, i64)>,
}

/// The value of a key attribute if the item holds it with the declared type.
fn typed(attr: &KeyAttribute, value: AttributeValue) -> Option<KeyValue> {
    match (attr.kind, value) {
        (KeyType::S, AttributeValue::S(s)) => Some(KeyValue::S(s)),
        (KeyType::N, AttributeValue::N(n)) => Some(KeyValue::N(n)),
        (KeyType::B, AttributeValue::B(b)) => Some(KeyValue::B(b)),
        _ => None,
    }
}

impl Index {
    pub fn new(spec: IndexSpec, table_schema: KeySchema) -> Self {
        Index {
            capacity: parking_lot::RwLock::new((spec.read_capacity, spec.write_capacity)),
            spec,
            table_schema,
            tree: Tree::default(),
            stats: Stats::default(),
            backfilling: AtomicBool::new(false),
            creating_until: std::sync::atomic::AtomicI64::new(0),
        }
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn is_global(&self) -> bool {
        self.spec.kind == IndexKind::Global
    }

    pub fn item_count(&self) -> i64 {
        self.stats.item_count()
    }

    pub fn size_bytes(&self) -> i64 {
        self.stats.size_bytes()
    }

    /// Provisioned (read, write) units.
    pub fn capacity(&self) -> (i64, i64) {
        *self.capacity.read()
    }

    pub fn set_capacity(&self, read: i64, write: i64) {
        *self.capacity.write() = (read, write);
    }

    pub fn is_backfilling(&self) -> bool {
        self.backfilling.load(Ordering::Relaxed)
    }

    /// Whether the index still reports CREATING (and backfilling) at `now`.
    pub fn is_creating(&self, now: i64) -> bool {
        now < self.creating_until.load(Ordering::Relaxed)
    }

    pub fn set_creating_until(&self, until: i64) {
        self.creating_until.store(until, Ordering::Relaxed);
    }

    pub(super) fn set_backfilling(&self, on: bool) {
        self.backfilling.store(on, Ordering::Relaxed);
    }

    /// Reads the entries of `span` of the index's key order.
    pub fn range(&self, span: Span, forward: bool) -> Range<'_> {
        self.tree.range(span, forward)
    }

    /// The index key of an item, when it holds every index key attribute typed as declared.
    pub fn index_key(&self, item: &EncodedItem) -> Option<PrimaryKey> {
        let schema = &self.spec.schema;
        Some(PrimaryKey {
            hash: typed(&schema.hash, item.get(&schema.hash.name)?)?,
            range: match &schema.range {
                Some(r) => Some(typed(r, item.get(&r.name)?)?),
                None => None,
            },
        })
    }

    fn entry_key(&self, table_key: &[u8], item: &EncodedItem) -> Option<Vec<u8>> {
        self.index_key(item)
            .map(|key| entry_key(&key, table_key.get(8..).unwrap_or_default()))
    }

    /// Whether an attribute is stored in the index.
    pub fn projects(&self, name: &str) -> bool {
        match &self.spec.projection {
            Projection::All => true,
            other => {
                self.table_schema.is_key_attribute(name)
                    || self.spec.schema.is_key_attribute(name)
                    || matches!(other, Projection::Include(names) if names.iter().any(|n| n == name))
            }
        }
    }

    /// The entry an item in the index has: the item as projected (whether it is in the
    /// index at all is [`Index::index_key`]'s question).
    pub fn entry(&self, item: &EncodedItem) -> EncodedItem {
        self.project(item)
    }

    fn project(&self, item: &EncodedItem) -> EncodedItem {
        if self.spec.projection == Projection::All {
            return item.clone();
        }
        let projected: Item = item
            .decode()
            .unwrap_or_default()
            .into_iter()
            .filter(|(name, _)| self.projects(name))
            .collect();
        EncodedItem::encode(&projected)
    }

    /// The attribute an item may not hold as written, with DynamoDB's message: an index key
    /// attribute of another type than declared, or an empty string or binary.
    pub fn check_item(&self, item: &EncodedItem) -> Result<()> {
        for attr in self.spec.schema.key_names() {
            let Some(value) = item.get(attr) else {
                continue;
            };
            let declared = if self.spec.schema.hash.name == attr {
                &self.spec.schema.hash
            } else {
                match &self.spec.schema.range {
                    Some(r) => r,
                    None => continue,
                }
            };
            if value.type_name() != declared.kind.name() {
                return Err(DynamoError::invalid_parameter(format!(
                    "Type mismatch for Index Key {attr} Expected: {} Actual: {} IndexName: {}",
                    declared.kind.name(),
                    value.type_name(),
                    self.spec.name
                )));
            }
            let empty = match &value {
                AttributeValue::S(s) => s.is_empty().then_some("string"),
                AttributeValue::B(b) => b.is_empty().then_some("binary"),
                _ => None,
            };
            if let Some(kind) = empty {
                return Err(DynamoError::validation(format!(
                    "One or more parameter values are not valid. A value specified for a \
                     secondary index key is not supported. The AttributeValue for a key \
                     attribute cannot contain an empty {kind} value. IndexName: {}, IndexKey: \
                     {attr}",
                    self.spec.name
                )));
            }
        }
        Ok(())
    }

    /// The key attributes of an entry (index key and table key), as `LastEvaluatedKey`.
    pub fn key_item(&self, entry: &EncodedItem) -> Item {
        self.table_schema
            .key_names()
            .chain(self.spec.schema.key_names())
            .filter_map(|name| Some((name.to_owned(), entry.get(name)?)))
            .collect()
    }

    /// The table key of an entry (every projection holds it).
    pub fn table_key(&self, entry: &EncodedItem) -> Option<PrimaryKey> {
        Some(PrimaryKey {
            hash: typed(
                &self.table_schema.hash,
                entry.get(&self.table_schema.hash.name)?,
            )?,
            range: match &self.table_schema.range {
                Some(r) => Some(typed(r, entry.get(&r.name)?)?),
                None => None,
            },
        })
    }
}

/// The ordered form of an index entry's key: the index key, then the table key's
/// components (`table_components`: an encoded table key without its 8-byte hash).
fn entry_key(index_key: &PrimaryKey, table_components: &[u8]) -> Vec<u8> {
    let mut out = encode_key(index_key);
    out.extend_from_slice(table_components);
    out
}

/// The entry key a paging key names: its index key followed by its table key.
pub fn start_entry_key(index_key: &PrimaryKey, table_key: &PrimaryKey) -> Vec<u8> {
    let table = encode_key(table_key);
    entry_key(index_key, table.get(8..).unwrap_or_default())
}

impl Consumer for Index {
    fn apply(&self, change: &Change<'_>) {
        let old_key = change.old.and_then(|o| self.entry_key(change.key, o));
        let new = change
            .new
            .and_then(|n| Some((self.entry_key(change.key, n)?, self.project(n))));
        let old_key = old_key.filter(|k| new.as_ref().is_none_or(|(nk, _)| nk != k));
        // A moved entry leaves and arrives under one locking: both shards are locked
        // together, in ascending order (every writer of an index locks so; readers lock one
        // shard at a time). A local index's entries keep their partition, so its moves
        // stay in one shard and a read of the partition never misses or doubles the item.
        let (removed, replaced) = match (&old_key, &new) {
            (None, None) => (None, None),
            (Some(old), None) => (self.tree.write_shard(old).remove(old.as_slice()), None),
            (None, Some((k, item))) => (
                None,
                self.tree
                    .write_shard(k)
                    .insert(KeyBytes::new(k), item.clone()),
            ),
            (Some(old), Some((k, item))) => {
                let (from, to) = (shard_of(old), shard_of(k));
                if from == to {
                    let mut shard = self.tree.write_shard(k);
                    let removed = shard.remove(old.as_slice());
                    (removed, shard.insert(KeyBytes::new(k), item.clone()))
                } else {
                    let first = self.tree.shard(from.min(to)).write();
                    let second = self.tree.shard(from.max(to)).write();
                    let (mut source, mut target) = if from < to {
                        (first, second)
                    } else {
                        (second, first)
                    };
                    let removed = source.remove(old.as_slice());
                    (removed, target.insert(KeyBytes::new(k), item.clone()))
                }
            }
        };
        // Counted from what the tree really held, so a backfill that meets an entry the
        // feed already wrote counts it once.
        if removed.is_some() {
            self.stats.record(removed.as_ref(), None);
        }
        if let Some((_, item)) = &new {
            self.stats.record(replaced.as_ref(), Some(item));
        }
    }
}
