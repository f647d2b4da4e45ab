//! Secondary indexes: CreateTable's index validation, DescribeTable's index descriptions,
//! Query and Scan on global and local indexes of every projection type, and a property
//! test: after every random write (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TTL
//! sweeps) each index equals the index computed from the table's items.
//!
//! The SDK tests go through aws-sdk-dynamodb; the validation table and the property go
//! straight to `dispatch` so they stay cheap. `INDEX_CASES` scales the property.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement, KeyType, LocalSecondaryIndex,
    Projection, ProjectionType, ScalarAttributeType, Select,
};
use common::{failure, n, s};
use emulator::common::{Namespace, Service};
use emulator::{Config, Services, TestEmulator};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::{json, Value};

// ---- direct dispatch helpers ----

fn call(services: &Services, ns: &Namespace, op: &str, body: &Value) -> Result<Value, String> {
    match services
        .dynamodb
        .dispatch(ns, op, body.to_string().as_bytes(), "rid")
    {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap()),
        Err(e) => {
            let v: Value = serde_json::from_slice(&e.body).unwrap();
            Err(v["message"]
                .as_str()
                .or(v["Message"].as_str())
                .unwrap_or_default()
                .to_owned())
        }
    }
}

fn ok(services: &Services, ns: &Namespace, op: &str, body: Value) -> Value {
    call(services, ns, op, &body).unwrap_or_else(|e| panic!("{op} {body}: {e}"))
}

fn setup() -> (Services, Namespace) {
    (
        Services::new(Config::for_tests()),
        Namespace::new("indexes", "us-east-1"),
    )
}

fn def(name: &str, kind: &str) -> Value {
    json!({"AttributeName": name, "AttributeType": kind})
}

fn keys(hash: &str, range: Option<&str>) -> Value {
    let mut out = vec![json!({"AttributeName": hash, "KeyType": "HASH"})];
    if let Some(r) = range {
        out.push(json!({"AttributeName": r, "KeyType": "RANGE"}));
    }
    json!(out)
}

fn index(name: &str, hash: &str, range: Option<&str>, projection: Value) -> Value {
    json!({"IndexName": name, "KeySchema": keys(hash, range), "Projection": projection})
}

fn all() -> Value {
    json!({"ProjectionType": "ALL"})
}

// ---- CreateTable validation ----

#[test]
fn create_table_refuses_invalid_indexes_with_dynamodbs_messages() {
    let (services, ns) = setup();
    let base = || {
        json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
               "AttributeDefinitions": [def("pk", "S"), def("sk", "S"), def("g", "S")],
               "KeySchema": keys("pk", Some("sk"))})
    };
    let p = "One or more parameter values were invalid: ";
    let cases: Vec<(Value, String)> = vec![
        (
            json!({"LocalSecondaryIndexes": []}),
            format!("{p}List of LocalSecondaryIndexes is empty"),
        ),
        (
            json!({"GlobalSecondaryIndexes": []}),
            format!("{p}List of GlobalSecondaryIndexes is empty"),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi", "nope", None, all())]}),
            format!(
                "{p}Some index key attributes are not defined in AttributeDefinitions. \
                 Keys: [nope], AttributeDefinitions: [pk, sk, g]"
            ),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi", "g", None,
                json!({"ProjectionType": "INCLUDE"}))]}),
            format!("{p}ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi", "g", None,
                json!({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b", "a"]}))]}),
            format!("{p}Duplicate element in NonKeyAttributes: a"),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi", "g", Some("g"), all())]}),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
                .to_owned(),
        ),
        (
            json!({"LocalSecondaryIndexes": [index("lsi", "pk", None, all())]}),
            format!("{p}Index KeySchema does not have a range key for index: lsi"),
        ),
        (
            json!({"LocalSecondaryIndexes": [index("lsi", "g", Some("sk"), all())]}),
            format!(
                "{p}Index KeySchema does not have the same leading hash key as table KeySchema \
                 for index: lsi. index hash key: g, table hash key: pk"
            ),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi", "g", None, json!({}))]}),
            format!("{p}Unknown ProjectionType: null"),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi", "g", None,
                json!({"ProjectionType": "ALL", "NonKeyAttributes": ["x"]}))]}),
            format!("{p}ProjectionType is ALL, but NonKeyAttributes is specified"),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi", "g", None, all()),
                                              index("gsi", "sk", None, all())]}),
            format!("{p}Duplicate index name: gsi"),
        ),
        (
            json!({"GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": keys("g", None),
                "Projection": all(),
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}),
            format!(
                "{p}ProvisionedThroughput should not be specified for index: gsi when \
                 BillingMode is PAY_PER_REQUEST"
            ),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi", "pk", None, all())]}),
            format!(
                "{p}Some AttributeDefinitions are not used. AttributeDefinitions: [pk, sk, g], \
                 keys used: [pk, sk]"
            ),
        ),
        (
            json!({"GlobalSecondaryIndexes": (0..21)
                .map(|i| index(&format!("gsi{i}"), "g", None, all()))
                .collect::<Vec<_>>()}),
            format!("{p}GlobalSecondaryIndex count exceeds the per-table limit of 20"),
        ),
        (
            json!({"LocalSecondaryIndexes": (0..6)
                .map(|i| index(&format!("lsi{i}"), "pk", Some("g"), all()))
                .collect::<Vec<_>>()}),
            format!("{p}Number of LocalSecondaryIndexes exceeds per-table limit of 5"),
        ),
        (
            json!({"GlobalSecondaryIndexes": (0..2)
                .map(|i| index(&format!("gsi{i}"), "g", None, json!({"ProjectionType": "INCLUDE",
                    "NonKeyAttributes": (0..51).map(|a| format!("a{a}")).collect::<Vec<_>>()})))
                .collect::<Vec<_>>()}),
            format!("{p}Number of projected attributes in all indexes exceeds limit of 100"),
        ),
        (
            json!({"GlobalSecondaryIndexes": [index("gsi!", "g", None, all())]}),
            "1 validation error detected: Value 'gsi!' at \
             'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member \
             must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
                .to_owned(),
        ),
    ];
    for (extra, expected) in cases {
        let mut body = base();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        assert_eq!(
            call(&services, &ns, "CreateTable", &body).unwrap_err(),
            expected,
            "{extra}"
        );
    }
    // Member errors: global indexes before local ones.
    let mut body = base();
    body["LocalSecondaryIndexes"] = json!([index("l1", "pk", Some("g"), all())]);
    body["GlobalSecondaryIndexes"] = json!([index("g1", "g", None, all())]);
    let short = |name: &str, list: &str| {
        format!(
            "Value '{name}' at '{list}.1.member.indexName' failed to satisfy constraint: Member \
             must have length greater than or equal to 3"
        )
    };
    assert_eq!(
        call(&services, &ns, "CreateTable", &body).unwrap_err(),
        format!(
            "2 validation errors detected: {}; {}",
            short("g1", "globalSecondaryIndexes"),
            short("l1", "localSecondaryIndexes")
        )
    );
    // A table without a sort key cannot have a local index.
    let body = json!({"TableName": "hhh", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [def("pk", "S"), def("g", "S")], "KeySchema": keys("pk", None),
        "LocalSecondaryIndexes": [index("lsi", "pk", Some("g"), all())]});
    assert_eq!(
        call(&services, &ns, "CreateTable", &body).unwrap_err(),
        format!(
            "{p}Table KeySchema does not have a range key, which is required when specifying a \
             LocalSecondaryIndex"
        )
    );
    // A provisioned table's global index needs its own throughput.
    let body = json!({"TableName": "ppp", "AttributeDefinitions": [def("pk", "S"), def("g", "S")],
        "KeySchema": keys("pk", None),
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        "GlobalSecondaryIndexes": [index("gsi", "g", None, all())]});
    assert_eq!(
        call(&services, &ns, "CreateTable", &body).unwrap_err(),
        format!("{p}ProvisionedThroughput is not specified for index: gsi")
    );
}

