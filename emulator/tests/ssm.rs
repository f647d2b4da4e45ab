//! SSM Parameter Store through the real aws-sdk-ssm client.

use std::time::Duration;

use aws_sdk_ssm::error::ProvideErrorMetadata;
use aws_sdk_ssm::types::{
    ParameterStringFilter, ParameterTier, ParameterType, ParametersFilter, ParametersFilterKey,
    ResourceTypeForTagging, Tag,
};
use aws_sdk_ssm::Client;
use emulator::TestEmulator;

/// The error code and message of a failed call.
fn failure<E: ProvideErrorMetadata>(e: E) -> (String, String) {
    (
        e.code().unwrap_or_default().to_owned(),
        e.message().unwrap_or_default().to_owned(),
    )
}

async fn put(client: &Client, name: &str, value: &str) -> i64 {
    client
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(ParameterType::String)
        .overwrite(true)
        .send()
        .await
        .unwrap()
        .version()
}

const INVALID_NAME: &str = "Parameter name: can't be prefixed with \"ssm\" (case-insensitive). \
     If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can \
     be formed as a mix of letters, numbers and the following 3 symbols .-_";

#[tokio::test]
async fn put_get_round_trip_with_metadata() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    let out = client
        .put_parameter()
        .name("/app/db/host")
        .value("db.local")
        .r#type(ParameterType::String)
        .description("the database")
        .send()
        .await
        .unwrap();
    assert_eq!(out.version(), 1);
    assert_eq!(out.tier(), Some(&ParameterTier::Standard));

    let before = emu.clock().now_millis();
    let p = client
        .get_parameter()
        .name("/app/db/host")
        .send()
        .await
        .unwrap()
        .parameter
        .unwrap();
    assert_eq!(p.name(), Some("/app/db/host"));
    assert_eq!(p.value(), Some("db.local"));
    assert_eq!(p.r#type(), Some(&ParameterType::String));
    assert_eq!(p.version(), 1);
    assert_eq!(p.data_type(), Some("text"));
    assert_eq!(
        p.arn(),
        Some("arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host")
    );
    let modified = p.last_modified_date().unwrap().to_millis().unwrap();
    assert!((before - 5_000..=before + 5_000).contains(&modified));

    // The emulated clock drives LastModifiedDate.
    emu.advance(Duration::from_secs(3600));
    put(&client, "/app/db/host", "db2.local").await;
    let p = client
        .get_parameter()
        .name("/app/db/host")
        .send()
        .await
        .unwrap()
        .parameter
        .unwrap();
    assert_eq!(p.version(), 2);
    let later = p.last_modified_date().unwrap().to_millis().unwrap();
    assert!(later - modified >= 3_600_000);

    let described = client.describe_parameters().send().await.unwrap();
    let meta = &described.parameters()[0];
    assert_eq!(meta.description(), Some("the database"));
    assert_eq!(meta.version(), 2);
    assert_eq!(meta.tier(), Some(&ParameterTier::Standard));
}

#[tokio::test]
async fn create_errors() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    put(&client, "existing", "v").await;

    let e = client
        .put_parameter()
        .name("existing")
        .value("w")
        .r#type(ParameterType::String)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ParameterAlreadyExists".into(),
            "The parameter already exists. To overwrite this value, set the overwrite option \
             in the request to true."
                .into()
        )
    );

    let e = client
        .put_parameter()
        .name("untyped")
        .value("w")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            "A parameter type is required when you create a parameter.".into()
        )
    );

    let e = client
        .put_parameter()
        .name("empty")
        .value("")
        .r#type(ParameterType::String)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            "1 validation error detected: Value '' at 'value' failed to satisfy constraint: \
             Member must have length greater than or equal to 1."
                .into()
        )
    );

    let e = client
        .put_parameter()
        .name("tagged")
        .value("w")
        .r#type(ParameterType::String)
        .overwrite(true)
        .tags(Tag::builder().key("k").value("v").build().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            "Invalid request: tags and overwrite can't be used together. To create a parameter \
             with tags, please remove overwrite flag. To update tags for an existing parameter, \
             please use AddTagsToResource or RemoveTagsFromResource."
                .into()
        )
    );

    // With Overwrite the type may be left out; it is kept.
    let out = client
        .put_parameter()
        .name("existing")
        .value("w")
        .overwrite(true)
        .send()
        .await
        .unwrap();
    assert_eq!(out.version(), 2);
}

