//! The .NET provider's CRUD integration cases, plus the Rust-only behaviour, against the
//! in-process emulator. Expiry is driven by the emulator's clock, never by sleeping.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::{BoxError, ProvideErrorMetadata};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use common::*;
use emulator::harness::TestEmulator;
use session_store::{
    CacheError, Compression, DistributedCache, EntryOptions, KeyDigest, Operation, MAX_ITEM_SIZE,
};

const HOUR: Duration = Duration::from_secs(3600);

/// A cache whose clock stands still at a known instant with a fractional second, so the
/// stored epochs can be asserted exactly (the .NET tests can only say "within 100 s").
async fn fixed_clock_cache(emu: &TestEmulator) -> (session_store::DynamoDbCache, SystemTime, i64) {
    cache(emu).await; // creates the table
    let seconds = emulator_seconds(emu);
    let now = UNIX_EPOCH + Duration::from_millis(seconds as u64 * 1000 + 750);
    let cache = builder(emu).clock(move || now).build().unwrap();
    (cache, now, seconds)
}

fn window(text: &str) -> AttributeValue {
    s(text)
}

#[tokio::test]
async fn get_returns_a_value_without_ttl() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    manual_put(&emu, "k", b"no ttl", null(), null(), null()).await;
    assert_eq!(
        cache.get("k").await.unwrap().as_deref(),
        Some(&b"no ttl"[..])
    );
}

#[tokio::test]
async fn expired_but_present_items_are_hidden_and_left_in_place() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    let expired = emulator_seconds(&emu) - 5 * 3600;
    manual_put(&emu, "k", b"old", n(expired), null(), null()).await;
    assert_eq!(cache.get("k").await.unwrap(), None);
    // The client never deletes: DynamoDB's sweeper does.
    assert_eq!(stored(&emu, "k").await["ttl_date"], n(expired));
}

#[tokio::test]
async fn remove_then_get_is_absent_and_remove_is_idempotent() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    manual_put(&emu, "k", b"v", null(), null(), null()).await;
    cache.remove("k").await.unwrap();
    assert_eq!(cache.get("k").await.unwrap(), None);
    assert_eq!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:k")).await,
        None
    );
    cache.remove("k").await.unwrap();
    cache.remove("never-there").await.unwrap();
}

#[tokio::test]
async fn set_and_get() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    cache
        .set("k", b"hello", &EntryOptions::new())
        .await
        .unwrap();
    assert_eq!(
        cache.get("k").await.unwrap().as_deref(),
        Some(&b"hello"[..])
    );
    // The empty key is a key too: stored as "dc:".
    cache.set("", b"empty", &EntryOptions::new()).await.unwrap();
    assert_eq!(cache.get("").await.unwrap().as_deref(), Some(&b"empty"[..]));
    assert!(raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:"))
        .await
        .is_some());
}

#[tokio::test]
async fn set_without_options_stores_three_nulls() {
    let emu = TestEmulator::start();
    let (cache, _, _) = fixed_clock_cache(&emu).await;
    cache.set("k", b"v", &EntryOptions::new()).await.unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item.len(), 5, "{item:?}");
    assert_eq!(item["id"], s("dc:k"));
    assert_eq!(item["value"], AttributeValue::B(Blob::new(b"v".to_vec())));
    assert_eq!(item["ttl_date"], null());
    assert_eq!(item["ttl_window"], null());
    assert_eq!(item["ttl_deadline"], null());
}

#[tokio::test]
async fn set_sliding_only_sets_ttl_and_window_without_deadline() {
    let emu = TestEmulator::start();
    let (cache, _, now) = fixed_clock_cache(&emu).await;
    cache
        .set("k", b"v", &EntryOptions::new().sliding(12 * HOUR))
        .await
        .unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], window("12:00:00"));
    assert_eq!(item["ttl_deadline"], null());
    assert_eq!(item["ttl_date"], n(now + 12 * 3600));
}

#[tokio::test]
async fn set_relative_only_sets_deadline_and_equal_ttl() {
    let emu = TestEmulator::start();
    let (cache, _, now) = fixed_clock_cache(&emu).await;
    cache
        .set("k", b"v", &EntryOptions::new().relative(12 * HOUR))
        .await
        .unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], null());
    assert_eq!(item["ttl_deadline"], n(now + 12 * 3600));
    assert_eq!(item["ttl_date"], n(now + 12 * 3600));
}

