//! Results: what is measured per target, the targets checked against them, and the
//! Markdown tables printed and written next to the JSON and the chart.

use serde::Serialize;

use crate::load::Stats;
use crate::workloads::Kind;

#[derive(Serialize)]
pub struct Report {
    /// Seconds since the epoch when the run finished.
    pub finished_unix: u64,
    pub cores: usize,
    pub config: Config,
    pub targets: Vec<TargetResult>,
    pub checks: Vec<Check>,
}

#[derive(Serialize, Clone)]
pub struct Config {
    pub concurrency: usize,
    pub warmup_seconds: f64,
    pub seconds: f64,
    pub starts: usize,
    pub memory_items: u64,
    pub load_timeout_seconds: f64,
}

#[derive(Serialize, Default)]
pub struct TargetResult {
    pub name: String,
    pub is_limit: bool,
    /// Why nothing (or not everything) was measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The lowest and highest 1-minute load average seen before this target's workloads
    /// and memory phase: the cores are shared, so a busy machine shows here.
    pub load_average: (f64, f64),
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup: Option<Startup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_rss_bytes: Option<u64>,
    pub workloads: Vec<WorkloadResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Memory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep_note: Option<String>,
}

impl TargetResult {
    pub fn workload(&self, kind: Kind) -> Option<&WorkloadResult> {
        self.workloads.iter().find(|w| w.name == kind.name())
    }

    fn ops(&self, kind: Kind) -> Option<f64> {
        self.workload(kind)
            .filter(|w| w.status == Status::Ok)
            .and_then(|w| w.stats.as_ref())
            .map(|s| s.ops_per_sec)
    }
}

#[derive(Serialize)]
pub struct Startup {
    pub runs: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Measured; every sample answered as expected.
    Ok,
    /// Measured, but some samples failed (see the note).
    Errors,
    /// The target answered UnknownOperationException (or 404/501).
    Unsupported,
    /// The first request already failed: not measured.
    Failed,
    /// No sample completed inside the measured window.
    TooSlow,
}

#[derive(Serialize)]
pub struct WorkloadResult {
    pub name: &'static str,
    pub unit: &'static str,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<Stats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ops_ratio_to_limit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_ratio_to_limit: Option<f64>,
}

#[derive(Serialize)]
pub struct Memory {
    pub items: u64,
    pub requested_items: u64,
    /// Sum of the loaded items' DynamoDB item sizes.
    pub payload_bytes: u64,
    pub load_seconds: f64,
    pub idle_rss_bytes: u64,
    pub rss_bytes: u64,
    /// RSS after the load divided by the payload: the headline figure.
    pub rss_per_payload_byte: f64,
    /// (RSS after − idle RSS) / payload: what the data itself costs.
    pub growth_per_payload_byte: f64,
    pub used_batch_write: bool,
}

#[derive(Serialize)]
pub struct Sweep {
    pub expired_items: u64,
    pub deleted: u64,
    pub sweep_seconds: f64,
    /// GetItem on other keys while the sweep runs…
    pub during: Stats,
    /// …and the same load for the same time without a sweep.
    pub baseline: Stats,
}

#[derive(Serialize)]
pub struct Check {
    pub what: String,
    pub measured: String,
    pub met: bool,
}

