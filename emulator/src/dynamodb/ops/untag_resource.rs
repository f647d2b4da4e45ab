//! UntagResource: removes tags by key (keys the table does not have are ignored).

use serde::Deserialize;

use super::tag_resource::table_of_arn;
use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::{Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub resource_arn: Option<String>,
    pub tag_keys: Option<Vec<String>>,
}

#[derive(serde::Serialize)]
pub struct Output {}

pub struct UntagResource;

impl Operation for UntagResource {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let table = table_of_arn(ctx, input.resource_arn.as_deref())?;
        let Some(keys) = input.tag_keys else {
            let mut c = Constraints::new();
            c.missing("tagKeys");
            c.finish()?;
            return Ok(Output {});
        };
        if keys.is_empty() {
            return Err(DynamoError::validation(
                "Atleast one Tag Key needs to be provided as Input.",
            ));
        }
        table.update_settings(|s| {
            for key in &keys {
                s.tags.remove(key);
            }
        });
        Ok(Output {})
    }
}
