//! The TTL sweep on its own: loads N items of about 1 KB (a string key, a 1 KB binary value,
//! a numeric TTL) into a TTL-enabled table in-process (no HTTP, no other load) through
//! BatchWriteItem, 25 a call, as `just bench` loads them (RSS depends on it), moves the
//! emulated clock past every TTL and times one sweep, in wall and CPU time.
//!
//! `cargo bench -p emulator --bench sweep` (1,000,000 items; `SWEEP_ITEMS=N` for another
//! count). The HTTP figure with a concurrent GetItem load is `just bench`'s.

use std::time::{Duration, Instant};

use emulator::common::{Namespace, Service};
use emulator::{Config, Services};

/// User plus system CPU seconds of this process so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => 0.0,
    }
}

/// Resident set size of this process (Linux; 0 elsewhere).
fn rss_bytes() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0);
    pages * 4096
}

fn call(services: &Services, ns: &Namespace, op: &str, body: &str) {
    if let Err(e) = services.dynamodb.dispatch(ns, op, body.as_bytes(), "bench") {
        panic!("{op} failed: {}", String::from_utf8_lossy(&e.body));
    }
}

fn main() {
    let items: usize = std::env::var("SWEEP_ITEMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let services = Services::new(Config::for_tests());
    let ns = Namespace::new("bench", "us-east-1");
    call(
        &services,
        &ns,
        "CreateTable",
        r#"{"TableName":"sweep","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
            "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#,
    );
    call(
        &services,
        &ns,
        "UpdateTimeToLive",
        r#"{"TableName":"sweep","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"ttl"}}"#,
    );
    // 1,368 base64 characters: 1,026 bytes of binary value.
    let value = "A".repeat(1368);
    let expires = services.clock.now_millis() / 1000 + 3600;
    let started = Instant::now();
    // Loaded the way the HTTP bench loads: BatchWriteItem, 25 items a call.
    for first in (0..items).step_by(25) {
        let puts: Vec<String> = (first..(first + 25).min(items))
            .map(|i| {
                format!(
                    r#"{{"PutRequest":{{"Item":{{"pk":{{"S":"key-{i:07}"}},"v":{{"B":"{value}"}},"ttl":{{"N":"{expires}"}}}}}}}}"#
                )
            })
            .collect();
        let body = format!(r#"{{"RequestItems":{{"sweep":[{}]}}}}"#, puts.join(","));
        call(&services, &ns, "BatchWriteItem", &body);
    }
    println!(
        "loaded {items} items in {:.1?}, RSS {:.0} MB",
        started.elapsed(),
        rss_bytes() as f64 / 1e6
    );

    services.clock.advance(Duration::from_secs(7200));
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let deleted = services.sweep();
    println!(
        "swept {deleted} items in {:.2?} wall, {:.2} s CPU",
        wall.elapsed(),
        cpu_seconds() - cpu
    );
    assert_eq!(deleted, items, "every item was due");
}
