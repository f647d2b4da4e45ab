//! TransactWriteItems and TransactGetItems through aws-sdk-dynamodb (and raw HTTP for the
//! shapes the SDK will not send): all-or-nothing writes, cancellation reasons, DynamoDB's
//! validation messages (as recorded from the real service by the paritysuite conformance
//! suite), client request tokens, capacity, and isolation under concurrency.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConditionCheck, Delete, Get, Put, ReturnConsumedCapacity,
    ReturnValuesOnConditionCheckFailure, TransactGetItem, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use common::{failure, hash_table, n, post, raw_error, s};
use emulator::TestEmulator;
use serde_json::json;

type Item = HashMap<String, AttributeValue>;

const VALIDATION: &str = "ValidationException";

fn pk(v: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(v))])
}

fn with(mut item: Item, name: &str, value: AttributeValue) -> Item {
    item.insert(name.to_owned(), value);
    item
}

fn put(table: &str, item: Item) -> TransactWriteItem {
    TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .build()
                .unwrap(),
        )
        .build()
}

fn put_if_absent(table: &str, item: Item) -> TransactWriteItem {
    TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .unwrap(),
        )
        .build()
}

fn update(
    table: &str,
    key: Item,
    expression: &str,
    values: &[(&str, AttributeValue)],
) -> TransactWriteItem {
    let mut b = Update::builder()
        .table_name(table)
        .set_key(Some(key))
        .update_expression(expression);
    for (name, value) in values {
        b = b.expression_attribute_values(*name, value.clone());
    }
    TransactWriteItem::builder()
        .update(b.build().unwrap())
        .build()
}

fn delete(table: &str, key: Item) -> TransactWriteItem {
    TransactWriteItem::builder()
        .delete(
            Delete::builder()
                .table_name(table)
                .set_key(Some(key))
                .build()
                .unwrap(),
        )
        .build()
}

fn check(table: &str, key: Item, condition: &str) -> TransactWriteItem {
    TransactWriteItem::builder()
        .condition_check(
            ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(key))
                .condition_expression(condition)
                .build()
                .unwrap(),
        )
        .build()
}

fn get(table: &str, key: Item) -> TransactGetItem {
    TransactGetItem::builder()
        .get(
            Get::builder()
                .table_name(table)
                .set_key(Some(key))
                .build()
                .unwrap(),
        )
        .build()
}

async fn read(client: &Client, table: &str, key: &str) -> Option<Item> {
    client
        .get_item()
        .table_name(table)
        .key("pk", s(key))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

/// The message and reasons of a cancelled TransactWriteItems; panics on anything else.
fn cancelled<T: std::fmt::Debug, R: std::fmt::Debug + Send + Sync + 'static>(
    result: Result<T, SdkError<TransactWriteItemsError, R>>,
) -> (String, Vec<CancellationReason>) {
    match result
        .expect_err("the transaction should be cancelled")
        .into_service_error()
    {
        TransactWriteItemsError::TransactionCanceledException(e) => (
            e.message().unwrap_or_default().to_owned(),
            e.cancellation_reasons().to_vec(),
        ),
        other => panic!("expected TransactionCanceledException, got {other:?}"),
    }
}

fn get_cancelled<T: std::fmt::Debug, R: std::fmt::Debug + Send + Sync + 'static>(
    result: Result<T, SdkError<TransactGetItemsError, R>>,
) -> (String, Vec<CancellationReason>) {
    match result
        .expect_err("the read should be cancelled")
        .into_service_error()
    {
        TransactGetItemsError::TransactionCanceledException(e) => (
            e.message().unwrap_or_default().to_owned(),
            e.cancellation_reasons().to_vec(),
        ),
        other => panic!("expected TransactionCanceledException, got {other:?}"),
    }
}

fn codes(reasons: &[CancellationReason]) -> Vec<&str> {
    reasons
        .iter()
        .map(|r| r.code().unwrap_or_default())
        .collect()
}

fn cancel_message(codes: &[&str]) -> String {
    format!(
        "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
        codes.join(", ")
    )
}

