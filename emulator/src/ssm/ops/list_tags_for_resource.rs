//! ListTagsForResource: a parameter's tags, in key order.

use serde::{Deserialize, Serialize};

use super::{require_parameter_type, tag_target};
use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::model::Tag;
use crate::ssm::{Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub tag_list: Vec<Tag>,
}

pub struct ListTagsForResource;

impl Operation for ListTagsForResource {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        let key = tag_target(
            &mut c,
            input.resource_type.as_deref(),
            input.resource_id.as_deref(),
        );
        c.finish()?;
        require_parameter_type(input.resource_type.as_deref())?;
        let key = key.unwrap_or_default();
        ctx.store.read(ctx.ns, |catalog| {
            let p = catalog
                .parameters
                .get(&key)
                .ok_or(SsmError::InvalidResourceId)?;
            Ok(Output {
                tag_list: p
                    .tags
                    .iter()
                    .map(|(k, v)| Tag {
                        key: Some(k.clone()),
                        value: Some(v.clone()),
                    })
                    .collect(),
            })
        })
    }
}
