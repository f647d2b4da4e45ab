//! BatchGetItem and BatchWriteItem through aws-sdk-dynamodb, and over raw HTTP for the
//! request shapes the SDK will not send.
//!
//! Capacity figures and messages follow DynamoDB's answers recorded in dynalite's suite
//! (test/batchGetItem.js, test/batchWriteItem.js) where today's service still answers so;
//! table references follow today's `TableArn` shape (1 to 1024 characters).

mod common;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, DeleteRequest, KeysAndAttributes, PutRequest,
    ReturnConsumedCapacity, ReturnItemCollectionMetrics, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use common::{failure, hash_table, n, post, range_table, raw_error, s};
use emulator::TestEmulator;
use serde_json::json;

type Item = HashMap<String, AttributeValue>;

fn item(pairs: &[(&str, AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn put(item: Item) -> WriteRequest {
    WriteRequest::builder()
        .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
        .build()
}

fn delete(key: Item) -> WriteRequest {
    WriteRequest::builder()
        .delete_request(DeleteRequest::builder().set_key(Some(key)).build().unwrap())
        .build()
}

fn keys(keys: Vec<Item>) -> KeysAndAttributes {
    KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .build()
        .unwrap()
}

fn pk(v: &str) -> Item {
    item(&[("pk", s(v))])
}

async fn write(client: &Client, table: &str, requests: Vec<WriteRequest>) {
    let out = client
        .batch_write_item()
        .request_items(table, requests)
        .send()
        .await
        .unwrap();
    assert_eq!(out.unprocessed_items.map(|u| u.len()), Some(0));
}

async fn get(client: &Client, table: &str, key: &str) -> Option<Item> {
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

/// The table's figures from a `ConsumedCapacity` list, by name.
fn units(list: &[ConsumedCapacity], table: &str) -> (f64, Option<f64>) {
    let c = list
        .iter()
        .find(|c| c.table_name() == Some(table))
        .unwrap_or_else(|| panic!("no capacity for {table} in {list:?}"));
    (
        c.capacity_units().unwrap(),
        c.table().and_then(|t| t.capacity_units()),
    )
}

const VALIDATION: &str = "ValidationException";

/// A table keyed by `pk` (S), created over raw HTTP (in the raw requests' namespace).
fn create_raw_table(endpoint: &str, name: &str) {
    let body = json!({
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    });
    let resp = post(endpoint, "CreateTable", &body.to_string());
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test]
async fn writes_and_reads_over_several_tables() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "hashes").await;
    range_table(&client, "ranges").await;
    let a = item(&[("pk", s("a")), ("c", s("c"))]);
    let r = item(&[("pk", s("a")), ("sk", n("1")), ("c", s("c"))]);
    let out = client
        .batch_write_item()
        .request_items("hashes", vec![put(a.clone()), put(pk("b"))])
        .request_items("ranges", vec![put(r.clone())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.unprocessed_items.unwrap().len(), 0);
    assert_eq!(out.consumed_capacity, None);
    assert_eq!(out.item_collection_metrics, None);

    let out = client
        .batch_get_item()
        .request_items("hashes", keys(vec![pk("a"), pk("missing"), pk("b")]))
        .request_items(
            "ranges",
            keys(vec![
                item(&[("pk", s("a")), ("sk", n("1"))]),
                item(&[("pk", s("a")), ("sk", n("2"))]),
            ]),
        )
        .send()
        .await
        .unwrap();
    let responses = out.responses.unwrap();
    let mut hashes = responses["hashes"].clone();
    hashes.sort_by_key(|i| format!("{:?}", i["pk"]));
    assert_eq!(hashes, vec![a, pk("b")]);
    assert_eq!(responses["ranges"], vec![r]);
    assert_eq!(out.unprocessed_keys.unwrap().len(), 0);
    assert_eq!(out.consumed_capacity, None);

    // Deletes, and puts and deletes together (dynalite's "puts and deletes together").
    write(&client, "hashes", vec![delete(pk("a")), put(pk("c"))]).await;
    assert_eq!(get(&client, "hashes", "a").await, None);
    assert_eq!(get(&client, "hashes", "c").await, Some(pk("c")));
    write(&client, "hashes", vec![put(pk("a")), delete(pk("c"))]).await;
    assert_eq!(get(&client, "hashes", "a").await, Some(pk("a")));
    assert_eq!(get(&client, "hashes", "c").await, None);
    // Deleting what is not there succeeds.
    write(&client, "hashes", vec![delete(pk("never"))]).await;
}

#[test]
fn answers_have_dynamodbs_shape() {
    let emu = TestEmulator::start();
    // Raw requests sign with an access key of their own: the table is created the same way.
    create_raw_table(emu.endpoint(), "shape");
    let resp = post(
        emu.endpoint(),
        "BatchWriteItem",
        r#"{"RequestItems":{"shape":[{"PutRequest":{"Item":{"pk":{"S":"x"},"n":{"N":"01.50"}}}}]},"ReturnItemCollectionMetrics":"SIZE"}"#,
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json(), json!({"UnprocessedItems": {}}));
    let resp = post(
        emu.endpoint(),
        "BatchGetItem",
        r#"{"RequestItems":{"shape":{"Keys":[{"pk":{"S":"x"}},{"pk":{"S":"y"}}]}}}"#,
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        resp.json(),
        json!({
            "Responses": {"shape": [{"pk": {"S": "x"}, "n": {"N": "1.5"}}]},
            "UnprocessedKeys": {}
        })
    );
    let resp = post(
        emu.endpoint(),
        "BatchGetItem",
        r#"{"RequestItems":{"shape":{"Keys":[{"pk":{"S":"y"}}]}}}"#,
    );
    assert_eq!(
        resp.json(),
        json!({"Responses": {"shape": []}, "UnprocessedKeys": {}})
    );
}

#[tokio::test]
async fn projections_per_table() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "proj1").await;
    hash_table(&client, "proj2").await;
    let full = item(&[
        ("pk", s("a")),
        ("b", n("1")),
        ("c", s("c")),
        (
            "m",
            AttributeValue::M(item(&[("x", n("1")), ("y", n("2"))])),
        ),
    ]);
    write(&client, "proj1", vec![put(full.clone()), put(pk("bare"))]).await;
    write(&client, "proj2", vec![put(full.clone())]).await;
    let out = client
        .batch_get_item()
        .request_items(
            "proj1",
            KeysAndAttributes::builder()
                .keys(pk("a"))
                .keys(pk("bare"))
                .attributes_to_get("b")
                .attributes_to_get("c")
                .consistent_read(true)
                .build()
                .unwrap(),
        )
        .request_items(
            "proj2",
            KeysAndAttributes::builder()
                .keys(pk("a"))
                .projection_expression("#m.y, pk")
                .expression_attribute_names("#m", "m")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let responses = out.responses.unwrap();
    let mut p1 = responses["proj1"].clone();
    p1.sort_by_key(HashMap::len);
    // An item with none of the attributes comes back empty (dynalite's recording).
    assert_eq!(p1, vec![item(&[]), item(&[("b", n("1")), ("c", s("c"))])]);
    assert_eq!(
        responses["proj2"],
        vec![item(&[
            ("pk", s("a")),
            ("m", AttributeValue::M(item(&[("y", n("2"))]))),
        ])]
    );

    // The one expression engine's checks, per table.
    let err = failure(
        client
            .batch_get_item()
            .request_items(
                "proj1",
                KeysAndAttributes::builder()
                    .keys(pk("a"))
                    .projection_expression("pk")
                    .expression_attribute_names("#unused", "x")
                    .build()
                    .unwrap(),
            )
            .send()
            .await,
    );
    assert_eq!(
        err,
        (
            VALIDATION.into(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
                .into()
        )
    );
    let err = failure(
        client
            .batch_get_item()
            .request_items(
                "proj1",
                KeysAndAttributes::builder()
                    .keys(pk("a"))
                    .projection_expression("pk")
                    .attributes_to_get("pk")
                    .build()
                    .unwrap(),
            )
            .send()
            .await,
    );
    assert_eq!(
        err.1,
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {AttributesToGet} Expression parameters: \
         {ProjectionExpression}"
    );
    let err = failure(
        client
            .batch_get_item()
            .request_items(
                "proj1",
                KeysAndAttributes::builder()
                    .keys(pk("a"))
                    .attributes_to_get("b")
                    .attributes_to_get("b")
                    .build()
                    .unwrap(),
            )
            .send()
            .await,
    );
    assert_eq!(
        err.1,
        "One or more parameter values were invalid: Duplicate value in attribute name: b"
    );
    let err = failure(
        client
            .batch_get_item()
            .request_items(
                "proj1",
                KeysAndAttributes::builder()
                    .keys(pk("a"))
                    .projection_expression("pk.x")
                    .build()
                    .unwrap(),
            )
            .send()
            .await,
    );
    assert_eq!(
        err.1,
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not \
         allowed: Key: pk"
    );
}

#[tokio::test]
async fn duplicate_keys_are_refused() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "dups").await;
    range_table(&client, "rdups").await;
    let dup = (
        VALIDATION.to_owned(),
        "Provided list of item keys contains duplicates".to_owned(),
    );
    let err = failure(
        client
            .batch_get_item()
            .request_items("dups", keys(vec![pk("a"), pk("b"), pk("a")]))
            .send()
            .await,
    );
    assert_eq!(err, dup);
    // Numbers are compared by value: 1 and 1.0 are the same key.
    let err = failure(
        client
            .batch_get_item()
            .request_items(
                "rdups",
                keys(vec![
                    item(&[("pk", s("a")), ("sk", n("1"))]),
                    item(&[("pk", s("a")), ("sk", n("1.0"))]),
                ]),
            )
            .send()
            .await,
    );
    assert_eq!(err, dup);
    // The same key in two tables is fine.
    client
        .batch_get_item()
        .request_items("dups", keys(vec![pk("a")]))
        .request_items("rdups", keys(vec![item(&[("pk", s("a")), ("sk", n("1"))])]))
        .send()
        .await
        .unwrap();

    // A put and a delete of one item, either way round; nothing is written.
    for requests in [
        vec![put(pk("z")), delete(pk("z"))],
        vec![delete(pk("z")), put(pk("z"))],
        vec![put(pk("z")), put(item(&[("pk", s("z")), ("x", n("1"))]))],
    ] {
        let err = failure(
            client
                .batch_write_item()
                .request_items("dups", requests)
                .send()
                .await,
        );
        assert_eq!(err, dup);
    }
    assert_eq!(get(&client, "dups", "z").await, None);
}

#[tokio::test]
async fn request_count_limits() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "lim1").await;
    hash_table(&client, "lim2").await;
    let many = |from: usize, count: usize| -> Vec<Item> {
        (from..from + count).map(|i| pk(&i.to_string())).collect()
    };

    // 25 writes in all is the most.
    let puts = |from, count| many(from, count).into_iter().map(put).collect::<Vec<_>>();
    let out = client
        .batch_write_item()
        .request_items("lim1", puts(0, 20))
        .request_items("lim2", puts(0, 5))
        .send()
        .await
        .unwrap();
    assert_eq!(out.unprocessed_items.unwrap().len(), 0);
    let err = failure(
        client
            .batch_write_item()
            .request_items("lim1", puts(0, 20))
            .request_items("lim2", puts(0, 6))
            .send()
            .await,
    );
    assert_eq!(
        err,
        (
            VALIDATION.into(),
            "Too many items requested for the BatchWriteItem call".into()
        )
    );
    let (code, message) = failure(
        client
            .batch_write_item()
            .request_items("lim1", puts(0, 26))
            .send()
            .await,
    );
    assert_eq!(code, VALIDATION);
    assert!(
        message.starts_with("1 validation error detected: Value '{"),
        "{message}"
    );
    assert!(
        message.ends_with(
            "}' at 'requestItems' failed to satisfy constraint: Map value must satisfy \
             constraint: [Member must have length less than or equal to 25, Member must have \
             length greater than or equal to 1]"
        ),
        "{message}"
    );

    // 100 keys in all is the most.
    let out = client
        .batch_get_item()
        .request_items("lim1", keys(many(0, 60)))
        .request_items("lim2", keys(many(0, 40)))
        .send()
        .await
        .unwrap();
    let responses = out.responses.unwrap();
    assert_eq!(responses["lim1"].len(), 20);
    assert_eq!(responses["lim2"].len(), 5);
    let err = failure(
        client
            .batch_get_item()
            .request_items("lim1", keys(many(0, 60)))
            .request_items("lim2", keys(many(0, 41)))
            .send()
            .await,
    );
    assert_eq!(
        err,
        (
            VALIDATION.into(),
            "Too many items requested for the BatchGetItem call".into()
        )
    );
    let (code, message) = failure(
        client
            .batch_get_item()
            .request_items("lim1", keys(many(0, 101)))
            .send()
            .await,
    );
    assert_eq!(code, VALIDATION);
    assert!(
        message.starts_with("1 validation error detected: Value '["),
        "{message}"
    );
    assert!(
        message.ends_with(
            "]' at 'requestItems.lim1.member.keys' failed to satisfy constraint: Member must \
             have length less than or equal to 100"
        ),
        "{message}"
    );
}

