//! TransactWriteItems: up to 100 Put, Update, Delete and ConditionCheck actions over one
//! or more tables, applied all together or not at all.
//!
//! Every action goes through the shared decision step ([`write::decide`]) with all of the
//! transaction's keys held ([`Transaction`]): every condition is evaluated and every new
//! item built first, and only when all succeed are the writes applied, so no other request
//! sees part of a transaction (the locking rules are in `storage/locks.rs`). A failed
//! action cancels the whole transaction with one reason per action, in request order.
//!
//! Errors come in DynamoDB's order: member constraints, then each action's expressions and
//! values in request order, then the tables, the keys' empty values, duplicate targets,
//! and finally the per-action cancellations (mistyped keys, conditions, update errors).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::write::{self, Change, ItemCollectionMetrics, Returns};
use crate::common::json;
use crate::dynamodb::capacity::{self, Consumed, ConsumedCapacity};
use crate::dynamodb::error::{CancellationReason, Constraints, DynamoError, Result};
use crate::dynamodb::expr::{self, Compiled, ExpressionParams};
use crate::dynamodb::model::{EncodedItem, Item, PrimaryKey, RawAttributeValue, RawItem};
use crate::dynamodb::storage::locks::Transaction;
use crate::dynamodb::storage::tokens::{TokenUse, Units};
use crate::dynamodb::storage::{Table, Write};
use crate::dynamodb::{validate, Ctx, Operation};

/// Actions per transaction (TransactGetItems has the same bound).
pub const MAX_ACTIONS: usize = 100;
/// The summed size of a transaction's items (TransactGetItems: of its answer).
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;
/// `ClientRequestToken` length bound.
const MAX_TOKEN_LENGTH: usize = 36;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub transact_items: Option<Vec<TransactWriteItem>>,
    pub return_consumed_capacity: Option<String>,
    pub return_item_collection_metrics: Option<String>,
    pub client_request_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactWriteItem {
    pub condition_check: Option<ActionInput>,
    pub put: Option<ActionInput>,
    pub delete: Option<ActionInput>,
    pub update: Option<ActionInput>,
}

/// The members of the four action shapes (each shape uses its own subset).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ActionInput {
    pub table_name: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub item: Option<RawItem>,
    #[serde(default, deserialize_with = "json::map")]
    pub key: Option<RawItem>,
    pub update_expression: Option<String>,
    pub condition_expression: Option<String>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, deserialize_with = "json::map")]
    pub expression_attribute_values: Option<HashMap<String, RawAttributeValue>>,
    pub return_values_on_condition_check_failure: Option<String>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
    /// As BatchWriteItem's: per table with local secondary indexes, the item collections
    /// the transaction wrote to. A replayed request (same `ClientRequestToken`) answers
    /// without them: it wrote nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<BTreeMap<String, Vec<ItemCollectionMetrics>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    ConditionCheck,
    Put,
    Delete,
    Update,
}

impl Kind {
    /// The member name in constraint paths.
    fn member(self) -> &'static str {
        match self {
            Kind::ConditionCheck => "conditionCheck",
            Kind::Put => "put",
            Kind::Delete => "delete",
            Kind::Update => "update",
        }
    }
}

/// One action after its values and expressions were validated.
struct Action {
    kind: Kind,
    table_name: String,
    /// The whole item of a Put, the key of the others.
    item: Item,
    /// A Put's size, measured once for the 400 KB limit.
    size: usize,
    compiled: Compiled,
    old_on_condition_failure: bool,
}

pub struct TransactWriteItems;

impl Operation for TransactWriteItems {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        check_constraints(&input)?;
        let mode = input.return_consumed_capacity.as_deref();
        let token = input.client_request_token.clone();
        let (actions, fingerprint) =
            parse_actions(input.transact_items.unwrap_or_default(), token.is_some())?;

