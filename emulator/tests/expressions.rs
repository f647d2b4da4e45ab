//! Every expression feature end to end through the real aws-sdk-dynamodb client:
//! ConditionExpression (comparators, BETWEEN, IN, logic, functions, type rules), UpdateExpression
//! (SET/REMOVE/ADD/DELETE), ProjectionExpression, ReturnValues, placeholder and syntax errors,
//! and the legacy `Expected`/`AttributeUpdates` parameters as real session and cache providers
//! send them.
//!
//! Expected results follow DynamoDB's documentation ("Condition and filter expressions,
//! operators, and functions", "Update expressions", "Comparison operator and function
//! reference", "Supported data types and naming rules": strings compare by their UTF-8 bytes,
//! binaries as unsigned bytes, numbers numerically, values of different types never compare).
//!
//! The tables use DynamoDB JSON (`{"N": "10"}`) for values and items. Every `#word` in an
//! expression is sent as the placeholder for the attribute `word`, so the cases only spell
//! out their values.

mod common;

use std::collections::HashMap;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeAction, AttributeValue, AttributeValueUpdate, ComparisonOperator, ConditionalOperator,
    ExpectedAttributeValue, ReturnValue,
};
use aws_sdk_dynamodb::Client;
use common::{av, canonical, failure, hash_table, item, item_json, n, s};
use emulator::TestEmulator;
use serde_json::{json, Value};

const TABLE: &str = "things";

/// The item most conditions are evaluated against: one attribute of every type, nested
/// documents, and attributes named after reserved words.
fn seed() -> Value {
    json!({
        "pk": {"S": "k"},
        "s": {"S": "hello world"},
        "blank": {"S": ""},
        "u": {"S": "\u{FF61}"},
        "n": {"N": "10"},
        "f": {"N": "1.0"},
        "neg": {"N": "-2.5E3"},
        "b": {"B": "AQID"},
        "hi": {"B": "/w=="},
        "t": {"BOOL": true},
        "z": {"NULL": true},
        "ss": {"SS": ["a", "b", "c"]},
        "ns": {"NS": ["1", "2"]},
        "bs": {"BS": ["AQ==", "Ag=="]},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"c": {"S": "deep"}}}]},
        "m": {"M": {
            "b": {"L": [{"N": "0"}, {"N": "1"}, {"M": {"c": {"S": "found"}}}]},
            "e": {"M": {}}
        }},
        "status": {"S": "active"},
        "ttl": {"N": "100"},
        "data": {"S": "d"},
        "value": {"N": "5"},
        "name": {"S": "n"}
    })
}

/// A started emulator with an empty `things` table keyed by `pk` (S).
async fn start() -> (TestEmulator, Client) {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, TABLE).await;
    (emu, client)
}

/// `#word` placeholders of an expression, each standing for the attribute `word`.
fn names_in(expr: &str) -> Option<HashMap<String, String>> {
    let names: HashMap<String, String> = expr
        .split('#')
        .skip(1)
        .map(|rest| {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (format!("#{word}"), word)
        })
        .collect();
    (!names.is_empty()).then_some(names)
}

/// ExpressionAttributeValues from a DynamoDB JSON object; `{}` sends none.
fn values(json: &Value) -> Option<HashMap<String, AttributeValue>> {
    let values = item(json);
    (!values.is_empty()).then_some(values)
}

async fn put(client: &Client, it: &Value) {
    client
        .put_item()
        .table_name(TABLE)
        .set_item(Some(item(it)))
        .send()
        .await
        .unwrap();
}

async fn get(client: &Client, pk: &str) -> Value {
    let out = client
        .get_item()
        .table_name(TABLE)
        .key("pk", s(pk))
        .send()
        .await
        .unwrap();
    out.item().map(item_json).unwrap_or(Value::Null)
}

/// Whether `condition` holds on the stored seed item: a PutItem writing the seed back,
/// guarded by the condition. Any error other than a failed condition is returned.
async fn holds(client: &Client, condition: &str, vals: &Value) -> Result<bool, (String, String)> {
    let result = client
        .put_item()
        .table_name(TABLE)
        .set_item(Some(item(&seed())))
        .condition_expression(condition)
        .set_expression_attribute_names(names_in(condition))
        .set_expression_attribute_values(values(vals))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
        Err(e) => Err((
            e.code().unwrap_or_default().to_owned(),
            e.message().unwrap_or_default().to_owned(),
        )),
    }
}

