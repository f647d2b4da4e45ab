//! The DynamoDB behaviour the session store relies on, as direct API properties: a
//! difference between targets shows up here under the name of the behaviour, not as a
//! session-store failure.

use std::collections::HashMap;
use std::fmt;

use aws_sdk_dynamodb::types::{
    AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;
use proptest::prelude::*;

use super::api::{service_error, unsupported, ServiceError};
use crate::check::{steps, CaseError, CaseResult, Ctx, Outcome, Steps};
use crate::ensure;
use crate::registry::Property;
use crate::resources::{CACHE_KEY, CACHE_TTL, RANGE_PK, RANGE_SK};

pub fn properties() -> Vec<Property> {
    vec![
        Property {
            suite: "dynamodb-api",
            name: "conditional-writes",
            about: "PutItem/UpdateItem/DeleteItem with and without conditions agree with a \
                    model: ConditionalCheckFailedException, the item it returns, ReturnValues",
            known_failure: None,
            run: conditional_writes,
        },
        Property {
            suite: "dynamodb-api",
            name: "update-expressions",
            about: "SET (plain, if_not_exists, arithmetic, list_append, nested), ADD and \
                    REMOVE on present and missing attributes, with DynamoDB's errors",
            known_failure: None,
            run: update_expressions,
        },
        Property {
            suite: "dynamodb-api",
            name: "ttl-attribute",
            about: "TTL is described as enabled on its attribute; TTL values of any type are \
                    stored, numbers read back normalised",
            known_failure: None,
            run: ttl_attribute,
        },
        Property {
            suite: "dynamodb-api",
            name: "ttl-description",
            about: "after UpdateTimeToLive, DescribeTimeToLive says ENABLED (or ENABLING) on \
                    the attribute, and enabling it again is a ValidationException",
            known_failure: None,
            run: ttl_description_property,
        },
        Property {
            suite: "dynamodb-api",
            name: "query-paging",
            about: "Query with Limit and ExclusiveStartKey returns every item of the key \
                    range once, in sort-key order, pages no larger than Limit",
            known_failure: None,
            run: query_paging,
        },
    ]
}

type Item = HashMap<String, AttributeValue>;

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// The cache table, created at first use, or the property's error outcome.
fn cache_table(ctx: &Ctx) -> Result<String, Outcome> {
    ctx.block_on(ctx.resources.cache_table())
        .map(str::to_owned)
        .map_err(|message| Outcome::Error { message })
}

async fn get(client: &Client, table: &str, key: &str) -> Result<Option<Item>, String> {
    super::raw_item(client, table, CACHE_KEY, key).await
}

// ---------------------------------------------------------------------------------------
// Conditional writes

#[derive(Clone, Debug)]
enum WriteOp {
    PutIfAbsent { key: usize, ver: i64 },
    PutIfVersion { key: usize, expect: i64, ver: i64 },
    Put { key: usize, ver: i64 },
    UpdateIfExists { key: usize, ttl: i64 },
    Update { key: usize, ttl: i64 },
    DeleteIfVersion { key: usize, expect: i64 },
    Delete { key: usize },
}

impl fmt::Display for WriteOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteOp::PutIfAbsent { key, ver } => {
                write!(
                    f,
                    "PutItem k{key} {{ver: {ver}}} if attribute_not_exists(id)"
                )
            }
            WriteOp::PutIfVersion { key, expect, ver } => {
                write!(f, "PutItem k{key} {{ver: {ver}}} if ver = {expect}")
            }
            WriteOp::Put { key, ver } => write!(f, "PutItem k{key} {{ver: {ver}}}, ALL_OLD"),
            WriteOp::UpdateIfExists { key, ttl } => {
                write!(
                    f,
                    "UpdateItem k{key} SET ttl_date = {ttl} if attribute_exists(id), ALL_NEW"
                )
            }
            WriteOp::Update { key, ttl } => {
                write!(f, "UpdateItem k{key} SET ttl_date = {ttl}, ALL_NEW")
            }
            WriteOp::DeleteIfVersion { key, expect } => {
                write!(f, "DeleteItem k{key} if ver = {expect}, ALL_OLD")
            }
            WriteOp::Delete { key } => write!(f, "DeleteItem k{key}, ALL_OLD"),
        }
    }
}

