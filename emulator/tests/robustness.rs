//! Nothing panics, whatever the input: every operation of both services is fed arbitrary
//! bytes, arbitrary JSON built from the operations' real member names, and well-formed item
//! requests with random attribute values and expressions against a table that exists.
//! Every answer must be a JSON body or an AWS-style error (400, or 500 for a genuine internal
//! error) whose JSON body names a `__type`. A panic fails the property.
//!
//! The properties call `dispatch` directly (no HTTP) so each case is cheap; two raw-HTTP
//! tests then check what only the edge can get wrong: deeply nested JSON and non-UTF-8 bodies.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::{addr, dynamodb_request, raw_error, read_response};
use emulator::common::ErrorBody;
use emulator::common::{Namespace, Service};
use emulator::{Config, Services, TestEmulator};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

const DYNAMODB_OPS: &[&str] = &[
    "CreateTable",
    "DeleteTable",
    "DescribeTable",
    "ListTables",
    "UpdateTable",
    "TagResource",
    "UntagResource",
    "ListTagsOfResource",
    "UpdateTimeToLive",
    "DescribeTimeToLive",
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "TransactWriteItems",
    "TransactGetItems",
    "NoSuchOperation",
];

const SSM_OPS: &[&str] = &[
    "PutParameter",
    "GetParameter",
    "GetParameters",
    "GetParametersByPath",
    "DeleteParameter",
    "DeleteParameters",
    "DescribeParameters",
    "GetParameterHistory",
    "LabelParameterVersion",
    "AddTagsToResource",
    "RemoveTagsFromResource",
    "ListTagsForResource",
    "NoSuchOperation",
];

/// Member names the operations read, so random JSON reaches past the first type check.
#[rustfmt::skip]
const MEMBERS: &[&str] = &[
    // DynamoDB requests
    "TableName", "Key", "Item", "AttributeDefinitions", "KeySchema", "BillingMode",
    "ProvisionedThroughput", "ReadCapacityUnits", "WriteCapacityUnits", "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes", "IndexName", "Projection", "ProjectionType", "NonKeyAttributes",
    "AttributeName", "AttributeType", "KeyType", "ConditionExpression", "UpdateExpression",
    "ProjectionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues", "Expected",
    "ConditionalOperator", "AttributeUpdates", "AttributesToGet", "ReturnValues",
    "ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "ReturnValuesOnConditionCheckFailure",
    "ConsistentRead", "ExclusiveStartTableName", "Limit", "TimeToLiveSpecification", "Enabled",
    "ComparisonOperator", "AttributeValueList", "Exists", "Value", "Action", "Tags",
    "StreamSpecification", "SSESpecification", "TableClass", "DeletionProtectionEnabled",
    "TransactItems", "ClientRequestToken", "Put", "Update", "Delete", "ConditionCheck", "Get",
    // attribute value types
    "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL", "pk",
    // SSM requests
    "Name", "Names", "Type", "Overwrite", "Description", "KeyId", "AllowedPattern", "Tier",
    "Policies", "DataType", "WithDecryption", "Path", "Recursive", "ParameterFilters", "MaxResults",
    "NextToken", "Filters", "Option", "Values", "Labels", "ParameterVersion", "ResourceType",
    "ResourceId", "TagKeys", "TagKey",
];

/// String values the operations give meaning to, mixed with arbitrary text.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "tbl", "pk", "S", "N", "B", "HASH", "RANGE", "PAY_PER_REQUEST", "PROVISIONED", "ALL_NEW",
    "ALL_OLD", "UPDATED_OLD", "UPDATED_NEW", "NONE", "TOTAL", "INDEXES", "EQ", "BETWEEN", "IN",
    "NULL", "AND", "OR", "PUT", "ADD", "DELETE", "ALL", "KEYS_ONLY", "String", "SecureString",
    "StringList", "/a", "/a/b", "a", "Parameter", "Advanced", "Standard", "OneLevel", "BeginsWith",
    "Equals", "1", "-1", "1e400", "", "a = :v", "SET a = :v", "#n", ":v", "\u{0}", "\u{FFFF}", "😀",
    "AQID", "not base64!",
];

fn json_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(WORDS).prop_map(str::to_owned),
        any::<String>(),
    ]
    .prop_map(|s| serde_json::to_string(&s).unwrap_or_default())
}

/// JSON number text, including far more digits and exponent than any parser keeps.
fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        "-?[0-9]{1,60}(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,5})?",
    ]
}

