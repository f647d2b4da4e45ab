//! The SSM Parameter Store service (JSON 1.1, `AmazonSSM.*`), on the same port as DynamoDB.
//!
//! Each operation lives in `ops/<name>.rs` as a typed input, a typed output and an `execute`
//! function; this module routes by name, parses the input and serialises the output. Name,
//! value and paging rules live once in `validate.rs`, filters in `filters.rs`, storage in
//! `store.rs` and SecureString sealing in `crypto.rs`.

pub mod crypto;
pub mod error;
pub mod filters;
pub mod model;
pub mod ops;
pub mod store;
pub mod validate;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use error::{Result, SsmError};

use crate::clock::Clock;
use crate::common::json::{self, JsonProblem};
use crate::common::Namespace;
use crate::common::ACCOUNT_ID;
use crate::common::{AuthError, ErrorBody, Service};
use crate::config::Limits;
use crypto::Sealer;
use model::{HistoryOut, MetadataOut, ParameterOut, PolicyOut};
use store::{Parameter, Store, Version};

/// Who last changed a parameter; the emulator has no IAM users, so it names the account root.
const LAST_MODIFIED_USER: &str = "arn:aws:iam::000000000000:root";

pub struct Ssm {
    pub clock: Clock,
    pub store: Store,
    pub limits: Limits,
    sealer: Option<Sealer>,
}

/// What an operation can see: the data, the sealer, the clock and the caller's namespace.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub sealer: &'a Sealer,
    pub clock: &'a Clock,
    pub ns: &'a Namespace,
    pub limits: &'a Limits,
}

/// One SSM operation: typed input in, typed output out.
pub trait Operation {
    type Input: DeserializeOwned;
    type Output: Serialize;
    fn execute(ctx: &Ctx, input: Self::Input) -> Result<Self::Output>;
}

impl Ssm {
    pub fn new(clock: Clock) -> Self {
        Self::with_limits(clock, Limits::default())
    }

    pub fn with_limits(clock: Clock, limits: Limits) -> Self {
        let sealer = match Sealer::new() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(error = %e, "no random source: SSM requests will fail");
                None
            }
        };
        Ssm {
            clock,
            store: Store::new(limits.max_namespaces),
            limits,
            sealer,
        }
    }

    /// Drops every parameter of every namespace.
    pub fn reset(&self) {
        self.store.reset();
    }
}

impl Service for Ssm {
    fn target_prefix(&self) -> &'static str {
        "AmazonSSM."
    }

    fn dispatch(
        &self,
        ns: &Namespace,
        op: &str,
        body: &[u8],
        _request_id: &str,
    ) -> std::result::Result<Vec<u8>, ErrorBody> {
        let Some(sealer) = &self.sealer else {
            return Err(SsmError::Internal("no random source for encryption".to_owned()).render());
        };
        let ctx = Ctx {
            store: &self.store,
            sealer,
            clock: &self.clock,
            ns,
            limits: &self.limits,
        };
        let result = ops::dispatch(&ctx, op, body);
        if let Err(e) = &result {
            // Error messages carry names and patterns, never values: safe to log.
            tracing::debug!(op, error = %e, "request failed");
        }
        result.map_err(|e| e.render())
    }

    fn auth_error(&self, error: AuthError) -> ErrorBody {
        SsmError::from(error).render()
    }

    fn unknown_operation(&self) -> ErrorBody {
        SsmError::UnknownOperation.render()
    }
}

/// Parses, executes and serialises one operation.
pub fn run<O: Operation>(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>> {
    let input: O::Input = json::parse(body).map_err(serialization_error)?;
    let output = O::execute(ctx, input)?;
    json::render(&output).map_err(|e| SsmError::Internal(e.to_string()))
}

fn serialization_error(problem: JsonProblem) -> SsmError {
    SsmError::Serialization(match problem {
        JsonProblem::Syntax => None,
        JsonProblem::WrongType {
            found, expected, ..
        } => Some(format!("{found} can not be converted to {expected}")),
        JsonProblem::ListForScalar { .. } => {
            Some("Start of list found where not expected".to_owned())
        }
        JsonProblem::Other(m) => Some(m),
    })
}

impl Ctx<'_> {
    pub fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    /// `arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>`.
    pub fn arn(&self, name: &str) -> String {
        format!("{}{}", self.arn_prefix(), store::key_of(name))
    }

    pub fn arn_prefix(&self) -> String {
        format!("arn:aws:ssm:{}:{ACCOUNT_ID}:parameter/", self.ns.region)
    }

    pub fn parameter_out(
        &self,
        p: &Parameter,
        v: &Version,
        decrypt: bool,
        selector: Option<String>,
    ) -> Result<ParameterOut> {
        Ok(ParameterOut {
            name: p.name.clone(),
            kind: v.kind,
            value: self.sealer.reveal(&v.value, decrypt)?,
            version: v.version,
            selector,
            last_modified_date: epoch_seconds(v.last_modified_millis),
            arn: self.arn(&p.name),
            data_type: v.data_type,
        })
    }

    pub fn metadata_out(&self, p: &Parameter, v: &Version) -> MetadataOut {
        MetadataOut {
            name: p.name.clone(),
            arn: self.arn(&p.name),
            kind: v.kind,
            key_id: v.key_id.clone(),
            last_modified_date: epoch_seconds(v.last_modified_millis),
            last_modified_user: LAST_MODIFIED_USER.to_owned(),
            description: v.description.clone(),
            allowed_pattern: v.allowed_pattern.clone(),
            version: v.version,
            tier: v.tier,
            policies: policies_out(v),
            data_type: v.data_type,
        }
    }

    pub fn history_out(&self, p: &Parameter, v: &Version, decrypt: bool) -> Result<HistoryOut> {
        Ok(HistoryOut {
            name: p.name.clone(),
            kind: v.kind,
            key_id: v.key_id.clone(),
            last_modified_date: epoch_seconds(v.last_modified_millis),
            last_modified_user: LAST_MODIFIED_USER.to_owned(),
            description: v.description.clone(),
            value: self.sealer.reveal(&v.value, decrypt)?,
            allowed_pattern: v.allowed_pattern.clone(),
            version: v.version,
            labels: v.labels.iter().cloned().collect(),
            tier: v.tier,
            policies: policies_out(v),
            data_type: v.data_type,
        })
    }
}

/// Policies are kept as the caller sent them; the emulator does not run them, so each is
/// reported as pending.
fn policies_out(v: &Version) -> Vec<PolicyOut> {
    v.policies
        .iter()
        .map(|text| PolicyOut {
            policy_text: text.clone(),
            policy_type: "Unknown".to_owned(),
            policy_status: "Pending".to_owned(),
        })
        .collect()
}

fn epoch_seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store holds only ciphertext, so no debug print or log of it can leak a secret.
    #[test]
    fn secure_string_plaintext_is_not_kept() {
        let ssm = Ssm::new(Clock::default());
        let ns = Namespace::new("k", "us-east-1");
        let body = br#"{"Name":"/k","Value":"hunter2-plaintext","Type":"SecureString"}"#;
        assert!(ssm.dispatch(&ns, "PutParameter", body, "rid").is_ok());
        let dump = ssm.store.read(&ns, |c| format!("{c:?}"));
        assert!(dump.contains("Sealed("));
        assert!(!dump.contains("hunter2"));
    }
}
