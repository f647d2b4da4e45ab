//! SSM's errors: short `__type`s (`ParameterNotFound`), as the real service sends them.

use hyper::StatusCode;
use serde::Serialize;

use crate::common::constraints::ConstraintViolation;
pub use crate::common::constraints::Constraints;
use crate::common::ErrorBody;
use crate::common::{AuthError, MISSING_TOKEN_MESSAGE, UNRECOGNIZED_CLIENT_MESSAGE};

pub type Result<T> = std::result::Result<T, SsmError>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SsmError {
    #[error("ValidationException: {0}")]
    Validation(String),
    #[error("SerializationException")]
    Serialization(Option<String>),
    #[error("UnknownOperationException")]
    UnknownOperation,
    #[error("MissingAuthenticationTokenException")]
    MissingAuthenticationToken,
    #[error("IncompleteSignatureException: {0}")]
    IncompleteSignature(String),
    #[error("InternalServerError: {0}")]
    Internal(String),
    /// Real SSM sends these without a message (the CLI prints "...operation: " and nothing).
    #[error("ParameterNotFound")]
    ParameterNotFound,
    #[error("ParameterAlreadyExists")]
    ParameterAlreadyExists,
    #[error("ParameterVersionNotFound: {0}")]
    ParameterVersionNotFound(String),
    #[error("ParameterMaxVersionLimitExceeded: {0}")]
    ParameterMaxVersionLimitExceeded(String),
    #[error("ParameterVersionLabelLimitExceeded: {0}")]
    ParameterVersionLabelLimitExceeded(String),
    #[error("HierarchyLevelLimitExceededException: {0}")]
    HierarchyLevelLimitExceeded(String),
    #[error("ParameterPatternMismatchException: {0}")]
    ParameterPatternMismatch(String),
    #[error("InvalidAllowedPatternException: {0}")]
    InvalidAllowedPattern(String),
    #[error("AccessDeniedException: {0}")]
    AccessDenied(String),
    #[error("InvalidNextToken")]
    InvalidNextToken,
    #[error("InvalidFilterKey: {0}")]
    InvalidFilterKey(String),
    #[error("InvalidFilterOption: {0}")]
    InvalidFilterOption(String),
    #[error("InvalidFilterValue: {0}")]
    InvalidFilterValue(String),
    #[error("InvalidResourceId")]
    InvalidResourceId,
    #[error("InvalidResourceType")]
    InvalidResourceType,
    #[error("TooManyTagsError: {0}")]
    TooManyTags(String),
    #[error("ParameterLimitExceeded: {0}")]
    ParameterLimitExceeded(String),
    #[error("UnrecognizedClientException")]
    UnrecognizedClient,
}

impl SsmError {
    /// SSM's wording for its parameters-per-account quota.
    pub fn parameter_limit() -> Self {
        SsmError::ParameterLimitExceeded(
            "You have exceeded the number of parameters for this Amazon Web Services account. \
             Delete one or more parameters and try again."
                .to_owned(),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            SsmError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            SsmError::Validation(_) => "ValidationException",
            SsmError::Serialization(_) => "SerializationException",
            SsmError::UnknownOperation => "UnknownOperationException",
            SsmError::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            SsmError::IncompleteSignature(_) => "IncompleteSignatureException",
            SsmError::Internal(_) => "InternalServerError",
            SsmError::ParameterNotFound => "ParameterNotFound",
            SsmError::ParameterAlreadyExists => "ParameterAlreadyExists",
            SsmError::ParameterVersionNotFound(_) => "ParameterVersionNotFound",
            SsmError::ParameterMaxVersionLimitExceeded(_) => "ParameterMaxVersionLimitExceeded",
            SsmError::ParameterVersionLabelLimitExceeded(_) => "ParameterVersionLabelLimitExceeded",
            SsmError::HierarchyLevelLimitExceeded(_) => "HierarchyLevelLimitExceededException",
            SsmError::ParameterPatternMismatch(_) => "ParameterPatternMismatchException",
            SsmError::InvalidAllowedPattern(_) => "InvalidAllowedPatternException",
            SsmError::AccessDenied(_) => "AccessDeniedException",
            SsmError::InvalidNextToken => "InvalidNextToken",
            SsmError::InvalidFilterKey(_) => "InvalidFilterKey",
            SsmError::InvalidFilterOption(_) => "InvalidFilterOption",
            SsmError::InvalidFilterValue(_) => "InvalidFilterValue",
            SsmError::InvalidResourceId => "InvalidResourceId",
            SsmError::InvalidResourceType => "InvalidResourceType",
            SsmError::TooManyTags(_) => "TooManyTagsError",
            SsmError::ParameterLimitExceeded(_) => "ParameterLimitExceeded",
            SsmError::UnrecognizedClient => "UnrecognizedClientException",
        }
    }

