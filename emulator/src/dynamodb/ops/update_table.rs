//! UpdateTable: billing mode and throughput, global index creation (backfilled from the
//! table's items) and deletion, the stream setting and deletion protection.
//!
//! DynamoDB applies such changes in the background (the table or index reports UPDATING
//! or CREATING meanwhile); here they are done before the answer, which still reports the
//! transitional status so code that waits for ACTIVE behaves as against AWS.

use serde::Deserialize;

use super::create_table::{
    check_projected_total, global_index_spec, index_constraints, AttributeDefinitionInput,
    IndexInput, ThroughputInput, MAX_CAPACITY_UNITS, MAX_GLOBAL_INDEXES,
};
use super::describe_table::{checked_table_name, describe_with, TableDescription};
use crate::common::json;
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::model::KeyType;
use crate::dynamodb::storage::{BillingMode, Settings, Table};
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    pub attribute_definitions: Option<Vec<AttributeDefinitionInput>>,
    pub billing_mode: Option<String>,
    pub provisioned_throughput: Option<ThroughputInput>,
    pub global_secondary_index_updates: Option<Vec<IndexUpdate>>,
    pub stream_specification: Option<StreamSpecificationInput>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub deletion_protection_enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexUpdate {
    pub create: Option<IndexInput>,
    pub update: Option<IndexThroughputUpdate>,
    pub delete: Option<IndexDelete>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexThroughputUpdate {
    pub index_name: Option<String>,
    pub provisioned_throughput: Option<ThroughputInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexDelete {
    pub index_name: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpecificationInput {
    #[serde(default, deserialize_with = "json::boolean")]
    pub stream_enabled: Option<bool>,
    pub stream_view_type: Option<String>,
}

pub const STREAM_VIEW_TYPES: &[&str] =
    &["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"];

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub table_description: TableDescription,
}

pub struct UpdateTable;

fn constraints(input: &Input) -> Result<()> {
    validate::table_level_table_name(input.table_name.as_deref())?;
    let mut c = Constraints::new();
    validate::table_name(&mut c, "tableName", input.table_name.as_deref());
    validate::enum_value(
        &mut c,
        "billingMode",
        input.billing_mode.as_deref(),
        &["PROVISIONED", "PAY_PER_REQUEST"],
    );
    for (i, update) in input
        .global_secondary_index_updates
        .iter()
        .flatten()
        .enumerate()
    {
        let element = format!("globalSecondaryIndexUpdates.{}.member", i + 1);
        if let Some(create) = &update.create {
            index_constraints(&mut c, &format!("{element}.create"), create);
        }
        if let Some(u) = &update.update {
            let path = format!("{element}.update.indexName");
            match &u.index_name {
                None => c.missing(&path),
                Some(name) => validate::name_constraints(&mut c, &path, name),
            }
        }
        if let Some(d) = &update.delete {
            let path = format!("{element}.delete.indexName");
            match &d.index_name {
                None => c.missing(&path),
                Some(name) => validate::name_constraints(&mut c, &path, name),
            }
        }
    }
    if let Some(stream) = &input.stream_specification {
        if stream.stream_enabled.is_none() {
            c.missing("streamSpecification.streamEnabled");
        }
        validate::enum_value(
            &mut c,
            "streamSpecification.streamViewType",
            stream.stream_view_type.as_deref(),
            STREAM_VIEW_TYPES,
        );
    }
    Ok(c.finish()?)
}

/// What the request asks for, once its parts are known to be consistent.
enum IndexChange<'a> {
    Create(&'a IndexInput),
    Throughput(&'a str, &'a ThroughputInput),
    Delete(&'a str),
}

fn index_changes(input: &Input) -> Result<Vec<IndexChange<'_>>> {
    let mut out: Vec<IndexChange> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for update in input.global_secondary_index_updates.iter().flatten() {
        let actions = usize::from(update.create.is_some())
            + usize::from(update.update.is_some())
            + usize::from(update.delete.is_some());
        if actions == 0 {
            return Err(DynamoError::invalid_parameter(
                "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, \
                 GlobalSecondaryIndexUpdate.Delete must not be null",
            ));
        }
        if actions > 1 {
            return Err(DynamoError::invalid_parameter(
                "Only one global secondary index action is allowed per \
                 GlobalSecondaryIndexUpdate object",
            ));
        }
        let change = if let Some(c) = &update.create {
            IndexChange::Create(c)
        } else if let Some(u) = &update.update {
            let name = u.index_name.as_deref().unwrap_or_default();
            let Some(pt) = &u.provisioned_throughput else {
                return Err(DynamoError::invalid_parameter(format!(
                    "Both ReadCapacityUnits and WriteCapacityUnits must be specified for \
                     index: {name}"
                )));
            };
            IndexChange::Throughput(name, pt)
        } else {
            let name = update.delete.as_ref().and_then(|d| d.index_name.as_deref());
            IndexChange::Delete(name.unwrap_or_default())
        };
        let name = match &change {
            IndexChange::Create(c) => c.index_name.as_deref().unwrap_or_default(),
            IndexChange::Throughput(n, _) | IndexChange::Delete(n) => n,
        };
        if names.contains(&name) {
            return Err(DynamoError::invalid_parameter(format!(
                "Only one global secondary index update per index is allowed simultaneously. \
                 Index: {name}"
            )));
        }
        names.push(name);
        out.push(change);
    }
    let online = out
        .iter()
        .filter(|c| !matches!(c, IndexChange::Throughput(..)))
        .count();
    if online > 1 {
        return Err(DynamoError::LimitExceeded(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted \
             simultaneously per table"
                .into(),
        ));
    }
    Ok(out)
}

fn check_bounds(pt: &ThroughputInput) -> Result<()> {
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
    Ok(())
}

impl Operation for UpdateTable {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        constraints(&input)?;
        let changes = index_changes(&input)?;
        let nothing = input.provisioned_throughput.is_none()
            && input.billing_mode.is_none()
            && input.stream_specification.is_none()
            && changes.is_empty()
            && input.deletion_protection_enabled.is_none();
        if nothing {
            return Err(DynamoError::validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, \
                 GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, \
                 MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, \
                 DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is \
                 required",
            ));
        }
        if input.deletion_protection_enabled.is_some()
            && (input.provisioned_throughput.is_some()
                || input.billing_mode.is_some()
                || input.stream_specification.is_some()
                || !changes.is_empty())
        {
            return Err(DynamoError::invalid_parameter(
                "DeletionProtection modification must be the only operation in the request",
            ));
        }
        if input.stream_specification.is_some()
            && changes
                .iter()
                .any(|c| !matches!(c, IndexChange::Throughput(..)))
        {
            return Err(DynamoError::invalid_parameter(
                "You cannot create or delete index while changing stream status",
            ));
        }
        if input.billing_mode.as_deref() == Some("PROVISIONED")
            && input.provisioned_throughput.is_none()
        {
            return Err(DynamoError::invalid_parameter(
                "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
            ));
        }
        if let Some(pt) = &input.provisioned_throughput {
            check_bounds(pt)?;
        }
        let name = checked_table_name(input.table_name.clone())?;
        let table = ctx.table_named(&name)?;
        ctx.check_changeable(&table)?;
        let now = ctx.db.clock.now_epoch_seconds();
        let created = apply(&table, &input, &changes, now)?;
        let until = ctx.transition_end();
        table.updating_until(until);
        if let Some(index) = created.as_deref().and_then(|n| table.index(n)) {
            index.set_creating_until(until);
        }
        Ok(Output {
            table_description: describe_with(
                &table,
                "UPDATING",
                created.as_deref(),
                ctx.now_millis(),
            ),
        })
    }
}