#[tokio::test]
async fn set_relative_and_sliding_sets_all_three() {
    let emu = TestEmulator::start();
    let (cache, _, now) = fixed_clock_cache(&emu).await;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new().relative(24 * HOUR).sliding(12 * HOUR),
        )
        .await
        .unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], window("12:00:00"));
    assert_eq!(item["ttl_date"], n(now + 12 * 3600));
    assert_eq!(item["ttl_deadline"], n(now + 24 * 3600));
}

#[tokio::test]
async fn set_absolute_only_sets_deadline_and_equal_ttl() {
    let emu = TestEmulator::start();
    let (cache, clock_now, now) = fixed_clock_cache(&emu).await;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new().absolute(clock_now + 12 * HOUR),
        )
        .await
        .unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], null());
    assert_eq!(item["ttl_deadline"], n(now + 12 * 3600));
    assert_eq!(item["ttl_date"], n(now + 12 * 3600));
}

#[tokio::test]
async fn set_absolute_and_sliding_sets_all_three() {
    let emu = TestEmulator::start();
    let (cache, clock_now, now) = fixed_clock_cache(&emu).await;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new()
                .absolute(clock_now + 24 * HOUR)
                .sliding(12 * HOUR),
        )
        .await
        .unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], window("12:00:00"));
    assert_eq!(item["ttl_date"], n(now + 12 * 3600));
    assert_eq!(item["ttl_deadline"], n(now + 24 * 3600));
}

#[tokio::test]
async fn set_relative_takes_precedence_over_absolute() {
    let emu = TestEmulator::start();
    let (cache, clock_now, now) = fixed_clock_cache(&emu).await;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new()
                .absolute(clock_now + 24 * HOUR)
                .relative(12 * HOUR),
        )
        .await
        .unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], null());
    assert_eq!(item["ttl_date"], n(now + 12 * 3600));
    assert_eq!(item["ttl_deadline"], n(now + 12 * 3600));
}

#[tokio::test]
async fn set_all_options() {
    let emu = TestEmulator::start();
    let (cache, clock_now, now) = fixed_clock_cache(&emu).await;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new()
                .absolute(clock_now + 48 * HOUR)
                .relative(24 * HOUR)
                .sliding(12 * HOUR),
        )
        .await
        .unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], window("12:00:00"));
    assert_eq!(item["ttl_date"], n(now + 12 * 3600));
    assert_eq!(item["ttl_deadline"], n(now + 24 * 3600));
}

#[tokio::test]
async fn sliding_window_beyond_a_day_uses_the_day_form() {
    let emu = TestEmulator::start();
    let (cache, _, _) = fixed_clock_cache(&emu).await;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new().sliding(24 * HOUR + Duration::from_millis(1500)),
        )
        .await
        .unwrap();
    assert_eq!(
        stored(&emu, "k").await["ttl_window"],
        window("1.00:00:01.5000000")
    );
}

#[tokio::test]
async fn absolute_expiration_in_the_past_is_refused_before_writing() {
    let emu = TestEmulator::start();
    let (cache, clock_now, _) = fixed_clock_cache(&emu).await;
    let err = cache
        .set("k", b"v", &EntryOptions::new().absolute(clock_now - HOUR))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CacheError::AbsoluteExpirationInPast),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "AbsoluteExpiration must be in the future.");
    assert_eq!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:k")).await,
        None
    );
}

#[tokio::test]
async fn refresh_with_all_null_columns_changes_nothing() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    manual_put(&emu, "k", b"v", null(), null(), null()).await;
    cache.refresh("k").await.unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(
        (
            &item["ttl_date"],
            &item["ttl_deadline"],
            &item["ttl_window"]
        ),
        (&null(), &null(), &null())
    );
}

#[tokio::test]
async fn refresh_without_window_changes_nothing() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    let ttl = emulator_seconds(&emu) + 12 * 3600;
    manual_put(&emu, "k", b"v", n(ttl), n(ttl), null()).await;
    cache.refresh("k").await.unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], null());
    assert_eq!(item["ttl_date"], n(ttl));
    assert_eq!(item["ttl_deadline"], n(ttl));
}

#[tokio::test]
async fn refresh_moves_the_ttl_within_the_deadline() {
    let emu = TestEmulator::start();
    let (cache, _, now) = fixed_clock_cache(&emu).await;
    let deadline = now + 48 * 3600;
    manual_put(
        &emu,
        "k",
        b"v",
        n(now + 12 * 3600),
        n(deadline),
        s("1.00:00:00"),
    )
    .await;
    cache.refresh("k").await.unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], s("1.00:00:00"));
    assert_eq!(item["ttl_deadline"], n(deadline));
    assert_eq!(item["ttl_date"], n(now + 24 * 3600));
}

