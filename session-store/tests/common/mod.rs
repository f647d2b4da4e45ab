//! Shared set-up for the integration tests: an in-process emulator, a cache whose clock is
//! the emulator's clock, and raw item access to check what the cache really stored.
#![allow(dead_code)]

pub mod browser;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;
use emulator::harness::TestEmulator;
use session_store::{DynamoDbCache, DynamoDbCacheBuilder};

pub const TABLE: &str = "cache";

/// The emulator's clock as a cache clock: moving one moves the other.
pub fn emulator_clock(emu: &TestEmulator) -> impl Fn() -> SystemTime + Send + Sync + 'static {
    let clock = emu.clock().clone();
    move || UNIX_EPOCH + Duration::from_millis(clock.now_millis() as u64)
}

/// Emulator time in whole seconds, the unit of the stored attributes.
pub fn emulator_seconds(emu: &TestEmulator) -> i64 {
    emu.clock().now_millis().div_euclid(1000)
}

/// A builder on the emulator for `TABLE`, with the emulator's clock.
pub fn builder(emu: &TestEmulator) -> DynamoDbCacheBuilder {
    DynamoDbCache::builder(emu.dynamodb_client())
        .table_name(TABLE)
        .clock(emulator_clock(emu))
        .table_poll_interval(Duration::from_millis(50))
}

/// A cache that creates `TABLE` (hash key `id`, TTL on `ttl_date`) at first use.
pub async fn cache(emu: &TestEmulator) -> DynamoDbCache {
    let cache = builder(emu)
        .create_table_if_not_exists(true)
        .build()
        .unwrap();
    cache.ensure_ready().await.unwrap();
    cache
}

pub async fn create_table(
    client: &Client,
    table: &str,
    keys: &[(&str, KeyType, ScalarAttributeType)],
) {
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest);
    for (name, key_type, attribute_type) in keys {
        request = request
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(*name)
                    .key_type(key_type.clone())
                    .build()
                    .unwrap(),
            )
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(*name)
                    .attribute_type(attribute_type.clone())
                    .build()
                    .unwrap(),
            );
    }
    request.send().await.unwrap();
}

pub async fn enable_ttl(client: &Client, table: &str, attribute: &str) {
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(attribute)
                .enabled(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// The item as stored, read around the cache.
pub async fn raw_item(
    client: &Client,
    table: &str,
    pk: (&str, &str),
) -> Option<HashMap<String, AttributeValue>> {
    client
        .get_item()
        .table_name(table)
        .key(pk.0, AttributeValue::S(pk.1.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

pub async fn stored(emu: &TestEmulator, key: &str) -> HashMap<String, AttributeValue> {
    raw_item(&emu.dynamodb_client(), TABLE, ("id", &format!("dc:{key}")))
        .await
        .unwrap_or_else(|| panic!("no item for dc:{key}"))
}

pub fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn null() -> AttributeValue {
    AttributeValue::Null(true)
}

pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// An item written by hand in the .NET layout, as the .NET integration tests do.
pub async fn manual_put(
    emu: &TestEmulator,
    key: &str,
    value: &[u8],
    ttl: AttributeValue,
    deadline: AttributeValue,
    window: AttributeValue,
) {
    emu.dynamodb_client()
        .put_item()
        .table_name(TABLE)
        .item("id", s(&format!("dc:{key}")))
        .item("value", AttributeValue::B(Blob::new(value)))
        .item("ttl_date", ttl)
        .item("ttl_deadline", deadline)
        .item("ttl_window", window)
        .send()
        .await
        .unwrap();
}

/// Records the `X-Amz-Target` operation of every request a client sends.
#[derive(Clone, Debug, Default)]
pub struct OperationLog(Arc<Mutex<Vec<String>>>);

impl OperationLog {
    pub fn operations(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// A copy of `client` that records into this log.
    pub fn attach(&self, client: &Client) -> Client {
        Client::from_conf(
            client
                .config()
                .to_builder()
                .interceptor(self.clone())
                .build(),
        )
    }
}

impl Intercept for OperationLog {
    fn name(&self) -> &'static str {
        "OperationLog"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
        self.0.lock().unwrap().push(operation);
        Ok(())
    }
}