fn write_op() -> impl Strategy<Value = WriteOp> {
    let key = 0..2usize;
    let ver = 0..3i64;
    prop_oneof![
        (key.clone(), ver.clone()).prop_map(|(key, ver)| WriteOp::PutIfAbsent { key, ver }),
        (key.clone(), ver.clone(), ver.clone())
            .prop_map(|(key, expect, ver)| WriteOp::PutIfVersion { key, expect, ver }),
        (key.clone(), ver.clone()).prop_map(|(key, ver)| WriteOp::Put { key, ver }),
        (key.clone(), 0..3i64).prop_map(|(key, ttl)| WriteOp::UpdateIfExists { key, ttl }),
        (key.clone(), 0..3i64).prop_map(|(key, ttl)| WriteOp::Update { key, ttl }),
        (key.clone(), ver).prop_map(|(key, expect)| WriteOp::DeleteIfVersion { key, expect }),
        key.prop_map(|key| WriteOp::Delete { key }),
    ]
}

/// What a write answered: the attributes it returned, or that its condition failed
/// (with the item the failure returned).
#[derive(Debug, PartialEq)]
enum Answer {
    Done(Option<Item>),
    ConditionFailed(Option<Item>),
}

fn conditional_writes(ctx: &Ctx) -> Outcome {
    let table = match cache_table(ctx) {
        Ok(table) => table,
        Err(outcome) => return outcome,
    };
    let table = &table;
    ctx.check(steps(write_op(), 16), |steps: Steps<WriteOp>| async move {
        let case = ctx.resources.next_case();
        let client = &ctx.target.dynamodb;
        let keys = [format!("w{case}:k0"), format!("w{case}:k1")];
        let mut model: [Option<Item>; 2] = [None, None];
        for (i, op) in steps.0.iter().enumerate() {
            let fail = |why: String| CaseError::Fail(format!("step {} ({op}): {why}", i + 1));
            let (got, expected) = write(client, table, &keys, &mut model, op)
                .await
                .map_err(fail)?;
            if got != expected {
                return Err(fail(format!(
                    "answered {got:?}, the model expects {expected:?}"
                )));
            }
            for (k, key) in keys.iter().enumerate() {
                let stored = get(client, table, key).await.map_err(fail)?;
                if stored != model[k] {
                    return Err(fail(format!(
                        "{key} is {stored:?}, the model expects {:?}",
                        model[k]
                    )));
                }
            }
        }
        Ok(())
    })
}

