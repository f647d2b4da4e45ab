//! DynamoDB's capacity arithmetic, reported only when `ReturnConsumedCapacity` asks.

use serde::Serialize;

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

/// The `ConsumedCapacity` member for `ReturnConsumedCapacity` = `mode`, if any.
pub fn report(
    mode: Option<&str>,
    table: &str,
    units: f64,
    is_write: bool,
) -> Option<ConsumedCapacity> {
    let split = |u: f64| {
        if is_write {
            (None, Some(u))
        } else {
            (Some(u), None)
        }
    };
    match mode {
        Some("TOTAL") => Some(ConsumedCapacity {
            table_name: table.to_owned(),
            capacity_units: units,
            read_capacity_units: None,
            write_capacity_units: None,
            table: None,
        }),
        Some("INDEXES") => {
            let (read, write) = split(units);
            Some(ConsumedCapacity {
                table_name: table.to_owned(),
                capacity_units: units,
                read_capacity_units: read,
                write_capacity_units: write,
                table: Some(Capacity {
                    capacity_units: units,
                    read_capacity_units: read,
                    write_capacity_units: write,
                }),
            })
        }
        _ => None,
    }
}

/// The batch operations' `ConsumedCapacity`: one entry per table, each table's units
/// summed over its requests.
pub fn report_tables<'a>(
    mode: Option<&str>,
    tables: impl IntoIterator<Item = (&'a str, f64)>,
    is_write: bool,
) -> Option<Vec<ConsumedCapacity>> {
    matches!(mode, Some("TOTAL" | "INDEXES")).then(|| {
        tables
            .into_iter()
            .filter_map(|(table, units)| report(mode, table, units, is_write))
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
}
