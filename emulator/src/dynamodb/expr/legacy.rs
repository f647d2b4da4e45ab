//! The pre-expression parameters that real clients still send: `Expected` (the classic
//! session provider's lock), `AttributeUpdates` (the .NET cache provider's refresh),
//! `AttributesToGet` and `ConditionalOperator`.

use serde::Deserialize;

use crate::dynamodb::model::RawAttributeValue;

/// One entry of `Expected`.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ExpectedAttributeValue {
    pub value: Option<RawAttributeValue>,
    pub exists: Option<bool>,
    pub comparison_operator: Option<String>,
    pub attribute_value_list: Option<Vec<RawAttributeValue>>,
}

/// One entry of `AttributeUpdates`.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValueUpdate {
    pub value: Option<RawAttributeValue>,
    pub action: Option<String>,
}
