//! Query and Scan: answers, paging, parallel scan and validation.
//!
//! - Through aws-sdk-dynamodb: the main paths and DynamoDB's validation messages.
//! - Paging walks over tables of a few thousand items (hash-only and hash+range, S/N/B
//!   keys) in every combination of Limit, filter, projection, direction and 1-8 segments,
//!   also while other threads write: every item is seen exactly once.
//! - A property test: random tables, items, key conditions and filters; Query and Scan
//!   answers (items, order, Count, ScannedCount, LastEvaluatedKey) equal a plain
//!   reference evaluation over the same items.
//!
//! The walks and the property go straight to `dispatch` (no HTTP) so thousands of pages
//! stay cheap. `QUERY_SCAN_CASES` scales the property's case count.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::types::Select;
use common::{failure, n, range_table, s};
use emulator::common::{Namespace, Service};
use emulator::{Config, Services, TestEmulator};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::{json, Value};

// ---- direct dispatch helpers ----

fn call(
    services: &Services,
    ns: &Namespace,
    op: &str,
    body: &Value,
) -> Result<Value, (String, String)> {
    match services
        .dynamodb
        .dispatch(ns, op, body.to_string().as_bytes(), "rid")
    {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap()),
        Err(e) => {
            let v: Value = serde_json::from_slice(&e.body).unwrap();
            let ty = v["__type"].as_str().unwrap_or_default();
            let ty = ty.rsplit('#').next().unwrap_or_default().to_owned();
            let msg = v["message"]
                .as_str()
                .or(v["Message"].as_str())
                .unwrap_or_default()
                .to_owned();
            Err((ty, msg))
        }
    }
}

fn ok(services: &Services, ns: &Namespace, op: &str, body: Value) -> Value {
    call(services, ns, op, &body).unwrap_or_else(|e| panic!("{op} {body}: {e:?}"))
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    S,
    N,
    B,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::S => "S",
            Kind::N => "N",
            Kind::B => "B",
        }
    }

    /// The wire form of key number `i`, chosen so the three types order differently.
    fn value(self, i: u32) -> Value {
        match self {
            Kind::S => json!({"S": format!("k{}", i * 7919 % 1000)}),
            Kind::N => json!({"N": format!("{}", i as i64 - 500)}),
            Kind::B => {
                let bytes = [(i % 256) as u8, (i / 256) as u8];
                json!({"B": base64(&bytes)})
            }
        }
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn create(services: &Services, ns: &Namespace, name: &str, hash: Kind, range: Option<Kind>) {
    let mut defs = vec![json!({"AttributeName": "pk", "AttributeType": hash.name()})];
    let mut schema = vec![json!({"AttributeName": "pk", "KeyType": "HASH"})];
    if let Some(r) = range {
        defs.push(json!({"AttributeName": "sk", "AttributeType": r.name()}));
        schema.push(json!({"AttributeName": "sk", "KeyType": "RANGE"}));
    }
    ok(
        services,
        ns,
        "CreateTable",
        json!({"TableName": name, "AttributeDefinitions": defs, "KeySchema": schema,
               "BillingMode": "PAY_PER_REQUEST"}),
    );
}

fn setup() -> (Services, Namespace) {
    (
        Services::new(Config::for_tests()),
        Namespace::new("query", "us-east-1"),
    )
}

/// The identity of an answered item, for "seen exactly once" checks.
fn identity(item: &Value) -> String {
    format!("{}|{}", item["pk"], item.get("sk").unwrap_or(&Value::Null))
}

// ---- paging walks ----

/// Reads every page of `body` (a Query or Scan request), returning the items in order
/// and checking the page invariants on the way.
fn walk(services: &Services, ns: &Namespace, op: &str, mut body: Value) -> Vec<Value> {
    let mut out = Vec::new();
    let limit = body.get("Limit").and_then(Value::as_u64);
    for _ in 0..100_000 {
        let page = ok(services, ns, op, body.clone());
        let items = page["Items"].as_array().cloned().unwrap_or_default();
        let scanned = page["ScannedCount"].as_u64().unwrap();
        assert_eq!(page["Count"].as_u64().unwrap() as usize, items.len());
        assert!(items.len() as u64 <= scanned);
        if let Some(l) = limit {
            assert!(scanned <= l, "{scanned} > limit {l}");
        }
        out.extend(items);
        match page.get("LastEvaluatedKey") {
            Some(key) => body["ExclusiveStartKey"] = key.clone(),
            None => return out,
        }
    }
    panic!("paging did not end");
}

fn fill(
    services: &Services,
    ns: &Namespace,
    table: &str,
    hash: Kind,
    range: Option<Kind>,
    count: u32,
) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for i in 0..count {
        let mut item = json!({"pk": hash.value(i % 97), "n": {"N": (i % 10).to_string()}, "pad": {"S": "x".repeat((i % 5) as usize * 50)}});
        match range {
            Some(r) => item["sk"] = r.value(i),
            None => item["pk"] = hash.value(i),
        }
        ids.insert(identity(&item));
        ok(
            services,
            ns,
            "PutItem",
            json!({"TableName": table, "Item": item}),
        );
    }
    ids
}