#[tokio::test]
async fn name_rules() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    let attempt = |name: String| {
        let client = client.clone();
        async move {
            client
                .put_parameter()
                .name(name)
                .value("v")
                .r#type(ParameterType::String)
                .send()
                .await
                .map(|_| ())
                .map_err(failure)
        }
    };
    let reserved = (
        "ValidationException".to_owned(),
        "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).".to_owned(),
    );
    assert_eq!(
        attempt("awsTestParameter".into()).await,
        Err(reserved.clone())
    );
    assert_eq!(attempt("SSM-testparameter".into()).await, Err(reserved));
    assert_eq!(
        attempt("/aws/testparam1".into()).await,
        Err((
            "AccessDeniedException".into(),
            "No access to reserved parameter name: /aws/testparam1.".into()
        ))
    );
    assert_eq!(
        attempt("/ssm/x".into()).await,
        Err(("ValidationException".into(), INVALID_NAME.into()))
    );
    assert_eq!(
        attempt("Dev MySQL DB".into()).await,
        Err(("ValidationException".into(), INVALID_NAME.into()))
    );
    assert_eq!(
        attempt("/p/support@example.com".into()).await,
        Err(("ValidationException".into(), INVALID_NAME.into()))
    );
    assert_eq!(
        attempt("a/b".into()).await,
        Err((
            "ValidationException".into(),
            "Parameter name must be a fully qualified name.".into()
        ))
    );

    // 15 levels are fine, 16 are not.
    let fifteen: String = (1..=15).map(|i| format!("/l{i}")).collect();
    assert_eq!(attempt(fifteen.clone()).await, Ok(()));
    let (code, _) = attempt(format!("{fifteen}/l16")).await.unwrap_err();
    assert_eq!(code, "HierarchyLevelLimitExceededException");

    // 1011 characters including `arn:aws:ssm:us-east-1:000000000000:parameter/` (45).
    let prefix = "arn:aws:ssm:us-east-1:000000000000:parameter/".len();
    assert_eq!(attempt("n".repeat(1011 - prefix)).await, Ok(()));
    let (code, message) = attempt("n".repeat(1012 - prefix)).await.unwrap_err();
    assert_eq!(code, "ValidationException");
    assert!(message.ends_with("Member must have length less than or equal to 966"));

    let e = client
        .put_parameter()
        .name("x".repeat(2049))
        .value("v")
        .r#type(ParameterType::String)
        .send()
        .await
        .unwrap_err();
    let (code, message) = failure(e);
    assert_eq!(code, "ValidationException");
    assert!(message.starts_with("1 validation error detected: Value 'xxx"));
    assert!(message.ends_with(
        "at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048"
    ));
}

#[tokio::test]
async fn leading_slash_is_the_same_parameter() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    put(&client, "foo", "1").await;
    let e = client
        .put_parameter()
        .name("/foo")
        .value("2")
        .r#type(ParameterType::String)
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(e).0, "ParameterAlreadyExists");
    assert_eq!(put(&client, "/foo", "2").await, 2);
    let p = client
        .get_parameter()
        .name("/foo")
        .send()
        .await
        .unwrap()
        .parameter
        .unwrap();
    assert_eq!(p.value(), Some("2"));
    assert_eq!(p.name(), Some("foo"));
    assert_eq!(
        p.arn(),
        Some("arn:aws:ssm:us-east-1:000000000000:parameter/foo")
    );
    client.delete_parameter().name("/foo").send().await.unwrap();
    let e = client.get_parameter().name("foo").send().await.unwrap_err();
    assert_eq!(failure(e), ("ParameterNotFound".into(), String::new()));
}

