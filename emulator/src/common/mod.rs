//! What both services share, below the wire and above their engines: namespaces, the
//! error body each service renders into, constraint messages, strict JSON parsing, ids,
//! and the [`Service`] trait the wire dispatches through.
//!
//! Dependencies run one way: `wire` → `Service` implementations (`dynamodb`, `ssm`) →
//! their storage → their model, and every layer may use `common`. Nothing here knows
//! about HTTP connections or about either service.

pub mod constraints;
pub mod ids;
pub mod json;
mod namespace;
pub mod scratch;

pub use namespace::{AuthError, Namespace, MISSING_TOKEN_MESSAGE, UNRECOGNIZED_CLIENT_MESSAGE};

use hyper::StatusCode;

/// Account id in ARNs, as DynamoDB Local reports it.
pub const ACCOUNT_ID: &str = "000000000000";

/// An error ready for the wire: each service renders its own error enum into this.
#[derive(Debug)]
pub struct ErrorBody {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// One AWS protocol the emulator speaks, as the wire layer sees it: which `X-Amz-Target`
/// prefix it owns and how it answers. The wire never names a service's error type.
pub trait Service: Send + Sync {
    /// The `X-Amz-Target` prefix including the dot, e.g. `DynamoDB_20120810.`.
    fn target_prefix(&self) -> &'static str;

    /// Runs operation `op` on a request body; `Err` is already rendered.
    fn dispatch(
        &self,
        ns: &Namespace,
        op: &str,
        body: &[u8],
        request_id: &str,
    ) -> Result<Vec<u8>, ErrorBody>;

    /// How this service answers a request whose `Authorization` header is missing or bad.
    fn auth_error(&self, error: AuthError) -> ErrorBody;

    /// How this service answers an operation it does not know.
    fn unknown_operation(&self) -> ErrorBody;
}