#[test]
fn every_page_combination_sees_each_item_once() {
    let (services, ns) = setup();
    let shapes = [
        (Kind::S, None),
        (Kind::N, Some(Kind::S)),
        (Kind::B, Some(Kind::N)),
        (Kind::S, Some(Kind::B)),
    ];
    for (t, (hash, range)) in shapes.into_iter().enumerate() {
        let table = format!("walk{t}");
        create(&services, &ns, &table, hash, range);
        let ids = fill(&services, &ns, &table, hash, range, 1500);
        for limit in [None, Some(1), Some(7), Some(250)] {
            for filtered in [false, true] {
                for projected in [false, true] {
                    for segments in [1u32, 2, 3, 8] {
                        // One-item pages are slow to walk: once per table is enough.
                        if limit == Some(1) && (filtered || projected || segments != 3) {
                            continue;
                        }
                        let mut all = Vec::new();
                        for segment in 0..segments {
                            let mut body = json!({"TableName": table});
                            if segments > 1 {
                                body["Segment"] = json!(segment);
                                body["TotalSegments"] = json!(segments);
                            }
                            if let Some(l) = limit {
                                body["Limit"] = json!(l);
                            }
                            if filtered {
                                body["FilterExpression"] = json!("n < :five");
                                body["ExpressionAttributeValues"] = json!({":five": {"N": "5"}});
                            }
                            if projected {
                                body["ProjectionExpression"] = json!("pk, sk, n");
                            }
                            all.extend(walk(&services, &ns, "Scan", body));
                        }
                        let seen: Vec<String> = all.iter().map(identity).collect();
                        let unique: BTreeSet<String> = seen.iter().cloned().collect();
                        assert_eq!(
                            seen.len(),
                            unique.len(),
                            "duplicates in {table} {limit:?} {segments}"
                        );
                        let expected: BTreeSet<String> = if filtered {
                            all.iter().for_each(|i| {
                                assert!(i["n"]["N"].as_str().unwrap().parse::<u32>().unwrap() < 5)
                            });
                            ids.iter()
                                .filter(|id| unique.contains(*id))
                                .cloned()
                                .collect()
                        } else {
                            ids.clone()
                        };
                        assert_eq!(
                            unique, expected,
                            "{table} limit {limit:?} segments {segments}"
                        );
                        if projected {
                            assert!(all.iter().all(|i| i.get("pad").is_none()));
                        }
                    }
                }
            }
            if range.is_some() {
                for forward in [true, false] {
                    let mut body = json!({"TableName": table,
                        "KeyConditionExpression": "pk = :p",
                        "ExpressionAttributeValues": {":p": hash.value(3)},
                        "ScanIndexForward": forward});
                    if let Some(l) = limit {
                        body["Limit"] = json!(l);
                    }
                    let items = walk(&services, &ns, "Query", body.clone());
                    let once = walk(&services, &ns, "Query", {
                        body.as_object_mut().unwrap().remove("Limit");
                        body
                    });
                    assert_eq!(items, once, "paged and unpaged query differ");
                    assert!(!items.is_empty());
                    assert!(items.iter().all(|i| i["pk"] == hash.value(3)));
                }
            }
        }
        // The filtered scans saw exactly the items with n < 5.
        let filtered = walk(
            &services,
            &ns,
            "Scan",
            json!({"TableName": table,
            "FilterExpression": "n < :five", "ExpressionAttributeValues": {":five": {"N": "5"}}}),
        );
        let all = walk(&services, &ns, "Scan", json!({"TableName": table}));
        let expected = all
            .iter()
            .filter(|i| i["n"]["N"].as_str().unwrap().parse::<u32>().unwrap() < 5)
            .count();
        assert_eq!(filtered.len(), expected);
    }
}

