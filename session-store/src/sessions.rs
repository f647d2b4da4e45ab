//! A `tower_sessions::SessionStore` on the DynamoDB cache.
//!
//! One session is one cache entry: key = the session id, value = the JSON of the
//! [`Record`], absolute expiration = the record's expiry date. The item's TTL lets
//! DynamoDB delete dead sessions by itself, which is why [`ExpiredDeletion`] is not
//! implemented: a table keyed by session id can only find expired sessions with a full
//! Scan, the pattern this store exists to avoid.
//!
//! [`ExpiredDeletion`]: tower_sessions_core::ExpiredDeletion

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store::{Error, Result};
use tower_sessions_core::SessionStore;

use crate::cache::DistributedCache;
use crate::dynamodb::{DynamoDbCache, Inserted};
use crate::entry::EntryOptions;

/// How many fresh ids `create` tries before giving up. With 128-bit random ids a single
/// collision is already a near-impossibility; the bound only keeps a broken id source
/// (or a table full of junk) from looping forever.
const CREATE_ATTEMPTS: usize = 8;

#[derive(Clone, Debug)]
pub struct DynamoDbSessionStore {
    cache: DynamoDbCache,
    rebase_expiry: bool,
}

impl DynamoDbSessionStore {
    pub fn new(cache: DynamoDbCache) -> DynamoDbSessionStore {
        DynamoDbSessionStore {
            cache,
            rebase_expiry: false,
        }
    }

    /// tower-sessions computes expiry dates from the system clock, while this store judges
    /// expiry by the cache's clock. In production both are the system clock. A test that
    /// moves the cache's clock (with the emulator's) turns this on so that session
    /// lifetimes are measured on the cache's clock: each record's expiry is shifted by
    /// (cache clock - system clock) when stored, and shifted back when loaded.
    pub fn rebase_expiry_on_cache_clock(mut self, rebase: bool) -> DynamoDbSessionStore {
        self.rebase_expiry = rebase;
        self
    }

    pub fn cache(&self) -> &DynamoDbCache {
        &self.cache
    }

    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from(self.cache.now())
    }

    /// How far the cache's clock is ahead of the system clock, if rebasing is on.
    fn skew(&self) -> time::Duration {
        if self.rebase_expiry {
            self.now() - OffsetDateTime::now_utc()
        } else {
            time::Duration::ZERO
        }
    }

    /// The record as stored: its expiry on the cache's clock.
    fn rebased(&self, record: &Record) -> Record {
        let mut stored = record.clone();
        stored.expiry_date = record.expiry_date.saturating_add(self.skew());
        stored
    }

    /// The cache entry options for a record, `None` if the record has already expired
    /// (by the cache's clock, the same one `load` judges by).
    fn entry_options(&self, record: &Record) -> Option<EntryOptions> {
        (record.expiry_date > self.now())
            .then(|| EntryOptions::new().absolute(record.expiry_date.into()))
    }
}

fn encode(record: &Record) -> Result<Vec<u8>> {
    serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))
}

fn backend(err: crate::CacheError) -> Error {
    Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DynamoDbSessionStore {
    /// A conditional put: an existing session is never overwritten; on a collision the
    /// record gets a new id and the put is tried again.
    async fn create(&self, record: &mut Record) -> Result<()> {
        let mut stored = self.rebased(record);
        let Some(options) = self.entry_options(&stored) else {
            // Born expired: storing it would only leave an item for the sweeper.
            return Ok(());
        };
        for _ in 0..CREATE_ATTEMPTS {
            stored.id = record.id;
            let value = encode(&stored)?;
            let key = record.id.to_string();
            match self.cache.set_if_absent(&key, &value, &options).await {
                Ok(Inserted::Yes) => return Ok(()),
                Ok(Inserted::AlreadyExists) => {
                    tracing::warn!("session id collision; retrying with a new id");
                    record.id = Id::default();
                }
                Err(err) => return Err(backend(err)),
            }
        }
        Err(Error::Backend(format!(
            "could not find a free session id in {CREATE_ATTEMPTS} attempts"
        )))
    }

    /// Writes the record with the expiry the session layer computed; a record that has
    /// already expired is removed instead, as `load` would never return it.
    async fn save(&self, record: &Record) -> Result<()> {
        let key = record.id.to_string();
        let stored = self.rebased(record);
        match self.entry_options(&stored) {
            Some(options) => self.cache.set(&key, &encode(&stored)?, &options).await,
            None => self.cache.remove(&key).await,
        }
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(value) = self.cache.get(&id.to_string()).await.map_err(backend)? else {
            return Ok(None);
        };
        let mut record: Record =
            serde_json::from_slice(&value).map_err(|e| Error::Decode(e.to_string()))?;
        // The TTL is whole seconds; the record's own expiry is exact.
        if record.id != *id || record.expiry_date <= self.now() {
            return Ok(None);
        }
        record.expiry_date = record.expiry_date.saturating_sub(self.skew());
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.cache.remove(&id.to_string()).await.map_err(backend)
    }
}
