//! The demo's router with a cookie jar: the counter counts, survives an app restart and
//! resets once the session expires and the emulator sweeps it.

mod common;

#[path = "../examples/view_counter/app.rs"]
mod app;

use std::time::Duration;

use axum::Router;
use common::browser::Browser;
use common::*;
use emulator::harness::TestEmulator;
use session_store::DynamoDbSessionStore;

const IDLE_MINUTES: i64 = 30;

/// A fresh app process on the same table: new cache, new store, new router. The session
/// layer reads the system clock and the store the emulator's, so lifetimes are rebased
/// onto the emulator's clock.
async fn start_app(emu: &TestEmulator) -> Router {
    let store = DynamoDbSessionStore::new(cache(emu).await).rebase_expiry_on_cache_clock(true);
    app::router(store, time::Duration::minutes(IDLE_MINUTES))
}

#[tokio::test]
async fn the_counter_counts_survives_restarts_and_resets_after_expiry() {
    let emu = TestEmulator::start();
    let mut browser = Browser::default();

    let app = start_app(&emu).await;
    assert_eq!(browser.visit(&app).await, "You visited 1 times");
    assert_eq!(browser.visit(&app).await, "You visited 2 times");
    assert_eq!(browser.visit(&app).await, "You visited 3 times");
    let first_session = browser.session_id();
    assert!(raw_item(
        &emu.dynamodb_client(),
        TABLE,
        ("id", &format!("dc:{first_session}"))
    )
    .await
    .is_some());

    // Restart: nothing lives in the process, the count comes back from DynamoDB.
    drop(app);
    let app = start_app(&emu).await;
    assert_eq!(browser.visit(&app).await, "You visited 4 times");

    // Another browser has a count of its own.
    let mut other = Browser::default();
    assert_eq!(other.visit(&app).await, "You visited 1 times");

    // Idle for longer than the session lifetime: expired, though not yet swept...
    emu.advance(Duration::from_secs(60 * (IDLE_MINUTES as u64 + 1)));
    assert!(raw_item(
        &emu.dynamodb_client(),
        TABLE,
        ("id", &format!("dc:{first_session}"))
    )
    .await
    .is_some());
    // ...and then swept by DynamoDB TTL.
    assert_eq!(emu.sweep(), 2);
    assert_eq!(
        raw_item(
            &emu.dynamodb_client(),
            TABLE,
            ("id", &format!("dc:{first_session}"))
        )
        .await,
        None
    );
    assert_eq!(browser.visit(&app).await, "You visited 1 times");
    assert_ne!(browser.session_id(), first_session);
    assert_eq!(browser.visit(&app).await, "You visited 2 times");
}

#[tokio::test]
async fn an_expired_session_resets_even_before_the_sweep() {
    let emu = TestEmulator::start();
    let mut browser = Browser::default();
    let app = start_app(&emu).await;
    assert_eq!(browser.visit(&app).await, "You visited 1 times");
    assert_eq!(browser.visit(&app).await, "You visited 2 times");
    emu.advance(Duration::from_secs(60 * (IDLE_MINUTES as u64 + 1)));
    assert_eq!(browser.visit(&app).await, "You visited 1 times");
}

#[tokio::test]
async fn visits_within_the_idle_time_keep_the_session_alive() {
    let emu = TestEmulator::start();
    let mut browser = Browser::default();
    let app = start_app(&emu).await;
    for visit in 1..=4 {
        assert_eq!(
            browser.visit(&app).await,
            format!("You visited {visit} times")
        );
        // The session layer's expiry uses real time; the store judges by the emulator's
        // clock, so this stays under the idle time from the last save.
        emu.advance(Duration::from_secs(60 * (IDLE_MINUTES as u64 - 5)));
        emu.sweep();
    }
}
