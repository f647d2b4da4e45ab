//! A local DynamoDB and SSM Parameter Store emulator.
//!
//! Layers, outside in:
//! - [`server`]: the TCP listener, connection limits, graceful shutdown, the TTL sweeper task;
//! - [`wire`]: HTTP details (routing by `X-Amz-Target` to a [`common::Service`], auth
//!   headers, request ids, CRC-32, body limits, CORS);
//! - [`dynamodb`] and [`ssm`]: typed operations over their storage engines;
//! - [`common`]: what both services share (namespaces, error bodies, constraint
//!   messages, strict JSON parsing); it depends on no other module of the crate;
//! - [`admin`]: a small HTTP API outside the AWS protocols to move the clock, sweep and reset;
//! - [`harness`]: start an emulator inside a Rust test.

pub mod admin;
pub mod clock;
pub mod common;
pub mod config;
pub mod dynamodb;
pub mod harness;
pub mod server;
pub mod ssm;
pub mod wire;

pub use clock::Clock;
pub use config::{Config, Limits};
pub use harness::TestEmulator;
pub use server::Emulator;

/// Everything a request can reach: both services, the clock and the configuration.
pub struct Services {
    pub config: Config,
    pub clock: Clock,
    pub dynamodb: dynamodb::DynamoDb,
    pub ssm: ssm::Ssm,
    /// Request bodies being buffered, in KiB, out of `limits.max_buffered_body_bytes`.
    body_budget: std::sync::Arc<tokio::sync::Semaphore>,
    body_budget_kib: usize,
    /// Large requests being parsed and run on the blocking pool, at most half the cores:
    /// each needs a few times its body in memory while it runs, and the async workers
    /// must keep their share of the CPU for everyone else.
    pub(crate) large_requests: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Services {
    pub fn new(config: Config) -> Self {
        let clock = Clock::default();
        let limits = config.limits;
        let body_budget_kib = limits.max_buffered_body_bytes.div_ceil(1024).clamp(
            1,
            tokio::sync::Semaphore::MAX_PERMITS.min(u32::MAX as usize),
        );
        Services {
            dynamodb: dynamodb::DynamoDb::with_limits(clock.clone(), limits),
            ssm: ssm::Ssm::with_limits(clock.clone(), limits),
            clock,
            config,
            body_budget: std::sync::Arc::new(tokio::sync::Semaphore::new(body_budget_kib)),
            body_budget_kib,
            large_requests: std::sync::Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
            )),
        }
    }

    /// Waits until `bytes` more of request body may be buffered. A body larger than the
    /// whole budget waits for all of it, so it still goes through, alone.
    pub(crate) async fn reserve_body(
        &self,
        bytes: usize,
    ) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let kib = bytes.div_ceil(1024).clamp(1, self.body_budget_kib);
        self.body_budget
            .clone()
            .acquire_many_owned(u32::try_from(kib).unwrap_or(u32::MAX))
            .await
            .ok()
    }

    /// The AWS protocols, in the order their `X-Amz-Target` prefixes are tried.
    pub fn aws_services(&self) -> [&dyn common::Service; 2] {
        [&self.dynamodb, &self.ssm]
    }

    /// The region named in the health check answer.
    pub fn default_region(&self) -> &'static str {
        "us-east-1"
    }

    /// Runs one TTL sweep now; returns how many items were deleted.
    pub fn sweep(&self) -> usize {
        self.dynamodb.db.sweep_expired()
    }

    /// Forgets all data and puts the clock back to real time.
    pub fn reset(&self) {
        self.dynamodb.db.reset();
        self.ssm.reset();
        self.clock.reset();
    }
}