#[tokio::test]
async fn tier_boundaries() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    let attempt = |name: &'static str, len: usize, tier: Option<ParameterTier>| {
        let client = client.clone();
        async move {
            client
                .put_parameter()
                .name(name)
                .value("x".repeat(len))
                .r#type(ParameterType::String)
                .set_tier(tier)
                .send()
                .await
                .map(|o| o.tier().cloned())
                .map_err(failure)
        }
    };
    assert_eq!(
        attempt("s4096", 4096, None).await,
        Ok(Some(ParameterTier::Standard))
    );
    assert_eq!(
        attempt("s4097", 4097, Some(ParameterTier::Standard)).await,
        Err((
            "ValidationException".into(),
            "Standard tier parameters support a maximum parameter value of 4096 characters. To \
             create a larger parameter value, upgrade the parameter to use the \
             advanced-parameter tier. For more information, see \
             https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
                .into()
        ))
    );
    assert_eq!(
        attempt("a8192", 8192, Some(ParameterTier::Advanced)).await,
        Ok(Some(ParameterTier::Advanced))
    );
    assert_eq!(
        attempt("a8193", 8193, Some(ParameterTier::Advanced)).await,
        Err((
            "ValidationException".into(),
            "The specified parameter value is too large. Advanced-tier parameters support a \
             maximum parameter value of 8192 characters."
                .into()
        ))
    );
    assert_eq!(
        attempt("i4096", 4096, Some(ParameterTier::IntelligentTiering)).await,
        Ok(Some(ParameterTier::Standard))
    );
    assert_eq!(
        attempt("i4097", 4097, Some(ParameterTier::IntelligentTiering)).await,
        Ok(Some(ParameterTier::Advanced))
    );
    assert_eq!(
        attempt("i8193", 8193, Some(ParameterTier::IntelligentTiering))
            .await
            .unwrap_err()
            .0,
        "ValidationException"
    );
    // Characters, not bytes: 4096 two-byte characters still fit the standard tier.
    let out = client
        .put_parameter()
        .name("wide")
        .value("é".repeat(4096))
        .r#type(ParameterType::String)
        .send()
        .await
        .unwrap();
    assert_eq!(out.tier(), Some(&ParameterTier::Standard));

    // An advanced parameter cannot go back to standard.
    let e = client
        .put_parameter()
        .name("a8192")
        .value("small")
        .overwrite(true)
        .tier(ParameterTier::Standard)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            "This parameter uses the advanced-parameter tier. You can't downgrade a parameter \
             from the advanced-parameter tier to the standard-parameter tier. If necessary, you \
             can delete the advanced parameter and recreate it as a standard parameter."
                .into()
        )
    );
}

#[tokio::test]
async fn secure_strings_are_sealed() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    client
        .put_parameter()
        .name("/web/cookie-key")
        .value("s3cret-key")
        .r#type(ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let hidden = client
        .get_parameter()
        .name("/web/cookie-key")
        .send()
        .await
        .unwrap()
        .parameter
        .unwrap();
    let hidden_value = hidden.value().unwrap().to_owned();
    assert_ne!(hidden_value, "s3cret-key");
    assert!(!hidden_value.contains("s3cret"));
    use base64::Engine;
    assert!(base64::engine::general_purpose::STANDARD
        .decode(&hidden_value)
        .is_ok());

    let plain = client
        .get_parameter()
        .name("/web/cookie-key")
        .with_decryption(true)
        .send()
        .await
        .unwrap()
        .parameter
        .unwrap();
    assert_eq!(plain.value(), Some("s3cret-key"));

    // Every write has its own ciphertext, even of the same plaintext.
    client
        .put_parameter()
        .name("/web/cookie-key")
        .value("s3cret-key")
        .overwrite(true)
        .send()
        .await
        .unwrap();
    let again = client
        .get_parameter()
        .name("/web/cookie-key")
        .send()
        .await
        .unwrap()
        .parameter
        .unwrap();
    assert_eq!(again.version(), 2);
    assert_ne!(again.value(), Some(hidden_value.as_str()));

    // KeyId: the default, or the caller's.
    client
        .put_parameter()
        .name("/web/other")
        .value("x")
        .r#type(ParameterType::SecureString)
        .key_id("alias/custom")
        .send()
        .await
        .unwrap();
    let described = client.describe_parameters().send().await.unwrap();
    let key_ids: Vec<_> = described
        .parameters()
        .iter()
        .map(|p| (p.name().unwrap(), p.key_id()))
        .collect();
    assert_eq!(
        key_ids,
        vec![
            ("/web/cookie-key", Some("alias/aws/ssm")),
            ("/web/other", Some("alias/custom"))
        ]
    );

    let history = client
        .get_parameter_history()
        .name("/web/cookie-key")
        .with_decryption(true)
        .send()
        .await
        .unwrap();
    let values: Vec<_> = history.parameters().iter().map(|h| h.value()).collect();
    assert_eq!(values, vec![Some("s3cret-key"), Some("s3cret-key")]);
}

