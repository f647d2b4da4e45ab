//! TagResource, and the table-ARN resolution the three tagging operations share.

use std::sync::Arc;

use serde::Deserialize;

use crate::dynamodb::arn::{parse_table_arn, ArnProblem};
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::storage::Table;
use crate::dynamodb::{Ctx, Operation};

/// DynamoDB's limit on tags per resource.
pub const MAX_TAGS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub resource_arn: Option<String>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Deserialize, serde::Serialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: Option<String>,
    pub value: Option<String>,
}

#[derive(serde::Serialize)]
pub struct Output {}

/// The table a tagging request's `ResourceArn` names, as DynamoDB words each failure.
pub fn table_of_arn(ctx: &Ctx, arn: Option<&str>) -> Result<Arc<Table>> {
    let Some(arn) = arn else {
        return Err(DynamoError::validation("Invalid TableArn"));
    };
    let invalid = || DynamoError::invalid_table_arn(arn);
    let parsed = parse_table_arn(arn).map_err(|problem| match problem {
        ArnProblem::NotArn => {
            DynamoError::invalid_parameter(format!("ARNs must start with 'arn:': {arn}"))
        }
        ArnProblem::NotDynamoDb => DynamoError::invalid_parameter(format!(
            "Provided Arn is not a DynamoDB resource arn: {arn}"
        )),
        ArnProblem::NotTable => DynamoError::invalid_parameter(format!(
            "Invalid resource arn provided, only table or stream is accepted. Provided resource \
             arn: {arn}"
        )),
        ArnProblem::Malformed => invalid(),
    })?;
    if !parsed.is_local(&ctx.ns.region) || parsed.name.len() < 3 {
        return Err(invalid());
    }
    // Today's wording (older recordings had "ResourcArn").
    ctx.db.table(ctx.ns, parsed.name).ok_or_else(|| {
        DynamoError::ResourceNotFound(format!(
            "Requested resource not found: ResourceArn: {arn} not found"
        ))
    })
}

/// Checks tags as DynamoDB does (lengths, the reserved `aws:` prefix, duplicates) and
/// returns them as key-value pairs.
pub fn checked_tags(tags: &[Tag]) -> Result<Vec<(String, String)>> {
    let mut c = Constraints::new();
    for (i, tag) in tags.iter().enumerate() {
        let path = format!("tags.{}.member", i + 1);
        match &tag.key {
            None => c.missing(&format!("{path}.key")),
            Some(k) if k.is_empty() => c.fail(
                k,
                &format!("{path}.key"),
                "Member must have length greater than or equal to 1",
            ),
            Some(k) if k.chars().count() > 128 => c.fail(
                k,
                &format!("{path}.key"),
                "Member must have length less than or equal to 128",
            ),
            _ => {}
        }
        match &tag.value {
            None => c.missing(&format!("{path}.value")),
            Some(v) if v.chars().count() > 256 => c.fail(
                v,
                &format!("{path}.value"),
                "Member must have length less than or equal to 256",
            ),
            _ => {}
        }
    }
    c.finish()?;
    let mut out: Vec<(String, String)> = Vec::with_capacity(tags.len());
    for tag in tags {
        let key = tag.key.clone().unwrap_or_default();
        if key.starts_with("aws:") {
            return Err(DynamoError::validation(format!(
                "Tag Key cannot be prefixed with aws:, Key: {key}"
            )));
        }
        if out.iter().any(|(k, _)| *k == key) {
            return Err(DynamoError::validation(format!(
                "Duplicate Tag Keys provided as input: Duplicate Tag Key found {key}"
            )));
        }
        out.push((key, tag.value.clone().unwrap_or_default()));
    }
    Ok(out)
}

/// Adds (or replaces) tags within the per-resource limit.
pub fn add_tags(table: &Table, tags: Vec<(String, String)>) -> Result<()> {
    table.update_settings(|s| {
        let added = tags.iter().filter(|(k, _)| !s.tags.contains_key(k)).count();
        if s.tags.len() + added > MAX_TAGS {
            return Err(DynamoError::validation(
                "Number of Tags exceed the current limit for the provided ResourceArn",
            ));
        }
        s.tags.extend(tags);
        Ok(())
    })
}

pub struct TagResource;

impl Operation for TagResource {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let table = table_of_arn(ctx, input.resource_arn.as_deref())?;
        let Some(tags) = &input.tags else {
            let mut c = Constraints::new();
            c.missing("tags");
            c.finish()?;
            return Ok(Output {});
        };
        if tags.is_empty() {
            return Err(DynamoError::validation(
                "Atleast one Tag needs to be provided as Input.",
            ));
        }
        add_tags(&table, checked_tags(tags)?)?;
        Ok(Output {})
    }
}
