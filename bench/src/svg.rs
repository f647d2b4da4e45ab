//! The chart, as hand-written SVG (no plotting crate): ops/s per workload per target on a
//! log scale, then memory per byte of payload and start-up per target.

use std::fmt::Write;

use crate::report::{Report, Status, TargetResult};
use crate::workloads::Kind;

const WIDTH: f64 = 980.0;
const LABEL: f64 = 200.0;
const PLOT: f64 = 640.0;
const BAR: f64 = 9.0;
const COLORS: [&str; 8] = [
    "#9e9e9e", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
];

/// The same colour for a target in every chart, whichever others ran.
fn color_index(name: &str, position: usize) -> usize {
    match name {
        "limit" => 0,
        "emulator" => 1,
        "dynalite" => 2,
        "Dynoxide" => 3,
        "moto" => 4,
        _ => 5 + position % 3,
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn short(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if v >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

pub fn chart(r: &Report) -> String {
    let targets: Vec<(usize, &TargetResult)> = r
        .targets
        .iter()
        .filter(|t| t.note.is_none())
        .enumerate()
        .map(|(i, t)| (color_index(&t.name, i), t))
        .collect();
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| targets.iter().any(|(_, t)| t.workload(*k).is_some()))
        .collect();
    let max_ops = targets
        .iter()
        .flat_map(|(_, t)| t.workloads.iter())
        .filter_map(|w| w.stats.as_ref().map(|s| s.ops_per_sec))
        .fold(10.0f64, f64::max);
    let decades = max_ops.log10().ceil().max(2.0);
    let x = |v: f64| LABEL + PLOT * (v.max(1.0).log10() / decades).clamp(0.0, 1.0);
    let group = targets.len() as f64 * (BAR + 1.0) + 10.0;

    let mut body = String::new();
    let mut y = 70.0;
    let _ = write!(
        body,
        r##"<text x="10" y="22" font-size="15" font-weight="bold">Operations per second per workload (log scale, higher is better)</text>
<text x="10" y="40" font-size="11" fill="#555">concurrency {}, {} s per workload after {} s warm-up, loopback, {} cores shared by the load generator and the server; one run</text>
"##,
        r.config.concurrency, r.config.seconds, r.config.warmup_seconds, r.cores
    );
    // Legend.
    let mut lx = 10.0;
    for (c, t) in &targets {
        let _ = write!(
            body,
            r#"<rect x="{lx}" y="50" width="10" height="10" fill="{}"/><text x="{}" y="59" font-size="11">{}</text>"#,
            COLORS[*c],
            lx + 14.0,
            esc(&t.name)
        );
        lx += 24.0 + 7.0 * t.name.len() as f64;
    }
    body.push('\n');
    let top = y;
    for kind in &kinds {
        let _ = write!(
            body,
            r#"<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>"#,
            LABEL - 8.0,
            y + group / 2.0,
            esc(kind.name())
        );
        for (i, (c, t)) in targets.iter().enumerate() {
            let by = y + i as f64 * (BAR + 1.0);
            let w = t.workload(*kind);
            match w.map(|w| (w.status, w.stats.as_ref())) {
                Some((Status::Ok | Status::Errors, Some(s))) => {
                    let end = x(s.ops_per_sec);
                    let _ = write!(
                        body,
                        r#"<rect x="{LABEL}" y="{by}" width="{:.1}" height="{BAR}" fill="{}"><title>{}: {:.0} ops/s</title></rect><text x="{:.1}" y="{}" font-size="8">{}</text>"#,
                        end - LABEL,
                        COLORS[*c],
                        esc(&t.name),
                        s.ops_per_sec,
                        end + 3.0,
                        by + 8.0,
                        short(s.ops_per_sec)
                    );
                }
                Some((status, _)) => {
                    let word = match status {
                        Status::Unsupported => "unsupported",
                        Status::TooSlow => "too slow (no sample in the window)",
                        _ => "failed",
                    };
                    let _ = write!(
                        body,
                        r#"<text x="{}" y="{}" font-size="8" fill="{}">{} {word}</text>"#,
                        LABEL + 3.0,
                        by + 8.0,
                        COLORS[*c],
                        esc(&t.name)
                    );
                }
                None => {}
            }
        }
        y += group;
    }
    // Decade grid lines.
    for d in 0..=decades as u32 {
        let gx = x(10f64.powi(d as i32));
        let _ = write!(
            body,
            r##"<line x1="{gx:.1}" y1="{top}" x2="{gx:.1}" y2="{y}" stroke="#ddd"/><text x="{gx:.1}" y="{}" font-size="9" text-anchor="middle">{}</text>"##,
            y + 12.0,
            short(10f64.powi(d as i32))
        );
    }
    y += 40.0;

    // Memory and start-up.
    let mem: Vec<(usize, &TargetResult, f64)> = targets
        .iter()
        .filter_map(|(c, t)| Some((*c, *t, t.memory.as_ref()?.rss_per_payload_byte)))
        .collect();
    if !mem.is_empty() {
        let _ = writeln!(
            body,
            r#"<text x="10" y="{y}" font-size="15" font-weight="bold">Memory: bytes of RSS per byte of payload after loading ~1 KB items (lower is better)</text>"#
        );
        y += 14.0;
        // Room on the right for the label of the longest bar.
        let max = mem.iter().map(|m| m.2).fold(1.5f64, f64::max) * 1.35;
        for (c, t, v) in &mem {
            let m = t.memory.as_ref().expect("filtered");
            let w = PLOT * v / max;
            let _ = write!(
                body,
                r#"<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text><rect x="{LABEL}" y="{y}" width="{w:.1}" height="14" fill="{}"/><text x="{:.1}" y="{}" font-size="10">{v:.2} ({} items, {:.0} MiB RSS)</text>"#,
                LABEL - 8.0,
                y + 11.0,
                esc(&t.name),
                COLORS[*c],
                LABEL + w + 4.0,
                y + 11.0,
                m.items,
                m.rss_bytes as f64 / 1048576.0
            );
            y += 18.0;
        }
        y += 24.0;
    }
    let starts: Vec<(usize, &TargetResult, f64)> = targets
        .iter()
        .filter_map(|(c, t)| Some((*c, *t, t.startup.as_ref()?.median_ms)))
        .collect();
    if !starts.is_empty() {
        let _ = writeln!(
            body,
            r#"<text x="10" y="{y}" font-size="15" font-weight="bold">Start-up to the first answered request, median (log scale, lower is better)</text>
"#
        );
        y += 14.0;
        let decades = starts
            .iter()
            .map(|s| s.2)
            .fold(10.0f64, f64::max)
            .log10()
            .ceil();
        for (c, t, ms) in &starts {
            // 0.1 ms at the axis start.
            let w = PLOT * ((ms * 10.0).max(1.0).log10() / (decades + 1.0));
            let _ = write!(
                body,
                r#"<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text><rect x="{LABEL}" y="{y}" width="{w:.1}" height="14" fill="{}"/><text x="{:.1}" y="{}" font-size="10">{ms:.1} ms</text>"#,
                LABEL - 8.0,
                y + 11.0,
                esc(&t.name),
                COLORS[*c],
                LABEL + w + 4.0,
                y + 11.0
            );
            y += 18.0;
        }
        y += 10.0;
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" viewBox="0 0 {WIDTH} {y}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
{body}
</svg>
"#
    )
}
