use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::Client;
use tokio::sync::OnceCell;

use super::{Compression, DynamoDbCache, Inner};
use crate::clock::{Clock, SystemClock};
use crate::entry::EntryOptions;
use crate::error::CacheError;

/// The options of `DynamoDBDistributedCacheOptions`, plus the Rust-only ones (clock,
/// compression, retry configuration).
pub struct DynamoDbCacheBuilder {
    client: Client,
    table: Option<String>,
    create_table: bool,
    consistent_reads: bool,
    partition_key_name: Option<String>,
    partition_key_prefix: Option<String>,
    ttl_attribute_name: Option<String>,
    default_entry_options: EntryOptions,
    compression: Compression,
    clock: Arc<dyn Clock>,
    retry_config: Option<RetryConfig>,
    table_poll_interval: Duration,
    table_active_timeout: Duration,
}

impl DynamoDbCacheBuilder {
    pub fn new(client: Client) -> DynamoDbCacheBuilder {
        DynamoDbCacheBuilder {
            client,
            table: None,
            create_table: false,
            consistent_reads: true,
            partition_key_name: None,
            partition_key_prefix: None,
            ttl_attribute_name: None,
            default_entry_options: EntryOptions::default(),
            compression: Compression::Off,
            clock: Arc::new(SystemClock),
            retry_config: None,
            table_poll_interval: Duration::from_secs(5),
            table_active_timeout: Duration::from_secs(300),
        }
    }

    /// Required.
    pub fn table_name(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// Create the table (on-demand billing, TTL enabled) at first use if it is missing.
    /// Default false.
    pub fn create_table_if_not_exists(mut self, create: bool) -> Self {
        self.create_table = create;
        self
    }

    /// Strongly consistent GetItem. Default true: another server's write is seen at once.
    pub fn consistent_reads(mut self, consistent: bool) -> Self {
        self.consistent_reads = consistent;
        self
    }

    /// The hash key attribute. Unset: read from the table (`id` for a table the cache
    /// creates). Setting it together with [`Self::ttl_attribute_name`] (and no table
    /// creation) means no control-plane call at all, so the IAM policy may allow only
    /// GetItem, PutItem, UpdateItem and DeleteItem.
    pub fn partition_key_name(mut self, name: impl Into<String>) -> Self {
        self.partition_key_name = Some(name.into()).filter(|n| !n.is_empty());
        self
    }

    /// Keys are stored as `{prefix}:dc:{key}` instead of `dc:{key}`.
    pub fn partition_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.partition_key_prefix = Some(prefix.into()).filter(|p| !p.is_empty());
        self
    }

    /// The TTL attribute. Unset: read with DescribeTimeToLive (`ttl_date` if the table
    /// has none).
    pub fn ttl_attribute_name(mut self, name: impl Into<String>) -> Self {
        self.ttl_attribute_name = Some(name.into()).filter(|n| !n.is_empty());
        self
    }

    /// Used by [`DynamoDbCache::set_default`].
    pub fn default_entry_options(mut self, options: EntryOptions) -> Self {
        self.default_entry_options = options;
        self
    }

    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Where the cache reads "now" for expiry; the system clock by default.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Replaces the client's retry configuration (throttling is retried with backoff by
    /// the SDK's standard retry strategy).
    pub fn retry_config(mut self, retry: RetryConfig) -> Self {
        self.retry_config = Some(retry);
        self
    }

    /// How often to poll DescribeTable while a created table is not yet ACTIVE (5 s, as
    /// the .NET provider does).
    pub fn table_poll_interval(mut self, interval: Duration) -> Self {
        self.table_poll_interval = interval;
        self
    }

    /// How long start-up waits for a table it created (or saw being created) to become
    /// ACTIVE; 5 minutes by default. Every cache call waits on start-up, so without a
    /// bound a table stuck in CREATING would hang them all.
    pub fn table_active_timeout(mut self, timeout: Duration) -> Self {
        self.table_active_timeout = timeout;
        self
    }

    /// Builds the cache without any request: the table is checked at first use.
    pub fn build(self) -> Result<DynamoDbCache, CacheError> {
        let table = self
            .table
            .filter(|t| !t.is_empty())
            .ok_or(CacheError::Config("a table name is required"))?;
        let client = match self.retry_config {
            Some(retry) => Client::from_conf(
                self.client
                    .config()
                    .to_builder()
                    .retry_config(retry)
                    .build(),
            ),
            None => self.client,
        };
        Ok(DynamoDbCache {
            inner: Arc::new(Inner {
                client,
                table,
                create_table: self.create_table,
                consistent_reads: self.consistent_reads,
                partition_key_name: self.partition_key_name,
                partition_key_prefix: self.partition_key_prefix,
                ttl_attribute_name: self.ttl_attribute_name,
                default_entry_options: self.default_entry_options,
                compression: self.compression,
                clock: self.clock,
                table_poll_interval: self.table_poll_interval,
                table_active_timeout: self.table_active_timeout,
                schema: OnceCell::new(),
            }),
        })
    }
}
