//! Safe by default: the control API is closed to web pages, numbers from requests are
//! checked, and connections, bodies, headers and stored data have limits.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{addr, dynamodb_request, post, raw, raw_error, read_response, RawResponse, AUTH};
use emulator::{Config, Limits, TestEmulator};

const CREATE: &str = r#"{"TableName":"NAME","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#;

fn create_body(name: &str) -> String {
    CREATE.replace("NAME", name)
}

fn with_limits(limits: Limits) -> TestEmulator {
    TestEmulator::with_config(Config {
        limits,
        ..Config::for_tests()
    })
}

/// A control request with the given extra header lines (each ending in `\r\n`).
fn control(emu: &TestEmulator, method: &str, path: &str, headers: &str, body: &str) -> RawResponse {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    raw(emu.endpoint(), request.as_bytes())
}

const JSON: &str = "Content-Type: application/json\r\n";

fn table_count(emu: &TestEmulator) -> usize {
    post(emu.endpoint(), "ListTables", "{}").json()["TableNames"]
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn a_web_page_cannot_reset_the_emulator() {
    let emu = TestEmulator::start();
    assert_eq!(
        post(emu.endpoint(), "CreateTable", &create_body("keep")).status,
        200
    );

    // What a page can send without a preflight: a "simple" cross-origin POST.
    for headers in [
        "Origin: https://evil.example\r\nContent-Type: text/plain\r\n",
        "Origin: https://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\n",
        "Origin: https://evil.example\r\n",
        // Same-origin after DNS rebinding: the page may type its body, but still sends Origin.
        "Origin: http://rebound.example:8000\r\nContent-Type: application/json\r\n",
        // No Origin, but nothing a page could not send either.
        "Content-Type: text/plain\r\n",
    ] {
        let resp = control(&emu, "POST", "/_emulator/reset", headers, "{}");
        assert_eq!(resp.status, 403, "{headers:?}");
        assert_eq!(resp.header("access-control-allow-origin"), None);
        assert!(resp.json()["message"].as_str().is_some());
        assert_eq!(table_count(&emu), 1, "{headers:?} reset the data");
    }
    // The preflight a page would need for anything else is refused, without CORS headers.
    let resp = control(
        &emu,
        "OPTIONS",
        "/_emulator/reset",
        "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n\
         Access-Control-Request-Headers: content-type\r\n",
        "",
    );
    assert_eq!(resp.status, 403);
    assert_eq!(resp.header("access-control-allow-origin"), None);
    assert_eq!(resp.header("access-control-allow-headers"), None);
    // Nor may a page read the (decrypting) clock or anything else there.
    let resp = control(&emu, "GET", "/_emulator/clock", "", "");
    assert_eq!(resp.status, 403);

    // Tools are fine: JSON, or the control header.
    let resp = control(
        &emu,
        "GET",
        "/_emulator/clock",
        "X-Emulator-Control: 1\r\n",
        "",
    );
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("access-control-allow-origin"), None);
    let resp = control(&emu, "POST", "/_emulator/reset", JSON, "");
    assert_eq!(resp.status, 200);
    assert_eq!(table_count(&emu), 0);
}

#[test]
fn the_control_api_can_be_turned_off() {
    let emu = TestEmulator::with_config(Config {
        control_api: false,
        ..Config::for_tests()
    });
    let resp = control(&emu, "POST", "/_emulator/reset", JSON, "");
    assert_eq!(resp.status, 404);
    assert!(resp.text().contains("--no-control-api"), "{}", resp.text());
}

