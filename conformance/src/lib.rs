//! Conformance suite: the same generated scenarios against the in-process emulator, real
//! AWS, or any DynamoDB/SSM endpoint.
//!
//! - [`registry`]: the suites and their properties (`suite.property`), selectable by filter.
//! - [`check`]: the proptest driver (seeded, shrinking, async cases on a blocking thread).
//! - [`target`]: connecting to a target; [`resources`]: naming, creating and removing what
//!   a run creates there; [`admin`]: the emulator's clock and sweep, where the target has
//!   them; [`gate`]: exact interleaving of two clients' requests.
//! - [`run`] runs a selection against each target and returns the [`report::Report`].

pub mod admin;
pub mod check;
pub mod counter;
pub mod gate;
pub mod registry;
pub mod report;
pub mod resources;
pub mod suites;
pub mod target;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use check::{Ctx, Outcome};
use report::{PropertyReport, Report, TargetReport};
use resources::Resources;
use target::{Target, TargetSpec};

/// What to run, as the command line gives it.
#[derive(Clone, Debug)]
pub struct Options {
    pub targets: Vec<TargetSpec>,
    pub cases: u32,
    /// The run's seed; a random one (printed) if not given.
    pub seed: Option<u64>,
    /// Substrings of `suite.property`; empty selects everything.
    pub filters: Vec<String>,
    pub confirm_aws: bool,
    pub max_shrink_iters: u32,
    pub report: Option<PathBuf>,
}

/// The case count `cargo test` uses unless `CONFORMANCE_CASES` says otherwise: enough to
/// exercise every operation, few enough to keep the workspace tests at seconds.
pub const CI_CASES: u32 = 8;

/// A run's seed when none is given: the clock's nanoseconds, hashed.
fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), nanos)
}

/// Text of an SDK error with its service code and message (the SDKs' `Display` alone
/// says only "service error").
pub fn sdk_error<E: std::error::Error>(error: &E) -> String {
    aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string()
}

/// Runs the selected properties against every target in turn, removing what each run
/// created on a target before moving on. `cancelled` (set by Ctrl-C) stops cases early;
/// clean-up still runs.
pub async fn run(options: &Options, cancelled: Arc<AtomicBool>) -> Report {
    let seed = options.seed.unwrap_or_else(random_seed);
    let run_id = resources::new_run_id();
    let selected = registry::select(&options.filters);
    let mut report = Report {
        run_id: run_id.clone(),
        seed,
        cases: options.cases,
        targets: Vec::new(),
    };
    for spec in &options.targets {
        println!(
            "== {spec}: run {run_id}, seed {seed}, {} cases per property, {} properties",
            options.cases,
            selected.len()
        );
        let started = Instant::now();
        let mut target_report = TargetReport::new(spec);
        let target = match Target::connect(spec, options.confirm_aws).await {
            Ok(target) => Arc::new(target),
            Err(message) => {
                println!("   cannot use {spec}: {message}");
                target_report.error = Some(message);
                report.targets.push(target_report);
                continue;
            }
        };
        target_report.label = target.label.clone();
        if target.admin.is_some() {
            println!("   the target has the emulator's clock: sweeps are checked");
        }
        let resources = Arc::new(Resources::new(&target, &run_id, cancelled.clone()));
        for property in &selected {
            let ctx = Ctx {
                target: target.clone(),
                resources: resources.clone(),
                handle: tokio::runtime::Handle::current(),
                cases: options.cases,
                seed,
                max_shrink_iters: options.max_shrink_iters,
                property: property.id(),
            };
            let property_started = Instant::now();
            let outcome = if cancelled.load(Ordering::Relaxed) {
                Outcome::Interrupted { passed: 0 }
            } else {
                let run = property.run;
                tokio::task::spawn_blocking(move || run(&ctx))
                    .await
                    .unwrap_or_else(|e| Outcome::Error {
                        message: format!("the property panicked: {e}"),
                    })
            };
            let entry = PropertyReport::new(
                property,
                outcome,
                property_started.elapsed(),
                options.cases,
                seed,
                spec,
            );
            println!("{}", entry.progress_line());
            report::print_failure(&entry);
            target_report.properties.push(entry);
        }
        target_report.requests = target.counter.snapshot();
        target_report.created = resources.created();
        target_report.cleanup = resources.cleanup().await;
        for line in &target_report.created {
            println!("   created {line}");
        }
        for line in &target_report.cleanup.removed {
            println!("   removed {line}");
        }
        for line in &target_report.cleanup.failed {
            println!("   NOT REMOVED: {line}");
        }
        target_report.seconds = started.elapsed().as_secs_f64();
        report.targets.push(target_report);
    }
    report
}