/// Sends one write; returns its answer and the model's, and moves the model on.
async fn write(
    client: &Client,
    table: &str,
    keys: &[String; 2],
    model: &mut [Option<Item>; 2],
    op: &WriteOp,
) -> Result<(Answer, Answer), String> {
    let item = |k: usize, ver: i64| {
        Item::from([
            (CACHE_KEY.to_owned(), s(&keys[k])),
            ("ver".to_owned(), n(ver)),
        ])
    };
    let ver_is = |k: usize, expect: i64, model: &[Option<Item>; 2]| {
        model[k].as_ref().and_then(|i| i.get("ver")) == Some(&n(expect))
    };
    let old_on_failure = ReturnValuesOnConditionCheckFailure::AllOld;
    let (key, condition_holds, result) = match op {
        WriteOp::PutIfAbsent { key, ver }
        | WriteOp::PutIfVersion { key, ver, .. }
        | WriteOp::Put { key, ver } => {
            let mut request = client
                .put_item()
                .table_name(table)
                .set_item(Some(item(*key, *ver)))
                .return_values_on_condition_check_failure(old_on_failure);
            let holds = match op {
                WriteOp::PutIfAbsent { .. } => {
                    request = request.condition_expression("attribute_not_exists(id)");
                    model[*key].is_none()
                }
                WriteOp::PutIfVersion { expect, .. } => {
                    request = request
                        .condition_expression("ver = :expect")
                        .expression_attribute_values(":expect", n(*expect));
                    ver_is(*key, *expect, model)
                }
                _ => {
                    request = request.return_values(ReturnValue::AllOld);
                    true
                }
            };
            let result = request.send().await.map(|out| out.attributes);
            let expected_return = matches!(op, WriteOp::Put { .. })
                .then(|| model[*key].clone())
                .flatten();
            let answer = result.map(|attributes| (attributes, expected_return));
            if holds {
                model[*key] = Some(item(*key, *ver));
            }
            (*key, holds, answer.map_err(|e| e.into_service_error_text()))
        }
        WriteOp::UpdateIfExists { key, ttl } | WriteOp::Update { key, ttl } => {
            let mut request = client
                .update_item()
                .table_name(table)
                .key(CACHE_KEY, s(&keys[*key]))
                .update_expression("SET #ttl = :ttl")
                .expression_attribute_names("#ttl", CACHE_TTL)
                .expression_attribute_values(":ttl", n(*ttl))
                .return_values(ReturnValue::AllNew)
                .return_values_on_condition_check_failure(old_on_failure);
            let holds = match op {
                WriteOp::UpdateIfExists { .. } => {
                    request = request.condition_expression("attribute_exists(id)");
                    model[*key].is_some()
                }
                _ => true,
            };
            let result = request.send().await.map(|out| out.attributes);
            if holds {
                // An update of a missing item creates it: key plus the updated attribute.
                let entry = model[*key]
                    .get_or_insert_with(|| Item::from([(CACHE_KEY.to_owned(), s(&keys[*key]))]));
                entry.insert(CACHE_TTL.to_owned(), n(*ttl));
            }
            let expected_return = model[*key].clone();
            (
                *key,
                holds,
                result
                    .map(|a| (a, expected_return))
                    .map_err(|e| e.into_service_error_text()),
            )
        }
        WriteOp::DeleteIfVersion { key, .. } | WriteOp::Delete { key } => {
            let mut request = client
                .delete_item()
                .table_name(table)
                .key(CACHE_KEY, s(&keys[*key]))
                .return_values(ReturnValue::AllOld)
                .return_values_on_condition_check_failure(old_on_failure);
            let holds = match op {
                WriteOp::DeleteIfVersion { expect, .. } => {
                    request = request
                        .condition_expression("ver = :expect")
                        .expression_attribute_values(":expect", n(*expect));
                    ver_is(*key, *expect, model)
                }
                _ => true,
            };
            let result = request.send().await.map(|out| out.attributes);
            let expected_return = model[*key].clone();
            if holds {
                model[*key] = None;
            }
            (
                *key,
                holds,
                result
                    .map(|a| (a, expected_return))
                    .map_err(|e| e.into_service_error_text()),
            )
        }
    };
    match (result, condition_holds) {
        (Ok((got, expected)), true) => Ok((Answer::Done(got), Answer::Done(expected))),
        (Ok((got, _)), false) => Ok((
            Answer::Done(got),
            Answer::ConditionFailed(model[key].clone()),
        )),
        (Err(Failure::ConditionFailed(item)), holds) => Ok((
            Answer::ConditionFailed(item),
            if holds {
                Answer::Done(None)
            } else {
                Answer::ConditionFailed(model[key].clone())
            },
        )),
        (Err(Failure::Other(message)), _) => Err(message),
    }
}

enum Failure {
    ConditionFailed(Option<Item>),
    Other(String),
}

/// The one failure a write may have here, with the item it carries.
trait IntoFailure {
    fn into_service_error_text(self) -> Failure;
}

macro_rules! into_failure {
    ($($error:ident),*) => {$(
        impl<R: fmt::Debug> IntoFailure for aws_sdk_dynamodb::error::SdkError<$error, R> {
            fn into_service_error_text(self) -> Failure {
                match self {
                    aws_sdk_dynamodb::error::SdkError::ServiceError(service) => match service.into_err() {
                        $error::ConditionalCheckFailedException(e) => {
                            Failure::ConditionFailed(e.item)
                        }
                        other => Failure::Other(crate::sdk_error(&other)),
                    },
                    other => Failure::Other(crate::sdk_error(&other)),
                }
            }
        }
    )*};
}

