//! Two independent caches ("web servers", each with its own client and connection pool)
//! on one table see each other's writes, refreshes and removals at once.

mod common;

use std::time::Duration;

use common::*;
use emulator::harness::TestEmulator;
use session_store::{DistributedCache, DynamoDbCache, EntryOptions};

async fn two_servers(emu: &TestEmulator) -> (DynamoDbCache, DynamoDbCache) {
    let a = cache(emu).await;
    // The second server is configured from scratch, by names only (least privilege).
    let b = DynamoDbCache::builder(emu.dynamodb_client())
        .table_name(TABLE)
        .partition_key_name("id")
        .ttl_attribute_name("ttl_date")
        .clock(emulator_clock(emu))
        .build()
        .unwrap();
    (a, b)
}

#[tokio::test]
async fn writes_are_seen_by_the_other_server() {
    let emu = TestEmulator::start();
    let (a, b) = two_servers(&emu).await;
    a.set("k", b"from a", &EntryOptions::new()).await.unwrap();
    assert_eq!(b.get("k").await.unwrap().as_deref(), Some(&b"from a"[..]));
    b.set("k", b"from b", &EntryOptions::new()).await.unwrap();
    assert_eq!(a.get("k").await.unwrap().as_deref(), Some(&b"from b"[..]));
}

#[tokio::test]
async fn removals_are_seen_by_the_other_server() {
    let emu = TestEmulator::start();
    let (a, b) = two_servers(&emu).await;
    a.set("k", b"v", &EntryOptions::new()).await.unwrap();
    assert!(b.get("k").await.unwrap().is_some());
    b.remove("k").await.unwrap();
    assert_eq!(a.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn refreshes_by_one_server_keep_the_entry_alive_for_the_other() {
    let emu = TestEmulator::start();
    let (a, b) = two_servers(&emu).await;
    let window = Duration::from_secs(10 * 60);
    a.set("k", b"v", &EntryOptions::new().sliding(window))
        .await
        .unwrap();
    // Only b touches the entry; a only looks at the end.
    for _ in 0..4 {
        emu.advance(Duration::from_secs(8 * 60));
        b.refresh("k").await.unwrap();
    }
    // 32 minutes after a's write, three windows later: alive thanks to b.
    assert_eq!(a.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
    emu.advance(window + Duration::from_secs(1));
    assert_eq!(b.get("k").await.unwrap(), None);
    assert_eq!(a.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn a_refresh_after_the_other_servers_remove_does_not_resurrect() {
    let emu = TestEmulator::start();
    let (a, b) = two_servers(&emu).await;
    a.set(
        "k",
        b"v",
        &EntryOptions::new().sliding(Duration::from_secs(600)),
    )
    .await
    .unwrap();
    b.remove("k").await.unwrap();
    a.refresh("k").await.unwrap();
    assert_eq!(b.get("k").await.unwrap(), None);
    assert_eq!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", "dc:k")).await,
        None
    );
}
