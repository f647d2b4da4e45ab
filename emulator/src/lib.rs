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
pub use config::Config;
pub use harness::TestEmulator;
pub use server::Emulator;

/// Everything a request can reach: both services, the clock and the configuration.
pub struct Services {
    pub config: Config,
    pub clock: Clock,
    pub dynamodb: dynamodb::DynamoDb,
    pub ssm: ssm::Ssm,
}

impl Services {
    pub fn new(config: Config) -> Self {
        let clock = Clock::default();
        Services {
            dynamodb: dynamodb::DynamoDb::new(clock.clone()),
            ssm: ssm::Ssm::new(clock.clone()),
            clock,
            config,
        }
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
