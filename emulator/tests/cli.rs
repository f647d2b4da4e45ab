//! The `emulator` binary as a user runs it: prints its endpoint, answers, and exits cleanly
//! on SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary on an ephemeral port; its `host:port` from the endpoint line.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args(["--port", "0", "--log-level", "warn"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("endpoint line");
    let addr = line
        .trim()
        .strip_prefix("emulator listening on http://")
        .unwrap_or_else(|| panic!("unexpected endpoint line {line:?}"))
        .to_owned();
    (child, addr)
}

/// A DynamoDB request signed (in form) with `access_key`.
fn dynamodb_as(addr: &str, access_key: &str, target: &str, body: &str) -> common::RawResponse {
    let auth = common::AUTH.replace("AKIDRAW", access_key);
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.{target}\r\nX-Amz-Date: 20250101T000000Z\r\n\
         Authorization: {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    common::raw(&format!("http://{addr}"), request.as_bytes())
}

fn http_get(addr: &str, path: &str) -> String {
    http(addr, "GET", path, "")
}

/// One request on a new connection; control routes need the `X-Emulator-Control` header,
/// which every request here carries.
fn http(addr: &str, method: &str, path: &str, extra_headers: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nX-Emulator-Control: 1\r\n{extra_headers}\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    stream.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn binary_prints_endpoint_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args(["--port", "0", "--log-level", "warn"])
        .env("EMULATOR_SWEEP_INTERVAL", "0.5")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("endpoint line");
    let addr = line
        .trim()
        .strip_prefix("emulator listening on http://")
        .unwrap_or_else(|| panic!("unexpected endpoint line {line:?}"))
        .to_owned();

    let health = http_get(&addr, "/");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(
        health.ends_with("healthy: dynamodb.us-east-1.amazonaws.com "),
        "{health}"
    );
    let clock = http_get(&addr, "/_emulator/clock");
    assert!(clock.contains("\"offsetMillis\":0"), "{clock}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "emulator did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit:?}");
}

#[test]
fn bad_flags_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args(["--sweep-interval", "-1"])
        .output()
        .expect("run emulator");
    assert!(!out.status.success());
}

#[test]
fn numbers_out_of_range_are_refused_by_name() {
    for (flag, value) in [
        ("--sweep-interval", "1e30"),
        ("--sweep-interval", "NaN"),
        ("--sweep-interval", "inf"),
        ("--body-timeout", "0"),
        ("--max-connections", "0"),
        ("--max-tables=-5", ""),
    ] {
        let args: &[&str] = if value.is_empty() {
            &[flag]
        } else {
            &[flag, value]
        };
        let out = Command::new(env!("CARGO_BIN_EXE_emulator"))
            .args(args)
            .output()
            .expect("run emulator");
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let name = flag.split('=').next().unwrap_or(flag);
        assert!(stderr.contains(name), "{flag} {value}: {stderr}");
    }
}

/// `EMULATOR_SHARED_DB=1` works like `true` (clap's plain bool parser took only
/// true/false), and `--no-control-api` closes the control routes.
#[test]
fn shared_db_from_the_environment_and_no_control_api() {
    let (mut child, addr) = spawn(&["--no-control-api"], &[("EMULATOR_SHARED_DB", "1")]);
    let create = r#"{"TableName":"shared","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#;
    assert_eq!(
        dynamodb_as(&addr, "ALICE", "CreateTable", create).status,
        200
    );
    let listed = dynamodb_as(&addr, "BOB", "ListTables", "{}");
    assert_eq!(listed.json(), serde_json::json!({"TableNames": ["shared"]}));
    let reset = http(&addr, "POST", "/_emulator/reset", "");
    assert!(reset.starts_with("HTTP/1.1 404"), "{reset}");
    assert!(reset.contains("--no-control-api"), "{reset}");
    let listed = dynamodb_as(&addr, "ALICE", "ListTables", "{}");
    assert_eq!(listed.json(), serde_json::json!({"TableNames": ["shared"]}));
    let _ = child.kill();
    let _ = child.wait();
}

/// Resident memory of a process, in KiB.
#[cfg(target_os = "linux")]
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("proc status")
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Reads under ever new access keys allocate nothing that stays: 300 ListTables with
/// 60 KB access key ids used to leave 300 namespaces (two copies of each key) behind,
/// about 36 MB that were never freed.
#[cfg(target_os = "linux")]
#[test]
fn a_flood_of_new_access_keys_leaves_memory_flat() {
    let (mut child, addr) = spawn(&[], &[]);
    let key = |i: usize| format!("{i:05}{}", "K".repeat(60 * 1024));
    // Warm up buffers and allocator arenas with the same request shape.
    for i in 0..20 {
        assert_eq!(dynamodb_as(&addr, &key(i), "ListTables", "{}").status, 400);
    }
    let before = rss_kib(child.id());
    for i in 0..300 {
        let resp = dynamodb_as(&addr, &key(i), "ListTables", "{}");
        assert_eq!(
            common::raw_error(&resp).0,
            "UnrecognizedClientException",
            "{}",
            resp.text()
        );
    }
    let grown = rss_kib(child.id()).saturating_sub(before);
    assert!(grown < 8 * 1024, "RSS grew by {grown} KiB");
    let _ = child.kill();
    let _ = child.wait();
}
