//! TransactGetItems: up to 100 items by key from one or more tables, read at one point in
//! time. All keys are read under [`KeyLocks`], so the answer holds every concurrent
//! write transaction whole or not at all; a key an in-flight write transaction holds
//! cancels the read with `TransactionConflict` (storage/locks.rs has the rule).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::get_item;
use super::transact_write_items::{MAX_ACTIONS, MAX_TRANSACTION_BYTES};
use crate::common::json;
use crate::dynamodb::capacity::{self, ConsumedCapacity};
use crate::dynamodb::error::{CancellationReason, Constraints, DynamoError, Result};
use crate::dynamodb::expr::{self, ExpressionParams, Projection};
use crate::dynamodb::model::{Item, ItemOut, PrimaryKey, RawItem};
use crate::dynamodb::storage::locks::KeyLocks;
use crate::dynamodb::storage::Table;
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub transact_items: Option<Vec<TransactGetItem>>,
    pub return_consumed_capacity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactGetItem {
    pub get: Option<Get>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Get {
    pub table_name: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub key: Option<RawItem>,
    pub projection_expression: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_names: Option<HashMap<String, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
    /// One entry per Get, in request order; `{}` when there is no such item.
    pub responses: Vec<ItemResponse>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemOut>,
}

/// One Get after its key values and projection were validated.
struct Read {
    table_name: String,
    key: Item,
    projection: Option<Projection>,
}

pub struct TransactGetItems;

impl Operation for TransactGetItems {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        check_constraints(&input)?;
        let mode = input.return_consumed_capacity.as_deref();
        let reads = parse_reads(input.transact_items.unwrap_or_default())?;
        let tables = ctx.tables(reads.iter().map(|r| r.table_name.as_str()))?;
        for (read, table) in reads.iter().zip(&tables) {
            table.schema.check_no_empty_key_values(&read.key)?;
        }
        let keys: Vec<Result<PrimaryKey>> = reads
            .iter()
            .zip(&tables)
            .map(|(read, table)| {
                let key = table.schema.key_from_map(&read.key)?;
                if let Some(p) = &read.projection {
                    p.check_key_attributes(&table.schema)?;
                }
                Ok(key)
            })
            .collect();
        let mut seen = HashSet::new();
        for (key, table) in keys.iter().zip(&tables) {
            if let Ok(key) = key {
                if !seen.insert((table.uid, key)) {
                    return Err(DynamoError::validation(
                        "Transaction request cannot include multiple operations on one item",
                    ));
                }
            }
        }
        let keys = super::transact_write_items::cancel_failed(keys)?;

        let targets: Vec<(&Table, &PrimaryKey)> =
            tables.iter().map(|t| t.as_ref()).zip(keys.iter()).collect();
        let locks = KeyLocks::lock(&targets);
        if let Some(held) = (0..targets.len()).find(|i| locks.in_flight(*i)) {
            return Err(super::transact_write_items::cancelled(
                held,
                targets.len(),
                CancellationReason::conflict(),
            ));
        }
        let stored: Vec<_> = (0..targets.len()).map(|i| locks.get(i).cloned()).collect();
        drop(locks);

        let mut responses = Vec::with_capacity(reads.len());
        let mut units: Vec<(&str, capacity::Consumed)> = Vec::new();
        let mut bytes = 0;
        for (read, stored) in reads.iter().zip(stored) {
            let (item, cost) = get_item::answer(stored, read.projection.as_ref(), true)?;
            bytes += item.as_ref().map_or(0, ItemOut::size);
            if bytes > MAX_TRANSACTION_BYTES {
                return Err(DynamoError::validation(
                    "Total size of the items in the transaction exceeds the maximum of 4 MB",
                ));
            }
            responses.push(ItemResponse { item });
            // Transactional reads cost twice the units of strongly consistent ones.
            capacity::add_for(
                &mut units,
                &read.table_name,
                &capacity::Consumed::table_only(2.0 * cost),
            );
        }
        Ok(Output {
            consumed_capacity: capacity::report_tables(
                mode,
                units.iter().map(|(t, u)| (*t, u)),
                false,
            ),
            responses,
        })
    }
}

/// The member constraints, all reported at once in DynamoDB's order.
fn check_constraints(input: &Input) -> Result<()> {
    let mut c = Constraints::new();
    validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
    match &input.transact_items {
        None => c.missing("transactItems"),
        Some(items) => {
            let shown = validate::shown_list(items.len());
            validate::length(&mut c, "transactItems", &shown, items.len(), 1, MAX_ACTIONS);
            for (i, item) in items.iter().enumerate() {
                // Coral numbers list members from 1.
                let path = format!("transactItems.{}.member.get", i + 1);
                match &item.get {
                    None => c.missing(&path),
                    Some(get) => {
                        validate::required(&mut c, format_args!("{path}.key"), get.key.as_ref());
                        validate::table_name(
                            &mut c,
                            &format!("{path}.tableName"),
                            get.table_name.as_deref(),
                        );
                    }
                }
            }
        }
    }
    Ok(c.finish()?)
}

/// Each Get in request order, checked as GetItem checks its members.
fn parse_reads(items: Vec<TransactGetItem>) -> Result<Vec<Read>> {
    items
        .into_iter()
        .filter_map(|item| item.get)
        .map(|get| {
            let params = ExpressionParams {
                projection_expression: get.projection_expression.as_deref(),
                names: get.expression_attribute_names.as_ref(),
                ..Default::default()
            };
            expr::check_params(&params)?;
            let key = validate::item(get.key.unwrap_or_default())?;
            Ok(Read {
                table_name: get.table_name.unwrap_or_default(),
                key,
                projection: expr::compile(&params)?.projection,
            })
        })
        .collect()
}
