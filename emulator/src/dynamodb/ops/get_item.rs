//! GetItem: one item by key, optionally projected.

use std::collections::HashMap;

use crate::common::json;
use serde::{Deserialize, Serialize};

use crate::dynamodb::capacity::{self, ConsumedCapacity};
use crate::dynamodb::error::{Constraints, Result};
use crate::dynamodb::expr::{self, ExpressionParams, Projection};
use crate::dynamodb::model::{EncodedItem, ItemOut, PrimaryKey, RawItem};
use crate::dynamodb::ops::write::decode;
use crate::dynamodb::storage::Table;
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub key: Option<RawItem>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub consistent_read: Option<bool>,
    pub projection_expression: Option<String>,
    pub attributes_to_get: Option<Vec<String>>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_names: Option<HashMap<String, String>>,
    pub return_consumed_capacity: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

pub struct GetItem;

impl Operation for GetItem {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        // DynamoDB's order of constraint failures for GetItem.
        let mut c = Constraints::new();
        validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
        validate::attributes_to_get(
            &mut c,
            "attributesToGet",
            input.attributes_to_get.as_deref(),
        );
        validate::table_name(&mut c, "tableName", input.table_name.as_deref());
        validate::required(&mut c, "key", input.key.as_ref());
        c.finish()?;
        let params = ExpressionParams {
            projection_expression: input.projection_expression.as_deref(),
            attributes_to_get: input.attributes_to_get.as_deref(),
            names: input.expression_attribute_names.as_ref(),
            ..Default::default()
        };
        // Which parameters are present is checked before any key or item value.
        expr::check_params(&params)?;
        let key = validate::item(input.key.unwrap_or_default())?;
        let projection = expr::compile(&params)?.projection;
        let reference = input.table_name.as_deref().unwrap_or_default();
        let table = ctx.table(reference)?;
        let key = table.schema.key_from_map(&key)?;
        if let Some(p) = &projection {
            p.check_key_attributes(&table.schema)?;
        }
        let consistent = input.consistent_read.unwrap_or(false);
        let (item, units) = read(&table, &key, projection.as_ref(), consistent)?;
        Ok(Output {
            item,
            consumed_capacity: capacity::report(
                input.return_consumed_capacity.as_deref(),
                reference,
                &capacity::Consumed::table_only(units),
                false,
            ),
        })
    }
}

/// Reads one item by key for an answer, projected if asked, with the read units it costs.
/// GetItem and BatchGetItem read through here.
pub fn read(
    table: &Table,
    key: &PrimaryKey,
    projection: Option<&Projection>,
    consistent: bool,
) -> Result<(Option<ItemOut>, f64)> {
    answer(table.get(key), projection, consistent)
}

/// The answer for a `stored` item (or none), projected if asked, with the read units it
/// costs: charged on the whole stored item whatever the projection keeps, and the minimum
/// when there is no item.
pub fn answer(
    stored: Option<EncodedItem>,
    projection: Option<&Projection>,
    consistent: bool,
) -> Result<(Option<ItemOut>, f64)> {
    let units = capacity::read_units(stored.as_ref().map_or(0, EncodedItem::size), consistent);
    let item = match (stored, projection) {
        (None, _) => None,
        (Some(stored), None) => Some(ItemOut::Stored(stored)),
        (Some(stored), Some(p)) => Some(ItemOut::Owned(p.apply(&decode(&stored)?))),
    };
    Ok((item, units))
}
