//! The .NET provider's table cases (DynamoDBTableCreator unit and integration tests) and
//! the least-privilege mode, against the in-process emulator.

mod common;

use aws_sdk_dynamodb::types::{BillingMode, KeyType, ScalarAttributeType, TimeToLiveStatus};
use common::*;
use emulator::harness::TestEmulator;
use session_store::{CacheError, DistributedCache, DynamoDbCache, EntryOptions, InvalidTable};

fn logged(emu: &TestEmulator, log: &OperationLog) -> session_store::DynamoDbCacheBuilder {
    DynamoDbCache::builder(log.attach(&emu.dynamodb_client()))
        .table_name(TABLE)
        .clock(emulator_clock(emu))
        .table_poll_interval(std::time::Duration::from_millis(50))
}

#[tokio::test]
async fn creates_a_missing_table_with_ttl() {
    let emu = TestEmulator::start();
    let log = OperationLog::default();
    let cache = logged(&emu, &log)
        .create_table_if_not_exists(true)
        .build()
        .unwrap();
    assert_eq!(cache.get("randomCacheKey").await.unwrap(), None);
    assert_eq!(
        log.operations(),
        [
            "DescribeTable",
            "CreateTable",
            "DescribeTable",
            "UpdateTimeToLive",
            "DescribeTimeToLive",
            "GetItem"
        ]
    );
    let client = emu.dynamodb_client();
    let table = client
        .describe_table()
        .table_name(TABLE)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    assert_eq!(table.key_schema().len(), 1);
    assert_eq!(table.key_schema()[0].attribute_name(), "id");
    assert_eq!(table.key_schema()[0].key_type(), &KeyType::Hash);
    assert_eq!(
        table.attribute_definitions()[0].attribute_type(),
        &ScalarAttributeType::S
    );
    assert_eq!(
        table.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    // Encrypted with an AWS owned key: no SSE description.
    assert!(table.sse_description().is_none());
    let ttl = client
        .describe_time_to_live()
        .table_name(TABLE)
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();
    assert_eq!(ttl.attribute_name(), Some("ttl_date"));
    assert!(matches!(
        ttl.time_to_live_status(),
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ));
    // Startup ran once: later calls are data plane only.
    cache.get("again").await.unwrap();
    assert_eq!(log.operations().last().map(String::as_str), Some("GetItem"));
    assert_eq!(log.operations().len(), 7);
}

#[tokio::test]
async fn creates_a_table_with_a_custom_partition_key() {
    let emu = TestEmulator::start();
    let cache = builder(&emu)
        .create_table_if_not_exists(true)
        .partition_key_name("MyKeyName")
        .build()
        .unwrap();
    cache.set("k", b"v", &EntryOptions::new()).await.unwrap();
    let table = emu
        .dynamodb_client()
        .describe_table()
        .table_name(TABLE)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    assert_eq!(table.key_schema().len(), 1);
    assert_eq!(table.key_schema()[0].attribute_name(), "MyKeyName");
    assert!(
        raw_item(&emu.dynamodb_client(), TABLE, ("MyKeyName", "dc:k"))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn creates_a_table_with_a_custom_ttl_attribute() {
    let emu = TestEmulator::start();
    let cache = builder(&emu)
        .create_table_if_not_exists(true)
        .ttl_attribute_name("MyTTLAttributeName")
        .build()
        .unwrap();
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new().relative(std::time::Duration::from_secs(60)),
        )
        .await
        .unwrap();
    let ttl = emu
        .dynamodb_client()
        .describe_time_to_live()
        .table_name(TABLE)
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();
    assert_eq!(ttl.attribute_name(), Some("MyTTLAttributeName"));
    let item = stored(&emu, "k").await;
    assert!(item.contains_key("MyTTLAttributeName"), "{item:?}");
    assert!(!item.contains_key("ttl_date"), "{item:?}");
    assert_eq!(
        cache.ttl_attribute_name().await.unwrap(),
        "MyTTLAttributeName"
    );
}

#[tokio::test]
async fn loads_a_valid_existing_table_without_creating() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(
        &client,
        TABLE,
        &[("id", KeyType::Hash, ScalarAttributeType::S)],
    )
    .await;
    let log = OperationLog::default();
    let cache = logged(&emu, &log).build().unwrap();
    assert_eq!(cache.get("randomCacheKey").await.unwrap(), None);
    assert_eq!(
        log.operations(),
        ["DescribeTable", "DescribeTimeToLive", "GetItem"]
    );
    // TTL is off on this table: the default attribute is used (and a warning logged).
    assert_eq!(cache.ttl_attribute_name().await.unwrap(), "ttl_date");
}

#[tokio::test]
async fn uses_the_real_hash_key_of_an_existing_table() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(
        &client,
        TABLE,
        &[("foobar", KeyType::Hash, ScalarAttributeType::S)],
    )
    .await;
    // Even with creation on and another key name configured, the table's key wins.
    let cache = builder(&emu)
        .create_table_if_not_exists(true)
        .partition_key_name("ignored")
        .build()
        .unwrap();
    cache.set("k", b"v", &EntryOptions::new()).await.unwrap();
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
    assert!(raw_item(&client, TABLE, ("foobar", "dc:k")).await.is_some());
}

