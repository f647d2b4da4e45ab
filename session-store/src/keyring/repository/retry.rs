//! Retries with exponential backoff and full jitter on throttling, for the AWS repositories.
//!
//! Many instances starting together all read the key ring at once; SSM's
//! GetParametersByPath allows about 40 requests a second, so cold starts get throttled (the
//! known problem of the .NET SSM provider). The SDK's own retries (3 attempts by default)
//! are not enough for a fleet; these come on top and spread the fleet out.

use std::future::Future;
use std::time::Duration;

use aws_sdk_ssm::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::RepositoryError;

/// How often and how patiently throttled calls are tried again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The backoff before the second attempt; doubles after each attempt.
    pub base_delay: Duration,
    /// The most any single backoff can be.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Full jitter: a uniformly random wait up to the exponential bound.
    fn backoff(&self, retry: u32) -> Duration {
        let bound = self
            .base_delay
            .saturating_mul(1u32 << retry.min(20))
            .min(self.max_delay);
        bound.mul_f64(crate::keyring::random_fraction())
    }
}

const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ThrottledException",
];

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDeniedException",
    "AccessDenied",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
];

pub(crate) fn is_throttling<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.code().is_some_and(|c| THROTTLING_CODES.contains(&c))
}

/// What a failed call is about, for the error message.
pub(crate) struct Call {
    pub operation: &'static str,
    pub permission: &'static str,
    pub resource: String,
}

/// Runs `send` until it succeeds, fails with something other than throttling, or runs out
/// of attempts.
pub(crate) async fn with_retries<T, E, R, F, Fut>(
    policy: &RetryPolicy,
    call: &Call,
    mut send: F,
) -> Result<T, (SdkError<E, R>, u32)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata,
{
    let mut attempt = 1;
    loop {
        match send().await {
            Ok(value) => return Ok(value),
            Err(error) if is_throttling(&error) && attempt < policy.max_attempts.max(1) => {
                let wait = policy.backoff(attempt - 1);
                tracing::warn!(
                    operation = call.operation,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "throttled by the key repository's service; retrying"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(error) => return Err((error, attempt)),
        }
    }
}

/// The repository error for a failed SDK call.
pub(crate) fn repository_error<E, R>(
    call: Call,
    error: SdkError<E, R>,
    attempts: u32,
) -> RepositoryError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let code = error.code().map(str::to_owned);
    let message = DisplayErrorContext(&error).to_string();
    match code.as_deref() {
        Some(c) if ACCESS_DENIED_CODES.contains(&c) => RepositoryError::AccessDenied {
            operation: call.operation,
            permission: call.permission,
            resource: call.resource,
            message,
        },
        _ if is_throttling(&error) => RepositoryError::Throttled {
            operation: call.operation,
            resource: call.resource,
            attempts,
            message,
        },
        _ => RepositoryError::Service {
            operation: call.operation,
            resource: call.resource,
            code,
            message,
        },
    }
}
