//! Runtime configuration shared by the CLI and the in-process harness.

use std::time::Duration;

/// Real DynamoDB rejects request bodies above 16 MB; we refuse them before buffering.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Config {
    pub host: String,
    /// 0 asks the OS for a free port (the harness always does).
    pub port: u16,
    /// How often the TTL sweeper runs; `Duration::ZERO` turns automatic sweeping off
    /// so tests can sweep on demand.
    pub sweep_interval: Duration,
    /// One data set for every access key and region (DynamoDB Local's `-sharedDb`).
    pub shared_db: bool,
    pub max_body_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 8000,
            sweep_interval: Duration::from_secs(1),
            shared_db: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl Config {
    /// Ephemeral port, no automatic sweeping: what deterministic tests want.
    pub fn for_tests() -> Self {
        Config {
            port: 0,
            sweep_interval: Duration::ZERO,
            ..Config::default()
        }
    }
}
