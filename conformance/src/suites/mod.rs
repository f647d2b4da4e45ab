//! The suites. Each module's `properties()` names what it checks.

pub mod api;
pub mod cache;
pub mod clock;
pub mod dynamodb_api;
pub mod key_repository;
pub mod keyring;
pub mod sessions;
pub mod ssm_api;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use proptest::prelude::*;

/// One of two instances of the code under test (two servers of one application) sharing
/// the target's table or parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instance {
    A,
    B,
}

pub fn instance() -> impl Strategy<Value = Instance> {
    prop_oneof![Just(Instance::A), Just(Instance::B)]
}

/// The item under a string hash key, read strongly consistent, around any code under test.
pub async fn raw_item(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    key_name: &str,
    key: &str,
) -> Result<Option<HashMap<String, AttributeValue>>, String> {
    client
        .get_item()
        .table_name(table)
        .key(key_name, AttributeValue::S(key.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .map(|out| out.item)
        .map_err(|e| format!("GetItem {key}: {}", crate::sdk_error(&e)))
}
