//! [`DynamoDbCache`]: the distributed cache on a DynamoDB table, item-compatible with the
//! AWS .NET provider (`AWS.AspNetCore.DistributedCacheProvider`).

mod builder;
mod startup;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use tokio::sync::OnceCell;

pub use builder::DynamoDbCacheBuilder;

use crate::cache::DistributedCache;
use crate::clock::{unix_nanos, Clock};
use crate::entry::{is_expired, ttl, EntryOptions, Expiry};
use crate::error::{CacheError, KeyDigest, Operation};
use crate::item::{partition_key_value, NewItem, StoredItem, DEFLATE, MAX_ITEM_SIZE};

/// Whether large values are compressed before they are stored.
///
/// Off by default: a .NET reader knows nothing of compression and would hand the compressed
/// bytes to the application. Turn it on only when every reader of the table is this crate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    #[default]
    Off,
    /// DEFLATE values of at least `min_size` bytes, and keep the result only if it is
    /// smaller. Compressed items carry `value_encoding = "deflate"`.
    Deflate { min_size: usize },
}

/// A decompressed value larger than this is treated as corrupt rather than allocated: a
/// 400 KB item cannot hold an honest value much larger than a few tens of megabytes.
const MAX_DECOMPRESSED_SIZE: usize = 64 * 1024 * 1024;

/// Values at least this large are (de)compressed on tokio's blocking pool: DEFLATE of a
/// few hundred KB takes milliseconds, long enough to stall every other task on an async
/// worker. Smaller ones are quicker than the hand-off.
const BLOCKING_CODEC_SIZE: usize = 32 * 1024;

/// A distributed cache on a DynamoDB table. Cheap to clone; clones share the table
/// resolution done at first use.
#[derive(Clone)]
pub struct DynamoDbCache {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    table: String,
    create_table: bool,
    consistent_reads: bool,
    partition_key_name: Option<String>,
    partition_key_prefix: Option<String>,
    ttl_attribute_name: Option<String>,
    default_entry_options: EntryOptions,
    compression: Compression,
    clock: Arc<dyn Clock>,
    table_poll_interval: Duration,
    /// How long start-up waits for a table to become ACTIVE before it gives up.
    table_active_timeout: Duration,
    /// The names in use, found out once at first use (retried until it succeeds).
    schema: OnceCell<Schema>,
}

#[derive(Clone, Debug)]
struct Schema {
    partition_key: String,
    ttl_attribute: String,
}

/// Outcome of the conditional write behind [`DynamoDbCache::set_if_absent`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    Yes,
    /// An item (expired or not) already holds this key.
    AlreadyExists,
}

impl DynamoDbCache {
    pub fn builder(client: Client) -> DynamoDbCacheBuilder {
        DynamoDbCacheBuilder::new(client)
    }

    /// A builder whose client is configured from the environment (region, credentials,
    /// `AWS_ENDPOINT_URL`, ...), see [`crate::sdk_config_from_env`].
    pub async fn builder_from_env() -> DynamoDbCacheBuilder {
        let config = crate::sdk_config_from_env().await;
        DynamoDbCacheBuilder::new(Client::new(&config))
    }

    pub fn table_name(&self) -> &str {
        &self.inner.table
    }

    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    pub fn default_entry_options(&self) -> &EntryOptions {
        &self.inner.default_entry_options
    }

    /// The cache's idea of now (the injected clock).
    pub fn now(&self) -> std::time::SystemTime {
        self.inner.clock.now()
    }

    /// The partition key attribute name, resolving the table first if needed.
    pub async fn partition_key_name(&self) -> Result<String, CacheError> {
        Ok(self.schema().await?.partition_key.clone())
    }

    /// The TTL attribute name, resolving the table first if needed.
    pub async fn ttl_attribute_name(&self) -> Result<String, CacheError> {
        Ok(self.schema().await?.ttl_attribute.clone())
    }

    /// Runs the startup checks now instead of at the first call.
    pub async fn ensure_ready(&self) -> Result<(), CacheError> {
        self.schema().await.map(|_| ())
    }

    /// `set` with the cache's default entry options.
    pub async fn set_default(&self, key: &str, value: &[u8]) -> Result<(), CacheError> {
        self.set(key, value, &self.inner.default_entry_options.clone())
            .await
    }