// ---- through the SDK ----

fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .unwrap()
}

fn attr(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(kind)
        .build()
        .unwrap()
}

fn projection(kind: ProjectionType, non_key: &[&str]) -> Projection {
    let mut p = Projection::builder().projection_type(kind);
    for a in non_key {
        p = p.non_key_attributes(*a);
    }
    p.build()
}

/// `orders`: pk (S) + sk (N); GSIs by customer (ALL), by status (KEYS_ONLY) and by
/// customer+total (INCLUDE note); LSIs by total (KEYS_ONLY) and by status (ALL).
async fn orders_table(client: &aws_sdk_dynamodb::Client) {
    client
        .create_table()
        .table_name("orders")
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .attribute_definitions(attr("sk", ScalarAttributeType::N))
        .attribute_definitions(attr("customer", ScalarAttributeType::S))
        .attribute_definitions(attr("status", ScalarAttributeType::S))
        .attribute_definitions(attr("total", ScalarAttributeType::N))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by_customer")
                .key_schema(key("customer", KeyType::Hash))
                .projection(projection(ProjectionType::All, &[]))
                .build()
                .unwrap(),
        )
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by_status")
                .key_schema(key("status", KeyType::Hash))
                .projection(projection(ProjectionType::KeysOnly, &[]))
                .build()
                .unwrap(),
        )
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by_customer_total")
                .key_schema(key("customer", KeyType::Hash))
                .key_schema(key("total", KeyType::Range))
                .projection(projection(ProjectionType::Include, &["note"]))
                .build()
                .unwrap(),
        )
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("by_total")
                .key_schema(key("pk", KeyType::Hash))
                .key_schema(key("total", KeyType::Range))
                .projection(projection(ProjectionType::KeysOnly, &[]))
                .build()
                .unwrap(),
        )
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("by_pk_status")
                .key_schema(key("pk", KeyType::Hash))
                .key_schema(key("status", KeyType::Range))
                .projection(projection(ProjectionType::All, &[]))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    for i in 0..12 {
        let mut put = client
            .put_item()
            .table_name("orders")
            .item("pk", s(&format!("o{}", i % 3)))
            .item("sk", n(&i.to_string()))
            .item("total", n(&(100 - i).to_string()))
            .item("note", s(&format!("note {i}")))
            .item("secret", s("not projected"));
        if i % 4 != 0 {
            put = put.item("customer", s(if i % 2 == 0 { "ann" } else { "bob" }));
        }
        if i % 3 != 0 {
            put = put.item("status", s("open"));
        }
        put.send().await.unwrap();
    }
}

