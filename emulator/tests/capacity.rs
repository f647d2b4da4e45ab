//! `ReturnConsumedCapacity` per index and `ItemCollectionMetrics`, through aws-sdk-dynamodb:
//! what each write and read costs the table and each secondary index (TOTAL, INDEXES and
//! NONE), the item collection sizes of tables with local indexes, and the (here lowered)
//! item collection size limit.

mod common;

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, Put, ReturnConsumedCapacity, ReturnItemCollectionMetrics,
    Select, TransactWriteItem, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use common::{failure, n, s};
use emulator::common::{Namespace, Service};
use emulator::harness::{ACCESS_KEY, REGION};
use emulator::{Config, Limits, TestEmulator};
use serde_json::json;

/// `tbl`: pk (S) + sk (N); global index `gsi` on gk (ALL); local index `lsi` on lk (KEYS_ONLY).
fn create_indexed_table(emu: &TestEmulator, name: &str) {
    let body = json!({
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "gk", "AttributeType": "S"},
            {"AttributeName": "lk", "AttributeType": "N"}
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"}
        ],
        "GlobalSecondaryIndexes": [{
            "IndexName": "gsi",
            "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}
        }],
        "LocalSecondaryIndexes": [{
            "IndexName": "lsi",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "lk", "KeyType": "RANGE"}
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"}
        }]
    });
    // Straight to the service, in the namespace of the SDK client's access key and region.
    let ns = Namespace::new(ACCESS_KEY, REGION);
    let answer =
        emu.services()
            .dynamodb
            .dispatch(&ns, "CreateTable", body.to_string().as_bytes(), "rid");
    if let Err(e) = answer {
        panic!("CreateTable: {}", String::from_utf8_lossy(&e.body));
    }
}

/// (total, table, global `gsi`, local `lsi`) of an INDEXES report; an index absent from the
/// report is `None`.
fn split(c: &ConsumedCapacity) -> (f64, f64, Option<f64>, Option<f64>) {
    let index = |map: Option<&HashMap<String, aws_sdk_dynamodb::types::Capacity>>, name: &str| {
        map.and_then(|m| m.get(name)).and_then(|c| c.capacity_units)
    };
    (
        c.capacity_units.unwrap(),
        c.table.as_ref().and_then(|t| t.capacity_units).unwrap(),
        index(c.global_secondary_indexes.as_ref(), "gsi"),
        index(c.local_secondary_indexes.as_ref(), "lsi"),
    )
}

async fn put(client: &Client, item: &[(&str, AttributeValue)]) -> ConsumedCapacity {
    let mut req = client
        .put_item()
        .table_name("tbl")
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes);
    for (name, value) in item {
        req = req.item(*name, value.clone());
    }
    req.send().await.unwrap().consumed_capacity.unwrap()
}

async fn update(
    client: &Client,
    expression: &str,
    values: &[(&str, AttributeValue)],
) -> ConsumedCapacity {
    let mut req = client
        .update_item()
        .table_name("tbl")
        .key("pk", s("a"))
        .key("sk", n("1"))
        .update_expression(expression)
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes);
    for (name, value) in values {
        req = req.expression_attribute_values(*name, value.clone());
    }
    req.send().await.unwrap().consumed_capacity.unwrap()
}

