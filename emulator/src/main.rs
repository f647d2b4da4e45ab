//! `emulator`: serve DynamoDB and SSM Parameter Store on one local port.

use std::time::Duration;

use clap::Parser;
use emulator::{Config, Emulator};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Local DynamoDB + SSM Parameter Store emulator with real TTL sweeping"
)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "EMULATOR_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one (the endpoint line says which).
    #[arg(long, env = "EMULATOR_PORT", default_value_t = 8000)]
    port: u16,
    /// Log filter (error, warn, info, debug, trace, or a tracing directive).
    #[arg(long, env = "EMULATOR_LOG", default_value = "info")]
    log_level: String,
    /// Seconds between TTL sweeps (fractions allowed); 0 turns automatic sweeping off.
    #[arg(long, env = "EMULATOR_SWEEP_INTERVAL", default_value_t = 1.0)]
    sweep_interval: f64,
    /// One data set for all access keys and regions (DynamoDB Local's -sharedDb).
    #[arg(long, env = "EMULATOR_SHARED_DB")]
    shared_db: bool,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cli.log_level)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    if !(cli.sweep_interval.is_finite() && cli.sweep_interval >= 0.0) {
        eprintln!("error: --sweep-interval must be a non-negative number of seconds");
        return std::process::ExitCode::from(2);
    }
    let config = Config {
        host: cli.host,
        port: cli.port,
        sweep_interval: Duration::from_secs_f64(cli.sweep_interval),
        shared_db: cli.shared_db,
        ..Config::default()
    };
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
        // Signal handlers are installed before the endpoint is announced: a script that
        // reads the line and sends SIGTERM at once must get a graceful stop.
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

/// Registers the SIGTERM handler now (not at the first poll) and resolves on Ctrl-C or
/// SIGTERM.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let Ok(mut term) = term else {
                let _ = ctrl_c.await;
                return;
            };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
    }
}
