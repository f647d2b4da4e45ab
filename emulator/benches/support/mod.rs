//! What both benches need: the emulator (or the bare server) as a child process, and
//! signed-looking requests over hyper's HTTP/1.1 client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000";

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Starts a server process and reads its port from the endpoint line it prints.
pub fn spawn_server(cmd: &mut Command, prefix: &str) -> (Child, u16) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("endpoint line");
    let port = line
        .trim()
        .strip_prefix(prefix)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    (child, port)
}

/// `op` is `Service.Operation` for SSM (`AmazonSSM.PutParameter`), else a DynamoDB operation.
pub fn request(port: u16, op: &str, body: Bytes) -> Request<Full<Bytes>> {
    let (content_type, target) = if op.starts_with("AmazonSSM.") {
        ("application/x-amz-json-1.1", op.to_owned())
    } else {
        (
            "application/x-amz-json-1.0",
            format!("DynamoDB_20120810.{op}"),
        )
    };
    Request::post("/")
        .header("host", format!("127.0.0.1:{port}"))
        .header("content-type", content_type)
        .header("x-amz-target", target)
        .header("x-amz-date", "20260101T000000Z")
        .header("authorization", AUTH)
        .body(Full::new(body))
        .expect("request")
}

pub async fn one_request(port: u16, op: &str, body: String) -> u16 {
    let mut sender = connect(port).await;
    let resp = sender
        .send_request(request(port, op, Bytes::from(body)))
        .await
        .expect("send");
    let status = resp.status().as_u16();
    let _ = resp.into_body().collect().await;
    status
}

pub async fn connect(port: u16) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    sender
}
