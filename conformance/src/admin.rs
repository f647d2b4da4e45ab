//! The emulator's test controls (`/_emulator/clock`, `/_emulator/sweep`), outside the AWS
//! protocols. A target that answers them lets suites move the server's clock and run a TTL
//! sweep, so "expired items are really deleted" can be checked at once instead of days later.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::TcpStream;

/// Admin endpoints of one emulator, reached over plain HTTP.
#[derive(Clone, Debug)]
pub struct AdminClock {
    /// `host:port` to connect to.
    authority: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockView {
    now_millis: i64,
}

#[derive(Deserialize)]
struct Swept {
    deleted: u64,
}

impl AdminClock {
    /// Asks `endpoint` for its clock; `None` when it is not plain HTTP or does not answer
    /// like the emulator (real AWS, moto, LocalStack, ...).
    pub async fn probe(endpoint: &str) -> Option<AdminClock> {
        let authority = endpoint
            .strip_prefix("http://")?
            .trim_end_matches('/')
            .to_owned();
        let admin = AdminClock { authority };
        admin.now_millis().await.ok().map(|_| admin)
    }

    /// The server's idea of now, in milliseconds since the epoch.
    pub async fn now_millis(&self) -> Result<i64, String> {
        let view: ClockView = self.call("GET", "/_emulator/clock", "").await?;
        Ok(view.now_millis)
    }

    /// Moves the server's clock forward by `millis`.
    pub async fn advance_millis(&self, millis: i64) -> Result<(), String> {
        if millis <= 0 {
            return Ok(());
        }
        let body = format!("{{\"seconds\":{}}}", millis as f64 / 1000.0);
        let _: ClockView = self.call("POST", "/_emulator/clock/advance", &body).await?;
        Ok(())
    }

    /// Runs one TTL sweep; returns how many items it deleted.
    pub async fn sweep(&self) -> Result<u64, String> {
        let swept: Swept = self.call("POST", "/_emulator/sweep", "").await?;
        Ok(swept.deleted)
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        method: &str,
        path: &str,
        body: &str,
    ) -> Result<T, String> {
        let failed = |e: &dyn std::fmt::Display| format!("{method} {path}: {e}");
        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| failed(&e))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| failed(&e))?;
        tokio::spawn(connection);
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.authority)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .map_err(|e| failed(&e))?;
        let response = sender.send_request(request).await.map_err(|e| failed(&e))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| failed(&e))?
            .to_bytes();
        if !status.is_success() {
            return Err(failed(&status));
        }
        serde_json::from_slice(&bytes).map_err(|e| failed(&e))
    }
}