#[tokio::test]
async fn selectors_labels_and_history() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    for v in ["one", "two", "three"] {
        put(&client, "/cfg/key", v).await;
    }
    let get = |name: &'static str| {
        let client = client.clone();
        async move {
            client
                .get_parameter()
                .name(name)
                .send()
                .await
                .map(|o| o.parameter.unwrap())
                .map_err(failure)
        }
    };
    let p = get("/cfg/key:2").await.unwrap();
    assert_eq!(
        (p.value(), p.version(), p.selector()),
        (Some("two"), 2, Some(":2"))
    );
    assert_eq!(p.name(), Some("/cfg/key"));
    assert_eq!(
        get("/cfg/key:9").await.unwrap_err(),
        (
            "ParameterVersionNotFound".into(),
            "Systems Manager could not find version 9 of /cfg/key. Verify the version and try \
             again."
                .into()
        )
    );

    let labelled = client
        .label_parameter_version()
        .name("/cfg/key")
        .parameter_version(1)
        .labels("prod")
        .labels("1bad")
        .labels("awsy")
        .send()
        .await
        .unwrap();
    assert_eq!(labelled.parameter_version(), 1);
    assert_eq!(labelled.invalid_labels(), ["1bad", "awsy"]);
    let p = get("/cfg/key:prod").await.unwrap();
    assert_eq!((p.value(), p.selector()), (Some("one"), Some(":prod")));
    assert_eq!(
        get("/cfg/key:staging").await.unwrap_err().0,
        "ParameterNotFound"
    );

    // Labelling the latest version moves the label.
    let moved = client
        .label_parameter_version()
        .name("/cfg/key")
        .labels("prod")
        .send()
        .await
        .unwrap();
    assert_eq!(moved.parameter_version(), 3);
    assert_eq!(get("/cfg/key:prod").await.unwrap().value(), Some("three"));

    let e = client
        .label_parameter_version()
        .name("/cfg/key")
        .parameter_version(7)
        .labels("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(e).0, "ParameterVersionNotFound");

    let mut request = client
        .label_parameter_version()
        .name("/cfg/key")
        .parameter_version(2);
    for i in 0..10 {
        request = request.labels(format!("l{i}"));
    }
    request.send().await.unwrap();
    let e = client
        .label_parameter_version()
        .name("/cfg/key")
        .parameter_version(2)
        .labels("eleventh")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ParameterVersionLabelLimitExceeded".into(),
            "A parameter version can have maximum 10 labels.Move one or more labels to another \
             version and try again."
                .into()
        )
    );

    let history = client
        .get_parameter_history()
        .name("/cfg/key")
        .send()
        .await
        .unwrap();
    let rows: Vec<_> = history
        .parameters()
        .iter()
        .map(|h| (h.version(), h.value().unwrap(), h.labels().len()))
        .collect();
    assert_eq!(rows, vec![(1, "one", 0), (2, "two", 10), (3, "three", 1)]);
    let e = client
        .get_parameter_history()
        .name("/missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(e).0, "ParameterNotFound");
}

#[tokio::test]
async fn hundred_version_limit() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    for i in 1..=100 {
        assert_eq!(put(&client, "busy", &i.to_string()).await, i);
    }
    // The 101st version drops version 1.
    assert_eq!(put(&client, "busy", "101").await, 101);
    let mut versions = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .get_parameter_history()
            .name("busy")
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        versions.extend(page.parameters().iter().map(|h| h.version()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(versions, (2..=101).collect::<Vec<_>>());

    // A label on the oldest version blocks the next write.
    client
        .label_parameter_version()
        .name("busy")
        .parameter_version(2)
        .labels("pinned")
        .send()
        .await
        .unwrap();
    let e = client
        .put_parameter()
        .name("busy")
        .value("102")
        .overwrite(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ParameterMaxVersionLimitExceeded".into(),
            "You attempted to create a new version of busy by calling the PutParameter API with \
             the overwrite flag. Version 2, the oldest version, can't be deleted because it has \
             a label associated with it. Move the label to another version of the parameter, \
             and try again."
                .into()
        )
    );
}

