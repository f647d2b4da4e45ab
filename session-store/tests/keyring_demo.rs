//! The lab's ending: two instances of the view counter, each with its own process state
//! (clients, caches, key-ring caches) but the same DynamoDB table and the same key
//! repository, behind a round-robin client. The counter counts whichever instance answers.
//! With a key ring per instance each one rejects the other's cookie: the failure that a
//! shared ring fixes. Also: signed and private cookies, rotation, revocation, tampering.
//!
//! The same scenario with the DynamoDB key repository is in `xml_repo_dynamodb.rs`.

mod common;
mod keyring_support;

#[path = "../examples/view_counter/app.rs"]
mod app;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use common::browser::Browser;
use common::*;
use emulator::harness::TestEmulator;
use keyring_support::emulator_clock;
use session_store::keyring::{
    CookieProtection, KeyRingManager, ProtectedCookieLayer, SsmXmlRepository, XmlRepository,
};
use session_store::{DynamoDbCache, DynamoDbSessionStore};

/// One app instance: its own DynamoDB client and cache, its own key-ring manager (own cache)
/// on `repository`.
fn instance(
    emu: &TestEmulator,
    repository: Arc<dyn XmlRepository>,
    protection: CookieProtection,
    idle: time::Duration,
) -> (Router, KeyRingManager) {
    let cache = DynamoDbCache::builder(emu.dynamodb_client())
        .table_name(TABLE)
        .partition_key_name("id")
        .ttl_attribute_name("ttl_date")
        .clock(emulator_clock(emu))
        .build()
        .unwrap();
    let store = DynamoDbSessionStore::new(cache).rebase_expiry_on_cache_clock(true);
    let ring = KeyRingManager::builder_shared(repository)
        .clock(emulator_clock(emu))
        .build();
    // As ASP.NET Core's session middleware: application name, then "SessionMiddleware".
    let protector = ring
        .create_protector("view-counter")
        .create_protector("SessionMiddleware");
    let layer = ProtectedCookieLayer::new(protector, "id", protection);
    (app::protected_router(store, idle, layer), ring)
}

fn ssm_repository(emu: &TestEmulator, prefix: &str) -> Arc<dyn XmlRepository> {
    Arc::new(SsmXmlRepository::new(emu.ssm_client(), prefix))
}

/// Visits through a round-robin balancer; returns the counts seen.
async fn round_robin(browser: &mut Browser, instances: &[Router], visits: usize) -> Vec<String> {
    let mut seen = Vec::new();
    for i in 0..visits {
        seen.push(browser.visit(&instances[i % instances.len()]).await);
    }
    seen
}

fn counts(range: impl Iterator<Item = usize>) -> Vec<String> {
    range.map(|n| format!("You visited {n} times")).collect()
}

const IDLE: time::Duration = time::Duration::minutes(30);

#[tokio::test]
async fn two_instances_sharing_the_ssm_key_ring_keep_counting() {
    let emu = TestEmulator::start();
    cache(&emu).await; // creates the sessions table
    let a = instance(
        &emu,
        ssm_repository(&emu, "/view-counter/keys"),
        CookieProtection::Private,
        IDLE,
    );
    let b = instance(
        &emu,
        ssm_repository(&emu, "/view-counter/keys"),
        CookieProtection::Private,
        IDLE,
    );
    let mut browser = Browser::default();
    assert_eq!(
        round_robin(&mut browser, &[a.0, b.0], 6).await,
        counts(1..=6)
    );
    // One key, made by whichever instance needed it first.
    assert_eq!(a.1.all_keys().await.unwrap().len(), 1);
    // The cookie is ASP.NET Core's format: base64 of a payload naming that key.
    let payload = STANDARD_NO_PAD.decode(browser.cookie_value()).unwrap();
    let key = a.1.key_ring().await.unwrap().default_key().id();
    assert_eq!(&payload[..4], &[0x09, 0xf0, 0xc9, 0xf0]);
    assert_eq!(&payload[4..20], &key.to_dotnet_bytes());
}