#[tokio::test]
async fn queries_and_scans_read_indexes_as_projected() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    orders_table(&client).await;

    // DescribeTable reports every index with its schema, projection and counts.
    let table = client
        .describe_table()
        .table_name("orders")
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let gsis = table.global_secondary_indexes();
    assert_eq!(gsis.len(), 3);
    let by_customer = &gsis[0];
    assert_eq!(by_customer.index_name(), Some("by_customer"));
    assert_eq!(by_customer.item_count(), Some(9));
    assert_eq!(
        by_customer.index_status().map(|s| s.as_str()),
        Some("ACTIVE")
    );
    assert!(by_customer
        .index_arn()
        .unwrap()
        .ends_with(":table/orders/index/by_customer"));
    assert!(by_customer.index_size_bytes().unwrap() > 0);
    assert_eq!(gsis[1].item_count(), Some(8));
    assert_eq!(
        gsis[2].projection().unwrap().non_key_attributes(),
        ["note".to_owned()]
    );
    let lsis = table.local_secondary_indexes();
    assert_eq!(lsis.len(), 2);
    assert_eq!(lsis[0].item_count(), Some(12));
    assert_eq!(
        lsis[0].projection().unwrap().projection_type(),
        Some(&ProjectionType::KeysOnly)
    );

    // A GSI query in index order, ties broken by the table key; ALL projects everything.
    let out = client
        .query()
        .table_name("orders")
        .index_name("by_customer")
        .key_condition_expression("customer = :c")
        .expression_attribute_values(":c", s("bob"))
        .send()
        .await
        .unwrap();
    let got: Vec<(String, String)> = out
        .items()
        .iter()
        .map(|i| {
            assert!(i.contains_key("secret"));
            (
                i["pk"].as_s().unwrap().clone(),
                i["sk"].as_n().unwrap().clone(),
            )
        })
        .collect();
    let mut expected: Vec<(String, i32)> = (0..12)
        .filter(|i| i % 4 != 0 && i % 2 == 1)
        .map(|i| (format!("o{}", i % 3), i))
        .collect();
    expected.sort();
    let expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(p, i)| (p, i.to_string()))
        .collect();
    assert_eq!(got, expected);

    // INCLUDE: keys plus the listed attribute, in sort-key order, paged by index + table key.
    let mut pages = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .query()
            .table_name("orders")
            .index_name("by_customer_total")
            .key_condition_expression("customer = :c AND #t > :t")
            .expression_attribute_names("#t", "total")
            .expression_attribute_values(":c", s("ann"))
            .expression_attribute_values(":t", n("90"))
            .limit(1)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in out.items() {
            let names: BTreeSet<&str> = item.keys().map(String::as_str).collect();
            assert_eq!(
                names,
                BTreeSet::from(["pk", "sk", "customer", "total", "note"])
            );
            pages.push(item["total"].as_n().unwrap().clone());
        }
        match out.last_evaluated_key {
            Some(k) => {
                assert_eq!(k.len(), 4, "{k:?}");
                start = Some(k);
            }
            None => break,
        }
    }
    assert_eq!(pages, ["94", "98"]);

    // KEYS_ONLY GSI: ALL_ATTRIBUTES and consistent reads are refused.
    let (code, message) = failure(
        client
            .query()
            .table_name("orders")
            .index_name("by_status")
            .key_condition_expression("#s = :s")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":s", s("open"))
            .select(Select::AllAttributes)
            .send()
            .await,
    );
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported \
         for global secondary index by_status because its projection type is not ALL"
    );
    let (_, message) = failure(
        client
            .scan()
            .table_name("orders")
            .index_name("by_status")
            .consistent_read(true)
            .send()
            .await,
    );
    assert_eq!(
        message,
        "Consistent reads are not supported on global secondary indexes"
    );
    let (_, message) = failure(
        client
            .scan()
            .table_name("orders")
            .index_name("nope")
            .send()
            .await,
    );
    assert_eq!(message, "The table does not have the specified index: nope");

    // KEYS_ONLY LSI: projected attributes by default, the table item for ALL_ATTRIBUTES.
    let query = || {
        client
            .query()
            .table_name("orders")
            .index_name("by_total")
            .key_condition_expression("pk = :p AND #t BETWEEN :lo AND :hi")
            .expression_attribute_names("#t", "total")
            .expression_attribute_values(":p", s("o1"))
            .expression_attribute_values(":lo", n("89"))
            .expression_attribute_values(":hi", n("96"))
            .consistent_read(true)
    };
    let out = query().send().await.unwrap();
    let totals: Vec<&str> = out
        .items()
        .iter()
        .map(|i| {
            assert_eq!(i.len(), 3, "{i:?}");
            i["total"].as_n().unwrap().as_str()
        })
        .collect();
    assert_eq!(totals, ["90", "93", "96"]);
    // A filter on an attribute the local index does not project reads the table item, and
    // the answer still holds only the projected attributes.
    for (value, expected) in [("not projected", 3), ("other", 0)] {
        let out = query()
            .filter_expression("secret = :s")
            .expression_attribute_values(":s", s(value))
            .send()
            .await
            .unwrap();
        assert_eq!(out.count(), expected);
        assert!(out.items().iter().all(|i| i.len() == 3), "{out:?}");
    }
    let out = query()
        .select(Select::AllAttributes)
        .scan_index_forward(false)
        .send()
        .await
        .unwrap();
    assert_eq!(out.items().len(), 3);
    assert!(out.items().iter().all(|i| i.contains_key("secret")));
    assert_eq!(out.items()[0]["total"].as_n().unwrap(), "96");

    // Parallel scan of an index: every entry in exactly one segment.
    let mut seen = Vec::new();
    for segment in 0..3 {
        let out = client
            .scan()
            .table_name("orders")
            .index_name("by_customer")
            .segment(segment)
            .total_segments(3)
            .send()
            .await
            .unwrap();
        seen.extend(
            out.items()
                .iter()
                .map(|i| i["sk"].as_n().unwrap().parse::<i32>().unwrap()),
        );
    }
    seen.sort();
    let expected: Vec<i32> = (0..12).filter(|i| i % 4 != 0).collect();
    assert_eq!(seen, expected);

    // A write whose index key has the wrong type is refused, and nothing changes.
    let (_, message) = failure(
        client
            .put_item()
            .table_name("orders")
            .item("pk", s("o9"))
            .item("sk", n("1"))
            .item("customer", n("5"))
            // Checked before the condition, which would fail too.
            .condition_expression("attribute_exists(pk)")
            .send()
            .await,
    );
    assert_eq!(
        message,
        "One or more parameter values were invalid: Type mismatch for Index Key customer \
         Expected: S Actual: N IndexName: by_customer"
    );
    let (_, message) = failure(
        client
            .update_item()
            .table_name("orders")
            .key("pk", s("o1"))
            .key("sk", n("1"))
            .update_expression("SET #s = :v")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":v", n("1"))
            .send()
            .await,
    );
    assert_eq!(
        message,
        "One or more parameter values were invalid: Type mismatch for Index Key status \
         Expected: S Actual: N IndexName: by_status"
    );
}