#[test]
fn clock_numbers_are_checked_and_the_clock_stays_sane() {
    let emu = TestEmulator::start();
    for body in [
        r#"{"seconds":1e30}"#,
        r#"{"seconds":-1}"#,
        r#"{"seconds":1e400}"#,
        r#"{"seconds":"10"}"#,
        r#"{"seconds":3155760001}"#,
    ] {
        let resp = control(&emu, "POST", "/_emulator/clock/advance", JSON, body);
        assert_eq!(resp.status, 400, "{body}");
        assert!(resp.json()["message"].as_str().is_some(), "{body}");
    }
    // The server is still there, and the clock did not move.
    assert_eq!(emu.clock().offset_millis(), 0);
    assert_eq!(post(emu.endpoint(), "ListTables", "{}").status, 200);

    // Repeated maximal advances saturate instead of wrapping to negative time.
    for _ in 0..200 {
        let resp = control(
            &emu,
            "POST",
            "/_emulator/clock/advance",
            JSON,
            r#"{"seconds":3155760000}"#,
        );
        assert_eq!(resp.status, 200);
    }
    let clock = control(&emu, "GET", "/_emulator/clock", JSON, "").json();
    let now = clock["nowMillis"].as_i64().unwrap();
    assert_eq!(now, emulator::clock::MAX_NOW_MILLIS);
    assert!(clock["now"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_clock_goes_back_to_real_time_without_touching_data() {
    let emu = TestEmulator::start();
    assert_eq!(
        post(emu.endpoint(), "CreateTable", &create_body("kept")).status,
        200
    );
    let resp = control(
        &emu,
        "POST",
        "/_emulator/clock/advance",
        JSON,
        r#"{"seconds":86400}"#,
    );
    assert_eq!(resp.json()["offsetMillis"], 86_400_000);
    let resp = control(&emu, "POST", "/_emulator/clock/real-time", JSON, "");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["offsetMillis"], 0);
    assert_eq!(table_count(&emu), 1);
}

#[test]
fn reads_under_new_access_keys_allocate_no_namespace() {
    let emu = TestEmulator::start();
    for i in 0..500 {
        let auth = AUTH.replace("AKIDRAW", &format!("READER{i}"));
        for (target, body) in [
            ("DynamoDB_20120810.ListTables", "{}"),
            ("DynamoDB_20120810.DescribeTable", r#"{"TableName":"nope"}"#),
            ("DynamoDB_20120810.DeleteTable", r#"{"TableName":"nope"}"#),
            ("AmazonSSM.GetParameter", r#"{"Name":"/nope"}"#),
            ("AmazonSSM.DeleteParameter", r#"{"Name":"/nope"}"#),
            ("AmazonSSM.GetParametersByPath", r#"{"Path":"/"}"#),
        ] {
            let request = String::from_utf8(dynamodb_request("X", body))
                .unwrap()
                .replace("DynamoDB_20120810.X", target)
                .replace(AUTH, &auth);
            raw(emu.endpoint(), request.as_bytes());
        }
    }
    assert_eq!(emu.services().dynamodb.db.namespace_count(), 0);
    assert_eq!(emu.services().ssm.store.namespace_count(), 0);
    // A write does create one.
    assert_eq!(
        post(emu.endpoint(), "CreateTable", &create_body("tb1")).status,
        200
    );
    assert_eq!(emu.services().dynamodb.db.namespace_count(), 1);
}

#[test]
fn overlong_access_keys_are_unrecognized_clients() {
    let emu = TestEmulator::start();
    let request = String::from_utf8(dynamodb_request("ListTables", "{}"))
        .unwrap()
        .replace("AKIDRAW", &"K".repeat(129));
    let resp = raw(emu.endpoint(), request.as_bytes());
    assert_eq!(resp.status, 400);
    assert_eq!(
        raw_error(&resp),
        (
            "UnrecognizedClientException".to_owned(),
            "The security token included in the request is invalid.".to_owned()
        )
    );
}

#[tokio::test]
async fn tables_and_namespaces_have_caps_with_dynamodb_errors() {
    let emu = with_limits(Limits {
        max_tables: 2,
        max_namespaces: 2,
        ..Limits::default()
    });
    let alice = emu.dynamodb_client_as("ALICE", "us-east-1");
    for name in ["tb1", "tb2"] {
        common::hash_table(&alice, name).await;
    }
    let third = alice
        .create_table()
        .table_name("tb3")
        .attribute_definitions(
            aws_sdk_dynamodb::types::AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            aws_sdk_dynamodb::types::KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(aws_sdk_dynamodb::types::KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .send()
        .await;
    assert_eq!(
        common::failure(third),
        (
            "LimitExceededException".to_owned(),
            "Subscriber limit exceeded: There is a limit of 2 tables per subscriber".to_owned()
        )
    );
    // Deleting one makes room again.
    alice.delete_table().table_name("tb1").send().await.unwrap();
    common::hash_table(&alice, "tb3").await;

    common::hash_table(&emu.dynamodb_client_as("BOB", "us-east-1"), "bb1").await;
    let carol = post_as(&emu, "CAROL", "CreateTable", &create_body("cc1"));
    assert_eq!(carol.status, 400);
    let (code, message) = raw_error(&carol);
    assert_eq!(code, "LimitExceededException");
    assert!(message.contains("--max-namespaces"), "{message}");
}

fn post_as(emu: &TestEmulator, key: &str, target: &str, body: &str) -> RawResponse {
    let request = String::from_utf8(dynamodb_request(target, body))
        .unwrap()
        .replace("AKIDRAW", key);
    raw(emu.endpoint(), request.as_bytes())
}

#[tokio::test]
async fn parameters_and_namespaces_have_caps_with_ssm_errors() {
    use aws_sdk_ssm::error::ProvideErrorMetadata;
    let emu = with_limits(Limits {
        max_parameters: 2,
        max_namespaces: 1,
        ..Limits::default()
    });
    let put = |client: aws_sdk_ssm::Client, name: &'static str| async move {
        client
            .put_parameter()
            .name(name)
            .value("v")
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
    };
    let ssm = emu.ssm_client();
    put(ssm.clone(), "/a").await.unwrap();
    put(ssm.clone(), "/b").await.unwrap();
    // Overwriting an existing parameter is not a new one.
    ssm.put_parameter()
        .name("/a")
        .value("w")
        .overwrite(true)
        .send()
        .await
        .unwrap();
    let err = put(ssm.clone(), "/c").await.unwrap_err();
    assert_eq!(err.code(), Some("ParameterLimitExceeded"));
    assert_eq!(
        err.message(),
        Some(
            "You have exceeded the number of parameters for this Amazon Web Services account. \
             Delete one or more parameters and try again."
        )
    );
    let err = put(emu.ssm_client_as("OTHER", "us-east-1"), "/a")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ParameterLimitExceeded"));
    assert!(err.message().unwrap().contains("--max-namespaces"));
}

/// Writes the head and the first part of a body that never comes.
fn stalled_body(emu: &TestEmulator) -> TcpStream {
    let mut stream = TcpStream::connect(addr(emu.endpoint())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: {AUTH}\r\n\
         X-Amz-Date: 20250101T000000Z\r\nContent-Length: 100\r\n\r\n{{\"Limit\""
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

#[test]
fn a_stalled_body_is_dropped_after_the_body_timeout() {
    let emu = with_limits(Limits {
        body_timeout: Duration::from_millis(200),
        ..Limits::default()
    });
    let started = Instant::now();
    let mut stream = stalled_body(&emu);
    let resp = read_response(&mut stream);
    assert_eq!(resp.status, 408);
    assert_eq!(resp.header("connection"), Some("close"));
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(3), "answered after {waited:?}");
    // And the connection is closed.
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).unwrap_or(0), 0);
}

#[test]
fn oversized_headers_are_refused() {
    let emu = with_limits(Limits {
        max_header_bytes: 16 * 1024,
        ..Limits::default()
    });
    let request = String::from_utf8(dynamodb_request("ListTables", "{}"))
        .unwrap()
        .replace(
            "Connection: close\r\n",
            &format!(
                "Connection: close\r\nX-Padding: {}\r\n",
                "p".repeat(20 * 1024)
            ),
        );
    let resp = raw(emu.endpoint(), request.as_bytes());
    assert_eq!(resp.status, 431);
    assert_eq!(post(emu.endpoint(), "ListTables", "{}").status, 200);
}

/// A keep-alive ListTables on an open connection.
fn list_tables_on(stream: &mut TcpStream) -> RawResponse {
    let request = String::from_utf8(dynamodb_request("ListTables", "{}"))
        .unwrap()
        .replace("Connection: close\r\n", "");
    stream.write_all(request.as_bytes()).unwrap();
    read_response(stream)
}

#[test]
fn beyond_the_connection_limit_new_connections_wait_and_the_others_are_served() {
    let emu = with_limits(Limits {
        max_connections: 3,
        ..Limits::default()
    });
    let mut open: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut s = TcpStream::connect(addr(emu.endpoint())).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            assert_eq!(list_tables_on(&mut s).status, 200);
            s
        })
        .collect();
    // The fourth connects (the kernel's backlog takes it) but is not served yet.
    let mut waiting = TcpStream::connect(addr(emu.endpoint())).unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let request = String::from_utf8(dynamodb_request("ListTables", "{}")).unwrap();
    waiting.write_all(request.as_bytes()).unwrap();
    let mut byte = [0u8; 1];
    assert!(
        waiting.read(&mut byte).is_err(),
        "a connection beyond the limit was served"
    );
    // The open ones still are.
    for s in &mut open {
        assert_eq!(list_tables_on(s).status, 200);
    }
    // When one closes, the waiting one gets its answer.
    drop(open.pop());
    waiting
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    waiting.read_to_end(&mut answer).unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[test]
fn nesting_beyond_32_levels_is_refused_with_dynamodbs_message_at_every_depth() {
    let emu = TestEmulator::start();
    assert_eq!(
        post(emu.endpoint(), "CreateTable", &create_body("tbl")).status,
        200
    );
    for depth in [33, 40, 62, 63, 64, 100, 1_000, 50_000] {
        let list = format!(
            r#"{}{{"S":"x"}}{}"#,
            r#"{"L":["#.repeat(depth),
            "]}".repeat(depth)
        );
        let map = format!(
            r#"{}{{"S":"x"}}{}"#,
            r#"{"M":{"a":"#.repeat(depth),
            "}}".repeat(depth)
        );
        for value in [&list, &map] {
            let body = format!(r#"{{"TableName":"tbl","Item":{{"pk":{{"S":"k"}},"v":{value}}}}}"#);
            let resp = post(emu.endpoint(), "PutItem", &body);
            assert_eq!(
                raw_error(&resp),
                (
                    "ValidationException".to_owned(),
                    "Nesting Levels have exceeded supported limits".to_owned()
                ),
                "depth {depth}"
            );
        }
    }
    // 32 levels are fine.
    let value = format!(
        r#"{}{{"S":"x"}}{}"#,
        r#"{"L":["#.repeat(31),
        "]}".repeat(31)
    );
    let body = format!(r#"{{"TableName":"tbl","Item":{{"pk":{{"S":"k"}},"v":{value}}}}}"#);
    assert_eq!(post(emu.endpoint(), "PutItem", &body).status, 200);
}

#[test]
fn real_but_unsupported_operations_say_so() {
    let emu = TestEmulator::start();
    let resp = post(emu.endpoint(), "ExecuteStatement", "{}");
    assert_eq!(resp.status, 400);
    let (code, message) = raw_error(&resp);
    assert_eq!(code, "UnknownOperationException");
    assert!(
        message.contains("ExecuteStatement") && message.contains("not supported by the emulator"),
        "{message}"
    );
    // A typo is answered as DynamoDB answers it: no message.
    let resp = post(emu.endpoint(), "Qeury", "{}");
    assert_eq!(
        resp.text(),
        r#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#
    );
}

#[test]
fn large_bodies_share_a_budget_and_small_ones_never_wait_for_it() {
    let emu = with_limits(Limits {
        max_buffered_body_bytes: 100 * 1024,
        body_timeout: Duration::from_secs(1),
        ..Limits::default()
    });
    let big_head = |len: usize| {
        format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: {AUTH}\r\n\
             X-Amz-Date: 20250101T000000Z\r\nContent-Length: {len}\r\n\r\n"
        )
    };
    let started = Instant::now();
    // Holds 90 KiB of the 100 KiB budget, then stalls.
    let mut stalled = TcpStream::connect(addr(emu.endpoint())).unwrap();
    stalled
        .write_all(format!("{}{{", big_head(90 * 1024)).as_bytes())
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // A second large body, complete, must wait for the budget...
    let mut waiting = TcpStream::connect(addr(emu.endpoint())).unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let body = format!("{{{}}}", " ".repeat(90 * 1024 - 2));
    waiting
        .write_all(format!("{}{body}", big_head(body.len())).as_bytes())
        .unwrap();
    // ...while a small request goes straight through.
    let small = post(emu.endpoint(), "ListTables", "{}");
    assert_eq!(small.status, 200);
    assert!(started.elapsed() < Duration::from_millis(800));
    // The large one is answered only once the stalled body was dropped (at ~1 s).
    let resp = read_response(&mut waiting);
    assert!(matches!(resp.status, 200 | 408), "{}", resp.status);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "answered after {:?}, before the budget was free",
        started.elapsed()
    );
}