#[tokio::test]
async fn get_parameters_and_delete_parameters() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    put(&client, "/a", "1").await;
    put(&client, "/b", "2").await;
    let out = client
        .get_parameters()
        .names("/a")
        .names("/nope")
        .names("/b:1")
        .names("/b:5")
        .send()
        .await
        .unwrap();
    let found: Vec<_> = out
        .parameters()
        .iter()
        .map(|p| p.value().unwrap())
        .collect();
    assert_eq!(found, vec!["1", "2"]);
    assert_eq!(out.invalid_parameters(), ["/nope", "/b:5"]);

    let eleven: Vec<String> = (0..11).map(|i| format!("n{i}")).collect();
    let e = client
        .get_parameters()
        .set_names(Some(eleven.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            format!(
                "1 validation error detected: Value '[{}]' at 'names' failed to satisfy \
                 constraint: Member must have length less than or equal to 10",
                eleven.join(", ")
            )
        )
    );

    let out = client
        .delete_parameters()
        .names("/a")
        .names("/nope")
        .send()
        .await
        .unwrap();
    assert_eq!(out.deleted_parameters(), ["/a"]);
    assert_eq!(out.invalid_parameters(), ["/nope"]);
    let e = client
        .delete_parameter()
        .name("/a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(e), ("ParameterNotFound".into(), String::new()));
}

#[tokio::test]
async fn by_path_children_filters_and_validation() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    put(&client, "/app", "root").await;
    put(&client, "/app/a", "1").await;
    put(&client, "/app/b/c", "2").await;
    put(&client, "/apple", "3").await;
    client
        .put_parameter()
        .name("/app/secret")
        .value("s")
        .r#type(ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let names = |recursive: bool, filter: Option<ParameterStringFilter>| {
        let client = client.clone();
        async move {
            let out = client
                .get_parameters_by_path()
                .path("/app")
                .recursive(recursive)
                .set_parameter_filters(filter.map(|f| vec![f]))
                .send()
                .await
                .unwrap();
            out.parameters()
                .iter()
                .map(|p| p.name().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(names(false, None).await, vec!["/app/a", "/app/secret"]);
    assert_eq!(
        names(true, None).await,
        vec!["/app/a", "/app/b/c", "/app/secret"]
    );
    let secure_only = ParameterStringFilter::builder()
        .key("Type")
        .values("SecureString")
        .build()
        .unwrap();
    assert_eq!(names(true, Some(secure_only)).await, vec!["/app/secret"]);

    let e = client
        .get_parameters_by_path()
        .path("/app")
        .max_results(11)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            "1 validation error detected: Value '11' at 'maxResults' failed to satisfy \
             constraint: Member must have value less than or equal to 10"
                .into()
        )
    );
    let e = client
        .get_parameters_by_path()
        .path("app")
        .send()
        .await
        .unwrap_err();
    let (code, message) = failure(e);
    assert_eq!(code, "ValidationException");
    assert!(message.starts_with(
        "The parameter doesn't meet the parameter name requirements. The parameter name must \
         begin with a forward slash \"/\"."
    ));
    let e = client
        .get_parameters_by_path()
        .path("/app")
        .parameter_filters(
            ParameterStringFilter::builder()
                .key("Name")
                .values("x")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "InvalidFilterKey".into(),
            "The following filter key is not valid: Name. Valid filter keys include: [Type, \
             KeyId]."
                .into()
        )
    );
    let e = client
        .get_parameters_by_path()
        .path("/app")
        .parameter_filters(
            ParameterStringFilter::builder()
                .key("Type")
                .values("Number")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "InvalidFilterValue".into(),
            "The following filter value is not valid: Number. Valid values include: [String, \
             StringList, SecureString]."
                .into()
        )
    );
    let e = client
        .get_parameters_by_path()
        .path("/app")
        .parameter_filters(
            ParameterStringFilter::builder()
                .key("Bogus")
                .values("x")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            "1 validation error detected: Value 'Bogus' at 'parameterFilters.1.member.key' \
             failed to satisfy constraint: Member must satisfy regular expression pattern: \
             tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType"
                .into()
        )
    );
    let e = client
        .get_parameters_by_path()
        .path("/app")
        .next_token("garbage!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(e).0, "InvalidNextToken");
}