// ---- the property: every index equals the one computed from the table ----

/// One declared index of the property's table.
struct Declared {
    name: &'static str,
    hash: &'static str,
    range: Option<&'static str>,
    /// `None`: ALL; otherwise the non-key attributes projected (empty for KEYS_ONLY).
    include: Option<&'static [&'static str]>,
    global: bool,
}

const INDEXES: &[Declared] = &[
    Declared {
        name: "g_all",
        hash: "g",
        range: Some("h"),
        include: None,
        global: true,
    },
    Declared {
        name: "g_keys",
        hash: "h",
        range: None,
        include: Some(&[]),
        global: true,
    },
    Declared {
        name: "g_inc",
        hash: "g",
        range: None,
        include: Some(&["x"]),
        global: true,
    },
    Declared {
        name: "l_keys",
        hash: "pk",
        range: Some("h"),
        include: Some(&[]),
        global: false,
    },
    Declared {
        name: "l_inc",
        hash: "pk",
        range: Some("g"),
        include: Some(&["y"]),
        global: false,
    },
    Declared {
        name: "l_all",
        hash: "pk",
        range: Some("y"),
        include: None,
        global: false,
    },
];

fn create_property_table(services: &Services, ns: &Namespace) {
    let projection = |d: &Declared| match d.include {
        None => all(),
        Some([]) => json!({"ProjectionType": "KEYS_ONLY"}),
        Some(names) => json!({"ProjectionType": "INCLUDE", "NonKeyAttributes": names}),
    };
    let list = |global: bool| -> Vec<Value> {
        INDEXES
            .iter()
            .filter(|d| d.global == global)
            .map(|d| index(d.name, d.hash, d.range, projection(d)))
            .collect()
    };
    ok(
        services,
        ns,
        "CreateTable",
        json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [def("pk", "S"), def("sk", "N"), def("g", "S"),
                                     def("h", "N"), def("y", "N")],
            "KeySchema": keys("pk", Some("sk")),
            "GlobalSecondaryIndexes": list(true), "LocalSecondaryIndexes": list(false)}),
    );
    ok(
        services,
        ns,
        "UpdateTimeToLive",
        json!({"TableName": "tbl",
               "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": true}}),
    );
}

#[derive(Clone, Debug)]
struct Row {
    pk: u8,
    sk: u8,
    g: Option<u8>,
    h: Option<i8>,
    x: Option<u8>,
    y: Option<i8>,
    expired: bool,
}

impl Row {
    fn json(&self, now_secs: i64) -> Value {
        let mut item = json!({"pk": {"S": format!("p{}", self.pk)},
                              "sk": {"N": self.sk.to_string()}});
        if let Some(g) = self.g {
            item["g"] = json!({"S": format!("g{g}")});
        }
        if let Some(h) = self.h {
            item["h"] = json!({"N": h.to_string()});
        }
        if let Some(x) = self.x {
            item["x"] = json!({"S": format!("x{x}")});
        }
        if let Some(y) = self.y {
            item["y"] = json!({"N": y.to_string()});
        }
        if self.expired {
            item["ttl"] = json!({"N": (now_secs - 10).to_string()});
        }
        item
    }
}

#[derive(Clone, Debug)]
enum Step {
    Put(Row),
    /// Sets `g` (or removes it) and `h` on an item, creating it if absent.
    Update(u8, u8, Option<u8>, Option<i8>),
    Delete(u8, u8),
    Batch(Vec<Row>, Vec<(u8, u8)>),
    /// A write giving the index key `g` a number: refused, nothing changes.
    Mistyped(u8, u8),
    /// The clock moves on and the sweeper deletes the expired items.
    Sweep,
}

