//! Validation shared by several operations, with DynamoDB's exact wording.

use std::collections::{HashMap, HashSet};

use super::arn::is_arn;
use super::error::{Constraints, DynamoError, Result};
use super::model::{item_size, parse_item, Item, PrimaryKey, RawItem, MAX_ITEM_SIZE};

pub const TABLE_NAME_PATTERN: &str = "[a-zA-Z0-9_.-]+";

fn is_table_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// The table-level operations (CreateTable, DescribeTable, DeleteTable, UpdateTable, the TTL
/// operations) answer a missing `TableName` with a dedicated message before any member
/// constraint; everything else about the name joins the usual constraint list through
/// [`table_name`].
pub fn table_level_table_name(name: Option<&str>) -> Result<()> {
    match name {
        None => Err(DynamoError::validation(
            "The parameter 'TableName' is required but was not present in the request",
        )),
        Some(_) => Ok(()),
    }
}

/// A `TableName` member: today every operation's `TableName` is the `TableArn` shape, a
/// table name or ARN of 1 to 1024 characters; when that holds and the value is a name rather
/// than an ARN, the name's own constraints (pattern, then length 3-255) follow. So `''` gets
/// only the minimum of 1, and `ab` gets the minimum of 3, as DynamoDB answers them now (older
/// recordings had a dedicated "TableName must be at least 3 characters long..." message).
pub fn table_name(c: &mut Constraints, path: &str, name: Option<&str>) {
    let Some(name) = name else {
        c.missing(path);
        return;
    };
    let (min, max) = TABLE_REFERENCE_LENGTH;
    let len = name.chars().count();
    if !(min..=max).contains(&len) {
        length(c, path, name, len, min, max);
    } else if !is_arn(name) {
        name_constraints(c, path, name);
    }
}

/// `IndexName` has the table-name constraints, and may be absent.
pub fn index_name(c: &mut Constraints, name: Option<&str>) {
    if let Some(name) = name {
        name_constraints(c, "indexName", name);
    }
}

/// Pattern, then length 3-255: the constraints of table and index names.
pub fn name_constraints(c: &mut Constraints, path: &str, name: &str) {
    if name.is_empty() || !name.chars().all(is_table_name_char) {
        c.fail(
            name,
            path,
            &format!("Member must satisfy regular expression pattern: {TABLE_NAME_PATTERN}"),
        );
    }
    let len = name.chars().count();
    if len < 3 {
        c.fail(
            name,
            path,
            "Member must have length greater than or equal to 3",
        );
    }
    if len > 255 {
        c.fail(
            name,
            path,
            "Member must have length less than or equal to 255",
        );
    }
}

/// An enum-typed member: DynamoDB lists the allowed values in its own order.
pub fn enum_value(c: &mut Constraints, path: &str, value: Option<&str>, allowed: &[&str]) {
    if let Some(v) = value {
        if !allowed.contains(&v) {
            c.fail(
                v,
                path,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            );
        }
    }
}

