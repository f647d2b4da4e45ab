//! The DynamoDB key repository against the emulator: the repository contract, paging
//! through `LastEvaluatedKey`, corrupt items skipped, table creation, conditional writes,
//! ordered deletion, denied access, and the lab's two-instance ending with the ring in
//! DynamoDB. These need the emulator's Query operation.

mod common;
mod keyring_support;

#[path = "../examples/view_counter/app.rs"]
mod app;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, KeyType, ScalarAttributeType};
use common::browser::Browser;
use common::*;
use emulator::harness::TestEmulator;
use keyring_support::*;
use session_store::keyring::{
    CookieProtection, DynamoDbXmlRepository, KeyRingManager, ProtectedCookieLayer, RepositoryError,
    XmlElement, XmlRepository,
};
use session_store::{DynamoDbCache, DynamoDbSessionStore};

const KEYS: &str = "dataprotection-keys";

fn repository(client: aws_sdk_dynamodb::Client) -> DynamoDbXmlRepository {
    DynamoDbXmlRepository::builder(client, KEYS)
        .create_table_if_not_exists(true)
        .table_poll_interval(Duration::from_millis(20))
        .build()
}

#[tokio::test]
async fn dynamodb_repository_meets_the_contract() {
    let emu = TestEmulator::start();
    repository_contract(&repository(emu.dynamodb_client())).await;
}

#[tokio::test]
async fn an_existing_table_with_custom_names_needs_no_control_plane_call() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(
        &client,
        "keys",
        &[
            ("app", KeyType::Hash, ScalarAttributeType::S),
            ("name", KeyType::Range, ScalarAttributeType::S),
        ],
    )
    .await;
    let log = OperationLog::default();
    let repository = DynamoDbXmlRepository::builder(log.attach(&client), "keys")
        .partition_key_name("app")
        .sort_key_name("name")
        .partition_value("shop")
        .xml_attribute_name("document")
        .friendly_name_attribute_name("label")
        .build();
    repository
        .store_element(&element("k1"), Some("key-k1"))
        .await
        .unwrap();
    assert_eq!(repository.get_all_elements().await.unwrap().len(), 1);
    assert_eq!(log.operations(), vec!["PutItem", "Query"]);
    let item = client
        .get_item()
        .table_name("keys")
        .key("app", AttributeValue::S("shop".into()))
        .key("name", AttributeValue::S("key-k1".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(item["label"], AttributeValue::S("key-k1".into()));
    assert!(matches!(&item["document"], AttributeValue::S(xml) if xml.contains("k1")));
    // Another partition value is another ring.
    let other = DynamoDbXmlRepository::builder(client, "keys")
        .partition_key_name("app")
        .sort_key_name("name")
        .partition_value("blog")
        .build();
    assert!(other.get_all_elements().await.unwrap().is_empty());
}

#[tokio::test]
async fn reads_follow_last_evaluated_key_to_the_end() {
    let emu = TestEmulator::start();
    let log = OperationLog::default();
    let repository = repository(log.attach(&emu.dynamodb_client()));
    // About 1.3 MB of elements: more than one 1 MB Query page.
    let padding = "p".repeat(7_000);
    for i in 0..190 {
        let element = element(&format!("k{i:03}"))
            .with_child(XmlElement::new("padding").with_text(padding.clone()));
        repository.store_element(&element, None).await.unwrap();
    }
    let elements = repository.get_all_elements().await.unwrap();
    assert_eq!(elements.len(), 190);
    let queries = log.operations().iter().filter(|o| *o == "Query").count();
    assert!(queries >= 2, "one page only: {queries} queries");
}

#[tokio::test]
async fn corrupt_items_are_skipped() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    let repository = repository(client.clone());
    repository
        .store_element(&element("good"), Some("good"))
        .await
        .unwrap();
    for (name, xml) in [
        (
            "broken",
            Some(AttributeValue::S("<key id=\"x\"></missing-endtag>".into())),
        ),
        ("wrong-type", Some(AttributeValue::N("1".into()))),
        ("missing", None),
    ] {
        let mut request = client
            .put_item()
            .table_name(KEYS)
            .item("pk", AttributeValue::S("DataProtection".into()))
            .item("sk", AttributeValue::S(name.into()));
        if let Some(xml) = xml {
            request = request.item("xml", xml);
        }
        request.send().await.unwrap();
    }
    let elements = repository.get_all_elements().await.unwrap();
    assert_eq!(elements.len(), 1);
    assert_eq!(elements[0].attribute("id"), Some("good"));
}

