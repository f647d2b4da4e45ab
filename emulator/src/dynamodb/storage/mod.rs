//! The in-memory storage engine: a catalog of tables per namespace; per table, one ordered
//! map of compact items and a change feed that everything derived from the items follows.
//!
//! - [`keys`]: the ordered byte form of keys (partition hash, partition key, sort key), in
//!   which Scan order, Query ranges and parallel-scan segments are plain byte ranges.
//! - [`tree`]: the sharded ordered map (shards by hash, so still one total order) and its
//!   resumable range walk; the locking rules are written there.
//! - [`feed`]: every committed write, numbered per table, announced once to every
//!   consumer (item count and size, the TTL index, secondary indexes; later streams, a log).
//! - [`index`]: secondary indexes, each a feed consumer with its own ordered tree.
//! - [`collections`]: item collection sizes of tables with local indexes (a consumer).
//! - [`table`]: the single-item atomic read-decide-write and the TTL sweep.
//! - [`locks`]: several keys in several tables locked in one canonical order, and the
//!   write transactions built on that (in-flight claims, commit gates); the whole lock
//!   order is written there.
//! - [`ttl`]: when an item is due, and the expiry-ordered index of due items.
//! - [`tokens`]: TransactWriteItems' client request tokens (idempotency).
//!
//! Items are stored as [`EncodedItem`](crate::dynamodb::model::EncodedItem)s: one shared
//! buffer each, so reads never copy an item and memory stays close to the payload.

pub mod collections;
pub mod consumed;
pub mod feed;
pub mod index;
pub mod keys;
pub mod locks;
mod table;
pub mod tokens;
pub mod tree;
mod ttl;

pub use keys::{SortCondition, Span};
pub use table::{BillingMode, Settings, Status, Table, TableSpec, TtlState, Write, Written};
pub use ttl::TTL_MAX_AGE_MILLIS;

use std::collections::BTreeMap;
use std::sync::Arc;

use dashmap::DashMap;
use parking_lot::RwLock;

use crate::clock::Clock;
use crate::common::Namespace;

/// The tables of one namespace, ordered by name (ListTables pages in that order).
#[derive(Default)]
pub struct Catalog {
    tables: RwLock<BTreeMap<String, Arc<Table>>>,
    /// Client request tokens are per account and region, like tables.
    pub tokens: tokens::ClientTokens,
}

/// Why [`Catalog::insert`] did not add a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertError {
    NameTaken,
    /// The catalog already holds its maximum number of tables.
    Full,
}

impl Catalog {
    pub fn get(&self, name: &str) -> Option<Arc<Table>> {
        self.tables.read().get(name).cloned()
    }

    /// Inserts the table unless the name is taken or `max_tables` tables exist (checked
    /// under the same lock, so concurrent creates cannot overshoot).
    pub fn insert(&self, table: Arc<Table>, max_tables: usize) -> Result<(), InsertError> {
        let mut tables = self.tables.write();
        if tables.contains_key(&table.name) {
            return Err(InsertError::NameTaken);
        }
        if tables.len() >= max_tables {
            return Err(InsertError::Full);
        }
        tables.insert(table.name.clone(), table);
        Ok(())
    }

    pub fn remove(&self, name: &str) -> Option<Arc<Table>> {
        self.tables.write().remove(name)
    }

    /// Drops the deleted tables whose deletion delay is over (they are kept, DELETING,
    /// until then). Lazy: whoever looks at the catalog's names calls it first.
    pub fn purge_gone(&self, now: i64) {
        let gone = |t: &Arc<Table>| t.status(now) == Status::Gone;
        if self.tables.read().values().any(gone) {
            self.tables.write().retain(|_, t| !gone(t));
        }
    }

    /// Up to `limit` names after `start` (exclusive), and whether more follow.
    pub fn names_after(&self, start: Option<&str>, limit: usize) -> (Vec<String>, bool) {
        let tables = self.tables.read();
        let mut iter = tables
            .keys()
            .filter(|name| start.is_none_or(|s| name.as_str() > s))
            .cloned();
        let names: Vec<String> = iter.by_ref().take(limit).collect();
        let more = iter.next().is_some();
        (names, more)
    }

    pub fn all(&self) -> Vec<Arc<Table>> {
        self.tables.read().values().cloned().collect()
    }
}

/// All DynamoDB data of the emulator.
pub struct Database {
    namespaces: DashMap<Namespace, Arc<Catalog>>,
    pub clock: Clock,
}

impl Database {
    pub fn new(clock: Clock) -> Self {
        Database {
            namespaces: DashMap::new(),
            clock,
        }
    }

    /// The namespace's catalog, if a write ever created it. Reads never create one, so
    /// requests under ever new access keys allocate nothing.
    pub fn catalog(&self, ns: &Namespace) -> Option<Arc<Catalog>> {
        self.namespaces.get(ns).map(|c| c.clone())
    }

    /// The namespace's catalog, created if missing unless `max_namespaces` exist already
    /// (`None` then). Concurrent first writes may overshoot the cap by their number.
    pub fn catalog_for_write(&self, ns: &Namespace, max_namespaces: usize) -> Option<Arc<Catalog>> {
        if let Some(c) = self.catalog(ns) {
            return Some(c);
        }
        if self.namespaces.len() >= max_namespaces {
            return None;
        }
        Some(self.namespaces.entry(ns.clone()).or_default().clone())
    }

    /// How many namespaces hold (or held) tables.
    pub fn namespace_count(&self) -> usize {
        self.namespaces.len()
    }

    /// The table, in whatever status, unless its deletion is over.
    pub fn table(&self, ns: &Namespace, name: &str) -> Option<Arc<Table>> {
        let catalog = self.catalog(ns)?;
        let table = catalog.get(name)?;
        if table.status(self.clock.now_millis()) == Status::Gone {
            catalog.purge_gone(self.clock.now_millis());
            return None;
        }
        Some(table)
    }

    /// The table if items may be read and written in it: not while it is being created
    /// or deleted (DynamoDB answers those as if the table did not exist).
    pub fn item_table(&self, ns: &Namespace, name: &str) -> Option<Arc<Table>> {
        self.table(ns, name).filter(|t| {
            matches!(
                t.status(self.clock.now_millis()),
                Status::Active | Status::Updating
            )
        })
    }

    /// Deletes every due item of every TTL-enabled table; returns how many went.
    pub fn sweep_expired(&self) -> usize {
        let now = self.clock.now_millis();
        let catalogs: Vec<Arc<Catalog>> =
            self.namespaces.iter().map(|e| e.value().clone()).collect();
        catalogs
            .iter()
            .flat_map(|c| c.all())
            .map(|table| table.sweep_expired(now))
            .sum()
    }

    /// Drops every table of every namespace.
    pub fn reset(&self) {
        self.namespaces.clear();
    }
}
