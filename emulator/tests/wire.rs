//! The HTTP edge, spoken to in raw HTTP/1.1: what any client in any language sees.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::{addr, dynamodb_request, post, raw, raw_error, read_response, AUTH};
use emulator::{Config, TestEmulator};

const UNKNOWN_OPERATION: &str =
    r#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#;

#[test]
fn health_check_answers_get_slash() {
    let emu = TestEmulator::start();
    let resp = raw(
        emu.endpoint(),
        b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "healthy: dynamodb.us-east-1.amazonaws.com ");
}

#[test]
fn non_post_and_wrong_content_type_are_404_text() {
    let emu = TestEmulator::start();
    for request in [
        "PUT / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        "GET /some/path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    ] {
        let resp = raw(emu.endpoint(), request.as_bytes());
        assert_eq!(resp.status, 404, "{request}");
        assert_eq!(resp.text(), "<UnknownOperationException/>\n", "{request}");
    }
}

#[test]
fn unknown_and_missing_targets_are_unknown_operation() {
    let emu = TestEmulator::start();
    let resp = post(emu.endpoint(), "NoSuchOperation", "{}");
    assert_eq!(resp.status, 400);
    assert_eq!(resp.text(), UNKNOWN_OPERATION);
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Date: 20250101T000000Z\r\nAuthorization: {AUTH}\r\nContent-Length: 2\r\n\
         Connection: close\r\n\r\n{{}}"
    );
    let resp = raw(emu.endpoint(), request.as_bytes());
    assert_eq!(resp.status, 400);
    assert_eq!(resp.text(), UNKNOWN_OPERATION);
}

#[test]
fn malformed_json_is_a_serialization_exception_without_message() {
    let emu = TestEmulator::start();
    let resp = post(emu.endpoint(), "ListTables", "{not json");
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.text(),
        r#"{"__type":"com.amazon.coral.service#SerializationException"}"#
    );
}

#[test]
fn wrongly_typed_members_are_serialization_exceptions() {
    let emu = TestEmulator::start();
    for (target, body, message) in [
        (
            "DescribeTable",
            r#"{"TableName":5}"#,
            "NUMBER_VALUE cannot be converted to String",
        ),
        (
            "DescribeTable",
            r#"{"TableName":true}"#,
            "TRUE_VALUE cannot be converted to String",
        ),
        (
            "DescribeTable",
            r#"{"TableName":{}}"#,
            "Start of structure or map found where not expected",
        ),
        (
            "PutItem",
            r#"{"TableName":"abc","Item":{"pk":{"S":123}}}"#,
            "NUMBER_VALUE cannot be converted to String",
        ),
        (
            "PutItem",
            r#"{"TableName":"abc","Item":{"pk":{"S":{"S":"asdf"}}}}"#,
            "Start of structure or map found where not expected",
        ),
        // The rest as dynalite's suite recorded them from DynamoDB (test/helpers.js
        // assertType): arrays in scalar places name the Java class, scalars in a list or
        // map element's place are "value" types, structures are never read from arrays.
        (
            "DescribeTable",
            r#"{"TableName":[]}"#,
            "Unrecognized collection type class java.lang.String",
        ),
        (
            "GetItem",
            r#"{"TableName":"abc","Key":{"pk":{"S":"a"}},"ConsistentRead":[]}"#,
            "Unrecognized collection type class java.lang.Boolean",
        ),
        (
            "ListTables",
            r#"{"Limit":[]}"#,
            "Unrecognized collection type class java.lang.Integer",
        ),
        (
            "GetItem",
            r#"{"TableName":"abc","Key":{"pk":"x"}}"#,
            "Unexpected value type in payload",
        ),
        (
            "GetItem",
            r#"{"TableName":"abc","Key":{"pk":["x"]}}"#,
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue",
        ),
        (
            "PutItem",
            r#"{"TableName":"abc","Item":{"pk":{"L":[5]}}}"#,
            "Unexpected value type in payload",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","KeySchema":[["pk","HASH"]]}"#,
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","AttributeDefinitions":[5]}"#,
            "Unexpected value type in payload",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","ProvisionedThroughput":[1,1]}"#,
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","ProvisionedThroughput":5}"#,
            "Unexpected field type",
        ),
        (
            "CreateTable",
            r#"{"TableName":"abc","KeySchema":"x"}"#,
            "Unexpected field type",
        ),
        (
            "UpdateTimeToLive",
            r#"{"TableName":"abc","TimeToLiveSpecification":[true,"ttl"]}"#,
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.TimeToLiveSpecification",
        ),
    ] {
        let resp = post(emu.endpoint(), target, body);
        assert_eq!(resp.status, 400, "{body}");
        let json = resp.json();
        assert_eq!(
            json["__type"], "com.amazon.coral.service#SerializationException",
            "{body}"
        );
        // SerializationException spells its message member with a capital M.
        assert_eq!(json["Message"], message, "{body}");
        assert!(json.get("message").is_none());
    }
}

