//! UpdateItem: changes some attributes of an item, creating it from its key when it is
//! not there, optionally under a condition. Both `UpdateExpression` and the legacy
//! `AttributeUpdates` compile into the same [`Update`](crate::dynamodb::expr::Update).

use std::collections::HashMap;

use crate::common::json;
use serde::Deserialize;

use super::write::{self, Change, Returns};
use crate::dynamodb::error::{Constraints, Result};
use crate::dynamodb::expr::{self, AttributeValueUpdate, ExpectedAttributeValue, ExpressionParams};
use crate::dynamodb::model::{RawAttributeValue, RawItem};
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub key: Option<RawItem>,
    pub update_expression: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub attribute_updates: Option<HashMap<String, AttributeValueUpdate>>,
    pub condition_expression: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub expected: Option<HashMap<String, ExpectedAttributeValue>>,
    pub conditional_operator: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_values: Option<HashMap<String, RawAttributeValue>>,
    pub return_values: Option<String>,
    pub return_consumed_capacity: Option<String>,
    pub return_item_collection_metrics: Option<String>,
    pub return_values_on_condition_check_failure: Option<String>,
}

pub struct UpdateItem;

impl Operation for UpdateItem {
    type Input = Input;
    type Output = write::Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<write::Output> {
        // DynamoDB's order of constraint failures for UpdateItem.
        let mut c = Constraints::new();
        validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
        validate::table_name(&mut c, "tableName", input.table_name.as_deref());
        validate::return_item_collection_metrics(
            &mut c,
            input.return_item_collection_metrics.as_deref(),
        );
        validate::return_values(&mut c, input.return_values.as_deref());
        validate::required(&mut c, "key", input.key.as_ref());
        validate::return_values_on_condition_check_failure(
            &mut c,
            input.return_values_on_condition_check_failure.as_deref(),
        );
        validate::conditional_operator(&mut c, input.conditional_operator.as_deref());
        expr::legacy::comparison_operators(&mut c, input.expected.as_ref());
        expr::legacy::update_actions(&mut c, input.attribute_updates.as_ref());
        c.finish()?;

        let params = ExpressionParams {
            condition_expression: input.condition_expression.as_deref(),
            update_expression: input.update_expression.as_deref(),
            expected: input.expected.as_ref(),
            conditional_operator: input.conditional_operator.as_deref(),
            attribute_updates: input.attribute_updates.as_ref(),
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.as_ref(),
            operation_expressions: &["UpdateExpression", "ConditionExpression"],
            ..Default::default()
        };
        // Which parameters are present is checked before any key or item value.
        expr::check_params(&params)?;
        let key = validate::item(input.key.unwrap_or_default())?;
        let compiled = expr::compile(&params)?;

        let reference = input.table_name.as_deref().unwrap_or_default();
        let table = ctx.table(reference)?;
        let key = table.schema.key_from_map(&key)?;
        if let Some(update) = &compiled.update {
            update.check_key_attributes(&table.schema)?;
        }
        write::write(
            &table,
            reference,
            &key,
            compiled.condition.as_ref(),
            Change::Update(compiled.update.as_ref()),
            &Returns::from_members(
                input.return_values.as_deref(),
                input.return_values_on_condition_check_failure.as_deref(),
                input.return_consumed_capacity.as_deref(),
                input.return_item_collection_metrics.as_deref(),
            ),
        )
    }
}