    /// Writes the entry only if no item holds the key yet (a conditional PutItem).
    pub async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        options: &EntryOptions,
    ) -> Result<Inserted, CacheError> {
        self.put(key, value, options, true).await
    }

    async fn schema(&self) -> Result<&Schema, CacheError> {
        self.inner
            .schema
            .get_or_try_init(|| startup::resolve(&self.inner))
            .await
    }

    fn key_attribute(&self, schema: &Schema, key: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([(
            schema.partition_key.clone(),
            AttributeValue::S(partition_key_value(
                key,
                self.inner.partition_key_prefix.as_deref(),
            )),
        )])
    }

    fn aws_error<E>(&self, operation: Operation, key: &str, err: SdkError<E>) -> CacheError
    where
        aws_sdk_dynamodb::Error: From<SdkError<E>>,
    {
        CacheError::Aws {
            operation,
            table: self.inner.table.clone(),
            key: Some(KeyDigest::of(key)),
            source: Box::new(err.into()),
        }
    }

    async fn put(
        &self,
        key: &str,
        value: &[u8],
        options: &EntryOptions,
        only_if_absent: bool,
    ) -> Result<Inserted, CacheError> {
        let schema = self.schema().await?;
        let expiry = Expiry::for_new_entry(options, self.inner.clock.now())?;
        let (value, compressed) = self.encode(value).await;
        let item = NewItem {
            partition_key: (
                &schema.partition_key,
                partition_key_value(key, self.inner.partition_key_prefix.as_deref()),
            ),
            ttl_attribute: &schema.ttl_attribute,
            value,
            compressed,
            expiry,
        };
        let size = item.size();
        if size > MAX_ITEM_SIZE {
            return Err(CacheError::ItemTooLarge {
                key: KeyDigest::of(key),
                size,
                limit: MAX_ITEM_SIZE,
            });
        }
        let mut request = self
            .inner
            .client
            .put_item()
            .table_name(&self.inner.table)
            .set_item(Some(item.into_attributes()));
        if only_if_absent {
            request = request
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", &schema.partition_key);
        }
        match request.send().await {
            Ok(_) => Ok(Inserted::Yes),
            Err(err)
                if only_if_absent
                    && err
                        .as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(Inserted::AlreadyExists)
            }
            Err(err) => Err(self.aws_error(Operation::PutItem, key, err)),
        }
    }

    /// The bytes to store and whether they are compressed.
    async fn encode(&self, value: &[u8]) -> (Vec<u8>, bool) {
        let Compression::Deflate { min_size } = self.inner.compression else {
            return (value.to_vec(), false);
        };
        if value.len() < min_size {
            return (value.to_vec(), false);
        }
        let value = value.to_vec();
        let deflate = |value: Vec<u8>| {
            let compressed = miniz_oxide::deflate::compress_to_vec(&value, 6);
            if compressed.len() < value.len() {
                (compressed, true)
            } else {
                (value, false)
            }
        };
        if value.len() < BLOCKING_CODEC_SIZE {
            return deflate(value);
        }
        let copy = value.clone();
        // A panic in the blocking task only costs the compression.
        tokio::task::spawn_blocking(move || deflate(copy))
            .await
            .unwrap_or((value, false))
    }

    async fn decode(&self, key: &str, item: StoredItem) -> Result<Vec<u8>, CacheError> {
        let corrupt = |reason: String| CacheError::Corrupt {
            key: KeyDigest::of(key),
            reason,
        };
        match item.encoding.as_deref() {
            None => Ok(item.value),
            Some(DEFLATE) => {
                let inflate = |value: Vec<u8>| {
                    miniz_oxide::inflate::decompress_to_vec_with_limit(
                        &value,
                        MAX_DECOMPRESSED_SIZE,
                    )
                    .map_err(|e| format!("DEFLATE data does not decompress ({:?})", e.status))
                };
                let inflated = if item.value.len() < BLOCKING_CODEC_SIZE {
                    inflate(item.value)
                } else {
                    let value = item.value;
                    tokio::task::spawn_blocking(move || inflate(value))
                        .await
                        .unwrap_or_else(|e| Err(format!("decompression failed ({e})")))
                };
                inflated.map_err(corrupt)
            }
            Some(other) => Err(corrupt(format!("unknown value encoding '{other}'"))),
        }
    }

    /// Get and Refresh: read the item, hide it if expired, push its TTL if it slides.
    async fn get_and_refresh(&self, key: &str) -> Result<Option<StoredItem>, CacheError> {
        let schema = self.schema().await?;
        let response = self
            .inner
            .client
            .get_item()
            .table_name(&self.inner.table)
            .set_key(Some(self.key_attribute(schema, key)))
            .consistent_read(self.inner.consistent_reads)
            .send()
            .await;
        let item = match response {
            Ok(output) => output.item,
            Err(err) => {
                let err = self.aws_error(Operation::GetItem, key, err);
                return match err.aws_error() {
                    // As in .NET: a missing table reads as a missing entry.
                    Some(aws_sdk_dynamodb::Error::ResourceNotFoundException(_)) => Ok(None),
                    _ => Err(err),
                };
            }
        };
        let Some(item) = item.and_then(|item| StoredItem::parse(item, &schema.ttl_attribute))
        else {
            return Ok(None);
        };
        let now = self.inner.clock.now();
        // DynamoDB deletes expired items lazily (within days), so expiry is checked here.
        if item.ttl.is_some_and(|t| is_expired(t, now)) {
            return Ok(None);
        }
        if let (Some(window), Some(_)) = (item.window, item.ttl) {
            match item.deadline {
                // Only a hand-made item can have a passed deadline but a live TTL; .NET
                // throws from deep inside Get there. Leaving the TTL alone is kinder.
                Some(deadline) if is_expired(deadline, now) => {}
                deadline => self.move_ttl(schema, key, &item, window, deadline).await,
            }
        }
        Ok(Some(item))
    }

    /// Slides the TTL of the entry that was read, and of no other: the update requires
    /// the item to still hold the TTL, window and deadline it was read with, so it cannot
    /// extend an entry that another instance has written since (which keeps its own
    /// expiry), nor bring back one that was removed (no "ghost" key-and-TTL item, as the
    /// .NET provider's unconditional update can leave). Expiry is checked again with a
    /// fresh "now" just before the update: with the TTL pinned to the value read, that is
    /// the check DynamoDB itself would make, so an entry that expired since the read is
    /// left to expire. A failed refresh is logged; the read still succeeds.
    async fn move_ttl(
        &self,
        schema: &Schema,
        key: &str,
        item: &StoredItem,
        window: crate::timespan::TimeSpan,
        deadline: Option<i64>,
    ) {
        let digest = KeyDigest::of(key);
        let (Some(current), Some(raw_ttl), Some(raw_window)) =
            (item.ttl, item.raw.ttl.clone(), item.raw.window.clone())
        else {
            return;
        };
        let now = self.inner.clock.now();
        if is_expired(current, now) {
            tracing::debug!(key = %digest, "entry expired before its TTL could be moved");
            return;
        }
        let Some(new_ttl) = ttl(unix_nanos(now), Some(window), deadline) else {
            return;
        };
        let mut request = self
            .inner
            .client
            .update_item()
            .table_name(&self.inner.table)
            .set_key(Some(self.key_attribute(schema, key)))
            .update_expression("SET #ttl = :ttl")
            .expression_attribute_names("#ttl", &schema.ttl_attribute)
            .expression_attribute_names("#w", crate::item::TTL_WINDOW)
            .expression_attribute_values(":ttl", AttributeValue::N(new_ttl.to_string()))
            .expression_attribute_values(":read_ttl", raw_ttl)
            .expression_attribute_values(":read_w", raw_window);
        let deadline_condition = match item.raw.deadline.clone() {
            None => "attribute_not_exists(#d)",
            Some(AttributeValue::Null(_)) => {
                request = request
                    .expression_attribute_values(":null", AttributeValue::S("NULL".to_owned()));
                "attribute_type(#d, :null)"
            }
            Some(raw) => {
                request = request.expression_attribute_values(":read_d", raw);
                "#d = :read_d"
            }
        };
        let result = request
            .expression_attribute_names("#d", crate::item::TTL_DEADLINE)
            .condition_expression(format!(
                "#ttl = :read_ttl AND #w = :read_w AND {deadline_condition}"
            ))
            .send()
            .await;
        match result {
            Ok(_) => tracing::debug!(key = %digest, current, new_ttl, "moved the TTL"),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                tracing::debug!(
                    key = %digest,
                    "entry removed or replaced before its TTL could be moved"
                );
            }
            Err(err) => {
                let err = self.aws_error(Operation::UpdateItem, key, err);
                tracing::warn!(
                    "cache failed to update the TTL after reading the item; still returning it: {err}"
                );
            }
        }
    }
}

