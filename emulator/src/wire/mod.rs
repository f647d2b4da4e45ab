//! The HTTP edge shared by both services: everything a request passes through before an
//! operation sees typed input, and everything a response gets on its way out.
//!
//! The control routes (`/_emulator/...`) come first and never carry CORS headers, so a web
//! page can neither use nor read them. The AWS routes follow the real endpoints: CORS
//! preflight and health checks first, then the method and content type (a wrong one is a
//! 404 text answer, not JSON), the size limit (before buffering), the `X-Amz-Target` route,
//! authorization, and finally the operation.

pub mod auth;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    CONTENT_LENGTH, CONTENT_TYPE,
};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::OwnedSemaphorePermit;

use crate::common::{ids, ErrorBody, Service};
use crate::{admin, Services};

// Written out as constants: a name given as text is parsed, and a non-standard one
// copied into a fresh allocation, on every insert.
const X_AMZN_REQUESTID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const X_AMZ_CRC32: HeaderName = HeaderName::from_static("x-amz-crc32");

/// The `application/x-amz-json-*` flavour; responses echo the service's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonVersion {
    V10,
    V11,
}

impl JsonVersion {
    fn content_type(self) -> &'static str {
        match self {
            JsonVersion::V10 => "application/x-amz-json-1.0",
            JsonVersion::V11 => "application/x-amz-json-1.1",
        }
    }
}

/// The headers AWS SDKs send (the JavaScript SDK in a browser is the one that asks), the
/// only ones a preflight allows.
const CORS_ALLOWED_HEADERS: &str = "authorization,content-type,x-amz-date,x-amz-target,\
x-amz-security-token,x-amz-user-agent,x-amz-content-sha256,amz-sdk-invocation-id,\
amz-sdk-request";

/// The hyper service function: never fails at the HTTP level, every problem is an answer.
pub async fn handle(
    services: Arc<Services>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let id = ids::new_request_id();
    // The alphabet is ASCII, so this never falls back.
    let request_id = std::str::from_utf8(&id).unwrap_or_default();
    let control = req.uri().path().starts_with(admin::PREFIX);
    let mut response = if control {
        control_route(&services, req).await
    } else {
        route(services.clone(), req, request_id).await
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_bytes(&id) {
        headers.insert(X_AMZN_REQUESTID, v);
    }
    if !control {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amz-crc32,Date"),
        );
    }
    Ok(response)
}

/// The control API: refused unless turned on and sent by something other than a web page.
async fn control_route(services: &Services, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    if let Err((status, body)) = admin::admit(&services.config, &parts.method, &parts.headers) {
        return json_response(status, JsonVersion::V10, body);
    }
    let (bytes, _permit) = match read_body(services, body, &parts.headers).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    // A sweep or reset can be long (a million expired items): keep it from stalling the
    // other tasks of this worker.
    let (status, body) = tokio::task::block_in_place(|| {
        admin::handle(services, &parts.method, parts.uri.path(), &bytes)
    });
    json_response(status, JsonVersion::V10, body)
}

/// Bodies at least this large are parsed and run on tokio's blocking pool, a few at a time
/// (`Services::large_requests`): a 16 MB body takes tens of milliseconds to parse, which
/// on an async worker would stall every other connection that worker serves.
const BLOCKING_BODY_BYTES: usize = 1024 * 1024;

async fn route(
    services: Arc<Services>,
    req: Request<Incoming>,
    request_id: &str,
) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    let path = req.uri().path();

    if method == Method::OPTIONS {
        return cors_preflight();
    }
    if method == Method::GET && path == "/" {
        let text = format!(
            "healthy: dynamodb.{}.amazonaws.com ",
            services.default_region()
        );
        return text_response(StatusCode::OK, text);
    }
    if method != Method::POST {
        return unknown_operation_404();
    }
    let Some(version) = json_version(req.headers()) else {
        return unknown_operation_404();
    };

    let (parts, body) = req.into_parts();
    // The permit is the body's share of the buffering budget: held until the answer is
    // built, since the operation reads from the buffered bytes.
    let (body, _permit) = match read_body(&services, body, &parts.headers).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let outcome = if body.len() < BLOCKING_BODY_BYTES {
        answer(&services, &parts.headers, &body, request_id)
    } else {
        let Ok(slot) = services.large_requests.clone().acquire_owned().await else {
            return text_response(StatusCode::INTERNAL_SERVER_ERROR, String::new());
        };
        let request_id = request_id.to_owned();
        let run = move || {
            let outcome = answer(&services, &parts.headers, &body, &request_id);
            drop(slot);
            outcome
        };
        match tokio::task::spawn_blocking(run).await {
            Ok(outcome) => outcome,
            Err(_) => {
                return text_response(StatusCode::INTERNAL_SERVER_ERROR, String::new());
            }
        }
    };
    match outcome {
        Ok(body) => json_response(StatusCode::OK, version, body),
        Err(err) => json_response(err.status, version, err.body),
    }
}

