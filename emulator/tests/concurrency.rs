//! Many clients racing on one item: the per-partition atomic write must lose no update.
//! Both tests use update and condition expressions (`dynamodb::expr`).

mod common;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::Client;
use common::{hash_table, n, s};
use emulator::TestEmulator;

const TASKS: usize = 32;
const PER_TASK: usize = 50;
/// Optimistic increments retry under contention (each retry is a read and a write), so
/// the conditional race is smaller to keep debug-build runs short.
const CONDITIONAL_TASKS: usize = 16;
const CONDITIONAL_PER_TASK: usize = 25;

async fn counter(client: &Client) -> String {
    let item = client
        .get_item()
        .table_name("counters")
        .key("pk", s("c"))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    match &item["n"] {
        aws_sdk_dynamodb::types::AttributeValue::N(v) => v.clone(),
        other => panic!("{other:?}"),
    }
}

async fn setup(emu: &TestEmulator) -> Client {
    let client = emu.dynamodb_client();
    hash_table(&client, "counters").await;
    client
        .put_item()
        .table_name("counters")
        .item("pk", s("c"))
        .item("n", n("0"))
        .send()
        .await
        .unwrap();
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conditional_increments_are_never_lost() {
    let emu = TestEmulator::start();
    let client = setup(&emu).await;
    let mut tasks = Vec::new();
    for _ in 0..CONDITIONAL_TASKS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..CONDITIONAL_PER_TASK {
                loop {
                    let current = counter(&client).await;
                    let result = client
                        .update_item()
                        .table_name("counters")
                        .key("pk", s("c"))
                        .update_expression("SET n = n + :one")
                        .condition_expression("n = :expected")
                        .expression_attribute_values(":one", n("1"))
                        .expression_attribute_values(":expected", n(&current))
                        .send()
                        .await;
                    match result.map_err(|e| e.into_service_error()) {
                        Ok(_) => break,
                        Err(UpdateItemError::ConditionalCheckFailedException(_)) => {}
                        Err(e) => panic!("{e:?}"),
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        counter(&client).await,
        (CONDITIONAL_TASKS * CONDITIONAL_PER_TASK).to_string()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unconditional_adds_are_never_lost() {
    let emu = TestEmulator::start();
    let client = setup(&emu).await;
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..PER_TASK {
                client
                    .update_item()
                    .table_name("counters")
                    .key("pk", s("c"))
                    .update_expression("ADD n :one")
                    .expression_attribute_values(":one", n("1"))
                    .send()
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(counter(&client).await, (TASKS * PER_TASK).to_string());
}
