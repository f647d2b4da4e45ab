//! Shared by the key-ring tests: the repository contract every `XmlRepository` must meet,
//! fault injection for AWS clients, key elements written by ASP.NET Core, and clocks.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_ssm::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
};
use aws_sdk_ssm::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ssm::error::BoxError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use emulator::harness::TestEmulator;
use session_store::keyring::{RepositoryError, XmlElement, XmlRepository};

/// The emulator's clock as a key-ring clock: moving one moves the other.
pub fn emulator_clock(emu: &TestEmulator) -> impl Fn() -> SystemTime + Send + Sync + 'static {
    let clock = emu.clock().clone();
    move || UNIX_EPOCH + Duration::from_millis(clock.now_millis() as u64)
}

pub const DAY: Duration = Duration::from_secs(86_400);

/// A key element written by ASP.NET Core 3.1.6 (public test data of an EF Core key store):
/// dates with six fractional digits, the unencrypted-key comment, the `p4` namespace.
pub const ASPNET_KEY_3_1: &str = r#"<key id="c4ad4675-0bc7-4980-a50f-d71698b79013" version="1"><creationDate>2021-07-04T04:01:13.083377Z</creationDate><activationDate>2021-07-04T04:01:12.98008Z</activationDate><expirationDate>2021-10-02T04:01:12.98008Z</expirationDate><descriptor deserializerType="Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=3.1.6.0, Culture=neutral, PublicKeyToken=adb9793829ddae60"><descriptor><encryption algorithm="AES_256_CBC" /><validation algorithm="HMACSHA256" /><masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection"><!-- Warning: the key below is in an unencrypted form. --><value>pabmp8wIOJRWRYWbtVRZ5ooVM/I9mckLkFBwbR5RHGVrtcpEpZEqITC2YpjsJF1FZgHy5ER2LxbQzMZrZyi1Eg==</value></masterKey></descriptor></descriptor></key>"#;

/// A key element written by ASP.NET Core 2.0.2 (public test data of a MongoDB key store),
/// expiring in 9999.
pub const ASPNET_KEY_2_0: &str = r#"<key id="3e44a364-9c6c-4b30-8c79-8ecfca124943" version="1"><creationDate>2018-04-12T15:15:54.9879433Z</creationDate><activationDate>2018-04-12T15:15:54.805328Z</activationDate><expirationDate>9999-12-31T00:00:00.00Z</expirationDate><descriptor deserializerType="Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=2.0.2.0, Culture=neutral, PublicKeyToken=adb9793829ddae60"><descriptor><encryption algorithm="AES_256_CBC" /><validation algorithm="HMACSHA256" /><masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection"><!-- Warning: the key below is in an unencrypted form. --><value>cBH6uO232L1JDUAX1VeFu+xBDd2uUqAv26pUA8fMtEpKN5PlVunICbq2uKEkmWirHoXgc1g1afojJ7hYoKJiiw==</value></masterKey></descriptor></descriptor></key>"#;

/// A minimal key-like element with an id.
pub fn element(id: &str) -> XmlElement {
    XmlElement::new("key")
        .with_attribute("id", id)
        .with_child(XmlElement::new("creationDate").with_text("2024-01-01T00:00:00Z"))
}

fn ids(elements: &[XmlElement]) -> Vec<String> {
    let mut ids: Vec<String> = elements
        .iter()
        .map(|e| e.attribute("id").unwrap_or("?").to_owned())
        .collect();
    ids.sort();
    ids
}

/// The contract every repository meets, on a fresh (empty) repository.
pub async fn repository_contract(repository: &dyn XmlRepository) {
    // Empty at first.
    assert!(repository.get_all_elements().await.unwrap().is_empty());

    // What ASP.NET Core wrote comes back equal, comment and namespace declaration included.
    let aspnet = XmlElement::parse(ASPNET_KEY_3_1).unwrap();
    repository
        .store_element(&aspnet, Some("key-c4ad4675-0bc7-4980-a50f-d71698b79013"))
        .await
        .unwrap();
    assert_eq!(
        repository.get_all_elements().await.unwrap(),
        vec![aspnet.clone()]
    );

    // Many elements, each returned exactly once; names from friendly name, id, or neither.
    for i in 0..12 {
        let friendly = format!("key-{i:02}");
        repository
            .store_element(&element(&format!("e{i:02}")), Some(&friendly))
            .await
            .unwrap();
    }
    repository
        .store_element(&element("by-id"), None)
        .await
        .unwrap();
    repository
        .store_element(
            &XmlElement::new("revocation").with_attribute("version", "1"),
            None,
        )
        .await
        .unwrap();
    let all = repository.get_all_elements().await.unwrap();
    assert_eq!(all.len(), 15);
    let mut expected: Vec<String> = (0..12).map(|i| format!("e{i:02}")).collect();
    expected.extend([
        "?".to_owned(),
        "by-id".to_owned(),
        "c4ad4675-0bc7-4980-a50f-d71698b79013".to_owned(),
    ]);
    expected.sort();
    assert_eq!(ids(&all), expected);

    // A name is never overwritten.
    let err = repository
        .store_element(&element("impostor"), Some("key-03"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepositoryError::AlreadyExists { .. }),
        "{err}"
    );
    assert!(ids(&repository.get_all_elements().await.unwrap()).contains(&"e03".to_owned()));
    assert!(!ids(&repository.get_all_elements().await.unwrap()).contains(&"impostor".to_owned()));

    // Ordered deletion of the chosen elements.
    let mut offered = 0;
    let deleted = repository
        .remove_elements(&mut |elements| {
            offered = elements.len();
            for e in elements.iter_mut() {
                e.deletion_order = match e.element().attribute("id") {
                    Some("e05") => Some(2),
                    Some("e01") => Some(0),
                    Some("e09") => Some(1),
                    _ => None,
                };
            }
        })
        .await
        .unwrap();
    assert!(deleted);
    assert_eq!(offered, 15);
    let left = ids(&repository.get_all_elements().await.unwrap());
    assert_eq!(left.len(), 12);
    for gone in ["e01", "e05", "e09"] {
        assert!(!left.contains(&gone.to_owned()));
    }
}