#[tokio::test]
async fn writes_all_or_nothing_across_tables() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "ta1").await;
    hash_table(&client, "tb1").await;
    client
        .put_item()
        .table_name("ta1")
        .set_item(Some(with(pk("old"), "v", n("1"))))
        .send()
        .await
        .unwrap();
    client
        .put_item()
        .table_name("tb1")
        .set_item(Some(with(pk("gone"), "v", n("1"))))
        .send()
        .await
        .unwrap();

    // Every kind of action, over two tables, at once.
    client
        .transact_write_items()
        .transact_items(put("ta1", with(pk("new"), "v", n("7"))))
        .transact_items(update(
            "ta1",
            pk("old"),
            "SET v = v + :one",
            &[(":one", n("1"))],
        ))
        .transact_items(delete("tb1", pk("gone")))
        .transact_items(check("tb1", pk("absent"), "attribute_not_exists(pk)"))
        .send()
        .await
        .unwrap();
    assert_eq!(read(&client, "ta1", "new").await.unwrap()["v"], n("7"));
    assert_eq!(read(&client, "ta1", "old").await.unwrap()["v"], n("2"));
    assert_eq!(read(&client, "tb1", "gone").await, None);

    // One failing condition cancels every action; the others are reported as None, the
    // failed one with DynamoDB's message and, for ALL_OLD, the item as it was.
    let (message, reasons) = cancelled(
        client
            .transact_write_items()
            .transact_items(put("tb1", pk("fresh")))
            .transact_items(update("ta1", pk("old"), "SET v = :z", &[(":z", n("0"))]))
            .transact_items(put_if_absent("ta1", with(pk("new"), "v", n("100"))))
            .send()
            .await,
    );
    assert_eq!(
        message,
        cancel_message(&["None", "None", "ConditionalCheckFailed"])
    );
    assert_eq!(codes(&reasons), ["None", "None", "ConditionalCheckFailed"]);
    assert_eq!(reasons[0].message(), None);
    assert_eq!(reasons[2].message(), Some("The conditional request failed"));
    assert_eq!(reasons[2].item().unwrap()["v"], n("7"));
    assert_eq!(read(&client, "tb1", "fresh").await, None);
    assert_eq!(read(&client, "ta1", "old").await.unwrap()["v"], n("2"));
    assert_eq!(read(&client, "ta1", "new").await.unwrap()["v"], n("7"));

    // Every failing action is reported, not just the first.
    let (message, reasons) = cancelled(
        client
            .transact_write_items()
            .transact_items(put_if_absent("ta1", pk("old")))
            .transact_items(put_if_absent("ta1", pk("new")))
            .send()
            .await,
    );
    let both = ["ConditionalCheckFailed", "ConditionalCheckFailed"];
    assert_eq!(message, cancel_message(&both));
    assert_eq!(codes(&reasons), both);

    // An update that fails on the stored item cancels with a ValidationError reason that
    // carries UpdateItem's own message.
    client
        .put_item()
        .table_name("ta1")
        .set_item(Some(with(pk("text"), "v", s("abc"))))
        .send()
        .await
        .unwrap();
    let (_, single) = failure(
        client
            .update_item()
            .table_name("ta1")
            .key("pk", s("text"))
            .update_expression("SET v = v + :one")
            .expression_attribute_values(":one", n("1"))
            .send()
            .await,
    );
    let (message, reasons) = cancelled(
        client
            .transact_write_items()
            .transact_items(put("tb1", pk("fresh")))
            .transact_items(update(
                "ta1",
                pk("text"),
                "SET v = v + :one",
                &[(":one", n("1"))],
            ))
            .send()
            .await,
    );
    assert_eq!(message, cancel_message(&["None", "ValidationError"]));
    assert_eq!(reasons[1].message(), Some(single.as_str()));
    assert_eq!(read(&client, "tb1", "fresh").await, None);
}

