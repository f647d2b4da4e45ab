//! `cargo run -p session-store --example view_counter`, then open http://127.0.0.1:3000.
//!
//! With no AWS settings in the environment it starts the emulator in-process, so it needs
//! no account and no other process. With the usual variables (`AWS_ENDPOINT_URL`,
//! `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`, `AWS_REGION`, ...) it uses that endpoint or real
//! DynamoDB. `VIEW_COUNTER_TABLE` names the table (created if missing),
//! `VIEW_COUNTER_ADDR` the listening address.

mod app;

use emulator::harness::TestEmulator;
use session_store::{DynamoDbCache, DynamoDbSessionStore};

const AWS_SETTINGS: &[&str] = &[
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let use_aws = AWS_SETTINGS.iter().any(|v| std::env::var_os(v).is_some());
    // Kept alive for as long as the app runs.
    let mut _emulator = None;
    let builder = if use_aws {
        tracing::info!("using DynamoDB from the environment's AWS settings");
        DynamoDbCache::builder_from_env().await
    } else {
        // Unlike a test, a running demo should sweep expired sessions on its own.
        let emulator = TestEmulator::with_config(emulator::Config {
            sweep_interval: std::time::Duration::from_secs(1),
            ..emulator::Config::for_tests()
        });
        tracing::info!(
            endpoint = emulator.endpoint(),
            "started the emulator in-process"
        );
        let builder = DynamoDbCache::builder(emulator.dynamodb_client());
        _emulator = Some(emulator);
        builder
    };
    let table =
        std::env::var("VIEW_COUNTER_TABLE").unwrap_or_else(|_| "view-counter-sessions".into());
    let cache = builder
        .table_name(table)
        .create_table_if_not_exists(true)
        .build()?;
    cache.ensure_ready().await?;

    let app = app::router(
        DynamoDbSessionStore::new(cache),
        time::Duration::minutes(30),
    );
    let addr = std::env::var("VIEW_COUNTER_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!("view counter on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
