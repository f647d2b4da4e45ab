//! The workloads, the data they need and the requests they send.
//!
//! Every workload sends the real DynamoDB or SSM request, whatever the target: a target
//! that answers `UnknownOperationException` (or 404/501) is reported as not supporting it,
//! never silently left out.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::client::{contains, Answer, Conn, Endpoint, Op};

pub const GET: Op = Op::ddb("GetItem");
pub const PUT: Op = Op::ddb("PutItem");
const UPDATE: Op = Op::ddb("UpdateItem");
const DELETE: Op = Op::ddb("DeleteItem");
const QUERY: Op = Op::ddb("Query");
const SCAN: Op = Op::ddb("Scan");
const BATCH_WRITE: Op = Op::ddb("BatchWriteItem");
const CREATE_TABLE: Op = Op::ddb("CreateTable");
const DESCRIBE_TABLE: Op = Op::ddb("DescribeTable");
const UPDATE_TTL: Op = Op::ddb("UpdateTimeToLive");
const PUT_PARAMETER: Op = Op::ssm("PutParameter");
const GET_PARAMETERS_BY_PATH: Op = Op::ssm("GetParametersByPath");

/// Keys read by GetItem hit and overwritten by PutItem 1 KB.
const HOT_KEYS: u64 = 1000;
const SESSIONS: u64 = 256;
const QUERY_ITEMS: u64 = 100;
const SCAN_ITEMS: u64 = 10_000;
const BATCH: u64 = 25;
const WALK_PARAMETERS: u64 = 100;
/// The TTL every benchmark item carries: a day from now, so nothing expires on its own.
pub fn ttl_in_a_day() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(1_800_000_000);
    now + 86_400
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    GetHit,
    GetMiss,
    Put1k,
    Put100k,
    UpdateTtl,
    Delete,
    Query,
    Scan,
    BatchWrite,
    SessionCycle,
    PutParameter,
    GetParametersByPath,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::GetHit,
        Kind::GetMiss,
        Kind::Put1k,
        Kind::Put100k,
        Kind::UpdateTtl,
        Kind::Delete,
        Kind::Query,
        Kind::Scan,
        Kind::BatchWrite,
        Kind::SessionCycle,
        Kind::PutParameter,
        Kind::GetParametersByPath,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::GetHit => "GetItem hit",
            Kind::GetMiss => "GetItem miss",
            Kind::Put1k => "PutItem 1 KB",
            Kind::Put100k => "PutItem 100 KB",
            Kind::UpdateTtl => "UpdateItem TTL refresh",
            Kind::Delete => "DeleteItem",
            Kind::Query => "Query 100 items",
            Kind::Scan => "Scan 10k items",
            Kind::BatchWrite => "BatchWriteItem 25",
            Kind::SessionCycle => "Session load+save",
            Kind::PutParameter => "SSM PutParameter",
            Kind::GetParametersByPath => "SSM GetParametersByPath",
        }
    }

    /// One sample is what: shown next to the figures.
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Query => "one Query answering 100 items",
            Kind::Scan => "a whole Scan of 10,000 items, all pages",
            Kind::BatchWrite => "one BatchWriteItem of 25 × 1 KB puts",
            Kind::SessionCycle => "GetItem (consistent) then PutItem of a session",
            Kind::GetParametersByPath => "a walk of 100 parameters, 10 pages",
            _ => "one request",
        }
    }

    /// DynamoDB item workloads: the ones the peer ratios are about.
    pub fn is_item(self) -> bool {
        !matches!(self, Kind::PutParameter | Kind::GetParametersByPath)
    }

    /// Single small request and answer: the ones whose p99 is compared with the limit's
    /// (a 10,000-item scan or a 100 KB write cannot be as fast as a fixed small answer).
    pub fn latency_checked(self) -> bool {
        matches!(
            self,
            Kind::GetHit | Kind::GetMiss | Kind::Put1k | Kind::UpdateTtl | Kind::Delete
        )
    }

    /// Whether the limit's figure is a fair yardstick: it answers every request in one page,
    /// so a walk the target must answer in ten pages is not compared with it.
    pub fn comparable_to_limit(self) -> bool {
        self != Kind::GetParametersByPath
    }

    pub fn parse(name: &str) -> Option<Kind> {
        let norm = |s: &str| s.to_ascii_lowercase().replace([' ', '+', '-', '_'], "");
        Kind::ALL.into_iter().find(|k| norm(k.name()) == norm(name))
    }

    /// The requests. `strict` checks answers (an item where one must be, the counts of a
    /// walk); the limit answers every request with the same fixed body, so not there.
    pub fn plan(self, strict: bool) -> Plan {
        let check = |c: Check| if strict { c } else { Check::Status };
        let bodies = |n: u64, f: &dyn Fn(u64) -> String| -> Vec<Bytes> {
            (0..n).map(|i| Bytes::from(f(i))).collect()
        };
        match self {
            Kind::GetHit => Plan::One {
                op: GET,
                bodies: bodies(HOT_KEYS, &|i| {
                    format!(r#"{{"TableName":"bench","Key":{{"pk":{{"S":"k{i}"}}}}}}"#)
                }),
                check: check(Check::Item(true)),
            },
            Kind::GetMiss => Plan::One {
                op: GET,
                bodies: bodies(HOT_KEYS, &|i| {
                    format!(r#"{{"TableName":"bench","Key":{{"pk":{{"S":"missing{i}"}}}}}}"#)
                }),
                check: check(Check::Item(false)),
            },
            Kind::Put1k => Plan::One {
                op: PUT,
                bodies: bodies(HOT_KEYS, &|i| {
                    format!(r#"{{"TableName":"bench","Item":{}}}"#, hot_item(i))
                }),
                check: Check::Status,
            },
            Kind::Put100k => Plan::One {
                op: PUT,
                bodies: bodies(16, &|i| {
                    let payload = "y".repeat(100_000);
                    format!(
                        r#"{{"TableName":"bench","Item":{{"pk":{{"S":"big{i}"}},"payload":{{"S":"{payload}"}}}}}}"#
                    )
                }),
                check: Check::Status,
            },
            Kind::UpdateTtl => {
                let ttl = ttl_in_a_day();
                Plan::One {
                    op: UPDATE,
                    bodies: bodies(SESSIONS, &|i| {
                        format!(
                            r##"{{"TableName":"sessions","Key":{{"id":{{"S":"dc:{}"}}}},"UpdateExpression":"SET #ttl = :ttl","ConditionExpression":"attribute_exists(#pk)","ExpressionAttributeNames":{{"#ttl":"ttl_date","#pk":"id"}},"ExpressionAttributeValues":{{":ttl":{{"N":"{}"}}}}}}"##,
                            session_id(i),
                            ttl + (i as i64 % 60)
                        )
                    }),
                    check: Check::Status,
                }
            }
            Kind::Delete => Plan::Indexed {
                op: DELETE,
                body: |i| {
                    Bytes::from(format!(
                        r#"{{"TableName":"bench","Key":{{"pk":{{"S":"d{i}"}}}}}}"#
                    ))
                },
            },
            Kind::Query => Plan::Walk {
                op: QUERY,
                first: object(json!({
                    "TableName": "bench_q",
                    "KeyConditionExpression": "pk = :p",
                    "ExpressionAttributeValues": {":p": {"S": "p"}}
                })),
                cursor: Cursor::LastEvaluatedKey,
                expect: strict.then_some(QUERY_ITEMS),
            },
            Kind::Scan => Plan::Walk {
                op: SCAN,
                first: object(json!({"TableName": "bench_s"})),
                cursor: Cursor::LastEvaluatedKey,
                expect: strict.then_some(SCAN_ITEMS),
            },
            Kind::BatchWrite => Plan::One {
                op: BATCH_WRITE,
                bodies: bodies(HOT_KEYS / BATCH, &|b| {
                    batch_body(
                        "bench",
                        (b * BATCH..(b + 1) * BATCH)
                            .map(|i| hot_item(i).replacen(r#""S":"k"#, r#""S":"b"#, 1)),
                    )
                }),
                check: check(Check::AllProcessed),
            },
            Kind::SessionCycle => Plan::Cycle(vec![
                (
                    GET,
                    bodies(SESSIONS, &|i| {
                        format!(
                            r#"{{"TableName":"sessions","Key":{{"id":{{"S":"dc:{}"}}}},"ConsistentRead":true}}"#,
                            session_id(i)
                        )
                    }),
                    check(Check::Item(true)),
                ),
                (
                    PUT,
                    bodies(SESSIONS, &|i| {
                        format!(r#"{{"TableName":"sessions","Item":{}}}"#, session_item(i))
                    }),
                    Check::Status,
                ),
            ]),
            Kind::PutParameter => Plan::One {
                op: PUT_PARAMETER,
                bodies: bodies(100, &|i| {
                    format!(
                        r#"{{"Name":"/bench/put/p{i}","Value":"value-{i}","Type":"String","Overwrite":true}}"#
                    )
                }),
                check: Check::Status,
            },
            Kind::GetParametersByPath => Plan::Walk {
                op: GET_PARAMETERS_BY_PATH,
                first: object(json!({"Path": "/bench/walk", "MaxResults": 10})),
                cursor: Cursor::NextToken,
                expect: strict.then_some(WALK_PARAMETERS),
            },
        }
    }
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("literal objects only"),
    }
}

/// A 1 KB item: `{pk: "k{i}", payload: 1000 characters}`.
fn hot_item(i: u64) -> String {
    format!(
        r#"{{"pk":{{"S":"k{i}"}},"payload":{{"S":"{}"}}}}"#,
        "x".repeat(1000)
    )
}

fn session_id(i: u64) -> String {
    format!("bench-session-{i:06}")
}

/// The item the session store writes on save (absolute expiry: no window, a deadline).
fn session_item(i: u64) -> String {
    let ttl = ttl_in_a_day();
    let record = format!(
        r#"{{"id":"{}","data":{{"user":"user-{i}","visits":{i},"cart":["a","b","c"]}},"expiry_date":[2026,336,12,0,0,0,0,0,0]}}"#,
        session_id(i)
    );
    format!(
        r#"{{"id":{{"S":"dc:{}"}},"value":{{"B":"{}"}},"ttl_date":{{"N":"{ttl}"}},"ttl_window":{{"NULL":true}},"ttl_deadline":{{"N":"{ttl}"}}}}"#,
        session_id(i),
        base64::engine::general_purpose::STANDARD.encode(record)
    )
}

fn batch_body(table: &str, items: impl Iterator<Item = String>) -> String {
    let requests: Vec<String> = items
        .map(|item| format!(r#"{{"PutRequest":{{"Item":{item}}}}}"#))
        .collect();
    format!(
        r#"{{"RequestItems":{{"{table}":[{}]}}}}"#,
        requests.join(",")
    )
}

/// An item of the memory figure: a string key, a 1,000-byte binary value (pseudo-random, so
/// nothing can compress it) and a numeric TTL.
pub fn memory_item(i: u64, ttl: i64) -> String {
    let mut bytes = Vec::with_capacity(1000);
    let mut state = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    while bytes.len() < 1000 {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        bytes.extend_from_slice(&z.to_le_bytes());
    }
    bytes.truncate(1000);
    format!(
        r#"{{"pk":{{"S":"{}"}},"data":{{"B":"{}"}},"ttl":{{"N":"{ttl}"}}}}"#,
        memory_key(i),
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn memory_key(i: u64) -> String {
    format!("m{i:07}")
}

/// DynamoDB's size of a memory item: attribute names plus values (a string's UTF-8 bytes, a
/// binary's bytes, a number's significant digits two to a byte plus one).
pub fn memory_item_size(i: u64, ttl: i64) -> u64 {
    ("pk".len() + memory_key(i).len() + "data".len() + 1000 + "ttl".len()) as u64
        + number_size(&ttl.to_string())
}

/// DynamoDB's size of a number: significant digits (leading and trailing zeros dropped),
/// two to a byte, plus one byte.
pub fn number_size(n: &str) -> u64 {
    let digits: String = n.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len() as u64;
    significant.div_ceil(2) + 1
}

/// Items of the other keys read during the TTL sweep (no TTL).
pub fn other_item(i: u64) -> String {
    format!(
        r#"{{"pk":{{"S":"o{i}"}},"payload":{{"S":"{}"}}}}"#,
        "x".repeat(1000)
    )
}

pub fn other_get_plan() -> Plan {
    Plan::One {
        op: GET,
        bodies: (0..HOT_KEYS)
            .map(|i| {
                Bytes::from(format!(
                    r#"{{"TableName":"bench_mem","Key":{{"pk":{{"S":"o{i}"}}}}}}"#
                ))
            })
            .collect(),
        check: Check::Item(true),
    }
}

pub const OTHER_KEYS: u64 = HOT_KEYS;

/// Why a sample did not count.
#[derive(Debug)]
pub enum Failure {
    Unsupported(String),
    Error(String),
}

#[derive(Clone, Copy, Debug)]
pub enum Check {
    Status,
    /// The answer has (or has not) an `Item`.
    Item(bool),
    /// A BatchWriteItem answer with no unprocessed items.
    AllProcessed,
}

#[derive(Clone, Copy, Debug)]
pub enum Cursor {
    LastEvaluatedKey,
    NextToken,
}

/// What one sample sends.
pub enum Plan {
    /// One request, the bodies taken in turn.
    One {
        op: Op,
        bodies: Vec<Bytes>,
        check: Check,
    },
    /// One request whose body is made from the sample's index (each key used once).
    Indexed { op: Op, body: fn(u64) -> Bytes },
    /// Requests in sequence.
    Cycle(Vec<(Op, Vec<Bytes>, Check)>),
    /// Pages followed to the end; `expect` is the total count the walk must see.
    Walk {
        op: Op,
        first: Map<String, Value>,
        cursor: Cursor,
        expect: Option<u64>,
    },
}

impl Plan {
    pub async fn sample(&self, conn: &mut Conn, i: u64) -> Result<(), Failure> {
        match self {
            Plan::One { op, bodies, check } => one(
                conn,
                *op,
                bodies[(i % bodies.len() as u64) as usize].clone(),
                *check,
            )
            .await
            .map(drop),
            Plan::Indexed { op, body } => one(conn, *op, body(i), Check::Status).await.map(drop),
            Plan::Cycle(steps) => {
                for (op, bodies, check) in steps {
                    one(
                        conn,
                        *op,
                        bodies[(i % bodies.len() as u64) as usize].clone(),
                        *check,
                    )
                    .await?;
                }
                Ok(())
            }
            Plan::Walk {
                op,
                first,
                cursor,
                expect,
            } => walk(conn, *op, first, *cursor, *expect).await,
        }
    }
}

async fn one(conn: &mut Conn, op: Op, body: Bytes, check: Check) -> Result<Answer, Failure> {
    let answer = conn.call(op, body).await.map_err(Failure::Error)?;
    if answer.unknown_operation() {
        return Err(Failure::Unsupported(answer.describe()));
    }
    if !answer.ok() {
        return Err(Failure::Error(answer.describe()));
    }
    let fine = match check {
        Check::Status => true,
        Check::Item(want) => contains(&answer.body, b"\"Item\"") == want,
        Check::AllProcessed => {
            #[derive(Deserialize)]
            struct Batch {
                #[serde(rename = "UnprocessedItems", default)]
                unprocessed: Map<String, Value>,
            }
            serde_json::from_slice::<Batch>(&answer.body).is_ok_and(|b| b.unprocessed.is_empty())
        }
    };
    if fine {
        Ok(answer)
    } else {
        Err(Failure::Error(format!(
            "unexpected answer to {} ({check:?}): {}",
            op.name,
            answer.describe()
        )))
    }
}

async fn walk(
    conn: &mut Conn,
    op: Op,
    first: &Map<String, Value>,
    cursor: Cursor,
    expect: Option<u64>,
) -> Result<(), Failure> {
    #[derive(Deserialize)]
    struct Page {
        #[serde(rename = "Count")]
        count: Option<u64>,
        #[serde(rename = "Parameters")]
        parameters: Option<Vec<serde::de::IgnoredAny>>,
        #[serde(rename = "LastEvaluatedKey")]
        last_key: Option<Value>,
        #[serde(rename = "NextToken")]
        next_token: Option<String>,
    }
    let mut body = first.clone();
    let mut seen = 0u64;
    for _ in 0..10_000 {
        let answer = one(
            conn,
            op,
            Bytes::from(Value::Object(body.clone()).to_string()),
            Check::Status,
        )
        .await?;
        let page: Page = serde_json::from_slice(&answer.body)
            .map_err(|e| Failure::Error(format!("{} page: {e}", op.name)))?;
        seen += page
            .count
            .or(page.parameters.map(|p| p.len() as u64))
            .unwrap_or(0);
        let next = match cursor {
            Cursor::LastEvaluatedKey => page.last_key.map(|k| ("ExclusiveStartKey", k)),
            Cursor::NextToken => page.next_token.map(|t| ("NextToken", Value::String(t))),
        };
        match next {
            Some((field, value)) => {
                body.insert(field.to_owned(), value);
            }
            None => break,
        }
    }
    match expect {
        Some(n) if n != seen => Err(Failure::Error(format!(
            "{} walk saw {seen} entries, expected {n}",
            op.name
        ))),
        _ => Ok(()),
    }
}

/// What a target turned out to support during setup.
#[derive(Clone, Copy, Debug, Default)]
pub struct Capabilities {
    pub batch_write: bool,
}

async fn must(conn: &mut Conn, op: Op, body: String) -> Result<Answer, String> {
    let a = conn.call(op, Bytes::from(body)).await?;
    if a.ok() {
        Ok(a)
    } else {
        Err(format!("setup {}: {}", op.name, a.describe()))
    }
}

pub async fn create_table(
    conn: &mut Conn,
    table: &str,
    range_key: Option<&str>,
) -> Result<(), String> {
    let mut defs = vec![json!({"AttributeName": key_name(table), "AttributeType": "S"})];
    let mut schema = vec![json!({"AttributeName": key_name(table), "KeyType": "HASH"})];
    if let Some(r) = range_key {
        defs.push(json!({"AttributeName": r, "AttributeType": "N"}));
        schema.push(json!({"AttributeName": r, "KeyType": "RANGE"}));
    }
    let body = json!({
        "TableName": table,
        "AttributeDefinitions": defs,
        "KeySchema": schema,
        "BillingMode": "PAY_PER_REQUEST",
    });
    let created = conn
        .call(CREATE_TABLE, Bytes::from(body.to_string()))
        .await?;
    // A table left by an earlier run against a `--target` server is reused.
    if !created.ok() && !contains(&created.body, b"ResourceInUseException") {
        return Err(format!("setup CreateTable {table}: {}", created.describe()));
    }
    // dynalite, like DynamoDB, answers CREATING and takes a moment to go ACTIVE.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let a = must(
            conn,
            DESCRIBE_TABLE,
            json!({"TableName": table}).to_string(),
        )
        .await?;
        if contains(&a.body, b"\"ACTIVE\"") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{table} not ACTIVE after 30 s"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn key_name(table: &str) -> &'static str {
    if table == "sessions" {
        "id"
    } else {
        "pk"
    }
}

/// Turns TTL on for `attribute`; false if the target does not support it.
pub async fn enable_ttl(conn: &mut Conn, table: &str, attribute: &str) -> bool {
    let body = json!({
        "TableName": table,
        "TimeToLiveSpecification": {"Enabled": true, "AttributeName": attribute}
    });
    matches!(conn.call(UPDATE_TTL, Bytes::from(body.to_string())).await, Ok(a) if a.ok())
}

/// Tables and data every workload needs. Returns what the target supports.
pub async fn setup(endpoint: &Endpoint, concurrency: usize) -> Result<Capabilities, String> {
    let mut conn = Conn::new(endpoint);
    create_table(&mut conn, "bench", None).await?;
    create_table(&mut conn, "sessions", None).await?;
    create_table(&mut conn, "bench_q", Some("sk")).await?;
    create_table(&mut conn, "bench_s", None).await?;
    let probe = conn
        .call(
            BATCH_WRITE,
            Bytes::from(batch_body("bench_s", std::iter::once(scan_item(0)))),
        )
        .await?;
    let batch_write = probe.ok();
    if !batch_write && !probe.unknown_operation() {
        return Err(format!("setup BatchWriteItem: {}", probe.describe()));
    }
    let caps = Capabilities { batch_write };
    type Load = (&'static str, u64, fn(u64) -> String);
    let loads: [Load; 4] = [
        ("bench", HOT_KEYS, hot_item),
        ("sessions", SESSIONS, session_item),
        ("bench_q", QUERY_ITEMS, |i| {
            format!(
                r#"{{"pk":{{"S":"p"}},"sk":{{"N":"{i}"}},"payload":{{"S":"{}"}}}}"#,
                "q".repeat(100)
            )
        }),
        ("bench_s", SCAN_ITEMS, scan_item),
    ];
    for (table, count, item) in loads {
        let loaded = load_items(endpoint, table, 0..count, item, caps, concurrency, None).await;
        if loaded.items != count {
            return Err(format!(
                "setup of {table}: {} of {count} items written ({})",
                loaded.items,
                loaded.first_error.unwrap_or_default()
            ));
        }
    }
    let probe = conn
        .call(
            PUT_PARAMETER,
            Bytes::from(
                r#"{"Name":"/bench/walk/p000","Value":"v0","Type":"String","Overwrite":true}"#,
            ),
        )
        .await?;
    if probe.unknown_operation() {
        return Ok(caps);
    }
    if !probe.ok() {
        return Err(format!("setup PutParameter: {}", probe.describe()));
    }
    for i in 1..WALK_PARAMETERS {
        must(
            &mut conn,
            PUT_PARAMETER,
            format!(r#"{{"Name":"/bench/walk/p{i:03}","Value":"v{i}","Type":"String","Overwrite":true}}"#),
        )
        .await?;
    }
    Ok(caps)
}

fn scan_item(i: u64) -> String {
    format!(
        r#"{{"pk":{{"S":"s{i:05}"}},"payload":{{"S":"{}"}}}}"#,
        "s".repeat(50)
    )
}

/// Small items `d{i}` for DeleteItem to delete.
pub fn delete_item(i: u64) -> String {
    format!(r#"{{"pk":{{"S":"d{i}"}},"n":{{"N":"{i}"}}}}"#)
}

pub struct Loaded {
    pub items: u64,
    pub seconds: f64,
    pub first_error: Option<String>,
}

/// Writes `item(i)` for every `i` in `range` into `table` with `concurrency` connections,
/// 25 to a BatchWriteItem where the target has it (unprocessed items are resent), one
/// PutItem each otherwise. Stops early at `deadline`; `items` counts what was written.
pub async fn load_items(
    endpoint: &Endpoint,
    table: &str,
    range: std::ops::Range<u64>,
    item: fn(u64) -> String,
    caps: Capabilities,
    concurrency: usize,
    deadline: Option<Instant>,
) -> Loaded {
    let next = Arc::new(AtomicU64::new(range.start));
    let written = Arc::new(AtomicU64::new(0));
    let chunk = if caps.batch_write { BATCH } else { 1 };
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (next, written, table) = (next.clone(), written.clone(), table.to_owned());
        let mut conn = Conn::new(endpoint);
        let end = range.end;
        workers.push(tokio::spawn(async move {
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return None;
                }
                let from = next.fetch_add(chunk, Ordering::Relaxed);
                if from >= end {
                    return None;
                }
                let to = (from + chunk).min(end);
                let result = if caps.batch_write {
                    write_batch(&mut conn, batch_body(&table, (from..to).map(item))).await
                } else {
                    let body = format!(r#"{{"TableName":"{table}","Item":{}}}"#, item(from));
                    match conn.call(PUT, Bytes::from(body)).await {
                        Ok(a) if a.ok() => Ok(()),
                        Ok(a) => Err(a.describe()),
                        Err(e) => Err(e),
                    }
                };
                match result {
                    Ok(()) => {
                        written.fetch_add(to - from, Ordering::Relaxed);
                    }
                    Err(e) => return Some(e),
                }
            }
        }));
    }
    let mut first_error = None;
    for w in workers {
        if let Some(e) = w.await.expect("loader") {
            first_error.get_or_insert(e);
        }
    }
    Loaded {
        items: written.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
        first_error,
    }
}

/// Sends a BatchWriteItem and resends its unprocessed items until none are left.
async fn write_batch(conn: &mut Conn, body: String) -> Result<(), String> {
    let mut body = body;
    for attempt in 0..100u32 {
        let a = conn.call(BATCH_WRITE, Bytes::from(body)).await?;
        if !a.ok() {
            return Err(a.describe());
        }
        #[derive(Deserialize)]
        struct Batch {
            #[serde(rename = "UnprocessedItems", default)]
            unprocessed: Map<String, Value>,
        }
        let batch: Batch = serde_json::from_slice(&a.body).map_err(|e| e.to_string())?;
        if batch
            .unprocessed
            .values()
            .all(|v| v.as_array().is_none_or(|a| a.is_empty()))
        {
            return Ok(());
        }
        body = json!({ "RequestItems": batch.unprocessed }).to_string();
        tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(10)))).await;
    }
    Err("BatchWriteItem: items still unprocessed after 100 attempts".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_sizes_follow_dynamodb() {
        assert_eq!(number_size("1764758400"), 5); // 8 significant digits
        assert_eq!(number_size("1"), 2);
        assert_eq!(number_size("100"), 2);
        assert_eq!(number_size("12345"), 4);
    }

    #[test]
    fn memory_items_are_about_a_kilobyte_of_payload() {
        let item: Value = serde_json::from_str(&memory_item(42, 1_764_758_400)).unwrap();
        let data = base64::engine::general_purpose::STANDARD
            .decode(item["data"]["B"].as_str().unwrap())
            .unwrap();
        assert_eq!(data.len(), 1000);
        assert_eq!(item["pk"]["S"], "m0000042");
        assert_eq!(
            memory_item_size(42, 1_764_758_400),
            2 + 8 + 4 + 1000 + 3 + 5
        );
        assert_ne!(memory_item(1, 0), memory_item(2, 0));
    }

    #[test]
    fn every_plan_builds_valid_json() {
        for kind in Kind::ALL {
            let bodies: Vec<Bytes> = match kind.plan(true) {
                Plan::One { bodies, .. } => bodies,
                Plan::Indexed { body, .. } => vec![body(7)],
                Plan::Cycle(steps) => steps.into_iter().flat_map(|s| s.1).collect(),
                Plan::Walk { first, .. } => vec![Bytes::from(Value::Object(first).to_string())],
            };
            for b in bodies {
                serde_json::from_slice::<Value>(&b)
                    .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
            }
            assert_eq!(Kind::parse(kind.name()), Some(kind));
        }
    }

    #[test]
    fn batch_bodies_hold_25_distinct_puts() {
        let Plan::One { bodies, .. } = Kind::BatchWrite.plan(true) else {
            panic!("one request per sample")
        };
        let v: Value = serde_json::from_slice(&bodies[1]).unwrap();
        let puts = v["RequestItems"]["bench"].as_array().unwrap();
        assert_eq!(puts.len(), 25);
        assert_eq!(puts[0]["PutRequest"]["Item"]["pk"]["S"], "b25");
    }
}