#[tokio::test]
async fn missing_tables_fail_before_anything_is_written() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "here").await;
    let not_found = (
        "ResourceNotFoundException".to_owned(),
        "Requested resource not found".to_owned(),
    );
    // "here" sorts before "nowhere": its writes would come first.
    let err = failure(
        client
            .batch_write_item()
            .request_items("here", vec![put(pk("a"))])
            .request_items("nowhere", vec![put(pk("a"))])
            .send()
            .await,
    );
    assert_eq!(err, not_found);
    assert_eq!(get(&client, "here", "a").await, None);
    // A key that does not fit its table is also found before anything is written.
    let err = failure(
        client
            .batch_write_item()
            .request_items("here", vec![put(pk("a")), put(item(&[("pk", n("1"))]))])
            .send()
            .await,
    );
    assert_eq!(
        err,
        (
            VALIDATION.into(),
            "The provided key element does not match the schema".into()
        )
    );
    assert_eq!(get(&client, "here", "a").await, None);

    let err = failure(
        client
            .batch_get_item()
            .request_items("here", keys(vec![pk("a")]))
            .request_items("nowhere", keys(vec![pk("a")]))
            .send()
            .await,
    );
    assert_eq!(err, not_found);
    // A one-character name is a valid reference today; it just names no table.
    let err = failure(
        client
            .batch_get_item()
            .request_items("a", keys(vec![pk("a")]))
            .send()
            .await,
    );
    assert_eq!(err, not_found);
}