/// Arbitrary JSON text: objects keyed mostly by real member names, nested a few levels.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        json_number(),
        json_string(),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        let key = prop_oneof![
            4 => prop::sample::select(MEMBERS).prop_map(str::to_owned),
            1 => any::<String>(),
        ]
        .prop_map(|k| serde_json::to_string(&k).unwrap_or_default());
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((key, inner), 0..6).prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// An attribute value in DynamoDB JSON, valid or subtly not (empty sets, duplicates, bad
/// numbers and base64, several or no types).
fn attribute_value() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        4 => json_string().prop_map(|s| format!(r#"{{"S":{s}}}"#)),
        4 => (-1000i64..1000).prop_map(|n| format!(r#"{{"N":"{n}"}}"#)),
        1 => json_number().prop_map(|n| format!(r#"{{"N":"{n}"}}"#)),
        1 => json_string().prop_map(|s| format!(r#"{{"N":{s}}}"#)),
        1 => prop::sample::select(vec!["AQID", "", "=", "AQ", "/w=="])
            .prop_map(|b| format!(r#"{{"B":"{b}"}}"#)),
        1 => any::<bool>().prop_map(|b| format!(r#"{{"BOOL":{b}}}"#)),
        1 => any::<bool>().prop_map(|b| format!(r#"{{"NULL":{b}}}"#)),
        1 => prop::collection::vec(json_string(), 0..4)
            .prop_map(|v| format!(r#"{{"SS":[{}]}}"#, v.join(","))),
        1 => prop::collection::vec(json_number(), 0..4).prop_map(|v| {
            let quoted: Vec<String> = v.iter().map(|n| format!("\"{n}\"")).collect();
            format!(r#"{{"NS":[{}]}}"#, quoted.join(","))
        }),
        1 => Just(r#"{"BS":["AQ==","AQ=="]}"#.to_owned()),
        1 => Just("{}".to_owned()),
        1 => Just(r#"{"S":"a","N":"1"}"#.to_owned()),
    ];
    scalar.prop_recursive(5, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| format!(r#"{{"L":[{}]}}"#, v.join(","))),
            prop::collection::vec((attribute_name(), inner), 0..4).prop_map(|m| {
                let members: Vec<String> = m
                    .into_iter()
                    .map(|(k, v)| format!("{}:{v}", serde_json::to_string(&k).unwrap_or_default()))
                    .collect();
                format!(r#"{{"M":{{{}}}}}"#, members.join(","))
            }),
        ]
    })
}

fn attribute_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "c", "l", "m", "n", "ttl", ""]).prop_map(str::to_owned),
        "[a-z]{1,3}",
    ]
}

/// Expression-ish strings, grammar-shaped (paths, comparators, functions, update clauses) or
/// a soup of the language's tokens: (condition, update, projection).
type Expressions = (
    BoxedStrategy<String>,
    BoxedStrategy<String>,
    BoxedStrategy<String>,
);

fn expressions() -> Expressions {
    let path = (
        prop::sample::select(vec!["a", "b", "#n", "l", "m", "pk", "size"]),
        prop::collection::vec(
            prop::sample::select(vec![
                ".a",
                ".b",
                "[0]",
                "[1]",
                "[99999999999999999999]",
                ".#n",
            ]),
            0..3,
        ),
    )
        .prop_map(|(head, tail)| format!("{head}{}", tail.concat()));
    let operand = prop_oneof![path.clone(), Just(":v".to_owned()), Just(":w".to_owned())];
    let comparator = prop::sample::select(vec!["=", "<>", "<", "<=", ">", ">="]);
    let leaf = prop_oneof![
        (operand.clone(), comparator, operand.clone()).prop_map(|(a, c, b)| format!("{a} {c} {b}")),
        (path.clone(), operand.clone(), operand.clone())
            .prop_map(|(a, b, c)| format!("{a} BETWEEN {b} AND {c}")),
        (path.clone(), prop::collection::vec(operand.clone(), 1..4))
            .prop_map(|(a, l)| format!("{a} IN ({})", l.join(", "))),
        (
            prop::sample::select(vec!["attribute_exists", "attribute_not_exists"]),
            path.clone()
        )
            .prop_map(|(f, p)| format!("{f}({p})")),
        (
            prop::sample::select(vec!["attribute_type", "begins_with", "contains"]),
            path.clone(),
            operand.clone()
        )
            .prop_map(|(f, p, o)| format!("{f}({p}, {o})")),
        (path.clone(), operand.clone()).prop_map(|(p, o)| format!("size({p}) > {o}")),
    ];
    let condition = leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["AND", "OR"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|c| format!("NOT ({c})")),
        ]
    });
    let value = prop_oneof![
        operand.clone(),
        (
            operand.clone(),
            prop::sample::select(vec!["+", "-"]),
            operand.clone()
        )
            .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        (path.clone(), operand.clone()).prop_map(|(p, o)| format!("if_not_exists({p}, {o})")),
        (operand.clone(), operand.clone()).prop_map(|(a, b)| format!("list_append({a}, {b})")),
    ];
    let update = (
        prop::collection::vec((path.clone(), value), 0..3),
        prop::collection::vec(path.clone(), 0..3),
        prop::collection::vec((path.clone(), operand.clone()), 0..2),
        prop::collection::vec((path.clone(), operand), 0..2),
    )
        .prop_map(|(set, remove, add, delete)| {
            let mut out = Vec::new();
            let pairs = |v: Vec<(String, String)>, sep: &str| {
                v.into_iter()
                    .map(|(p, o)| format!("{p}{sep}{o}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !set.is_empty() {
                out.push(format!("SET {}", pairs(set, " = ")));
            }
            if !remove.is_empty() {
                out.push(format!("REMOVE {}", remove.join(", ")));
            }
            if !add.is_empty() {
                out.push(format!("ADD {}", pairs(add, " ")));
            }
            if !delete.is_empty() {
                out.push(format!("DELETE {}", pairs(delete, " ")));
            }
            out.join(" ")
        });
    let soup = prop::collection::vec(
        prop::sample::select(vec![
            "a",
            "#n",
            ":v",
            "=",
            "<>",
            "<",
            "(",
            ")",
            "[",
            "]",
            "[0]",
            ".",
            ",",
            "AND",
            "OR",
            "NOT",
            "BETWEEN",
            "IN",
            "SET",
            "REMOVE",
            "ADD",
            "DELETE",
            "+",
            "-",
            "size",
            "list_append",
            "if_not_exists",
            "\"",
            "#",
            ":",
            "é",
            "\u{0}",
        ]),
        0..12,
    )
    .prop_map(|t| t.join(" "));
    let projection = prop::collection::vec(path, 1..4).prop_map(|p| p.join(", "));
    (
        prop_oneof![4 => condition, 1 => soup.clone()].boxed(),
        prop_oneof![4 => update, 1 => soup.clone()].boxed(),
        prop_oneof![4 => projection, 1 => soup].boxed(),
    )
}

/// A well-formed item request on table `tbl` (key `pk`), with random values and expressions.
fn item_request() -> impl Strategy<Value = (&'static str, String)> {
    let (condition, update, projection) = expressions();
    let key = prop::sample::select(vec!["k1", "k1", "k2", ""])
        .prop_map(|k| format!(r#"{{"pk":{{"S":"{k}"}}}}"#));
    // Placeholders are declared exactly when an expression uses them, so that most requests
    // get past the unused/undefined checks and reach evaluation.
    let values = (attribute_value(), attribute_value());
    let return_values = prop::option::of(prop::sample::select(vec![
        "NONE",
        "ALL_OLD",
        "ALL_NEW",
        "UPDATED_OLD",
        "UPDATED_NEW",
        "BOGUS",
    ]));
    let some = |s: BoxedStrategy<String>| prop::option::of(s).boxed();
    let none = || Just(None::<String>).boxed();
    // Each operation with the expressions it takes (the first, and a second condition).
    let op_and_expressions = prop_oneof![
        (Just("PutItem"), some(condition.clone()), none()),
        (Just("DeleteItem"), some(condition.clone()), none()),
        (Just("UpdateItem"), some(update), some(condition)),
        (Just("GetItem"), some(projection), none()),
    ];
    let attrs = prop::collection::vec((attribute_name(), attribute_value()), 0..4);
    (op_and_expressions, key, attrs, values, return_values).prop_map(
        |((op, e1, e2), key, attrs, (v, w), rv)| {
            let mut members = vec![r#""TableName":"tbl""#.to_owned()];
            let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
            match op {
                "PutItem" => {
                    let mut item = key.strip_suffix('}').unwrap_or(&key).to_owned();
                    for (name, value) in attrs {
                        item.push_str(&format!(",{}:{value}", quote(&name)));
                    }
                    item.push('}');
                    members.push(format!(r#""Item":{item}"#));
                }
                _ => members.push(format!(r#""Key":{key}"#)),
            }
            let first = match op {
                "UpdateItem" => "UpdateExpression",
                "GetItem" => "ProjectionExpression",
                _ => "ConditionExpression",
            };
            let used = |token: &str| [&e1, &e2].into_iter().flatten().any(|e| e.contains(token));
            if used("#n") {
                members.push(r##""ExpressionAttributeNames":{"#n":"a"}"##.to_owned());
            }
            let mut placeholders = Vec::new();
            if used(":v") {
                placeholders.push(format!(r#"":v":{v}"#));
            }
            if used(":w") {
                placeholders.push(format!(r#"":w":{w}"#));
            }
            if !placeholders.is_empty() && op != "GetItem" {
                members.push(format!(
                    r#""ExpressionAttributeValues":{{{}}}"#,
                    placeholders.join(",")
                ));
            }
            if let Some(e) = e1 {
                members.push(format!(r#""{first}":{}"#, quote(&e)));
            }
            if let Some(e) = e2 {
                members.push(format!(r#""ConditionExpression":{}"#, quote(&e)));
            }
            if let Some(rv) = rv.filter(|_| op != "GetItem") {
                members.push(format!(r#""ReturnValues":"{rv}""#));
            }
            (op, format!("{{{}}}", members.join(",")))
        },
    )
}

/// Fails unless the outcome is a JSON answer or a 400/500 error with a JSON `__type`.
fn check_outcome(
    service: &str,
    op: &str,
    body: &[u8],
    outcome: Result<Vec<u8>, ErrorBody>,
) -> Result<(), TestCaseError> {
    let context = || format!("{service} {op} {:?}", String::from_utf8_lossy(body));
    match outcome {
        Ok(out) => {
            prop_assert!(
                serde_json::from_slice::<serde_json::Value>(&out).is_ok(),
                "{}: answer is not JSON",
                context()
            );
        }
        Err(e) => {
            let status = e.status.as_u16();
            prop_assert!(
                status == 400 || status == 500,
                "{}: status {status}",
                context()
            );
            let json: serde_json::Value = serde_json::from_slice(&e.body).map_err(|_| {
                TestCaseError::fail(format!("{}: error body is not JSON", context()))
            })?;
            prop_assert!(
                json["__type"].is_string(),
                "{}: no __type in {json}",
                context()
            );
        }
    }
    Ok(())
}

/// Services with table `tbl` (key `pk` S) and one item in it, and the caller's namespace.
fn services() -> (Services, Namespace) {
    let services = Services::new(Config::for_tests());
    let ns = Namespace::new("k", "us-east-1");
    let create = br#"{"TableName":"tbl","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#;
    services
        .dynamodb
        .dispatch(&ns, "CreateTable", create, "rid")
        .expect("the table is created");
    let put = br#"{"TableName":"tbl","Item":{"pk":{"S":"k1"},"a":{"N":"1"},"l":{"L":[{"S":"x"},{"M":{"a":{"SS":["q"]}}}]},"m":{"M":{"a":{"N":"2"},"b":{"L":[]}}}}}"#;
    services
        .dynamodb
        .dispatch(&ns, "PutItem", put, "rid")
        .expect("the item is stored");
    (services, ns)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    })
}

/// Runs `body` on every operation of both services.
fn run_everywhere(services: &Services, ns: &Namespace, body: &[u8]) -> Result<(), TestCaseError> {
    for op in DYNAMODB_OPS {
        let outcome = services.dynamodb.dispatch(ns, op, body, "rid");
        check_outcome("dynamodb", op, body, outcome)?;
    }
    for op in SSM_OPS {
        let outcome = services.ssm.dispatch(ns, op, body, "rid");
        check_outcome("ssm", op, body, outcome)?;
    }
    Ok(())
}

#[test]
fn arbitrary_bytes_never_panic() {
    let (services, ns) = services();
    runner(64)
        .run(&prop::collection::vec(any::<u8>(), 0..256), |body| {
            run_everywhere(&services, &ns, &body)
        })
        .unwrap();
}

#[test]
fn arbitrary_json_never_panics() {
    let (services, ns) = services();
    runner(512)
        .run(&json_text(), |body| {
            run_everywhere(&services, &ns, body.as_bytes())
        })
        .unwrap();
}

#[test]
fn item_requests_with_random_values_and_expressions_never_panic() {
    let (services, ns) = services();
    let answered = std::cell::Cell::new(0);
    let conditions_failed = std::cell::Cell::new(0);
    runner(1024)
        .run(&item_request(), |(op, body)| {
            let outcome = services.dynamodb.dispatch(&ns, op, body.as_bytes(), "rid");
            match &outcome {
                Ok(_) => answered.set(answered.get() + 1),
                Err(e) if String::from_utf8_lossy(&e.body).contains("ConditionalCheckFailed") => {
                    conditions_failed.set(conditions_failed.get() + 1)
                }
                Err(_) => {}
            }
            check_outcome("dynamodb", op, body.as_bytes(), outcome)
        })
        .unwrap();
    // The generator must reach evaluation, not only validation errors.
    println!(
        "{} answered, {} failed conditions",
        answered.get(),
        conditions_failed.get()
    );
    assert!(
        answered.get() >= 100,
        "only {} requests succeeded",
        answered.get()
    );
    assert!(
        conditions_failed.get() >= 3,
        "only {} conditions evaluated false",
        conditions_failed.get()
    );
}

/// Nesting as deep as the JSON parser allows, in every place that recurses.
#[test]
fn deeply_nested_values_never_panic() {
    let (services, ns) = services();
    for depth in [31, 32, 33, 64, 126, 127, 128, 129, 1000] {
        let list = format!(
            r#"{}{{"S":"x"}}{}"#,
            r#"{"L":["#.repeat(depth),
            "]}".repeat(depth)
        );
        let map = format!(
            r#"{}{{"S":"x"}}{}"#,
            r#"{"M":{"a":"#.repeat(depth),
            "}}".repeat(depth)
        );
        let bodies = [
            format!(r#"{{"TableName":"tbl","Item":{{"pk":{{"S":"deep"}},"v":{list}}}}}"#),
            format!(r#"{{"TableName":"tbl","Item":{{"pk":{{"S":"deep"}},"v":{map}}}}}"#),
            format!(
                r#"{{"TableName":"tbl","Key":{{"pk":{{"S":"deep"}}}},"UpdateExpression":"SET w = :v","ExpressionAttributeValues":{{":v":{list}}},"ReturnValues":"ALL_NEW"}}"#
            ),
            format!(
                r#"{{"TableName":"tbl","Key":{{"pk":{{"S":"deep"}}}},"ConditionExpression":"v = :v","ExpressionAttributeValues":{{":v":{map}}}}}"#
            ),
        ];
        for body in &bodies {
            for op in ["PutItem", "UpdateItem", "DeleteItem", "GetItem"] {
                let outcome = services.dynamodb.dispatch(&ns, op, body.as_bytes(), "rid");
                check_outcome("dynamodb", op, body.as_bytes(), outcome)
                    .unwrap_or_else(|e| panic!("depth {depth}: {e}"));
            }
        }
    }
}

/// Sends `request` on an open connection and reads the answer.
fn exchange(stream: &mut TcpStream, request: &[u8]) -> common::RawResponse {
    stream.write_all(request).unwrap();
    read_response(stream)
}

/// A keep-alive request (the shared helper closes the connection after one answer).
fn keep_alive(target: &str, body: &[u8]) -> Vec<u8> {
    let mut request = String::from_utf8(dynamodb_request(target, ""))
        .unwrap()
        .replace("Connection: close\r\n", "")
        .replace(
            "Content-Length: 0",
            &format!("Content-Length: {}", body.len()),
        )
        .into_bytes();
    request.extend_from_slice(body);
    request
}

#[test]
fn deeply_nested_json_is_a_serialization_exception_and_the_connection_survives() {
    let emu = TestEmulator::start();
    let mut stream = TcpStream::connect(addr(emu.endpoint())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    for body in ["[".repeat(100_000), r#"{"TableName":"#.repeat(50_000)] {
        let resp = exchange(&mut stream, &keep_alive("ListTables", body.as_bytes()));
        assert_eq!(resp.status, 400);
        assert_eq!(raw_error(&resp).0, "SerializationException");
    }
    let resp = exchange(&mut stream, &keep_alive("ListTables", b"{}"));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json(), serde_json::json!({"TableNames": []}));
}

#[test]
fn a_body_that_is_not_utf8_is_a_400() {
    let emu = TestEmulator::start();
    let mut stream = TcpStream::connect(addr(emu.endpoint())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    for body in [
        &b"\xff\xfe\x00{"[..],
        b"{\"TableName\":\"\xc3\x28\"}",
        b"{\"TableName\":\"t\xed\xa0\x80\"}",
    ] {
        let resp = exchange(&mut stream, &keep_alive("DescribeTable", body));
        assert_eq!(resp.status, 400, "{body:?}");
        assert_eq!(raw_error(&resp).0, "SerializationException", "{body:?}");
    }
    let resp = exchange(&mut stream, &keep_alive("ListTables", b"{}"));
    assert_eq!(resp.status, 200);
}