/// Messages as the real service words them (paritysuite's tier3 error-message and
/// validation-ordering suites).
#[tokio::test]
async fn validation_errors() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "tt1").await;
    let send = |items: Vec<TransactWriteItem>| {
        client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
    };

    let (code, message) = failure(send(vec![]).await);
    assert_eq!(code, VALIDATION);
    assert_eq!(
        message,
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy \
         constraint: Member must have length greater than or equal to 1"
    );
    let many = (0..101).map(|i| put("tt1", pk(&format!("k{i}")))).collect();
    let (_, message) = failure(send(many).await);
    assert!(
        message.starts_with("1 validation error detected: Value '["),
        "{message}"
    );
    assert!(message.ends_with(
        "]' at 'transactItems' failed to satisfy constraint: Member must have length less \
         than or equal to 100"
    ));

    let (code, message) =
        failure(send(vec![put("tt1", pk("dup")), delete("tt1", pk("dup"))]).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            VALIDATION,
            "Transaction request cannot include multiple operations on one item"
        )
    );
    let (code, message) = failure(send(vec![put("missing", pk("x"))]).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ResourceNotFoundException", "Requested resource not found")
    );

    // A mistyped key cancels its action; an empty one fails the request.
    let (message, reasons) =
        cancelled(send(vec![put("tt1", HashMap::from([("pk".into(), n("5"))]))]).await);
    assert_eq!(message, cancel_message(&["ValidationError"]));
    assert_eq!(
        reasons[0].message(),
        Some("One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
    );
    let wrong_key = HashMap::from([("pk".to_owned(), n("5"))]);
    for action in [
        update("tt1", wrong_key.clone(), "SET a = :v", &[(":v", s("x"))]),
        delete("tt1", wrong_key.clone()),
        check("tt1", wrong_key.clone(), "attribute_not_exists(pk)"),
    ] {
        let (_, reasons) = cancelled(send(vec![action]).await);
        assert_eq!(codes(&reasons), ["ValidationError"]);
        assert_eq!(
            reasons[0].message(),
            Some("The provided key element does not match the schema")
        );
    }
    let empty = "One or more parameter values are not valid. The AttributeValue for a key \
                 attribute cannot contain an empty string value. Key: pk";
    for action in [
        put("tt1", pk("")),
        delete("tt1", pk("")),
        check("tt1", pk(""), "attribute_exists(pk)"),
    ] {
        assert_eq!(
            failure(send(vec![action]).await),
            (VALIDATION.to_owned(), empty.to_owned())
        );
    }
    // Expressions are checked before any table: a later syntax error beats an earlier
    // missing table.
    assert_eq!(
        failure(
            send(vec![
                put("missing", pk("a")),
                check("tt1", pk("c"), "attribute_not_exists(")
            ])
            .await
        ),
        (
            VALIDATION.to_owned(),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"(\"".to_owned()
        )
    );

    // The token's length is checked first, then the enums, reported together.
    let token = "x".repeat(37);
    let (_, message) = failure(
        client
            .transact_write_items()
            .transact_items(put("tt1", pk("tok")))
            .client_request_token(&token)
            .return_consumed_capacity(ReturnConsumedCapacity::from("BOGUS"))
            .send()
            .await,
    );
    assert_eq!(
        message,
        format!(
            "2 validation errors detected: Value '{token}' at 'clientRequestToken' failed to \
             satisfy constraint: Member must have length less than or equal to 36; Value \
             'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: Member must \
             satisfy enum value set: [INDEXES, TOTAL, NONE]"
        )
    );
    assert_eq!(read(&client, "tt1", "tok").await, None);
    assert_eq!(read(&client, "tt1", "dup").await, None);
}

/// Shapes the SDK will not send.
#[test]
fn raw_shapes() {
    let emu = TestEmulator::start();
    let endpoint = emu.endpoint();
    let create = json!({
        "TableName": "raw",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    });
    assert_eq!(
        post(endpoint, "CreateTable", &create.to_string()).status,
        200
    );
    let two = json!({"TransactItems": [{
        "Put": {"TableName": "raw", "Item": {"pk": {"S": "a"}}},
        "Delete": {"TableName": "raw", "Key": {"pk": {"S": "a"}}},
    }]});
    let resp = post(endpoint, "TransactWriteItems", &two.to_string());
    assert_eq!(
        raw_error(&resp),
        (
            VALIDATION.to_owned(),
            "TransactItems can only contain one of Check, Put, Update or Delete".to_owned()
        )
    );
    // The wire form of a cancellation: `Message` and `CancellationReasons`, no `Code`
    // message for the actions that did not fail.
    let put = json!({"TransactItems": [
        {"Put": {"TableName": "raw", "Item": {"pk": {"S": "b"}}}},
        {"ConditionCheck": {"TableName": "raw", "Key": {"pk": {"S": "c"}},
            "ConditionExpression": "attribute_exists(pk)"}},
    ]});
    let resp = post(endpoint, "TransactWriteItems", &put.to_string());
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json(),
        json!({
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "CancellationReasons": [
                {"Code": "None"},
                {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
            ],
            "Message": "Transaction cancelled, please refer cancellation reasons for specific \
                        reasons [None, ConditionalCheckFailed]",
        })
    );
    // TransactGetItems answers `{}` for a missing item.
    let gets = json!({"TransactItems": [{"Get": {"TableName": "raw", "Key": {"pk": {"S": "b"}}}}]});
    let resp = post(endpoint, "TransactGetItems", &gets.to_string());
    assert_eq!(resp.json(), json!({"Responses": [{}]}));
}

