//! The DynamoDB service: JSON 1.0 operations over the storage engine.
//!
//! Each operation lives in `ops/<name>.rs` as a typed input, a typed output and an
//! `execute` function; this module only routes by name, parses the input and serialises
//! the output. Shared validation lives in `validate.rs`, expressions in `expr/`.

pub mod arn;
pub mod capacity;
pub mod error;
pub mod expr;
pub mod model;
pub mod operations;
pub mod ops;
pub mod storage;
pub mod validate;

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use error::{DynamoError, Result};
use storage::{Catalog, Database, Table};

use crate::clock::Clock;
use crate::common::json::{self, JsonProblem};
use crate::common::Namespace;
pub use crate::common::ACCOUNT_ID;
use crate::common::{AuthError, ErrorBody, Service};
use crate::config::Limits;

/// What an operation can see: the data, the caller's namespace and the limits.
pub struct Ctx<'a> {
    pub db: &'a Database,
    pub ns: &'a Namespace,
    pub limits: &'a Limits,
    /// `host:port` clients reach this emulator at, once it listens (DescribeEndpoints).
    pub address: Option<&'a str>,
}

impl Ctx<'_> {
    /// The caller's catalog for a write that adds to it (CreateTable), created on first
    /// use; refused once the emulator holds its maximum number of namespaces.
    pub fn catalog_for_write(&self) -> Result<Arc<Catalog>> {
        self.db
            .catalog_for_write(self.ns, self.limits.max_namespaces)
            .ok_or_else(|| {
                DynamoError::LimitExceeded(format!(
                    "Subscriber limit exceeded: the emulator holds data for at most {} \
                     access key and region pairs (--max-namespaces)",
                    self.limits.max_namespaces
                ))
            })
    }

    /// The name a request's table reference stands for: the reference itself, or the name
    /// inside the table's ARN (DynamoDB takes either wherever it takes a `TableName`).
    /// `None` for the ARN of another account or region, which holds no tables here.
    pub fn resolve<'r>(&self, reference: &'r str) -> Result<Option<&'r str>> {
        if !arn::is_arn(reference) {
            return Ok(Some(reference));
        }
        let parsed = arn::parse_table_arn(reference)
            .map_err(|_| DynamoError::invalid_table_arn(reference))?;
        Ok(parsed.is_local(&self.ns.region).then_some(parsed.name))
    }

    /// The table a name or ARN refers to, or the item operations' "Requested resource not
    /// found"; tables still being created or deleted hold no items yet (or any more).
    pub fn table(&self, reference: &str) -> Result<Arc<Table>> {
        self.resolve(reference)?
            .and_then(|name| self.db.item_table(self.ns, name))
            .ok_or_else(DynamoError::resource_not_found)
    }

    /// The tables a batch or transaction names, in request order; the first missing one
    /// fails the request before any of its keys is looked at, as DynamoDB checks them.
    pub fn tables<'r>(
        &self,
        references: impl IntoIterator<Item = &'r str>,
    ) -> Result<Vec<Arc<Table>>> {
        references.into_iter().map(|r| self.table(r)).collect()
    }

    /// The table, or the control-plane wording that names it as the request did
    /// ("Requested resource not found: Table: <reference> not found").
    pub fn table_named(&self, reference: &str) -> Result<Arc<Table>> {
        self.resolve(reference)?
            .and_then(|name| self.db.table(self.ns, name))
            .ok_or_else(|| DynamoError::table_not_found(reference))
    }

    pub fn now_millis(&self) -> i64 {
        self.db.clock.now_millis()
    }

    /// When a transition started now ends (`--status-delay-ms` from now).
    pub fn transition_end(&self) -> i64 {
        let delay = i64::try_from(self.limits.status_delay.as_millis()).unwrap_or(i64::MAX);
        self.now_millis().saturating_add(delay)
    }

    /// Refuses a change to a table that is not ACTIVE, with DynamoDB's wording.
    pub fn check_changeable(&self, table: &Table) -> Result<()> {
        let doing = match table.status(self.now_millis()) {
            storage::Status::Creating => "created",
            storage::Status::Updating => "updated",
            storage::Status::Deleting | storage::Status::Gone => "deleted",
            storage::Status::Active => return Ok(()),
        };
        Err(DynamoError::ResourceInUse(format!(
            "Attempt to change a resource which is still in use: Table is being {doing}: {}",
            table.name
        )))
    }
}

/// One DynamoDB operation: typed input in, typed output out.
pub trait Operation {
    type Input: DeserializeOwned;
    type Output: Serialize;
    fn execute(ctx: &Ctx, input: Self::Input) -> Result<Self::Output>;
}

pub struct DynamoDb {
    pub db: Database,
    pub limits: Limits,
    /// Set once the server listens: `host:port` for DescribeEndpoints.
    address: std::sync::OnceLock<String>,
}

