//! The pre-expression parameters that real clients still send: `Expected` (the classic
//! session provider's lock), `AttributeUpdates` (the .NET cache provider's refresh),
//! `AttributesToGet` and `ConditionalOperator`. They compile into the same trees as the
//! expressions, so evaluation has one implementation.

use std::collections::HashMap;

use serde::Deserialize;

use super::ast::{Comparator, Cond, Operand, Path, UpdateActions};
use crate::common::json;
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::model::{AttributeValue, RawAttributeValue};

/// One entry of `Expected`.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ExpectedAttributeValue {
    pub value: Option<RawAttributeValue>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub exists: Option<bool>,
    pub comparison_operator: Option<String>,
    pub attribute_value_list: Option<Vec<RawAttributeValue>>,
}

/// One entry of `QueryFilter`, `ScanFilter` or `KeyConditions` (DynamoDB's `Condition`).
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct FilterCondition {
    pub comparison_operator: Option<String>,
    pub attribute_value_list: Option<Vec<RawAttributeValue>>,
}

/// One entry of `AttributeUpdates`.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValueUpdate {
    pub value: Option<RawAttributeValue>,
    pub action: Option<String>,
}

/// DynamoDB lists the operator enum in this (unsorted) order in its constraint message.
const COMPARISON_OPERATORS: &str =
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";

pub(super) fn sorted<V>(map: &HashMap<String, V>) -> Vec<(&String, &V)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// The `ComparisonOperator` enum of each `Expected` entry: a member constraint, so the
/// operations report it in the same list as their other member failures.
pub fn comparison_operators(
    c: &mut Constraints,
    expected: Option<&HashMap<String, ExpectedAttributeValue>>,
) {
    for (name, e) in expected.map(sorted).unwrap_or_default() {
        operator_constraint(c, "expected", name, e.comparison_operator.as_deref(), false);
    }
}

/// The `ComparisonOperator` of each `QueryFilter`, `ScanFilter` or `KeyConditions` entry
/// (`member` is the parameter's wire path: `queryFilter`, `scanFilter`, `keyConditions`),
/// where the operator is required.
pub fn filter_operators(
    c: &mut Constraints,
    member: &str,
    conditions: Option<&HashMap<String, FilterCondition>>,
) {
    for (name, f) in conditions.map(sorted).unwrap_or_default() {
        operator_constraint(c, member, name, f.comparison_operator.as_deref(), true);
    }
}

fn operator_constraint(
    c: &mut Constraints,
    member: &str,
    name: &str,
    op: Option<&str>,
    required: bool,
) {
    let path = format!("{member}.{name}.member.comparisonOperator");
    match op {
        None if required => c.missing(&path),
        Some(op)
            if !COMPARISON_OPERATORS
                .trim_matches(['[', ']'])
                .split(", ")
                .any(|known| known == op) =>
        {
            c.fail(
                op,
                &path,
                &format!("Member must satisfy enum value set: {COMPARISON_OPERATORS}"),
            );
        }
        _ => {}
    }
}

/// Compiles `QueryFilter` or `ScanFilter` (joined by `ConditionalOperator`) into one
/// condition; `None` for an empty map.
pub fn filter(
    conditions: &HashMap<String, FilterCondition>,
    conditional_operator: Option<&str>,
) -> Result<Option<Cond>> {
    let mut terms = Vec::new();
    for (name, condition) in sorted(conditions) {
        let (op, args) = checked_condition(name, condition)?;
        terms.push(condition_tree(Path::attr(name), op, args));
    }
    Ok(join(terms, conditional_operator))
}

/// A `Condition` entry's operator and its checked arguments.
pub fn checked_condition<'c>(
    name: &str,
    condition: &'c FilterCondition,
) -> Result<(&'c str, Vec<AttributeValue>)> {
    let Some(op) = condition.comparison_operator.as_deref() else {
        return Err(DynamoError::validation(format!(
            "1 validation error detected: Value null at '{name}.member.comparisonOperator' \
             failed to satisfy constraint: Member must not be null"
        )));
    };
    let raw = condition.attribute_value_list.clone().unwrap_or_default();
    Ok((op, checked_args(op, raw)?))
}

fn join(terms: Vec<Cond>, conditional_operator: Option<&str>) -> Option<Cond> {
    let or = conditional_operator == Some("OR");
    terms.into_iter().reduce(|prev, cond| {
        if or {
            Cond::Or(Box::new(prev), Box::new(cond))
        } else {
            Cond::And(Box::new(prev), Box::new(cond))
        }
    })
}

