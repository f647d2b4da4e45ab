//! ListTagsOfResource: a table's tags, in key order, all on one page (a table has at most
//! 50, fewer than DynamoDB's page size).

use serde::{Deserialize, Serialize};

use super::tag_resource::{table_of_arn, Tag};
use crate::dynamodb::error::Result;
use crate::dynamodb::{Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub resource_arn: Option<String>,
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub tags: Vec<Tag>,
}

pub struct ListTagsOfResource;

impl Operation for ListTagsOfResource {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let table = table_of_arn(ctx, input.resource_arn.as_deref())?;
        Ok(Output {
            tags: table
                .settings()
                .tags
                .into_iter()
                .map(|(key, value)| Tag {
                    key: Some(key),
                    value: Some(value),
                })
                .collect(),
        })
    }
}
