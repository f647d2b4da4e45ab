//! Shared pieces of the API-level suites: what an error answer says.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// A service's error answer: its code (`__type` without the namespace) and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    pub code: String,
    pub message: String,
}

/// The service's answer if it sent one; anything else (a network failure, a timeout) is
/// not a behaviour of the target and fails the case with the SDK's full context.
pub fn service_error<E, R>(error: SdkError<E, R>) -> Result<ServiceError, String>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service) => Ok(ServiceError {
            code: service.err().code().unwrap_or_default().to_owned(),
            message: service.err().message().unwrap_or_default().to_owned(),
        }),
        _ => Err(format!(
            "no answer from the service: {}",
            crate::sdk_error(&error)
        )),
    }
}

/// Whether a failed call says the target does not implement the operation at all.
pub fn unsupported(error: &ServiceError) -> bool {
    matches!(
        error.code.as_str(),
        "UnknownOperationException" | "InvalidAction" | "NotImplementedError" | "NotImplemented"
    )
}
