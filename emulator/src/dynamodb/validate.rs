//! Validation shared by several operations, with DynamoDB's exact wording.

use std::collections::HashMap;

use super::error::{Constraints, DynamoError, Result};
use super::model::{parse_item, Item, RawItem};

pub const TABLE_NAME_PATTERN: &str = "[a-zA-Z0-9_.-]+";

fn is_table_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// The table-level operations (CreateTable, DescribeTable, DeleteTable, the TTL operations)
/// check `TableName` on its own before any member constraint: a missing name and a length
/// outside 3-255 have dedicated messages, as recorded from DynamoDB; a bad character then
/// joins the usual constraint list through [`table_name`]. Item operations use only the
/// constraint list.
pub fn table_level_table_name(name: Option<&str>) -> Result<()> {
    match name {
        None => Err(DynamoError::validation(
            "The parameter 'TableName' is required but was not present in the request",
        )),
        Some(n) if !(3..=255).contains(&n.chars().count()) => Err(DynamoError::validation(
            "TableName must be at least 3 characters long and at most 255 characters long",
        )),
        Some(_) => Ok(()),
    }
}

/// The `TableName` member constraints: pattern, then length 3-255.
pub fn table_name(c: &mut Constraints, path: &str, name: Option<&str>) {
    match name {
        Some(name) => name_constraints(c, path, name),
        None => c.missing(path),
    }
}

/// `IndexName` has the table-name constraints, and may be absent.
pub fn index_name(c: &mut Constraints, name: Option<&str>) {
    if let Some(name) = name {
        name_constraints(c, "indexName", name);
    }
}

/// Pattern, then length 3-255: the constraints of table and index names.
fn name_constraints(c: &mut Constraints, path: &str, name: &str) {
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
pub fn attributes_to_get(c: &mut Constraints, value: Option<&[String]>) {
    if value.is_some_and(<[String]>::is_empty) {
        c.fail(
            "[]",
            "attributesToGet",
            "Member must have length greater than or equal to 1",
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

/// A required map member (`Item`, `Key`).
pub fn required<T>(c: &mut Constraints, path: &str, value: Option<&T>) {
    if value.is_none() {
        c.missing(path);
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
    }
}