/// Runs every `(condition, values, expected)` case against the seed item and reports all
/// mismatches at once.
async fn check_conditions(cases: &[(&str, Value, bool)]) {
    let (_emu, client) = start().await;
    put(&client, &seed()).await;
    let mut wrong = Vec::new();
    for (condition, vals, expected) in cases {
        let got = holds(&client, condition, vals).await;
        if got != Ok(*expected) {
            wrong.push(format!(
                "{condition} with {vals}: expected {expected}, got {got:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn comparators_follow_each_types_order() {
    let v = |kind: &str, x: &str| json!({ ":v": { kind: x } });
    #[rustfmt::skip]
    let cases = [
        // Numbers compare numerically, whatever their spelling.
        ("n = :v", v("N", "10"), true),
        ("n = :v", v("N", "10.000"), true),
        ("n = :v", v("N", "1E1"), true),
        ("f = :v", v("N", "1"), true),
        ("n <> :v", v("N", "9"), true),
        ("n <> :v", v("N", "10.0"), false),
        ("n < :v", v("N", "9"), false),
        ("n < :v", v("N", "11"), true),
        ("n > :v", v("N", "9"), true),
        ("n <= :v", v("N", "10"), true),
        ("n <= :v", v("N", "9.99"), false),
        ("n >= :v", v("N", "10"), true),
        ("n >= :v", v("N", "10.01"), false),
        ("neg < :v", v("N", "-2499"), true),
        ("neg > :v", v("N", "-2500.1"), true),
        // Strings compare by their UTF-8 bytes: shorter prefix first, "a" > "A", "¿" > "z",
        // and U+FF61 (EF BD A1) before U+1F600 (F0 9F 98 80) although UTF-16 orders them
        // the other way.
        ("s = :v", v("S", "hello world"), true),
        ("s < :v", v("S", "hello xorld"), true),
        ("s > :v", v("S", "hello"), true),
        ("s > :v", v("S", "Hello world"), true),
        ("s < :v", v("S", "¿"), true),
        ("s <= :v", v("S", "hello world"), true),
        ("s >= :v", v("S", "hello world!"), false),
        ("blank < :v", v("S", "a"), true),
        ("u < :v", v("S", "\u{1F600}"), true),
        // Binaries compare as unsigned bytes.
        ("b = :v", v("B", "AQID"), true),
        ("b > :v", v("B", "AQI="), true),
        ("b < :v", v("B", "AQM="), true),
        ("b < :v", v("B", "/w=="), true),
        ("hi > :v", v("B", "fw=="), true),
        // Values of different types are never equal nor ordered.
        ("n = :v", v("S", "10"), false),
        ("n <> :v", v("S", "10"), true),
        ("n < :v", v("S", "99"), false),
        ("n <= :v", v("S", "99"), false),
        ("n > :v", v("S", "1"), false),
        ("n >= :v", v("S", "1"), false),
        ("s > :v", v("B", "AQID"), false),
        ("b < :v", v("S", "z"), false),
        ("ns = :v", v("N", "1"), false),
        // Sets are equal whatever the order; documents compare whole.
        ("ss = :v", json!({":v": {"SS": ["c", "a", "b"]}}), true),
        ("ns = :v", json!({":v": {"NS": ["2.0", "1"]}}), true),
        ("ss = :v", json!({":v": {"SS": ["a", "b"]}}), false),
        ("l[2] = :v", json!({":v": {"M": {"c": {"S": "deep"}}}}), true),
        ("m.e = :v", json!({":v": {"M": {}}}), true),
        ("l = :v", json!({":v": {"L": [{"S": "x"}, {"N": "1"}]}}), false),
        // A missing attribute equals nothing.
        ("nope = :v", v("N", "1"), false),
        ("nope <> :v", v("N", "1"), true),
        ("nope < :v", v("N", "1"), false),
        // Comparisons between two attributes.
        ("n > f", json!({}), true),
        ("m.b[1] = f", json!({}), true),
    ];
    check_conditions(&cases).await;
}

#[tokio::test]
async fn between_in_and_logic() {
    let bounds = |kind: &str, lo: &str, hi: &str| json!({":lo": {kind: lo}, ":hi": {kind: hi}});
    let tns = json!({":ten": {"N": "10"}, ":nine": {"N": "9"}, ":no": {"S": "no"}});
    let tn = json!({":ten": {"N": "10"}, ":nine": {"N": "9"}});
    let ten = json!({":ten": {"N": "10"}});
    #[rustfmt::skip]
    let cases = [
        ("n BETWEEN :lo AND :hi", bounds("N", "9", "10"), true),
        ("n BETWEEN :lo AND :hi", bounds("N", "10", "10"), true),
        ("n BETWEEN :lo AND :hi", bounds("N", "10.5", "11"), false),
        ("n BETWEEN :lo AND :hi", bounds("N", "2", "9"), false),
        ("s BETWEEN :lo AND :hi", bounds("S", "a", "i"), true),
        ("s BETWEEN :lo AND :hi", bounds("S", "i", "z"), false),
        ("b BETWEEN :lo AND :hi", bounds("B", "AQ==", "/w=="), true),
        ("n BETWEEN :lo AND :hi", bounds("S", "1", "9"), false),
        ("size(ss) BETWEEN :lo AND :hi", bounds("N", "3", "4"), true),
        ("n IN (:a, :b)", json!({":a": {"S": "10"}, ":b": {"N": "10.0"}}), true),
        ("n IN (:a)", json!({":a": {"N": "11"}}), false),
        ("s IN (:a, :b, :c)", json!({":a": {"S": "x"}, ":b": {"S": "y"}, ":c": {"S": "hello world"}}), true),
        ("ss IN (:a)", json!({":a": {"SS": ["b", "c", "a"]}}), true),
        ("nope IN (:a)", json!({":a": {"N": "1"}}), false),
        ("n IN (f, neg, m.b[1])", json!({}), false),
        // NOT binds tighter than AND, AND tighter than OR.
        ("n = :ten OR n = :nine AND s = :no", tns.clone(), true),
        ("(n = :ten OR n = :nine) AND s = :no", tns.clone(), false),
        ("NOT n = :nine AND n = :ten", tn.clone(), true),
        ("NOT (n = :nine OR n = :ten)", tn, false),
        ("NOT n = :ten OR n = :ten", ten.clone(), true),
        ("n = :nine OR NOT (s = :no AND n = :ten)", tns.clone(), true),
        ("n = :nine OR s = :no OR n = :ten AND NOT s = :no", tns.clone(), true),
        ("n = :ten AND (s = :no OR NOT n = :nine)", tns.clone(), true),
        ("NOT NOT n = :ten", ten, true),
        ("n = :ten aNd NoT s = :no oR n iN (:nine)", tns, true),
    ];
    check_conditions(&cases).await;
}

#[tokio::test]
async fn functions_on_every_type() {
    let t = |ty: &str| json!({":t": {"S": ty}});
    let sv = |x: &str| json!({":v": {"S": x}});
    let nv = |x: &str| json!({":v": {"N": x}});
    let bv = |x: &str| json!({":v": {"B": x}});
    #[rustfmt::skip]
    let cases = [
        ("attribute_exists(s)", json!({}), true),
        ("attribute_exists(nope)", json!({}), false),
        ("attribute_not_exists(nope)", json!({}), true),
        ("attribute_not_exists(s)", json!({}), false),
        ("attribute_exists(z)", json!({}), true),
        ("attribute_exists(m.b[2].c)", json!({}), true),
        ("attribute_exists(m.b[3])", json!({}), false),
        ("attribute_exists(l[0].c)", json!({}), false),
        ("attribute_not_exists(m.b[2].d)", json!({}), true),
        ("attribute_exists(m.e)", json!({}), true),
        ("attribute_type(s, :t)", t("S"), true),
        ("attribute_type(n, :t)", t("N"), true),
        ("attribute_type(b, :t)", t("B"), true),
        ("attribute_type(t, :t)", t("BOOL"), true),
        ("attribute_type(z, :t)", t("NULL"), true),
        ("attribute_type(ss, :t)", t("SS"), true),
        ("attribute_type(ns, :t)", t("NS"), true),
        ("attribute_type(bs, :t)", t("BS"), true),
        ("attribute_type(l, :t)", t("L"), true),
        ("attribute_type(m, :t)", t("M"), true),
        ("attribute_type(m.b[2], :t)", t("M"), true),
        ("attribute_type(n, :t)", t("S"), false),
        ("attribute_type(ss, :t)", t("L"), false),
        ("attribute_type(nope, :t)", t("S"), false),
        ("begins_with(s, :v)", sv("hello"), true),
        ("begins_with(s, :v)", sv("world"), false),
        ("begins_with(m.b[2].c, :v)", sv("fo"), true),
        ("begins_with(b, :v)", bv("AQI="), true),
        ("begins_with(b, :v)", bv("Ag=="), false),
        ("begins_with(n, :v)", sv("1"), false),
        ("begins_with(nope, :v)", sv("h"), false),
        ("contains(s, :v)", sv("lo wo"), true),
        ("contains(s, :v)", sv("xyz"), false),
        ("contains(ss, :v)", sv("b"), true),
        ("contains(ss, :v)", sv("z"), false),
        ("contains(ns, :v)", nv("2.0"), true),
        ("contains(ns, :v)", sv("2"), false),
        ("contains(bs, :v)", bv("AQ=="), true),
        ("contains(bs, :v)", bv("Aw=="), false),
        ("contains(l, :v)", sv("x"), true),
        ("contains(l, :v)", nv("1"), true),
        ("contains(l, :v)", sv("1"), false),
        ("contains(m.b, :v)", nv("0"), true),
        ("contains(n, :v)", nv("1"), false),
        ("contains(nope, :v)", sv("x"), false),
        ("size(s) = :v", nv("11"), true),
        ("size(blank) = :v", nv("0"), true),
        ("size(b) = :v", nv("3"), true),
        ("size(ss) = :v", nv("3"), true),
        ("size(ns) = :v", nv("2"), true),
        ("size(bs) = :v", nv("2"), true),
        ("size(l) = :v", nv("3"), true),
        ("size(m) = :v", nv("2"), true),
        ("size(m.b) = :v", nv("3"), true),
        ("size(m.e) = :v", nv("0"), true),
        ("size(l[2].c) = :v", nv("4"), true),
        ("size(s) > size(l)", json!({}), true),
        // Numbers, booleans, nulls and missing attributes have no size.
        ("size(n) >= :v", nv("0"), false),
        ("size(t) >= :v", nv("0"), false),
        ("size(z) >= :v", nv("0"), false),
        ("size(nope) >= :v", nv("0"), false),
        ("size(nope) < :v", nv("0"), false),
    ];
    check_conditions(&cases).await;
}

#[tokio::test]
async fn nested_paths_and_reserved_words_through_placeholders() {
    #[rustfmt::skip]
    let cases = [
        ("m.b[2].c = :v", json!({":v": {"S": "found"}}), true),
        ("l[2].c = :v", json!({":v": {"S": "deep"}}), true),
        ("m.b[1] = :v", json!({":v": {"N": "1"}}), true),
        ("#m.#b[0] = :v", json!({":v": {"N": "0"}}), true),
        ("#status = :v", json!({":v": {"S": "active"}}), true),
        ("#ttl > :v", json!({":v": {"N": "99"}}), true),
        ("#data = :v", json!({":v": {"S": "d"}}), true),
        ("#value = :v", json!({":v": {"N": "5"}}), true),
        ("#name = :v AND attribute_exists(#ttl)", json!({":v": {"S": "n"}}), true),
    ];
    check_conditions(&cases).await;
}

/// Which expression parameter a case sends its expression in.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Condition,
    Update,
    Projection,
}

/// Sends `expr` as the given parameter (an UpdateItem for conditions and updates, a GetItem
/// for projections) on key `k`, and returns the error code and message.
async fn expression_error(
    client: &Client,
    kind: Kind,
    expr: &str,
    vals: &Value,
) -> (String, String) {
    let names = names_in(expr);
    match kind {
        Kind::Projection => failure(
            client
                .get_item()
                .table_name(TABLE)
                .key("pk", s("k"))
                .projection_expression(expr)
                .set_expression_attribute_names(names)
                .send()
                .await,
        ),
        Kind::Condition | Kind::Update => {
            let req = client
                .update_item()
                .table_name(TABLE)
                .key("pk", s("k"))
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values(vals));
            let req = match kind {
                Kind::Condition => req.condition_expression(expr),
                _ => req.update_expression(expr),
            };
            failure(req.send().await)
        }
    }
}

#[tokio::test]
async fn expression_errors_are_validation_exceptions_with_dynamodbs_words() {
    use Kind::*;
    let (_emu, client) = start().await;
    put(&client, &seed()).await;
    let one = json!({":v": {"N": "1"}});
    let padded = |len: usize| format!("{}n = :v", " ".repeat(len - "n = :v".len()));
    let too_long = padded(4097);
    #[rustfmt::skip]
    let cases: Vec<(Kind, &str, Value, String)> = vec![
        (Condition, "data = :v", one.clone(), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: data".into()),
        (Condition, "ttl < :v", one.clone(), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: ttl".into()),
        (Condition, "attribute_exists(value)", json!({}), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: value".into()),
        (Condition, "m.name = :v", one.clone(), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name".into()),
        (Update, "SET #s = :v, status = :v", one.clone(), "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status".into()),
        (Projection, "pk, TTL", json!({}), "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: TTL".into()),
        (Condition, "n = ", json!({}), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"".into()),
        (Condition, "foo", json!({}), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"foo\"".into()),
        (Update, "SET MyStr = myNum + 1", json!({}), "Invalid UpdateExpression: Syntax error; token: \"1\", near: \"+ 1\"".into()),
        (Update, "SET a = b / c", json!({}), "Invalid UpdateExpression: Syntax error; token: \"/\", near: \"b / c\"".into()),
        (Update, "SET MyStr = my Num", json!({}), "Invalid UpdateExpression: Syntax error; token: \"Num\", near: \"my Num\"".into()),
        (Condition, "n = :v", json!({}), "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v".into()),
        (Update, "SET a = :v", json!({":w": {"N": "1"}}), "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v".into()),
        (Condition, "foo(n)", json!({}), "Invalid ConditionExpression: Invalid function name; function: foo".into()),
        (Condition, "size(s)", json!({}), "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size".into()),
        (Condition, "if_not_exists(n, :v) = :v", one.clone(), "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists".into()),
        (Condition, "attribute_exists(n, s)", json!({}), "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2".into()),
        (Condition, "attribute_type(s, :t)", json!({":t": {"S": "X"}}), "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}".into()),
        (Condition, "n BETWEEN :hi AND :lo", json!({":lo": {"N": "9"}, ":hi": {"N": "10"}}), "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:9}".into()),
        (Condition, "m.b = m.b", json!({}), "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [m, b]".into()),
        (Condition, "  ", json!({}), "Invalid ConditionExpression: The expression can not be empty;".into()),
        (Update, "SET a = :v SET b = :v", one.clone(), "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;".into()),
        (Update, "SET a = :v REMOVE a", one.clone(), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]".into()),
        (Update, "SET m.b = :v, m = :v", one.clone(), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m, b], path two: [m]".into()),
        (Update, "SET l[1] = :v REMOVE l.x", one.clone(), "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [l, [1]], path two: [l, x]".into()),
        (Projection, "m, m.b[0]", json!({}), "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, b, [0]]".into()),
        (Update, "ADD s :v", json!({":v": {"S": "x"}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING".into()),
        (Update, "DELETE ss :v", json!({":v": {"N": "1"}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER".into()),
        (Update, "SET a = list_append(:v, l)", json!({":v": {"S": "x"}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S".into()),
        (Update, "SET pk = :v", json!({":v": {"S": "other"}}), "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key".into()),
        (Condition, &too_long, one.clone(), "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097".into()),
        // Errors found only against the stored item.
        (Update, "SET n = s + :v", one.clone(), "An operand in the update expression has an incorrect data type".into()),
        // The first action is valid: a failed update must not apply it either.
        (Update, "SET added = :v, n = s + :v", one.clone(), "An operand in the update expression has an incorrect data type".into()),
        (Update, "SET n = nope + :v", one.clone(), "The provided expression refers to an attribute that does not exist in the item".into()),
        (Update, "SET nope.x = :v", one.clone(), "The document path provided in the update expression is invalid for update".into()),
        (Update, "SET s[0] = :v", one.clone(), "The document path provided in the update expression is invalid for update".into()),
        (Update, "ADD s :v", one.clone(), "An operand in the update expression has an incorrect data type".into()),
        (Update, "SET s = list_append(s, :v)", json!({":v": {"L": []}}), "An operand in the update expression has an incorrect data type".into()),
    ];
    let mut wrong = Vec::new();
    for (kind, expr, vals, message) in &cases {
        let got = expression_error(&client, *kind, expr, vals).await;
        let want = ("ValidationException".to_owned(), message.clone());
        if got != want {
            wrong.push(format!(
                "{kind:?} {expr:?}:\n  want {want:?}\n  got  {got:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // At the limit exactly, the expression is accepted.
    assert_eq!(
        holds(&client, &padded(4096), &json!({":v": {"N": "10"}})).await,
        Ok(true)
    );
    // None of the failed requests changed the item (numbers read back normalised).
    let mut unchanged = canonical(&seed());
    unchanged["f"] = json!({"N": "1"});
    unchanged["neg"] = json!({"N": "-2500"});
    assert_eq!(get(&client, "k").await, unchanged);
}

#[tokio::test]
async fn placeholder_maps_must_be_used_exactly() {
    let (_emu, client) = start().await;
    let unused_names = client
        .get_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .projection_expression("#a")
        .expression_attribute_names("#a", "a")
        .expression_attribute_names("#b", "b")
        .expression_attribute_names("#c", "c")
        .send()
        .await;
    assert_eq!(
        failure(unused_names),
        (
            "ValidationException".into(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}"
                .into()
        )
    );
    let unused_values = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .update_expression("SET a = :a")
        .condition_expression("attribute_not_exists(a)")
        .expression_attribute_values(":a", n("1"))
        .expression_attribute_values(":z", n("1"))
        .send()
        .await;
    assert_eq!(
        failure(unused_values).1,
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z}"
    );
    let undefined_name = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .update_expression("SET #a = :a")
        .expression_attribute_values(":a", n("1"))
        .expression_attribute_names("#b", "b")
        .send()
        .await;
    assert_eq!(
        failure(undefined_name).1,
        "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #a"
    );
    let names_without_expression = client
        .get_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .expression_attribute_names("#a", "a")
        .send()
        .await;
    assert_eq!(
        failure(names_without_expression).1,
        "ExpressionAttributeNames can only be specified when using expressions"
    );
    let values_without_expression = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .expression_attribute_values(":a", n("1"))
        .send()
        .await;
    assert_eq!(
        failure(values_without_expression).1,
        "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"
    );
    let put_values_without_expression = client
        .put_item()
        .table_name(TABLE)
        .item("pk", s("k"))
        .expression_attribute_values(":a", n("1"))
        .send()
        .await;
    assert_eq!(
        failure(put_values_without_expression).1,
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
    );
    let mixed = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .update_expression("SET a = :a")
        .expression_attribute_values(":a", n("1"))
        .expected("a", ExpectedAttributeValue::builder().exists(false).build())
        .send()
        .await;
    assert_eq!(
        failure(mixed).1,
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {UpdateExpression}"
    );
    // A placeholder may name a path segment that is not a valid bare name at all.
    client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .update_expression("SET #odd = :a")
        .expression_attribute_names("#odd", "a.b[0] weird")
        .expression_attribute_values(":a", n("1"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&client, "k").await,
        json!({"pk": {"S": "k"}, "a.b[0] weird": {"N": "1"}})
    );
}

/// Applies `update` to `start` (key `k`) and returns the item afterwards (ALL_NEW).
async fn updated(client: &Client, start: &Value, update: &str, vals: &Value) -> Value {
    put(client, start).await;
    let out = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .update_expression(update)
        .set_expression_attribute_names(names_in(update))
        .set_expression_attribute_values(values(vals))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    match out {
        Ok(out) => {
            let returned = out.attributes().map(item_json).unwrap_or(Value::Null);
            assert_eq!(
                returned,
                get(client, "k").await,
                "ALL_NEW is the stored item"
            );
            returned
        }
        Err(e) => json!({ "error": e.message() }),
    }
}

#[tokio::test]
async fn update_expressions_set_remove_add_delete() {
    let (_emu, client) = start().await;
    let k = |rest: Value| {
        let mut it = json!({"pk": {"S": "k"}});
        it.as_object_mut()
            .unwrap()
            .extend(rest.as_object().unwrap().clone());
        it
    };
    let list = |xs: &[&str]| json!({"L": xs.iter().map(|x| json!({"N": x})).collect::<Vec<_>>()});
    #[rustfmt::skip]
    let cases: Vec<(Value, &str, Value, Value)> = vec![
        // SET with arithmetic, attribute copies (reading the old item), if_not_exists.
        (k(json!({"n": {"N": "10"}})), "SET n = n + :v", json!({":v": {"N": "1.5"}}), k(json!({"n": {"N": "11.5"}}))),
        (k(json!({"n": {"N": "10"}})), "SET n = :v - n", json!({":v": {"N": "1"}}), k(json!({"n": {"N": "-9"}}))),
        (k(json!({"a": {"N": "1"}, "b": {"N": "2"}})), "SET a = b, b = a", json!({}), k(json!({"a": {"N": "2"}, "b": {"N": "1"}}))),
        (k(json!({})), "SET c = if_not_exists(c, :z) + :one", json!({":z": {"N": "0"}, ":one": {"N": "1"}}), k(json!({"c": {"N": "1"}}))),
        (k(json!({"c": {"N": "5"}})), "SET c = if_not_exists(c, :z) + :one", json!({":z": {"N": "0"}, ":one": {"N": "1"}}), k(json!({"c": {"N": "6"}}))),
        (k(json!({"c": {"S": "kept"}})), "SET c = if_not_exists(c, :v), d = if_not_exists(nope, :v)", json!({":v": {"S": "new"}}), k(json!({"c": {"S": "kept"}, "d": {"S": "new"}}))),
        // list_append in both orders, and with two paths.
        (k(json!({"l": list(&["1", "2"])})), "SET l = list_append(l, :v)", json!({":v": list(&["3"])}), k(json!({"l": list(&["1", "2", "3"])}))),
        (k(json!({"l": list(&["1", "2"])})), "SET l = list_append(:v, l)", json!({":v": list(&["0"])}), k(json!({"l": list(&["0", "1", "2"])}))),
        (k(json!({"l": list(&["1"]), "m": list(&["2"])})), "SET l = list_append(l, m)", json!({}), k(json!({"l": list(&["1", "2"]), "m": list(&["2"])}))),
        (k(json!({})), "SET l = list_append(if_not_exists(l, :empty), :v)", json!({":empty": {"L": []}, ":v": list(&["7"])}), k(json!({"l": list(&["7"])}))),
        // List elements: replace in place, past the end appends.
        (k(json!({"l": list(&["1", "2"])})), "SET l[0] = :v", json!({":v": {"N": "9"}}), k(json!({"l": list(&["9", "2"])}))),
        (k(json!({"l": list(&["1", "2"])})), "SET l[10] = :v, l[20] = :w", json!({":v": {"N": "3"}, ":w": {"N": "4"}}), k(json!({"l": list(&["1", "2", "3", "4"])}))),
        // Nested document paths.
        (k(json!({"a": {"M": {"b": {"L": [{"N": "0"}, {"N": "1"}, {"M": {"c": {"S": "old"}}}]}}}})), "SET a.b[2].c = :v, a.b[2].d = :v, a.x = :v", json!({":v": {"S": "new"}}), k(json!({"a": {"M": {"b": {"L": [{"N": "0"}, {"N": "1"}, {"M": {"c": {"S": "new"}, "d": {"S": "new"}}}]}, "x": {"S": "new"}}}}))),
        (k(json!({"a": {"M": {"n": {"N": "1"}}}})), "SET a.n = a.n + :v", json!({":v": {"N": "1"}}), k(json!({"a": {"M": {"n": {"N": "2"}}}}))),
        // REMOVE attributes and list elements; indices are those of the old list.
        (k(json!({"a": {"S": "x"}, "b": {"S": "y"}})), "REMOVE a, nope", json!({}), k(json!({"b": {"S": "y"}}))),
        (k(json!({"l": list(&["0", "1", "2", "3"])})), "REMOVE l[0], l[2], l[9]", json!({}), k(json!({"l": list(&["1", "3"])}))),
        (k(json!({"l": list(&["0", "1", "2"])})), "REMOVE l[1]", json!({}), k(json!({"l": list(&["0", "2"])}))),
        (k(json!({"a": {"M": {"b": {"L": [{"M": {"c": {"S": "x"}, "d": {"S": "y"}}}]}}}})), "REMOVE a.b[0].c", json!({}), k(json!({"a": {"M": {"b": {"L": [{"M": {"d": {"S": "y"}}}]}}}}))),
        // ADD on numbers and sets, creating missing attributes.
        (k(json!({"n": {"N": "10"}})), "ADD n :v", json!({":v": {"N": "-0.5"}}), k(json!({"n": {"N": "9.5"}}))),
        (k(json!({})), "ADD n :v", json!({":v": {"N": "5"}}), k(json!({"n": {"N": "5"}}))),
        (k(json!({"ss": {"SS": ["a"]}})), "ADD ss :v", json!({":v": {"SS": ["a", "b"]}}), k(json!({"ss": {"SS": ["a", "b"]}}))),
        (k(json!({"ns": {"NS": ["1"]}})), "ADD ns :v", json!({":v": {"NS": ["1.0", "2"]}}), k(json!({"ns": {"NS": ["1", "2"]}}))),
        (k(json!({})), "ADD bs :v", json!({":v": {"BS": ["AQ=="]}}), k(json!({"bs": {"BS": ["AQ=="]}}))),
        (k(json!({"m": {"M": {}}})), "ADD m.n :v", json!({":v": {"N": "1"}}), k(json!({"m": {"M": {"n": {"N": "1"}}}}))),
        // DELETE from sets; emptying a set removes the attribute.
        (k(json!({"ss": {"SS": ["a", "b", "c"]}})), "DELETE ss :v", json!({":v": {"SS": ["a", "z"]}}), k(json!({"ss": {"SS": ["b", "c"]}}))),
        (k(json!({"ns": {"NS": ["1", "2"]}})), "DELETE ns :v", json!({":v": {"NS": ["2", "1.0"]}}), k(json!({}))),
        (k(json!({})), "DELETE ss :v", json!({":v": {"SS": ["a"]}}), k(json!({}))),
        // Several clauses, in any order and any case.
        (
            k(json!({"a": {"S": "x"}, "n": {"N": "1"}, "ss": {"SS": ["a", "b"]}, "l": list(&["1", "2"])})),
            "remove a, l[0] ADD n :one, t :tags set b = :s, l[5] = :one delete ss :a",
            json!({":one": {"N": "1"}, ":tags": {"SS": ["t"]}, ":s": {"S": "y"}, ":a": {"SS": ["a"]}}),
            k(json!({"b": {"S": "y"}, "n": {"N": "2"}, "t": {"SS": ["t"]}, "ss": {"SS": ["b"]}, "l": list(&["2", "1"])})),
        ),
        // Reserved words through placeholders.
        (k(json!({"ttl": {"N": "1"}})), "SET #ttl = #ttl + :v, #value = :v REMOVE #status", json!({":v": {"N": "60"}}), k(json!({"ttl": {"N": "61"}, "value": {"N": "60"}}))),
    ];
    let mut wrong = Vec::new();
    for (start_item, update, vals, expected) in &cases {
        let got = updated(&client, start_item, update, vals).await;
        if got != canonical(expected) {
            wrong.push(format!(
                "{update}:\n  want {}\n  got  {got}",
                canonical(expected)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn return_values_of_nested_updates() {
    let (_emu, client) = start().await;
    let start_item = json!({
        "pk": {"S": "k"},
        "n": {"N": "10"},
        "keep": {"S": "same"},
        "gone": {"S": "old"},
        "m": {"M": {"b": {"L": [{"N": "0"}, {"M": {"c": {"S": "old"}, "d": {"S": "d"}}}]}, "o": {"S": "o"}}}
    });
    let update = "SET m.b[1].c = :v, n = n + :one, fresh = :v REMOVE gone";
    let vals = json!({":v": {"S": "new"}, ":one": {"N": "1"}});
    let run = |rv: ReturnValue| {
        let client = client.clone();
        let start_item = start_item.clone();
        let vals = vals.clone();
        async move {
            put(&client, &start_item).await;
            let out = client
                .update_item()
                .table_name(TABLE)
                .key("pk", s("k"))
                .update_expression(update)
                .set_expression_attribute_values(values(&vals))
                .return_values(rv)
                .send()
                .await
                .unwrap();
            out.attributes().map(item_json).unwrap_or(Value::Null)
        }
    };
    let all_new = json!({
        "pk": {"S": "k"},
        "n": {"N": "11"},
        "keep": {"S": "same"},
        "fresh": {"S": "new"},
        "m": {"M": {"b": {"L": [{"N": "0"}, {"M": {"c": {"S": "new"}, "d": {"S": "d"}}}]}, "o": {"S": "o"}}}
    });
    assert_eq!(run(ReturnValue::AllOld).await, start_item);
    assert_eq!(run(ReturnValue::AllNew).await, all_new);
    assert_eq!(
        run(ReturnValue::UpdatedOld).await,
        json!({
            "n": {"N": "10"},
            "gone": {"S": "old"},
            "m": {"M": {"b": {"L": [{"M": {"c": {"S": "old"}}}]}}}
        })
    );
    assert_eq!(
        run(ReturnValue::UpdatedNew).await,
        json!({
            "n": {"N": "11"},
            "fresh": {"S": "new"},
            "m": {"M": {"b": {"L": [{"M": {"c": {"S": "new"}}}]}}}
        })
    );
    assert_eq!(run(ReturnValue::None).await, Value::Null);
    // ALL_OLD of an item that did not exist returns nothing.
    let out = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("new"))
        .update_expression("SET a = :v")
        .expression_attribute_values(":v", n("1"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .unwrap();
    assert_eq!(out.attributes(), None);
}

#[tokio::test]
async fn projections_with_nested_paths_and_list_indexes() {
    let (_emu, client) = start().await;
    put(&client, &seed()).await;
    #[rustfmt::skip]
    let cases: Vec<(&str, Value)> = vec![
        ("s", json!({"s": {"S": "hello world"}})),
        ("m.b[2].c, l[0]", json!({"m": {"M": {"b": {"L": [{"M": {"c": {"S": "found"}}}]}}}, "l": {"L": [{"S": "x"}]}})),
        ("m.b[2], m.b[0]", json!({"m": {"M": {"b": {"L": [{"N": "0"}, {"M": {"c": {"S": "found"}}}]}}}})),
        ("l[2].c, l[1], #ttl, #status", json!({"l": {"L": [{"N": "1"}, {"M": {"c": {"S": "deep"}}}]}, "ttl": {"N": "100"}, "status": {"S": "active"}})),
        ("m.e, m.nope, nope, l[7], s.x", json!({"m": {"M": {"e": {"M": {}}}}})),
        ("#m.#b[1]", json!({"m": {"M": {"b": {"L": [{"N": "1"}]}}}})),
    ];
    let mut wrong = Vec::new();
    for (projection, expected) in &cases {
        let got = client
            .get_item()
            .table_name(TABLE)
            .key("pk", s("k"))
            .projection_expression(*projection)
            .set_expression_attribute_names(names_in(projection))
            .send()
            .await
            .unwrap();
        let got = got.item().map(item_json).unwrap_or(Value::Null);
        if got != canonical(expected) {
            wrong.push(format!("{projection}:\n  want {expected}\n  got  {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A legacy `Expected` parameter, entry by entry.
type Expected = Vec<(&'static str, ExpectedAttributeValue)>;

/// A legacy `Expected` entry: a ComparisonOperator with its AttributeValueList.
fn op(cmp: ComparisonOperator, list: &[Value]) -> ExpectedAttributeValue {
    ExpectedAttributeValue::builder()
        .comparison_operator(cmp)
        .set_attribute_value_list(Some(list.iter().map(av).collect()))
        .build()
}

/// A legacy `Expected` entry of the older `Value`/`Exists` form.
fn exists(value: Option<Value>, exists: Option<bool>) -> ExpectedAttributeValue {
    ExpectedAttributeValue::builder()
        .set_value(value.as_ref().map(av))
        .set_exists(exists)
        .build()
}

#[tokio::test]
async fn legacy_expected_every_comparison_operator() {
    use ComparisonOperator as C;
    let (_emu, client) = start().await;
    put(&client, &seed()).await;
    let nv = |x: &str| json!({"N": x});
    let sv = |x: &str| json!({"S": x});
    #[rustfmt::skip]
    let cases: Vec<(Expected, Option<ConditionalOperator>, bool)> = vec![
        (vec![("n", op(C::Eq, &[nv("10.0")]))], None, true),
        (vec![("n", op(C::Eq, &[sv("10")]))], None, false),
        (vec![("ss", op(C::Eq, &[json!({"SS": ["c", "b", "a"]})]))], None, true),
        (vec![("n", op(C::Ne, &[nv("9")]))], None, true),
        (vec![("n", op(C::Ne, &[nv("10")]))], None, false),
        (vec![("n", op(C::Le, &[nv("10")]))], None, true),
        (vec![("n", op(C::Lt, &[nv("10")]))], None, false),
        (vec![("n", op(C::Ge, &[nv("10")]))], None, true),
        (vec![("n", op(C::Gt, &[nv("9")]))], None, true),
        (vec![("s", op(C::Gt, &[sv("hello")]))], None, true),
        (vec![("b", op(C::Lt, &[json!({"B": "/w=="})]))], None, true),
        (vec![("n", op(C::Lt, &[sv("99")]))], None, false),
        (vec![("s", op(C::NotNull, &[]))], None, true),
        (vec![("nope", op(C::NotNull, &[]))], None, false),
        (vec![("nope", op(C::Null, &[]))], None, true),
        (vec![("z", op(C::Null, &[]))], None, false),
        (vec![("s", op(C::Contains, &[sv("lo w")]))], None, true),
        (vec![("ss", op(C::Contains, &[sv("b")]))], None, true),
        (vec![("ns", op(C::Contains, &[nv("2")]))], None, true),
        (vec![("l", op(C::Contains, &[sv("x")]))], None, true),
        (vec![("s", op(C::Contains, &[sv("xyz")]))], None, false),
        (vec![("s", op(C::NotContains, &[sv("xyz")]))], None, true),
        (vec![("ss", op(C::NotContains, &[sv("a")]))], None, false),
        (vec![("s", op(C::BeginsWith, &[sv("hello")]))], None, true),
        (vec![("s", op(C::BeginsWith, &[sv("world")]))], None, false),
        (vec![("n", op(C::In, &[nv("1"), nv("10")]))], None, true),
        (vec![("s", op(C::In, &[sv("a"), sv("b")]))], None, false),
        (vec![("n", op(C::Between, &[nv("9"), nv("11")]))], None, true),
        (vec![("n", op(C::Between, &[nv("11"), nv("12")]))], None, false),
        // The Value/Exists form: a Value alone means "exists and equals".
        (vec![("n", exists(Some(nv("10")), None))], None, true),
        (vec![("n", exists(Some(nv("9")), None))], None, false),
        (vec![("n", exists(Some(nv("10")), Some(true)))], None, true),
        (vec![("nope", exists(Some(nv("10")), Some(true)))], None, false),
        (vec![("nope", exists(None, Some(false)))], None, true),
        (vec![("s", exists(None, Some(false)))], None, false),
        // Several entries: AND by default, OR on request.
        (vec![("n", op(C::Eq, &[nv("10")])), ("s", op(C::Eq, &[sv("no")]))], None, false),
        (vec![("n", op(C::Eq, &[nv("10")])), ("s", op(C::Eq, &[sv("no")]))], Some(ConditionalOperator::And), false),
        (vec![("n", op(C::Eq, &[nv("10")])), ("s", op(C::Eq, &[sv("no")]))], Some(ConditionalOperator::Or), true),
        (vec![("n", op(C::Eq, &[nv("1")])), ("s", exists(None, Some(false)))], Some(ConditionalOperator::Or), false),
    ];
    let mut wrong = Vec::new();
    for (i, (expected, conditional, want)) in cases.into_iter().enumerate() {
        let described = format!("case {i}: {expected:?} {conditional:?}");
        let result = client
            .put_item()
            .table_name(TABLE)
            .set_item(Some(item(&seed())))
            .set_expected(Some(
                expected
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            ))
            .set_conditional_operator(conditional)
            .send()
            .await;
        let got = match result {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
            Err(e) => Err(e.message().unwrap_or_default().to_owned()),
        };
        if got != Ok(want) {
            wrong.push(format!("{described}: expected {want}, got {got:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn legacy_attribute_updates_put_add_delete() {
    let (_emu, client) = start().await;
    put(
        &client,
        &json!({"pk": {"S": "k"}, "n": {"N": "1"}, "ss": {"SS": ["a", "b"]}, "old": {"S": "x"}, "p": {"S": "before"}}),
    )
    .await;
    let update = |action: AttributeAction, value: Option<Value>| {
        AttributeValueUpdate::builder()
            .action(action)
            .set_value(value.as_ref().map(av))
            .build()
    };
    let out = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .attribute_updates(
            "p",
            update(AttributeAction::Put, Some(json!({"S": "after"}))),
        )
        .attribute_updates("n", update(AttributeAction::Add, Some(json!({"N": "2.5"}))))
        .attribute_updates(
            "fresh",
            update(AttributeAction::Add, Some(json!({"N": "-1"}))),
        )
        .attribute_updates(
            "tags",
            update(AttributeAction::Add, Some(json!({"SS": ["t"]}))),
        )
        .attribute_updates(
            "ss",
            update(AttributeAction::Delete, Some(json!({"SS": ["a"]}))),
        )
        .attribute_updates("old", update(AttributeAction::Delete, None))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.attributes().map(item_json),
        Some(json!({
            "p": {"S": "after"},
            "n": {"N": "3.5"},
            "fresh": {"N": "-1"},
            "tags": {"SS": ["t"]},
            "ss": {"SS": ["b"]}
        }))
    );
    assert_eq!(
        get(&client, "k").await,
        json!({"pk": {"S": "k"}, "n": {"N": "3.5"}, "fresh": {"N": "-1"}, "tags": {"SS": ["t"]}, "ss": {"SS": ["b"]}, "p": {"S": "after"}})
    );
    // Deleting the last members removes the set.
    client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .attribute_updates(
            "ss",
            update(AttributeAction::Delete, Some(json!({"SS": ["b"]}))),
        )
        .send()
        .await
        .unwrap();
    assert!(get(&client, "k").await.get("ss").is_none());
    let err = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("k"))
        .attribute_updates("p", update(AttributeAction::Add, Some(json!({"S": "x"}))))
        .send()
        .await;
    assert_eq!(
        failure(err),
        (
            "ValidationException".into(),
            "One or more parameter values were invalid: ADD action is not supported for the type S"
                .into()
        )
    );
}

/// The classic AWS ASP.NET session-state provider: lock with an UpdateItem guarded by
/// `Expected Locked == 0` (ALL_NEW gives the session back), release guarded by the lock id.
#[tokio::test]
async fn aspnet_session_provider_lock_and_release() {
    let (_emu, client) = start().await;
    put(
        &client,
        &json!({"pk": {"S": "sess"}, "Locked": {"N": "0"}, "Data": {"S": "payload"}, "Expires": {"N": "2000000000"}}),
    )
    .await;
    let lock = |lock_id: &'static str| {
        client
            .update_item()
            .table_name(TABLE)
            .key("pk", s("sess"))
            .attribute_updates(
                "LockId",
                AttributeValueUpdate::builder()
                    .action(AttributeAction::Put)
                    .value(s(lock_id))
                    .build(),
            )
            .attribute_updates(
                "Locked",
                AttributeValueUpdate::builder()
                    .action(AttributeAction::Put)
                    .value(n("1"))
                    .build(),
            )
            .attribute_updates(
                "LockDate",
                AttributeValueUpdate::builder()
                    .action(AttributeAction::Put)
                    .value(s("2025-01-01T00:00:00Z"))
                    .build(),
            )
            .expected(
                "Locked",
                ExpectedAttributeValue::builder().value(n("0")).build(),
            )
            .return_values(ReturnValue::AllNew)
            .send()
    };
    let locked = lock("lock-1").await.unwrap();
    assert_eq!(
        locked.attributes().map(item_json),
        Some(json!({
            "pk": {"S": "sess"},
            "Locked": {"N": "1"},
            "LockId": {"S": "lock-1"},
            "LockDate": {"S": "2025-01-01T00:00:00Z"},
            "Data": {"S": "payload"},
            "Expires": {"N": "2000000000"}
        }))
    );
    assert_eq!(
        failure(lock("lock-2").await).0,
        "ConditionalCheckFailedException"
    );

    let release = |lock_id: &'static str| {
        client
            .update_item()
            .table_name(TABLE)
            .key("pk", s("sess"))
            .attribute_updates(
                "Locked",
                AttributeValueUpdate::builder()
                    .action(AttributeAction::Put)
                    .value(n("0"))
                    .build(),
            )
            .attribute_updates(
                "Data",
                AttributeValueUpdate::builder()
                    .action(AttributeAction::Put)
                    .value(s("saved"))
                    .build(),
            )
            .expected(
                "LockId",
                ExpectedAttributeValue::builder().value(s(lock_id)).build(),
            )
            .send()
    };
    assert_eq!(
        failure(release("lock-2").await),
        (
            "ConditionalCheckFailedException".into(),
            "The conditional request failed".into()
        )
    );
    release("lock-1").await.unwrap();
    assert_eq!(get(&client, "sess").await["Locked"], json!({"N": "0"}));
    assert_eq!(get(&client, "sess").await["Data"], json!({"S": "saved"}));
    // Unlocked again, so the next request can take the lock.
    lock("lock-3").await.unwrap();
    // Locking a session that does not exist fails: Value implies the attribute exists.
    let missing = client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("none"))
        .attribute_updates(
            "Locked",
            AttributeValueUpdate::builder()
                .action(AttributeAction::Put)
                .value(n("1"))
                .build(),
        )
        .expected(
            "Locked",
            ExpectedAttributeValue::builder().value(n("0")).build(),
        )
        .send()
        .await;
    assert_eq!(failure(missing).0, "ConditionalCheckFailedException");
    assert_eq!(get(&client, "none").await, Value::Null);
}

/// The .NET distributed cache provider refreshes an entry's sliding expiry with an
/// AttributeUpdates PUT of the TTL attribute (a reserved word, which legacy parameters allow).
#[tokio::test]
async fn dotnet_cache_provider_refresh_puts_the_ttl() {
    let (_emu, client) = start().await;
    put(
        &client,
        &json!({"pk": {"S": "cache-key"}, "TTL": {"N": "1000"}, "Value": {"B": "AQID"}}),
    )
    .await;
    client
        .update_item()
        .table_name(TABLE)
        .key("pk", s("cache-key"))
        .attribute_updates(
            "TTL",
            AttributeValueUpdate::builder()
                .action(AttributeAction::Put)
                .value(n("2000"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&client, "cache-key").await,
        json!({"pk": {"S": "cache-key"}, "TTL": {"N": "2000"}, "Value": {"B": "AQID"}})
    );
}

// ---- the first smoke tests ----

#[tokio::test]
async fn put_item_condition_expression() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "things").await;

    let put_new = || {
        client
            .put_item()
            .table_name("things")
            .item("pk", s("a"))
            .item("v", n("1"))
            .condition_expression("attribute_not_exists(pk)")
    };
    put_new().send().await.unwrap();
    let err = put_new().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ConditionalCheckFailedException"));
    assert_eq!(err.message(), Some("The conditional request failed"));

    // Optimistic update guarded by the current version, with reserved-word placeholders.
    client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .item("v", n("2"))
        .condition_expression("#v = :old AND size(#pk) = :one")
        .expression_attribute_names("#v", "v")
        .expression_attribute_names("#pk", "pk")
        .expression_attribute_values(":old", n("1.0"))
        .expression_attribute_values(":one", n("1"))
        .send()
        .await
        .unwrap();

    let err = client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .condition_expression("data = :x")
        .expression_attribute_values(":x", s("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: data")
    );

    let err = client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .condition_expression("v = :x")
        .expression_attribute_values(":x", s("x"))
        .expression_attribute_values(":y", s("y"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}")
    );
}

#[tokio::test]
async fn put_item_expected_lock() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "sessions").await;
    client
        .put_item()
        .table_name("sessions")
        .item("pk", s("id"))
        .item("Locked", n("0"))
        .send()
        .await
        .unwrap();

    let lock = || {
        client
            .put_item()
            .table_name("sessions")
            .item("pk", s("id"))
            .item("Locked", n("1"))
            .expected(
                "Locked",
                ExpectedAttributeValue::builder().value(n("0")).build(),
            )
    };
    lock().send().await.unwrap();
    let err = lock().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ConditionalCheckFailedException"));

    let err = client
        .put_item()
        .table_name("sessions")
        .item("pk", s("id"))
        .expected(
            "Locked",
            ExpectedAttributeValue::builder()
                .comparison_operator(ComparisonOperator::Between)
                .attribute_value_list(n("1"))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator")
    );
}

#[tokio::test]
async fn get_item_projection_expression() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    hash_table(&client, "things").await;
    client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .item(
            "doc",
            AttributeValue::M(
                [
                    ("x".to_string(), n("1")),
                    (
                        "y".to_string(),
                        AttributeValue::L(vec![s("p"), s("q"), s("r")]),
                    ),
                ]
                .into(),
            ),
        )
        .item("other", s("o"))
        .send()
        .await
        .unwrap();

    let got = client
        .get_item()
        .table_name("things")
        .key("pk", s("a"))
        .projection_expression("doc.y[2], #o")
        .expression_attribute_names("#o", "other")
        .send()
        .await
        .unwrap();
    let item = got.item().unwrap();
    assert_eq!(item.len(), 2);
    assert_eq!(item["other"], s("o"));
    assert_eq!(
        item["doc"],
        AttributeValue::M([("y".to_string(), AttributeValue::L(vec![s("r")]))].into())
    );

    let err = client
        .get_item()
        .table_name("things")
        .key("pk", s("a"))
        .projection_expression("doc, doc.x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [doc], path two: [doc, x]")
    );
}
