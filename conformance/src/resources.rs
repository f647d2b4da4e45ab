//! Everything a run creates on a target, named so it can all be found and removed again.
//!
//! Tables are `conformance-<run id>-<purpose>` (PAY_PER_REQUEST) and parameters live under
//! `/conformance/<run id>/`. Clean-up does not trust a list kept in memory: it lists the
//! target's tables and parameters by those prefixes, so whatever a case created, even one
//! cut short by a failure or Ctrl-C, is removed.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
    TimeToLiveSpecification,
};
use tokio::sync::OnceCell;

use crate::target::Target;

/// Names for one run, and what it has created so far.
pub struct Resources {
    run_id: String,
    dynamodb: aws_sdk_dynamodb::Client,
    ssm: aws_sdk_ssm::Client,
    created: Mutex<Vec<String>>,
    cancelled: Arc<AtomicBool>,
    next_case: AtomicU64,
    cache_table: OnceCell<String>,
    range_table: OnceCell<String>,
    keyring_table: OnceCell<String>,
}

/// The cache table's key and TTL attributes (the .NET provider's defaults).
pub const CACHE_KEY: &str = "id";
pub const CACHE_TTL: &str = "ttl_date";
/// The Query table: a string partition key and a numeric sort key.
pub const RANGE_PK: &str = "pk";
pub const RANGE_SK: &str = "sk";
/// The key-ring table: the DynamoDB key repository's default key names, both strings.
pub const KEYRING_PK: &str = "pk";
pub const KEYRING_SK: &str = "sk";

/// What clean-up removed and what it could not.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Cleanup {
    pub removed: Vec<String>,
    pub failed: Vec<String>,
}

/// A run id: the start time plus a random part, short enough for table names.
pub fn new_run_id() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let random = std::collections::hash_map::RandomState::new();
    let noise = std::hash::BuildHasher::hash_one(&random, now.as_nanos()) & 0xffff;
    format!("{}-{noise:04x}", now.as_secs())
}

impl Resources {
    pub fn new(target: &Target, run_id: &str, cancelled: Arc<AtomicBool>) -> Resources {
        Resources {
            run_id: run_id.to_owned(),
            dynamodb: target.dynamodb.clone(),
            ssm: target.ssm.clone(),
            created: Mutex::new(Vec::new()),
            cancelled,
            next_case: AtomicU64::new(0),
            cache_table: OnceCell::new(),
            range_table: OnceCell::new(),
            keyring_table: OnceCell::new(),
        }
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// A number no other case of this run uses: cases share tables and keep apart by
    /// putting it in their keys and parameter names.
    pub fn next_case(&self) -> u64 {
        self.next_case.fetch_add(1, Ordering::Relaxed)
    }

    fn table_prefix(&self) -> String {
        format!("conformance-{}-", self.run_id)
    }

    /// The parameter path every case's parameters live under, without a trailing slash.
    pub fn parameter_root(&self) -> String {
        format!("/conformance/{}", self.run_id)
    }

    /// Notes a created parameter for the report (clean-up finds it by path anyway).
    pub fn note_created(&self, what: String) {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what);
    }

