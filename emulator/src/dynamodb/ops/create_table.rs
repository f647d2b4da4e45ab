//! CreateTable: validates the schema and registers an empty table.

use std::sync::Arc;

use serde::Deserialize;

use super::describe_table::{describe, TableDescription};
use super::tag_resource::{checked_tags, Tag, MAX_TAGS};
use super::update_table::{set_stream, StreamSpecificationInput, STREAM_VIEW_TYPES};
use crate::common::ids::next_u64;
use crate::common::json;
use crate::dynamodb::arn::table_arn;
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::model::{KeyAttribute, KeySchema, KeyType};
use crate::dynamodb::storage::index::{IndexKind, IndexSpec, Projection};
use crate::dynamodb::storage::{BillingMode, InsertError, Table, TableSpec};
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub attribute_definitions: Option<Vec<AttributeDefinitionInput>>,
    pub key_schema: Option<Vec<KeySchemaInput>>,
    pub table_name: Option<String>,
    pub billing_mode: Option<String>,
    pub provisioned_throughput: Option<ThroughputInput>,
    pub local_secondary_indexes: Option<Vec<IndexInput>>,
    pub global_secondary_indexes: Option<Vec<IndexInput>>,
    pub stream_specification: Option<StreamSpecificationInput>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub deletion_protection_enabled: Option<bool>,
    pub tags: Option<Vec<Tag>>,
}

/// A `LocalSecondaryIndex` or `GlobalSecondaryIndex` (only global ones have throughput).
#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct IndexInput {
    pub index_name: Option<String>,
    pub key_schema: Option<Vec<KeySchemaInput>>,
    pub projection: Option<ProjectionInput>,
    pub provisioned_throughput: Option<ThroughputInput>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionInput {
    pub projection_type: Option<String>,
    pub non_key_attributes: Option<Vec<String>>,
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
        throughput_constraints(&mut c, "provisionedThroughput", pt);
    }
    match &input.key_schema {
        None => c.missing("keySchema"),
        Some(ks) => key_schema_constraints(&mut c, "keySchema", ks),
    }
    // Global indexes' member errors come before local ones', whatever the request's order.
    for (list, path) in [
        (&input.global_secondary_indexes, "globalSecondaryIndexes"),
        (&input.local_secondary_indexes, "localSecondaryIndexes"),
    ] {
        for (i, index) in list.iter().flatten().enumerate() {
            index_constraints(&mut c, &format!("{path}.{}.member", i + 1), index);
        }
    }
    validate::enum_value(
        &mut c,
        "billingMode",
        input.billing_mode.as_deref(),
        &["PROVISIONED", "PAY_PER_REQUEST"],
    );
    if let Some(stream) = &input.stream_specification {
        validate::enum_value(
            &mut c,
            "streamSpecification.streamViewType",
            stream.stream_view_type.as_deref(),
            STREAM_VIEW_TYPES,
        );
    }
    Ok(c.finish()?)
}

/// The member constraints of one index (`element` is its path, e.g.
/// `globalSecondaryIndexes.1.member`), in DynamoDB's order: name, key schema, projection,
/// throughput.
pub fn index_constraints(c: &mut Constraints, element: &str, index: &IndexInput) {
    let name_path = format!("{element}.indexName");
    match &index.index_name {
        None => c.missing(&name_path),
        Some(name) => validate::name_constraints(c, &name_path, name),
    }
    let ks_path = format!("{element}.keySchema");
    match &index.key_schema {
        None => c.missing(&ks_path),
        Some(ks) => {
            key_schema_constraints(c, &ks_path, ks);
        }
    }
    let projection_path = format!("{element}.projection");
    match &index.projection {
        None => c.missing(&projection_path),
        Some(p) => {
            validate::enum_value(
                c,
                &format!("{projection_path}.projectionType"),
                p.projection_type.as_deref(),
                &["ALL", "INCLUDE", "KEYS_ONLY"],
            );
            if p.non_key_attributes.as_ref().is_some_and(|a| a.is_empty()) {
                c.fail(
                    "[]",
                    &format!("{projection_path}.nonKeyAttributes"),
                    "Member must have length greater than or equal to 1",
                );
            }
        }
    }
    if let Some(pt) = &index.provisioned_throughput {
        throughput_constraints(c, &format!("{element}.provisionedThroughput"), pt);
    }
}