/// Fills each workload's ratios to the limit's figures of the same run.
pub fn add_ratios(targets: &mut [TargetResult]) {
    let Some(limit) = targets.iter().position(|t| t.is_limit) else {
        return;
    };
    let limit_stats: Vec<(&'static str, Stats)> = targets[limit]
        .workloads
        .iter()
        .filter(|w| w.status == Status::Ok)
        .filter(|w| Kind::parse(w.name).is_some_and(Kind::comparable_to_limit))
        .filter_map(|w| Some((w.name, w.stats.clone()?)))
        .collect();
    for t in targets.iter_mut() {
        for w in &mut t.workloads {
            let (Some(s), Some((_, l))) =
                (&w.stats, limit_stats.iter().find(|(n, _)| *n == w.name))
            else {
                continue;
            };
            if l.ops_per_sec > 0.0 && l.p99_us > 0 {
                w.ops_ratio_to_limit = Some(s.ops_per_sec / l.ops_per_sec);
                w.p99_ratio_to_limit = Some(s.p99_us as f64 / l.p99_us as f64);
            }
        }
    }
}

/// The targets for the emulator, as far as this run measured them.
pub fn checks(targets: &[TargetResult]) -> Vec<Check> {
    let mut out = Vec::new();
    let Some(emu) = targets.iter().find(|t| t.name == "emulator") else {
        return out;
    };
    let ratio = |k: Kind| emu.workload(k).and_then(|w| w.ops_ratio_to_limit);
    for (kind, min) in [(Kind::GetHit, 0.75), (Kind::Put1k, 0.5)] {
        if let Some(r) = ratio(kind) {
            out.push(Check {
                what: format!("{} ≥ {min}× the limit", kind.name()),
                measured: format!("{r:.2}×"),
                met: r >= min,
            });
        }
    }
    for kind in Kind::ALL.into_iter().filter(|k| k.latency_checked()) {
        if let Some(r) = emu.workload(kind).and_then(|w| w.p99_ratio_to_limit) {
            out.push(Check {
                what: format!("{} p99 ≤ 2× the limit's", kind.name()),
                measured: format!("{r:.2}×"),
                met: r <= 2.0,
            });
        }
    }
    for (peer, min) in [("Dynoxide", 3.0), ("dynalite", 4.0), ("moto", 50.0)] {
        let Some(p) = targets.iter().find(|t| t.name == peer) else {
            continue;
        };
        for kind in Kind::ALL.into_iter().filter(|k| k.is_item()) {
            let (e, o) = (emu.ops(kind), p.ops(kind));
            let measured = match (e, o) {
                (Some(e), Some(o)) if o > 0.0 => e / o,
                (None, Some(_)) => {
                    out.push(Check {
                        what: format!("{} ≥ {min}× {peer}", kind.name()),
                        measured: "emulator: not measured (unsupported or failed)".into(),
                        met: false,
                    });
                    continue;
                }
                _ => continue,
            };
            out.push(Check {
                what: format!("{} ≥ {min}× {peer}", kind.name()),
                measured: format!("{measured:.1}×"),
                met: measured >= min,
            });
        }
    }
    if let Some(s) = &emu.startup {
        let fastest_peer = targets
            .iter()
            .filter(|t| !t.is_limit && t.name != "emulator")
            .filter_map(|t| t.startup.as_ref().map(|s| (s.median_ms, t.name.as_str())))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        out.push(Check {
            what: "start-up < 15 ms".into(),
            measured: format!("{:.1} ms", s.median_ms),
            met: s.median_ms < 15.0,
        });
        if let Some((ms, name)) = fastest_peer {
            out.push(Check {
                what: format!("start-up ≤ the fastest peer's ({name}, {ms:.1} ms)"),
                measured: format!("{:.1} ms", s.median_ms),
                met: s.median_ms <= ms,
            });
        }
    }
    if let Some(m) = &emu.memory {
        out.push(Check {
            what: format!(
                "≤ 1.3 bytes of RSS per byte of payload after {} items",
                m.items
            ),
            measured: format!("{:.2}", m.rss_per_payload_byte),
            met: m.rss_per_payload_byte <= 1.3,
        });
    }
    out
}

fn thousands(v: f64) -> String {
    let n = v.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn micros(us: u64) -> String {
    if us >= 10_000 {
        format!("{:.1} ms", us as f64 / 1000.0)
    } else {
        format!("{us} µs")
    }
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn cell(w: Option<&WorkloadResult>, f: impl Fn(&WorkloadResult, &Stats) -> String) -> String {
    match w {
        None => "not run".into(),
        Some(w) => match (&w.status, &w.stats) {
            (Status::Unsupported, _) => "unsupported".into(),
            (Status::Failed, _) => "failed".into(),
            (Status::TooSlow, _) => "too slow".into(),
            (status, Some(s)) => {
                let v = f(w, s);
                if *status == Status::Errors {
                    format!("{v} ({} errors)", s.errors)
                } else {
                    v
                }
            }
            (_, None) => "—".into(),
        },
    }
}

/// The whole result as Markdown: throughput, latency, start-up and memory, TTL sweep,
/// emulator against peers, targets met or missed, and notes.
pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let names: Vec<&str> = r.targets.iter().map(|t| t.name.as_str()).collect();
    let header = |s: &mut String, first: &str| {
        s.push_str(&format!("| {first} | {} |\n", names.join(" | ")));
        s.push_str(&format!("|---|{}\n", "---:|".repeat(names.len())));
    };
    s.push_str(&format!(
        "Throughput, ops/s (× the limit's in the same run); concurrency {}, {} s per workload after {} s warm-up\n\n",
        r.config.concurrency, r.config.seconds, r.config.warmup_seconds
    ));
    header(&mut s, "workload");
    for kind in Kind::ALL {
        if r.targets.iter().all(|t| t.workload(kind).is_none()) {
            continue;
        }
        let cells: Vec<String> = r
            .targets
            .iter()
            .map(|t| {
                cell(t.workload(kind), |w, st| match w.ops_ratio_to_limit {
                    Some(x) if !t.is_limit => format!("{} ({x:.2}×)", thousands(st.ops_per_sec)),
                    _ => thousands(st.ops_per_sec),
                })
            })
            .collect();
        s.push_str(&format!("| {} | {} |\n", kind.name(), cells.join(" | ")));
    }
    s.push_str("\nLatency p50 / p99 / p99.9\n\n");
    header(&mut s, "workload");
    for kind in Kind::ALL {
        if r.targets.iter().all(|t| t.workload(kind).is_none()) {
            continue;
        }
        let cells: Vec<String> = r
            .targets
            .iter()
            .map(|t| {
                cell(t.workload(kind), |_, st| {
                    format!(
                        "{} / {} / {}",
                        micros(st.p50_us),
                        micros(st.p99_us),
                        micros(st.p999_us)
                    )
                })
            })
            .collect();
        s.push_str(&format!("| {} | {} |\n", kind.name(), cells.join(" | ")));
    }
    s.push_str(&format!(
        "\nStart-up and memory ({} items of about 1 KB)\n\n",
        thousands(r.config.memory_items as f64)
    ));
    header(&mut s, "");
    let row = |s: &mut String, label: &str, f: &dyn Fn(&TargetResult) -> String| {
        let cells: Vec<String> = r.targets.iter().map(f).collect();
        s.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
    };
    let na = || "—".to_string();
    row(&mut s, "start-up, median", &|t| {
        t.startup
            .as_ref()
            .map_or_else(na, |st| format!("{:.1} ms", st.median_ms))
    });
    row(&mut s, "start-up, min–max", &|t| {
        t.startup
            .as_ref()
            .map_or_else(na, |st| format!("{:.1}–{:.1} ms", st.min_ms, st.max_ms))
    });
    row(&mut s, "load average, min–max", &|t| {
        format!("{:.1}–{:.1}", t.load_average.0, t.load_average.1)
    });
    row(&mut s, "idle RSS", &|t| {
        t.idle_rss_bytes.map_or_else(na, mib)
    });
    row(&mut s, "items loaded", &|t| {
        t.memory.as_ref().map_or_else(na, |m| {
            let partial = if m.items < m.requested_items {
                " (time cap)"
            } else {
                ""
            };
            format!("{}{partial}", thousands(m.items as f64))
        })
    });
    row(&mut s, "load time", &|t| {
        t.memory.as_ref().map_or_else(na, |m| {
            format!(
                "{:.1} s ({})",
                m.load_seconds,
                if m.used_batch_write {
                    "BatchWriteItem"
                } else {
                    "PutItem"
                }
            )
        })
    });
    row(&mut s, "RSS after load", &|t| {
        t.memory.as_ref().map_or_else(na, |m| mib(m.rss_bytes))
    });
    row(&mut s, "RSS / payload byte", &|t| {
        t.memory
            .as_ref()
            .map_or_else(na, |m| format!("{:.2}", m.rss_per_payload_byte))
    });
    row(&mut s, "(RSS − idle) / payload byte", &|t| {
        t.memory
            .as_ref()
            .map_or_else(na, |m| format!("{:.2}", m.growth_per_payload_byte))
    });
    row(&mut s, "TTL sweep of all items", &|t| {
        t.sweep.as_ref().map_or_else(na, |sw| {
            format!(
                "{:.2} s ({} deleted)",
                sw.sweep_seconds,
                thousands(sw.deleted as f64)
            )
        })
    });
    row(&mut s, "GetItem p99 during sweep / without", &|t| {
        t.sweep.as_ref().map_or_else(na, |sw| {
            format!(
                "{} / {}",
                micros(sw.during.p99_us),
                micros(sw.baseline.p99_us)
            )
        })
    });
    if let Some(emu) = r.targets.iter().find(|t| t.name == "emulator") {
        let peers: Vec<&TargetResult> = r
            .targets
            .iter()
            .filter(|t| !t.is_limit && t.name != "emulator" && t.note.is_none())
            .collect();
        if !peers.is_empty() {
            s.push_str("\nEmulator ops/s ÷ peer ops/s\n\n");
            s.push_str(&format!(
                "| workload | {} |\n|---|{}\n",
                peers
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                "---:|".repeat(peers.len())
            ));
            for kind in Kind::ALL {
                let cells: Vec<String> = peers
                    .iter()
                    .map(|p| match (emu.ops(kind), p.ops(kind)) {
                        (Some(e), Some(o)) if o > 0.0 => format!("{:.1}×", e / o),
                        (None, Some(_)) => "emulator: —".into(),
                        (Some(_), None) => "peer: —".into(),
                        _ => "—".into(),
                    })
                    .collect();
                s.push_str(&format!("| {} | {} |\n", kind.name(), cells.join(" | ")));
            }
        }
    }
    if !r.checks.is_empty() {
        s.push_str("\nTargets (issue 12)\n\n| target | measured | |\n|---|---:|---|\n");
        for c in &r.checks {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                c.what,
                c.measured,
                if c.met { "met" } else { "**missed**" }
            ));
        }
    }
    let mut notes = Vec::new();
    for t in &r.targets {
        for n in [&t.note, &t.memory_note, &t.sweep_note]
            .into_iter()
            .flatten()
        {
            notes.push(format!("- {}: {n}", t.name));
        }
        for w in &t.workloads {
            if let Some(n) = &w.note {
                notes.push(format!("- {}, {}: {n}", t.name, w.name));
            }
        }
    }
    if !notes.is_empty() {
        s.push_str("\nNotes\n\n");
        s.push_str(&notes.join("\n"));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, is_limit: bool, ops: f64, p99: u64) -> TargetResult {
        TargetResult {
            name: name.into(),
            is_limit,
            workloads: vec![WorkloadResult {
                name: Kind::GetHit.name(),
                unit: Kind::GetHit.unit(),
                status: Status::Ok,
                note: None,
                stats: Some(Stats {
                    ops_per_sec: ops,
                    p99_us: p99,
                    ..Stats::default()
                }),
                ops_ratio_to_limit: None,
                p99_ratio_to_limit: None,
            }],
            ..TargetResult::default()
        }
    }

    #[test]
    fn ratios_and_checks() {
        let mut targets = vec![
            result("limit", true, 100_000.0, 500),
            result("emulator", false, 80_000.0, 1_200),
            result("dynalite", false, 25_000.0, 3_000),
        ];
        add_ratios(&mut targets);
        let w = targets[1].workload(Kind::GetHit).unwrap();
        assert_eq!(w.ops_ratio_to_limit, Some(0.8));
        assert_eq!(w.p99_ratio_to_limit, Some(2.4));
        let checks = checks(&targets);
        let find = |what: &str| checks.iter().find(|c| c.what.contains(what)).unwrap();
        assert!(find("GetItem hit ≥ 0.75×").met);
        assert!(!find("p99").met);
        let peer = find("4× dynalite");
        assert_eq!(peer.measured, "3.2×");
        assert!(!peer.met);
        let md = markdown(&Report {
            finished_unix: 0,
            cores: 2,
            config: Config {
                concurrency: 32,
                warmup_seconds: 1.0,
                seconds: 5.0,
                starts: 20,
                memory_items: 1_000_000,
                load_timeout_seconds: 1.0,
            },
            targets,
            checks,
        });
        assert!(
            md.contains("| GetItem hit | 100,000 | 80,000 (0.80×) | 25,000 (0.25×) |"),
            "{md}"
        );
        assert!(md.contains("| GetItem hit | 3.2× |"), "{md}");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
    }
}