#[tokio::test]
async fn client_request_tokens() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "tt1").await;
    let add = |by: &str, token: &str| {
        client
            .transact_write_items()
            .transact_items(update("tt1", pk("counter"), "ADD c :by", &[(":by", n(by))]))
            .client_request_token(token)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
    };
    let first = add("1", "token-1").await.unwrap();
    let again = add("1", "token-1").await.unwrap();
    assert_eq!(read(&client, "tt1", "counter").await.unwrap()["c"], n("1"));
    assert_eq!(first.consumed_capacity(), again.consumed_capacity());
    assert_eq!(
        failure(add("2", "token-1").await),
        (
            "IdempotentParameterMismatchException".to_owned(),
            "The request uses the same client token as a previous, but non-identical request."
                .to_owned()
        )
    );
    // A token is remembered for ten minutes of (emulated) time.
    emu.advance(Duration::from_secs(9 * 60));
    add("1", "token-1").await.unwrap();
    assert_eq!(read(&client, "tt1", "counter").await.unwrap()["c"], n("1"));
    emu.advance(Duration::from_secs(2 * 60));
    add("1", "token-1").await.unwrap();
    assert_eq!(read(&client, "tt1", "counter").await.unwrap()["c"], n("2"));
    // A cancelled transaction leaves its token free.
    let guarded = client
        .transact_write_items()
        .transact_items(check("tt1", pk("counter"), "attribute_not_exists(pk)"))
        .client_request_token("token-2")
        .send()
        .await;
    cancelled(guarded);
    add("5", "token-2").await.unwrap();
    assert_eq!(read(&client, "tt1", "counter").await.unwrap()["c"], n("7"));
}

#[tokio::test]
async fn capacity_is_doubled() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "ta1").await;
    hash_table(&client, "tb1").await;
    let big = with(pk("big"), "data", s(&"x".repeat(1500)));
    let out = client
        .transact_write_items()
        .transact_items(put("ta1", big))
        .transact_items(put("ta1", pk("small")))
        .transact_items(check("tb1", pk("none"), "attribute_not_exists(pk)"))
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    let caps = out.consumed_capacity();
    assert_eq!(caps.len(), 2);
    // 2 KB item: 2 units, doubled; small item and the check: 1 unit each, doubled.
    assert_eq!(
        (caps[0].table_name(), caps[0].capacity_units()),
        (Some("ta1"), Some(6.0))
    );
    assert_eq!(caps[0].table().and_then(|t| t.capacity_units()), Some(6.0));
    assert_eq!(
        (caps[1].table_name(), caps[1].capacity_units()),
        (Some("tb1"), Some(2.0))
    );

    let out = client
        .transact_get_items()
        .transact_items(get("ta1", pk("big")))
        .transact_items(get("ta1", pk("small")))
        .transact_items(get("tb1", pk("none")))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let caps = out.consumed_capacity();
    // One strongly consistent unit per item (under 4 KB, or missing), doubled.
    assert_eq!(
        (caps[0].table_name(), caps[0].capacity_units()),
        (Some("ta1"), Some(4.0))
    );
    assert_eq!(
        (caps[1].table_name(), caps[1].capacity_units()),
        (Some("tb1"), Some(2.0))
    );
}

