//! DynamoDB's capacity arithmetic, and the `ConsumedCapacity` member that reports it when
//! `ReturnConsumedCapacity` asks.
//!
//! Every rule lives here; the operations only say what they read or wrote:
//! - A write costs the table one unit per started KB of the larger of the old and new
//!   item (at least one), and each secondary index what its entry did: nothing when the
//!   item is in the index neither before nor after, or its entry did not change; one
//!   write of the entry when it arrives, leaves, or changes in place; a delete of the old
//!   entry plus a put of the new one when the index key changed. Each index write is
//!   priced on the projected entry's size, as table writes are on items. Transactions pay
//!   all of it twice.
//! - A read costs one unit per started 4 KB (half for eventually consistent reads). A
//!   Query or Scan of an index charges the index on the entries it read; a local index
//!   that must fetch unprojected attributes also charges the table for every item it
//!   fetched, each priced on its own whole size.
//! - `TOTAL` reports the sum; `INDEXES` also reports the table's part (`Table`) and each
//!   touched index's part (`GlobalSecondaryIndexes`, `LocalSecondaryIndexes`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::dynamodb::model::EncodedItem;
use crate::dynamodb::storage::index::Index;
use crate::dynamodb::storage::Table;

pub use crate::dynamodb::storage::consumed::{add_for, Consumed};

#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumedCapacity {
    pub table_name: String,
    pub capacity_units: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_capacity_units: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_capacity_units: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<Capacity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_secondary_indexes: Option<BTreeMap<String, Capacity>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_secondary_indexes: Option<BTreeMap<String, Capacity>>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Capacity {
    pub capacity_units: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_capacity_units: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_capacity_units: Option<f64>,
}

/// Write units: one per started KB of the larger of the old and new item, at least one.
pub fn write_units(old_size: usize, new_size: usize) -> f64 {
    (old_size.max(new_size).div_ceil(1024)).max(1) as f64
}

/// Read units: one per started 4 KB, at least one, halved for eventually consistent reads.
pub fn read_units(size: usize, consistent: bool) -> f64 {
    let units = size.div_ceil(4096).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// What replacing `old` by `new` (either absent) costs `table` and its indexes. The
/// indexes are priced only when `with_indexes` (someone will report them): that needs
/// each index's projection of both images.
pub fn write(
    table: &Table,
    old: Option<&EncodedItem>,
    new: Option<&EncodedItem>,
    with_indexes: bool,
) -> Consumed {
    let size = |i: Option<&EncodedItem>| i.map_or(0, EncodedItem::size);
    let mut consumed = Consumed::table_only(write_units(size(old), size(new)));
    if with_indexes {
        for index in table.indexes() {
            let units = index_write_units(&index, old, new);
            if units > 0.0 {
                consumed.charge_index(index.name(), index.is_global(), units);
            }
        }
    }
    consumed
}

/// What replacing `old` by `new` costs one index (the rules in the module comment).
pub fn index_write_units(
    index: &Index,
    old: Option<&EncodedItem>,
    new: Option<&EncodedItem>,
) -> f64 {
    let entry = |item: Option<&EncodedItem>| {
        let item = item?;
        Some((index.index_key(item)?, index.entry(item)))
    };
    let put = |e: &EncodedItem| write_units(e.size(), 0);
    match (entry(old), entry(new)) {
        (None, None) => 0.0,
        (Some((_, e)), None) | (None, Some((_, e))) => put(&e),
        (Some((old_key, old_entry)), Some((new_key, new_entry))) => {
            if old_key != new_key {
                put(&old_entry) + put(&new_entry)
            } else if old_entry == new_entry {
                0.0
            } else {
                write_units(old_entry.size(), new_entry.size())
            }
        }
    }
}

/// The units of one Query or Scan page: `entry_bytes` read from the table or from
/// `index`, plus `fetched` table units (a local index's fetches).
pub fn page(index: Option<&Index>, entry_bytes: usize, fetched: f64, consistent: bool) -> Consumed {
    let read = read_units(entry_bytes, consistent);
    match index {
        None => Consumed::table_only(read),
        Some(index) => {
            let mut consumed = Consumed::table_only(fetched);
            consumed.charge_index(index.name(), index.is_global(), read);
            consumed
        }
    }
}

/// The `ConsumedCapacity` member for `ReturnConsumedCapacity` = `mode`, if any.
pub fn report(
    mode: Option<&str>,
    table: &str,
    consumed: &Consumed,
    is_write: bool,
) -> Option<ConsumedCapacity> {
    let split = |u: f64| {
        if is_write {
            (None, Some(u))
        } else {
            (Some(u), None)
        }
    };
    let capacity = |u: f64| {
        let (read, write) = split(u);
        Capacity {
            capacity_units: u,
            read_capacity_units: read,
            write_capacity_units: write,
        }
    };
    let total = consumed.total();
    match mode {
        Some("TOTAL") => Some(ConsumedCapacity {
            table_name: table.to_owned(),
            capacity_units: total,
            read_capacity_units: None,
            write_capacity_units: None,
            table: None,
            local_secondary_indexes: None,
            global_secondary_indexes: None,
        }),
        Some("INDEXES") => {
            let (read, write) = split(total);
            let indexes = |global: bool| {
                let map: BTreeMap<String, Capacity> = consumed
                    .indexes
                    .iter()
                    .filter(|i| i.global == global)
                    .map(|i| (i.name.clone(), capacity(i.units)))
                    .collect();
                (!map.is_empty()).then_some(map)
            };
            Some(ConsumedCapacity {
                table_name: table.to_owned(),
                capacity_units: total,
                read_capacity_units: read,
                write_capacity_units: write,
                table: Some(capacity(consumed.table)),
                local_secondary_indexes: indexes(false),
                global_secondary_indexes: indexes(true),
            })
        }
        _ => None,
    }
}

/// The batch operations' `ConsumedCapacity`: one entry per table, each table's units
/// summed over its requests.
pub fn report_tables<'a>(
    mode: Option<&str>,
    tables: impl IntoIterator<Item = (&'a str, &'a Consumed)>,
    is_write: bool,
) -> Option<Vec<ConsumedCapacity>> {
    matches!(mode, Some("TOTAL" | "INDEXES")).then(|| {
        tables
            .into_iter()
            .filter_map(|(table, consumed)| report(mode, table, consumed, is_write))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        assert_eq!(write_units(0, 10), 1.0);
        assert_eq!(write_units(1025, 10), 2.0);
        assert_eq!(write_units(0, 2048), 2.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(10, false), 0.5);
    }

    #[test]
    fn indexes_are_reported_apart_and_in_the_total() {
        let mut consumed = Consumed::table_only(1.0);
        consumed.charge_index("g", true, 2.0);
        consumed.charge_index("l", false, 1.0);
        let total = report(Some("TOTAL"), "t", &consumed, true).unwrap();
        assert_eq!(total.capacity_units, 4.0);
        assert_eq!(total.table, None);
        let indexes = report(Some("INDEXES"), "t", &consumed, true).unwrap();
        assert_eq!(indexes.write_capacity_units, Some(4.0));
        assert_eq!(indexes.table.unwrap().capacity_units, 1.0);
        assert_eq!(
            indexes.global_secondary_indexes.unwrap()["g"].capacity_units,
            2.0
        );
        assert_eq!(
            indexes.local_secondary_indexes.unwrap()["l"].capacity_units,
            1.0
        );
        assert_eq!(report(None, "t", &consumed, true), None);
    }
}
