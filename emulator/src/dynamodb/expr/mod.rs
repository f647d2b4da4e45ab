//! The expression language: one parser and one evaluator for every operation.
//!
//! Operations hand all their expression-related parameters to [`compile`] at once, because
//! DynamoDB's checks span them: expression and legacy parameters may not be mixed,
//! `ExpressionAttributeNames`/`Values` must each be used by some expression, and so on.
//! The legacy parameters (`Expected`, `AttributeUpdates`, `AttributesToGet`,
//! `ConditionalOperator`) compile into the same trees as the expressions do.
//!
//! STATUS: interface only; the parser and evaluator are being written (see issue 2).

pub mod legacy;

use std::collections::HashMap;

use super::error::{DynamoError, Result};
use super::model::{Item, RawAttributeValue};
pub use legacy::{AttributeValueUpdate, ExpectedAttributeValue};

/// Every expression-related parameter of one request.
#[derive(Default)]
pub struct ExpressionParams<'a> {
    pub condition_expression: Option<&'a str>,
    pub update_expression: Option<&'a str>,
    pub projection_expression: Option<&'a str>,
    pub expected: Option<&'a HashMap<String, ExpectedAttributeValue>>,
    pub conditional_operator: Option<&'a str>,
    pub attribute_updates: Option<&'a HashMap<String, AttributeValueUpdate>>,
    pub attributes_to_get: Option<&'a [String]>,
    pub names: Option<&'a HashMap<String, String>>,
    pub values: Option<&'a HashMap<String, RawAttributeValue>>,
}

/// The compiled expressions of one request.
#[derive(Default, Debug)]
pub struct Compiled {
    pub condition: Option<Condition>,
    pub update: Option<Update>,
    pub projection: Option<Projection>,
}

#[derive(Debug)]
pub struct Condition {}

impl Condition {
    /// Whether the condition holds for `item` (`None`: no item at that key).
    pub fn evaluate(&self, _item: Option<&Item>) -> Result<bool> {
        Err(DynamoError::Internal(
            "condition evaluation is not implemented yet".into(),
        ))
    }
}

#[derive(Debug)]
pub struct Update {}

impl Update {
    /// Applies the update to `item` in place (the key attributes are already there).
    pub fn apply(&self, _item: &mut Item) -> Result<()> {
        Err(DynamoError::Internal(
            "updates are not implemented yet".into(),
        ))
    }

    /// A projection of the attributes this update touches (for `UPDATED_OLD`/`UPDATED_NEW`).
    pub fn updated_paths(&self) -> Projection {
        Projection {}
    }
}

#[derive(Debug)]
pub struct Projection {}

impl Projection {
    pub fn apply(&self, item: &Item) -> Item {
        item.clone()
    }
}

/// Parses and validates every expression of a request.
pub fn compile(params: &ExpressionParams) -> Result<Compiled> {
    let any = params.condition_expression.is_some()
        || params.update_expression.is_some()
        || params.projection_expression.is_some()
        || params.expected.is_some()
        || params.attribute_updates.is_some()
        || params.attributes_to_get.is_some();
    if any {
        return Err(DynamoError::Internal(
            "expressions are not implemented yet".into(),
        ));
    }
    Ok(Compiled::default())
}
