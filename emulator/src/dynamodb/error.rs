//! Every error DynamoDB can answer with, rendered exactly as the real service does.
//!
//! Operations return `DynamoError`; only [`DynamoError::render`] knows the wire form
//! (`__type` namespaces, `message` vs `Message`, status codes), so an operation never
//! builds JSON for an error by hand.

use hyper::StatusCode;
use serde::Serialize;

use super::model::Item;
use crate::common::constraints::ConstraintViolation;
pub use crate::common::constraints::Constraints;
use crate::common::ErrorBody;
use crate::common::{AuthError, MISSING_TOKEN_MESSAGE, UNRECOGNIZED_CLIENT_MESSAGE};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DynamoError {
    #[error("ValidationException: {0}")]
    Validation(String),
    #[error("SerializationException: {0}")]
    Serialization(String),
    #[error("ResourceNotFoundException: {0}")]
    ResourceNotFound(String),
    #[error("ResourceInUseException: {0}")]
    ResourceInUse(String),
    #[error("ConditionalCheckFailedException")]
    ConditionalCheckFailed {
        /// The item as it was, when `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`.
        item: Option<Item>,
    },
    #[error("LimitExceededException: {0}")]
    LimitExceeded(String),
    /// A transaction did not happen; one reason per action, in request order.
    #[error("TransactionCanceledException: {}", cancellation_message(reasons))]
    TransactionCanceled { reasons: Vec<CancellationReason> },
    /// A single-item write met an item an in-flight transaction holds.
    #[error("TransactionConflictException")]
    TransactionConflict,
    /// A `ClientRequestToken` reused with a different request.
    #[error("IdempotentParameterMismatchException")]
    IdempotentParameterMismatch,
    /// A `ClientRequestToken` whose first request has not answered yet.
    #[error("TransactionInProgressException")]
    TransactionInProgress,
    /// A write would grow an item collection (of a table with local indexes) past its
    /// limit.
    #[error("ItemCollectionSizeLimitExceededException")]
    ItemCollectionSizeLimitExceeded,
    #[error("UnknownOperationException")]
    UnknownOperation,
    /// An operation DynamoDB has and the emulator does not implement: DynamoDB's code,
    /// with a message that says why.
    #[error("UnknownOperationException: {0} is not supported by the emulator")]
    Unsupported(&'static str),
    #[error("MissingAuthenticationTokenException")]
    MissingAuthenticationToken,
    #[error("IncompleteSignatureException: {0}")]
    IncompleteSignature(String),
    #[error("UnrecognizedClientException")]
    UnrecognizedClient,
    #[error("InternalServerError: {0}")]
    Internal(String),
}

/// Why one action of a transaction stopped it, or `None` when it did not.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancellationReason {
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

impl CancellationReason {
    /// The entry of an action that did not fail.
    pub const NONE: CancellationReason = CancellationReason {
        code: "None",
        message: None,
        item: None,
    };

    /// The entry of an action that met an item another transaction holds.
    pub fn conflict() -> Self {
        CancellationReason {
            code: "TransactionConflict",
            message: Some(TRANSACTION_CONFLICT_MESSAGE.to_owned()),
            item: None,
        }
    }

    /// An action's own failure as its cancellation reason; `None` for errors that are not
    /// about the action (they fail the whole request instead).
    pub fn of(error: DynamoError) -> Option<Self> {
        match error {
            DynamoError::ConditionalCheckFailed { item } => Some(CancellationReason {
                code: "ConditionalCheckFailed",
                message: DynamoError::ConditionalCheckFailed { item: None }.message(),
                item,
            }),
            DynamoError::Validation(message) => Some(CancellationReason {
                code: "ValidationError",
                message: Some(message),
                item: None,
            }),
            DynamoError::TransactionConflict => Some(Self::conflict()),
            DynamoError::ItemCollectionSizeLimitExceeded => Some(CancellationReason {
                code: "ItemCollectionSizeLimitExceeded",
                message: Some(COLLECTION_SIZE_MESSAGE.to_owned()),
                item: None,
            }),
            _ => None,
        }
    }
}

pub const TRANSACTION_CONFLICT_MESSAGE: &str = "Transaction is ongoing for the item";

/// DynamoDB's message for `ItemCollectionSizeLimitExceededException`.
const COLLECTION_SIZE_MESSAGE: &str = "Collection size exceeded.";

/// "Transaction cancelled, please refer cancellation reasons for specific reasons [A, B]".
fn cancellation_message(reasons: &[CancellationReason]) -> String {
    let codes: Vec<&str> = reasons.iter().map(|r| r.code).collect();
    format!(
        "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
        codes.join(", ")
    )
}

pub type Result<T, E = DynamoError> = std::result::Result<T, E>;

const MODELED: &str = "com.amazonaws.dynamodb.v20120810#";
const CORAL_SERVICE: &str = "com.amazon.coral.service#";

impl DynamoError {
    pub fn validation(message: impl Into<String>) -> Self {
        DynamoError::Validation(message.into())
    }

    /// "Requested resource not found", the item operations' wording.
    pub fn resource_not_found() -> Self {
        DynamoError::ResourceNotFound("Requested resource not found".to_owned())
    }

    /// A table ARN that is malformed, or (where a table must exist here) names another
    /// account or region.
    pub fn invalid_table_arn(arn: &str) -> Self {
        DynamoError::validation(format!(
            "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
        ))
    }

    /// The control-plane wording that names the table.
    pub fn table_not_found(table: &str) -> Self {
        DynamoError::ResourceNotFound(format!(
            "Requested resource not found: Table: {table} not found"
        ))
    }

    /// "One or more parameter values were invalid: ..." is DynamoDB's prefix for most
    /// semantic validation failures.
    pub fn invalid_parameter(detail: impl std::fmt::Display) -> Self {
        DynamoError::Validation(format!(
            "One or more parameter values were invalid: {detail}"
        ))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            DynamoError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The full `__type` as DynamoDB sends it.
    pub fn type_name(&self) -> String {
        match self {
            DynamoError::Validation(_) => "com.amazon.coral.validate#ValidationException".into(),
            DynamoError::Serialization(_) => format!("{CORAL_SERVICE}SerializationException"),
            DynamoError::UnknownOperation | DynamoError::Unsupported(_) => {
                format!("{CORAL_SERVICE}UnknownOperationException")
            }
            DynamoError::MissingAuthenticationToken => {
                format!("{CORAL_SERVICE}MissingAuthenticationTokenException")
            }
            DynamoError::IncompleteSignature(_) => {
                format!("{CORAL_SERVICE}IncompleteSignatureException")
            }
            DynamoError::UnrecognizedClient => {
                format!("{CORAL_SERVICE}UnrecognizedClientException")
            }
            DynamoError::ResourceNotFound(_) => format!("{MODELED}ResourceNotFoundException"),
            DynamoError::ResourceInUse(_) => format!("{MODELED}ResourceInUseException"),
            DynamoError::ConditionalCheckFailed { .. } => {
                format!("{MODELED}ConditionalCheckFailedException")
            }
            DynamoError::LimitExceeded(_) => format!("{MODELED}LimitExceededException"),
            DynamoError::TransactionCanceled { .. } => {
                format!("{MODELED}TransactionCanceledException")
            }
            DynamoError::TransactionConflict => format!("{MODELED}TransactionConflictException"),
            DynamoError::ItemCollectionSizeLimitExceeded => {
                format!("{MODELED}ItemCollectionSizeLimitExceededException")
            }
            DynamoError::IdempotentParameterMismatch => {
                format!("{MODELED}IdempotentParameterMismatchException")
            }
            DynamoError::TransactionInProgress => {
                format!("{MODELED}TransactionInProgressException")
            }
            DynamoError::Internal(_) => format!("{MODELED}InternalServerError"),
        }
    }

    pub fn message(&self) -> Option<String> {
        match self {
            DynamoError::Validation(m)
            | DynamoError::Serialization(m)
            | DynamoError::ResourceNotFound(m)
            | DynamoError::ResourceInUse(m)
            | DynamoError::LimitExceeded(m)
            | DynamoError::IncompleteSignature(m)
            | DynamoError::Internal(m) => Some(m.clone()),
            DynamoError::ConditionalCheckFailed { .. } => {
                Some("The conditional request failed".to_owned())
            }
            DynamoError::MissingAuthenticationToken => Some(MISSING_TOKEN_MESSAGE.to_owned()),
            DynamoError::TransactionCanceled { reasons } => Some(cancellation_message(reasons)),
            DynamoError::TransactionConflict => Some(TRANSACTION_CONFLICT_MESSAGE.to_owned()),
            DynamoError::ItemCollectionSizeLimitExceeded => {
                Some(COLLECTION_SIZE_MESSAGE.to_owned())
            }
            DynamoError::IdempotentParameterMismatch => Some(
                "The request uses the same client token as a previous, but non-identical request."
                    .to_owned(),
            ),
            DynamoError::TransactionInProgress => {
                Some("Transaction from previous request is still in progress".to_owned())
            }
            DynamoError::UnrecognizedClient => Some(UNRECOGNIZED_CLIENT_MESSAGE.to_owned()),
            DynamoError::UnknownOperation => None,
            DynamoError::Unsupported(op) => Some(format!(
                "The operation {op} is not supported by the emulator (a DynamoDB operation it \
                 does not implement yet)"
            )),
        }
    }

    pub fn render(&self) -> ErrorBody {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "__type")]
            type_name: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            message: Option<String>,
            /// SerializationException and the transaction errors modelled with `Message`
            /// spell it with a capital M.
            #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
            message_capital: Option<String>,
            #[serde(rename = "Item", skip_serializing_if = "Option::is_none")]
            item: Option<&'a Item>,
            #[serde(
                rename = "CancellationReasons",
                skip_serializing_if = "Option::is_none"
            )]
            cancellation_reasons: Option<&'a [CancellationReason]>,
        }
        let (message, message_capital) = match self {
            DynamoError::Serialization(m) if m.is_empty() => (None, None),
            DynamoError::Serialization(_)
            | DynamoError::TransactionCanceled { .. }
            | DynamoError::IdempotentParameterMismatch
            | DynamoError::TransactionInProgress => (None, self.message()),
            _ => (self.message(), None),
        };
        let item = match self {
            DynamoError::ConditionalCheckFailed { item } => item.as_ref(),
            _ => None,
        };
        let cancellation_reasons = match self {
            DynamoError::TransactionCanceled { reasons } => Some(reasons.as_slice()),
            _ => None,
        };
        let body = Body {
            type_name: self.type_name(),
            message,
            message_capital,
            item,
            cancellation_reasons,
        };
        ErrorBody {
            status: self.status(),
            body: serde_json::to_vec(&body).unwrap_or_default(),
        }
    }
}

impl From<ConstraintViolation> for DynamoError {
    fn from(v: ConstraintViolation) -> Self {
        DynamoError::Validation(v.0)
    }
}

impl From<AuthError> for DynamoError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Missing => DynamoError::MissingAuthenticationToken,
            AuthError::Incomplete(m) => DynamoError::IncompleteSignature(m),
            AuthError::InvalidAccessKey => DynamoError::UnrecognizedClient,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_wire_forms() {
        let e = DynamoError::UnknownOperation.render();
        assert_eq!(
            String::from_utf8(e.body).unwrap(),
            r#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#
        );
        let e = DynamoError::Serialization("bad".into()).render();
        assert_eq!(
            String::from_utf8(e.body).unwrap(),
            r#"{"__type":"com.amazon.coral.service#SerializationException","Message":"bad"}"#
        );
        let e = DynamoError::resource_not_found().render();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            String::from_utf8(e.body).unwrap(),
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#
        );
    }
}