/// Pages keep their promise while other clients write: an item present for the whole
/// walk is seen exactly once, and nothing is seen twice.
#[test]
fn concurrent_writers_never_cause_duplicates_or_misses() {
    let (services, ns) = setup();
    let services = std::sync::Arc::new(services);
    create(&services, &ns, "busy", Kind::S, Some(Kind::N));
    let stable = fill(&services, &ns, "busy", Kind::S, Some(Kind::N), 2000);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (services, ns, stop) = (services.clone(), ns.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    // Churn on keys outside the stable set: put, then delete.
                    let key = json!({"pk": {"S": format!("churn{w}-{}", i % 50)}, "sk": {"N": i.to_string()}});
                    let mut item = key.clone();
                    item["n"] = json!({"N": "1"});
                    ok(&services, &ns, "PutItem", json!({"TableName": "busy", "Item": item}));
                    ok(&services, &ns, "DeleteItem", json!({"TableName": "busy", "Key": key}));
                    i += 1;
                }
            })
        })
        .collect();
    for segments in [1u32, 4] {
        for limit in [13u32, 400] {
            let mut seen = Vec::new();
            for segment in 0..segments {
                let mut body = json!({"TableName": "busy", "Limit": limit});
                if segments > 1 {
                    body["Segment"] = json!(segment);
                    body["TotalSegments"] = json!(segments);
                }
                seen.extend(walk(&services, &ns, "Scan", body).iter().map(identity));
            }
            let unique: BTreeSet<String> = seen.iter().cloned().collect();
            assert_eq!(unique.len(), seen.len(), "an item was seen twice");
            assert!(stable.is_subset(&unique), "a stable item was missed");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
}

// ---- the property: Query and Scan against a reference evaluation ----

/// A small random table: hash key S, range key N, attributes `a` (N) and `b` (S).
#[derive(Clone, Debug)]
struct Row {
    pk: u8,
    sk: i16,
    a: Option<i8>,
    b: Option<String>,
}

impl Row {
    fn json(&self) -> Value {
        let mut item =
            json!({"pk": {"S": format!("p{}", self.pk)}, "sk": {"N": self.sk.to_string()}});
        if let Some(a) = self.a {
            item["a"] = json!({"N": a.to_string()});
        }
        if let Some(b) = &self.b {
            item["b"] = json!({"S": b});
        }
        item
    }
}

#[derive(Clone, Debug)]
enum SortTerm {
    None,
    Cmp(&'static str, i16),
    Between(i16, i16),
}

#[derive(Clone, Debug)]
enum Filter {
    None,
    AGreater(i8),
    BBegins(String),
    AExistsOrB(String),
}

impl Filter {
    fn holds(&self, r: &Row) -> bool {
        match self {
            Filter::None => true,
            Filter::AGreater(x) => r.a.is_some_and(|a| a > *x),
            Filter::BBegins(p) => r.b.as_ref().is_some_and(|b| b.starts_with(p.as_str())),
            Filter::AExistsOrB(v) => r.a.is_some() || r.b.as_deref() == Some(v.as_str()),
        }
    }

    fn add_to(&self, body: &mut Value) {
        let (expr, values) = match self {
            Filter::None => return,
            Filter::AGreater(x) => ("a > :fa", json!({":fa": {"N": x.to_string()}})),
            Filter::BBegins(p) => ("begins_with(b, :fb)", json!({":fb": {"S": p}})),
            Filter::AExistsOrB(v) => ("attribute_exists(a) OR b = :fb", json!({":fb": {"S": v}})),
        };
        body["FilterExpression"] = json!(expr);
        let merged = body["ExpressionAttributeValues"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut merged = merged;
        merged.extend(values.as_object().unwrap().clone());
        body["ExpressionAttributeValues"] = Value::Object(merged);
    }
}

fn row() -> impl Strategy<Value = Row> {
    (
        0u8..4,
        -20i16..20,
        proptest::option::of(-5i8..5),
        proptest::option::of("[ab]{0,3}"),
    )
        .prop_map(|(pk, sk, a, b)| Row { pk, sk, a, b })
}

fn sort_term() -> impl Strategy<Value = SortTerm> {
    prop_oneof![
        Just(SortTerm::None),
        (
            prop::sample::select(vec!["=", "<", "<=", ">", ">="]),
            -22i16..22
        )
            .prop_map(|(op, v)| SortTerm::Cmp(op, v)),
        (-22i16..22, 0i16..15).prop_map(|(lo, w)| SortTerm::Between(lo, lo + w)),
    ]
}

fn filter() -> impl Strategy<Value = Filter> {
    prop_oneof![
        Just(Filter::None),
        (-5i8..5).prop_map(Filter::AGreater),
        "[ab]{0,2}".prop_map(Filter::BBegins),
        "[ab]{0,2}".prop_map(Filter::AExistsOrB),
    ]
}

fn in_sort(term: &SortTerm, sk: i16) -> bool {
    match term {
        SortTerm::None => true,
        SortTerm::Cmp(op, v) => match *op {
            "=" => sk == *v,
            "<" => sk < *v,
            "<=" => sk <= *v,
            ">" => sk > *v,
            _ => sk >= *v,
        },
        SortTerm::Between(lo, hi) => *lo <= sk && sk <= *hi,
    }
}

fn cases() -> u32 {
    std::env::var("QUERY_SCAN_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

#[test]
fn query_and_scan_match_a_reference_evaluation() {
    let mut runner = TestRunner::new(RunnerConfig {
        cases: cases(),
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let strategy = (
        proptest::collection::vec(row(), 0..60),
        0u8..4,
        sort_term(),
        filter(),
        proptest::option::of(1u32..8),
        any::<bool>(),
    );
    runner
        .run(&strategy, |(rows, pk, sort, filter, limit, forward)| {
            let (services, ns) = setup();
            create(&services, &ns, "model", Kind::S, Some(Kind::N));
            // Later rows replace earlier ones with the same key, as PutItem does.
            let mut model: BTreeMap<(u8, i16), Row> = BTreeMap::new();
            for r in &rows {
                ok(
                    &services,
                    &ns,
                    "PutItem",
                    json!({"TableName": "model", "Item": r.json()}),
                );
                model.insert((r.pk, r.sk), r.clone());
            }

            // Query: exact items, order, counts and paging keys, page by page.
            let mut matching: Vec<&Row> = model
                .values()
                .filter(|r| r.pk == pk && in_sort(&sort, r.sk))
                .collect();
            if !forward {
                matching.reverse();
            }
            let mut body = json!({"TableName": "model", "ScanIndexForward": forward,
                "ExpressionAttributeValues": {":p": {"S": format!("p{pk}")}}});
            let key_expr = match &sort {
                SortTerm::None => "pk = :p".to_owned(),
                SortTerm::Cmp(op, v) => {
                    body["ExpressionAttributeValues"][":s"] = json!({"N": v.to_string()});
                    format!("pk = :p AND sk {op} :s")
                }
                SortTerm::Between(lo, hi) => {
                    body["ExpressionAttributeValues"][":lo"] = json!({"N": lo.to_string()});
                    body["ExpressionAttributeValues"][":hi"] = json!({"N": hi.to_string()});
                    "pk = :p AND sk BETWEEN :lo AND :hi".to_owned()
                }
            };
            body["KeyConditionExpression"] = json!(key_expr);
            filter.add_to(&mut body);
            if let Some(l) = limit {
                body["Limit"] = json!(l);
            }
            let page_size = limit.map_or(usize::MAX, |l| l as usize);
            let mut offset = 0;
            loop {
                let page = ok(&services, &ns, "Query", body.clone());
                let read: Vec<&Row> = matching
                    .iter()
                    .skip(offset)
                    .take(page_size)
                    .copied()
                    .collect();
                let expected: Vec<Value> = read
                    .iter()
                    .filter(|r| filter.holds(r))
                    .map(|r| r.json())
                    .collect();
                prop_assert_eq!(page["Items"].as_array().unwrap(), &expected);
                prop_assert_eq!(page["Count"].as_u64().unwrap() as usize, expected.len());
                prop_assert_eq!(page["ScannedCount"].as_u64().unwrap() as usize, read.len());
                offset += read.len();
                // A page that reads `Limit` items ends with the key of the last one, even
                // when nothing follows it.
                let expected_key = (read.len() == page_size).then(|| {
                    let last = read.last().unwrap();
                    json!({"pk": {"S": format!("p{}", last.pk)}, "sk": {"N": last.sk.to_string()}})
                });
                prop_assert_eq!(page.get("LastEvaluatedKey"), expected_key.as_ref());
                match expected_key {
                    Some(k) => body["ExclusiveStartKey"] = k,
                    None => break,
                }
            }

            // Scan: the same items as the model in some stable order, each once, with the
            // filter applied and counts adding up.
            let mut scan = json!({"TableName": "model"});
            filter.add_to(&mut scan);
            if scan["ExpressionAttributeValues"].is_null() {
                scan.as_object_mut()
                    .unwrap()
                    .remove("ExpressionAttributeValues");
            }
            let all = walk(&services, &ns, "Scan", scan.clone());
            let got: BTreeSet<String> = all.iter().map(|i| i.to_string()).collect();
            let want: BTreeSet<String> = model
                .values()
                .filter(|r| filter.holds(r))
                .map(|r| r.json().to_string())
                .collect();
            prop_assert_eq!(got.len(), all.len());
            prop_assert_eq!(got, want);
            Ok(())
        })
        .unwrap();
}

// ---- through the SDK ----

#[tokio::test]
async fn sdk_query_scan_and_paginators() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    range_table(&client, "events").await;
    for p in ["a", "b"] {
        for i in 0..30 {
            client
                .put_item()
                .table_name("events")
                .item("pk", s(p))
                .item("sk", n(&i.to_string()))
                .item("v", s(&"x".repeat(100)))
                .send()
                .await
                .unwrap();
        }
    }
    let out = client
        .query()
        .table_name("events")
        .key_condition_expression("pk = :p AND sk BETWEEN :lo AND :hi")
        .expression_attribute_values(":p", s("a"))
        .expression_attribute_values(":lo", n("5"))
        .expression_attribute_values(":hi", n("9"))
        .scan_index_forward(false)
        .projection_expression("sk")
        .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let sks: Vec<String> = out
        .items()
        .iter()
        .map(|i| i["sk"].as_n().unwrap().clone())
        .collect();
    assert_eq!(sks, ["9", "8", "7", "6", "5"]);
    assert!(out.items().iter().all(|i| i.len() == 1));
    // Five items of ~110 bytes: one 4 KB unit, halved for an eventually consistent read.
    assert_eq!(out.consumed_capacity().unwrap().capacity_units(), Some(0.5));

    let pages: Vec<_> = client
        .query()
        .table_name("events")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", s("b"))
        .limit(7)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let total: usize = pages.iter().map(|p| p.items().len()).sum();
    assert_eq!(total, 30);
    assert_eq!(pages.len(), 5, "30 items in pages of 7, the last page of 2");

    let count = client
        .scan()
        .table_name("events")
        .select(Select::Count)
        .filter_expression("sk >= :ten")
        .expression_attribute_values(":ten", n("10"));
    // Filters on key attributes are refused on Query, allowed on Scan.
    let out = count.send().await.unwrap();
    assert_eq!((out.count(), out.scanned_count()), (40, 60));
    assert!(out.items.is_none());

    let mut segments_total = 0;
    for segment in 0..4 {
        let out = client
            .scan()
            .table_name("events")
            .segment(segment)
            .total_segments(4)
            .send()
            .await
            .unwrap();
        segments_total += out.items().len();
    }
    assert_eq!(segments_total, 60);
}

#[tokio::test]
async fn sdk_validation_messages() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    range_table(&client, "vals").await;
    let v = |x: &str| s(x);
    let query = || client.query().table_name("vals");
    let cases: Vec<((String, String), &str, &str)> = vec![
        (
            failure(query().send().await),
            "ValidationException",
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p OR sk = :s")
                .expression_attribute_values(":p", v("a"))
                .expression_attribute_values(":s", n("1"))
                .send().await),
            "ValidationException",
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p AND sk = :s AND sk = :s")
                .expression_attribute_values(":p", v("a"))
                .expression_attribute_values(":s", n("1"))
                .send().await),
            "ValidationException",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            failure(query()
                .key_condition_expression("sk = :s")
                .expression_attribute_values(":s", n("1"))
                .send().await),
            "ValidationException",
            "Query condition missed key schema element: pk",
        ),
        (
            failure(query()
                .key_condition_expression("pk < :p")
                .expression_attribute_values(":p", v("a"))
                .send().await),
            "ValidationException",
            "Query key condition not supported",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p AND sk = :s")
                .expression_attribute_values(":p", v("a"))
                .expression_attribute_values(":s", v("1"))
                .send().await),
            "ValidationException",
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p AND size(sk) = :s")
                .expression_attribute_values(":p", v("a"))
                .expression_attribute_values(":s", n("1"))
                .send().await),
            "ValidationException",
            "KeyConditionExpressions cannot contain nested operations",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p AND attribute_exists(sk)")
                .expression_attribute_values(":p", v("a"))
                .send().await),
            "ValidationException",
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p")
                .filter_expression("sk > :s")
                .expression_attribute_values(":p", v("a"))
                .expression_attribute_values(":s", n("1"))
                .send().await),
            "ValidationException",
            "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", v("a"))
                .select(Select::SpecificAttributes)
                .send().await),
            "ValidationException",
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", v("a"))
                .select(Select::AllAttributes)
                .projection_expression("sk")
                .send().await),
            "ValidationException",
            "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", v("a"))
                .index_name("byOther")
                .send().await),
            "ValidationException",
            "The table does not have the specified index: byOther",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", v("a"))
                .exclusive_start_key("pk", v("b"))
                .exclusive_start_key("sk", n("1"))
                .send().await),
            "ValidationException",
            "The provided starting key is outside query boundaries based on provided conditions",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p AND sk > :s")
                .expression_attribute_values(":p", v("a"))
                .expression_attribute_values(":s", n("5"))
                .exclusive_start_key("pk", v("a"))
                .exclusive_start_key("sk", n("1"))
                .send().await),
            "ValidationException",
            "The provided starting key does not match the range key predicate",
        ),
        (
            failure(query()
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", v("a"))
                .exclusive_start_key("pk", v("a"))
                .send().await),
            "ValidationException",
            "The provided starting key is invalid",
        ),
        (
            failure(client
                .query()
                .table_name("missing")
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", v("a"))
                .send().await),
            "ResourceNotFoundException",
            "Requested resource not found",
        ),
        (
            failure(client
                .scan()
                .table_name("vals")
                .segment(1)
                .send().await),
            "ValidationException",
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        ),
        (
            failure(client
                .scan()
                .table_name("vals")
                .total_segments(2)
                .send().await),
            "ValidationException",
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        ),
        (
            failure(client
                .scan()
                .table_name("vals")
                .segment(2)
                .total_segments(2)
                .send().await),
            "ValidationException",
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2",
        ),
        (
            failure(client
                .scan()
                .table_name("vals")
                .exclusive_start_key("pk", v("a"))
                .send().await),
            "ValidationException",
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
        (
            failure(client
                .scan()
                .table_name("vals")
                .select(Select::AllProjectedAttributes)
                .send().await),
            "ValidationException",
            "ALL_PROJECTED_ATTRIBUTES can be used only when Scanning using an IndexName",
        ),
    ];
    for (i, ((got_code, got_message), code, message)) in cases.into_iter().enumerate() {
        assert_eq!(
            (got_code.as_str(), got_message.as_str()),
            (code, message),
            "case {i}"
        );
    }
    // Member constraints join DynamoDB's list.
    let (code, message) = failure(
        client
            .scan()
            .table_name("vals")
            .limit(0)
            .total_segments(0)
            .send()
            .await,
    );
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: \
         Member must have value greater than or equal to 1; Value '0' at 'totalSegments' failed \
         to satisfy constraint: Member must have value greater than or equal to 1"
    );
}
