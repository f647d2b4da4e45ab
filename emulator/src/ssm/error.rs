//! SSM's errors: short `__type`s (`ParameterNotFound`), as the real service sends them.

use hyper::StatusCode;
use serde::Serialize;

use crate::wire::auth::{AuthError, MISSING_TOKEN_MESSAGE};
use crate::wire::ErrorBody;

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
}

impl SsmError {
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
        }
    }

    pub fn message(&self) -> Option<String> {
        match self {
            SsmError::Validation(m) | SsmError::IncompleteSignature(m) | SsmError::Internal(m) => {
                Some(m.clone())
            }
            SsmError::Serialization(m) => m.clone(),
            SsmError::MissingAuthenticationToken => Some(MISSING_TOKEN_MESSAGE.to_owned()),
            SsmError::UnknownOperation => None,
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

impl From<AuthError> for SsmError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Missing => SsmError::MissingAuthenticationToken,
            AuthError::Incomplete(m) => SsmError::IncompleteSignature(m),
        }
    }
}
