//! The SSM Parameter Store service (JSON 1.1, `AmazonSSM.*`), on the same port as DynamoDB.
//!
//! STATUS: routing and error rendering only; the operations are issue 3.

pub mod error;

pub use error::SsmError;

use crate::clock::Clock;
use crate::wire::auth::Namespace;
use crate::wire::ErrorBody;

pub struct Ssm {
    pub clock: Clock,
}

impl Ssm {
    pub fn new(clock: Clock) -> Self {
        Ssm { clock }
    }

    pub fn dispatch(&self, _ns: &Namespace, _op: &str, _body: &[u8]) -> Result<Vec<u8>, ErrorBody> {
        Err(SsmError::UnknownOperation.render())
    }

    /// Drops every parameter of every namespace.
    pub fn reset(&self) {}
}
