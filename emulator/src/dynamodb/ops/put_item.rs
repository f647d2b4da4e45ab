//! PutItem: replaces a whole item, optionally under a condition.

use std::collections::HashMap;

use crate::common::json;
use serde::Deserialize;

use super::write::{self, Change, Returns};
use crate::dynamodb::error::{Constraints, Result};
use crate::dynamodb::expr::{self, ExpectedAttributeValue, ExpressionParams};
use crate::dynamodb::model::{EncodedItem, RawAttributeValue, RawItem};
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub item: Option<RawItem>,
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

pub struct PutItem;

impl Operation for PutItem {
    type Input = Input;
    type Output = write::Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<write::Output> {
        // DynamoDB's order of constraint failures for PutItem.
        let mut c = Constraints::new();
        validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
        validate::table_name(&mut c, "tableName", input.table_name.as_deref());
        validate::required(&mut c, "item", input.item.as_ref());
        validate::return_values(&mut c, input.return_values.as_deref());
        validate::return_item_collection_metrics(
            &mut c,
            input.return_item_collection_metrics.as_deref(),
        );
        validate::return_values_on_condition_check_failure(
            &mut c,
            input.return_values_on_condition_check_failure.as_deref(),
        );
        validate::conditional_operator(&mut c, input.conditional_operator.as_deref());
        expr::legacy::comparison_operators(&mut c, input.expected.as_ref());
        c.finish()?;

        let params = ExpressionParams {
            condition_expression: input.condition_expression.as_deref(),
            expected: input.expected.as_ref(),
            conditional_operator: input.conditional_operator.as_deref(),
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.as_ref(),
            operation_expressions: &["ConditionExpression"],
            ..Default::default()
        };
        // Which parameters are present is checked before any key or item value.
        expr::check_params(&params)?;
        let item = validate::item(input.item.unwrap_or_default())?;
        validate::only_all_old_or_none(input.return_values.as_deref())?;
        // Checked before the table is looked up, as DynamoDB does.
        let size = validate::put_item_size(&item)?;
        let compiled = expr::compile(&params)?;

        let reference = input.table_name.as_deref().unwrap_or_default();
        let table = ctx.table(reference)?;
        let key = table.schema.key_of_item(&item)?;
        // Index key types are checked with the key, before any condition.
        let encoded = EncodedItem::encode_sized(&item, size);
        table.check_index_keys(&encoded)?;
        write::write(
            &table,
            reference,
            &key,
            compiled.condition.as_ref(),
            Change::Put(encoded),
            &Returns::from_members(
                input.return_values.as_deref(),
                input.return_values_on_condition_check_failure.as_deref(),
                input.return_consumed_capacity.as_deref(),
                input.return_item_collection_metrics.as_deref(),
            ),
        )
    }
}