#[tokio::test]
async fn by_path_label_filter_returns_labelled_version() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    put(&client, "/svc/x", "old").await;
    put(&client, "/svc/x", "new").await;
    put(&client, "/svc/y", "unlabelled").await;
    client
        .label_parameter_version()
        .name("/svc/x")
        .parameter_version(1)
        .labels("stable")
        .send()
        .await
        .unwrap();
    let out = client
        .get_parameters_by_path()
        .path("/svc")
        .parameter_filters(
            ParameterStringFilter::builder()
                .key("Label")
                .values("stable")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let rows: Vec<_> = out
        .parameters()
        .iter()
        .map(|p| (p.name().unwrap(), p.value().unwrap(), p.version()))
        .collect();
    assert_eq!(rows, vec![("/svc/x", "old", 1)]);
}

#[tokio::test]
async fn paging_survives_concurrent_writes() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    for i in 0..25 {
        put(&client, &format!("/farm/key{i:02}"), "v").await;
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = client
            .get_parameters_by_path()
            .path("/farm")
            .max_results(4)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        assert!(page.parameters().len() <= 4);
        seen.extend(
            page.parameters()
                .iter()
                .map(|p| p.name().unwrap().to_owned()),
        );
        pages += 1;
        // Other writers keep going between pages: new keys before and after the cursor, and
        // a deletion of one not yet returned.
        let writer = client.clone();
        let n = pages;
        tokio::spawn(async move {
            put(&writer, &format!("/farm/aaa{n:02}"), "early").await;
            put(&writer, &format!("/farm/zzz{n:02}"), "late").await;
        })
        .await
        .unwrap();
        if pages == 2 {
            client
                .delete_parameter()
                .name("/farm/key20")
                .send()
                .await
                .unwrap();
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let originals: Vec<String> = (0..25)
        .filter(|i| *i != 20)
        .map(|i| format!("/farm/key{i:02}"))
        .collect();
    let seen_originals: Vec<String> = seen
        .iter()
        .filter(|n| n.starts_with("/farm/key"))
        .cloned()
        .collect();
    assert_eq!(seen_originals, originals);
    // Keys written after the cursor passed them are picked up; none appear twice.
    assert!(seen.iter().any(|n| n.starts_with("/farm/zzz")));
    let mut deduped = seen.clone();
    deduped.dedup();
    assert_eq!(deduped, seen);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(sorted, seen);
}

#[tokio::test]
async fn describe_filters() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    put(&client, "/a/one", "1").await;
    put(&client, "/a/b/two", "2").await;
    put(&client, "three", "3").await;
    let names = |filter: ParameterStringFilter| {
        let client = client.clone();
        async move {
            client
                .describe_parameters()
                .parameter_filters(filter)
                .send()
                .await
                .map(|o| {
                    o.parameters()
                        .iter()
                        .map(|p| p.name().unwrap().to_owned())
                        .collect::<Vec<_>>()
                })
                .map_err(failure)
        }
    };
    let f = |key: &str, option: Option<&str>, value: &str| {
        ParameterStringFilter::builder()
            .key(key)
            .set_option(option.map(str::to_owned))
            .values(value)
            .build()
            .unwrap()
    };
    assert_eq!(
        names(f("Path", None, "/a")).await,
        Ok(vec!["/a/one".into()])
    );
    assert_eq!(
        names(f("Path", Some("Recursive"), "/a")).await,
        Ok(vec!["/a/b/two".into(), "/a/one".into()])
    );
    assert_eq!(
        names(f("Name", Some("BeginsWith"), "/a/b")).await,
        Ok(vec!["/a/b/two".into()])
    );
    assert_eq!(
        names(f("Name", None, "three")).await,
        Ok(vec!["three".into()])
    );
    assert_eq!(
        names(f("Label", None, "x")).await,
        Err((
            "InvalidFilterKey".into(),
            "The following filter key is not valid: Label. Valid filter keys include: [Path, \
             Name, Type, KeyId, Tier]."
                .into()
        ))
    );
    assert_eq!(
        names(f("Path", Some("Deep"), "/a")).await,
        Err((
            "InvalidFilterOption".into(),
            "The following filter option is not valid: Deep. Valid options include: \
             [Recursive, OneLevel]."
                .into()
        ))
    );
    let e = client
        .describe_parameters()
        .filters(
            ParametersFilter::builder()
                .key(ParametersFilterKey::Name)
                .values("/a")
                .build()
                .unwrap(),
        )
        .parameter_filters(f("Type", None, "String"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            "You can use either Filters or ParameterFilters in a single request.".into()
        )
    );
    let legacy = client
        .describe_parameters()
        .filters(
            ParametersFilter::builder()
                .key(ParametersFilterKey::Name)
                .values("/a/")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.parameters().len(), 2);
}