/// `writeCapacityUnits` then `readCapacityUnits`: required, at least 1.
fn throughput_constraints(c: &mut Constraints, path: &str, pt: &ThroughputInput) {
    for (value, member) in [
        (pt.write_capacity_units, "writeCapacityUnits"),
        (pt.read_capacity_units, "readCapacityUnits"),
    ] {
        let path = format!("{path}.{member}");
        match value {
            None => c.missing(&path),
            Some(v) if v < 1 => c.fail(
                v,
                &path,
                "Member must have value greater than or equal to 1",
            ),
            _ => {}
        }
    }
}

/// A key schema's length (1 or 2) and its elements' members.
fn key_schema_constraints(c: &mut Constraints, path: &str, ks: &[KeySchemaInput]) {
    if ks.is_empty() {
        c.fail(
            "[]",
            path,
            "Member must have length greater than or equal to 1",
        );
    }
    if ks.len() > 2 {
        c.fail(
            format!("[{}]", ks.len()),
            path,
            "Member must have length less than or equal to 2",
        );
    }
    for (i, k) in ks.iter().enumerate() {
        let element = format!("{path}.{}.member", i + 1);
        member(
            c,
            &element,
            "attributeName",
            k.attribute_name.as_deref(),
            None,
        );
        member(
            c,
            &element,
            "keyType",
            k.key_type.as_deref(),
            Some(&["HASH", "RANGE"]),
        );
    }
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
pub const MAX_CAPACITY_UNITS: i64 = 1_000_000_000_000;

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
    let keys: Vec<(&str, &str)> = keys.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let schema = ordered_key_schema(&keys, &defs)?;
    Ok((schema, defs))
}

/// The checks a table's and an index's key schema share once every attribute is defined:
/// two distinct names, HASH then RANGE; then the schema with the defined types.
fn ordered_key_schema(keys: &[(&str, &str)], defs: &[(String, KeyType)]) -> Result<KeySchema> {
    if keys.len() == 2 && keys[0].0 == keys[1].0 {
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
            .map_or(KeyType::S, |(_, k)| *k),
    };
    let (hash, _) = keys
        .first()
        .ok_or_else(|| DynamoError::Internal("empty key schema passed validation".into()))?;
    Ok(KeySchema {
        hash: attr(hash),
        range: keys.get(1).map(|(name, _)| attr(name)),
    })
}

/// DynamoDB's per-table limits on indexes and on the non-key attributes they project.
pub const MAX_LOCAL_INDEXES: usize = 5;
pub const MAX_GLOBAL_INDEXES: usize = 20;
const MAX_PROJECTED_ATTRIBUTES: usize = 100;

/// The indexes of a CreateTable request, checked in DynamoDB's order once the table's own
/// key schema is valid: local ones, then global ones, then the attribute definitions
/// nothing uses and the projected-attribute limit.
fn secondary_indexes(
    input: &Input,
    schema: &KeySchema,
    defs: &[(String, KeyType)],
    billing: BillingMode,
    table_arn: &str,
) -> Result<Vec<IndexSpec>> {
    let mut specs: Vec<IndexSpec> = Vec::new();
    if let Some(lsis) = &input.local_secondary_indexes {
        if lsis.is_empty() {
            return Err(DynamoError::invalid_parameter(
                "List of LocalSecondaryIndexes is empty",
            ));
        }
        if schema.range.is_none() {
            return Err(DynamoError::invalid_parameter(
                "Table KeySchema does not have a range key, which is required when specifying a \
                 LocalSecondaryIndex",
            ));
        }
        for lsi in lsis {
            let name = lsi.index_name.clone().unwrap_or_default();
            let index_schema = index_key_schema(lsi, defs)?;
            if index_schema.range.is_none() {
                return Err(DynamoError::invalid_parameter(format!(
                    "Index KeySchema does not have a range key for index: {name}"
                )));
            }
            if index_schema.hash.name != schema.hash.name {
                return Err(DynamoError::invalid_parameter(format!(
                    "Index KeySchema does not have the same leading hash key as table KeySchema \
                     for index: {name}. index hash key: {}, table hash key: {}",
                    index_schema.hash.name, schema.hash.name
                )));
            }
            let projection = projection(lsi)?;
            check_unique(&specs, &name)?;
            specs.push(IndexSpec {
                arn: format!("{table_arn}/index/{name}"),
                name,
                kind: IndexKind::Local,
                schema: index_schema,
                projection,
                read_capacity: 0,
                write_capacity: 0,
            });
        }
        if lsis.len() > MAX_LOCAL_INDEXES {
            return Err(DynamoError::invalid_parameter(format!(
                "Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LOCAL_INDEXES}"
            )));
        }
    }
    if let Some(gsis) = &input.global_secondary_indexes {
        if gsis.is_empty() {
            return Err(DynamoError::invalid_parameter(
                "List of GlobalSecondaryIndexes is empty",
            ));
        }
        for gsi in gsis {
            let spec = global_index_spec(gsi, defs, billing, table_arn)?;
            check_unique(&specs, &spec.name)?;
            specs.push(spec);
        }
        if gsis.len() > MAX_GLOBAL_INDEXES {
            return Err(DynamoError::invalid_parameter(format!(
                "GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GLOBAL_INDEXES}"
            )));
        }
    }
    let mut used: Vec<&str> = schema.key_names().collect();
    for name in specs.iter().flat_map(|s| s.schema.key_names()) {
        if !used.contains(&name) {
            used.push(name);
        }
    }
    if defs.len() != used.len() {
        if specs.is_empty() {
            return Err(DynamoError::invalid_parameter(
                "Number of attributes in KeySchema does not exactly match number of attributes \
                 defined in AttributeDefinitions",
            ));
        }
        let def_names: Vec<&str> = defs.iter().map(|(n, _)| n.as_str()).collect();
        return Err(DynamoError::invalid_parameter(format!(
            "Some AttributeDefinitions are not used. AttributeDefinitions: [{}], keys used: [{}]",
            def_names.join(", "),
            used.join(", ")
        )));
    }
    check_projected_total(specs.iter())?;
    Ok(specs)
}

