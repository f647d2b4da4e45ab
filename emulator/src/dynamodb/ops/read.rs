//! The page reader Query and Scan share: walk a span of the table's key order, stop at
//! `Limit` or 1 MB of items read, filter, project, count, and price the page.
//!
//! DynamoDB counts a page's work on the items it reads, before the filter: `Limit` caps
//! the items read (`ScannedCount`), the 1 MB cap is on their summed sizes, and read units
//! are charged on that sum. When either cap stops the page, `LastEvaluatedKey` is the key
//! of the last item read, even if no item follows it, as DynamoDB answers.

use serde::Serialize;

use crate::dynamodb::capacity::{self, ConsumedCapacity};
use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::expr::{Condition, Projection};
use crate::dynamodb::model::{Item, ItemOut, KeySchema, PrimaryKey, RawItem};
use crate::dynamodb::ops::write::decode;
use crate::dynamodb::storage::index::Index;
use crate::dynamodb::storage::{Span, Table};
use crate::dynamodb::validate;

/// 1 MB: the most item data one Query or Scan page reads.
pub const PAGE_BYTES: usize = 1024 * 1024;

/// `Select`, after its combination with the projection has been checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    AllAttributes,
    AllProjected,
    Specific,
    Count,
}

pub const SELECT_VALUES: &[&str] = &[
    "SPECIFIC_ATTRIBUTES",
    "COUNT",
    "ALL_ATTRIBUTES",
    "ALL_PROJECTED_ATTRIBUTES",
];

impl Select {
    /// Checks `Select` against the projection parameters and the index, as DynamoDB does
    /// before reading anything. `verb` is "Querying" or "Scanning".
    pub fn resolve(
        select: Option<&str>,
        projection_expression: bool,
        attributes_to_get: bool,
        index: bool,
        verb: &str,
    ) -> Result<Select> {
        let projected = projection_expression || attributes_to_get;
        let projection_name = if projection_expression {
            "ProjectionExpression"
        } else {
            "AttributesToGet"
        };
        let select = match select {
            None if projected => return Ok(Select::Specific),
            None => return Ok(Select::AllAttributes),
            Some(s) => s,
        };
        if select == "ALL_PROJECTED_ATTRIBUTES" && !index {
            return Err(DynamoError::validation(format!(
                "ALL_PROJECTED_ATTRIBUTES can be used only when {verb} using an IndexName"
            )));
        }
        let resolved = match select {
            "SPECIFIC_ATTRIBUTES" => Select::Specific,
            "COUNT" => Select::Count,
            "ALL_PROJECTED_ATTRIBUTES" => Select::AllProjected,
            _ => Select::AllAttributes,
        };
        if resolved == Select::Specific && !projected {
            return Err(DynamoError::validation(
                "Must specify the AttributesToGet or ProjectionExpression when choosing to get \
                 SPECIFIC_ATTRIBUTES",
            ));
        }
        if resolved != Select::Specific && projected {
            return Err(DynamoError::validation(format!(
                "Cannot specify the {projection_name} when choosing to get {select}"
            )));
        }
        Ok(resolved)
    }
}

/// What one page reads and how it answers.
pub struct PageRequest<'a> {
    pub table: &'a Table,
    /// The table as the request named it (name or ARN), which `ConsumedCapacity` echoes.
    pub table_reference: &'a str,
    /// The secondary index read instead of the table.
    pub index: Option<IndexRead<'a>>,
    pub span: Span,
    pub forward: bool,
    pub limit: Option<usize>,
    pub filter: Option<&'a Condition>,
    pub projection: Option<&'a Projection>,
    pub select: Select,
    pub consistent: bool,
    pub return_consumed_capacity: Option<&'a str>,
}

/// A read of a secondary index. `fetch_from_table`: each entry is replaced by its table
/// item, for a local index asked for (or filtering on) attributes it does not project.
#[derive(Clone, Copy)]
pub struct IndexRead<'a> {
    pub index: &'a Index,
    pub fetch_from_table: bool,
}

/// The members Query and Scan answer with.
#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct Page {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ItemOut>>,
    pub count: usize,
    pub scanned_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_evaluated_key: Option<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

