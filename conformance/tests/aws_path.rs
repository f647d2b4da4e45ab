//! `--target aws` end to end, with a local emulator standing in for AWS through the
//! standard `AWS_ENDPOINT_URL`: the confirmation gate, the identity line, table creation
//! and waiting, clean-up at the end and after Ctrl-C, all through the binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use emulator::harness::TestEmulator;

/// The binary configured exactly as an AWS application on a developer machine would be,
/// but pointing at `emu`; profiles and the instance metadata service are out of the way.
fn conformance(emu: &TestEmulator, access_key: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_conformance"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", emu.endpoint())
        .env("AWS_ACCESS_KEY_ID", access_key)
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--target", "aws"]);
    command
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Nothing of any run is left in the namespace of `access_key`.
async fn assert_nothing_left(emu: &TestEmulator, access_key: &str) {
    let tables = emu
        .dynamodb_client_as(access_key, "eu-west-1")
        .list_tables()
        .send()
        .await
        .unwrap();
    assert!(
        tables.table_names().is_empty(),
        "left behind: {:?}",
        tables.table_names()
    );
    let parameters = emu
        .ssm_client_as(access_key, "eu-west-1")
        .get_parameters_by_path()
        .path("/conformance")
        .recursive(true)
        .send()
        .await
        .unwrap();
    assert!(
        parameters.parameters().is_empty(),
        "left behind: {:?}",
        parameters.parameters()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_aws_without_confirmation() {
    let emu = TestEmulator::start();
    let output = conformance(&emu, "AKIDREFUSE").output().unwrap();
    assert!(!output.status.success());
    let text = text(&output);
    assert!(text.contains("--confirm-aws"), "{text}");
    assert!(!text.contains("created table"), "{text}");
    assert_nothing_left(&emu, "AKIDREFUSE").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_code_path_creates_waits_and_cleans_up() {
    let emu = TestEmulator::start();
    let report = std::env::temp_dir().join(format!("conformance-aws-{}.json", std::process::id()));
    let output = conformance(&emu, "AKIDAWSPATH")
        .env("CONFORMANCE_CONFIRM_AWS", "1")
        .args([
            "--cases",
            "2",
            "--filter",
            "cache.model",
            "--filter",
            "ssm-api.by-path",
            "--filter",
            "keyring.dynamodb",
        ])
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let text = text(&output);
    assert!(output.status.success(), "{text}");
    // STS is not there, so the identity comes from the credentials.
    assert!(
        text.contains("About to run against AWS access key AKIDAWSPATH"),
        "{text}"
    );
    assert!(text.contains("in region eu-west-1"), "{text}");
    assert!(text.contains("waiting for ACTIVE"), "{text}");
    assert!(text.contains("removed table conformance-"), "{text}");
    assert!(text.contains("parameters under /conformance/"), "{text}");
    // Against "AWS" there is no server clock: sweeps are not claimed.
    assert!(!text.contains("sweeps are checked"), "{text}");
    let json = std::fs::read_to_string(&report).unwrap();
    let _ = std::fs::remove_file(&report);
    assert!(json.contains("\"status\": \"passed\""), "{json}");
    assert_nothing_left(&emu, "AKIDAWSPATH").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_still_cleans_up() {
    let emu = TestEmulator::start();
    let mut child = conformance(&emu, "AKIDCTRLC")
        .env("CONFORMANCE_CONFIRM_AWS", "1")
        .args(["--cases", "100000", "--filter", "cache.model"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    for line in lines.by_ref() {
        if line.unwrap().contains("waiting for ACTIVE") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no table created"
        );
    }
    // Let some cases run, then interrupt as a terminal would.
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    let rest = rest.join("\n");
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(rest.contains("interrupted"), "{rest}");
    assert!(rest.contains("removed table conformance-"), "{rest}");
    assert_nothing_left(&emu, "AKIDCTRLC").await;
}
