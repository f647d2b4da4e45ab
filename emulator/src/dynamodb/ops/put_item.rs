//! PutItem: replaces a whole item, optionally under a condition.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::dynamodb::capacity::{self, ConsumedCapacity};
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::expr::{self, ExpectedAttributeValue, ExpressionParams};
use crate::dynamodb::model::{item_size, Item, RawAttributeValue, RawItem, MAX_ITEM_SIZE};
use crate::dynamodb::storage::Write;
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    pub item: Option<RawItem>,
    pub condition_expression: Option<String>,
    pub expected: Option<HashMap<String, ExpectedAttributeValue>>,
    pub conditional_operator: Option<String>,
    pub expression_attribute_names: Option<HashMap<String, String>>,
    pub expression_attribute_values: Option<HashMap<String, RawAttributeValue>>,
    pub return_values: Option<String>,
    pub return_consumed_capacity: Option<String>,
    pub return_item_collection_metrics: Option<String>,
    pub return_values_on_condition_check_failure: Option<String>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

pub struct PutItem;

impl Operation for PutItem {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        validate::table_name(&mut c, "tableName", input.table_name.as_deref());
        if input.item.is_none() {
            c.missing("item");
        }
        validate::write_return_enums(
            &mut c,
            input.return_values.as_deref(),
            input.return_consumed_capacity.as_deref(),
            input.return_item_collection_metrics.as_deref(),
            input.return_values_on_condition_check_failure.as_deref(),
        );
        c.finish()?;
        validate::only_all_old_or_none(input.return_values.as_deref())?;
        let item = validate::item(input.item.unwrap_or_default())?;
        let compiled = expr::compile(&ExpressionParams {
            condition_expression: input.condition_expression.as_deref(),
            expected: input.expected.as_ref(),
            conditional_operator: input.conditional_operator.as_deref(),
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.as_ref(),
            ..Default::default()
        })?;

        let table = ctx.table(input.table_name.as_deref().unwrap_or_default())?;
        let key = table.schema.key_of_item(&item)?;
        let new_size = item_size(&item);
        if new_size > MAX_ITEM_SIZE {
            return Err(DynamoError::validation(
                "Item size has exceeded the maximum allowed size",
            ));
        }
        let return_old_on_failure =
            input.return_values_on_condition_check_failure.as_deref() == Some("ALL_OLD");
        let (old, ()) = table.write(&key, |old| {
            if let Some(condition) = &compiled.condition {
                if !condition.evaluate(old)? {
                    return Err(DynamoError::ConditionalCheckFailed {
                        item: old.filter(|_| return_old_on_failure).cloned(),
                    });
                }
            }
            Ok((Write::Put(item), ()))
        })?;
        let units = capacity::write_units(old.as_ref().map_or(0, item_size), new_size);
        Ok(Output {
            consumed_capacity: capacity::report(
                input.return_consumed_capacity.as_deref(),
                &table.name,
                units,
                true,
            ),
            attributes: old.filter(|_| input.return_values.as_deref() == Some("ALL_OLD")),
        })
    }
}
