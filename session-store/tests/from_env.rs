//! `from_env` construction honours `AWS_ENDPOINT_URL`, so the same code reaches the
//! emulator or AWS. Alone in its file: it sets process-wide environment variables.

use emulator::harness::{TestEmulator, ACCESS_KEY, REGION, SECRET_KEY};
use session_store::{DistributedCache, DynamoDbCache, EntryOptions};

#[tokio::test]
async fn from_env_reaches_the_endpoint_in_aws_endpoint_url() {
    let emu = TestEmulator::start();
    std::env::set_var("AWS_ENDPOINT_URL", emu.endpoint());
    std::env::set_var("AWS_ACCESS_KEY_ID", ACCESS_KEY);
    std::env::set_var("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    std::env::set_var("AWS_REGION", REGION);
    std::env::remove_var("AWS_PROFILE");
    std::env::set_var("AWS_CONFIG_FILE", "/nonexistent");
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");

    let cache = DynamoDbCache::builder_from_env()
        .await
        .table_name("from-env")
        .create_table_if_not_exists(true)
        .table_poll_interval(std::time::Duration::from_millis(50))
        .build()
        .unwrap();
    cache.set("k", b"v", &EntryOptions::new()).await.unwrap();
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));

    // The table really is in the emulator, under the same credentials' namespace.
    let tables = emu.dynamodb_client().list_tables().send().await.unwrap();
    assert_eq!(tables.table_names(), ["from-env"]);
}
