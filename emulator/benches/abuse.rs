//! `cargo bench -p emulator --bench abuse`: the release emulator under abuse, on loopback,
//! while a normal client keeps using it.
//!
//! The normal client is what an app with an SDK connection pool looks like: one keep-alive
//! connection opened before the abuse starts, a GetItem every 2 ms. Four phases of
//! `BENCH_PHASE_SECONDS` (default 5) each run one kind of abuse next to it:
//!
//! 1. idle: `BENCH_IDLE` (default 3000) connections opened and held without a byte sent;
//! 2. slow loris: 300 connections sending headers, then one body byte per second;
//! 3. new access keys: 4 connections sending reads, and 4 sending PutParameter, each
//!    request under an access key never seen before;
//! 4. large bodies: 16 senders posting 16 MB bodies back to back.
//!
//! The emulator runs with its default limits except shorter header and body timeouts
//! (2 s, so the slow-loris phase sees its connections dropped within the phase). A thread
//! samples the server's resident memory every 50 ms. Reported per phase: the normal
//! client's p50/p99/max latency and failures, the server's peak RSS, and what the
//! attackers got.

mod support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use support::{connect, env_or, one_request, request, spawn_server, AUTH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CREATE: &str = r#"{"TableName":"bench","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#;

fn main() {
    let phase = Duration::from_secs(env_or("BENCH_PHASE_SECONDS", 5));
    let idle: usize = env_or("BENCH_IDLE", 3000);
    let (mut emu, port) = spawn_server(
        Command::new(env!("CARGO_BIN_EXE_emulator")).args([
            "--port",
            "0",
            "--log-level",
            "error",
            "--header-timeout",
            "2",
            "--body-timeout",
            "2",
        ]),
        "emulator listening on http://127.0.0.1:",
    );
    let pid = emu.id();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        assert_eq!(
            one_request(port, "CreateTable", CREATE.to_owned()).await,
            200
        );
        let put = r#"{"TableName":"bench","Item":{"pk":{"S":"hot"},"v":{"S":"value"}}}"#;
        assert_eq!(one_request(port, "PutItem", put.to_owned()).await, 200);
    });

    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let baseline = rss_kib(pid);
    println!(
        "abuse run: {} s per phase, loopback, server RSS at start {} MiB",
        phase.as_secs(),
        baseline / 1024
    );
    println!(
        "{:<14} {:>8} {:>8} {:>8} {:>9} {:>6} {:>10}  attackers",
        "phase", "requests", "p50 µs", "p99 µs", "max µs", "fails", "peak MiB"
    );

    rt.block_on(async {
        let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
        let failures = Arc::new(AtomicU64::new(0));
        let normal = tokio::spawn(normal_client(port, latencies.clone(), failures.clone()));
        type Attack = fn(u16, Duration, usize) -> tokio::task::JoinHandle<String>;
        let phases: [(&str, Attack); 5] = [
            ("quiet", |_, d, _| tokio::spawn(quiet(d))),
            ("idle conns", |p, d, n| {
                tokio::spawn(idle_connections(p, d, n))
            }),
            ("slow loris", |p, d, _| tokio::spawn(slow_loris(p, d))),
            ("new keys", |p, d, _| tokio::spawn(new_keys(p, d))),
            ("16 MB bodies", |p, d, _| tokio::spawn(large_bodies(p, d))),
        ];
        for (name, attack) in phases {
            latencies.lock().expect("latencies").clear();
            failures.store(0, Ordering::Relaxed);
            peak.store(rss_kib(pid), Ordering::Relaxed);
            let report = attack(port, phase, idle).await.unwrap_or_default();
            let mut l = std::mem::take(&mut *latencies.lock().expect("latencies"));
            l.sort_unstable();
            let at = |q: f64| l.get(((l.len() as f64 * q) as usize).min(l.len().saturating_sub(1)));
            println!(
                "{:<14} {:>8} {:>8} {:>8} {:>9} {:>6} {:>10}  {report}",
                name,
                l.len(),
                at(0.50).copied().unwrap_or(0),
                at(0.99).copied().unwrap_or(0),
                l.last().copied().unwrap_or(0),
                failures.load(Ordering::Relaxed),
                peak.load(Ordering::Relaxed) / 1024,
            );
        }
        normal.abort();
    });
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    println!("server RSS at the end: {} MiB", rss_kib(pid) / 1024);
    let _ = emu.kill();
    let _ = emu.wait();
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// One keep-alive connection, a GetItem every 2 ms; latencies in µs.
async fn normal_client(port: u16, latencies: Arc<Mutex<Vec<u64>>>, failures: Arc<AtomicU64>) {
    let mut sender = connect(port).await;
    let body = Bytes::from(r#"{"TableName":"bench","Key":{"pk":{"S":"hot"}}}"#);
    loop {
        let start = Instant::now();
        let ok = match sender
            .send_request(request(port, "GetItem", body.clone()))
            .await
        {
            Ok(resp) => resp.status() == 200 && resp.into_body().collect().await.is_ok(),
            Err(_) => false,
        };
        if ok {
            let micros = start.elapsed().as_micros() as u64;
            latencies.lock().expect("latencies").push(micros);
        } else {
            failures.fetch_add(1, Ordering::Relaxed);
            sender = connect(port).await;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Waits for every attacker task of a phase.
async fn join(tasks: Vec<tokio::task::JoinHandle<()>>) {
    for task in tasks {
        let _ = task.await;
    }
}

async fn quiet(duration: Duration) -> String {
    tokio::time::sleep(duration).await;
    "none".to_owned()
}

/// Opens `count` connections (each with a 1 s connect timeout) and holds them.
async fn idle_connections(port: u16, duration: Duration, count: usize) -> String {
    let mut held = Vec::with_capacity(count);
    let mut refused = 0;
    for _ in 0..count {
        match tokio::time::timeout(
            Duration::from_secs(1),
            TcpStream::connect(("127.0.0.1", port)),
        )
        .await
        {
            Ok(Ok(stream)) => held.push(stream),
            _ => refused += 1,
        }
    }
    let opened = held.len();
    tokio::time::sleep(duration).await;
    format!("{opened} opened and held ({refused} not connected within 1 s)")
}

/// Connections that send a request head, then one body byte per second.
async fn slow_loris(port: u16, duration: Duration) -> String {
    let timed_out = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..300)
        .map(|_| {
            let timed_out = timed_out.clone();
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else {
                        return;
                    };
                    let head = format!(
                        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n\
                         X-Amz-Target: DynamoDB_20120810.ListTables\r\nX-Amz-Date: 20260101T000000Z\r\n\
                         Authorization: {AUTH}\r\nContent-Length: 1000\r\n\r\n"
                    );
                    if s.write_all(head.as_bytes()).await.is_err() {
                        continue;
                    }
                    let mut answer = [0u8; 12];
                    loop {
                        tokio::select! {
                            read = s.read(&mut answer) => {
                                if matches!(read, Ok(n) if n >= 12 && answer.starts_with(b"HTTP/1.1 408")) {
                                    timed_out.fetch_add(1, Ordering::Relaxed);
                                }
                                break;
                            }
                            _ = tokio::time::sleep(Duration::from_secs(1)) => {
                                if s.write_all(b" ").await.is_err() || Instant::now() > deadline {
                                    break;
                                }
                            }
                        }
                    }
                }
            })
        })
        .collect();
    join(tasks).await;
    format!(
        "300 trickling connections, {} answered 408 and dropped",
        timed_out.load(Ordering::Relaxed)
    )
}

