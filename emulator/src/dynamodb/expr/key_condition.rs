//! Query's key condition: `KeyConditionExpression` or the legacy `KeyConditions`, reduced
//! to at most one term per key attribute.
//!
//! The expression is parsed and resolved by the ordinary condition pipeline (same
//! placeholders, same syntax errors), then its tree is checked against the narrow shape
//! DynamoDB allows: `AND` of comparisons, `BETWEEN` and `begins_with`, each on one
//! top-level attribute. Whether the terms fit the table's key schema is decided later by
//! the operation, which knows the schema ([`KeyCondition::terms`]).

use std::collections::HashMap;

use super::ast::{Comparator, Cond, Operand, Path, PathElem};
use super::legacy::{self, FilterCondition};
use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::model::AttributeValue;

/// The operator of one key term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    Between,
    BeginsWith,
    /// A legacy operator that compiles but can never use the key (`NE`, `IN`, `NULL`,
    /// `NOT_NULL`, `CONTAINS`, `NOT_CONTAINS`): refused once the schema is known.
    NotIndexable,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeyTerm {
    pub attribute: String,
    pub op: KeyOp,
    pub values: Vec<AttributeValue>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct KeyCondition {
    pub terms: Vec<KeyTerm>,
}

impl KeyCondition {
    pub fn term(&self, attribute: &str) -> Option<&KeyTerm> {
        self.terms.iter().find(|t| t.attribute == attribute)
    }
}

fn invalid_operator(name: &str) -> DynamoError {
    DynamoError::validation(format!(
        "Invalid operator used in KeyConditionExpression: {name}"
    ))
}

fn invalid_condition(why: &str) -> DynamoError {
    DynamoError::validation(format!(
        "Invalid condition in KeyConditionExpression: {why}"
    ))
}

/// Reduces a resolved `KeyConditionExpression` tree to key terms.
pub fn from_expression(cond: &Cond) -> Result<KeyCondition> {
    let mut out = KeyCondition::default();
    collect(cond, &mut out)?;
    Ok(out)
}

fn collect(cond: &Cond, out: &mut KeyCondition) -> Result<()> {
    let (op, operands): (KeyOp, Vec<&Operand>) = match cond {
        Cond::And(a, b) => {
            collect(a, out)?;
            return collect(b, out);
        }
        Cond::Or(..) => return Err(invalid_operator("OR")),
        Cond::Not(..) => return Err(invalid_operator("NOT")),
        Cond::In(..) => return Err(invalid_operator("IN")),
        Cond::Compare(Comparator::Ne, ..) => return Err(invalid_operator("<>")),
        Cond::Exists(..) => return Err(invalid_operator("attribute_exists")),
        Cond::NotExists(..) => return Err(invalid_operator("attribute_not_exists")),
        Cond::Type(..) => return Err(invalid_operator("attribute_type")),
        Cond::Contains(..) => return Err(invalid_operator("contains")),
        Cond::Between(x, lo, hi) => {
            if !matches!(x, Operand::Path(_)) {
                check_nested(&[x, lo, hi])?;
                return Err(invalid_condition(
                    "BETWEEN operator must have the key attribute as its first operand",
                ));
            }
            (KeyOp::Between, vec![x, lo, hi])
        }
        Cond::BeginsWith(x, prefix) => {
            if !matches!(x, Operand::Path(_)) {
                check_nested(&[x, prefix])?;
                return Err(invalid_condition(
                    "begins_with operator must have the key attribute as its first operand",
                ));
            }
            (KeyOp::BeginsWith, vec![x, prefix])
        }
        Cond::Compare(cmp, a, b) => {
            // `:v < pk` is `pk > :v`.
            let flipped = !matches!(a, Operand::Path(_)) && matches!(b, Operand::Path(_));
            let op = match (cmp, flipped) {
                (Comparator::Eq, _) => KeyOp::Eq,
                (Comparator::Lt, false) | (Comparator::Gt, true) => KeyOp::Lt,
                (Comparator::Le, false) | (Comparator::Ge, true) => KeyOp::Le,
                (Comparator::Gt, false) | (Comparator::Lt, true) => KeyOp::Gt,
                (Comparator::Ge, false) | (Comparator::Le, true) => KeyOp::Ge,
                (Comparator::Ne, _) => return Err(invalid_operator("<>")),
            };
            (op, if flipped { vec![b, a] } else { vec![a, b] })
        }
    };
    check_nested(&operands)?;
    let mut attribute: Option<&Path> = None;
    let mut values = Vec::new();
    for operand in &operands {
        match operand {
            Operand::Path(p) => {
                if attribute.is_some() {
                    return Err(invalid_condition(
                        "Multiple attribute names used in one condition",
                    ));
                }
                if p.0.len() > 1 {
                    return Err(DynamoError::validation(
                        "KeyConditionExpressions cannot have conditions on nested attributes",
                    ));
                }
                attribute = Some(p);
            }
            Operand::Value(v) => values.push(v.clone()),
            Operand::Size(_) => {}
        }
    }
    let Some(Some(PathElem::Attr(name))) = attribute.map(|p| p.0.first()) else {
        return Err(invalid_condition("No key attribute specified"));
    };
    if out.term(name).is_some() {
        return Err(DynamoError::validation(
            "KeyConditionExpressions must only contain one condition per key",
        ));
    }
    out.terms.push(KeyTerm {
        attribute: name.clone(),
        op,
        values,
    });
    Ok(())
}

fn check_nested(operands: &[&Operand]) -> Result<()> {
    if operands.iter().any(|o| matches!(o, Operand::Size(_))) {
        return Err(DynamoError::validation(
            "KeyConditionExpressions cannot contain nested operations",
        ));
    }
    Ok(())
}

/// Compiles legacy `KeyConditions`: each entry is checked as any legacy condition is
/// (argument count and types), then kept as a key term.
pub fn from_legacy(conditions: &HashMap<String, FilterCondition>) -> Result<KeyCondition> {
    let mut terms = Vec::new();
    for (name, condition) in legacy::sorted(conditions) {
        let (op, values) = legacy::checked_condition(name, condition)?;
        let op = match op {
            "EQ" => KeyOp::Eq,
            "LT" => KeyOp::Lt,
            "LE" => KeyOp::Le,
            "GT" => KeyOp::Gt,
            "GE" => KeyOp::Ge,
            "BETWEEN" => KeyOp::Between,
            "BEGINS_WITH" => KeyOp::BeginsWith,
            _ => KeyOp::NotIndexable,
        };
        terms.push(KeyTerm {
            attribute: name.clone(),
            op,
            values,
        });
    }
    Ok(KeyCondition { terms })
}