#[tokio::test]
async fn refresh_moves_the_ttl_to_the_deadline_at_most() {
    let emu = TestEmulator::start();
    let (cache, _, now) = fixed_clock_cache(&emu).await;
    let deadline = now + 18 * 3600;
    manual_put(
        &emu,
        "k",
        b"v",
        n(now + 6 * 3600),
        n(deadline),
        s("1.00:00:00"),
    )
    .await;
    cache.refresh("k").await.unwrap();
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_window"], s("1.00:00:00"));
    assert_eq!(item["ttl_date"], n(deadline));
    assert_eq!(item["ttl_deadline"], n(deadline));
}

#[tokio::test]
async fn get_also_refreshes() {
    let emu = TestEmulator::start();
    let (cache, _, now) = fixed_clock_cache(&emu).await;
    let deadline = now + 18 * 3600;
    manual_put(
        &emu,
        "k",
        b"v",
        n(now + 6 * 3600),
        n(deadline),
        s("1.00:00:00"),
    )
    .await;
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
    let item = stored(&emu, "k").await;
    assert_eq!(item["ttl_date"], n(deadline));
    assert_eq!(item["ttl_deadline"], n(deadline));
}

#[tokio::test]
async fn refresh_of_an_absent_entry_creates_nothing() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    cache.refresh("ghost").await.unwrap();
    assert_eq!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:ghost")).await,
        None
    );
}

/// Runs an action to completion, on another connection, just before the refresh's
/// UpdateItem leaves: the interleavings a refresh must survive.
struct BeforeUpdate(std::sync::Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for BeforeUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BeforeUpdate")
    }
}

impl Intercept for BeforeUpdate {
    fn name(&self) -> &'static str {
        "BeforeUpdate"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or_default();
        if target.ends_with(".UpdateItem") {
            let action = self.0.clone();
            std::thread::spawn(move || action()).join().unwrap();
        }
        Ok(())
    }
}

/// Runs `future` on a runtime of its own (the interceptor runs inside the cache's).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// A cache on `TABLE` whose refreshes run `action` just before their UpdateItem.
fn racing_cache(
    emu: &TestEmulator,
    action: impl Fn() + Send + Sync + 'static,
) -> session_store::DynamoDbCache {
    let client = aws_sdk_dynamodb::Client::from_conf(
        emu.dynamodb_client()
            .config()
            .to_builder()
            .interceptor(BeforeUpdate(std::sync::Arc::new(action)))
            .build(),
    );
    session_store::DynamoDbCache::builder(client)
        .table_name(TABLE)
        .clock(emulator_clock(emu))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_racing_a_remove_leaves_no_ghost_item() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let client = emu.dynamodb_client();
    let cache = racing_cache(&emu, move || {
        block_on(
            client
                .delete_item()
                .table_name(TABLE)
                .key("id", s("dc:k"))
                .send(),
        )
        .unwrap();
    });
    let now = emulator_seconds(&emu);
    manual_put(&emu, "k", b"v", n(now + 60), null(), s("00:20:00")).await;
    // The read happened before the remove, so the value is still returned...
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
    // ...but the TTL update did not bring the key back.
    assert_eq!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:k")).await,
        None
    );
}

/// Another instance replaces the entry between the read and the TTL update: the new
/// entry keeps its own expiry instead of getting the old one's slide.
#[tokio::test(flavor = "multi_thread")]
async fn refresh_racing_a_set_leaves_the_new_entry_its_own_ttl() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let now = emulator_seconds(&emu);
    let other = builder(&emu).build().unwrap();
    let new_expiry = UNIX_EPOCH + Duration::from_secs((now + 600) as u64);
    let cache = racing_cache(&emu, move || {
        block_on(other.set("k", b"new", &EntryOptions::new().absolute(new_expiry))).unwrap();
    });
    manual_put(&emu, "k", b"old", n(now + 60), null(), s("00:20:00")).await;
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"old"[..]));
    let item = stored(&emu, "k").await;
    assert_eq!(item["value"], AttributeValue::B(Blob::new(b"new".to_vec())));
    assert_eq!(
        item["ttl_date"],
        n(now + 600),
        "the new entry's TTL was moved"
    );
    assert_eq!(item["ttl_window"], null());
}