#[tokio::test]
async fn writes_charge_each_index_what_its_entry_did() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_indexed_table(&emu, "tbl");

    // In no index: the table alone.
    let c = put(&client, &[("pk", s("a")), ("sk", n("1")), ("x", s("v"))]).await;
    assert_eq!(split(&c), (1.0, 1.0, None, None));
    assert_eq!(c.table_name.as_deref(), Some("tbl"));
    assert_eq!(c.write_capacity_units, Some(1.0));
    assert_eq!(c.read_capacity_units, None);
    assert_eq!(c.table.as_ref().unwrap().write_capacity_units, Some(1.0));

    // Entering both indexes: one write each.
    let c = put(
        &client,
        &[
            ("pk", s("a")),
            ("sk", n("1")),
            ("x", s("v")),
            ("gk", s("g1")),
            ("lk", n("5")),
        ],
    )
    .await;
    assert_eq!(split(&c), (3.0, 1.0, Some(1.0), Some(1.0)));
    let g = &c.global_secondary_indexes.as_ref().unwrap()["gsi"];
    assert_eq!(g.write_capacity_units, Some(1.0));

    // A non-key attribute the global index projects and the local one does not.
    let c = update(&client, "SET x = :v", &[(":v", s("w"))]).await;
    assert_eq!(split(&c), (2.0, 1.0, Some(1.0), None));

    // The global index key changes: its old entry is deleted and a new one put.
    let c = update(&client, "SET gk = :v", &[(":v", s("g2"))]).await;
    assert_eq!(split(&c), (3.0, 1.0, Some(2.0), None));

    // Leaving the (sparse) local index costs it one write; the global entry changes.
    let c = update(&client, "REMOVE lk", &[]).await;
    assert_eq!(split(&c), (3.0, 1.0, Some(1.0), Some(1.0)));

    // Index writes are priced per KB of the entry, like table writes.
    let big = "z".repeat(1500);
    let c = put(
        &client,
        &[
            ("pk", s("a")),
            ("sk", n("1")),
            ("gk", s("g2")),
            ("x", s(&big)),
        ],
    )
    .await;
    assert_eq!(split(&c), (4.0, 2.0, Some(2.0), None));

    // TOTAL: the sum alone. NONE and no member: nothing.
    let out = client
        .delete_item()
        .table_name("tbl")
        .key("pk", s("a"))
        .key("sk", n("1"))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let c = out.consumed_capacity.unwrap();
    assert_eq!(c.capacity_units, Some(4.0));
    assert_eq!(c.table, None);
    assert_eq!(c.global_secondary_indexes, None);
    assert_eq!(c.write_capacity_units, None);
    let out = client
        .put_item()
        .table_name("tbl")
        .item("pk", s("a"))
        .item("sk", n("1"))
        .item("gk", s("g"))
        .return_consumed_capacity(ReturnConsumedCapacity::None)
        .send()
        .await
        .unwrap();
    assert_eq!(out.consumed_capacity, None);
}

#[tokio::test]
async fn batches_and_transactions_sum_index_units_per_table() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_indexed_table(&emu, "tbl");
    let item = |sk: &str, gk: Option<&str>| {
        let mut item = HashMap::from([("pk".to_owned(), s("b")), ("sk".to_owned(), n(sk))]);
        if let Some(gk) = gk {
            item.insert("gk".to_owned(), s(gk));
            item.insert("lk".to_owned(), n("1"));
        }
        item
    };
    let request = |item| {
        WriteRequest::builder()
            .put_request(
                aws_sdk_dynamodb::types::PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .unwrap(),
            )
            .build()
    };
    let out = client
        .batch_write_item()
        .request_items(
            "tbl",
            vec![request(item("1", Some("x"))), request(item("2", None))],
        )
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    let list = out.consumed_capacity.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(split(&list[0]), (4.0, 2.0, Some(1.0), Some(1.0)));

    // Transactional writes pay everything twice.
    let out = client
        .transact_write_items()
        .transact_items(
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name("tbl")
                        .set_item(Some(item("3", Some("y"))))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    let list = out.consumed_capacity.unwrap();
    assert_eq!(split(&list[0]), (6.0, 2.0, Some(2.0), Some(2.0)));
}