#[tokio::test]
async fn deletion_stops_at_the_first_failure_and_denied_access_is_named() {
    let emu = TestEmulator::start();
    let faults = Faults::default();
    let repository = repository(faults.dynamodb(&emu.dynamodb_client()));
    for id in ["a", "b", "c"] {
        repository
            .store_element(&element(id), Some(id))
            .await
            .unwrap();
    }
    faults.add(Fault::access_denied("DeleteItem"));
    let deleted = repository
        .remove_elements(&mut |elements| {
            for (order, e) in elements.iter_mut().enumerate() {
                e.deletion_order = Some(order as i32);
            }
        })
        .await
        .unwrap();
    assert!(!deleted);
    assert_eq!(faults.count("DeleteItem"), 1);
    assert_eq!(repository.get_all_elements().await.unwrap().len(), 3);
    faults.add(Fault::access_denied("Query"));
    let err = repository.get_all_elements().await.unwrap_err();
    assert!(
        matches!(
            err,
            RepositoryError::AccessDenied {
                permission: "dynamodb:Query",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn the_key_ring_works_on_dynamodb() {
    let emu = TestEmulator::start();
    let ring = KeyRingManager::builder(repository(emu.dynamodb_client()))
        .clock(keyring_support::emulator_clock(&emu))
        .build();
    let protector = ring.create_protector("dynamodb");
    let payload = protector.protect(b"hello").await.unwrap();
    emu.advance(DAY * 88);
    // The successor is made three days before expiry.
    ring.refresh().await.unwrap();
    assert_eq!(ring.all_keys().await.unwrap().len(), 2);
    assert_eq!(protector.unprotect(&payload).await.unwrap(), b"hello");
}

fn instance(emu: &TestEmulator, partition: &str) -> axum::Router {
    let cache = DynamoDbCache::builder(emu.dynamodb_client())
        .table_name(TABLE)
        .partition_key_name("id")
        .ttl_attribute_name("ttl_date")
        .clock(keyring_support::emulator_clock(emu))
        .build()
        .unwrap();
    let store = DynamoDbSessionStore::new(cache).rebase_expiry_on_cache_clock(true);
    let keys: Arc<dyn XmlRepository> = Arc::new(
        DynamoDbXmlRepository::builder(emu.dynamodb_client(), KEYS)
            .partition_value(partition)
            .create_table_if_not_exists(true)
            .table_poll_interval(Duration::from_millis(20))
            .build(),
    );
    let ring = KeyRingManager::builder_shared(keys)
        .clock(keyring_support::emulator_clock(emu))
        .build();
    let layer = ProtectedCookieLayer::new(
        ring.create_protector("view-counter")
            .create_protector("SessionMiddleware"),
        "id",
        CookieProtection::Private,
    );
    app::protected_router(store, time::Duration::minutes(30), layer)
}

#[tokio::test]
async fn two_instances_sharing_the_dynamodb_key_ring_keep_counting() {
    let emu = TestEmulator::start();
    cache(&emu).await;
    let instances = [
        instance(&emu, "view-counter"),
        instance(&emu, "view-counter"),
    ];
    let mut browser = Browser::default();
    for n in 1..=6 {
        assert_eq!(
            browser.visit(&instances[n % 2]).await,
            format!("You visited {n} times")
        );
    }
    // A ring per instance (another partition each): every switch starts over.
    let separate = [instance(&emu, "instance-a"), instance(&emu, "instance-b")];
    let mut browser = Browser::default();
    for n in 1..=4 {
        assert_eq!(browser.visit(&separate[n % 2]).await, "You visited 1 times");
    }
}