/// A sliding entry whose window changed meanwhile (same TTL, another writer) is not
/// slid by the old window either.
#[tokio::test(flavor = "multi_thread")]
async fn refresh_racing_a_window_change_leaves_the_entry_alone() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let now = emulator_seconds(&emu);
    let client = emu.dynamodb_client();
    let cache = racing_cache(&emu, move || {
        block_on(
            client
                .update_item()
                .table_name(TABLE)
                .key("id", s("dc:k"))
                .update_expression("SET ttl_window = :w")
                .expression_attribute_values(":w", s("00:00:30"))
                .send(),
        )
        .unwrap();
    });
    manual_put(&emu, "k", b"v", n(now + 60), null(), s("00:20:00")).await;
    assert!(cache.get("k").await.unwrap().is_some());
    assert_eq!(stored(&emu, "k").await["ttl_date"], n(now + 60));
}

/// The clock passes the entry's TTL between the read and the update (the cache's clock
/// answers "just before expiry" once, then "after"): the entry is left to expire, not
/// brought back to life with a fresh slide.
#[tokio::test]
async fn refresh_never_revives_an_entry_that_expired_after_the_read() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let now = emulator_seconds(&emu);
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let ttl = now + 60;
    let clock = move || {
        let second = if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            ttl - 1
        } else {
            ttl + 1
        };
        UNIX_EPOCH + Duration::from_secs(second as u64)
    };
    let cache = builder(&emu).clock(clock).build().unwrap();
    manual_put(&emu, "k", b"v", n(ttl), null(), s("00:20:00")).await;
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
    assert_eq!(stored(&emu, "k").await["ttl_date"], n(ttl));
}

#[tokio::test]
async fn sliding_entries_live_while_used_and_die_when_idle() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new().sliding(20 * 60 * Duration::from_secs(1)),
        )
        .await
        .unwrap();
    for _ in 0..3 {
        emu.advance(Duration::from_secs(15 * 60));
        assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
        assert_eq!(
            stored(&emu, "k").await["ttl_date"],
            n(emulator_seconds(&emu) + 20 * 60)
        );
    }
    // 45 minutes after the write, far past one window: the reads kept it alive.
    emu.advance(Duration::from_secs(21 * 60));
    assert_eq!(cache.get("k").await.unwrap(), None);
    assert_eq!(emu.sweep(), 1);
    assert_eq!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:k")).await,
        None
    );
}

#[tokio::test]
async fn sliding_stops_at_the_absolute_deadline() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    let deadline = emulator_seconds(&emu) + 30 * 60;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new()
                .relative(Duration::from_secs(30 * 60))
                .sliding(Duration::from_secs(20 * 60)),
        )
        .await
        .unwrap();
    emu.advance(Duration::from_secs(15 * 60));
    assert!(cache.get("k").await.unwrap().is_some());
    assert_eq!(stored(&emu, "k").await["ttl_date"], n(deadline));
    emu.advance(Duration::from_secs(16 * 60));
    assert_eq!(cache.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn expired_entries_are_hidden_before_and_gone_after_the_sweep() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    cache
        .set(
            "k",
            b"v",
            &EntryOptions::new().relative(Duration::from_secs(60)),
        )
        .await
        .unwrap();
    emu.advance(Duration::from_secs(30));
    assert!(cache.get("k").await.unwrap().is_some());
    emu.advance(Duration::from_secs(32));
    assert_eq!(cache.get("k").await.unwrap(), None);
    assert!(raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:k"))
        .await
        .is_some());
    assert_eq!(emu.sweep(), 1);
    assert_eq!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:k")).await,
        None
    );
}

/// Bytes the item of `key` takes besides its value, with no expiry options.
fn overhead(key: &str) -> usize {
    let names =
        "id".len() + "value".len() + "ttl_date".len() + "ttl_window".len() + "ttl_deadline".len();
    names + format!("dc:{key}").len() + 3 // three NULLs
}