    pub fn message(&self) -> Option<String> {
        match self {
            SsmError::Validation(m)
            | SsmError::IncompleteSignature(m)
            | SsmError::Internal(m)
            | SsmError::ParameterVersionNotFound(m)
            | SsmError::ParameterMaxVersionLimitExceeded(m)
            | SsmError::ParameterVersionLabelLimitExceeded(m)
            | SsmError::HierarchyLevelLimitExceeded(m)
            | SsmError::ParameterPatternMismatch(m)
            | SsmError::InvalidAllowedPattern(m)
            | SsmError::AccessDenied(m)
            | SsmError::InvalidFilterKey(m)
            | SsmError::InvalidFilterOption(m)
            | SsmError::InvalidFilterValue(m)
            | SsmError::TooManyTags(m)
            | SsmError::ParameterLimitExceeded(m) => Some(m.clone()),
            SsmError::UnrecognizedClient => Some(UNRECOGNIZED_CLIENT_MESSAGE.to_owned()),
            SsmError::Serialization(m) => m.clone(),
            SsmError::MissingAuthenticationToken => Some(MISSING_TOKEN_MESSAGE.to_owned()),
            SsmError::ParameterAlreadyExists => Some(
                "The parameter already exists. To overwrite this value, set the overwrite \
                 option in the request to true."
                    .to_owned(),
            ),
            SsmError::InvalidNextToken => Some("The specified token isn't valid.".to_owned()),
            SsmError::UnknownOperation
            | SsmError::ParameterNotFound
            | SsmError::InvalidResourceId
            | SsmError::InvalidResourceType => None,
        }
    }

    pub fn render(&self) -> ErrorBody {
        #[derive(Serialize)]
        struct Body {
            #[serde(rename = "__type")]
            type_name: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            message: Option<String>,
        }
        ErrorBody {
            status: self.status(),
            body: serde_json::to_vec(&Body {
                type_name: self.type_name(),
                message: self.message(),
            })
            .unwrap_or_default(),
        }
    }
}

impl From<ConstraintViolation> for SsmError {
    fn from(v: ConstraintViolation) -> Self {
        SsmError::Validation(v.0)
    }
}

impl From<AuthError> for SsmError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Missing => SsmError::MissingAuthenticationToken,
            AuthError::Incomplete(m) => SsmError::IncompleteSignature(m),
            AuthError::InvalidAccessKey => SsmError::UnrecognizedClient,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_short_types() {
        let e = SsmError::ParameterNotFound.render();
        assert_eq!(
            String::from_utf8(e.body).unwrap(),
            r#"{"__type":"ParameterNotFound"}"#
        );
        let mut c = Constraints::new();
        c.fail(
            11,
            "maxResults",
            "Member must have value less than or equal to 10",
        );
        assert_eq!(
            SsmError::from(c.finish().unwrap_err()).message().unwrap(),
            "1 validation error detected: Value '11' at 'maxResults' failed to satisfy \
             constraint: Member must have value less than or equal to 10"
        );
    }
}