#[tokio::test]
async fn keys_and_items_are_checked_like_the_single_item_operations() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "chk").await;
    range_table(&client, "rchk").await;
    let mismatch = (
        VALIDATION.to_owned(),
        "The provided key element does not match the schema".to_owned(),
    );
    // PutRequest words a missing or mistyped key attribute as a Key parameter would.
    for bad in [
        item(&[("other", s("a"))]),
        item(&[("pk", n("1"))]),
        item(&[("pk", AttributeValue::Ss(vec!["a".into()]))]),
    ] {
        let err = failure(
            client
                .batch_write_item()
                .request_items("chk", vec![put(bad)])
                .send()
                .await,
        );
        assert_eq!(err, mismatch);
    }
    let err = failure(
        client
            .batch_write_item()
            .request_items("rchk", vec![put(pk("a"))])
            .send()
            .await,
    );
    assert_eq!(err, mismatch);
    for bad in [item(&[]), item(&[("pk", s("a")), ("x", s("a"))])] {
        let err = failure(
            client
                .batch_write_item()
                .request_items("chk", vec![delete(bad.clone())])
                .send()
                .await,
        );
        assert_eq!(err, mismatch);
        let err = failure(
            client
                .batch_get_item()
                .request_items("chk", keys(vec![bad]))
                .send()
                .await,
        );
        assert_eq!(err, mismatch);
    }
    let err = failure(
        client
            .batch_write_item()
            .request_items("chk", vec![put(pk(""))])
            .send()
            .await,
    );
    assert_eq!(
        err.1,
        "One or more parameter values are not valid. The AttributeValue for a key attribute \
         cannot contain an empty string value. Key: pk"
    );
    let err = failure(
        client
            .batch_get_item()
            .request_items("chk", keys(vec![pk(&"k".repeat(2049))]))
            .send()
            .await,
    );
    assert_eq!(
        err.1,
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum \
         size limit of2048 bytes"
    );
    let err = failure(
        client
            .batch_write_item()
            .request_items("chk", vec![put(item(&[("pk", s("a")), ("n", n("1e126"))]))])
            .send()
            .await,
    );
    assert_eq!(
        err.1,
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    );

    // The 400 KB limit, checked before the table is looked up: "pk" + "a" + "b" + 409,596
    // bytes is 409,600.
    let sized = |len: usize| item(&[("pk", s("a")), ("b", s(&"x".repeat(len)))]);
    let err = failure(
        client
            .batch_write_item()
            .request_items("nowhere", vec![put(sized(409_597))])
            .send()
            .await,
    );
    assert_eq!(
        err,
        (
            VALIDATION.into(),
            "Item size has exceeded the maximum allowed size".into()
        )
    );
    let err = failure(
        client
            .batch_write_item()
            .request_items("nowhere", vec![put(sized(409_596))])
            .send()
            .await,
    );
    assert_eq!(err.0, "ResourceNotFoundException");
    write(&client, "chk", vec![put(sized(409_596))]).await;
    assert_eq!(get(&client, "chk", "a").await, Some(sized(409_596)));
}