/// One injected failure: requests for `operation` whose body contains `needle` get the
/// error `error_type` with `status`, `remaining` times.
#[derive(Clone, Debug)]
pub struct Fault {
    pub operation: &'static str,
    pub needle: Option<String>,
    pub status: u16,
    pub error_type: &'static str,
    pub message: &'static str,
    pub remaining: u32,
    /// A whole answer body to send instead of an error.
    pub reply: Option<String>,
}

impl Fault {
    pub fn throttle(operation: &'static str, times: u32) -> Fault {
        Fault {
            operation,
            needle: None,
            status: 400,
            error_type: "ThrottlingException",
            message: "Rate exceeded",
            remaining: times,
            reply: None,
        }
    }

    /// Answers the matching request once with `body` (status 200), whatever the service said.
    pub fn reply(operation: &'static str, needle: Option<&str>, body: &str) -> Fault {
        Fault {
            operation,
            needle: needle.map(str::to_owned),
            status: 200,
            error_type: "",
            message: "",
            remaining: 1,
            reply: Some(body.to_owned()),
        }
    }

    pub fn access_denied(operation: &'static str) -> Fault {
        Fault {
            operation,
            needle: None,
            status: 400,
            error_type: "AccessDeniedException",
            message: "User: arn:aws:iam::123456789012:user/app is not authorized to perform this operation",
            remaining: u32::MAX,
            reply: None,
        }
    }
}

/// An interceptor that replaces the answers of matching requests with AWS errors, and
/// counts the requests of every operation. Works for the SSM and DynamoDB clients alike.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    faults: Arc<Mutex<Vec<Fault>>>,
    log: Arc<Mutex<Vec<String>>>,
}

#[derive(Clone, Debug)]
struct Hit(Fault);

impl Storable for Hit {
    type Storer = StoreReplace<Self>;
}

impl Faults {
    pub fn add(&self, fault: Fault) {
        self.faults.lock().unwrap().push(fault);
    }

    pub fn clear(&self) {
        self.faults.lock().unwrap().clear();
    }

    /// How many requests of `operation` were sent (retries included).
    pub fn count(&self, operation: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|o| *o == operation)
            .count()
    }

    pub fn ssm(&self, client: &aws_sdk_ssm::Client) -> aws_sdk_ssm::Client {
        aws_sdk_ssm::Client::from_conf(
            client
                .config()
                .to_builder()
                .interceptor(self.clone())
                .retry_config(aws_sdk_ssm::config::retry::RetryConfig::disabled())
                .build(),
        )
    }

    pub fn dynamodb(&self, client: &aws_sdk_dynamodb::Client) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(
            client
                .config()
                .to_builder()
                .interceptor(self.clone())
                .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
                .build(),
        )
    }
}

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "Faults"
    }

    /// Decides before the request leaves; a request that will fail is redirected to an
    /// operation the service does not know, so the failure has no side effect there.
    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let target = request
            .headers()
            .get("x-amz-target")
            .unwrap_or_default()
            .to_owned();
        let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
        let body = request
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        self.log.lock().unwrap().push(operation.clone());
        let mut faults = self.faults.lock().unwrap();
        if let Some(fault) = faults.iter_mut().find(|f| {
            f.operation == operation
                && f.remaining > 0
                && f.needle.as_ref().is_none_or(|n| body.contains(n.as_str()))
        }) {
            fault.remaining -= 1;
            cfg.interceptor_state().store_put(Hit(fault.clone()));
            if fault.reply.is_none() {
                let service = target.split('.').next().unwrap_or_default().to_owned();
                request
                    .headers_mut()
                    .insert("x-amz-target", format!("{service}.InjectedFault"));
            }
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Hit(fault)) = cfg.load::<Hit>().cloned() {
            let response = context.response_mut();
            *response.status_mut() = fault.status.try_into()?;
            response.headers_mut().remove("x-amz-crc32");
            response.headers_mut().remove("content-length");
            *response.body_mut() = SdkBody::from(fault.reply.clone().unwrap_or_else(|| {
                format!(
                    r#"{{"__type":"{}","message":"{}"}}"#,
                    fault.error_type, fault.message
                )
            }));
        }
        Ok(())
    }
}