/// Checks the request against the table and applies it; returns the name of a global
/// index it created.
fn apply(
    table: &Table,
    input: &Input,
    changes: &[IndexChange],
    now: f64,
) -> Result<Option<String>> {
    let settings = table.settings();
    let billing = match input.billing_mode.as_deref() {
        Some("PAY_PER_REQUEST") => BillingMode::PayPerRequest,
        Some(_) => BillingMode::Provisioned,
        None => settings.billing_mode,
    };
    if let Some(pt) = &input.provisioned_throughput {
        if billing == BillingMode::PayPerRequest {
            return Err(DynamoError::invalid_parameter(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when \
                 BillingMode is PAY_PER_REQUEST",
            ));
        }
        let (read, write) = (
            pt.read_capacity_units.unwrap_or_default(),
            pt.write_capacity_units.unwrap_or_default(),
        );
        if settings.billing_mode == BillingMode::Provisioned
            && read == settings.read_capacity
            && write == settings.write_capacity
        {
            return Err(DynamoError::validation(format!(
                "The provisioned throughput for the table will not change. The requested value \
                 equals the current value. Current ReadCapacityUnits provisioned for the table: \
                 {}. Requested ReadCapacityUnits: {read}. Current WriteCapacityUnits provisioned \
                 for the table: {}. Requested WriteCapacityUnits: {write}. Refer to the Amazon \
                 DynamoDB Developer Guide for current limits and how to request higher limits.",
                settings.read_capacity, settings.write_capacity
            )));
        }
    }
    let indexes = table.indexes();
    // Switching to provisioned needs throughput for every global index that stays.
    if billing == BillingMode::Provisioned && settings.billing_mode == BillingMode::PayPerRequest {
        let missing: Vec<&str> = indexes
            .iter()
            .filter(|i| i.is_global())
            .map(|i| i.name())
            .filter(|n| {
                !changes.iter().any(|c| {
                    matches!(c, IndexChange::Throughput(t, _) | IndexChange::Delete(t) if t == n)
                })
            })
            .collect();
        if !missing.is_empty() {
            return Err(DynamoError::invalid_parameter(format!(
                "ProvisionedThroughput must be specified for index: {}",
                missing.join(",")
            )));
        }
    }
    let mut definitions = settings.attribute_definitions.clone();
    let mut created = None;
    for change in changes {
        match change {
            IndexChange::Throughput(name, pt) => {
                let index = table.index(name).ok_or_else(|| {
                    DynamoError::ResourceNotFound(format!(
                        "Requested resource not found: Index: {name} not found"
                    ))
                })?;
                if !index.is_global() {
                    return Err(DynamoError::validation(format!(
                        "Cannot update an index that is not a GlobalSecondaryIndex: {name}"
                    )));
                }
                if billing == BillingMode::PayPerRequest {
                    return Err(DynamoError::invalid_parameter(format!(
                        "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for \
                         index: {name} when BillingMode is PAY_PER_REQUEST"
                    )));
                }
                check_bounds(pt)?;
            }
            IndexChange::Delete(name) => {
                let index = table.index(name).ok_or_else(|| {
                    DynamoError::ResourceNotFound(format!(
                        "Requested resource not found: Index: {name} not found"
                    ))
                })?;
                if !index.is_global() {
                    return Err(DynamoError::validation(format!(
                        "Cannot delete an index that is not a GlobalSecondaryIndex: {name}"
                    )));
                }
            }
            IndexChange::Create(create) => {
                let name = create.index_name.as_deref().unwrap_or_default();
                if table.index(name).is_some() {
                    return Err(DynamoError::validation(
                        "Attempting to create an index which already exists",
                    ));
                }
                if indexes.iter().filter(|i| i.is_global()).count() >= MAX_GLOBAL_INDEXES {
                    return Err(DynamoError::LimitExceeded(format!(
                        "GlobalSecondaryIndex count exceeds the per-table limit of \
                         {MAX_GLOBAL_INDEXES}"
                    )));
                }
                let Some(defs) = &input.attribute_definitions else {
                    return Err(DynamoError::invalid_parameter(format!(
                        "AttributeDefinitions is not specified for index: {name}"
                    )));
                };
                for d in defs {
                    let (Some(n), Some(kind)) = (&d.attribute_name, &d.attribute_type) else {
                        continue;
                    };
                    let kind = match kind.as_str() {
                        "N" => KeyType::N,
                        "B" => KeyType::B,
                        _ => KeyType::S,
                    };
                    if !definitions.iter().any(|(existing, _)| existing == n) {
                        definitions.push((n.clone(), kind));
                    }
                }
                let spec = global_index_spec(create, &definitions, billing, &table.spec.arn)?;
                let specs: Vec<_> = indexes.iter().map(|i| i.spec.clone()).collect();
                check_projected_total(specs.iter().chain(std::iter::once(&spec)))?;
                created = Some(spec);
            }
        }
    }

    // Everything is valid: apply.
    table.update_settings(|s: &mut Settings| {
        if let Some(p) = input.deletion_protection_enabled {
            s.deletion_protection = p;
        }
        if billing != s.billing_mode {
            s.billing_mode = billing;
            if billing == BillingMode::PayPerRequest {
                s.pay_per_request_since = now;
                s.read_capacity = 0;
                s.write_capacity = 0;
            }
        }
        if let Some(pt) = &input.provisioned_throughput {
            let (read, write) = (
                pt.read_capacity_units.unwrap_or_default(),
                pt.write_capacity_units.unwrap_or_default(),
            );
            if read < s.read_capacity || write < s.write_capacity {
                s.throughput_decreases += 1;
            }
            s.read_capacity = read;
            s.write_capacity = write;
        }
    });
    if let Some(stream) = &input.stream_specification {
        set_stream(table, stream, now)?;
    }
    if billing == BillingMode::PayPerRequest {
        for index in indexes.iter().filter(|i| i.is_global()) {
            index.set_capacity(0, 0);
        }
    }
    let mut created_name = None;
    for change in changes {
        match change {
            IndexChange::Throughput(name, pt) => {
                if let Some(index) = table.index(name) {
                    index.set_capacity(
                        pt.read_capacity_units.unwrap_or_default(),
                        pt.write_capacity_units.unwrap_or_default(),
                    );
                }
            }
            IndexChange::Delete(name) => {
                table.remove_index(name);
            }
            IndexChange::Create(_) => {}
        }
    }
    if let Some(spec) = created {
        created_name = Some(spec.name.clone());
        let used: Vec<String> = spec.schema.key_names().map(str::to_owned).collect();
        table.update_settings(|s| {
            for (n, k) in &definitions {
                if used.contains(n) && !s.attribute_definitions.iter().any(|(e, _)| e == n) {
                    s.attribute_definitions.push((n.clone(), *k));
                }
            }
        });
        table.add_index(spec);
    }
    // Attribute definitions no key uses any more (a deleted index's) are dropped.
    let still_used: Vec<String> = table
        .schema
        .key_names()
        .map(str::to_owned)
        .chain(table.indexes().iter().flat_map(|i| {
            i.spec
                .schema
                .key_names()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }))
        .collect();
    table.update_settings(|s| {
        s.attribute_definitions
            .retain(|(n, _)| still_used.contains(n))
    });
    Ok(created_name)
}

