//! The servers under test: how to start each on a port, when it counts as started, how much
//! memory it holds, and how to stop it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::Endpoint;

/// A command line with `{port}` standing for the port to listen on.
#[derive(Clone, Debug)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    /// The bare hyper server: every figure is also given as a ratio to it.
    pub is_limit: bool,
    /// Started by the bench; `None` for `--target <url>`.
    pub launch: Option<Launch>,
    pub url: Option<String>,
    /// Why it is not measured (a peer that is not installed): shown, not dropped.
    pub missing: Option<String>,
}

impl Target {
    pub fn spawned(name: &str, program: PathBuf, args: &[&str]) -> Self {
        let missing = (!program.exists()).then(|| format!("not installed ({})", program.display()));
        Target {
            name: name.to_owned(),
            is_limit: false,
            launch: Some(Launch {
                program,
                args: args.iter().map(|a| (*a).to_owned()).collect(),
            }),
            url: None,
            missing,
        }
    }
}

/// A process the bench started; killed (with anything it started) when dropped.
pub struct Running {
    pub child: Child,
    pub endpoint: Endpoint,
}

impl Drop for Running {
    fn drop(&mut self) {
        let pid = self.child.id();
        let mut tree = descendants(pid);
        tree.reverse();
        for p in tree {
            let _ = Command::new("kill").args(["-9", &p.to_string()]).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A signed `ListTables`: the request whose first answer marks a target as started.
fn probe_request(port: u16) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\r\nX-Amz-Date: 20260101T000000Z\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00\r\n\
         Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
    .into_bytes()
}

fn answers(port: u16, request: &[u8]) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(request).is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    let mut n = 0;
    while n < 12 {
        match s.read(&mut buf[n..]) {
            Ok(0) | Err(_) => return false,
            Ok(k) => n += k,
        }
    }
    buf.starts_with(b"HTTP/1.1 200") || buf.starts_with(b"HTTP/1.0 200")
}

/// Starts the target and waits for its first answered `ListTables`; returns it and the
/// time from spawn to that answer.
pub fn start(launch: &Launch, timeout: Duration) -> Result<(Running, Duration), String> {
    let port = free_port();
    let args: Vec<String> = launch
        .args
        .iter()
        .map(|a| a.replace("{port}", &port.to_string()))
        .collect();
    let request = probe_request(port);
    let started = Instant::now();
    let child = Command::new(&launch.program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", launch.program.display()))?;
    let mut running = Running {
        child,
        endpoint: Endpoint::local(port),
    };
    loop {
        if answers(port, &request) {
            return Ok((running, started.elapsed()));
        }
        if let Ok(Some(status)) = running.child.try_wait() {
            return Err(format!(
                "{} exited ({status}) before answering",
                launch.program.display()
            ));
        }
        if started.elapsed() > timeout {
            return Err(format!("no answer within {timeout:?}"));
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Start-up times of `runs` fresh starts, sorted.
pub fn startup_times(launch: &Launch, runs: usize) -> Result<Vec<Duration>, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (running, took) = start(launch, Duration::from_secs(60))?;
        drop(running);
        times.push(took);
    }
    times.sort();
    Ok(times)
}

/// Resident memory of a process and its descendants, in bytes.
pub fn rss_bytes(pid: u32) -> u64 {
    std::iter::once(pid)
        .chain(descendants(pid))
        .map(|p| vm_rss(p).unwrap_or(0))
        .sum()
}

fn vm_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Every process below `pid`, parents before children.
fn descendants(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parents: Vec<(u32, u32)> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| Some((p, parent_of(p)?)))
        .collect();
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        for &(child, parent) in &parents {
            if parent == p {
                out.push(child);
                frontier.push(child);
            }
        }
    }
    out
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: fields follow the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// The emulator binary next to this executable (both are built into `target/release`).
pub fn default_emulator() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .map(|d| d.join("emulator"))
        .unwrap_or_else(|| PathBuf::from("target/release/emulator"))
}

/// The peers `just bench-peers` installs into `dir`, with the commands that start them.
pub fn peers(dir: &Path, names: &[String]) -> Vec<Target> {
    names
        .iter()
        .filter_map(|name| match name.as_str() {
            // `npx dynalite` resolves to this script; starting it directly keeps npx's own
            // start-up out of the figure (and out of the process tree).
            "dynalite" => Some(Target::spawned(
                "dynalite",
                dir.join("dynalite/node_modules/.bin/dynalite"),
                &["--port", "{port}"],
            )),
            "dynoxide" => Some(Target::spawned(
                "Dynoxide",
                dir.join("dynoxide/bin/dynoxide"),
                &["--port", "{port}"],
            )),
            "moto" => Some(Target::spawned(
                "moto",
                dir.join("moto/bin/moto_server"),
                &["-p", "{port}"],
            )),
            other => {
                eprintln!("unknown peer {other:?} (known: dynalite, dynoxide, moto)");
                None
            }
        })
        .collect()
}
