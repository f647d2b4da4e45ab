//! DynamoDB-backed distributed cache and tower-sessions store.
//!
//! - [`DynamoDbCache`] implements [`DistributedCache`] on a DynamoDB table with exactly the
//!   item layout, expiry maths and startup checks of the AWS .NET provider
//!   (`AWS.AspNetCore.DistributedCacheProvider`), so .NET and Rust services can share a
//!   table: `{pk: "dc:{key}", value: B, ttl_date: N|NULL, ttl_window: S|NULL,
//!   ttl_deadline: N|NULL}`.
//! - [`DynamoDbSessionStore`] is a `tower_sessions::SessionStore` on top of it.
//!
//! - [`keyring`] is a data-protection key ring compatible with ASP.NET Core (XML key
//!   repositories in DynamoDB, SSM Parameter Store or files; ASP.NET Core's payload format),
//!   and a layer that protects tower-sessions cookies with it.
//!
//! Where this crate deliberately differs from the .NET provider (each keeps the table
//! compatible): a refresh only moves the TTL of the very entry it read (same TTL, window and
//! deadline, not yet expired); values too large for an item fail before any request; an
//! optional DEFLATE compression marks its items; errors and logs name keys by a short hash
//! ([`KeyDigest`]), never by the key, which for sessions is the session id.

mod aws;
mod cache;
mod clock;
mod dynamodb;
mod entry;
mod error;
mod item;
pub mod keyring;
mod sessions;
mod timespan;

pub use aws::{https_client, sdk_config_from_env};
pub use cache::DistributedCache;
pub use clock::{Clock, SystemClock};
pub use dynamodb::{Compression, DynamoDbCache, DynamoDbCacheBuilder, Inserted};
pub use entry::EntryOptions;
pub use error::{CacheError, InvalidTable, KeyDigest, Operation};
pub use item::{
    DEFAULT_PARTITION_KEY, DEFAULT_TTL_ATTRIBUTE, DEFLATE, MAX_ITEM_SIZE, TTL_DEADLINE, TTL_WINDOW,
    VALUE, VALUE_ENCODING,
};
pub use sessions::DynamoDbSessionStore;
pub use timespan::{ParseTimeSpanError, TimeSpan};
