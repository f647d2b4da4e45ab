//! GetItem: one item by key, optionally projected.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::dynamodb::error::{Constraints, Result};
use crate::dynamodb::expr::{self, ExpressionParams};
use crate::dynamodb::model::{Item, RawItem};
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    pub key: Option<RawItem>,
    pub consistent_read: Option<bool>,
    pub projection_expression: Option<String>,
    pub attributes_to_get: Option<Vec<String>>,
    pub expression_attribute_names: Option<HashMap<String, String>>,
    pub return_consumed_capacity: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

pub struct GetItem;

impl Operation for GetItem {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        validate::table_name(&mut c, "tableName", input.table_name.as_deref());
        if input.key.is_none() {
            c.missing("key");
        }
        validate::enum_value(
            &mut c,
            "returnConsumedCapacity",
            input.return_consumed_capacity.as_deref(),
            validate::RETURN_CONSUMED_CAPACITY,
        );
        c.finish()?;
        let key = validate::item(input.key.unwrap_or_default())?;
        let projection = expr::compile(&ExpressionParams {
            projection_expression: input.projection_expression.as_deref(),
            attributes_to_get: input.attributes_to_get.as_deref(),
            names: input.expression_attribute_names.as_ref(),
            ..Default::default()
        })?
        .projection;
        let table = ctx.table(input.table_name.as_deref().unwrap_or_default())?;
        let key = table.schema.key_from_map(&key)?;
        let item = table.with_item(&key, |item| {
            item.map(|i| match &projection {
                Some(p) => p.apply(i),
                None => i.clone(),
            })
        });
        Ok(Output { item })
    }
}
