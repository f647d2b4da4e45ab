//! Helpers shared by the integration tests: table creation through the SDK, error
//! unpacking, and a tiny raw HTTP/1.1 client for what the SDK will not send.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;

pub const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDRAW/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

pub fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_owned())
}

/// A pay-per-request table keyed by `hash` (and `range`, if given).
pub async fn create_table(
    client: &Client,
    name: &str,
    hash: (&str, ScalarAttributeType),
    range: Option<(&str, ScalarAttributeType)>,
) {
    let mut req = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for (attr, kind, key_type) in std::iter::once((hash.0, hash.1, KeyType::Hash))
        .chain(range.map(|(a, k)| (a, k, KeyType::Range)))
    {
        req = req
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attr)
                    .attribute_type(kind)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(attr)
                    .key_type(key_type)
                    .build()
                    .unwrap(),
            );
    }
    req.send().await.unwrap();
}

/// `pk` (S) only.
/// The table names ListTables answers in one call.
pub async fn table_names(client: &Client) -> Vec<String> {
    client
        .list_tables()
        .send()
        .await
        .unwrap()
        .table_names()
        .to_vec()
}

pub async fn hash_table(client: &Client, name: &str) {
    create_table(client, name, ("pk", ScalarAttributeType::S), None).await;
}

/// `pk` (S) and `sk` (N).
pub async fn range_table(client: &Client, name: &str) {
    create_table(
        client,
        name,
        ("pk", ScalarAttributeType::S),
        Some(("sk", ScalarAttributeType::N)),
    )
    .await;
}

/// The error code and message of a failed SDK call; panics if it succeeded.
pub fn failure<T: std::fmt::Debug, E, R>(result: Result<T, SdkError<E, R>>) -> (String, String)
where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    let err = result.expect_err("the call should have failed");
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// `host:port` of an `http://host:port` endpoint.
pub fn addr(endpoint: &str) -> String {
    endpoint.trim_start_matches("http://").to_owned()
}

/// Sends raw request bytes on a new connection and reads one response.
pub fn raw(endpoint: &str, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr(endpoint)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    read_response(&mut stream)
}

/// Reads one response (Content-Length framed, or chunked) from the stream.
pub fn read_response(stream: &mut TcpStream) -> RawResponse {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        // read_exact retries a read a signal interrupted (a bare read returned EINTR
        // once in CI) and fails on end of file.
        stream
            .read_exact(&mut byte)
            .expect("connection closed before the response head");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = find("content-length") {
        body.resize(len.parse().unwrap(), 0);
        stream.read_exact(&mut body).unwrap();
    } else if find("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut line = Vec::new();
            while !line.ends_with(b"\r\n") {
                stream.read_exact(&mut byte).unwrap();
                line.push(byte[0]);
            }
            let size =
                usize::from_str_radix(std::str::from_utf8(&line).unwrap().trim(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

/// A signed-looking DynamoDB request as raw bytes.
pub fn dynamodb_request(target: &str, body: &str) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.{target}\r\nX-Amz-Date: 20250101T000000Z\r\n\
         Authorization: {AUTH}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Posts one DynamoDB operation with a raw JSON body.
pub fn post(endpoint: &str, target: &str, body: &str) -> RawResponse {
    raw(endpoint, &dynamodb_request(target, body))
}

/// The `__type` suffix and message of a raw error answer.
pub fn raw_error(resp: &RawResponse) -> (String, String) {
    let json = resp.json();
    let ty = json["__type"].as_str().unwrap_or_default();
    let code = ty.rsplit('#').next().unwrap_or_default().to_owned();
    let message = json["message"]
        .as_str()
        .or(json["Message"].as_str())
        .unwrap_or_default()
        .to_owned();
    (code, message)
}

/// An SDK attribute value from DynamoDB's own JSON form (`{"S": "x"}`, `{"B": "<base64>"}`,
/// ...), so that test tables read like the wire format.
pub fn av(json: &serde_json::Value) -> AttributeValue {
    use aws_sdk_dynamodb::primitives::Blob;
    use base64::Engine;
    let blob = |v: &serde_json::Value| {
        Blob::new(
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str().expect("base64 text"))
                .expect("valid base64"),
        )
    };
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("an array")
            .iter()
            .map(|s| s.as_str().expect("a string").to_owned())
            .collect()
    };
    let (kind, v) = json
        .as_object()
        .and_then(|o| o.iter().next())
        .expect("a one-member object");
    match kind.as_str() {
        "S" => AttributeValue::S(v.as_str().expect("a string").to_owned()),
        "N" => AttributeValue::N(v.as_str().expect("a string").to_owned()),
        "B" => AttributeValue::B(blob(v)),
        "BOOL" => AttributeValue::Bool(v.as_bool().expect("a bool")),
        "NULL" => AttributeValue::Null(true),
        "SS" => AttributeValue::Ss(strings(v)),
        "NS" => AttributeValue::Ns(strings(v)),
        "BS" => AttributeValue::Bs(v.as_array().expect("an array").iter().map(blob).collect()),
        "L" => AttributeValue::L(v.as_array().expect("an array").iter().map(av).collect()),
        "M" => AttributeValue::M(item(v)),
        other => panic!("unknown attribute type {other}"),
    }
}

/// An SDK item (or attribute map) from DynamoDB JSON.
pub fn item(json: &serde_json::Value) -> std::collections::HashMap<String, AttributeValue> {
    json.as_object()
        .expect("an object")
        .iter()
        .map(|(k, v)| (k.clone(), av(v)))
        .collect()
}

/// DynamoDB JSON of an SDK attribute value, with set members sorted so that results compare
/// with [`canonical`] expectations whatever order the sets come back in.
pub fn to_json(value: &AttributeValue) -> serde_json::Value {
    use base64::Engine;
    use serde_json::json;
    let b64 = |b: &aws_sdk_dynamodb::primitives::Blob| {
        base64::engine::general_purpose::STANDARD.encode(b.as_ref())
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": b64(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::Ss(v) => json!({ "SS": sorted(v.clone()) }),
        AttributeValue::Ns(v) => json!({ "NS": sorted(v.clone()) }),
        AttributeValue::Bs(v) => json!({ "BS": sorted(v.iter().map(b64).collect()) }),
        AttributeValue::L(v) => json!({ "L": v.iter().map(to_json).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": item_json(m) }),
        other => panic!("unexpected attribute value {other:?}"),
    }
}

/// DynamoDB JSON of an SDK item, sets sorted.
pub fn item_json(item: &std::collections::HashMap<String, AttributeValue>) -> serde_json::Value {
    serde_json::Value::Object(item.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
}

/// `json` with every set's members sorted, to compare with [`to_json`] output.
pub fn canonical(json: &serde_json::Value) -> serde_json::Value {
    item_json(&item(json))
}
