//! `conformance`: runs the suites against the emulator, real AWS or any endpoint.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Parser;
use conformance::target::{TargetSpec, CONFIRM_ENV};
use conformance::{registry, Options};

/// Property-based conformance suites for the session store and the DynamoDB/SSM behaviour
/// it relies on. Every table it creates is named `conformance-<run id>-...` and every
/// parameter lives under `/conformance/<run id>/`; all are removed at the end, also after
/// a failure or Ctrl-C.
#[derive(Parser, Debug)]
#[command(name = "conformance")]
struct Args {
    /// `emulator` (in-process), `aws` (default credential chain and region, needs
    /// --confirm-aws) or an endpoint URL; repeat to compare targets.
    #[arg(long = "target", default_value = "emulator")]
    targets: Vec<TargetSpec>,

    /// Generated cases per property.
    #[arg(long, env = "CONFORMANCE_CASES", default_value_t = 64)]
    cases: u32,

    /// Seed of the generators (printed with every failure, to replay it).
    #[arg(long, env = "CONFORMANCE_SEED")]
    seed: Option<u64>,

    /// Run only properties whose `suite.property` contains this text (repeatable).
    #[arg(long = "filter")]
    filters: Vec<String>,

    /// Let `--target aws` create and delete real resources (costs a few cents).
    #[arg(long)]
    confirm_aws: bool,

    /// How many shrinking steps a failure may take (each reruns a case on the target).
    #[arg(long, default_value_t = 256)]
    max_shrink_iters: u32,

    /// Write the machine-readable report (JSON) here.
    #[arg(long)]
    report: Option<PathBuf>,

    /// List the properties and exit.
    #[arg(long)]
    list: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.list {
        for property in registry::all() {
            println!("{:<36} {}", property.id(), property.about);
        }
        return ExitCode::SUCCESS;
    }
    let confirm_aws = args.confirm_aws
        || std::env::var(CONFIRM_ENV).is_ok_and(|v| matches!(v.as_str(), "1" | "true" | "yes"));
    let options = Options {
        targets: args.targets,
        cases: args.cases,
        seed: args.seed,
        filters: args.filters,
        confirm_aws,
        max_shrink_iters: args.max_shrink_iters,
        report: args.report,
    };
    let cancelled = Arc::new(AtomicBool::new(false));
    let mut run = {
        let options = options.clone();
        let cancelled = cancelled.clone();
        tokio::spawn(async move { conformance::run(&options, cancelled).await })
    };
    // The first Ctrl-C stops the cases (each checks between steps) and lets the run clean
    // up; the run is awaited, not abandoned, so clean-up always happens.
    let report = tokio::select! {
        report = &mut run => report,
        _ = tokio::signal::ctrl_c() => {
            cancelled.store(true, Ordering::Relaxed);
            println!("\ninterrupted: stopping the cases and removing what this run created \
                      (Ctrl-C again to quit at once)");
            tokio::select! {
                report = &mut run => report,
                _ = tokio::signal::ctrl_c() => {
                    println!("quit without clean-up: remove conformance-* tables and \
                              /conformance/ parameters of this run by hand");
                    return ExitCode::from(130);
                }
            }
        }
    };
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            eprintln!("the run failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", report.table());
    if let Some(path) = &options.report {
        let json = serde_json::to_vec_pretty(&report).unwrap_or_default();
        if let Err(e) = std::fs::write(path, json) {
            eprintln!("cannot write the report to {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("report written to {}", path.display());
    }
    if cancelled.load(Ordering::Relaxed) {
        ExitCode::from(130)
    } else if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