#[tokio::test]
async fn allowed_pattern_and_data_type() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    client
        .put_parameter()
        .name("port")
        .value("8080")
        .r#type(ParameterType::String)
        .allowed_pattern(r"^\d+$")
        .send()
        .await
        .unwrap();
    // An overwrite without a pattern is still held to the stored one.
    let e = client
        .put_parameter()
        .name("port")
        .value("eighty")
        .overwrite(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ParameterPatternMismatchException".into(),
            r"Parameter value, cannot be validated against allowedPattern: ^\d+$".into()
        )
    );
    let e = client
        .put_parameter()
        .name("bad-pattern")
        .value("x")
        .r#type(ParameterType::String)
        .allowed_pattern("(")
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(e).0, "InvalidAllowedPatternException");
    let e = client
        .put_parameter()
        .name("typed")
        .value("x")
        .r#type(ParameterType::String)
        .data_type("Text")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(e),
        (
            "ValidationException".into(),
            "The following data type is not supported: Text (Data type names are all \
             lowercase.)"
                .into()
        )
    );
}

#[tokio::test]
async fn tags() {
    let emu = TestEmulator::start();
    let client = emu.ssm_client();
    client
        .put_parameter()
        .name("/t/p")
        .value("v")
        .r#type(ParameterType::String)
        .tags(Tag::builder().key("team").value("web").build().unwrap())
        .send()
        .await
        .unwrap();
    client
        .add_tags_to_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id("/t/p")
        .tags(Tag::builder().key("env").value("prod").build().unwrap())
        .tags(Tag::builder().key("team").value("ops").build().unwrap())
        .send()
        .await
        .unwrap();
    let list = || {
        let client = client.clone();
        async move {
            client
                .list_tags_for_resource()
                .resource_type(ResourceTypeForTagging::Parameter)
                .resource_id("/t/p")
                .send()
                .await
                .unwrap()
                .tag_list()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list().await,
        vec![("env".into(), "prod".into()), ("team".into(), "ops".into())]
    );
    client
        .remove_tags_from_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id("/t/p")
        .tag_keys("team")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    assert_eq!(list().await, vec![("env".into(), "prod".into())]);

    let e = client
        .list_tags_for_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id("/t/none")
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(e), ("InvalidResourceId".into(), String::new()));
    let e = client
        .list_tags_for_resource()
        .resource_type(ResourceTypeForTagging::Document)
        .resource_id("doc")
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(e), ("InvalidResourceType".into(), String::new()));
    let mut add = client
        .add_tags_to_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id("/t/p");
    for i in 0..50 {
        add = add.tags(
            Tag::builder()
                .key(format!("k{i}"))
                .value("v")
                .build()
                .unwrap(),
        );
    }
    assert_eq!(failure(add.send().await.unwrap_err()).0, "TooManyTagsError");

    // Deleting a parameter drops its tags with it.
    client.delete_parameter().name("/t/p").send().await.unwrap();
    put(&client, "/t/p", "again").await;
    assert_eq!(list().await, Vec::<(String, String)>::new());
}

#[tokio::test]
async fn namespaces_are_separate() {
    let emu = TestEmulator::start();
    let a = emu.ssm_client_as("AKIDA", "us-east-1");
    let b = emu.ssm_client_as("AKIDB", "us-east-1");
    let west = emu.ssm_client_as("AKIDA", "eu-west-1");
    put(&a, "shared-name", "a").await;
    assert_eq!(
        failure(
            b.get_parameter()
                .name("shared-name")
                .send()
                .await
                .unwrap_err()
        )
        .0,
        "ParameterNotFound"
    );
    put(&west, "shared-name", "west").await;
    let p = west
        .get_parameter()
        .name("shared-name")
        .send()
        .await
        .unwrap()
        .parameter
        .unwrap();
    assert_eq!(
        p.arn(),
        Some("arn:aws:ssm:eu-west-1:000000000000:parameter/shared-name")
    );
    emu.reset();
    assert_eq!(
        failure(
            a.get_parameter()
                .name("shared-name")
                .send()
                .await
                .unwrap_err()
        )
        .0,
        "ParameterNotFound"
    );
}