/// The size of an item to be put, within the 400 KB limit (PutItem and BatchWriteItem check
/// it before the table is looked up, as DynamoDB does).
pub fn put_item_size(item: &Item) -> Result<usize> {
    let size = item_size(item);
    if size > MAX_ITEM_SIZE {
        return Err(DynamoError::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(size)
}

/// The batch operations refuse a key that a table's list names twice.
pub fn first_use(seen: &mut HashSet<PrimaryKey>, key: &PrimaryKey) -> Result<()> {
    if seen.insert(key.clone()) {
        Ok(())
    } else {
        Err(DynamoError::validation(
            "Provided list of item keys contains duplicates",
        ))
    }
}

/// Validates a raw item or key map into a typed one.
pub fn item(raw: RawItem) -> Result<Item> {
    parse_item(raw)
}

/// Validates expression attribute values (each must be a valid attribute value).
pub fn attribute_values(
    raw: Option<HashMap<String, super::model::RawAttributeValue>>,
) -> Result<Option<HashMap<String, super::model::AttributeValue>>> {
    raw.map(|m| {
        m.into_iter()
            .map(|(k, v)| Ok((k, v.validate()?)))
            .collect::<Result<HashMap<_, _>>>()
    })
    .transpose()
}

pub const RETURN_CONSUMED_CAPACITY: &[&str] = &["INDEXES", "TOTAL", "NONE"];
pub const RETURN_ITEM_COLLECTION_METRICS: &[&str] = &["SIZE", "NONE"];
pub const RETURN_VALUES: &[&str] = &["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"];
pub const RETURN_VALUES_ON_CONDITION_CHECK_FAILURE: &[&str] = &["ALL_OLD", "NONE"];

/// The `ReturnValues` check PutItem and DeleteItem make once every member is valid: the
/// member's enum allows all five values, these two operations only two.
pub fn only_all_old_or_none(return_values: Option<&str>) -> Result<()> {
    match return_values {
        None | Some("NONE") | Some("ALL_OLD") => Ok(()),
        Some(_) => Err(DynamoError::validation(
            "ReturnValues can only be ALL_OLD or NONE",
        )),
    }
}

// One checker per shared enum member. DynamoDB reports constraint failures in an order of
// its own per operation, so each operation calls these in its order.

pub fn return_values(c: &mut Constraints, value: Option<&str>) {
    enum_value(c, "returnValues", value, RETURN_VALUES);
}

pub fn return_consumed_capacity(c: &mut Constraints, value: Option<&str>) {
    enum_value(c, "returnConsumedCapacity", value, RETURN_CONSUMED_CAPACITY);
}

pub fn return_item_collection_metrics(c: &mut Constraints, value: Option<&str>) {
    enum_value(
        c,
        "returnItemCollectionMetrics",
        value,
        RETURN_ITEM_COLLECTION_METRICS,
    );
}

pub fn return_values_on_condition_check_failure(c: &mut Constraints, value: Option<&str>) {
    enum_value(
        c,
        "returnValuesOnConditionCheckFailure",
        value,
        RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
    );
}

pub fn conditional_operator(c: &mut Constraints, value: Option<&str>) {
    enum_value(c, "conditionalOperator", value, &["OR", "AND"]);
}

/// `AttributesToGet`, when present, must name at least one attribute.
pub fn attributes_to_get(c: &mut Constraints, path: &str, value: Option<&[String]>) {
    if value.is_some_and(<[String]>::is_empty) {
        c.fail("[]", path, &min_length(1));
    }
}

fn min_length(min: usize) -> String {
    format!("Member must have length greater than or equal to {min}")
}

fn max_length(max: usize) -> String {
    format!("Member must have length less than or equal to {max}")
}

/// A list or map member of `len` entries within `min..=max`; `shown` is the value as the
/// message prints it.
pub fn length(
    c: &mut Constraints,
    path: &str,
    shown: impl std::fmt::Display + Copy,
    len: usize,
    min: usize,
    max: usize,
) {
    if len < min {
        c.fail(shown, path, &min_length(min));
    }
    if len > max {
        c.fail(shown, path, &max_length(max));
    }
}

/// A batch operation's `RequestItems`: present, 1 to `max` tables, each named by a table
/// reference. Returns how the map is shown in messages, for the entry checks that follow.
pub fn request_items<V>(
    c: &mut Constraints,
    items: Option<&std::collections::BTreeMap<String, V>>,
    max: usize,
) -> Option<String> {
    let Some(items) = items else {
        c.missing("requestItems");
        return None;
    };
    let shown = shown_map(items.keys());
    length(c, "requestItems", &shown, items.len(), 1, max);
    map_entries(
        c,
        "requestItems",
        &shown,
        "keys",
        items.keys().any(|n| !is_table_reference(n)),
        TABLE_REFERENCE_LENGTH,
    );
    Some(shown)
}

/// Coral checks the keys (or values) of a map member against their own shape's
/// constraints and, when one fails, reports the map once, listing every constraint of that
/// shape (maximum first) whether or not it failed:
/// `Map keys must satisfy constraint: [Member must have length less than or equal to 1024,
/// Member must have length greater than or equal to 1]`.
pub fn map_entries(
    c: &mut Constraints,
    path: &str,
    shown: impl std::fmt::Display,
    part: &str,
    any_fails: bool,
    (min, max): (usize, usize),
) {
    if any_fails {
        c.fail(
            shown,
            path,
            &format!(
                "Map {part} must satisfy constraint: [{}, {}]",
                max_length(max),
                min_length(min)
            ),
        );
    }
}

/// `Limit` of Query and Scan: at least 1 when present.
pub fn limit(c: &mut Constraints, value: Option<i32>) {
    if let Some(l) = value.filter(|l| *l < 1) {
        c.fail(
            l,
            "limit",
            "Member must have value greater than or equal to 1",
        );
    }
}

/// A data-plane table reference in a batch request's `RequestItems`: a table name or ARN of
/// 1 to 1024 characters (today's `TableArn` shape; the old 3-255 name pattern no longer
/// applies there).
pub const TABLE_REFERENCE_LENGTH: (usize, usize) = (1, 1024);

pub fn is_table_reference(name: &str) -> bool {
    let (min, max) = TABLE_REFERENCE_LENGTH;
    (min..=max).contains(&name.chars().count())
}

/// A map or list member as a constraint message prints it. Coral prints the Java
/// `toString` of the whole value; only its brackets are on record (dynalite's suite matches
/// `{.+}` and `[.+]`), so entries stand in as `name=...` and list members as `...`.
pub fn shown_map<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let entries: Vec<String> = names.map(|n| format!("{n}=...")).collect();
    format!("{{{}}}", entries.join(", "))
}

pub fn shown_list(len: usize) -> String {
    if len == 0 {
        "[]".to_owned()
    } else {
        format!("[{}]", vec!["..."; len].join(", "))
    }
}

/// A required map member (`Item`, `Key`).
///
/// The path is spelled out only when the member is missing: a batch passes one per
/// request (`format_args!`), and a well-formed batch of 25 should format none of them.
pub fn required<T>(c: &mut Constraints, path: impl std::fmt::Display, value: Option<&T>) {
    if value.is_none() {
        c.missing(&path.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_name_messages() {
        let mut c = Constraints::new();
        table_name(&mut c, "tableName", Some("a!"));
        assert_eq!(
            c.finish().unwrap_err().0,
            "2 validation errors detected: Value 'a!' at 'tableName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a!' at \
             'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
        );
        let mut c = Constraints::new();
        table_name(&mut c, "tableName", Some("good_name-1.x"));
        assert!(c.finish().is_ok());
        // Today's TableArn shape: '' fails only its minimum, and an ARN skips the name rules.
        let mut c = Constraints::new();
        table_name(&mut c, "tableName", Some(""));
        assert_eq!(
            c.finish().unwrap_err().0,
            "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: \
             Member must have length greater than or equal to 1"
        );
        let mut c = Constraints::new();
        table_name(
            &mut c,
            "tableName",
            Some("arn:aws:dynamodb:us-east-1:000000000000:table/t"),
        );
        assert!(c.finish().is_ok());
    }
}
