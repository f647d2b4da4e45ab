//! Time to live: the controllable clock, on-demand and automatic sweeps, the TTL
//! operations and the admin HTTP API.

mod common;

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{TimeToLiveSpecification, TimeToLiveStatus};
use aws_sdk_dynamodb::Client;
use common::{failure, hash_table, n, range_table, raw, s, table_names};
use emulator::{Config, TestEmulator};

const HOUR: Duration = Duration::from_secs(3600);

fn now_secs(emu: &TestEmulator) -> i64 {
    emu.clock().now_millis() / 1000
}

async fn enable_ttl(client: &Client, table: &str, attribute: &str) {
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

async fn exists(client: &Client, table: &str, pk: &str, sk: Option<&str>) -> bool {
    let mut req = client
        .get_item()
        .table_name(table)
        .key("pk", s(pk))
        .consistent_read(true);
    if let Some(sk) = sk {
        req = req.key("sk", n(sk));
    }
    req.send().await.unwrap().item.is_some()
}

async fn item_count(client: &Client, table: &str) -> i64 {
    client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .unwrap()
        .table
        .unwrap()
        .item_count
        .unwrap()
}

#[tokio::test]
async fn expired_items_stay_readable_until_the_sweep() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "sessions").await;
    enable_ttl(&client, "sessions", "expires").await;
    let now = now_secs(&emu);
    let past = (now - 100).to_string();
    let (head, tail) = past.split_at(1);
    let six_years = 6 * 365 * 24 * 3600;
    let cases = [
        // Due: any numeric form counts.
        ("plain", n(&past), true),
        (
            "scientific",
            n(&format!("{head}.{tail}e{}", tail.len())),
            true,
        ),
        ("scaled", n(&format!("{}e1", (now - 100) / 10)), true),
        ("fraction", n(&format!("{}.75", now - 100)), true),
        ("just_now", n(&now.to_string()), true),
        // Left alone: the future, more than five years ago, and non-numbers.
        ("future", n(&(now + 3600).to_string()), false),
        ("ancient", n(&(now - six_years).to_string()), false),
        ("string", s(&past), false),
        (
            "bool",
            aws_sdk_dynamodb::types::AttributeValue::Bool(true),
            false,
        ),
    ];
    for (pk, ttl, _) in &cases {
        client
            .put_item()
            .table_name("sessions")
            .item("pk", s(pk))
            .item("expires", ttl.clone())
            .send()
            .await
            .unwrap();
    }
    client
        .put_item()
        .table_name("sessions")
        .item("pk", s("no_ttl"))
        .send()
        .await
        .unwrap();
    assert_eq!(item_count(&client, "sessions").await, 10);
    for (pk, _, _) in &cases {
        assert!(
            exists(&client, "sessions", pk, None).await,
            "{pk} before sweep"
        );
    }

    let due = cases.iter().filter(|(_, _, due)| *due).count();
    assert_eq!(emu.sweep(), due);
    for (pk, _, expected_due) in &cases {
        assert_eq!(
            exists(&client, "sessions", pk, None).await,
            !expected_due,
            "{pk} after sweep"
        );
    }
    assert!(exists(&client, "sessions", "no_ttl", None).await);
    assert_eq!(item_count(&client, "sessions").await, (10 - due) as i64);
    assert_eq!(emu.sweep(), 0);

    // Moving the clock past the future item makes it due.
    emu.advance(Duration::from_secs(3601));
    assert_eq!(emu.sweep(), 1);
    assert!(!exists(&client, "sessions", "future", None).await);
}

#[tokio::test]
async fn range_tables_and_an_attribute_named_ttl() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    range_table(&client, "ranged").await;
    // `ttl` is a reserved word in expressions, but any attribute name works for TTL.
    enable_ttl(&client, "ranged", "ttl").await;
    let now = now_secs(&emu);
    for (sk, ttl) in [("1", now - 10), ("2", now + 60), ("3", now - 1)] {
        client
            .put_item()
            .table_name("ranged")
            .item("pk", s("user"))
            .item("sk", n(sk))
            .item("ttl", n(&ttl.to_string()))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(emu.sweep(), 2);
    assert!(!exists(&client, "ranged", "user", Some("1")).await);
    assert!(exists(&client, "ranged", "user", Some("2")).await);
    assert!(!exists(&client, "ranged", "user", Some("3")).await);
    assert_eq!(item_count(&client, "ranged").await, 1);
}