#[tokio::test]
async fn transact_get_items() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "tt1").await;
    client
        .put_item()
        .table_name("tt1")
        .set_item(Some(with(with(pk("x"), "a", n("1")), "b", n("2"))))
        .send()
        .await
        .unwrap();
    client
        .put_item()
        .table_name("tt1")
        .set_item(Some(with(with(pk("y"), "a", n("3")), "b", n("4"))))
        .send()
        .await
        .unwrap();
    let projected = TransactGetItem::builder()
        .get(
            Get::builder()
                .table_name("tt1")
                .set_key(Some(pk("y")))
                .projection_expression("#b")
                .expression_attribute_names("#b", "b")
                .build()
                .unwrap(),
        )
        .build();
    let out = client
        .transact_get_items()
        .transact_items(get("tt1", pk("missing")))
        .transact_items(get("tt1", pk("x")))
        .transact_items(projected)
        .send()
        .await
        .unwrap();
    let responses = out.responses();
    assert_eq!(responses.len(), 3);
    assert_eq!(responses[0].item(), None);
    assert_eq!(responses[1].item().unwrap().len(), 3);
    assert_eq!(
        responses[2].item().unwrap(),
        &HashMap::from([("b".to_owned(), n("4"))])
    );

    let (code, message) = failure(
        client
            .transact_get_items()
            .transact_items(get("tt1", pk("x")))
            .transact_items(get("tt1", pk("x")))
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            VALIDATION,
            "Transaction request cannot include multiple operations on one item"
        )
    );
    let (message, reasons) = get_cancelled(
        client
            .transact_get_items()
            .transact_items(get("tt1", HashMap::new()))
            .send()
            .await,
    );
    assert_eq!(message, cancel_message(&["ValidationError"]));
    assert_eq!(codes(&reasons), ["ValidationError"]);
    let bad = TransactGetItem::builder()
        .get(
            Get::builder()
                .table_name("tt1")
                .set_key(Some(pk("x")))
                .projection_expression("!!!")
                .build()
                .unwrap(),
        )
        .build();
    assert_eq!(
        failure(client.transact_get_items().transact_items(bad).send().await),
        (
            VALIDATION.to_owned(),
            "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\"".to_owned()
        )
    );
    let (_, message) = failure(
        client
            .transact_get_items()
            .set_transact_items(Some(vec![]))
            .send()
            .await,
    );
    assert_eq!(
        message,
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy \
         constraint: Member must have length greater than or equal to 1"
    );
}

fn balance(item: &Item) -> i64 {
    match &item["balance"] {
        AttributeValue::N(v) => v.parse().unwrap(),
        other => panic!("balance is {other:?}"),
    }
}

/// Whether a cancellation came from contention with another transaction.
fn conflicted(reasons: &[CancellationReason]) -> bool {
    codes(reasons).contains(&"TransactionConflict")
}