#[tokio::test]
async fn reads_charge_the_index_they_read_and_the_table_for_fetches() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_indexed_table(&emu, "tbl");
    for sk in 1..=2 {
        put(
            &client,
            &[
                ("pk", s("q")),
                ("sk", n(&sk.to_string())),
                ("gk", s("G")),
                ("lk", n("7")),
                ("x", s("v")),
            ],
        )
        .await;
    }
    // A global index Query: the index pays, the table nothing.
    let out = client
        .query()
        .table_name("tbl")
        .index_name("gsi")
        .key_condition_expression("gk = :g")
        .expression_attribute_values(":g", s("G"))
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    let c = out.consumed_capacity.unwrap();
    assert_eq!(split(&c), (0.5, 0.0, Some(0.5), None));
    assert_eq!(c.read_capacity_units, Some(0.5));
    assert_eq!(c.write_capacity_units, None);

    // A local index asked for attributes it does not project fetches each item from the
    // table: the index pays for its entries, the table for every item fetched.
    let out = client
        .query()
        .table_name("tbl")
        .index_name("lsi")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", s("q"))
        .select(Select::AllAttributes)
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    assert_eq!(out.count, 2);
    assert_eq!(
        split(&out.consumed_capacity.unwrap()),
        (3.0, 2.0, None, Some(1.0))
    );

    // Without fetching, the local index alone.
    let out = client
        .query()
        .table_name("tbl")
        .index_name("lsi")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", s("q"))
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    assert_eq!(
        split(&out.consumed_capacity.unwrap()),
        (0.5, 0.0, None, Some(0.5))
    );

    let out = client
        .scan()
        .table_name("tbl")
        .index_name("gsi")
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let c = out.consumed_capacity.unwrap();
    assert_eq!((c.capacity_units, c.table), (Some(0.5), None));

    // Item reads touch the table only.
    let out = client
        .get_item()
        .table_name("tbl")
        .key("pk", s("q"))
        .key("sk", n("1"))
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    let c = out.consumed_capacity.unwrap();
    assert_eq!(split(&c), (0.5, 0.5, None, None));
    assert_eq!(c.table.unwrap().read_capacity_units, Some(0.5));
}

fn limited(bytes: u64) -> TestEmulator {
    TestEmulator::with_config(Config {
        limits: Limits {
            item_collection_bytes: bytes,
            ..Limits::default()
        },
        ..Config::for_tests()
    })
}

