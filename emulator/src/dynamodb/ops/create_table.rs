//! CreateTable: validates the schema and registers an empty table.

use std::sync::Arc;

use serde::Deserialize;

use super::describe_table::{describe, TableDescription};
use crate::common::ids::next_u64;
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::model::{KeyAttribute, KeySchema, KeyType};
use crate::dynamodb::storage::{BillingMode, InsertError, Table, TableSpec};
use crate::dynamodb::{validate, Ctx, Operation, ACCOUNT_ID};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub attribute_definitions: Option<Vec<AttributeDefinitionInput>>,
    pub key_schema: Option<Vec<KeySchemaInput>>,
    pub table_name: Option<String>,
    pub billing_mode: Option<String>,
    pub provisioned_throughput: Option<ThroughputInput>,
    /// Secondary indexes are not emulated yet; they are read only to be refused clearly
    /// rather than silently dropped.
    pub local_secondary_indexes: Option<Vec<serde::de::IgnoredAny>>,
    pub global_secondary_indexes: Option<Vec<serde::de::IgnoredAny>>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinitionInput {
    pub attribute_name: Option<String>,
    pub attribute_type: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct KeySchemaInput {
    pub attribute_name: Option<String>,
    pub key_type: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct ThroughputInput {
    pub read_capacity_units: Option<i64>,
    pub write_capacity_units: Option<i64>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub table_description: TableDescription,
}

pub struct CreateTable;

fn key_type(name: &str) -> Option<KeyType> {
    match name {
        "S" => Some(KeyType::S),
        "N" => Some(KeyType::N),
        "B" => Some(KeyType::B),
        _ => None,
    }
}

/// The member constraints, reported all at once in DynamoDB's order for CreateTable:
/// attribute definitions, table name, throughput (write before read), key schema (its
/// length before its elements), billing mode.
fn check_constraints(input: &Input) -> Result<()> {
    validate::table_level_table_name(input.table_name.as_deref())?;
    let mut c = Constraints::new();
    match &input.attribute_definitions {
        None => c.missing("attributeDefinitions"),
        Some(defs) => {
            for (i, def) in defs.iter().enumerate() {
                let path = format!("attributeDefinitions.{}.member", i + 1);
                member(
                    &mut c,
                    &path,
                    "attributeName",
                    def.attribute_name.as_deref(),
                    None,
                );
                member(
                    &mut c,
                    &path,
                    "attributeType",
                    def.attribute_type.as_deref(),
                    Some(&["B", "N", "S"]),
                );
            }
        }
    }
    validate::table_name(&mut c, "tableName", input.table_name.as_deref());
    if let Some(pt) = &input.provisioned_throughput {
        for (value, path) in [
            (
                pt.write_capacity_units,
                "provisionedThroughput.writeCapacityUnits",
            ),
            (
                pt.read_capacity_units,
                "provisionedThroughput.readCapacityUnits",
            ),
        ] {
            match value {
                None => c.missing(path),
                Some(v) if v < 1 => {
                    c.fail(v, path, "Member must have value greater than or equal to 1")
                }
                _ => {}
            }
        }
    }
    match &input.key_schema {
        None => c.missing("keySchema"),
        Some(ks) => {
            if ks.is_empty() {
                c.fail(
                    "[]",
                    "keySchema",
                    "Member must have length greater than or equal to 1",
                );
            }
            if ks.len() > 2 {
                c.fail(
                    format!("[{}]", ks.len()),
                    "keySchema",
                    "Member must have length less than or equal to 2",
                );
            }
            for (i, k) in ks.iter().enumerate() {
                let path = format!("keySchema.{}.member", i + 1);
                member(
                    &mut c,
                    &path,
                    "attributeName",
                    k.attribute_name.as_deref(),
                    None,
                );
                member(
                    &mut c,
                    &path,
                    "keyType",
                    k.key_type.as_deref(),
                    Some(&["HASH", "RANGE"]),
                );
            }
        }
    }
    validate::enum_value(
        &mut c,
        "billingMode",
        input.billing_mode.as_deref(),
        &["PROVISIONED", "PAY_PER_REQUEST"],
    );
    Ok(c.finish()?)
}

/// A required string member of a list element, optionally from an enum.
fn member(
    c: &mut Constraints,
    element: &str,
    name: &str,
    value: Option<&str>,
    allowed: Option<&[&str]>,
) {
    let path = format!("{element}.{name}");
    match (value, allowed) {
        (None, _) => c.missing(&path),
        (Some(v), Some(allowed)) => validate::enum_value(c, &path, Some(v), allowed),
        (Some(_), None) => {}
    }
}

/// DynamoDB's upper bound on provisioned capacity units.
const MAX_CAPACITY_UNITS: i64 = 1_000_000_000_000;

/// The semantic checks DynamoDB makes once every member is individually valid.
fn key_schema(input: &Input) -> Result<(KeySchema, Vec<(String, KeyType)>)> {
    let defs: Vec<(String, KeyType)> = input
        .attribute_definitions
        .iter()
        .flatten()
        .filter_map(|d| {
            Some((
                d.attribute_name.clone()?,
                key_type(d.attribute_type.as_deref()?)?,
            ))
        })
        .collect();
    for (i, (name, _)) in defs.iter().enumerate() {
        if defs[..i].iter().any(|(n, _)| n == name) {
            return Err(DynamoError::validation(
                "Cannot have two attributes with the same name",
            ));
        }
    }
    let keys: Vec<(String, String)> = input
        .key_schema
        .iter()
        .flatten()
        .map(|k| {
            (
                k.attribute_name.clone().unwrap_or_default(),
                k.key_type.clone().unwrap_or_default(),
            )
        })
        .collect();
    let def_names: Vec<&str> = defs.iter().map(|(n, _)| n.as_str()).collect();
    let undefined = keys
        .iter()
        .any(|(name, _)| !def_names.contains(&name.as_str()));
    if keys.len() == 2 {
        // DynamoDB words this differently for a two-element schema, and counts a schema
        // naming one attribute twice as undefined when only that attribute is defined.
        let same_name = keys.first().map(|k| &k.0) == keys.get(1).map(|k| &k.0);
        if undefined || (same_name && defs.len() == 1) {
            return Err(DynamoError::validation(
                "Invalid KeySchema: Some index key attribute have no definition",
            ));
        }
    } else if undefined {
        let key_names: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
        return Err(DynamoError::invalid_parameter(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            key_names.join(", "),
            def_names.join(", ")
        )));
    }
    if keys.len() == 2 && keys.first().map(|k| &k.0) == keys.get(1).map(|k| &k.0) {
        return Err(DynamoError::validation(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ));
    }
    if keys.first().is_some_and(|k| k.1 != "HASH") {
        return Err(DynamoError::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    if keys.get(1).is_some_and(|k| k.1 != "RANGE") {
        return Err(DynamoError::validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ));
    }
    let attr = |name: &str| KeyAttribute {
        name: name.to_owned(),
        kind: defs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| *k)
            .unwrap_or(KeyType::S),
    };
    let Some((hash, _)) = keys.first() else {
        return Err(DynamoError::Internal(
            "empty key schema passed validation".into(),
        ));
    };
    let schema = KeySchema {
        hash: attr(hash),
        range: keys.get(1).map(|(name, _)| attr(name)),
    };
    Ok((schema, defs))
}

/// An empty index list is DynamoDB's error; a non-empty one is refused because indexes are
/// not emulated yet, and a table without the index it was asked for would mislead.
fn check_secondary_indexes(input: &Input) -> Result<()> {
    for (list, kind) in [
        (&input.local_secondary_indexes, "LocalSecondaryIndexes"),
        (&input.global_secondary_indexes, "GlobalSecondaryIndexes"),
    ] {
        match list {
            Some(l) if l.is_empty() => {
                return Err(DynamoError::invalid_parameter(format!(
                    "List of {kind} is empty"
                )))
            }
            Some(_) => {
                return Err(DynamoError::validation(format!(
                    "{kind} are not supported by this emulator yet"
                )))
            }
            None => {}
        }
    }
    Ok(())
}

/// A random version-4 UUID, the form of DynamoDB's `TableId`.
pub fn uuid_v4() -> String {
    let (a, b) = (next_u64(), next_u64());
    let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

impl Operation for CreateTable {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        check_constraints(&input)?;
        let billing_mode = match input.billing_mode.as_deref() {
            Some("PAY_PER_REQUEST") => BillingMode::PayPerRequest,
            _ => BillingMode::Provisioned,
        };
        match (billing_mode, &input.provisioned_throughput) {
            (BillingMode::PayPerRequest, Some(_)) => {
                return Err(DynamoError::invalid_parameter(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                ))
            }
            (BillingMode::Provisioned, None) => {
                return Err(DynamoError::invalid_parameter(
                    "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
                ))
            }
            _ => {}
        }
        if let Some(pt) = &input.provisioned_throughput {
            for (value, name) in [
                (pt.read_capacity_units, "ReadCapacityUnits"),
                (pt.write_capacity_units, "WriteCapacityUnits"),
            ] {
                if let Some(v) = value.filter(|v| *v > MAX_CAPACITY_UNITS) {
                    return Err(DynamoError::validation(format!(
                        "Given value {v} for {name} is out of bounds"
                    )));
                }
            }
        }
        let (schema, attribute_definitions) = key_schema(&input)?;
        // An empty index list is reported before the attribute count (createTable.js), which
        // counts the indexes' key attributes too.
        check_secondary_indexes(&input)?;
        let key_count = 1 + usize::from(schema.range.is_some());
        if attribute_definitions.len() != key_count {
            return Err(DynamoError::invalid_parameter(
                "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
            ));
        }
        let name = input.table_name.unwrap_or_default();
        let throughput = input.provisioned_throughput.as_ref();
        let spec = TableSpec {
            attribute_definitions,
            billing_mode,
            read_capacity: throughput.and_then(|t| t.read_capacity_units).unwrap_or(0),
            write_capacity: throughput.and_then(|t| t.write_capacity_units).unwrap_or(0),
            created_at: ctx.db.clock.now_epoch_seconds(),
            table_id: uuid_v4(),
            arn: format!(
                "arn:aws:dynamodb:{}:{ACCOUNT_ID}:table/{name}",
                ctx.ns.region
            ),
        };
        let table = Arc::new(Table::new(name.clone(), schema, spec));
        match ctx
            .catalog_for_write()?
            .insert(table.clone(), ctx.limits.max_tables)
        {
            Ok(()) => {}
            Err(InsertError::NameTaken) => {
                return Err(DynamoError::ResourceInUse(format!(
                    "Table already exists: {name}"
                )))
            }
            // DynamoDB's wording for its tables-per-account quota.
            Err(InsertError::Full) => {
                return Err(DynamoError::LimitExceeded(format!(
                    "Subscriber limit exceeded: There is a limit of {} tables per subscriber",
                    ctx.limits.max_tables
                )))
            }
        }
        // Real DynamoDB answers CREATING and turns ACTIVE a few seconds later. Here the
        // table is usable at once, so DescribeTable reports ACTIVE straight away; the
        // CREATING answer keeps code that checks it (or waits for ACTIVE) working as
        // against AWS.
        Ok(Output {
            table_description: describe(&table, "CREATING"),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_ids_are_v4_uuids() {
        let id = super::uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }
}