/// dynalite's capacity recordings: an item of just under (and just over) 4 KB, a tiny item
/// and a missing key in one table, a missing key in another.
#[tokio::test]
async fn consumed_capacity_per_table() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "cap").await;
    hash_table(&client, "cap2").await;
    for (b_len, eventual, consistent) in [(4077, 1.5, 3.0), (4079, 2.0, 4.0)] {
        // pk "big" (2 + 3) + b (1 + b_len) + c 12.3456 (1 + 4) + d (1 + 2) + e (1 + 4 with
        // three members, 3 with two): 4,096 bytes (1 unit) at 4077, 4,097 (2) at 4079.
        let bs = if b_len == 4077 { 3 } else { 2 };
        let big = item(&[
            ("pk", s("big")),
            ("b", s(&"b".repeat(b_len))),
            ("c", n("12.3456")),
            (
                "d",
                AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![1, 2])),
            ),
            (
                "e",
                AttributeValue::Bs(
                    [vec![1, 2], vec![2], vec![1]][..bs]
                        .iter()
                        .map(|b| aws_sdk_dynamodb::primitives::Blob::new(b.clone()))
                        .collect(),
                ),
            ),
        ]);
        write(&client, "cap", vec![put(big), put(pk("tiny"))]).await;
        for (consistent_read, expected) in [(false, eventual), (true, consistent)] {
            for mode in [
                ReturnConsumedCapacity::Total,
                ReturnConsumedCapacity::Indexes,
            ] {
                let ka = |keys: Vec<Item>| {
                    KeysAndAttributes::builder()
                        .set_keys(Some(keys))
                        .consistent_read(consistent_read)
                        .build()
                        .unwrap()
                };
                let out = client
                    .batch_get_item()
                    .request_items("cap", ka(vec![pk("big"), pk("tiny"), pk("none")]))
                    .request_items("cap2", ka(vec![pk("none")]))
                    .return_consumed_capacity(mode.clone())
                    .send()
                    .await
                    .unwrap();
                let list = out.consumed_capacity.unwrap();
                assert_eq!(list.len(), 2);
                let single = if consistent_read { 1.0 } else { 0.5 };
                let indexes = mode == ReturnConsumedCapacity::Indexes;
                assert_eq!(
                    units(&list, "cap"),
                    (expected, indexes.then_some(expected)),
                    "{b_len} {consistent_read} {mode:?}"
                );
                assert_eq!(units(&list, "cap2"), (single, indexes.then_some(single)));
                if indexes {
                    let cap = list.iter().find(|c| c.table_name() == Some("cap")).unwrap();
                    assert_eq!(cap.read_capacity_units(), Some(expected));
                    assert_eq!(cap.write_capacity_units(), None);
                }
                assert_eq!(out.responses.unwrap()["cap"].len(), 2);
            }
        }
    }

    // Writes: an item of 1,024 or 1,025 bytes (1 or 2 units), a tiny item, a tiny item in
    // another table; then deleting them (charged on the old item), then deleting nothing.
    for (b_len, size_units) in [(1003, 2.0), (1005, 3.0)] {
        let bs = if b_len == 1003 { 3 } else { 2 };
        // A fresh key each round ("r1003": 5 characters), so the put replaces nothing.
        let round = format!("r{b_len}");
        let big = item(&[
            ("pk", s(&round)),
            ("b", s(&"b".repeat(b_len))),
            ("c", n("12.3456")),
            (
                "d",
                AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![1, 2])),
            ),
            (
                "e",
                AttributeValue::Bs(
                    [vec![1, 2], vec![2], vec![1]][..bs]
                        .iter()
                        .map(|b| aws_sdk_dynamodb::primitives::Blob::new(b.clone()))
                        .collect(),
                ),
            ),
        ]);
        let send = |requests: Vec<(&str, Vec<WriteRequest>)>, mode: ReturnConsumedCapacity| {
            let mut req = client.batch_write_item().return_consumed_capacity(mode);
            for (table, list) in requests {
                req = req.request_items(table, list);
            }
            req.send()
        };
        let puts = || {
            vec![
                ("cap", vec![put(big.clone()), put(pk("w2"))]),
                ("cap2", vec![put(pk("w3"))]),
            ]
        };
        let deletes = || {
            vec![
                ("cap", vec![delete(pk(&round)), delete(pk("w2"))]),
                ("cap2", vec![delete(pk("w3"))]),
            ]
        };
        let list = send(puts(), ReturnConsumedCapacity::Total)
            .await
            .unwrap()
            .consumed_capacity
            .unwrap();
        assert_eq!(units(&list, "cap"), (size_units, None), "put {b_len}");
        assert_eq!(units(&list, "cap2"), (1.0, None));
        let list = send(deletes(), ReturnConsumedCapacity::Indexes)
            .await
            .unwrap()
            .consumed_capacity
            .unwrap();
        assert_eq!(units(&list, "cap"), (size_units, Some(size_units)));
        assert_eq!(units(&list, "cap2"), (1.0, Some(1.0)));
        let cap = list.iter().find(|c| c.table_name() == Some("cap")).unwrap();
        assert_eq!(cap.write_capacity_units(), Some(size_units));
        let list = send(deletes(), ReturnConsumedCapacity::Total)
            .await
            .unwrap()
            .consumed_capacity
            .unwrap();
        assert_eq!(units(&list, "cap"), (2.0, None));
        let out = send(deletes(), ReturnConsumedCapacity::None).await.unwrap();
        assert_eq!(out.consumed_capacity, None);
    }
    let out = client
        .batch_write_item()
        .request_items("cap", vec![put(pk("m"))])
        .return_item_collection_metrics(ReturnItemCollectionMetrics::Size)
        .send()
        .await
        .unwrap();
    assert_eq!(out.item_collection_metrics, None);
}

