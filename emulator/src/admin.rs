//! A small HTTP API outside the AWS protocols, for deterministic tests in any language:
//!
//! | request | effect | answer |
//! |---|---|---|
//! | `GET /_emulator/clock` | read the emulated clock | `{"now":…,"nowMillis":…,"offsetMillis":…}` |
//! | `POST /_emulator/clock/advance` with `{"seconds":N}` | move it forward | the clock |
//! | `POST /_emulator/sweep` | run one TTL sweep now | `{"deleted":N}` |
//! | `POST /_emulator/reset` | drop all data, clock back to real time | `{}` |
//!
//! The HTTP `Date` header is never shifted: SDKs correct their clock skew from it.

use hyper::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::Services;

pub const PREFIX: &str = "/_emulator";

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
            if !(advance.seconds.is_finite() && advance.seconds >= 0.0) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "seconds must be a non-negative number",
                );
            }
            services
                .clock
                .advance(Duration::from_secs_f64(advance.seconds));
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
