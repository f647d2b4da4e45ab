//! Typed errors: each says what failed, where, and why.

use std::fmt;

use aws_sdk_dynamodb::error::DisplayErrorContext;

/// The DynamoDB call that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    GetItem,
    PutItem,
    UpdateItem,
    DeleteItem,
    DescribeTable,
    CreateTable,
    UpdateTimeToLive,
    DescribeTimeToLive,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Why a table cannot serve as a cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvalidTable {
    /// The table does not exist and creating it is turned off.
    NotFound,
    /// The key schema has a sort (RANGE) key.
    RangeKey { attribute: String },
    /// The hash key is not of type S.
    HashKeyNotString {
        attribute: String,
        attribute_type: String,
    },
    /// The key schema has no hash key at all.
    NoHashKey,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The builder was given options that cannot work together.
    #[error("invalid cache configuration: {0}")]
    Config(&'static str),

    /// The table exists in a shape the cache cannot use, or does not exist.
    #[error("{}", invalid_table_message(.table, .reason))]
    InvalidTable { table: String, reason: InvalidTable },

    /// `absolute_expiration` had already passed when the entry was written.
    #[error("AbsoluteExpiration must be in the future.")]
    AbsoluteExpirationInPast,

    /// Entry options that .NET's `DistributedCacheEntryOptions` refuses.
    #[error("{0}")]
    InvalidEntryOptions(&'static str),

    /// The item would exceed DynamoDB's 400 KB limit; nothing was sent.
    #[error(
        "value for key {key} does not fit in a DynamoDB item: the item would be {size} bytes, \
         the limit is {limit} bytes"
    )]
    ItemTooLarge {
        key: KeyDigest,
        size: usize,
        limit: usize,
    },

    /// A stored item the cache cannot decode (unknown value encoding, corrupt compression).
    #[error("stored value for key {key} cannot be decoded: {reason}")]
    Corrupt { key: KeyDigest, reason: String },

    /// DynamoDB refused or could not be reached. `key` is `None` for startup calls.
    #[error("{operation} failed{} on table {table}: {}", key_part(.key), DisplayErrorContext(.source.as_ref()))]
    Aws {
        operation: Operation,
        table: String,
        key: Option<KeyDigest>,
        source: Box<aws_sdk_dynamodb::Error>,
    },

    /// A table the cache created (or saw being created) was not ACTIVE in time.
    #[error(
        "table {table} did not become ACTIVE within {} s (last status: {})",
        .waited.as_secs_f64(),
        .last_status.as_deref().unwrap_or("none")
    )]
    TableNotActive {
        table: String,
        waited: std::time::Duration,
        last_status: Option<String>,
    },
}

/// A cache key as errors and logs show it: a short hash, never the key itself, because
/// for sessions the key is the session id, a bearer secret, and tower-sessions logs
/// store errors. The same key always gives the same digest (in every process), so log
/// lines can still be correlated; 32 bits say nothing useful about a random session id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyDigest(u32);

impl KeyDigest {
    /// FNV-1a (64 bits, folded to 32): stable across processes and releases, unlike
    /// std's `DefaultHasher`; not a secret-keeping hash, which a digest this short
    /// never is anyway.
    pub fn of(key: &str) -> KeyDigest {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in key.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        KeyDigest((hash ^ (hash >> 32)) as u32)
    }
}

impl fmt::Display for KeyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:08x}", self.0)
    }
}

impl fmt::Debug for KeyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyDigest({self})")
    }
}

impl CacheError {
    /// The service error behind an [`CacheError::Aws`], to tell throttling from the rest.
    pub fn aws_error(&self) -> Option<&aws_sdk_dynamodb::Error> {
        match self {
            CacheError::Aws { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn key_part(key: &Option<KeyDigest>) -> String {
    key.as_ref()
        .map(|k| format!(" for key {k}"))
        .unwrap_or_default()
}

/// The .NET provider's `InvalidTableException` messages, so operators see the same text.
fn invalid_table_message(table: &str, reason: &InvalidTable) -> String {
    const REQUIREMENT: &str = "Cache requires a non-composite Hash key of type String.";
    match reason {
        InvalidTable::NotFound => {
            format!("Table {table} was not found to be used as cache and autocreate is turned off.")
        }
        InvalidTable::RangeKey { attribute } => format!(
            "Table {table} cannot be used as a cache because it contains a range key in its \
             schema ({attribute}). {REQUIREMENT}"
        ),
        InvalidTable::HashKeyNotString {
            attribute,
            attribute_type,
        } => format!(
            "Table {table} cannot be used as a cache because hash key is not a string \
             ({attribute} is of type {attribute_type}). {REQUIREMENT}"
        ),
        InvalidTable::NoHashKey => format!(
            "Table {table} cannot be used as a cache because it has no hash key. {REQUIREMENT}"
        ),
    }
}