/// Compiles `Expected` (joined by `ConditionalOperator`, AND by default) into a condition;
/// `None` for an empty map.
pub fn expected(
    expected: &HashMap<String, ExpectedAttributeValue>,
    conditional_operator: Option<&str>,
) -> Result<Option<Cond>> {
    let mut c = Constraints::new();
    crate::dynamodb::validate::conditional_operator(&mut c, conditional_operator);
    comparison_operators(&mut c, Some(expected));
    c.finish()?;
    let terms = sorted(expected)
        .into_iter()
        .map(|(name, e)| expected_one(name, e))
        .collect::<Result<Vec<Cond>>>()?;
    Ok(join(terms, conditional_operator))
}

fn expected_one(name: &str, e: &ExpectedAttributeValue) -> Result<Cond> {
    let path = Path::attr(name);
    let attr = || Operand::Path(path.clone());
    // Recorded order (dynalite's putItem.js and deleteItem.js): Value with
    // AttributeValueList is refused before anything else about the operator.
    if e.value.is_some() && e.attribute_value_list.is_some() {
        return Err(DynamoError::invalid_parameter(format!(
            "Value and AttributeValueList cannot be used together for Attribute: {name}"
        )));
    }
    let Some(op) = e.comparison_operator.as_deref() else {
        if e.attribute_value_list.is_some() {
            return Err(DynamoError::invalid_parameter(format!(
                "AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
            )));
        }
        return match (e.exists, &e.value) {
            (Some(false), Some(_)) => Err(DynamoError::invalid_parameter(format!(
                "Value cannot be used when Exists is false for Attribute: {name}"
            ))),
            (Some(false), None) => Ok(Cond::NotExists(path)),
            (exists, None) => Err(DynamoError::invalid_parameter(format!(
                "Value must be provided when Exists is {} for Attribute: {name}",
                if exists.is_some() { "true" } else { "null" }
            ))),
            (_, Some(v)) => Ok(Cond::Compare(
                Comparator::Eq,
                attr(),
                Operand::Value(v.clone().validate()?),
            )),
        };
    };
    if e.exists.is_some() {
        return Err(DynamoError::invalid_parameter(format!(
            "Exists and ComparisonOperator cannot be used together for Attribute: {name}"
        )));
    }
    let raw: Vec<RawAttributeValue> = match (&e.value, &e.attribute_value_list) {
        (Some(v), _) => vec![v.clone()],
        (None, Some(list)) => list.clone(),
        (None, None) if matches!(op, "NULL" | "NOT_NULL") => Vec::new(),
        (None, None) => {
            return Err(DynamoError::invalid_parameter(format!(
                "Value or AttributeValueList must be used with ComparisonOperator: {op} for Attribute: {name}"
            )))
        }
    };
    let args = checked_args(op, raw)?;
    Ok(condition_tree(path, op, args))
}

/// Validates a legacy operator's arguments: each value, their number, their types.
fn checked_args(op: &str, raw: Vec<RawAttributeValue>) -> Result<Vec<AttributeValue>> {
    let args = raw
        .into_iter()
        .map(RawAttributeValue::validate)
        .collect::<Result<Vec<AttributeValue>>>()?;
    let arity_ok = match op {
        "NULL" | "NOT_NULL" => args.is_empty(),
        "BETWEEN" => args.len() == 2,
        "IN" => !args.is_empty(),
        _ => args.len() == 1,
    };
    if !arity_ok {
        return Err(DynamoError::invalid_parameter(format!(
            "Invalid number of argument(s) for the {op} ComparisonOperator"
        )));
    }
    let allowed: &[&str] = match op {
        "LT" | "LE" | "GT" | "GE" | "BETWEEN" | "IN" | "CONTAINS" | "NOT_CONTAINS" => {
            &["S", "N", "B"]
        }
        "BEGINS_WITH" => &["S", "B"],
        _ => &[],
    };
    if let Some(bad) = args
        .iter()
        .find(|v| !allowed.is_empty() && !allowed.contains(&v.type_name()))
    {
        return Err(DynamoError::invalid_parameter(format!(
            "ComparisonOperator {op} is not valid for {} AttributeValue type",
            bad.type_name()
        )));
    }
    if matches!(op, "IN" | "BETWEEN")
        && args
            .windows(2)
            .any(|w| w[0].type_name() != w[1].type_name())
    {
        return Err(DynamoError::invalid_parameter(
            "AttributeValues inside AttributeValueList must be of same type",
        ));
    }
    if let [lo, hi] = args.as_slice() {
        if op == "BETWEEN" && super::eval::compare(lo, hi) == Some(std::cmp::Ordering::Greater) {
            return Err(DynamoError::validation(
                "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
            ));
        }
    }
    Ok(args)
}

