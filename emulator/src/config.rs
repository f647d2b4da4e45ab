//! Runtime configuration shared by the CLI and the in-process harness.
//!
//! Every limit has a default far above what a test suite or a local app needs, so a normal
//! user never meets one; they exist because the emulator runs next to a browser and other
//! CI jobs, where one runaway client must not take the process (or the machine) down.

use std::time::Duration;

/// Real DynamoDB rejects request bodies above 16 MB; we refuse them before buffering.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// DynamoDB's item collection size limit: 10 GB.
pub const DEFAULT_ITEM_COLLECTION_BYTES: u64 = 10 * 1024 * 1024 * 1024;

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
    /// Serve the `/_emulator/...` control routes (clock, sweep, reset).
    pub control_api: bool,
    pub limits: Limits,
}

/// Caps on the resources requests can make the emulator hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open connections; beyond it new connections wait in the listen backlog until one
    /// closes, while the open ones keep being served.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers. Hyper also runs this timer
    /// while a keep-alive connection waits for its next request, so it bounds idle time.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body, from the end of its headers.
    pub body_timeout: Duration,
    /// The size of a request's header section (request line and headers).
    pub max_header_bytes: usize,
    /// Request bodies buffered at one time, across all connections; a request whose body
    /// does not fit waits (within `body_timeout`) for others to finish.
    pub max_buffered_body_bytes: usize,
    /// Namespaces (access key and region pairs) per service. Only writes create one.
    pub max_namespaces: usize,
    /// DynamoDB tables per namespace (DynamoDB's default quota per account and region).
    pub max_tables: usize,
    /// SSM parameters per namespace (SSM's standard-tier quota per account and region).
    pub max_parameters: usize,
    /// The size of one item collection (a partition of a table with local secondary
    /// indexes, with its index entries): DynamoDB's 10 GB, lowered by tests to meet it.
    pub item_collection_bytes: u64,
    /// How long table creation, updates (and a new global index's backfill) and deletion
    /// take: the table (index) reports CREATING, UPDATING or DELETING meanwhile, as
    /// DynamoDB's do for seconds to minutes. 0 makes every change final at once.
    pub status_delay: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_header_bytes: 64 * 1024,
            max_buffered_body_bytes: 128 * 1024 * 1024,
            max_namespaces: 10_000,
            max_tables: 2_500,
            max_parameters: 10_000,
            item_collection_bytes: DEFAULT_ITEM_COLLECTION_BYTES,
            status_delay: Duration::ZERO,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 8000,
            sweep_interval: Duration::from_secs(1),
            shared_db: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            control_api: true,
            limits: Limits::default(),
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

    /// Whether the listen address is reachable only from this machine. Anything else
    /// exposes an API without authentication (any credentials are accepted).
    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for (host, loopback) in [
            ("127.0.0.1", true),
            ("127.8.9.1", true),
            ("::1", true),
            ("[::1]", true),
            ("localhost", true),
            ("0.0.0.0", false),
            ("::", false),
            ("192.168.1.4", false),
            ("example.com", false),
        ] {
            let config = Config {
                host: host.to_owned(),
                ..Config::default()
            };
            assert_eq!(config.is_loopback(), loopback, "{host}");
        }
    }
}
