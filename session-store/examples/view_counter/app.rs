//! The view counter of the session lab, as an axum app with sessions in DynamoDB.
//!
//! Shared by the example binary and the integration test that drives the router.

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use session_store::keyring::ProtectedCookieLayer;
use session_store::DynamoDbSessionStore;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

const VISITS: &str = "visits";

/// The app: `GET /` counts the visits of the session. Sessions end after `idle` without
/// a visit.
pub fn router(store: DynamoDbSessionStore, idle: time::Duration) -> Router {
    let sessions = SessionManagerLayer::new(store)
        // Plain HTTP on localhost in the demo; behind TLS, keep the default (secure).
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(idle));
    Router::new().route("/", get(count_visit)).layer(sessions)
}

/// The app with its session cookie protected by a key ring: instances that share the ring
/// read each other's cookies, so a farm needs no sticky sessions.
#[allow(dead_code)]
pub fn protected_router(
    store: DynamoDbSessionStore,
    idle: time::Duration,
    cookies: ProtectedCookieLayer,
) -> Router {
    // Added last, so outermost: it sees the cookie before the session layer does.
    router(store, idle).layer(cookies)
}

async fn count_visit(session: Session) -> Result<String, (StatusCode, String)> {
    let failed = |e: tower_sessions::session::Error| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("session store failed: {e}"),
        )
    };
    let visits = session
        .get::<u64>(VISITS)
        .await
        .map_err(failed)?
        .unwrap_or(0)
        + 1;
    session.insert(VISITS, visits).await.map_err(failed)?;
    Ok(format!("You visited {visits} times"))
}