#[tokio::test]
async fn enabling_ttl_covers_items_already_stored_and_overwrites_move_the_expiry() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "later").await;
    let past = (now_secs(&emu) - 10).to_string();
    for pk in ["a", "b"] {
        client
            .put_item()
            .table_name("later")
            .item("pk", s(pk))
            .item("exp", n(&past))
            .send()
            .await
            .unwrap();
    }
    // Without TTL enabled nothing is swept.
    assert_eq!(emu.sweep(), 0);
    enable_ttl(&client, "later", "exp").await;
    // An overwrite after enabling moves "b" into the future.
    client
        .put_item()
        .table_name("later")
        .item("pk", s("b"))
        .item("exp", n(&(now_secs(&emu) + 600).to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(emu.sweep(), 1);
    assert!(!exists(&client, "later", "a", None).await);
    assert!(exists(&client, "later", "b", None).await);
}

#[tokio::test]
async fn ttl_operations_states_and_errors() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "ttlops").await;
    let describe = || client.describe_time_to_live().table_name("ttlops").send();
    let update = |enabled: bool| {
        client
            .update_time_to_live()
            .table_name("ttlops")
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name("exp")
                    .enabled(enabled)
                    .build()
                    .unwrap(),
            )
            .send()
    };
    let d = describe().await.unwrap().time_to_live_description.unwrap();
    assert_eq!(d.time_to_live_status, Some(TimeToLiveStatus::Disabled));
    assert_eq!(d.attribute_name, None);

    let validation = |m: &str| ("ValidationException".to_owned(), m.to_owned());
    assert_eq!(
        failure(update(false).await),
        validation("TimeToLive is already disabled")
    );
    let spec = update(true)
        .await
        .unwrap()
        .time_to_live_specification
        .unwrap();
    assert_eq!(spec.attribute_name, "exp");
    assert!(spec.enabled);
    let d = describe().await.unwrap().time_to_live_description.unwrap();
    assert_eq!(d.time_to_live_status, Some(TimeToLiveStatus::Enabled));
    assert_eq!(d.attribute_name.as_deref(), Some("exp"));

    assert_eq!(
        failure(update(true).await),
        validation("TimeToLive is already enabled")
    );
    assert_eq!(
        failure(update(false).await),
        validation("Time to live has been modified multiple times within a fixed interval")
    );
    emu.advance(HOUR);
    let spec = update(false)
        .await
        .unwrap()
        .time_to_live_specification
        .unwrap();
    assert!(!spec.enabled);
    assert_eq!(spec.attribute_name, "exp");
    let d = describe().await.unwrap().time_to_live_description.unwrap();
    assert_eq!(d.time_to_live_status, Some(TimeToLiveStatus::Disabled));

    let missing = client
        .describe_time_to_live()
        .table_name("nope")
        .send()
        .await;
    assert_eq!(
        failure(missing),
        (
            "ResourceNotFoundException".to_owned(),
            "Requested resource not found: Table: nope not found".to_owned()
        )
    );
}

fn admin(emu: &TestEmulator, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let resp = raw(emu.endpoint(), request.as_bytes());
    (resp.status, resp.json())
}