/// Transfers in both directions inside each of two tables, one transaction moving money
/// in both tables at once, while TransactGetItems and Scans read and single-item writes
/// touch the same accounts. Every read sees each table's total unchanged (a Scan page sees
/// a transaction whole or not at all), contention shows up as cancellations with
/// `TransactionConflict` and as `TransactionConflictException`, and retries succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transfers_keep_the_totals() {
    use aws_sdk_dynamodb::config::retry::RetryConfig;
    use aws_sdk_dynamodb::error::ProvideErrorMetadata;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Instant;

    const ACCOUNTS: usize = 6;
    const TABLES: [&str; 2] = ["accounts", "savings"];
    const START: i64 = 100;
    let emu = TestEmulator::start();
    // Conflicts must reach the test, not be retried away by the SDK.
    let sdk = emu.dynamodb_client();
    let client = Client::from_conf(
        sdk.config()
            .to_builder()
            .retry_config(RetryConfig::disabled())
            .build(),
    );
    for table in TABLES {
        hash_table(&client, table).await;
        for id in 0..ACCOUNTS {
            client
                .put_item()
                .table_name(table)
                .set_item(Some(with(
                    pk(&format!("acct{id}")),
                    "balance",
                    n(&START.to_string()),
                )))
                .send()
                .await
                .unwrap();
        }
    }
    let table_total = START * ACCOUNTS as i64;
    let stop = Arc::new(AtomicBool::new(false));
    let txn_conflicts = Arc::new(AtomicUsize::new(0));
    let write_conflicts = Arc::new(AtomicUsize::new(0));
    let transfers = Arc::new(AtomicUsize::new(0));
    let checks = Arc::new(AtomicUsize::new(0));

    let mut tasks = Vec::new();
    for worker in 0..4usize {
        let (client, stop, conflicts, transfers) = (
            client.clone(),
            stop.clone(),
            txn_conflicts.clone(),
            transfers.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut round = worker;
            while !stop.load(Ordering::Relaxed) {
                round += 4;
                let (from, to) = (round % ACCOUNTS, (round * 5 + 1) % ACCOUNTS);
                if from == to {
                    continue;
                }
                let amount = n(&(1 + round % 7).to_string());
                let mut request = client.transact_write_items();
                // Money moves from -> to in one table and to -> from in the other.
                for (table, (debit, credit)) in TABLES.iter().zip([(from, to), (to, from)]) {
                    let debit = TransactWriteItem::builder()
                        .update(
                            Update::builder()
                                .table_name(*table)
                                .key("pk", s(&format!("acct{debit}")))
                                .update_expression("SET balance = balance - :amount")
                                .condition_expression("balance >= :amount")
                                .expression_attribute_values(":amount", amount.clone())
                                .build()
                                .unwrap(),
                        )
                        .build();
                    let credit = update(
                        table,
                        pk(&format!("acct{credit}")),
                        "SET balance = balance + :amount",
                        &[(":amount", amount.clone())],
                    );
                    request = request.transact_items(debit).transact_items(credit);
                }
                loop {
                    match request.clone().send().await {
                        Ok(_) => {
                            transfers.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                        Err(e) => {
                            let (_, reasons) = cancelled::<(), _>(Err(e));
                            if conflicted(&reasons) {
                                conflicts.fetch_add(1, Ordering::Relaxed);
                                tokio::task::yield_now().await;
                                continue;
                            }
                            assert!(codes(&reasons).contains(&"ConditionalCheckFailed"));
                            break;
                        }
                    }
                }
            }
        }));
    }
    for toucher in 0..2usize {
        let (client, stop, conflicts) = (client.clone(), stop.clone(), write_conflicts.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = toucher;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let result = client
                    .update_item()
                    .table_name(TABLES[i % 2])
                    .key("pk", s(&format!("acct{}", i % ACCOUNTS)))
                    .update_expression("SET touched = :i")
                    .expression_attribute_values(":i", n(&i.to_string()))
                    .send()
                    .await;
                if let Err(e) = result {
                    assert_eq!(e.code(), Some("TransactionConflictException"), "{e:?}");
                    assert_eq!(e.message(), Some("Transaction is ongoing for the item"));
                    conflicts.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    {
        let (client, stop, checks) = (client.clone(), stop.clone(), checks.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let mut request = client.transact_get_items();
                for table in TABLES {
                    for id in 0..ACCOUNTS {
                        request = request.transact_items(get(table, pk(&format!("acct{id}"))));
                    }
                }
                match request.send().await {
                    Ok(out) => {
                        let items: Vec<i64> = out
                            .responses()
                            .iter()
                            .map(|r| balance(r.item().unwrap()))
                            .collect();
                        assert_eq!(items[..ACCOUNTS].iter().sum::<i64>(), table_total);
                        assert_eq!(items[ACCOUNTS..].iter().sum::<i64>(), table_total);
                        checks.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => assert!(conflicted(&get_cancelled::<(), _>(Err(e)).1)),
                }
                for table in TABLES {
                    let page = client
                        .scan()
                        .table_name(table)
                        .consistent_read(true)
                        .send()
                        .await
                        .unwrap();
                    assert!(page.last_evaluated_key().is_none());
                    let sum: i64 = page.items().iter().map(balance).sum();
                    assert_eq!(sum, table_total, "a Scan page saw part of a transfer");
                    checks.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }

    // Run until contention has shown both kinds of conflict and enough work was done, or
    // give up after a while (the assertions below then say what is missing).
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15)
        && (transfers.load(Ordering::Relaxed) < 200
            || txn_conflicts.load(Ordering::Relaxed) == 0
            || write_conflicts.load(Ordering::Relaxed) == 0)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    for table in TABLES {
        let page = client.scan().table_name(table).send().await.unwrap();
        assert_eq!(page.items().iter().map(balance).sum::<i64>(), table_total);
    }
    let (done, txn, single, reads) = (
        transfers.load(Ordering::Relaxed),
        txn_conflicts.load(Ordering::Relaxed),
        write_conflicts.load(Ordering::Relaxed),
        checks.load(Ordering::Relaxed),
    );
    println!("{done} transfers, {txn} transaction conflicts, {single} write conflicts, {reads} checked reads");
    assert!(done >= 200, "only {done} transfers");
    assert!(txn > 0, "no transaction was cancelled by a conflict");
    assert!(single > 0, "no single-item write met a transaction");
    assert!(reads > 0);
}
