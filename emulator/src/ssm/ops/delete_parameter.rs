//! DeleteParameter: removes a parameter with all its versions, labels and tags.

use serde::{Deserialize, Serialize};

use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::store::key_of;
use crate::ssm::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub name: Option<String>,
}

#[derive(Serialize)]
pub struct Output {}

pub struct DeleteParameter;

impl Operation for DeleteParameter {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        validate::required_length(
            &mut c,
            "name",
            input.name.as_deref(),
            1,
            validate::MAX_NAME_LENGTH,
        );
        c.finish()?;
        let name = input.name.unwrap_or_default();
        validate::name_characters(&name)?;
        ctx.store.write(ctx.ns, |catalog| {
            catalog
                .parameters
                .remove(key_of(&name))
                .map(|_| Output {})
                .ok_or(SsmError::ParameterNotFound)
        })
    }
}
