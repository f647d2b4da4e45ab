//! Table operations through the real aws-sdk-dynamodb client.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType, TableStatus,
};
use emulator::TestEmulator;

async fn create_hash_table(client: &aws_sdk_dynamodb::Client, name: &str) {
    client
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn create_describe_put_get_round_trip() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_hash_table(&client, "sessions").await;

    let described = client
        .describe_table()
        .table_name("sessions")
        .send()
        .await
        .unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    assert_eq!(
        table.table_arn(),
        Some("arn:aws:dynamodb:us-east-1:000000000000:table/sessions")
    );
    assert_eq!(table.item_count(), Some(0));

    client
        .put_item()
        .table_name("sessions")
        .item("pk", AttributeValue::S("a".into()))
        .item("n", AttributeValue::N("1.50".into()))
        .send()
        .await
        .unwrap();
    let got = client
        .get_item()
        .table_name("sessions")
        .key("pk", AttributeValue::S("a".into()))
        .send()
        .await
        .unwrap();
    let item = got.item().unwrap();
    assert_eq!(item.get("n"), Some(&AttributeValue::N("1.5".into())));

    let err = client
        .describe_table()
        .table_name("missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception());
    assert_eq!(
        err.meta().message(),
        Some("Requested resource not found: Table: missing not found")
    );
}

#[tokio::test]
async fn access_keys_are_separate_namespaces() {
    let emu = TestEmulator::start();
    let alice = emu.dynamodb_client_as("ALICE", "us-east-1");
    let bob = emu.dynamodb_client_as("BOB", "us-east-1");
    create_hash_table(&alice, "tbl1").await;
    let alice_tables = alice.list_tables().send().await.unwrap();
    let bob_tables = bob.list_tables().send().await.unwrap();
    assert_eq!(alice_tables.table_names(), ["tbl1".to_owned()]);
    assert!(bob_tables.table_names().is_empty());
}