        // Without a catalog the namespace has no tables, so `run` refuses the request
        // before any token would matter.
        let catalog = ctx.db.catalog(ctx.ns);
        let guard = match (token, &catalog) {
            (Some(token), Some(catalog)) => {
                match catalog
                    .tokens
                    .begin(&token, fingerprint, ctx.now_millis())?
                {
                    TokenUse::Replay(units) => return Ok(output(mode, units, None)),
                    TokenUse::New(guard) => Some(guard),
                }
            }
            _ => None,
        };
        let wants_metrics = input.return_item_collection_metrics.as_deref() == Some("SIZE");
        let (units, metrics) = run(
            ctx,
            &actions,
            mode.is_some_and(|m| m != "NONE"),
            wants_metrics,
        )?;
        if let Some(guard) = guard {
            guard.done(units.clone(), ctx.now_millis());
        }
        Ok(output(mode, units, metrics))
    }
}

fn output(
    mode: Option<&str>,
    units: Units,
    metrics: Option<BTreeMap<String, Vec<ItemCollectionMetrics>>>,
) -> Output {
    Output {
        consumed_capacity: capacity::report_tables(
            mode,
            units.iter().map(|(t, u)| (t.as_str(), u)),
            true,
        ),
        item_collection_metrics: metrics,
    }
}

/// The member constraints, all reported at once in DynamoDB's order.
fn check_constraints(input: &Input) -> Result<()> {
    let mut c = Constraints::new();
    if let Some(token) = &input.client_request_token {
        validate::length(
            &mut c,
            "clientRequestToken",
            token,
            token.chars().count(),
            1,
            MAX_TOKEN_LENGTH,
        );
    }
    validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
    validate::return_item_collection_metrics(
        &mut c,
        input.return_item_collection_metrics.as_deref(),
    );
    match &input.transact_items {
        None => c.missing("transactItems"),
        Some(items) => {
            let shown = validate::shown_list(items.len());
            validate::length(&mut c, "transactItems", &shown, items.len(), 1, MAX_ACTIONS);
            for (i, item) in items.iter().enumerate() {
                for (kind, action) in members(item) {
                    // Coral numbers list members from 1.
                    let path = format!("transactItems.{}.member.{}", i + 1, kind.member());
                    action_constraints(&mut c, &path, kind, action);
                }
            }
        }
    }
    Ok(c.finish()?)
}

fn members(item: &TransactWriteItem) -> impl Iterator<Item = (Kind, &ActionInput)> {
    [
        (Kind::ConditionCheck, item.condition_check.as_ref()),
        (Kind::Put, item.put.as_ref()),
        (Kind::Delete, item.delete.as_ref()),
        (Kind::Update, item.update.as_ref()),
    ]
    .into_iter()
    .filter_map(|(kind, action)| Some((kind, action?)))
}

fn action_constraints(c: &mut Constraints, path: &str, kind: Kind, action: &ActionInput) {
    match kind {
        Kind::Put => validate::required(c, format_args!("{path}.item"), action.item.as_ref()),
        _ => validate::required(c, format_args!("{path}.key"), action.key.as_ref()),
    }
    validate::table_name(
        c,
        &format!("{path}.tableName"),
        action.table_name.as_deref(),
    );
    if kind == Kind::Update {
        validate::required(
            c,
            format_args!("{path}.updateExpression"),
            action.update_expression.as_ref(),
        );
    }
    if kind == Kind::ConditionCheck {
        validate::required(
            c,
            format_args!("{path}.conditionExpression"),
            action.condition_expression.as_ref(),
        );
    }
    validate::enum_value(
        c,
        &format!("{path}.returnValuesOnConditionCheckFailure"),
        action.return_values_on_condition_check_failure.as_deref(),
        validate::RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
    );
}