/// One global index of CreateTable or UpdateTable, checked against the table's attribute
/// definitions and billing mode.
pub fn global_index_spec(
    gsi: &IndexInput,
    defs: &[(String, KeyType)],
    billing: BillingMode,
    table_arn: &str,
) -> Result<IndexSpec> {
    let name = gsi.index_name.clone().unwrap_or_default();
    let schema = index_key_schema(gsi, defs)?;
    let projection = projection(gsi)?;
    let throughput = gsi.provisioned_throughput.as_ref();
    match (billing, throughput) {
        (BillingMode::PayPerRequest, Some(_)) => {
            return Err(DynamoError::invalid_parameter(format!(
                "ProvisionedThroughput should not be specified for index: {name} when \
                 BillingMode is PAY_PER_REQUEST"
            )))
        }
        (BillingMode::Provisioned, None) => {
            return Err(DynamoError::invalid_parameter(format!(
                "ProvisionedThroughput is not specified for index: {name}"
            )))
        }
        _ => {}
    }
    Ok(IndexSpec {
        arn: format!("{table_arn}/index/{name}"),
        name,
        kind: IndexKind::Global,
        schema,
        projection,
        read_capacity: throughput.and_then(|t| t.read_capacity_units).unwrap_or(0),
        write_capacity: throughput.and_then(|t| t.write_capacity_units).unwrap_or(0),
    })
}

fn check_unique(specs: &[IndexSpec], name: &str) -> Result<()> {
    if specs.iter().any(|s| s.name == name) {
        return Err(DynamoError::invalid_parameter(format!(
            "Duplicate index name: {name}"
        )));
    }
    Ok(())
}

/// At most 100 non-key attributes projected, summed over every index (an attribute
/// projected into two indexes counts twice).
pub fn check_projected_total<'a>(specs: impl Iterator<Item = &'a IndexSpec>) -> Result<()> {
    let total: usize = specs
        .map(|s| match &s.projection {
            Projection::Include(names) => names.len(),
            _ => 0,
        })
        .sum();
    if total > MAX_PROJECTED_ATTRIBUTES {
        return Err(DynamoError::invalid_parameter(format!(
            "Number of projected attributes in all indexes exceeds limit of \
             {MAX_PROJECTED_ATTRIBUTES}"
        )));
    }
    Ok(())
}

