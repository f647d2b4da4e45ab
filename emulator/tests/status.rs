//! The status delay (`--status-delay-ms`): tables stay CREATING, UPDATING and DELETING, and
//! a new global index CREATING and backfilling, until the delay is over on the emulated
//! clock; meanwhile DynamoDB's rules for tables that are not ACTIVE apply.

mod common;

use std::time::Duration;

use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, CreateGlobalSecondaryIndexAction, GlobalSecondaryIndexUpdate, IndexStatus,
    KeySchemaElement, KeyType, Projection, ProjectionType, ScalarAttributeType, TableDescription,
    TableStatus,
};
use aws_sdk_dynamodb::Client;
use common::{failure, hash_table, s, table_names};
use emulator::{Config, Limits, TestEmulator};

const DELAY: Duration = Duration::from_secs(30);

fn delayed() -> TestEmulator {
    TestEmulator::with_config(Config {
        limits: Limits {
            status_delay: DELAY,
            ..Limits::default()
        },
        ..Config::for_tests()
    })
}

async fn described(client: &Client, name: &str) -> TableDescription {
    let out = client
        .describe_table()
        .table_name(name)
        .send()
        .await
        .unwrap();
    out.table.unwrap()
}

async fn status(client: &Client, name: &str) -> TableStatus {
    described(client, name).await.table_status.unwrap()
}

async fn scan_index(client: &Client, name: &str, index: &str) -> Result<(), (String, String)> {
    let result = client
        .scan()
        .table_name(name)
        .index_name(index)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => Err(failure::<(), _, _>(Err(e))),
    }
}

async fn put(client: &Client, name: &str) -> Result<(), (String, String)> {
    let result = client
        .put_item()
        .table_name(name)
        .item("pk", s("a"))
        .item("g", s("x"))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => Err(failure::<(), _, _>(Err(e))),
    }
}

fn add_index() -> GlobalSecondaryIndexUpdate {
    GlobalSecondaryIndexUpdate::builder()
        .create(
            CreateGlobalSecondaryIndexAction::builder()
                .index_name("by_g")
                .key_schema(
                    KeySchemaElement::builder()
                        .attribute_name("g")
                        .key_type(KeyType::Hash)
                        .build()
                        .unwrap(),
                )
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn tables_pass_through_their_transitional_statuses() {
    let emu = delayed();
    let client = emu.dynamodb_client();
    hash_table(&client, "tbl").await;

    // CREATING: described, but no item operation and no change yet.
    assert_eq!(status(&client, "tbl").await, TableStatus::Creating);
    assert_eq!(
        put(&client, "tbl").await,
        Err((
            "ResourceNotFoundException".into(),
            "Requested resource not found".into()
        ))
    );
    let refused = client
        .update_table()
        .table_name("tbl")
        .deletion_protection_enabled(true)
        .send()
        .await;
    assert_eq!(
        failure(refused),
        (
            "ResourceInUseException".into(),
            "Attempt to change a resource which is still in use: Table is being created: tbl"
                .into()
        )
    );
    emu.advance(DELAY);
    assert_eq!(status(&client, "tbl").await, TableStatus::Active);
    put(&client, "tbl").await.unwrap();

    // UPDATING, with the new global index CREATING and backfilling; items stay usable.
    let out = client
        .update_table()
        .table_name("tbl")
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("g")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .global_secondary_index_updates(add_index())
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.table_description.unwrap().table_status,
        Some(TableStatus::Updating)
    );
    let table = described(&client, "tbl").await;
    assert_eq!(table.table_status, Some(TableStatus::Updating));
    let index = &table.global_secondary_indexes.unwrap()[0];
    assert_eq!(index.index_status, Some(IndexStatus::Creating));
    assert_eq!(index.backfilling, Some(true));
    put(&client, "tbl").await.unwrap();
    let index_name = index.index_name.clone().unwrap();
    assert_eq!(
        scan_index(&client, "tbl", &index_name).await,
        Err((
            "ValidationException".into(),
            "Cannot read from backfilling global secondary index".into()
        ))
    );
    let refused = client
        .update_table()
        .table_name("tbl")
        .deletion_protection_enabled(true)
        .send()
        .await;
    assert_eq!(
        failure(refused).1,
        "Attempt to change a resource which is still in use: Table is being updated: tbl"
    );
    emu.advance(DELAY);
    let table = described(&client, "tbl").await;
    assert_eq!(table.table_status, Some(TableStatus::Active));
    let index = &table.global_secondary_indexes.unwrap()[0];
    assert_eq!(index.index_status, Some(IndexStatus::Active));
    assert_eq!(index.backfilling, None);
    assert_eq!(scan_index(&client, "tbl", &index_name).await, Ok(()));

    // DELETING: still described and listed, no longer usable, then gone.
    let out = client
        .delete_table()
        .table_name("tbl")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.table_description.unwrap().table_status,
        Some(TableStatus::Deleting)
    );
    assert_eq!(status(&client, "tbl").await, TableStatus::Deleting);
    assert_eq!(table_names(&client).await, ["tbl"]);
    assert_eq!(
        put(&client, "tbl").await.unwrap_err().0,
        "ResourceNotFoundException"
    );
    let again = client.delete_table().table_name("tbl").send().await;
    assert_eq!(
        failure(again).1,
        "Attempt to change a resource which is still in use: Table is being deleted: tbl"
    );
    emu.advance(DELAY);
    let gone = client.describe_table().table_name("tbl").send().await;
    assert_eq!(
        failure(gone),
        (
            "ResourceNotFoundException".into(),
            "Requested resource not found: Table: tbl not found".into()
        )
    );
    assert!(table_names(&client).await.is_empty());
    // The name is free again.
    hash_table(&client, "tbl").await;
}

#[tokio::test]
async fn sdk_waiters_see_the_table_become_active_and_go() {
    let emu = delayed();
    let client = emu.dynamodb_client();
    hash_table(&client, "waited").await;
    emu.advance(DELAY);
    client
        .wait_until_table_exists()
        .table_name("waited")
        .wait(Duration::from_secs(5))
        .await
        .unwrap();
    client
        .delete_table()
        .table_name("waited")
        .send()
        .await
        .unwrap();
    emu.advance(DELAY);
    client
        .wait_until_table_not_exists()
        .table_name("waited")
        .wait(Duration::from_secs(5))
        .await
        .unwrap();
}

/// Without a delay (the default) every change is final in its answer.
#[tokio::test]
async fn no_delay_keeps_changes_immediate() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "now").await;
    assert_eq!(status(&client, "now").await, TableStatus::Active);
    put(&client, "now").await.unwrap();
    client
        .delete_table()
        .table_name("now")
        .send()
        .await
        .unwrap();
    assert!(table_names(&client).await.is_empty());
}
