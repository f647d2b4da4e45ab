//! The repository contract for the file-system and SSM repositories, and the SSM
//! data-protection provider's own test cases (naming, prefixes, tags, KMS key id, paging,
//! tier boundaries, invalid values, ordered deletion) against the emulator.

mod keyring_support;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ssm::types::{ParameterStringFilter, ParameterTier, ParameterType};
use emulator::harness::TestEmulator;
use keyring_support::*;
use session_store::keyring::{
    FileSystemXmlRepository, RepositoryError, RetryPolicy, SsmOptions, SsmXmlRepository,
    TierStorageMode, XmlElement, XmlRepository,
};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "keyring-{name}-{}-{}",
        std::process::id(),
        session_store::keyring::KeyId::new_random()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn file_system_repository_meets_the_contract() {
    let dir = temp_dir("contract");
    repository_contract(&FileSystemXmlRepository::new(&dir)).await;
    // One file per element, named after the friendly name; no temporary file left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"key-c4ad4675-0bc7-4980-a50f-d71698b79013.xml".to_owned()));
    assert!(names.iter().all(|n| n.ends_with(".xml")), "{names:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn file_system_repository_refuses_a_file_that_is_not_xml_and_uses_guids_for_unsafe_names() {
    let dir = temp_dir("unsafe");
    let repository = FileSystemXmlRepository::new(&dir);
    repository
        .store_element(&element("a"), Some("../escape attempt"))
        .await
        .unwrap();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1);
    assert!(names[0]
        .trim_end_matches(".xml")
        .parse::<session_store::keyring::KeyId>()
        .is_ok());
    std::fs::write(dir.join("broken.xml"), "<key id=\"bar\"></missing-endtag>").unwrap();
    let err = repository.get_all_elements().await.unwrap_err();
    assert!(matches!(err, RepositoryError::Unreadable { .. }), "{err}");
    assert!(err.to_string().contains("broken.xml"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn file_system_deletion_stops_at_the_first_failure() {
    let dir = temp_dir("delete");
    let repository = FileSystemXmlRepository::new(&dir);
    for id in ["a", "b", "c"] {
        repository
            .store_element(&element(id), Some(id))
            .await
            .unwrap();
    }
    // The second deletion fails: its file vanishes (another process) before it is deleted.
    let vanishing = dir.join("b.xml");
    let all_deleted = repository
        .remove_elements(&mut |elements| {
            for e in elements.iter_mut() {
                e.deletion_order = match e.element().attribute("id") {
                    Some("a") => Some(1),
                    Some("b") => Some(2),
                    Some("c") => Some(3),
                    _ => None,
                };
            }
            std::fs::remove_file(&vanishing).unwrap();
        })
        .await
        .unwrap();
    assert!(!all_deleted);
    let left: Vec<_> = repository
        .get_all_elements()
        .await
        .unwrap()
        .iter()
        .map(|e| e.attribute("id").unwrap().to_owned())
        .collect();
    // a went first; b failed; c was not attempted.
    assert_eq!(left, vec!["c".to_owned()]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn ssm_repository_meets_the_contract() {
    let emu = TestEmulator::start();
    repository_contract(&SsmXmlRepository::new(emu.ssm_client(), "/app/keys")).await;
}

async fn parameter_names(emu: &TestEmulator) -> Vec<String> {
    let mut names: Vec<String> = emu
        .ssm_client()
        .get_parameters_by_path()
        .path("/")
        .recursive(true)
        .send()
        .await
        .unwrap()
        .parameters()
        .iter()
        .map(|p| p.name().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn ssm_prefixes_are_normalised_and_names_come_from_friendly_name_id_or_uuid() {
    let emu = TestEmulator::start();
    for prefix in [
        "MockKeyHome/",
        "/MockKeyHome",
        "MockKeyHome",
        "/MockKeyHome/",
    ] {
        let repository = SsmXmlRepository::new(emu.ssm_client(), prefix);
        assert_eq!(repository.prefix(), "/MockKeyHome/");
    }
    let repository = SsmXmlRepository::new(emu.ssm_client(), "MockKeyHome");
    repository
        .store_element(&element("foo"), Some("bar"))
        .await
        .unwrap();
    repository
        .store_element(&element("foo"), None)
        .await
        .unwrap();
    repository
        .store_element(&XmlElement::new("key"), None)
        .await
        .unwrap();
    let names = parameter_names(&emu).await;
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"/MockKeyHome/bar".to_owned()));
    assert!(names.contains(&"/MockKeyHome/foo".to_owned()));
    let generated = names
        .iter()
        .find(|n| *n != "/MockKeyHome/bar" && *n != "/MockKeyHome/foo")
        .unwrap();
    assert!(generated
        .trim_start_matches("/MockKeyHome/")
        .parse::<session_store::keyring::KeyId>()
        .is_ok());
}

#[tokio::test]
async fn ssm_parameters_are_secure_strings_with_description_tags_and_kms_key() {
    let emu = TestEmulator::start();
    let ssm = emu.ssm_client();
    let options = SsmOptions {
        kms_key_id: Some("customer-provided-kms-key-id".into()),
        tags: BTreeMap::from([("a".into(), "1".into()), ("b".into(), "2".into())]),
        ..SsmOptions::default()
    };
    let repository = SsmXmlRepository::with_options(ssm.clone(), "/MockKeyHome/", options);
    repository
        .store_element(&element("foo"), Some("bar"))
        .await
        .unwrap();
    let described = ssm
        .describe_parameters()
        .parameter_filters(
            ParameterStringFilter::builder()
                .key("Name")
                .values("/MockKeyHome/bar")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let parameter = &described.parameters()[0];
    assert_eq!(parameter.r#type(), Some(&ParameterType::SecureString));
    assert_eq!(
        parameter.description(),
        Some("ASP.NET Core DataProtection Key")
    );
    assert_eq!(parameter.key_id(), Some("customer-provided-kms-key-id"));
    assert_eq!(parameter.tier(), Some(&ParameterTier::Standard));
    let tags = ssm
        .list_tags_for_resource()
        .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Parameter)
        .resource_id("/MockKeyHome/bar")
        .send()
        .await
        .unwrap();
    let mut tags: Vec<(String, String)> = tags
        .tag_list()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        vec![("a".into(), "1".into()), ("b".into(), "2".into())]
    );
    // Without decryption the stored value is not the XML.
    let raw = ssm
        .get_parameter()
        .name("/MockKeyHome/bar")
        .send()
        .await
        .unwrap();
    assert!(!raw.parameter().unwrap().value().unwrap().contains("<key"));
}

#[tokio::test]
async fn ssm_without_options_sends_no_kms_key_and_no_tags() {
    let emu = TestEmulator::start();
    let ssm = emu.ssm_client();
    SsmXmlRepository::new(ssm.clone(), "/p/")
        .store_element(&element("foo"), Some("bar"))
        .await
        .unwrap();
    let described = ssm.describe_parameters().send().await.unwrap();
    // The account's default key.
    assert_eq!(described.parameters()[0].key_id(), Some("alias/aws/ssm"));
    let tags = ssm
        .list_tags_for_resource()
        .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Parameter)
        .resource_id("/p/bar")
        .send()
        .await
        .unwrap();
    assert!(tags.tag_list().is_empty());
}

/// An element whose XML is exactly `length` characters.
fn element_of_length(length: usize) -> XmlElement {
    let element = XmlElement::new("key").with_text("x".repeat(length - "<key></key>".len()));
    assert_eq!(element.to_xml_string().len(), length);
    element
}

#[tokio::test]
async fn ssm_tiers_at_the_4096_and_8192_boundaries() {
    let emu = TestEmulator::start();
    let ssm = emu.ssm_client();
    let tier_of = |name: &'static str| {
        let ssm = ssm.clone();
        async move {
            let described = ssm
                .describe_parameters()
                .parameter_filters(
                    ParameterStringFilter::builder()
                        .key("Name")
                        .values(name)
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
            described.parameters()[0].tier().cloned()
        }
    };
    let with_mode = |mode| {
        SsmXmlRepository::with_options(
            ssm.clone(),
            "/tiers",
            SsmOptions {
                tier_storage_mode: mode,
                ..SsmOptions::default()
            },
        )
    };

    let standard = with_mode(TierStorageMode::StandardOnly);
    standard
        .store_element(&element_of_length(4096), Some("s4096"))
        .await
        .unwrap();
    assert_eq!(tier_of("/tiers/s4096").await, Some(ParameterTier::Standard));
    let err = standard
        .store_element(&element_of_length(4097), Some("s4097"))
        .await
        .unwrap_err();
    assert!(matches!(err, RepositoryError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("4097"));

    let upgradeable = with_mode(TierStorageMode::AdvancedUpgradeable);
    upgradeable
        .store_element(&element_of_length(4096), Some("u4096"))
        .await
        .unwrap();
    assert_eq!(tier_of("/tiers/u4096").await, Some(ParameterTier::Standard));
    upgradeable
        .store_element(&element_of_length(4097), Some("u4097"))
        .await
        .unwrap();
    assert_eq!(tier_of("/tiers/u4097").await, Some(ParameterTier::Advanced));
    upgradeable
        .store_element(&element_of_length(8192), Some("u8192"))
        .await
        .unwrap();
    assert_eq!(tier_of("/tiers/u8192").await, Some(ParameterTier::Advanced));
    let err = upgradeable
        .store_element(&element_of_length(8193), Some("u8193"))
        .await
        .unwrap_err();
    assert!(matches!(err, RepositoryError::TooLarge(_)), "{err}");

    let advanced = with_mode(TierStorageMode::AdvancedOnly);
    advanced
        .store_element(&element_of_length(100), Some("a100"))
        .await
        .unwrap();
    assert_eq!(tier_of("/tiers/a100").await, Some(ParameterTier::Advanced));
    assert!(advanced
        .store_element(&element_of_length(8193), Some("a8193"))
        .await
        .is_err());

    let intelligent = with_mode(TierStorageMode::IntelligentTiering);
    intelligent
        .store_element(&element_of_length(100), Some("i100"))
        .await
        .unwrap();
    assert_eq!(tier_of("/tiers/i100").await, Some(ParameterTier::Standard));
    intelligent
        .store_element(&element_of_length(4097), Some("i4097"))
        .await
        .unwrap();
    assert_eq!(tier_of("/tiers/i4097").await, Some(ParameterTier::Advanced));
    assert!(intelligent
        .store_element(&element_of_length(8193), Some("i8193"))
        .await
        .is_err());

    // Nothing too large reached Parameter Store.
    let names = parameter_names(&emu).await;
    assert!(names
        .iter()
        .all(|n| !n.ends_with("4097") || n.contains("/u") || n.contains("/i")));
    assert!(names.iter().all(|n| !n.ends_with("8193")));
}

#[tokio::test]
async fn ssm_reads_follow_next_token_over_many_pages() {
    let emu = TestEmulator::start();
    let faults = Faults::default();
    let repository = SsmXmlRepository::new(faults.ssm(&emu.ssm_client()), "/paged");
    for i in 0..25 {
        repository
            .store_element(&element(&format!("k{i:02}")), Some(&format!("k{i:02}")))
            .await
            .unwrap();
    }
    // A nested parameter is not part of the ring (the read is not recursive).
    emu.ssm_client()
        .put_parameter()
        .name("/paged/nested/x")
        .value("<key id=\"nested\" />")
        .r#type(ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let elements = repository.get_all_elements().await.unwrap();
    assert_eq!(elements.len(), 25);
    // 10 per page: three requests.
    assert_eq!(faults.count("GetParametersByPath"), 3);
}

#[tokio::test]
async fn ssm_reads_go_on_through_empty_pages() {
    let emu = TestEmulator::start();
    let faults = Faults::default();
    let repository = SsmXmlRepository::new(faults.ssm(&emu.ssm_client()), "/empty");
    // As Parameter Store may answer: empty pages that still carry a token.
    faults.add(Fault::reply(
        "GetParametersByPath",
        None,
        r#"{"Parameters":[],"NextToken":"page-2"}"#,
    ));
    faults.add(Fault::reply(
        "GetParametersByPath",
        Some("page-2"),
        r#"{"Parameters":[],"NextToken":"page-3"}"#,
    ));
    faults.add(Fault::reply(
        "GetParametersByPath",
        Some("page-3"),
        r#"{"Parameters":[{"Name":"/empty/pizza","Type":"SecureString","Value":"<key id=\"pizza\"></key>"}]}"#,
    ));
    let elements = repository.get_all_elements().await.unwrap();
    assert_eq!(faults.count("GetParametersByPath"), 3);
    assert_eq!(elements.len(), 1);
    assert_eq!(elements[0].attribute("id"), Some("pizza"));
}

#[tokio::test]
async fn ssm_values_that_are_not_xml_are_skipped() {
    let emu = TestEmulator::start();
    let ssm = emu.ssm_client();
    for (name, value) in [
        ("/bad/foo", "<key id=\"foo\"></key>"),
        ("/bad/bar", "<key id=\"bar\"></missing-endtag>"),
    ] {
        ssm.put_parameter()
            .name(name)
            .value(value)
            .r#type(ParameterType::SecureString)
            .send()
            .await
            .unwrap();
    }
    let elements = SsmXmlRepository::new(ssm, "bad")
        .get_all_elements()
        .await
        .unwrap();
    assert_eq!(elements.len(), 1);
    assert_eq!(elements[0].attribute("id"), Some("foo"));
}

#[tokio::test]
async fn ssm_deletion_goes_in_order_and_stops_at_the_first_failure() {
    let emu = TestEmulator::start();
    let faults = Faults::default();
    let repository = SsmXmlRepository::new(faults.ssm(&emu.ssm_client()), "/del");
    for id in ["a", "b", "c", "d"] {
        repository
            .store_element(&element(id), Some(id))
            .await
            .unwrap();
    }
    let ssm = emu.ssm_client();
    let all_deleted = repository
        .remove_elements(&mut |elements| {
            for e in elements.iter_mut() {
                e.deletion_order = match e.element().attribute("id") {
                    Some("c") => Some(0),
                    Some("b") => Some(1),
                    Some("a") => Some(2),
                    _ => None,
                };
            }
            // Another instance deletes b meanwhile, so deleting it fails (ParameterNotFound).
            delete_elsewhere(&ssm, "/del/b");
        })
        .await
        .unwrap();
    assert!(!all_deleted);
    // c deleted first; b failed; a never tried; d not chosen.
    assert_eq!(faults.count("DeleteParameter"), 2);
    assert_eq!(parameter_names(&emu).await, vec!["/del/a", "/del/d"]);
}

/// Deletes a parameter from a synchronous chooser, through a runtime of its own.
fn delete_elsewhere(ssm: &aws_sdk_ssm::Client, name: &str) {
    std::thread::scope(|scope| {
        scope.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(ssm.delete_parameter().name(name).send())
                .unwrap();
        });
    });
}

#[tokio::test]
async fn ssm_throttling_is_retried_with_backoff() {
    let emu = TestEmulator::start();
    let faults = Faults::default();
    let fast = RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    };
    let repository = SsmXmlRepository::with_options(
        faults.ssm(&emu.ssm_client()),
        "/cold",
        SsmOptions {
            retry: fast.clone(),
            ..SsmOptions::default()
        },
    );
    repository
        .store_element(&element("k"), Some("k"))
        .await
        .unwrap();
    // A cold start: the first four reads are throttled.
    faults.add(Fault::throttle("GetParametersByPath", 4));
    assert_eq!(repository.get_all_elements().await.unwrap().len(), 1);
    assert_eq!(faults.count("GetParametersByPath"), 5);
    // Throttled through every attempt: a clear error that says so.
    faults.add(Fault::throttle("GetParametersByPath", 100));
    let err = repository.get_all_elements().await.unwrap_err();
    assert!(
        matches!(err, RepositoryError::Throttled { attempts: 6, .. }),
        "{err}"
    );
    assert_eq!(faults.count("GetParametersByPath"), 11);
}

#[tokio::test]
async fn ssm_access_denied_names_the_missing_permission() {
    let emu = TestEmulator::start();
    let faults = Faults::default();
    let repository = SsmXmlRepository::new(faults.ssm(&emu.ssm_client()), "/denied");
    faults.add(Fault::access_denied("GetParametersByPath"));
    faults.add(Fault::access_denied("PutParameter"));
    let read = repository.get_all_elements().await.unwrap_err().to_string();
    assert!(read.contains("ssm:GetParametersByPath"), "{read}");
    assert!(read.contains("parameter/denied/*"), "{read}");
    let write = repository
        .store_element(&element("k"), Some("k"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            write,
            RepositoryError::AccessDenied {
                permission: "ssm:PutParameter",
                ..
            }
        ),
        "{write}"
    );
}