/// An index's key schema: every attribute defined, two distinct names, HASH then RANGE.
fn index_key_schema(index: &IndexInput, defs: &[(String, KeyType)]) -> Result<KeySchema> {
    let keys: Vec<(&str, &str)> = index
        .key_schema
        .iter()
        .flatten()
        .map(|k| {
            (
                k.attribute_name.as_deref().unwrap_or_default(),
                k.key_type.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    let kind = |name: &str| defs.iter().find(|(n, _)| n == name).map(|(_, k)| *k);
    if keys.iter().any(|(name, _)| kind(name).is_none()) {
        let key_names: Vec<&str> = keys.iter().map(|(n, _)| *n).collect();
        let def_names: Vec<&str> = defs.iter().map(|(n, _)| n.as_str()).collect();
        return Err(DynamoError::invalid_parameter(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], \
             AttributeDefinitions: [{}]",
            key_names.join(", "),
            def_names.join(", ")
        )));
    }
    ordered_key_schema(&keys, defs)
}

fn projection(index: &IndexInput) -> Result<Projection> {
    let p = index.projection.as_ref();
    let Some(kind) = p.and_then(|p| p.projection_type.as_deref()) else {
        return Err(DynamoError::invalid_parameter(
            "Unknown ProjectionType: null",
        ));
    };
    let non_key = p.and_then(|p| p.non_key_attributes.clone());
    Ok(match (kind, non_key) {
        ("INCLUDE", None) => {
            return Err(DynamoError::invalid_parameter(
                "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
            ))
        }
        ("INCLUDE", Some(names)) => {
            if let Some(dup) = names
                .iter()
                .enumerate()
                .find_map(|(i, n)| names[..i].contains(n).then_some(n))
            {
                return Err(DynamoError::invalid_parameter(format!(
                    "Duplicate element in NonKeyAttributes: {dup}"
                )));
            }
            Projection::Include(names)
        }
        (other, Some(_)) => {
            return Err(DynamoError::invalid_parameter(format!(
                "ProjectionType is {other}, but NonKeyAttributes is specified"
            )))
        }
        ("KEYS_ONLY", None) => Projection::KeysOnly,
        _ => Projection::All,
    })
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
        let name = created_name(ctx, input.table_name.as_deref().unwrap_or_default())?;
        let arn = table_arn(&ctx.ns.region, &name);
        let indexes =
            secondary_indexes(&input, &schema, &attribute_definitions, billing_mode, &arn)?;
        let throughput = input.provisioned_throughput.as_ref();
        let spec = TableSpec {
            attribute_definitions,
            billing_mode,
            read_capacity: throughput.and_then(|t| t.read_capacity_units).unwrap_or(0),
            write_capacity: throughput.and_then(|t| t.write_capacity_units).unwrap_or(0),
            created_at: ctx.db.clock.now_epoch_seconds(),
            table_id: uuid_v4(),
            arn,
        };
        let tags = input.tags.as_deref().map(checked_tags).transpose()?;
        if tags.as_ref().is_some_and(|t| t.len() > MAX_TAGS) {
            return Err(DynamoError::validation(
                "Number of Tags exceed the current limit for the provided ResourceArn",
            ));
        }
        if let Some(stream) = &input.stream_specification {
            match (
                stream.stream_enabled.unwrap_or(false),
                &stream.stream_view_type,
            ) {
                (true, None) => {
                    return Err(DynamoError::invalid_parameter(
                        "Table is being created with a stream enabled, UpdateViewType is required",
                    ))
                }
                (false, Some(_)) => {
                    return Err(DynamoError::invalid_parameter(
                        "Table is being created with a stream disabled, UpdateViewType should \
                         not be specified",
                    ))
                }
                _ => {}
            }
        }
        let table = Arc::new(Table::new(name.clone(), schema, spec));
        for index in indexes {
            table.add_index(index);
        }
        table.track_item_collections(ctx.limits.item_collection_bytes);
        table.update_settings(|s| {
            s.deletion_protection = input.deletion_protection_enabled.unwrap_or(false);
            s.tags.extend(tags.into_iter().flatten());
        });
        if let Some(stream) = input
            .stream_specification
            .as_ref()
            .filter(|s| s.stream_enabled == Some(true))
        {
            set_stream(&table, stream, table.spec.created_at)?;
        }
        table.creating_until(ctx.transition_end());
        let catalog = ctx.catalog_for_write()?;
        // A name whose deletion is over is free again.
        catalog.purge_gone(ctx.now_millis());
        match catalog.insert(table.clone(), ctx.limits.max_tables) {
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
        // table turns ACTIVE once the status delay is over (at once by default), so code
        // that checks the answer or waits for ACTIVE works as against AWS.
        Ok(Output {
            table_description: describe(&table, "CREATING", ctx.now_millis()),
        })
    }
}

/// The name of the table to create. CreateTable, like every operation, takes the table's
/// ARN in place of its name; the name inside must then be a valid name, and the ARN must be
/// this account's in this region.
fn created_name(ctx: &Ctx, reference: &str) -> Result<String> {
    let name = ctx
        .resolve(reference)?
        .ok_or_else(|| DynamoError::invalid_table_arn(reference))?;
    if name != reference {
        let mut c = Constraints::new();
        validate::name_constraints(&mut c, "tableName", name);
        c.finish()?;
    }
    Ok(name.to_owned())
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
