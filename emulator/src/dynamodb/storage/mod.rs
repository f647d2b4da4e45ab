//! The in-memory storage engine: a catalog of tables per namespace, items in sharded
//! partitions, and per-table TTL indexes ordered by expiry.
//!
//! Locking is per partition (a DashMap shard), never global: a conditional write evaluates
//! its condition and applies its change while holding the lock of the one partition it
//! touches, which makes every single-item write atomic without serialising unrelated ones.

mod table;
mod ttl;

pub use table::{BillingMode, Table, TableSpec, TtlState, Write, Written};
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

    pub fn table(&self, ns: &Namespace, name: &str) -> Option<Arc<Table>> {
        self.namespaces.get(ns)?.get(name)
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
