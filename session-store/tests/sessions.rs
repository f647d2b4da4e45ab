//! The tower-sessions store on the emulator.

mod common;

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use emulator::harness::TestEmulator;
use session_store::{DistributedCache, DynamoDbSessionStore, EntryOptions};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Error;
use tower_sessions::SessionStore;

async fn store(emu: &TestEmulator) -> DynamoDbSessionStore {
    DynamoDbSessionStore::new(cache(emu).await)
}

fn emulator_now(emu: &TestEmulator) -> OffsetDateTime {
    OffsetDateTime::from(UNIX_EPOCH + Duration::from_millis(emu.clock().now_millis() as u64))
}

fn record(expiry_date: OffsetDateTime, visits: u64) -> Record {
    Record {
        id: Id::default(),
        data: HashMap::from([("visits".to_owned(), serde_json::json!(visits))]),
        expiry_date,
    }
}

#[tokio::test]
async fn created_sessions_load_back_with_their_expiry_as_ttl() {
    let emu = TestEmulator::start();
    let store = store(&emu).await;
    let expiry = emulator_now(&emu) + time::Duration::hours(1);
    let mut rec = record(expiry, 1);
    store.create(&mut rec).await.unwrap();
    assert_eq!(store.load(&rec.id).await.unwrap(), Some(rec.clone()));
    let item = stored(&emu, &rec.id.to_string()).await;
    assert_eq!(item["ttl_date"], n(expiry.unix_timestamp()));
    assert_eq!(item["ttl_deadline"], n(expiry.unix_timestamp()));
    assert_eq!(item["ttl_window"], null());
}

#[tokio::test]
async fn create_never_overwrites_an_existing_session() {
    let emu = TestEmulator::start();
    let store = store(&emu).await;
    let expiry = emulator_now(&emu) + time::Duration::hours(1);
    let existing = record(expiry, 41);
    store.save(&existing).await.unwrap();

    let mut colliding = record(expiry, 1);
    colliding.id = existing.id;
    store.create(&mut colliding).await.unwrap();

    assert_ne!(colliding.id, existing.id, "a collision gets a new id");
    assert_eq!(store.load(&existing.id).await.unwrap(), Some(existing));
    assert_eq!(store.load(&colliding.id).await.unwrap(), Some(colliding));
}

#[tokio::test]
async fn create_collides_with_expired_but_unswept_sessions_too() {
    let emu = TestEmulator::start();
    let store = store(&emu).await;
    let old = record(emulator_now(&emu) + time::Duration::seconds(10), 1);
    store.save(&old).await.unwrap();
    emu.advance(Duration::from_secs(20));
    let mut fresh = record(emulator_now(&emu) + time::Duration::hours(1), 1);
    fresh.id = old.id;
    store.create(&mut fresh).await.unwrap();
    assert_ne!(fresh.id, old.id);
    assert_eq!(store.load(&old.id).await.unwrap(), None);
    assert_eq!(store.load(&fresh.id).await.unwrap(), Some(fresh));
}

#[tokio::test]
async fn load_never_returns_an_expired_session() {
    let emu = TestEmulator::start();
    let store = store(&emu).await;
    let mut rec = record(emulator_now(&emu) + time::Duration::seconds(60), 1);
    store.create(&mut rec).await.unwrap();
    emu.advance(Duration::from_secs(59));
    assert!(store.load(&rec.id).await.unwrap().is_some());
    emu.advance(Duration::from_secs(2));
    // Expired but not swept: the item is still in the table...
    assert!(raw_item(
        &emu.dynamodb_client(),
        TABLE,
        ("id", &format!("dc:{}", rec.id))
    )
    .await
    .is_some());
    // ...and load does not return it.
    assert_eq!(store.load(&rec.id).await.unwrap(), None);
    assert_eq!(emu.sweep(), 1);
    assert_eq!(store.load(&rec.id).await.unwrap(), None);
}

#[tokio::test]
async fn save_keeps_the_expiry_the_session_layer_asks_for() {
    let emu = TestEmulator::start();
    let store = store(&emu).await;
    let mut rec = record(emulator_now(&emu) + time::Duration::minutes(10), 1);
    store.create(&mut rec).await.unwrap();
    rec.expiry_date = emulator_now(&emu) + time::Duration::days(3);
    rec.data.insert("visits".into(), serde_json::json!(2));
    store.save(&rec).await.unwrap();
    assert_eq!(store.load(&rec.id).await.unwrap(), Some(rec.clone()));
    assert_eq!(
        stored(&emu, &rec.id.to_string()).await["ttl_date"],
        n(rec.expiry_date.unix_timestamp())
    );
    emu.advance(Duration::from_secs(2 * 86_400));
    assert!(store.load(&rec.id).await.unwrap().is_some());
}

#[tokio::test]
async fn saving_an_already_expired_record_removes_it() {
    let emu = TestEmulator::start();
    let store = store(&emu).await;
    let mut rec = record(emulator_now(&emu) + time::Duration::minutes(10), 1);
    store.create(&mut rec).await.unwrap();
    rec.expiry_date = emulator_now(&emu) - time::Duration::seconds(1);
    store.save(&rec).await.unwrap();
    assert_eq!(
        raw_item(
            &emu.dynamodb_client(),
            TABLE,
            ("id", &format!("dc:{}", rec.id))
        )
        .await,
        None
    );
}

#[tokio::test]
async fn delete_is_idempotent() {
    let emu = TestEmulator::start();
    let store = store(&emu).await;
    let mut rec = record(emulator_now(&emu) + time::Duration::minutes(10), 1);
    store.create(&mut rec).await.unwrap();
    store.delete(&rec.id).await.unwrap();
    assert_eq!(store.load(&rec.id).await.unwrap(), None);
    store.delete(&rec.id).await.unwrap();
    store.delete(&Id::default()).await.unwrap();
}

#[tokio::test]
async fn unknown_ids_load_as_none_and_garbage_is_a_decode_error() {
    let emu = TestEmulator::start();
    let store = store(&emu).await;
    assert_eq!(store.load(&Id::default()).await.unwrap(), None);
    let id = Id::default();
    store
        .cache()
        .set(&id.to_string(), b"not json", &EntryOptions::new())
        .await
        .unwrap();
    assert!(matches!(store.load(&id).await, Err(Error::Decode(_))));
}

#[tokio::test]
async fn backend_failures_surface_as_backend_errors() {
    let emu = TestEmulator::start();
    // No table and no creation: every call fails with the cache's typed message.
    let store = DynamoDbSessionStore::new(builder(&emu).build().unwrap());
    match store.load(&Id::default()).await {
        Err(Error::Backend(message)) => assert_eq!(
            message,
            "Table cache was not found to be used as cache and autocreate is turned off."
        ),
        other => panic!("expected a backend error, got {other:?}"),
    }
}