/// Each action in request order: exactly one kind, then its expression parameters, its
/// values, the 400 KB limit and its expressions, as the single-item operations check them.
/// Also returns the request's identity for `ClientRequestToken`, when `identify`.
fn parse_actions(items: Vec<TransactWriteItem>, identify: bool) -> Result<(Vec<Action>, String)> {
    if items.iter().any(|i| members(i).count() == 0) {
        return Err(DynamoError::validation(
            "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request",
        ));
    }
    if items.iter().any(|i| members(i).count() > 1) {
        return Err(DynamoError::validation(
            "TransactItems can only contain one of Check, Put, Update or Delete",
        ));
    }
    let mut actions = Vec::with_capacity(items.len());
    let mut fingerprint = String::new();
    let mut total = 0;
    for item in &items {
        let Some((kind, action)) = members(item).next() else {
            continue;
        };
        let operation_expressions: &[&str] = match kind {
            Kind::Update => &["UpdateExpression", "ConditionExpression"],
            _ => &["ConditionExpression"],
        };
        let params = ExpressionParams {
            condition_expression: action.condition_expression.as_deref(),
            update_expression: action.update_expression.as_deref(),
            names: action.expression_attribute_names.as_ref(),
            values: action.expression_attribute_values.as_ref(),
            operation_expressions,
            ..Default::default()
        };
        expr::check_params(&params)?;
        let raw = match kind {
            Kind::Put => action.item.clone(),
            _ => action.key.clone(),
        };
        let values = validate::item(raw.unwrap_or_default())?;
        let size = match kind {
            Kind::Put => validate::put_item_size(&values)?,
            _ => 0,
        };
        total += size;
        let compiled = expr::compile(&params)?;
        if identify {
            identity(&mut fingerprint, kind, action, &values)?;
        }
        actions.push(Action {
            kind,
            table_name: action.table_name.clone().unwrap_or_default(),
            item: values,
            size,
            compiled,
            old_on_condition_failure: action.return_values_on_condition_check_failure.as_deref()
                == Some("ALL_OLD"),
        });
    }
    if total > MAX_TRANSACTION_BYTES {
        return Err(DynamoError::validation(
            "Transaction request cannot exceed the maximum size of 4 MB",
        ));
    }
    Ok((actions, fingerprint))
}

/// Appends one action's identity to the request's: everything that decides what the
/// transaction does, maps sorted, so an equal request sent in another member order is
/// the same request.
fn identity(
    fingerprint: &mut String,
    kind: Kind,
    action: &ActionInput,
    values: &Item,
) -> Result<()> {
    let sorted_values = validate::attribute_values(action.expression_attribute_values.clone())?
        .map(|v| v.into_iter().collect::<BTreeMap<_, _>>());
    let sorted_names = action
        .expression_attribute_names
        .as_ref()
        .map(|n| n.iter().collect::<BTreeMap<_, _>>());
    fingerprint.push_str(&format!(
        "{kind:?}|{:?}|{values:?}|{:?}|{:?}|{sorted_names:?}|{sorted_values:?}|{:?}\n",
        action.table_name,
        action.update_expression,
        action.condition_expression,
        action.return_values_on_condition_check_failure,
    ));
    Ok(())
}

/// The item collections a transaction wrote to, per table that has them.
type Metrics = Option<BTreeMap<String, Vec<ItemCollectionMetrics>>>;