/// 45 items of about 400 KB: 41 fit in 16 MB, the last 4 keys come back unprocessed with
/// their table's parameters, and asking again for them returns them.
#[tokio::test]
async fn sixteen_megabyte_limit_leaves_keys_unprocessed() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "huge").await;
    let payload = "b".repeat(409_000);
    let key = |i: usize| format!("k{i:02}");
    // Each item: "pk" + 3 + "b" + 409,000 = 409,006 bytes; 41 of them are 16,769,246.
    for chunk in (0..45).collect::<Vec<_>>().chunks(25) {
        let requests = chunk
            .iter()
            .map(|&i| put(item(&[("pk", s(&key(i))), ("b", s(&payload))])))
            .collect();
        write(&client, "huge", requests).await;
    }
    let request = KeysAndAttributes::builder()
        .set_keys(Some((0..45).map(|i| pk(&key(i))).collect()))
        .consistent_read(true)
        .projection_expression("#p, b")
        .expression_attribute_names("#p", "pk")
        .build()
        .unwrap();
    let out = client
        .batch_get_item()
        .request_items("huge", request)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let got = &out.responses.unwrap()["huge"];
    assert_eq!(got.len(), 41);
    let unprocessed = out.unprocessed_keys.unwrap();
    let left = &unprocessed["huge"];
    assert_eq!(left.keys, (41..45).map(|i| pk(&key(i))).collect::<Vec<_>>());
    assert_eq!(left.consistent_read, Some(true));
    assert_eq!(left.projection_expression.as_deref(), Some("#p, b"));
    assert_eq!(
        left.expression_attribute_names,
        Some(HashMap::from([("#p".to_owned(), "pk".to_owned())]))
    );
    // Charged for what was read: 100 units (409,006 bytes / 4 KB) per item.
    assert_eq!(
        units(&out.consumed_capacity.unwrap(), "huge"),
        (4100.0, None)
    );

    let out = client
        .batch_get_item()
        .set_request_items(Some(unprocessed))
        .send()
        .await
        .unwrap();
    assert_eq!(out.responses.unwrap()["huge"].len(), 4);
    assert_eq!(out.unprocessed_keys.unwrap().len(), 0);
}