    pub fn created(&self) -> Vec<String> {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The cache table (hash key `id` S, TTL on `ttl_date`), created at first use.
    pub async fn cache_table(&self) -> Result<&str, String> {
        self.cache_table
            .get_or_try_init(|| async {
                let name = format!("{}cache", self.table_prefix());
                self.create_table(&name, &[(CACHE_KEY, KeyType::Hash, ScalarAttributeType::S)])
                    .await?;
                self.dynamodb
                    .update_time_to_live()
                    .table_name(&name)
                    .time_to_live_specification(
                        TimeToLiveSpecification::builder()
                            .attribute_name(CACHE_TTL)
                            .enabled(true)
                            .build()
                            .map_err(|e| e.to_string())?,
                    )
                    .send()
                    .await
                    .map_err(|e| format!("UpdateTimeToLive on {name}: {}", crate::sdk_error(&e)))?;
                Ok(name)
            })
            .await
            .map(String::as_str)
    }

    /// The Query table (hash `pk` S, range `sk` N), created at first use.
    pub async fn range_table(&self) -> Result<&str, String> {
        self.table_once(
            &self.range_table,
            "range",
            &[
                (RANGE_PK, KeyType::Hash, ScalarAttributeType::S),
                (RANGE_SK, KeyType::Range, ScalarAttributeType::N),
            ],
        )
        .await
    }

    /// The key-ring table (hash `pk` S, range `sk` S), created at first use. Cases keep
    /// apart by partition value, as several applications' rings share one table.
    pub async fn keyring_table(&self) -> Result<&str, String> {
        self.table_once(
            &self.keyring_table,
            "keyring",
            &[
                (KEYRING_PK, KeyType::Hash, ScalarAttributeType::S),
                (KEYRING_SK, KeyType::Range, ScalarAttributeType::S),
            ],
        )
        .await
    }

    /// The run's table for `purpose`, created by the first caller (the others wait).
    async fn table_once<'a>(
        &'a self,
        cell: &'a OnceCell<String>,
        purpose: &str,
        keys: &[(&str, KeyType, ScalarAttributeType)],
    ) -> Result<&'a str, String> {
        cell.get_or_try_init(|| async {
            let name = format!("{}{purpose}", self.table_prefix());
            self.create_table(&name, keys).await?;
            Ok(name)
        })
        .await
        .map(String::as_str)
    }

    /// CreateTable in on-demand mode, then DescribeTable until the table is ACTIVE.
    async fn create_table(
        &self,
        name: &str,
        keys: &[(&str, KeyType, ScalarAttributeType)],
    ) -> Result<(), String> {
        if self.cancelled() {
            return Err("interrupted".into());
        }
        let mut request = self
            .dynamodb
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest);
        for (attribute, key_type, attribute_type) in keys {
            request = request
                .key_schema(
                    KeySchemaElement::builder()
                        .attribute_name(*attribute)
                        .key_type(key_type.clone())
                        .build()
                        .map_err(|e| e.to_string())?,
                )
                .attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name(*attribute)
                        .attribute_type(attribute_type.clone())
                        .build()
                        .map_err(|e| e.to_string())?,
                );
        }
        request
            .send()
            .await
            .map_err(|e| format!("CreateTable {name}: {}", crate::sdk_error(&e)))?;
        self.note_created(format!("table {name}"));
        println!("  created table {name}, waiting for ACTIVE");
        let started = Instant::now();
        loop {
            let table = self
                .dynamodb
                .describe_table()
                .table_name(name)
                .send()
                .await
                .map_err(|e| format!("DescribeTable {name}: {}", crate::sdk_error(&e)))?;
            let status = table.table().and_then(|t| t.table_status());
            if status == Some(&TableStatus::Active) {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(300) || self.cancelled() {
                return Err(format!(
                    "table {name} not ACTIVE after {:?}",
                    started.elapsed()
                ));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Removes every table and parameter of this run, whatever created it, and says so.
    pub async fn cleanup(&self) -> Cleanup {
        let mut cleanup = Cleanup::default();
        self.remove_tables(&mut cleanup).await;
        self.remove_parameters(&mut cleanup).await;
        cleanup
    }

    async fn remove_tables(&self, cleanup: &mut Cleanup) {
        let prefix = self.table_prefix();
        let mut tables = Vec::new();
        let mut start: Option<String> = None;
        loop {
            match self
                .dynamodb
                .list_tables()
                .set_exclusive_start_table_name(start.take())
                .send()
                .await
            {
                Ok(page) => {
                    tables.extend(
                        page.table_names()
                            .iter()
                            .filter(|t| t.starts_with(&prefix))
                            .cloned(),
                    );
                    match page.last_evaluated_table_name() {
                        Some(last) => start = Some(last.to_owned()),
                        None => break,
                    }
                }
                Err(e) => {
                    cleanup
                        .failed
                        .push(format!("ListTables: {}", crate::sdk_error(&e)));
                    break;
                }
            }
        }
        for table in tables {
            // A table still CREATING (a run interrupted while waiting) cannot be deleted
            // yet: wait for it rather than leave it behind.
            let mut attempts = 0;
            loop {
                match self.dynamodb.delete_table().table_name(&table).send().await {
                    Ok(_) => cleanup.removed.push(format!("table {table}")),
                    Err(e)
                        if attempts < 60
                            && e.as_service_error()
                                .is_some_and(|e| e.is_resource_in_use_exception()) =>
                    {
                        attempts += 1;
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        continue;
                    }
                    Err(e) => cleanup
                        .failed
                        .push(format!("DeleteTable {table}: {}", crate::sdk_error(&e))),
                }
                break;
            }
        }
    }

    async fn remove_parameters(&self, cleanup: &mut Cleanup) {
        let root = self.parameter_root();
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            match self
                .ssm
                .get_parameters_by_path()
                .path(&root)
                .recursive(true)
                .set_next_token(token.take())
                .send()
                .await
            {
                Ok(page) => {
                    names.extend(
                        page.parameters()
                            .iter()
                            .filter_map(|p| p.name())
                            .map(str::to_owned),
                    );
                    match page.next_token() {
                        Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                        _ => break,
                    }
                }
                Err(e) => {
                    cleanup.failed.push(format!(
                        "GetParametersByPath {root}: {}",
                        crate::sdk_error(&e)
                    ));
                    break;
                }
            }
        }
        if names.is_empty() {
            return;
        }
        let mut removed = 0;
        for batch in names.chunks(10) {
            match self
                .ssm
                .delete_parameters()
                .set_names(Some(batch.to_vec()))
                .send()
                .await
            {
                Ok(out) => {
                    removed += out.deleted_parameters().len();
                    for invalid in out.invalid_parameters() {
                        cleanup
                            .failed
                            .push(format!("DeleteParameters {invalid}: invalid"));
                    }
                }
                Err(e) => cleanup
                    .failed
                    .push(format!("DeleteParameters: {}", crate::sdk_error(&e))),
            }
        }
        cleanup
            .removed
            .push(format!("{removed} parameters under {root}/"));
    }
}
