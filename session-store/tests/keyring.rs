//! The key ring on the emulator's clock, with its keys in the emulator's Parameter Store:
//! default-key selection, rollover before expiry, revocation of one key and of all keys,
//! several instances creating keys at once, distinct unprotect errors, and keys written by
//! ASP.NET Core read and used.

mod keyring_support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use emulator::harness::TestEmulator;
use keyring_support::*;
use session_store::keyring::{
    KeyId, KeyRingError, KeyRingManager, RepositoryError, SsmXmlRepository, UnprotectError,
    XmlElement, XmlRepository,
};

const PREFIX: &str = "/app/dataprotection";

fn manager(emu: &TestEmulator) -> KeyRingManager {
    KeyRingManager::builder(SsmXmlRepository::new(emu.ssm_client(), PREFIX))
        .clock(emulator_clock(emu))
        .build()
}

fn days(n: f64) -> Duration {
    Duration::from_secs_f64(n * 86_400.0)
}

fn within_a_second(a: SystemTime, b: SystemTime) -> bool {
    a.duration_since(b)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap()
        < Duration::from_secs(1)
}

#[tokio::test]
async fn the_first_use_creates_a_key_active_now_for_90_days() {
    let emu = TestEmulator::start();
    let ring = manager(&emu);
    let now = ring.now();
    let current = ring.key_ring().await.unwrap();
    let key = current.default_key();
    assert!(within_a_second(key.creation_date(), now));
    assert!(within_a_second(key.activation_date(), now));
    assert!(within_a_second(key.expiration_date(), now + days(90.0)));
    // Stored as ASP.NET Core names it, as a SecureString under the prefix.
    let parameter = emu
        .ssm_client()
        .get_parameter()
        .name(format!("{PREFIX}/key-{}", key.id()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        parameter.parameter().unwrap().r#type(),
        Some(&aws_sdk_ssm::types::ParameterType::SecureString)
    );
    // The cached ring is reused: no second key.
    assert_eq!(ring.key_ring().await.unwrap().default_key().id(), key.id());
    assert_eq!(ring.all_keys().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_next_key_is_made_before_the_current_one_expires_and_takes_over_at_expiry() {
    let emu = TestEmulator::start();
    let ring = manager(&emu);
    let protector = ring.create_protector("rollover");
    let first = ring.key_ring().await.unwrap().default_key().clone();
    let old_payload = protector.protect(b"made with the first key").await.unwrap();

    // 86.9 days in: the key expires in 3.1 days, beyond refresh period + propagation window.
    emu.advance(days(86.9));
    let current = ring.key_ring().await.unwrap();
    assert_eq!(current.default_key().id(), first.id());
    assert_eq!(ring.all_keys().await.unwrap().len(), 1);

    // 87.5 days in: within 3 days of expiry, a successor is made, active when the first expires.
    emu.advance(days(0.6));
    let current = ring.refresh().await.unwrap();
    assert_eq!(
        current.default_key().id(),
        first.id(),
        "the successor is not active yet"
    );
    let keys = ring.all_keys().await.unwrap();
    assert_eq!(keys.len(), 2);
    let second = keys.iter().find(|k| k.id() != first.id()).unwrap().clone();
    assert_eq!(second.activation_date(), first.expiration_date());
    assert!(within_a_second(
        second.expiration_date(),
        ring.now() + days(90.0)
    ));
    // Refreshing again makes no third key.
    ring.refresh().await.unwrap();
    assert_eq!(ring.all_keys().await.unwrap().len(), 2);

    // Past the first key's expiry, the second is the default; no new key.
    emu.advance(days(3.0));
    let current = ring.key_ring().await.unwrap();
    assert_eq!(current.default_key().id(), second.id());
    assert_eq!(ring.all_keys().await.unwrap().len(), 2);
    let new_payload = protector
        .protect(b"made with the second key")
        .await
        .unwrap();
    assert_eq!(&new_payload[4..20], &second.id().to_dotnet_bytes());
    // Payloads of the expired key still open: expiry only ends protecting, not reading.
    assert_eq!(
        protector.unprotect(&old_payload).await.unwrap(),
        b"made with the first key"
    );
}

#[tokio::test]
async fn an_expired_ring_with_no_successor_gets_a_key_active_at_once() {
    let emu = TestEmulator::start();
    let ring = manager(&emu);
    let first = ring.key_ring().await.unwrap().default_key().id();
    emu.advance(days(91.0));
    let current = ring.key_ring().await.unwrap();
    let second = current.default_key();
    assert_ne!(second.id(), first);
    assert!(within_a_second(second.activation_date(), ring.now()));
}

#[tokio::test]
async fn a_revoked_key_no_longer_protects_or_unprotects() {
    let emu = TestEmulator::start();
    let ring = manager(&emu);
    let protector = ring.create_protector("revocation");
    let payload = protector.protect(b"secret").await.unwrap();
    let first = ring.key_ring().await.unwrap().default_key().id();

    // Another instance with its own cache, refreshed before the revocation.
    let other = manager(&emu);
    let other_protector = other.create_protector("revocation");
    assert_eq!(
        other_protector.unprotect(&payload).await.unwrap(),
        b"secret"
    );

    ring.revoke_key(first, "compromised").await.unwrap();
    let err = protector.unprotect(&payload).await.unwrap_err();
    assert!(
        matches!(err, UnprotectError::RevokedKey(id) if id == first),
        "{err}"
    );
    assert_eq!(err.to_string(), format!("the key {first} has been revoked"));
    // A new key replaces it at once.
    let current = ring.key_ring().await.unwrap();
    assert_ne!(current.default_key().id(), first);
    assert!(current.key(first).unwrap().is_revoked());
    let fresh = protector.protect(b"again").await.unwrap();
    assert_eq!(protector.unprotect(&fresh).await.unwrap(), b"again");

    // The other instance learns of it at its next refresh.
    other.refresh().await.unwrap();
    assert!(matches!(
        other_protector.unprotect(&payload).await,
        Err(UnprotectError::RevokedKey(_))
    ));
    assert_eq!(other_protector.unprotect(&fresh).await.unwrap(), b"again");
}

#[tokio::test]
async fn revoking_all_keys_revokes_those_created_before_the_date() {
    let emu = TestEmulator::start();
    let ring = manager(&emu);
    let protector = ring.create_protector("mass revocation");
    let first_payload = protector.protect(b"one").await.unwrap();
    emu.advance(days(1.0));
    let successor = ring
        .create_new_key(ring.now(), ring.now() + days(90.0))
        .await
        .unwrap();
    ring.refresh().await.unwrap();
    emu.advance(Duration::from_secs(60));
    ring.revoke_all_keys(ring.now(), "rotate everything")
        .await
        .unwrap();

    assert!(matches!(
        protector.unprotect(&first_payload).await,
        Err(UnprotectError::RevokedKey(_))
    ));
    let current = ring.key_ring().await.unwrap();
    assert!(current.key(successor).unwrap().is_revoked());
    // The replacement was created at the revocation instant or after: not revoked.
    let replacement = current.default_key();
    assert!(!replacement.is_revoked());
    let payload = protector.protect(b"two").await.unwrap();
    assert_eq!(protector.unprotect(&payload).await.unwrap(), b"two");
    // Stored with ASP.NET Core's mass-revocation element.
    let revocation = ring
        .repository()
        .get_all_elements()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.name() == "revocation")
        .unwrap();
    assert_eq!(
        revocation.element("key").unwrap().attribute("id"),
        Some("*")
    );
    assert_eq!(
        revocation.element("reason").unwrap().text(),
        "rotate everything"
    );
}

/// A repository that makes its first read wait until every instance has read: the
/// instances all find the ring empty, as when a fleet starts together.
struct StartTogether {
    inner: Arc<SsmXmlRepository>,
    barrier: Arc<tokio::sync::Barrier>,
    first: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl XmlRepository for StartTogether {
    async fn get_all_elements(&self) -> Result<Vec<XmlElement>, RepositoryError> {
        let elements = self.inner.get_all_elements().await?;
        if self.first.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.barrier.wait().await;
        }
        Ok(elements)
    }

    async fn store_element(
        &self,
        element: &XmlElement,
        friendly_name: Option<&str>,
    ) -> Result<(), RepositoryError> {
        self.inner.store_element(element, friendly_name).await
    }

    async fn remove_elements(
        &self,
        chooser: &mut session_store::keyring::Chooser<'_>,
    ) -> Result<bool, RepositoryError> {
        self.inner.remove_elements(chooser).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_instances_creating_keys_at_once_can_all_read_each_other() {
    let emu = TestEmulator::start();
    let shared = Arc::new(SsmXmlRepository::new(emu.ssm_client(), PREFIX));
    let barrier = Arc::new(tokio::sync::Barrier::new(4));
    let instances: Vec<KeyRingManager> = (0..4)
        .map(|_| {
            KeyRingManager::builder(StartTogether {
                inner: shared.clone(),
                barrier: barrier.clone(),
                first: true.into(),
            })
            .clock(emulator_clock(&emu))
            .build()
        })
        .collect();
    let mut starting = tokio::task::JoinSet::new();
    for instance in &instances {
        let instance = instance.clone();
        starting.spawn(async move { instance.key_ring().await.map(|_| ()) });
    }
    while let Some(started) = starting.join_next().await {
        started.unwrap().unwrap();
    }
    // Every instance found the ring empty and made a key: four keys, all kept.
    let keys = instances[0].all_keys().await.unwrap();
    assert_eq!(keys.len(), 4);
    // Each protects with the key it settled on; every instance opens every payload (the
    // keys of the others are found by a reload on first sight).
    let mut payloads = Vec::new();
    for (i, instance) in instances.iter().enumerate() {
        let payload = instance
            .create_protector("farm")
            .protect(format!("from {i}").as_bytes())
            .await
            .unwrap();
        payloads.push((i, payload));
    }
    for instance in &instances {
        for (i, payload) in &payloads {
            let opened = instance
                .create_protector("farm")
                .unprotect(payload)
                .await
                .unwrap();
            assert_eq!(opened, format!("from {i}").as_bytes());
        }
    }
    // Once they see the same ring, they agree on the default key, and make no more keys.
    let mut defaults = Vec::new();
    for instance in &instances {
        defaults.push(instance.refresh().await.unwrap().default_key().id());
    }
    defaults.dedup();
    assert_eq!(defaults.len(), 1, "{defaults:?}");
    assert_eq!(instances[0].all_keys().await.unwrap().len(), 4);
}

#[tokio::test]
async fn each_failure_has_its_own_error() {
    let emu = TestEmulator::start();
    let ring = manager(&emu);
    let protector = ring.create_protector("app").create_protector("orders");
    let payload = protector.protect(b"order 42").await.unwrap();
    assert_eq!(protector.unprotect(&payload).await.unwrap(), b"order 42");

    // Not a payload at all.
    let err = protector.unprotect(b"hello").await.unwrap_err();
    assert!(matches!(err, UnprotectError::Malformed(_)), "{err}");
    let mut wrong_magic = payload.clone();
    wrong_magic[0] ^= 0xff;
    assert!(matches!(
        protector.unprotect(&wrong_magic).await,
        Err(UnprotectError::Malformed(_))
    ));
    assert!(matches!(
        protector.unprotect(&payload[..40]).await,
        Err(UnprotectError::Malformed(_))
    ));

    // A key this ring never had.
    let stranger = KeyRingManager::builder(SsmXmlRepository::new(emu.ssm_client(), "/elsewhere"))
        .clock(emulator_clock(&emu))
        .build();
    let foreign = stranger
        .create_protector("app")
        .create_protector("orders")
        .protect(b"x")
        .await
        .unwrap();
    let err = protector.unprotect(&foreign).await.unwrap_err();
    let foreign_id = stranger.key_ring().await.unwrap().default_key().id();
    assert!(
        matches!(err, UnprotectError::UnknownKey(id) if id == foreign_id),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("the key {foreign_id} was not found in the key ring")
    );

    // Altered ciphertext.
    let mut altered = payload.clone();
    let last = altered.len() - 1;
    altered[last] ^= 1;
    let err = protector.unprotect(&altered).await.unwrap_err();
    assert!(matches!(err, UnprotectError::Invalid { .. }), "{err}");
    // Another purpose chain: the same check fails (the format cannot tell the two apart),
    // and the message names the purposes that were tried.
    let err = ring
        .create_protector("app")
        .create_protector("invoices")
        .unprotect(&payload)
        .await
        .unwrap_err();
    assert!(matches!(err, UnprotectError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("\"invoices\""), "{err}");
    // Purposes chain in order: [app, orders] is not [orders, app].
    assert!(ring
        .create_protector("orders")
        .create_protector("app")
        .unprotect(&payload)
        .await
        .is_err());
}

#[tokio::test]
async fn string_helpers_match_dotnets_base64url_form() {
    let emu = TestEmulator::start();
    let protector = manager(&emu).create_protector("strings");
    let protected = protector.protect_str("héllo").await.unwrap();
    assert!(protected.starts_with("CfDJ8"), "{protected}");
    assert!(!protected.contains(['+', '/', '=']));
    assert_eq!(protector.unprotect_str(&protected).await.unwrap(), "héllo");
}

/// Keys written by ASP.NET Core, read from a repository and used.
#[tokio::test]
async fn keys_written_by_aspnet_core_are_read_and_used() {
    let emu = TestEmulator::start();
    let repository = SsmXmlRepository::new(emu.ssm_client(), "/from-dotnet");
    for xml in [ASPNET_KEY_3_1, ASPNET_KEY_2_0] {
        let element = XmlElement::parse(xml).unwrap();
        let id = element.attribute("id").unwrap().to_owned();
        repository
            .store_element(&element, Some(&format!("key-{id}")))
            .await
            .unwrap();
    }
    // On 2021-08-01 both keys are active; the 3.1 key was activated last: it is the default.
    let august_2021 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_627_776_000);
    let ring = KeyRingManager::builder(repository)
        .clock(move || august_2021)
        .auto_generate_keys(false)
        .build();
    let current = ring.key_ring().await.unwrap();
    let default = current.default_key();
    assert_eq!(
        default.id(),
        "c4ad4675-0bc7-4980-a50f-d71698b79013"
            .parse::<KeyId>()
            .unwrap()
    );
    assert_eq!(
        session_store_date(default.creation_date()),
        "2021-07-04T04:01:13.083377Z"
    );
    assert!(default.unusable_reason().is_none());
    let protector = ring
        .create_protector("MyApp")
        .create_protector("SessionMiddleware");
    let payload = protector.protect(b"session-id").await.unwrap();
    assert_eq!(&payload[4..20], &default.id().to_dotnet_bytes());
    assert_eq!(protector.unprotect(&payload).await.unwrap(), b"session-id");
    // The 2.0 key (never expiring) is in the ring and usable too.
    let older: KeyId = "3e44a364-9c6c-4b30-8c79-8ecfca124943".parse().unwrap();
    assert!(current.key(older).unwrap().unusable_reason().is_none());
    // The ring never shows key material.
    let shown = format!("{current:?} {:?}", current.key(older).unwrap());
    assert!(!shown.contains("cBH6uO232L1J"), "{shown}");
}

fn session_store_date(date: SystemTime) -> String {
    time::OffsetDateTime::from(date)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn unusable_and_unreadable_elements_are_handled_as_aspnet_core_does() {
    let emu = TestEmulator::start();
    let repository = Arc::new(SsmXmlRepository::new(emu.ssm_client(), "/odd"));
    // A key encrypted at rest with DPAPI: in the ring, never the default, a clear reason.
    let dpapi = ASPNET_KEY_2_0.replace(
        r#"<masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection"><!-- Warning: the key below is in an unencrypted form. --><value>cBH6uO232L1JDUAX1VeFu+xBDd2uUqAv26pUA8fMtEpKN5PlVunICbq2uKEkmWirHoXgc1g1afojJ7hYoKJiiw==</value></masterKey>"#,
        r#"<encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.DpapiXmlDecryptor, Microsoft.AspNetCore.DataProtection" xmlns="http://schemas.asp.net/2015/03/dataProtection"><encryptedKey><value>AQAAANCMnd8B</value></encryptedKey></encryptedSecret>"#,
    );
    let element = XmlElement::parse(&dpapi).unwrap();
    repository
        .store_element(&element, Some("key-dpapi"))
        .await
        .unwrap();
    // An element of an unknown kind is skipped.
    repository
        .store_element(&XmlElement::new("somethingElse"), Some("other"))
        .await
        .unwrap();
    let ring = KeyRingManager::builder_shared(repository.clone())
        .clock(emulator_clock(&emu))
        .build();
    let current = ring.key_ring().await.unwrap();
    let dpapi_key: KeyId = "3e44a364-9c6c-4b30-8c79-8ecfca124943".parse().unwrap();
    assert_ne!(
        current.default_key().id(),
        dpapi_key,
        "an unusable key is never the default"
    );
    assert_eq!(current.keys().count(), 2);

    // A duplicate key id is an error.
    repository
        .store_element(
            &XmlElement::parse(ASPNET_KEY_2_0).unwrap(),
            Some("key-duplicate"),
        )
        .await
        .unwrap();
    let err = ring.refresh().await.unwrap_err();
    assert!(
        matches!(err, KeyRingError::DuplicateKey(id) if id == dpapi_key),
        "{err}"
    );

    // An unreadable revocation is fatal.
    let other = Arc::new(SsmXmlRepository::new(emu.ssm_client(), "/bad-revocation"));
    other
        .store_element(
            &XmlElement::new("revocation")
                .with_child(XmlElement::new("key").with_attribute("id", "not-a-guid")),
            Some("revocation-x"),
        )
        .await
        .unwrap();
    let err = KeyRingManager::builder_shared(other)
        .clock(emulator_clock(&emu))
        .build()
        .key_ring()
        .await
        .unwrap_err();
    assert!(matches!(err, KeyRingError::InvalidRevocation(_)), "{err}");
}

#[tokio::test]
async fn without_key_generation_an_empty_ring_is_a_clear_error() {
    let emu = TestEmulator::start();
    let ring = KeyRingManager::builder(SsmXmlRepository::new(emu.ssm_client(), "/none"))
        .clock(emulator_clock(&emu))
        .auto_generate_keys(false)
        .build();
    let err = ring.create_protector("p").protect(b"x").await.unwrap_err();
    assert!(err.to_string().contains("no usable default key"), "{err}");
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_previous_ring_for_two_minutes() {
    let emu = TestEmulator::start();
    let faults = Faults::default();
    let ring =
        KeyRingManager::builder(SsmXmlRepository::new(faults.ssm(&emu.ssm_client()), PREFIX))
            .clock(emulator_clock(&emu))
            .build();
    let protector = ring.create_protector("p");
    let payload = protector.protect(b"x").await.unwrap();
    emu.advance(days(1.0));
    faults.add(Fault::access_denied("GetParametersByPath"));
    // The refresh is due and fails: the caller sees the error, naming the permission...
    let err = ring.key_ring().await.unwrap_err();
    assert!(err.to_string().contains("ssm:GetParametersByPath"), "{err}");
    // ...and for two minutes the previous ring serves.
    assert_eq!(protector.unprotect(&payload).await.unwrap(), b"x");
    emu.advance(Duration::from_secs(121));
    assert!(protector.unprotect(&payload).await.is_err());
    faults.clear();
    assert_eq!(protector.unprotect(&payload).await.unwrap(), b"x");
}