#[tokio::test]
async fn item_collection_metrics_come_from_tables_with_local_indexes() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_indexed_table(&emu, "tbl");
    common::hash_table(&client, "plain").await;

    let out = client
        .put_item()
        .table_name("tbl")
        .item("pk", s("a"))
        .item("sk", n("1"))
        .item("lk", n("1"))
        .return_item_collection_metrics(ReturnItemCollectionMetrics::Size)
        .send()
        .await
        .unwrap();
    let metrics = out.item_collection_metrics.unwrap();
    assert_eq!(
        metrics.item_collection_key.unwrap(),
        HashMap::from([("pk".to_owned(), s("a"))])
    );
    assert_eq!(metrics.size_estimate_range_gb.unwrap(), vec![0.0, 1.0]);

    // Not asked for, or a table without local indexes: none.
    let out = client
        .put_item()
        .table_name("tbl")
        .item("pk", s("a"))
        .item("sk", n("2"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.item_collection_metrics, None);
    let out = client
        .put_item()
        .table_name("plain")
        .item("pk", s("a"))
        .return_item_collection_metrics(ReturnItemCollectionMetrics::Size)
        .send()
        .await
        .unwrap();
    assert_eq!(out.item_collection_metrics, None);

    // Update and delete report the collection too.
    let out = client
        .update_item()
        .table_name("tbl")
        .key("pk", s("c"))
        .key("sk", n("1"))
        .update_expression("SET v = :v")
        .expression_attribute_values(":v", s("x"))
        .return_item_collection_metrics(ReturnItemCollectionMetrics::Size)
        .send()
        .await
        .unwrap();
    let key = out
        .item_collection_metrics
        .unwrap()
        .item_collection_key
        .unwrap();
    assert_eq!(key["pk"], s("c"));
    let out = client
        .delete_item()
        .table_name("tbl")
        .key("pk", s("c"))
        .key("sk", n("1"))
        .return_item_collection_metrics(ReturnItemCollectionMetrics::Size)
        .send()
        .await
        .unwrap();
    assert!(out.item_collection_metrics.is_some());

    // A batch lists each collection it wrote to once, per table with local indexes.
    let put = |pk: &str, sk: &str| {
        WriteRequest::builder()
            .put_request(
                aws_sdk_dynamodb::types::PutRequest::builder()
                    .item("pk", s(pk))
                    .item("sk", n(sk))
                    .build()
                    .unwrap(),
            )
            .build()
    };
    let out = client
        .batch_write_item()
        .request_items("tbl", vec![put("a", "3"), put("a", "4"), put("b", "1")])
        .return_item_collection_metrics(ReturnItemCollectionMetrics::Size)
        .send()
        .await
        .unwrap();
    let metrics = out.item_collection_metrics.unwrap();
    let keys: Vec<AttributeValue> = metrics["tbl"]
        .iter()
        .map(|m| m.item_collection_key.as_ref().unwrap()["pk"].clone())
        .collect();
    assert_eq!(keys, vec![s("a"), s("b")]);

    let out = client
        .transact_write_items()
        .transact_items(
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name("tbl")
                        .item("pk", s("d"))
                        .item("sk", n("1"))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .return_item_collection_metrics(ReturnItemCollectionMetrics::Size)
        .send()
        .await
        .unwrap();
    let metrics = out.item_collection_metrics.unwrap();
    assert_eq!(metrics["tbl"].len(), 1);
}

#[tokio::test]
async fn a_collection_cannot_grow_past_the_limit() {
    // Each item below is ~250 bytes plus its local index entry.
    let emu = limited(1000);
    let client = emu.dynamodb_client();
    create_indexed_table(&emu, "tbl");
    let filler = "f".repeat(200);
    let put = |pk: &str, sk: usize| {
        client
            .put_item()
            .table_name("tbl")
            .item("pk", s(pk))
            .item("sk", n(&sk.to_string()))
            .item("lk", n("1"))
            .item("x", s(&filler))
            .send()
    };
    let mut stored = 0;
    let (code, message) = loop {
        match put("a", stored).await {
            Ok(_) => stored += 1,
            Err(e) => break failure::<(), _, _>(Err(e)),
        }
        assert!(stored < 10, "the limit was never met");
    };
    assert!(stored >= 2);
    assert_eq!(code, "ItemCollectionSizeLimitExceededException");
    assert_eq!(message, "Collection size exceeded.");

    // Other partitions are unaffected; writes that do not grow the collection pass.
    put("b", 0).await.unwrap();
    put("a", 0).await.unwrap();
    client
        .update_item()
        .table_name("tbl")
        .key("pk", s("a"))
        .key("sk", n("0"))
        .update_expression("REMOVE x")
        .send()
        .await
        .unwrap();
    // Deleting frees room: it takes the item that was refused.
    client
        .delete_item()
        .table_name("tbl")
        .key("pk", s("a"))
        .key("sk", n("1"))
        .send()
        .await
        .unwrap();
    put("a", stored).await.unwrap();

    // In a transaction the refusal is the action's cancellation reason.
    let err = client
        .transact_write_items()
        .transact_items(
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name("tbl")
                        .item("pk", s("a"))
                        .item("sk", n("99"))
                        .item("lk", n("1"))
                        .item("x", s(&filler))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    let reasons = match err.into_service_error() {
        TransactWriteItemsError::TransactionCanceledException(e) => {
            e.cancellation_reasons().to_vec()
        }
        other => panic!("expected TransactionCanceledException, got {other:?}"),
    };
    assert_eq!(
        reasons[0].code.as_deref(),
        Some("ItemCollectionSizeLimitExceeded")
    );
    assert_eq!(
        reasons[0].message.as_deref(),
        Some("Collection size exceeded.")
    );
}
