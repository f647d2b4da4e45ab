//! Start an emulator inside a test.
//!
//! The emulator runs on a runtime and thread of its own, so it works the same from
//! `#[tokio::test]` (either flavour), from plain `#[test]`s and across test runtimes; it
//! stops when the [`TestEmulator`] is dropped. Automatic TTL sweeping is off by default:
//! tests move the clock and sweep when they choose.
//!
//! With the `sdk` feature it hands out ready-made AWS SDK clients (plain HTTP, static
//! credentials, region `us-east-1`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::{Clock, Config, Emulator, Services};

pub struct TestEmulator {
    endpoint: String,
    services: Arc<Services>,
    stop: Option<oneshot::Sender<()>>,
}

impl TestEmulator {
    /// An emulator on an ephemeral loopback port with on-demand sweeping.
    pub fn start() -> TestEmulator {
        Self::with_config(Config::for_tests())
    }

    /// # Panics
    /// If the listener cannot be bound or the runtime cannot start: a test cannot go on.
    pub fn with_config(config: Config) -> TestEmulator {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("emulator".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match Emulator::start(config).await {
                        Ok(emulator) => {
                            let _ = ready_tx
                                .send(Ok((emulator.endpoint(), emulator.services().clone())));
                            let _ = stop_rx.await;
                            emulator.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .expect("spawn the emulator thread");
        let (endpoint, services) = ready_rx
            .recv()
            .expect("emulator thread ended before starting")
            .expect("start the emulator");
        TestEmulator {
            endpoint,
            services,
            stop: Some(stop_tx),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    pub fn clock(&self) -> &Clock {
        &self.services.clock
    }

    /// Moves the emulated clock forward.
    pub fn advance(&self, by: Duration) {
        self.services.clock.advance(by);
    }

    /// Runs one TTL sweep now; returns how many items it deleted.
    pub fn sweep(&self) -> usize {
        self.services.sweep()
    }

    /// Drops all data and puts the clock back to real time.
    pub fn reset(&self) {
        self.services.reset();
    }
}

impl Drop for TestEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[cfg(feature = "sdk")]
mod sdk {
    use super::TestEmulator;

    pub const ACCESS_KEY: &str = "AKIDEMULATOR";
    pub const SECRET_KEY: &str = "emulator-secret";
    pub const REGION: &str = "us-east-1";

    /// The same plain-HTTP, static-credential configuration for any AWS SDK crate.
    macro_rules! client {
        ($sdk:ident, $endpoint:expr, $access_key:expr, $region:expr) => {{
            use $sdk::config::{BehaviorVersion, Credentials, Region};
            let config = $sdk::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .endpoint_url($endpoint)
                .region(Region::new($region.to_owned()))
                .credentials_provider(Credentials::new(
                    $access_key,
                    SECRET_KEY,
                    None,
                    None,
                    "emulator",
                ))
                .http_client(aws_smithy_http_client::Builder::new().build_http())
                .build();
            $sdk::Client::from_conf(config)
        }};
    }

    impl TestEmulator {
        /// A DynamoDB client for this emulator (access key `AKIDEMULATOR`, `us-east-1`).
        pub fn dynamodb_client(&self) -> aws_sdk_dynamodb::Client {
            self.dynamodb_client_as(ACCESS_KEY, REGION)
        }

        /// A DynamoDB client with its own access key and region, hence its own namespace.
        pub fn dynamodb_client_as(
            &self,
            access_key: &str,
            region: &str,
        ) -> aws_sdk_dynamodb::Client {
            client!(aws_sdk_dynamodb, self.endpoint(), access_key, region)
        }

        /// An SSM client for this emulator (access key `AKIDEMULATOR`, `us-east-1`).
        pub fn ssm_client(&self) -> aws_sdk_ssm::Client {
            self.ssm_client_as(ACCESS_KEY, REGION)
        }

        /// An SSM client with its own access key and region, hence its own namespace.
        pub fn ssm_client_as(&self, access_key: &str, region: &str) -> aws_sdk_ssm::Client {
            client!(aws_sdk_ssm, self.endpoint(), access_key, region)
        }
    }
}

#[cfg(feature = "sdk")]
pub use sdk::{ACCESS_KEY, REGION, SECRET_KEY};