fn row() -> impl Strategy<Value = Row> {
    (
        0u8..3,
        0u8..4,
        proptest::option::of(0u8..3),
        proptest::option::of(-2i8..3),
        proptest::option::of(0u8..3),
        proptest::option::of(-2i8..3),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(pk, sk, g, h, x, y, expired)| Row {
            pk,
            sk,
            g,
            h,
            x,
            y,
            expired,
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => row().prop_map(Step::Put),
        2 => (0u8..3, 0u8..4, proptest::option::of(0u8..3), proptest::option::of(-2i8..3))
            .prop_map(|(p, s, g, h)| Step::Update(p, s, g, h)),
        2 => (0u8..3, 0u8..4).prop_map(|(p, s)| Step::Delete(p, s)),
        1 => (proptest::collection::vec(row(), 0..4), proptest::collection::vec((0u8..3, 0u8..4), 0..3))
            .prop_map(|(puts, deletes)| Step::Batch(puts, deletes)),
        1 => (0u8..3, 0u8..4).prop_map(|(p, s)| Step::Mistyped(p, s)),
        1 => Just(Step::Sweep),
    ]
}

fn key_json(pk: u8, sk: u8) -> Value {
    json!({"pk": {"S": format!("p{pk}")}, "sk": {"N": sk.to_string()}})
}

fn apply(services: &Services, ns: &Namespace, step: &Step) {
    let now = services.clock.now_millis() / 1000;
    match step {
        Step::Put(r) => {
            ok(
                services,
                ns,
                "PutItem",
                json!({"TableName": "tbl", "Item": r.json(now)}),
            );
        }
        Step::Update(p, s, g, h) => {
            let mut sets = Vec::new();
            let mut removes = Vec::new();
            let mut values = serde_json::Map::new();
            match g {
                Some(g) => {
                    sets.push("g = :g");
                    values.insert(":g".into(), json!({"S": format!("g{g}")}));
                }
                None => removes.push("g"),
            }
            match h {
                Some(h) => {
                    sets.push("h = :h");
                    values.insert(":h".into(), json!({"N": h.to_string()}));
                }
                None => removes.push("h"),
            }
            let mut expr = String::new();
            if !sets.is_empty() {
                expr += &format!("SET {}", sets.join(", "));
            }
            if !removes.is_empty() {
                expr += &format!(" REMOVE {}", removes.join(", "));
            }
            let mut body = json!({"TableName": "tbl", "Key": key_json(*p, *s),
                                  "UpdateExpression": expr});
            if !values.is_empty() {
                body["ExpressionAttributeValues"] = Value::Object(values);
            }
            ok(services, ns, "UpdateItem", body);
        }
        Step::Delete(p, s) => {
            ok(
                services,
                ns,
                "DeleteItem",
                json!({"TableName": "tbl", "Key": key_json(*p, *s)}),
            );
        }
        Step::Batch(puts, deletes) => {
            let mut seen = BTreeSet::new();
            let mut requests = Vec::new();
            for r in puts {
                if seen.insert((r.pk, r.sk)) {
                    requests.push(json!({"PutRequest": {"Item": r.json(now)}}));
                }
            }
            for (p, s) in deletes {
                if seen.insert((*p, *s)) {
                    requests.push(json!({"DeleteRequest": {"Key": key_json(*p, *s)}}));
                }
            }
            if !requests.is_empty() {
                ok(
                    services,
                    ns,
                    "BatchWriteItem",
                    json!({"RequestItems": {"tbl": requests}}),
                );
            }
        }
        Step::Mistyped(p, s) => {
            let mut item = key_json(*p, *s);
            item["g"] = json!({"N": "1"});
            let message = call(
                services,
                ns,
                "PutItem",
                &json!({"TableName": "tbl", "Item": item}),
            )
            .unwrap_err();
            assert_eq!(
                message,
                "One or more parameter values were invalid: Type mismatch for Index Key g \
                 Expected: S Actual: N IndexName: g_all"
            );
        }
        Step::Sweep => {
            services.clock.advance(Duration::from_secs(60));
            services.dynamodb.db.sweep_expired();
        }
    }
}

/// Every page of a Scan or Query, with a small `Limit` so paging keys are exercised.
fn read_all(services: &Services, ns: &Namespace, op: &str, mut body: Value) -> Vec<Value> {
    body["Limit"] = json!(3);
    let mut out = Vec::new();
    loop {
        let page = ok(services, ns, op, body.clone());
        out.extend(page["Items"].as_array().cloned().unwrap_or_default());
        match page.get("LastEvaluatedKey") {
            Some(k) => body["ExclusiveStartKey"] = k.clone(),
            None => return out,
        }
    }
}

/// A sortable form of a key attribute's value (numbers numerically).
fn order_key(v: &Value) -> (i64, String) {
    match v.get("N") {
        Some(n) => (n.as_str().unwrap().parse().unwrap(), String::new()),
        None => (0, v["S"].as_str().unwrap().to_owned()),
    }
}

/// What index `d` should hold, computed from the table's items.
fn reference(d: &Declared, items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .filter(|i| i.get(d.hash).is_some() && d.range.is_none_or(|r| i.get(r).is_some()))
        .map(|i| match d.include {
            None => i.clone(),
            Some(names) => {
                let obj = i.as_object().unwrap();
                let keep = |k: &str| {
                    ["pk", "sk", d.hash].contains(&k) || d.range == Some(k) || names.contains(&k)
                };
                Value::Object(
                    obj.iter()
                        .filter(|(k, _)| keep(k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            }
        })
        .collect()
}

fn check_indexes(services: &Services, ns: &Namespace) {
    let table = read_all(services, ns, "Scan", json!({"TableName": "tbl"}));
    let description = ok(services, ns, "DescribeTable", json!({"TableName": "tbl"}));
    for d in INDEXES {
        let expected = reference(d, &table);
        let mut scanned = read_all(
            services,
            ns,
            "Scan",
            json!({"TableName": "tbl", "IndexName": d.name}),
        );
        let as_set = |v: &[Value]| -> BTreeSet<String> { v.iter().map(Value::to_string).collect() };
        assert_eq!(as_set(&scanned), as_set(&expected), "scan of {}", d.name);
        assert_eq!(scanned.len(), expected.len(), "{}", d.name);

        // Query each partition of the index: sort-key order, ties in table-key order.
        let mut by_hash: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for item in expected {
            by_hash
                .entry(item[d.hash].to_string())
                .or_default()
                .push(item);
        }
        for (hash, mut items) in by_hash {
            items.sort_by_key(|i| {
                (
                    d.range.map(|r| order_key(&i[r])),
                    order_key(&i["pk"]),
                    order_key(&i["sk"]),
                )
            });
            let hash: Value = serde_json::from_str(&hash).unwrap();
            let got = read_all(
                services,
                ns,
                "Query",
                json!({"TableName": "tbl", "IndexName": d.name,
                       "KeyConditionExpression": "#h = :h",
                       "ExpressionAttributeNames": {"#h": d.hash},
                       "ExpressionAttributeValues": {":h": hash}}),
            );
            assert_eq!(got, items, "query of {} at {hash}", d.name);
        }

        let list = if d.global {
            "GlobalSecondaryIndexes"
        } else {
            "LocalSecondaryIndexes"
        };
        let described = description["Table"][list]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["IndexName"] == d.name)
            .unwrap();
        assert_eq!(described["ItemCount"], json!(scanned.len()), "{}", d.name);
        scanned.clear();
    }
}

fn cases() -> u32 {
    std::env::var("INDEX_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

#[test]
fn every_index_follows_every_write() {
    let mut runner = TestRunner::new(RunnerConfig {
        cases: cases(),
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    runner
        .run(&proptest::collection::vec(step(), 1..25), |steps| {
            let (services, ns) = setup();
            create_property_table(&services, &ns);
            for step in &steps {
                apply(&services, &ns, step);
                check_indexes(&services, &ns);
            }
            Ok(())
        })
        .unwrap();
}

// ---- UpdateTable and tags ----

#[test]
fn update_table_adds_and_deletes_global_indexes_on_a_table_with_data() {
    let (services, ns) = setup();
    ok(
        &services,
        &ns,
        "CreateTable",
        json!({"TableName": "upd", "BillingMode": "PAY_PER_REQUEST",
               "AttributeDefinitions": [def("pk", "S")], "KeySchema": keys("pk", None)}),
    );
    for i in 0..300 {
        let mut item = json!({"pk": {"S": format!("k{i}")}, "v": {"N": i.to_string()}});
        if i % 3 == 0 {
            item["g"] = json!({"S": format!("g{}", i % 2)});
        }
        if i == 7 {
            // Not a string: skipped by the backfill (DynamoDB reports it as a violation).
            item["g"] = json!({"N": "1"});
        }
        ok(
            &services,
            &ns,
            "PutItem",
            json!({"TableName": "upd", "Item": item}),
        );
    }
    let create = json!({"TableName": "upd", "AttributeDefinitions": [def("g", "S")],
        "GlobalSecondaryIndexUpdates": [{"Create": index("by_g", "g", None,
            json!({"ProjectionType": "KEYS_ONLY"}))}]});
    let answer = ok(&services, &ns, "UpdateTable", create.clone());
    let described = &answer["TableDescription"]["GlobalSecondaryIndexes"][0];
    assert_eq!(described["IndexStatus"], "CREATING");
    assert_eq!(
        answer["TableDescription"]["AttributeDefinitions"],
        json!([def("pk", "S"), def("g", "S")])
    );
    let table = ok(&services, &ns, "DescribeTable", json!({"TableName": "upd"}));
    let described = &table["Table"]["GlobalSecondaryIndexes"][0];
    assert_eq!(described["IndexStatus"], "ACTIVE");
    assert_eq!(described["ItemCount"], 100);
    let page = ok(
        &services,
        &ns,
        "Query",
        json!({"TableName": "upd", "IndexName": "by_g", "KeyConditionExpression": "g = :g",
               "ExpressionAttributeValues": {":g": {"S": "g1"}}, "Select": "COUNT"}),
    );
    assert_eq!(page["Count"], 50);
    // The new index follows later writes, and refuses mistyped keys from now on.
    ok(
        &services,
        &ns,
        "PutItem",
        json!({"TableName": "upd", "Item": {"pk": {"S": "new"}, "g": {"S": "g1"}}}),
    );
    assert_eq!(
        call(
            &services,
            &ns,
            "PutItem",
            &json!({"TableName": "upd", "Item": {"pk": {"S": "bad"}, "g": {"N": "1"}}}),
        )
        .unwrap_err(),
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S \
         Actual: N IndexName: by_g"
    );
    assert_eq!(
        call(&services, &ns, "UpdateTable", &create).unwrap_err(),
        "Attempting to create an index which already exists"
    );

    // Validation, in DynamoDB's words.
    let p = "One or more parameter values were invalid: ";
    for (body, expected) in [
        (
            json!({"TableName": "upd"}),
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, \
             GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, \
             MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, \
             DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is \
             required"
                .to_owned(),
        ),
        (
            json!({"TableName": "upd", "GlobalSecondaryIndexUpdates": [{}]}),
            format!(
                "{p}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, \
                 GlobalSecondaryIndexUpdate.Delete must not be null"
            ),
        ),
        (
            json!({"TableName": "upd", "GlobalSecondaryIndexUpdates": [
                {"Delete": {"IndexName": "by_g"}}, {"Delete": {"IndexName": "by_g"}}]}),
            format!(
                "{p}Only one global secondary index update per index is allowed \
                 simultaneously. Index: by_g"
            ),
        ),
        (
            json!({"TableName": "upd", "BillingMode": "PROVISIONED"}),
            format!("{p}ProvisionedThroughput must be specified when BillingMode is PROVISIONED"),
        ),
        (
            json!({"TableName": "upd",
                   "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
            format!(
                "{p}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when \
                 BillingMode is PAY_PER_REQUEST"
            ),
        ),
        (
            json!({"TableName": "upd", "BillingMode": "PROVISIONED",
                   "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
            format!("{p}ProvisionedThroughput must be specified for index: by_g"),
        ),
        (
            json!({"TableName": "upd", "DeletionProtectionEnabled": true,
                   "BillingMode": "PAY_PER_REQUEST"}),
            format!("{p}DeletionProtection modification must be the only operation in the request"),
        ),
        (
            json!({"TableName": "upd", "StreamSpecification": {"StreamEnabled": true}}),
            format!("{p}If stream is being enabled then UpdateViewType is required"),
        ),
        (
            json!({"TableName": "upd", "StreamSpecification": {"StreamEnabled": false}}),
            "Table has no stream to disable: TableName: upd".to_owned(),
        ),
    ] {
        assert_eq!(
            call(&services, &ns, "UpdateTable", &body).unwrap_err(),
            expected,
            "{body}"
        );
    }

    // Billing mode and throughput, table and index together.
    let answer = ok(
        &services,
        &ns,
        "UpdateTable",
        json!({"TableName": "upd", "BillingMode": "PROVISIONED",
               "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
               "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "by_g",
                   "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}}]}),
    );
    let description = &answer["TableDescription"];
    assert_eq!(description["ProvisionedThroughput"]["ReadCapacityUnits"], 5);
    assert_eq!(
        description["ProvisionedThroughput"]["WriteCapacityUnits"],
        6
    );
    assert!(description.get("BillingModeSummary").is_none());
    assert_eq!(
        description["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"],
        4
    );
    assert_eq!(
        call(
            &services,
            &ns,
            "UpdateTable",
            &json!({"TableName": "upd",
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6}}),
        )
        .unwrap_err(),
        "The provisioned throughput for the table will not change. The requested value equals \
         the current value. Current ReadCapacityUnits provisioned for the table: 5. Requested \
         ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 6. \
         Requested WriteCapacityUnits: 6. Refer to the Amazon DynamoDB Developer Guide for \
         current limits and how to request higher limits."
    );

    // Streams are accepted and reported.
    let answer = ok(
        &services,
        &ns,
        "UpdateTable",
        json!({"TableName": "upd",
               "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}),
    );
    let description = &answer["TableDescription"];
    assert_eq!(
        description["StreamSpecification"],
        json!({"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"})
    );
    let label = description["LatestStreamLabel"].as_str().unwrap();
    assert!(description["LatestStreamArn"]
        .as_str()
        .unwrap()
        .ends_with(&format!(":table/upd/stream/{label}")));

    // Deleting the index: gone from the description, its attribute definition too.
    let answer = ok(
        &services,
        &ns,
        "UpdateTable",
        json!({"TableName": "upd",
               "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_g"}}]}),
    );
    assert!(answer["TableDescription"]
        .get("GlobalSecondaryIndexes")
        .is_none());
    assert_eq!(
        answer["TableDescription"]["AttributeDefinitions"],
        json!([def("pk", "S")])
    );
    assert_eq!(
        call(
            &services,
            &ns,
            "Query",
            &json!({"TableName": "upd", "IndexName": "by_g", "KeyConditionExpression": "g = :g",
                    "ExpressionAttributeValues": {":g": {"S": "g1"}}}),
        )
        .unwrap_err(),
        "The table does not have the specified index: by_g"
    );
    // Mistyped former index keys are fine again.
    ok(
        &services,
        &ns,
        "PutItem",
        json!({"TableName": "upd", "Item": {"pk": {"S": "bad"}, "g": {"N": "1"}}}),
    );

    // Deletion protection.
    ok(
        &services,
        &ns,
        "UpdateTable",
        json!({"TableName": "upd", "DeletionProtectionEnabled": true}),
    );
    assert_eq!(
        call(&services, &ns, "DeleteTable", &json!({"TableName": "upd"})).unwrap_err(),
        "Resource cannot be deleted as it is currently protected against deletion. Disable \
         deletion protection first."
    );
    ok(
        &services,
        &ns,
        "UpdateTable",
        json!({"TableName": "upd", "DeletionProtectionEnabled": false}),
    );
    ok(&services, &ns, "DeleteTable", json!({"TableName": "upd"}));
}

#[tokio::test]
async fn tags_are_added_listed_and_removed() {
    use aws_sdk_dynamodb::types::Tag;
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    common::hash_table(&client, "tagged").await;
    let arn = client
        .describe_table()
        .table_name("tagged")
        .send()
        .await
        .unwrap()
        .table
        .unwrap()
        .table_arn
        .unwrap();
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    client
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("env", "dev"))
        .tags(tag("team", "a"))
        .send()
        .await
        .unwrap();
    client
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("team", "b"))
        .send()
        .await
        .unwrap();
    let list = |arn: String| {
        let client = client.clone();
        async move {
            client
                .list_tags_of_resource()
                .resource_arn(arn)
                .send()
                .await
                .unwrap()
                .tags()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(arn.clone()).await,
        [("env".into(), "dev".into()), ("team".into(), "b".into())]
    );
    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .tag_keys("missing")
        .send()
        .await
        .unwrap();
    assert_eq!(list(arn.clone()).await, [("team".into(), "b".into())]);

    let (_, message) = failure(
        client
            .tag_resource()
            .resource_arn(&arn)
            .tags(tag("aws:x", "1"))
            .send()
            .await,
    );
    assert_eq!(message, "Tag Key cannot be prefixed with aws:, Key: aws:x");
    let (_, message) = failure(
        client
            .tag_resource()
            .resource_arn(&arn)
            .tags(tag("a", "1"))
            .tags(tag("a", "2"))
            .send()
            .await,
    );
    assert_eq!(
        message,
        "Duplicate Tag Keys provided as input: Duplicate Tag Key found a"
    );
    let mut many = client.tag_resource().resource_arn(&arn);
    for i in 0..50 {
        many = many.tags(tag(&format!("k{i}"), "v"));
    }
    let (_, message) = failure(many.send().await);
    assert_eq!(
        message,
        "Number of Tags exceed the current limit for the provided ResourceArn"
    );
    let missing = arn.replace("tagged", "absent");
    let (code, message) = failure(
        client
            .list_tags_of_resource()
            .resource_arn(&missing)
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(
        message,
        format!("Requested resource not found: ResourceArn: {missing} not found")
    );
    let (_, message) = failure(
        client
            .untag_resource()
            .resource_arn(&arn)
            .set_tag_keys(Some(vec![]))
            .send()
            .await,
    );
    assert_eq!(
        message,
        "Atleast one Tag Key needs to be provided as Input."
    );
}

/// Writers on several threads while a global index is added: afterwards every index,
/// including the backfilled one, equals the index computed from the table.
#[test]
fn indexes_stay_exact_under_concurrent_writes_and_backfill() {
    let (services, ns) = setup();
    create_property_table(&services, &ns);
    let writers = 4;
    std::thread::scope(|scope| {
        for w in 0..writers {
            let (services, ns) = (&services, &ns);
            scope.spawn(move || {
                let mut state: u32 = 0x9E37_79B9 ^ w;
                let mut next = move |n: u32| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state % n
                };
                for _ in 0..300 {
                    let (p, s) = (next(3) as u8, next(4) as u8);
                    let step = match next(4) {
                        0 => Step::Delete(p, s),
                        1 => Step::Update(
                            p,
                            s,
                            (next(2) == 0).then(|| next(3) as u8),
                            (next(2) == 0).then(|| next(5) as i8 - 2),
                        ),
                        _ => Step::Put(Row {
                            pk: p,
                            sk: s,
                            g: (next(3) > 0).then(|| next(3) as u8),
                            h: (next(3) > 0).then(|| next(5) as i8 - 2),
                            x: (next(2) == 0).then(|| next(3) as u8),
                            y: (next(2) == 0).then(|| next(5) as i8 - 2),
                            expired: false,
                        }),
                    };
                    apply(services, ns, &step);
                }
            });
        }
        // Meanwhile a new global index on x is created and backfilled.
        ok(
            &services,
            &ns,
            "UpdateTable",
            json!({"TableName": "tbl", "AttributeDefinitions": [def("x", "S")],
                   "GlobalSecondaryIndexUpdates": [{"Create": index("g_x", "x", Some("sk"),
                       json!({"ProjectionType": "KEYS_ONLY"}))}]}),
        );
    });
    check_indexes(&services, &ns);
    let table = read_all(&services, &ns, "Scan", json!({"TableName": "tbl"}));
    let expected = reference(
        &Declared {
            name: "g_x",
            hash: "x",
            range: Some("sk"),
            include: Some(&[]),
            global: true,
        },
        &table,
    );
    let got = read_all(
        &services,
        &ns,
        "Scan",
        json!({"TableName": "tbl", "IndexName": "g_x"}),
    );
    let as_set = |v: &[Value]| -> BTreeSet<String> { v.iter().map(Value::to_string).collect() };
    assert_eq!(as_set(&got), as_set(&expected));
    assert_eq!(got.len(), expected.len());
}

#[test]
fn create_table_takes_tags_streams_and_deletion_protection() {
    let (services, ns) = setup();
    let answer = ok(
        &services,
        &ns,
        "CreateTable",
        json!({"TableName": "full", "BillingMode": "PAY_PER_REQUEST",
               "AttributeDefinitions": [def("pk", "S")], "KeySchema": keys("pk", None),
               "Tags": [{"Key": "owner", "Value": "me"}],
               "StreamSpecification": {"StreamEnabled": true,
                                       "StreamViewType": "NEW_AND_OLD_IMAGES"},
               "DeletionProtectionEnabled": true}),
    );
    let description = &answer["TableDescription"];
    assert_eq!(description["DeletionProtectionEnabled"], true);
    assert_eq!(
        description["StreamSpecification"]["StreamViewType"],
        "NEW_AND_OLD_IMAGES"
    );
    let arn = description["TableArn"].as_str().unwrap();
    let tags = ok(
        &services,
        &ns,
        "ListTagsOfResource",
        json!({"ResourceArn": arn}),
    );
    assert_eq!(tags["Tags"], json!([{"Key": "owner", "Value": "me"}]));
    assert_eq!(
        call(&services, &ns, "DeleteTable", &json!({"TableName": "full"})).unwrap_err(),
        "Resource cannot be deleted as it is currently protected against deletion. Disable \
         deletion protection first."
    );
    let body = json!({"TableName": "nostream", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [def("pk", "S")], "KeySchema": keys("pk", None),
        "StreamSpecification": {"StreamEnabled": true}});
    assert_eq!(
        call(&services, &ns, "CreateTable", &body).unwrap_err(),
        "One or more parameter values were invalid: Table is being created with a stream \
         enabled, UpdateViewType is required"
    );
}