use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;

into_failure!(PutItemError, UpdateItemError, DeleteItemError);

// ---------------------------------------------------------------------------------------
// Update expressions

/// One action of an update expression, each on its own attribute.
#[derive(Clone, Debug)]
enum Action {
    SetN(i64),
    IfNotExistsN(i64),
    AddN(i64),
    IncrementN(i64),
    RemoveN,
    SetS(String),
    RemoveS,
    SetL(Vec<i64>),
    AppendL(Vec<i64>),
    SetM(i64),
    SetNested(i64),
    RemoveM,
}

impl Action {
    /// The attribute it acts on.
    fn attribute(&self) -> &'static str {
        match self {
            Action::SetN(_)
            | Action::IfNotExistsN(_)
            | Action::AddN(_)
            | Action::IncrementN(_)
            | Action::RemoveN => "n",
            Action::SetS(_) | Action::RemoveS => "s",
            Action::SetL(_) | Action::AppendL(_) => "l",
            Action::SetM(_) | Action::SetNested(_) | Action::RemoveM => "m",
        }
    }
}

#[derive(Clone, Debug)]
struct UpdateCase {
    /// Which of n, s, l, m the item holds before the update (`None`: no item at all).
    initial: Option<[bool; 4]>,
    actions: Vec<Action>,
}

fn list(values: &[i64]) -> AttributeValue {
    AttributeValue::L(values.iter().map(|v| n(*v)).collect())
}

fn initial_item(key: &str, has: [bool; 4]) -> Item {
    let mut item = Item::from([(CACHE_KEY.to_owned(), s(key))]);
    let values = [
        ("n", n(5)),
        ("s", s("x")),
        ("l", list(&[1])),
        (
            "m",
            AttributeValue::M(HashMap::from([("a".to_owned(), n(1))])),
        ),
    ];
    for (present, (name, value)) in has.iter().zip(values) {
        if *present {
            item.insert(name.to_owned(), value);
        }
    }
    item
}

