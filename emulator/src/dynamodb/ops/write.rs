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

use crate::dynamodb::capacity::{self, Consumed, ConsumedCapacity};
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
    /// `ReturnItemCollectionMetrics` = `SIZE`.
    pub item_collection_metrics: bool,
}

impl<'a> Returns<'a> {
    /// From the (validated) `ReturnValues`, `ReturnValuesOnConditionCheckFailure`,
    /// `ReturnConsumedCapacity` and `ReturnItemCollectionMetrics` members.
    pub fn from_members(
        return_values: Option<&str>,
        on_condition_check_failure: Option<&str>,
        consumed_capacity: Option<&'a str>,
        item_collection_metrics: Option<&str>,
    ) -> Self {
        Returns {
            values: ReturnValues::parse(return_values),
            old_on_condition_failure: on_condition_check_failure == Some("ALL_OLD"),
            consumed_capacity,
            item_collection_metrics: item_collection_metrics == Some("SIZE"),
        }
    }

    /// Whether capacity is reported, so that index units must be worked out.
    fn prices_indexes(&self) -> bool {
        self.consumed_capacity.is_some_and(|m| m != "NONE")
    }
}

/// The members every single-item write answers with.
#[derive(Serialize, Default, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}

/// The size of the item collection a write touched, reported only for tables with local
/// secondary indexes (only they have item collections).
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ItemCollectionMetrics {
    pub item_collection_key: Item,
    /// A range around the size, in GB: DynamoDB answers the whole gigabytes below and
    /// above it (`[0.0, 1.0]` for any collection under 1 GB).
    #[serde(rename = "SizeEstimateRangeGB")]
    pub size_estimate_range_gb: [f64; 2],
}

/// The metrics of the item collection of `key`'s partition, when `table` has them.
pub fn collection_metrics(table: &Table, key: &PrimaryKey) -> Option<ItemCollectionMetrics> {
    let bytes = table.item_collection_size(&key.hash)?;
    let low = (bytes as f64 / (1u64 << 30) as f64).floor();
    let mut item_collection_key = Item::new();
    item_collection_key.insert(table.schema.hash.name.clone(), key.hash.to_attribute());
    Some(ItemCollectionMetrics {
        item_collection_key,
        size_estimate_range_gb: [low, low + 1.0],
    })
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
            &applied.consumed,
            true,
        ),
        item_collection_metrics: applied.metrics,
    })
}

/// What one write did: the `ReturnValues` selection, the units it consumed (its indexes'
/// only when `returns` reports capacity) and, when asked, its item collection's metrics.
pub struct Applied {
    pub attributes: Option<Item>,
    pub consumed: Consumed,
    pub metrics: Option<ItemCollectionMetrics>,
}

/// The write itself, for callers that report capacity their own way (BatchWriteItem sums
/// it per table).
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

    let consumed = capacity::write(
        table,
        written.old.as_ref(),
        written.new.as_ref(),
        returns.prices_indexes(),
    );
    let metrics = returns
        .item_collection_metrics
        .then(|| collection_metrics(table, key))
        .flatten();
    let old = || written.old.as_ref().map(decode).transpose();
    let attributes = match returns.values {
        ReturnValues::None => None,
        ReturnValues::AllOld => old()?,
        ReturnValues::AllNew => written.extra,
        ReturnValues::UpdatedOld => old()?.and_then(|o| updated_part(update, &o)),
        ReturnValues::UpdatedNew => written.extra.and_then(|n| updated_part(update, &n)),
    };
    Ok(Applied {
        attributes,
        consumed,
        metrics,
    })
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
