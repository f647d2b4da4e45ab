//! `just bench` / `just bench-peers`: the emulator side by side with a bare hyper server
//! (the limit) and peer DynamoDB emulators, in one run, with one load generator.
//!
//! Per target: start-up (median of N fresh starts to the first answered request), idle
//! RSS, every workload (ops/s, p50/p99/p99.9, ratios to the limit), then on a fresh
//! process RSS after loading ~1 KB items, and where the target has the emulator's control
//! endpoints, the time to sweep all of them at once with GetItem p99 on other keys during
//! the sweep against the same load without one. See the README's Benchmarks section.

mod client;
mod limit;
mod load;
mod report;
mod svg;
mod targets;
mod workloads;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use clap::Parser;

use client::{Conn, Endpoint};
use report::{Config, Memory, Report, Startup, Status, Sweep, TargetResult, WorkloadResult};
use targets::{Launch, Running, Target};
use workloads::{Capabilities, Failure, Kind};

#[derive(Parser)]
#[command(
    about = "DynamoDB emulator benchmark: the emulator, a bare hyper limit and peers in one run"
)]
struct Args {
    /// Seconds measured per workload [default: 5, --quick: 2]
    #[arg(long, env = "BENCH_SECONDS")]
    seconds: Option<f64>,
    /// Warm-up seconds before each measurement [default: 1, --quick: 0.5]
    #[arg(long, env = "BENCH_WARMUP")]
    warmup: Option<f64>,
    /// Connections kept busy per workload
    #[arg(long, env = "BENCH_CONCURRENCY", default_value_t = 32)]
    concurrency: usize,
    /// Fresh starts for the start-up median [default: 20, --quick: 10]
    #[arg(long, env = "BENCH_STARTS")]
    starts: Option<usize>,
    /// Items of ~1 KB loaded for the memory and sweep figures [default: 1000000, --quick: 100000]
    #[arg(long, env = "BENCH_ITEMS")]
    items: Option<u64>,
    /// Cap on a peer's memory load, seconds (a slow peer is measured at what it holds then)
    #[arg(long, env = "BENCH_LOAD_TIMEOUT", default_value_t = 150.0)]
    load_timeout: f64,
    /// Cap on the emulator's memory load, seconds: its figure is the one the targets are about
    #[arg(long, env = "BENCH_EMULATOR_LOAD_TIMEOUT", default_value_t = 300.0)]
    emulator_load_timeout: f64,
    /// Shorter runs: 2 s per workload, 0.5 s warm-up, 10 starts, 100,000 items
    #[arg(long, env = "BENCH_QUICK")]
    quick: bool,
    /// The emulator binary [default: `emulator` next to this executable]
    #[arg(long)]
    emulator: Option<PathBuf>,
    /// Leave the emulator out
    #[arg(long)]
    no_emulator: bool,
    /// Leave the bare hyper limit out
    #[arg(long)]
    no_limit: bool,
    /// Folder `just bench-peers` installed the peers into; peers are measured only with it
    #[arg(long, env = "BENCH_PEERS_DIR")]
    peers_dir: Option<PathBuf>,
    /// Which peers to start from --peers-dir
    #[arg(long, value_delimiter = ',', default_value = "dynalite,dynoxide,moto")]
    peers: Vec<String>,
    /// Another server, already running: `URL` or `NAME=URL` (repeatable)
    #[arg(long = "target")]
    targets: Vec<String>,
    /// Only these workloads (comma-separated names, e.g. "GetItem hit,PutItem 1 KB")
    #[arg(long, value_delimiter = ',', value_parser = parse_workload)]
    workloads: Vec<Kind>,
    /// Where results.json, results.md and results.svg go
    #[arg(long, default_value = "target/bench-results")]
    out: PathBuf,
    /// Send this many requests of each workload, one after another on one connection, to
    /// the one --target, then exit (no figures; `bench/callgrind.sh` counts the server's
    /// instructions meanwhile). The target is set up first unless --no-setup.
    #[arg(long, value_name = "REQUESTS")]
    sequential: Option<u64>,
    /// With --sequential: the target is set up already, or is the limit (answers are then
    /// only checked for their status)
    #[arg(long, requires = "sequential")]
    no_setup: bool,
    /// Internal: serve the limit on this port
    #[arg(long, hide = true)]
    serve_limit: Option<u16>,
    /// `cargo bench` passes this; ignored
    #[arg(long, hide = true)]
    bench: bool,
}

