//! DescribeTable, and the `TableDescription` every control-plane operation returns.

use serde::{Deserialize, Serialize};

use crate::dynamodb::error::{Constraints, Result};
use crate::dynamodb::storage::Table;
use crate::dynamodb::validate;
use crate::dynamodb::{Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub table: TableDescription,
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    pub attribute_name: String,
    pub attribute_type: &'static str,
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct KeySchemaElement {
    pub attribute_name: String,
    pub key_type: &'static str,
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedThroughputDescription {
    pub number_of_decreases_today: i64,
    pub read_capacity_units: i64,
    pub write_capacity_units: i64,
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct BillingModeSummary {
    pub billing_mode: &'static str,
    pub last_update_to_pay_per_request_date_time: f64,
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct TableDescription {
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub table_name: String,
    pub key_schema: Vec<KeySchemaElement>,
    pub table_status: &'static str,
    pub creation_date_time: f64,
    pub provisioned_throughput: ProvisionedThroughputDescription,
    pub table_size_bytes: i64,
    pub item_count: i64,
    pub table_arn: String,
    pub table_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_mode_summary: Option<BillingModeSummary>,
    pub deletion_protection_enabled: bool,
}

/// The description of `table` in `status` (CREATING, ACTIVE, DELETING).
pub fn describe(table: &Table, status: &'static str) -> TableDescription {
    let spec = &table.spec;
    let mut key_schema = vec![KeySchemaElement {
        attribute_name: table.schema.hash.name.clone(),
        key_type: "HASH",
    }];
    if let Some(range) = &table.schema.range {
        key_schema.push(KeySchemaElement {
            attribute_name: range.name.clone(),
            key_type: "RANGE",
        });
    }
    let pay_per_request = spec.billing_mode == crate::dynamodb::storage::BillingMode::PayPerRequest;
    TableDescription {
        attribute_definitions: spec
            .attribute_definitions
            .iter()
            .map(|(name, kind)| AttributeDefinition {
                attribute_name: name.clone(),
                attribute_type: kind.name(),
            })
            .collect(),
        table_name: table.name.clone(),
        key_schema,
        table_status: status,
        creation_date_time: spec.created_at,
        provisioned_throughput: ProvisionedThroughputDescription {
            number_of_decreases_today: 0,
            read_capacity_units: spec.read_capacity,
            write_capacity_units: spec.write_capacity,
        },
        table_size_bytes: table.size_bytes(),
        item_count: table.item_count(),
        table_arn: spec.arn.clone(),
        table_id: spec.table_id.clone(),
        billing_mode_summary: pay_per_request.then(|| BillingModeSummary {
            billing_mode: spec.billing_mode.name(),
            last_update_to_pay_per_request_date_time: spec.created_at,
        }),
        deletion_protection_enabled: false,
    }
}

/// The control-plane table-name check shared by DescribeTable, DeleteTable and the TTL
/// operations; returns the name once it is valid.
pub fn checked_table_name(name: Option<String>) -> Result<String> {
    validate::table_level_table_name(name.as_deref())?;
    let mut c = Constraints::new();
    validate::table_name(&mut c, "tableName", name.as_deref());
    c.finish()?;
    Ok(name.unwrap_or_default())
}

pub struct DescribeTable;

impl Operation for DescribeTable {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let name = checked_table_name(input.table_name)?;
        let table = ctx.table_named(&name)?;
        Ok(Output {
            table: describe(&table, "ACTIVE"),
        })
    }
}
