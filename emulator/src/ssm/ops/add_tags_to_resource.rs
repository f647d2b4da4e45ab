//! AddTagsToResource: adds or replaces tags on a parameter.

use serde::{Deserialize, Serialize};

use super::{require_parameter_type, tag_target};
use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::model::Tag;
use crate::ssm::{validate, Ctx, Operation};

/// Most tags one resource may carry.
pub const MAX_TAGS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Serialize)]
pub struct Output {}

pub struct AddTagsToResource;

impl Operation for AddTagsToResource {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        let key = tag_target(
            &mut c,
            input.resource_type.as_deref(),
            input.resource_id.as_deref(),
        );
        match &input.tags {
            None => c.missing("tags"),
            Some(tags) => validate::tags(&mut c, tags),
        }
        c.finish()?;
        require_parameter_type(input.resource_type.as_deref())?;
        let key = key.unwrap_or_default();
        ctx.store.write(ctx.ns, |catalog| {
            let p = catalog
                .parameters
                .get_mut(&key)
                .ok_or(SsmError::InvalidResourceId)?;
            let mut tags = p.tags.clone();
            for tag in input.tags.into_iter().flatten() {
                tags.insert(tag.key.unwrap_or_default(), tag.value.unwrap_or_default());
            }
            if tags.len() > MAX_TAGS {
                return Err(SsmError::TooManyTags(
                    "The Tags parameter can have at most 50 tags.".to_owned(),
                ));
            }
            p.tags = tags;
            Ok(Output {})
        })
    }
}
