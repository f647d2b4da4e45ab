//! DescribeTable, and the `TableDescription` every control-plane operation returns.

use serde::{Deserialize, Serialize};

use crate::dynamodb::error::{Constraints, Result};
use crate::dynamodb::model::KeySchema;
use crate::dynamodb::storage::index::{Index, Projection};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_specification: Option<StreamSpecification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_stream_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_stream_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_secondary_indexes: Option<Vec<IndexDescription>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_secondary_indexes: Option<Vec<IndexDescription>>,
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpecification {
    pub stream_enabled: bool,
    pub stream_view_type: String,
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionDescription {
    pub projection_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_key_attributes: Option<Vec<String>>,
}

/// A local or global index as DescribeTable reports it; status, backfilling and
/// throughput are reported for global indexes only, as DynamoDB does.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct IndexDescription {
    pub index_name: String,
    pub key_schema: Vec<KeySchemaElement>,
    pub projection: ProjectionDescription,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backfilling: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_throughput: Option<ProvisionedThroughputDescription>,
    pub index_size_bytes: i64,
    pub item_count: i64,
    pub index_arn: String,
}

fn key_schema_elements(schema: &KeySchema) -> Vec<KeySchemaElement> {
    let mut out = vec![KeySchemaElement {
        attribute_name: schema.hash.name.clone(),
        key_type: "HASH",
    }];
    if let Some(range) = &schema.range {
        out.push(KeySchemaElement {
            attribute_name: range.name.clone(),
            key_type: "RANGE",
        });
    }
    out
}

/// `creating`: the global index an UpdateTable has just added, reported as CREATING in
/// its answer (it is filled before the answer, so without a status delay later
/// descriptions say ACTIVE; with one, it reports CREATING and backfilling until then).
fn describe_index(index: &Index, creating: Option<&str>, now: i64) -> IndexDescription {
    let spec = &index.spec;
    let global = index.is_global();
    let delayed = index.is_creating(now);
    let is_creating = creating == Some(spec.name.as_str()) || delayed;
    IndexDescription {
        index_name: spec.name.clone(),
        key_schema: key_schema_elements(&spec.schema),
        projection: ProjectionDescription {
            projection_type: spec.projection.type_name(),
            non_key_attributes: match &spec.projection {
                Projection::Include(names) if !names.is_empty() => Some(names.clone()),
                _ => None,
            },
        },
        index_status: global.then_some(if is_creating || index.is_backfilling() {
            "CREATING"
        } else {
            "ACTIVE"
        }),
        backfilling: (global && (is_creating || index.is_backfilling())).then_some(delayed),
        provisioned_throughput: global.then(|| {
            let (read, write) = index.capacity();
            ProvisionedThroughputDescription {
                number_of_decreases_today: 0,
                read_capacity_units: read,
                write_capacity_units: write,
            }
        }),
        index_size_bytes: index.size_bytes(),
        item_count: index.item_count(),
        index_arn: spec.arn.clone(),
    }
}

/// The description of `table` in `status` (CREATING, ACTIVE, DELETING) at `now`.
pub fn describe(table: &Table, status: &'static str, now: i64) -> TableDescription {
    describe_with(table, status, None, now)
}

/// [`describe`], with the global index named by `creating` reported as CREATING.
pub fn describe_with(
    table: &Table,
    status: &'static str,
    creating: Option<&str>,
    now: i64,
) -> TableDescription {
    let spec = &table.spec;
    let settings = table.settings();
    let key_schema = key_schema_elements(&table.schema);
    let indexes = table.indexes();
    let list = |global: bool| {
        let described: Vec<IndexDescription> = indexes
            .iter()
            .filter(|i| i.is_global() == global)
            .map(|i| describe_index(i, creating, now))
            .collect();
        (!described.is_empty()).then_some(described)
    };
    let pay_per_request =
        settings.billing_mode == crate::dynamodb::storage::BillingMode::PayPerRequest;
    TableDescription {
        attribute_definitions: settings
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
            number_of_decreases_today: settings.throughput_decreases,
            read_capacity_units: settings.read_capacity,
            write_capacity_units: settings.write_capacity,
        },
        table_size_bytes: table.size_bytes(),
        item_count: table.item_count(),
        table_arn: spec.arn.clone(),
        table_id: spec.table_id.clone(),
        billing_mode_summary: pay_per_request.then(|| BillingModeSummary {
            billing_mode: settings.billing_mode.name(),
            last_update_to_pay_per_request_date_time: settings.pay_per_request_since,
        }),
        deletion_protection_enabled: settings.deletion_protection,
        stream_specification: settings
            .stream
            .as_ref()
            .map(|(view, _)| StreamSpecification {
                stream_enabled: true,
                stream_view_type: view.clone(),
            }),
        latest_stream_label: settings.stream.as_ref().map(|(_, label)| label.clone()),
        latest_stream_arn: settings
            .stream
            .as_ref()
            .map(|(_, label)| format!("{}/stream/{label}", spec.arn)),
        local_secondary_indexes: list(false),
        global_secondary_indexes: list(true),
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
        let now = ctx.now_millis();
        Ok(Output {
            table: describe(&table, table.status(now).name(), now),
        })
    }
}
