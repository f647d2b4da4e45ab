//! Closed-loop load: `concurrency` workers, each on its own keep-alive connection, send a
//! workload's samples back to back. A sample counts if it completes inside the measured
//! window (after the warm-up, before the end), as wrk counts; every counted sample's latency
//! is recorded (there is no sampling), so the percentiles are exact over the run.
//!
//! Closed loop means a slow answer delays the next request on that connection: the
//! percentiles are those of answered requests at the throughput reached, not of a fixed
//! offered rate.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::client::{Conn, Endpoint};
use crate::workloads::{Failure, Plan};

/// When the window ends: at a deadline, or when the stop time is set (the TTL sweep).
#[derive(Clone)]
pub enum Until {
    Deadline(Instant),
    Stop(Arc<OnceLock<Instant>>),
}

impl Until {
    fn end(&self) -> Option<Instant> {
        match self {
            Until::Deadline(d) => Some(*d),
            Until::Stop(s) => s.get().copied(),
        }
    }

    fn reached(&self, now: Instant) -> bool {
        self.end().is_some_and(|end| now >= end)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub samples: u64,
    pub seconds: f64,
    pub ops_per_sec: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub errors: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

impl Stats {
    /// Percentiles by the nearest-rank method over all recorded latencies.
    pub fn from_latencies(
        mut all: Vec<u64>,
        errors: u64,
        first_error: Option<String>,
        seconds: f64,
    ) -> Self {
        all.sort_unstable();
        let pct = |p: f64| -> u64 {
            if all.is_empty() {
                return 0;
            }
            let rank = (p * all.len() as f64).ceil() as usize;
            all[rank.clamp(1, all.len()) - 1]
        };
        Stats {
            samples: all.len() as u64,
            seconds,
            // Only answered-as-expected samples count as operations.
            ops_per_sec: if seconds > 0.0 {
                all.len().saturating_sub(errors as usize) as f64 / seconds
            } else {
                0.0
            },
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            p999_us: pct(0.999),
            errors,
            first_error,
        }
    }
}

/// Runs `plan` from now: samples started before `measure_from` are warm-up.
pub async fn run(
    endpoint: &Endpoint,
    plan: Arc<Plan>,
    concurrency: usize,
    measure_from: Instant,
    until: Until,
) -> Stats {
    let mut workers = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        let plan = plan.clone();
        let until = until.clone();
        let mut conn = Conn::new(endpoint);
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(1 << 14);
            let (mut errors, mut first_error) = (0u64, None);
            let mut index = worker as u64;
            loop {
                let started = Instant::now();
                if until.reached(started) {
                    break;
                }
                let outcome = plan.sample(&mut conn, index).await;
                index += concurrency as u64;
                let done = Instant::now();
                if done < measure_from || until.reached(done) {
                    continue;
                }
                latencies.push(done.duration_since(started).as_micros() as u64);
                if let Err(Failure::Error(e) | Failure::Unsupported(e)) = outcome {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let (mut all, mut errors, mut first_error) = (Vec::new(), 0, None);
    for w in workers {
        let (l, e, f) = w.await.expect("load worker");
        all.extend(l);
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
    }
    let end = until.end().unwrap_or_else(Instant::now);
    let seconds = end.saturating_duration_since(measure_from).as_secs_f64();
    Stats::from_latencies(all, errors, first_error, seconds)
}

/// A fixed-length run after a warm-up.
pub async fn timed(
    endpoint: &Endpoint,
    plan: Arc<Plan>,
    concurrency: usize,
    warmup: Duration,
    measure: Duration,
) -> Stats {
    let measure_from = Instant::now() + warmup;
    run(
        endpoint,
        plan,
        concurrency,
        measure_from,
        Until::Deadline(measure_from + measure),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn nearest_rank_percentiles() {
        let s = Stats::from_latencies((1..=1000).rev().collect(), 0, None, 2.0);
        assert_eq!((s.p50_us, s.p99_us, s.p999_us), (500, 990, 999));
        assert_eq!(s.ops_per_sec, 500.0);
        let one = Stats::from_latencies(vec![7], 0, None, 1.0);
        assert_eq!((one.p50_us, one.p99_us, one.p999_us), (7, 7, 7));
        let none = Stats::from_latencies(Vec::new(), 0, None, 1.0);
        assert_eq!(none.p99_us, 0);
    }
}
