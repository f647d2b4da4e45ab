//! The startup checks of the .NET provider (DynamoDBTableCreator), run once at first use.
//!
//! - With table creation on: DescribeTable (CreateTable if missing, wait for ACTIVE,
//!   UpdateTimeToLive), then DescribeTimeToLive; the table's real names win.
//! - Without: DescribeTable only if the key name is not configured, DescribeTimeToLive
//!   only if the TTL name is not configured. Both configured: no control-plane call.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TableDescription, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};

use super::{Inner, Schema};
use crate::error::{CacheError, InvalidTable, Operation};
use crate::item::{DEFAULT_PARTITION_KEY, DEFAULT_TTL_ATTRIBUTE};

pub(super) async fn resolve(inner: &Inner) -> Result<Schema, CacheError> {
    let (partition_key, ttl_attribute) = if inner.create_table {
        let key = describe_or_create(inner).await?;
        (key, ttl_attribute(inner).await?)
    } else {
        let key = match &inner.partition_key_name {
            Some(name) => name.clone(),
            None => describe_or_create(inner).await?,
        };
        let ttl = match &inner.ttl_attribute_name {
            Some(name) => name.clone(),
            None => ttl_attribute(inner).await?,
        };
        (key, ttl)
    };
    tracing::info!(table = %inner.table, %partition_key, %ttl_attribute, "distributed cache ready");
    Ok(Schema {
        partition_key,
        ttl_attribute,
    })
}

fn aws_error<E>(inner: &Inner, operation: Operation, err: SdkError<E>) -> CacheError
where
    aws_sdk_dynamodb::Error: From<SdkError<E>>,
{
    CacheError::Aws {
        operation,
        table: inner.table.clone(),
        key: None,
        source: Box::new(err.into()),
    }
}

fn invalid(inner: &Inner, reason: InvalidTable) -> CacheError {
    CacheError::InvalidTable {
        table: inner.table.clone(),
        reason,
    }
}

/// The table's hash key name, after checking the table can serve as a cache; creates the
/// table first if it is missing and creation is on.
async fn describe_or_create(inner: &Inner) -> Result<String, CacheError> {
    match describe(inner).await? {
        Some(table) => validate(inner, &table),
        None if inner.create_table => create(inner).await,
        None => Err(invalid(inner, InvalidTable::NotFound)),
    }
}

async fn describe(inner: &Inner) -> Result<Option<TableDescription>, CacheError> {
    match inner
        .client
        .describe_table()
        .table_name(&inner.table)
        .send()
        .await
    {
        Ok(output) => Ok(output.table),
        Err(err) => {
            let err = aws_error(inner, Operation::DescribeTable, err);
            match err.aws_error() {
                Some(aws_sdk_dynamodb::Error::ResourceNotFoundException(_)) => Ok(None),
                _ => Err(err),
            }
        }
    }
}

/// A cache table has exactly one key, a hash key of type S.
fn validate(inner: &Inner, table: &TableDescription) -> Result<String, CacheError> {
    let schema = table.key_schema();
    if let Some(range) = schema.iter().find(|k| k.key_type() == &KeyType::Range) {
        return Err(invalid(
            inner,
            InvalidTable::RangeKey {
                attribute: range.attribute_name().to_owned(),
            },
        ));
    }
    let hash = schema
        .iter()
        .find(|k| k.key_type() == &KeyType::Hash)
        .ok_or_else(|| invalid(inner, InvalidTable::NoHashKey))?;
    let name = hash.attribute_name();
    let definition = table
        .attribute_definitions()
        .iter()
        .find(|d| d.attribute_name() == name);
    if let Some(definition) = definition {
        if definition.attribute_type() != &ScalarAttributeType::S {
            return Err(invalid(
                inner,
                InvalidTable::HashKeyNotString {
                    attribute: name.to_owned(),
                    attribute_type: definition.attribute_type().as_str().to_owned(),
                },
            ));
        }
    }
    Ok(name.to_owned())
}

async fn create(inner: &Inner) -> Result<String, CacheError> {
    let key = inner
        .partition_key_name
        .clone()
        .unwrap_or_else(|| DEFAULT_PARTITION_KEY.to_owned());
    let built = |_| CacheError::Config("incomplete CreateTable request");
    let result = inner
        .client
        .create_table()
        .table_name(&inner.table)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(&key)
                .key_type(KeyType::Hash)
                .build()
                .map_err(built)?,
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(built)?,
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    if let Err(err) = result {
        let err = aws_error(inner, Operation::CreateTable, err);
        // Another server starting at the same moment created it first: use theirs.
        if let Some(aws_sdk_dynamodb::Error::ResourceInUseException(_)) = err.aws_error() {
            tracing::info!(table = %inner.table, "table created concurrently by another instance");
            wait_until_active(inner).await?;
            return match describe(inner).await? {
                Some(table) => validate(inner, &table),
                None => Err(err),
            };
        }
        return Err(err);
    }
    wait_until_active(inner).await?;
    let ttl = inner
        .ttl_attribute_name
        .clone()
        .unwrap_or_else(|| DEFAULT_TTL_ATTRIBUTE.to_owned());
    inner
        .client
        .update_time_to_live()
        .table_name(&inner.table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(ttl)
                .enabled(true)
                .build()
                .map_err(|_| CacheError::Config("incomplete UpdateTimeToLive request"))?,
        )
        .send()
        .await
        .map_err(|e| aws_error(inner, Operation::UpdateTimeToLive, e))?;
    tracing::info!(table = %inner.table, partition_key = %key, "created the cache table");
    Ok(key)
}

/// Polls DescribeTable until the table is ACTIVE, for at most `table_active_timeout`.
async fn wait_until_active(inner: &Inner) -> Result<(), CacheError> {
    let started = tokio::time::Instant::now();
    let deadline = started + inner.table_active_timeout;
    loop {
        let status = describe(inner)
            .await?
            .and_then(|t| t.table_status().cloned());
        if status == Some(TableStatus::Active) {
            return Ok(());
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(CacheError::TableNotActive {
                table: inner.table.clone(),
                waited: now - started,
                last_status: status.map(|s| s.as_str().to_owned()),
            });
        }
        tokio::time::sleep(inner.table_poll_interval.min(deadline - now)).await;
    }
}

/// The table's TTL attribute; warns when TTL is off, since nothing would ever be swept.
async fn ttl_attribute(inner: &Inner) -> Result<String, CacheError> {
    let description = inner
        .client
        .describe_time_to_live()
        .table_name(&inner.table)
        .send()
        .await
        .map_err(|e| aws_error(inner, Operation::DescribeTimeToLive, e))?
        .time_to_live_description;
    let status = description
        .as_ref()
        .and_then(|d| d.time_to_live_status().cloned());
    if matches!(
        status,
        Some(TimeToLiveStatus::Disabled | TimeToLiveStatus::Disabling)
    ) {
        tracing::warn!(
            table = %inner.table,
            "distributed cache table has Time to Live (TTL) disabled; items will never be \
             deleted automatically. Enable TTL on the table to remove stale cached data."
        );
    }
    Ok(description
        .and_then(|d| d.attribute_name)
        .unwrap_or_else(|| DEFAULT_TTL_ATTRIBUTE.to_owned()))
}
