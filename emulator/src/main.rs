//! `emulator`: serve DynamoDB and SSM Parameter Store on one local port.

use std::io::IsTerminal;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::Parser;
use emulator::{Config, Emulator, Limits};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Local DynamoDB + SSM Parameter Store emulator with real TTL sweeping"
)]
struct Cli {
    /// Address to listen on. Anything but loopback exposes an API without authentication.
    #[arg(long, env = "EMULATOR_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one (the endpoint line says which).
    #[arg(long, env = "EMULATOR_PORT", default_value_t = 8000)]
    port: u16,
    /// Log filter (error, warn, info, debug, trace, or a tracing directive).
    #[arg(long, env = "EMULATOR_LOG", default_value = "info")]
    log_level: String,
    /// Seconds between TTL sweeps (fractions allowed, at most a day); 0 turns automatic
    /// sweeping off.
    #[arg(long, env = "EMULATOR_SWEEP_INTERVAL", default_value = "1",
          value_parser = seconds(0.0, 86_400.0))]
    sweep_interval: Duration,
    /// One data set for all access keys and regions (DynamoDB Local's -sharedDb).
    #[arg(long, env = "EMULATOR_SHARED_DB", value_parser = BoolishValueParser::new())]
    shared_db: bool,
    /// Turn off the /_emulator/... control routes (clock, sweep, reset).
    #[arg(long, env = "EMULATOR_NO_CONTROL_API", value_parser = BoolishValueParser::new())]
    no_control_api: bool,
    /// Open connections at most; further ones wait until one closes.
    #[arg(long, env = "EMULATOR_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
    /// Seconds a client may take to send request headers (and a keep-alive connection
    /// may stay idle).
    #[arg(long, env = "EMULATOR_HEADER_TIMEOUT", default_value = "30",
          value_parser = seconds(0.001, 3_600.0))]
    header_timeout: Duration,
    /// Seconds a client may take to send a request body.
    #[arg(long, env = "EMULATOR_BODY_TIMEOUT", default_value = "30",
          value_parser = seconds(0.001, 3_600.0))]
    body_timeout: Duration,
    /// Bytes of request line and headers at most.
    #[arg(long, env = "EMULATOR_MAX_HEADER_BYTES", default_value_t = 65_536,
          value_parser = clap::value_parser!(u32).range(1_024..=16_777_216))]
    max_header_bytes: u32,
    /// MiB of request bodies buffered at one time, across all connections.
    #[arg(long, env = "EMULATOR_MAX_BUFFERED_BODY_MIB", default_value_t = 128,
          value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    max_buffered_body_mib: u32,
    /// Access key and region pairs holding data, per service.
    #[arg(long, env = "EMULATOR_MAX_NAMESPACES", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_namespaces: u32,
    /// DynamoDB tables per access key and region (DynamoDB's default quota).
    #[arg(long, env = "EMULATOR_MAX_TABLES", default_value_t = 2_500,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_tables: u32,
    /// SSM parameters per access key and region (SSM's standard-tier quota).
    #[arg(long, env = "EMULATOR_MAX_PARAMETERS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_parameters: u32,
    /// Bytes one item collection (a partition of a table with local secondary indexes)
    /// may hold; DynamoDB's limit is 10 GiB.
    #[arg(long, env = "EMULATOR_ITEM_COLLECTION_LIMIT_BYTES",
          default_value_t = emulator::config::DEFAULT_ITEM_COLLECTION_BYTES,
          value_parser = clap::value_parser!(u64).range(1..))]
    item_collection_limit_bytes: u64,
    /// Milliseconds tables stay CREATING, UPDATING or DELETING (and new global indexes
    /// CREATING) before the change is final; 0 makes it final at once.
    #[arg(long, env = "EMULATOR_STATUS_DELAY_MS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    status_delay_ms: u64,
}

/// A clap parser for a number of seconds within `min..=max` (finite; fractions allowed;
/// 0 always allowed when `min` is 0).
fn seconds(min: f64, max: f64) -> impl Fn(&str) -> Result<Duration, String> + Clone {
    move |text| {
        let value: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("'{text}' is not a number of seconds"))?;
        if !(value.is_finite() && (min..=max).contains(&value)) {
            return Err(format!("must be a number of seconds from {min} to {max}"));
        }
        Ok(Duration::from_secs_f64(value))
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cli.log_level)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal, never into a redirected log file.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let as_usize = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    let config = Config {
        host: cli.host,
        port: cli.port,
        sweep_interval: cli.sweep_interval,
        shared_db: cli.shared_db,
        control_api: !cli.no_control_api,
        limits: Limits {
            max_connections: as_usize(cli.max_connections),
            header_timeout: cli.header_timeout,
            body_timeout: cli.body_timeout,
            max_header_bytes: as_usize(cli.max_header_bytes),
            max_buffered_body_bytes: as_usize(cli.max_buffered_body_mib).saturating_mul(1 << 20),
            max_namespaces: as_usize(cli.max_namespaces),
            max_tables: as_usize(cli.max_tables),
            max_parameters: as_usize(cli.max_parameters),
            item_collection_bytes: cli.item_collection_limit_bytes,
            status_delay: Duration::from_millis(cli.status_delay_ms),
        },
        ..Config::default()
    };
    if !config.is_loopback() {
        eprintln!(
            "warning: listening on {} makes the emulator reachable from other machines; it has \
             no authentication (any credentials are accepted) and its control API can \
             reset all data",
            config.host
        );
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let emulator = match Emulator::start(config).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("error: cannot listen: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        // Signal handlers go in before the endpoint line: a script that reads the line and
        // sends SIGTERM at once must get a graceful stop, not the default kill.
        let stop = shutdown_signal();
        // The endpoint goes to stdout (scripts read it); logs go to stderr.
        println!("emulator listening on {}", emulator.endpoint());
        tracing::info!(endpoint = %emulator.endpoint(), "DynamoDB (JSON 1.0) and SSM (JSON 1.1) ready");
        stop.await;
        tracing::info!("shutting down");
        emulator.shutdown().await;
        std::process::ExitCode::SUCCESS
    })
}

/// Registers the handlers now and returns the wait for the first of Ctrl-C and SIGTERM.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = ctrl_c.await;
    }
}
