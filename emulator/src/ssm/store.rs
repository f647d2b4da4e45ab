//! Parameters per namespace, each with its version history and tags.
//!
//! One lock per namespace: an SSM request touches a handful of parameters of one caller, and
//! GetParametersByPath wants a consistent sorted view, so a per-namespace `RwLock` over a
//! `BTreeMap` is both simple and enough. Different namespaces never wait on each other.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use dashmap::DashMap;

use super::crypto::StoredValue;
use super::model::{DataType, ParameterType, Tier};
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

#[derive(Default)]
pub struct Store {
    namespaces: DashMap<Namespace, Arc<RwLock<Catalog>>>,
}

impl Store {
    fn catalog(&self, ns: &Namespace) -> Arc<RwLock<Catalog>> {
        if let Some(c) = self.namespaces.get(ns) {
            return c.clone();
        }
        self.namespaces.entry(ns.clone()).or_default().clone()
    }

    /// Runs `f` with the namespace's catalog read-locked.
    pub fn read<T>(&self, ns: &Namespace, f: impl FnOnce(&Catalog) -> T) -> T {
        let catalog = self.catalog(ns);
        let guard: RwLockReadGuard<'_, Catalog> = catalog
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&guard)
    }

    /// Runs `f` with the namespace's catalog write-locked.
    pub fn write<T>(&self, ns: &Namespace, f: impl FnOnce(&mut Catalog) -> T) -> T {
        let catalog = self.catalog(ns);
        let mut guard: RwLockWriteGuard<'_, Catalog> = catalog
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    pub fn reset(&self) {
        self.namespaces.clear();
    }
}

/// The catalog key of a name: without its leading slash.
pub fn key_of(name: &str) -> &str {
    name.strip_prefix('/').unwrap_or(name)
}
