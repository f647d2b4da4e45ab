//! Expressions through the real aws-sdk-dynamodb client: PutItem conditions (expression and
//! legacy `Expected`) and GetItem projections.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ComparisonOperator, ExpectedAttributeValue,
    KeySchemaElement, KeyType, ScalarAttributeType,
};
use emulator::TestEmulator;

async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str) {
    client
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.into())
}

#[tokio::test]
async fn put_item_condition_expression() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(&client, "things").await;

    let put_new = || {
        client
            .put_item()
            .table_name("things")
            .item("pk", s("a"))
            .item("v", n("1"))
            .condition_expression("attribute_not_exists(pk)")
    };
    put_new().send().await.unwrap();
    let err = put_new().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ConditionalCheckFailedException"));
    assert_eq!(err.message(), Some("The conditional request failed"));

    // Optimistic update guarded by the current version, with reserved-word placeholders.
    client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .item("v", n("2"))
        .condition_expression("#v = :old AND size(#pk) = :one")
        .expression_attribute_names("#v", "v")
        .expression_attribute_names("#pk", "pk")
        .expression_attribute_values(":old", n("1.0"))
        .expression_attribute_values(":one", n("1"))
        .send()
        .await
        .unwrap();

    let err = client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .condition_expression("data = :x")
        .expression_attribute_values(":x", s("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(
        err.message(),
        Some("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: data")
    );

    let err = client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .condition_expression("v = :x")
        .expression_attribute_values(":x", s("x"))
        .expression_attribute_values(":y", s("y"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}")
    );
}

#[tokio::test]
async fn put_item_expected_lock() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(&client, "sessions").await;
    client
        .put_item()
        .table_name("sessions")
        .item("pk", s("id"))
        .item("Locked", n("0"))
        .send()
        .await
        .unwrap();

    let lock = || {
        client
            .put_item()
            .table_name("sessions")
            .item("pk", s("id"))
            .item("Locked", n("1"))
            .expected(
                "Locked",
                ExpectedAttributeValue::builder().value(n("0")).build(),
            )
    };
    lock().send().await.unwrap();
    let err = lock().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ConditionalCheckFailedException"));

    let err = client
        .put_item()
        .table_name("sessions")
        .item("pk", s("id"))
        .expected(
            "Locked",
            ExpectedAttributeValue::builder()
                .comparison_operator(ComparisonOperator::Between)
                .attribute_value_list(n("1"))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator")
    );
}

#[tokio::test]
async fn get_item_projection_expression() {
    let emu = TestEmulator::start();
    let client = emu.dynamodb_client();
    create_table(&client, "things").await;
    client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .item(
            "doc",
            AttributeValue::M(
                [
                    ("x".to_string(), n("1")),
                    (
                        "y".to_string(),
                        AttributeValue::L(vec![s("p"), s("q"), s("r")]),
                    ),
                ]
                .into(),
            ),
        )
        .item("other", s("o"))
        .send()
        .await
        .unwrap();

    let got = client
        .get_item()
        .table_name("things")
        .key("pk", s("a"))
        .projection_expression("doc.y[2], #o")
        .expression_attribute_names("#o", "other")
        .send()
        .await
        .unwrap();
    let item = got.item().unwrap();
    assert_eq!(item.len(), 2);
    assert_eq!(item["other"], s("o"));
    assert_eq!(
        item["doc"],
        AttributeValue::M([("y".to_string(), AttributeValue::L(vec![s("r")]))].into())
    );

    let err = client
        .get_item()
        .table_name("things")
        .key("pk", s("a"))
        .projection_expression("doc, doc.x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [doc], path two: [doc, x]")
    );
}