/// Routes by `X-Amz-Target`, checks the authorization header and runs the operation.
fn answer(
    services: &Services,
    headers: &HeaderMap,
    body: &[u8],
    request_id: &str,
) -> Result<Vec<u8>, ErrorBody> {
    match route_target(services, headers.get("x-amz-target")) {
        Some((service, op)) => match auth::namespace_for(headers, services.config.shared_db) {
            Ok(ns) => service.dispatch(&ns, op, body, request_id),
            Err(e) => Err(service.auth_error(e)),
        },
        // An unknown target is answered in DynamoDB's shape, as DynamoDB Local does.
        None => Err(services.dynamodb.unknown_operation()),
    }
}

/// The service whose `X-Amz-Target` prefix the header carries, and the operation name.
fn route_target<'a>(
    services: &'a Services,
    target: Option<&'a HeaderValue>,
) -> Option<(&'a dyn Service, &'a str)> {
    let text = target?.to_str().ok()?;
    services
        .aws_services()
        .into_iter()
        .find_map(|service| Some((service, text.strip_prefix(service.target_prefix())?)))
}

fn json_version(headers: &HeaderMap) -> Option<JsonVersion> {
    let ct = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let mime = ct.split(';').next().unwrap_or("").trim();
    let is = |name: &str| mime.eq_ignore_ascii_case(name);
    if is("application/x-amz-json-1.0") || is("application/json") {
        Some(JsonVersion::V10)
    } else if is("application/x-amz-json-1.1") {
        Some(JsonVersion::V11)
    } else {
        None
    }
}

/// Bodies up to this size are read without taking from the buffering budget: at most
/// `max_connections` of them exist at once (64 MiB with the defaults), and an ordinary
/// request must never queue behind a flood of 16 MB ones.
const UNBUDGETED_BODY_BYTES: usize = 64 * 1024;

/// Reads the body under a hard cap and a deadline, within the buffering budget.
///
/// A declared `Content-Length` over the cap is refused before a single byte is read; a
/// chunked body is cut off as soon as it crosses it. The budget is taken for the declared
/// length (the cap when the length is not declared) before reading, so parallel large
/// bodies wait for each other instead of adding up in memory. A body that has not arrived
/// within the body timeout (budget wait included) is answered 408 and the connection
/// closed, so a stalled client holds nothing for long.
async fn read_body(
    services: &Services,
    body: Incoming,
    headers: &HeaderMap,
) -> Result<(Bytes, Option<OwnedSemaphorePermit>), Response<Full<Bytes>>> {
    let limit = services.config.max_body_bytes;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    // No body at all (a GET, `Content-Length: 0`): nothing to wait for or reserve.
    if declared == Some(0) || hyper::body::Body::is_end_stream(&body) {
        return Ok((Bytes::new(), None));
    }
    let expected = declared.map_or(limit, |n| n as usize);
    let read = async {
        // Small bodies never wait behind large ones: the connection cap bounds them.
        let permit = if expected > UNBUDGETED_BODY_BYTES {
            services.reserve_body(expected).await
        } else {
            None
        };
        let collected = Limited::new(body, limit).collect().await;
        (collected, permit)
    };
    match tokio::time::timeout(services.config.limits.body_timeout, read).await {
        Err(_) => Err(closing(text_response(
            StatusCode::REQUEST_TIMEOUT,
            "Request body not received in time".to_owned(),
        ))),
        Ok((Ok(collected), permit)) => Ok((collected.to_bytes(), permit)),
        Ok((Err(e), _))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large())
        }
        Ok((Err(_), _)) => Err(text_response(StatusCode::BAD_REQUEST, String::new())),
    }
}

/// Tells hyper to close the connection after this answer (the request's body may be
/// partly unread, so the connection cannot be reused).
fn closing(mut resp: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    resp.headers_mut()
        .insert("connection", HeaderValue::from_static("close"));
    resp
}

fn too_large() -> Response<Full<Bytes>> {
    closing(text_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request Entity Too Large".to_owned(),
    ))
}

fn unknown_operation_404() -> Response<Full<Bytes>> {
    text_response(
        StatusCode::NOT_FOUND,
        "<UnknownOperationException/>\n".to_owned(),
    )
}

fn cors_preflight() -> Response<Full<Bytes>> {
    let mut resp = text_response(StatusCode::OK, String::new());
    let h = resp.headers_mut();
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET,POST,OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(CORS_ALLOWED_HEADERS),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("172800"));
    resp
}

fn text_response(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let body = Bytes::from(text);
    let mut resp = Response::new(Full::new(body.clone()));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    h.insert(X_AMZ_CRC32, crc32_header(&body));
    resp
}

/// Every JSON answer carries the CRC-32 of its exact bytes: Go and Java SDKs check it.
pub fn json_response(
    status: StatusCode,
    version: JsonVersion,
    body: Vec<u8>,
) -> Response<Full<Bytes>> {
    let body = Bytes::from(body);
    let crc = crc32_header(&body);
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(version.content_type()),
    );
    h.insert(X_AMZ_CRC32, crc);
    resp
}

fn crc32_header(body: &[u8]) -> HeaderValue {
    HeaderValue::from(crc32fast::hash(body))
}