#[tokio::test]
async fn loads_the_ttl_attribute_of_an_existing_table() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(
        &client,
        TABLE,
        &[("id", KeyType::Hash, ScalarAttributeType::S)],
    )
    .await;
    enable_ttl(&client, TABLE, "MyTTLAttributeName").await;
    let cache = builder(&emu).build().unwrap();
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new().relative(std::time::Duration::from_secs(60)),
        )
        .await
        .unwrap();
    let item = stored(&emu, "k").await;
    assert!(item.contains_key("MyTTLAttributeName"), "{item:?}");
    // And the emulator's sweeper honours it.
    emu.advance(std::time::Duration::from_secs(61));
    assert_eq!(cache.get("k").await.unwrap(), None);
    assert_eq!(emu.sweep(), 1);
}

#[tokio::test]
async fn a_missing_table_without_autocreate_is_an_invalid_table() {
    let emu = TestEmulator::start();
    let log = OperationLog::default();
    let cache = logged(&emu, &log).build().unwrap();
    let err = cache.get("k").await.unwrap_err();
    assert!(
        matches!(&err, CacheError::InvalidTable { table, reason: InvalidTable::NotFound } if table == TABLE),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Table cache was not found to be used as cache and autocreate is turned off."
    );
    assert_eq!(log.operations(), ["DescribeTable"]);
}

#[tokio::test]
async fn a_table_with_a_range_key_is_invalid() {
    let emu = TestEmulator::start();
    create_table(
        &emu.dynamodb_client(),
        TABLE,
        &[
            ("key", KeyType::Hash, ScalarAttributeType::S),
            ("key2", KeyType::Range, ScalarAttributeType::N),
        ],
    )
    .await;
    for create in [true, false] {
        let cache = builder(&emu)
            .create_table_if_not_exists(create)
            .build()
            .unwrap();
        let err = cache.get("").await.unwrap_err();
        assert!(
            matches!(&err, CacheError::InvalidTable { reason: InvalidTable::RangeKey { attribute }, .. } if attribute == "key2"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "Table cache cannot be used as a cache because it contains a range key in its \
             schema (key2). Cache requires a non-composite Hash key of type String."
        );
    }
}

#[tokio::test]
async fn a_table_with_a_non_string_hash_key_is_invalid() {
    let emu = TestEmulator::start();
    create_table(
        &emu.dynamodb_client(),
        TABLE,
        &[("key", KeyType::Hash, ScalarAttributeType::N)],
    )
    .await;
    for create in [true, false] {
        let cache = builder(&emu)
            .create_table_if_not_exists(create)
            .build()
            .unwrap();
        let err = cache
            .set("k", b"v", &EntryOptions::new())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, CacheError::InvalidTable { reason: InvalidTable::HashKeyNotString { attribute, attribute_type }, .. }
                if attribute == "key" && attribute_type == "N"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "Table cache cannot be used as a cache because hash key is not a string (key is \
             of type N). Cache requires a non-composite Hash key of type String."
        );
    }
}

#[tokio::test]
async fn least_privilege_mode_makes_no_control_plane_calls() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(
        &client,
        TABLE,
        &[("pk", KeyType::Hash, ScalarAttributeType::S)],
    )
    .await;
    enable_ttl(&client, TABLE, "expires").await;
    let log = OperationLog::default();
    let cache = logged(&emu, &log)
        .partition_key_name("pk")
        .ttl_attribute_name("expires")
        .build()
        .unwrap();
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new().sliding(std::time::Duration::from_secs(600)),
        )
        .await
        .unwrap();
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
    cache.refresh("k").await.unwrap();
    cache.remove("k").await.unwrap();
    assert_eq!(
        log.operations(),
        [
            "PutItem",
            "GetItem",
            "UpdateItem",
            "GetItem",
            "UpdateItem",
            "DeleteItem"
        ]
    );
}