/// Enables (with a view type) or disables the table's stream, as DynamoDB words refusals.
pub fn set_stream(table: &Table, stream: &StreamSpecificationInput, now: f64) -> Result<()> {
    let enabled = stream.stream_enabled.unwrap_or(false);
    let current = table.settings().stream;
    match (enabled, &stream.stream_view_type, &current) {
        (true, None, _) => Err(DynamoError::invalid_parameter(
            "If stream is being enabled then UpdateViewType is required",
        )),
        (false, Some(_), _) => Err(DynamoError::invalid_parameter(
            "If stream is being disabled, then UpdateViewType must not be specified",
        )),
        (true, Some(_), Some(_)) => Err(DynamoError::validation(format!(
            "Table already has an enabled stream: TableName: {}",
            table.name
        ))),
        (false, None, None) => Err(DynamoError::validation(format!(
            "Table has no stream to disable: TableName: {}",
            table.name
        ))),
        (true, Some(view), None) => {
            let label = stream_label(now);
            table.update_settings(|s| s.stream = Some((view.clone(), label)));
            Ok(())
        }
        (false, None, Some(_)) => {
            table.update_settings(|s| s.stream = None);
            Ok(())
        }
    }
}

/// A stream label: the time the stream was enabled, `YYYY-MM-DDThh:mm:ss.mmm` in UTC.
fn stream_label(epoch_seconds: f64) -> String {
    let millis = (epoch_seconds * 1000.0) as i64;
    let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn stream_labels_are_utc_timestamps() {
        assert_eq!(super::stream_label(0.0), "1970-01-01T00:00:00.000");
        assert_eq!(
            super::stream_label(1_764_672_447.123),
            "2025-12-02T10:47:27.123"
        );
    }
}
