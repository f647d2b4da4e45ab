//! BatchGetItem: up to 100 items by key from one or more tables, each table with its own
//! projection and consistency, answered within DynamoDB's 16 MB response limit.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::get_item;
use crate::common::json;
use crate::dynamodb::capacity::{self, ConsumedCapacity};
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::expr::{self, ExpressionParams, Projection};
use crate::dynamodb::model::{Item, ItemOut, RawItem};
use crate::dynamodb::{validate, Ctx, Operation};

/// Keys per request, over all tables.
pub const MAX_KEYS: usize = 100;
/// Tables per request (the `RequestItems` map's bound).
pub const MAX_TABLES: usize = 100;
/// The response's item data limit: once the next item would take the answer past it, that
/// key and every key after it are returned in `UnprocessedKeys`.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    #[serde(default, deserialize_with = "json::map")]
    pub request_items: Option<BTreeMap<String, KeysAndAttributes>>,
    pub return_consumed_capacity: Option<String>,
}

/// One table's part of the request (the type name is the Coral class the errors name).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeysAndAttributes {
    pub keys: Option<Vec<RawItem>>,
    pub attributes_to_get: Option<Vec<String>>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub consistent_read: Option<bool>,
    pub projection_expression: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_names: Option<HashMap<String, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
    /// Every requested table, with the items found (none is an empty list).
    pub responses: BTreeMap<String, Vec<ItemOut>>,
    /// Always present; empty unless the 16 MB limit was reached (the emulator never
    /// throttles).
    pub unprocessed_keys: BTreeMap<String, UnprocessedKeys>,
}

/// The keys left for a later call, with their table's parameters as sent.
#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct UnprocessedKeys {
    pub keys: Vec<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes_to_get: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistent_read: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection_expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression_attribute_names: Option<HashMap<String, String>>,
}

/// One table's validated request.
struct TableRead {
    name: String,
    keys: Vec<Item>,
    projection: Option<Projection>,
    /// The request's own parameters, echoed with any unprocessed keys.
    params: UnprocessedKeys,
}

pub struct BatchGetItem;

impl Operation for BatchGetItem {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        check_constraints(&input)?;
        let mode = input.return_consumed_capacity.as_deref();
        let reads = parse_tables(input.request_items.unwrap_or_default())?;

        // Every table must exist before any key is checked against its schema.
        let tables = ctx.tables(reads.iter().map(|r| r.name.as_str()))?;
        let mut keys = Vec::with_capacity(reads.len());
        for (read, table) in reads.iter().zip(&tables) {
            let mut seen = HashSet::new();
            let mut table_keys = Vec::with_capacity(read.keys.len());
            for key in &read.keys {
                let key = table.schema.key_from_map(key)?;
                validate::first_use(&mut seen, &key)?;
                table_keys.push(key);
            }
            if let Some(p) = &read.projection {
                p.check_key_attributes(&table.schema)?;
            }
            keys.push(table_keys);
        }

        let mut budget = MAX_RESPONSE_BYTES;
        let mut full = false;
        let mut responses = BTreeMap::new();
        let mut unprocessed = BTreeMap::new();
        let mut units_by_table = Vec::with_capacity(reads.len());
        for ((read, table), table_keys) in reads.into_iter().zip(&tables).zip(keys) {
            let consistent = read.params.consistent_read.unwrap_or(false);
            let mut found = Vec::new();
            let mut left = Vec::new();
            let mut units = 0.0;
            for (sent, key) in read.keys.into_iter().zip(table_keys) {
                if full {
                    left.push(sent);
                    continue;
                }
                let (item, cost) =
                    get_item::read(table, &key, read.projection.as_ref(), consistent)?;
                if let Some(item) = item {
                    if item.size() > budget {
                        full = true;
                        left.push(sent);
                        continue;
                    }
                    budget -= item.size();
                    found.push(item);
                }
                units += cost;
            }
            if !left.is_empty() {
                unprocessed.insert(
                    read.name.clone(),
                    UnprocessedKeys {
                        keys: left,
                        ..read.params
                    },
                );
            }
            units_by_table.push((read.name.clone(), capacity::Consumed::table_only(units)));
            responses.insert(read.name, found);
        }
        Ok(Output {
            consumed_capacity: capacity::report_tables(
                mode,
                units_by_table.iter().map(|(name, u)| (name.as_str(), u)),
                false,
            ),
            responses,
            unprocessed_keys: unprocessed,
        })
    }
}

/// The member constraints, all reported at once in DynamoDB's order.
fn check_constraints(input: &Input) -> Result<()> {
    let mut c = Constraints::new();
    validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
    validate::request_items(&mut c, input.request_items.as_ref(), MAX_TABLES);
    if let Some(items) = &input.request_items {
        for (name, request) in items {
            let path = format!("requestItems.{name}.member.keys");
            match &request.keys {
                None => c.missing(&path),
                Some(keys) => {
                    let shown = validate::shown_list(keys.len());
                    validate::length(&mut c, &path, &shown, keys.len(), 1, MAX_KEYS);
                }
            }
            validate::attributes_to_get(
                &mut c,
                &format!("requestItems.{name}.member.attributesToGet"),
                request.attributes_to_get.as_deref(),
            );
        }
    }
    Ok(c.finish()?)
}

/// Per table, in name order, in GetItem's order: which expression parameters are present,
/// the key values (counting keys over all tables as it goes), then the expressions.
fn parse_tables(items: BTreeMap<String, KeysAndAttributes>) -> Result<Vec<TableRead>> {
    let mut total = 0;
    let mut reads = Vec::with_capacity(items.len());
    for (name, request) in items {
        let raw_keys = request.keys.unwrap_or_default();
        let params = ExpressionParams {
            projection_expression: request.projection_expression.as_deref(),
            attributes_to_get: request.attributes_to_get.as_deref(),
            names: request.expression_attribute_names.as_ref(),
            ..Default::default()
        };
        expr::check_params(&params)?;
        let mut keys = Vec::with_capacity(raw_keys.len());
        for raw in raw_keys {
            keys.push(validate::item(raw)?);
            total += 1;
            if total > MAX_KEYS {
                return Err(DynamoError::validation(
                    "Too many items requested for the BatchGetItem call",
                ));
            }
        }
        let projection = expr::compile(&params)?.projection;
        reads.push(TableRead {
            name,
            keys,
            projection,
            params: UnprocessedKeys {
                keys: Vec::new(),
                attributes_to_get: request.attributes_to_get,
                consistent_read: request.consistent_read,
                projection_expression: request.projection_expression,
                expression_attribute_names: request.expression_attribute_names,
            },
        });
    }
    Ok(reads)
}