pub fn read_page(req: PageRequest) -> Result<Page> {
    // A page sees each transaction whole or not at all (storage/locks.rs).
    let _gate = req.table.read_page_gate();
    let mut items = Vec::new();
    let (mut count, mut scanned, mut bytes) = (0, 0, 0);
    // Priced apart from the 1 MB cap: the entries read, and a local index's fetches.
    let (mut entry_bytes, mut fetched) = (0, 0.0);
    let mut last = None;
    let mut capped = false;
    let range = match req.index {
        Some(i) => i.index.range(req.span, req.forward),
        None => req.table.range(req.span, req.forward),
    };
    for (_, entry) in range {
        let stored = match req.index {
            Some(i) if i.fetch_from_table => {
                // The item may have gone since the entry was copied; then so has the entry.
                match i.index.table_key(&entry).and_then(|k| req.table.get(&k)) {
                    Some(item) => {
                        fetched += capacity::read_units(item.size(), req.consistent);
                        item
                    }
                    None => continue,
                }
            }
            _ => entry.clone(),
        };
        scanned += 1;
        bytes += stored.size();
        entry_bytes += entry.size();
        let keep = match req.filter {
            Some(filter) => filter.evaluate(Some(&decode(&stored)?))?,
            None => true,
        };
        if keep {
            count += 1;
            // A local index's table item was fetched for the filter alone: the answer
            // still holds what the index projects.
            let answer = match req.select {
                Select::AllProjected => &entry,
                _ => &stored,
            };
            if req.select != Select::Count {
                items.push(match req.projection {
                    Some(p) => ItemOut::Owned(p.apply(&decode(answer)?)),
                    None => ItemOut::Stored(answer.clone()),
                });
            }
        }
        if req.limit.is_some_and(|l| scanned >= l) || bytes >= PAGE_BYTES {
            last = Some(entry);
            capped = true;
            break;
        }
    }
    let last_evaluated_key = match (capped, last) {
        (true, Some(entry)) => Some(match req.index {
            Some(i) => i.index.key_item(&entry),
            None => req.table.key_item(&entry),
        }),
        _ => None,
    };
    Ok(Page {
        items: (req.select != Select::Count).then_some(items),
        count,
        scanned_count: scanned,
        last_evaluated_key,
        consumed_capacity: capacity::report(
            req.return_consumed_capacity,
            req.table_reference,
            &capacity::page(
                req.index.map(|i| i.index),
                entry_bytes,
                fetched,
                req.consistent,
            ),
            false,
        ),
    })
}

/// `ExclusiveStartKey`'s values, validated before the table is known. DynamoDB words most
/// failures as "The provided starting key is invalid: ...", but not the number and set
/// ones, which keep their usual wording.
pub fn start_key_values(raw: Option<RawItem>) -> Result<Option<Item>> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    validate::item(raw).map(Some).map_err(|e| match e {
        DynamoError::Validation(m) if !keeps_wording(&m) => {
            DynamoError::validation(format!("{INVALID_START_KEY}: {m}"))
        }
        other => other,
    })
}

fn keeps_wording(message: &str) -> bool {
    [
        "contains duplicates",
        "number set",
        "numeric value",
        "significant digits",
        "number with magnitude",
    ]
    .iter()
    .any(|m| message.contains(m))
}

pub const INVALID_START_KEY: &str = "The provided starting key is invalid";

/// The table key named by `ExclusiveStartKey`, checked against the schema.
pub fn start_key(table: &Table, key: &Item) -> Result<PrimaryKey> {
    table.schema.key_from_map(key).map_err(|e| {
        DynamoError::validation(format!(
            "{INVALID_START_KEY}: {}",
            e.message().unwrap_or_default()
        ))
    })
}

/// Query refuses filters on the key attributes of what it reads (Scan allows them).
pub fn check_filter_attributes(
    schema: &KeySchema,
    filter: Option<&Condition>,
    legacy_name: Option<&str>,
) -> Result<()> {
    let Some(filter) = filter else {
        return Ok(());
    };
    let what = legacy_name.unwrap_or("Filter Expression");
    match filter
        .attribute_heads()
        .into_iter()
        .find(|a| schema.is_key_attribute(a))
    {
        Some(key) => Err(DynamoError::validation(format!(
            "{what} can only contain non-primary key attributes: Primary key attribute: {key}"
        ))),
        None => Ok(()),
    }
}

