//! RemoveTagsFromResource: removes tags by key; absent keys are ignored.

use serde::{Deserialize, Serialize};

use super::{require_parameter_type, tag_target};
use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::{Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub tag_keys: Option<Vec<String>>,
}

#[derive(Serialize)]
pub struct Output {}

pub struct RemoveTagsFromResource;

impl Operation for RemoveTagsFromResource {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        let key = tag_target(
            &mut c,
            input.resource_type.as_deref(),
            input.resource_id.as_deref(),
        );
        if input.tag_keys.is_none() {
            c.missing("tagKeys");
        }
        c.finish()?;
        require_parameter_type(input.resource_type.as_deref())?;
        let key = key.unwrap_or_default();
        ctx.store.write(ctx.ns, |catalog| {
            let p = catalog
                .parameters
                .get_mut(&key)
                .ok_or(SsmError::InvalidResourceId)?;
            for k in input.tag_keys.iter().flatten() {
                p.tags.remove(k);
            }
            Ok(Output {})
        })
    }
}