#[tokio::test]
async fn with_a_key_ring_per_instance_every_switch_starts_a_new_session() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let a = instance(
        &emu,
        ssm_repository(&emu, "/instance-a/keys"),
        CookieProtection::Private,
        IDLE,
    );
    let b = instance(
        &emu,
        ssm_repository(&emu, "/instance-b/keys"),
        CookieProtection::Private,
        IDLE,
    );
    let mut browser = Browser::default();
    // Each instance rejects the other's cookie (unknown key) and starts over.
    assert_eq!(
        round_robin(&mut browser, &[a.0.clone(), b.0.clone()], 6).await,
        counts(std::iter::repeat_n(1, 6))
    );
    // Sticky to one instance, it counts: the sessions themselves were fine all along.
    let mut sticky = Browser::default();
    assert_eq!(round_robin(&mut sticky, &[a.0], 3).await, counts(1..=3));
}

#[tokio::test]
async fn signed_cookies_show_the_id_but_reject_changes() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let repository = ssm_repository(&emu, "/signed/keys");
    let a = instance(&emu, repository.clone(), CookieProtection::Signed, IDLE);
    let b = instance(&emu, repository, CookieProtection::Signed, IDLE);
    let mut browser = Browser::default();
    assert_eq!(
        round_robin(&mut browser, &[a.0.clone(), b.0.clone()], 4).await,
        counts(1..=4)
    );
    let value = browser.cookie_value();
    let (id, tag) = value.rsplit_once('.').unwrap();
    assert!(!id.is_empty() && !tag.is_empty());
    // The session id is readable and is the DynamoDB item's key.
    assert!(
        raw_item(&emu.dynamodb_client(), TABLE, ("id", &format!("dc:{id}")))
            .await
            .is_some()
    );
    // Another session's id with this tag: rejected, a new session starts.
    let mut forger = Browser {
        cookie: Some(format!("id={}.{tag}", "AAAAAAAAAAAAAAAAAAAAAA")),
    };
    assert_eq!(forger.visit(&a.0).await, "You visited 1 times");
}

#[tokio::test]
async fn cookies_survive_key_rotation_until_their_key_is_revoked() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let repository = ssm_repository(&emu, "/rotation/keys");
    let idle = time::Duration::days(200);
    let (a, ring) = instance(&emu, repository.clone(), CookieProtection::Private, idle);
    let (b, _) = instance(&emu, repository, CookieProtection::Private, idle);
    let mut browser = Browser::default();
    assert_eq!(browser.visit(&a).await, "You visited 1 times");
    let old_cookie = browser.cookie.clone();
    let first_key = ring.key_ring().await.unwrap().default_key().id();

    // 91 days later the first key has expired and a new one protects new cookies...
    emu.advance(Duration::from_secs(91 * 86_400));
    assert_eq!(browser.visit(&b).await, "You visited 2 times");
    let rotated = STANDARD_NO_PAD.decode(browser.cookie_value()).unwrap();
    assert_ne!(&rotated[4..20], &first_key.to_dotnet_bytes());
    // ...and a cookie made with the old key is still accepted by both instances.
    let mut old = Browser {
        cookie: old_cookie.clone(),
    };
    assert_eq!(old.visit(&a).await, "You visited 3 times");

    // Once the old key is revoked, its cookies are not.
    ring.revoke_key(first_key, "rotated out").await.unwrap();
    let mut revoked = Browser {
        cookie: old_cookie.clone(),
    };
    assert_eq!(revoked.visit(&a).await, "You visited 1 times");
    // The current cookie still works.
    assert_eq!(browser.visit(&a).await, "You visited 4 times");
}

#[tokio::test]
async fn a_tampered_or_garbage_cookie_starts_a_new_session() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let (app, _) = instance(
        &emu,
        ssm_repository(&emu, "/tamper/keys"),
        CookieProtection::Private,
        IDLE,
    );
    let mut browser = Browser::default();
    assert_eq!(browser.visit(&app).await, "You visited 1 times");
    assert_eq!(browser.visit(&app).await, "You visited 2 times");
    let mut payload = STANDARD_NO_PAD.decode(browser.cookie_value()).unwrap();
    let last = payload.len() - 1;
    payload[last] ^= 1;
    for cookie in [
        format!("id={}", STANDARD_NO_PAD.encode(&payload)),
        "id=not base64!".to_owned(),
        "id=".to_owned(),
    ] {
        let mut attacker = Browser {
            cookie: Some(cookie),
        };
        assert_eq!(attacker.visit(&app).await, "You visited 1 times");
    }
    assert_eq!(browser.visit(&app).await, "You visited 3 times");
}
