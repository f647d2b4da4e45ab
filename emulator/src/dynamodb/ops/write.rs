//! The conditional-write pipeline PutItem, UpdateItem, DeleteItem, BatchWriteItem and
//! TransactWriteItems share.
//!
//! [`decide`] is the one decision step: the condition check (failing with the old item
//! when `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`), building the new item and the
//! size limit. Single-item writes run it inside the item's atomic read-modify-write
//! ([`Table::write`]) through [`apply`], which then does the capacity arithmetic and the
//! `ReturnValues` selection; transactions run it for every action under their locks before
//! writing anything.

use serde::Serialize;

use crate::dynamodb::capacity::{self, ConsumedCapacity};
use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::expr::{Condition, Update};
use crate::dynamodb::model::{item_size, EncodedItem, Item, PrimaryKey, MAX_ITEM_SIZE};
use crate::dynamodb::storage::{Table, Write};

/// What the write does to the item, once its condition holds.
pub enum Change<'a> {
    /// Replace the whole item (PutItem), already measured against the 400 KB limit and
    /// encoded outside any lock.
    Put(EncodedItem),
    /// Apply an update to the item, or to a new item made of the key alone (UpdateItem
    /// upserts). `None` is an UpdateItem without any update: it still creates the item.
    Update(Option<&'a Update>),
    /// Remove the item, if there is one (DeleteItem).
    Delete,
    /// Write nothing: only the condition matters (a transaction's ConditionCheck).
    Check,
}

/// `ReturnValues`, parsed once the member is known to be valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReturnValues {
    #[default]
    None,
    AllOld,
    UpdatedOld,
    AllNew,
    UpdatedNew,
}

impl ReturnValues {
    pub fn parse(value: Option<&str>) -> ReturnValues {
        match value {
            Some("ALL_OLD") => ReturnValues::AllOld,
            Some("UPDATED_OLD") => ReturnValues::UpdatedOld,
            Some("ALL_NEW") => ReturnValues::AllNew,
            Some("UPDATED_NEW") => ReturnValues::UpdatedNew,
            _ => ReturnValues::None,
        }
    }

    fn wants_new(self) -> bool {
        matches!(self, ReturnValues::AllNew | ReturnValues::UpdatedNew)
    }
}

/// How the answer of a write is shaped.
pub struct Returns<'a> {
    pub values: ReturnValues,
    /// `ReturnValuesOnConditionCheckFailure` = `ALL_OLD`.
    pub old_on_condition_failure: bool,
    /// `ReturnConsumedCapacity` as sent (already validated).
    pub consumed_capacity: Option<&'a str>,
}

impl<'a> Returns<'a> {
    /// From the (validated) `ReturnValues`, `ReturnValuesOnConditionCheckFailure` and
    /// `ReturnConsumedCapacity` members.
    pub fn from_members(
        return_values: Option<&str>,
        on_condition_check_failure: Option<&str>,
        consumed_capacity: Option<&'a str>,
    ) -> Self {
        Returns {
            values: ReturnValues::parse(return_values),
            old_on_condition_failure: on_condition_check_failure == Some("ALL_OLD"),
            consumed_capacity,
        }
    }
}

/// The members every single-item write answers with.
///
/// `ItemCollectionMetrics` is never returned: DynamoDB reports it only for tables with
/// local secondary indexes, which this emulator does not support yet, so a valid
/// `ReturnItemCollectionMetrics` = `SIZE` is accepted and has nothing to report.
#[derive(Serialize, Default, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// Runs one conditional write of the item at `key` and shapes its answer. `reference` is
/// the table as the request named it (name or ARN), which `ConsumedCapacity` echoes.
pub fn write(
    table: &Table,
    reference: &str,
    key: &PrimaryKey,
    condition: Option<&Condition>,
    change: Change,
    returns: &Returns,
) -> Result<Output> {
    let applied = apply(table, key, condition, change, returns)?;
    Ok(Output {
        attributes: applied.attributes,
        consumed_capacity: capacity::report(
            returns.consumed_capacity,
            reference,
            applied.units,
            true,
        ),
    })
}

