//! The listener: accepts connections, serves HTTP/1.1 with keep-alive, runs the TTL
//! sweeper, and shuts down gracefully (in-flight requests finish, idle connections close).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;

use crate::{wire, Config, Services};

/// How long shutdown waits for in-flight requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    services: Arc<Services>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `config.host:config.port` and starts serving on the current tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
        Ok(Self::from_listener(listener, config))
    }

    /// Serves on an already bound listener (the harness binds before its runtime starts).
    pub fn from_listener(listener: TcpListener, config: Config) -> Emulator {
        let addr = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
        let services = Arc::new(Services::new(config));
        services.dynamodb.set_listen_address(addr);
        let (shutdown, rx) = watch::channel(false);
        if !services.config.sweep_interval.is_zero() {
            tokio::spawn(sweeper(services.clone(), rx.clone()));
        }
        let task = tokio::spawn(accept_loop(listener, services.clone(), rx));
        Emulator {
            addr,
            services,
            shutdown,
            task: Some(task),
        }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`, ready for `endpoint_url`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// Stops accepting, lets in-flight requests finish, and returns when all is closed.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn accept_loop(
    listener: TcpListener,
    services: Arc<Services>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let limits = services.config.limits;
    // One permit per open connection, taken before `accept`: at the cap, new connections
    // wait in the kernel's listen backlog and the open ones are served as before.
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, never exit.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if slots.available_permits() == 0 {
                    tracing::debug!(
                        max_connections = limits.max_connections,
                        "connection limit reached; new connections wait"
                    );
                }
                let _ = stream.set_nodelay(true);
                let services = services.clone();
                let service = service_fn(move |req| wire::handle(services.clone(), req));
                let conn = http1::Builder::new()
                    .keep_alive(true)
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_timeout)
                    .max_header_size(limits.max_header_bytes)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    drop(slot);
                });
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace period");
    }
}

/// Runs a TTL sweep every interval. The sweep itself runs on tokio's blocking pool, never
/// on a request worker: a million items falling due at once must not stall requests.
async fn sweeper(services: Arc<Services>, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(services.config.sweep_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let services = services.clone();
                let deleted = tokio::task::spawn_blocking(move || services.sweep())
                    .await
                    .unwrap_or(0);
                if deleted > 0 {
                    tracing::debug!(deleted, "TTL sweep");
                }
            }
            _ = stop.changed() => break,
        }
    }
}
