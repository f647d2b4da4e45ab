//! `just bench`: emulator throughput and latency against a bare hyper server, and start-up
//! time of the release binary.
//!
//! Method: the emulator binary and a bare hyper server (this same executable re-run with
//! `BENCH_ROLE=bare`, answering every request with a fixed body) run as separate processes
//! on loopback. One load generator (this process, a 2-worker tokio runtime) keeps
//! `CONCURRENCY` HTTP/1.1 keep-alive connections busy with back-to-back requests for
//! `SECONDS` per scenario after a warm-up, recording every request's latency. Everything
//! shares the machine's cores, so the ratios to the bare server are the figures that mean
//! something; absolute numbers depend on the machine.
//!
//! Environment: `BENCH_SECONDS` (default 5), `BENCH_CONCURRENCY` (default 32).

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use support::{connect, env_or, one_request, request, spawn_server};

const PUT_KEYS: usize = 1000;

fn main() {
    if std::env::var("BENCH_ROLE").as_deref() == Ok("bare") {
        return bare_server();
    }
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let seconds: u64 = env_or("BENCH_SECONDS", 5);
    let concurrency: usize = env_or("BENCH_CONCURRENCY", 32);
    let emulator_bin = env!("CARGO_BIN_EXE_emulator");

    let startup = startup_times(emulator_bin, 10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("load generator runtime");

    let (mut bare, bare_port) = spawn_server(
        Command::new(std::env::current_exe().expect("own path")).env("BENCH_ROLE", "bare"),
        "bare listening on http://127.0.0.1:",
    );
    let (mut emu, emu_port) = spawn_server(
        Command::new(emulator_bin).args([
            "--port",
            "0",
            "--log-level",
            "warn",
            "--sweep-interval",
            "1",
        ]),
        "emulator listening on http://127.0.0.1:",
    );

    let item_1k = format!(r#"{{"S":"{}"}}"#, "x".repeat(1000));
    let setup = [
        ("CreateTable", r#"{"TableName":"bench","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#.to_owned()),
        ("PutItem", format!(r#"{{"TableName":"bench","Item":{{"pk":{{"S":"hot"}},"payload":{item_1k},"n":{{"N":"0"}}}}}}"#)),
    ];
    rt.block_on(async {
        for (op, body) in &setup {
            let status = one_request(emu_port, op, body.clone()).await;
            assert!(status < 300, "setup {op} answered {status}");
        }
    });

    let get = vec![Bytes::from(
        r#"{"TableName":"bench","Key":{"pk":{"S":"hot"}}}"#,
    )];
    let puts: Vec<Bytes> = (0..PUT_KEYS)
        .map(|i| {
            Bytes::from(format!(
                r#"{{"TableName":"bench","Item":{{"pk":{{"S":"k{i}"}},"payload":{item_1k}}}}}"#
            ))
        })
        .collect();
    let update = vec![Bytes::from(
        r#"{"TableName":"bench","Key":{"pk":{"S":"hot"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}"#,
    )];

    let put_parameters: Vec<Bytes> = (0..100)
        .map(|i| Bytes::from(format!(r#"{{"Name":"/bench/put/p{i}","Value":"value-{i}","Type":"String","Overwrite":true}}"#)))
        .collect();
    rt.block_on(async {
        for i in 0..100 {
            let body =
                format!(r#"{{"Name":"/bench/walk/p{i:03}","Value":"v{i}","Type":"String"}}"#);
            let status = one_request(emu_port, "AmazonSSM.PutParameter", body).await;
            assert!(status < 300, "setup PutParameter answered {status}");
        }
    });

    let scenarios: Vec<(&str, u16, &str, Vec<Bytes>)> = vec![
        ("bare hyper (fixed body)", bare_port, "GetItem", get.clone()),
        ("GetItem", emu_port, "GetItem", get),
        ("PutItem 1 KB", emu_port, "PutItem", puts),
        ("UpdateItem ADD", emu_port, "UpdateItem", update),
        (
            "SSM PutParameter",
            emu_port,
            "AmazonSSM.PutParameter",
            put_parameters,
        ),
    ];
    println!("concurrency {concurrency}, {seconds} s per scenario after 1 s warm-up, loopback, HTTP/1.1 keep-alive");
    println!(
        "{:<26} {:>10} {:>9} {:>9} {:>8} {:>7}",
        "scenario", "ops/s", "p50 µs", "p99 µs", "errors", "% bare"
    );
    let mut bare_ops = 0.0;
    for (name, port, op, bodies) in scenarios {
        let r = rt.block_on(load(
            port,
            op,
            bodies,
            concurrency,
            Duration::from_secs(seconds),
        ));
        if bare_ops == 0.0 {
            bare_ops = r.ops_per_sec;
        }
        println!(
            "{:<26} {:>10.0} {:>9} {:>9} {:>8} {:>6.0}%",
            name,
            r.ops_per_sec,
            r.p50_us,
            r.p99_us,
            r.errors,
            100.0 * r.ops_per_sec / bare_ops
        );
    }
    let walk = rt.block_on(walk_load(
        emu_port,
        concurrency,
        Duration::from_secs(seconds),
    ));
    println!(
        "SSM GetParametersByPath walk of 100 parameters (10 pages of 10): {:.0} walks/s, p50 {} µs, p99 {} µs per walk",
        walk.ops_per_sec, walk.p50_us, walk.p99_us
    );
    println!(
        "start-up to first answered request (release binary, {} runs): median {:.1} ms, max {:.1} ms",
        startup.len(),
        startup[startup.len() / 2].as_secs_f64() * 1000.0,
        startup[startup.len() - 1].as_secs_f64() * 1000.0
    );
    let _ = bare.kill();
    let _ = emu.kill();
    let _ = bare.wait();
    let _ = emu.wait();
}

/// Wall time from spawning the binary to the first answered `GET /`, sorted.
fn startup_times(bin: &str, runs: usize) -> Vec<Duration> {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("probe port");
        l.local_addr().expect("addr").port()
    };
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let mut child = Command::new(bin)
            .args(["--port", &port.to_string(), "--log-level", "warn"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn emulator");
        loop {
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                use std::io::{Read, Write};
                let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut buf = [0u8; 64];
                if matches!(s.read(&mut buf), Ok(n) if n > 12 && buf.starts_with(b"HTTP/1.1 200")) {
                    break;
                }
            }
            if start.elapsed() > Duration::from_secs(10) {
                panic!("emulator did not answer within 10 s");
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        times.push(start.elapsed());
        let _ = child.kill();
        let _ = child.wait();
    }
    times.sort();
    times
}

type Worker = tokio::task::JoinHandle<(Vec<u64>, u64)>;

/// Joins the workers' (latencies in µs, errors) into throughput and percentiles.
async fn summarise(workers: Vec<Worker>, measure: Duration) -> LoadResult {
    let mut all = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.await.expect("worker");
        all.extend(l);
        errors += e;
    }
    all.sort_unstable();
    let pct = |p: f64| {
        let i = ((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1));
        all.get(i).copied().unwrap_or(0)
    };
    LoadResult {
        ops_per_sec: all.len() as f64 / measure.as_secs_f64(),
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        errors,
    }
}

struct LoadResult {
    ops_per_sec: f64,
    p50_us: u64,
    p99_us: u64,
    errors: u64,
}

async fn load(
    port: u16,
    op: &str,
    bodies: Vec<Bytes>,
    concurrency: usize,
    measure: Duration,
) -> LoadResult {
    let warmup = Duration::from_secs(1);
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + measure;
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let bodies = bodies.clone();
        let op = op.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(port).await;
            let mut latencies = Vec::with_capacity(1 << 16);
            let mut errors = 0u64;
            let mut i = worker;
            loop {
                let t = Instant::now();
                if t >= end {
                    break;
                }
                let body = bodies[i % bodies.len()].clone();
                i += concurrency;
                let resp = match sender.send_request(request(port, &op, body)).await {
                    Ok(r) => r,
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                };
                let ok = resp.status().is_success();
                let _ = resp.into_body().collect().await;
                if t >= measure_from {
                    latencies.push(t.elapsed().as_micros() as u64);
                    if !ok {
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    summarise(tasks, measure).await
}

/// Workers repeatedly page through `/bench/walk` (100 parameters) with MaxResults 10,
/// following NextToken; one walk is one sample.
async fn walk_load(port: u16, concurrency: usize, measure: Duration) -> LoadResult {
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(rename = "Parameters", default)]
        parameters: Vec<serde::de::IgnoredAny>,
        #[serde(rename = "NextToken")]
        next_token: Option<String>,
    }
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(1);
    let end = measure_from + measure;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(port).await;
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < end {
                let t = Instant::now();
                let (mut token, mut seen) = (None::<String>, 0usize);
                loop {
                    let body = match &token {
                        Some(tok) => format!(
                            r#"{{"Path":"/bench/walk","MaxResults":10,"NextToken":{}}}"#,
                            serde_json::to_string(tok).expect("token")
                        ),
                        None => r#"{"Path":"/bench/walk","MaxResults":10}"#.to_owned(),
                    };
                    let Ok(resp) = sender
                        .send_request(request(
                            port,
                            "AmazonSSM.GetParametersByPath",
                            Bytes::from(body),
                        ))
                        .await
                    else {
                        errors += 1;
                        return (latencies, errors);
                    };
                    let bytes = resp
                        .into_body()
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    let Ok(page) = serde_json::from_slice::<Page>(&bytes) else {
                        errors += 1;
                        break;
                    };
                    seen += page.parameters.len();
                    token = page.next_token;
                    if token.is_none() {
                        break;
                    }
                }
                if seen != 100 {
                    errors += 1;
                }
                if t >= measure_from {
                    latencies.push(t.elapsed().as_micros() as u64);
                }
            }
            (latencies, errors)
        }));
    }
    let result = summarise(tasks, measure).await;
    assert_eq!(
        result.errors, 0,
        "walks that did not see exactly 100 parameters"
    );
    result
}

/// The baseline: hyper answering every request with a fixed DynamoDB-sized body, with the
/// same runtime shape as the emulator binary.
fn bare_server() {
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!(
            "bare listening on http://{}",
            listener.local_addr().expect("addr")
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let body = Bytes::from_static(br#"{"Item":{"pk":{"S":"hot"},"n":{"N":"0"}}}"#);
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let body = body.clone();
                    async move {
                        let _ = req.into_body().collect().await;
                        Ok::<_, std::convert::Infallible>(Response::new(Full::new(body)))
                    }
                });
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