impl DistributedCache for DynamoDbCache {
    type Error = CacheError;

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        match self.get_and_refresh(key).await? {
            Some(item) => self.decode(key, item).await.map(Some),
            None => Ok(None),
        }
    }

    async fn set(&self, key: &str, value: &[u8], options: &EntryOptions) -> Result<(), CacheError> {
        self.put(key, value, options, false).await.map(|_| ())
    }

    async fn refresh(&self, key: &str) -> Result<(), CacheError> {
        self.get_and_refresh(key).await.map(|_| ())
    }

    async fn remove(&self, key: &str) -> Result<(), CacheError> {
        let schema = self.schema().await?;
        let result = self
            .inner
            .client
            .delete_item()
            .table_name(&self.inner.table)
            .set_key(Some(self.key_attribute(schema, key)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => {
                let err = self.aws_error(Operation::DeleteItem, key, err);
                match err.aws_error() {
                    Some(aws_sdk_dynamodb::Error::ResourceNotFoundException(_)) => Ok(()),
                    _ => Err(err),
                }
            }
        }
    }
}

impl fmt::Debug for DynamoDbCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("DynamoDbCache")
            .field("table", &inner.table)
            .field("create_table", &inner.create_table)
            .field("consistent_reads", &inner.consistent_reads)
            .field("partition_key_name", &inner.partition_key_name)
            .field("partition_key_prefix", &inner.partition_key_prefix)
            .field("ttl_attribute_name", &inner.ttl_attribute_name)
            .field("default_entry_options", &inner.default_entry_options)
            .field("compression", &inner.compression)
            .field("clock", &crate::clock::DebugClock)
            .field("table_active_timeout", &inner.table_active_timeout)
            .field("schema", &inner.schema.get())
            .finish()
    }
}
