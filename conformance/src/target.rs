//! Where the suites run: the in-process emulator, real AWS (the default credential chain),
//! or any DynamoDB/SSM endpoint.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_dynamodb::config::{HttpClient, SharedHttpClient};
use emulator::harness::TestEmulator;

use crate::admin::AdminClock;
use crate::counter::RequestCounter;

/// A target as named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetSpec {
    /// The emulator, started in-process on an ephemeral port.
    Emulator,
    /// Real AWS: region, credentials and endpoints exactly as any AWS application gets them
    /// (the default chain, profiles, `AWS_ENDPOINT_URL*`).
    Aws,
    /// Any endpoint that speaks DynamoDB and SSM (another emulator, moto, LocalStack).
    Endpoint(String),
}

impl FromStr for TargetSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<TargetSpec, String> {
        match text {
            "emulator" => Ok(TargetSpec::Emulator),
            "aws" => Ok(TargetSpec::Aws),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(TargetSpec::Endpoint(url.trim_end_matches('/').to_owned()))
            }
            other => Err(format!(
                "unknown target '{other}': expected emulator, aws or an http(s):// URL"
            )),
        }
    }
}

impl fmt::Display for TargetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetSpec::Emulator => f.write_str("emulator"),
            TargetSpec::Aws => f.write_str("aws"),
            TargetSpec::Endpoint(url) => f.write_str(url),
        }
    }
}

/// A connected target: SDK clients, and the emulator's clock where the target has one.
pub struct Target {
    pub spec: TargetSpec,
    /// What the report calls it, with the account or endpoint.
    pub label: String,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub ssm: aws_sdk_ssm::Client,
    /// The HTTP client under both SDK clients (suites wrap it to interleave requests).
    pub http_client: SharedHttpClient,
    /// The emulator's test controls, if the target answers them.
    pub admin: Option<AdminClock>,
    /// Requests sent through both clients.
    pub counter: RequestCounter,
    /// Keeps the in-process emulator alive as long as the target.
    _emulator: Option<TestEmulator>,
}

/// Region and credentials of a non-AWS endpoint: the usual variables if set, else
/// placeholders (local endpoints accept any credentials, but requests must be signed).
fn local_config(endpoint: &str, access_key: &str, secret_key: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region.to_owned()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            access_key,
            secret_key,
            None,
            None,
            "conformance",
        )))
        .http_client(session_store::https_client())
        .retry_config(RetryConfig::standard())
        .timeout_config(timeouts())
        .build()
}

/// A hung endpoint fails a case instead of hanging the run.
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(30))
        .build()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Target {
    /// Connects to the target. For AWS, `confirmed` must be true (the caller checked the
    /// confirmation flag); the account and region are printed before anything is created.
    pub async fn connect(spec: &TargetSpec, confirmed: bool) -> Result<Target, String> {
        let (config, emulator, label) = match spec {
            TargetSpec::Emulator => {
                let emu = TestEmulator::start();
                let config = local_config(
                    emu.endpoint(),
                    emulator::harness::ACCESS_KEY,
                    emulator::harness::SECRET_KEY,
                    emulator::harness::REGION,
                );
                let label = format!("emulator (in-process, {})", emu.endpoint());
                (config, Some(emu), label)
            }
            TargetSpec::Endpoint(url) => {
                let config = local_config(
                    url,
                    &env("AWS_ACCESS_KEY_ID").unwrap_or_else(|| "conformance".into()),
                    &env("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|| "conformance".into()),
                    &env("AWS_REGION")
                        .or_else(|| env("AWS_DEFAULT_REGION"))
                        .unwrap_or_else(|| "us-east-1".into()),
                );
                (config, None, url.clone())
            }
            TargetSpec::Aws => {
                if !confirmed {
                    return Err(format!(
                        "--target aws creates and deletes real resources (a few cents): pass \
                         --confirm-aws or set {CONFIRM_ENV}=1 to go ahead"
                    ));
                }
                let config = aws_config::defaults(BehaviorVersion::latest())
                    .http_client(session_store::https_client())
                    // SSM's PutParameter allows a few requests a second by default:
                    // throttled calls are retried with backoff rather than failing a case.
                    .retry_config(RetryConfig::standard().with_max_attempts(10))
                    .timeout_config(timeouts())
                    .load()
                    .await;
                let region = config
                    .region()
                    .map(|r| r.to_string())
                    .ok_or("no AWS region configured (set AWS_REGION or a profile region)")?;
                let account = identity(&config).await?;
                let label = format!("aws ({account}, {region})");
                println!("About to run against AWS {account} in region {region}.");
                (config, None, label)
            }
        };
        let http_client = config
            .http_client()
            .ok_or("the SDK configuration has no HTTP client")?;
        let endpoint = match spec {
            TargetSpec::Aws => None,
            _ => config.endpoint_url().map(str::to_owned),
        };
        let admin = match endpoint {
            Some(endpoint) => AdminClock::probe(&endpoint).await,
            None => None,
        };
        let counter = RequestCounter::default();
        Ok(Target {
            spec: spec.clone(),
            label,
            dynamodb: aws_sdk_dynamodb::Client::from_conf(
                aws_sdk_dynamodb::config::Builder::from(&config)
                    .interceptor(counter.clone())
                    .build(),
            ),
            ssm: aws_sdk_ssm::Client::from_conf(
                aws_sdk_ssm::config::Builder::from(&config)
                    .interceptor(counter.clone())
                    .build(),
            ),
            http_client,
            admin,
            counter,
            _emulator: emulator,
        })
    }

    /// A DynamoDB client like the target's, over another HTTP client.
    pub fn dynamodb_client_over(
        &self,
        http: impl HttpClient + 'static,
    ) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(
            self.dynamodb
                .config()
                .to_builder()
                .http_client(http)
                .build(),
        )
    }
}

/// The environment variable that confirms `--target aws`, like `--confirm-aws`.
pub const CONFIRM_ENV: &str = "CONFORMANCE_CONFIRM_AWS";

/// Which account the credentials belong to: STS GetCallerIdentity, or the access key id
/// when STS cannot be reached (a local stand-in for AWS usually does not speak STS).
async fn identity(config: &SdkConfig) -> Result<String, String> {
    let sts = aws_sdk_sts::Client::new(config);
    let call = tokio::time::timeout(Duration::from_secs(15), sts.get_caller_identity().send());
    if let Ok(Ok(me)) = call.await {
        return Ok(format!(
            "account {} ({})",
            me.account().unwrap_or("?"),
            me.arn().unwrap_or("?")
        ));
    }
    let provider = config
        .credentials_provider()
        .ok_or("no AWS credentials found by the default chain")?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| format!("no usable AWS credentials: {e}"))?;
    Ok(format!(
        "access key {} (STS GetCallerIdentity not reachable)",
        credentials.access_key_id()
    ))
}