/// The expression, its values, and the model's result: the new item, or the errors
/// DynamoDB may answer (when several actions fail, which one it reports is not part of
/// what these properties pin down).
fn apply(
    actions: &[Action],
    before: Option<&Item>,
    key: &str,
) -> (
    String,
    HashMap<String, AttributeValue>,
    Result<Item, Vec<ServiceError>>,
) {
    let missing = || ServiceError {
        code: "ValidationException".into(),
        message: "The provided expression refers to an attribute that does not exist in the item"
            .into(),
    };
    let bad_path = || ServiceError {
        code: "ValidationException".into(),
        message: "The document path provided in the update expression is invalid for update".into(),
    };
    let mut item = before
        .cloned()
        .unwrap_or_else(|| Item::from([(CACHE_KEY.to_owned(), s(key))]));
    let (mut sets, mut adds, mut removes) = (Vec::new(), Vec::new(), Vec::new());
    let mut values = HashMap::new();
    let mut errors = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let v = format!(":v{i}");
        let a = action.attribute();
        let current = before.and_then(|b| b.get(a)).cloned();
        let mut fail = |e: ServiceError| errors.push(e);
        match action {
            Action::SetN(x) => {
                sets.push(format!("{a} = {v}"));
                values.insert(v, n(*x));
                item.insert(a.into(), n(*x));
            }
            Action::IfNotExistsN(x) => {
                sets.push(format!("{a} = if_not_exists({a}, {v})"));
                values.insert(v, n(*x));
                item.insert(a.into(), current.unwrap_or(n(*x)));
            }
            Action::AddN(x) | Action::IncrementN(x) => {
                if matches!(action, Action::AddN(_)) {
                    adds.push(format!("{a} {v}"));
                } else {
                    sets.push(format!("{a} = {a} + {v}"));
                }
                values.insert(v, n(*x));
                match current {
                    Some(AttributeValue::N(old)) => {
                        item.insert(a.into(), n(old.parse::<i64>().unwrap_or(0) + x));
                    }
                    // ADD treats a missing number as 0; arithmetic needs the attribute.
                    _ if matches!(action, Action::AddN(_)) => {
                        item.insert(a.into(), n(*x));
                    }
                    _ => fail(missing()),
                }
            }
            Action::RemoveN | Action::RemoveS | Action::RemoveM => {
                removes.push(a.to_owned());
                item.remove(a);
            }
            Action::SetS(x) => {
                sets.push(format!("{a} = {v}"));
                values.insert(v, s(x));
                item.insert(a.into(), s(x));
            }
            Action::SetL(x) => {
                sets.push(format!("{a} = {v}"));
                values.insert(v, list(x));
                item.insert(a.into(), list(x));
            }
            Action::AppendL(x) => {
                sets.push(format!("{a} = list_append({a}, {v})"));
                values.insert(v, list(x));
                match current {
                    Some(AttributeValue::L(mut old)) => {
                        old.extend(x.iter().map(|v| n(*v)));
                        item.insert(a.into(), AttributeValue::L(old));
                    }
                    _ => fail(missing()),
                }
            }
            Action::SetM(x) => {
                sets.push(format!("{a} = {v}"));
                let map = AttributeValue::M(HashMap::from([("a".to_owned(), n(*x))]));
                values.insert(v, map.clone());
                item.insert(a.into(), map);
            }
            Action::SetNested(x) => {
                sets.push(format!("{a}.b = {v}"));
                values.insert(v, n(*x));
                match current {
                    Some(AttributeValue::M(mut old)) => {
                        old.insert("b".into(), n(*x));
                        item.insert(a.into(), AttributeValue::M(old));
                    }
                    _ => fail(bad_path()),
                }
            }
        }
    }
    let mut expression = Vec::new();
    if !sets.is_empty() {
        expression.push(format!("SET {}", sets.join(", ")));
    }
    if !adds.is_empty() {
        expression.push(format!("ADD {}", adds.join(", ")));
    }
    if !removes.is_empty() {
        expression.push(format!("REMOVE {}", removes.join(", ")));
    }
    let result = if errors.is_empty() {
        Ok(item)
    } else {
        Err(errors)
    };
    (expression.join(" "), values, result)
}

fn action() -> impl Strategy<Value = Action> {
    let small = -5..10i64;
    prop_oneof![
        small.clone().prop_map(Action::SetN),
        small.clone().prop_map(Action::IfNotExistsN),
        small.clone().prop_map(Action::AddN),
        small.clone().prop_map(Action::IncrementN),
        Just(Action::RemoveN),
        "[a-z]{1,4}".prop_map(Action::SetS),
        Just(Action::RemoveS),
        proptest::collection::vec(small.clone(), 0..3).prop_map(Action::SetL),
        proptest::collection::vec(small.clone(), 0..3).prop_map(Action::AppendL),
        small.clone().prop_map(Action::SetM),
        small.prop_map(Action::SetNested),
        Just(Action::RemoveM),
    ]
}

