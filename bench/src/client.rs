//! The HTTP side of the load generator: one keep-alive HTTP/1.1 connection per worker,
//! requests shaped as the AWS SDKs send them (JSON protocol, `X-Amz-Target`, a SigV4
//! `Authorization` header naming the service in its credential scope).
//!
//! The signature itself is a fixed string: the emulator, dynalite, Dynoxide and moto all
//! check only the header's shape (moto routes on the credential scope's service name, so
//! that part must be right), and computing a real HMAC per request would spend the
//! generator's share of the two cores on something no target verifies.

use std::net::{SocketAddr, ToSocketAddrs};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::HeaderValue;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    DynamoDb,
    Ssm,
}

/// One AWS operation: which service and its name as it appears in `X-Amz-Target`.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    pub service: Service,
    pub name: &'static str,
}

impl Op {
    pub const fn ddb(name: &'static str) -> Self {
        Op {
            service: Service::DynamoDb,
            name,
        }
    }

    pub const fn ssm(name: &'static str) -> Self {
        Op {
            service: Service::Ssm,
            name,
        }
    }

    fn target(&self) -> HeaderValue {
        let prefix = match self.service {
            Service::DynamoDb => "DynamoDB_20120810.",
            Service::Ssm => "AmazonSSM.",
        };
        HeaderValue::try_from(format!("{prefix}{}", self.name)).expect("ASCII operation name")
    }

    fn content_type(&self) -> HeaderValue {
        HeaderValue::from_static(match self.service {
            Service::DynamoDb => "application/x-amz-json-1.0",
            Service::Ssm => "application/x-amz-json-1.1",
        })
    }

    fn authorization(&self) -> HeaderValue {
        HeaderValue::from_static(match self.service {
            Service::DynamoDb => concat!(
                "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, ",
                "SignedHeaders=content-type;host;x-amz-date;x-amz-target, ",
                "Signature=0000000000000000000000000000000000000000000000000000000000000000"
            ),
            Service::Ssm => concat!(
                "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/ssm/aws4_request, ",
                "SignedHeaders=content-type;host;x-amz-date;x-amz-target, ",
                "Signature=0000000000000000000000000000000000000000000000000000000000000000"
            ),
        })
    }
}

/// Where a target listens. Only plain `http://host:port` is spoken.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub addr: SocketAddr,
    host: HeaderValue,
}

impl Endpoint {
    pub fn local(port: u16) -> Self {
        Endpoint {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            host: HeaderValue::try_from(format!("127.0.0.1:{port}")).expect("host"),
        }
    }

    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("{url}: only http:// endpoints are supported"))?;
        let authority = rest.split('/').next().unwrap_or_default();
        let addr = authority
            .to_socket_addrs()
            .map_err(|e| format!("{url}: {e}"))?
            .next()
            .ok_or_else(|| format!("{url}: no address"))?;
        Ok(Endpoint {
            addr,
            host: HeaderValue::try_from(authority).map_err(|e| format!("{url}: {e}"))?,
        })
    }
}

/// What a target answered: status and the whole body.
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The target does not implement the operation: DynamoDB's
    /// `UnknownOperationException` (dynalite sends it as a 404 XML body), or a bare 404/501.
    pub fn unknown_operation(&self) -> bool {
        matches!(self.status, 404 | 501)
            || (self.status == 400 && contains(&self.body, b"UnknownOperationException"))
    }

    /// `status __type: message`, for reports; the body's first 200 bytes if it is not JSON.
    pub fn describe(&self) -> String {
        #[derive(serde::Deserialize)]
        struct AwsError {
            #[serde(rename = "__type", default)]
            kind: String,
            #[serde(alias = "Message", default)]
            message: String,
        }
        match serde_json::from_slice::<AwsError>(&self.body) {
            Ok(e) => format!("{} {}: {}", self.status, e.kind, e.message),
            Err(_) => {
                let end = self.body.len().min(200);
                format!(
                    "{} {}",
                    self.status,
                    String::from_utf8_lossy(&self.body[..end]).trim()
                )
            }
        }
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A keep-alive connection that reconnects when the server closes it (some peers close
/// after an error answer or after N requests); a reconnect is not an error.
pub struct Conn {
    endpoint: Endpoint,
    sender: Option<SendRequest<Full<Bytes>>>,
    date: HeaderValue,
}

impl Conn {
    pub fn new(endpoint: &Endpoint) -> Self {
        Conn {
            endpoint: endpoint.clone(),
            sender: None,
            date: HeaderValue::from_static("20260101T000000Z"),
        }
    }

    /// Connects if there is no open connection.
    async fn connect(&mut self) -> Result<(), String> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = TcpStream::connect(self.endpoint.addr)
                .await
                .map_err(|e| format!("connect {}: {e}", self.endpoint.addr))?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| format!("handshake: {e}"))?;
            tokio::spawn(conn);
            self.sender = Some(sender);
        }
        Ok(())
    }

    /// Sends one AWS request; retries once on a fresh connection if the old one was closed.
    pub async fn call(&mut self, op: Op, body: Bytes) -> Result<Answer, String> {
        let build = |c: &Conn| {
            Request::post("/")
                .header("host", c.endpoint.host.clone())
                .header("content-type", op.content_type())
                .header("x-amz-target", op.target())
                .header("x-amz-date", c.date.clone())
                .header("authorization", op.authorization())
                .body(Full::new(body.clone()))
                .expect("request")
        };
        match self.send(build(self)).await {
            Ok(a) => Ok(a),
            Err(_) => self.send(build(self)).await,
        }
    }

    /// A request outside the AWS protocols (the emulator's `/_emulator/...` controls).
    pub async fn control(&mut self, path: &str, body: &str) -> Result<Answer, String> {
        let req = Request::post(path)
            .header("host", self.endpoint.host.clone())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("request");
        self.send(req).await
    }

    async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<Answer, String> {
        self.connect().await?;
        let ready = match self.sender.as_mut() {
            Some(sender) => sender.ready().await.is_ok(),
            None => false,
        };
        if !ready {
            // The server closed the idle connection: one fresh attempt.
            self.sender = None;
            self.connect().await?;
        }
        let Some(sender) = self.sender.as_mut() else {
            return Err("not connected".into());
        };
        let resp = match sender.send_request(req).await {
            Ok(r) => r,
            Err(e) => {
                self.sender = None;
                return Err(format!("send: {e}"));
            }
        };
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?
            .to_bytes();
        Ok(Answer { status, body })
    }
}
