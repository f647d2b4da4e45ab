//! Key-ring elements as items of a DynamoDB table: one item per element, all under one
//! partition key value, so one strongly consistent Query reads the whole ring.
//!
//! | attribute (default name) | type | value |
//! |---|---|---|
//! | partition key (`pk`) | S | the ring's partition value (default `DataProtection`) |
//! | sort key (`sk`) | S | the element's name: friendly name, else `id`, else a UUID |
//! | `xml` | S | the element's XML |
//! | `friendly_name` | S | the friendly name, when one was given |
//!
//! Writes are conditional (`attribute_not_exists`) and never overwrite. Reads follow
//! `LastEvaluatedKey` to the end (a community repository scans one page only and silently
//! loses keys once the table grows) and never return an element twice. An item without
//! readable XML is logged by name and skipped.
//!
//! Least-privilege permissions on the table: `dynamodb:Query` and `dynamodb:PutItem`;
//! `dynamodb:DeleteItem` for deletion; `dynamodb:DescribeTable` and `dynamodb:CreateTable`
//! only with `create_table_if_not_exists`. A policy can pin the partition with the
//! `dynamodb:LeadingKeys` condition key.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType, TableStatus,
};
use aws_sdk_dynamodb::Client;
use tokio::sync::OnceCell;

use super::retry::{repository_error, with_retries, Call};
use super::{
    element_name, remove_in_order, Chooser, DeletableElement, NamedElements, RepositoryError,
    RetryPolicy, XmlRepository,
};
use crate::keyring::xml::XmlElement;

pub const DEFAULT_PARTITION_VALUE: &str = "DataProtection";

#[derive(Clone, Debug)]
pub struct DynamoDbXmlRepository {
    client: Client,
    table: String,
    partition_key: String,
    sort_key: String,
    partition_value: String,
    xml_attribute: String,
    friendly_name_attribute: String,
    create_table: bool,
    poll_interval: Duration,
    retry: RetryPolicy,
    ready: std::sync::Arc<OnceCell<()>>,
}

/// Configures a [`DynamoDbXmlRepository`].
#[derive(Debug)]
pub struct DynamoDbXmlRepositoryBuilder {
    repository: DynamoDbXmlRepository,
}

impl DynamoDbXmlRepository {
    pub fn builder(client: Client, table: impl Into<String>) -> DynamoDbXmlRepositoryBuilder {
        DynamoDbXmlRepositoryBuilder {
            repository: DynamoDbXmlRepository {
                client,
                table: table.into(),
                partition_key: "pk".into(),
                sort_key: "sk".into(),
                partition_value: DEFAULT_PARTITION_VALUE.into(),
                xml_attribute: "xml".into(),
                friendly_name_attribute: "friendly_name".into(),
                create_table: false,
                poll_interval: Duration::from_secs(1),
                retry: RetryPolicy::default(),
                ready: Default::default(),
            },
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    fn call(&self, operation: &'static str, permission: &'static str) -> Call {
        Call {
            operation,
            permission,
            resource: format!("table {}", self.table),
        }
    }

    fn key(&self, name: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (
                self.partition_key.clone(),
                AttributeValue::S(self.partition_value.clone()),
            ),
            (self.sort_key.clone(), AttributeValue::S(name.to_owned())),
        ])
    }