fn update_expressions(ctx: &Ctx) -> Outcome {
    let table = match cache_table(ctx) {
        Ok(table) => table,
        Err(outcome) => return outcome,
    };
    let table = &table;
    let strategy = (
        proptest::option::of(any::<[bool; 4]>()),
        proptest::collection::vec(action(), 1..4),
    )
        .prop_map(|(initial, mut actions)| {
            // One action per attribute: overlapping paths are a different error.
            let mut seen = Vec::new();
            actions.retain(|a| {
                let fresh = !seen.contains(&a.attribute());
                seen.push(a.attribute());
                fresh
            });
            UpdateCase { initial, actions }
        });
    ctx.check(strategy, |case| async move {
        let client = &ctx.target.dynamodb;
        let key = format!("u{}", ctx.resources.next_case());
        let before = case.initial.map(|has| initial_item(&key, has));
        if let Some(item) = &before {
            client
                .put_item()
                .table_name(table)
                .set_item(Some(item.clone()))
                .send()
                .await
                .map_err(|e| format!("PutItem: {}", crate::sdk_error(&e)))?;
        }
        let (expression, values, expected) = apply(&case.actions, before.as_ref(), &key);
        let answer = client
            .update_item()
            .table_name(table)
            .key(CACHE_KEY, s(&key))
            .update_expression(&expression)
            // An empty map is refused ("ExpressionAttributeValues must not be empty").
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let got = match answer {
            Ok(out) => Ok(out.attributes.unwrap_or_default()),
            Err(e) => Err(service_error(e)?),
        };
        let agrees = match (&got, &expected) {
            (Ok(got), Ok(expected)) => got == expected,
            (Err(got), Err(candidates)) => candidates.contains(got),
            _ => false,
        };
        ensure!(
            agrees,
            "`{expression}` answered {got:?}, the model expects {expected:?}"
        );
        let stored = get(client, table, &key).await?;
        let expected_stored = match expected {
            Ok(item) => Some(item),
            Err(_) => before,
        };
        ensure!(
            stored == expected_stored,
            "after `{expression}` the item is {stored:?}, the model expects {expected_stored:?}"
        );
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// TTL attribute

/// A TTL attribute value in one of the forms a writer may use.
#[derive(Clone, Debug)]
enum TtlValue {
    /// `[-]0*digits[.fraction]`, read back without the padding.
    Decimal {
        negative: bool,
        zeros: usize,
        whole: u64,
        fraction: String,
    },
    /// `d.dddE+k`, read back as a plain integer or decimal.
    Exponent {
        mantissa: u32,
        exponent: u32,
    },
    Text(String),
    Null,
    Binary(Vec<u8>),
}

impl TtlValue {
    fn sent(&self) -> AttributeValue {
        match self {
            TtlValue::Decimal {
                negative,
                zeros,
                whole,
                fraction,
            } => {
                let sign = if *negative { "-" } else { "" };
                let dot = if fraction.is_empty() { "" } else { "." };
                AttributeValue::N(format!(
                    "{sign}{}{whole}{dot}{fraction}",
                    "0".repeat(*zeros)
                ))
            }
            TtlValue::Exponent { mantissa, exponent } => {
                let digits = mantissa.to_string();
                let (head, tail) = digits.split_at(1);
                let dot = if tail.is_empty() { "" } else { "." };
                AttributeValue::N(format!("{head}{dot}{tail}E+{exponent}"))
            }
            TtlValue::Text(text) => s(text),
            TtlValue::Null => AttributeValue::Null(true),
            TtlValue::Binary(bytes) => {
                AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(bytes.clone()))
            }
        }
    }

    /// What DynamoDB gives back: numbers in canonical decimal form.
    fn expected(&self) -> AttributeValue {
        match self {
            TtlValue::Decimal {
                negative,
                whole,
                fraction,
                ..
            } => {
                let fraction = fraction.trim_end_matches('0');
                let zero = *whole == 0 && fraction.is_empty();
                let sign = if *negative && !zero { "-" } else { "" };
                let dot = if fraction.is_empty() { "" } else { "." };
                AttributeValue::N(format!("{sign}{whole}{dot}{fraction}"))
            }
            TtlValue::Exponent { mantissa, exponent } => {
                // mantissa has digits d0 d1 .. d(k-1); value = d0.d1..d(k-1) * 10^exponent.
                let digits = mantissa.to_string();
                let shift = *exponent as usize;
                let canonical = if digits.len() - 1 <= shift {
                    format!("{digits}{}", "0".repeat(shift - (digits.len() - 1)))
                } else {
                    let (int, frac) = digits.split_at(shift + 1);
                    let frac = frac.trim_end_matches('0');
                    if frac.is_empty() {
                        int.to_owned()
                    } else {
                        format!("{int}.{frac}")
                    }
                };
                AttributeValue::N(canonical)
            }
            other => other.sent(),
        }
    }
}

impl fmt::Display for TtlValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.sent())
    }
}