#[tokio::test]
async fn values_that_cannot_fit_fail_before_any_request() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let log = OperationLog::default();
    let cache = session_store::DynamoDbCache::builder(log.attach(&emu.dynamodb_client()))
        .table_name(TABLE)
        .partition_key_name("id")
        .ttl_attribute_name("ttl_date")
        .build()
        .unwrap();
    let largest = MAX_ITEM_SIZE - overhead("big");
    // The largest value that fits is accepted by DynamoDB (the size arithmetic is exact)...
    cache
        .set("big", &vec![7u8; largest], &EntryOptions::new())
        .await
        .unwrap();
    assert_eq!(
        cache.get("big").await.unwrap().map(|v| v.len()),
        Some(largest)
    );
    // ...and one more byte is refused here, without a request.
    let before = log.operations().len();
    let err = cache
        .set("big", &vec![7u8; largest + 1], &EntryOptions::new())
        .await
        .unwrap_err();
    match &err {
        CacheError::ItemTooLarge { key, size, limit } => {
            assert_eq!(
                (*key, *size, *limit),
                (KeyDigest::of("big"), MAX_ITEM_SIZE + 1, MAX_ITEM_SIZE)
            );
        }
        other => panic!("expected ItemTooLarge, got {other:?}"),
    }
    assert_eq!(log.operations().len(), before);
    assert_eq!(
        err.to_string(),
        format!(
            "value for key {} does not fit in a DynamoDB item: the item would be {} bytes, \
             the limit is 409600 bytes",
            KeyDigest::of("big"),
            MAX_ITEM_SIZE + 1
        )
    );
    // DynamoDB itself agrees that such an item is too large.
    let raw = emu
        .dynamodb_client()
        .put_item()
        .table_name(TABLE)
        .item("id", s("dc:big"))
        .item(
            "value",
            AttributeValue::B(Blob::new(vec![7u8; largest + 1])),
        )
        .item("ttl_date", null())
        .item("ttl_window", null())
        .item("ttl_deadline", null())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        raw.as_service_error().and_then(|e| e.meta().message()),
        Some("Item size has exceeded the maximum allowed size")
    );
}

#[tokio::test]
async fn compression_stores_large_values_marked_and_reads_them_back() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let plain = builder(&emu).build().unwrap();
    let compressing = builder(&emu)
        .compression(Compression::Deflate { min_size: 1024 })
        .build()
        .unwrap();
    let large: Vec<u8> = b"You visited 1 times. ".repeat(50_000); // ~1 MB, compressible
    let err = plain
        .set("big", &large, &EntryOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CacheError::ItemTooLarge { .. }), "{err:?}");

    compressing
        .set("big", &large, &EntryOptions::new())
        .await
        .unwrap();
    let item = stored(&emu, "big").await;
    assert_eq!(item["value_encoding"], s("deflate"));
    assert!(item["value"].as_b().unwrap().as_ref().len() < large.len() / 10);
    assert_eq!(compressing.get("big").await.unwrap(), Some(large.clone()));
    // Any reader of this crate decodes it, compression on or off.
    assert_eq!(plain.get("big").await.unwrap(), Some(large));

    // Values that stay large compressed are inflated off the async workers too.
    let mut state = 0x2545_f491_u32;
    let noisy: Vec<u8> = (0..200_000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            b"abcdefghijklmnop"[(state >> 28) as usize]
        })
        .collect();
    compressing
        .set("noisy", &noisy, &EntryOptions::new())
        .await
        .unwrap();
    let item = stored(&emu, "noisy").await;
    assert_eq!(item["value_encoding"], s("deflate"));
    assert!(item["value"].as_b().unwrap().as_ref().len() > 32 * 1024);
    assert_eq!(compressing.get("noisy").await.unwrap(), Some(noisy));

    // Small values stay exactly in the .NET layout.
    compressing
        .set("small", b"tiny", &EntryOptions::new())
        .await
        .unwrap();
    let item = stored(&emu, "small").await;
    assert!(!item.contains_key("value_encoding"));
    assert_eq!(
        item["value"],
        AttributeValue::B(Blob::new(b"tiny".to_vec()))
    );
}

#[tokio::test]
async fn unknown_value_encodings_are_a_typed_error() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    emu.dynamodb_client()
        .put_item()
        .table_name(TABLE)
        .item("id", s("dc:k"))
        .item("value", AttributeValue::B(Blob::new(b"zz".to_vec())))
        .item("value_encoding", s("brotli"))
        .send()
        .await
        .unwrap();
    let err = cache.get("k").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "stored value for key {} cannot be decoded: unknown value encoding 'brotli'",
            KeyDigest::of("k")
        )
    );
}

#[tokio::test]
async fn items_without_a_binary_value_are_not_entries() {
    let emu = TestEmulator::start();
    let cache = cache(&emu).await;
    emu.dynamodb_client()
        .put_item()
        .table_name(TABLE)
        .item("id", s("dc:k"))
        .item("value", s("a string, not bytes"))
        .send()
        .await
        .unwrap();
    assert_eq!(cache.get("k").await.unwrap(), None);
    manual_put(&emu, "only-key", b"x", null(), null(), null()).await;
    emu.dynamodb_client()
        .update_item()
        .table_name(TABLE)
        .key("id", s("dc:only-key"))
        .update_expression("REMOVE #v")
        .expression_attribute_names("#v", "value")
        .send()
        .await
        .unwrap();
    assert_eq!(cache.get("only-key").await.unwrap(), None);
}