#[test]
fn authorization_errors() {
    let emu = TestEmulator::start();
    let unsigned =
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
                    X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\n\
                    Connection: close\r\n\r\n{}";
    let resp = raw(emu.endpoint(), unsigned.as_bytes());
    assert_eq!(resp.status, 400);
    assert_eq!(
        raw_error(&resp),
        (
            "MissingAuthenticationTokenException".to_owned(),
            "Request is missing Authentication Token".to_owned()
        )
    );
    let incomplete =
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
                      X-Amz-Target: DynamoDB_20120810.ListTables\r\n\
                      Authorization: AWS4-HMAC-SHA256 Credential=a/b/c/d/e\r\nContent-Length: 2\r\n\
                      Connection: close\r\n\r\n{}";
    let resp = raw(emu.endpoint(), incomplete.as_bytes());
    assert_eq!(resp.status, 400);
    assert_eq!(
        raw_error(&resp),
        (
            "IncompleteSignatureException".to_owned(),
            "Authorization header requires 'Signature' parameter. Authorization header requires \
             'SignedHeaders' parameter. Authorization header requires existence of either a \
             'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/e"
                .to_owned()
        )
    );
}

#[test]
fn declared_oversized_body_is_refused_before_it_is_sent() {
    let emu = TestEmulator::start();
    // Only the head goes out: the answer must come without the 16 MB + 1 body.
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: {AUTH}\r\n\
         X-Amz-Date: 20250101T000000Z\r\nContent-Length: {}\r\n\r\n",
        16 * 1024 * 1024 + 1
    );
    let resp = raw(emu.endpoint(), head.as_bytes());
    assert_eq!(resp.status, 413);
}

#[test]
fn chunked_body_over_the_limit_is_refused() {
    // A small limit keeps the test light; the code path is the one the 16 MB default uses.
    let emu = TestEmulator::with_config(Config {
        max_body_bytes: 1024,
        ..Config::for_tests()
    });
    let chunk = "x".repeat(1500);
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: {AUTH}\r\n\
         X-Amz-Date: 20250101T000000Z\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    let resp = raw(emu.endpoint(), request.as_bytes());
    assert_eq!(resp.status, 413);
    // Under the limit, chunked bodies are fine.
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: {AUTH}\r\n\
         X-Amz-Date: 20250101T000000Z\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         2\r\n{{}}\r\n0\r\n\r\n"
    );
    let resp = raw(emu.endpoint(), request.as_bytes());
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), r#"{"TableNames":[]}"#);
}

#[test]
fn cors_preflight() {
    let emu = TestEmulator::start();
    let resp = raw(
        emu.endpoint(),
        b"OPTIONS / HTTP/1.1\r\nHost: localhost\r\nOrigin: http://example.com\r\n\
          Access-Control-Request-Method: POST\r\n\
          Access-Control-Request-Headers: content-type,x-amz-target\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        resp.header("access-control-allow-methods"),
        Some("GET,POST,OPTIONS")
    );
    // The headers AWS SDKs send, whatever the page asks for.
    assert_eq!(
        resp.header("access-control-allow-headers"),
        Some(
            "authorization,content-type,x-amz-date,x-amz-target,x-amz-security-token,\
             x-amz-user-agent,x-amz-content-sha256,amz-sdk-invocation-id,amz-sdk-request"
        )
    );
    assert_eq!(resp.header("access-control-max-age"), Some("172800"));
}

#[test]
fn responses_carry_crc32_and_a_request_id_and_are_not_compressed() {
    let emu = TestEmulator::start();
    let mut request = dynamodb_request("ListTables", "{}");
    // Ask for compression: DynamoDB answers plain JSON all the same.
    let text = String::from_utf8(request.clone()).unwrap();
    request = text
        .replacen(
            "Host: localhost\r\n",
            "Host: localhost\r\nAccept-Encoding: gzip\r\n",
            1,
        )
        .into_bytes();
    for resp in [
        raw(emu.endpoint(), &request),
        post(
            emu.endpoint(),
            "DescribeTable",
            r#"{"TableName":"missing"}"#,
        ),
    ] {
        let crc: u32 = resp.header("x-amz-crc32").unwrap().parse().unwrap();
        assert_eq!(crc, crc32fast::hash(&resp.body));
        let id = resp.header("x-amzn-requestid").unwrap();
        assert_eq!(id.len(), 52);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert!(resp.header("content-encoding").is_none());
        assert_eq!(
            resp.header("content-type"),
            Some("application/x-amz-json-1.0")
        );
    }
}

#[test]
fn connections_are_kept_alive() {
    let emu = TestEmulator::start();
    let mut stream = TcpStream::connect(addr(emu.endpoint())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let keep_alive = String::from_utf8(dynamodb_request("ListTables", "{}"))
        .unwrap()
        .replace("Connection: close\r\n", "");
    let mut ids = Vec::new();
    for _ in 0..2 {
        stream.write_all(keep_alive.as_bytes()).unwrap();
        let resp = read_response(&mut stream);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.text(), r#"{"TableNames":[]}"#);
        ids.push(resp.header("x-amzn-requestid").unwrap().to_owned());
    }
    assert_ne!(ids[0], ids[1]);
}