/// 16 senders posting 16 MB PutItem bodies (an item far over 400 KB) back to back.
async fn large_bodies(port: u16, duration: Duration) -> String {
    let filler = "x".repeat(16 * 1024 * 1024 - 100);
    let body = Bytes::from(format!(
        r#"{{"TableName":"bench","Item":{{"pk":{{"S":"big"}},"v":{{"S":"{filler}"}}}}}}"#
    ));
    let answered = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (body, answered) = (body.clone(), answered.clone());
            tokio::spawn(async move {
                let mut sender = connect(port).await;
                while Instant::now() < deadline {
                    match sender
                        .send_request(request(port, "PutItem", body.clone()))
                        .await
                    {
                        Ok(resp) => {
                            let _ = resp.into_body().collect().await;
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => sender = connect(port).await,
                    }
                }
            })
        })
        .collect();
    join(tasks).await;
    format!(
        "{} bodies of 16 MB answered ({:.0} MB/s)",
        answered.load(Ordering::Relaxed),
        answered.load(Ordering::Relaxed) as f64 * 16.0 / duration.as_secs_f64()
    )
}

/// Reads and writes, each under an access key never used before.
async fn new_keys(port: u16, duration: Duration) -> String {
    let counter = Arc::new(AtomicU64::new(0));
    let limited = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let (counter, limited) = (counter.clone(), limited.clone());
            tokio::spawn(async move {
                let mut sender = connect(port).await;
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let key = format!("FLOOD{n:0>123}");
                    let (op, body) = if worker % 2 == 0 {
                        ("ListTables", "{}".to_owned())
                    } else {
                        (
                            "AmazonSSM.PutParameter",
                            r#"{"Name":"/p","Value":"v","Type":"String"}"#.to_owned(),
                        )
                    };
                    let mut req = request(port, op, Bytes::from(body));
                    let auth = AUTH.replace("AKIDBENCH", &key);
                    req.headers_mut()
                        .insert("authorization", auth.parse().expect("header"));
                    match sender.send_request(req).await {
                        Ok(resp) => {
                            let bytes = resp.into_body().collect().await.map(|b| b.to_bytes());
                            if bytes.is_ok_and(|b| b.windows(14).any(|w| w == b"LimitExceeded\"")) {
                                limited.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Err(_) => sender = connect(port).await,
                    }
                }
            })
        })
        .collect();
    join(tasks).await;
    format!(
        "{} requests under new 128-char keys (half PutParameter), {} refused at the namespace cap",
        counter.load(Ordering::Relaxed),
        limited.load(Ordering::Relaxed)
    )
}