/// Resolves the tables and keys, then runs the transaction; the units per table (each
/// index's too when `price_indexes`) and, when `wants_metrics`, the item collections it
/// wrote to.
fn run(
    ctx: &Ctx,
    actions: &[Action],
    price_indexes: bool,
    wants_metrics: bool,
) -> Result<(Units, Metrics)> {
    let tables = ctx.tables(actions.iter().map(|a| a.table_name.as_str()))?;
    for (action, table) in actions.iter().zip(&tables) {
        table.schema.check_no_empty_key_values(&action.item)?;
    }
    // A key that does not fit its table cancels its action rather than the request.
    let keys: Vec<Result<PrimaryKey>> = actions
        .iter()
        .zip(&tables)
        .map(|(action, table)| {
            let key = match action.kind {
                Kind::Put => table.schema.key_of_item(&action.item)?,
                _ => table.schema.key_from_map(&action.item)?,
            };
            if let Some(update) = &action.compiled.update {
                update.check_key_attributes(&table.schema)?;
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
    let keys = cancel_failed(keys)?;

    let targets: Vec<(&Table, &PrimaryKey)> =
        tables.iter().map(|t| t.as_ref()).zip(keys.iter()).collect();
    let mut txn = Transaction::begin(&targets)
        .map_err(|held| cancelled(held, actions.len(), CancellationReason::conflict()))?;

    // Decide every action before writing anything.
    let decided: Vec<Result<(Write, Consumed)>> = actions
        .iter()
        .zip(&targets)
        .enumerate()
        .map(|(i, (action, (table, key)))| {
            let stored = txn.get(i);
            let returns = Returns {
                old_on_condition_failure: action.old_on_condition_failure,
                ..Returns::from_members(None, None, None, None)
            };
            let change = match action.kind {
                Kind::Put => Change::Put(EncodedItem::encode_sized(&action.item, action.size)),
                Kind::Update => Change::Update(action.compiled.update.as_ref()),
                Kind::Delete => Change::Delete,
                Kind::ConditionCheck => Change::Check,
            };
            let (write, _) = write::decide(
                table,
                key,
                stored,
                action.compiled.condition.as_ref(),
                change,
                &returns,
            )?;
            let new = match &write {
                Write::Put(item) => {
                    // Secondary index key types and item collection sizes, as every writer
                    // of whole items checks them (each action against the collection as it
                    // was before the transaction).
                    table.check_index_keys(item)?;
                    table.check_item_collection(stored, item)?;
                    Some(item)
                }
                _ => None,
            };
            // A ConditionCheck is priced as a write of the item it read, touching no index.
            let consumed = match &write {
                Write::Keep => Consumed::table_only(capacity::write_units(
                    stored.map_or(0, EncodedItem::size),
                    0,
                )),
                _ => capacity::write(table, stored, new, price_indexes),
            };
            // Transactional writes cost twice the units of plain ones.
            Ok((write, consumed.scaled(2.0)))
        })
        .collect();
    let decided = cancel_failed(decided)?;

    let mut units: Units = Vec::new();
    let mut written = Vec::new();
    // ConsumedCapacity and ItemCollectionMetrics name each table as the request did (name
    // or ARN).
    for (i, ((write, cost), action)) in decided.into_iter().zip(actions).enumerate() {
        if !matches!(write, Write::Keep) {
            written.push(i);
        }
        txn.apply(i, write);
        capacity::add_for(&mut units, action.table_name.clone(), &cost);
    }
    drop(txn);
    let mut metrics: BTreeMap<String, Vec<ItemCollectionMetrics>> = BTreeMap::new();
    if wants_metrics {
        for i in written {
            let (table, key) = (&tables[i], &keys[i]);
            let Some(m) = write::collection_metrics(table, key) else {
                continue;
            };
            let list = metrics.entry(actions[i].table_name.clone()).or_default();
            if !list.contains(&m) {
                list.push(m);
            }
        }
    }
    Ok((units, (!metrics.is_empty()).then_some(metrics)))
}

/// The values when every action succeeded; otherwise the cancellation, with `None` for
/// the actions that did not fail. An error that is not about its action fails the request.
pub(super) fn cancel_failed<T>(results: Vec<Result<T>>) -> Result<Vec<T>> {
    if results.iter().all(Result::is_ok) {
        return Ok(results.into_iter().flatten().collect());
    }
    let mut reasons = Vec::with_capacity(results.len());
    for result in results {
        reasons.push(match result {
            Ok(_) => CancellationReason::NONE,
            Err(e) => CancellationReason::of(e.clone()).ok_or(e)?,
        });
    }
    Err(DynamoError::TransactionCanceled { reasons })
}

/// The cancellation of `len` actions because of action `at` alone.
pub(super) fn cancelled(at: usize, len: usize, reason: CancellationReason) -> DynamoError {
    let mut reasons = vec![CancellationReason::NONE; len];
    reasons[at] = reason;
    DynamoError::TransactionCanceled { reasons }
}
