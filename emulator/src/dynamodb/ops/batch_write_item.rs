//! BatchWriteItem: up to 25 puts and deletes over one or more tables. Each write is atomic
//! on its own item (the batch as a whole is not) and goes through the single-item write
//! pipeline ([`write::apply`]) without a condition.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::write::{self, Change, ItemCollectionMetrics, Returns};
use crate::common::json;
use crate::dynamodb::capacity::{self, Consumed, ConsumedCapacity};
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::model::{EncodedItem, Item, PrimaryKey, RawItem};
use crate::dynamodb::{validate, Ctx, Operation};

/// Requests per call, over all tables (also the bound of each table's list and of the
/// `RequestItems` map).
pub const MAX_REQUESTS: usize = 25;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    #[serde(default, deserialize_with = "json::map")]
    pub request_items: Option<BTreeMap<String, WriteRequests>>,
    pub return_consumed_capacity: Option<String>,
    pub return_item_collection_metrics: Option<String>,
}

/// One table's list of requests; named so that a misplaced value is reported with Coral's
/// `java.util.List<...WriteRequest>`.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct WriteRequests(pub Vec<WriteRequest>);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteRequest {
    pub put_request: Option<PutRequest>,
    pub delete_request: Option<DeleteRequest>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRequest {
    #[serde(default, deserialize_with = "json::map")]
    pub item: Option<RawItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteRequest {
    #[serde(default, deserialize_with = "json::map")]
    pub key: Option<RawItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
    pub unprocessed_items: NoUnprocessedItems,
    /// Per table with local secondary indexes, the item collections the batch wrote to
    /// (once each, sized after the batch); absent when no such table was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<BTreeMap<String, Vec<ItemCollectionMetrics>>>,
}

/// Always `{}`: the emulator never throttles, so every request of a valid batch is
/// processed.
#[derive(Serialize)]
pub struct NoUnprocessedItems {}

/// A validated request, before its table's key schema is applied.
enum Request {
    /// The item and its size, measured once for the 400 KB limit.
    Put(Item, usize),
    Delete(Item),
}

pub struct BatchWriteItem;

impl Operation for BatchWriteItem {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        check_constraints(&input)?;
        let mode = input.return_consumed_capacity.as_deref();
        let items = input.request_items.unwrap_or_default();
        let total: usize = items.values().map(|list| list.0.len()).sum();
        if total > MAX_REQUESTS {
            return Err(DynamoError::validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }
        let mut batches = Vec::with_capacity(items.len());
        for (name, list) in items {
            batches.push((name, parse_requests(list.0)?));
        }

        // Every table exists and every key fits its schema before anything is written.
        let tables = ctx.tables(batches.iter().map(|(name, _)| name.as_str()))?;
        let mut writes = Vec::with_capacity(batches.len());
        let mut names = Vec::with_capacity(batches.len());
        for ((name, requests), table) in batches.into_iter().zip(&tables) {
            names.push(name);
            let mut seen = HashSet::new();
            let mut table_writes = Vec::with_capacity(requests.len());
            for request in requests {
                let (key, change) = match request {
                    Request::Put(item, size) => {
                        let key = table.schema.key_in_item(&item)?;
                        let encoded = EncodedItem::encode_sized(&item, size);
                        table.check_index_keys(&encoded)?;
                        (key, Change::Put(encoded))
                    }
                    Request::Delete(key) => (table.schema.key_from_map(&key)?, Change::Delete),
                };
                validate::first_use(&mut seen, &key)?;
                table_writes.push((key, change));
            }
            writes.push(table_writes);
        }

        let returns = Returns::from_members(None, None, mode, None);
        let wants_metrics = input.return_item_collection_metrics.as_deref() == Some("SIZE");
        let mut units_by_table = Vec::with_capacity(tables.len());
        let mut metrics = BTreeMap::new();
        for ((table, table_writes), name) in tables.iter().zip(writes).zip(&names) {
            let mut consumed = Consumed::default();
            let mut partitions = Vec::new();
            for (key, change) in table_writes {
                consumed.add(&write::apply(table, &key, None, change, &returns)?.consumed);
                if wants_metrics && !partitions.iter().any(|k: &PrimaryKey| k.hash == key.hash) {
                    partitions.push(key);
                }
            }
            let table_metrics: Vec<ItemCollectionMetrics> = partitions
                .iter()
                .filter_map(|key| write::collection_metrics(table, key))
                .collect();
            if !table_metrics.is_empty() {
                metrics.insert(name.clone(), table_metrics);
            }
            units_by_table.push((name.as_str(), consumed));
        }
        Ok(Output {
            consumed_capacity: capacity::report_tables(
                mode,
                units_by_table.iter().map(|(t, c)| (*t, c)),
                true,
            ),
            unprocessed_items: NoUnprocessedItems {},
            item_collection_metrics: (!metrics.is_empty()).then_some(metrics),
        })
    }
}

/// The member constraints, all reported at once in DynamoDB's order.
fn check_constraints(input: &Input) -> Result<()> {
    let mut c = Constraints::new();
    validate::return_consumed_capacity(&mut c, input.return_consumed_capacity.as_deref());
    validate::return_item_collection_metrics(
        &mut c,
        input.return_item_collection_metrics.as_deref(),
    );
    let shown = validate::request_items(&mut c, input.request_items.as_ref(), MAX_REQUESTS);
    if let (Some(items), Some(shown)) = (&input.request_items, shown) {
        validate::map_entries(
            &mut c,
            "requestItems",
            &shown,
            "value",
            items
                .values()
                .any(|list| !(1..=MAX_REQUESTS).contains(&list.0.len())),
            (1, MAX_REQUESTS),
        );
        for (name, list) in items {
            for (i, request) in list.0.iter().enumerate() {
                // Coral numbers list members from 1.
                let member = i + 1;
                if let Some(delete) = &request.delete_request {
                    validate::required(
                        &mut c,
                        format_args!(
                            "requestItems.{name}.member.{member}.member.deleteRequest.key"
                        ),
                        delete.key.as_ref(),
                    );
                }
                if let Some(put) = &request.put_request {
                    validate::required(
                        &mut c,
                        format_args!("requestItems.{name}.member.{member}.member.putRequest.item"),
                        put.item.as_ref(),
                    );
                }
            }
        }
    }
    Ok(c.finish()?)
}

/// One table's requests: each must hold exactly one of `PutRequest` and `DeleteRequest`
/// (DynamoDB words a request without either in attribute-value terms), then their values
/// are validated and each item measured against the 400 KB limit, as PutItem does before
/// it looks the table up.
fn parse_requests(list: Vec<WriteRequest>) -> Result<Vec<Request>> {
    if list
        .iter()
        .any(|r| r.put_request.is_some() == r.delete_request.is_some())
    {
        return Err(DynamoError::validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly \
             one of the supported datatypes",
        ));
    }
    list.into_iter()
        .map(
            |request| match (request.put_request, request.delete_request) {
                (Some(put), _) => {
                    let item = validate::item(put.item.unwrap_or_default())?;
                    let size = validate::put_item_size(&item)?;
                    Ok(Request::Put(item, size))
                }
                (None, delete) => Ok(Request::Delete(validate::item(
                    delete.and_then(|d| d.key).unwrap_or_default(),
                )?)),
            },
        )
        .collect()
}