/// What one write did: the `ReturnValues` selection and the write units it consumed.
pub struct Applied {
    pub attributes: Option<Item>,
    pub units: f64,
}

/// The write itself, for callers that report capacity their own way (BatchWriteItem sums
/// it per table); `returns.consumed_capacity` is not looked at.
pub fn apply(
    table: &Table,
    key: &PrimaryKey,
    condition: Option<&Condition>,
    change: Change,
    returns: &Returns,
) -> Result<Applied> {
    let update = match &change {
        Change::Update(update) => *update,
        _ => None,
    };
    let written = table.write(key, |stored| {
        decide(table, key, stored, condition, change, returns)
    })?;

    let (old_size, new_size) = written.sizes();
    let units = capacity::write_units(old_size, new_size);
    let old = || written.old.as_ref().map(decode).transpose();
    let attributes = match returns.values {
        ReturnValues::None => None,
        ReturnValues::AllOld => old()?,
        ReturnValues::AllNew => written.extra,
        ReturnValues::UpdatedOld => old()?.and_then(|o| updated_part(update, &o)),
        ReturnValues::UpdatedNew => written.extra.and_then(|n| updated_part(update, &n)),
    };
    Ok(Applied { attributes, units })
}

/// Decides one conditional write of the item at `key`, now `stored`: checks the condition
/// and builds the item to store. Returns the write and, when `returns` wants the new item,
/// its decoded form.
pub fn decide(
    table: &Table,
    key: &PrimaryKey,
    stored: Option<&EncodedItem>,
    condition: Option<&Condition>,
    change: Change,
    returns: &Returns,
) -> Result<(Write, Option<Item>)> {
    // The stored item is decoded only when its content matters: for the condition or as
    // the base of an update. A plain PutItem or DeleteItem never decodes it.
    let needs_old = condition.is_some() || matches!(change, Change::Update(_));
    let old = if needs_old {
        stored.map(decode).transpose()?
    } else {
        None
    };
    if let Some(condition) = condition {
        if !condition.evaluate(old.as_ref())? {
            return Err(DynamoError::ConditionalCheckFailed {
                item: old.filter(|_| returns.old_on_condition_failure),
            });
        }
    }
    match change {
        Change::Put(item) => Ok((Write::Put(item), None)),
        Change::Update(update) => {
            let (item, size) = updated_item(table, key, old, update)?;
            let encoded = EncodedItem::encode_sized(&item, size);
            // The answer may need the new item; keep the decoded form for it.
            Ok((
                Write::Put(encoded),
                returns.values.wants_new().then_some(item),
            ))
        }
        Change::Delete => Ok((Write::Delete, None)),
        Change::Check => Ok((Write::Keep, None)),
    }
}

/// A stored item's content; only a buffer the engine did not write fails.
pub fn decode(item: &EncodedItem) -> Result<Item> {
    item.decode()
        .ok_or_else(|| DynamoError::Internal("corrupt stored item".to_owned()))
}

/// The item an update produces, with its size: applied to the decoded stored item, or
/// to the key alone when there is none, and within 400 KB. (Updates of key attributes were
/// refused by `Update::check_key_attributes` before the item was read.)
fn updated_item(
    table: &Table,
    key: &PrimaryKey,
    old: Option<Item>,
    update: Option<&Update>,
) -> Result<(Item, usize)> {
    let base = old.unwrap_or_else(|| table.schema.key_item(key));
    let item = match update {
        Some(update) => update.apply(base)?,
        None => base,
    };
    debug_assert!(
        table.schema.key_of_item(&item).ok().as_ref() == Some(key),
        "an update changed the item's key"
    );
    let size = item_size(&item);
    if size > MAX_ITEM_SIZE {
        return Err(DynamoError::validation(
            "Item size to update has exceeded the maximum allowed size",
        ));
    }
    Ok((item, size))
}

/// `UPDATED_OLD`/`UPDATED_NEW`: only the attributes the update touched; nothing at all
/// when none of them is there.
fn updated_part(update: Option<&Update>, item: &Item) -> Option<Item> {
    let part = update?.updated_paths().apply(item);
    (!part.is_empty()).then_some(part)
}
