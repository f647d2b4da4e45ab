//! Parameters per namespace, each with its version history and tags.
//!
//! One lock per namespace: an SSM request touches a handful of parameters of one caller, and
//! GetParametersByPath wants a consistent sorted view, so a per-namespace `RwLock` over a
//! `BTreeMap` is both simple and enough. Different namespaces never wait on each other.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use parking_lot::RwLock;

use super::crypto::StoredValue;
use super::model::{DataType, ParameterType, Tier};
use super::{Result, SsmError};
use crate::common::Namespace;

/// How many versions real SSM keeps for one parameter.
pub const MAX_VERSIONS: usize = 100;

#[derive(Debug, Clone)]
pub struct Version {
    pub version: i64,
    pub value: StoredValue,
    pub kind: ParameterType,
    pub description: Option<String>,
    pub key_id: Option<String>,
    pub allowed_pattern: Option<String>,
    pub data_type: DataType,
    pub tier: Tier,
    pub policies: Option<String>,
    pub labels: BTreeSet<String>,
    pub last_modified_millis: i64,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    /// The name as it was first written (`foo` or `/foo`); reads report this form.
    pub name: String,
    /// Oldest first; never empty.
    pub versions: VecDeque<Version>,
    pub tags: BTreeMap<String, String>,
}

impl Parameter {
    pub fn latest(&self) -> Option<&Version> {
        self.versions.back()
    }

    pub fn version(&self, n: i64) -> Option<&Version> {
        self.versions.iter().find(|v| v.version == n)
    }

    pub fn labelled(&self, label: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.labels.contains(label))
    }
}

/// One namespace's parameters, keyed by name without its leading slash, so `foo` and
/// `/foo` are one parameter and iteration order is the path order paging relies on.
#[derive(Debug, Default)]
pub struct Catalog {
    pub parameters: BTreeMap<String, Parameter>,
}

pub struct Store {
    namespaces: DashMap<Namespace, Arc<RwLock<Catalog>>>,
    max_namespaces: usize,
}

impl Default for Store {
    fn default() -> Self {
        Store::new(usize::MAX)
    }
}

impl Store {
    /// A store that holds parameters for at most `max_namespaces` namespaces.
    pub fn new(max_namespaces: usize) -> Self {
        Store {
            namespaces: DashMap::new(),
            max_namespaces,
        }
    }

    fn existing(&self, ns: &Namespace) -> Option<Arc<RwLock<Catalog>>> {
        self.namespaces.get(ns).map(|c| c.clone())
    }

    /// Runs `f` with the namespace's catalog read-locked; an unknown namespace reads as
    /// an empty catalog and allocates nothing.
    pub fn read<T>(&self, ns: &Namespace, f: impl FnOnce(&Catalog) -> T) -> T {
        match self.existing(ns) {
            Some(catalog) => f(&catalog.read()),
            None => f(&Catalog::default()),
        }
    }

    /// Runs `f` with the namespace's catalog write-locked.
    ///
    /// Only a write that leaves a parameter behind creates a namespace: the first write to
    /// an unknown one runs on a fresh catalog, kept only if it is no longer empty (a
    /// delete under a new access key allocates nothing) and refused with
    /// `ParameterLimitExceeded` when the store is full. The map entry stays locked
    /// meanwhile, so two first writes to one namespace cannot both create it.
    pub fn write<T>(&self, ns: &Namespace, f: impl FnOnce(&mut Catalog) -> Result<T>) -> Result<T> {
        if let Some(catalog) = self.existing(ns) {
            return f(&mut catalog.write());
        }
        // Counted before the entry is taken: `len` locks every shard, the entry one.
        let full = self.namespaces.len() >= self.max_namespaces;
        match self.namespaces.entry(ns.clone()) {
            Entry::Occupied(entry) => {
                let catalog = entry.get().clone();
                drop(entry);
                let mut guard = catalog.write();
                f(&mut guard)
            }
            Entry::Vacant(entry) => {
                let mut catalog = Catalog::default();
                let out = f(&mut catalog)?;
                if catalog.parameters.is_empty() {
                    return Ok(out);
                }
                if full {
                    return Err(SsmError::ParameterLimitExceeded(format!(
                        "The emulator holds parameters for at most {} access key and region \
                         pairs (--max-namespaces).",
                        self.max_namespaces
                    )));
                }
                entry.insert(Arc::new(RwLock::new(catalog)));
                Ok(out)
            }
        }
    }

    /// How many namespaces hold parameters (or held some).
    pub fn namespace_count(&self) -> usize {
        self.namespaces.len()
    }

    pub fn reset(&self) {
        self.namespaces.clear();
    }
}

/// The catalog key of a name: without its leading slash.
pub fn key_of(name: &str) -> &str {
    name.strip_prefix('/').unwrap_or(name)
}