fn ttl_value() -> impl Strategy<Value = TtlValue> {
    prop_oneof![
        4 => (any::<bool>(), 0..3usize, 0..4_000_000_000u64, "[0-9]{0,3}")
            .prop_map(|(negative, zeros, whole, fraction)| TtlValue::Decimal { negative, zeros, whole, fraction }),
        2 => (1..100_000u32, 0..10u32).prop_map(|(mantissa, exponent)| TtlValue::Exponent { mantissa, exponent }),
        1 => "[0-9T:-]{1,20}".prop_map(TtlValue::Text),
        1 => Just(TtlValue::Null),
        1 => proptest::collection::vec(any::<u8>(), 1..8).prop_map(TtlValue::Binary),
    ]
}

fn ttl_attribute(ctx: &Ctx) -> Outcome {
    let table = match cache_table(ctx) {
        Ok(table) => table,
        Err(outcome) => return outcome,
    };
    let table = &table;
    ctx.check(ttl_value(), |value| async move {
        let client = &ctx.target.dynamodb;
        let key = format!("t{}", ctx.resources.next_case());
        client
            .put_item()
            .table_name(table)
            .item(CACHE_KEY, s(&key))
            .item(CACHE_TTL, value.sent())
            .send()
            .await
            .map_err(|e| {
                format!(
                    "PutItem with {CACHE_TTL} = {value}: {}",
                    crate::sdk_error(&e)
                )
            })?;
        let stored = get(client, table, &key).await?;
        let got = stored.as_ref().and_then(|item| item.get(CACHE_TTL));
        let expected = value.expected();
        ensure!(
            got == Some(&expected),
            "{CACHE_TTL} = {value} reads back as {got:?}, expected {expected:?}"
        );
        Ok(())
    })
}

/// One fixed case: the table's TTL set-up is not something to generate.
fn ttl_description_property(ctx: &Ctx) -> Outcome {
    let table = match cache_table(ctx) {
        Ok(table) => table,
        Err(outcome) => return outcome,
    };
    let table = &table;
    ctx.check(Just(()), |()| async move {
        ttl_description(&ctx.target.dynamodb, table).await?;
        Ok(())
    })
}