#[tokio::test]
async fn only_the_unconfigured_name_is_looked_up() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(
        &client,
        TABLE,
        &[("pk", KeyType::Hash, ScalarAttributeType::S)],
    )
    .await;
    enable_ttl(&client, TABLE, "expires").await;

    let log = OperationLog::default();
    let cache = logged(&emu, &log).partition_key_name("pk").build().unwrap();
    cache.ensure_ready().await.unwrap();
    assert_eq!(log.operations(), ["DescribeTimeToLive"]);
    assert_eq!(cache.ttl_attribute_name().await.unwrap(), "expires");

    let log = OperationLog::default();
    let cache = logged(&emu, &log)
        .ttl_attribute_name("expires")
        .build()
        .unwrap();
    cache.ensure_ready().await.unwrap();
    assert_eq!(log.operations(), ["DescribeTable"]);
    assert_eq!(cache.partition_key_name().await.unwrap(), "pk");
}

#[tokio::test]
async fn a_failed_startup_is_retried_on_the_next_call() {
    let emu = TestEmulator::start();
    let cache = builder(&emu).build().unwrap();
    assert!(matches!(
        cache.get("k").await,
        Err(CacheError::InvalidTable {
            reason: InvalidTable::NotFound,
            ..
        })
    ));
    create_table(
        &emu.dynamodb_client(),
        TABLE,
        &[("id", KeyType::Hash, ScalarAttributeType::S)],
    )
    .await;
    cache.set("k", b"v", &EntryOptions::new()).await.unwrap();
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
}

#[tokio::test]
async fn two_servers_starting_together_share_one_created_table() {
    let emu = TestEmulator::start();
    let a = builder(&emu)
        .create_table_if_not_exists(true)
        .build()
        .unwrap();
    let b = builder(&emu)
        .create_table_if_not_exists(true)
        .build()
        .unwrap();
    let (ra, rb) = tokio::join!(a.ensure_ready(), b.ensure_ready());
    ra.unwrap();
    rb.unwrap();
    a.set("k", b"v", &EntryOptions::new()).await.unwrap();
    assert_eq!(b.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
}

#[test]
fn a_table_name_is_required() {
    let emu = TestEmulator::start();
    let err = DynamoDbCache::builder(emu.dynamodb_client())
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid cache configuration: a table name is required"
    );
    let err = DynamoDbCache::builder(emu.dynamodb_client())
        .table_name("")
        .build()
        .unwrap_err();
    assert!(matches!(err, CacheError::Config(_)));
}

/// Answers every DescribeTable after a CreateTable with a table stuck in CREATING.
#[derive(Debug, Default)]
struct StuckCreating {
    created: std::sync::atomic::AtomicBool,
    describing: std::sync::atomic::AtomicBool,
}

impl aws_sdk_dynamodb::config::Intercept for StuckCreating {
    fn name(&self) -> &'static str {
        "StuckCreating"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_dynamodb::config::RuntimeComponents,
        _: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        use std::sync::atomic::Ordering::SeqCst;
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or_default();
        if target.ends_with(".CreateTable") {
            self.created.store(true, SeqCst);
        }
        self.describing
            .store(target.ends_with(".DescribeTable"), SeqCst);
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextMut<'_>,
        _: &aws_sdk_dynamodb::config::RuntimeComponents,
        _: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        use std::sync::atomic::Ordering::SeqCst;
        if self.created.load(SeqCst) && self.describing.load(SeqCst) {
            let body = format!(
                r#"{{"Table":{{"TableName":"{TABLE}","TableStatus":"CREATING","KeySchema":[{{"AttributeName":"id","KeyType":"HASH"}}],"AttributeDefinitions":[{{"AttributeName":"id","AttributeType":"S"}}]}}}}"#
            );
            let response = context.response_mut();
            response.headers_mut().remove("x-amz-crc32");
            response.headers_mut().remove("content-length");
            *response.body_mut() = body.into();
        }
        Ok(())
    }
}

/// Every cache call waits on start-up, so a table that never turns ACTIVE must end the
/// wait with a clear error instead of hanging them all.
#[tokio::test]
async fn waiting_for_active_has_a_deadline() {
    let emu = TestEmulator::start();
    let client = aws_sdk_dynamodb::Client::from_conf(
        emu.dynamodb_client()
            .config()
            .to_builder()
            .interceptor(StuckCreating::default())
            .build(),
    );
    let cache = DynamoDbCache::builder(client)
        .table_name(TABLE)
        .create_table_if_not_exists(true)
        .table_poll_interval(std::time::Duration::from_millis(20))
        .table_active_timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = cache.get("k").await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    match &err {
        CacheError::TableNotActive {
            table,
            waited,
            last_status,
        } => {
            assert_eq!(table, TABLE);
            assert!(
                *waited >= std::time::Duration::from_millis(200),
                "{waited:?}"
            );
            assert_eq!(last_status.as_deref(), Some("CREATING"));
        }
        other => panic!("expected TableNotActive, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("table cache did not become ACTIVE within 0."),
        "{err}"
    );
}