impl DynamoDb {
    pub fn new(clock: Clock) -> Self {
        Self::with_limits(clock, Limits::default())
    }

    pub fn with_limits(clock: Clock, limits: Limits) -> Self {
        DynamoDb {
            db: Database::new(clock),
            limits,
            address: std::sync::OnceLock::new(),
        }
    }

    /// Records where the server listens. A wildcard address is not one a client can
    /// reach, so it is answered as `localhost`.
    pub fn set_listen_address(&self, addr: std::net::SocketAddr) {
        let address = if addr.ip().is_unspecified() {
            format!("localhost:{}", addr.port())
        } else {
            addr.to_string()
        };
        let _ = self.address.set(address);
    }
}

impl Service for DynamoDb {
    fn target_prefix(&self) -> &'static str {
        "DynamoDB_20120810."
    }

    fn dispatch(
        &self,
        ns: &Namespace,
        op: &str,
        body: &[u8],
        request_id: &str,
    ) -> std::result::Result<Vec<u8>, ErrorBody> {
        let ctx = Ctx {
            db: &self.db,
            ns,
            limits: &self.limits,
            address: self.address.get().map(String::as_str),
        };
        let result = match ops::dispatch(&ctx, op, body) {
            Err(DynamoError::UnknownOperation) => Err(operations::unknown(op)),
            other => other,
        };
        match &result {
            Ok(_) => tracing::debug!(op, request_id, "DynamoDB request"),
            Err(e) => tracing::debug!(op, request_id, error = %e, "DynamoDB request failed"),
        }
        result.map_err(|e| e.render())
    }

    fn auth_error(&self, error: AuthError) -> ErrorBody {
        DynamoError::from(error).render()
    }

    fn unknown_operation(&self) -> ErrorBody {
        DynamoError::UnknownOperation.render()
    }
}

/// Parses, executes and serialises one operation.
pub fn run<O: Operation>(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>> {
    let input: O::Input = json::parse(body).map_err(serialization_error)?;
    let output = O::execute(ctx, input)?;
    json::render(&output).map_err(|e| DynamoError::Internal(e.to_string()))
}

/// Words a body that does not fit the operation's shape as DynamoDB's Coral front end does
/// (the messages dynalite's suite recorded from the real service).
fn serialization_error(problem: JsonProblem) -> DynamoError {
    DynamoError::Serialization(match problem {
        JsonProblem::Syntax => String::new(),
        JsonProblem::ListForScalar { expected } => {
            format!("Unrecognized collection type class java.lang.{expected}")
        }
        JsonProblem::WrongType {
            found,
            expected,
            target,
            field,
        } => {
            let class = target.as_deref().and_then(coral_class);
            match (found.as_str(), expected.as_str(), class) {
                ("START_ARRAY", "Map", Some(class)) => {
                    format!("Unrecognized collection type java.util.Map<java.lang.String, {class}>")
                }
                ("START_ARRAY", "Structure", Some(class)) => {
                    format!("Unrecognized collection type class {class}")
                }
                // A structure held in a list or map is a "value"; one that is a member of
                // its parent structure is a "field".
                (_, "Structure", Some(_)) if !field => {
                    "Unexpected value type in payload".to_owned()
                }
                (_, "Structure" | "List" | "Map", _) => "Unexpected field type".to_owned(),
                _ => format!("{found} cannot be converted to {expected}"),
            }
        }
        JsonProblem::Other(m) => m,
    })
}

/// DynamoDB's Java class for each input type nested in a request, by the Rust name of the
/// type.
fn coral_class(rust_name: &str) -> Option<String> {
    let class = match rust_name {
        "String" => return Some("java.lang.String".to_owned()),
        "RawAttributeValue" => "AttributeValue",
        "AttributeDefinitionInput" => "AttributeDefinition",
        "KeySchemaInput" => "KeySchemaElement",
        "ExpectedAttributeValue" => "ExpectedAttributeValue",
        "AttributeValueUpdate" => "AttributeValueUpdate",
        "ThroughputInput" => "ProvisionedThroughput",
        "ProjectionInput" => "Projection",
        "Tag" => "Tag",
        "StreamSpecificationInput" => "StreamSpecification",
        "Specification" => "TimeToLiveSpecification",
        "KeysAndAttributes" => "KeysAndAttributes",
        "WriteRequest" => "WriteRequest",
        "PutRequest" => "PutRequest",
        "DeleteRequest" => "DeleteRequest",
        "TransactWriteItem" => "TransactWriteItem",
        "TransactGetItem" => "TransactGetItem",
        "Get" => "Get",
        // BatchWriteItem's map of lists (ops/batch_write_item.rs names the list type).
        "WriteRequests" => {
            return Some("java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>".into())
        }
        _ => return None,
    };
    Some(format!("com.amazonaws.dynamodb.v20120810.{class}"))
}