/// The condition tree of a legacy operator on attribute `path` with checked arguments.
fn condition_tree(path: Path, op: &str, args: Vec<AttributeValue>) -> Cond {
    let attr = || Operand::Path(path.clone());
    let mut values = args.into_iter().map(Operand::Value);
    let mut next = || {
        values
            .next()
            .unwrap_or(Operand::Value(AttributeValue::Null))
    };
    let compare = |c: Comparator, v: Operand| Cond::Compare(c, attr(), v);
    match op {
        "EQ" => compare(Comparator::Eq, next()),
        "NE" => compare(Comparator::Ne, next()),
        "LT" => compare(Comparator::Lt, next()),
        "LE" => compare(Comparator::Le, next()),
        "GT" => compare(Comparator::Gt, next()),
        "GE" => compare(Comparator::Ge, next()),
        "NOT_NULL" => Cond::Exists(path),
        "NULL" => Cond::NotExists(path),
        "CONTAINS" => Cond::Contains(attr(), next()),
        "NOT_CONTAINS" => Cond::And(
            Box::new(Cond::Exists(path.clone())),
            Box::new(Cond::Not(Box::new(Cond::Contains(attr(), next())))),
        ),
        "BEGINS_WITH" => Cond::BeginsWith(attr(), next()),
        "BETWEEN" => {
            let low = next();
            Cond::Between(attr(), low, next())
        }
        _ => Cond::In(attr(), values.collect()),
    }
}

/// The `Action` enum of each `AttributeUpdates` entry, a member constraint like
/// [`comparison_operators`].
pub fn update_actions(
    c: &mut Constraints,
    updates: Option<&HashMap<String, AttributeValueUpdate>>,
) {
    for (name, u) in updates.map(sorted).unwrap_or_default() {
        if let Some(action) = u
            .action
            .as_deref()
            .filter(|a| !matches!(*a, "ADD" | "PUT" | "DELETE"))
        {
            c.fail(
                action,
                &format!("attributeUpdates.{name}.member.action"),
                "Member must satisfy enum value set: [ADD, PUT, DELETE]",
            );
        }
    }
}

/// Compiles `AttributeUpdates` into update actions.
pub fn attribute_updates(updates: &HashMap<String, AttributeValueUpdate>) -> Result<UpdateActions> {
    let mut c = Constraints::new();
    update_actions(&mut c, Some(updates));
    c.finish()?;
    let mut actions = UpdateActions {
        legacy: true,
        ..UpdateActions::default()
    };
    for (name, u) in sorted(updates) {
        let action = u.action.as_deref().unwrap_or("PUT");
        let path = Path::attr(name);
        let Some(raw) = &u.value else {
            if action != "DELETE" {
                return Err(DynamoError::invalid_parameter(
                    "Only DELETE action is allowed when no attribute value is specified",
                ));
            }
            actions.remove.push(path);
            continue;
        };
        let value = raw.clone().validate()?;
        let t = value.type_name();
        match action {
            "PUT" => actions.set.push((
                path,
                super::ast::SetValue::Operand(super::ast::SetOperand::Value(value)),
            )),
            "ADD" if matches!(t, "N" | "SS" | "NS" | "BS" | "L") => actions.add.push((path, value)),
            "ADD" => {
                return Err(DynamoError::invalid_parameter(format!(
                    "ADD action is not supported for the type {t}"
                )))
            }
            _ if matches!(t, "SS" | "NS" | "BS") => actions.delete.push((path, value)),
            _ => {
                return Err(DynamoError::invalid_parameter(format!(
                    "DELETE action with value is not supported for the type {t}"
                )))
            }
        }
    }
    Ok(actions)
}

/// Compiles `AttributesToGet` into projection paths (top-level attributes only).
pub fn attributes_to_get(names: &[String]) -> Result<Vec<Path>> {
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(DynamoError::invalid_parameter(format!(
                "Duplicate value in attribute name: {name}"
            )));
        }
    }
    Ok(names.iter().map(|n| Path::attr(n)).collect())
}
