//! The run's results: a progress line per property, a table per target, JSON for machines.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::check::Outcome;
use crate::registry::Property;
use crate::resources::Cleanup;
use crate::target::TargetSpec;

#[derive(Debug, Serialize)]
pub struct Report {
    pub run_id: String,
    pub seed: u64,
    pub cases: u32,
    pub targets: Vec<TargetReport>,
}

#[derive(Debug, Serialize)]
pub struct TargetReport {
    pub target: String,
    pub label: String,
    /// Set when the target could not be used at all (unreachable, not confirmed).
    pub error: Option<String>,
    pub properties: Vec<PropertyReport>,
    /// Requests sent, by `Service.Operation`.
    pub requests: BTreeMap<String, u64>,
    pub created: Vec<String>,
    pub cleanup: Cleanup,
    pub seconds: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed,
    /// Failed, as expected for a known and tracked defect.
    KnownFailure,
    /// Marked as a known failure but passed: the defect seems fixed.
    KnownFailurePassed,
    /// Not run: the target lacks an operation or control the property needs.
    Unsupported,
    Interrupted,
    Error,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "FAILED",
            Status::KnownFailure => "known failure",
            Status::KnownFailurePassed => "passed (known failure fixed?)",
            Status::Unsupported => "SKIPPED: unsupported by target",
            Status::Interrupted => "interrupted",
            Status::Error => "ERROR",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PropertyReport {
    pub id: String,
    pub suite: String,
    pub name: String,
    pub status: Status,
    /// Cases run (passes plus the failing one).
    pub cases: u32,
    pub passed: u32,
    pub failed: u32,
    pub seconds: f64,
    /// Why it failed, was skipped or could not run.
    pub message: Option<String>,
    /// The failing case proptest shrank to, one operation a line.
    pub minimal: Option<String>,
    /// The command that replays the failure.
    pub replay: Option<String>,
    pub known_failure: Option<String>,
}

impl PropertyReport {
    pub fn new(
        property: &Property,
        outcome: Outcome,
        elapsed: Duration,
        cases: u32,
        seed: u64,
        target: &TargetSpec,
    ) -> PropertyReport {
        let known = property.known_failure;
        let mut report = PropertyReport {
            id: property.id(),
            suite: property.suite.to_owned(),
            name: property.name.to_owned(),
            status: Status::Passed,
            cases: 0,
            passed: 0,
            failed: 0,
            seconds: elapsed.as_secs_f64(),
            message: None,
            minimal: None,
            replay: None,
            known_failure: known.map(str::to_owned),
        };
        match outcome {
            Outcome::Passed { cases } => {
                report.status = if known.is_some() {
                    Status::KnownFailurePassed
                } else {
                    Status::Passed
                };
                report.cases = cases;
                report.passed = cases;
            }
            Outcome::Failed {
                passed,
                message,
                minimal,
            } => {
                report.status = if known.is_some() {
                    Status::KnownFailure
                } else {
                    Status::Failed
                };
                report.cases = passed + 1;
                report.passed = passed;
                report.failed = 1;
                report.message = Some(message);
                report.minimal = Some(minimal);
                report.replay = Some(format!(
                    "cargo run -p conformance -- --target {target} --seed {seed} --cases {cases} \
                     --filter {}",
                    report.id
                ));
            }
            Outcome::Unsupported { reason } => {
                report.status = Status::Unsupported;
                report.message = Some(reason);
            }
            Outcome::Interrupted { passed } => {
                report.status = Status::Interrupted;
                report.cases = passed;
                report.passed = passed;
            }
            Outcome::Error { message } => {
                report.status = Status::Error;
                report.message = Some(message);
            }
        }
        report
    }

    pub fn progress_line(&self) -> String {
        let mut line = format!(
            "   {:<36} {} ({}/{} cases, {:.1} s)",
            self.id,
            self.status.label(),
            self.passed,
            self.cases,
            self.seconds
        );
        if matches!(self.status, Status::Unsupported | Status::Error) {
            if let Some(message) = &self.message {
                let _ = write!(line, ": {message}");
            }
        }
        line
    }
}

/// The details of a failure, right after its progress line.
pub fn print_failure(entry: &PropertyReport) {
    if !matches!(entry.status, Status::Failed | Status::KnownFailure) {
        return;
    }
    if let Some(known) = &entry.known_failure {
        println!("      known failure: {known}");
    }
    if let Some(message) = &entry.message {
        println!("      failure: {message}");
    }
    if let Some(minimal) = &entry.minimal {
        println!("      minimal failing case:");
        for line in minimal.lines() {
            println!("      {line}");
        }
    }
    if let Some(replay) = &entry.replay {
        println!("      replay: {replay}");
    }
}

impl TargetReport {
    pub fn new(spec: &TargetSpec) -> TargetReport {
        TargetReport {
            target: spec.to_string(),
            label: spec.to_string(),
            error: None,
            properties: Vec::new(),
            requests: BTreeMap::new(),
            created: Vec::new(),
            cleanup: Cleanup::default(),
            seconds: 0.0,
        }
    }
}

impl Report {
    /// No unexpected failure, no error, every target usable and cleaned up.
    pub fn ok(&self) -> bool {
        self.targets.iter().all(|t| {
            t.error.is_none()
                && t.cleanup.failed.is_empty()
                && t.properties
                    .iter()
                    .all(|p| !matches!(p.status, Status::Failed | Status::Error))
        })
    }

    /// The summary table: one block per target, one row per property.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for target in &self.targets {
            let _ = writeln!(out, "\n{} ({:.1} s)", target.label, target.seconds);
            if let Some(error) = &target.error {
                let _ = writeln!(out, "  not run: {error}");
                continue;
            }
            let _ = writeln!(
                out,
                "  {:<36} {:>6} {:>6} {:>6} {:>8}  status",
                "suite.property", "cases", "passed", "failed", "time"
            );
            for p in &target.properties {
                let _ = writeln!(
                    out,
                    "  {:<36} {:>6} {:>6} {:>6} {:>7.1}s  {}",
                    p.id,
                    p.cases,
                    p.passed,
                    p.failed,
                    p.seconds,
                    p.status.label()
                );
            }
            let total: u64 = target.requests.values().sum();
            let _ = writeln!(out, "  requests sent: {total}");
        }
        out
    }
}