/// The index a Query or Scan names, checked as DynamoDB does once the table is known:
/// it exists, is read consistently only if local, and `ALL_ATTRIBUTES` is read from a
/// global index only if it projects everything. Without `Select` (and no projection), an
/// index answers its projected attributes.
/// What a Query or Scan reads: the table, or the index `index_name` names (with the
/// `Select` it resolves to and whether items must be fetched from the table).
pub fn read_target(
    table: &Table,
    now: i64,
    index_name: Option<&str>,
    consistent: bool,
    select: Select,
    explicit_select: bool,
    filter: Option<&Condition>,
) -> Result<(Option<std::sync::Arc<Index>>, Select, bool)> {
    match index_name {
        Some(name) => {
            let (index, select, fetch) = index_read(
                table,
                now,
                name,
                consistent,
                select,
                explicit_select,
                filter,
            )?;
            Ok((Some(index), select, fetch))
        }
        None => Ok((None, select, false)),
    }
}

fn index_read(
    table: &Table,
    now: i64,
    name: &str,
    consistent: bool,
    select: Select,
    explicit_select: bool,
    filter: Option<&Condition>,
) -> Result<(std::sync::Arc<Index>, Select, bool)> {
    let index = table.index(name).ok_or_else(|| {
        DynamoError::validation(format!(
            "The table does not have the specified index: {name}"
        ))
    })?;
    // A global index UpdateTable added is readable once its backfill is over (with a
    // status delay, once it reports ACTIVE).
    if index.is_global() && (index.is_backfilling() || index.is_creating(now)) {
        return Err(DynamoError::validation(
            "Cannot read from backfilling global secondary index",
        ));
    }
    if index.is_global() && consistent {
        return Err(DynamoError::validation(
            "Consistent reads are not supported on global secondary indexes",
        ));
    }
    let select = if select == Select::AllAttributes && !explicit_select {
        Select::AllProjected
    } else {
        select
    };
    let projects_all = index.spec.projection == crate::dynamodb::storage::index::Projection::All;
    if index.is_global() && select == Select::AllAttributes && !projects_all {
        return Err(DynamoError::invalid_parameter(format!(
            "Select type ALL_ATTRIBUTES is not supported for global secondary index {name} \
             because its projection type is not ALL"
        )));
    }
    let filters_unprojected =
        filter.is_some_and(|f| f.attribute_heads().iter().any(|a| !index.projects(a)));
    let fetch = !index.is_global()
        && !projects_all
        && (matches!(select, Select::AllAttributes | Select::Specific) || filters_unprojected);
    Ok((index, select, fetch))
}

/// `ExclusiveStartKey` for an index: the table key and the index key, each checked.
pub fn index_start_key(table: &Table, index: &Index, key: &Item) -> Result<Vec<u8>> {
    let mut names: Vec<&str> = table
        .schema
        .key_names()
        .chain(index.spec.schema.key_names())
        .collect();
    names.sort_unstable();
    names.dedup();
    if key.len() != names.len() || names.iter().any(|n| !key.contains_key(*n)) {
        return Err(DynamoError::validation(INVALID_START_KEY));
    }
    let table_key = start_key(table, &key_part(&table.schema, key))?;
    let index_key = index
        .spec
        .schema
        .key_from_map(&key_part(&index.spec.schema, key))
        .map_err(|e| {
            DynamoError::validation(format!(
                "{INVALID_START_KEY}: {}",
                e.message().unwrap_or_default()
            ))
        })?;
    Ok(crate::dynamodb::storage::index::start_entry_key(
        &index_key, &table_key,
    ))
}

/// The attributes of `key` that `schema` names.
pub fn key_part(schema: &KeySchema, key: &Item) -> Item {
    schema
        .key_names()
        .filter_map(|n| Some((n.to_owned(), key.get(n)?.clone())))
        .collect()
}