struct Plan {
    concurrency: usize,
    warmup: Duration,
    measure: Duration,
    starts: usize,
    items: u64,
    load_timeout: Duration,
    emulator_load_timeout: Duration,
    kinds: Vec<Kind>,
}

/// A clap error that lists the names, rather than a panic, for a mistyped workload.
fn parse_workload(name: &str) -> Result<Kind, String> {
    Kind::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown workload; one of: {}", names.join(", "))
    })
}

/// `--sequential`: the workloads' own requests, in order, on one connection.
fn sequential(args: &Args, requests: u64) -> Result<(), String> {
    let [spec] = args.targets.as_slice() else {
        return Err("needs exactly one --target".into());
    };
    let url = spec.split_once('=').map_or(spec.as_str(), |(_, url)| url);
    let endpoint = Endpoint::parse(url)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        if !args.no_setup {
            workloads::setup(&endpoint, 1).await?;
        }
        let mut conn = Conn::new(&endpoint);
        for kind in &args.workloads {
            let plan = kind.plan(!args.no_setup);
            for i in 0..requests {
                plan.sample(&mut conn, i)
                    .await
                    .map_err(|e| format!("{}: {e:?}", kind.name()))?;
            }
        }
        Ok(())
    })
}

fn main() {
    let args = Args::parse();
    if let Some(port) = args.serve_limit {
        return limit::serve(port);
    }
    if let Some(requests) = args.sequential {
        if let Err(e) = sequential(&args, requests) {
            eprintln!("bench --sequential: {e}");
            std::process::exit(1);
        }
        return;
    }
    let q = args.quick;
    let plan = Plan {
        concurrency: args.concurrency.max(1),
        warmup: Duration::from_secs_f64(args.warmup.unwrap_or(if q { 0.5 } else { 1.0 })),
        measure: Duration::from_secs_f64(args.seconds.unwrap_or(if q { 2.0 } else { 5.0 })),
        starts: args.starts.unwrap_or(if q { 10 } else { 20 }).max(1),
        items: args.items.unwrap_or(if q { 100_000 } else { 1_000_000 }),
        load_timeout: Duration::from_secs_f64(args.load_timeout),
        emulator_load_timeout: Duration::from_secs_f64(args.emulator_load_timeout),
        kinds: if args.workloads.is_empty() {
            Kind::ALL.to_vec()
        } else {
            args.workloads.clone()
        },
    };

    let mut targets = Vec::new();
    if !args.no_limit {
        let exe = std::env::current_exe().expect("own path");
        let mut t = Target::spawned("limit", exe, &["--serve-limit", "{port}"]);
        t.is_limit = true;
        targets.push(t);
    }
    if !args.no_emulator {
        let bin = args
            .emulator
            .clone()
            .unwrap_or_else(targets::default_emulator);
        let mut t = Target::spawned(
            "emulator",
            bin,
            &["--port", "{port}", "--log-level", "warn"],
        );
        if t.missing.is_some() {
            t.missing = Some(format!(
                "{} (build it: cargo build --release -p emulator)",
                t.missing.unwrap_or_default()
            ));
        }
        targets.push(t);
    }
    if let Some(dir) = &args.peers_dir {
        targets.extend(targets::peers(dir, &args.peers));
    }
    for spec in &args.targets {
        let (name, url) = spec
            .split_once('=')
            .unwrap_or((spec.as_str(), spec.as_str()));
        targets.push(Target {
            name: name.to_owned(),
            is_limit: false,
            launch: None,
            url: Some(url.to_owned()),
            missing: None,
        });
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("load generator runtime");
    println!(
        "concurrency {}, {:?} per workload after {:?} warm-up, {} starts, {} items for memory",
        plan.concurrency, plan.measure, plan.warmup, plan.starts, plan.items
    );
    // Every target is started and set up first; then each workload runs on every target
    // back to back, so that the figures compared (and the limit's) are taken within seconds
    // of each other, on a machine whose other load changes by the minute.
    let mut results: Vec<TargetResult> = targets
        .iter()
        .map(|t| TargetResult {
            name: t.name.clone(),
            is_limit: t.is_limit,
            ..TargetResult::default()
        })
        .collect();
    let mut live: Vec<Option<Live>> = targets
        .iter()
        .zip(results.iter_mut())
        .map(|(t, r)| {
            eprintln!("== {}: start-up and setup", t.name);
            prepare(&rt, t, &plan, r)
        })
        .collect();
    let mut loads: Vec<Vec<f64>> = vec![Vec::new(); targets.len()];
    for &kind in &plan.kinds {
        eprintln!("== {}", kind.name());
        for (i, t) in targets.iter().enumerate() {
            if let Some(l) = &live[i] {
                loads[i].push(load_average());
                run_one(&rt, l, kind, t.is_limit, &plan, &mut results[i]);
            }
        }
    }
    for (i, t) in targets.iter().enumerate() {
        let Some(l) = live[i].take() else {
            continue;
        };
        let caps = l.caps;
        drop(l);
        eprintln!("== {}: memory", t.name);
        loads[i].push(load_average());
        match (&t.launch, t.is_limit) {
            (_, true) => results[i].memory_note = Some("stores nothing".into()),
            (None, _) => {
                results[i].memory_note =
                    Some("not started by the bench: RSS is not measured".into())
            }
            (Some(launch), false) => memory_and_sweep(&rt, launch, caps, &plan, &mut results[i]),
        }
        loads[i].push(load_average());
    }
    for (r, l) in results.iter_mut().zip(&loads) {
        if !l.is_empty() {
            r.load_average = (
                l.iter().copied().fold(f64::INFINITY, f64::min),
                l.iter().copied().fold(0.0, f64::max),
            );
        }
    }
    report::add_ratios(&mut results);
    let checks = report::checks(&results);
    let report = Report {
        finished_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        config: Config {
            concurrency: plan.concurrency,
            warmup_seconds: plan.warmup.as_secs_f64(),
            seconds: plan.measure.as_secs_f64(),
            starts: plan.starts,
            memory_items: plan.items,
            load_timeout_seconds: plan.load_timeout.as_secs_f64(),
        },
        targets: results,
        checks,
    };
    let md = report::markdown(&report);
    println!("\n{md}");
    std::fs::create_dir_all(&args.out).expect("output folder");
    let write = |name: &str, text: &str| {
        let path = args.out.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("wrote {}", path.display());
    };
    write(
        "results.json",
        &serde_json::to_string_pretty(&report).expect("JSON"),
    );
    write("results.md", &md);
    write("results.svg", &svg::chart(&report));
}

/// A target started and set up for the workloads.
struct Live {
    endpoint: Endpoint,
    /// Kept so the process lives (and is stopped when this is dropped).
    _running: Option<Running>,
    caps: Capabilities,
}

/// Start-up times, the process the workloads run against, its idle RSS, the tables.
fn prepare(
    rt: &tokio::runtime::Runtime,
    target: &Target,
    plan: &Plan,
    result: &mut TargetResult,
) -> Option<Live> {
    if let Some(missing) = &target.missing {
        result.note = Some(missing.clone());
        return None;
    }
    let fail = |result: &mut TargetResult, e: String| {
        result.note = Some(e);
        None
    };
    let (endpoint, running) = match (&target.launch, &target.url) {
        (Some(launch), _) => {
            match targets::startup_times(launch, plan.starts) {
                Ok(times) => result.startup = Some(startup(&times)),
                Err(e) => return fail(result, format!("does not start: {e}")),
            }
            match targets::start(launch, Duration::from_secs(60)) {
                Ok((running, _)) => (running.endpoint.clone(), Some(running)),
                Err(e) => return fail(result, format!("does not start: {e}")),
            }
        }
        (None, Some(url)) => match Endpoint::parse(url) {
            Ok(e) => (e, None),
            Err(e) => return fail(result, e),
        },
        (None, None) => unreachable!("a target is started or given by URL"),
    };
    if let Some(r) = &running {
        std::thread::sleep(Duration::from_millis(500));
        result.idle_rss_bytes = Some(targets::rss_bytes(r.child.id()));
    }
    let caps = if target.is_limit {
        Capabilities { batch_write: true }
    } else {
        match rt.block_on(workloads::setup(&endpoint, plan.concurrency)) {
            Ok(c) => c,
            Err(e) => return fail(result, format!("setup failed: {e}")),
        }
    };
    Some(Live {
        endpoint,
        _running: running,
        caps,
    })
}

/// One workload on one target (DeleteItem's items are written first).
fn run_one(
    rt: &tokio::runtime::Runtime,
    live: &Live,
    kind: Kind,
    is_limit: bool,
    plan: &Plan,
    result: &mut TargetResult,
) {
    if kind == Kind::Delete && !is_limit {
        // Enough small items that every measured DeleteItem removes one: the PutItem
        // rate of this target times the run, with a margin.
        let rate = result
            .workload(Kind::Put1k)
            .and_then(|w| w.stats.as_ref())
            .map_or(20_000.0, |s| s.ops_per_sec);
        let secs = (plan.warmup + plan.measure).as_secs_f64();
        let count = (rate * secs * 1.5).clamp(1_000.0, 3_000_000.0) as u64;
        let loaded = rt.block_on(workloads::load_items(
            &live.endpoint,
            "bench",
            0..count,
            workloads::delete_item,
            live.caps,
            plan.concurrency,
            None,
        ));
        eprintln!(
            "   {count} items for DeleteItem loaded in {:.1} s",
            loaded.seconds
        );
    }
    let w = rt.block_on(run_workload(&live.endpoint, kind, is_limit, plan));
    eprintln!(
        "   {:<10} {:?} {}",
        result.name,
        w.status,
        w.stats
            .as_ref()
            .map(|s| format!("{:.0} ops/s p99 {} µs", s.ops_per_sec, s.p99_us))
            .unwrap_or_default()
    );
    result.workloads.push(w);
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

fn startup(times: &[Duration]) -> Startup {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Startup {
        runs: times.len(),
        median_ms: ms(times[times.len() / 2]),
        min_ms: ms(times[0]),
        max_ms: ms(times[times.len() - 1]),
    }
}

async fn run_workload(
    endpoint: &Endpoint,
    kind: Kind,
    is_limit: bool,
    plan: &Plan,
) -> WorkloadResult {
    let p = Arc::new(kind.plan(!is_limit));
    let mut result = WorkloadResult {
        name: kind.name(),
        unit: kind.unit(),
        status: Status::Ok,
        note: None,
        stats: None,
        ops_ratio_to_limit: None,
        p99_ratio_to_limit: None,
    };
    // One request first: an unsupported operation is marked, not measured.
    let mut conn = Conn::new(endpoint);
    match p.sample(&mut conn, u64::MAX / 2).await {
        Ok(()) => {}
        Err(Failure::Unsupported(e)) => {
            result.status = Status::Unsupported;
            result.note = Some(format!("unsupported: {e}"));
            return result;
        }
        Err(Failure::Error(e)) => {
            result.status = Status::Failed;
            result.note = Some(e);
            return result;
        }
    }
    let stats = load::timed(endpoint, p, plan.concurrency, plan.warmup, plan.measure).await;
    if stats.samples == 0 {
        result.status = Status::TooSlow;
        result.note = Some(format!(
            "too slow: no sample completed within the {:.1} s window",
            plan.measure.as_secs_f64()
        ));
    } else if stats.errors > 0 {
        result.status = Status::Errors;
        result.note = Some(format!(
            "{} of {} samples failed, first: {}",
            stats.errors,
            stats.samples,
            stats.first_error.clone().unwrap_or_default()
        ));
    }
    result.stats = Some(stats);
    result
}

/// A fresh process: idle RSS, the memory load, RSS after it, then the TTL sweep.
fn memory_and_sweep(
    rt: &tokio::runtime::Runtime,
    launch: &Launch,
    caps: Capabilities,
    plan: &Plan,
    result: &mut TargetResult,
) {
    // The emulator sweeps only on demand here, so the sweep measured is the one triggered.
    let mut launch = launch.clone();
    let mut cap = plan.load_timeout;
    if result.name == "emulator" {
        launch.args.extend(["--sweep-interval".into(), "0".into()]);
        cap = plan.emulator_load_timeout;
    }
    let running: Running = match targets::start(&launch, Duration::from_secs(60)) {
        Ok((r, _)) => r,
        Err(e) => {
            result.memory_note = Some(format!("does not start: {e}"));
            return;
        }
    };
    std::thread::sleep(Duration::from_millis(500));
    let pid = running.child.id();
    let idle = targets::rss_bytes(pid);
    let endpoint = running.endpoint.clone();
    let ttl = workloads::ttl_in_a_day();
    let loaded = rt.block_on(async {
        let mut conn = Conn::new(&endpoint);
        workloads::create_table(&mut conn, "bench_mem", None).await?;
        let ttl_on = workloads::enable_ttl(&mut conn, "bench_mem", "ttl").await;
        let others = workloads::load_items(
            &endpoint,
            "bench_mem",
            0..workloads::OTHER_KEYS,
            workloads::other_item,
            caps,
            plan.concurrency,
            None,
        )
        .await;
        if others.items != workloads::OTHER_KEYS {
            return Err(others.first_error.unwrap_or_default());
        }
        fn item(i: u64) -> String {
            workloads::memory_item(i, TTL.load(Ordering::Relaxed))
        }
        TTL.store(ttl, Ordering::Relaxed);
        let loaded = workloads::load_items(
            &endpoint,
            "bench_mem",
            0..plan.items,
            item,
            caps,
            plan.concurrency,
            Some(Instant::now() + cap),
        )
        .await;
        Ok((loaded, ttl_on))
    });
    let (loaded, ttl_on) = match loaded {
        Ok(l) => l,
        Err(e) => {
            result.memory_note = Some(format!("load failed: {e}"));
            return;
        }
    };
    if let Some(e) = &loaded.first_error {
        result.memory_note = Some(format!("load stopped by an error: {e}"));
    } else if loaded.items < plan.items {
        result.memory_note = Some(format!(
            "load capped at {:.0} s: {} of {} items; RSS per byte measured at that count",
            cap.as_secs_f64(),
            loaded.items,
            plan.items
        ));
    }
    std::thread::sleep(Duration::from_secs(1));
    let rss = targets::rss_bytes(pid);
    let others: u64 = (0..workloads::OTHER_KEYS)
        .map(|i| (2 + format!("o{i}").len() + "payload".len() + 1000) as u64)
        .sum();
    let payload = loaded.items * workloads::memory_item_size(0, ttl) + others;
    result.memory = Some(Memory {
        items: loaded.items,
        requested_items: plan.items,
        payload_bytes: payload,
        load_seconds: loaded.seconds,
        idle_rss_bytes: idle,
        rss_bytes: rss,
        rss_per_payload_byte: rss as f64 / payload as f64,
        growth_per_payload_byte: rss.saturating_sub(idle) as f64 / payload as f64,
        used_batch_write: caps.batch_write,
    });
    eprintln!(
        "   memory: {} items in {:.1} s, RSS {} ({:.2} per payload byte)",
        loaded.items,
        loaded.seconds,
        report::mib(rss),
        rss as f64 / payload as f64
    );
    if !ttl_on {
        result.sweep_note = Some("UpdateTimeToLive not supported".into());
        return;
    }
    match rt.block_on(sweep(&endpoint, loaded.items, plan)) {
        Ok(s) => result.sweep = Some(s),
        Err(e) => result.sweep_note = Some(e),
    }
}

/// The TTL of the memory items, for the `fn` item maker of the loader.
static TTL: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// GetItem p99 on other keys without a sweep, then the clock moved past every item's TTL
/// and one sweep timed with the same load running.
async fn sweep(endpoint: &Endpoint, expired: u64, plan: &Plan) -> Result<Sweep, String> {
    let mut control = Conn::new(endpoint);
    let probe = control
        .control("/_emulator/clock/advance", r#"{"seconds":0}"#)
        .await?;
    if !probe.ok() {
        return Err(format!(
            "no clock control (POST /_emulator/clock/advance answered {}): a TTL sweep cannot be triggered",
            probe.status
        ));
    }
    let get = Arc::new(workloads::other_get_plan());
    let baseline = load::timed(
        endpoint,
        get.clone(),
        plan.concurrency,
        plan.warmup,
        plan.measure,
    )
    .await;
    let a = control
        .control("/_emulator/clock/advance", r#"{"seconds":172800}"#)
        .await?;
    if !a.ok() {
        return Err(format!("clock advance: {}", a.describe()));
    }
    let stop = Arc::new(OnceLock::new());
    // The readers get going for 100 ms first; only what they do during the sweep counts.
    let from = Instant::now() + Duration::from_millis(100);
    let load = {
        let (endpoint, get, stop) = (endpoint.clone(), get.clone(), stop.clone());
        let concurrency = plan.concurrency;
        tokio::spawn(async move {
            load::run(&endpoint, get, concurrency, from, load::Until::Stop(stop)).await
        })
    };
    tokio::time::sleep_until(from.into()).await;
    let started = Instant::now();
    let answer = control.control("/_emulator/sweep", "").await;
    let took = started.elapsed();
    let _ = stop.set(Instant::now());
    let during = load.await.map_err(|e| e.to_string())?;
    let answer = answer?;
    #[derive(serde::Deserialize)]
    struct Deleted {
        deleted: u64,
    }
    let deleted = serde_json::from_slice::<Deleted>(&answer.body)
        .map_err(|e| format!("sweep answer {}: {e}", answer.describe()))?
        .deleted;
    Ok(Sweep {
        expired_items: expired,
        deleted,
        sweep_seconds: took.as_secs_f64(),
        during,
        baseline,
    })
}