/// DescribeTimeToLive names the attribute and says enabled (ENABLING while AWS is still
/// turning it on); enabling it again is refused.
async fn ttl_description(client: &Client, table: &str) -> Result<(), String> {
    let described = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| format!("DescribeTimeToLive: {}", crate::sdk_error(&e)))?;
    let description = described.time_to_live_description();
    let status = description.and_then(|d| d.time_to_live_status());
    let attribute = description.and_then(|d| d.attribute_name());
    if !matches!(
        status,
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ) || attribute != Some(CACHE_TTL)
    {
        return Err(format!("DescribeTimeToLive says {status:?} on {attribute:?}, expected ENABLED (or ENABLING) on {CACHE_TTL}"));
    }
    let again = client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
                .attribute_name(CACHE_TTL)
                .enabled(true)
                .build()
                .map_err(|e| e.to_string())?,
        )
        .send()
        .await;
    let expected = ServiceError {
        code: "ValidationException".into(),
        message: "TimeToLive is already enabled".into(),
    };
    match again {
        Ok(_) => Err("enabling TTL a second time succeeded; DynamoDB refuses it".into()),
        Err(e) => {
            let got = service_error(e)?;
            if got == expected {
                Ok(())
            } else {
                Err(format!(
                    "enabling TTL a second time answered {got:?}, expected {expected:?}"
                ))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Query paging

#[derive(Clone, Debug)]
struct QueryCase {
    /// Sort keys of the items written under the case's partition key.
    sort_keys: Vec<i64>,
    limit: i32,
    forward: bool,
    /// `sk BETWEEN lo AND hi` if set.
    range: Option<(i64, i64)>,
}

fn query_paging(ctx: &Ctx) -> Outcome {
    let table = match ctx.block_on(ctx.resources.range_table()) {
        Ok(table) => table.to_owned(),
        Err(message) => return Outcome::Error { message },
    };
    let table = &table;
    let strategy = (
        proptest::collection::btree_set(-50..50i64, 0..20),
        1..8i32,
        any::<bool>(),
        proptest::option::of((-50..50i64, 0..60i64)),
    )
        .prop_map(|(keys, limit, forward, range)| QueryCase {
            sort_keys: keys.into_iter().collect(),
            limit,
            forward,
            range: range.map(|(lo, width)| (lo, lo + width)),
        });
    ctx.check(strategy, |case| async move {
        query_case(ctx, table, case).await
    })
}

async fn query_case(ctx: &Ctx, table: &str, case: QueryCase) -> CaseResult {
    let client = &ctx.target.dynamodb;
    let pk = format!("q{}", ctx.resources.next_case());
    // A neighbouring partition that must never show up.
    for (partition, sk) in case
        .sort_keys
        .iter()
        .map(|k| (&pk, *k))
        .chain([(&format!("{pk}x"), 0)])
    {
        client
            .put_item()
            .table_name(table)
            .item(RANGE_PK, s(partition))
            .item(RANGE_SK, n(sk))
            .item("payload", s(&format!("{partition}/{sk}")))
            .send()
            .await
            .map_err(|e| format!("PutItem: {}", crate::sdk_error(&e)))?;
    }
    let mut expected: Vec<i64> = case
        .sort_keys
        .iter()
        .copied()
        .filter(|k| case.range.is_none_or(|(lo, hi)| (lo..=hi).contains(k)))
        .collect();
    if !case.forward {
        expected.reverse();
    }
    let mut seen = Vec::new();
    let mut start = None;
    let mut pages = 0;
    loop {
        pages += 1;
        ensure!(
            pages <= 100,
            "more than 100 pages for {} items",
            expected.len()
        );
        let mut request = client
            .query()
            .table_name(table)
            .key_condition_expression(match case.range {
                Some(_) => "pk = :pk AND sk BETWEEN :lo AND :hi",
                None => "pk = :pk",
            })
            .expression_attribute_values(":pk", s(&pk))
            .limit(case.limit)
            .scan_index_forward(case.forward)
            .consistent_read(true)
            .set_exclusive_start_key(start.take());
        if let Some((lo, hi)) = case.range {
            request = request
                .expression_attribute_values(":lo", n(lo))
                .expression_attribute_values(":hi", n(hi));
        }
        let page = match request.send().await {
            Ok(page) => page,
            Err(e) => {
                let error = service_error(e)?;
                if unsupported(&error) {
                    return Err(CaseError::Unsupported(format!("Query: {}", error.code)));
                }
                return Err(CaseError::Fail(format!("Query answered {error:?}")));
            }
        };
        let items = page.items();
        ensure!(
            items.len() <= case.limit as usize,
            "a page of {} items with Limit {}",
            items.len(),
            case.limit
        );
        ensure!(
            page.count() as usize == items.len(),
            "Count {} for {} items",
            page.count(),
            items.len()
        );
        for item in items {
            let sk = match item.get(RANGE_SK) {
                Some(AttributeValue::N(text)) => text.parse::<i64>().map_err(|e| e.to_string())?,
                other => {
                    return Err(CaseError::Fail(format!(
                        "an item without a numeric sk: {other:?}"
                    )))
                }
            };
            ensure!(
                item.get("payload") == Some(&s(&format!("{pk}/{sk}"))),
                "item {sk} came back as {item:?}"
            );
            seen.push(sk);
        }
        match page.last_evaluated_key() {
            Some(last) => {
                // A short page ends the results: DynamoDB stops early only at Limit (or 1 MB).
                ensure!(
                    items.len() == case.limit as usize,
                    "a page of {} items (Limit {}) still had a LastEvaluatedKey",
                    items.len(),
                    case.limit
                );
                start = Some(last.clone());
            }
            None => break,
        }
    }
    ensure!(
        seen == expected,
        "pages gave sort keys {seen:?}, expected {expected:?}"
    );
    Ok(())
}
