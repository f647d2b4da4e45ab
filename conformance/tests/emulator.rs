//! Every suite against the in-process emulator, at a case count that keeps `cargo test`
//! fast (`CONFORMANCE_CASES` raises it; `just conformance` runs the full count).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use conformance::report::Status;
use conformance::target::TargetSpec;
use conformance::{Options, CI_CASES};

/// Runs the properties matching `filter`; fails on any failure or error. Properties the
/// emulator does not support yet are allowed only if named in `unsupported`.
async fn suite(filter: &str, unsupported: &[&str]) {
    let cases = std::env::var("CONFORMANCE_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(CI_CASES);
    let options = Options {
        targets: vec![TargetSpec::Emulator],
        cases,
        seed: std::env::var("CONFORMANCE_SEED")
            .ok()
            .and_then(|s| s.parse().ok()),
        filters: vec![filter.to_owned()],
        confirm_aws: false,
        max_shrink_iters: 256,
        report: None,
    };
    let report = conformance::run(&options, Arc::new(AtomicBool::new(false))).await;
    print!("{}", report.table());
    let target = &report.targets[0];
    assert!(
        !target.properties.is_empty(),
        "no property matches {filter}"
    );
    for p in &target.properties {
        match p.status {
            Status::Passed | Status::KnownFailure => assert!(p.cases > 0, "{} ran no case", p.id),
            Status::Unsupported => assert!(
                unsupported.contains(&p.id.as_str()),
                "{} unexpectedly unsupported: {:?}",
                p.id,
                p.message
            ),
            other => panic!(
                "{} {other:?}: {}\n{}",
                p.id,
                p.message.as_deref().unwrap_or(""),
                p.minimal.as_deref().unwrap_or("")
            ),
        }
    }
    assert!(
        target.cleanup.failed.is_empty(),
        "{:?}",
        target.cleanup.failed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_suite() {
    suite("cache.", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_suite() {
    suite("sessions.", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_api_suite() {
    suite("dynamodb-api.", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssm_api_suite() {
    suite("ssm-api.", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_repository_suite() {
    suite("key-repository.", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyring_suite() {
    suite("keyring.", &[]).await;
}