    /// Creates the table on first use when asked to; otherwise nothing (no control-plane
    /// permission needed).
    async fn ensure_table(&self) -> Result<(), RepositoryError> {
        if !self.create_table {
            return Ok(());
        }
        self.ready
            .get_or_try_init(|| async {
                if self.table_status().await?.is_none() {
                    self.create().await?;
                }
                while self.table_status().await? != Some(TableStatus::Active) {
                    tokio::time::sleep(self.poll_interval).await;
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    async fn table_status(&self) -> Result<Option<TableStatus>, RepositoryError> {
        let call = || self.call("DescribeTable", "dynamodb:DescribeTable");
        match with_retries(&self.retry, &call(), || {
            self.client.describe_table().table_name(&self.table).send()
        })
        .await
        {
            Ok(output) => Ok(output.table.and_then(|t| t.table_status)),
            Err((e, _))
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err((e, attempts)) => Err(repository_error(call(), e, attempts)),
        }
    }

    async fn create(&self) -> Result<(), RepositoryError> {
        let call = || self.call("CreateTable", "dynamodb:CreateTable");
        let attribute = |name: &str, key_type: KeyType| {
            (
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(key_type)
                    .build()
                    .expect("name and type are set"),
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .expect("name and type are set"),
            )
        };
        let (hash, hash_definition) = attribute(&self.partition_key, KeyType::Hash);
        let (range, range_definition) = attribute(&self.sort_key, KeyType::Range);
        let result = with_retries(&self.retry, &call(), || {
            self.client
                .create_table()
                .table_name(&self.table)
                .key_schema(hash.clone())
                .key_schema(range.clone())
                .attribute_definitions(hash_definition.clone())
                .attribute_definitions(range_definition.clone())
                .billing_mode(BillingMode::PayPerRequest)
                .send()
        })
        .await;
        match result {
            Ok(_) => Ok(()),
            // Another instance created it first.
            Err((e, _))
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_in_use_exception()) =>
            {
                Ok(())
            }
            Err((e, attempts)) => Err(repository_error(call(), e, attempts)),
        }
    }
}

impl DynamoDbXmlRepositoryBuilder {
    pub fn partition_key_name(mut self, name: impl Into<String>) -> Self {
        self.repository.partition_key = name.into();
        self
    }
    pub fn sort_key_name(mut self, name: impl Into<String>) -> Self {
        self.repository.sort_key = name.into();
        self
    }
    /// The partition key value of every element of this ring (one table can hold several
    /// rings, one per application).
    pub fn partition_value(mut self, value: impl Into<String>) -> Self {
        self.repository.partition_value = value.into();
        self
    }
    pub fn xml_attribute_name(mut self, name: impl Into<String>) -> Self {
        self.repository.xml_attribute = name.into();
        self
    }
    pub fn friendly_name_attribute_name(mut self, name: impl Into<String>) -> Self {
        self.repository.friendly_name_attribute = name.into();
        self
    }
    /// Create the table (hash + range, both S, on demand) at first use if it is missing.
    pub fn create_table_if_not_exists(mut self, create: bool) -> Self {
        self.repository.create_table = create;
        self
    }
    pub fn table_poll_interval(mut self, interval: Duration) -> Self {
        self.repository.poll_interval = interval;
        self
    }
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.repository.retry = retry;
        self
    }
    pub fn build(self) -> DynamoDbXmlRepository {
        self.repository
    }
}

#[async_trait]
impl NamedElements for DynamoDbXmlRepository {
    async fn list(&self) -> Result<Vec<DeletableElement>, RepositoryError> {
        self.ensure_table().await?;
        let call = || self.call("Query", "dynamodb:Query");
        let mut elements = Vec::new();
        let mut seen = HashSet::new();
        let mut start_key: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = with_retries(&self.retry, &call(), || {
                self.client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("#pk = :pk")
                    .expression_attribute_names("#pk", &self.partition_key)
                    .expression_attribute_values(
                        ":pk",
                        AttributeValue::S(self.partition_value.clone()),
                    )
                    .consistent_read(true)
                    .set_exclusive_start_key(start_key.clone())
                    .send()
            })
            .await
            .map_err(|(e, attempts)| repository_error(call(), e, attempts))?;
            for item in page.items() {
                let Some(AttributeValue::S(name)) = item.get(&self.sort_key) else {
                    tracing::warn!(table = %self.table, "key-ring item without a string sort key; skipped");
                    continue;
                };
                if !seen.insert(name.clone()) {
                    tracing::warn!(item = %name, "key-ring item returned twice; kept once");
                    continue;
                }
                let parsed = match item.get(&self.xml_attribute) {
                    Some(AttributeValue::S(xml)) => {
                        XmlElement::parse(xml).map_err(|e| e.to_string())
                    }
                    _ => Err(format!("no string attribute {}", self.xml_attribute)),
                };
                match parsed {
                    Ok(element) => elements.push(DeletableElement::new(name.clone(), element)),
                    Err(reason) => tracing::warn!(
                        item = %name,
                        %reason,
                        "key-ring item cannot be read; skipped"
                    ),
                }
            }
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start_key = Some(key),
                _ => break,
            }
        }
        Ok(elements)
    }

    async fn delete(&self, name: &str) -> Result<(), RepositoryError> {
        let call = || self.call("DeleteItem", "dynamodb:DeleteItem");
        with_retries(&self.retry, &call(), || {
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(self.key(name)))
                .send()
        })
        .await
        .map(|_| ())
        .map_err(|(e, attempts)| repository_error(call(), e, attempts))
    }
}

#[async_trait]
impl XmlRepository for DynamoDbXmlRepository {
    async fn get_all_elements(&self) -> Result<Vec<XmlElement>, RepositoryError> {
        Ok(self.list().await?.into_iter().map(|e| e.element).collect())
    }

    async fn store_element(
        &self,
        element: &XmlElement,
        friendly_name: Option<&str>,
    ) -> Result<(), RepositoryError> {
        self.ensure_table().await?;
        let name = element_name(element, friendly_name);
        let mut item = self.key(&name);
        item.insert(
            self.xml_attribute.clone(),
            AttributeValue::S(element.to_xml_string()),
        );
        if let Some(friendly) = friendly_name.filter(|f| !f.is_empty()) {
            item.insert(
                self.friendly_name_attribute.clone(),
                AttributeValue::S(friendly.to_owned()),
            );
        }
        let call = || self.call("PutItem", "dynamodb:PutItem");
        let result = with_retries(&self.retry, &call(), || {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item.clone()))
                .condition_expression("attribute_not_exists(#sk)")
                .expression_attribute_names("#sk", &self.sort_key)
                .send()
        })
        .await;
        match result {
            Ok(_) => Ok(()),
            Err((e, _))
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Err(RepositoryError::AlreadyExists { name })
            }
            Err((e, attempts)) => Err(repository_error(call(), e, attempts)),
        }
    }

    async fn remove_elements(&self, chooser: &mut Chooser<'_>) -> Result<bool, RepositoryError> {
        remove_in_order(self, chooser).await
    }
}