/// Malformed requests the SDK will not build, over raw HTTP.
#[test]
fn malformed_requests() {
    let emu = TestEmulator::start();
    let endpoint = emu.endpoint();
    create_raw_table(endpoint, "raw");
    let check = |op: &str, body: serde_json::Value, code: &str, message: &str| {
        let resp = post(endpoint, op, &body.to_string());
        assert_eq!(resp.status, 400, "{op} {body}: {}", resp.text());
        assert_eq!(
            raw_error(&resp),
            (code.to_owned(), message.to_owned()),
            "{op} {body}"
        );
    };
    let null = |path: &str| {
        format!("Value null at '{path}' failed to satisfy constraint: Member must not be null")
    };
    let rcc = "Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must \
               satisfy enum value set: [INDEXES, TOTAL, NONE]";
    let ricm = "Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: \
                Member must satisfy enum value set: [SIZE, NONE]";
    let v = "ValidationException";

    // BatchGetItem.
    check(
        "BatchGetItem",
        json!({}),
        v,
        &format!("1 validation error detected: {}", null("requestItems")),
    );
    check(
        "BatchGetItem",
        json!({"ReturnConsumedCapacity": "hi"}),
        v,
        &format!(
            "2 validation errors detected: {rcc}; {}",
            null("requestItems")
        ),
    );
    check(
        "BatchGetItem",
        json!({"RequestItems": {}}),
        v,
        "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy \
         constraint: Member must have length greater than or equal to 1",
    );
    check(
        "BatchGetItem",
        json!({"RequestItems": {"": {"Keys": [{"pk": {"S": "a"}}]}}}),
        v,
        "1 validation error detected: Value '{=...}' at 'requestItems' failed to satisfy \
         constraint: Map keys must satisfy constraint: [Member must have length less than or \
         equal to 1024, Member must have length greater than or equal to 1]",
    );
    check(
        "BatchGetItem",
        json!({"RequestItems": {"raw": {}}}),
        v,
        &format!(
            "1 validation error detected: {}",
            null("requestItems.raw.member.keys")
        ),
    );
    check(
        "BatchGetItem",
        json!({"RequestItems": {"raw": {"Keys": [], "AttributesToGet": []}}}),
        v,
        "2 validation errors detected: Value '[]' at 'requestItems.raw.member.keys' failed to \
         satisfy constraint: Member must have length greater than or equal to 1; Value '[]' at \
         'requestItems.raw.member.attributesToGet' failed to satisfy constraint: Member must \
         have length greater than or equal to 1",
    );
    let long = "t".repeat(1025);
    let resp = post(
        endpoint,
        "BatchGetItem",
        &json!({"RequestItems": {long.clone(): {"Keys": [{"pk": {"S": "a"}}]}}}).to_string(),
    );
    assert!(raw_error(&resp)
        .1
        .ends_with("Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1]"));
    // 1,024 characters is a valid reference, to no table.
    check(
        "BatchGetItem",
        json!({"RequestItems": {"t".repeat(1024): {"Keys": [{"pk": {"S": "a"}}]}}}),
        "ResourceNotFoundException",
        "Requested resource not found",
    );
    check(
        "BatchGetItem",
        json!({"RequestItems": {"raw": {"Keys": [{"pk": {}}]}}}),
        v,
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
    );
    check(
        "BatchGetItem",
        json!({"RequestItems": {"raw": {"Keys": [{"pk": {"S": "a"}}], "ExpressionAttributeNames": {"#a": "a"}}}}),
        v,
        "ExpressionAttributeNames can only be specified when using expressions",
    );
    check(
        "BatchGetItem",
        json!({"RequestItems": []}),
        "SerializationException",
        "Unrecognized collection type java.util.Map<java.lang.String, \
         com.amazonaws.dynamodb.v20120810.KeysAndAttributes>",
    );
    check(
        "BatchGetItem",
        json!({"RequestItems": {"raw": {"Keys": [{"pk": {"S": "a"}}], "ConsistentRead": "maybe"}}}),
        "SerializationException",
        "Unexpected token received from parser",
    );

    // BatchWriteItem.
    check(
        "BatchWriteItem",
        json!({"ReturnConsumedCapacity": "hi", "ReturnItemCollectionMetrics": "hi"}),
        v,
        &format!(
            "3 validation errors detected: {rcc}; {ricm}; {}",
            null("requestItems")
        ),
    );
    check(
        "BatchWriteItem",
        json!({"RequestItems": {"raw": []}}),
        v,
        "1 validation error detected: Value '{raw=...}' at 'requestItems' failed to satisfy \
         constraint: Map value must satisfy constraint: [Member must have length less than or \
         equal to 25, Member must have length greater than or equal to 1]",
    );
    check(
        "BatchWriteItem",
        json!({"RequestItems": {"raw": [{"PutRequest": {}, "DeleteRequest": {}}]}}),
        v,
        &format!(
            "2 validation errors detected: {}; {}",
            null("requestItems.raw.member.1.member.deleteRequest.key"),
            null("requestItems.raw.member.1.member.putRequest.item")
        ),
    );
    let neither = "Supplied AttributeValue has more than one datatypes set, must contain exactly \
                   one of the supported datatypes";
    check(
        "BatchWriteItem",
        json!({"RequestItems": {"raw": [{}]}}),
        v,
        neither,
    );
    check(
        "BatchWriteItem",
        json!({"RequestItems": {"raw": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}, "DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]}}),
        v,
        neither,
    );
    check(
        "BatchWriteItem",
        json!({"RequestItems": {"nowhere": [{"PutRequest": {"Item": {}}}]}}),
        "ResourceNotFoundException",
        "Requested resource not found",
    );
    check(
        "BatchWriteItem",
        json!({"RequestItems": {"raw": [{"PutRequest": {"Item": {}}}]}}),
        v,
        "The provided key element does not match the schema",
    );
    check(
        "BatchWriteItem",
        json!({"RequestItems": []}),
        "SerializationException",
        "Unrecognized collection type java.util.Map<java.lang.String, \
         java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>",
    );
    check(
        "BatchWriteItem",
        json!({"RequestItems": {"raw": [[]]}}),
        "SerializationException",
        "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.WriteRequest",
    );
    check(
        "BatchWriteItem",
        json!({"RequestItems": {"raw": [{"PutRequest": []}]}}),
        "SerializationException",
        "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.PutRequest",
    );
}
