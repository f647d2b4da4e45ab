//! A small HTTP API outside the AWS protocols, for deterministic tests in any language:
//!
//! | request | effect | answer |
//! |---|---|---|
//! | `GET /_emulator/clock` | read the emulated clock | `{"now":…,"nowMillis":…,"offsetMillis":…}` |
//! | `POST /_emulator/clock/advance` with `{"seconds":N}` | move it forward | the clock |
//! | `POST /_emulator/clock/real-time` | put it back to real time, data untouched | the clock |
//! | `POST /_emulator/sweep` | run one TTL sweep now | `{"deleted":N}` |
//! | `POST /_emulator/reset` | drop all data, clock back to real time | `{}` |
//!
//! The HTTP `Date` header is never shifted: SDKs correct their clock skew from it.
//!
//! No web page may use these routes: they carry no CORS headers, and [`admit`] refuses a
//! request unless it is one a browser only sends after a CORS preflight (which the
//! emulator never grants) and it carries no `Origin` (browsers add one to every POST, even
//! a same-origin one after DNS rebinding).

use hyper::header::{HeaderMap, CONTENT_TYPE, ORIGIN};
use hyper::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::clock::MAX_ADVANCE_SECONDS;
use crate::{Config, Services};

pub const PREFIX: &str = "/_emulator";

/// The header that marks a control request when it has no JSON body to type.
pub const CONTROL_HEADER: &str = "x-emulator-control";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClockView {
    now: f64,
    now_millis: i64,
    offset_millis: i64,
}

#[derive(Deserialize)]
struct Advance {
    seconds: f64,
}

fn clock_view(services: &Services) -> Vec<u8> {
    let millis = services.clock.now_millis();
    serde_json::to_vec(&ClockView {
        now: millis as f64 / 1000.0,
        now_millis: millis,
        offset_millis: services.clock.offset_millis(),
    })
    .unwrap_or_default()
}

fn error(status: StatusCode, message: &str) -> (StatusCode, Vec<u8>) {
    let body = serde_json::to_vec(&serde_json::json!({ "message": message })).unwrap_or_default();
    (status, body)
}

/// Whether a control request may run: the API is on, and the request is one a web page
/// cannot send on its own (`Content-Type: application/json` or an `X-Emulator-Control`
/// header, both of which need a preflight cross-origin) and carries no `Origin`.
pub fn admit(
    config: &Config,
    method: &Method,
    headers: &HeaderMap,
) -> Result<(), (StatusCode, Vec<u8>)> {
    if !config.control_api {
        return Err(error(
            StatusCode::NOT_FOUND,
            "the control API is turned off (--no-control-api)",
        ));
    }
    if method == Method::OPTIONS || headers.contains_key(ORIGIN) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "the control API does not answer requests from web pages",
        ));
    }
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !json && !headers.contains_key(CONTROL_HEADER) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "control requests need the header Content-Type: application/json or \
             X-Emulator-Control: 1 (so that no web page can send one)",
        ));
    }
    Ok(())
}

/// Answers one control request with a status and a JSON body; the wire layer sends it.
pub fn handle(
    services: &Services,
    method: &Method,
    path: &str,
    body: &[u8],
) -> (StatusCode, Vec<u8>) {
    let ok = |body: Vec<u8>| (StatusCode::OK, body);
    match (method, path.trim_end_matches('/')) {
        (&Method::GET, "/_emulator/clock") => ok(clock_view(services)),
        (&Method::POST, "/_emulator/clock/advance") => {
            let advance: Advance = match serde_json::from_slice(body) {
                Ok(a) => a,
                Err(_) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "expected {\"seconds\": <non-negative number>}",
                    )
                }
            };
            if !(advance.seconds.is_finite()
                && (0.0..=MAX_ADVANCE_SECONDS).contains(&advance.seconds))
            {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "seconds must be a number from 0 to {MAX_ADVANCE_SECONDS} (100 years)"
                    ),
                );
            }
            services
                .clock
                .advance(Duration::from_secs_f64(advance.seconds));
            ok(clock_view(services))
        }
        (&Method::POST, "/_emulator/clock/real-time") => {
            services.clock.reset();
            ok(clock_view(services))
        }
        (&Method::POST, "/_emulator/sweep") => {
            let deleted = services.sweep();
            ok(format!("{{\"deleted\":{deleted}}}").into_bytes())
        }
        (&Method::POST, "/_emulator/reset") => {
            services.reset();
            ok(b"{}".to_vec())
        }
        _ => error(StatusCode::NOT_FOUND, "unknown emulator admin endpoint"),
    }
}