#[tokio::test]
async fn the_partition_key_prefix_goes_before_dc() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let cache = builder(&emu).partition_key_prefix("app1").build().unwrap();
    cache.set("k", b"v", &EntryOptions::new()).await.unwrap();
    assert!(raw_item(&emu.dynamodb_client(), TABLE, ("id", "app1:dc:k"))
        .await
        .is_some());
    assert_eq!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:k")).await,
        None
    );
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
}

#[tokio::test]
async fn default_entry_options_apply_to_set_default() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let cache = builder(&emu)
        .default_entry_options(EntryOptions::new().sliding(Duration::from_secs(20 * 60)))
        .build()
        .unwrap();
    cache.set_default("k", b"v").await.unwrap();
    assert_eq!(stored(&emu, "k").await["ttl_window"], s("00:20:00"));
}

#[tokio::test]
async fn aws_failures_name_the_operation_and_the_key() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    // A wrong key name configured: DynamoDB rejects the key of every request.
    let cache = builder(&emu)
        .partition_key_name("wrong")
        .ttl_attribute_name("ttl_date")
        .build()
        .unwrap();
    let err = cache.get("k1").await.unwrap_err();
    let CacheError::Aws {
        operation,
        table,
        key,
        source,
    } = &err
    else {
        panic!("expected an AWS error, got {err:?}");
    };
    assert_eq!(
        (*operation, table.as_str(), *key),
        (Operation::GetItem, TABLE, Some(KeyDigest::of("k1")))
    );
    assert_eq!(source.code(), Some("ValidationException"), "{source:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "GetItem failed for key {} on table cache: ",
            KeyDigest::of("k1")
        )),
        "{message}"
    );
    assert!(
        message.contains("The provided key element does not match the schema"),
        "{message}"
    );

    let err = cache
        .set("k2", b"v", &EntryOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CacheError::Aws { operation: Operation::PutItem, key, .. } if key == Some(KeyDigest::of("k2"))),
        "{err:?}"
    );
    let err = cache.remove("k3").await.unwrap_err();
    assert!(
        matches!(err, CacheError::Aws { operation: Operation::DeleteItem, key, .. } if key == Some(KeyDigest::of("k3"))),
        "{err:?}"
    );
}

/// For sessions the cache key is the session id, a bearer secret: no error text (which
/// tower-sessions logs at error level) and no debug print may carry it.
#[tokio::test]
async fn errors_name_keys_by_digest_only() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let secret = "sess-7f3a9c0e1b2d4f6a8c0e1b2d4f6a8c0e";
    let wrong_schema = builder(&emu)
        .partition_key_name("wrong")
        .ttl_attribute_name("ttl_date")
        .build()
        .unwrap();
    let too_large = vec![0u8; MAX_ITEM_SIZE];
    let errors = [
        wrong_schema.get(secret).await.unwrap_err(),
        cache(&emu)
            .await
            .set(secret, &too_large, &EntryOptions::new())
            .await
            .unwrap_err(),
    ];
    for err in errors {
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(secret), "{text}");
            assert!(text.contains(&KeyDigest::of(secret).to_string()), "{text}");
        }
    }
    assert_eq!(KeyDigest::of(secret), KeyDigest::of(secret));
    assert_ne!(KeyDigest::of(secret), KeyDigest::of("sess-other"));
}

#[tokio::test]
async fn a_missing_table_reads_as_absent_like_dotnet() {
    let emu = TestEmulator::start();
    let cache = builder(&emu)
        .table_name("missing")
        .partition_key_name("id")
        .ttl_attribute_name("ttl_date")
        .build()
        .unwrap();
    assert_eq!(cache.get("k").await.unwrap(), None);
    cache.remove("k").await.unwrap();
    let err = cache
        .set("k", b"v", &EntryOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.aws_error(),
            Some(aws_sdk_dynamodb::Error::ResourceNotFoundException(_))
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_caller_sets_the_retry_configuration() {
    let emu = TestEmulator::start();
    let cache = builder(&emu)
        .retry_config(RetryConfig::standard().with_max_attempts(7))
        .build()
        .unwrap();
    assert_eq!(
        cache
            .client()
            .config()
            .retry_config()
            .map(|r| r.max_attempts()),
        Some(7)
    );
}