#[tokio::test]
async fn admin_http_endpoints() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "admin").await;
    enable_ttl(&client, "admin", "exp").await;
    let in_a_minute = (now_secs(&emu) + 60).to_string();
    client
        .put_item()
        .table_name("admin")
        .item("pk", s("a"))
        .item("exp", n(&in_a_minute))
        .send()
        .await
        .unwrap();

    let (status, clock) = admin(&emu, "GET", "/_emulator/clock", "");
    assert_eq!(status, 200);
    assert_eq!(clock["offsetMillis"], 0);
    let (status, _) = admin(
        &emu,
        "POST",
        "/_emulator/clock/advance",
        r#"{"seconds":-1}"#,
    );
    assert_eq!(status, 400);
    let (status, clock) = admin(
        &emu,
        "POST",
        "/_emulator/clock/advance",
        r#"{"seconds":120}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(clock["offsetMillis"], 120_000);
    assert!(clock["nowMillis"].as_i64().unwrap() >= clock["offsetMillis"].as_i64().unwrap());

    let (status, swept) = admin(&emu, "POST", "/_emulator/sweep", "");
    assert_eq!(status, 200);
    assert_eq!(swept, serde_json::json!({"deleted": 1}));
    assert!(!exists(&client, "admin", "a", None).await);

    let (status, _) = admin(&emu, "POST", "/_emulator/reset", "");
    assert_eq!(status, 200);
    assert!(table_names(&client).await.is_empty());
    let (_, clock) = admin(&emu, "GET", "/_emulator/clock", "");
    assert_eq!(clock["offsetMillis"], 0);
    let (status, _) = admin(&emu, "GET", "/_emulator/nothing", "");
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_background_sweeper_deletes_expired_items() {
    let emu = TestEmulator::with_config(Config {
        sweep_interval: Duration::from_millis(50),
        ..Config::for_tests()
    });
    let client = emu.dynamodb_client();
    hash_table(&client, "auto").await;
    enable_ttl(&client, "auto", "exp").await;
    client
        .put_item()
        .table_name("auto")
        .item("pk", s("a"))
        .item("exp", n(&(now_secs(&emu) - 1).to_string()))
        .send()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while exists(&client, "auto", "a", None).await {
        assert!(
            Instant::now() < deadline,
            "the sweeper did not delete the item"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(item_count(&client, "auto").await, 0);
}

/// Writes that give due items a later TTL while sweeps run: the sweeper deletes the items
/// whose TTL-index entries it takes without reading them again, which is right only if a
/// shard's entries never change outside that shard's lock. Every rewritten item must
/// survive, every other one must go, and the index must still know the survivors' TTLs.
#[test]
fn sweeps_racing_writes_that_move_the_ttl() {
    use emulator::common::{Namespace, Service};
    use emulator::Services;

    let services = Services::new(Config::for_tests());
    let ns = Namespace::new("race", "us-east-1");
    let call = |op: &str, body: String| {
        services
            .dynamodb
            .dispatch(&ns, op, body.as_bytes(), "test")
            .unwrap_or_else(|e| panic!("{op}: {}", String::from_utf8_lossy(&e.body)))
    };
    call(
        "CreateTable",
        r#"{"TableName":"race","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
            "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#
            .into(),
    );
    call(
        "UpdateTimeToLive",
        r#"{"TableName":"race","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"ttl"}}"#
            .into(),
    );
    let now = services.clock.now_millis() / 1000;
    let put = |key: usize, ttl: i64| {
        call(
            "PutItem",
            format!(
                r#"{{"TableName":"race","Item":{{"pk":{{"S":"k{key}"}},"ttl":{{"N":"{ttl}"}}}}}}"#
            ),
        );
    };
    const ITEMS: usize = 2000;
    let rewritten = |key: usize| key % 2 == 0;
    // Each round starts with every item due, then rewrites half of them to a later TTL
    // while sweeps run, both released at once.
    for _round in 0..5 {
        for key in 0..ITEMS {
            put(key, now - 10);
        }
        let start = std::sync::Barrier::new(2);
        let done = std::sync::atomic::AtomicBool::new(false);
        let mut swept = 0;
        std::thread::scope(|scope| {
            scope.spawn(|| {
                start.wait();
                for key in (0..ITEMS).filter(|&k| rewritten(k)) {
                    put(key, now + 3600);
                }
                done.store(true, std::sync::atomic::Ordering::Release);
            });
            start.wait();
            while !done.load(std::sync::atomic::Ordering::Acquire) {
                swept += services.sweep();
            }
        });
        swept += services.sweep();
        for key in 0..ITEMS {
            let answer = call(
                "GetItem",
                format!(
                    r#"{{"TableName":"race","Key":{{"pk":{{"S":"k{key}"}}}},"ConsistentRead":true}}"#
                ),
            );
            let found = String::from_utf8_lossy(&answer).contains("\"Item\"");
            assert_eq!(found, rewritten(key), "k{key}");
        }
        assert!(swept >= ITEMS / 2, "{swept} swept");
    }
    // The survivors' entries moved to their new TTL: all of them fall due together later.
    services.clock.advance(Duration::from_secs(7200));
    assert_eq!(services.sweep(), ITEMS / 2);
}
